#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "tap.h"

#define PJ "application/problem+json"

static const struct jra_auth_hint auth = { "R0001", "r0001-ed25519", "/etc/jra/r1.key" };

static int decode(long status, const char *ctype, const char *body, struct jra_error *e)
{
	jra_error_clear(e);
	return jra_problem_decode(status, ctype, body, strlen(body), &auth, e);
}

static void code_for(long status, const char *name, int want)
{
	struct jra_error e = JRA_ERROR_INIT;
	char body[256];

	snprintf(body, sizeof(body), "{\"type\":\"urn:jra:problem:%s\",\"title\":\"t\","
		 "\"status\":%ld,\"detail\":\"d\"}", name, status);
	ok(decode(status, PJ, body, &e) == want && e.code == want, "%ld %s -> exit %d", status,
	   name, jra_exit_code(want));
}

int main(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *s, *big;
	size_t len;
	int r;

	/* rule and state refusals exit 1, bad input 65 */
	code_for(409, "fqdn-in-service", JRA_ERR_REFUSED);
	code_for(422, "terms-outdated", JRA_ERR_REFUSED);
	code_for(409, "invalid-state", JRA_ERR_REFUSED);
	code_for(422, "reason-not-allowed", JRA_ERR_REFUSED);
	code_for(409, "already-revoked", JRA_ERR_REFUSED);
	code_for(409, "transfer-pending", JRA_ERR_REFUSED);
	code_for(403, "registrar-suspended", JRA_ERR_REFUSED);
	code_for(403, "bad-transfer-code", JRA_ERR_REFUSED);
	code_for(400, "invalid-fqdn", JRA_ERR_DATA);
	code_for(400, "something-new", JRA_ERR_DATA);
	code_for(401, "unauthorized", JRA_ERR_AUTH);
	code_for(401, "stale-signature", JRA_ERR_AUTH);
	code_for(403, "forbidden", JRA_ERR_AUTH);
	code_for(404, "not-found", JRA_ERR_REFUSED);
	code_for(429, "rate-limited", JRA_ERR_TEMP);
	code_for(409, "idempotency-key-in-use", JRA_ERR_TEMP);
	code_for(401, "replayed-nonce", JRA_ERR_TEMP);
	code_for(503, "unavailable", JRA_ERR_UNAVAILABLE);
	code_for(500, "internal", JRA_ERR_UNAVAILABLE);

	decode(409, PJ, "{\"type\":\"urn:jra:problem:fqdn-in-service\",\"title\":\"FQDN in "
	       "service\",\"status\":409,\"detail\":\"example.jp is active\"}", &e);
	is_str(e.msg, "example.jp is active (fqdn-in-service)", "message: detail and type name");
	ok(strstr(e.hint, "jra status") != NULL, "hint says what to look at");

	decode(401, PJ "; charset=utf-8", "{\"type\":\"urn:jra:problem:stale-signature\","
	       "\"status\":401,\"title\":\"stale\"}", &e);
	ok(strstr(e.hint, "timedatectl") != NULL, "stale-signature: the hint names the clock");

	decode(401, PJ, "{\"type\":\"urn:jra:problem:unauthorized\",\"status\":401}", &e);
	ok(strstr(e.hint, "'r0001-ed25519'") && strstr(e.hint, "'R0001'") &&
	   strstr(e.hint, "'/etc/jra/r1.key'"), "unauthorized: hint names key id, registrar, file");

	decode(404, PJ, "{\"type\":\"urn:jra:problem:not-found\",\"status\":404,\"title\":"
	       "\"Not Found\"}", &e);
	is_str(e.msg, "not found", "404 says not found");
	decode(404, PJ, "{\"type\":\"urn:jra:problem:not-found\",\"status\":404,\"detail\":"
	       "\"no such FQDN\"}", &e);
	is_str(e.msg, "not found: no such FQDN", "404 says not found, then the CA's detail");

	decode(400, PJ, "{\"type\":\"urn:jra:problem:invalid-request\",\"status\":400,"
	       "\"detail\":\"bad fields\",\"errors\":[{\"field\":\"period\",\"detail\":"
	       "\"must be 1m or 1y\"}]}", &e);
	is_str(e.msg, "bad fields; period: must be 1m or 1y (invalid-request)",
	       "validation errors name the field");

	/* found by fuzzing: an empty detail left the message empty */
	decode(400, PJ, "{\"detail\":\"\",\"detai\":\"b\"}", &e);
	is_str(e.msg, "HTTP 400", "an empty detail counts as none");
	decode(400, PJ, "{\"type\":\"urn:jra:problem:\",\"detail\":\" \\n\",\"title\":\"T\"}", &e);
	is_str(e.msg, "T", "a blank detail gives way to the title; an empty type name is left out");

	r = decode(502, "text/html", "<html><body>Bad Gateway</body></html>", &e);
	ok(r == JRA_ERR_UNAVAILABLE, "502 HTML: unavailable");
	ok(strstr(e.msg, "not a problem document") && strstr(e.msg, "Bad Gateway"),
	   "502 HTML: says what came back");

	r = decode(404, "text/html", "<h1>no</h1>", &e);
	ok(r == JRA_ERR_REFUSED && strstr(e.msg, "not found") && strstr(e.hint, "endpoint"),
	   "404 that is not a problem: not found, check the endpoint");

	r = decode(400, PJ, "{\"type\": ", &e);
	ok(r == JRA_ERR_DATA && strstr(e.msg, "not a problem document"),
	   "truncated JSON is said to be no problem document");

	/* a hostile server: terminal escapes and a huge detail */
	big = malloc(20000);
	strcpy(big, "{\"type\":\"urn:jra:problem:x\",\"detail\":\"\\u001b[31mred");
	len = strlen(big);
	memset(big + len, 'A', 15000);
	strcpy(big + len + 15000, "\"}");
	decode(400, PJ, big, &e);
	ok(!strchr(e.msg, '\x1b'), "escape characters do not reach the terminal");
	ok(strlen(e.msg) < 400, "a long detail is cut");
	free(big);

	s = jra_sanitize("ok \xff\xfe \xe6\x97\xa5\xe6\x9c\xac \xc2\x9b", 15, 100);
	is_str(s, "ok ?? \xe6\x97\xa5\xe6\x9c\xac ??", "invalid UTF-8 and C1 controls replaced, "
	       "Japanese kept");
	free(s);
	s = jra_sanitize("abcdef", 6, 3);
	is_str(s, "abc...", "cut strings end with ...");
	free(s);
	is_str(jra_problem_name("urn:jra:problem:not-found"), "not-found", "problem name");
	is_str(jra_problem_name("about:blank"), "about:blank", "foreign type kept whole");
	return done_testing();
}
