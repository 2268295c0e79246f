#include "cmds.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"

static const char *const revoke_usage[] = {
	"jra revoke --serial HEX [--serial HEX...] [--reason REASON] [--yes]",
	"jra revoke --fqdn FQDN [--serial HEX...] [--reason REASON] [--yes]",
	NULL,
};

static const char *const revoke_options[] = {
	N_("--serial HEX\ta certificate's serial number (repeatable)"),
	N_("--fqdn FQDN\tevery valid certificate of FQDN, or those given with --serial"),
	N_("--reason REASON\tunspecified (0, the default), keyCompromise (1), "
	"affiliationChanged (3), superseded (4), cessationOfOperation (5)"),
	N_("-y, --yes\tdo not ask; needed when stdin is not a terminal"),
	JRA_RESUME_HELP,
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help revoke_help = {
	revoke_usage,
	N_("Revokes certificates with a reason code a registrar may give (terms §11).\n"
	"A revocation cannot be undone."),
	revoke_options,
};

enum { OPT_SERIAL = 0x200, OPT_FQDN, OPT_REASON };

static const struct option revoke_longopts[] = {
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "yes", no_argument, NULL, 'y' },
	JRA_RESUME_OPTION,
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct reason {
	const char *name;
	int code;
	int allowed;   /* terms §11: the codes a registrar may give */
};

/* RFC 5280 section 5.3.1 CRLReason codes. */
static const struct reason reasons[] = {
	{ "unspecified", 0, 1 },
	{ "keyCompromise", 1, 1 },
	{ "cACompromise", 2, 0 },
	{ "affiliationChanged", 3, 1 },
	{ "superseded", 4, 1 },
	{ "cessationOfOperation", 5, 1 },
	{ "certificateHold", 6, 0 },
	{ "removeFromCRL", 8, 0 },
	{ "privilegeWithdrawn", 9, 0 },
	{ "aACompromise", 10, 0 },
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static const char *reason_name(int code)
{
	size_t i;

	for (i = 0; i < NREASONS; i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return "?";
}

/* The reason's code, or a usage error listing the allowed ones. */
static int parse_reason(const char *s, int *code)
{
	const struct reason *found = NULL;
	char *end;
	long n;
	size_t i;

	n = strtol(s, &end, 10);
	for (i = 0; i < NREASONS; i++)
		if ((*s && !*end && reasons[i].code == n) || !strcasecmp(s, reasons[i].name))
			found = &reasons[i];
	if (!found)
		return jra_usage_error(&revoke_help, _("unknown revocation reason '%s'; a registrar "
				       "may give unspecified (0), keyCompromise (1), "
				       "affiliationChanged (3), superseded (4), "
				       "cessationOfOperation (5)"), s);
	/* terms §11: 9 privilegeWithdrawn and the rest are not the registrar's */
	if (!found->allowed)
		return jra_usage_error(&revoke_help, _("reason %s (%d) is not one a registrar may "
				       "give (terms §11); allowed: unspecified (0), keyCompromise "
				       "(1), affiliationChanged (3), superseded (4), "
				       "cessationOfOperation (5)"), found->name, found->code);
	*code = found->code;
	return 0;
}

/* Serials on the wire: lower-case hex, no separators (contract §4). */
static int normalize_serial(const char *in, char **out, struct jra_error *e)
{
	struct jra_buf b = JRA_BUF_INIT;
	const char *p;

	for (p = in; *p; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((unsigned char)*p)) {
			jra_buf_release(&b);
			return jra_error(e, JRA_ERR_DATA, _("serial '%s' is not hexadecimal"), in);
		}
		jra_buf_addch(&b, (char)tolower((unsigned char)*p));
	}
	/* RFC 5280 section 4.1.2.2: at most 20 octets */
	if (b.len == 0 || b.len > 40) {
		jra_buf_release(&b);
		return jra_error(e, JRA_ERR_DATA, _("serial '%s' is not 1 to 20 octets of hex"), in);
	}
	*out = jra_buf_take(&b);
	return 0;
}

static int confirm(const char *what, int reason)
{
	char line[32];

	fprintf(stderr, _("Revoke %s with reason %s (%d)? This cannot be undone. [y/N] "), what,
		reason_name(reason), reason);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static void show_revoked(json_t *res)
{
	json_t *list = json_object_get(res, "revoked"), *it, *reason;
	size_t i;

	json_array_foreach(list, i, it) {
		reason = json_object_get(it, "revocation_reason");
		printf(_("%s revoked at %s, reason %s (%lld)\n"),
		       json_string_value(json_object_get(it, "serial")) ?
		       json_string_value(json_object_get(it, "serial")) : "?",
		       json_string_value(json_object_get(it, "revoked_at")) ?
		       json_string_value(json_object_get(it, "revoked_at")) : "?",
		       reason_name((int)json_integer_value(reason)),
		       (long long)json_integer_value(reason));
	}
	if (!json_array_size(list))
		printf(_("no valid certificate to revoke\n"));
}

struct by_serial {
	int reason;
};

static int serial_request(void *arg, const char *serial, struct jra_request *req,
			  struct jra_error *e)
{
	const struct by_serial *s = arg;
	char *seg = jra_path_segment(serial);

	(void)e;
	req->method = "POST";
	req->path = jra_xasprintf("/certificates/%s/revocation", seg);
	req->body = json_pack("{s:i}", "reason", s->reason);
	free(seg);
	return 0;
}

static void serial_show(void *arg, const char *serial, json_t *res, int index)
{
	(void)arg;
	(void)serial;
	(void)index;
	show_revoked(res);
}

static int revoke_fqdn(struct jra_ctx *ctx, const char *fqdn, char **serials, size_t n,
		       int reason)
{
	struct jra_error e = JRA_ERROR_INIT;
	json_t *body, *list, *res = NULL;
	char *path;
	size_t i;
	int r;

	body = json_pack("{s:i}", "reason", reason);
	if (n) {
		list = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(list, json_string(serials[i]));
		json_object_set_new(body, "serials", list);
	}
	path = jra_fqdn_path(fqdn, "/revocation");
	r = jra_client_call(ctx->client, "POST", path, body, &res, &e);
	free(path);
	json_decref(body);
	if (r == 0 && res)
		r = jra_check_revoked(res, &e);
	if (r < 0) {
		json_decref(res);
		jra_error_prefix(&e, _("cannot revoke certificates of '%s'"), fqdn);
		return jra_report(&e);
	}
	if (res && ctx->format == JRA_FORMAT_TABLE) {
		if (!ctx->quiet)
			show_revoked(res);
	} else if (res)
		jra_out_json(stdout, res, ctx->format == JRA_FORMAT_JSONL);
	json_decref(res);
	return 0;
}

int cmd_revoke(int argc, char **argv, struct jra_ctx *ctx)
{
	static const struct jra_column cols[] = { { N_("REVOKED"), "revoked" } };
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_batch_ops ops;
	struct by_serial bs;
	const char *fqdn_arg = NULL, *reason_arg = NULL;
	char **serials = NULL, *fqdn = NULL, *what;
	size_t nserials = 0, i;
	int opt, r = 0, yes = 0, reason = 0;

	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT "y", revoke_longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_SERIAL:
			serials = jra_xrealloc(serials, (nserials + 1) * sizeof(*serials));
			serials[nserials++] = optarg;
			break;
		case OPT_FQDN: fqdn_arg = optarg; break;
		case OPT_REASON: reason_arg = optarg; break;
		case 'y': yes = 1; break;
		default:
			if ((r = jra_common_option(ctx, &revoke_help, opt, optarg)) != 0) {
				free(serials);
				return r > 0 ? 0 : r;
			}
		}
	}
	if (optind != argc)
		r = jra_usage_error(&revoke_help, _("revoke takes no arguments; name certificates "
				    "with --serial or --fqdn"));
	else if (!fqdn_arg && !nserials)
		r = jra_usage_error(&revoke_help, _("revoke needs --serial HEX or --fqdn FQDN"));
	else if (reason_arg)
		r = parse_reason(reason_arg, &reason);
	if (r == 0 && !yes && !ctx->dry_run && !isatty(STDIN_FILENO))
		r = jra_usage_error(&revoke_help, _("revoking needs --yes when stdin is not a "
				    "terminal: a revocation cannot be undone"));
	if (r < 0) {
		free(serials);
		return r;
	}
	/* check everything before asking or sending anything */
	for (i = 0; i < nserials && r == 0; i++) {
		char *norm = NULL;

		if ((r = normalize_serial(serials[i], &norm, &e)) == 0)
			serials[i] = norm;
		else
			nserials = i;
	}
	if (r == 0 && fqdn_arg && !(fqdn = jra_fqdn_arg(fqdn_arg, &e)))
		r = e.code;
	if (r < 0) {
		r = jra_report(&e);
		goto out;
	}
	if (fqdn)
		what = nserials ? jra_xasprintf(_("%zu certificate(s) of %s"), nserials, fqdn) :
			jra_xasprintf(_("every valid certificate of %s"), fqdn);
	else
		what = jra_xasprintf(_("%zu certificate(s)"), nserials);
	if (!yes && !ctx->dry_run && !confirm(what, reason)) {
		fputs(_("jra: nothing revoked\n"), stderr);
		free(what);
		r = JRA_ERR_USAGE;
		goto out;
	}
	free(what);
	if (fqdn) {
		r = revoke_fqdn(ctx, fqdn, serials, nserials, reason);
		goto out;
	}
	bs.reason = reason;
	memset(&ops, 0, sizeof(ops));
	ops.quiet_ok = 1;
	ops.what = N_("revoke certificate");
	ops.request = serial_request;
	ops.show = serial_show;
	ops.check = jra_check_revoked;
	ops.arg = &bs;
	ops.cols = cols;
	ops.ncols = 1;
	r = jra_run_batch(ctx, (int)nserials, serials, &ops);
out:
	for (i = 0; i < nserials; i++)
		free(serials[i]);
	free(serials);
	free(fqdn);
	return r;
}
