/* Batches: many requests, up to N at once over libcurl multi, results in input order. */
#include "client.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "call.h"
#include "i18n.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An item stopped before its first attempt: handed back as never sent. */
static int not_sent(struct jra_request *req, struct jra_error *e)
{
	req->method = NULL;
	return jra_error(e, JRA_ERR_TEMP, _("not sent: the batch was interrupted"));
}

static int run_sequential(struct jra_client *c, jra_next_fn next, jra_done_fn done, void *arg,
			  struct jra_error *e)
{
	struct jra_request req;
	struct jra_error ie;
	json_t *res;
	void *tag;
	int r;

	for (;;) {
		memset(&req, 0, sizeof(req));
		tag = NULL;
		jra_error_clear(&ie);
		if ((r = next(arg, &req, &tag, &ie)) <= 0)
			break;
		res = NULL;
		if (req.method && c->stop && *c->stop)
			r = not_sent(&req, &ie);
		else if (req.method)
			r = jra_client_call_keyed(c, req.method, req.path, req.body, req.idem, &res,
						  &ie);
		else
			r = ie.code;
		done(arg, tag, &req, r, res, &ie);
		json_decref(res);
	}
	if (r < 0 && e)
		*e = ie;
	return r < 0 ? r : 0;
}

enum slot_state { SLOT_WAITING, SLOT_RUNNING, SLOT_DONE };

/* One item in the reorder window. */
struct slot {
	enum slot_state state;
	struct jra_call call;
	struct jra_request req;
	void *tag;
	long long due;            /* SLOT_WAITING: not before this (ms, monotonic) */
};

struct runner {
	struct jra_client *c;
	CURLM *multi;
	CURL **idle;              /* handles not in use */
	int nidle;
	struct slot *slots;       /* ring of window slots, by sequence number */
	unsigned long window, head, tail;
};

/* Reads one item into the slot after the tail; 0 at the end of input, < 0 on error. */
static int fill_one(struct runner *rn, jra_next_fn next, void *arg, struct jra_error *ie)
{
	struct slot *s = &rn->slots[rn->tail % rn->window];
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = next(arg, &s->req, &s->tag, ie)) <= 0)
		return r;
	rn->tail++;
	if (!s->req.method) {
		s->call.rc = ie->code;
		s->call.err = *ie;
		s->state = SLOT_DONE;
	} else if (jra_call_init(rn->c, &s->call, s->req.method, s->req.path, s->req.body,
				 s->req.idem) < 0 ||
		   rn->c->dry_run) {
		s->state = SLOT_DONE;
	} else {
		s->call.owner = s;
		s->state = SLOT_WAITING;
	}
	return 1;
}

static void deliver(struct runner *rn, jra_done_fn done, void *arg)
{
	struct slot *s;
	json_t *res;
	int r;

	while (rn->head < rn->tail && (s = &rn->slots[rn->head % rn->window])->state == SLOT_DONE) {
		r = jra_call_take(&s->call, &res, NULL);
		done(arg, s->tag, &s->req, r, res, &s->call.err);
		json_decref(res);
		jra_call_release(&s->call);
		rn->head++;
	}
}

/* Once stopped, ends every waiting item: a retry with its last error, a
 * first attempt as never sent.  The number of items ended. */
static int stop_waiting(struct runner *rn)
{
	unsigned long seq;
	struct slot *s;
	int n = 0;

	for (seq = rn->head; seq < rn->tail; seq++) {
		s = &rn->slots[seq % rn->window];
		if (s->state != SLOT_WAITING)
			continue;
		if (s->call.attempt == 0)
			s->call.rc = not_sent(&s->req, &s->call.err);
		s->state = SLOT_DONE;
		n++;
	}
	return n;
}

/* Starts waiting items whose time has come, while handles are free: never
 * more in libcurl than there are jobs, so a stop leaves nothing queued there. */
static void start_due(struct runner *rn, long long now)
{
	unsigned long seq;
	struct slot *s;
	CURL *h;

	for (seq = rn->head; seq < rn->tail && rn->nidle > 0; seq++) {
		s = &rn->slots[seq % rn->window];
		if (s->state != SLOT_WAITING || s->due > now)
			continue;
		h = rn->idle[--rn->nidle];
		if (jra_call_start(rn->c, &s->call, h) < 0) {
			rn->idle[rn->nidle++] = h;
			s->state = SLOT_DONE;
			continue;
		}
		curl_multi_add_handle(rn->multi, h);
		s->state = SLOT_RUNNING;
	}
}

/* Collects finished transfers: done, or waiting for a retry. */
static int collect(struct runner *rn)
{
	struct jra_call *call;
	struct slot *s;
	CURLMsg *msg;
	long delay;
	int left, n = 0;
	CURL *h;

	while ((msg = curl_multi_info_read(rn->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		h = msg->easy_handle;
		call = NULL;
		curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&call);
		s = call->owner;
		delay = jra_call_finish(rn->c, call, h, msg->data.result);
		curl_multi_remove_handle(rn->multi, h);
		rn->idle[rn->nidle++] = h;
		if (delay < 0) {
			s->state = SLOT_DONE;
		} else {
			s->state = SLOT_WAITING;
			s->due = now_ms() + delay;
		}
		n++;
	}
	return n;
}

/* How long to wait for sockets: until the next retry is due, at most 1 s;
 * items that wait for a free handle wait for a transfer to end instead. */
static int poll_timeout(struct runner *rn, long long now)
{
	long long t = 1000;
	unsigned long seq;
	struct slot *s;

	for (seq = rn->head; seq < rn->tail && rn->nidle > 0; seq++) {
		s = &rn->slots[seq % rn->window];
		if (s->state == SLOT_WAITING && s->due - now < t)
			t = s->due - now;
	}
	return t < 0 ? 0 : (int)t;
}

/* Runs the batch with up to jobs transfers at once on a multi handle. */
static int run_multi(struct jra_client *c, int jobs, jra_next_fn next, jra_done_fn done,
		     void *arg, struct jra_error *e)
{
	struct jra_error ie = JRA_ERROR_INIT;
	struct runner rn;
	int i, r = 0, eof = 0, running;

	memset(&rn, 0, sizeof(rn));
	rn.c = c;
	rn.window = (unsigned long)jobs * JRA_WINDOW_PER_JOB;
	rn.slots = jra_xcalloc(rn.window, sizeof(*rn.slots));
	rn.idle = jra_xcalloc((size_t)jobs, sizeof(*rn.idle));
	rn.multi = curl_multi_init();
	if (!rn.multi) {
		r = jra_error(e, JRA_ERR_SOFTWARE, _("cannot create a libcurl multi handle"));
		goto out;
	}
	curl_multi_setopt(rn.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)jobs);
	/* libcurl's own cache limit would close idle connections that the next transfers want */
	curl_multi_setopt(rn.multi, CURLMOPT_MAXCONNECTS, (long)jobs);
	for (i = 0; i < jobs; i++) {
		if (!(rn.idle[rn.nidle] = curl_easy_init())) {
			r = jra_error(e, JRA_ERR_SOFTWARE, _("cannot create a libcurl handle"));
			goto out;
		}
		rn.nidle++;
	}
	for (;;) {
		while (!eof && rn.tail - rn.head < rn.window) {
			jra_error_clear(&ie);
			if ((r = fill_one(&rn, next, arg, &ie)) <= 0) {
				eof = 1;
				if (r < 0 && e)
					*e = ie;
			}
		}
		deliver(&rn, done, arg);
		if (eof && rn.head == rn.tail)
			break;
		/* delivering made room: read on before waiting for anything */
		if (!eof && rn.tail - rn.head < rn.window)
			continue;
		if (c->stop && *c->stop && stop_waiting(&rn))
			continue;
		start_due(&rn, now_ms());
		curl_multi_perform(rn.multi, &running);
		if (collect(&rn))
			continue;
		curl_multi_poll(rn.multi, NULL, 0, poll_timeout(&rn, now_ms()), NULL);
	}
out:
	for (i = 0; i < rn.nidle; i++)
		curl_easy_cleanup(rn.idle[i]);
	if (rn.multi)
		curl_multi_cleanup(rn.multi);
	free(rn.idle);
	free(rn.slots);
	return r < 0 ? r : 0;
}

int jra_client_run(struct jra_client *c, int jobs, jra_next_fn next, jra_done_fn done,
		   void *arg, struct jra_error *e)
{
	unsigned long sent = c->nsent, connects = c->nconnects;
	int r;

	if (jobs <= 1 || c->dry_run)
		r = run_sequential(c, next, done, arg, e);
	else
		r = run_multi(c, jobs, next, done, arg, e);
	/* how well connections were reused (one per job is the aim); a log line
	 * like the per-request ones, so not translated */
	if (c->log && c->verbose >= 1 && !c->dry_run)
		fprintf(c->log, "jra: %lu requests, %lu connections\n", c->nsent - sent,
			c->nconnects - connects);
	return r;
}
