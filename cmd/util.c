#include "cmds.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "fqdn.h"

void jra_help_print(FILE *fp, const struct jra_help *h)
{
	const char *const *l;
	const char *tab, *text;
	size_t i;

	for (i = 0, l = h->usage; *l; l++, i++)
		fprintf(fp, "%s %s\n", i ? _("   or:") : _("usage:"), *l);
	if (h->summary)
		fprintf(fp, "\n%s\n", _(h->summary));
	if (h->options && h->options[0]) {
		fputs(_("\noptions:\n"), fp);
		for (l = h->options; *l; l++) {
			tab = strchr(*l, '\t');
			/* the option as written, whatever the catalog says; its meaning translated */
			text = tab ? strchr(_(*l), '\t') : NULL;
			if (tab)
				fprintf(fp, "    %-28.*s %s\n", (int)(tab - *l), *l,
					text ? text + 1 : tab + 1);
			else
				fprintf(fp, "    %s\n", *l);
		}
	}
}

/* The usage lines alone, and where the rest is: what a mistyped command gets. */
static void print_usage(FILE *fp, const struct jra_help *h)
{
	const char *const *l;
	size_t i;

	for (i = 0, l = h->usage; *l; l++, i++)
		fprintf(fp, "%s %s\n", i ? _("   or:") : _("usage:"), *l);
	fputs(_("(--help shows every option)\n"), fp);
}

int jra_usage_error(const struct jra_help *h, const char *fmt, ...)
{
	va_list ap;

	fputs("jra: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr, h);
	return JRA_ERR_USAGE;
}

int jra_report(const struct jra_error *e)
{
	fprintf(stderr, "jra: %s\n", e->msg[0] ? e->msg : jra_err_name(e->code));
	if (e->hint[0])
		fprintf(stderr, _("hint: %s\n"), e->hint);
	return e->code;
}

static int number(const char *s, long min, long max, long *out)
{
	char *end;
	long n;

	n = strtol(s, &end, 10);
	if (!*s || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

int jra_common_option(struct jra_ctx *ctx, const struct jra_help *h, int opt,
		      const char *arg)
{
	long n;

	switch (opt) {
	case 'h':
		jra_help_print(stdout, h);
		return 1;
	case 'o':
		if (jra_format_parse(arg, &ctx->format) < 0)
			return jra_usage_error(h, _("unknown output format '%s' (expected table, "
					       "json, jsonl or csv)"), arg);
		return 0;
	case JRA_OPT_DRY_RUN:
		ctx->dry_run = 1;
		if (ctx->client)
			jra_client_set_dry_run(ctx->client, stdout);
		return 0;
	case JRA_OPT_RETRIES:
		if (number(arg, 0, JRA_MAX_RETRIES, &n) < 0)
			return jra_usage_error(h, _("--retries wants a number from 0 to %d, not '%s'"),
					       JRA_MAX_RETRIES, arg);
		ctx->retries = (int)n;
		if (ctx->client)
			jra_client_set_limits(ctx->client, 0, ctx->retries);
		return 0;
	case JRA_OPT_TIMEOUT:
		if (number(arg, 1, JRA_MAX_TIMEOUT, &n) < 0)
			return jra_usage_error(h, _("--timeout wants seconds from 1 to %d, not '%s'"),
					       JRA_MAX_TIMEOUT, arg);
		ctx->timeout = n;
		if (ctx->client)
			jra_client_set_limits(ctx->client, ctx->timeout, -1);
		return 0;
	case 'f':
		ctx->file = arg;
		return 0;
	case JRA_OPT_RESUME:
		ctx->resume = 1;
		return 0;
	case 'j':
		if (number(arg, 1, JRA_MAX_JOBS, &n) < 0)
			return jra_usage_error(h, _("--jobs wants a number from 1 to %d, not '%s'"),
					       JRA_MAX_JOBS, arg);
		ctx->jobs = (int)n;
		return 0;
	case ':':
	case '?':
	default:
		/* getopt_long has said what is wrong */
		print_usage(stderr, h);
		return JRA_ERR_USAGE;
	}
}

char *jra_fqdn_arg(const char *arg, struct jra_error *e)
{
	char *out = NULL;

	if (jra_fqdn_normalize(arg, &out, e) < 0)
		return NULL;
	return out;
}

char *jra_fqdn_path(const char *fqdn, const char *suffix)
{
	char *seg = jra_path_segment(fqdn);
	char *p = jra_xasprintf("/fqdns/%s%s", seg, suffix ? suffix : "");

	free(seg);
	return p;
}

int jra_want_string(json_t *obj, const char *what, const char *key, struct jra_error *e)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v) && json_string_length(v))
		return 0;
	jra_error(e, JRA_ERR_DATA, _("the CA's answer is not %s: it has no '%s' string"), _(what), key);
	return jra_error_hint(e, _("check that 'endpoint' in the profile is the CA's registrar API"));
}

int jra_check_fqdn(json_t *f, struct jra_error *e)
{
	int r;

	if ((r = jra_want_string(f, N_("an FQDN"), "fqdn", e)) < 0)
		return r;
	return jra_want_string(f, N_("an FQDN"), "state", e);
}

int jra_check_subscriber(json_t *s, struct jra_error *e)
{
	return jra_want_string(s, N_("a subscriber"), "id", e);
}

int jra_check_revoked(json_t *res, struct jra_error *e)
{
	if (json_is_array(json_object_get(res, "revoked")))
		return 0;
	jra_error(e, JRA_ERR_DATA, _("the CA's answer to a revocation has no 'revoked' list"));
	return jra_error_hint(e, _("check that 'endpoint' in the profile is the CA's registrar API"));
}

void jra_items_init(struct jra_items *it, int argc, char **argv, const char *file)
{
	memset(it, 0, sizeof(*it));
	it->argc = argc;
	it->argv = argv;
	it->file = file;
}

int jra_items_next(struct jra_items *it, const char **item, struct jra_error *e)
{
	int r;

	if (it->i < it->argc) {
		*item = it->argv[it->i++];
		return 1;
	}
	if (!it->file)
		return 0;
	if (!it->opened) {
		if ((r = jra_lines_open(&it->lines, it->file, e)) < 0)
			return r;
		it->opened = 1;
	}
	return jra_lines_next(&it->lines, item, e);
}

void jra_items_release(struct jra_items *it)
{
	if (it->opened)
		jra_lines_close(&it->lines);
	it->opened = 0;
}

void jra_tally_add(struct jra_tally *t, int r)
{
	if (r < 0) {
		t->failed++;
		t->code = r;
	} else {
		t->ok++;
	}
}

int jra_tally_result(const struct jra_tally *t)
{
	if (!t->failed)
		return 0;
	return t->ok ? JRA_ERR_PARTIAL : t->code;
}
