#ifndef JRA_CMDS_H
#define JRA_CMDS_H

/*
 * jra's subcommands.  To add one, "jra frob":
 *
 *  1. cmd/frob.c: int cmd_frob(int argc, char **argv, struct jra_ctx *ctx),
 *     with a static usage array (one line per mode), a static
 *     "struct option" table for getopt_long, --help to stdout and 0,
 *     then one call into common/ and the result to the output layer.
 *  2. Declare it below and add a row to commands[] in cmd/main.c (keep it
 *     sorted) with the setup it needs: JRA_NEED_CONFIG, JRA_NEED_KEY,
 *     JRA_NEED_NETWORK.  main() does that setup, once, before calling it.
 *  3. Add frob.c to cmd/meson.build.
 *  4. Write man/jra-frob.1.scd, list it in man/meson.build, and name the
 *     command in man/jra.1.scd; the doc-options test fails while an option
 *     or mode that --help prints is missing from the pages.
 *  5. Completions read 'jra --complete commands' and 'jra help frob': only
 *     an option whose values are not written "a|b" in the help needs a line
 *     in completions/ (bash, zsh, fish).
 *  6. A test: tests/e2e/jra-frob.bats (listed in tests/e2e/meson.build)
 *     against the sandbox, plus unit tests in
 *     tests/unit/ for anything new in common/.
 */

#include <getopt.h>
#include <stdio.h>

#include "batch.h"
#include "client.h"
#include "config.h"
#include "err.h"
#include "i18n.h"
#include "output.h"
#include "sign.h"

enum {
	JRA_NEED_CONFIG = 1 << 0,   /* load the config file and choose the profile */
	JRA_NEED_KEY = 1 << 1,      /* load the profile's signing key */
	JRA_NEED_NETWORK = 1 << 2,  /* create the client */
};

/* Everything main() sets up for a command. */
struct jra_ctx {
	/* global options */
	const char *config_arg;     /* -c */
	const char *profile_arg;    /* -p */
	enum jra_format format;     /* -o */
	int verbose;                /* -v, repeatable */
	int quiet;                  /* -q */
	int dry_run;                /* --dry-run */
	int resume;                 /* --resume: finish a batch left by an earlier run */
	int cmd_argc;               /* the command line as given, for messages */
	char **cmd_argv;
	int retries;                /* --retries; -1 when not given */
	long timeout;               /* --timeout; 0 when not given */
	const char *file;           /* -f: batch input */
	int jobs;                   /* -j: requests in flight at once */
	/* setup, per the command's flags */
	struct jra_config cfg;
	const struct jra_profile *profile;
	struct jra_key *key;
	struct jra_client *client;
};

/* Help of one command: its usage lines and its options. */
struct jra_help {
	const char *const *usage;   /* NULL-terminated, one line per mode */
	const char *summary;        /* one line */
	const char *const *options; /* NULL-terminated "--opt ARG\tmeaning" lines */
};

/* Options every command takes, handled by jra_common_option(). */
#define JRA_OPT_DRY_RUN 0x100
#define JRA_OPT_RETRIES 0x101
#define JRA_OPT_TIMEOUT 0x102
#define JRA_OPT_RESUME 0x103
#define JRA_COMMON_OPTIONS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "dry-run", no_argument, NULL, JRA_OPT_DRY_RUN }, \
	{ "retries", required_argument, NULL, JRA_OPT_RETRIES }, \
	{ "timeout", required_argument, NULL, JRA_OPT_TIMEOUT }
#define JRA_COMMON_SHORT "ho:"
/* Options of commands that take many items. */
#define JRA_BATCH_OPTIONS \
	{ "file", required_argument, NULL, 'f' }, \
	{ "jobs", required_argument, NULL, 'j' }
#define JRA_BATCH_SHORT "f:j:"
#define JRA_BATCH_HELP \
	N_("-f, --file FILE\tread the items from FILE, one a line, # comments ('-': stdin)"), \
	N_("-j, --jobs N\tsend up to N requests at once (1-32, default 4)")
/* Options of commands whose batches keep a journal (jra(1), BATCH JOURNAL). */
#define JRA_RESUME_OPTION { "resume", no_argument, NULL, JRA_OPT_RESUME }
#define JRA_RESUME_HELP \
	N_("--resume\tfinish a batch that an earlier run left unfinished")
#define JRA_DEFAULT_JOBS 4
#define JRA_MAX_JOBS 32
#define JRA_COMMON_HELP \
	N_("-o, --output FORMAT\ttable, json, jsonl or csv"), \
	N_("--dry-run\tprint the requests (method, URL, body) without sending them"), \
	N_("--retries N\tretry a failed request up to N times (0-10)"), \
	N_("--timeout SECONDS\tallow each request this long"), \
	N_("-h, --help\tshow this help")

/*
 * Handles an option of JRA_COMMON_OPTIONS, JRA_BATCH_OPTIONS and
 * JRA_RESUME_OPTION (and '?', ':').  Returns 1 when
 * the command should print its help and return 0, 0 when handled, or
 * JRA_ERR_USAGE after printing the usage to stderr.
 */
int jra_common_option(struct jra_ctx *ctx, const struct jra_help *h, int opt,
		      const char *arg);

/* Prints the help of a command. */
void jra_help_print(FILE *fp, const struct jra_help *h);
/* "jra: <message>" and the usage to stderr; returns JRA_ERR_USAGE. */
int jra_usage_error(const struct jra_help *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "jra: <msg>" and "hint: <hint>" to stderr; returns e->code. */
int jra_report(const struct jra_error *e);

/* The FQDN argument in wire form, newly allocated; NULL after reporting a bad one. */
char *jra_fqdn_arg(const char *arg, struct jra_error *e);

/* "/fqdns/<fqdn>" + suffix, the FQDN percent-encoded; newly allocated. */
char *jra_fqdn_path(const char *fqdn, const char *suffix);

/* An FQDN object as "label value" lines, then its certificates (table output). */
void jra_show_fqdn(FILE *fp, json_t *f);
/* Any object's members as "label value" lines. */
void jra_show_object(FILE *fp, json_t *o);

/* The columns of an FQDN object in lists and CSV. */
extern const struct jra_column jra_fqdn_columns[];
extern const size_t jra_fqdn_ncolumns;

/* 0 when the CA's answer obj (described by what: "an FQDN") has a non-empty
 * string member key; else JRA_ERR_DATA with e filled. */
int jra_want_string(json_t *obj, const char *what, const char *key, struct jra_error *e);
/* An FQDN object as the contract describes it: "fqdn" and "state" strings. */
int jra_check_fqdn(json_t *f, struct jra_error *e);
/* A subscriber: an "id" string. */
int jra_check_subscriber(json_t *s, struct jra_error *e);
/* A revocation's answer: a "revoked" array. */
int jra_check_revoked(json_t *res, struct jra_error *e);

/* The items of a command: its arguments, then the lines of -f FILE. */
struct jra_items {
	int argc;
	char **argv;
	int i;
	const char *file;     /* NULL: arguments only */
	int opened;
	struct jra_lines lines;
};

void jra_items_init(struct jra_items *it, int argc, char **argv, const char *file);
/* 1 and the next item in *item (valid until the next call), 0 at the end, or < 0. */
int jra_items_next(struct jra_items *it, const char **item, struct jra_error *e);
void jra_items_release(struct jra_items *it);

/* How a batch went: 0 when all went well, the failure's code when all failed
 * (the last one's), JRA_ERR_PARTIAL when some did. */
struct jra_tally {
	unsigned long ok, failed;
	int code;
};

void jra_tally_add(struct jra_tally *t, int r);
int jra_tally_result(const struct jra_tally *t);

/* What a batch command does with each item. */
struct jra_batch_ops {
	const char *what;   /* "cancel": "cannot cancel 'example.jp'" */
	int fqdn_items;     /* items are FQDNs, normalised before request() sees them */
	int quiet_ok;       /* -q: a success prints nothing in table format */
	/* The request for one item: path newly allocated, body a new reference or NULL. */
	int (*request)(void *arg, const char *item, struct jra_request *req,
		       struct jra_error *e);
	/* Prints one result in table format (the other formats print the object). */
	void (*show)(void *arg, const char *item, json_t *res, int index);
	/* NULL, or whether an answer has what show() and the output need: 0 or < 0 with e */
	int (*check)(json_t *res, struct jra_error *e);
	void *arg;
	const struct jra_column *cols;  /* for csv */
	size_t ncols;
};

/*
 * Runs ops over the arguments and the lines of ctx->file (streamed), with
 * up to ctx->jobs requests in flight, printing results and errors in input
 * order.  Returns 0, the
 * failure's code when every item failed, or JRA_ERR_PARTIAL.
 */
int jra_run_batch(struct jra_ctx *ctx, int argc, char **argv, const struct jra_batch_ops *ops);

/* Creates path for EAB credentials: new (O_EXCL), mode 0600.  The fd, or < 0. */
int jra_eab_create(const char *path, struct jra_error *e);
/* Writes {"kid", "hmac_key", "directory_url"} to fd and syncs it. */
int jra_eab_write(int fd, const char *path, json_t *eab, const char *directory,
		  struct jra_error *e);
/* Prints the EAB credentials for a person; the hmac_key, and the lines that
 * register an ACME account with them, only when show_key. */
void jra_eab_print(FILE *fp, json_t *eab, const char *directory, json_t *covered,
		   int show_key);
/* Prints again, from a file jra_eab_write() made, the credentials and the
 * account-registration lines for certbot, lego and acme.sh. */
int jra_eab_show_usage(FILE *fp, const char *path, struct jra_error *e);

int cmd_apply(int argc, char **argv, struct jra_ctx *ctx);
int cmd_cancel(int argc, char **argv, struct jra_ctx *ctx);
int cmd_config(int argc, char **argv, struct jra_ctx *ctx);
int cmd_modify(int argc, char **argv, struct jra_ctx *ctx);
int cmd_revoke(int argc, char **argv, struct jra_ctx *ctx);
int cmd_status(int argc, char **argv, struct jra_ctx *ctx);
int cmd_subscriber(int argc, char **argv, struct jra_ctx *ctx);
int cmd_transfer(int argc, char **argv, struct jra_ctx *ctx);
int cmd_whoami(int argc, char **argv, struct jra_ctx *ctx);
int cmd_withdraw_cancel(int argc, char **argv, struct jra_ctx *ctx);

#endif
