#ifndef JRA_CONFIG_H
#define JRA_CONFIG_H

/*
 * Profiles: where jra finds the CA and the key that signs for a registrar.
 * The file is YAML (jra-config(5)):
 *
 *   default_profile: sandbox
 *   profiles:
 *     sandbox:
 *       endpoint: https://127.0.0.1:8443/registrar/v1
 *       registrar: R0001
 *       key_id: r0001-ed25519
 *       key_file: r0001-ed25519.key
 *       alg: ed25519
 *
 * Keys spell like the long options (with '_' for '-').  Unknown keys are
 * errors so that a typo cannot pass silently.  Relative file names resolve
 * against the directory of the config file.
 */

#include <stddef.h>

#include "err.h"
#include "sign.h"

#define JRA_DEFAULT_TIMEOUT 30
#define JRA_DEFAULT_RETRIES 3
#define JRA_MAX_RETRIES 10
#define JRA_MAX_TIMEOUT 3600

struct jra_profile {
	char *name;
	char *endpoint;        /* https://host[:port]/path, no trailing slash */
	char *registrar;
	char *key_id;
	enum jra_alg alg;
	char *key_file;        /* ed25519, ecdsa-p256-sha256; absolute after loading */
	char *secret_file;     /* hmac-sha256; absolute after loading */
	char *ca_file;         /* NULL: the system's trust store */
	char *acme_directory;  /* NULL when not set */
	long timeout;          /* seconds, total per request */
	int retries;           /* extra attempts after the first */
};

struct jra_config {
	char *path;            /* the file as named */
	char *dir;             /* its directory, for relative names */
	char *default_profile; /* NULL when not set */
	struct jra_profile *profiles;
	size_t nprofiles;
};

#define JRA_CONFIG_INIT { NULL, NULL, NULL, NULL, 0 }

/*
 * The config file to read, newly allocated: explicit (from -c) when not
 * NULL, else $JRA_CONFIG, else $XDG_CONFIG_HOME/jra/config.yaml, else
 * ~/.config/jra/config.yaml.  *origin (may be NULL) says which, for
 * messages ("-c", "$JRA_CONFIG", ...).  JRA_ERR_CONFIG when none can be
 * named (no $HOME).
 */
int jra_config_path(const char *explicit_path, char **out, const char **origin,
		    struct jra_error *e);

/* Reads and checks the file at path into cfg (which must be JRA_CONFIG_INIT).
 * Errors read "path:line:column: key 'x': reason" with JRA_ERR_CONFIG. */
int jra_config_load(const char *path, struct jra_config *cfg, struct jra_error *e);

/* As jra_config_load, from text in memory; path names it in messages and
 * gives the directory that relative file names resolve against. */
int jra_config_parse(const char *text, size_t len, const char *path,
		     struct jra_config *cfg, struct jra_error *e);

/*
 * The profile to use: name (from -p) when not NULL, else $JRA_PROFILE,
 * else default_profile, else the only profile.  NULL and JRA_ERR_CONFIG
 * with the names on offer when there is no such profile or no way to choose.
 */
const struct jra_profile *jra_config_select(const struct jra_config *cfg, const char *name,
					    struct jra_error *e);

void jra_config_release(struct jra_config *cfg);

#endif
