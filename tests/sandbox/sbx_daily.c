#include <stdlib.h>
#include <string.h>

#include "sbx.h"
#include "sbx_rules.h"

struct due {
	int64_t id;
	char end_date[11];
	char state[16];
	char renewal[4];
	int suspended;
};

/* terms §10.3, §10.4, §10.6: what happens to each FQDN whose end date was yesterday. */
static int endings(struct sbx_db *db, time_t day_start)
{
	char today[11];
	sqlite3_stmt *st;
	struct due *due = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0;

	sbx_date_format(sbx_jst_date(day_start), today);
	st = sbx_db_q(db, "SELECT f.id, f.end_date, f.state, f.renewal_period,"
		      " r.suspended_at IS NOT NULL AND r.suspended_at <= ?"
		      " FROM fqdns f JOIN registrars r ON r.id = f.registrar"
		      " WHERE f.state IN ('active', 'cancel-pending') AND f.end_date < ?"
		      " ORDER BY f.id", "it", (int64_t)day_start, today);
	while ((rc = sbx_db_step(db, st)) == 1) {
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			due = jra_xrealloc(due, alloc * sizeof(*due));
		}
		due[n].id = sqlite3_column_int64(st, 0);
		snprintf(due[n].end_date, sizeof(due[n].end_date), "%s", sbx_col_text(st, 1));
		snprintf(due[n].state, sizeof(due[n].state), "%s", sbx_col_text(st, 2));
		snprintf(due[n].renewal, sizeof(due[n].renewal), "%s", sbx_col_text(st, 3));
		due[n].suspended = sqlite3_column_int(st, 4);
		n++;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct sbx_date end;
		enum sbx_period p;
		char next[11];

		if (due[i].suspended) {
			/* terms §10.6: ends whether or not a cancellation was filed */
			rc = sbx_fqdn_end(db, due[i].id, day_start, "suspension");
		} else if (!strcmp(due[i].state, "cancel-pending")) {
			/* terms §10.4: ends at the end of the end date */
			rc = sbx_fqdn_end(db, due[i].id, day_start, "cancelled");
		} else if (sbx_date_parse(due[i].end_date, &end) ||
			   sbx_period_parse(due[i].renewal, &p)) {
			rc = -1;
		} else {
			/* terms §10.3 */
			sbx_date_format(sbx_end_date(end, p), next);
			rc = sbx_db_run(db, sbx_db_q(db, "UPDATE fqdns SET end_date = ? WHERE id = ?",
						     "ti", next, due[i].id));
		}
	}
	free(due);
	return rc;
}

/* Daily processing at 00:00 JST (contract §5). */
static int run_day(struct sbx_db *db, time_t day_start)
{
	/* terms §3: a certificate is valid until its not_after */
	if (sbx_db_run(db, sbx_db_q(db, "UPDATE certs SET status = 'expired'"
				    " WHERE status = 'valid' AND not_after < ?", "i",
				    (int64_t)day_start)))
		return -1;
	if (endings(db, day_start))
		return -1;
	/* contract §5: the first daily processing at or after auto_approve_at approves */
	return sbx_transfer_daily(db, day_start);
}

int sbx_daily_due(struct sbx_db *db, time_t now)
{
	time_t last = (time_t)sbx_meta_get(db, "daily_last", (int64_t)now);

	return sbx_next_jst_midnight(last) <= now;
}

int sbx_daily_catch_up(struct sbx_server *srv, struct sbx_db *db, time_t now)
{
	time_t last = (time_t)sbx_meta_get(db, "daily_last", (int64_t)now);
	time_t b;

	(void)srv;
	for (b = sbx_next_jst_midnight(last); b <= now; b = sbx_next_jst_midnight(b)) {
		if (run_day(db, b) || sbx_meta_set(db, "daily_last", (int64_t)b))
			return -1;
	}
	return 0;
}
