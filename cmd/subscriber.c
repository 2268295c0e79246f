#include "cmds.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

static const char *const subscriber_usage[] = {
	"jra subscriber show ID...",
	"jra subscriber rotate-eab ID [--eab-out FILE]",
	NULL,
};

static const char *const subscriber_options[] = {
	N_("--eab-out FILE\twrite the new EAB credentials to FILE (new, mode 0600) instead of stdout"),
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help subscriber_help = {
	subscriber_usage,
	N_("Shows subscribers (本サービス利用者), or gives one new ACME External Account Binding\n"
	"credentials: the old kid stops working at once."),
	subscriber_options,
};

enum { OPT_EAB_OUT = 0x200 };

static const struct option subscriber_longopts[] = {
	{ "eab-out", required_argument, NULL, OPT_EAB_OUT },
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static int show_request(void *arg, const char *id, struct jra_request *req, struct jra_error *e)
{
	char *seg = jra_path_segment(id);

	(void)arg;
	(void)e;
	req->method = "GET";
	req->path = jra_xasprintf("/subscribers/%s", seg);
	free(seg);
	return 0;
}

static void show_show(void *arg, const char *id, json_t *res, int index)
{
	(void)arg;
	(void)id;
	if (index)
		putchar('\n');
	jra_show_object(stdout, res);
}

static int rotate(struct jra_ctx *ctx, const char *id, const char *eab_out)
{
	struct jra_error e = JRA_ERROR_INIT;
	json_t *res = NULL, *eab;
	char *seg, *path;
	int r, fd = -1, written = 0;

	if (eab_out && !ctx->dry_run && (fd = jra_eab_create(eab_out, &e)) < 0)
		return jra_report(&e);
	seg = jra_path_segment(id);
	path = jra_xasprintf("/subscribers/%s/eab", seg);
	free(seg);
	r = jra_client_call(ctx->client, "POST", path, NULL, &res, &e);
	free(path);
	if (r < 0) {
		jra_error_prefix(&e, _("cannot rotate the EAB credentials of '%s'"), id);
		goto out;
	}
	if (!res)
		goto out;
	eab = json_object_get(res, "eab");
	if (!json_is_object(eab)) {
		r = jra_error(&e, JRA_ERR_DATA, _("the CA's answer holds no EAB credentials"));
		goto out;
	}
	if (fd >= 0) {
		if ((r = jra_eab_write(fd, eab_out, eab, ctx->profile->acme_directory, &e)) < 0) {
			fputs(_("jra: the EAB credentials follow on stdout instead\n"), stderr);
			jra_out_json(stdout, eab, 0);
			goto out;
		}
		written = 1;
	}
	if (ctx->format == JRA_FORMAT_TABLE) {
		jra_show_object(stdout, res);
		jra_eab_print(stdout, eab, ctx->profile->acme_directory, NULL, fd < 0);
		if (written)
			printf(_("EAB credentials written to '%s'\n"), eab_out);
	} else {
		if (written)
			json_object_del(eab, "hmac_key");
		jra_out_json(stdout, res, ctx->format == JRA_FORMAT_JSONL);
	}
out:
	if (fd >= 0) {
		close(fd);
		if (!written)
			unlink(eab_out);
	}
	json_decref(res);
	return r < 0 ? jra_report(&e) : 0;
}

int cmd_subscriber(int argc, char **argv, struct jra_ctx *ctx)
{
	static const struct jra_column cols[] = {
		{ N_("ID"), "id" }, { N_("NAME"), "name" }, { N_("CUSTOMER REF"), "customer_ref" },
		{ N_("EAB KID"), "eab_kid" }, { N_("FQDNS"), "fqdns" },
	};
	struct jra_batch_ops ops;
	const char *mode, *eab_out = NULL;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+" JRA_COMMON_SHORT, subscriber_longopts,
				  NULL)) != -1) {
		if ((r = jra_common_option(ctx, &subscriber_help, opt, optarg)) != 0)
			return r > 0 ? 0 : r;
	}
	if (optind >= argc)
		return jra_usage_error(&subscriber_help, _("subscriber needs a mode: show or "
				       "rotate-eab"));
	mode = argv[optind];
	if (strcmp(mode, "show") && strcmp(mode, "rotate-eab"))
		return jra_usage_error(&subscriber_help, _("unknown subscriber mode '%s'"), mode);
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT, subscriber_longopts,
				  NULL)) != -1) {
		if (opt == OPT_EAB_OUT)
			eab_out = optarg;
		else if ((r = jra_common_option(ctx, &subscriber_help, opt, optarg)) != 0)
			return r > 0 ? 0 : r;
	}
	if (optind == argc)
		return jra_usage_error(&subscriber_help, _("subscriber %s needs a subscriber id"),
				       mode);
	if (!strcmp(mode, "rotate-eab")) {
		if (argc - optind != 1)
			return jra_usage_error(&subscriber_help, _("rotate-eab takes one subscriber id"));
		return rotate(ctx, argv[optind], eab_out);
	}
	if (eab_out)
		return jra_usage_error(&subscriber_help, _("--eab-out goes with rotate-eab"));
	memset(&ops, 0, sizeof(ops));
	ops.what = N_("show subscriber");
	ops.request = show_request;
	ops.show = show_show;
	ops.cols = cols;
	ops.ncols = sizeof(cols) / sizeof(cols[0]);
	return jra_run_batch(ctx, argc - optind, argv + optind, &ops);
}
