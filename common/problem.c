#include "problem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "i18n.h"

#define PROBLEM_PREFIX "urn:jra:problem:"
/* A message line stays readable; a hostile server cannot fill the terminal. */
#define TEXT_MAX 300
#define MAX_FIELD_ERRORS 5

struct known {
	const char *name;
	enum jra_err code;
	const char *hint;
};

static const struct known known[] = {
	{ "already-revoked", JRA_ERR_REFUSED, N_("see the certificates with 'jra status FQDN'") },
	{ "bad-digest", JRA_ERR_DATA, N_("the request body changed on its way to the CA; "
	  "check for a proxy that rewrites requests") },
	{ "bad-transfer-code", JRA_ERR_REFUSED, N_("the code is wrong, expired or already used; "
	  "ask the losing registrar for a new one") },
	{ "fqdn-in-service", JRA_ERR_REFUSED, N_("the FQDN is already in service; see "
	  "'jra status FQDN' (a change of registrar is 'jra transfer')") },
	{ "idempotency-key-in-use", JRA_ERR_TEMP, N_("the same request is still being processed; "
	  "run again in a moment") },
	{ "idempotency-key-reuse", JRA_ERR_SOFTWARE, N_("this is a bug in jra; please report it") },
	{ "invalid-fqdn", JRA_ERR_DATA, NULL },
	{ "invalid-state", JRA_ERR_REFUSED, N_("see its state with 'jra status FQDN'") },
	{ "not-found", JRA_ERR_REFUSED, NULL },
	{ "rate-limited", JRA_ERR_TEMP, N_("the CA limits the request rate; run again later") },
	{ "reason-not-allowed", JRA_ERR_REFUSED, N_("a registrar may give the reasons unspecified (0), "
	  "keyCompromise (1), affiliationChanged (3), superseded (4), cessationOfOperation (5)") },
	/* the same signed bytes reached the CA twice (libcurl resends a request
	 * once when a reused connection turns out dead): a new signature,
	 * with a new nonce, will do */
	{ "replayed-nonce", JRA_ERR_TEMP, N_("the CA saw this signature's nonce before: the same "
	  "request reached it twice on the way; run again") },
	{ "registrar-suspended", JRA_ERR_REFUSED, N_("the registrar is suspended (terms §10.6); "
	  "contact the CA") },
	{ "terms-outdated", JRA_ERR_REFUSED, N_("the terms changed; read the current version and "
	  "run again with --agree-terms") },
	{ "transfer-pending", JRA_ERR_REFUSED, N_("a change of registrar is pending; see "
	  "'jra transfer status FQDN'") },
	{ "unavailable", JRA_ERR_UNAVAILABLE, N_("the CA is unavailable; run again later") },
};

const char *jra_problem_name(const char *type)
{
	if (type && !strncmp(type, PROBLEM_PREFIX, strlen(PROBLEM_PREFIX)))
		return type + strlen(PROBLEM_PREFIX);
	return type;
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	/* C1 controls are as dangerous on a terminal as C0 ones. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return need;
}

char *jra_sanitize(const char *s, size_t len, size_t max)
{
	struct jra_buf b = JRA_BUF_INIT;
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	if (!s)
		return jra_xstrdup("");
	while (i < len) {
		if (b.len >= max) {
			jra_buf_addstr(&b, "...");
			break;
		}
		n = utf8_len(u + i, len - i);
		if (n == 0 || (n == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
			jra_buf_addch(&b, u[i] == '\n' || u[i] == '\t' || u[i] == '\r' ? ' ' : '?');
			i++;
			continue;
		}
		jra_buf_add(&b, u + i, n);
		i += n;
	}
	return jra_buf_take(&b);
}

static int is_json_type(const char *ct)
{
	size_t n;

	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, "; ");
	return (n == 24 && !strncasecmp(ct, "application/problem+json", n)) ||
	       (n == 16 && !strncasecmp(ct, "application/json", n));
}

static enum jra_err code_for_status(long status)
{
	if (status == 401 || status == 403)
		return JRA_ERR_AUTH;
	if (status == 404 || status == 409 || status == 410)
		return JRA_ERR_REFUSED;
	if (status == 408 || status == 429)
		return JRA_ERR_TEMP;
	if (status >= 500)
		return JRA_ERR_UNAVAILABLE;
	return JRA_ERR_DATA;
}

/* A string member with something to show: "" or only blanks count as absent,
 * so that a message never ends up empty. */
static const char *string_member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const unsigned char *s;

	if (!json_is_string(v))
		return NULL;
	for (s = (const unsigned char *)json_string_value(v); *s; s++)
		if (*s > ' ' && *s != 0x7f)
			return json_string_value(v);
	return NULL;
}

static void add_text(struct jra_buf *b, const char *s)
{
	char *clean = jra_sanitize(s, strlen(s), TEXT_MAX);

	jra_buf_addstr(b, clean);
	free(clean);
}

/* "field: detail; field: detail" from a validation problem's "errors". */
static void add_field_errors(struct jra_buf *b, json_t *errors)
{
	const char *field, *detail;
	size_t i, shown = 0;
	json_t *it;

	if (!json_is_array(errors))
		return;
	json_array_foreach(errors, i, it) {
		field = string_member(it, "field");
		detail = string_member(it, "detail");
		if (!detail)
			continue;
		if (shown == MAX_FIELD_ERRORS) {
			jra_buf_addf(b, _("; and %zu more"), json_array_size(errors) - i);
			break;
		}
		jra_buf_addstr(b, "; ");
		if (field) {
			add_text(b, field);
			jra_buf_addstr(b, ": ");
		}
		add_text(b, detail);
		shown++;
	}
}

static void auth_hint(const char *name, const struct jra_auth_hint *a, struct jra_error *e)
{
	const char *kid = a && a->key_id ? a->key_id : "?";
	const char *reg = a && a->registrar ? a->registrar : "?";
	const char *file = a && a->key_file ? a->key_file : "?";

	if (name && !strcmp(name, "stale-signature"))
		jra_error_hint(e, _("the CA found the signature's time too far from its clock; "
			       "check this machine's clock (timedatectl)"));
	else
		jra_error_hint(e, _("check that key '%s' of registrar '%s' is registered with the "
			       "CA and that '%s' holds its private key"), kid, reg, file);
}

int jra_problem_decode(long status, const char *content_type, const char *body, size_t len,
		       const struct jra_auth_hint *auth, struct jra_error *e)
{
	struct jra_buf msg = JRA_BUF_INIT;
	const struct known *k = NULL;
	const char *name = NULL, *detail, *title;
	enum jra_err code = code_for_status(status);
	json_t *doc = NULL;
	char *clean;
	size_t i;

	if (is_json_type(content_type) && len)
		doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc)) {
		if (status == 404)
			jra_buf_addstr(&msg, _("not found (HTTP 404"));
		else
			jra_buf_addf(&msg, "HTTP %ld", status);
		if (len) {
			clean = jra_sanitize(body, len, 80);
			jra_buf_addf(&msg, _("; the answer is not a problem document: '%s'"), clean);
			free(clean);
		}
		if (status == 404)
			jra_buf_addch(&msg, ')');
		jra_error(e, code, "%s", jra_buf_str(&msg));
		if (status == 404 && len)
			jra_error_hint(e, _("check the endpoint URL in the profile"));
		else if (code == JRA_ERR_AUTH)
			auth_hint(NULL, auth, e);
		else if (code == JRA_ERR_UNAVAILABLE)
			jra_error_hint(e, _("the CA is unavailable; run again later"));
		jra_buf_release(&msg);
		json_decref(doc);
		return code;
	}
	name = jra_problem_name(string_member(doc, "type"));
	for (i = 0; name && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].name, name))
			k = &known[i];
	if (k)
		code = k->code;
	detail = string_member(doc, "detail");
	title = string_member(doc, "title");
	/* whatever the CA's words, a 404 reads "not found" first */
	if (status == 404) {
		jra_buf_addstr(&msg, _("not found"));
		if (detail) {
			jra_buf_addstr(&msg, ": ");
			add_text(&msg, detail);
		}
	} else if (detail)
		add_text(&msg, detail);
	else if (title)
		add_text(&msg, title);
	else
		jra_buf_addf(&msg, "HTTP %ld", status);
	add_field_errors(&msg, json_object_get(doc, "errors"));
	if (name && *name && strcmp(name, "not-found")) {
		jra_buf_addstr(&msg, " (");
		add_text(&msg, name);
		jra_buf_addch(&msg, ')');
	}
	jra_error(e, code, "%s", jra_buf_str(&msg));
	if (code == JRA_ERR_AUTH)
		auth_hint(name, auth, e);
	else if (k && k->hint)
		jra_error_hint(e, "%s", _(k->hint));
	else if (code == JRA_ERR_UNAVAILABLE)
		jra_error_hint(e, _("the CA is unavailable; run again later"));
	jra_buf_release(&msg);
	json_decref(doc);
	return code;
}
