#ifndef JRA_CALL_H
#define JRA_CALL_H

/*
 * Inside the client: one request through all its attempts, shared by the
 * sequential path (client.c) and the concurrent one (multi.c).  Not for
 * use outside libjra's client.
 */

#include <signal.h>
#include <stdio.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "client.h"

/* A client: its reused handle and the profile's settings (copied). */
struct jra_client {
	CURL *easy;
	char *endpoint;
	char *ca_file;
	const struct jra_key *key;
	struct jra_signer *signer; /* made from key at the first request */
	char *key_id;
	char *registrar, *key_file;
	struct jra_auth_hint auth;
	long timeout, connect_timeout;
	int retries;
	int verbose;
	FILE *log;
	FILE *dry_run;
	const volatile sig_atomic_t *stop;  /* set: start no new attempt */
	long last_status;
	/* attempts sent and connections libcurl opened for them, for -v */
	unsigned long nsent, nconnects;
};

/* The most headers a request carries besides libcurl's own. */
#define JRA_CALL_MAX_HEADERS 8

/* One request through all its attempts. */
struct jra_call {
	const char *method;
	char *url;
	char *body;               /* NULL: no body */
	size_t body_len;
	char idem[37];            /* "" when not sent */
	int attempt;              /* 1 for the first */
	struct curl_slist *hdrs;  /* hnodes linked, pointing into hlines */
	struct curl_slist hnodes[JRA_CALL_MAX_HEADERS];
	size_t hoff[JRA_CALL_MAX_HEADERS], nhdrs;
	struct jra_buf hlines;    /* "Name: value" lines, each NUL-terminated */
	struct jra_buf resp;
	struct jra_buf resp_hdrs; /* kept for -vv */
	int toobig;
	int replayed;
	int may_retry;
	char errbuf[CURL_ERROR_SIZE];
	void *owner;              /* the multi driver's slot */
	int rc;                   /* when done: 0 or a negative code with err */
	json_t *result;           /* when done: the decoded answer, or NULL */
	struct jra_error err;
};

/* Builds the request once for all its attempts (for all but GET, idem as the
 * Idempotency-Key, or a UUIDv4 when idem is NULL); in a dry run prints it and
 * is done.  0, or < 0 with call->err. */
int jra_call_init(struct jra_client *c, struct jra_call *call, const char *method,
		  const char *path, json_t *body, const char *idem);
/* Readies the next attempt on handle h: fresh buffers, a fresh signature. */
int jra_call_start(struct jra_client *c, struct jra_call *call, CURL *h);
/* Judges an attempt that ended with res on h: -1 when the call is done, else
 * the milliseconds to wait before the next attempt. */
long jra_call_finish(struct jra_client *c, struct jra_call *call, CURL *h, CURLcode res);
/* The outcome of a finished call, moved to the caller; e (may be NULL) gets the error. */
int jra_call_take(struct jra_call *call, json_t **out, struct jra_error *e);
void jra_call_release(struct jra_call *call);

#endif
