/*
 * The CA's error answers on arbitrary bodies, and the log redaction of
 * bodies.  The first two bytes choose the HTTP status, the third the
 * Content-Type; the rest is the body.  Every answer must give an exit
 * code from the documented set and a one-line message a terminal can
 * show safely.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "problem.h"

#define INPUT_MAX 65536

static const char *const ctypes[] = {
	"application/problem+json",
	"application/json; charset=utf-8",
	"text/html",
	NULL,
};

static const struct jra_auth_hint auth = { "R0001", "r0001-ed25519", "/etc/jra/r1.key" };

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s\n", what, detail);
	abort();
}

/* Nothing that would move a terminal's cursor or start an escape. */
static void check_line(const char *what, const char *s)
{
	const unsigned char *u;

	for (u = (const unsigned char *)s; *u; u++)
		if (*u < 0x20 || *u == 0x7f || (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f))
			fail(what, s);
}

static int known_code(int r)
{
	return r == JRA_ERR_REFUSED || r == JRA_ERR_DATA || r == JRA_ERR_UNAVAILABLE ||
	       r == JRA_ERR_SOFTWARE || r == JRA_ERR_TEMP || r == JRA_ERR_AUTH;
}

static void check_sanitize(const char *s, size_t len, size_t max)
{
	char *out = jra_sanitize(s, len, max);

	check_line("jra_sanitize left a control character", out);
	if (strlen(out) > max + 3 + 3)
		fail("jra_sanitize passed its bound", out);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_error e = JRA_ERROR_INIT;
	const char *body;
	long status;
	char *red;
	size_t len;
	int r;

	if (size < 3 || size > INPUT_MAX)
		return 0;
	status = 100 + (long)((data[0] << 8 | data[1]) % 500);
	body = (const char *)data + 3;
	len = size - 3;
	r = jra_problem_decode(status, ctypes[data[2] % 4], body, len, data[2] & 4 ? &auth : NULL,
			       &e);
	if (!known_code(r) || e.code != r)
		fail("an unexpected exit code", e.msg);
	if (strspn(e.msg, " ") == strlen(e.msg))
		fail("no message", e.msg);
	check_line("the message", e.msg);
	check_line("the hint", e.hint);
	check_sanitize(body, len, data[2]);
	red = jra_redact_body(body, len);
	free(red);
	return 0;
}
