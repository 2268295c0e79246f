/*
 * The profile file on arbitrary input (libyaml and jra's checks).  A file
 * is accepted with a profile that meets every rule, or refused with a
 * message that names the file and says where.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_config cfg = JRA_CONFIG_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	const struct jra_profile *p;
	size_t i;

	if (size > INPUT_MAX)
		return 0;
	if (jra_config_parse((const char *)data, size, "fuzz.yaml", &cfg, &e) < 0) {
		if (e.code != JRA_ERR_CONFIG || strncmp(e.msg, "fuzz.yaml", 9))
			abort();
	} else {
		for (i = 0; i < cfg.nprofiles; i++) {
			p = &cfg.profiles[i];
			if (!p->endpoint || strncmp(p->endpoint, "https://", 8) || !p->registrar ||
			    !p->key_id || !(p->key_file || p->secret_file) ||
			    (p->key_file && p->secret_file) || p->timeout < 1 || p->retries < 0)
				abort();
		}
		p = jra_config_select(&cfg, "sandbox", &e);
		(void)p;
	}
	jra_config_release(&cfg);
	return 0;
}
