#include "sbx.h"

#include <stdio.h>
#include <string.h>

void sbx_faults_init(struct sbx_faults *f)
{
	pthread_mutex_init(&f->mu, NULL);
	f->mode = SBX_FAULT_NONE;
	f->count = 0;
	f->delay_ms = 0;
}

void sbx_faults_destroy(struct sbx_faults *f)
{
	pthread_mutex_destroy(&f->mu);
}

void sbx_faults_arm(struct sbx_faults *f, enum sbx_fault_mode mode, int count, int delay_ms,
		    const char *method)
{
	pthread_mutex_lock(&f->mu);
	f->mode = count > 0 ? mode : SBX_FAULT_NONE;
	f->count = count;
	f->delay_ms = delay_ms;
	snprintf(f->method, sizeof(f->method), "%s", method ? method : "");
	pthread_mutex_unlock(&f->mu);
}

enum sbx_fault_mode sbx_faults_take(struct sbx_faults *f, const char *method, int *delay_ms)
{
	enum sbx_fault_mode m = SBX_FAULT_NONE;

	pthread_mutex_lock(&f->mu);
	/* a request of another method neither takes the fault nor counts */
	if (f->count > 0 && (!f->method[0] || !strcmp(f->method, method))) {
		m = f->mode;
		*delay_ms = f->delay_ms;
		if (--f->count == 0)
			f->mode = SBX_FAULT_NONE;
	}
	pthread_mutex_unlock(&f->mu);
	return m;
}

/* POST /sandbox/v1/faults {"mode", "count", "delay_ms"?, "method"?} */
int sbx_h_faults_post(struct sbx_req *r, struct sbx_resp *out)
{
	struct sbx_fault_req f;
	json_t *problem;
	int rc = sbx_body_faults(r->json, &f, &problem);

	if (rc)
		return sbx_reply(out, rc, problem);
	sbx_faults_arm(&r->srv->faults, f.m, f.count, f.delay_ms, f.method);
	return sbx_reply(out, 200, json_pack("{s:s, s:i, s:i, s:s?}", "mode", f.mode,
					     "count", f.count, "delay_ms", f.delay_ms,
					     "method", f.method));
}
