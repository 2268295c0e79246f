#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "sbx.h"

int sbx_registrar_create(struct sbx_db *db, const char *id, const char *name, time_t now)
{
	return sbx_db_run(db, sbx_db_q(db, "INSERT INTO registrars(id, name, created_at)"
				       " VALUES(?, ?, ?)", "tti", id, name, (int64_t)now));
}

int sbx_registrar_add_key(struct sbx_db *db, const char *registrar, const char *keyid,
			  const char *alg, const char *material)
{
	return sbx_db_run(db, sbx_db_q(db, "INSERT INTO keys(keyid, registrar, alg, material)"
				       " VALUES(?, ?, ?, ?)", "tttt", keyid, registrar, alg,
				       material));
}

int sbx_registrar_suspended(struct sbx_db *db, const char *id)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT suspended_at IS NOT NULL FROM registrars"
				    " WHERE id = ?", "t", id);
	int rc = sbx_db_step(db, st);

	if (rc != 1)
		return -1;
	rc = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc;
}

/* The registrar object (contract §4); NULL when id is unknown or on error. */
static json_t *registrar_json(struct sbx_db *db, const char *id)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT name, suspended_at IS NOT NULL FROM registrars"
				    " WHERE id = ?", "t", id);
	json_t *obj, *keys;

	if (sbx_db_step(db, st) != 1)
		return NULL;
	obj = json_pack("{s:s, s:s, s:b}", "id", id, "name", sbx_col_text(st, 0),
			"suspended", sqlite3_column_int(st, 1));
	sqlite3_reset(st);
	keys = json_array();
	st = sbx_db_q(db, "SELECT keyid, alg FROM keys WHERE registrar = ? ORDER BY keyid", "t", id);
	while (sbx_db_step(db, st) == 1)
		json_array_append_new(keys, json_pack("{s:s, s:s}", "keyid", sbx_col_text(st, 0),
						      "alg", sbx_col_text(st, 1)));
	json_object_set_new(obj, "keys", keys);
	return obj;
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

/* Checks one key of POST /sandbox/v1/registrars; the material to store in *material (newly allocated). */
static void check_key(json_t *k, size_t i, json_t *errors, char **material)
{
	const char *keyid = json_string_value(json_object_get(k, "keyid"));
	const char *alg = json_string_value(json_object_get(k, "alg"));
	const char *pem = json_string_value(json_object_get(k, "public_key_pem"));
	const char *b64 = json_string_value(json_object_get(k, "secret_b64"));
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *key = NULL;
	unsigned char *secret = NULL;
	size_t slen = 0;
	enum jra_alg a;
	char field[64];

	*material = NULL;
	snprintf(field, sizeof(field), "keys[%zu]", i);
	if (!json_is_object(k)) {
		sbx_field_error(errors, field, "must be an object");
		return;
	}
	if (!keyid || !valid_id(keyid, 128)) {
		sbx_field_error(errors, field, "keyid must be 1-128 of A-Z a-z 0-9 . _ -");
		return;
	}
	if (!alg || jra_alg_parse(alg, &a)) {
		sbx_field_error(errors, field, "alg must be ed25519, ecdsa-p256-sha256 or hmac-sha256");
		return;
	}
	if (a == JRA_ALG_HMAC_SHA256) {
		if (!b64 || pem || jra_b64_decode(b64, strlen(b64), &secret, &slen) || slen < 32) {
			sbx_field_error(errors, field, "hmac-sha256 takes secret_b64: base64 of "
					"at least 32 bytes");
		} else {
			*material = jra_xstrdup(b64);
		}
		if (secret)
			memset(secret, 0, slen);
		free(secret);
		return;
	}
	if (!pem || b64 || jra_key_from_pem(pem, strlen(pem), a, &key, &e)) {
		sbx_field_error(errors, field, "%s takes public_key_pem: a PEM public key of that "
				"type%s%s", alg, e.msg[0] ? ": " : "", e.msg);
		return;
	}
	*material = jra_key_public_pem(key);
	jra_key_free(key);
}

/* POST /sandbox/v1/registrars */
int sbx_h_sbx_registrars_post(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *errors = json_array();
	const char *id = sbx_field_str(r, "id", 1, 32, errors);
	const char *name = sbx_field_str(r, "name", 1, 200, errors);
	json_t *keys = json_object_get(r->json, "keys"), *k;
	char **material = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (id && !valid_id(id, 32))
		sbx_field_error(errors, "id", "must be 1-32 of A-Z a-z 0-9 . _ -");
	if (!json_is_array(keys) || json_array_size(keys) == 0 || json_array_size(keys) > 16) {
		sbx_field_error(errors, "keys", "must be an array of 1-16 keys");
	} else {
		n = json_array_size(keys);
		material = jra_xcalloc(n, sizeof(*material));
		json_array_foreach(keys, i, k)
			check_key(k, i, errors, &material[i]);
	}
	if (sbx_fields_refused(out, errors))
		goto out;
	if (sbx_registrar_suspended(r->db, id) >= 0) {
		sbx_problem(out, 409, "already-exists", "registrar '%s' already exists", id);
		goto out;
	}
	if (sbx_registrar_create(r->db, id, name, r->now)) {
		rc = -1;
		goto out;
	}
	json_array_foreach(keys, i, k) {
		const char *keyid = json_string_value(json_object_get(k, "keyid"));
		sqlite3_stmt *st = sbx_db_q(r->db, "SELECT 1 FROM keys WHERE keyid = ?", "t", keyid);

		if (sbx_db_step(r->db, st) == 1) {
			sqlite3_reset(st);
			sbx_problem(out, 409, "already-exists", "keyid '%s' is already registered",
				    keyid);
			goto out;
		}
		if (sbx_registrar_add_key(r->db, id, keyid,
					  json_string_value(json_object_get(k, "alg")),
					  material[i])) {
			rc = -1;
			goto out;
		}
	}
	sbx_reply(out, 201, registrar_json(r->db, id));
out:
	for (i = 0; i < n; i++)
		free(material[i]);
	free(material);
	return rc;
}

/* PUT /sandbox/v1/registrars/{id}/suspension {"suspended": bool} */
int sbx_h_sbx_suspension_put(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *v = json_object_get(r->json, "suspended"), *errors;
	int cur = sbx_registrar_suspended(r->db, r->arg[0]);

	if (!json_is_boolean(v)) {
		errors = json_array();
		sbx_field_error(errors, "suspended", "must be true or false");
		return sbx_problem_fields(out, 400, "invalid-request", errors, "bad suspension");
	}
	if (cur < 0)
		return sbx_problem(out, 404, "not-found", "no registrar '%s'", r->arg[0]);
	/* terms §10.6: the suspension's start is what later rules compare with */
	if (json_is_true(v) && !cur &&
	    sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE registrars SET suspended_at = ? WHERE id = ?",
				       "it", (int64_t)r->now, r->arg[0])))
		return -1;
	if (json_is_false(v) && cur &&
	    sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE registrars SET suspended_at = NULL"
				       " WHERE id = ?", "t", r->arg[0])))
		return -1;
	return sbx_reply(out, 200, registrar_json(r->db, r->arg[0]));
}

/* GET /registrar */
int sbx_h_registrar_get(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *obj = registrar_json(r->db, r->registrar);

	return obj ? sbx_reply(out, 200, obj) : -1;
}

/* GET /terms */
int sbx_h_terms_get(struct sbx_req *r, struct sbx_resp *out)
{
	return sbx_reply(out, 200, json_pack("{s:s}", "version", r->srv->terms_version));
}
