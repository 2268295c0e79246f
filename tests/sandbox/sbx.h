#ifndef SBX_H
#define SBX_H

/*
 * What every room of the sandbox shares: the server (set up once by
 * main), one request as the handlers see it, the response they fill in,
 * and the helpers that make problem+json answers.
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "buf.h"
#include "err.h"
#include "sbx_body.h"
#include "sbx_faults.h"
#include "sbx_idem.h"
#include "sbx_rate.h"
#include "sbx_store.h"

struct sbx_pki;

#define SBX_TERMS_VERSION "2025-08-22"
#define SBX_MAX_BODY (1024 * 1024)
#define SBX_MAX_SEGS 12

struct sbx_server {
	char *dir;                 /* the state directory */
	struct sbx_store *store;
	struct sbx_pki *pki;
	struct sbx_faults faults;
	struct sbx_idem_inflight inflight;
	struct sbx_ratelimit rate;
	const char *terms_version;
};

struct sbx_req {
	struct sbx_server *srv;
	struct MHD_Connection *conn;
	char *method;
	char *uri;                  /* the request-target as sent: path?query */
	char *seg[SBX_MAX_SEGS];    /* percent-decoded path segments */
	int nseg;
	const char *arg[4];         /* the segments a route's '*' matched */
	struct jra_buf body;
	int too_big;
	int started;
	json_t *json;               /* the body as a JSON object, when the route takes one */
	struct sbx_db *db;          /* held for the whole request, inside one transaction */
	time_t now;                 /* the sandbox clock */
	time_t real_now;            /* the real clock (signature freshness) */
	char registrar[64];         /* the signer, on /registrar/v1 */
};

struct sbx_resp {
	int status;
	char *body;
	size_t len;
	const char *ctype;
	int retry_after;            /* seconds, or -1 */
	int replayed;               /* Idempotent-Replayed: true */
	int drop;                   /* close the connection without a byte */
};

typedef int (*sbx_handler)(struct sbx_req *r, struct sbx_resp *out);

/* sbx_http.c */
/* Starts the daemon on addr (sockaddr of family AF_INET or AF_INET6). */
struct MHD_Daemon *sbx_http_start(struct sbx_server *srv, const struct sockaddr *addr,
				  struct jra_error *e);
/* The value of a request header or query argument, or NULL. */
const char *sbx_header(struct sbx_req *r, const char *name);
const char *sbx_query(struct sbx_req *r, const char *name);
/* Answers status with obj as JSON (takes obj's reference).  Returns 0. */
int sbx_reply(struct sbx_resp *out, int status, json_t *obj);
/* Answers a problem urn:jra:problem:<name>.  Returns 0. */
int sbx_problem(struct sbx_resp *out, int status, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A validation problem with errors[] (takes errors' reference).  Returns 0. */
int sbx_problem_fields(struct sbx_resp *out, int status, const char *name, json_t *errors,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answers 400 invalid-request when errors is not empty (consumes errors).  1 when it answered. */
int sbx_fields_refused(struct sbx_resp *out, json_t *errors);
void sbx_resp_release(struct sbx_resp *out);

/* sbx_auth.c: contract §2.  0 authenticated (r->registrar set), 1 refused (out filled), -1 internal. */
int sbx_auth_check(struct sbx_req *r, struct sbx_resp *out);

/* sbx_clock.c: the settable clock, kept as an offset from real time in the db. */
time_t sbx_clock_now(struct sbx_db *db);
/* Moves the clock to t (forward only: -1 when t is before now) and runs the daily processing. */
int sbx_clock_set(struct sbx_server *srv, struct sbx_db *db, time_t t);
/* On first start: the clock begins at start (when not 0) and the daily processing there. */
int sbx_clock_init(struct sbx_db *db, time_t start);
int sbx_h_clock_get(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_clock_put(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_clock_advance(struct sbx_req *r, struct sbx_resp *out);

/* sbx_daily.c: 1 when a 00:00 JST has passed since the daily processing last ran. */
int sbx_daily_due(struct sbx_db *db, time_t now);
/* Runs the daily processing for every 00:00 JST in (last run, now]. */
int sbx_daily_catch_up(struct sbx_server *srv, struct sbx_db *db, time_t now);

/* sbx_registrar.c */
/* Creates a registrar with one key (used for the demo registrar); inside a transaction. */
int sbx_registrar_create(struct sbx_db *db, const char *id, const char *name, time_t now);
int sbx_registrar_add_key(struct sbx_db *db, const char *registrar, const char *keyid,
			  const char *alg, const char *material);
/* 1 when the registrar is suspended now, 0 when not, -1 when unknown (or on error). */
int sbx_registrar_suspended(struct sbx_db *db, const char *id);
int sbx_h_sbx_registrars_post(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_sbx_suspension_put(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_registrar_get(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_terms_get(struct sbx_req *r, struct sbx_resp *out);

/* sbx_subscribers.c */
/* Creates a subscriber of registrar with fresh EAB credentials; *eab gets {"kid", "hmac_key"}.
 * id receives the new id (at least 16 bytes). */
int sbx_subscriber_create(struct sbx_req *r, const char *name, const char *customer_ref,
			  char *id, size_t idlen, json_t **eab);
int sbx_h_subscribers_post(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_subscriber_get(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_subscriber_eab(struct sbx_req *r, struct sbx_resp *out);

/* sbx_fqdns.c */
/* The FQDN object of row id, newly made; NULL on a db error. */
json_t *sbx_fqdn_json(struct sbx_db *db, int64_t id, time_t now);
/* The row id of the registrar's most recent record of fqdn: 1 found, 0 not, -1 error. */
int sbx_fqdn_find(struct sbx_db *db, const char *registrar, const char *fqdn, int64_t *id);
/* Ends FQDN id at instant t with reason, revoking its certificates (terms §12.4). */
int sbx_fqdn_end(struct sbx_db *db, int64_t id, time_t t, const char *reason);
int sbx_h_fqdns_post(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_fqdn_get(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_fqdns_list(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_fqdn_patch(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_cancel_post(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_cancel_delete(struct sbx_req *r, struct sbx_resp *out);

/* sbx_certs.c */
/* Revokes serial at t with reason when it is valid; 1 revoked, 0 was not valid, -1 error. */
int sbx_cert_revoke(struct sbx_db *db, const char *serial, time_t t, int reason);
int sbx_h_issuance(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_cert_revoke(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_fqdn_revoke(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_crl(struct sbx_req *r, struct sbx_resp *out);

/* sbx_transfer.c */
int sbx_transfer_daily(struct sbx_db *db, time_t t);
/* The transfer object of FQDN id as the contract shows it, or json null. */
json_t *sbx_transfer_json(struct sbx_db *db, int64_t fqdn_id);
int sbx_h_transfer_code(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_transfer_request(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_transfer_get(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_transfer_approve(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_transfer_reject(struct sbx_req *r, struct sbx_resp *out);
int sbx_h_transfer_cancel(struct sbx_req *r, struct sbx_resp *out);

/* sbx_faults.c */
int sbx_h_faults_post(struct sbx_req *r, struct sbx_resp *out);

/* sbx_random.c-like helper in sbx_subscribers.c: n random bytes as unpadded base64url, newly allocated. */
char *sbx_random_b64url(size_t n);

#endif
