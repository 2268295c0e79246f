#include "cmds.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

static const char *const subscriber_usage[] = {
	"jra subscriber create NAME [--customer-ref REF] [--eab-out FILE]",
	"jra subscriber show ID...",
	"jra subscriber rotate-eab ID [--eab-out FILE]",
	NULL,
};

static const char *const subscriber_options[] = {
	N_("--customer-ref REF\tcreate: your own reference for the customer"),
	N_("--eab-out FILE\twrite the new EAB credentials to FILE (new, mode 0600) instead of stdout"),
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help subscriber_help = {
	subscriber_usage,
	N_("Creates a subscriber (本サービス利用者) and prints its ACME External Account Binding\n"
	"credentials once, shows subscribers, or gives one new credentials: the old kid stops\n"
	"working at once."),
	subscriber_options,
};

enum { OPT_EAB_OUT = 0x200, OPT_REF };

static const struct option subscriber_longopts[] = {
	{ "eab-out", required_argument, NULL, OPT_EAB_OUT },
	{ "customer-ref", required_argument, NULL, OPT_REF },
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

/*
 * A change whose answer is a subscriber with new EAB credentials (create,
 * rotate-eab): they are printed once, or written to a new 0600 file.
 * A POST: jra_client_call() gives it an Idempotency-Key and retries with it.
 * with_dir: json output names the ACME directory in "eab", as apply's does.
 */
static int eab_change(struct jra_ctx *ctx, const char *path, json_t *body, const char *eab_out,
		      int with_dir, struct jra_error *e)
{
	const char *directory = ctx->profile->acme_directory;
	json_t *res = NULL, *eab;
	int r, fd = -1, written = 0;

	/* created before asking the CA, so the only copy of the key has a home */
	if (eab_out && !ctx->dry_run && (fd = jra_eab_create(eab_out, e)) < 0)
		return fd;
	if ((r = jra_client_call(ctx->client, "POST", path, body, &res, e)) < 0 || !res)
		goto out;
	eab = json_object_get(res, "eab");
	if (!json_is_object(eab)) {
		r = jra_error(e, JRA_ERR_DATA, _("the CA's answer holds no EAB credentials"));
		goto out;
	}
	if (fd >= 0) {
		if ((r = jra_eab_write(fd, eab_out, eab, directory, e)) < 0) {
			/* the only copy: rather on the terminal than lost */
			fputs(_("jra: the EAB credentials follow on stdout instead\n"), stderr);
			jra_out_json(stdout, eab, 0);
			goto out;
		}
		written = 1;
	}
	if (ctx->format == JRA_FORMAT_TABLE) {
		/* the credentials follow on their own, the key only when not in a file */
		json_incref(eab);
		json_object_del(res, "eab");
		jra_show_object(stdout, res);
		jra_eab_print(stdout, eab, directory, NULL, fd < 0);
		json_decref(eab);
		if (written)
			printf(_("EAB credentials written to '%s'\n"), eab_out);
	} else {
		if (written)
			json_object_del(eab, "hmac_key");
		if (with_dir && directory)
			json_object_set_new(eab, "directory_url", json_string(directory));
		jra_out_json(stdout, res, ctx->format == JRA_FORMAT_JSONL);
	}
out:
	if (fd >= 0) {
		close(fd);
		if (!written)
			unlink(eab_out);
	}
	json_decref(res);
	return r;
}

static int rotate(struct jra_ctx *ctx, const char *id, const char *eab_out)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *seg, *path;
	int r;

	seg = jra_path_segment(id);
	path = jra_xasprintf("/subscribers/%s/eab", seg);
	free(seg);
	r = eab_change(ctx, path, NULL, eab_out, 0, &e);
	free(path);
	if (r < 0) {
		jra_error_prefix(&e, _("cannot rotate the EAB credentials of '%s'"), id);
		return jra_report(&e);
	}
	return 0;
}

/* contract §6: POST /subscribers {"name", "customer_ref"?} */
static int create(struct jra_ctx *ctx, const char *name, const char *customer_ref,
		  const char *eab_out)
{
	struct jra_error e = JRA_ERROR_INIT;
	json_t *body;
	int r;

	body = json_pack("{s:s}", "name", name);
	if (customer_ref)
		json_object_set_new(body, "customer_ref", json_string(customer_ref));
	r = eab_change(ctx, "/subscribers", body, eab_out, 1, &e);
	json_decref(body);
	if (r < 0) {
		jra_error_prefix(&e, _("cannot create the subscriber '%s'"), name);
		return jra_report(&e);
	}
	return 0;
}

int cmd_subscriber(int argc, char **argv, struct jra_ctx *ctx)
{
	static const struct jra_column cols[] = {
		{ N_("ID"), "id" }, { N_("NAME"), "name" }, { N_("CUSTOMER REF"), "customer_ref" },
		{ N_("EAB KID"), "eab_kid" }, { N_("FQDNS"), "fqdns" },
	};
	struct jra_batch_ops ops;
	const char *mode, *eab_out = NULL, *customer_ref = NULL;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+" JRA_COMMON_SHORT, subscriber_longopts,
				  NULL)) != -1) {
		if ((r = jra_common_option(ctx, &subscriber_help, opt, optarg)) != 0)
			return r > 0 ? 0 : r;
	}
	if (optind >= argc)
		return jra_usage_error(&subscriber_help, _("subscriber needs a mode: create, show "
				       "or rotate-eab"));
	mode = argv[optind];
	if (strcmp(mode, "create") && strcmp(mode, "show") && strcmp(mode, "rotate-eab"))
		return jra_usage_error(&subscriber_help, _("unknown subscriber mode '%s'"), mode);
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT, subscriber_longopts,
				  NULL)) != -1) {
		if (opt == OPT_EAB_OUT)
			eab_out = optarg;
		else if (opt == OPT_REF)
			customer_ref = optarg;
		else if ((r = jra_common_option(ctx, &subscriber_help, opt, optarg)) != 0)
			return r > 0 ? 0 : r;
	}
	if (!strcmp(mode, "create")) {
		if (argc - optind != 1 || !*argv[optind])
			return jra_usage_error(&subscriber_help, _("subscriber create takes one "
					       "non-empty name"));
		return create(ctx, argv[optind], customer_ref, eab_out);
	}
	if (customer_ref)
		return jra_usage_error(&subscriber_help, _("--customer-ref goes with create"));
	if (optind == argc)
		return jra_usage_error(&subscriber_help, _("subscriber %s needs a subscriber id"),
				       mode);
	if (!strcmp(mode, "rotate-eab")) {
		if (argc - optind != 1)
			return jra_usage_error(&subscriber_help, _("rotate-eab takes one subscriber id"));
		return rotate(ctx, argv[optind], eab_out);
	}
	if (eab_out)
		return jra_usage_error(&subscriber_help, _("--eab-out goes with create and "
				       "rotate-eab"));
	memset(&ops, 0, sizeof(ops));
	ops.what = N_("show subscriber");
	ops.request = show_request;
	ops.show = show_show;
	ops.check = jra_check_subscriber;
	ops.cols = cols;
	ops.ncols = sizeof(cols) / sizeof(cols[0]);
	return jra_run_batch(ctx, argc - optind, argv + optind, &ops);
}
