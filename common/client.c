#include "client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "buf.h"
#include "call.h"
#include "i18n.h"

#define USER_AGENT "jra/" JRA_VERSION
/* Backoff: 0.5 s doubling up to 30 s; Retry-After is honoured up to 5 minutes. */
#define BACKOFF_BASE_MS 500L
#define BACKOFF_MAX_MS 30000L
#define RETRY_AFTER_MAX_MS 300000L

char *jra_path_segment(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct jra_buf b = JRA_BUF_INIT;
	unsigned char ch;

	for (; *s; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			jra_buf_addch(&b, (char)ch);
		} else {
			jra_buf_addch(&b, '%');
			jra_buf_addch(&b, hex[ch >> 4]);
			jra_buf_addch(&b, hex[ch & 15]);
		}
	}
	return jra_buf_take(&b);
}

int jra_uuid4(char out[37])
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	/* RFC 9562 section 5.4: version 4, variant 10. */
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
		 r[12], r[13], r[14], r[15]);
	return 0;
}

int jra_client_new(const struct jra_client_opts *o, struct jra_client **out,
		   struct jra_error *e)
{
	struct jra_client *c;

	*out = NULL;
	c = jra_xcalloc(1, sizeof(*c));
	c->easy = curl_easy_init();
	if (!c->easy) {
		free(c);
		return jra_error(e, JRA_ERR_SOFTWARE, _("cannot create a libcurl handle"));
	}
	c->endpoint = jra_xstrdup(o->endpoint);
	c->ca_file = o->ca_file ? jra_xstrdup(o->ca_file) : NULL;
	c->key = o->key;
	c->key_id = jra_xstrdup(o->key_id ? o->key_id : "");
	c->registrar = o->auth.registrar ? jra_xstrdup(o->auth.registrar) : NULL;
	c->key_file = o->auth.key_file ? jra_xstrdup(o->auth.key_file) : NULL;
	c->auth.registrar = c->registrar;
	c->auth.key_id = c->key_id;
	c->auth.key_file = c->key_file;
	c->timeout = o->timeout > 0 ? o->timeout : 30;
	c->connect_timeout = o->connect_timeout > 0 ? o->connect_timeout :
			     JRA_DEFAULT_CONNECT_TIMEOUT;
	c->retries = o->retries >= 0 ? o->retries : 0;
	c->verbose = o->verbose;
	c->log = o->log;
	c->dry_run = o->dry_run;
	*out = c;
	return 0;
}

void jra_client_free(struct jra_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->easy);
	jra_signer_free(c->signer);
	free(c->endpoint);
	free(c->ca_file);
	free(c->key_id);
	free(c->registrar);
	free(c->key_file);
	free(c);
}

void jra_client_set_limits(struct jra_client *c, long timeout, int retries)
{
	if (timeout > 0)
		c->timeout = timeout;
	if (retries >= 0)
		c->retries = retries;
}

void jra_client_set_stop(struct jra_client *c, const volatile sig_atomic_t *stop)
{
	c->stop = stop;
}

void jra_client_set_dry_run(struct jra_client *c, FILE *fp)
{
	c->dry_run = fp;
}

long jra_client_last_status(const struct jra_client *c)
{
	return c->last_status;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct jra_call *call = arg;

	if (jra_buf_add(&call->resp, data, size * n) < 0) {
		call->toobig = 1;
		return 0;
	}
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct jra_call *call = arg;
	size_t len = size * n;

	if (len >= 20 && !strncasecmp(data, "Idempotent-Replayed:", 20)) {
		const char *v = data + 20;

		while (*v == ' ')
			v++;
		call->replayed = !strncasecmp(v, "true", 4);
	}
	/* Headers are small; past the cap they are just not logged. */
	jra_buf_add(&call->resp_hdrs, data, len);
	return len;
}

/* "Name: value"; an empty value gives "Name:", which tells libcurl not to send it.
 * The lines share one buffer, linked by link_headers() once all are in. */
static void add_header(struct jra_call *call, const char *name, const char *value)
{
	if (call->nhdrs == JRA_CALL_MAX_HEADERS) {
		fprintf(stderr, "jra: too many request headers\n");
		abort();
	}
	call->hoff[call->nhdrs++] = call->hlines.len;
	jra_buf_addstr(&call->hlines, name);
	jra_buf_addch(&call->hlines, ':');
	if (*value) {
		jra_buf_addch(&call->hlines, ' ');
		jra_buf_addstr(&call->hlines, value);
	}
	/* each line ends with its own NUL */
	jra_buf_add(&call->hlines, "", 1);
}

/* The header list libcurl takes, without an allocation per line. */
static void link_headers(struct jra_call *call)
{
	size_t i;

	call->hdrs = NULL;
	for (i = call->nhdrs; i-- > 0;) {
		call->hnodes[i].data = call->hlines.buf + call->hoff[i];
		call->hnodes[i].next = call->hdrs;
		call->hdrs = &call->hnodes[i];
	}
}

static void log_request_headers(struct jra_client *c, struct jra_call *call)
{
	const struct curl_slist *h;
	char *red;

	fprintf(c->log, "> %s %s\n> User-Agent: %s\n", call->method, call->url, USER_AGENT);
	for (h = call->hdrs; h; h = h->next) {
		if (!strncasecmp(h->data, "Signature:", 10)) {
			red = jra_redact_signature(h->data + 10);
			fprintf(c->log, "> Signature:%s\n", red);
			free(red);
		} else if (strcmp(h->data, "Expect:")) {
			fprintf(c->log, "> %s\n", h->data);
		}
	}
	if (call->body) {
		red = jra_redact_body(call->body, call->body_len);
		fprintf(c->log, "> %s\n", red);
		free(red);
	}
}

static void log_response_headers(struct jra_client *c, struct jra_call *call)
{
	const char *p = jra_buf_str(&call->resp_hdrs), *nl;
	char *line;
	size_t n;

	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		line = jra_sanitize(p, n, 1000);
		fprintf(c->log, "< %s\n", line);
		free(line);
	}
}

/* Signs this attempt (a fresh nonce and time each) and builds its headers. */
static int sign_attempt(struct jra_client *c, struct jra_call *call, struct jra_error *e)
{
	struct jra_sig_headers sh = { NULL, NULL, NULL };
	struct jra_sig_request sr;
	int r;

	call->hdrs = NULL;
	call->nhdrs = 0;
	jra_buf_reset(&call->hlines);
	if (!c->signer && (r = jra_signer_new(c->key, &c->signer, e)) < 0)
		return r;
	memset(&sr, 0, sizeof(sr));
	sr.method = call->method;
	sr.target_uri = call->url;
	sr.body = call->body;
	sr.body_len = call->body_len;
	sr.content_type = call->body ? "application/json" : NULL;
	sr.idempotency_key = call->idem[0] ? call->idem : NULL;
	sr.keyid = c->key_id;
	sr.created = (int64_t)time(NULL);
	if ((r = jra_signer_sign_request(c->signer, &sr, &sh, e)) < 0)
		return r;
	add_header(call, "Accept", "application/json, application/problem+json");
	if (call->body) {
		add_header(call, "Content-Type", "application/json");
		add_header(call, "Content-Digest", sh.content_digest);
	}
	if (call->idem[0])
		add_header(call, "Idempotency-Key", call->idem);
	add_header(call, "Signature-Input", sh.signature_input);
	add_header(call, "Signature", sh.signature);
	/* No "Expect: 100-continue" round trip for small bodies. */
	add_header(call, "Expect", "");
	link_headers(call);
	jra_sig_headers_release(&sh);
	return 0;
}

/* Every libcurl option jra sets, in one place; the handle is reset first so
 * that nothing from the previous request leaks into this one (the reset
 * keeps live connections and TLS sessions). */
static void setopts(struct jra_client *c, CURL *h, struct jra_call *call)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_PRIVATE, call);
	curl_easy_setopt(h, CURLOPT_URL, call->url);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* ca_file alone is trusted (jra-config(5)); without libcurl's default CA
	 * directory, libcurl also keeps the parsed store for the next connections */
	if (c->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout < c->timeout ?
			 c->connect_timeout : c->timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, call);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)JRA_RESPONSE_MAX);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, call->hdrs);
	if (!strcmp(call->method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(call->method, "POST"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call->method);
		else
			curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (call->body) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, call->body);
		}
	}
}

static int retryable_curl(CURLcode res)
{
	switch (res) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int curl_failure(struct jra_client *c, struct jra_call *call, CURL *h, CURLcode res,
			struct jra_error *e)
{
	const char *why = call->errbuf[0] ? call->errbuf : curl_easy_strerror(res);
	curl_off_t connected = 0;

	if (call->toobig || res == CURLE_FILESIZE_EXCEEDED)
		return jra_error(e, JRA_ERR_DATA, _("the CA's answer is larger than %d bytes"),
				 JRA_RESPONSE_MAX);
	switch (res) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		jra_error(e, JRA_ERR_CONFIG, _("cannot verify the CA's TLS certificate: %s"), why);
		return jra_error_hint(e, c->ca_file ? _("check that ca_file '%s' holds the CA "
				      "that signed the server's certificate") :
				      _("set ca_file in the profile if the server's certificate is "
				      "not from a public CA%s"), c->ca_file ? c->ca_file : "");
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		jra_error(e, JRA_ERR_CONFIG, _("bad endpoint URL '%s': %s"), c->endpoint, why);
		return jra_error_hint(e, _("fix 'endpoint' in the profile"));
	case CURLE_PARTIAL_FILE:
		jra_error(e, JRA_ERR_TEMP, _("the CA's answer was cut short: %s"), why);
		return jra_error_hint(e, _("run again later"));
	case CURLE_OPERATION_TIMEDOUT:
		/* no TLS session yet: the connect timeout struck, not the total one */
		curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &connected);
		if (!connected) {
			jra_error(e, JRA_ERR_TEMP, _("no connection to the CA within %ld s: %s"),
				  c->connect_timeout < c->timeout ? c->connect_timeout : c->timeout,
				  why);
			return jra_error_hint(e, _("check the network and the endpoint '%s', and "
					      "run again later"), c->endpoint);
		}
		jra_error(e, JRA_ERR_TEMP, _("no answer within %ld s: %s"), c->timeout, why);
		return jra_error_hint(e, _("run again later, or allow more time with --timeout"));
	default:
		jra_error(e, JRA_ERR_TEMP, _("cannot reach the CA: %s"), why);
		return jra_error_hint(e, _("check the network and the endpoint '%s', and run "
				      "again later"), c->endpoint);
	}
}

/* A random delay for attempt n (1-based) in [d/2, d], d = base * 2^(n-1). */
static long backoff_ms(int attempt)
{
	unsigned char r[2];
	long d = BACKOFF_BASE_MS;
	int i;

	for (i = 1; i < attempt && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > BACKOFF_MAX_MS)
		d = BACKOFF_MAX_MS;
	if (RAND_bytes(r, 2) != 1)
		return d;
	return d / 2 + (long)(((unsigned)r[0] << 8 | r[1]) % (unsigned)(d / 2 + 1));
}

/* Sleeps ms, or less when a signal sets *stop meanwhile (stop may be NULL). */
static void sleep_ms(long ms, const volatile sig_atomic_t *stop)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !(stop && *stop))
		;
}

static int decode_success(struct jra_call *call, json_t **out, struct jra_error *e)
{
	json_error_t je;
	char *clean;

	if (call->resp.len == 0)
		return 0;
	*out = json_loadb(call->resp.buf, call->resp.len, JSON_REJECT_DUPLICATES, &je);
	/* contract §4: every answer of the API is an object */
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		clean = jra_sanitize(call->resp.buf, call->resp.len, 60);
		jra_error(e, JRA_ERR_DATA, _("the CA's answer is not a JSON object (%s): '%s'"),
			  je.text[0] ? je.text : _("not an object"), clean);
		free(clean);
		return jra_error_hint(e, _("check that 'endpoint' in the profile is the CA's "
				      "registrar API"));
	}
	return 0;
}

void jra_call_release(struct jra_call *call)
{
	free(call->url);
	free(call->body);
	jra_buf_release(&call->hlines);
	jra_buf_release(&call->resp);
	jra_buf_release(&call->resp_hdrs);
	json_decref(call->result);
	memset(call, 0, sizeof(*call));
}

/* Builds the request once for all its attempts; in a dry run prints it and is done. */
int jra_call_init(struct jra_client *c, struct jra_call *call, const char *method,
		     const char *path, json_t *body, const char *idem)
{
	struct jra_error *e = &call->err;

	memset(call, 0, sizeof(*call));
	call->method = method;
	call->url = jra_xasprintf("%s%s", c->endpoint, path);
	jra_buf_init(&call->resp, JRA_RESPONSE_MAX);
	jra_buf_init(&call->resp_hdrs, 64 * 1024);
	jra_buf_init(&call->hlines, 0);
	if (body) {
		call->body = json_dumps(body, JSON_COMPACT);
		if (!call->body)
			return call->rc = jra_error(e, JRA_ERR_SOFTWARE, _("cannot encode the request "
						    "body"));
		call->body_len = strlen(call->body);
	} else if (!strcmp(method, "POST")) {
		call->body = jra_xstrdup("{}");
		call->body_len = 2;
	}
	if (strcmp(method, "GET") && idem)
		snprintf(call->idem, sizeof(call->idem), "%s", idem);
	else if (strcmp(method, "GET") && jra_uuid4(call->idem) < 0)
		return call->rc = jra_error(e, JRA_ERR_SOFTWARE, _("cannot make an idempotency key: "
					    "no randomness"));
	/* contract §3: retry only what the server can tell apart from a new request */
	call->may_retry = !strcmp(method, "GET") || call->idem[0];
	if (c->dry_run) {
		fprintf(c->dry_run, "%s %s\n", call->method, call->url);
		if (call->body)
			fprintf(c->dry_run, "%.*s\n", (int)call->body_len, call->body);
	}
	return 0;
}

/* Readies the next attempt on handle h: fresh buffers, a fresh signature. */
int jra_call_start(struct jra_client *c, struct jra_call *call, CURL *h)
{
	call->attempt++;
	jra_buf_reset(&call->resp);
	jra_buf_reset(&call->resp_hdrs);
	call->toobig = call->replayed = 0;
	call->errbuf[0] = '\0';
	if ((call->rc = sign_attempt(c, call, &call->err)) < 0)
		return call->rc;
	setopts(c, h, call);
	if (c->log && c->verbose >= 2)
		log_request_headers(c, call);
	return 0;
}

static void log_outcome(struct jra_client *c, struct jra_call *call, CURL *h, CURLcode res,
			long status)
{
	curl_off_t total_us = 0;
	char *red;

	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
	if (res == CURLE_OK)
		fprintf(c->log, "jra: %s %s -> %ld%s (%.3f s)\n", call->method, call->url, status,
			call->replayed ? " replayed" : "", (double)total_us / 1e6);
	else
		fprintf(c->log, "jra: %s %s -> %s (%.3f s)\n", call->method, call->url,
			call->errbuf[0] ? call->errbuf : curl_easy_strerror(res),
			(double)total_us / 1e6);
	if (c->verbose >= 2 && res == CURLE_OK) {
		log_response_headers(c, call);
		if (call->resp.len) {
			red = jra_redact_body(call->resp.buf, call->resp.len);
			fprintf(c->log, "< %s\n", red);
			free(red);
		}
	}
}

/*
 * Judges an attempt that ended with res on h: -1 when the call is done
 * (call->rc and call->result hold the outcome), else the milliseconds to
 * wait before the next attempt.
 */
long jra_call_finish(struct jra_client *c, struct jra_call *call, CURL *h, CURLcode res)
{
	struct jra_error *e = &call->err;
	curl_off_t retry_after = 0;
	long status = 0, delay, wait_ms;
	char *ctype = NULL, *loc = NULL, *red;
	long nconnects = 0;
	int retry = 0;

	c->nsent++;
	if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nconnects) == CURLE_OK && nconnects > 0)
		c->nconnects += (unsigned long)nconnects;
	if (res == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after);
	}
	c->last_status = status;
	if (c->log && c->verbose >= 1)
		log_outcome(c, call, h, res, status);
	if (res != CURLE_OK) {
		call->rc = curl_failure(c, call, h, res, e);
		retry = call->may_retry && retryable_curl(res) && !call->toobig;
	} else if (status >= 200 && status < 300) {
		call->rc = decode_success(call, &call->result, e);
		return -1;
	} else if (status >= 300 && status < 400) {
		curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
		red = jra_sanitize(loc ? loc : "", loc ? strlen(loc) : 0, 200);
		call->rc = jra_error(e, JRA_ERR_DATA, _("the CA answered HTTP %ld, a redirect to "
				     "'%s'; jra does not follow redirects"), status, red);
		free(red);
		jra_error_hint(e, _("check 'endpoint' in the profile"));
		return -1;
	} else {
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
		call->rc = jra_problem_decode(status, ctype, call->resp.buf, call->resp.len,
					      &c->auth, e);
		/* 409 idempotency-key-in-use and 401 replayed-nonce are temporary;
		 * each attempt is signed anew */
		retry = call->may_retry && (status == 429 || status >= 500 ||
					    ((status == 409 || status == 401) &&
					     call->rc == JRA_ERR_TEMP));
		/* after the last retry a 5xx means the CA is unavailable */
		if (status >= 500)
			call->rc = e->code = JRA_ERR_UNAVAILABLE;
	}
	if (!retry || call->attempt > c->retries) {
		if (retry && call->attempt > 1)
			jra_error_prefix(e, _("after %d attempts"), call->attempt);
		return -1;
	}
	delay = backoff_ms(call->attempt);
	if (retry_after > 0) {
		wait_ms = (long)retry_after * 1000;
		if (wait_ms > RETRY_AFTER_MAX_MS) {
			jra_error_hint(e, _("the CA asks to wait %ld s; run again then"), wait_ms / 1000);
			return -1;
		}
		if (wait_ms > delay)
			delay = wait_ms;
	}
	if (c->log && c->verbose >= 1)
		fprintf(c->log, _("jra: %s; retrying in %.1f s (attempt %d of %d)\n"), e->msg,
			(double)delay / 1000, call->attempt + 1, c->retries + 1);
	return delay;
}

/* The outcome of a finished call, moved to the caller. */
int jra_call_take(struct jra_call *call, json_t **out, struct jra_error *e)
{
	*out = call->result;
	call->result = NULL;
	if (call->rc < 0 && e)
		*e = call->err;
	return call->rc;
}

int jra_client_call(struct jra_client *c, const char *method, const char *path,
		    json_t *body, json_t **out, struct jra_error *e)
{
	return jra_client_call_keyed(c, method, path, body, NULL, out, e);
}

int jra_client_call_keyed(struct jra_client *c, const char *method, const char *path,
			  json_t *body, const char *idem, json_t **out, struct jra_error *e)
{
	struct jra_call call;
	long delay;
	int r;

	*out = NULL;
	c->last_status = 0;
	if (jra_call_init(c, &call, method, path, body, idem) < 0 || c->dry_run)
		goto out;
	for (;;) {
		if (jra_call_start(c, &call, c->easy) < 0)
			break;
		delay = jra_call_finish(c, &call, c->easy, curl_easy_perform(c->easy));
		/* after a stop no further attempt: the call ends with its last error */
		if (delay < 0 || (c->stop && *c->stop))
			break;
		sleep_ms(delay, c->stop);
		if (c->stop && *c->stop)
			break;
	}
out:
	r = jra_call_take(&call, out, e);
	jra_call_release(&call);
	return r;
}

