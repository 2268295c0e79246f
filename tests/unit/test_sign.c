#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "sign.h"
#include "tap.h"

#define DATA "data/"

/* RFC 9530: the sha-256 Content-Digest of {"hello": "world"}. */
#define HELLO_WORLD_SHA256 "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
/* RFC 9421 Appendix B.2: the test-request's Content-Digest. */
#define HELLO_WORLD_SHA512 \
	"sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
/* RFC 9421 Appendix B.2: the test-response's Content-Digest. */
#define GOOD_DOG_SHA512 \
	"sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:"

static char scratch[4096];

/* Reads a data file whole; newly allocated, NUL-terminated. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct jra_buf b = JRA_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f) {
		printf("# cannot open %s\n", path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		jra_buf_add(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	return jra_buf_take(&b);
}

/* A field value from a data file, without the "label=" in front. */
static char *member_value(const char *path)
{
	char *s = slurp(path, NULL), *eq = s ? strchr(s, '=') : NULL;
	char *v = eq ? jra_xstrdup(eq + 1) : NULL;

	free(s);
	return v;
}

/* Writes data to a new scratch file with mode; returns its path (static). */
static const char *write_scratch(const char *name, const char *data, size_t len, mode_t mode)
{
	static char path[8192];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		printf("# cannot write %s\n", path);
		if (fd >= 0)
			close(fd);
		return path;
	}
	close(fd);
	chmod(path, mode);
	return path;
}

static void setup_scratch(void)
{
	const char *base = getenv("JRA_TEST_TMPDIR");

	if (!base)
		base = getenv("TMPDIR");
	if (!base)
		base = P_tmpdir;
	snprintf(scratch, sizeof(scratch), "%s/test_sign.XXXXXX", base);
	if (!mkdtemp(scratch)) {
		printf("Bail out! cannot create a scratch directory under %s\n", base);
		exit(1);
	}
}

static void cleanup_scratch(void)
{
	static const char *const names[] = {
		"secret.txt", "loose.pem", "bad.pem", "pub.pem", "gen.key", "pem-for-hmac.pem",
		"empty.txt",
	};
	char path[8192];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
		unlink(path);
	}
	rmdir(scratch);
}

static void test_base64(void)
{
	unsigned char *out = NULL;
	size_t len = 0;
	char *s;

	s = jra_b64_encode("", 0, 0, 1);
	is_str(s, "", "empty input encodes to nothing");
	free(s);
	s = jra_b64_encode("f", 1, 0, 1);
	is_str(s, "Zg==", "padded");
	free(s);
	s = jra_b64_encode("f", 1, 1, 0);
	is_str(s, "Zg", "unpadded");
	free(s);
	s = jra_b64_encode("\xfb\xff", 2, 0, 1);
	is_str(s, "+/8=", "standard alphabet");
	free(s);
	s = jra_b64_encode("\xfb\xff", 2, 1, 0);
	is_str(s, "-_8", "URL alphabet without padding");
	free(s);

	ok(jra_b64_decode("-_8", 3, &out, &len) == 0 && len == 2 && memcmp(out, "\xfb\xff", 2) == 0,
	   "decodes the URL alphabet without padding");
	free(out);
	ok(jra_b64_decode("+/8=", 4, &out, &len) == 0 && len == 2 && memcmp(out, "\xfb\xff", 2) == 0,
	   "decodes the standard alphabet with padding");
	free(out);
	ok(jra_b64_decode("Zm9vYg", 6, &out, &len) == 0 && len == 4 && memcmp(out, "foob", 4) == 0,
	   "synthesizes missing padding");
	free(out);
	ok(jra_b64_decode("", 0, &out, &len) == 0 && len == 0, "empty decodes to nothing");
	free(out);
	ok(jra_b64_decode("Zg=", 3, &out, &len) < 0 && out == NULL, "refuses wrong padding");
	ok(jra_b64_decode("Z", 1, &out, &len) < 0, "refuses a lone character");
	ok(jra_b64_decode("+_8", 3, &out, &len) < 0, "refuses mixed alphabets");
	ok(jra_b64_decode("Zm9v YmFy", 9, &out, &len) < 0, "refuses whitespace");
	ok(jra_b64_decode("Zm=v", 4, &out, &len) < 0, "refuses padding in the middle");
	ok(jra_b64_decode("Zg===", 5, &out, &len) < 0, "refuses three padding characters");
}

static void test_alg_names(void)
{
	enum jra_alg a;

	ok(jra_alg_parse("ed25519", &a) == 0 && a == JRA_ALG_ED25519, "ed25519");
	ok(jra_alg_parse("ecdsa-p256-sha256", &a) == 0 && a == JRA_ALG_ECDSA_P256_SHA256,
	   "ecdsa-p256-sha256");
	ok(jra_alg_parse("hmac-sha256", &a) == 0 && a == JRA_ALG_HMAC_SHA256, "hmac-sha256");
	ok(jra_alg_parse("rsa-pss-sha512", &a) < 0 && jra_alg_parse("ED25519", &a) < 0,
	   "other names refused");
	is_str(jra_alg_name(JRA_ALG_ECDSA_P256_SHA256), "ecdsa-p256-sha256", "name of ECDSA");
}

/*
 * One RFC 9421 Appendix B vector: parse its Signature-Input and Signature,
 * rebuild the signature base from the components, compare with the RFC's
 * base, and verify (and, for deterministic algorithms, re-sign and compare).
 */
static void check_vector(const char *sec, const char *label, const struct jra_key *key,
			 const struct jra_sig_component *c, size_t n, int deterministic)
{
	char path[256], *input, *signature, *want_base, *base, *want_params;
	struct jra_sig_parsed p;
	struct jra_error e = JRA_ERROR_INIT;
	unsigned char *sig = NULL;
	size_t siglen = 0;

	snprintf(path, sizeof(path), DATA "rfc9421-%s-signature-input.txt", sec);
	input = slurp(path, NULL);
	want_params = member_value(path);
	snprintf(path, sizeof(path), DATA "rfc9421-%s-signature.txt", sec);
	signature = slurp(path, NULL);
	snprintf(path, sizeof(path), DATA "rfc9421-%s-signature-base.txt", sec);
	want_base = slurp(path, NULL);

	ok(jra_sig_parse(input, signature, label, &p, &e) == 0, "%s: parses (%s)", sec, e.msg);
	is_str(p.params_value, want_params, "%s: @signature-params re-serializes as sent", sec);
	ok(p.ncomponents == n, "%s: %zu covered components", sec, n);
	for (size_t i = 0; i < n && i < p.ncomponents; i++)
		is_str(p.components[i], c[i].name, "%s: component %zu", sec, i + 1);
	ok(p.has_created && p.created == 1618884473, "%s: created", sec);
	ok(p.alg == NULL && p.nonce == NULL && p.other_params == 0, "%s: no alg, nonce or others", sec);

	base = jra_sig_base(c, n, p.params_value ? p.params_value : "");
	is_str(base, want_base, "%s: signature base byte for byte", sec);
	ok(jra_sig_verify(key, base, strlen(base), p.sig, p.siglen) == 0,
	   "%s: the RFC's signature verifies", sec);
	base[0] ^= 1;
	ok(jra_sig_verify(key, base, strlen(base), p.sig, p.siglen) < 0,
	   "%s: a changed base does not verify", sec);
	base[0] ^= 1;
	if (deterministic) {
		ok(jra_sig_sign(key, base, strlen(base), &sig, &siglen, &e) == 0, "%s: signs", sec);
		ok(siglen == p.siglen && memcmp(sig, p.sig, siglen) == 0,
		   "%s: reproduces the RFC's signature byte for byte", sec);
		free(sig);
	}
	jra_sig_parsed_release(&p);
	free(input);
	free(want_params);
	free(signature);
	free(want_base);
	free(base);
}

static void test_rfc9421_vectors(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *key = NULL, *pub = NULL;
	const char *path;
	char *text, *pem;
	size_t len;

	/* B.2.5: hmac-sha256 with the B.1.5 secret, loaded as a key file. */
	text = slurp(DATA "rfc9421-B.1.5-test-shared-secret.txt", &len);
	path = write_scratch("secret.txt", text, len, 0600);
	free(text);
	ok(jra_key_load_file(path, JRA_ALG_HMAC_SHA256, &key, &e) == 0,
	   "B.1.5 secret loads from a 0600 file (%s)", e.msg);
	if (key) {
		const struct jra_sig_component c[] = {
			{ "date", "Tue, 20 Apr 2021 02:07:55 GMT" },
			{ "@authority", "example.com" },
			{ "content-type", "application/json" },
		};

		check_vector("B.2.5", "sig-b25", key, c, 3, 1);
	}
	jra_key_free(key);
	key = NULL;

	/* B.2.6: ed25519 with the B.1.4 key. */
	pem = slurp(DATA "rfc9421-B.1.4-test-key-ed25519.pem", &len);
	ok(jra_key_from_pem(pem, len, JRA_ALG_ED25519, &key, &e) == 0, "B.1.4 key loads (%s)", e.msg);
	free(pem);
	if (key) {
		const struct jra_sig_component c[] = {
			{ "date", "Tue, 20 Apr 2021 02:07:55 GMT" },
			{ "@method", "POST" },
			{ "@path", "/foo" },
			{ "@authority", "example.com" },
			{ "content-type", "application/json" },
			{ "content-length", "18" },
		};

		check_vector("B.2.6", "sig-b26", key, c, 6, 1);
		pem = slurp(DATA "rfc9421-B.1.4-test-key-ed25519.pub.pem", &len);
		ok(jra_key_from_pem(pem, len, JRA_ALG_ED25519, &pub, &e) == 0,
		   "B.1.4 public key loads");
		free(pem);
		if (pub)
			check_vector("B.2.6", "sig-b26", pub, c, 6, 0);
		jra_key_free(pub);
		pub = NULL;
	}
	jra_key_free(key);
	key = NULL;

	/* B.2.4: ecdsa-p256-sha256 is randomized: the RFC's signature must verify. */
	pem = slurp(DATA "rfc9421-B.1.3-test-key-ecc-p256.pub.pem", &len);
	ok(jra_key_from_pem(pem, len, JRA_ALG_ECDSA_P256_SHA256, &pub, &e) == 0,
	   "B.1.3 public key loads (%s)", e.msg);
	free(pem);
	pem = slurp(DATA "rfc9421-B.1.3-test-key-ecc-p256.pem", &len);
	ok(jra_key_from_pem(pem, len, JRA_ALG_ECDSA_P256_SHA256, &key, &e) == 0,
	   "B.1.3 private key in the traditional EC form loads (%s)", e.msg);
	free(pem);
	if (pub && key) {
		const struct jra_sig_component c[] = {
			{ "@status", "200" },
			{ "content-type", "application/json" },
			{ "content-digest", GOOD_DOG_SHA512 },
			{ "content-length", "23" },
		};
		unsigned char *sig = NULL;
		size_t siglen = 0;
		char *base = slurp(DATA "rfc9421-B.2.4-signature-base.txt", NULL);

		check_vector("B.2.4", "sig-b24", pub, c, 4, 0);
		ok(jra_sig_sign(key, base, strlen(base), &sig, &siglen, &e) == 0 && siglen == 64,
		   "B.1.3 key signs as 64 bytes of r||s");
		ok(sig && jra_sig_verify(pub, base, strlen(base), sig, siglen) == 0,
		   "and the public key verifies it");
		ok(sig && jra_sig_verify(pub, base, strlen(base), sig, 63) < 0,
		   "a truncated signature does not verify");
		free(sig);
		free(base);
	}
	jra_key_free(pub);
	jra_key_free(key);
}

static void test_rfc9421_parse_examples(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_sig_parsed p;
	char *input = slurp(DATA "rfc9421-B.2.1-signature-input.txt", NULL);
	char *sig = slurp(DATA "rfc9421-B.2.1-signature.txt", NULL);
	char *both_input, *both_sig;

	ok(jra_sig_parse(input, sig, "sig-b21", &p, &e) == 0, "B.2.1 parses (%s)", e.msg);
	ok(p.ncomponents == 0, "B.2.1 covers no component");
	is_str(p.params_value,
	       "();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"",
	       "B.2.1 @signature-params");
	is_str(p.nonce, "b3k2pp5k7z-50gnwp.yemd", "B.2.1 nonce");
	is_str(p.keyid, "test-key-rsa-pss", "B.2.1 keyid");
	ok(p.siglen == 256, "B.2.1 signature is 256 bytes (RSA 2048)");
	jra_sig_parsed_release(&p);

	/* Both signatures in one pair of fields, as a server may receive them. */
	free(input);
	free(sig);
	input = slurp(DATA "rfc9421-B.2.2-signature-input.txt", NULL);
	sig = slurp(DATA "rfc9421-B.2.2-signature.txt", NULL);
	both_input = slurp(DATA "rfc9421-B.2.6-signature-input.txt", NULL);
	both_sig = slurp(DATA "rfc9421-B.2.6-signature.txt", NULL);
	{
		char *i2 = jra_xasprintf("%s, %s", input, both_input);
		char *s2 = jra_xasprintf("%s, %s", sig, both_sig);

		ok(jra_sig_parse(i2, s2, "sig-b26", &p, &e) == 0 && p.ncomponents == 6 &&
		   p.siglen == 64, "picks sig-b26 out of a field holding two signatures");
		jra_sig_parsed_release(&p);
		ok(jra_sig_parse(i2, s2, "sig-b22", &p, &e) == JRA_ERR_AUTH,
		   "B.2.2's component with a parameter is refused as malformed");
		ok(strstr(e.msg, "@query-param") != NULL, "message names it: %s", e.msg);
		ok(p.components == NULL && p.params_value == NULL && p.sig == NULL,
		   "nothing is left allocated on failure");
		ok(jra_sig_parse(i2, s2, "sig1", &p, &e) == JRA_ERR_AUTH &&
		   strstr(e.msg, "'sig1'") != NULL, "an absent label is refused: %s", e.msg);
		free(i2);
		free(s2);
	}
	free(input);
	free(sig);
	free(both_input);
	free(both_sig);

	ok(jra_sig_parse("sig1=(\"@method\"", "sig1=:AA==:", "sig1", &p, &e) == JRA_ERR_AUTH &&
	   strstr(e.msg, "malformed Signature-Input") == e.msg, "malformed input: %s", e.msg);
	ok(jra_sig_parse("sig1=(\"@method\");created=1", "sig1=:AA=:", "sig1", &p, &e) ==
	   JRA_ERR_AUTH && strstr(e.msg, "malformed Signature") == e.msg,
	   "malformed signature: %s", e.msg);
	ok(jra_sig_parse("sig1=(\"@method\" \"@method\")", "sig1=:AA==:", "sig1", &p, &e) ==
	   JRA_ERR_AUTH, "a component listed twice is refused: %s", e.msg);
	ok(jra_sig_parse("sig1=(\"@method\");created=\"1\"", "sig1=:AA==:", "sig1", &p, &e) ==
	   JRA_ERR_AUTH, "created as a string is refused: %s", e.msg);
	ok(jra_sig_parse("sig1=(\"@method\");keyid=k", "sig1=:AA==:", "sig1", &p, &e) ==
	   JRA_ERR_AUTH, "keyid as a token is refused: %s", e.msg);
	ok(jra_sig_parse("sig1=(@method)", "sig1=:AA==:", "sig1", &p, &e) == JRA_ERR_AUTH,
	   "a component as a token is refused: %s", e.msg);
	ok(jra_sig_parse("sig1=\"@method\"", "sig1=:AA==:", "sig1", &p, &e) == JRA_ERR_AUTH,
	   "an input that is not an inner list is refused: %s", e.msg);
	ok(jra_sig_parse("sig1=(\"@method\")", "sig1=\"AA==\"", "sig1", &p, &e) == JRA_ERR_AUTH,
	   "a signature that is not a byte sequence is refused: %s", e.msg);
	ok(jra_sig_parse(NULL, "sig1=:AA==:", "sig1", &p, &e) == JRA_ERR_AUTH,
	   "a missing Signature-Input is refused");
	ok(jra_sig_parse("sig1=(\"@method\");created=1;tag=\"t\";expires=2", "sig1=:AA==:",
			 "sig1", &p, &e) == 0 && p.other_params == 2,
	   "other parameters are counted");
	jra_sig_parsed_release(&p);
}

static void test_digest(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	size_t len, len2;
	char *body = slurp(DATA "rfc9421-B.2-test-request-body.json", &len);
	char *dog = slurp(DATA "rfc9421-B.2-test-response-body.json", &len2);
	char *h = jra_digest_header(body, len);

	is_str(h, HELLO_WORLD_SHA256, "RFC 9530 sha-256 of {\"hello\": \"world\"}");
	ok(jra_digest_check(h, body, len, &e) == 0, "its own digest checks");
	ok(jra_digest_check(HELLO_WORLD_SHA512, body, len, &e) == 0, "RFC 9421 test-request sha-512");
	ok(jra_digest_check(GOOD_DOG_SHA512, dog, len2, &e) == 0, "RFC 9421 test-response sha-512");
	ok(jra_digest_check(HELLO_WORLD_SHA256 ", " HELLO_WORLD_SHA512, body, len, &e) == 0,
	   "both algorithms");
	ok(jra_digest_check(HELLO_WORLD_SHA256 ", md5=:AAAA:, unixsum=1", body, len, &e) == 0,
	   "unknown algorithms are ignored");
	body[3] ^= 1;
	ok(jra_digest_check(h, body, len, &e) == JRA_ERR_DATA, "a tampered body fails: %s", e.msg);
	body[3] ^= 1;
	ok(jra_digest_check(h, body, len - 1, &e) == JRA_ERR_DATA, "a truncated body fails");
	ok(jra_digest_check(HELLO_WORLD_SHA256 ", " GOOD_DOG_SHA512, body, len, &e) == JRA_ERR_DATA,
	   "every digest present must match");
	ok(jra_digest_check("md5=:AAAA:", body, len, &e) == JRA_ERR_DATA,
	   "neither sha-256 nor sha-512: %s", e.msg);
	ok(jra_digest_check("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE", body, len, &e) ==
	   JRA_ERR_DATA, "a token instead of a byte sequence: %s", e.msg);
	ok(jra_digest_check("sha-256=:X48E9q", body, len, &e) == JRA_ERR_DATA &&
	   strstr(e.msg, "malformed Content-Digest") == e.msg, "malformed: %s", e.msg);
	ok(jra_digest_check(NULL, body, len, &e) == JRA_ERR_DATA, "missing");
	free(h);
	free(body);
	free(dog);
}

/* What a server does with the headers a client sent. */
static int server_verifies(const struct jra_key *vkey, const struct jra_sig_headers *h,
			   const char *method, const char *uri, const char *body,
			   const char *ctype, const char *idem, struct jra_sig_parsed *p)
{
	struct jra_sig_component c[5];
	struct jra_error e = JRA_ERROR_INIT;
	size_t n = 0;
	char *base;
	int rc;

	if (jra_sig_parse(h->signature_input, h->signature, "sig1", p, &e) < 0) {
		printf("# %s\n", e.msg);
		return -1;
	}
	c[n++] = (struct jra_sig_component){ "@method", method };
	c[n++] = (struct jra_sig_component){ "@target-uri", uri };
	if (body) {
		if (jra_digest_check(h->content_digest, body, strlen(body), &e) < 0)
			return -2;
		c[n++] = (struct jra_sig_component){ "content-digest", h->content_digest };
		c[n++] = (struct jra_sig_component){ "content-type", ctype };
	}
	if (idem)
		c[n++] = (struct jra_sig_component){ "idempotency-key", idem };
	if (p->ncomponents != n)
		return -3;
	for (size_t i = 0; i < n; i++)
		if (strcmp(p->components[i], c[i].name) != 0)
			return -3;
	base = jra_sig_base(c, n, p->params_value);
	rc = jra_sig_verify(vkey, base, strlen(base), p->sig, p->siglen);
	free(base);
	return rc;
}

static void round_trip(enum jra_alg alg)
{
	const char *name = jra_alg_name(alg);
	const char *uri = "https://127.0.0.1:8443/registrar/v1/fqdns";
	const char *body = "{\"fqdn\":\"example.jp\",\"period\":\"1y\"}";
	const char *idem = "5b1c1f2e-8a4f-4b53-9d3e-2c4a9f0e7d61";
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *gen = NULL, *signer = NULL, *verifier = NULL;
	struct jra_sig_headers h;
	struct jra_sig_parsed p;
	struct jra_sig_request r = {
		.method = "POST", .target_uri = uri, .body = body, .body_len = strlen(body),
		.content_type = "application/json", .idempotency_key = idem,
		.keyid = "r0001-key", .created = 1795000000, .nonce = NULL,
	};
	const char *path;
	char *want, *text;

	ok(jra_key_generate(alg, &gen, &e) == 0, "%s: generates a key", name);
	if (!gen)
		return;
	ok(jra_key_alg(gen) == alg, "%s: key knows its alg", name);
	/* The client loads its key from a 0600 file, as a profile names it. */
	if (alg == JRA_ALG_HMAC_SHA256) {
		unsigned char *secret = NULL;
		size_t slen = 0;

		text = jra_key_secret_b64(gen);
		ok(text && jra_b64_decode(text, strlen(text), &secret, &slen) == 0 && slen == 32,
		   "%s: the secret is 32 bytes, padded standard base64", name);
		ok(jra_key_from_secret(secret, slen, &verifier, &e) == 0, "%s: server's key", name);
		free(secret);
		ok(jra_key_private_pem(gen) == NULL && jra_key_public_pem(gen) == NULL,
		   "%s: no PEM for a secret", name);
	} else {
		char *pub = jra_key_public_pem(gen);

		text = jra_key_private_pem(gen);
		ok(text && strstr(text, "-----BEGIN PRIVATE KEY-----") == text,
		   "%s: private key as PKCS#8 PEM", name);
		ok(pub && jra_key_from_pem(pub, strlen(pub), alg, &verifier, &e) == 0,
		   "%s: server loads the public key (%s)", name, e.msg);
		ok(jra_key_secret_b64(gen) == NULL, "%s: no secret for a key pair", name);
		if (verifier) {
			unsigned char *sig = NULL;
			size_t siglen = 0;

			ok(jra_sig_sign(verifier, "x", 1, &sig, &siglen, &e) == JRA_ERR_CONFIG &&
			   sig == NULL, "%s: a public key cannot sign: %s", name, e.msg);
		}
		free(pub);
	}
	path = write_scratch("gen.key", text, strlen(text), 0600);
	free(text);
	ok(jra_key_load_file(path, alg, &signer, &e) == 0, "%s: loads from a 0600 file (%s)",
	   name, e.msg);
	if (!signer || !verifier)
		goto cleanup;

	ok(jra_sign_request(signer, &r, &h, &e) == 0, "%s: signs a POST (%s)", name, e.msg);
	want = jra_digest_header(body, strlen(body));
	is_str(h.content_digest, want, "%s: Content-Digest is the body's sha-256", name);
	free(want);
	want = jra_xasprintf("sig1=(\"@method\" \"@target-uri\" \"content-digest\" \"content-type\" "
			     "\"idempotency-key\");created=1795000000;nonce=\"");
	ok(h.signature_input && strncmp(h.signature_input, want, strlen(want)) == 0,
	   "%s: components and params in the contract's order: %s", name, h.signature_input);
	free(want);
	want = jra_xasprintf("\";keyid=\"r0001-key\";alg=\"%s\"", name);
	ok(h.signature_input && strlen(h.signature_input) > strlen(want) &&
	   strcmp(h.signature_input + strlen(h.signature_input) - strlen(want), want) == 0,
	   "%s: ends with keyid and alg", name);
	free(want);
	ok(strncmp(h.signature, "sig1=:", 6) == 0, "%s: Signature is a byte sequence", name);

	ok(server_verifies(verifier, &h, "POST", uri, body, "application/json", idem, &p) == 0,
	   "%s: the server verifies it", name);
	ok(p.nonce && strlen(p.nonce) == 22 && strspn(p.nonce,
	   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 22,
	   "%s: nonce is 128 bits of base64url without padding: %s", name, p.nonce);
	is_str(p.keyid, "r0001-key", "%s: keyid", name);
	is_str(p.alg, name, "%s: alg", name);
	ok(p.has_created && p.created == 1795000000, "%s: created", name);
	jra_sig_parsed_release(&p);
	ok(server_verifies(verifier, &h, "POST", uri, "{\"fqdn\":\"example.jq\",\"period\":\"1y\"}",
			   "application/json", idem, &p) == -2, "%s: a tampered body fails the digest",
	   name);
	jra_sig_parsed_release(&p);
	ok(server_verifies(verifier, &h, "PATCH", uri, body, "application/json", idem, &p) == -1,
	   "%s: another method does not verify", name);
	jra_sig_parsed_release(&p);
	ok(server_verifies(verifier, &h, "POST", uri, body, "application/json",
			   "5b1c1f2e-8a4f-4b53-9d3e-2c4a9f0e7d62", &p) == -1,
	   "%s: another idempotency key does not verify", name);
	jra_sig_parsed_release(&p);
	jra_sig_headers_release(&h);

	/* A GET: no body, no digest, no idempotency key; a fixed nonce. */
	r.method = "GET";
	r.target_uri = "https://127.0.0.1:8443/registrar/v1/fqdns/xn--wgv71a119e.jp";
	r.body = NULL;
	r.body_len = 0;
	r.content_type = NULL;
	r.idempotency_key = NULL;
	r.nonce = "AAECAwQFBgcICQoLDA0ODw";
	ok(jra_sign_request(signer, &r, &h, &e) == 0 && h.content_digest == NULL,
	   "%s: signs a GET without Content-Digest", name);
	want = jra_xasprintf("sig1=(\"@method\" \"@target-uri\");created=1795000000;"
			     "nonce=\"AAECAwQFBgcICQoLDA0ODw\";keyid=\"r0001-key\";alg=\"%s\"", name);
	is_str(h.signature_input, want, "%s: GET Signature-Input", name);
	free(want);
	ok(server_verifies(verifier, &h, "GET", r.target_uri, NULL, NULL, NULL, &p) == 0,
	   "%s: the server verifies the GET", name);
	jra_sig_parsed_release(&p);
	jra_sig_headers_release(&h);
cleanup:
	jra_key_free(gen);
	jra_key_free(signer);
	jra_key_free(verifier);
}

/* One signer for many requests: each signature stands on its own, each nonce is new. */
static void signer_reuse(enum jra_alg alg)
{
	const char *name = jra_alg_name(alg), *body = "{\"period\":\"1y\"}";
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *key = NULL, *pub = NULL;
	struct jra_signer *s = NULL;
	struct jra_sig_headers h;
	struct jra_sig_parsed p;
	char uri[128], nonces[100][23], *pem;
	int i, j, bad = 0, dup = 0;

	ok(jra_key_generate(alg, &key, &e) == 0 && jra_signer_new(key, &s, &e) == 0,
	   "%s: a signer (%s)", name, e.msg);
	if (!s)
		goto cleanup;
	/* 100 nonces: more than one pool of random bytes */
	for (i = 0; i < 100; i++) {
		struct jra_sig_request r = {
			.method = i % 3 ? "GET" : "POST",
			.target_uri = uri, .keyid = i < 50 ? "k-one" : "k-two",
			.created = 1795000000 + i,
		};

		memset(&p, 0, sizeof(p));
		snprintf(uri, sizeof(uri), "https://127.0.0.1/registrar/v1/fqdns/b%d.example.jp", i);
		if (i % 3 == 0) {
			r.body = body;
			r.body_len = strlen(body);
			r.content_type = "application/json";
		}
		if (jra_signer_sign_request(s, &r, &h, &e) < 0 ||
		    server_verifies(key, &h, r.method, uri,
				    r.body ? body : NULL, r.content_type, NULL, &p) != 0 ||
		    !p.nonce || strlen(p.nonce) != 22 ||
		    strcmp(p.keyid, r.keyid) != 0 || p.created != r.created) {
			bad++;
		} else {
			snprintf(nonces[i], sizeof(nonces[i]), "%s", p.nonce);
			for (j = 0; j < i; j++)
				dup += !strcmp(nonces[i], nonces[j]);
		}
		jra_sig_parsed_release(&p);
		jra_sig_headers_release(&h);
	}
	ok(bad == 0, "%s: 100 requests from one signer all verify, with their own key id "
	   "and time (%d do not)", name, bad);
	ok(dup == 0, "%s: no nonce comes twice", name);
	if (alg != JRA_ALG_HMAC_SHA256) {
		pem = jra_key_public_pem(key);
		ok(pem && jra_key_from_pem(pem, strlen(pem), alg, &pub, &e) == 0, "%s: public key",
		   name);
		jra_signer_free(s);
		s = NULL;
		ok(pub && jra_signer_new(pub, &s, &e) == JRA_ERR_CONFIG && s == NULL,
		   "%s: no signer from a public key: %s", name, e.msg);
		free(pem);
	}
cleanup:
	jra_signer_free(s);
	jra_key_free(key);
	jra_key_free(pub);
}

static void test_request_checks(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *key = NULL;
	struct jra_sig_headers h;
	struct jra_sig_request r = {
		.method = "POST", .target_uri = "https://127.0.0.1/x", .body = "{}", .body_len = 2,
		.content_type = NULL, .keyid = "k", .created = 1,
	};

	jra_key_generate(JRA_ALG_HMAC_SHA256, &key, &e);
	ok(jra_sign_request(key, &r, &h, &e) == JRA_ERR_SOFTWARE, "a body needs a content type");
	r.content_type = "application/json";
	r.idempotency_key = "a\r\nX-Evil: 1";
	ok(jra_sign_request(key, &r, &h, &e) == JRA_ERR_DATA, "CR LF in a header value refused");
	r.idempotency_key = NULL;
	r.keyid = "caf\xc3\xa9";
	ok(jra_sign_request(key, &r, &h, &e) == JRA_ERR_CONFIG &&
	   h.signature == NULL && h.content_digest == NULL,
	   "a key id that is not printable ASCII refused: %s", e.msg);
	jra_key_free(key);
}

static void test_key_files(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *key = NULL;
	char *pem, *want;
	const char *path;
	size_t len;

	pem = slurp(DATA "rfc9421-B.1.4-test-key-ed25519.pem", &len);
	path = write_scratch("loose.pem", pem, len, 0644);
	ok(jra_key_load_file(path, JRA_ALG_ED25519, &key, &e) == JRA_ERR_CONFIG && key == NULL,
	   "a key file with mode 0644 is refused");
	ok(strstr(e.msg, path) && strstr(e.msg, "0644"), "message names file and mode: %s", e.msg);
	want = jra_xasprintf("chmod 600 '%s'", path);
	is_str(e.hint, want, "hint says how to fix it");
	free(want);
	chmod(path, 0640);
	ok(jra_key_load_file(path, JRA_ALG_ED25519, &key, &e) == JRA_ERR_CONFIG,
	   "mode 0640 (group) is refused too");
	chmod(path, 0600);
	ok(jra_key_load_file(path, JRA_ALG_ED25519, &key, &e) == 0, "mode 0600 is accepted");
	jra_key_free(key);
	key = NULL;
	ok(jra_key_load_file(path, JRA_ALG_ECDSA_P256_SHA256, &key, &e) == JRA_ERR_CONFIG &&
	   strstr(e.msg, "Ed25519") && strstr(e.msg, "ecdsa-p256-sha256"),
	   "a key of the wrong type is refused: %s", e.msg);
	ok(jra_key_load_file(path, JRA_ALG_HMAC_SHA256, &key, &e) == JRA_ERR_CONFIG,
	   "a PEM key for hmac-sha256 is refused: %s", e.msg);
	free(pem);

	path = write_scratch("bad.pem", "hello\n", 6, 0600);
	ok(jra_key_load_file(path, JRA_ALG_ED25519, &key, &e) == JRA_ERR_CONFIG,
	   "a file that is not PEM is refused");
	ok(strstr(e.msg, path) && strstr(e.msg, "expected an Ed25519 key"),
	   "message names the file and what was expected: %s", e.msg);
	ok(jra_key_load_file(path, JRA_ALG_HMAC_SHA256, &key, &e) == JRA_ERR_CONFIG &&
	   strstr(e.msg, path) && strstr(e.msg, "base64"),
	   "a secret that is not base64 is refused: %s", e.msg);
	path = write_scratch("empty.txt", "\n", 1, 0600);
	ok(jra_key_load_file(path, JRA_ALG_HMAC_SHA256, &key, &e) == JRA_ERR_CONFIG,
	   "an empty secret is refused");

	pem = slurp(DATA "rfc9421-B.1.3-test-key-ecc-p256.pub.pem", &len);
	path = write_scratch("pub.pem", pem, len, 0600);
	ok(jra_key_load_file(path, JRA_ALG_ECDSA_P256_SHA256, &key, &e) == JRA_ERR_CONFIG &&
	   strstr(e.msg, "public key"), "a public key cannot be a signing key: %s", e.msg);
	free(pem);

	path = write_scratch("bad.pem", "", 0, 0600);
	unlink(path);
	ok(jra_key_load_file(path, JRA_ALG_ED25519, &key, &e) == JRA_ERR_CONFIG &&
	   strstr(e.msg, "No such file"), "a missing file: %s", e.msg);
	ok(key == NULL, "no key is returned on failure");
}

int main(void)
{
	setup_scratch();
	test_base64();
	test_alg_names();
	test_rfc9421_vectors();
	test_rfc9421_parse_examples();
	test_digest();
	round_trip(JRA_ALG_ED25519);
	round_trip(JRA_ALG_ECDSA_P256_SHA256);
	round_trip(JRA_ALG_HMAC_SHA256);
	signer_reuse(JRA_ALG_ED25519);
	signer_reuse(JRA_ALG_ECDSA_P256_SHA256);
	signer_reuse(JRA_ALG_HMAC_SHA256);
	test_request_checks();
	test_key_files();
	cleanup_scratch();
	return done_testing();
}
