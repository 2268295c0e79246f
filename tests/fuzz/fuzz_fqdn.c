/*
 * FQDN normalisation on arbitrary input.  What it accepts must be in wire
 * form, a fixed point, and survive the trip through Unicode and back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fqdn.h"

#define INPUT_MAX 4096

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "%s\n  first:  %s\n  second: %s\n", what, a, b ? b : "(null)");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *in, *out = NULL, *back = NULL, *u, *names[2];
	int rc;

	if (size > INPUT_MAX)
		return 0;
	in = jra_xstrndup((const char *)data, size);
	rc = jra_fqdn_normalize(in, &out, &e);
	if (rc != 0) {
		if (rc != JRA_ERR_DATA || out)
			fail("refusal with the wrong code or a result", in, e.msg);
		if (jra_fqdn_check_wire(in, &e) == 0)
			fail("the wire check accepts what normalisation refuses", in, NULL);
		free(in);
		return 0;
	}
	if (strlen(out) > JRA_FQDN_MAX)
		fail("accepted a name over 253 octets", in, out);
	if (jra_fqdn_check_wire(out, &e) != 0)
		fail("the normal form is not the wire form", out, e.msg);
	if (jra_fqdn_normalize(out, &back, &e) != 0 || strcmp(back, out) != 0)
		fail("normalisation is not idempotent", out, back ? back : e.msg);
	free(back);
	back = NULL;
	u = jra_fqdn_to_unicode(out);
	if (jra_fqdn_normalize(u, &back, &e) != 0 || strcmp(back, out) != 0)
		fail("the Unicode form does not normalise back", u, back ? back : e.msg);
	jra_fqdn_covered_names(out, names);
	if (strcmp(names[0], out) != 0)
		fail("an FQDN does not cover itself", out, names[0]);
	free(names[0]);
	free(names[1]);
	free(u);
	free(back);
	free(out);
	free(in);
	return 0;
}
