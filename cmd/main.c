#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "cmds.h"
#include "i18n.h"

struct jra_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct jra_ctx *ctx);
	unsigned flags;
	const char *summary;
};

#define NEEDS_ALL (JRA_NEED_CONFIG | JRA_NEED_KEY | JRA_NEED_NETWORK)

/* Sorted by name: looked up with bsearch(). */
static const struct jra_cmd commands[] = {
	{ "apply", cmd_apply, NEEDS_ALL, N_("apply for an FQDN on a customer's behalf") },
	{ "cancel", cmd_cancel, NEEDS_ALL, N_("file the cancellation of FQDNs (terms §10.4)") },
	{ "config", cmd_config, 0, N_("check the configuration, step by step") },
	{ "modify", cmd_modify, NEEDS_ALL, N_("change the renewal period or customer reference") },
	{ "revoke", cmd_revoke, NEEDS_ALL, N_("revoke certificates (terms §11)") },
	{ "status", cmd_status, NEEDS_ALL, N_("show the state of FQDNs") },
	{ "subscriber", cmd_subscriber, NEEDS_ALL, N_("show subscribers, rotate EAB credentials") },
	{ "transfer", cmd_transfer, NEEDS_ALL, N_("move FQDNs between registrars") },
	{ "whoami", cmd_whoami, NEEDS_ALL, N_("show the registrar the profile signs for") },
	{ "withdraw-cancel", cmd_withdraw_cancel, NEEDS_ALL,
	  N_("withdraw the cancellation of FQDNs (terms §10.4)") },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *const main_usage[] = {
	"jra [-p PROFILE] [-c FILE] [-o FORMAT] [-v...] [-q] COMMAND [ARGS]",
	"jra help COMMAND",
	"jra --version",
	NULL,
};

static const char *const main_options[] = {
	N_("-p, --profile NAME\tthe profile to use (else $JRA_PROFILE, default_profile)"),
	N_("-c, --config FILE\tthe config file (else $JRA_CONFIG, "
	"$XDG_CONFIG_HOME/jra/config.yaml)"),
	N_("-o, --output FORMAT\ttable, json, jsonl or csv"),
	N_("-v, --verbose\tlog requests to stderr; twice: headers and bodies too"),
	N_("-q, --quiet\tprint nothing when a change succeeds (cancel, modify, revoke, ...)"),
	N_("--dry-run\tprint the requests without sending them"),
	JRA_RESUME_HELP,
	N_("--retries N\tretry a failed request up to N times (0-10)"),
	N_("--timeout SECONDS\tallow each request this long"),
	N_("-h, --help\tshow this help"),
	N_("--version\tshow the version"),
	NULL,
};

static const struct jra_help main_help = {
	main_usage, N_("The registrar's tool for the JPRS server-certificate service (ACME edition)."),
	main_options,
};

/* --complete is hidden: what the shell completions in completions/ ask. */
enum { OPT_COMPLETE = 0x1ff };

static const struct option main_longopts[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ "config", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "dry-run", no_argument, NULL, JRA_OPT_DRY_RUN },
	{ "retries", required_argument, NULL, JRA_OPT_RETRIES },
	{ "timeout", required_argument, NULL, JRA_OPT_TIMEOUT },
	{ "complete", required_argument, NULL, OPT_COMPLETE },
	JRA_RESUME_OPTION,
	{ NULL, 0, NULL, 0 },
};

static void print_main_help(FILE *fp)
{
	size_t i;

	jra_help_print(fp, &main_help);
	fputs(_("\ncommands:\n"), fp);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "    %-28s %s\n", commands[i].name, _(commands[i].summary));
	fputs(_("\n'jra help COMMAND' shows the options of a command.\n"), fp);
}

/*
 * --complete commands: "name<TAB>summary" lines; --complete profiles: the
 * profile names of the file jra would read (-c, $JRA_CONFIG, ...).  Silent
 * on errors: a completion must not write over the command line.
 */
static int complete(const char *what, const struct jra_ctx *ctx)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_config cfg = JRA_CONFIG_INIT;
	char *path = NULL;
	size_t i;
	int r;

	if (!strcmp(what, "commands")) {
		for (i = 0; i < NCOMMANDS; i++)
			printf("%s\t%s\n", commands[i].name, _(commands[i].summary));
		return 0;
	}
	if (strcmp(what, "profiles"))
		return JRA_ERR_USAGE;
	if ((r = jra_config_path(ctx->config_arg, &path, NULL, &e)) == 0)
		r = jra_config_load(path, &cfg, &e);
	for (i = 0; r == 0 && i < cfg.nprofiles; i++)
		printf("%s\n", cfg.profiles[i].name);
	free(path);
	jra_config_release(&cfg);
	return r;
}

static int cmp_cmd(const void *key, const void *elem)
{
	return strcmp(key, ((const struct jra_cmd *)elem)->name);
}

static const struct jra_cmd *find_cmd(const char *name)
{
	return bsearch(name, commands, NCOMMANDS, sizeof(commands[0]), cmp_cmd);
}

/* "--help" among a command's arguments: run it without any setup. */
static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static int setup(struct jra_ctx *ctx, unsigned flags, struct jra_error *e)
{
	const struct jra_profile *p;
	struct jra_client_opts o;
	char *path = NULL;
	int r;

	if (!(flags & JRA_NEED_CONFIG))
		return 0;
	if ((r = jra_config_path(ctx->config_arg, &path, NULL, e)) < 0)
		return r;
	r = jra_config_load(path, &ctx->cfg, e);
	free(path);
	if (r < 0)
		return r;
	if (!(p = ctx->profile = jra_config_select(&ctx->cfg, ctx->profile_arg, e)))
		return e->code;
	if (flags & JRA_NEED_KEY) {
		r = jra_key_load_file(p->key_file ? p->key_file : p->secret_file, p->alg,
				      &ctx->key, e);
		if (r < 0) {
			if (!e->hint[0])
				jra_error_hint(e, _("check key_file/secret_file of profile '%s' in %s"),
					       p->name, ctx->cfg.path);
			return r;
		}
	}
	if (flags & JRA_NEED_NETWORK) {
		memset(&o, 0, sizeof(o));
		o.endpoint = p->endpoint;
		o.ca_file = p->ca_file;
		o.key = ctx->key;
		o.key_id = p->key_id;
		o.auth.registrar = p->registrar;
		o.auth.key_id = p->key_id;
		o.auth.key_file = p->key_file ? p->key_file : p->secret_file;
		o.timeout = ctx->timeout > 0 ? ctx->timeout : p->timeout;
		o.retries = ctx->retries >= 0 ? ctx->retries : p->retries;
		o.verbose = ctx->verbose;
		o.log = stderr;
		o.dry_run = ctx->dry_run ? stdout : NULL;
		if ((r = jra_client_new(&o, &ctx->client, e)) < 0)
			return r;
	}
	return 0;
}

static int run(const struct jra_cmd *cmd, int argc, char **argv, struct jra_ctx *ctx)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *name;
	int r;

	if (!wants_help(argc, argv) && setup(ctx, cmd->flags, &e) < 0)
		return jra_report(&e);
	/* getopt_long's messages then name the command: "jra apply: ..." */
	name = jra_xasprintf("jra %s", cmd->name);
	argv[0] = name;
	optind = 0;
	r = cmd->fn(argc, argv, ctx);
	free(name);
	return r;
}

/*
 * Messages in the user's language (LANG, LC_ALL, LC_MESSAGES); numbers
 * always in the C locale, so that JSON and CSV never change with it.
 * $JRA_LOCALEDIR: the catalogs of a build tree, for the tests.
 */
static void i18n_init(void)
{
	const char *dir = getenv("JRA_LOCALEDIR");

	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	bindtextdomain(JRA_TEXTDOMAIN, dir && *dir ? dir : JRA_LOCALEDIR);
	textdomain(JRA_TEXTDOMAIN);
}

static void ctx_release(struct jra_ctx *ctx)
{
	jra_client_free(ctx->client);
	jra_key_free(ctx->key);
	jra_config_release(&ctx->cfg);
	free(ctx->cmd_argv);
}

int main(int argc, char **argv)
{
	struct jra_ctx ctx;
	const struct jra_cmd *cmd;
	const char *complete_arg = NULL;
	char *help_argv[3];
	int opt, r;

	i18n_init();
	memset(&ctx, 0, sizeof(ctx));
	ctx.retries = -1;
	ctx.jobs = JRA_DEFAULT_JOBS;
	ctx.format = JRA_FORMAT_TABLE;
	ctx.cmd_argc = argc;
	while ((opt = getopt_long(argc, argv, "+p:c:o:vqh", main_longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			ctx.profile_arg = optarg;
			break;
		case 'c':
			ctx.config_arg = optarg;
			break;
		case 'v':
			ctx.verbose++;
			break;
		case 'q':
			ctx.quiet = 1;
			break;
		case 'h':
			print_main_help(stdout);
			return 0;
		case 'V':
			printf("jra %s\n", JRA_VERSION);
			return 0;
		case OPT_COMPLETE:
			complete_arg = optarg;
			break;
		default:
			r = jra_common_option(&ctx, &main_help, opt, optarg);
			if (r < 0)
				return jra_exit_code(r);
		}
	}
	argc -= optind;
	argv += optind;
	if (complete_arg)
		return jra_exit_code(complete(complete_arg, &ctx));
	if (argc == 0) {
		fputs(_("jra: no command given\n\n"), stderr);
		print_main_help(stderr);
		return jra_exit_code(JRA_ERR_USAGE);
	}
	if (!strcmp(argv[0], "help")) {
		if (argc == 1) {
			print_main_help(stdout);
			return 0;
		}
		if (!(cmd = find_cmd(argv[1])))
			return jra_exit_code(jra_usage_error(&main_help, _("'%s' is not a jra command; "
							     "'jra --help' lists them"), argv[1]));
		help_argv[0] = argv[1];
		help_argv[1] = "--help";
		help_argv[2] = NULL;
		return jra_exit_code(run(cmd, 2, help_argv, &ctx));
	}
	if (!(cmd = find_cmd(argv[0])))
		return jra_exit_code(jra_usage_error(&main_help, _("'%s' is not a jra command; "
						     "'jra --help' lists them"), argv[0]));
	/* the command line as given (the options of jra are not reordered, those of
	 * the command will be): what a batch names to resume it */
	ctx.cmd_argv = jra_xcalloc((size_t)ctx.cmd_argc + 1, sizeof(*ctx.cmd_argv));
	memcpy(ctx.cmd_argv, argv - (ctx.cmd_argc - argc), (size_t)ctx.cmd_argc * sizeof(*argv));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = run(cmd, argc, argv, &ctx);
	ctx_release(&ctx);
	curl_global_cleanup();
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, _("jra: cannot write the output\n"));
		if (r == 0)
			r = JRA_ERR_SOFTWARE;
	}
	return jra_exit_code(r);
}
