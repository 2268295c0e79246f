#include "cmds.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const cancel_usage[] = {
	"jra cancel FQDN... [--yes]",
	"jra cancel -f FILE|- [--yes]",
	NULL,
};

static const char *const withdraw_usage[] = {
	"jra withdraw-cancel FQDN...",
	"jra withdraw-cancel -f FILE|-",
	NULL,
};

static const char *const cancel_options[] = {
	N_("-y, --yes\tdo not ask before cancelling more than one FQDN; needed then when stdin "
	   "is not a terminal"),
	JRA_BATCH_HELP,
	JRA_RESUME_HELP,
	JRA_COMMON_HELP,
	NULL,
};

static const char *const withdraw_options[] = {
	JRA_BATCH_HELP,
	JRA_RESUME_HELP,
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help cancel_help = {
	cancel_usage,
	N_("Files the cancellation of FQDNs: the service ends at the end of the end date\n"
	"(terms §10.4); an FQDN whose usage has not started ends at once."),
	cancel_options,
};

static const struct jra_help withdraw_help = {
	withdraw_usage,
	N_("Withdraws the cancellation of FQDNs, possible until their end date (terms §10.4):\n"
	"the service then continues with the renewal period."),
	withdraw_options,
};

enum { OPT_YES = 'y' };

static const struct option cancel_longopts[] = {
	{ "yes", no_argument, NULL, OPT_YES },
	JRA_BATCH_OPTIONS,
	JRA_RESUME_OPTION,
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static const struct option withdraw_longopts[] = {
	JRA_BATCH_OPTIONS,
	JRA_RESUME_OPTION,
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

struct mode {
	int withdraw;
};

static int cancel_request(void *arg, const char *fqdn, struct jra_request *req, struct jra_error *e)
{
	const struct mode *m = arg;

	(void)e;
	req->method = m->withdraw ? "DELETE" : "POST";
	req->path = jra_fqdn_path(fqdn, "/cancellation");
	return 0;
}

/* terms §10.4: say when the service ends, or that it goes on */
static void cancel_show(void *arg, const char *fqdn, json_t *res, int index)
{
	const char *state = str(res, "state"), *end = str(res, "end_date");
	const char *renewal = str(res, "renewal_period"), *reason = str(res, "end_reason");
	const struct mode *m = arg;

	(void)index;
	if (m->withdraw) {
		if (end)
			printf(_("%s: cancellation withdrawn; the service continues: the period ends "
			       "%s (JST) and renews for %s\n"), fqdn, end, renewal ? renewal : "?");
		else
			printf(_("%s: cancellation withdrawn; the service continues\n"), fqdn);
	} else if (state && !strcmp(state, "ended")) {
		printf(_("%s: ended at once (%s): its usage had not started\n"), fqdn,
		       reason ? reason : "ended");
	} else if (end) {
		printf(_("%s: cancellation filed; the service ends at the end of %s (JST)\n"), fqdn,
		       end);
	} else {
		printf(_("%s: cancellation filed (state %s)\n"), fqdn, state ? state : "?");
	}
}

/*
 * A cancellation of many FQDNs is asked for on a terminal, like git's
 * "clean" without -f: one slip in a list ends the service of customers.
 */
static int confirm_many(int nargs, const char *file)
{
	char line[32];

	if (file)
		fprintf(stderr, _("Cancel the service of every FQDN listed in '%s'? [y/N] "),
			strcmp(file, "-") ? file : _("standard input"));
	else
		fprintf(stderr, _("Cancel the service of %d FQDNs? [y/N] "), nargs);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int run(int argc, char **argv, struct jra_ctx *ctx, int withdraw)
{
	const struct jra_help *h = withdraw ? &withdraw_help : &cancel_help;
	struct mode m = { withdraw };
	struct jra_batch_ops ops;
	int opt, r, yes = 0, many;

	while ((opt = getopt_long(argc, argv, withdraw ? JRA_COMMON_SHORT JRA_BATCH_SHORT :
				  "y" JRA_COMMON_SHORT JRA_BATCH_SHORT,
				  withdraw ? withdraw_longopts : cancel_longopts, NULL)) != -1) {
		if (opt == OPT_YES && !withdraw) {
			yes = 1;
			continue;
		}
		if ((r = jra_common_option(ctx, h, opt, optarg)) != 0)
			return r > 0 ? 0 : r;
	}
	if (optind == argc && !ctx->file)
		return jra_usage_error(h, _("%s needs FQDNs or -f FILE"),
				       withdraw ? "withdraw-cancel" : "cancel");
	many = argc - optind > 1 || ctx->file;
	if (!withdraw && many && !yes && !ctx->dry_run) {
		if ((ctx->file && !strcmp(ctx->file, "-")) || !isatty(STDIN_FILENO))
			return jra_usage_error(h, _("cancelling more than one FQDN needs --yes when "
					       "stdin is not a terminal"));
		if (!confirm_many(argc - optind, ctx->file)) {
			fputs(_("jra: nothing cancelled\n"), stderr);
			return JRA_ERR_USAGE;
		}
	}
	memset(&ops, 0, sizeof(ops));
	ops.quiet_ok = 1;
	ops.what = withdraw ? N_("withdraw the cancellation of") : N_("cancel");
	ops.fqdn_items = 1;
	ops.request = cancel_request;
	ops.show = cancel_show;
	ops.check = jra_check_fqdn;
	ops.arg = &m;
	ops.cols = jra_fqdn_columns;
	ops.ncols = jra_fqdn_ncolumns;
	return jra_run_batch(ctx, argc - optind, argv + optind, &ops);
}

int cmd_cancel(int argc, char **argv, struct jra_ctx *ctx)
{
	return run(argc, argv, ctx, 0);
}

int cmd_withdraw_cancel(int argc, char **argv, struct jra_ctx *ctx)
{
	return run(argc, argv, ctx, 1);
}
