#ifndef JRA_ERR_H
#define JRA_ERR_H

/*
 * Errors and exit codes, in one place.
 *
 * Library functions return 0 or a negative enum jra_err and fill a
 * struct jra_error with a message for a person.  The numeric value of
 * each code is the negated exit status (sysexits-style) that cmd/ turns
 * it into, so a cron job can tell "retry later" from "give up".
 */

#include <stdarg.h>

enum jra_err {
	JRA_OK = 0,
	JRA_ERR_REFUSED = -1,      /* the CA refused: a rule of the terms or the object's state */
	JRA_ERR_PARTIAL = -2,      /* a batch partly failed */
	JRA_ERR_USAGE = -64,       /* wrong command line */
	JRA_ERR_DATA = -65,        /* bad input data: an FQDN, a file, a server answer */
	JRA_ERR_UNAVAILABLE = -69, /* the CA is unavailable after retries */
	JRA_ERR_SOFTWARE = -70,    /* a bug in jra itself */
	JRA_ERR_TEMP = -75,        /* temporary: network, timeout, rate limit */
	JRA_ERR_AUTH = -77,        /* authentication or permission */
	JRA_ERR_CONFIG = -78,      /* configuration */
};

#define JRA_ERROR_MSG_MAX 1024

struct jra_error {
	enum jra_err code;
	char msg[JRA_ERROR_MSG_MAX];  /* what failed, on what */
	char hint[JRA_ERROR_MSG_MAX]; /* what to do about it; may be empty */
};

#define JRA_ERROR_INIT { JRA_OK, "", "" }

/* Fill e (may be NULL) with code and message; returns code (negative). */
int jra_error(struct jra_error *e, enum jra_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int jra_verror(struct jra_error *e, enum jra_err code, const char *fmt, va_list ap);

/* Set the hint line of e (what the user can do); returns e->code. */
int jra_error_hint(struct jra_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the message of e with "prefix: " (for context as an error rises). */
void jra_error_prefix(struct jra_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append OpenSSL's queued errors to e's message and clear the queue; returns e->code. */
int jra_error_openssl(struct jra_error *e);

void jra_error_clear(struct jra_error *e);

/* The process exit status for code. */
int jra_exit_code(int code);

/* A short name of code ("temporary failure"), in the language of the messages. */
const char *jra_err_name(int code);

#endif
