/*
 * sbxreq: sends one request signed as the contract's section 2 says to
 * jra-sandbox, or deliberately not (the tampering options), and prints
 * the status line, the headers and the body so that tests can assert on
 * them.  A test tool: it is built, not installed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "buf.h"
#include "sign.h"

static const char *const usage[] = {
	"usage: sbxreq --url URL --key FILE --keyid ID [--alg ALG] [--ca FILE]",
	"              [-X METHOD] [--data BODY] [--content-type TYPE] [--idempotency-key KEY]",
	"              [--created-offset SECONDS] [--nonce VALUE] [--tamper-body]",
	"              [--no-signature] [--extra-component]",
	"",
	"  --url URL               the full URL, e.g. https://127.0.0.1:8443/registrar/v1/terms",
	"  --key FILE              private key (PEM) or, for hmac-sha256, the secret in base64",
	"  --keyid ID, --alg ALG   the key's id and algorithm (default ed25519)",
	"  --ca FILE               the CA certificate to trust (the sandbox's ca.pem)",
	"  -X METHOD               the method (default GET, or POST with --data)",
	"  --data BODY             the body (sent with Content-Type application/json)",
	"  --idempotency-key KEY   send and sign Idempotency-Key",
	"  --created-offset SECS   sign with created = now + SECS",
	"  --nonce VALUE           sign with this nonce instead of a random one",
	"  --tamper-body           sign BODY but send BODY followed by a space",
	"  --no-signature          send no Signature-Input and Signature",
	"  --extra-component       also cover a header the contract does not list",
	"",
	"Prints the status line, the headers, an empty line and the body.",
	"Exit status: 0 with any HTTP response, 3 when none came, 64 usage, 78 key.",
	NULL,
};

enum {
	OPT_URL = 256, OPT_KEY, OPT_KEYID, OPT_ALG, OPT_CA, OPT_DATA, OPT_CTYPE, OPT_IDEM,
	OPT_CREATED, OPT_NONCE, OPT_TAMPER, OPT_NOSIG, OPT_EXTRA, OPT_HELP,
};

static const struct option options[] = {
	{ "url", required_argument, NULL, OPT_URL },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "keyid", required_argument, NULL, OPT_KEYID },
	{ "alg", required_argument, NULL, OPT_ALG },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "request", required_argument, NULL, 'X' },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "content-type", required_argument, NULL, OPT_CTYPE },
	{ "idempotency-key", required_argument, NULL, OPT_IDEM },
	{ "created-offset", required_argument, NULL, OPT_CREATED },
	{ "nonce", required_argument, NULL, OPT_NONCE },
	{ "tamper-body", no_argument, NULL, OPT_TAMPER },
	{ "no-signature", no_argument, NULL, OPT_NOSIG },
	{ "extra-component", no_argument, NULL, OPT_EXTRA },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *url, *key, *keyid, *alg, *ca, *method, *data, *ctype, *idem, *nonce;
	long created_offset;
	int tamper, nosig, extra;
};

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
	jra_buf_add(userdata, p, size * n);
	return size * n;
}

/* Signs by hand with one more covered component, "x-sbx-extra", which the server must refuse. */
static int sign_extra(const struct jra_key *key, const struct args *a, const char *body,
		      struct jra_sig_headers *h, int64_t created, struct jra_error *e)
{
	struct jra_sig_component c[6];
	struct jra_buf params = JRA_BUF_INIT;
	unsigned char *sig = NULL, rnd[16];
	char *nonce = NULL, *base = NULL, *b64 = NULL;
	size_t n = 0, siglen = 0;
	int rc;

	if (body)
		h->content_digest = jra_digest_header(body, strlen(body));
	c[n++] = (struct jra_sig_component){ "@method", a->method };
	c[n++] = (struct jra_sig_component){ "@target-uri", a->url };
	if (body) {
		c[n++] = (struct jra_sig_component){ "content-digest", h->content_digest };
		c[n++] = (struct jra_sig_component){ "content-type", a->ctype };
	}
	if (a->idem)
		c[n++] = (struct jra_sig_component){ "idempotency-key", a->idem };
	c[n++] = (struct jra_sig_component){ "x-sbx-extra", "1" };
	if (a->nonce) {
		nonce = jra_xstrdup(a->nonce);
	} else {
		RAND_bytes(rnd, sizeof(rnd));
		nonce = jra_b64_encode(rnd, sizeof(rnd), 1, 0);
	}
	jra_buf_init(&params, 0);
	jra_buf_addch(&params, '(');
	for (size_t i = 0; i < n; i++)
		jra_buf_addf(&params, "%s\"%s\"", i ? " " : "", c[i].name);
	jra_buf_addf(&params, ");created=%lld;nonce=\"%s\";keyid=\"%s\";alg=\"%s\"",
		     (long long)created, nonce, a->keyid, a->alg);
	base = jra_sig_base(c, n, jra_buf_str(&params));
	rc = jra_sig_sign(key, base, strlen(base), &sig, &siglen, e);
	if (!rc) {
		b64 = jra_b64_encode(sig, siglen, 0, 1);
		h->signature_input = jra_xasprintf("sig1=%s", jra_buf_str(&params));
		h->signature = jra_xasprintf("sig1=:%s:", b64);
	}
	free(b64);
	free(sig);
	free(base);
	free(nonce);
	jra_buf_release(&params);
	return rc;
}

static int parse(int argc, char **argv, struct args *a)
{
	char *end;
	int c;

	a->alg = "ed25519";
	a->ctype = "application/json";
	while ((c = getopt_long(argc, argv, "X:", options, NULL)) != -1) {
		switch (c) {
		case OPT_URL: a->url = optarg; break;
		case OPT_KEY: a->key = optarg; break;
		case OPT_KEYID: a->keyid = optarg; break;
		case OPT_ALG: a->alg = optarg; break;
		case OPT_CA: a->ca = optarg; break;
		case 'X': a->method = optarg; break;
		case OPT_DATA: a->data = optarg; break;
		case OPT_CTYPE: a->ctype = optarg; break;
		case OPT_IDEM: a->idem = optarg; break;
		case OPT_NONCE: a->nonce = optarg; break;
		case OPT_TAMPER: a->tamper = 1; break;
		case OPT_NOSIG: a->nosig = 1; break;
		case OPT_EXTRA: a->extra = 1; break;
		case OPT_CREATED:
			a->created_offset = strtol(optarg, &end, 10);
			if (*end || end == optarg) {
				fprintf(stderr, "sbxreq: --created-offset '%s' is not a number\n", optarg);
				return 64;
			}
			break;
		case OPT_HELP:
			for (int i = 0; usage[i]; i++)
				printf("%s\n", usage[i]);
			return 0;
		default:
			return 64;
		}
	}
	if (!a->url || optind < argc || (!a->nosig && (!a->key || !a->keyid))) {
		fprintf(stderr, "%s\n", usage[0]);
		return 64;
	}
	if (!a->method)
		a->method = a->data ? "POST" : "GET";
	return -1;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_key *key = NULL;
	struct jra_sig_headers h = { 0 };
	struct jra_buf hdrs, body;
	struct curl_slist *list = NULL;
	char *sent = NULL, *line;
	char errbuf[CURL_ERROR_SIZE] = "";
	enum jra_alg alg;
	CURL *curl;
	CURLcode cc;
	int rc = parse(argc, argv, &a);

	if (rc >= 0)
		return rc;
	if (!a.nosig) {
		if (jra_alg_parse(a.alg, &alg)) {
			fprintf(stderr, "sbxreq: unknown --alg '%s'\n", a.alg);
			return 64;
		}
		if (jra_key_load_file(a.key, alg, &key, &e)) {
			fprintf(stderr, "sbxreq: %s\n", e.msg);
			return 78;
		}
		if (a.extra) {
			rc = sign_extra(key, &a, a.data, &h, (int64_t)time(NULL) + a.created_offset, &e);
		} else {
			struct jra_sig_request req = {
				.method = a.method, .target_uri = a.url,
				.body = a.data, .body_len = a.data ? strlen(a.data) : 0,
				.content_type = a.data ? a.ctype : NULL,
				.idempotency_key = a.idem, .keyid = a.keyid,
				.created = (int64_t)time(NULL) + a.created_offset, .nonce = a.nonce,
			};
			rc = jra_sign_request(key, &req, &h, &e);
		}
		jra_key_free(key);
		if (rc) {
			fprintf(stderr, "sbxreq: cannot sign: %s\n", e.msg);
			return 78;
		}
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	jra_buf_init(&hdrs, 0);
	jra_buf_init(&body, 0);
	list = curl_slist_append(list, "Expect:");
	if (a.data) {
		line = jra_xasprintf("Content-Type: %s", a.ctype);
		list = curl_slist_append(list, line);
		free(line);
		sent = a.tamper ? jra_xasprintf("%s ", a.data) : jra_xstrdup(a.data);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, sent);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(sent));
	}
	if (h.content_digest) {
		line = jra_xasprintf("Content-Digest: %s", h.content_digest);
		list = curl_slist_append(list, line);
		free(line);
	}
	if (a.idem) {
		line = jra_xasprintf("Idempotency-Key: %s", a.idem);
		list = curl_slist_append(list, line);
		free(line);
	}
	if (a.extra)
		list = curl_slist_append(list, "X-Sbx-Extra: 1");
	if (h.signature_input) {
		line = jra_xasprintf("Signature-Input: %s", h.signature_input);
		list = curl_slist_append(list, line);
		free(line);
		line = jra_xasprintf("Signature: %s", h.signature);
		list = curl_slist_append(list, line);
		free(line);
	}
	curl_easy_setopt(curl, CURLOPT_URL, a.url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, a.method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hdrs);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	if (a.ca)
		curl_easy_setopt(curl, CURLOPT_CAINFO, a.ca);
	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		fprintf(stderr, "sbxreq: no response: %s (curl error %d)\n",
			errbuf[0] ? errbuf : curl_easy_strerror(cc), (int)cc);
		rc = 3;
	} else {
		/* headers as received, CRLF made LF; the empty line ends them */
		for (const char *p = jra_buf_str(&hdrs); *p; p++)
			if (*p != '\r')
				putchar(*p);
		fwrite(body.buf ? body.buf : "", 1, body.len, stdout);
		if (body.len && body.buf[body.len - 1] != '\n')
			putchar('\n');
		rc = 0;
	}
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	jra_buf_release(&hdrs);
	jra_buf_release(&body);
	jra_sig_headers_release(&h);
	free(sent);
	return rc;
}
