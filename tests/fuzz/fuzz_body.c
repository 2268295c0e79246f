/*
 * The sandbox's JSON request bodies (tests/sandbox/sbx_body.c): the input
 * is a request body; it is parsed as the server parses it and handed to
 * every decoder.  Beyond crashes, leaks and undefined behaviour, each
 * answer is checked against what a client is promised:
 * - a refusal is a problem+json object whose type is one of the sandbox's
 *   problems, with its title, the status the decoder returned and a
 *   detail; its errors[], when there, each name a field of that body;
 * - an accepted body gives values within the contract's rules (a period
 *   is 1m or 1y, an FQDN is in wire form, a reason is one a registrar
 *   may give, strings are valid UTF-8 within their limits and hold no
 *   NUL), taken from the body itself;
 * - no decoder changes the body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fqdn.h"
#include "sbx_body.h"
#include "sign.h"

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_body: %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                           \
			fprintf(stderr, "\n");                                  \
			abort();                                                \
		}                                                               \
	} while (0)

/* Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or values past U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min, v;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			need = 1, min = 0x80, v = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			need = 2, min = 0x800, v = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			need = 3, min = 0x10000, v = c & 0x07;
		else
			return 0;
		if (n - i <= need)
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			v = (v << 6) | (s[i + k] & 0x3f);
		}
		if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* A decoded string s is member name of obj exactly: same bytes, no NUL, UTF-8, at most max. */
static void check_str(const char *kind, json_t *obj, const char *name, const char *s, size_t max)
{
	json_t *v = json_object_get(obj, name);

	if (!s)
		return;
	CHECK(json_is_string(v) && json_string_value(v) == s, "%s: %s is not the body's", kind,
	      name);
	CHECK(strlen(s) == json_string_length(v), "%s: %s holds a NUL", kind, name);
	CHECK(strlen(s) <= max, "%s: %s is longer than %zu bytes", kind, name, max);
	CHECK(utf8_valid((const unsigned char *)s, strlen(s)), "%s: %s is not UTF-8", kind, name);
}

/* field is one of names, or "<one of names>[<index>]" for the members that are lists. */
static int field_known(const char *field, const char *const *names)
{
	for (; *names; names++) {
		size_t n = strlen(*names);

		if (!strcmp(field, *names))
			return 1;
		if (!strncmp(field, *names, n) && field[n] == '[' &&
		    strspn(field + n + 1, "0123456789") > 0 &&
		    !strcmp(field + n + 1 + strspn(field + n + 1, "0123456789"), "]"))
			return 1;
	}
	return 0;
}

/* A refusal: a problem of the sandbox's table, with status rc, a detail, and errors that
 * name the fields of this body (names, or for PATCH any member it was given). */
static void check_refusal(const char *kind, int rc, json_t *p, const char *const *names,
			  json_t *body, int any_member)
{
	const char *type, *detail, *title;
	json_t *errors, *e;
	size_t i;

	CHECK(rc == 400 || rc == 422, "%s: refused with status %d", kind, rc);
	CHECK(json_is_object(p), "%s: refused without a problem", kind);
	CHECK(json_integer_value(json_object_get(p, "status")) == rc, "%s: status differs", kind);
	type = json_string_value(json_object_get(p, "type"));
	CHECK(type && !strncmp(type, "urn:jra:problem:", 16), "%s: type %s", kind,
	      type ? type : "(none)");
	title = sbx_problem_title(type + 16);
	CHECK(title, "%s: %s is not in the problem table", kind, type);
	CHECK(!strcmp(title, json_string_value(json_object_get(p, "title"))), "%s: title", kind);
	detail = json_string_value(json_object_get(p, "detail"));
	CHECK(detail && *detail, "%s: no detail", kind);
	errors = json_object_get(p, "errors");
	/* a refusal of the body's members says which; only the JSON itself or a reason has none */
	if (names && (!strcmp(type + 16, "invalid-request") || !strcmp(type + 16, "invalid-fqdn")))
		CHECK(json_array_size(errors) > 0, "%s: %s without errors[]", kind, type);
	if (!errors)
		return;
	CHECK(json_is_array(errors) && json_array_size(errors) > 0, "%s: empty errors[]", kind);
	json_array_foreach(errors, i, e) {
		const char *field = json_string_value(json_object_get(e, "field"));
		const char *why = json_string_value(json_object_get(e, "detail"));

		CHECK(field && why && *why, "%s: errors[%zu] lacks a field or detail", kind, i);
		CHECK((names && field_known(field, names)) ||
		      (any_member && json_object_get(body, field)),
		      "%s: errors[%zu] names '%s', not a field of this body", kind, i, field);
	}
}

static int period_ok(const char *s, enum sbx_period p)
{
	return (p == SBX_PERIOD_1M && !strcmp(s, "1m")) || (p == SBX_PERIOD_1Y && !strcmp(s, "1y"));
}

static void apply(json_t *b)
{
	static const char *const names[] = { "fqdn", "period", "subscriber", "subscriber_name",
					     "customer_ref", "agreed_terms_version", NULL };
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_apply a;
	json_t *p;
	char *norm = NULL;
	int rc = sbx_body_apply(b, &a, &p);

	if (rc) {
		check_refusal("apply", rc, p, names, b, 0);
		json_decref(p);
		return;
	}
	CHECK(!p && a.fqdn && a.period && a.terms, "apply: accepted without its members");
	check_str("apply", b, "fqdn", a.fqdn, 253);
	check_str("apply", b, "period", a.period, 2);
	check_str("apply", b, "subscriber", a.subscriber, 64);
	check_str("apply", b, "subscriber_name", a.subscriber_name, 200);
	check_str("apply", b, "customer_ref", a.customer_ref, 200);
	check_str("apply", b, "agreed_terms_version", a.terms, 64);
	CHECK(period_ok(a.period, a.p), "apply: period %s", a.period);
	CHECK(!(a.subscriber && a.subscriber_name), "apply: subscriber and subscriber_name");
	CHECK(jra_fqdn_check_wire(a.fqdn, &e) == 0, "apply: %s is not in wire form", a.fqdn);
	/* wire form is what normalising gives: nothing left to change */
	CHECK(jra_fqdn_normalize(a.fqdn, &norm, &e) == 0 && !strcmp(norm, a.fqdn),
	      "apply: %s normalises to %s", a.fqdn, norm ? norm : e.msg);
	free(norm);
}

static void modify(json_t *b)
{
	static const char *const names[] = { "renewal_period", "customer_ref", NULL };
	struct sbx_modify m;
	enum sbx_period per;
	const char *key;
	json_t *p, *v;
	int rc = sbx_body_modify(b, &m, &p);

	if (rc) {
		check_refusal("modify", rc, p, names, b, 1);
		json_decref(p);
		return;
	}
	json_object_foreach(b, key, v)
		CHECK(field_known(key, names) && !strchr(key, '['), "modify: accepted member %s",
		      key);
	check_str("modify", b, "renewal_period", m.renewal_period, 2);
	CHECK(!m.renewal_period || !sbx_period_parse(m.renewal_period, &per),
	      "modify: renewal_period %s", m.renewal_period);
	CHECK(m.set_ref == (json_object_get(b, "customer_ref") != NULL), "modify: set_ref");
	CHECK(m.set_ref || !m.customer_ref, "modify: a customer_ref not set");
	check_str("modify", b, "customer_ref", m.customer_ref, 200);
}

static void revoke(json_t *b, int with_serials)
{
	static const char *const names[] = { "reason", "serials", NULL };
	json_t *js = json_object_get(b, "serials"), *p;
	struct sbx_revoke v;
	int rc = sbx_body_revoke(b, with_serials, &v, &p);

	if (rc) {
		check_refusal("revoke", rc, p, names, b, 0);
		/* only a reason outside terms §11 is 422 */
		CHECK(rc == 400 || !strcmp(json_string_value(json_object_get(p, "type")),
					   "urn:jra:problem:reason-not-allowed"), "revoke: 422");
		json_decref(p);
		return;
	}
	/* terms §11 */
	CHECK(v.reason == 0 || v.reason == 1 || v.reason == 3 || v.reason == 4 || v.reason == 5,
	      "revoke: reason %d", v.reason);
	CHECK(json_object_get(b, "reason") || v.reason == 0, "revoke: a reason not given");
	if (!with_serials || !js) {
		CHECK(!v.serials && !v.nserials, "revoke: serials not given");
		return;
	}
	CHECK(v.nserials > 0 && v.nserials == json_array_size(js), "revoke: %zu serials",
	      v.nserials);
	for (size_t i = 0; i < v.nserials; i++)
		CHECK(v.serials[i] == json_string_value(json_array_get(js, i)),
		      "revoke: serials[%zu] is not the body's", i);
	sbx_revoke_release(&v);
}

static void transfer(json_t *b)
{
	static const char *const names[] = { "code", "subscriber", NULL };
	struct sbx_transfer_req t;
	json_t *p;
	int rc = sbx_body_transfer(b, &t, &p);

	if (rc) {
		check_refusal("transfer", rc, p, names, b, 0);
		json_decref(p);
		return;
	}
	CHECK(t.code, "transfer: no code");
	check_str("transfer", b, "code", t.code, 200);
	check_str("transfer", b, "subscriber", t.subscriber, 64);
}

static void subscriber(json_t *b)
{
	static const char *const names[] = { "name", "customer_ref", NULL };
	struct sbx_subscriber s;
	json_t *p;
	int rc = sbx_body_subscriber(b, &s, &p);

	if (rc) {
		check_refusal("subscriber", rc, p, names, b, 0);
		json_decref(p);
		return;
	}
	CHECK(s.name && *s.name, "subscriber: no name");
	check_str("subscriber", b, "name", s.name, 200);
	check_str("subscriber", b, "customer_ref", s.customer_ref, 200);
}

static int id_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void registration(json_t *b)
{
	static const char *const names[] = { "id", "name", "keys", NULL };
	struct sbx_registration g;
	json_t *p, *keys = json_object_get(b, "keys");
	int rc = sbx_body_registration(b, &g, &p);

	if (rc) {
		check_refusal("registration", rc, p, names, b, 0);
		CHECK(!g.keys && !g.nkeys, "registration: a refusal kept keys");
		json_decref(p);
		return;
	}
	CHECK(g.id && g.name && id_ok(g.id, 32), "registration: id");
	check_str("registration", b, "id", g.id, 32);
	check_str("registration", b, "name", g.name, 200);
	CHECK(g.nkeys >= 1 && g.nkeys <= 16 && g.nkeys == json_array_size(keys),
	      "registration: %zu keys", g.nkeys);
	for (size_t i = 0; i < g.nkeys; i++) {
		struct sbx_reg_key *k = &g.keys[i];
		json_t *jk = json_array_get(keys, i);
		struct jra_error e = JRA_ERROR_INIT;
		struct jra_key *key = NULL;
		unsigned char *secret = NULL;
		size_t slen = 0;
		enum jra_alg a;
		char *again;

		check_str("registration key", jk, "keyid", k->keyid, 128);
		check_str("registration key", jk, "alg", k->alg, 64);
		CHECK(id_ok(k->keyid, 128), "registration: keyid %s", k->keyid);
		CHECK(!jra_alg_parse(k->alg, &a) && a == k->a, "registration: alg %s", k->alg);
		CHECK(k->material, "registration: keys[%zu] without material", i);
		if (k->a == JRA_ALG_HMAC_SHA256) {
			const char *b64 = json_string_value(json_object_get(jk, "secret_b64"));

			CHECK(!strcmp(k->material, b64), "registration: not the secret given");
			CHECK(!jra_b64_decode(k->material, strlen(k->material), &secret, &slen) &&
			      slen >= 32, "registration: a secret of %zu bytes", slen);
			free(secret);
			continue;
		}
		/* what is stored is a public key of that type, and a fixed point */
		CHECK(!jra_key_from_pem(k->material, strlen(k->material), k->a, &key, &e),
		      "registration: the stored PEM does not load: %s", e.msg);
		again = jra_key_public_pem(key);
		CHECK(again && !strcmp(again, k->material), "registration: PEM not a fixed point");
		free(again);
		jra_key_free(key);
	}
	sbx_registration_release(&g);
}

static void suspension(json_t *b)
{
	static const char *const names[] = { "suspended", NULL };
	json_t *p;
	int s, rc = sbx_body_suspension(b, &s, &p);

	if (rc) {
		check_refusal("suspension", rc, p, names, b, 0);
		json_decref(p);
		return;
	}
	CHECK(json_is_boolean(json_object_get(b, "suspended")) &&
	      s == json_is_true(json_object_get(b, "suspended")), "suspension: %d", s);
}

static void clock_set(json_t *b)
{
	static const char *const names[] = { "now", NULL };
	char again[21];
	time_t t, u = 0;
	json_t *p;
	int rc = sbx_body_clock_set(b, &t, &p);

	if (rc) {
		check_refusal("clock", rc, p, names, b, 0);
		json_decref(p);
		return;
	}
	check_str("clock", b, "now", json_string_value(json_object_get(b, "now")), 64);
	/* the instant survives a trip through the sandbox's own format */
	sbx_time_format(t, again);
	CHECK(!sbx_time_parse(again, &u) && u == t, "clock: %s does not read back", again);
}

static void clock_advance(json_t *b)
{
	static const char *const names[] = { "days", "seconds", NULL };
	json_t *days = json_object_get(b, "days"), *p;
	int64_t secs;
	int rc = sbx_body_clock_advance(b, &secs, &p);

	if (rc) {
		check_refusal("advance", rc, p, names, b, 0);
		json_decref(p);
		return;
	}
	CHECK(!days != !json_object_get(b, "seconds"), "advance: not exactly one of the two");
	CHECK(secs >= 0 && secs <= 36500LL * 86400, "advance: %lld s", (long long)secs);
	CHECK(!days || secs == json_integer_value(days) * 86400, "advance: days");
}

static void faults(json_t *b)
{
	static const char *const names[] = { "mode", "count", "delay_ms", "method", NULL };
	struct sbx_fault_req f;
	enum sbx_fault_mode m;
	json_t *p;
	int rc = sbx_body_faults(b, &f, &p);

	if (rc) {
		check_refusal("faults", rc, p, names, b, 0);
		json_decref(p);
		return;
	}
	check_str("faults", b, "mode", f.mode, 64);
	CHECK(f.mode && !sbx_fault_parse(f.mode, &m) && m == f.m && m != SBX_FAULT_NONE,
	      "faults: mode");
	CHECK(f.count >= 0 && f.count <= 1000000 &&
	      f.count == json_integer_value(json_object_get(b, "count")), "faults: count");
	CHECK(f.delay_ms >= 0 && f.delay_ms <= 600000, "faults: delay_ms %d", f.delay_ms);
	CHECK(f.m != SBX_FAULT_DELAY || json_object_get(b, "delay_ms"), "faults: delay without ms");
	CHECK(!f.method || !strcmp(f.method, "GET") || !strcmp(f.method, "POST") ||
	      !strcmp(f.method, "PATCH") || !strcmp(f.method, "DELETE"), "faults: method");
}

static void issuance(json_t *b)
{
	static const char *const names[] = { "eab_kid", "csr_pem", "names", NULL };
	json_t *jn = json_object_get(b, "names"), *p;
	struct sbx_issuance s;
	int rc = sbx_body_issuance(b, &s, &p);

	if (rc) {
		check_refusal("issuance", rc, p, names, b, 0);
		CHECK(!s.names, "issuance: a refusal kept names");
		json_decref(p);
		return;
	}
	CHECK(s.eab_kid, "issuance: no eab_kid");
	check_str("issuance", b, "eab_kid", s.eab_kid, 200);
	check_str("issuance", b, "csr_pem", s.csr_pem, 65536);
	CHECK(s.nnames >= 1 && s.nnames <= SBX_MAX_NAMES && s.nnames == json_array_size(jn),
	      "issuance: %zu names", s.nnames);
	for (size_t i = 0; i < s.nnames; i++) {
		CHECK(s.names[i] == json_string_value(json_array_get(jn, i)),
		      "issuance: names[%zu] is not the body's", i);
		CHECK(strlen(s.names[i]) == json_string_length(json_array_get(jn, i)),
		      "issuance: names[%zu] holds a NUL", i);
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(s.names[i], s.names[k]), "issuance: names repeat");
	}
	sbx_issuance_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *b = NULL, *p = NULL, *copy;
	int rc = sbx_body_parse((const char *)data, size, &b, &p);

	if (rc) {
		check_refusal("parse", rc, p, NULL, NULL, 0);
		CHECK(rc == 400 && !b, "parse: refused with %d", rc);
		json_decref(p);
		return 0;
	}
	CHECK(json_is_object(b) && !p, "parse: accepted something not an object");
	copy = json_deep_copy(b);
	apply(b);
	modify(b);
	revoke(b, 0);
	revoke(b, 1);
	transfer(b);
	subscriber(b);
	registration(b);
	suspension(b);
	clock_set(b);
	clock_advance(b);
	faults(b);
	issuance(b);
	CHECK(json_equal(b, copy), "a decoder changed the body");
	json_decref(copy);
	json_decref(b);
	return 0;
}
