#ifndef JRA_CLIENT_H
#define JRA_CLIENT_H

/*
 * The CA's API over HTTPS: one libcurl handle per client, reused so that
 * requests share a connection; every request signed (RFC 9421), retried
 * when it is safe to, and every answer decoded: JSON on success, a
 * problem (problem.h) on failure.
 *
 * The caller runs curl_global_init() once before the first client.
 */

#include <signal.h>
#include <stdio.h>

#include <jansson.h>

#include "err.h"
#include "problem.h"
#include "sign.h"

/* Connecting (TCP and TLS) may take this long, never more than the timeout. */
#define JRA_DEFAULT_CONNECT_TIMEOUT 30

/* A bigger answer is refused: nothing the CA sends is this large. */
#define JRA_RESPONSE_MAX (4 * 1024 * 1024)

struct jra_client_opts {
	const char *endpoint;         /* https://host/registrar/v1, no trailing slash */
	const char *ca_file;          /* NULL: the system's trust store */
	const struct jra_key *key;    /* borrowed; signs every request */
	const char *key_id;
	struct jra_auth_hint auth;    /* what hints on 401/403 name */
	long timeout;                 /* seconds, total per attempt */
	long connect_timeout;         /* seconds; 0: JRA_DEFAULT_CONNECT_TIMEOUT */
	int retries;                  /* extra attempts after the first */
	int verbose;                  /* 1: a line per request; 2: headers and bodies too */
	FILE *log;                    /* where verbose output goes; NULL: nowhere */
	FILE *dry_run;                /* when set: requests are written here, not sent */
};

struct jra_client;

/* A new client (free with jra_client_free); the strings in o are copied. */
int jra_client_new(const struct jra_client_opts *o, struct jra_client **out,
		   struct jra_error *e);
void jra_client_free(struct jra_client *c);

/*
 * Sends method (GET, POST, PATCH, DELETE) to the endpoint + path with
 * body as JSON (NULL: none; POST then sends "{}").  POST, PATCH and
 * DELETE carry an Idempotency-Key, the same on every attempt.  GETs and
 * those are retried on connection errors, timeouts, 429 and 5xx with
 * exponential backoff and jitter, honouring Retry-After.  On a 2xx answer,
 * 0 and *out holds the decoded body (a new reference; NULL when the body
 * is empty or in a dry run).  Otherwise a negative code with e filled.
 */
int jra_client_call(struct jra_client *c, const char *method, const char *path,
		    json_t *body, json_t **out, struct jra_error *e);

/* As jra_client_call, with idem (36 characters) as the Idempotency-Key
 * instead of a fresh one: a request sent again after a crash. */
int jra_client_call_keyed(struct jra_client *c, const char *method, const char *path,
			  json_t *body, const char *idem, json_t **out, struct jra_error *e);

/* One request of a batch; the caller owns path, body and idem. */
struct jra_request {
	const char *method;
	char *path;
	json_t *body;
	const char *idem;  /* NULL: a fresh Idempotency-Key; else this one */
};

/*
 * Gives the next request of a batch: 1 with req filled and *tag set (any
 * pointer, handed back with the result); 1 with req->method NULL and e
 * filled for an item that failed before any request (a bad FQDN); 0 at
 * the end; < 0 (e filled) when the input cannot be read.
 */
typedef int (*jra_next_fn)(void *arg, struct jra_request *req, void **tag,
			   struct jra_error *e);
/* Takes one result, in input order: r is 0 (res may be NULL; borrowed) or
 * negative with e. */
typedef void (*jra_done_fn)(void *arg, void *tag, struct jra_request *req, int r,
			    json_t *res, const struct jra_error *e);

/*
 * Runs the requests next gives with up to jobs in flight (libcurl multi,
 * shared connections; jobs 1: one after the other on the client's
 * handle), each as jra_client_call() would, and hands every result to
 * done in input order.  Input is read as results are delivered: at most
 * JRA_WINDOW_PER_JOB * jobs items are held at once, and never more than
 * jobs handed to libcurl.  Once the client's stop flag is set, no attempt
 * starts: the transfers under way finish, an item waiting for a retry is
 * done with its last error, and one never sent is handed to done with
 * req->method NULL and r JRA_ERR_TEMP.  Returns 0, or the input error
 * after delivering everything read before it.
 */
#define JRA_WINDOW_PER_JOB 4
int jra_client_run(struct jra_client *c, int jobs, jra_next_fn next, jra_done_fn done,
		   void *arg, struct jra_error *e);

/* Overrides the profile's limits (from --timeout, --retries); <= 0 and < 0 keep them. */
void jra_client_set_limits(struct jra_client *c, long timeout, int retries);
/* From now on start no attempt once *stop is nonzero (a signal handler's
 * flag; NULL: never stop); see jra_client_run(). */
void jra_client_set_stop(struct jra_client *c, const volatile sig_atomic_t *stop);
/* From now on write requests to fp instead of sending them (NULL: send). */
void jra_client_set_dry_run(struct jra_client *c, FILE *fp);

/* The HTTP status of the last answer (0 before any or after a network failure). */
long jra_client_last_status(const struct jra_client *c);

/* Percent-encodes s for one path segment ("*.example.jp" -> "%2A.example.jp").
 * Newly allocated. */
char *jra_path_segment(const char *s);

/* A random (version 4) UUID in out; 0, or -1 when no randomness is to be had. */
int jra_uuid4(char out[37]);

/* body made fit for a log, newly allocated: JSON with the values of every
 * "hmac_key" and "secret_b64" member replaced, other text sanitised and cut. */
char *jra_redact_body(const char *body, size_t len);

/* A Signature header value with the signature bytes replaced, newly allocated. */
char *jra_redact_signature(const char *value);

#endif
