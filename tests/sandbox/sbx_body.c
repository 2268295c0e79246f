#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fqdn.h"
#include "sbx_body.h"

static const struct {
	const char *name;
	const char *title;
} titles[] = {
	{ "already-exists", "Already exists" },
	{ "already-revoked", "Certificate already revoked" },
	{ "bad-digest", "Content-Digest does not match the body" },
	{ "bad-transfer-code", "Bad transfer code" },
	{ "fqdn-in-service", "FQDN already in service" },
	{ "idempotency-key-in-use", "Idempotency key in use" },
	{ "idempotency-key-reuse", "Idempotency key reused" },
	{ "internal", "Internal error" },
	{ "invalid-fqdn", "Invalid FQDN" },
	{ "invalid-request", "Invalid request" },
	{ "invalid-state", "Invalid state" },
	{ "name-not-covered", "Name not covered by a live FQDN" },
	{ "method-not-allowed", "Method not allowed" },
	{ "not-found", "Not found" },
	{ "payload-too-large", "Payload too large" },
	{ "rate-limited", "Rate limited" },
	{ "reason-not-allowed", "Revocation reason not allowed" },
	{ "registrar-suspended", "Registrar suspended" },
	{ "replayed-nonce", "Replayed nonce" },
	{ "stale-signature", "Stale signature" },
	{ "terms-outdated", "Terms outdated" },
	{ "transfer-pending", "Transfer pending" },
	{ "unauthorized", "Unauthorized" },
	{ "unavailable", "Service unavailable" },
};

const char *sbx_problem_title(const char *name)
{
	for (size_t i = 0; name && i < sizeof(titles) / sizeof(titles[0]); i++)
		if (!strcmp(titles[i].name, name))
			return titles[i].title;
	return NULL;
}

/* Length of the well-formed UTF-8 sequence (RFC 3629) at s, or 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t need;
	unsigned v;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, v = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, v = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, v = s[0] & 0x07;
	else
		return 0;
	for (size_t k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if ((need == 2 && v < 0x800) || (need == 3 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return need + 1;
}

/*
 * Replaces each byte of s that is not part of well-formed UTF-8 with '?'.
 * jansson makes no string of anything else, and a message can hold bytes
 * a client sent (a path segment, a parser's excerpt of the body) or end
 * inside a character where vsnprintf cut it.
 */
static void utf8_scrub(char *s)
{
	while (*s) {
		size_t n = utf8_seq((const unsigned char *)s);

		if (n == 0)
			*s++ = '?';
		else
			s += n;
	}
}

/* jansson fails only on invalid UTF-8, scrubbed away, or on memory: abort as jra_xmalloc does. */
static json_t *must(json_t *v)
{
	if (!v)
		abort();
	return v;
}

json_t *sbx_problem_newv(int status, const char *name, json_t *errors, const char *fmt,
			 va_list ap)
{
	const char *title = sbx_problem_title(name);
	char detail[1024];
	json_t *p;

	vsnprintf(detail, sizeof(detail), fmt, ap);
	utf8_scrub(detail);
	p = must(json_pack("{s:s+, s:s, s:i, s:s}", "type", "urn:jra:problem:", name,
			   "title", title ? title : name, "status", status, "detail", detail));
	if (errors)
		json_object_set_new(p, "errors", errors);
	return p;
}

json_t *sbx_problem_new(int status, const char *name, json_t *errors, const char *fmt, ...)
{
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	p = sbx_problem_newv(status, name, errors, fmt, ap);
	va_end(ap);
	return p;
}

void sbx_field_error(json_t *errors, const char *field, const char *fmt, ...)
{
	char detail[512], *f = jra_xstrdup(field);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	utf8_scrub(detail);
	utf8_scrub(f);
	/* an error lost here would let a wrong body through */
	json_array_append_new(errors, must(json_pack("{s:s, s:s}", "field", f, "detail", detail)));
	free(f);
}

/* A string member of obj: NULL when absent (or null and not required); errors records
 * one that is required and absent, not a string or longer than max. */
static const char *field_str(json_t *obj, const char *name, int required, size_t max,
			     json_t *errors)
{
	json_t *v = json_object_get(obj, name);

	if (!v || (json_is_null(v) && !required)) {
		if (required)
			sbx_field_error(errors, name, "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		sbx_field_error(errors, name, "must be a string");
		return NULL;
	}
	if (json_string_length(v) > max) {
		sbx_field_error(errors, name, "is longer than %zu bytes", max);
		return NULL;
	}
	return json_string_value(v);
}

void sbx_fields_str(json_t *obj, const struct sbx_str_field *fields, size_t n, json_t *errors)
{
	for (size_t i = 0; i < n; i++)
		*fields[i].value = field_str(obj, fields[i].name, fields[i].required,
					     fields[i].max, errors);
}

json_t *sbx_fields_problem(json_t *errors)
{
	size_t n = json_array_size(errors);

	if (n == 0) {
		json_decref(errors);
		return NULL;
	}
	return sbx_problem_new(400, "invalid-request", errors,
			       "the request has %zu invalid field%s", n, n == 1 ? "" : "s");
}

/* Hands a problem to the caller: its status, or 0 when there is none. */
static int refuse(json_t *p, json_t **problem)
{
	*problem = p;
	return p ? (int)json_integer_value(json_object_get(p, "status")) : 0;
}

/* A refusal of one field with its own problem name and detail. */
static int refuse_field(int status, const char *name, const char *field, const char *detail,
			const char *why, json_t **problem)
{
	json_t *errors = json_array();

	sbx_field_error(errors, field, "%s", detail);
	return refuse(sbx_problem_new(status, name, errors, "%s", why), problem);
}

int sbx_body_parse(const char *buf, size_t len, json_t **obj, json_t **problem)
{
	json_error_t je;

	*problem = NULL;
	if (len == 0) {
		*obj = json_object();
		return 0;
	}
	*obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!*obj || !json_is_object(*obj)) {
		int other = *obj != NULL;

		json_decref(*obj);
		*obj = NULL;
		return refuse(sbx_problem_new(400, "invalid-request", NULL,
					      "the body is not a JSON object: %s",
					      other ? "another JSON value" : je.text), problem);
	}
	return 0;
}

int sbx_body_apply(json_t *body, struct sbx_apply *a, json_t **problem)
{
	struct sbx_str_field fields[] = {
		{ "fqdn", 1, 300, &a->fqdn },
		{ "period", 1, 8, &a->period },
		{ "subscriber", 0, 64, &a->subscriber },
		{ "subscriber_name", 0, 200, &a->subscriber_name },
		{ "customer_ref", 0, 200, &a->customer_ref },
		{ "agreed_terms_version", 1, 64, &a->terms },
	};
	struct jra_error e = JRA_ERROR_INIT;
	json_t *errors = json_array(), *p;

	memset(a, 0, sizeof(*a));
	sbx_fields_str(body, fields, sizeof(fields) / sizeof(fields[0]), errors);
	if (a->period && sbx_period_parse(a->period, &a->p))
		sbx_field_error(errors, "period", "must be 1m or 1y");
	if (a->subscriber && a->subscriber_name)
		sbx_field_error(errors, "subscriber_name", "is only for a new subscriber; "
				"leave it out when subscriber is given");
	if ((p = sbx_fields_problem(errors)))
		return refuse(p, problem);
	if (jra_fqdn_check_wire(a->fqdn, &e))
		return refuse_field(400, "invalid-fqdn", "fqdn", e.msg, e.msg, problem);
	*problem = NULL;
	return 0;
}

int sbx_body_modify(json_t *body, struct sbx_modify *m, json_t **problem)
{
	json_t *errors = json_array(), *v, *ref = json_object_get(body, "customer_ref");
	const char *key;
	enum sbx_period p;

	memset(m, 0, sizeof(*m));
	m->renewal_period = field_str(body, "renewal_period", 0, 8, errors);
	json_object_foreach(body, key, v)
		if (strcmp(key, "renewal_period") && strcmp(key, "customer_ref"))
			sbx_field_error(errors, key, "cannot be changed");
	if (m->renewal_period && sbx_period_parse(m->renewal_period, &p))
		sbx_field_error(errors, "renewal_period", "must be 1m or 1y");
	if (ref && !json_is_null(ref) && (!json_is_string(ref) || json_string_length(ref) > 200))
		sbx_field_error(errors, "customer_ref", "must be a string of at most 200 bytes, "
				"or null");
	m->set_ref = ref != NULL;
	m->customer_ref = json_string_value(ref);
	return refuse(sbx_fields_problem(errors), problem);
}

void sbx_revoke_release(struct sbx_revoke *v)
{
	free(v->serials);
	v->serials = NULL;
	v->nserials = 0;
}

int sbx_body_revoke(json_t *body, int with_serials, struct sbx_revoke *v, json_t **problem)
{
	json_t *js = with_serials ? json_object_get(body, "serials") : NULL;
	json_t *jr = json_object_get(body, "reason"), *s;
	json_int_t x = 0;
	size_t i;

	memset(v, 0, sizeof(*v));
	*problem = NULL;
	if (js && (!json_is_array(js) || json_array_size(js) == 0))
		return refuse_field(400, "invalid-request", "serials",
				    "must be a non-empty array of serials", "bad serials", problem);
	if (jr && !json_is_integer(jr))
		return refuse_field(400, "invalid-request", "reason",
				    "must be an integer reason code", "bad reason", problem);
	if (jr)
		x = json_integer_value(jr);
	/* terms §11: the reasons a registrar may give */
	if (x != 0 && x != 1 && x != 3 && x != 4 && x != 5)
		return refuse(sbx_problem_new(422, "reason-not-allowed", NULL,
					      "reason %lld is not one a registrar may give: "
					      "0, 1, 3, 4 or 5", (long long)x), problem);
	v->reason = (int)x;
	if (js) {
		v->nserials = json_array_size(js);
		v->serials = jra_xcalloc(v->nserials, sizeof(*v->serials));
		json_array_foreach(js, i, s)
			v->serials[i] = json_string_value(s);
	}
	return 0;
}

int sbx_body_transfer(json_t *body, struct sbx_transfer_req *t, json_t **problem)
{
	struct sbx_str_field fields[] = {
		{ "code", 1, 200, &t->code },
		{ "subscriber", 0, 64, &t->subscriber },
	};
	json_t *errors = json_array();

	sbx_fields_str(body, fields, sizeof(fields) / sizeof(fields[0]), errors);
	return refuse(sbx_fields_problem(errors), problem);
}

int sbx_body_subscriber(json_t *body, struct sbx_subscriber *s, json_t **problem)
{
	struct sbx_str_field fields[] = {
		{ "name", 1, 200, &s->name },
		{ "customer_ref", 0, 200, &s->customer_ref },
	};
	json_t *errors = json_array();

	sbx_fields_str(body, fields, sizeof(fields) / sizeof(fields[0]), errors);
	if (s->name && !*s->name)
		sbx_field_error(errors, "name", "must not be empty");
	return refuse(sbx_fields_problem(errors), problem);
}

static int valid_id(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* Checks keys[i] of a registration into *k; errors records what is wrong with it. */
static void check_key(json_t *jk, size_t i, struct sbx_reg_key *k, json_t *errors)
{
	const char *pem = json_string_value(json_object_get(jk, "public_key_pem"));
	const char *b64 = json_string_value(json_object_get(jk, "secret_b64"));
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *key = NULL;
	unsigned char *secret = NULL;
	size_t slen = 0;
	char field[64];

	k->keyid = json_string_value(json_object_get(jk, "keyid"));
	k->alg = json_string_value(json_object_get(jk, "alg"));
	snprintf(field, sizeof(field), "keys[%zu]", i);
	if (!json_is_object(jk)) {
		sbx_field_error(errors, field, "must be an object");
		return;
	}
	if (!k->keyid || !valid_id(k->keyid, 128)) {
		sbx_field_error(errors, field, "keyid must be 1-128 of A-Z a-z 0-9 . _ -");
		return;
	}
	if (!k->alg || jra_alg_parse(k->alg, &k->a)) {
		sbx_field_error(errors, field,
				"alg must be ed25519, ecdsa-p256-sha256 or hmac-sha256");
		return;
	}
	if (k->a == JRA_ALG_HMAC_SHA256) {
		if (!b64 || pem || jra_b64_decode(b64, strlen(b64), &secret, &slen) || slen < 32)
			sbx_field_error(errors, field, "hmac-sha256 takes secret_b64: base64 of "
					"at least 32 bytes");
		else
			k->material = jra_xstrdup(b64);
		if (secret)
			memset(secret, 0, slen);
		free(secret);
		return;
	}
	if (!pem || b64 || jra_key_from_pem(pem, strlen(pem), k->a, &key, &e)) {
		sbx_field_error(errors, field, "%s takes public_key_pem: a PEM public key of that "
				"type%s%s", k->alg, e.msg[0] ? ": " : "", e.msg);
		return;
	}
	k->material = jra_key_public_pem(key);
	jra_key_free(key);
}

void sbx_registration_release(struct sbx_registration *g)
{
	for (size_t i = 0; i < g->nkeys; i++)
		free(g->keys[i].material);
	free(g->keys);
	g->keys = NULL;
	g->nkeys = 0;
}

int sbx_body_registration(json_t *body, struct sbx_registration *g, json_t **problem)
{
	struct sbx_str_field fields[] = {
		{ "id", 1, 32, &g->id },
		{ "name", 1, 200, &g->name },
	};
	json_t *errors = json_array(), *keys = json_object_get(body, "keys"), *k, *p;
	size_t i;

	memset(g, 0, sizeof(*g));
	sbx_fields_str(body, fields, sizeof(fields) / sizeof(fields[0]), errors);
	if (g->id && !valid_id(g->id, 32))
		sbx_field_error(errors, "id", "must be 1-32 of A-Z a-z 0-9 . _ -");
	if (!json_is_array(keys) || json_array_size(keys) == 0 || json_array_size(keys) > 16) {
		sbx_field_error(errors, "keys", "must be an array of 1-16 keys");
	} else {
		g->nkeys = json_array_size(keys);
		g->keys = jra_xcalloc(g->nkeys, sizeof(*g->keys));
		json_array_foreach(keys, i, k)
			check_key(k, i, &g->keys[i], errors);
	}
	if ((p = sbx_fields_problem(errors)))
		sbx_registration_release(g);
	return refuse(p, problem);
}

int sbx_body_suspension(json_t *body, int *suspended, json_t **problem)
{
	json_t *v = json_object_get(body, "suspended");

	*problem = NULL;
	*suspended = json_is_true(v);
	if (!json_is_boolean(v))
		return refuse_field(400, "invalid-request", "suspended", "must be true or false",
				    "bad suspension", problem);
	return 0;
}

int sbx_body_clock_set(json_t *body, time_t *t, json_t **problem)
{
	json_t *errors = json_array();
	const char *s = field_str(body, "now", 1, 64, errors);

	*t = 0;
	if (s && sbx_time_parse(s, t))
		sbx_field_error(errors, "now", "must be an RFC 3339 instant");
	return refuse(sbx_fields_problem(errors), problem);
}

int sbx_body_clock_advance(json_t *body, int64_t *seconds, json_t **problem)
{
	json_t *errors = json_array();
	json_t *days = json_object_get(body, "days");
	json_t *secs = json_object_get(body, "seconds");
	json_int_t v = 0;

	*seconds = 0;
	if (!days == !secs)
		sbx_field_error(errors, days ? "seconds" : "days",
				"give exactly one of days and seconds");
	else if (!json_is_integer(days ? days : secs) ||
		 (v = json_integer_value(days ? days : secs)) < 0 ||
		 v > (days ? 36500 : 36500LL * 86400))
		sbx_field_error(errors, days ? "days" : "seconds",
				"must be a non-negative integer (at most 100 years)");
	else
		*seconds = days ? (int64_t)v * 86400 : (int64_t)v;
	return refuse(sbx_fields_problem(errors), problem);
}

int sbx_fault_parse(const char *name, enum sbx_fault_mode *mode)
{
	static const struct {
		const char *name;
		enum sbx_fault_mode mode;
	} modes[] = {
		{ "status-503", SBX_FAULT_503 },
		{ "drop-before-commit", SBX_FAULT_DROP_BEFORE },
		{ "drop-after-commit", SBX_FAULT_DROP_AFTER },
		{ "delay", SBX_FAULT_DELAY },
	};

	for (size_t i = 0; name && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(name, modes[i].name)) {
			*mode = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

int sbx_body_faults(json_t *body, struct sbx_fault_req *f, json_t **problem)
{
	json_t *errors = json_array();
	json_t *jc = json_object_get(body, "count");
	json_t *jd = json_object_get(body, "delay_ms");
	json_int_t count = 0, delay = 0;

	memset(f, 0, sizeof(*f));
	f->m = SBX_FAULT_NONE;
	f->mode = field_str(body, "mode", 1, 64, errors);
	if (f->mode && sbx_fault_parse(f->mode, &f->m))
		sbx_field_error(errors, "mode", "must be status-503, drop-before-commit, "
				"drop-after-commit or delay");
	if (!json_is_integer(jc) || (count = json_integer_value(jc)) < 0 || count > 1000000)
		sbx_field_error(errors, "count", "must be an integer from 0 to 1000000");
	if (jd && (!json_is_integer(jd) || (delay = json_integer_value(jd)) < 0 ||
		   delay > 600000))
		sbx_field_error(errors, "delay_ms", "must be an integer from 0 to 600000");
	if (f->m == SBX_FAULT_DELAY && !jd)
		sbx_field_error(errors, "delay_ms", "is required with mode delay");
	f->method = field_str(body, "method", 0, 8, errors);
	if (f->method && strcmp(f->method, "GET") && strcmp(f->method, "POST") &&
	    strcmp(f->method, "PATCH") && strcmp(f->method, "DELETE"))
		sbx_field_error(errors, "method", "must be GET, POST, PATCH or DELETE");
	f->count = (int)count;
	f->delay_ms = (int)delay;
	return refuse(sbx_fields_problem(errors), problem);
}

void sbx_issuance_release(struct sbx_issuance *s)
{
	free(s->names);
	s->names = NULL;
	s->nnames = 0;
}

int sbx_body_issuance(json_t *body, struct sbx_issuance *s, json_t **problem)
{
	struct sbx_str_field fields[] = {
		{ "eab_kid", 1, 200, &s->eab_kid },
		{ "csr_pem", 0, 65536, &s->csr_pem },
	};
	json_t *errors = json_array(), *jnames = json_object_get(body, "names"), *v, *p;
	size_t i, k;

	memset(s, 0, sizeof(*s));
	sbx_fields_str(body, fields, sizeof(fields) / sizeof(fields[0]), errors);
	if (!json_is_array(jnames) || json_array_size(jnames) == 0 ||
	    json_array_size(jnames) > SBX_MAX_NAMES) {
		sbx_field_error(errors, "names", "must be an array of 1-%d names", SBX_MAX_NAMES);
	} else {
		s->names = jra_xcalloc(json_array_size(jnames), sizeof(*s->names));
		json_array_foreach(jnames, i, v) {
			char field[32];

			snprintf(field, sizeof(field), "names[%zu]", i);
			if (!json_is_string(v)) {
				sbx_field_error(errors, field, "must be a string");
				continue;
			}
			for (k = 0; k < s->nnames; k++)
				if (!strcmp(s->names[k], json_string_value(v)))
					break;
			if (k < s->nnames)
				sbx_field_error(errors, field, "repeats %s", s->names[k]);
			s->names[s->nnames++] = json_string_value(v);
		}
	}
	if ((p = sbx_fields_problem(errors)))
		sbx_issuance_release(s);
	return refuse(p, problem);
}
