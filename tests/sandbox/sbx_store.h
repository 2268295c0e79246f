#ifndef SBX_STORE_H
#define SBX_STORE_H

/*
 * The sandbox's state in SQLite: WAL journal, a busy timeout, and a small
 * pool of connections so that each request thread holds one connection
 * for the whole request.  Each connection keeps its prepared statements
 * (keyed by the address of the SQL text, which callers pass as string
 * literals) for reuse.  Every change runs in one transaction.
 */

#include <stdint.h>
#include <sqlite3.h>

#include "err.h"

struct sbx_store;
struct sbx_db;

/* Opens (creating) the database at path with nconn connections and the
 * schema in place.  *out is newly allocated; free with sbx_store_free. */
int sbx_store_open(const char *path, int nconn, struct sbx_store **out, struct jra_error *e);
void sbx_store_free(struct sbx_store *s);

/* Takes a connection from the pool, waiting for one when all are busy. */
struct sbx_db *sbx_store_get(struct sbx_store *s);
/* Gives it back; rolls back a transaction left open. */
void sbx_store_put(struct sbx_store *s, struct sbx_db *db);

sqlite3 *sbx_db_handle(struct sbx_db *db);

/*
 * One object that another part of the sandbox keeps with a connection
 * (authentication keeps its parsed keys there): only the holder of db
 * uses it, so it needs no lock.  Setting it releases the one before;
 * closing the connection releases it.
 */
void *sbx_db_aux(struct sbx_db *db);
void sbx_db_set_aux(struct sbx_db *db, void *aux, void (*release)(void *));

/*
 * The cached statement for sql (a string literal), reset, with the
 * parameters bound from fmt: 't' text (const char *, NULL binds NULL),
 * 'i' int64_t, 'd' int.  NULL on a preparation error (logged).
 */
sqlite3_stmt *sbx_db_q(struct sbx_db *db, const char *sql, const char *fmt, ...);
/* Runs a statement made by sbx_db_q to completion: 0, or -1 (logged). */
int sbx_db_run(struct sbx_db *db, sqlite3_stmt *st);
/* Steps once: 1 with a row, 0 when done, -1 on an error (logged). */
int sbx_db_step(struct sbx_db *db, sqlite3_stmt *st);
/* A text column as const char * ("" for NULL is NOT done: NULL stays NULL). */
const char *sbx_col_text(sqlite3_stmt *st, int i);

/*
 * BEGIN IMMEDIATE (the write lock up front, so no upgrade deadlock).  The
 * connections of one process also take a mutex for it, so they wait for
 * each other in turn; other processes meet SQLite's busy timeout.
 */
int sbx_db_begin(struct sbx_db *db);
/* BEGIN DEFERRED for reading only: one snapshot, no write lock, so it runs
 * alongside a writer.  A statement that would write is refused (sbx_db_q
 * logs it and answers NULL). */
int sbx_db_begin_read(struct sbx_db *db);
int sbx_db_commit(struct sbx_db *db);
void sbx_db_rollback(struct sbx_db *db);
/* Runs one writing statement made by sbx_db_q as a transaction of its own,
 * outside any other, under the write lock: the rows it changed, or -1 (logged). */
int sbx_db_write_alone(struct sbx_db *db, sqlite3_stmt *st);
/* A savepoint inside the transaction, and a rollback to it. */
int sbx_db_savepoint(struct sbx_db *db);
void sbx_db_rollback_savepoint(struct sbx_db *db);
int sbx_db_in_txn(struct sbx_db *db);

/* Integer settings kept in the meta table; def when absent. */
int64_t sbx_meta_get(struct sbx_db *db, const char *key, int64_t def);
int sbx_meta_set(struct sbx_db *db, const char *key, int64_t value);
/* The next value of a named counter (1, 2, ...), inside the caller's transaction. */
int64_t sbx_meta_next(struct sbx_db *db, const char *key);

#endif
