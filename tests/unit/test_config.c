#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "tap.h"

#define DIR "data/config/"

/* Loads a broken file and checks the message names the place and the reason. */
static void broken(const char *file, const char *want)
{
	struct jra_config cfg = JRA_CONFIG_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	int r;

	r = jra_config_load(file, &cfg, &e);
	ok(r == JRA_ERR_CONFIG && e.code == JRA_ERR_CONFIG, "%s is refused as a config error", file);
	if (!ok(strstr(e.msg, want) != NULL, "%s: message names the problem", file)) {
		printf("#        got: '%s'\n", e.msg);
		printf("#   expected: '...%s...'\n", want);
	}
	jra_config_release(&cfg);
}

/*
 * A megabyte of distinct keys, then one given again: found, named with both
 * lines, and at once (comparing every pair took minutes; meson's timeout
 * fails the test long before).
 */
static void many_keys(void)
{
	struct jra_config cfg = JRA_CONFIG_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_buf b = JRA_BUF_INIT;
	int i;

	jra_buf_addstr(&b, "profiles:\n");
	for (i = 0; i < 100000; i++)
		jra_buf_addf(&b, "  p%d: x\n", i);
	jra_buf_addstr(&b, "  p77: y\n");
	ok(jra_config_parse(b.buf, b.len, "many.yaml", &cfg, &e) == JRA_ERR_CONFIG,
	   "100,000 profile names and a duplicate: refused");
	is_str(e.msg, "many.yaml:100002:3: key 'p77': given twice in 'profiles' (first at line 79)",
	       "the duplicate is named with both of its lines");
	jra_config_release(&cfg);
	jra_buf_release(&b);
}

static void good(void)
{
	struct jra_config cfg = JRA_CONFIG_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	const struct jra_profile *p;

	ok(jra_config_load(DIR "good.yaml", &cfg, &e) == 0, "good.yaml loads");
	ok(cfg.nprofiles == 2, "two profiles");
	unsetenv("JRA_PROFILE");
	p = jra_config_select(&cfg, NULL, &e);
	ok(p && !strcmp(p->name, "sandbox"), "default_profile chooses the profile");
	if (!p)
		return;
	is_str(p->endpoint, "https://127.0.0.1:8443/registrar/v1", "trailing slash dropped");
	is_str(p->registrar, "R0001", "registrar");
	is_str(p->key_id, "r0001-ed25519", "key_id");
	ok(p->alg == JRA_ALG_ED25519, "alg ed25519");
	is_str(p->key_file, DIR "r0001-ed25519.key", "key_file relative to the config's directory");
	is_str(p->ca_file, DIR "ca.pem", "ca_file relative to the config's directory");
	ok(p->timeout == 12 && p->retries == 0, "timeout and retries read");
	ok(p->acme_directory == NULL, "acme_directory optional");

	p = jra_config_select(&cfg, "prod", &e);
	ok(p && !strcmp(p->name, "prod"), "-p chooses another profile");
	if (p) {
		ok(p->alg == JRA_ALG_HMAC_SHA256, "alg hmac-sha256");
		is_str(p->secret_file, "/etc/jra/r0002.secret", "absolute secret_file kept");
		ok(p->timeout == JRA_DEFAULT_TIMEOUT && p->retries == JRA_DEFAULT_RETRIES,
		   "defaults for timeout and retries");
		is_str(p->acme_directory, "https://acme.example.jp/directory", "acme_directory");
	}
	setenv("JRA_PROFILE", "prod", 1);
	p = jra_config_select(&cfg, NULL, &e);
	ok(p && !strcmp(p->name, "prod"), "$JRA_PROFILE beats default_profile");
	p = jra_config_select(&cfg, "sandbox", &e);
	ok(p && !strcmp(p->name, "sandbox"), "-p beats $JRA_PROFILE");
	unsetenv("JRA_PROFILE");
	p = jra_config_select(&cfg, "nope", &e);
	ok(!p && e.code == JRA_ERR_CONFIG, "an unknown profile is a config error");
	ok(strstr(e.msg, "'nope'") && strstr(e.hint, "sandbox, prod"),
	   "the error names the profile and the hint the ones on offer");
	jra_config_release(&cfg);
}

static void choose(void)
{
	struct jra_config cfg = JRA_CONFIG_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	const struct jra_profile *p;

	unsetenv("JRA_PROFILE");
	ok(jra_config_load(DIR "single.yaml", &cfg, &e) == 0, "single.yaml loads");
	p = jra_config_select(&cfg, NULL, &e);
	ok(p && !strcmp(p->name, "only"), "the only profile is chosen without a default");
	jra_config_release(&cfg);

	ok(jra_config_load(DIR "two-no-default.yaml", &cfg, &e) == 0, "two-no-default.yaml loads");
	p = jra_config_select(&cfg, NULL, &e);
	ok(!p && e.code == JRA_ERR_CONFIG && strstr(e.msg, "2 profiles"),
	   "two profiles and no default: refused");
	ok(strstr(e.hint, "-p NAME") != NULL, "the hint says how to choose");
	jra_config_release(&cfg);
}

static void paths(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	const char *origin;
	char *path;

	setenv("JRA_CONFIG", "/a/jra.yaml", 1);
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	ok(jra_config_path("/c.yaml", &path, &origin, &e) == 0 && !strcmp(path, "/c.yaml") &&
	   !strcmp(origin, "-c"), "-c first");
	free(path);
	ok(jra_config_path(NULL, &path, &origin, &e) == 0 && !strcmp(path, "/a/jra.yaml"),
	   "$JRA_CONFIG next");
	free(path);
	unsetenv("JRA_CONFIG");
	jra_config_path(NULL, &path, &origin, &e);
	is_str(path, "/xdg/jra/config.yaml", "$XDG_CONFIG_HOME next");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	jra_config_path(NULL, &path, &origin, &e);
	is_str(path, "/home/u/.config/jra/config.yaml", "~/.config last");
	free(path);
	unsetenv("HOME");
	ok(jra_config_path(NULL, &path, &origin, &e) == JRA_ERR_CONFIG && !path,
	   "no way to find it: a config error");
}

int main(void)
{
	struct jra_config cfg = JRA_CONFIG_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	const char *flow = "profiles: {a: {endpoint: 'https://h/x', registrar: R, key_id: k, "
			   "key_file: k.pem, alg: ed25519}}";

	good();
	choose();
	broken(DIR "typo-key.yaml", DIR "typo-key.yaml:8:5: key 'timout': unknown key in "
	       "profile 'sandbox' (did you mean 'timeout'?)");
	broken(DIR "top-typo.yaml", DIR "top-typo.yaml:1:1: key 'default-profile': unknown key "
	       "at the top level (did you mean 'default_profile'?)");
	broken(DIR "bad-timeout.yaml", DIR "bad-timeout.yaml:8:14: key 'timeout': expected a "
	       "whole number of seconds from 1 to 3600, found 'thirty'");
	broken(DIR "retries-too-many.yaml", DIR "retries-too-many.yaml:8:14: key 'retries': "
	       "expected a whole number of retries from 0 to 10, found '99'");
	broken(DIR "http-endpoint.yaml", DIR "http-endpoint.yaml:3:15: key 'endpoint': expected "
	       "an https:// URL");
	broken(DIR "bad-alg.yaml", DIR "bad-alg.yaml:7:10: key 'alg': expected ed25519, "
	       "ecdsa-p256-sha256 or hmac-sha256, found 'rsa'");
	broken(DIR "missing-endpoint.yaml", DIR "missing-endpoint.yaml:3:5: key 'endpoint': "
	       "missing in profile 'sandbox'");
	broken(DIR "hmac-with-key-file.yaml", DIR "hmac-with-key-file.yaml:7:10: key "
	       "'secret_file': missing in profile 'sandbox'");
	broken(DIR "duplicate-key.yaml", DIR "duplicate-key.yaml:5:5: key 'registrar': given "
	       "twice in profile 'sandbox' (first at line 4)");
	broken(DIR "bad-default.yaml", DIR "bad-default.yaml:1:18: key 'default_profile': names "
	       "profile 'production'");
	broken(DIR "syntax-error.yaml", DIR "syntax-error.yaml:");
	broken(DIR "not-a-mapping.yaml", DIR "not-a-mapping.yaml:1:1: expected a mapping with "
	       "'profiles:', found a list");
	broken(DIR "profile-is-list.yaml", DIR "profile-is-list.yaml:3:5: key 'sandbox': "
	       "expected a mapping of profile settings, found a list");
	broken(DIR "empty.yaml", "the file is empty");
	broken(DIR "absent.yaml", "cannot read config file '" DIR "absent.yaml'");
	paths();

	ok(jra_config_parse(flow, strlen(flow), "mem.yaml", &cfg, &e) == 0,
	   "flow style parses from memory");
	is_str(cfg.nprofiles ? cfg.profiles[0].key_file : NULL, "./k.pem",
	       "a name without a directory resolves against '.'");
	jra_config_release(&cfg);
	many_keys();
	return done_testing();
}
