/*
 * A hostile HTTPS server for jra's end-to-end tests: it answers every
 * request the same broken way, chosen on the command line, so that the
 * tests can show jra failing with one clear message and the right exit
 * code instead of crashing, hanging or buffering without bound.
 *
 *   hostile MODE DIR [N]
 *
 * DIR holds server.pem and server.key (the TLS certificate and its key);
 * the server listens on 127.0.0.1, port chosen by the system, writes
 * "https://127.0.0.1:PORT" to DIR/url once it accepts connections, and
 * appends "METHOD URL" for every request to DIR/requests.  SIGTERM or
 * SIGINT stops it.  The modes:
 *
 *   garbage        200, Content-Type JSON, a body that is not JSON
 *   big            200 with a 10 MB body, Content-Length given
 *   big-chunked    200 with a 10 MB body, chunked (no length up front)
 *   problem-empty  400 application/problem+json "{}"
 *   truncated      200 promising 1000 bytes, sending 20, then closing
 *   redirect       301 to https://localhost:PORT/followed (another host)
 *   drip           200 sending one byte a second, for N seconds (600)
 *   array          200 with a JSON array of numbers
 *   string         200 with a JSON string
 *   wrong-types    200 with an object whose members have the wrong types
 *   error          500 with an HTML body, forever
 *   rate-limit     429 with Retry-After: N (1) and a rate-limited problem
 *   endless-list   200 with a list page of no items and a new next_cursor
 *                  each time
 *   replayed-nonce 401 replayed-nonce for the first N requests (1), as when
 *                  the same signed bytes reached the CA twice; then as fqdn
 *   fqdn           200 with a well-formed FQDN object, every time: the one
 *                  mode that is not hostile, for runs that must succeed
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>

#define BIG_SIZE (10 * 1024 * 1024)
#define TRUNC_PROMISED 1000
#define TRUNC_SENT 20

struct server {
	const char *mode;
	long n;
	unsigned port;
	char *big;             /* BIG_SIZE bytes for "big" */
	long pages;            /* cursors handed out by "endless-list" */
	long seen;             /* requests answered so far */
	FILE *log;
	pthread_mutex_t lock;
};

static char *slurp(const char *path)
{
	char *buf = NULL;
	long len;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len) {
		buf[len] = '\0';
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void sleep_s(long s)
{
	struct timespec ts = { s, 0 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Chunked bodies: "big-chunked" gives 10 MB of a JSON string, "drip" a byte a second. */
static ssize_t chunked_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct server *s = cls;

	if (!strcmp(s->mode, "drip")) {
		if ((long)pos >= s->n)
			return MHD_CONTENT_READER_END_OF_STREAM;
		sleep_s(1);
		buf[0] = pos ? ' ' : '{';
		return 1;
	}
	if (pos >= BIG_SIZE)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max > BIG_SIZE - pos)
		max = BIG_SIZE - pos;
	memset(buf, pos ? 'a' : '"', max);
	return (ssize_t)max;
}

/* Promises TRUNC_PROMISED bytes, sends TRUNC_SENT, then makes the server close. */
static ssize_t truncated_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	if (pos >= TRUNC_SENT)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (max > TRUNC_SENT - pos)
		max = TRUNC_SENT - pos;
	memset(buf, ' ', max);
	if (pos == 0)
		buf[0] = '{';
	return (ssize_t)max;
}

static struct MHD_Response *text(const char *body)
{
	return MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct MHD_Response *r;
	const char *ctype = "application/json";
	unsigned status = MHD_HTTP_OK;
	char loc[128], after[32], page[128];
	enum MHD_Result ret;
	long seen;

	(void)version;
	(void)upload;
	/* the first call only announces the request; take the body, then answer */
	if (!*con_cls) {
		*con_cls = s;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->lock);
	fprintf(s->log, "%s %s\n", method, url);
	fflush(s->log);
	seen = ++s->seen;
	pthread_mutex_unlock(&s->lock);

	if (!strcmp(s->mode, "garbage")) {
		r = text("<html><body>\x1b[31mthis is not JSON</body></html>");
	} else if (!strcmp(s->mode, "big")) {
		r = MHD_create_response_from_buffer(BIG_SIZE, s->big, MHD_RESPMEM_PERSISTENT);
	} else if (!strcmp(s->mode, "big-chunked")) {
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, chunked_body, s,
						      NULL);
	} else if (!strcmp(s->mode, "problem-empty")) {
		status = MHD_HTTP_BAD_REQUEST;
		ctype = "application/problem+json";
		r = text("{}");
	} else if (!strcmp(s->mode, "truncated")) {
		r = MHD_create_response_from_callback(TRUNC_PROMISED, 1024, truncated_body, s, NULL);
	} else if (!strcmp(s->mode, "redirect")) {
		status = MHD_HTTP_MOVED_PERMANENTLY;
		ctype = "text/plain";
		r = text("moved\n");
		snprintf(loc, sizeof(loc), "https://localhost:%u/followed", s->port);
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	} else if (!strcmp(s->mode, "drip")) {
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1, chunked_body, s, NULL);
	} else if (!strcmp(s->mode, "array")) {
		r = text("[1, 2, 3]");
	} else if (!strcmp(s->mode, "string")) {
		r = text("\"just a string\"");
	} else if (!strcmp(s->mode, "wrong-types")) {
		r = text("{\"fqdn\": 7, \"state\": [\"active\"], \"subscriber\": {\"id\": 1},"
			 " \"period_end\": true, \"renewal_period\": null, \"covered_names\": 5,"
			 " \"certificates\": \"none\", \"transfer\": [], \"cancellation\": 1.5,"
			 " \"items\": {\"a\": 1}, \"next_cursor\": 9, \"eab\": \"x\","
			 " \"id\": 42, \"name\": false, \"keys\": {\"keyid\": 3},"
			 " \"revoked\": {\"serial\": 1}, \"suspended\": \"yes\"}");
	} else if (!strcmp(s->mode, "error")) {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		ctype = "text/html";
		r = text("<html><body><h1>500 Internal Server Error</h1></body></html>");
	} else if (!strcmp(s->mode, "rate-limit")) {
		status = MHD_HTTP_TOO_MANY_REQUESTS;
		ctype = "application/problem+json";
		r = text("{\"type\":\"urn:jra:problem:rate-limited\",\"title\":\"Too many "
			 "requests\",\"status\":429,\"detail\":\"slow down\"}");
		snprintf(after, sizeof(after), "%ld", s->n);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, after);
	} else if (!strcmp(s->mode, "endless-list")) {
		pthread_mutex_lock(&s->lock);
		snprintf(page, sizeof(page), "{\"items\": [], \"next_cursor\": \"c%ld\"}",
			 ++s->pages);
		pthread_mutex_unlock(&s->lock);
		r = MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_COPY);
	} else if (!strcmp(s->mode, "replayed-nonce") && seen <= s->n) {
		status = MHD_HTTP_UNAUTHORIZED;
		ctype = "application/problem+json";
		r = text("{\"type\":\"urn:jra:problem:replayed-nonce\",\"title\":\"Replayed "
			 "nonce\",\"status\":401,\"detail\":\"this nonce was used in the last 600 s\"}");
	} else if (!strcmp(s->mode, "fqdn") || !strcmp(s->mode, "replayed-nonce")) {
		r = text("{\"fqdn\": \"xn--wgv71a.jp\", \"unicode\": \"\u65e5\u672c.jp\","
			 " \"state\": \"active\", \"subscriber\": \"S0001\","
			 " \"registrar\": \"R0001\", \"customer_ref\": \"c-1\", \"period\": \"1y\","
			 " \"renewal_period\": \"1m\", \"applied_at\": \"2026-01-05T10:00:00+09:00\","
			 " \"start_date\": \"2026-01-05\", \"end_date\": \"2027-01-31\","
			 " \"cancel_requested_at\": null, \"ended_at\": null, \"end_reason\": null,"
			 " \"covered_names\": [\"xn--wgv71a.jp\", \"www.xn--wgv71a.jp\"],"
			 " \"certificates\": [{\"serial\": \"0a1b2c\", \"names\": [\"xn--wgv71a.jp\"],"
			 " \"not_before\": \"2026-01-05T10:00:00Z\", \"not_after\": \"2026-04-05T10:00:00Z\","
			 " \"status\": \"valid\", \"revoked_at\": null, \"revocation_reason\": null}],"
			 " \"transfer\": null}");
	} else {
		return MHD_NO;
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* DIR/url, written whole and then renamed: a reader never sees half a URL. */
static int write_url(const char *dir, unsigned port)
{
	char tmp[4096], final[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/url.tmp", dir);
	snprintf(final, sizeof(final), "%s/url", dir);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "https://127.0.0.1:%u\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, final) != 0) {
		fprintf(stderr, "hostile: cannot write %s: %s\n", final, strerror(errno));
		return -1;
	}
	return 0;
}

static const char *const modes[] = {
	"garbage", "big", "big-chunked", "problem-empty", "truncated", "redirect", "drip",
	"array", "string", "wrong-types", "error", "rate-limit", "endless-list",
	"replayed-nonce", "fqdn",
};

static int usage(void)
{
	size_t i;

	fprintf(stderr, "usage: hostile MODE DIR [N]\nmodes:");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i]);
	fputc('\n', stderr);
	return 64;
}

int main(int argc, char **argv)
{
	struct server s;
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char *cert, *key, *path;
	sigset_t set;
	size_t i, n;
	int sig;

	if (argc < 3 || argc > 4)
		return usage();
	memset(&s, 0, sizeof(s));
	s.mode = argv[1];
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]) && strcmp(modes[i], s.mode); i++)
		;
	if (i == sizeof(modes) / sizeof(modes[0]))
		return usage();
	s.n = argc == 4 ? atol(argv[3]) : !strcmp(s.mode, "drip") ? 600 : 1;
	pthread_mutex_init(&s.lock, NULL);

	n = strlen(argv[2]) + 32;
	path = malloc(n);
	snprintf(path, n, "%s/server.pem", argv[2]);
	cert = slurp(path);
	snprintf(path, n, "%s/server.key", argv[2]);
	key = slurp(path);
	if (!cert || !key) {
		fprintf(stderr, "hostile: cannot read server.pem and server.key in %s\n", argv[2]);
		return 1;
	}
	snprintf(path, n, "%s/requests", argv[2]);
	if (!(s.log = fopen(path, "a"))) {
		fprintf(stderr, "hostile: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!strcmp(s.mode, "big")) {
		s.big = malloc(BIG_SIZE);
		memset(s.big, 'a', BIG_SIZE);
		s.big[0] = '"';
	}

	/* the daemon's threads inherit the mask; this thread waits for the signals */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL, NULL, answer, &s,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
			     MHD_OPTION_HTTPS_MEM_CERT, cert,
			     MHD_OPTION_HTTPS_MEM_KEY, key,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "hostile: cannot start the HTTPS server\n");
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	s.port = info ? info->port : 0;

	if (write_url(argv[2], s.port) < 0) {
		MHD_stop_daemon(d);
		return 1;
	}
	fprintf(stderr, "hostile: %s on https://127.0.0.1:%u\n", s.mode, s.port);

	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	fclose(s.log);
	free(s.big);
	free(cert);
	free(key);
	free(path);
	return 0;
}
