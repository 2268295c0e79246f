#ifndef SBX_RULES_H
#define SBX_RULES_H

/*
 * The calendar rules of the terms, as pure functions on instants and
 * Japan Standard Time dates (UTC+9, no DST).  No I/O, no clock: the
 * caller passes the sandbox's time.
 */

#include <stdint.h>
#include <time.h>

#define SBX_JST_OFFSET (9 * 3600)

/* A calendar date in JST. */
struct sbx_date {
	int y, m, d;  /* m 1-12, d 1-31 */
};

enum sbx_period {
	SBX_PERIOD_1M,
	SBX_PERIOD_1Y,
};

/* "1m" or "1y". */
const char *sbx_period_name(enum sbx_period p);
/* 0, or -1 when name is not "1m" or "1y". */
int sbx_period_parse(const char *name, enum sbx_period *p);

/* The JST date of instant t (2026-01-31T16:00Z is 2026-02-01). */
struct sbx_date sbx_jst_date(time_t t);
/* The instant 00:00:00 JST of date d. */
time_t sbx_jst_midnight(struct sbx_date d);
/* d moved by n days (n may be negative). */
struct sbx_date sbx_date_add_days(struct sbx_date d, int n);
/* <0, 0, >0 as a is before, equal to, after b. */
int sbx_date_cmp(struct sbx_date a, struct sbx_date b);
/* The number of days of month m (1-12) in year y. */
int sbx_days_in_month(int y, int m);

/* Writes "YYYY-MM-DD" into out (11 bytes). */
void sbx_date_format(struct sbx_date d, char out[11]);
/* Parses a strict "YYYY-MM-DD" that names a real date; 0 or -1. */
int sbx_date_parse(const char *s, struct sbx_date *d);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void sbx_time_format(time_t t, char out[21]);
/* Parses RFC 3339 ("Z" or a numeric offset; fraction ignored); 0 or -1. */
int sbx_time_parse(const char *s, time_t *t);

/*
 * The end date of a period that starts, or continues, from date d:
 * terms §10.2 and §10.3 say the same for both: 1m -> the last day of the
 * month after d's month, 1y -> the last day of d's month a year later.
 */
struct sbx_date sbx_end_date(struct sbx_date d, enum sbx_period p);

/* terms §3: a certificate issued at t is valid until 23:59:59 JST of
 * the JST issuance date + 90 days. */
time_t sbx_cert_not_after(time_t issued);

/* The first 00:00 JST strictly after t: when daily processing next runs. */
time_t sbx_next_jst_midnight(time_t t);

#endif
