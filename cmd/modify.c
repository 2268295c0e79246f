#include "cmds.h"

#include <stdlib.h>
#include <string.h>

static const char *const modify_usage[] = {
	"jra modify FQDN... [--renewal-period 1m|1y] [--customer-ref REF]",
	"jra modify -f FILE|- [--renewal-period 1m|1y] [--customer-ref REF]",
	NULL,
};

static const char *const modify_options[] = {
	N_("--renewal-period 1m|1y\tthe period each continuation runs for (terms §10.3)"),
	N_("--customer-ref REF\tyour own reference for the customer ('' clears it)"),
	JRA_BATCH_HELP,
	JRA_RESUME_HELP,
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help modify_help = {
	modify_usage,
	N_("Changes what an FQDN's service continues with (利用内容の変更)."),
	modify_options,
};

enum { OPT_RENEWAL = 0x200, OPT_REF };

static const struct option modify_longopts[] = {
	{ "renewal-period", required_argument, NULL, OPT_RENEWAL },
	{ "customer-ref", required_argument, NULL, OPT_REF },
	JRA_BATCH_OPTIONS,
	JRA_RESUME_OPTION,
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct change {
	const char *renewal_period;
	const char *customer_ref;
};

static int modify_request(void *arg, const char *fqdn, struct jra_request *req, struct jra_error *e)
{
	const struct change *c = arg;

	(void)e;
	req->method = "PATCH";
	req->path = jra_fqdn_path(fqdn, NULL);
	req->body = json_object();
	if (c->renewal_period)
		json_object_set_new(req->body, "renewal_period", json_string(c->renewal_period));
	if (c->customer_ref)
		json_object_set_new(req->body, "customer_ref", *c->customer_ref ?
				    json_string(c->customer_ref) : json_null());
	return 0;
}

static void modify_show(void *arg, const char *fqdn, json_t *res, int index)
{
	(void)arg;
	(void)fqdn;
	if (index)
		putchar('\n');
	jra_show_fqdn(stdout, res);
}

int cmd_modify(int argc, char **argv, struct jra_ctx *ctx)
{
	struct change c = { NULL, NULL };
	struct jra_batch_ops ops;
	int opt, r;

	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT JRA_BATCH_SHORT, modify_longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_RENEWAL: c.renewal_period = optarg; break;
		case OPT_REF: c.customer_ref = optarg; break;
		default:
			if ((r = jra_common_option(ctx, &modify_help, opt, optarg)) != 0)
				return r > 0 ? 0 : r;
		}
	}
	if (!c.renewal_period && !c.customer_ref)
		return jra_usage_error(&modify_help, _("modify needs --renewal-period or "
				       "--customer-ref"));
	if (c.renewal_period && strcmp(c.renewal_period, "1m") && strcmp(c.renewal_period, "1y"))
		return jra_usage_error(&modify_help, _("--renewal-period is 1m or 1y, not '%s'"),
				       c.renewal_period);
	if (optind == argc && !ctx->file)
		return jra_usage_error(&modify_help, _("modify needs FQDNs or -f FILE"));
	memset(&ops, 0, sizeof(ops));
	ops.quiet_ok = 1;
	ops.what = N_("modify");
	ops.fqdn_items = 1;
	ops.request = modify_request;
	ops.show = modify_show;
	ops.check = jra_check_fqdn;
	ops.arg = &c;
	ops.cols = jra_fqdn_columns;
	ops.ncols = jra_fqdn_ncolumns;
	return jra_run_batch(ctx, argc - optind, argv + optind, &ops);
}
