#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sbx_store.h"

#define SBX_STMT_CACHE 128
#define SBX_BUSY_MS 10000

struct sbx_stmt {
	const char *sql;
	sqlite3_stmt *st;
};

enum { TXN_NONE, TXN_READ, TXN_WRITE };

struct sbx_db {
	sqlite3 *h;
	struct sbx_store *store;
	int txn;                    /* TXN_*: the transaction this connection began */
	struct sbx_stmt cache[SBX_STMT_CACHE];
	int ncache;
	int savepoint;
	void *aux;
	void (*aux_release)(void *);
};

struct sbx_store {
	/* held by the one connection of this process that writes, so the others
	 * queue here rather than in SQLite's sleeping busy handler */
	pthread_mutex_t write_mu;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sbx_db **free;
	int nfree;
	struct sbx_db **all;
	int nall;
};

/* Times are Unix seconds; dates are JST 'YYYY-MM-DD' text. */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta("
	" key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS registrars("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" suspended_at INTEGER, created_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS keys("
	" keyid TEXT PRIMARY KEY, registrar TEXT NOT NULL REFERENCES registrars(id),"
	" alg TEXT NOT NULL, material TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS nonces("
	" nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS nonces_seen ON nonces(seen_at);"
	"CREATE TABLE IF NOT EXISTS subscribers("
	" id TEXT PRIMARY KEY, registrar TEXT NOT NULL, name TEXT NOT NULL,"
	" customer_ref TEXT, created_at INTEGER NOT NULL,"
	" eab_kid TEXT NOT NULL UNIQUE, eab_hmac TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS fqdns("
	" id INTEGER PRIMARY KEY, fqdn TEXT NOT NULL, registrar TEXT NOT NULL,"
	" subscriber TEXT NOT NULL, customer_ref TEXT, period TEXT NOT NULL,"
	" renewal_period TEXT NOT NULL, state TEXT NOT NULL,"
	" applied_at INTEGER NOT NULL, start_date TEXT, end_date TEXT,"
	" cancel_requested_at INTEGER, ended_at INTEGER, end_reason TEXT);"
	"CREATE UNIQUE INDEX IF NOT EXISTS fqdns_live ON fqdns(fqdn) WHERE state <> 'ended';"
	"CREATE INDEX IF NOT EXISTS fqdns_registrar ON fqdns(registrar, fqdn);"
	"CREATE TABLE IF NOT EXISTS certs("
	" serial TEXT PRIMARY KEY, subscriber TEXT NOT NULL, issued_at INTEGER NOT NULL,"
	" not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, status TEXT NOT NULL,"
	" revoked_at INTEGER, reason INTEGER, pem TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS cert_names("
	" serial TEXT NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL,"
	" PRIMARY KEY(serial, pos));"
	"CREATE TABLE IF NOT EXISTS cert_fqdns("
	" serial TEXT NOT NULL, fqdn_id INTEGER NOT NULL, PRIMARY KEY(serial, fqdn_id));"
	"CREATE INDEX IF NOT EXISTS cert_fqdns_fqdn ON cert_fqdns(fqdn_id);"
	"CREATE TABLE IF NOT EXISTS transfers("
	" id INTEGER PRIMARY KEY, fqdn_id INTEGER NOT NULL, code TEXT NOT NULL,"
	" code_expires_at INTEGER NOT NULL, state TEXT NOT NULL,"
	" losing TEXT NOT NULL, gaining TEXT, gaining_subscriber TEXT,"
	" requested_at INTEGER, auto_approve_at INTEGER, closed_at INTEGER);"
	"CREATE INDEX IF NOT EXISTS transfers_fqdn ON transfers(fqdn_id);"
	"CREATE TABLE IF NOT EXISTS idem("
	" registrar TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
	" created_at INTEGER NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL,"
	" PRIMARY KEY(registrar, key));";

static void db_close(struct sbx_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	if (db->aux_release)
		db->aux_release(db->aux);
	sqlite3_close(db->h);
	free(db);
}

static int db_open(struct sbx_store *s, const char *path, int create, struct sbx_db **out,
		   struct jra_error *e)
{
	struct sbx_db *db = jra_xcalloc(1, sizeof(*db));
	char *err = NULL;
	int rc;

	db->store = s;

	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(db->h, SBX_BUSY_MS);
	rc = sqlite3_exec(db->h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			  " PRAGMA foreign_keys=ON;", NULL, NULL, &err);
	if (rc == SQLITE_OK && create)
		rc = sqlite3_exec(db->h, schema, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		goto fail;
	*out = db;
	return 0;
fail:
	jra_error(e, JRA_ERR_CONFIG, "cannot open database '%s': %s", path,
		  err ? err : sqlite3_errmsg(db->h));
	sqlite3_free(err);
	db_close(db);
	return e ? e->code : JRA_ERR_CONFIG;
}

int sbx_store_open(const char *path, int nconn, struct sbx_store **out, struct jra_error *e)
{
	struct sbx_store *s = jra_xcalloc(1, sizeof(*s));
	int rc;

	pthread_mutex_init(&s->write_mu, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->all = jra_xcalloc(nconn, sizeof(*s->all));
	s->free = jra_xcalloc(nconn, sizeof(*s->free));
	for (int i = 0; i < nconn; i++) {
		rc = db_open(s, path, i == 0, &s->all[i], e);
		if (rc) {
			sbx_store_free(s);
			return rc;
		}
		s->nall++;
		s->free[s->nfree++] = s->all[i];
	}
	*out = s;
	return 0;
}

void sbx_store_free(struct sbx_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nall; i++)
		db_close(s->all[i]);
	free(s->all);
	free(s->free);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->write_mu);
	free(s);
}

struct sbx_db *sbx_store_get(struct sbx_store *s)
{
	struct sbx_db *db;

	pthread_mutex_lock(&s->mu);
	while (s->nfree == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	db = s->free[--s->nfree];
	pthread_mutex_unlock(&s->mu);
	return db;
}

void sbx_store_put(struct sbx_store *s, struct sbx_db *db)
{
	if (!db)
		return;
	if (db->txn != TXN_NONE || sbx_db_in_txn(db))
		sbx_db_rollback(db);
	pthread_mutex_lock(&s->mu);
	s->free[s->nfree++] = db;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

sqlite3 *sbx_db_handle(struct sbx_db *db)
{
	return db->h;
}

void *sbx_db_aux(struct sbx_db *db)
{
	return db->aux;
}

void sbx_db_set_aux(struct sbx_db *db, void *aux, void (*release)(void *))
{
	if (db->aux_release)
		db->aux_release(db->aux);
	db->aux = aux;
	db->aux_release = release;
}

static sqlite3_stmt *stmt_get(struct sbx_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	for (int i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			st = db->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "jra-sandbox: sqlite: %s in: %s\n", sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	if (db->ncache < SBX_STMT_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].st = st;
		db->ncache++;
	} else {
		fprintf(stderr, "jra-sandbox: statement cache full\n");
		abort();
	}
	return st;
}

sqlite3_stmt *sbx_db_q(struct sbx_db *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = stmt_get(db, sql);
	va_list ap;
	const char *s;
	int i = 1;

	if (!st)
		return NULL;
	/* in WAL mode a read snapshot cannot always become a write one: refuse it here */
	if (db->txn == TXN_READ && !sqlite3_stmt_readonly(st)) {
		fprintf(stderr, "jra-sandbox: a write in a read-only transaction: %s\n", sql);
		return NULL;
	}
	va_start(ap, fmt);
	for (; fmt && *fmt; fmt++, i++) {
		switch (*fmt) {
		case 't':
			s = va_arg(ap, const char *);
			if (s)
				sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i);
			break;
		case 'i':
			sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'd':
			sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		default:
			abort();
		}
	}
	va_end(ap);
	return st;
}

int sbx_db_step(struct sbx_db *db, sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	fprintf(stderr, "jra-sandbox: sqlite: %s in: %s\n", sqlite3_errmsg(db->h), sqlite3_sql(st));
	sqlite3_reset(st);
	return -1;
}

int sbx_db_run(struct sbx_db *db, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sbx_db_step(db, st)) == 1)
		;
	return rc;
}

const char *sbx_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int exec(struct sbx_db *db, const char *sql)
{
	return sbx_db_run(db, sbx_db_q(db, sql, NULL));
}

int sbx_db_begin(struct sbx_db *db)
{
	pthread_mutex_lock(&db->store->write_mu);
	db->savepoint = 0;
	db->txn = TXN_WRITE;
	if (exec(db, "BEGIN IMMEDIATE") == 0)
		return 0;
	db->txn = TXN_NONE;
	pthread_mutex_unlock(&db->store->write_mu);
	return -1;
}

int sbx_db_begin_read(struct sbx_db *db)
{
	db->savepoint = 0;
	if (exec(db, "BEGIN") != 0)
		return -1;
	db->txn = TXN_READ;
	return 0;
}

/* Ends what sbx_db_begin*() started: the write lock goes with it. */
static void txn_end(struct sbx_db *db)
{
	if (db->txn == TXN_WRITE)
		pthread_mutex_unlock(&db->store->write_mu);
	db->txn = TXN_NONE;
	db->savepoint = 0;
}

int sbx_db_commit(struct sbx_db *db)
{
	int rc = exec(db, "COMMIT");

	if (rc)
		sbx_db_rollback(db);
	else
		txn_end(db);
	return rc;
}

void sbx_db_rollback(struct sbx_db *db)
{
	if (sbx_db_in_txn(db))
		exec(db, "ROLLBACK");
	txn_end(db);
}

int sbx_db_write_alone(struct sbx_db *db, sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -1;
	if (db->txn != TXN_NONE || sbx_db_in_txn(db)) {
		sqlite3_reset(st);
		fprintf(stderr, "jra-sandbox: a statement meant to run alone, inside a "
			"transaction: %s\n", sqlite3_sql(st));
		return -1;
	}
	pthread_mutex_lock(&db->store->write_mu);
	rc = sbx_db_run(db, st);
	if (rc == 0)
		rc = sqlite3_changes(db->h);
	pthread_mutex_unlock(&db->store->write_mu);
	return rc;
}

int sbx_db_savepoint(struct sbx_db *db)
{
	db->savepoint = 1;
	return exec(db, "SAVEPOINT sbx_request");
}

void sbx_db_rollback_savepoint(struct sbx_db *db)
{
	if (db->savepoint)
		exec(db, "ROLLBACK TO sbx_request");
}

int sbx_db_in_txn(struct sbx_db *db)
{
	return !sqlite3_get_autocommit(db->h);
}

int64_t sbx_meta_get(struct sbx_db *db, const char *key, int64_t def)
{
	sqlite3_stmt *st = sbx_db_q(db, "SELECT value FROM meta WHERE key = ?", "t", key);
	int64_t v = def;

	if (sbx_db_step(db, st) == 1) {
		v = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return v;
}

int sbx_meta_set(struct sbx_db *db, const char *key, int64_t value)
{
	return sbx_db_run(db, sbx_db_q(db, "INSERT INTO meta(key, value) VALUES(?, ?)"
				       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
				       "ti", key, value));
}

int64_t sbx_meta_next(struct sbx_db *db, const char *key)
{
	int64_t v = sbx_meta_get(db, key, 0) + 1;

	if (sbx_meta_set(db, key, v))
		return -1;
	return v;
}
