#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sbx_rules.h"

const char *sbx_period_name(enum sbx_period p)
{
	return p == SBX_PERIOD_1Y ? "1y" : "1m";
}

int sbx_period_parse(const char *name, enum sbx_period *p)
{
	if (!name)
		return -1;
	if (!strcmp(name, "1m"))
		*p = SBX_PERIOD_1M;
	else if (!strcmp(name, "1y"))
		*p = SBX_PERIOD_1Y;
	else
		return -1;
	return 0;
}

struct sbx_date sbx_jst_date(time_t t)
{
	struct tm tm;
	time_t local = t + SBX_JST_OFFSET;
	struct sbx_date d;

	gmtime_r(&local, &tm);
	d.y = tm.tm_year + 1900;
	d.m = tm.tm_mon + 1;
	d.d = tm.tm_mday;
	return d;
}

time_t sbx_jst_midnight(struct sbx_date d)
{
	struct tm tm = { 0 };

	tm.tm_year = d.y - 1900;
	tm.tm_mon = d.m - 1;
	tm.tm_mday = d.d;
	return timegm(&tm) - SBX_JST_OFFSET;
}

struct sbx_date sbx_date_add_days(struct sbx_date d, int n)
{
	struct tm tm = { 0 };
	time_t t;

	/* noon keeps the arithmetic clear of any day boundary */
	tm.tm_year = d.y - 1900;
	tm.tm_mon = d.m - 1;
	tm.tm_mday = d.d;
	tm.tm_hour = 12;
	t = timegm(&tm) + (time_t)n * 86400;
	gmtime_r(&t, &tm);
	d.y = tm.tm_year + 1900;
	d.m = tm.tm_mon + 1;
	d.d = tm.tm_mday;
	return d;
}

int sbx_date_cmp(struct sbx_date a, struct sbx_date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

int sbx_days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m == 2)
		return 28 + leap;
	return days[m - 1];
}

void sbx_date_format(struct sbx_date d, char out[11])
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u,
		 (unsigned)d.d % 100u);
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int sbx_date_parse(const char *s, struct sbx_date *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    digits(s, 4, &d->y) || digits(s + 5, 2, &d->m) || digits(s + 8, 2, &d->d))
		return -1;
	if (d->y < 1970 || d->m < 1 || d->m > 12 || d->d < 1 ||
	    d->d > sbx_days_in_month(d->y, d->m))
		return -1;
	return 0;
}

void sbx_time_format(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int sbx_time_parse(const char *s, time_t *t)
{
	struct sbx_date d;
	int hh, mm, ss, oh, om;
	long off = 0;
	char date[11];
	struct tm tm = { 0 };
	const char *p;

	if (!s || strlen(s) < 20)
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (sbx_date_parse(date, &d) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mm) ||
	    s[16] != ':' || digits(s + 17, 2, &ss))
		return -1;
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		   !digits(p + 1, 2, &oh) && !digits(p + 4, 2, &om) && oh < 24 && om < 60) {
		off = (oh * 60L + om) * 60L;
		if (*p == '-')
			off = -off;
	} else {
		return -1;
	}
	tm.tm_year = d.y - 1900;
	tm.tm_mon = d.m - 1;
	tm.tm_mday = d.d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss == 60 ? 59 : ss;
	*t = timegm(&tm) - off;
	return 0;
}

/* terms §10.2, §10.3 */
struct sbx_date sbx_end_date(struct sbx_date d, enum sbx_period p)
{
	struct sbx_date e = d;

	if (p == SBX_PERIOD_1Y) {
		e.y++;
	} else if (++e.m > 12) {
		e.m = 1;
		e.y++;
	}
	e.d = sbx_days_in_month(e.y, e.m);
	return e;
}

/* terms §3 */
time_t sbx_cert_not_after(time_t issued)
{
	struct sbx_date last = sbx_date_add_days(sbx_jst_date(issued), 90);

	return sbx_jst_midnight(sbx_date_add_days(last, 1)) - 1;
}

time_t sbx_next_jst_midnight(time_t t)
{
	return sbx_jst_midnight(sbx_date_add_days(sbx_jst_date(t), 1));
}
