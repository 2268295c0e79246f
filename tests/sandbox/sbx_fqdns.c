#include <stdlib.h>
#include <string.h>

#include "fqdn.h"
#include "sign.h"
#include "sbx.h"
#include "sbx_rules.h"

#define SBX_LIST_DEFAULT 100
#define SBX_LIST_MAX 1000

static json_t *time_or_null(sqlite3_stmt *st, int col)
{
	char buf[21];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	sbx_time_format((time_t)sqlite3_column_int64(st, col), buf);
	return json_string(buf);
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
	const char *s = sbx_col_text(st, col);

	return s ? json_string(s) : json_null();
}

/* The certificates linked to FQDN id (issued while it was live, covering its names). */
static json_t *certs_json(struct sbx_db *db, int64_t id, time_t now)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT c.serial, c.not_before, c.not_after, c.status,"
				    " c.revoked_at, c.reason FROM cert_fqdns f"
				    " JOIN certs c ON c.serial = f.serial WHERE f.fqdn_id = ?"
				    " ORDER BY c.issued_at, c.serial", "i", id);
	json_t *arr = json_array();
	int rc;

	while ((rc = sbx_db_step(db, st)) == 1) {
		const char *status = sbx_col_text(st, 3);
		json_t *c = json_object();

		if (!strcmp(status, "valid") && sqlite3_column_int64(st, 2) < (int64_t)now)
			status = "expired";
		json_object_set_new(c, "serial", json_string(sbx_col_text(st, 0)));
		json_object_set_new(c, "names", json_array());
		json_object_set_new(c, "not_before", time_or_null(st, 1));
		json_object_set_new(c, "not_after", time_or_null(st, 2));
		json_object_set_new(c, "status", json_string(status));
		json_object_set_new(c, "revoked_at", time_or_null(st, 4));
		json_object_set_new(c, "revocation_reason",
				    sqlite3_column_type(st, 5) == SQLITE_NULL ?
				    json_null() : json_integer(sqlite3_column_int(st, 5)));
		json_array_append_new(arr, c);
	}
	if (rc < 0) {
		json_decref(arr);
		return NULL;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *c = json_array_get(arr, i);
		json_t *names = json_object_get(c, "names");

		st = sbx_db_q(db, "SELECT name FROM cert_names WHERE serial = ? ORDER BY pos", "t",
			      json_string_value(json_object_get(c, "serial")));
		while (sbx_db_step(db, st) == 1)
			json_array_append_new(names, json_string(sbx_col_text(st, 0)));
	}
	return arr;
}

json_t *sbx_fqdn_json(struct sbx_db *db, int64_t id, time_t now)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT fqdn, state, subscriber, registrar, customer_ref,"
				    " period, renewal_period, applied_at, start_date, end_date,"
				    " cancel_requested_at, ended_at, end_reason"
				    " FROM fqdns WHERE id = ?", "i", id);
	json_t *obj, *certs, *covered;
	char *names[2], *unicode;

	if (sbx_db_step(db, st) != 1)
		return NULL;
	obj = json_object();
	json_object_set_new(obj, "fqdn", json_string(sbx_col_text(st, 0)));
	unicode = jra_fqdn_to_unicode(sbx_col_text(st, 0));
	json_object_set_new(obj, "unicode", json_string(unicode));
	free(unicode);
	json_object_set_new(obj, "state", json_string(sbx_col_text(st, 1)));
	json_object_set_new(obj, "subscriber", json_string(sbx_col_text(st, 2)));
	json_object_set_new(obj, "registrar", json_string(sbx_col_text(st, 3)));
	json_object_set_new(obj, "customer_ref", text_or_null(st, 4));
	json_object_set_new(obj, "period", json_string(sbx_col_text(st, 5)));
	json_object_set_new(obj, "renewal_period", json_string(sbx_col_text(st, 6)));
	json_object_set_new(obj, "applied_at", time_or_null(st, 7));
	json_object_set_new(obj, "start_date", text_or_null(st, 8));
	json_object_set_new(obj, "end_date", text_or_null(st, 9));
	json_object_set_new(obj, "cancel_requested_at", time_or_null(st, 10));
	json_object_set_new(obj, "ended_at", time_or_null(st, 11));
	json_object_set_new(obj, "end_reason", text_or_null(st, 12));
	/* terms §5.2 */
	jra_fqdn_covered_names(sbx_col_text(st, 0), names);
	covered = names[1] ? json_pack("[s, s]", names[0], names[1])
			   : json_pack("[s]", names[0]);
	free(names[0]);
	free(names[1]);
	json_object_set_new(obj, "covered_names", covered);
	sqlite3_reset(st);
	certs = certs_json(db, id, now);
	if (!certs) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "certificates", certs);
	json_object_set_new(obj, "transfer", sbx_transfer_json(db, id));
	return obj;
}

int sbx_fqdn_find(struct sbx_db *db, const char *registrar, const char *fqdn, int64_t *id)
{
	/* the live record first, else the latest ended one: the bare id comes from
	 * the row max() picks, with no sort (no rows: one row of NULLs) */
	sqlite3_stmt *st = sbx_db_q(db, "SELECT id, max((state <> 'ended') << 62 | id) FROM fqdns"
				    " WHERE fqdn = ? AND registrar = ?", "tt", fqdn, registrar);
	int rc = sbx_db_step(db, st);

	if (rc == 1) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			rc = 0;
		else
			*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc;
}

/* terms §12.4: ending revokes every valid certificate covering its names, with reason 5 */
int sbx_fqdn_end(struct sbx_db *db, int64_t id, time_t t, const char *reason)
{
	sqlite3_stmt *st;
	char **serials = NULL;
	size_t n = 0;
	int rc;

	if (sbx_db_run(db, sbx_db_q(db, "UPDATE fqdns SET state = 'ended', ended_at = ?,"
				    " end_reason = ? WHERE id = ?", "iti", (int64_t)t, reason, id)))
		return -1;
	if (sbx_db_run(db, sbx_db_q(db, "UPDATE transfers SET state = 'cancelled', closed_at = ?"
				    " WHERE fqdn_id = ? AND state IN ('issued', 'pending')", "ii",
				    (int64_t)t, id)))
		return -1;
	st = sbx_db_q(db, "SELECT c.serial FROM cert_fqdns f JOIN certs c ON c.serial = f.serial"
		      " WHERE f.fqdn_id = ? AND c.status = 'valid'", "i", id);
	while ((rc = sbx_db_step(db, st)) == 1) {
		serials = jra_xrealloc(serials, (n + 1) * sizeof(*serials));
		serials[n++] = jra_xstrdup(sbx_col_text(st, 0));
	}
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && sbx_cert_revoke(db, serials[i], t, 5) < 0)
			rc = -1;
		free(serials[i]);
	}
	free(serials);
	return rc;
}

/* POST /fqdns: apply (contract §6) */
int sbx_h_fqdns_post(struct sbx_req *r, struct sbx_resp *out)
{
	struct sbx_apply a;
	json_t *problem, *eab = NULL, *obj;
	const char *sub;
	char sub_id[32];
	int64_t id = 0;
	sqlite3_stmt *st;
	int rc = sbx_body_apply(r->json, &a, &problem);

	/* terms §10.6: a suspended registrar cannot apply, whatever it sent */
	if (sbx_registrar_suspended(r->db, r->registrar) == 1) {
		json_decref(problem);
		return sbx_problem(out, 403, "registrar-suspended", "registrar %s is suspended",
				   r->registrar);
	}
	if (rc)
		return sbx_reply(out, rc, problem);
	if (strcmp(a.terms, r->srv->terms_version))
		return sbx_problem(out, 422, "terms-outdated", "the current terms are version %s; "
				   "the request agreed to %s", r->srv->terms_version, a.terms);
	sub = a.subscriber;
	if (sub) {
		st = sbx_db_q(r->db, "SELECT 1 FROM subscribers WHERE id = ? AND registrar = ?",
			      "tt", sub, r->registrar);
		rc = sbx_db_step(r->db, st);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return sbx_problem(out, 404, "not-found", "no such subscriber");
		sqlite3_reset(st);
	}
	st = sbx_db_q(r->db, "SELECT 1 FROM fqdns WHERE fqdn = ? AND state <> 'ended'", "t",
		      a.fqdn);
	rc = sbx_db_step(r->db, st);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		sqlite3_reset(st);
		return sbx_problem(out, 409, "fqdn-in-service", "%s is already in service",
				   a.fqdn);
	}
	if (!sub) {
		if (sbx_subscriber_create(r, a.subscriber_name ? a.subscriber_name : a.fqdn,
					  a.customer_ref, sub_id, sizeof(sub_id), &eab))
			return -1;
		sub = sub_id;
	}
	if (sbx_db_run(r->db, sbx_db_q(r->db, "INSERT INTO fqdns(fqdn, registrar, subscriber,"
				       " customer_ref, period, renewal_period, state, applied_at)"
				       " VALUES(?, ?, ?, ?, ?, ?, 'applied', ?)", "tttttti",
				       a.fqdn, r->registrar, sub, a.customer_ref, a.period,
				       a.period,
				       (int64_t)r->now)))
		return -1;
	id = sqlite3_last_insert_rowid(sbx_db_handle(r->db));
	obj = sbx_fqdn_json(r->db, id, r->now);
	if (!obj) {
		json_decref(eab);
		return -1;
	}
	if (eab)
		json_object_set_new(obj, "eab", eab);
	return sbx_reply(out, 201, obj);
}

/* GET /fqdns/{fqdn} */
int sbx_h_fqdn_get(struct sbx_req *r, struct sbx_resp *out)
{
	int64_t id = 0;
	int rc = sbx_fqdn_find(r->db, r->registrar, r->arg[0], &id);
	json_t *obj;

	if (rc < 0)
		return -1;
	/* contract §2: another registrar's FQDN is answered as if it did not exist */
	if (rc == 0)
		return sbx_problem(out, 404, "not-found", "no such FQDN");
	obj = sbx_fqdn_json(r->db, id, r->now);
	return obj ? sbx_reply(out, 200, obj) : -1;
}

/* The cursor is the last (fqdn, id) key of a page, so pages stay stable under changes. */
static char *cursor_make(const char *fqdn, int64_t id)
{
	char *raw = jra_xasprintf("%lld %s", (long long)id, fqdn);
	char *c = jra_b64_encode(raw, strlen(raw), 1, 0);

	free(raw);
	return c;
}

static int cursor_parse(const char *c, char **fqdn, int64_t *id)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	char *sp, *end, *s;

	if (jra_b64_decode(c, strlen(c), &raw, &len))
		return -1;
	s = jra_xstrndup((char *)raw, len);
	free(raw);
	sp = strchr(s, ' ');
	if (!sp || strlen(s) != len) {
		free(s);
		return -1;
	}
	*sp = '\0';
	*id = strtoll(s, &end, 10);
	if (*end || end == s) {
		free(s);
		return -1;
	}
	*fqdn = jra_xstrdup(sp + 1);
	free(s);
	return 0;
}

/* GET /fqdns?state=&subscriber=&end_before=&end_after=&limit=&cursor= */
int sbx_h_fqdns_list(struct sbx_req *r, struct sbx_resp *out)
{
	const char *state = sbx_query(r, "state"), *sub = sbx_query(r, "subscriber");
	const char *before = sbx_query(r, "end_before"), *after = sbx_query(r, "end_after");
	const char *slimit = sbx_query(r, "limit"), *cursor = sbx_query(r, "cursor");
	json_t *errors = json_array(), *items;
	struct sbx_date d;
	char *cfqdn = NULL, *end, *next = NULL, last[256] = "";
	int64_t cid = 0, last_id = 0;
	long limit = SBX_LIST_DEFAULT;
	sqlite3_stmt *st;
	int rc, n = 0;

	if (state && strcmp(state, "applied") && strcmp(state, "active") &&
	    strcmp(state, "cancel-pending") && strcmp(state, "ended"))
		sbx_field_error(errors, "state", "must be applied, active, cancel-pending or ended");
	if (before && sbx_date_parse(before, &d))
		sbx_field_error(errors, "end_before", "must be a date YYYY-MM-DD");
	if (after && sbx_date_parse(after, &d))
		sbx_field_error(errors, "end_after", "must be a date YYYY-MM-DD");
	if (slimit) {
		limit = strtol(slimit, &end, 10);
		if (*end || end == slimit || limit < 1 || limit > SBX_LIST_MAX)
			sbx_field_error(errors, "limit", "must be an integer from 1 to %d",
					SBX_LIST_MAX);
	}
	if (cursor && cursor_parse(cursor, &cfqdn, &cid))
		sbx_field_error(errors, "cursor", "is not a cursor this server gave");
	if (sbx_fields_refused(out, errors)) {
		free(cfqdn);
		return 0;
	}
	/* end_before and end_after are exclusive */
	st = sbx_db_q(r->db, "SELECT id, fqdn FROM fqdns WHERE registrar = ?1"
		      " AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR subscriber = ?3)"
		      " AND (?4 IS NULL OR end_date < ?4) AND (?5 IS NULL OR end_date > ?5)"
		      " AND (?6 IS NULL OR fqdn > ?6 OR (fqdn = ?6 AND id > ?7))"
		      " ORDER BY fqdn, id LIMIT ?8", "ttttttii", r->registrar, state, sub,
		      before, after, cfqdn, cid, (int64_t)limit + 1);
	free(cfqdn);
	items = json_array();
	while ((rc = sbx_db_step(r->db, st)) == 1) {
		if (n++ == limit) {
			next = cursor_make(last, last_id);
			sqlite3_reset(st);
			rc = 0;
			break;
		}
		last_id = sqlite3_column_int64(st, 0);
		snprintf(last, sizeof(last), "%s", sbx_col_text(st, 1));
		json_array_append_new(items, json_integer(last_id));
	}
	if (rc < 0) {
		json_decref(items);
		free(next);
		return -1;
	}
	/* the ids become objects once the statement is done with */
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *obj = sbx_fqdn_json(r->db, json_integer_value(json_array_get(items, i)),
					    r->now);

		if (!obj) {
			json_decref(items);
			free(next);
			return -1;
		}
		json_array_set_new(items, i, obj);
	}
	rc = sbx_reply(out, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor",
					   next ? json_string(next) : json_null()));
	free(next);
	return rc;
}

/* The registrar's live-or-latest record of r->arg[0]: 1 found, 0 answered 404, -1 error. */
static int find_or_404(struct sbx_req *r, struct sbx_resp *out, int64_t *id, char *state,
		       size_t slen)
{
	int rc = sbx_fqdn_find(r->db, r->registrar, r->arg[0], id);
	sqlite3_stmt *st;

	if (rc <= 0) {
		if (rc == 0)
			sbx_problem(out, 404, "not-found", "no such FQDN");
		return rc;
	}
	st = sbx_db_q(r->db, "SELECT state FROM fqdns WHERE id = ?", "i", *id);
	if (sbx_db_step(r->db, st) != 1)
		return -1;
	snprintf(state, slen, "%s", sbx_col_text(st, 0));
	sqlite3_reset(st);
	return 1;
}

static int reply_fqdn(struct sbx_req *r, struct sbx_resp *out, int64_t id)
{
	json_t *obj = sbx_fqdn_json(r->db, id, r->now);

	return obj ? sbx_reply(out, 200, obj) : -1;
}

/* PATCH /fqdns/{fqdn} {"renewal_period"?, "customer_ref"?} (利用内容の変更) */
int sbx_h_fqdn_patch(struct sbx_req *r, struct sbx_resp *out)
{
	struct sbx_modify m;
	json_t *problem;
	char state[16];
	int64_t id = 0;
	int rc = sbx_body_modify(r->json, &m, &problem);

	if (rc)
		return sbx_reply(out, rc, problem);
	rc = find_or_404(r, out, &id, state, sizeof(state));
	if (rc <= 0)
		return rc;
	if (!strcmp(state, "ended"))
		return sbx_problem(out, 409, "invalid-state", "%s has ended", r->arg[0]);
	if (m.renewal_period &&
	    sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE fqdns SET renewal_period = ? WHERE id = ?",
				       "ti", m.renewal_period, id)))
		return -1;
	if (m.set_ref && sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE fqdns SET customer_ref = ?"
						    " WHERE id = ?", "ti", m.customer_ref, id)))
		return -1;
	return reply_fqdn(r, out, id);
}

/* POST /fqdns/{fqdn}/cancellation: terms §10.4 */
int sbx_h_cancel_post(struct sbx_req *r, struct sbx_resp *out)
{
	char state[16];
	int64_t id = 0;
	int rc = find_or_404(r, out, &id, state, sizeof(state));

	if (rc <= 0)
		return rc;
	if (!strcmp(state, "applied")) {
		/* before usage starts, a cancellation ends it at once */
		if (sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE fqdns SET cancel_requested_at = ?"
					       " WHERE id = ?", "ii", (int64_t)r->now, id)) ||
		    sbx_fqdn_end(r->db, id, r->now, "withdrawn"))
			return -1;
	} else if (!strcmp(state, "active")) {
		if (sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE fqdns SET state = 'cancel-pending',"
					       " cancel_requested_at = ? WHERE id = ?", "ii",
					       (int64_t)r->now, id)))
			return -1;
	} else if (strcmp(state, "cancel-pending")) {
		return sbx_problem(out, 409, "invalid-state", "%s has ended", r->arg[0]);
	}
	return reply_fqdn(r, out, id);
}

/* DELETE /fqdns/{fqdn}/cancellation: withdraw it until the end date (terms §10.4) */
int sbx_h_cancel_delete(struct sbx_req *r, struct sbx_resp *out)
{
	char state[16];
	int64_t id = 0;
	int rc = find_or_404(r, out, &id, state, sizeof(state));

	if (rc <= 0)
		return rc;
	if (sbx_registrar_suspended(r->db, r->registrar) == 1)
		return sbx_problem(out, 403, "registrar-suspended", "registrar %s is suspended",
				   r->registrar);
	if (strcmp(state, "cancel-pending"))
		return sbx_problem(out, 409, "invalid-state", "%s has no pending cancellation "
				   "(state %s)", r->arg[0], state);
	if (sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE fqdns SET state = 'active',"
				       " cancel_requested_at = NULL WHERE id = ?", "i", id)))
		return -1;
	return reply_fqdn(r, out, id);
}
