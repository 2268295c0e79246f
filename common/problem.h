#ifndef JRA_PROBLEM_H
#define JRA_PROBLEM_H

/*
 * The CA's error answers (RFC 9457 problem+json, types
 * "urn:jra:problem:<name>") turned into a message a person can act on and
 * the exit code a cron job can act on.
 */

#include <stddef.h>

#include "err.h"

/* What the hints of authentication failures name. */
struct jra_auth_hint {
	const char *registrar;
	const char *key_id;
	const char *key_file;  /* or the secret file */
};

/*
 * Decodes a non-2xx answer: status, its Content-Type (may be NULL) and
 * body.  Fills e with a one-line message (the problem's detail or title
 * and its type name, control characters removed, length bounded) and a
 * hint, and returns the code:
 *   400/422 invalid input (invalid-fqdn, ...)      JRA_ERR_DATA
 *   rule or state refusals (terms-outdated, ...)   JRA_ERR_REFUSED
 *   401, 403 not about a rule                      JRA_ERR_AUTH
 *   404                                            JRA_ERR_REFUSED ("not found")
 *   429, 409 idempotency-key-in-use                JRA_ERR_TEMP
 *   5xx                                            JRA_ERR_UNAVAILABLE
 * A body that is not a problem document gives a message saying so.
 */
int jra_problem_decode(long status, const char *content_type, const char *body, size_t len,
		       const struct jra_auth_hint *auth, struct jra_error *e);

/* The name of a problem type ("fqdn-in-service" of "urn:jra:problem:fqdn-in-service"),
 * or the whole type when it is not one of jra's; a pointer into type. */
const char *jra_problem_name(const char *type);

/*
 * Copies at most max bytes of s (len bytes) into a newly allocated string
 * fit for a terminal: control characters and invalid UTF-8 become '?',
 * and a cut string ends with "...".
 */
char *jra_sanitize(const char *s, size_t len, size_t max);

#endif
