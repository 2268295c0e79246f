/*
 * Signature-Input and Signature as a server receives them: the input is
 * the two field values separated by the first newline.  Besides not
 * crashing, canonical serialization must be a fixed point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sfv.h"
#include "sign.h"

#define INPUT_MAX 16384

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "%s\n  first:  %s\n  second: %s\n", what, a, b ? b : "(null)");
	abort();
}

/* Serializes member m's value as it would appear after "key=". */
static int ser_member(struct jra_buf *b, const struct jra_sfv_member *m)
{
	if (m->is_list)
		return jra_sfv_ser_inner_list(b, m->items, m->nitems, &m->params);
	if (jra_sfv_ser_bare(b, &m->bare) < 0)
		return -1;
	return jra_sfv_ser_params(b, &m->params);
}

/* Whatever parses must serialize, and re-parse to the same serialization. */
static void check_round_trip(const char *s)
{
	struct jra_sfv_dict d = JRA_SFV_DICT_INIT;

	if (jra_sfv_parse_dict(s, strlen(s), &d, NULL) != 0) {
		jra_sfv_dict_release(&d);
		return;
	}
	for (size_t i = 0; i < d.n; i++) {
		struct jra_sfv_dict d2 = JRA_SFV_DICT_INIT;
		struct jra_buf b = JRA_BUF_INIT, b2 = JRA_BUF_INIT;
		char *again;

		if (jra_sfv_ser_key(&b, d.v[i].key) < 0 || jra_buf_addch(&b, '=') < 0 ||
		    ser_member(&b, &d.v[i]) < 0)
			fail("a parsed member does not serialize", s, NULL);
		again = jra_xstrdup(jra_buf_str(&b));
		if (jra_sfv_parse_dict(again, strlen(again), &d2, NULL) != 0 || d2.n != 1)
			fail("a serialized member does not parse", s, again);
		if (jra_sfv_ser_key(&b2, d2.v[0].key) < 0 || jra_buf_addch(&b2, '=') < 0 ||
		    ser_member(&b2, &d2.v[0]) < 0 || strcmp(jra_buf_str(&b2), again) != 0)
			fail("serialization is not a fixed point", again, jra_buf_str(&b2));
		free(again);
		jra_buf_release(&b);
		jra_buf_release(&b2);
		jra_sfv_dict_release(&d2);
	}
	jra_sfv_dict_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_sig_parsed p, q;
	struct jra_error e = JRA_ERROR_INIT;
	char *in, *nl, *sig;

	if (size > INPUT_MAX)
		return 0;
	in = jra_xstrndup((const char *)data, size);
	nl = strchr(in, '\n');
	sig = nl ? nl + 1 : (char *)"";
	if (nl)
		*nl = '\0';

	if (jra_sig_parse(in, sig, "sig1", &p, &e) == 0) {
		char *again = jra_xasprintf("sig1=%s", p.params_value);

		if (jra_sig_parse(again, "sig1=:AA==:", "sig1", &q, &e) != 0)
			fail("@signature-params does not parse back", again, e.msg);
		if (strcmp(q.params_value, p.params_value) != 0 || q.ncomponents != p.ncomponents ||
		    q.has_created != p.has_created || q.created != p.created)
			fail("@signature-params changes when parsed back", p.params_value, q.params_value);
		jra_sig_parsed_release(&q);
		jra_sig_parsed_release(&p);
		free(again);
	} else if (e.code != JRA_ERR_AUTH) {
		fail("jra_sig_parse failed with another code than JRA_ERR_AUTH", in, e.msg);
	}
	check_round_trip(in);
	check_round_trip(sig);
	free(in);
	return 0;
}
