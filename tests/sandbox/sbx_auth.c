#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "sbx.h"

/* contract §2 */
#define SBX_SIG_MAX_SKEW 300
#define SBX_NONCE_WINDOW 600
#define SBX_NONCE_MIN_BYTES 16
/* how often (s) each connection clears nonces older than the window */
#define SBX_NONCE_PURGE 60

static int unauthorized(struct sbx_resp *out, const char *detail)
{
	sbx_problem(out, 401, "unauthorized", "%s", detail);
	return 1;
}

static int b64url_only(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/*
 * Parsed keys, kept with each database connection (with when it last
 * cleared expired nonces): parsing a PEM key
 * costs several times more than verifying a signature with it.  An entry
 * is used only while the stored keyid, alg and material still match it,
 * so a key registered anew takes effect on the next request.
 */
#define SBX_KEY_CACHE 16

struct cached_key {
	char *keyid, *alg, *material, *registrar;
	struct jra_key *key;
};

struct key_cache {
	struct cached_key e[SBX_KEY_CACHE];
	unsigned next;  /* the entry to replace when none is free */
	time_t purged;  /* when this connection last cleared expired nonces */
};

static void cached_key_clear(struct cached_key *k)
{
	free(k->keyid);
	free(k->alg);
	free(k->material);
	free(k->registrar);
	jra_key_free(k->key);
	memset(k, 0, sizeof(*k));
}

static void key_cache_free(void *arg)
{
	struct key_cache *kc = arg;

	if (!kc)
		return;
	for (int i = 0; i < SBX_KEY_CACHE; i++)
		cached_key_clear(&kc->e[i]);
	free(kc);
}

/* The entry for keyid in db's cache: a match, else a slot to fill (cleared). */
static struct cached_key *key_cache_slot(struct sbx_db *db, const char *keyid,
					 const char *alg, const char *material, int *hit)
{
	struct key_cache *kc = sbx_db_aux(db);
	struct cached_key *free_slot = NULL, *k;

	if (!kc) {
		kc = jra_xcalloc(1, sizeof(*kc));
		sbx_db_set_aux(db, kc, key_cache_free);
	}
	for (int i = 0; i < SBX_KEY_CACHE; i++) {
		k = &kc->e[i];
		if (!k->keyid) {
			if (!free_slot)
				free_slot = k;
			continue;
		}
		if (strcmp(k->keyid, keyid))
			continue;
		if (!strcmp(k->alg, alg) && !strcmp(k->material, material)) {
			*hit = 1;
			return k;
		}
		/* the key was replaced since: parse the new one here */
		free_slot = k;
		break;
	}
	if (!free_slot)
		free_slot = &kc->e[kc->next++ % SBX_KEY_CACHE];
	cached_key_clear(free_slot);
	*hit = 0;
	return free_slot;
}

/*
 * The key registered as keyid: 1 found (*key borrowed from db's cache,
 * valid while db is held; registrar filled), 0 unknown, -1 error.
 */
static int load_key(struct sbx_db *db, const char *keyid, const char *alg,
		    const struct jra_key **key, char *registrar, size_t rlen)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT registrar, alg, material FROM keys WHERE keyid = ?",
				    "t", keyid);
	struct jra_error e = JRA_ERROR_INIT;
	struct cached_key *k;
	struct jra_key *parsed = NULL;
	enum jra_alg a;
	const char *material;
	unsigned char *secret = NULL;
	size_t slen = 0;
	int rc = sbx_db_step(db, st), hit;

	if (rc != 1)
		return rc;
	if (strcmp(sbx_col_text(st, 1), alg) || jra_alg_parse(alg, &a)) {
		sqlite3_reset(st);
		return 0;
	}
	snprintf(registrar, rlen, "%s", sbx_col_text(st, 0));
	material = sbx_col_text(st, 2);
	k = key_cache_slot(db, keyid, alg, material, &hit);
	if (hit && !strcmp(k->registrar, registrar)) {
		sqlite3_reset(st);
		*key = k->key;
		return 1;
	}
	if (a == JRA_ALG_HMAC_SHA256) {
		if (jra_b64_decode(material, strlen(material), &secret, &slen) == 0)
			rc = jra_key_from_secret(secret, slen, &parsed, &e);
		else
			rc = -1;
		if (secret)
			memset(secret, 0, slen);
		free(secret);
	} else {
		rc = jra_key_from_pem(material, strlen(material), a, &parsed, &e);
	}
	if (rc) {
		sqlite3_reset(st);
		fprintf(stderr, "jra-sandbox: stored key '%s' does not load: %s\n", keyid, e.msg);
		return -1;
	}
	cached_key_clear(k);
	k->keyid = jra_xstrdup(keyid);
	k->alg = jra_xstrdup(alg);
	k->material = jra_xstrdup(material);
	k->registrar = jra_xstrdup(registrar);
	k->key = parsed;
	sqlite3_reset(st);
	*key = parsed;
	return 1;
}

/*
 * 1 when the nonce was seen within the window; otherwise remembers it and
 * returns 0.  One statement, committed before the handler runs, so the
 * nonce stays spent whatever follows, a restart included.  A nonce older
 * than the window is taken afresh; such rows are cleared now and then.
 */
static int nonce_seen(struct sbx_db *db, const char *nonce, time_t real_now)
{
	struct key_cache *kc = sbx_db_aux(db);
	int rc;

	rc = sbx_db_write_alone(db, sbx_db_q(db, "INSERT INTO nonces(nonce, seen_at) VALUES(?, ?)"
					     " ON CONFLICT(nonce) DO UPDATE SET seen_at = excluded.seen_at"
					     " WHERE seen_at < ?", "tii", nonce, (int64_t)real_now,
					     (int64_t)(real_now - SBX_NONCE_WINDOW)));
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 1;
	if (kc && real_now - kc->purged >= SBX_NONCE_PURGE) {
		kc->purged = real_now;
		if (sbx_db_write_alone(db, sbx_db_q(db, "DELETE FROM nonces WHERE seen_at < ?", "i",
						    (int64_t)(real_now - SBX_NONCE_WINDOW))) < 0)
			return -1;
	}
	return 0;
}

int sbx_auth_check(struct sbx_req *r, struct sbx_resp *out)
{
	const char *input = sbx_header(r, "Signature-Input");
	const char *sig = sbx_header(r, "Signature");
	const char *host = sbx_header(r, "Host");
	const char *idem = sbx_header(r, "Idempotency-Key");
	struct jra_sig_parsed p = { 0 };
	struct jra_sig_component comp[5];
	struct jra_error e = JRA_ERROR_INIT;
	const struct jra_key *key = NULL;
	char *target = NULL, *base = NULL, detail[1200];
	unsigned char *nbytes = NULL;
	size_t n = 0, nlen = 0;
	int has_body = r->body.len > 0, rc = 1;

	if (!input || !sig)
		return unauthorized(out, "the request carries no Signature-Input and Signature");
	if (jra_sig_parse(input, sig, "sig1", &p, &e)) {
		snprintf(detail, sizeof(detail), "malformed signature: %s", e.msg);
		unauthorized(out, detail);
		goto out;
	}
	if (!host) {
		unauthorized(out, "the request has no Host, so @target-uri cannot be checked");
		goto out;
	}
	target = jra_xasprintf("https://%s%s", host, r->uri);
	comp[n++] = (struct jra_sig_component){ "@method", r->method };
	comp[n++] = (struct jra_sig_component){ "@target-uri", target };
	if (has_body) {
		comp[n++] = (struct jra_sig_component){ "content-digest",
							sbx_header(r, "Content-Digest") };
		comp[n++] = (struct jra_sig_component){ "content-type",
							sbx_header(r, "Content-Type") };
	}
	if (idem)
		comp[n++] = (struct jra_sig_component){ "idempotency-key", idem };
	/* contract §2: exactly these components, in this order */
	if (p.ncomponents != n) {
		snprintf(detail, sizeof(detail), "the signature covers %zu components; "
			 "this request needs exactly %zu", p.ncomponents, n);
		unauthorized(out, detail);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p.components[i], comp[i].name)) {
			snprintf(detail, sizeof(detail), "covered component %zu is \"%s\"; "
				 "expected \"%s\"", i + 1, p.components[i], comp[i].name);
			unauthorized(out, detail);
			goto out;
		}
		if (!comp[i].value) {
			snprintf(detail, sizeof(detail), "the covered header %s is missing",
				 comp[i].name);
			unauthorized(out, detail);
			goto out;
		}
	}
	if (!p.has_created || !p.nonce || !p.keyid || !p.alg || p.other_params) {
		unauthorized(out, "the signature parameters must be exactly created, nonce, "
			     "keyid and alg");
		goto out;
	}
	if (!b64url_only(p.nonce) || jra_b64_decode(p.nonce, strlen(p.nonce), &nbytes, &nlen) ||
	    nlen < SBX_NONCE_MIN_BYTES) {
		unauthorized(out, "the nonce must be at least 128 random bits in base64url");
		goto out;
	}
	rc = load_key(r->db, p.keyid, p.alg, &key, r->registrar, sizeof(r->registrar));
	if (rc < 0)
		goto out;
	if (rc == 0) {
		unauthorized(out, "unknown keyid, or an alg that is not the key's");
		rc = 1;
		goto out;
	}
	base = jra_sig_base(comp, n, p.params_value);
	if (jra_sig_verify(key, base, strlen(base), p.sig, p.siglen)) {
		unauthorized(out, "the signature does not verify");
		goto out;
	}
	if (p.created > (int64_t)r->real_now + SBX_SIG_MAX_SKEW ||
	    p.created < (int64_t)r->real_now - SBX_SIG_MAX_SKEW) {
		sbx_problem(out, 401, "stale-signature", "created is %lld s from the server's "
			    "clock; the limit is %d s", (long long)(p.created - r->real_now),
			    SBX_SIG_MAX_SKEW);
		goto out;
	}
	rc = nonce_seen(r->db, p.nonce, r->real_now);
	if (rc < 0)
		goto out;
	if (rc > 0) {
		sbx_problem(out, 401, "replayed-nonce", "this nonce was used in the last %d s",
			    SBX_NONCE_WINDOW);
		goto out;
	}
	if (has_body && jra_digest_check(comp[2].value, r->body.buf, r->body.len, &e)) {
		rc = 1;
		sbx_problem(out, 400, "bad-digest", "%s", e.msg);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		r->registrar[0] = '\0';
	jra_sig_parsed_release(&p);
	free(nbytes);
	free(target);
	free(base);
	return rc;
}
