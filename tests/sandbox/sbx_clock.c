#include <string.h>

#include "sbx.h"
#include "sbx_rules.h"

/* The clock runs with real time, shifted by an offset kept in the db so
 * that a restart resumes it; only ever moved forward. */
time_t sbx_clock_now(struct sbx_db *db)
{
	return time(NULL) + (time_t)sbx_meta_get(db, "clock_offset", 0);
}

int sbx_clock_init(struct sbx_db *db, time_t start)
{
	time_t real = time(NULL);

	if (sbx_meta_set(db, "clock_offset", start ? (int64_t)(start - real) : 0))
		return -1;
	/* nothing is owed for the days before the sandbox existed */
	return sbx_meta_set(db, "daily_last", start ? (int64_t)start : (int64_t)real);
}

int sbx_clock_set(struct sbx_server *srv, struct sbx_db *db, time_t t)
{
	if (t < sbx_clock_now(db))
		return -1;
	if (sbx_meta_set(db, "clock_offset", (int64_t)(t - time(NULL))))
		return -2;
	return sbx_daily_catch_up(srv, db, t) ? -2 : 0;
}

static int reply_now(struct sbx_req *r, struct sbx_resp *out)
{
	char buf[21];

	sbx_time_format(sbx_clock_now(r->db), buf);
	return sbx_reply(out, 200, json_pack("{s:s}", "now", buf));
}

int sbx_h_clock_get(struct sbx_req *r, struct sbx_resp *out)
{
	return reply_now(r, out);
}

static int move_to(struct sbx_req *r, struct sbx_resp *out, time_t t)
{
	json_t *errors;
	int rc = sbx_clock_set(r->srv, r->db, t);

	if (rc == -2)
		return -1;
	if (rc == -1) {
		errors = json_array();
		sbx_field_error(errors, "now", "is before the sandbox's clock; it only moves forward");
		return sbx_problem_fields(out, 400, "invalid-request", errors,
					  "the clock only moves forward");
	}
	r->now = t;
	return reply_now(r, out);
}

/* PUT /sandbox/v1/clock {"now"} */
int sbx_h_clock_put(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *problem;
	time_t t;
	int rc = sbx_body_clock_set(r->json, &t, &problem);

	return rc ? sbx_reply(out, rc, problem) : move_to(r, out, t);
}

/* POST /sandbox/v1/clock/advance {"days"} or {"seconds"} */
int sbx_h_clock_advance(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *problem;
	int64_t secs;
	int rc = sbx_body_clock_advance(r->json, &secs, &problem);

	if (rc)
		return sbx_reply(out, rc, problem);
	return move_to(r, out, sbx_clock_now(r->db) + (time_t)secs);
}
