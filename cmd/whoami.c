#include "cmds.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const char *const whoami_usage[] = {
	"jra whoami",
	NULL,
};

static const char *const whoami_options[] = {
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help whoami_help = {
	whoami_usage,
	N_("Shows the registrar the profile signs for: its id, name, suspension and keys."),
	whoami_options,
};

static const struct option whoami_longopts[] = {
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void show_registrar(FILE *fp, json_t *reg, const char *key_id)
{
	json_t *keys = json_object_get(reg, "keys"), *k, *suspended;
	const char *kid, *alg;
	char *line;
	size_t i;

	jra_out_field(fp, 16, _("registrar"), json_string_value(json_object_get(reg, "id")));
	jra_out_field(fp, 16, _("name"), json_string_value(json_object_get(reg, "name")));
	suspended = json_object_get(reg, "suspended");
	/* terms §10.6 */
	jra_out_field(fp, 16, _("suspended"), json_is_true(suspended) ?
		      _("yes: no applications, no new usage starts") : _("no"));
	json_array_foreach(keys, i, k) {
		kid = json_string_value(json_object_get(k, "keyid"));
		alg = json_string_value(json_object_get(k, "alg"));
		line = jra_xasprintf("%s (%s)%s", kid ? kid : "?", alg ? alg : "?",
				     kid && key_id && !strcmp(kid, key_id) ? _(", this profile's") : "");
		jra_out_field(fp, 16, i ? "" : _("keys"), line);
		free(line);
	}
}

int cmd_whoami(int argc, char **argv, struct jra_ctx *ctx)
{
	struct jra_error e = JRA_ERROR_INIT;
	json_t *reg = NULL;
	int opt, r;

	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT, whoami_longopts, NULL)) != -1) {
		if ((r = jra_common_option(ctx, &whoami_help, opt, optarg)) != 0)
			return r > 0 ? 0 : r;
	}
	if (optind != argc)
		return jra_usage_error(&whoami_help, _("whoami takes no arguments"));
	if ((r = jra_client_call(ctx->client, "GET", "/registrar", NULL, &reg, &e)) < 0) {
		jra_error_prefix(&e, _("cannot read the registrar"));
		return jra_report(&e);
	}
	if (!reg)
		return 0;
	if (jra_want_string(reg, N_("a registrar"), "id", &e) < 0) {
		json_decref(reg);
		jra_error_prefix(&e, _("cannot read the registrar"));
		return jra_report(&e);
	}
	if (ctx->format == JRA_FORMAT_TABLE) {
		show_registrar(stdout, reg, ctx->profile->key_id);
	} else if (ctx->format == JRA_FORMAT_CSV) {
		static const struct jra_column cols[] = {
			{ N_("ID"), "id" }, { N_("NAME"), "name" }, { N_("SUSPENDED"), "suspended" },
		};
		struct jra_out out;

		jra_out_init(&out, stdout, ctx->format, cols, 3, 0);
		jra_out_add(&out, reg);
		jra_out_finish(&out);
		jra_out_release(&out);
	} else
		jra_out_json(stdout, reg, ctx->format == JRA_FORMAT_JSONL);
	json_decref(reg);
	return 0;
}
