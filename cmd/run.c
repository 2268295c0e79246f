#include "cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"

/* Set by SIGINT: start no new request, let those under way finish. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * A batch's journal, so that a batch killed half-way can be finished with
 * the same Idempotency-Keys: "K <index> <key> <time>" is written and
 * synced before item <index> may be sent (time: seconds since the epoch),
 * "D <index>" once its answer is final, "U <index>" when a stop kept it
 * from being sent after all.  The last K or U line of an item wins.
 */
struct journal_entry {
	char *key;             /* the key the item goes with, or NULL */
	unsigned char state;   /* 0 (no key yet), or 'K', 'D' or 'U' */
	time_t when;           /* the time of its last K line */
};

struct journal {
	int fd;                /* -1: no journal */
	char *path;
	struct journal_entry *items;  /* by item index */
	unsigned long cap;
};

/* contract §3: the CA keeps a key for 24 hours; a journal whose keys may
 * have reached it is resumed within 23, an hour left for the run itself */
#define JOURNAL_MAX_AGE (23 * 3600L)

struct batch {
	struct jra_ctx *ctx;
	const struct jra_batch_ops *ops;
	struct jra_items items;
	struct jra_out out;
	struct jra_tally tally;
	int shown;
	int progress;          /* a progress line on stderr (a terminal, -f input) */
	int progress_shown;
	struct timespec last;  /* when it was last drawn */
	int argc;              /* the items given as arguments */
	char **argv;
	struct journal jr;
	int jr_tried;          /* the journal was opened, or found not wanted */
	unsigned long index;   /* of the next item */
	int jr_ok;             /* the journal is this run's: removed when the batch ends */
	unsigned long skipped, not_started;
	unsigned long unfinished;  /* sent, without a final answer */
};

/* One item on its way: what done() needs to report it and journal it. */
struct item_tag {
	char *item;
	unsigned long index;
	int request;           /* it became a request (not a bad item) */
	int keyed;             /* written to the journal with a key */
	int sent_before;       /* an earlier run may have sent it with that key */
};

/* At most five redraws a second: a fast batch must not spend its time drawing. */
#define PROGRESS_INTERVAL_MS 200

static void progress_clear(struct batch *b)
{
	if (b->progress_shown) {
		fputs("\r\033[K", stderr);
		b->progress_shown = 0;
	}
}

static void progress_draw(struct batch *b)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - b->last.tv_sec) * 1000 + (now.tv_nsec - b->last.tv_nsec) / 1000000;
	if (b->progress_shown && ms < PROGRESS_INTERVAL_MS)
		return;
	b->last = now;
	fputs("\rjra: ", stderr);
	fprintf(stderr, _("%lu done, %lu failed"), b->tally.ok + b->tally.failed, b->tally.failed);
	fputs("\033[K", stderr);
	b->progress_shown = 1;
}

static void journal_grow(struct journal *j, unsigned long index)
{
	unsigned long cap = j->cap ? j->cap : 256;

	if (index < j->cap)
		return;
	while (cap <= index)
		cap *= 2;
	j->items = jra_xrealloc(j->items, cap * sizeof(*j->items));
	memset(j->items + j->cap, 0, (cap - j->cap) * sizeof(*j->items));
	j->cap = cap;
}

static void journal_release(struct journal *j)
{
	unsigned long i;

	if (j->fd >= 0)
		close(j->fd);
	for (i = 0; i < j->cap; i++)
		free(j->items[i].key);
	free(j->items);
	free(j->path);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
}

/* Reads what an earlier run wrote; a line cut short by a crash is ignored. */
static int journal_load(struct journal *j, struct jra_error *e)
{
	struct journal_entry *it;
	char line[128], key[37];
	unsigned long index;
	long long when;
	FILE *fp;
	int fd, n;

	if ((fd = dup(j->fd)) < 0 || !(fp = fdopen(fd, "r"))) {
		if (fd >= 0)
			close(fd);
		return jra_error(e, JRA_ERR_TEMP, _("cannot read the journal '%s': %s"), j->path,
				 strerror(errno));
	}
	while (fgets(line, sizeof(line), fp)) {
		if (!strchr(line, '\n'))
			continue;
		if ((n = sscanf(line, "K %lu %36s %lld", &index, key, &when)) >= 2 &&
		    strlen(key) == 36) {
			journal_grow(j, index);
			it = &j->items[index];
			free(it->key);
			it->key = jra_xstrdup(key);
			if (it->state != 'D')
				it->state = 'K';
			/* a key of unknown age is taken to be too old */
			it->when = n == 3 ? (time_t)when : 0;
		} else if (sscanf(line, "D %lu", &index) == 1) {
			journal_grow(j, index);
			j->items[index].state = 'D';
		} else if (sscanf(line, "U %lu", &index) == 1) {
			journal_grow(j, index);
			if (j->items[index].state != 'D')
				j->items[index].state = 'U';
		}
	}
	fclose(fp);
	return 0;
}

/* mkdir -p for the journal's directory, private to the user. */
static int make_dirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static void hash_str(EVP_MD_CTX *md, const char *s)
{
	EVP_DigestUpdate(md, s, strlen(s) + 1);
}

/*
 * The journal's name: a SHA-256 of what makes the batch itself, the
 * profile (its name, endpoint and registrar), the command, the arguments, the -f file (its name, size and
 * modification time: a list is streamed, never held whole) and the first
 * request, which carries the command's options.
 */
static char *journal_name(struct batch *b, const struct jra_request *req, struct jra_error *e)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	char hex[2 * 32 + 1], *text;
	const char *dir, *home;
	struct stat st;
	EVP_MD_CTX *md;
	unsigned int n, i;
	int k;

	if (!(md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		jra_error(e, JRA_ERR_SOFTWARE, _("cannot compute a SHA-256"));
		return NULL;
	}
	hash_str(md, "jra-journal-1");
	if (b->ctx->profile) {
		hash_str(md, b->ctx->profile->name);
		hash_str(md, b->ctx->profile->endpoint);
		hash_str(md, b->ctx->profile->registrar);
	}
	hash_str(md, b->ops->what);
	for (k = 0; k < b->argc; k++)
		hash_str(md, b->argv[k]);
	if (b->ctx->file) {
		if (stat(b->ctx->file, &st) < 0) {
			EVP_MD_CTX_free(md);
			jra_error(e, JRA_ERR_DATA, _("cannot read '%s': %s"), b->ctx->file,
				  strerror(errno));
			return NULL;
		}
		text = jra_xasprintf("-f %s %lld %lld.%09ld", b->ctx->file, (long long)st.st_size,
				     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		hash_str(md, text);
		free(text);
	}
	hash_str(md, req->method);
	hash_str(md, req->path);
	if (req->body && (text = json_dumps(req->body, JSON_COMPACT | JSON_SORT_KEYS))) {
		hash_str(md, text);
		free(text);
	}
	EVP_DigestFinal_ex(md, d, &n);
	EVP_MD_CTX_free(md);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	if ((dir = getenv("XDG_STATE_HOME")) && *dir == '/')
		return jra_xasprintf("%s/jra/%s", dir, hex);
	if (!(home = getenv("HOME")) || *home != '/') {
		jra_error(e, JRA_ERR_CONFIG, _("cannot find a place for the batch's journal: "
					       "neither $XDG_STATE_HOME nor $HOME is set"));
		return NULL;
	}
	return jra_xasprintf("%s/.local/state/jra/%s", home, hex);
}

/*
 * Refuses a journal with a key that may have reached the CA, got no final
 * answer and is about to be forgotten by the CA: sent again, it would be
 * a new request, and a change whose answer was lost would be made twice.
 */
static int journal_check_age(const struct journal *j, struct jra_error *e)
{
	unsigned long i, n = 0;
	time_t now = time(NULL), oldest = now;

	for (i = 0; i < j->cap; i++) {
		if (j->items[i].state != 'K')
			continue;
		n++;
		if (j->items[i].when < oldest)
			oldest = j->items[i].when;
	}
	if (!n || now - oldest <= JOURNAL_MAX_AGE)
		return 0;
	jra_error(e, JRA_ERR_USAGE, _("the batch of the journal '%s' is too old to finish: %lu "
				      "of its items may have been sent without an answer, the "
				      "first %lld hours ago, and the CA forgets an "
				      "Idempotency-Key after 24 hours"), j->path, n,
		  (long long)(now - oldest) / 3600);
	jra_error_hint(e, _("check what became of the batch's items with 'jra status', then "
			    "delete '%s' and run the command again for those not done"), j->path);
	return e->code;
}

/* Opens the batch's journal before its first change: new, or with --resume the one left. */
static int journal_open(struct batch *b, const struct jra_request *req, struct jra_error *e)
{
	struct journal *j = &b->jr;
	struct stat st;
	char *slash;
	int r;

	if (!(j->path = journal_name(b, req, e)))
		return e->code;
	slash = strrchr(j->path, '/');
	*slash = '\0';
	r = make_dirs(j->path);
	*slash = '/';
	if (r < 0 || (j->fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		return jra_error(e, JRA_ERR_TEMP, _("cannot create the journal '%s': %s"), j->path,
				 strerror(errno));
	if (flock(j->fd, LOCK_EX | LOCK_NB) < 0)
		return jra_error(e, JRA_ERR_TEMP, _("the same batch is running in another jra "
						    "(its journal '%s' is locked)"), j->path);
	if (fstat(j->fd, &st) < 0)
		return jra_error(e, JRA_ERR_TEMP, _("cannot read the journal '%s': %s"), j->path,
				 strerror(errno));
	if (st.st_size == 0)
		return 0;
	if ((r = journal_load(j, e)) < 0 || (r = journal_check_age(j, e)) < 0)
		return r;
	if (!b->ctx->resume) {
		jra_error(e, JRA_ERR_USAGE, _("this batch was started before and did not finish "
					      "(journal '%s')"), j->path);
		jra_error_hint(e, _("run it again with --resume to finish it, or delete the "
				    "journal to start afresh"));
		return e->code;
	}
	return 0;
}

/* Appends a line; synced when it must be on disk before the request goes out. */
static int journal_write(struct journal *j, const char *line, int sync, struct jra_error *e)
{
	size_t len = strlen(line);

	if (write(j->fd, line, len) != (ssize_t)len || (sync && fdatasync(j->fd) < 0))
		return jra_error(e, JRA_ERR_TEMP, _("cannot write the journal '%s': %s"), j->path,
				 strerror(errno));
	return 0;
}

/* Whether a batch's changes are journalled: not in a dry run, not from stdin. */
static int journal_wanted(const struct batch *b, const struct jra_request *req)
{
	return !b->ctx->dry_run && req->method && strcmp(req->method, "GET") &&
	       !(b->ctx->file && !strcmp(b->ctx->file, "-"));
}

static void request_release(struct jra_request *req)
{
	free(req->path);
	json_decref(req->body);
	memset(req, 0, sizeof(*req));
}

/* Frees an item that is through: its request and its tag. */
static void item_release(struct jra_request *req, struct item_tag *t)
{
	request_release(req);
	free(t->item);
	free(t);
}

/* Gives the item its key: the journal's from an earlier run, or a new one
 * written down before anything is sent.  1: sent already and done, skip it. */
static int journal_item(struct batch *b, struct item_tag *t, struct jra_request *req,
			struct jra_error *e)
{
	struct journal *j = &b->jr;
	struct journal_entry *it;
	char key[37], *line;
	int r;

	journal_grow(j, t->index);
	it = &j->items[t->index];
	if (it->state == 'D')
		return 1;
	t->sent_before = it->state == 'K';
	if (!t->sent_before) {
		if (!it->key && jra_uuid4(key) < 0)
			return jra_error(e, JRA_ERR_SOFTWARE, _("cannot make an idempotency key: "
								"no randomness"));
		if (!it->key)
			it->key = jra_xstrdup(key);
		it->when = time(NULL);
		line = jra_xasprintf("K %lu %s %lld\n", t->index, it->key, (long long)it->when);
		r = journal_write(j, line, 1, e);
		free(line);
		if (r < 0)
			return r;
		it->state = 'K';
	}
	req->idem = it->key;
	t->keyed = 1;
	return 0;
}

/* The next item as a request; a bad item comes back as a failure to report in order. */
static int next_item(void *arg, struct jra_request *req, void **tag, struct jra_error *e)
{
	struct batch *b = arg;
	struct item_tag *t;
	const char *item;
	char *norm;
	int r;

	for (;;) {
		if (interrupted) {
			while ((r = jra_items_next(&b->items, &item, e)) > 0)
				b->not_started++;
			return r;
		}
		if ((r = jra_items_next(&b->items, &item, e)) <= 0)
			return r;
		t = jra_xcalloc(1, sizeof(*t));
		t->index = b->index++;
		*tag = t;
		if (b->ops->fqdn_items) {
			if (!(norm = jra_fqdn_arg(item, e))) {
				t->item = jra_xstrdup(item);
				return 1;
			}
		} else {
			norm = jra_xstrdup(item);
		}
		t->item = norm;
		if (b->ops->request(b->ops->arg, norm, req, e) < 0) {
			req->method = NULL;
			return 1;
		}
		t->request = 1;
		if (!journal_wanted(b, req))
			return 1;
		if (!b->jr_tried) {
			b->jr_tried = 1;
			if ((r = journal_open(b, req, e)) < 0)
				goto fail;
			b->jr_ok = 1;
		}
		if (b->jr.fd < 0)
			return 1;
		if ((r = journal_item(b, t, req, e)) == 0)
			return 1;
		if (r < 0)
			goto fail;
		b->skipped++;
		item_release(req, t);
		*tag = NULL;
	}
fail:
	item_release(req, t);
	*tag = NULL;
	return r;
}

/* Whether an answer is final: a success, or a refusal that a new try would get
 * again.  Not one lost or temporary (exit 75, 69), nor a 401/403: given before
 * the CA looks at the key, it says nothing of what an earlier try did. */
static int final_answer(int r)
{
	return r == 0 || r == JRA_ERR_REFUSED || r == JRA_ERR_DATA || r == JRA_ERR_USAGE;
}

/* Appends "D <index>" or "U <index>" to the journal. */
static void journal_mark(struct batch *b, char what, unsigned long index)
{
	struct jra_error err = JRA_ERROR_INIT;
	char *line = jra_xasprintf("%c %lu\n", what, index);

	if (journal_write(&b->jr, line, 0, &err) < 0)
		jra_report(&err);
	else
		b->jr.items[index].state = (unsigned char)what;
	free(line);
}

static void item_done(void *arg, void *tag, struct jra_request *req, int r, json_t *res,
		      const struct jra_error *e)
{
	struct batch *b = arg;
	struct item_tag *t = tag;
	struct jra_error err;
	const char *item = t->item;

	/* stopped before it was sent: not a result, but one not started */
	if (!req->method && t->request) {
		b->not_started++;
		/* a U line needs no sync: lost, the item only counts as maybe sent */
		if (t->keyed && !t->sent_before)
			journal_mark(b, 'U', t->index);
		item_release(req, t);
		return;
	}
	/* the journal's D line needs no sync: lost, the item is sent again with its key */
	if (t->keyed && final_answer(r))
		journal_mark(b, 'D', t->index);
	else if (t->keyed)
		b->unfinished++;
	if (r < 0)
		err = *e;
	/* an answer without what the output needs is bad data, not a success */
	else if (b->ops->check && !res && !b->ctx->dry_run)
		r = jra_error(&err, JRA_ERR_DATA, _("the CA's answer is empty"));
	else if (b->ops->check && res)
		r = b->ops->check(res, &err);
	if (r < 0) {
		/* a request's failure names the item; a bad item names itself */
		if (req->method)
			jra_error_prefix(&err, _("cannot %s '%s'"), _(b->ops->what), item);
		progress_clear(b);
		jra_report(&err);
	} else if (res && b->ctx->format == JRA_FORMAT_TABLE) {
		if (!(b->ctx->quiet && b->ops->quiet_ok))
			b->ops->show(b->ops->arg, item, res, b->shown++);
	} else if (res) {
		jra_out_add(&b->out, res);
	}
	jra_tally_add(&b->tally, r);
	if (b->progress)
		progress_draw(b);
	item_release(req, t);
}

/* s for a POSIX shell, newly allocated: as it is when nothing in it is special. */
static char *shell_word(const char *s)
{
	struct jra_buf out;
	const char *p;

	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		     "0123456789_-+=.,/:@%") == strlen(s))
		return jra_xstrdup(s);
	jra_buf_init(&out, 0);
	jra_buf_addch(&out, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			jra_buf_addstr(&out, "'\\''");
		else
			jra_buf_addch(&out, *p);
	}
	jra_buf_addch(&out, '\'');
	return jra_buf_take(&out);
}

/* lead, then the command line as given with --resume, on stderr: --resume
 * at the end, or after the program's name when "--" ends the options. */
static void print_resume(const struct jra_ctx *ctx, const char *lead)
{
	int i, dashes = 0, add = !ctx->resume;
	char *w;

	for (i = 1; i < ctx->cmd_argc; i++)
		if (!strcmp(ctx->cmd_argv[i], "--"))
			dashes = 1;
	fputs(lead, stderr);
	for (i = 0; i < ctx->cmd_argc; i++) {
		w = shell_word(ctx->cmd_argv[i]);
		fprintf(stderr, " %s", w);
		free(w);
		if (i == 0 && add && dashes)
			fputs(" --resume", stderr);
	}
	if (add && !dashes)
		fputs(" --resume", stderr);
	fputc('\n', stderr);
}

int jra_run_batch(struct jra_ctx *ctx, int argc, char **argv, const struct jra_batch_ops *ops)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct sigaction sa, old_sa;
	struct batch b;
	int r;

	if (ctx->resume && ctx->file && !strcmp(ctx->file, "-")) {
		jra_error(&e, JRA_ERR_USAGE, _("--resume needs the items in a file, not on stdin"));
		return jra_report(&e);
	}
	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.ops = ops;
	b.argc = argc;
	b.argv = argv;
	b.jr.fd = -1;
	jra_out_init(&b.out, stdout, ctx->format, ops->cols, ops->ncols, argc > 1 || ctx->file);
	jra_items_init(&b.items, argc, argv, ctx->file);
	/* only while the results go elsewhere: on the terminal they would tear it */
	b.progress = ctx->file && !ctx->quiet && !ctx->dry_run && isatty(STDERR_FILENO) &&
		     !isatty(STDOUT_FILENO);
	/* no SA_RESTART: a wait for the network ends at once and the runner sees the flag;
	 * SA_RESETHAND: a second SIGINT does not wait for the transfers under way (the
	 * journal holds their keys) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	jra_client_set_stop(ctx->client, &interrupted);
	r = jra_client_run(ctx->client, ctx->jobs, next_item, item_done, &b, &e);
	jra_client_set_stop(ctx->client, NULL);
	sigaction(SIGINT, &old_sa, NULL);
	progress_clear(&b);
	if (r < 0)
		jra_tally_add(&b.tally, jra_report(&e));
	jra_items_release(&b.items);
	if (jra_out_finish(&b.out) < 0 && !b.tally.failed)
		jra_tally_add(&b.tally, JRA_ERR_SOFTWARE);
	jra_out_release(&b.out);
	if (b.skipped)
		fprintf(stderr, _("jra: %lu items were done by an earlier run, skipped\n"),
			b.skipped);
	if (interrupted) {
		fprintf(stderr, _("jra: interrupted: %lu done, %lu not started\n"),
			b.tally.ok + b.tally.failed, b.not_started);
		if (b.jr_ok)
			print_resume(ctx, _("jra: to finish the batch, run:"));
	} else if (b.jr_ok && b.unfinished) {
		/* a plain run again would send new keys: what took effect unanswered
		 * would be done twice */
		fprintf(stderr, _("jra: %lu items got no final answer and may have taken effect; "
				  "the journal '%s' keeps their Idempotency-Keys\n"), b.unfinished,
			b.jr.path);
		print_resume(ctx, _("jra: to send them again with the same keys, run:"));
	} else if (b.jr_ok) {
		/* every item has a final answer, the failures are reported: a plain
		 * retry of the same command must not be refused */
		unlink(b.jr.path);
	}
	journal_release(&b.jr);
	if (interrupted)
		return JRA_ERR_TEMP;
	return jra_tally_result(&b.tally);
}
