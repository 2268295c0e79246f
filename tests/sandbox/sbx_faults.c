#include <string.h>

#include "sbx.h"

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

int sbx_fault_parse(const char *name, enum sbx_fault_mode *mode)
{
	static const struct {
		const char *name;
		enum sbx_fault_mode mode;
	} modes[] = {
		{ "status-503", SBX_FAULT_503 },
		{ "drop-before-commit", SBX_FAULT_DROP_BEFORE },
		{ "drop-after-commit", SBX_FAULT_DROP_AFTER },
		{ "delay", SBX_FAULT_DELAY },
	};

	for (size_t i = 0; name && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(name, modes[i].name)) {
			*mode = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

void sbx_faults_arm(struct sbx_faults *f, enum sbx_fault_mode mode, int count, int delay_ms)
{
	pthread_mutex_lock(&f->mu);
	f->mode = count > 0 ? mode : SBX_FAULT_NONE;
	f->count = count;
	f->delay_ms = delay_ms;
	pthread_mutex_unlock(&f->mu);
}

enum sbx_fault_mode sbx_faults_take(struct sbx_faults *f, int *delay_ms)
{
	enum sbx_fault_mode m = SBX_FAULT_NONE;

	pthread_mutex_lock(&f->mu);
	if (f->count > 0) {
		m = f->mode;
		*delay_ms = f->delay_ms;
		if (--f->count == 0)
			f->mode = SBX_FAULT_NONE;
	}
	pthread_mutex_unlock(&f->mu);
	return m;
}

/* POST /sandbox/v1/faults {"mode", "count", "delay_ms"?} */
int sbx_h_faults_post(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *errors = json_array();
	const char *mode = sbx_field_str(r, "mode", 1, 64, errors);
	json_t *jc = json_object_get(r->json, "count");
	json_t *jd = json_object_get(r->json, "delay_ms");
	enum sbx_fault_mode m = SBX_FAULT_NONE;
	json_int_t count = 0, delay = 0;

	if (mode && sbx_fault_parse(mode, &m))
		sbx_field_error(errors, "mode", "must be status-503, drop-before-commit, "
				"drop-after-commit or delay");
	if (!json_is_integer(jc) || (count = json_integer_value(jc)) < 0 || count > 1000000)
		sbx_field_error(errors, "count", "must be an integer from 0 to 1000000");
	if (jd && (!json_is_integer(jd) || (delay = json_integer_value(jd)) < 0 ||
		   delay > 600000))
		sbx_field_error(errors, "delay_ms", "must be an integer from 0 to 600000");
	if (m == SBX_FAULT_DELAY && !jd)
		sbx_field_error(errors, "delay_ms", "is required with mode delay");
	if (sbx_fields_refused(out, errors))
		return 0;
	sbx_faults_arm(&r->srv->faults, m, (int)count, (int)delay);
	return sbx_reply(out, 200, json_pack("{s:s, s:I, s:I}", "mode", mode,
					     "count", count, "delay_ms", delay));
}
