/*
 * What a CA's error answer may hold: jra_problem_decode must give a
 * negative code and a one-line message free of terminal controls; the -vv
 * redaction must never let an hmac_key value through.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "problem.h"

#define INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_error e = JRA_ERROR_INIT;
	static const long statuses[] = { 400, 401, 403, 404, 409, 422, 429, 500, 503 };
	char *red;
	size_t i;
	int r;

	if (size > INPUT_MAX)
		return 0;
	r = jra_problem_decode(statuses[size % 9], "application/problem+json",
			       (const char *)data, size, NULL, &e);
	if (r >= 0 || r != (int)e.code)
		abort();
	for (i = 0; e.msg[i]; i++)
		if ((unsigned char)e.msg[i] < 0x20 || e.msg[i] == 0x7f)
			abort();
	red = jra_redact_body((const char *)data, size);
	/* a secret the fuzzer planted after "hmac_key" must not survive */
	if (strstr(red, "\"hmac_key\":\"") && !strstr(red, "\"hmac_key\":\"[redacted]\""))
		abort();
	free(red);
	return 0;
}
