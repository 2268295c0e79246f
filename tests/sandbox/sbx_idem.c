#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "sbx_idem.h"
#include "sbx_store.h"

struct sbx_idem_entry {
	struct sbx_idem_entry *next;
	char *registrar;
	char *key;
};

void sbx_idem_init(struct sbx_idem_inflight *f)
{
	pthread_mutex_init(&f->mu, NULL);
	f->head = NULL;
}

void sbx_idem_destroy(struct sbx_idem_inflight *f)
{
	struct sbx_idem_entry *e, *next;

	for (e = f->head; e; e = next) {
		next = e->next;
		free(e->registrar);
		free(e->key);
		free(e);
	}
	pthread_mutex_destroy(&f->mu);
}

int sbx_idem_key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n < 1 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x20 || key[i] > 0x7e)
			return 0;
	return 1;
}

int sbx_idem_enter(struct sbx_idem_inflight *f, const char *registrar, const char *key)
{
	struct sbx_idem_entry *e;
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	for (e = f->head; e; e = e->next)
		if (!strcmp(e->registrar, registrar) && !strcmp(e->key, key))
			break;
	if (e) {
		rc = -1;
	} else {
		e = jra_xcalloc(1, sizeof(*e));
		e->registrar = jra_xstrdup(registrar);
		e->key = jra_xstrdup(key);
		e->next = f->head;
		f->head = e;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

void sbx_idem_leave(struct sbx_idem_inflight *f, const char *registrar, const char *key)
{
	struct sbx_idem_entry **pp, *e;

	pthread_mutex_lock(&f->mu);
	for (pp = &f->head; (e = *pp); pp = &e->next) {
		if (!strcmp(e->registrar, registrar) && !strcmp(e->key, key)) {
			*pp = e->next;
			free(e->registrar);
			free(e->key);
			free(e);
			break;
		}
	}
	pthread_mutex_unlock(&f->mu);
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

char *sbx_idem_fingerprint(const char *method, const char *target, const void *body, size_t len)
{
	unsigned char bd[EVP_MAX_MD_SIZE], fd[EVP_MAX_MD_SIZE];
	unsigned int bl = 0, fl = 0;
	char bhex[2 * EVP_MAX_MD_SIZE + 1];
	char *s, *out = jra_xmalloc(2 * EVP_MAX_MD_SIZE + 1);

	EVP_Digest(body, len, bd, &bl, EVP_sha256(), NULL);
	hex(bd, bl, bhex);
	s = jra_xasprintf("%s\n%s\n%s", method, target, bhex);
	EVP_Digest(s, strlen(s), fd, &fl, EVP_sha256(), NULL);
	free(s);
	hex(fd, fl, out);
	return out;
}

int sbx_idem_lookup(struct sbx_db *db, const char *registrar, const char *key, time_t now,
		    char **fp, int *status, char **body, size_t *len)
{
	sqlite3_stmt *st;
	int rc;

	if (sbx_db_run(db, sbx_db_q(db, "DELETE FROM idem WHERE created_at <= ?", "i",
				    (int64_t)(now - SBX_IDEM_TTL))))
		return -1;
	st = sbx_db_q(db, "SELECT fingerprint, status, body FROM idem"
		      " WHERE registrar = ? AND key = ?", "tt", registrar, key);
	rc = sbx_db_step(db, st);
	if (rc != 1)
		return rc;
	*fp = jra_xstrdup(sbx_col_text(st, 0));
	*status = sqlite3_column_int(st, 1);
	*len = (size_t)sqlite3_column_bytes(st, 2);
	*body = jra_xmalloc(*len + 1);
	memcpy(*body, sqlite3_column_blob(st, 2), *len);
	(*body)[*len] = '\0';
	sqlite3_reset(st);
	return 1;
}

int sbx_idem_store(struct sbx_db *db, const char *registrar, const char *key, const char *fp,
		   time_t now, int status, const char *body, size_t len)
{
	sqlite3_stmt *st = sbx_db_q(db, "INSERT OR REPLACE INTO idem(registrar, key, fingerprint,"
				    " created_at, status, body) VALUES(?, ?, ?, ?, ?, ?)",
				    "ttti", registrar, key, fp, (int64_t)now);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 5, status);
	sqlite3_bind_blob(st, 6, body ? body : "", (int)len, SQLITE_TRANSIENT);
	return sbx_db_run(db, st);
}
