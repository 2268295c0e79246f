#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pki.h"
#include "sbx.h"

enum {
	SBX_SIGNED = 1,  /* /registrar/v1: signed, faults, rate limit, Idempotency-Key */
	SBX_JSON = 2,    /* takes a JSON object body (an empty body reads as {}) */
};

/* per connection: the request's headers and a read buffer for its body */
#define SBX_CONN_MEMORY (16 * 1024)

struct sbx_route {
	const char *method;
	const char *pattern;  /* segments; "*" matches one */
	sbx_handler handler;
	int flags;
};

static const struct sbx_route routes[] = {
	{ "GET", "sandbox/v1/clock", sbx_h_clock_get, 0 },
	{ "PUT", "sandbox/v1/clock", sbx_h_clock_put, SBX_JSON },
	{ "POST", "sandbox/v1/clock/advance", sbx_h_clock_advance, SBX_JSON },
	{ "POST", "sandbox/v1/registrars", sbx_h_sbx_registrars_post, SBX_JSON },
	{ "PUT", "sandbox/v1/registrars/*/suspension", sbx_h_sbx_suspension_put, SBX_JSON },
	{ "POST", "sandbox/v1/faults", sbx_h_faults_post, SBX_JSON },
	{ "POST", "sandbox/v1/issuance", sbx_h_issuance, SBX_JSON },
	{ "GET", "crl", sbx_h_crl, 0 },
	{ "GET", "registrar/v1/registrar", sbx_h_registrar_get, SBX_SIGNED },
	{ "GET", "registrar/v1/terms", sbx_h_terms_get, SBX_SIGNED },
	{ "POST", "registrar/v1/fqdns", sbx_h_fqdns_post, SBX_SIGNED | SBX_JSON },
	{ "GET", "registrar/v1/fqdns", sbx_h_fqdns_list, SBX_SIGNED },
	{ "GET", "registrar/v1/fqdns/*", sbx_h_fqdn_get, SBX_SIGNED },
	{ "PATCH", "registrar/v1/fqdns/*", sbx_h_fqdn_patch, SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/fqdns/*/cancellation", sbx_h_cancel_post, SBX_SIGNED | SBX_JSON },
	{ "DELETE", "registrar/v1/fqdns/*/cancellation", sbx_h_cancel_delete,
	  SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/fqdns/*/revocation", sbx_h_fqdn_revoke, SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/certificates/*/revocation", sbx_h_cert_revoke,
	  SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/fqdns/*/transfer-code", sbx_h_transfer_code,
	  SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/fqdns/*/transfer", sbx_h_transfer_request, SBX_SIGNED | SBX_JSON },
	{ "GET", "registrar/v1/fqdns/*/transfer", sbx_h_transfer_get, SBX_SIGNED },
	{ "DELETE", "registrar/v1/fqdns/*/transfer", sbx_h_transfer_cancel,
	  SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/fqdns/*/transfer/approve", sbx_h_transfer_approve,
	  SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/fqdns/*/transfer/reject", sbx_h_transfer_reject,
	  SBX_SIGNED | SBX_JSON },
	{ "POST", "registrar/v1/subscribers", sbx_h_subscribers_post, SBX_SIGNED | SBX_JSON },
	{ "GET", "registrar/v1/subscribers/*", sbx_h_subscriber_get, SBX_SIGNED },
	{ "POST", "registrar/v1/subscribers/*/eab", sbx_h_subscriber_eab, SBX_SIGNED | SBX_JSON },
};

void sbx_resp_release(struct sbx_resp *out)
{
	free(out->body);
	out->body = NULL;
	out->len = 0;
}

int sbx_reply(struct sbx_resp *out, int status, json_t *obj)
{
	sbx_resp_release(out);
	out->status = status;
	out->ctype = status >= 400 ? "application/problem+json" : "application/json";
	out->body = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	out->len = out->body ? strlen(out->body) : 0;
	json_decref(obj);
	return 0;
}

int sbx_problem(struct sbx_resp *out, int status, const char *name, const char *fmt, ...)
{
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	p = sbx_problem_newv(status, name, NULL, fmt, ap);
	va_end(ap);
	return sbx_reply(out, status, p);
}

int sbx_problem_fields(struct sbx_resp *out, int status, const char *name, json_t *errors,
		       const char *fmt, ...)
{
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	p = sbx_problem_newv(status, name, errors, fmt, ap);
	va_end(ap);
	return sbx_reply(out, status, p);
}

int sbx_fields_refused(struct sbx_resp *out, json_t *errors)
{
	json_t *p = sbx_fields_problem(errors);

	if (!p)
		return 0;
	sbx_reply(out, 400, p);
	return 1;
}

const char *sbx_header(struct sbx_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *sbx_query(struct sbx_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into a new string; NULL when malformed or holding NUL. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = jra_xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Splits the path of r->uri into decoded segments; -1 when it cannot be routed. */
static int split_path(struct sbx_req *r)
{
	const char *p = r->uri, *end = r->uri + strcspn(r->uri, "?#");

	if (*p != '/')
		return -1;
	while (p < end) {
		const char *s = p + 1, *e = s;

		while (e < end && *e != '/')
			e++;
		if (r->nseg == SBX_MAX_SEGS)
			return -1;
		if (!(r->seg[r->nseg] = pct_decode(s, (size_t)(e - s))))
			return -1;
		r->nseg++;
		p = e;
	}
	return 0;
}

/* The route for r: 1 found, 0 no such path, -1 path known but not this method. */
static int route(struct sbx_req *r, const struct sbx_route **out)
{
	int path_known = 0;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *p = routes[i].pattern;
		int n = 0, nargs = 0, match = 1;
		const char *args[4];

		while (*p && match) {
			size_t len = strcspn(p, "/");

			if (n >= r->nseg)
				match = 0;
			else if (len == 1 && *p == '*' && r->seg[n][0] && nargs < 4)
				args[nargs++] = r->seg[n];
			else if (strlen(r->seg[n]) != len || strncmp(r->seg[n], p, len))
				match = 0;
			n++;
			p += len;
			if (*p == '/')
				p++;
		}
		if (!match || n != r->nseg)
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, r->method))
			continue;
		for (int k = 0; k < nargs; k++)
			r->arg[k] = args[k];
		*out = &routes[i];
		return 1;
	}
	return path_known ? -1 : 0;
}

static int parse_json(struct sbx_req *r, struct sbx_resp *out)
{
	json_t *problem;
	int status = sbx_body_parse(r->body.buf, r->body.len, &r->json, &problem);

	if (status)
		sbx_reply(out, status, problem);
	return status != 0;
}

/*
 * Rate limit and Idempotency-Key, after authentication and outside any
 * transaction: 0 go on (*entered set when the key is now in progress),
 * 1 answered.
 */
static int registrar_limits(struct sbx_req *r, struct sbx_resp *out, const char *idem_key,
			    int *entered)
{
	int wait = sbx_rate_take(&r->srv->rate, r->registrar, r->real_now);

	if (wait) {
		sbx_problem(out, 429, "rate-limited", "more than %d requests in %s; retry in %d s",
			    r->srv->rate.limit, r->srv->rate.window == 1 ? "a second" : "a minute",
			    wait);
		out->retry_after = wait;
		return 1;
	}
	if (!idem_key)
		return 0;
	/* contract §3: only these methods take the header */
	if (strcmp(r->method, "POST") && strcmp(r->method, "PATCH") && strcmp(r->method, "DELETE"))
		return 0;
	if (!sbx_idem_key_valid(idem_key)) {
		sbx_problem(out, 400, "invalid-request",
			    "Idempotency-Key must be 1-255 printable ASCII characters");
		return 1;
	}
	if (sbx_idem_enter(&r->srv->inflight, r->registrar, idem_key)) {
		sbx_problem(out, 409, "idempotency-key-in-use",
			    "a request with this Idempotency-Key is still being handled");
		return 1;
	}
	*entered = 1;
	return 0;
}

/*
 * Inside the request's transaction: the kept answer for the key, if any.
 * 0 go on (*idem_fp set: keep this request's answer), 1 answered
 * (a replay or 422), -1 internal.
 */
static int idem_replay(struct sbx_req *r, struct sbx_resp *out, const char *idem_key,
		       char **idem_fp)
{
	char *fp = NULL, *body = NULL;
	size_t len = 0;
	int status = 0, rc;

	*idem_fp = sbx_idem_fingerprint(r->method, r->uri, r->body.buf ? r->body.buf : "",
					r->body.len);
	rc = sbx_idem_lookup(r->db, r->registrar, idem_key, r->now, &fp, &status, &body, &len);
	if (rc <= 0)
		return rc;
	if (strcmp(fp, *idem_fp)) {
		sbx_problem(out, 422, "idempotency-key-reuse",
			    "this Idempotency-Key was used for another request in the last 24 h");
	} else {
		sbx_resp_release(out);
		out->status = status;
		out->ctype = status >= 400 ? "application/problem+json" : "application/json";
		out->body = body;
		out->len = len;
		out->replayed = 1;
		body = NULL;
	}
	free(fp);
	free(body);
	free(*idem_fp);
	*idem_fp = NULL;
	return 1;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Opens the request's transaction and sets r->now.  A route that changes
 * nothing reads from one snapshot, so it neither waits for the write lock
 * nor holds it; the others take it up front.  The daily processing owed
 * since the last request runs first: within a writing transaction, or in
 * one of its own before the snapshot is taken anew.  0, or -1.
 */
static int request_begin(struct sbx_req *r, int read_only)
{
	struct sbx_db *db = r->db;

	for (int tries = 0; tries < 3; tries++) {
		if (read_only ? sbx_db_begin_read(db) : sbx_db_begin(db))
			return -1;
		r->now = sbx_clock_now(db);
		if (!sbx_daily_due(db, r->now))
			return 0;
		if (!read_only)
			return sbx_daily_catch_up(r->srv, db, r->now);
		sbx_db_rollback(db);
		if (sbx_db_begin(db) || sbx_daily_catch_up(r->srv, db, sbx_clock_now(db)) ||
		    sbx_db_commit(db))
			return -1;
	}
	fprintf(stderr, "jra-sandbox: the daily processing is still due after running it\n");
	return -1;
}

/* Handles a complete request into out. */
static void process(struct sbx_req *r, struct sbx_resp *out)
{
	const struct sbx_route *rt = NULL;
	enum sbx_fault_mode fault = SBX_FAULT_NONE;
	const char *idem_key = NULL;
	char *idem_fp = NULL;
	int delay_ms = 0, entered = 0, read_only, rc;
	struct sbx_server *srv = r->srv;

	out->retry_after = -1;
	if (r->too_big) {
		sbx_problem(out, 413, "payload-too-large", "the body is larger than %d bytes",
			    SBX_MAX_BODY);
		return;
	}
	rc = split_path(r) ? 0 : route(r, &rt);
	if (rc == 0) {
		sbx_problem(out, 404, "not-found", "no such resource");
		return;
	}
	if (rc < 0) {
		sbx_problem(out, 405, "method-not-allowed", "%s is not allowed here", r->method);
		return;
	}
	if (rt->flags & SBX_SIGNED) {
		fault = sbx_faults_take(&srv->faults, r->method, &delay_ms);
		if (fault == SBX_FAULT_503) {
			sbx_problem(out, 503, "unavailable", "fault injected: status-503");
			out->retry_after = 1;
			return;
		}
		idem_key = sbx_header(r, "Idempotency-Key");
	}

	r->db = sbx_store_get(srv->store);
	r->real_now = time(NULL);
	if (rt->flags & SBX_SIGNED) {
		/* outside the request's transaction: the nonce is committed on its own */
		rc = sbx_auth_check(r, out);
		if (rc < 0)
			goto internal;
		if (rc > 0 || registrar_limits(r, out, idem_key, &entered))
			goto faults;
	}
	/* after the key is marked in progress, so a second request meanwhile sees 409 */
	if (fault == SBX_FAULT_DELAY) {
		/* the connection goes back to the pool meanwhile */
		sbx_store_put(srv->store, r->db);
		sleep_ms(delay_ms);
		r->db = sbx_store_get(srv->store);
	}

	/* a GET only reads: clients retry GETs freely (contract §3) */
	read_only = !strcmp(rt->method, "GET");
	if (request_begin(r, read_only))
		goto internal;
	if (entered) {
		rc = idem_replay(r, out, idem_key, &idem_fp);
		if (rc < 0)
			goto internal;
		if (rc > 0)
			goto commit;
	}
	if ((rt->flags & SBX_JSON) && parse_json(r, out))
		goto keep;
	if (!read_only && sbx_db_savepoint(r->db))
		goto internal;
	if (rt->handler(r, out) || !out->status)
		goto internal;
	/* a refused request changes nothing */
	if (out->status >= 400 && !read_only)
		sbx_db_rollback_savepoint(r->db);
keep:
	if (idem_fp && out->status < 500 &&
	    sbx_idem_store(r->db, r->registrar, idem_key, idem_fp, r->now, out->status,
			   out->body, out->len))
		goto internal;
commit:
	if (fault == SBX_FAULT_DROP_BEFORE) {
		sbx_db_rollback(r->db);
		out->drop = 1;
		goto done;
	}
	if (sbx_db_commit(r->db))
		goto unavailable;
faults:
	if (fault == SBX_FAULT_DROP_AFTER || fault == SBX_FAULT_DROP_BEFORE)
		out->drop = 1;
	goto done;
unavailable:
	sbx_problem(out, 503, "unavailable", "the state could not be saved; retry");
	out->retry_after = 1;
	goto done;
internal:
	sbx_db_rollback(r->db);
	sbx_problem(out, 500, "internal", "internal error; see the sandbox's log");
done:
	if (entered)
		sbx_idem_leave(&srv->inflight, r->registrar, idem_key);
	free(idem_fp);
	sbx_store_put(srv->store, r->db);
	r->db = NULL;
}

static void req_free(struct sbx_req *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nseg; i++)
		free(r->seg[i]);
	free(r->method);
	free(r->uri);
	jra_buf_release(&r->body);
	json_decref(r->json);
	free(r);
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct sbx_req *r = jra_xcalloc(1, sizeof(*r));

	r->srv = cls;
	r->conn = conn;
	r->uri = jra_xstrdup(uri);
	jra_buf_init(&r->body, SBX_MAX_BODY);
	return r;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct sbx_req *r = *con_cls;
	struct sbx_resp out = { 0 };
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char num[32];

	(void)url;
	(void)version;
	if (!r)
		*con_cls = r = uri_logger(cls, url, conn);
	if (!r->started) {
		r->started = 1;
		r->conn = conn;
		r->method = jra_xstrdup(method);
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_big && jra_buf_add(&r->body, upload, *upload_size))
			r->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	process(r, &out);
	if (!out.status && !out.drop)
		sbx_problem(&out, 500, "internal", "the handler gave no answer");
	fprintf(stderr, "jra-sandbox: %s %s -> %d%s\n", r->method, r->uri, out.status,
		out.drop ? " (dropped)" : "");
	/* libmicrohttpd closes the connection, without a byte, on MHD_NO */
	if (out.drop) {
		sbx_resp_release(&out);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(out.len, out.body ? out.body : "",
					       MHD_RESPMEM_MUST_COPY);
	if (out.ctype)
		MHD_add_response_header(resp, "Content-Type", out.ctype);
	if (out.retry_after >= 0) {
		snprintf(num, sizeof(num), "%d", out.retry_after);
		MHD_add_response_header(resp, "Retry-After", num);
	}
	if (out.replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, (unsigned int)out.status, resp);
	MHD_destroy_response(resp);
	sbx_resp_release(&out);
	return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fprintf(stderr, "jra-sandbox: libmicrohttpd: ");
	vfprintf(stderr, fmt, ap);
}

struct MHD_Daemon *sbx_http_start(struct sbx_server *srv, const struct sockaddr *addr,
				  struct jra_error *e)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_TLS | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		jra_error(e, JRA_ERR_CONFIG, "libmicrohttpd was built without TLS support");
		return NULL;
	}
	if (addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, answer, srv,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_SOCK_ADDR, addr,
			     MHD_OPTION_HTTPS_MEM_CERT, sbx_pki_tls_cert_pem(srv->pki),
			     MHD_OPTION_HTTPS_MEM_KEY, sbx_pki_tls_key_pem(srv->pki),
			     MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
			     /* libmicrohttpd zeroes the whole pool for every request; the
			      * default 32 KiB is twice what the longest signed headers need */
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SBX_CONN_MEMORY,
			     MHD_OPTION_END);
	if (!d)
		jra_error(e, JRA_ERR_CONFIG, "cannot listen: libmicrohttpd refused to start "
			  "(address in use, or the TLS credentials were rejected)");
	return d;
}
