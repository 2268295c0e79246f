#include <stdlib.h>
#include <string.h>

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

/* POST /sandbox/v1/registrars */
int sbx_h_sbx_registrars_post(struct sbx_req *r, struct sbx_resp *out)
{
	struct sbx_registration g;
	json_t *problem;
	int rc = sbx_body_registration(r->json, &g, &problem);

	if (rc)
		return sbx_reply(out, rc, problem);
	rc = 0;
	if (sbx_registrar_suspended(r->db, g.id) >= 0) {
		sbx_problem(out, 409, "already-exists", "registrar '%s' already exists", g.id);
		goto out;
	}
	if (sbx_registrar_create(r->db, g.id, g.name, r->now)) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < g.nkeys; i++) {
		const char *keyid = g.keys[i].keyid;
		sqlite3_stmt *st = sbx_db_q(r->db, "SELECT 1 FROM keys WHERE keyid = ?", "t", keyid);

		if (sbx_db_step(r->db, st) == 1) {
			sqlite3_reset(st);
			sbx_problem(out, 409, "already-exists", "keyid '%s' is already registered",
				    keyid);
			goto out;
		}
		if (sbx_registrar_add_key(r->db, g.id, keyid, g.keys[i].alg, g.keys[i].material)) {
			rc = -1;
			goto out;
		}
	}
	sbx_reply(out, 201, registrar_json(r->db, g.id));
out:
	sbx_registration_release(&g);
	return rc;
}

/* PUT /sandbox/v1/registrars/{id}/suspension {"suspended": bool} */
int sbx_h_sbx_suspension_put(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *problem;
	int suspend, cur = sbx_registrar_suspended(r->db, r->arg[0]);
	int rc = sbx_body_suspension(r->json, &suspend, &problem);

	if (rc)
		return sbx_reply(out, rc, problem);
	if (cur < 0)
		return sbx_problem(out, 404, "not-found", "no registrar '%s'", r->arg[0]);
	/* terms §10.6: the suspension's start is what later rules compare with */
	if (suspend && !cur &&
	    sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE registrars SET suspended_at = ? WHERE id = ?",
				       "it", (int64_t)r->now, r->arg[0])))
		return -1;
	if (!suspend && cur &&
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
