#ifndef SBX_IDEM_H
#define SBX_IDEM_H

/*
 * Idempotency-Key (contract §3): the responses of completed requests are
 * kept in the db for 24 h of the sandbox clock, in the same transaction
 * as the change they answer; the keys of requests still being handled
 * are kept in memory, so a second request with the same key meanwhile
 * answers 409 idempotency-key-in-use.
 */

#include <pthread.h>
#include <stddef.h>
#include <time.h>

struct sbx_db;
struct sbx_idem_entry;

#define SBX_IDEM_TTL (24 * 3600)

struct sbx_idem_inflight {
	pthread_mutex_t mu;
	struct sbx_idem_entry *head;
};

void sbx_idem_init(struct sbx_idem_inflight *f);
void sbx_idem_destroy(struct sbx_idem_inflight *f);
/* 1-255 printable ASCII characters: 1 when key is acceptable. */
int sbx_idem_key_valid(const char *key);
/* Marks (registrar, key) in progress: 0, or -1 when it already is. */
int sbx_idem_enter(struct sbx_idem_inflight *f, const char *registrar, const char *key);
void sbx_idem_leave(struct sbx_idem_inflight *f, const char *registrar, const char *key);
/* Hex SHA-256 over the method, the request-target and the body's SHA-256; newly allocated. */
char *sbx_idem_fingerprint(const char *method, const char *target, const void *body, size_t len);
/*
 * The kept response for (registrar, key) not older than 24 h at now:
 * 1 with *fp, *body newly allocated and *status set, 0 when none, -1 on error.
 */
int sbx_idem_lookup(struct sbx_db *db, const char *registrar, const char *key, time_t now,
		    char **fp, int *status, char **body, size_t *len);
/* Keeps a response, inside the request's transaction. */
int sbx_idem_store(struct sbx_db *db, const char *registrar, const char *key, const char *fp,
		   time_t now, int status, const char *body, size_t len);

#endif
