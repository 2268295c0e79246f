#ifndef JRA_TAP_H
#define JRA_TAP_H

/*
 * A minimal TAP producer for the unit tests: each ok() prints one
 * "ok N - name" or "not ok N - name" line; done_testing() prints the plan
 * and returns the exit status.
 */

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#include <stdarg.h>

static inline int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

/* Compares two strings; on mismatch prints both as diagnostics.  The name
 * is a printf format; it is not checked as one, so that a plain variable
 * can serve as the name. */
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static inline int tap_is_str(const char *got, const char *want, const char *file, int line,
			     const char *name, ...)
{
	int pass = got && want && strcmp(got, want) == 0;
	char title[512];
	va_list ap;

	va_start(ap, name);
	vsnprintf(title, sizeof(title), name, ap);
	va_end(ap);
	tap_ok(pass, file, line, "%s", title);
	if (!pass) {
		printf("#        got: '%s'\n", got ? got : "(null)");
		printf("#   expected: '%s'\n", want ? want : "(null)");
	}
	return pass;
}

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
