/*
 * The calendar rules of the terms (tests/sandbox/sbx_rules.c).  Each
 * expected value is derived here from the rule's wording with timegm()'s
 * own normalisation, never copied from the code's output.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sbx_rules.h"
#include "tap.h"

static time_t utc(int y, int m, int d, int hh, int mm, int ss)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return timegm(&tm);
}

/* "YYYY-MM-DD" of a UTC calendar day normalised by timegm (day 0 = last day of the month before). */
static void norm_date(int y, int m, int d, char out[11])
{
	time_t t = utc(y, m, d, 12, 0, 0);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void check_end(const char *start, enum sbx_period p, const char *name)
{
	struct sbx_date d, e;
	char got[11], want[11];
	int add_months = p == SBX_PERIOD_1Y ? 13 : 2;

	if (!ok(sbx_date_parse(start, &d) == 0, "parse %s", start))
		return;
	e = sbx_end_date(d, p);
	sbx_date_format(e, got);
	/* last day of month M+1 (or of M a year later) = day 0 of the month after it */
	norm_date(d.y, d.m + add_months, 0, want);
	is_str(got, want, "%s: end date of %s with %s", name, start, sbx_period_name(p));
}

static void check_jst(time_t t, const char *want, const char *name)
{
	char got[11];

	sbx_date_format(sbx_jst_date(t), got);
	is_str(got, want, "%s", name);
}

static void check_not_after(time_t issued, const char *name)
{
	char got[21], want[21];
	time_t jst = issued + 9 * 3600;
	struct tm tm;
	time_t w;

	gmtime_r(&jst, &tm);
	/* 23:59:59 JST of the JST date + 90 days, i.e. 14:59:59Z that same day */
	w = utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday + 90, 23, 59, 59) - 9 * 3600;
	sbx_time_format(sbx_cert_not_after(issued), got);
	sbx_time_format(w, want);
	is_str(got, want, "%s", name);
}

int main(void)
{
	struct sbx_date d;
	time_t t;
	char buf[21];
	enum sbx_period p;

	/* terms §10.2: 1m -> last day of the month after the start month */
	check_end("2026-01-31", SBX_PERIOD_1M, "Jan 31");
	check_end("2026-01-01", SBX_PERIOD_1M, "Jan 1");
	check_end("2028-01-15", SBX_PERIOD_1M, "leap February");
	check_end("2026-12-31", SBX_PERIOD_1M, "year end");
	check_end("2026-11-30", SBX_PERIOD_1M, "Nov to Dec");
	/* 1y -> last day of the same month next year */
	check_end("2028-02-29", SBX_PERIOD_1Y, "leap day + 1y");
	check_end("2027-02-10", SBX_PERIOD_1Y, "Feb into leap year");
	check_end("2026-12-01", SBX_PERIOD_1Y, "Dec + 1y");
	/* terms §10.3: continuation counts from the old end date */
	check_end("2026-02-28", SBX_PERIOD_1M, "continuation from Feb end");
	check_end("2028-02-29", SBX_PERIOD_1M, "continuation from leap Feb end");
	check_end("2027-01-31", SBX_PERIOD_1Y, "continuation 1y from Jan end");

	d = sbx_end_date((struct sbx_date){ 2028, 2, 29 }, SBX_PERIOD_1Y);
	ok(d.y == 2029 && d.m == 2 && d.d == 28, "2028-02-29 + 1y ends on a day that exists");

	/* JST boundary: 15:00Z is midnight JST */
	check_jst(utc(2026, 1, 31, 15, 30, 0), "2026-02-01", "15:30Z is the next JST day");
	check_jst(utc(2026, 1, 31, 14, 59, 59), "2026-01-31", "14:59:59Z is still the same JST day");
	check_jst(utc(2026, 1, 31, 15, 0, 0), "2026-02-01", "15:00:00Z starts the JST day");
	check_jst(utc(2026, 12, 31, 15, 0, 0), "2027-01-01", "JST new year comes at 15:00Z");

	t = sbx_jst_midnight((struct sbx_date){ 2026, 2, 1 });
	ok(t == utc(2026, 1, 31, 15, 0, 0), "00:00 JST of 2026-02-01 is 2026-01-31T15:00Z");
	ok(sbx_next_jst_midnight(utc(2026, 1, 31, 15, 0, 0)) == utc(2026, 2, 1, 15, 0, 0),
	   "next midnight from a midnight is a day later");
	ok(sbx_next_jst_midnight(utc(2026, 1, 31, 14, 59, 59)) == utc(2026, 1, 31, 15, 0, 0),
	   "next midnight one second before it");

	/* terms §3 */
	check_not_after(utc(2026, 1, 31, 15, 30, 0), "not_after counts from the JST date");
	check_not_after(utc(2026, 1, 31, 14, 0, 0), "not_after just before the JST boundary");
	check_not_after(utc(2027, 12, 1, 3, 0, 0), "not_after across a leap February");
	ok(sbx_cert_not_after(utc(2026, 1, 31, 15, 30, 0)) -
		   sbx_cert_not_after(utc(2026, 1, 31, 14, 0, 0)) == 86400,
	   "issuing across the JST boundary moves not_after by one day");

	d = sbx_date_add_days((struct sbx_date){ 2028, 2, 28 }, 1);
	ok(d.y == 2028 && d.m == 2 && d.d == 29, "2028-02-28 + 1 day is Feb 29");
	d = sbx_date_add_days((struct sbx_date){ 2026, 3, 1 }, -1);
	ok(d.y == 2026 && d.m == 2 && d.d == 28, "2026-03-01 - 1 day is Feb 28");

	ok(sbx_date_parse("2026-02-29", &d) == -1, "2026-02-29 does not exist");
	ok(sbx_date_parse("2028-02-29", &d) == 0, "2028-02-29 exists");
	ok(sbx_date_parse("2026-1-01", &d) == -1, "short month refused");

	ok(sbx_time_parse("2026-11-24T10:00:00Z", &t) == 0 && t == utc(2026, 11, 24, 10, 0, 0),
	   "RFC 3339 Z");
	ok(sbx_time_parse("2026-11-24T19:00:00+09:00", &t) == 0 && t == utc(2026, 11, 24, 10, 0, 0),
	   "RFC 3339 with +09:00");
	ok(sbx_time_parse("2026-11-24T10:00:00.250Z", &t) == 0 && t == utc(2026, 11, 24, 10, 0, 0),
	   "RFC 3339 with a fraction");
	ok(sbx_time_parse("2026-11-24 10:00:00", &t) == -1, "no zone refused");
	ok(sbx_time_parse("2026-11-24T10:00:00Zjunk", &t) == -1, "trailing junk refused");
	sbx_time_format(utc(2026, 11, 24, 10, 0, 0), buf);
	is_str(buf, "2026-11-24T10:00:00Z", "format an instant");

	ok(sbx_period_parse("1y", &p) == 0 && p == SBX_PERIOD_1Y, "period 1y");
	ok(sbx_period_parse("2m", &p) == -1, "period 2m refused");

	return done_testing();
}
