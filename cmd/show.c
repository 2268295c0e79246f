#include "cmds.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "output.h"

#define LABEL_WIDTH 16

static const char *str(json_t *o, const char *key)
{
	json_t *v = jra_json_path(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void field_json(FILE *fp, const char *label, json_t *v, const char *sep)
{
	char *text = jra_out_text(v, sep);

	jra_out_field(fp, LABEL_WIDTH, label, text);
	free(text);
}

static void show_transfer(FILE *fp, json_t *t)
{
	struct jra_buf b = JRA_BUF_INIT;
	const char *s;

	if (!json_is_object(t))
		return;
	jra_buf_addstr(&b, (s = str(t, "state")) ? s : "?");
	if ((s = str(t, "losing_registrar")))
		jra_buf_addf(&b, _(", from %s"), s);
	if ((s = str(t, "gaining_registrar")))
		jra_buf_addf(&b, _(" to %s"), s);
	if ((s = str(t, "requested_at")))
		jra_buf_addf(&b, _(", requested %s"), s);
	if ((s = str(t, "auto_approve_at")) && !strcmp(str(t, "state") ? str(t, "state") : "",
						       "pending"))
		jra_buf_addf(&b, _(", approved automatically at %s"), s);
	jra_out_field(fp, LABEL_WIDTH, _("transfer"), jra_buf_str(&b));
	jra_buf_release(&b);
}

static void show_cancellation(FILE *fp, json_t *f)
{
	const char *req = str(f, "cancel_requested_at"), *end = str(f, "end_date");
	const char *state = str(f, "state");
	char *line;

	if (!req)
		return;
	if (state && !strcmp(state, "cancel-pending") && end)
		line = jra_xasprintf(_("filed %s; the service ends at the end of %s (JST)"), req, end);
	else
		line = jra_xasprintf(_("filed %s"), req);
	jra_out_field(fp, LABEL_WIDTH, _("cancellation"), line);
	free(line);
}

static void show_certificates(FILE *fp, json_t *certs)
{
	static const struct jra_column cols[] = {
		{ N_("SERIAL"), "serial" }, { N_("STATUS"), "status" }, { N_("NOT AFTER"), "not_after" },
		{ N_("REASON"), "revocation_reason" }, { N_("NAMES"), "names" },
	};
	struct jra_out o;
	size_t i;
	json_t *c;

	if (!json_is_array(certs) || !json_array_size(certs)) {
		jra_out_field(fp, LABEL_WIDTH, _("certificates"), _("none"));
		return;
	}
	fputs(_("certificates\n"), fp);
	/* the certificates' own table, below the FQDN's fields */
	jra_out_init(&o, fp, JRA_FORMAT_TABLE, cols, sizeof(cols) / sizeof(cols[0]), 1);
	json_array_foreach(certs, i, c)
		jra_out_add(&o, c);
	jra_out_finish(&o);
	jra_out_release(&o);
}

void jra_show_fqdn(FILE *fp, json_t *f)
{
	const char *fqdn = str(f, "fqdn"), *uni = str(f, "unicode");
	const char *period = str(f, "period"), *renewal = str(f, "renewal_period");
	char *line;

	if (fqdn && uni && strcmp(fqdn, uni)) {
		line = jra_xasprintf("%s (%s)", fqdn, uni);
		jra_out_field(fp, LABEL_WIDTH, _("fqdn"), line);
		free(line);
	} else {
		jra_out_field(fp, LABEL_WIDTH, _("fqdn"), fqdn);
	}
	jra_out_field(fp, LABEL_WIDTH, _("state"), str(f, "state"));
	jra_out_field(fp, LABEL_WIDTH, _("subscriber"), str(f, "subscriber"));
	jra_out_field(fp, LABEL_WIDTH, _("customer ref"), str(f, "customer_ref"));
	if (period && renewal && strcmp(period, renewal)) {
		line = jra_xasprintf(_("%s, renews for %s"), period, renewal);
		jra_out_field(fp, LABEL_WIDTH, _("period"), line);
		free(line);
	} else {
		jra_out_field(fp, LABEL_WIDTH, _("period"), period);
	}
	jra_out_field(fp, LABEL_WIDTH, _("applied"), str(f, "applied_at"));
	jra_out_field(fp, LABEL_WIDTH, _("start date"), str(f, "start_date"));
	jra_out_field(fp, LABEL_WIDTH, _("end date"), str(f, "end_date"));
	show_cancellation(fp, f);
	jra_out_field(fp, LABEL_WIDTH, _("ended"), str(f, "ended_at"));
	jra_out_field(fp, LABEL_WIDTH, _("end reason"), str(f, "end_reason"));
	show_transfer(fp, json_object_get(f, "transfer"));
	field_json(fp, _("covered names"), json_object_get(f, "covered_names"), " ");
	show_certificates(fp, json_object_get(f, "certificates"));
}

void jra_show_object(FILE *fp, json_t *o)
{
	const char *k;
	json_t *v;
	char *text;

	json_object_foreach(o, k, v) {
		text = jra_out_text(v, " ");
		jra_out_field(fp, LABEL_WIDTH, k, text);
		free(text);
	}
}

const struct jra_column jra_fqdn_columns[] = {
	{ N_("FQDN"), "fqdn" },
	{ N_("STATE"), "state" },
	{ N_("SUBSCRIBER"), "subscriber" },
	{ N_("PERIOD"), "period" },
	{ N_("RENEWAL"), "renewal_period" },
	{ N_("START"), "start_date" },
	{ N_("END"), "end_date" },
	{ N_("CANCEL REQUESTED"), "cancel_requested_at" },
	{ N_("TRANSFER"), "transfer.state" },
	{ N_("CUSTOMER REF"), "customer_ref" },
};
const size_t jra_fqdn_ncolumns = sizeof(jra_fqdn_columns) / sizeof(jra_fqdn_columns[0]);
