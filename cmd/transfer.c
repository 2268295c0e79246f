#include "cmds.h"

#include <stdlib.h>
#include <string.h>

static const char *const transfer_usage[] = {
	"jra transfer code FQDN",
	"jra transfer request FQDN --code CODE [--subscriber ID]",
	"jra transfer approve|reject FQDN...",
	"jra transfer cancel FQDN...",
	"jra transfer status FQDN...",
	NULL,
};

static const char *const transfer_options[] = {
	N_("--code CODE\tthe transfer code the losing registrar gave you"),
	N_("--subscriber ID\tyour subscriber that receives the FQDN (else a new one)"),
	JRA_BATCH_HELP,
	JRA_RESUME_HELP,
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help transfer_help = {
	transfer_usage,
	N_("Changes the managing registrar of an FQDN.  The losing registrar issues a code\n"
	"(valid 14 days); the gaining registrar requests the transfer with it; the losing\n"
	"registrar approves or rejects, or it is approved automatically after 5 days."),
	transfer_options,
};

enum { OPT_CODE = 0x200, OPT_SUBSCRIBER };

static const struct option transfer_longopts[] = {
	{ "code", required_argument, NULL, OPT_CODE },
	{ "subscriber", required_argument, NULL, OPT_SUBSCRIBER },
	JRA_BATCH_OPTIONS,
	JRA_RESUME_OPTION,
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct mode {
	const char *name;
	const char *method;
	const char *suffix;
	int single;       /* takes exactly one FQDN */
	const char *done; /* what the table output says happened */
	int (*check)(json_t *res, struct jra_error *e);
};

static int check_code(json_t *res, struct jra_error *e)
{
	return jra_want_string(res, N_("a transfer code"), "code", e);
}

static int check_transfer(json_t *res, struct jra_error *e)
{
	return jra_want_string(res, N_("a transfer"), "state", e);
}

static const struct mode modes[] = {
	{ "approve", "POST", "/transfer/approve", 0, N_("transfer approved"), jra_check_fqdn },
	{ "cancel", "DELETE", "/transfer", 0, N_("transfer request cancelled"), NULL },
	{ "code", "POST", "/transfer-code", 1, NULL, check_code },
	{ "reject", "POST", "/transfer/reject", 0, N_("transfer rejected"), jra_check_fqdn },
	{ "request", "POST", "/transfer", 1, NULL, check_transfer },
	{ "status", "GET", "/transfer", 0, NULL, check_transfer },
};

struct run {
	const struct mode *mode;
	const char *code;
	const char *subscriber;
};

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int transfer_request(void *arg, const char *fqdn, struct jra_request *req,
			    struct jra_error *e)
{
	const struct run *run = arg;

	(void)e;
	req->method = run->mode->method;
	req->path = jra_fqdn_path(fqdn, run->mode->suffix);
	if (!strcmp(run->mode->name, "request")) {
		req->body = json_pack("{s:s}", "code", run->code);
		if (run->subscriber)
			json_object_set_new(req->body, "subscriber", json_string(run->subscriber));
	}
	return 0;
}

static void transfer_show(void *arg, const char *fqdn, json_t *res, int index)
{
	const struct run *run = arg;
	const char *name = run->mode->name;

	if (index)
		putchar('\n');
	if (!strcmp(name, "code")) {
		printf(_("%s: transfer code %s, valid until %s\n"), fqdn,
		       str(res, "code") ? str(res, "code") : "?",
		       str(res, "expires_at") ? str(res, "expires_at") : "?");
		printf(_("give it to the gaining registrar; it can be used once\n"));
	} else if (!strcmp(name, "request")) {
		printf(_("%s: transfer requested (%s); approved automatically at %s unless the "
		       "losing registrar answers\n"), fqdn, str(res, "state") ? str(res, "state") :
		       "pending", str(res, "auto_approve_at") ? str(res, "auto_approve_at") : "?");
	} else if (!strcmp(name, "status")) {
		jra_out_field(stdout, 16, _("fqdn"), fqdn);
		jra_show_object(stdout, res);
	} else {
		printf("%s: %s\n", fqdn, _(run->mode->done));
	}
}

int cmd_transfer(int argc, char **argv, struct jra_ctx *ctx)
{
	static const struct jra_column cols[] = {
		{ N_("STATE"), "state" }, { N_("LOSING"), "losing_registrar" },
		{ N_("GAINING"), "gaining_registrar" }, { N_("REQUESTED"), "requested_at" },
		{ N_("AUTO APPROVE"), "auto_approve_at" }, { N_("CODE"), "code" },
		{ N_("EXPIRES"), "expires_at" },
	};
	struct run run = { NULL, NULL, NULL };
	struct jra_batch_ops ops;
	size_t i;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+" JRA_COMMON_SHORT JRA_BATCH_SHORT,
				  transfer_longopts, NULL)) != -1) {
		if ((r = jra_common_option(ctx, &transfer_help, opt, optarg)) != 0)
			return r > 0 ? 0 : r;
	}
	if (optind >= argc)
		return jra_usage_error(&transfer_help, _("transfer needs a mode: code, request, "
				       "approve, reject, cancel or status"));
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[optind], modes[i].name))
			run.mode = &modes[i];
	if (!run.mode)
		return jra_usage_error(&transfer_help, _("unknown transfer mode '%s'"), argv[optind]);
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT JRA_BATCH_SHORT,
				  transfer_longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_CODE: run.code = optarg; break;
		case OPT_SUBSCRIBER: run.subscriber = optarg; break;
		default:
			if ((r = jra_common_option(ctx, &transfer_help, opt, optarg)) != 0)
				return r > 0 ? 0 : r;
		}
	}
	if ((run.code || run.subscriber) && strcmp(run.mode->name, "request"))
		return jra_usage_error(&transfer_help, _("--code and --subscriber go with "
				       "'transfer request'"));
	if (!strcmp(run.mode->name, "request") && !run.code)
		return jra_usage_error(&transfer_help, _("transfer request needs --code CODE"));
	if (run.mode->single && (argc - optind != 1 || ctx->file))
		return jra_usage_error(&transfer_help, _("transfer %s takes one FQDN"),
				       run.mode->name);
	if (optind == argc && !ctx->file)
		return jra_usage_error(&transfer_help, _("transfer %s needs FQDNs or -f FILE"),
				       run.mode->name);
	memset(&ops, 0, sizeof(ops));
	ops.quiet_ok = run.mode->done != NULL;
	ops.what = N_("transfer");
	ops.fqdn_items = 1;
	ops.request = transfer_request;
	ops.show = transfer_show;
	ops.check = run.mode->check;
	ops.arg = &run;
	ops.cols = cols;
	ops.ncols = sizeof(cols) / sizeof(cols[0]);
	return jra_run_batch(ctx, argc - optind, argv + optind, &ops);
}
