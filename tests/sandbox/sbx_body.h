#ifndef SBX_BODY_H
#define SBX_BODY_H

/*
 * The sandbox's JSON request bodies, decoded and checked without a
 * database or a connection: what each handler reads before it looks at
 * the state.  A decoder fills a plain struct whose strings point into
 * the body it was given (valid while the body lives), or refuses with
 * the problem+json object the handler answers with.
 *
 * Every decoder returns 0 when it accepts the body (*problem NULL), else
 * the HTTP status of the refusal, with *problem newly made: type
 * urn:jra:problem:<name> from the table below, and for a field that is
 * wrong an errors[] list of {"field", "detail"}.
 *
 * The bodies of the routes that take no members (cancellation and its
 * withdrawal, transfer-code, approve, reject, the transfer's withdrawal,
 * eab) are JSON objects whatever they hold: sbx_body_parse is all they
 * need.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "sbx_faults.h"
#include "sbx_rules.h"
#include "sign.h"

/* contract §3: the title of problem name, or NULL when the sandbox has no such problem. */
const char *sbx_problem_title(const char *name);
/* A problem+json object {"type", "title", "status", "detail", "errors"?}, newly made;
 * takes errors' reference (NULL: no errors member). */
json_t *sbx_problem_new(int status, const char *name, json_t *errors, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
json_t *sbx_problem_newv(int status, const char *name, json_t *errors, const char *fmt,
			 va_list ap) __attribute__((format(printf, 4, 0)));

/* Appends {"field", "detail"} to errors. */
void sbx_field_error(json_t *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One string member of a body: NULL in *value when absent, or null and not required. */
struct sbx_str_field {
	const char *name;
	int required;
	size_t max;            /* bytes */
	const char **value;
};

/* Reads the string members fields[0..n) of obj, in order; each that is
 * missing (when required), not a string or too long appends to errors. */
void sbx_fields_str(json_t *obj, const struct sbx_str_field *fields, size_t n, json_t *errors);
/* The 400 invalid-request problem listing errors, or NULL when errors is
 * empty; consumes errors either way. */
json_t *sbx_fields_problem(json_t *errors);

/* The request body as a JSON object, newly referenced in *obj (an empty
 * body reads as {}); duplicate keys are refused (400 invalid-request). */
int sbx_body_parse(const char *buf, size_t len, json_t **obj, json_t **problem);

/* POST /fqdns: apply (contract §6).  The handler compares terms with its own version. */
struct sbx_apply {
	const char *fqdn;             /* wire form: A-labels, lower case, no trailing dot */
	const char *period;           /* "1m" or "1y", as given */
	enum sbx_period p;
	const char *subscriber;       /* NULL: a new subscriber */
	const char *subscriber_name;  /* the new subscriber's name; NULL when subscriber is given */
	const char *customer_ref;     /* NULL when absent or null */
	const char *terms;            /* agreed_terms_version */
};
int sbx_body_apply(json_t *body, struct sbx_apply *a, json_t **problem);

/* PATCH /fqdns/{fqdn}: only renewal_period and customer_ref can change. */
struct sbx_modify {
	const char *renewal_period;   /* "1m" or "1y"; NULL: unchanged */
	int set_ref;                  /* customer_ref was given */
	const char *customer_ref;     /* its new value when set_ref; NULL clears it */
};
int sbx_body_modify(json_t *body, struct sbx_modify *m, json_t **problem);

/* POST /certificates/{serial}/revocation {"reason"} and, with_serials,
 * POST /fqdns/{fqdn}/revocation {"reason", "serials"?}. */
struct sbx_revoke {
	int reason;                   /* terms §11: 0, 1, 3, 4 or 5; 0 when absent */
	/* The serials listed (at least one), or NULL for every valid one.  An
	 * element that is not a string is NULL here: no certificate has it,
	 * and the handler answers 404 for it as for an unknown serial. */
	const char **serials;
	size_t nserials;
};
int sbx_body_revoke(json_t *body, int with_serials, struct sbx_revoke *v, json_t **problem);
void sbx_revoke_release(struct sbx_revoke *v);

/* POST /fqdns/{fqdn}/transfer {"code", "subscriber"?}: the gaining side asks. */
struct sbx_transfer_req {
	const char *code;
	const char *subscriber;       /* NULL: a new subscriber */
};
int sbx_body_transfer(json_t *body, struct sbx_transfer_req *t, json_t **problem);

/* POST /subscribers {"name", "customer_ref"?} */
struct sbx_subscriber {
	const char *name;             /* not empty */
	const char *customer_ref;     /* NULL when absent or null */
};
int sbx_body_subscriber(json_t *body, struct sbx_subscriber *s, json_t **problem);

/* POST /sandbox/v1/registrars {"id", "name", "keys": [...]} */
struct sbx_reg_key {
	const char *keyid;            /* 1-128 of A-Z a-z 0-9 . _ - */
	const char *alg;              /* as given */
	enum jra_alg a;
	char *material;               /* what the keys table stores: the public key as PEM,
					 or secret_b64 for hmac-sha256; owned */
};
struct sbx_registration {
	const char *id;               /* 1-32 of A-Z a-z 0-9 . _ - */
	const char *name;
	struct sbx_reg_key *keys;     /* 1-16, owned */
	size_t nkeys;
};
int sbx_body_registration(json_t *body, struct sbx_registration *g, json_t **problem);
void sbx_registration_release(struct sbx_registration *g);

/* PUT /sandbox/v1/registrars/{id}/suspension {"suspended": bool}; *suspended 0 or 1. */
int sbx_body_suspension(json_t *body, int *suspended, json_t **problem);

/* PUT /sandbox/v1/clock {"now"}: an RFC 3339 instant. */
int sbx_body_clock_set(json_t *body, time_t *t, json_t **problem);
/* POST /sandbox/v1/clock/advance {"days"} or {"seconds"}: 0 to 100 years in *seconds. */
int sbx_body_clock_advance(json_t *body, int64_t *seconds, json_t **problem);

/* 0, or -1 when name is not one of the contract's four fault modes. */
int sbx_fault_parse(const char *name, enum sbx_fault_mode *mode);
/* POST /sandbox/v1/faults {"mode", "count", "delay_ms"?, "method"?} */
struct sbx_fault_req {
	const char *mode;             /* as given */
	enum sbx_fault_mode m;
	int count;                    /* 0-1000000 */
	int delay_ms;                 /* 0-600000; given when m is SBX_FAULT_DELAY */
	const char *method;           /* GET, POST, PATCH or DELETE; NULL: any */
};
int sbx_body_faults(json_t *body, struct sbx_fault_req *f, json_t **problem);

/* POST /sandbox/v1/issuance {"eab_kid", "names", "csr_pem"?} */
#define SBX_MAX_NAMES 100
struct sbx_issuance {
	const char *eab_kid;
	const char *csr_pem;          /* NULL: the sandbox makes the key */
	const char **names;           /* 1-100 strings, no two alike; the array is owned */
	size_t nnames;
};
int sbx_body_issuance(json_t *body, struct sbx_issuance *s, json_t **problem);
void sbx_issuance_release(struct sbx_issuance *s);

#endif
