/*
 * What a hostile server or a damaged file can feed jra's parsers: mutated
 * config files, problem documents and answers, deep nesting, control
 * characters.  Each must give an error or a result, never a crash (CI runs
 * this under AddressSanitizer and UndefinedBehaviorSanitizer).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "config.h"
#include "output.h"
#include "problem.h"
#include "tap.h"

static const char good_yaml[] =
	"default_profile: sandbox\n"
	"profiles:\n"
	"  sandbox:\n"
	"    endpoint: https://127.0.0.1:8443/registrar/v1\n"
	"    registrar: R0001\n"
	"    key_id: r0001-ed25519\n"
	"    key_file: r0001-ed25519.key\n"
	"    alg: ed25519\n"
	"    timeout: 30\n";

static const char good_problem[] =
	"{\"type\":\"urn:jra:problem:invalid-request\",\"title\":\"Bad\",\"status\":400,"
	"\"detail\":\"bad fields\",\"errors\":[{\"field\":\"fqdn\",\"detail\":\"no\"}]}";

/* A deterministic generator, so that a failure can be replayed. */
static unsigned long rnd(unsigned long *state)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	return *state >> 33;
}

static char *mutate(const char *src, size_t *len, unsigned long *st)
{
	static const char bytes[] = "\0\n\t :{}[]\",'-&*!|>#%@\x1b\xff\xc3";
	size_t n = strlen(src), i, k = 1 + rnd(st) % 4;
	char *s = jra_xmalloc(n + 8);

	memcpy(s, src, n);
	for (i = 0; i < k && n; i++) {
		switch (rnd(st) % 3) {
		case 0:
			s[rnd(st) % n] = bytes[rnd(st) % (sizeof(bytes) - 1)];
			break;
		case 1:
			n = rnd(st) % n;
			break;
		default:
			if (n < strlen(src) + 4) {
				size_t at = rnd(st) % n;

				memmove(s + at + 1, s + at, n - at);
				s[at] = bytes[rnd(st) % (sizeof(bytes) - 1)];
				n++;
			}
		}
	}
	s[n] = '\0';
	*len = n;
	return s;
}

int main(void)
{
	static const char esc[] = "\x1b]0;title\x07\xc2\x9b" "31m";
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_buf deep = JRA_BUF_INIT;
	unsigned long st = 20261127;
	int i, refused = 0, decoded = 0, r;
	size_t len;
	char *s;

	for (i = 0; i < 3000; i++) {
		struct jra_config cfg = JRA_CONFIG_INIT;

		s = mutate(good_yaml, &len, &st);
		r = jra_config_parse(s, len, "fuzz.yaml", &cfg, &e);
		if (r < 0 && e.code == JRA_ERR_CONFIG && !strncmp(e.msg, "fuzz.yaml", 9))
			refused++;
		jra_config_release(&cfg);
		free(s);
	}
	ok(refused > 0 && refused <= 3000, "mutated configs: %d refused with a located message, "
	   "no crash", refused);

	for (i = 0; i < 3000; i++) {
		s = mutate(good_problem, &len, &st);
		r = jra_problem_decode(400 + (long)(rnd(&st) % 200), "application/problem+json", s,
				       len, NULL, &e);
		if (r < 0 && strlen(e.msg) < JRA_ERROR_MSG_MAX && !strchr(e.msg, '\x1b'))
			decoded++;
		free(s);
		s = mutate(good_problem, &len, &st);
		free(jra_redact_body(s, len));
		free(s);
	}
	ok(decoded == 3000, "mutated problems: every one an error with a clean message");

	/* nesting far past any parser's limit */
	for (i = 0; i < 100000; i++)
		jra_buf_addch(&deep, '[');
	r = jra_problem_decode(500, "application/problem+json", deep.buf, deep.len, NULL, &e);
	ok(r == JRA_ERR_UNAVAILABLE, "100000 nested arrays: refused, no stack overflow");
	s = jra_redact_body(deep.buf, deep.len);
	ok(s && strlen(s) <= 4100, "and the log shows a bounded prefix");
	free(s);
	jra_buf_release(&deep);

	s = jra_sanitize(esc, sizeof(esc) - 1, 100);
	is_str(s, "?]0;title???31m", "OSC and C1 CSI sequences defused");
	free(s);
	return done_testing();
}
