#include <stdlib.h>
#include <string.h>

#include "sbx.h"
#include "sbx_rules.h"

/* contract §5, Transfer */
#define SBX_CODE_TTL (14 * 86400)
#define SBX_AUTO_APPROVE (5 * 86400)

static json_t *time_or_null(sqlite3_stmt *st, int col)
{
	char buf[21];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	sbx_time_format((time_t)sqlite3_column_int64(st, col), buf);
	return json_string(buf);
}

/* The transfer object of transfers row tid. */
static json_t *transfer_obj(struct sbx_db *db, int64_t tid)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT f.fqdn, t.state, t.losing, t.gaining,"
				    " t.requested_at, t.auto_approve_at, t.closed_at"
				    " FROM transfers t JOIN fqdns f ON f.id = t.fqdn_id"
				    " WHERE t.id = ?", "i", tid);
	json_t *obj;

	if (sbx_db_step(db, st) != 1)
		return NULL;
	obj = json_object();
	json_object_set_new(obj, "fqdn", json_string(sbx_col_text(st, 0)));
	json_object_set_new(obj, "state", json_string(sbx_col_text(st, 1)));
	json_object_set_new(obj, "losing_registrar", json_string(sbx_col_text(st, 2)));
	json_object_set_new(obj, "gaining_registrar", json_string(sbx_col_text(st, 3)));
	json_object_set_new(obj, "requested_at", time_or_null(st, 4));
	json_object_set_new(obj, "auto_approve_at", time_or_null(st, 5));
	json_object_set_new(obj, "closed_at", time_or_null(st, 6));
	sqlite3_reset(st);
	return obj;
}

json_t *sbx_transfer_json(struct sbx_db *db, int64_t fqdn_id)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT id FROM transfers WHERE fqdn_id = ?"
				    " AND state = 'pending'", "i", fqdn_id);
	int64_t tid;

	if (sbx_db_step(db, st) != 1)
		return json_null();
	tid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return transfer_obj(db, tid);
}

/* The pending transfer of FQDN id: 1 (*tid set), 0 none, -1 error. */
static int pending(struct sbx_db *db, int64_t fqdn_id, int64_t *tid)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT id FROM transfers WHERE fqdn_id = ?"
				    " AND state = 'pending'", "i", fqdn_id);
	int rc = sbx_db_step(db, st);

	if (rc == 1) {
		*tid = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc;
}

/* Moves the FQDN to the gaining side; certificates stay valid. */
static int approve(struct sbx_db *db, int64_t tid, time_t t)
{
	return sbx_db_run(db, sbx_db_q(db, "UPDATE fqdns SET"
				       " registrar = (SELECT gaining FROM transfers WHERE id = ?1),"
				       " subscriber = (SELECT gaining_subscriber FROM transfers"
				       "  WHERE id = ?1)"
				       " WHERE id = (SELECT fqdn_id FROM transfers WHERE id = ?1)",
				       "i", tid)) ||
	       sbx_db_run(db, sbx_db_q(db, "UPDATE transfers SET state = 'approved', closed_at = ?"
				       " WHERE id = ?", "ii", (int64_t)t, tid));
}

/* Daily processing: approve what the losing side left unanswered for 5 days. */
int sbx_transfer_daily(struct sbx_db *db, time_t t)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT id FROM transfers WHERE state = 'pending'"
				    " AND auto_approve_at <= ? ORDER BY id", "i", (int64_t)t);
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	while ((rc = sbx_db_step(db, st)) == 1) {
		ids = jra_xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = approve(db, ids[i], t);
	free(ids);
	return rc;
}

/* The live record of r->arg[0] managed by this registrar: 1, 0 (404 answered), -1. */
static int own_live(struct sbx_req *r, struct sbx_resp *out, int64_t *id, char *state,
		    size_t slen)
{
	sqlite3_stmt *st = sbx_db_q(r->db, "SELECT id, state FROM fqdns WHERE fqdn = ?"
				    " AND registrar = ? AND state <> 'ended'", "tt", r->arg[0],
				    r->registrar);
	int rc = sbx_db_step(r->db, st);

	if (rc == 0)
		sbx_problem(out, 404, "not-found", "no such FQDN");
	if (rc != 1)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	snprintf(state, slen, "%s", sbx_col_text(st, 1));
	sqlite3_reset(st);
	return 1;
}

/* POST /fqdns/{fqdn}/transfer-code: the losing side's one-time code, 14 days */
int sbx_h_transfer_code(struct sbx_req *r, struct sbx_resp *out)
{
	char state[16], exp[21], *code;
	int64_t id = 0, tid = 0;
	int rc = own_live(r, out, &id, state, sizeof(state));

	if (rc <= 0)
		return rc;
	if ((rc = pending(r->db, id, &tid)) != 0)
		return rc < 0 ? -1 : sbx_problem(out, 409, "transfer-pending",
						 "a transfer of %s is pending", r->arg[0]);
	if (strcmp(state, "active"))
		return sbx_problem(out, 409, "invalid-state", "only an active FQDN can be "
				   "transferred; %s is %s", r->arg[0], state);
	/* a new code replaces one not yet used */
	if (sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE transfers SET state = 'superseded',"
				       " closed_at = ? WHERE fqdn_id = ? AND state = 'issued'", "ii",
				       (int64_t)r->now, id)))
		return -1;
	code = sbx_random_b64url(15);
	rc = sbx_db_run(r->db, sbx_db_q(r->db, "INSERT INTO transfers(fqdn_id, code,"
					" code_expires_at, state, losing) VALUES(?, ?, ?, 'issued', ?)",
					"itit", id, code, (int64_t)(r->now + SBX_CODE_TTL),
					r->registrar));
	sbx_time_format(r->now + SBX_CODE_TTL, exp);
	if (!rc)
		sbx_reply(out, 201, json_pack("{s:s, s:s}", "code", code, "expires_at", exp));
	free(code);
	return rc;
}

/* POST /fqdns/{fqdn}/transfer {"code", "subscriber"?}: the gaining side asks */
int sbx_h_transfer_request(struct sbx_req *r, struct sbx_resp *out)
{
	struct sbx_transfer_req t;
	json_t *problem, *eab = NULL, *obj;
	const char *sub;
	char losing[64], sub_id[32];
	int64_t id = 0, tid = 0;
	sqlite3_stmt *st;
	int rc = sbx_body_transfer(r->json, &t, &problem);

	if (rc)
		return sbx_reply(out, rc, problem);
	sub = t.subscriber;
	st = sbx_db_q(r->db, "SELECT id, registrar FROM fqdns WHERE fqdn = ? AND state <> 'ended'",
		      "t", r->arg[0]);
	rc = sbx_db_step(r->db, st);
	if (rc < 0)
		return -1;
	/* the 404 rule does not apply here: no live FQDN means no good code */
	if (rc == 0)
		return sbx_problem(out, 403, "bad-transfer-code", "the transfer code is wrong, "
				   "expired or already used");
	id = sqlite3_column_int64(st, 0);
	snprintf(losing, sizeof(losing), "%s", sbx_col_text(st, 1));
	sqlite3_reset(st);
	if ((rc = pending(r->db, id, &tid)) != 0)
		return rc < 0 ? -1 : sbx_problem(out, 409, "transfer-pending",
						 "a transfer of %s is pending", r->arg[0]);
	st = sbx_db_q(r->db, "SELECT id FROM transfers WHERE fqdn_id = ? AND state = 'issued'"
		      " AND code = ? AND code_expires_at > ?", "iti", id, t.code, (int64_t)r->now);
	rc = sbx_db_step(r->db, st);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return sbx_problem(out, 403, "bad-transfer-code", "the transfer code is wrong, "
				   "expired or already used");
	tid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (!strcmp(losing, r->registrar))
		return sbx_problem(out, 409, "invalid-state", "%s is already managed by %s",
				   r->arg[0], r->registrar);
	if (sbx_registrar_suspended(r->db, r->registrar) == 1)
		return sbx_problem(out, 403, "registrar-suspended", "registrar %s is suspended",
				   r->registrar);
	if (sub) {
		st = sbx_db_q(r->db, "SELECT 1 FROM subscribers WHERE id = ? AND registrar = ?",
			      "tt", sub, r->registrar);
		rc = sbx_db_step(r->db, st);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return sbx_problem(out, 404, "not-found", "no such subscriber");
		sqlite3_reset(st);
	} else {
		if (sbx_subscriber_create(r, r->arg[0], NULL, sub_id, sizeof(sub_id), &eab))
			return -1;
		sub = sub_id;
	}
	if (sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE transfers SET state = 'pending', gaining = ?,"
				       " gaining_subscriber = ?, requested_at = ?,"
				       " auto_approve_at = ? WHERE id = ?", "ttiii", r->registrar,
				       sub, (int64_t)r->now, (int64_t)(r->now + SBX_AUTO_APPROVE),
				       tid))) {
		json_decref(eab);
		return -1;
	}
	obj = transfer_obj(r->db, tid);
	if (eab)
		json_object_set_new(obj, "eab", eab);
	return sbx_reply(out, 202, obj);
}

/* GET /fqdns/{fqdn}/transfer: the losing side always, the gaining side until it ends */
int sbx_h_transfer_get(struct sbx_req *r, struct sbx_resp *out)
{
	sqlite3_stmt *st = sbx_db_q(r->db, "SELECT t.id FROM transfers t"
				    " JOIN fqdns f ON f.id = t.fqdn_id WHERE f.fqdn = ?1"
				    " AND t.state IN ('pending', 'approved', 'rejected', 'cancelled')"
				    " AND (t.losing = ?2 OR (t.gaining = ?2 AND t.state IN"
				    "  ('pending', 'approved')))"
				    " ORDER BY t.id DESC LIMIT 1", "tt", r->arg[0], r->registrar);
	int rc = sbx_db_step(r->db, st);
	int64_t tid;

	if (rc < 0)
		return -1;
	if (rc == 0)
		return sbx_problem(out, 404, "not-found", "no transfer of this FQDN");
	tid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return sbx_reply(out, 200, transfer_obj(r->db, tid));
}

/* The losing side's answer: approve or reject the pending transfer. */
static int decide(struct sbx_req *r, struct sbx_resp *out, int yes)
{
	char state[16];
	int64_t id = 0, tid = 0;
	int rc = own_live(r, out, &id, state, sizeof(state));
	json_t *obj;

	if (rc <= 0)
		return rc;
	if ((rc = pending(r->db, id, &tid)) <= 0)
		return rc < 0 ? -1 : sbx_problem(out, 409, "invalid-state",
						 "no transfer of %s is pending", r->arg[0]);
	if (yes)
		rc = approve(r->db, tid, r->now);
	else
		rc = sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE transfers SET state = 'rejected',"
						" closed_at = ? WHERE id = ?", "ii",
						(int64_t)r->now, tid));
	if (rc)
		return -1;
	obj = sbx_fqdn_json(r->db, id, r->now);
	return obj ? sbx_reply(out, 200, obj) : -1;
}

int sbx_h_transfer_approve(struct sbx_req *r, struct sbx_resp *out)
{
	return decide(r, out, 1);
}

int sbx_h_transfer_reject(struct sbx_req *r, struct sbx_resp *out)
{
	return decide(r, out, 0);
}

/* DELETE /fqdns/{fqdn}/transfer: the gaining side withdraws its request */
int sbx_h_transfer_cancel(struct sbx_req *r, struct sbx_resp *out)
{
	sqlite3_stmt *st = sbx_db_q(r->db, "SELECT t.id, t.state FROM transfers t"
				    " JOIN fqdns f ON f.id = t.fqdn_id WHERE f.fqdn = ? AND"
				    " t.gaining = ? ORDER BY t.id DESC LIMIT 1", "tt", r->arg[0],
				    r->registrar);
	int rc = sbx_db_step(r->db, st);
	int64_t tid;
	int is_pending;

	if (rc < 0)
		return -1;
	if (rc == 0)
		return sbx_problem(out, 404, "not-found", "no transfer of this FQDN");
	tid = sqlite3_column_int64(st, 0);
	is_pending = !strcmp(sbx_col_text(st, 1), "pending");
	sqlite3_reset(st);
	if (!is_pending)
		return sbx_problem(out, 409, "invalid-state", "the transfer is no longer pending");
	if (sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE transfers SET state = 'cancelled',"
				       " closed_at = ? WHERE id = ?", "ii", (int64_t)r->now, tid)))
		return -1;
	return sbx_reply(out, 200, transfer_obj(r->db, tid));
}
