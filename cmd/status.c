#include "cmds.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const char *const status_usage[] = {
	"jra status FQDN...",
	"jra status -f FILE|-",
	"jra status --all [--state STATE] [--subscriber ID] [--ending-before DATE] [--ending-after DATE]",
	NULL,
};

static const char *const status_options[] = {
	N_("--all\tlist every FQDN of the registrar (with the filters below)"),
	N_("--state STATE\tapplied, active, cancel-pending or ended"),
	N_("--subscriber ID\tonly this subscriber's FQDNs"),
	N_("--ending-before DATE\tonly FQDNs whose end date is before DATE (YYYY-MM-DD)"),
	N_("--ending-after DATE\tonly FQDNs whose end date is after DATE (YYYY-MM-DD)"),
	JRA_BATCH_HELP,
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help status_help = {
	status_usage,
	N_("Shows the state of FQDNs: period, start and end dates, cancellation, transfer,\n"
	"covered names and certificates."),
	status_options,
};

enum { OPT_ALL = 0x200, OPT_STATE, OPT_SUBSCRIBER, OPT_END_BEFORE, OPT_END_AFTER };

static const struct option status_longopts[] = {
	{ "all", no_argument, NULL, OPT_ALL },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "subscriber", required_argument, NULL, OPT_SUBSCRIBER },
	{ "ending-before", required_argument, NULL, OPT_END_BEFORE },
	{ "ending-after", required_argument, NULL, OPT_END_AFTER },
	/* the API's own names (end_before, end_after), kept as aliases */
	{ "end-before", required_argument, NULL, OPT_END_BEFORE },
	{ "end-after", required_argument, NULL, OPT_END_AFTER },
	JRA_BATCH_OPTIONS,
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* The CA's list is paged; jra asks for the largest pages it allows. */
#define PAGE_LIMIT 1000

struct filter {
	const char *state, *subscriber, *end_before, *end_after;
};

static void add_query(struct jra_buf *b, const char *name, const char *value)
{
	char *v;

	if (!value)
		return;
	v = jra_path_segment(value);
	jra_buf_addf(b, "&%s=%s", name, v);
	free(v);
}

static int is_date(const char *s)
{
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	return s[10] == '\0';
}

static int list_all(struct jra_ctx *ctx, const struct filter *f, struct jra_error *e)
{
	struct jra_buf path = JRA_BUF_INIT;
	struct jra_out out;
	char *cursor = NULL;
	json_t *page = NULL, *items, *it, *next;
	size_t i;
	int r = 0;

	jra_out_init(&out, stdout, ctx->format, jra_fqdn_columns, jra_fqdn_ncolumns, 1);
	for (;;) {
		jra_buf_reset(&path);
		jra_buf_addf(&path, "/fqdns?limit=%d", PAGE_LIMIT);
		add_query(&path, "state", f->state);
		add_query(&path, "subscriber", f->subscriber);
		add_query(&path, "end_before", f->end_before);
		add_query(&path, "end_after", f->end_after);
		add_query(&path, "cursor", cursor);
		if ((r = jra_client_call(ctx->client, "GET", jra_buf_str(&path), NULL, &page, e)) < 0) {
			jra_error_prefix(e, _("cannot list FQDNs"));
			break;
		}
		if (!page)
			break;
		items = json_object_get(page, "items");
		if (!json_is_array(items)) {
			r = jra_error(e, JRA_ERR_DATA, _("the CA's list has no 'items' array"));
			break;
		}
		json_array_foreach(items, i, it)
			jra_out_add(&out, it);
		next = json_object_get(page, "next_cursor");
		if (!json_is_string(next) || !json_string_length(next))
			break;
		if (cursor && !strcmp(cursor, json_string_value(next))) {
			r = jra_error(e, JRA_ERR_DATA, _("the CA's list repeats its cursor '%s'"), cursor);
			break;
		}
		free(cursor);
		cursor = jra_xstrdup(json_string_value(next));
		json_decref(page);
		page = NULL;
	}
	jra_out_finish(&out);
	jra_out_release(&out);
	json_decref(page);
	free(cursor);
	jra_buf_release(&path);
	return r;
}

static int status_request(void *arg, const char *fqdn, struct jra_request *req,
			  struct jra_error *e)
{
	(void)arg;
	(void)e;
	req->method = "GET";
	req->path = jra_fqdn_path(fqdn, NULL);
	return 0;
}

static void status_show(void *arg, const char *fqdn, json_t *res, int index)
{
	(void)arg;
	(void)fqdn;
	if (index)
		putchar('\n');
	jra_show_fqdn(stdout, res);
}

int cmd_status(int argc, char **argv, struct jra_ctx *ctx)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_batch_ops ops;
	struct filter f = { NULL, NULL, NULL, NULL };
	int opt, r, all = 0;

	memset(&ops, 0, sizeof(ops));
	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT JRA_BATCH_SHORT, status_longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_ALL: all = 1; break;
		case OPT_STATE: f.state = optarg; break;
		case OPT_SUBSCRIBER: f.subscriber = optarg; break;
		case OPT_END_BEFORE: f.end_before = optarg; break;
		case OPT_END_AFTER: f.end_after = optarg; break;
		default:
			if ((r = jra_common_option(ctx, &status_help, opt, optarg)) != 0)
				return r > 0 ? 0 : r;
		}
	}
	argc -= optind;
	argv += optind;
	if (!all && (f.state || f.subscriber || f.end_before || f.end_after))
		return jra_usage_error(&status_help, _("--state, --subscriber, --ending-before and "
				       "--ending-after filter --all"));
	if (all && (argc || ctx->file))
		return jra_usage_error(&status_help, _("--all lists every FQDN; it takes no FQDN "
				       "and no -f"));
	if (!all && !argc && !ctx->file)
		return jra_usage_error(&status_help, _("status needs FQDNs, -f FILE or --all"));
	if (f.state && strcmp(f.state, "applied") && strcmp(f.state, "active") &&
	    strcmp(f.state, "cancel-pending") && strcmp(f.state, "ended"))
		return jra_usage_error(&status_help, _("--state is applied, active, cancel-pending "
				       "or ended, not '%s'"), f.state);
	if ((f.end_before && !is_date(f.end_before)) || (f.end_after && !is_date(f.end_after)))
		return jra_usage_error(&status_help, _("dates are written YYYY-MM-DD"));
	if (all)
		return list_all(ctx, &f, &e) < 0 ? jra_report(&e) : 0;

	ops.what = N_("get the status of");
	ops.fqdn_items = 1;
	ops.request = status_request;
	ops.show = status_show;
	ops.check = jra_check_fqdn;
	ops.cols = jra_fqdn_columns;
	ops.ncols = jra_fqdn_ncolumns;
	return jra_run_batch(ctx, argc, argv, &ops);
}
