#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "client.h"
#include "tap.h"

/* A batch of items that all fail before any request: the runner's order
 * and window can be watched without a server. */
struct feed {
	long next, done, max_ahead, nitems;
	int in_order;
};

static int feed_next(void *arg, struct jra_request *req, void **tag, struct jra_error *e)
{
	struct feed *f = arg;

	if (f->next == f->nitems)
		return 0;
	if (f->next - f->done > f->max_ahead)
		f->max_ahead = f->next - f->done;
	*tag = (void *)(intptr_t)f->next++;
	req->method = NULL;
	jra_error(e, JRA_ERR_DATA, "item %ld is bad", (long)(intptr_t)*tag);
	return 1;
}

static void feed_done(void *arg, void *tag, struct jra_request *req, int r, json_t *res,
		      const struct jra_error *e)
{
	struct feed *f = arg;
	char want[64];

	(void)req;
	(void)res;
	snprintf(want, sizeof(want), "item %ld is bad", f->done);
	if ((long)(intptr_t)tag != f->done || r != JRA_ERR_DATA || strcmp(e->msg, want))
		f->in_order = 0;
	f->done++;
}

/* Requests that would reach no one (port 9): with the stop flag set, none may start. */
struct stopped {
	long next, nitems, unsent, other;
};

static int stopped_next(void *arg, struct jra_request *req, void **tag, struct jra_error *e)
{
	struct stopped *f = arg;

	(void)e;
	if (f->next == f->nitems)
		return 0;
	*tag = (void *)(intptr_t)f->next++;
	req->method = "POST";
	req->path = (char *)"/fqdns/example.jp/cancellation";
	req->idem = "0b6d3c0e-5f1a-4c56-9d8e-2f7a1b3c4d5e";
	return 1;
}

static void stopped_done(void *arg, void *tag, struct jra_request *req, int r, json_t *res,
			 const struct jra_error *e)
{
	struct stopped *f = arg;

	(void)tag;
	(void)res;
	(void)e;
	if (!req->method && r == JRA_ERR_TEMP)
		f->unsent++;
	else
		f->other++;
}

static void runner_stopped(struct jra_client *c, int jobs)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct stopped f = { 0, 20, 0, 0 };
	static volatile sig_atomic_t stop = 1;
	int r;

	jra_client_set_stop(c, &stop);
	r = jra_client_run(c, jobs, stopped_next, stopped_done, &f, &e);
	ok(r == 0 && f.unsent == 20 && f.other == 0, "stopped, %d job(s): every item handed back unsent (%ld, %ld other)", jobs,
	   f.unsent, f.other);
	jra_client_set_stop(c, NULL);
}

static void runner(void)
{
	struct jra_client_opts o;
	struct jra_client *c = NULL;
	struct jra_error e = JRA_ERROR_INIT;
	struct feed f = { 0, 0, 0, 1000, 1 };

	memset(&o, 0, sizeof(o));
	o.endpoint = "https://127.0.0.1:9/registrar/v1";
	o.key_id = "k";
	ok(jra_client_new(&o, &c, &e) == 0, "a client");
	ok(jra_client_run(c, 4, feed_next, feed_done, &f, &e) == 0, "a batch of 1000 runs");
	ok(f.done == 1000 && f.in_order, "every result delivered, in input order, with its error");
	ok(f.max_ahead <= 4 * JRA_WINDOW_PER_JOB, "input read at most the window ahead (%ld)",
	   f.max_ahead);
	f = (struct feed){ 0, 0, 0, 10, 1 };
	ok(jra_client_run(c, 1, feed_next, feed_done, &f, &e) == 0 && f.done == 10 && f.in_order,
	   "one job: the same, one after the other");
	runner_stopped(c, 4);
	runner_stopped(c, 1);
	jra_client_free(c);
}

static void redacted(const char *body, const char *want, const char *name)
{
	char *s = jra_redact_body(body, strlen(body));

	is_str(s, want, name);
	free(s);
}

int main(void)
{
	char uuid[37], uuid2[37], *s;
	int i, good = 1;

	/* contract §1: "*.example.jp" -> "%2A.example.jp" */
	s = jra_path_segment("*.example.jp");
	is_str(s, "%2A.example.jp", "wildcard percent-encoded");
	free(s);
	s = jra_path_segment("a/b?c#d%e f");
	is_str(s, "a%2Fb%3Fc%23d%25e%20f", "reserved characters encoded");
	free(s);
	s = jra_path_segment("xn--wgv71a.jp");
	is_str(s, "xn--wgv71a.jp", "A-labels unchanged");
	free(s);

	ok(jra_uuid4(uuid) == 0 && jra_uuid4(uuid2) == 0, "two UUIDs");
	ok(strlen(uuid) == 36 && uuid[8] == '-' && uuid[13] == '-' && uuid[18] == '-' &&
	   uuid[23] == '-', "UUID layout 8-4-4-4-12");
	ok(uuid[14] == '4', "version 4");
	ok(strchr("89ab", uuid[19]) != NULL, "variant 10");
	for (i = 0; i < 36; i++)
		if (i != 8 && i != 13 && i != 18 && i != 23 && !strchr("0123456789abcdef", uuid[i]))
			good = 0;
	ok(good, "lower-case hex digits");
	ok(strcmp(uuid, uuid2) != 0, "UUIDs differ");

	redacted("{\"eab\":{\"kid\":\"k1\",\"hmac_key\":\"c2VjcmV0\"}}",
		 "{\"eab\":{\"kid\":\"k1\",\"hmac_key\":\"[redacted]\"}}", "nested hmac_key redacted");
	redacted("[{\"hmac_key\":\"x\"},{\"keys\":[{\"secret_b64\":\"y\"}]}]",
		 "[{\"hmac_key\":\"[redacted]\"},{\"keys\":[{\"secret_b64\":\"[redacted]\"}]}]",
		 "hmac_key and secret_b64 redacted inside arrays");
	redacted("{\"hmac_key\":null}", "{\"hmac_key\":null}", "a null hmac_key stays null");
	redacted("{\"hmac_key\": \"abc\"", "[18 bytes, not JSON, not shown]",
		 "broken JSON holding a key is not shown");
	redacted("plain \x1b[2J text", "plain ?[2J text", "other text is sanitised");

	s = jra_redact_signature("sig1=:AAAA/BBB==:");
	is_str(s, "sig1=:[redacted]:", "Signature value redacted");
	free(s);
	s = jra_redact_signature("sig1=:AAAA:, sig2=:BBBB:");
	is_str(s, "sig1=:[redacted]:, sig2=:[redacted]:", "every signature redacted");
	free(s);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	runner();
	curl_global_cleanup();
	return done_testing();
}
