/*
 * The sandbox's state pieces that need no server: the SQLite store
 * (transactions, savepoints, counters, the pool), Idempotency-Key
 * bookkeeping and the rate limit's sliding window.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "sbx_idem.h"
#include "sbx_rate.h"
#include "sbx_store.h"
#include "tap.h"

struct writer {
	struct sbx_db *db;
	_Atomic int64_t seen;
};

/* Waits for the write lock and reads what the other writer left. */
static void *second_writer(void *arg)
{
	struct writer *w = arg;

	if (sbx_db_begin(w->db) == 0) {
		w->seen = sbx_meta_get(w->db, "turn", 0);
		sbx_meta_set(w->db, "turn", 2);
		sbx_db_commit(w->db);
	}
	return NULL;
}

/* Two connections of one process write in turn, the second waiting for the first. */
static void test_writers(struct sbx_db *a, struct sbx_db *b)
{
	struct writer w = { b, -1 };
	pthread_t t;

	sbx_db_begin(a);
	sbx_meta_set(a, "turn", 1);
	if (pthread_create(&t, NULL, second_writer, &w)) {
		ok(0, "pthread_create");
		sbx_db_rollback(a);
		return;
	}
	/* long enough for the second to reach BEGIN IMMEDIATE */
	usleep(100 * 1000);
	ok(w.seen == -1, "a second writer waits while the first holds the lock");
	sbx_db_commit(a);
	pthread_join(t, NULL);
	ok(w.seen == 1 && sbx_meta_get(a, "turn", 0) == 2,
	   "and goes on once it commits, seeing what it wrote");
}

static void test_store(const char *path)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_store *s = NULL;
	struct sbx_db *a, *b;
	sqlite3_stmt *st, *st2;

	if (!ok(sbx_store_open(path, 2, &s, &e) == 0, "open a new database: %s", e.msg))
		return;
	a = sbx_store_get(s);
	b = sbx_store_get(s);
	ok(a != b, "the pool hands out distinct connections");

	st = sbx_db_q(a, "SELECT value FROM meta WHERE key = ?", "t", "x");
	st2 = sbx_db_q(a, "SELECT value FROM meta WHERE key = ?", "t", "x");
	ok(st && st == st2, "a statement is prepared once per connection and reused");
	sqlite3_reset(st);

	ok(sbx_meta_get(a, "counter", 42) == 42, "an absent setting reads as the default");
	ok(sbx_db_begin(a) == 0, "BEGIN IMMEDIATE");
	ok(sbx_meta_next(a, "counter") == 1 && sbx_meta_next(a, "counter") == 2,
	   "a counter counts from 1");
	ok(sbx_db_savepoint(a) == 0, "a savepoint");
	sbx_meta_set(a, "counter", 100);
	sbx_db_rollback_savepoint(a);
	ok(sbx_meta_get(a, "counter", 0) == 2, "rolling back to the savepoint undoes what followed");
	ok(sbx_db_commit(a) == 0, "commit");
	ok(sbx_meta_get(b, "counter", 0) == 2, "another connection sees the committed value");

	sbx_db_begin(a);
	sbx_meta_set(a, "counter", 7);
	sbx_store_put(s, a);
	a = sbx_store_get(s);
	ok(!sbx_db_in_txn(a) && sbx_meta_get(a, "counter", 0) == 2,
	   "a connection given back with an open transaction is rolled back");

	ok(sbx_db_step(a, sbx_db_q(a, "SELECT * FROM no_such_table", NULL)) == -1,
	   "a bad statement is an error, not a crash");

	ok(sbx_db_begin_read(a) == 0 && sbx_meta_get(a, "snap", 2) == 2, "a read transaction reads");
	ok(sbx_db_q(a, "INSERT INTO meta(key, value) VALUES('w', 1)", NULL) == NULL,
	   "and refuses a statement that would write");
	ok(sbx_db_begin(b) == 0 && sbx_meta_set(b, "snap", 3) == 0 && sbx_db_commit(b) == 0,
	   "a writer is not held up by the reader");
	ok(sbx_meta_get(a, "snap", 2) == 2, "which keeps its snapshot");
	ok(sbx_db_commit(a) == 0 && sbx_meta_get(a, "snap", 2) == 3, "until it ends");

	st = sbx_db_q(a, "INSERT INTO meta(key, value) VALUES('once', 1) ON CONFLICT(key)"
		      " DO NOTHING", NULL);
	ok(sbx_db_write_alone(a, st) == 1, "a statement run alone reports the rows it changed");
	st = sbx_db_q(a, "INSERT INTO meta(key, value) VALUES('once', 1) ON CONFLICT(key)"
		      " DO NOTHING", NULL);
	ok(sbx_db_write_alone(a, st) == 0, "none the second time");
	sbx_db_begin(a);
	st = sbx_db_q(a, "DELETE FROM meta WHERE key = 'once'", NULL);
	ok(sbx_db_write_alone(a, st) == -1, "not inside a transaction");
	sbx_db_rollback(a);
	ok(sbx_meta_get(a, "once", 0) == 1, "where it does nothing");
	test_writers(a, b);
	sbx_store_put(s, a);
	sbx_store_put(s, b);
	sbx_store_free(s);

	ok(sbx_store_open(path, 1, &s, &e) == 0, "reopen");
	a = sbx_store_get(s);
	ok(sbx_meta_get(a, "counter", 0) == 2, "state survives closing the database");
	sbx_store_put(s, a);
	sbx_store_free(s);
}

static void test_idem(const char *path)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_idem_inflight f;
	struct sbx_store *s = NULL;
	struct sbx_db *db;
	char *fp1, *fp2, *fp3, *fp = NULL, *body = NULL, key[300];
	size_t len = 0;
	int status = 0;

	ok(sbx_idem_key_valid("8e2c1a4e-3b7f-4c1d-9d5e-2f6a7b8c9d0e"), "a UUID is a valid key");
	ok(!sbx_idem_key_valid(""), "an empty key is not");
	ok(!sbx_idem_key_valid("tab\there"), "a control character is not");
	memset(key, 'k', 256);
	key[256] = '\0';
	ok(!sbx_idem_key_valid(key), "256 characters are too many");
	key[255] = '\0';
	ok(sbx_idem_key_valid(key), "255 are fine");

	fp1 = sbx_idem_fingerprint("POST", "/registrar/v1/fqdns", "{}", 2);
	fp2 = sbx_idem_fingerprint("POST", "/registrar/v1/fqdns", "{} ", 3);
	fp3 = sbx_idem_fingerprint("PATCH", "/registrar/v1/fqdns", "{}", 2);
	ok(strlen(fp1) == 64 && strcmp(fp1, fp2) && strcmp(fp1, fp3),
	   "the fingerprint changes with the body and the method");

	sbx_idem_init(&f);
	ok(sbx_idem_enter(&f, "R0001", "k") == 0, "a key enters");
	ok(sbx_idem_enter(&f, "R0001", "k") == -1, "the same key is refused while in progress");
	ok(sbx_idem_enter(&f, "R0002", "k") == 0, "keys belong to one registrar");
	sbx_idem_leave(&f, "R0001", "k");
	ok(sbx_idem_enter(&f, "R0001", "k") == 0, "after leaving, it enters again");
	sbx_idem_destroy(&f);

	if (!ok(sbx_store_open(path, 1, &s, &e) == 0, "open: %s", e.msg))
		goto out;
	db = sbx_store_get(s);
	ok(sbx_idem_store(db, "R0001", "k", fp1, 1000, 201, "{\"a\":1}", 7) == 0, "keep a response");
	ok(sbx_idem_lookup(db, "R0001", "k", 1000 + SBX_IDEM_TTL - 1, &fp, &status, &body,
			   &len) == 1 && status == 201 && len == 7 && !strcmp(body, "{\"a\":1}") &&
	   !strcmp(fp, fp1), "it is found within 24 h");
	free(fp);
	free(body);
	ok(sbx_idem_lookup(db, "R0002", "k", 1000, &fp, &status, &body, &len) == 0,
	   "not by another registrar");
	ok(sbx_idem_lookup(db, "R0001", "k", 1000 + SBX_IDEM_TTL, &fp, &status, &body, &len) == 0,
	   "and no longer after 24 h");
	sbx_store_put(s, db);
	sbx_store_free(s);
out:
	free(fp1);
	free(fp2);
	free(fp3);
}

static void test_rate(void)
{
	struct sbx_ratelimit rl;
	time_t t = 5000;

	sbx_rate_init(&rl, 0, 1);
	for (int i = 0; i < 100; i++)
		if (sbx_rate_take(&rl, "R0001", t))
			break;
	ok(sbx_rate_take(&rl, "R0001", t) == 0, "0 means no limit");
	sbx_rate_destroy(&rl);

	sbx_rate_init(&rl, 3, 60);
	ok(sbx_rate_take(&rl, "R0001", t) == 0 && sbx_rate_take(&rl, "R0001", t + 10) == 0 &&
	   sbx_rate_take(&rl, "R0001", t + 20) == 0, "three requests in a minute pass");
	ok(sbx_rate_take(&rl, "R0001", t + 30) == 30, "the fourth waits until the first is 60 s old");
	ok(sbx_rate_take(&rl, "R0002", t + 30) == 0, "other registrars have their own window");
	ok(sbx_rate_take(&rl, "R0001", t + 59) == 1, "a refused request does not count");
	ok(sbx_rate_take(&rl, "R0001", t + 60) == 0, "at 60 s the oldest leaves the window");
	ok(sbx_rate_take(&rl, "R0001", t + 61) == 9, "then the next slot frees with the second");
	sbx_rate_destroy(&rl);

	/* the default window: N requests a second */
	sbx_rate_init(&rl, 2, 1);
	ok(sbx_rate_take(&rl, "R0001", t) == 0 && sbx_rate_take(&rl, "R0001", t) == 0,
	   "two requests in one second pass");
	ok(sbx_rate_take(&rl, "R0001", t) == 1, "the third in that second waits 1 s");
	ok(sbx_rate_take(&rl, "R0001", t + 1) == 0, "the next second has room again");
	sbx_rate_destroy(&rl);

	{
		int limit = -1, window = -1;

		ok(sbx_rate_parse("5", &limit, &window) == 0 && limit == 5 && window == 1,
		   "'5' is five a second");
		ok(sbx_rate_parse("5/s", &limit, &window) == 0 && limit == 5 && window == 1,
		   "'5/s' likewise");
		ok(sbx_rate_parse("30/min", &limit, &window) == 0 && limit == 30 && window == 60,
		   "'30/min' is thirty a minute");
		ok(sbx_rate_parse("-3", &limit, &window) < 0 && sbx_rate_parse("3/h", &limit, &window) < 0 &&
		   sbx_rate_parse("", &limit, &window) < 0 && sbx_rate_parse("x", &limit, &window) < 0,
		   "anything else is refused");
	}
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = jra_xasprintf("%s/sbx-test-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *path, *cmd;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	path = jra_xasprintf("%s/store.db", dir);
	test_store(path);
	free(path);
	path = jra_xasprintf("%s/idem.db", dir);
	test_idem(path);
	free(path);
	test_rate();
	cmd = jra_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	free(cmd);
	free(dir);
	return done_testing();
}
