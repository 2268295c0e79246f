#include <stdlib.h>
#include <string.h>

#include "fqdn.h"
#include "pki.h"
#include "sbx.h"
#include "sbx_rules.h"

#define SBX_MAX_NAMES 100
#define SBX_CRL_VALIDITY (7 * 86400)

int sbx_cert_revoke(struct sbx_db *db, const char *serial, time_t t, int reason)
{
	if (sbx_db_run(db, sbx_db_q(db, "UPDATE certs SET status = 'revoked', revoked_at = ?,"
				    " reason = ? WHERE serial = ? AND status = 'valid'", "idt",
				    (int64_t)t, reason, serial)))
		return -1;
	if (sqlite3_changes(sbx_db_handle(db)) == 0)
		return 0;
	/* a new CRL number whenever the set of revocations changes */
	return sbx_meta_next(db, "crl_number") < 0 ? -1 : 1;
}

struct live {
	int64_t id;
	char *fqdn;
	char *names[2];
	char state[16];
	char period[4];
	int blocked;  /* terms §10.6: applied before its registrar's suspension */
	int used;
};

static void live_release(struct live *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].fqdn);
		free(l[i].names[0]);
		free(l[i].names[1]);
	}
	free(l);
}

/* POST /sandbox/v1/issuance {"eab_kid", "names", "csr_pem"?}: what an ACME order would do. */
int sbx_h_issuance(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *errors = json_array(), *jnames = json_object_get(r->json, "names"), *v;
	const char *kid = sbx_field_str(r, "eab_kid", 1, 200, errors);
	const char *csr = sbx_field_str(r, "csr_pem", 0, 65536, errors);
	const char **names = NULL;
	struct live *live = NULL;
	size_t nnames = 0, nlive = 0, i, k;
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_cert cert = { 0 };
	char subscriber[64], date[11], end[11], nb[21], na[21];
	sqlite3_stmt *st;
	time_t not_after;
	int rc = -1;

	if (!json_is_array(jnames) || json_array_size(jnames) == 0 ||
	    json_array_size(jnames) > SBX_MAX_NAMES) {
		sbx_field_error(errors, "names", "must be an array of 1-%d names", SBX_MAX_NAMES);
	} else {
		names = jra_xcalloc(json_array_size(jnames), sizeof(*names));
		json_array_foreach(jnames, i, v) {
			char field[32];

			snprintf(field, sizeof(field), "names[%zu]", i);
			if (!json_is_string(v)) {
				sbx_field_error(errors, field, "must be a string");
				continue;
			}
			for (k = 0; k < nnames; k++)
				if (!strcmp(names[k], json_string_value(v)))
					break;
			if (k < nnames)
				sbx_field_error(errors, field, "repeats %s", names[k]);
			names[nnames++] = json_string_value(v);
		}
	}
	if (sbx_fields_refused(out, errors)) {
		rc = 0;
		goto out;
	}
	st = sbx_db_q(r->db, "SELECT id FROM subscribers WHERE eab_kid = ?", "t", kid);
	if ((rc = sbx_db_step(r->db, st)) <= 0) {
		if (rc == 0)
			sbx_problem(out, 401, "unauthorized", "no subscriber has the EAB kid '%s'",
				    kid);
		goto out;
	}
	snprintf(subscriber, sizeof(subscriber), "%s", sbx_col_text(st, 0));
	sqlite3_reset(st);
	rc = -1;

	st = sbx_db_q(r->db, "SELECT f.id, f.fqdn, f.state, f.period,"
		      " f.state = 'applied' AND g.suspended_at IS NOT NULL"
		      "  AND f.applied_at <= g.suspended_at"
		      " FROM fqdns f JOIN registrars g ON g.id = f.registrar"
		      " WHERE f.subscriber = ? AND f.state <> 'ended' ORDER BY f.id", "t",
		      subscriber);
	while ((rc = sbx_db_step(r->db, st)) == 1) {
		live = jra_xrealloc(live, (nlive + 1) * sizeof(*live));
		memset(&live[nlive], 0, sizeof(*live));
		live[nlive].id = sqlite3_column_int64(st, 0);
		live[nlive].fqdn = jra_xstrdup(sbx_col_text(st, 1));
		snprintf(live[nlive].state, sizeof(live[nlive].state), "%s", sbx_col_text(st, 2));
		snprintf(live[nlive].period, sizeof(live[nlive].period), "%s", sbx_col_text(st, 3));
		live[nlive].blocked = sqlite3_column_int(st, 4);
		/* terms §5.2 */
		jra_fqdn_covered_names(live[nlive].fqdn, live[nlive].names);
		nlive++;
	}
	if (rc < 0)
		goto out;
	/* terms §5.2, §5.3: every name is a covered name of a live FQDN of this subscriber */
	for (i = 0; i < nnames; i++) {
		int covered = 0;

		for (k = 0; k < nlive; k++) {
			if (!strcmp(names[i], live[k].names[0]) ||
			    (live[k].names[1] && !strcmp(names[i], live[k].names[1]))) {
				covered = 1;
				live[k].used = 1;
			}
		}
		if (!covered) {
			rc = 0;
			sbx_problem(out, 403, "name-not-covered", "%s is not a covered name of a live "
				    "FQDN of subscriber %s", names[i], subscriber);
			goto out;
		}
	}
	for (k = 0; k < nlive; k++) {
		if (live[k].used && live[k].blocked) {
			rc = 0;
			sbx_problem(out, 403, "registrar-suspended", "%s was applied for before its "
				    "registrar's suspension and cannot start usage while it lasts",
				    live[k].fqdn);
			goto out;
		}
	}
	/* terms §3 */
	not_after = sbx_cert_not_after(r->now);
	if (sbx_pki_issue(r->srv->pki, names, nnames, csr, r->now, not_after, &cert, &e)) {
		rc = 0;
		if (e.code == JRA_ERR_DATA) {
			errors = json_array();
			sbx_field_error(errors, "csr_pem", "%s", e.msg);
			sbx_problem_fields(out, 400, "invalid-request", errors, "%s", e.msg);
		} else {
			fprintf(stderr, "jra-sandbox: issuance: %s\n", e.msg);
			rc = -1;
		}
		goto out;
	}
	rc = -1;
	if (sbx_db_run(r->db, sbx_db_q(r->db, "INSERT INTO certs(serial, subscriber, issued_at,"
				       " not_before, not_after, status, pem)"
				       " VALUES(?, ?, ?, ?, ?, 'valid', ?)", "ttiiit",
				       cert.serial, subscriber, (int64_t)r->now, (int64_t)r->now,
				       (int64_t)not_after, cert.pem)))
		goto out;
	for (i = 0; i < nnames; i++)
		if (sbx_db_run(r->db, sbx_db_q(r->db, "INSERT INTO cert_names(serial, pos, name)"
					       " VALUES(?, ?, ?)", "tit", cert.serial,
					       (int64_t)i, names[i])))
			goto out;
	sbx_date_format(sbx_jst_date(r->now), date);
	for (k = 0; k < nlive; k++) {
		enum sbx_period p;
		struct sbx_date d;

		if (!live[k].used)
			continue;
		if (sbx_db_run(r->db, sbx_db_q(r->db, "INSERT INTO cert_fqdns(serial, fqdn_id)"
					       " VALUES(?, ?)", "ti", cert.serial, live[k].id)))
			goto out;
		if (strcmp(live[k].state, "applied"))
			continue;
		/* terms §10.2: usage starts on the JST date of the first issuance */
		if (sbx_period_parse(live[k].period, &p) || sbx_date_parse(date, &d))
			goto out;
		sbx_date_format(sbx_end_date(d, p), end);
		if (sbx_db_run(r->db, sbx_db_q(r->db, "UPDATE fqdns SET state = 'active',"
					       " start_date = ?, end_date = ? WHERE id = ?", "tti",
					       date, end, live[k].id)))
			goto out;
	}
	sbx_time_format(r->now, nb);
	sbx_time_format(not_after, na);
	rc = sbx_reply(out, 201, json_pack("{s:s, s:s, s:s, s:s}", "serial", cert.serial,
					   "certificate_pem", cert.pem, "not_before", nb,
					   "not_after", na));
out:
	sbx_cert_release(&cert);
	live_release(live, nlive);
	free(names);
	return rc;
}

/* terms §11: the reasons a registrar may give; 0 when absent.  1 when it answered a problem. */
static int get_reason(struct sbx_req *r, struct sbx_resp *out, int *reason)
{
	json_t *v = json_object_get(r->json, "reason"), *errors;
	json_int_t x;

	*reason = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v)) {
		errors = json_array();
		sbx_field_error(errors, "reason", "must be an integer reason code");
		sbx_problem_fields(out, 400, "invalid-request", errors, "bad reason");
		return 1;
	}
	x = json_integer_value(v);
	if (x != 0 && x != 1 && x != 3 && x != 4 && x != 5) {
		sbx_problem(out, 422, "reason-not-allowed", "reason %lld is not one a registrar may "
			    "give: 0, 1, 3, 4 or 5", (long long)x);
		return 1;
	}
	*reason = (int)x;
	return 0;
}

/* Revokes serials (all checked first: 409 when one is not valid).  Answers {"revoked": [...]}. */
static int revoke_all(struct sbx_req *r, struct sbx_resp *out, char **serials, size_t n,
		      int reason)
{
	json_t *arr;
	char at[21];

	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = sbx_db_q(r->db, "SELECT status FROM certs WHERE serial = ?", "t",
					    serials[i]);
		int rc = sbx_db_step(r->db, st);
		char status[16];

		if (rc != 1)
			return -1;
		snprintf(status, sizeof(status), "%s", sbx_col_text(st, 0));
		sqlite3_reset(st);
		if (!strcmp(status, "revoked"))
			return sbx_problem(out, 409, "already-revoked",
					   "certificate %s is already revoked", serials[i]);
		if (strcmp(status, "valid"))
			return sbx_problem(out, 409, "invalid-state",
					   "certificate %s has expired", serials[i]);
	}
	arr = json_array();
	sbx_time_format(r->now, at);
	for (size_t i = 0; i < n; i++) {
		if (sbx_cert_revoke(r->db, serials[i], r->now, reason) != 1) {
			json_decref(arr);
			return -1;
		}
		json_array_append_new(arr, json_pack("{s:s, s:s, s:i}", "serial", serials[i],
						     "revoked_at", at, "revocation_reason", reason));
	}
	return sbx_reply(out, 200, json_pack("{s:o}", "revoked", arr));
}

/* A certificate is the registrar's when it covers an FQDN the registrar manages now. */
static int cert_visible(struct sbx_db *db, const char *registrar, const char *serial)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT 1 FROM cert_fqdns c JOIN fqdns f ON f.id = c.fqdn_id"
				    " WHERE c.serial = ? AND f.registrar = ? LIMIT 1", "tt",
				    serial, registrar);
	int rc = sbx_db_step(db, st);

	if (rc == 1)
		sqlite3_reset(st);
	return rc;
}

/* POST /certificates/{serial}/revocation {"reason"} */
int sbx_h_cert_revoke(struct sbx_req *r, struct sbx_resp *out)
{
	char *serial = (char *)r->arg[0];
	int reason, rc = cert_visible(r->db, r->registrar, serial);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return sbx_problem(out, 404, "not-found", "no such certificate");
	if (get_reason(r, out, &reason))
		return 0;
	return revoke_all(r, out, &serial, 1, reason);
}

/* POST /fqdns/{fqdn}/revocation {"reason", "serials"?} */
int sbx_h_fqdn_revoke(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *js = json_object_get(r->json, "serials"), *v, *errors;
	char **serials = NULL;
	size_t n = 0, i;
	int64_t id = 0;
	int reason, rc = sbx_fqdn_find(r->db, r->registrar, r->arg[0], &id);
	sqlite3_stmt *st;

	if (rc < 0)
		return -1;
	if (rc == 0)
		return sbx_problem(out, 404, "not-found", "no such FQDN");
	if (js && (!json_is_array(js) || json_array_size(js) == 0)) {
		errors = json_array();
		sbx_field_error(errors, "serials", "must be a non-empty array of serials");
		return sbx_problem_fields(out, 400, "invalid-request", errors, "bad serials");
	}
	if (get_reason(r, out, &reason))
		return 0;
	rc = 0;
	if (js) {
		json_array_foreach(js, i, v) {
			st = sbx_db_q(r->db, "SELECT 1 FROM cert_fqdns WHERE serial = ? AND fqdn_id = ?",
				      "ti", json_is_string(v) ? json_string_value(v) : "", id);
			rc = sbx_db_step(r->db, st);
			if (rc < 0)
				goto out;
			if (rc == 0) {
				sbx_problem(out, 404, "not-found", "no certificate %s of %s",
					    json_is_string(v) ? json_string_value(v) : "(not a string)",
					    r->arg[0]);
				goto out;
			}
			sqlite3_reset(st);
			serials = jra_xrealloc(serials, (n + 1) * sizeof(*serials));
			serials[n++] = jra_xstrdup(json_string_value(v));
		}
	} else {
		st = sbx_db_q(r->db, "SELECT c.serial FROM cert_fqdns f JOIN certs c"
			      " ON c.serial = f.serial WHERE f.fqdn_id = ? AND c.status = 'valid'"
			      " ORDER BY c.issued_at, c.serial", "i", id);
		while ((rc = sbx_db_step(r->db, st)) == 1) {
			serials = jra_xrealloc(serials, (n + 1) * sizeof(*serials));
			serials[n++] = jra_xstrdup(sbx_col_text(st, 0));
		}
		if (rc < 0)
			goto out;
	}
	rc = revoke_all(r, out, serials, n, reason);
out:
	for (i = 0; i < n; i++)
		free(serials[i]);
	free(serials);
	return rc < 0 ? -1 : 0;
}

/* GET /crl: DER, every revoked serial (terms §11) */
int sbx_h_crl(struct sbx_req *r, struct sbx_resp *out)
{
	sqlite3_stmt *st = sbx_db_q(r->db, "SELECT serial, revoked_at, reason FROM certs"
				    " WHERE status = 'revoked' ORDER BY revoked_at, serial", NULL);
	struct sbx_revoked *list = NULL;
	struct jra_error e = JRA_ERROR_INIT;
	unsigned char *der = NULL;
	size_t n = 0, derlen = 0;
	int rc;

	while ((rc = sbx_db_step(r->db, st)) == 1) {
		list = jra_xrealloc(list, (n + 1) * sizeof(*list));
		list[n].serial = jra_xstrdup(sbx_col_text(st, 0));
		list[n].revoked_at = (time_t)sqlite3_column_int64(st, 1);
		list[n].reason = sqlite3_column_int(st, 2);
		n++;
	}
	if (rc == 0 && sbx_pki_crl(r->srv->pki, list, n,
				   (uint64_t)sbx_meta_get(r->db, "crl_number", 0) + 1, r->now,
				   r->now + SBX_CRL_VALIDITY, &der, &derlen, &e)) {
		fprintf(stderr, "jra-sandbox: crl: %s\n", e.msg);
		rc = -1;
	}
	for (size_t i = 0; i < n; i++)
		free((char *)list[i].serial);
	free(list);
	if (rc < 0)
		return -1;
	sbx_resp_release(out);
	out->status = 200;
	out->ctype = "application/pkix-crl";
	out->body = (char *)der;
	out->len = derlen;
	return 0;
}
