#include "cmds.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"

static const char *const config_usage[] = {
	"jra config check",
	NULL,
};

static const char *const config_options[] = {
	N_("-h, --help\tshow this help"),
	NULL,
};

static const struct jra_help config_help = {
	config_usage,
	N_("Checks the configuration step by step: the file, the profile, the key file and its\n"
	"permissions, the endpoint (TLS), and that the CA accepts the signature."),
	config_options,
};

static const struct option config_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void step_ok(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void step_ok(const char *step, const char *fmt, ...)
{
	va_list ap;

	printf("ok    %-14s ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int step_fail(const char *step, struct jra_error *e)
{
	printf(_("FAIL  %-14s see below\n"), step);
	fflush(stdout);
	return jra_report(e);
}

/* Whether the registrar's key list names key_id. */
static int has_key(json_t *reg, const char *key_id)
{
	json_t *k;
	size_t i;

	json_array_foreach(json_object_get(reg, "keys"), i, k)
		if (json_is_string(json_object_get(k, "keyid")) &&
		    !strcmp(json_string_value(json_object_get(k, "keyid")), key_id))
			return 1;
	return 0;
}

static int check(struct jra_ctx *ctx)
{
	struct jra_error e = JRA_ERROR_INIT;
	const struct jra_profile *p;
	struct jra_client_opts o;
	const char *origin = NULL, *keyfile, *id;
	json_t *reg = NULL;
	char *path = NULL;
	struct stat st;
	int r;

	if ((r = jra_config_path(ctx->config_arg, &path, &origin, &e)) < 0)
		return step_fail("config file", &e);
	r = jra_config_load(path, &ctx->cfg, &e);
	if (r < 0) {
		free(path);
		return step_fail("config file", &e);
	}
	step_ok("config file", _("%s (from %s)"), path, origin);
	free(path);
	if (!(p = ctx->profile = jra_config_select(&ctx->cfg, ctx->profile_arg, &e)))
		return step_fail("profile", &e);
	step_ok("profile", _("%s: registrar %s, key %s (%s)"), p->name, p->registrar, p->key_id,
		jra_alg_name(p->alg));
	keyfile = p->key_file ? p->key_file : p->secret_file;
	if ((r = jra_key_load_file(keyfile, p->alg, &ctx->key, &e)) < 0)
		return step_fail("key file", &e);
	if (stat(keyfile, &st) == 0)
		step_ok("key file", _("%s (mode %04o, %s)"), keyfile, (unsigned)(st.st_mode & 07777),
			jra_alg_name(p->alg));
	else
		step_ok("key file", "%s (%s)", keyfile, jra_alg_name(p->alg));
	memset(&o, 0, sizeof(o));
	o.endpoint = p->endpoint;
	o.ca_file = p->ca_file;
	o.key = ctx->key;
	o.key_id = p->key_id;
	o.auth.registrar = p->registrar;
	o.auth.key_id = p->key_id;
	o.auth.key_file = keyfile;
	o.timeout = ctx->timeout > 0 ? ctx->timeout : p->timeout;
	/* a check reports what it finds at once; it does not wait out retries */
	o.retries = ctx->retries >= 0 ? ctx->retries : 0;
	o.verbose = ctx->verbose;
	o.log = stderr;
	if ((r = jra_client_new(&o, &ctx->client, &e)) < 0)
		return step_fail("endpoint", &e);
	r = jra_client_call(ctx->client, "GET", "/registrar", NULL, &reg, &e);
	if (jra_client_last_status(ctx->client) == 0)
		return step_fail("endpoint", &e);
	step_ok("endpoint", _("%s answers over verified TLS%s%s"), p->endpoint,
		p->ca_file ? _(", CA ") : "", p->ca_file ? p->ca_file : "");
	if (r < 0)
		return step_fail("signature", &e);
	id = json_string_value(json_object_get(reg, "id"));
	if (!id || strcmp(id, p->registrar)) {
		jra_error(&e, JRA_ERR_CONFIG, _("the key signs for registrar '%s', but the profile "
			  "says '%s'"), id ? id : "?", p->registrar);
		jra_error_hint(&e, _("set 'registrar: %s' in profile '%s'"), id ? id : "?", p->name);
		json_decref(reg);
		return step_fail("signature", &e);
	}
	step_ok("signature", _("accepted: registrar %s%s%s%s"), id,
		json_is_string(json_object_get(reg, "name")) ? " (" : "",
		json_is_string(json_object_get(reg, "name")) ?
		json_string_value(json_object_get(reg, "name")) : "",
		json_is_string(json_object_get(reg, "name")) ? ")" : "");
	if (!has_key(reg, p->key_id))
		printf(_("note  %-14s the CA's key list does not name '%s'\n"), "signature",
		       p->key_id);
	if (json_is_true(json_object_get(reg, "suspended")))
		printf(_("note  %-14s the registrar is suspended (terms §10.6)\n"), "registrar");
	json_decref(reg);
	return 0;
}

int cmd_config(int argc, char **argv, struct jra_ctx *ctx)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "+h", config_longopts, NULL)) != -1) {
		if (opt == 'h') {
			jra_help_print(stdout, &config_help);
			return 0;
		}
		return jra_common_option(ctx, &config_help, opt, optarg);
	}
	if (optind >= argc)
		return jra_usage_error(&config_help, _("config needs a mode: check"));
	if (strcmp(argv[optind], "check"))
		return jra_usage_error(&config_help, _("unknown config mode '%s'"), argv[optind]);
	/* "jra config check --help" helps, as every other command's --help does */
	for (int i = optind + 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			jra_help_print(stdout, &config_help);
			return 0;
		}
	}
	if (optind + 1 != argc)
		return jra_usage_error(&config_help, _("config check takes no arguments"));
	return check(ctx);
}
