/*
 * Content-Digest as a server receives it, and base64 both ways.  The
 * digest jra computes for a body must always check against that body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sign.h"

#define INPUT_MAX 16384

static const char body[] = "{\"hello\": \"world\"}";

static void check_b64(const uint8_t *data, size_t size)
{
	unsigned char *out = NULL, *out2 = NULL;
	size_t len = 0, len2 = 0;

	if (jra_b64_decode((const char *)data, size, &out, &len) != 0)
		return;
	for (int url = 0; url <= 1; url++) {
		for (int pad = 0; pad <= 1; pad++) {
			char *enc = jra_b64_encode(out, len, url, pad);

			if (jra_b64_decode(enc, strlen(enc), &out2, &len2) != 0 || len2 != len ||
			    memcmp(out, out2, len) != 0) {
				fprintf(stderr, "base64 does not round-trip through '%s'\n", enc);
				abort();
			}
			free(out2);
			free(enc);
		}
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *header, *own;
	int rc;

	if (size > INPUT_MAX)
		return 0;
	header = jra_xstrndup((const char *)data, size);
	rc = jra_digest_check(header, body, sizeof(body) - 1, &e);
	if (rc != 0 && rc != JRA_ERR_DATA) {
		fprintf(stderr, "jra_digest_check: unexpected code %d: %s\n", rc, e.msg);
		abort();
	}
	free(header);

	own = jra_digest_header(data, size);
	if (jra_digest_check(own, data, size, &e) != 0) {
		fprintf(stderr, "own digest '%s' does not check: %s\n", own, e.msg);
		abort();
	}
	free(own);

	check_b64(data, size);
	return 0;
}
