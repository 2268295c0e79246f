#include "cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fqdn.h"

static const char *const apply_usage[] = {
	"jra apply FQDN --period 1m|1y --agree-terms [--subscriber ID | --subscriber-name NAME] "
	"[--customer-ref REF] [--eab-out FILE]",
	"jra apply FQDN...|-f FILE|- --period 1m|1y --agree-terms --subscriber ID "
	"[--customer-ref REF]",
	"jra apply --show-eab-usage FILE",
	NULL,
};

static const char *const apply_options[] = {
	N_("--period 1m|1y\tthe first period: one month or one year (terms §10.2)"),
	N_("--agree-terms\tconfirm that the subscriber agreed to the current terms"),
	N_("--subscriber ID\tadd the FQDN to this existing subscriber"),
	N_("--subscriber-name NAME\tname of the new subscriber (when --subscriber is not given)"),
	N_("--customer-ref REF\tyour own reference for the customer"),
	N_("--eab-out FILE\twrite the EAB credentials to FILE (new, mode 0600) instead of stdout"),
	N_("--show-eab-usage FILE\tprint the credentials in FILE and how ACME clients register with them"),
	JRA_BATCH_HELP,
	JRA_RESUME_HELP,
	JRA_COMMON_HELP,
	NULL,
};

static const struct jra_help apply_help = {
	apply_usage,
	N_("Applies for an FQDN and prints the ACME External Account Binding credentials of a new\n"
	"subscriber, once: the CA does not show the hmac_key again.  Many FQDNs go to one\n"
	"existing subscriber (see 'jra subscriber create')."),
	apply_options,
};

enum { OPT_PERIOD = 0x200, OPT_AGREE, OPT_SUBSCRIBER, OPT_SUBSCRIBER_NAME, OPT_REF, OPT_EAB_OUT,
       OPT_SHOW_EAB_USAGE };

static const struct option apply_longopts[] = {
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "agree-terms", no_argument, NULL, OPT_AGREE },
	{ "subscriber", required_argument, NULL, OPT_SUBSCRIBER },
	{ "subscriber-name", required_argument, NULL, OPT_SUBSCRIBER_NAME },
	{ "customer-ref", required_argument, NULL, OPT_REF },
	{ "eab-out", required_argument, NULL, OPT_EAB_OUT },
	{ "show-eab-usage", required_argument, NULL, OPT_SHOW_EAB_USAGE },
	JRA_BATCH_OPTIONS,
	JRA_RESUME_OPTION,
	JRA_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct apply_opts {
	const char *period;
	int agree;
	const char *subscriber;
	const char *subscriber_name;
	const char *customer_ref;
	const char *eab_out;
	const char *show_eab_usage;
};

/* What each application of a batch carries. */
struct batch_apply {
	const struct apply_opts *o;
	json_t *version;  /* of the terms agreed to */
};

/* contract §6: POST /fqdns names the version of the terms agreed to */
static int batch_request(void *arg, const char *fqdn, struct jra_request *req,
			 struct jra_error *e)
{
	const struct batch_apply *ba = arg;

	(void)e;
	req->method = "POST";
	req->path = jra_xstrdup("/fqdns");
	req->body = json_pack("{s:s, s:s, s:O, s:s}", "fqdn", fqdn, "period", ba->o->period,
			      "agreed_terms_version", ba->version, "subscriber",
			      ba->o->subscriber);
	if (ba->o->customer_ref)
		json_object_set_new(req->body, "customer_ref", json_string(ba->o->customer_ref));
	return 0;
}

static void batch_show(void *arg, const char *fqdn, json_t *res, int index)
{
	(void)arg;
	(void)fqdn;
	if (index)
		putchar('\n');
	jra_show_fqdn(stdout, res);
}

/*
 * Many FQDNs for one existing subscriber, through the batch runner (its
 * journal, -j, input order).  Never a new subscriber per FQDN: that would
 * stream one EAB secret a line.
 */
static int apply_batch(struct jra_ctx *ctx, int argc, char **argv, const struct apply_opts *o)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct batch_apply ba = { o, NULL };
	struct jra_batch_ops ops;
	json_t *terms = NULL;
	int r;

	if (jra_client_call(ctx->client, "GET", "/terms", NULL, &terms, &e) < 0) {
		jra_error_prefix(&e, _("cannot read the current terms"));
		return jra_report(&e);
	}
	ba.version = json_object_get(terms, "version");
	if (!ctx->dry_run && !json_is_string(ba.version)) {
		json_decref(terms);
		jra_error(&e, JRA_ERR_DATA, _("the CA's answer to GET /terms has no version"));
		return jra_report(&e);
	}
	if (!ba.version)
		ba.version = json_string("(the current version)");
	else
		json_incref(ba.version);
	memset(&ops, 0, sizeof(ops));
	ops.quiet_ok = 1;
	ops.what = N_("apply for");
	ops.fqdn_items = 1;
	ops.request = batch_request;
	ops.show = batch_show;
	ops.check = jra_check_fqdn;
	ops.arg = &ba;
	ops.cols = jra_fqdn_columns;
	ops.ncols = jra_fqdn_ncolumns;
	r = jra_run_batch(ctx, argc, argv, &ops);
	json_decref(ba.version);
	json_decref(terms);
	return r;
}

/* *written is set once the EAB credentials are safely in the file. */
static int apply(struct jra_ctx *ctx, const char *fqdn, const struct apply_opts *o,
		 int eab_fd, int *written, struct jra_error *e)
{
	const char *directory = ctx->profile->acme_directory;
	json_t *terms = NULL, *req = NULL, *res = NULL, *eab, *version;
	int r;

	if ((r = jra_client_call(ctx->client, "GET", "/terms", NULL, &terms, e)) < 0) {
		jra_error_prefix(e, _("cannot read the current terms"));
		goto out;
	}
	version = json_object_get(terms, "version");
	if (!ctx->dry_run && !json_is_string(version)) {
		r = jra_error(e, JRA_ERR_DATA, _("the CA's answer to GET /terms has no version"));
		goto out;
	}
	/* contract §6: POST /fqdns names the version of the terms agreed to */
	req = json_pack("{s:s, s:s, s:o}", "fqdn", fqdn, "period", o->period,
			"agreed_terms_version",
			version ? json_incref(version) : json_string("(the current version)"));
	if (o->subscriber)
		json_object_set_new(req, "subscriber", json_string(o->subscriber));
	if (o->subscriber_name)
		json_object_set_new(req, "subscriber_name", json_string(o->subscriber_name));
	if (o->customer_ref)
		json_object_set_new(req, "customer_ref", json_string(o->customer_ref));
	if ((r = jra_client_call(ctx->client, "POST", "/fqdns", req, &res, e)) < 0) {
		jra_error_prefix(e, _("cannot apply for '%s'"), fqdn);
		goto out;
	}
	if (!res)
		goto out;
	/* not stricter than this: the answer may hold the only copy of the EAB key */
	if (!json_is_object(res)) {
		r = jra_error(e, JRA_ERR_DATA, _("the CA's answer to the application is not an object"));
		goto out;
	}
	eab = json_object_get(res, "eab");
	if (eab_fd >= 0) {
		if (!json_is_object(eab)) {
			fprintf(stderr, _("jra: the CA returned no EAB credentials; '%s' not written\n"),
				o->eab_out);
		} else if ((r = jra_eab_write(eab_fd, o->eab_out, eab, directory, e)) < 0) {
			/* the only copy: rather on the terminal than lost */
			fputs(_("jra: the EAB credentials follow on stdout instead\n"), stderr);
			jra_out_json(stdout, eab, 0);
			goto out;
		} else {
			*written = 1;
		}
	}
	if (ctx->format == JRA_FORMAT_TABLE) {
		jra_show_fqdn(stdout, res);
		if (json_is_object(eab))
			jra_eab_print(stdout, eab, directory, json_object_get(res, "covered_names"),
				      eab_fd < 0);
		if (json_is_object(eab) && eab_fd >= 0)
			printf(_("EAB credentials written to '%s'\n"), o->eab_out);
	} else {
		if (eab_fd >= 0 && json_is_object(eab))
			json_object_del(eab, "hmac_key");
		if (json_is_object(eab) && directory)
			json_object_set_new(eab, "directory_url", json_string(directory));
		jra_out_json(stdout, res, ctx->format == JRA_FORMAT_JSONL);
	}
out:
	json_decref(terms);
	json_decref(req);
	json_decref(res);
	return r;
}

int cmd_apply(int argc, char **argv, struct jra_ctx *ctx)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct apply_opts o;
	char *fqdn = NULL;
	int opt, r, fd = -1, written = 0, many;

	memset(&o, 0, sizeof(o));
	while ((opt = getopt_long(argc, argv, JRA_COMMON_SHORT JRA_BATCH_SHORT, apply_longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_PERIOD: o.period = optarg; break;
		case OPT_AGREE: o.agree = 1; break;
		case OPT_SUBSCRIBER: o.subscriber = optarg; break;
		case OPT_SUBSCRIBER_NAME: o.subscriber_name = optarg; break;
		case OPT_REF: o.customer_ref = optarg; break;
		case OPT_EAB_OUT: o.eab_out = optarg; break;
		case OPT_SHOW_EAB_USAGE: o.show_eab_usage = optarg; break;
		default:
			if ((r = jra_common_option(ctx, &apply_help, opt, optarg)) != 0)
				return r > 0 ? 0 : r;
		}
	}
	if (o.show_eab_usage) {
		if (argc != optind || o.period || o.agree || o.subscriber || o.subscriber_name ||
		    o.customer_ref || o.eab_out || ctx->file)
			return jra_usage_error(&apply_help, _("--show-eab-usage takes only the "
					       "credentials file"));
		if (jra_eab_show_usage(stdout, o.show_eab_usage, &e) < 0)
			return jra_report(&e);
		return 0;
	}
	many = argc - optind > 1 || ctx->file;
	if (argc == optind && !ctx->file)
		return jra_usage_error(&apply_help, _("apply needs an FQDN"));
	if (!o.period)
		return jra_usage_error(&apply_help, _("apply needs --period 1m or --period 1y"));
	if (strcmp(o.period, "1m") && strcmp(o.period, "1y"))
		return jra_usage_error(&apply_help, _("--period is 1m (a month) or 1y (a year), "
				       "not '%s'"), o.period);
	if (o.subscriber && o.subscriber_name)
		return jra_usage_error(&apply_help, _("--subscriber and --subscriber-name exclude "
				       "each other: the first names an existing subscriber, the "
				       "second a new one"));
	if (many && !o.subscriber)
		return jra_usage_error(&apply_help, _("applying for more than one FQDN needs "
				       "--subscriber ID: one new subscriber a line would print "
				       "that many EAB secrets; create the subscriber first with "
				       "'jra subscriber create NAME'"));
	if (many && o.eab_out)
		return jra_usage_error(&apply_help, _("--eab-out goes with one FQDN for a new "
				       "subscriber, not with a batch"));
	if (o.subscriber && o.eab_out)
		return jra_usage_error(&apply_help, _("--eab-out needs a new subscriber: an "
				       "existing one keeps its EAB credentials (see 'jra subscriber "
				       "rotate-eab')"));
	/* terms-outdated (contract §6): an application carries an agreement to the terms */
	if (!o.agree)
		return jra_usage_error(&apply_help, _("apply needs --agree-terms: by giving it you "
				       "confirm that the subscriber has agreed to the current terms "
				       "of service, whose version jra sends with the application"));
	if (many)
		return apply_batch(ctx, argc - optind, argv + optind, &o);
	if (!(fqdn = jra_fqdn_arg(argv[optind], &e)))
		return jra_report(&e);
	if (o.eab_out && !ctx->dry_run) {
		/* created before asking the CA, so the only copy of the key has a home */
		if ((fd = jra_eab_create(o.eab_out, &e)) < 0) {
			free(fqdn);
			return jra_report(&e);
		}
	}
	r = apply(ctx, fqdn, &o, fd, &written, &e);
	if (fd >= 0) {
		close(fd);
		if (!written)
			unlink(o.eab_out);
	}
	free(fqdn);
	return r < 0 ? jra_report(&e) : 0;
}
