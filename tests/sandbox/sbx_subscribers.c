#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "sign.h"
#include "sbx.h"
#include "sbx_rules.h"

char *sbx_random_b64url(size_t n)
{
	unsigned char buf[64];
	char *s;

	if (n > sizeof(buf) || RAND_bytes(buf, (int)n) != 1)
		abort();
	s = jra_b64_encode(buf, n, 1, 0);
	memset(buf, 0, sizeof(buf));
	return s;
}

/* Fresh EAB credentials (terms §7.1) for subscriber id; *eab gets {"kid", "hmac_key"}. */
static int new_eab(struct sbx_db *db, const char *id, json_t **eab)
{
	char *kid_rand = sbx_random_b64url(12);
	char *kid = jra_xasprintf("kid-%s", kid_rand);
	/* 256 bits, base64url (contract §4) */
	char *hmac = sbx_random_b64url(32);
	int rc = sbx_db_run(db, sbx_db_q(db, "UPDATE subscribers SET eab_kid = ?, eab_hmac = ?"
					 " WHERE id = ?", "ttt", kid, hmac, id));

	if (!rc)
		*eab = json_pack("{s:s, s:s}", "kid", kid, "hmac_key", hmac);
	memset(hmac, 0, strlen(hmac));
	free(hmac);
	free(kid);
	free(kid_rand);
	return rc;
}

int sbx_subscriber_create(struct sbx_req *r, const char *name, const char *customer_ref,
			  char *id, size_t idlen, json_t **eab)
{
	int64_t n = sbx_meta_next(r->db, "subscriber_seq");
	char *placeholder;
	int rc;

	if (n < 0)
		return -1;
	snprintf(id, idlen, "S%06lld", (long long)n);
	/* the kid column is unique: a unique value until new_eab() fills the real one */
	placeholder = jra_xasprintf("new-%s", id);
	rc = sbx_db_run(r->db, sbx_db_q(r->db, "INSERT INTO subscribers(id, registrar, name,"
					" customer_ref, created_at, eab_kid, eab_hmac)"
					" VALUES(?, ?, ?, ?, ?, ?, '')", "ttttit", id,
					r->registrar, name, customer_ref, (int64_t)r->now,
					placeholder));
	free(placeholder);
	return rc ? rc : new_eab(r->db, id, eab);
}

/* The subscriber object of id if it belongs to registrar; NULL otherwise. */
static json_t *subscriber_json(struct sbx_db *db, const char *registrar, const char *id)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT name, customer_ref, created_at, eab_kid"
				    " FROM subscribers WHERE id = ? AND registrar = ?", "tt",
				    id, registrar);
	json_t *obj, *fqdns;
	char created[21];

	if (sbx_db_step(db, st) != 1)
		return NULL;
	sbx_time_format((time_t)sqlite3_column_int64(st, 2), created);
	obj = json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", id, "name", sbx_col_text(st, 0),
			"customer_ref", sbx_col_text(st, 1) ? json_string(sbx_col_text(st, 1))
							    : json_null(),
			"created_at", created, "eab_kid", sbx_col_text(st, 3));
	sqlite3_reset(st);
	fqdns = json_array();
	st = sbx_db_q(db, "SELECT fqdn FROM fqdns WHERE subscriber = ? AND state <> 'ended'"
		      " ORDER BY fqdn", "t", id);
	while (sbx_db_step(db, st) == 1)
		json_array_append_new(fqdns, json_string(sbx_col_text(st, 0)));
	json_object_set_new(obj, "fqdns", fqdns);
	return obj;
}

/* POST /subscribers {"name", "customer_ref"?} */
int sbx_h_subscribers_post(struct sbx_req *r, struct sbx_resp *out)
{
	struct sbx_subscriber s;
	json_t *problem, *eab = NULL, *obj;
	char id[32];
	int rc = sbx_body_subscriber(r->json, &s, &problem);

	if (rc)
		return sbx_reply(out, rc, problem);
	if (sbx_registrar_suspended(r->db, r->registrar) == 1)
		return sbx_problem(out, 403, "registrar-suspended",
				   "registrar %s is suspended", r->registrar);
	if (sbx_subscriber_create(r, s.name, s.customer_ref, id, sizeof(id), &eab))
		return -1;
	obj = subscriber_json(r->db, r->registrar, id);
	json_object_set_new(obj, "eab", eab);
	return sbx_reply(out, 201, obj);
}

/* GET /subscribers/{id} */
int sbx_h_subscriber_get(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *obj = subscriber_json(r->db, r->registrar, r->arg[0]);

	if (!obj)
		return sbx_problem(out, 404, "not-found", "no such subscriber");
	return sbx_reply(out, 200, obj);
}

/* POST /subscribers/{id}/eab: rotates the credentials; the old kid stops working. */
int sbx_h_subscriber_eab(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *obj = subscriber_json(r->db, r->registrar, r->arg[0]), *eab = NULL;

	if (!obj)
		return sbx_problem(out, 404, "not-found", "no such subscriber");
	json_decref(obj);
	if (new_eab(r->db, r->arg[0], &eab))
		return -1;
	obj = subscriber_json(r->db, r->registrar, r->arg[0]);
	json_object_set_new(obj, "eab", eab);
	return sbx_reply(out, 200, obj);
}
