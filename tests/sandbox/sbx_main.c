/*
 * jra-sandbox: a real HTTPS server playing the CA's side of the
 * registrar management API, for tests and trials.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pki.h"
#include "sign.h"
#include "sbx.h"
#include "sbx_rules.h"

#define SBX_DB_CONNECTIONS 8
#define DEMO_REGISTRAR "R0001"
#define DEMO_KEYID "r0001-ed25519"
#define DEMO_KEYFILE "r0001-ed25519.key"

static const char *const usage[] = {
	"usage: jra-sandbox [--listen HOST:PORT] [--state-dir DIR] [--now RFC3339] [--rate-limit N]",
	"       jra-sandbox --help | --version",
	"",
	"  -l, --listen HOST:PORT   address to serve on (default 127.0.0.1:8443; port 0 picks a free one)",
	"  -d, --state-dir DIR      where the database, keys, ca.pem, jra.yaml and ready live",
	"                           (default $XDG_STATE_HOME/jra-sandbox or ~/.local/state/jra-sandbox)",
	"  -n, --now RFC3339        start the sandbox clock here (first start only)",
	"  -r, --rate-limit N       at most N registrar-API requests per registrar per minute (0: none)",
	"  -h, --help               show this help",
	"  -V, --version            show the version",
	NULL,
};

static const struct option options[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "now", required_argument, NULL, 'n' },
	{ "rate-limit", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *listen;
	char *dir;
	time_t now;
	int rate;
};

static void print_usage(FILE *f)
{
	for (int i = 0; usage[i]; i++)
		fprintf(f, "%s\n", usage[i]);
}

static int die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "jra-sandbox: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	print_usage(stderr);
	return 64;
}

/* mkdir -p with mode 0700 for what it creates. */
static int mkdirs(const char *path)
{
	char *p = jra_xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s && !rc; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (!rc && mkdir(p, 0700) && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* Writes data to dir/name through a temporary file and rename(), so readers see all or nothing. */
static int write_atomic(const char *dir, const char *name, const char *data, mode_t mode,
			struct jra_error *e)
{
	char *path = jra_xasprintf("%s/%s", dir, name);
	char *tmp = jra_xasprintf("%s/.%s.tmp", dir, name);
	size_t len = strlen(data), off = 0;
	int fd, rc = 0;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = jra_error(e, JRA_ERR_CONFIG, "cannot write '%s': %s", tmp,
				       strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fsync(fd))
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot sync '%s': %s", tmp, strerror(errno));
	close(fd);
	if (!rc && rename(tmp, path))
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot rename '%s' to '%s': %s", tmp, path,
			       strerror(errno));
	if (rc)
		unlink(tmp);
out:
	free(path);
	free(tmp);
	return rc;
}

/* First start: the clock, and the demo registrar R0001 with a fresh ed25519 key. */
static int first_start(struct sbx_store *store, const struct opts *o, struct jra_error *e)
{
	struct sbx_db *db = sbx_store_get(store);
	struct jra_key *key = NULL;
	char *priv = NULL, *pub = NULL;
	int rc = 0;

	if (sbx_db_begin(db)) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot start a transaction on the database");
		goto out;
	}
	if (sbx_meta_get(db, "initialized", 0)) {
		if (o->now)
			fprintf(stderr, "jra-sandbox: --now is ignored: the clock was set on the "
				"first start and runs on from there\n");
		sbx_db_rollback(db);
		goto out;
	}
	if ((rc = jra_key_generate(JRA_ALG_ED25519, &key, e)))
		goto out;
	priv = jra_key_private_pem(key);
	pub = jra_key_public_pem(key);
	if ((rc = write_atomic(o->dir, DEMO_KEYFILE, priv, 0600, e)))
		goto out;
	if (sbx_clock_init(db, o->now) ||
	    sbx_registrar_create(db, DEMO_REGISTRAR, "Demo Registrar", sbx_clock_now(db)) ||
	    sbx_registrar_add_key(db, DEMO_REGISTRAR, DEMO_KEYID, "ed25519", pub) ||
	    sbx_meta_set(db, "initialized", 1) || sbx_db_commit(db))
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot initialise the database in '%s'", o->dir);
out:
	if (priv)
		memset(priv, 0, strlen(priv));
	free(priv);
	free(pub);
	jra_key_free(key);
	sbx_store_put(store, db);
	return rc;
}

static int parse_listen(const char *s, struct sockaddr_storage *ss, struct jra_error *e)
{
	char *host, *port, *copy = jra_xstrdup(s);
	struct addrinfo hints = { 0 }, *res = NULL;
	int rc;

	port = strrchr(copy, ':');
	if (!port || port == copy) {
		free(copy);
		return jra_error(e, JRA_ERR_USAGE, "--listen '%s' is not HOST:PORT", s);
	}
	*port++ = '\0';
	host = copy;
	if (*host == '[' && host[strlen(host) - 1] == ']') {
		host++;
		host[strlen(host) - 1] = '\0';
	}
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		jra_error(e, JRA_ERR_USAGE, "--listen '%s': %s", s, gai_strerror(rc));
		free(copy);
		return e->code;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	free(copy);
	return 0;
}

static char *default_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg == '/')
		return jra_xasprintf("%s/jra-sandbox", xdg);
	if (home && *home)
		return jra_xasprintf("%s/.local/state/jra-sandbox", home);
	return jra_xstrdup("jra-sandbox-state");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	char *end;
	long v;
	int c;

	o->listen = "127.0.0.1:8443";
	while ((c = getopt_long(argc, argv, "l:d:n:r:hV", options, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'd':
			free(o->dir);
			o->dir = jra_xstrdup(optarg);
			break;
		case 'n':
			if (sbx_time_parse(optarg, &o->now) || o->now <= 0)
				return die_usage("--now '%s' is not an RFC 3339 instant "
						 "(2026-11-24T10:00:00Z)", optarg);
			break;
		case 'r':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 0 || v > 1000000)
				return die_usage("--rate-limit '%s' is not a number from 0 to 1000000",
						 optarg);
			o->rate = (int)v;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			printf("jra-sandbox %s\n", JRA_VERSION);
			return 0;
		default:
			print_usage(stderr);
			return 64;
		}
	}
	if (optind < argc)
		return die_usage("unexpected argument '%s'", argv[optind]);
	if (!o->dir)
		o->dir = default_dir();
	return -1;
}

/* The host part of the URL clients use: loopback for a wildcard address. Newly allocated. */
static char *url_host(const struct sockaddr_storage *ss)
{
	char buf[INET6_ADDRSTRLEN];
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6) {
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
		    !inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf)))
			return jra_xstrdup("[::1]");
		return jra_xasprintf("[%s]", buf);
	}
	if (in->sin_addr.s_addr == htonl(INADDR_ANY) ||
	    !inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf)))
		return jra_xstrdup("127.0.0.1");
	return jra_xstrdup(buf);
}

static int write_profile(const char *dir, const char *url, struct jra_error *e)
{
	char *yaml = jra_xasprintf(
		"# written by jra-sandbox at each start: the profile that talks to it\n"
		"default_profile: sandbox\n"
		"profiles:\n"
		"  sandbox:\n"
		"    endpoint: %s/registrar/v1\n"
		"    registrar: " DEMO_REGISTRAR "\n"
		"    key_id: " DEMO_KEYID "\n"
		"    key_file: " DEMO_KEYFILE "\n"
		"    alg: ed25519\n"
		"    ca_file: ca.pem\n"
		"    timeout: 30\n"
		"    retries: 3\n", url);
	int rc = write_atomic(dir, "jra.yaml", yaml, 0644, e);

	free(yaml);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_server srv = { 0 };
	struct sockaddr_storage ss = { 0 };
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	struct sbx_db *db;
	char *dbpath = NULL, *url = NULL, *ready = NULL, *host = NULL;
	sigset_t set;
	time_t now;
	int rc, sig, status = 1;

	rc = parse_args(argc, argv, &o);
	if (rc >= 0) {
		free(o.dir);
		return rc;
	}
	if (parse_listen(o.listen, &ss, &e))
		goto fail;
	if (mkdirs(o.dir)) {
		jra_error(&e, JRA_ERR_CONFIG, "cannot create the state directory '%s': %s", o.dir,
			  strerror(errno));
		goto fail;
	}
	dbpath = jra_xasprintf("%s/sandbox.db", o.dir);
	if (sbx_store_open(dbpath, SBX_DB_CONNECTIONS, &srv.store, &e) ||
	    first_start(srv.store, &o, &e))
		goto fail;
	db = sbx_store_get(srv.store);
	now = sbx_clock_now(db);
	sbx_store_put(srv.store, db);
	if (sbx_pki_open(o.dir, now, &srv.pki, &e))
		goto fail;
	srv.dir = o.dir;
	srv.terms_version = SBX_TERMS_VERSION;
	sbx_faults_init(&srv.faults);
	sbx_idem_init(&srv.inflight);
	sbx_rate_init(&srv.rate, o.rate);

	/* the server's threads inherit this mask; only sigwait() below sees these signals */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = sbx_http_start(&srv, (struct sockaddr *)&ss, &e);
	if (!d)
		goto fail;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port) {
		jra_error(&e, JRA_ERR_CONFIG, "cannot learn the port the server listens on");
		goto fail;
	}
	host = url_host(&ss);
	url = jra_xasprintf("https://%s:%u", host, (unsigned)info->port);
	if (write_profile(o.dir, url, &e) ||
	    write_atomic(o.dir, "ready", url, 0644, &e))
		goto fail;
	ready = jra_xasprintf("%s/ready", o.dir);
	fprintf(stderr, "jra-sandbox: serving %s from '%s'\n", url, o.dir);

	do {
		if (sigwait(&set, &sig))
			break;
	} while (sig == SIGHUP);
	fprintf(stderr, "jra-sandbox: stopping on signal %d\n", sig);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "jra-sandbox: %s\n", e.msg);
	if (e.hint[0])
		fprintf(stderr, "%s\n", e.hint);
	status = jra_exit_code(e.code ? e.code : JRA_ERR_SOFTWARE);
out:
	if (ready)
		unlink(ready);
	if (d)
		MHD_stop_daemon(d);
	if (srv.terms_version) {
		sbx_rate_destroy(&srv.rate);
		sbx_idem_destroy(&srv.inflight);
		sbx_faults_destroy(&srv.faults);
	}
	sbx_pki_free(srv.pki);
	sbx_store_free(srv.store);
	free(url);
	free(host);
	free(ready);
	free(dbpath);
	free(o.dir);
	return status;
}
