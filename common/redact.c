/* What -vv may show: secrets replaced, everything else made safe for a terminal. */
#include "client.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "problem.h"

/* A logged body is cut here: -vv is for reading, not for archiving. */
#define LOG_BODY_MAX 4000

static void redact(json_t *v)
{
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			if ((!strcmp(k, "hmac_key") || !strcmp(k, "secret_b64")) && !json_is_null(m))
				json_object_set_new(v, k, json_string("[redacted]"));
			else
				redact(m);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			redact(m);
	}
}

static int contains(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (!memcmp(s + i, needle, n))
			return 1;
	return 0;
}

char *jra_redact_body(const char *body, size_t len)
{
	json_t *doc;
	char *s;

	doc = json_loadb(body, len, 0, NULL);
	if (!doc) {
		/* A secret could hide in what does not parse: show only a safe prefix. */
		if (contains(body, len, "hmac_key") || contains(body, len, "secret"))
			return jra_xasprintf("[%zu bytes, not JSON, not shown]", len);
		return jra_sanitize(body, len, LOG_BODY_MAX);
	}
	redact(doc);
	s = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(doc);
	if (!s)
		return jra_xstrdup("[not printable]");
	if (strlen(s) > LOG_BODY_MAX) {
		char *cut = jra_sanitize(s, strlen(s), LOG_BODY_MAX);

		free(s);
		return cut;
	}
	return s;
}

char *jra_redact_signature(const char *value)
{
	struct jra_buf b = JRA_BUF_INIT;
	const char *p = value, *colon, *end;

	/* Keep labels, drop the byte sequences between colons. */
	while ((colon = strchr(p, ':'))) {
		jra_buf_add(&b, p, (size_t)(colon - p) + 1);
		end = strchr(colon + 1, ':');
		if (!end) {
			p = colon + 1 + strlen(colon + 1);
			break;
		}
		jra_buf_addstr(&b, "[redacted]:");
		p = end + 1;
	}
	jra_buf_addstr(&b, p);
	return jra_buf_take(&b);
}

