/*
 * The YAML profile loader on arbitrary text.  Every refusal is a config
 * error with a message; every accepted file yields profiles that hold
 * what jra-config(5) promises, and each can be chosen by its name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define INPUT_MAX 65536
#define CONFIG_PATH "/etc/jra/config.yaml"

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s\n", what, detail ? detail : "(null)");
	abort();
}

static void check_text(const char *what, const char *s)
{
	if (!s || !*s)
		fail(what, "missing or empty");
}

static void check_file(const char *what, const char *s)
{
	/* relative names resolve against the config's directory or $HOME */
	if (s && s[0] != '/')
		fail(what, s);
}

static void check_profile(const struct jra_config *cfg, const struct jra_profile *p)
{
	struct jra_error e = JRA_ERROR_INIT;

	check_text("profile name", p->name);
	check_text("endpoint", p->endpoint);
	if (strncmp(p->endpoint, "https://", 8) || !p->endpoint[8] ||
	    strpbrk(p->endpoint, " \t\r\n?#"))
		fail("endpoint is not a plain https URL", p->endpoint);
	if (strlen(p->endpoint) > 9 && p->endpoint[strlen(p->endpoint) - 1] == '/')
		fail("endpoint keeps a trailing slash", p->endpoint);
	check_text("registrar", p->registrar);
	check_text("key_id", p->key_id);
	if (!p->key_file == !p->secret_file)
		fail("exactly one of key_file and secret_file", p->name);
	if ((p->alg == JRA_ALG_HMAC_SHA256) != !!p->secret_file)
		fail("the alg does not match the key kind", p->name);
	check_file("key_file", p->key_file);
	check_file("secret_file", p->secret_file);
	check_file("ca_file", p->ca_file);
	if (p->timeout < 1 || p->timeout > JRA_MAX_TIMEOUT)
		fail("timeout out of range", p->name);
	if (p->retries < 0 || p->retries > JRA_MAX_RETRIES)
		fail("retries out of range", p->name);
	if (jra_config_select(cfg, p->name, &e) != p)
		fail("a profile cannot be chosen by its name", e.msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_config cfg = JRA_CONFIG_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	size_t i;
	int r;

	if (size > INPUT_MAX)
		return 0;
	setenv("HOME", "/home/fuzz", 1);
	unsetenv("JRA_PROFILE");
	r = jra_config_parse((const char *)data, size, CONFIG_PATH, &cfg, &e);
	if (r != 0) {
		if (r != JRA_ERR_CONFIG && r != JRA_ERR_SOFTWARE)
			fail("refusal with an unexpected code", e.msg);
		if (e.code != r || strncmp(e.msg, CONFIG_PATH, strlen(CONFIG_PATH)))
			fail("a refusal does not name the file", e.msg);
		jra_config_release(&cfg);
		return 0;
	}
	if (cfg.nprofiles == 0)
		fail("accepted a file without profiles", NULL);
	for (i = 0; i < cfg.nprofiles; i++)
		check_profile(&cfg, &cfg.profiles[i]);
	if (cfg.default_profile && !jra_config_select(&cfg, NULL, &e))
		fail("default_profile names no profile", e.msg);
	jra_config_release(&cfg);
	return 0;
}
