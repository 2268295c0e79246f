#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "buf.h"
#include "i18n.h"

/* A config file is a few hundred bytes; anything this big is not one. */
#define CONFIG_MAX_BYTES (1024 * 1024)
/* A profile file nests three levels and needs an anchor or two; these
 * leave room for any layout. */
#define CONFIG_MAX_DEPTH 32
#define CONFIG_MAX_ANCHORS 256

struct parse {
	const char *path;
	const char *dir;
	yaml_document_t *doc;
	struct jra_error *e;
};

static const char *const profile_keys[] = {
	"endpoint", "registrar", "key_id", "key_file", "secret_file", "alg",
	"ca_file", "acme_directory", "timeout", "retries",
};
#define NPROFILE_KEYS (sizeof(profile_keys) / sizeof(profile_keys[0]))

static const char *const top_keys[] = { "default_profile", "profiles" };

static int at(struct parse *p, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "path:line:column: key 'x': reason", libyaml's marks counting from 0. */
static int at(struct parse *p, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char reason[JRA_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (key)
		return jra_error(p->e, JRA_ERR_CONFIG, _("%s:%zu:%zu: key '%s': %s"), p->path,
				 n->start_mark.line + 1, n->start_mark.column + 1, key, reason);
	return jra_error(p->e, JRA_ERR_CONFIG, "%s:%zu:%zu: %s", p->path,
			 n->start_mark.line + 1, n->start_mark.column + 1, reason);
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return _("a scalar");
	case YAML_SEQUENCE_NODE: return _("a list");
	case YAML_MAPPING_NODE: return _("a mapping");
	default: return _("nothing");
	}
}

/* Edit distance, for "did you mean" on a mistyped key. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= sizeof(row) / sizeof(row[0]) || la >= 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static int unknown_key(struct parse *p, const yaml_node_t *n, const char *key,
		       const char *where, const char *const *known, size_t nknown)
{
	struct jra_buf b = JRA_BUF_INIT;
	const char *best = NULL;
	size_t i, d, bestd = 3;
	int r;

	for (i = 0; i < nknown; i++) {
		d = distance(key, known[i]);
		if (d < bestd) {
			bestd = d;
			best = known[i];
		}
	}
	for (i = 0; i < nknown; i++)
		jra_buf_addf(&b, "%s%s", i ? ", " : "", known[i]);
	if (best)
		r = at(p, n, key, _("unknown key %s (did you mean '%s'?)"), where, best);
	else
		r = at(p, n, key, _("unknown key %s (expected one of: %s)"), where, jra_buf_str(&b));
	jra_buf_release(&b);
	return r;
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* The value of a key must be a non-empty scalar. */
static int want_string(struct parse *p, const yaml_node_t *v, const char *key, char **out)
{
	if (v->type != YAML_SCALAR_NODE)
		return at(p, v, key, _("expected a string, found %s"), node_kind(v));
	if (v->data.scalar.length == 0)
		return at(p, v, key, _("expected a value, found an empty string"));
	if (strlen(scalar(v)) != v->data.scalar.length)
		return at(p, v, key, _("expected text, found a NUL byte"));
	free(*out);
	*out = jra_xstrdup(scalar(v));
	return 0;
}

static int want_long(struct parse *p, const yaml_node_t *v, const char *key, long min, long max,
		     const char *unit, long *out)
{
	const char *s;
	char *end;
	long n;

	if (v->type != YAML_SCALAR_NODE)
		return at(p, v, key, _("expected a whole number of %s, found %s"), unit, node_kind(v));
	s = scalar(v);
	errno = 0;
	n = strtol(s, &end, 10);
	if (!*s || *end || errno || n < min || n > max)
		return at(p, v, key, _("expected a whole number of %s from %ld to %ld, found '%s'"),
			  unit, min, max, s);
	*out = n;
	return 0;
}

static int want_https(struct parse *p, const yaml_node_t *v, const char *key, char **out)
{
	size_t len;
	int r;

	if ((r = want_string(p, v, key, out)) < 0)
		return r;
	if (strncmp(*out, "https://", 8) != 0 || !(*out)[8])
		return at(p, v, key, _("expected an https:// URL, found '%s' (jra talks to the CA "
			  "over TLS only)"), *out);
	if (strpbrk(*out, " \t\r\n?#"))
		return at(p, v, key, _("expected a URL without spaces, query or fragment, found '%s'"),
			  *out);
	len = strlen(*out);
	while (len > 8 && (*out)[len - 1] == '/')
		(*out)[--len] = '\0';
	return 0;
}

/* A file name resolved against the config's directory; "~/" means $HOME. */
static int want_file(struct parse *p, const yaml_node_t *v, const char *key, char **out)
{
	const char *home;
	char *s = NULL;
	int r;

	if ((r = want_string(p, v, key, &s)) < 0)
		return r;
	free(*out);
	if (s[0] == '/') {
		*out = s;
		return 0;
	}
	if (s[0] == '~' && s[1] == '/') {
		home = getenv("HOME");
		if (!home || !*home) {
			free(s);
			*out = NULL;
			return at(p, v, key, _("'~/' used but $HOME is not set"));
		}
		*out = jra_xasprintf("%s/%s", home, s + 2);
	} else {
		*out = jra_xasprintf("%s/%s", p->dir, s);
	}
	free(s);
	return 0;
}

static yaml_node_t *node(struct parse *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

struct key_at {
	const char *key;
	size_t index;
};

static int cmp_key_at(const void *a, const void *b)
{
	const struct key_at *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Duplicate keys in one mapping: the YAML spec forbids them, libyaml allows
 * them.  Sorted, not compared pairwise: a file of a megabyte holds 100,000
 * keys, and n² comparisons of those take minutes.
 */
static int check_duplicates(struct parse *p, const yaml_node_t *map, const char *where)
{
	yaml_node_pair_t *start = map->data.mapping.pairs.start, *pair;
	size_t n = (size_t)(map->data.mapping.pairs.top - start), i, first = 0, second = 0;
	struct key_at *keys;
	yaml_node_t *k;
	int r = 0;

	if (n < 2) {
		for (pair = start; pair < map->data.mapping.pairs.top; pair++)
			if ((k = node(p, pair->key))->type != YAML_SCALAR_NODE)
				return at(p, k, NULL, _("expected a key %s, found %s"), where,
					  node_kind(k));
		return 0;
	}
	keys = jra_xcalloc(n, sizeof(*keys));
	for (i = 0; i < n; i++) {
		k = node(p, start[i].key);
		if (k->type != YAML_SCALAR_NODE) {
			r = at(p, k, NULL, _("expected a key %s, found %s"), where, node_kind(k));
			goto out;
		}
		keys[i].key = scalar(k);
		keys[i].index = i;
	}
	qsort(keys, n, sizeof(*keys), cmp_key_at);
	/* of all keys given twice, name the one whose second use comes first */
	for (i = 1; i < n; i++) {
		if (strcmp(keys[i - 1].key, keys[i].key))
			continue;
		if (!second || keys[i].index < second) {
			second = keys[i].index;
			first = keys[i - 1].index;
		}
		while (i + 1 < n && !strcmp(keys[i].key, keys[i + 1].key))
			i++;
	}
	if (second) {
		k = node(p, start[second].key);
		r = at(p, k, scalar(k), _("given twice %s (first at line %zu)"), where,
		       node(p, start[first].key)->start_mark.line + 1);
	}
out:
	free(keys);
	return r;
}

static int parse_profile(struct parse *p, const yaml_node_t *name, const yaml_node_t *map,
			 struct jra_profile *pr)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v, *alg_node = NULL;
	char where[300], *alg = NULL;
	const char *key;
	long n;
	int r = 0;

	pr->name = jra_xstrdup(scalar(name));
	pr->timeout = JRA_DEFAULT_TIMEOUT;
	pr->retries = JRA_DEFAULT_RETRIES;
	snprintf(where, sizeof(where), _("in profile '%s'"), pr->name);
	if (map->type != YAML_MAPPING_NODE)
		return at(p, map, pr->name, _("expected a mapping of profile settings, found %s"),
			  node_kind(map));
	if ((r = check_duplicates(p, map, where)) < 0)
		return r;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		k = node(p, pair->key);
		v = node(p, pair->value);
		key = scalar(k);
		if (!strcmp(key, "endpoint"))
			r = want_https(p, v, key, &pr->endpoint);
		else if (!strcmp(key, "acme_directory"))
			r = want_https(p, v, key, &pr->acme_directory);
		else if (!strcmp(key, "registrar"))
			r = want_string(p, v, key, &pr->registrar);
		else if (!strcmp(key, "key_id"))
			r = want_string(p, v, key, &pr->key_id);
		else if (!strcmp(key, "key_file"))
			r = want_file(p, v, key, &pr->key_file);
		else if (!strcmp(key, "secret_file"))
			r = want_file(p, v, key, &pr->secret_file);
		else if (!strcmp(key, "ca_file"))
			r = want_file(p, v, key, &pr->ca_file);
		else if (!strcmp(key, "alg")) {
			alg_node = v;
			if ((r = want_string(p, v, key, &alg)) == 0 && jra_alg_parse(alg, &pr->alg) < 0)
				r = at(p, v, key, _("expected ed25519, ecdsa-p256-sha256 or hmac-sha256, "
				       "found '%s'"), alg);
		} else if (!strcmp(key, "timeout")) {
			if ((r = want_long(p, v, key, 1, JRA_MAX_TIMEOUT, _("seconds"), &n)) == 0)
				pr->timeout = n;
		} else if (!strcmp(key, "retries")) {
			if ((r = want_long(p, v, key, 0, JRA_MAX_RETRIES, _("retries"), &n)) == 0)
				pr->retries = (int)n;
		} else {
			r = unknown_key(p, k, key, where, profile_keys, NPROFILE_KEYS);
		}
		if (r < 0)
			goto out;
	}
	if (!pr->endpoint)
		r = at(p, map, "endpoint", _("missing %s (expected the CA's API URL, "
		       "https://HOST/registrar/v1)"), where);
	else if (!pr->registrar)
		r = at(p, map, "registrar", _("missing %s (expected your registrar id, e.g. R0001)"),
		       where);
	else if (!pr->key_id)
		r = at(p, map, "key_id", _("missing %s (expected the keyid the CA registered)"), where);
	else if (!alg_node)
		r = at(p, map, "alg", _("missing %s (expected ed25519, ecdsa-p256-sha256 or "
		       "hmac-sha256)"), where);
	else if (pr->key_file && pr->secret_file)
		r = at(p, map, "secret_file", _("given with key_file %s (expected one of the two)"),
		       where);
	else if (pr->alg == JRA_ALG_HMAC_SHA256 && !pr->secret_file)
		r = at(p, alg_node, "secret_file", _("missing %s (expected with alg hmac-sha256: "
		       "a file holding the secret in base64)"), where);
	else if (pr->alg != JRA_ALG_HMAC_SHA256 && !pr->key_file)
		r = at(p, alg_node, "key_file", _("missing %s (expected with alg %s: a PEM "
		       "private key file)"), where, jra_alg_name(pr->alg));
out:
	free(alg);
	return r;
}

static int parse_profiles(struct parse *p, const yaml_node_t *map, struct jra_config *cfg)
{
	yaml_node_pair_t *pair;
	size_t n;
	int r;

	if (map->type != YAML_MAPPING_NODE)
		return at(p, map, "profiles", _("expected a mapping of profile names to settings, "
			  "found %s"), node_kind(map));
	if ((r = check_duplicates(p, map, _("in 'profiles'"))) < 0)
		return r;
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	if (n == 0)
		return at(p, map, "profiles", _("expected at least one profile, found none"));
	cfg->profiles = jra_xcalloc(n, sizeof(*cfg->profiles));
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		r = parse_profile(p, node(p, pair->key), node(p, pair->value),
				  &cfg->profiles[cfg->nprofiles++]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_document(struct parse *p, struct jra_config *cfg)
{
	yaml_node_t *root = yaml_document_get_root_node(p->doc), *k, *v;
	yaml_node_t *default_node = NULL;
	yaml_node_pair_t *pair;
	size_t i;
	int r;

	if (!root)
		return jra_error(p->e, JRA_ERR_CONFIG, _("%s: the file is empty (expected "
				 "'profiles:' with at least one profile)"), p->path);
	if (root->type != YAML_MAPPING_NODE)
		return at(p, root, NULL, _("expected a mapping with 'profiles:', found %s"),
			  node_kind(root));
	if ((r = check_duplicates(p, root, _("at the top level"))) < 0)
		return r;
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		k = node(p, pair->key);
		v = node(p, pair->value);
		if (!strcmp(scalar(k), "default_profile")) {
			default_node = v;
			r = want_string(p, v, scalar(k), &cfg->default_profile);
		} else if (!strcmp(scalar(k), "profiles")) {
			r = parse_profiles(p, v, cfg);
		} else {
			r = unknown_key(p, k, scalar(k), _("at the top level"), top_keys, 2);
		}
		if (r < 0)
			return r;
	}
	if (!cfg->nprofiles)
		return at(p, root, "profiles", _("missing (expected a mapping of profiles)"));
	if (cfg->default_profile) {
		for (i = 0; i < cfg->nprofiles; i++)
			if (!strcmp(cfg->profiles[i].name, cfg->default_profile))
				return 0;
		return at(p, default_node, "default_profile", _("names profile '%s', which is not "
			  "defined under 'profiles'"), cfg->default_profile);
	}
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return jra_xstrdup(".");
	if (slash == path)
		return jra_xstrdup("/");
	return jra_xstrndup(path, (size_t)(slash - path));
}

/* The anchor an event defines, or NULL. */
static const unsigned char *event_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT: return ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT: return ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT: return ev->data.mapping_start.anchor;
	default: return NULL;
	}
}

/*
 * Refuses what no profile file needs before libyaml builds the document,
 * because libyaml's time grows with the square of it: nesting (its scanner;
 * a 1 MB file of '[' takes hours) and anchors (every alias is looked up
 * among all of them).  Syntax errors are left for the loader, which
 * reports them with their place.
 */
static int check_shape(const char *text, size_t len, const char *path, struct jra_error *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, anchors = 0, r = 0, end = 0;

	if (!yaml_parser_initialize(&parser))
		return jra_error(e, JRA_ERR_SOFTWARE, _("cannot initialise the YAML parser"));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!end && r == 0 && yaml_parser_parse(&parser, &ev)) {
		if ((ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) &&
		    ++depth > CONFIG_MAX_DEPTH)
			r = jra_error(e, JRA_ERR_CONFIG, _("%s:%zu:%zu: nested more than %d levels "
				      "deep"), path, ev.start_mark.line + 1, ev.start_mark.column + 1,
				      CONFIG_MAX_DEPTH);
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		else if (event_anchor(&ev) && ++anchors > CONFIG_MAX_ANCHORS)
			r = jra_error(e, JRA_ERR_CONFIG, _("%s:%zu:%zu: more than %d anchors (&name)"),
				      path, ev.start_mark.line + 1, ev.start_mark.column + 1,
				      CONFIG_MAX_ANCHORS);
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

int jra_config_parse(const char *text, size_t len, const char *path,
		     struct jra_config *cfg, struct jra_error *e)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct parse p;
	int r;

	cfg->path = jra_xstrdup(path);
	cfg->dir = dir_of(path);
	if ((r = check_shape(text, len, path, e)) < 0)
		return r;
	if (!yaml_parser_initialize(&parser))
		return jra_error(e, JRA_ERR_SOFTWARE, _("cannot initialise the YAML parser"));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = jra_error(e, JRA_ERR_CONFIG, "%s:%zu:%zu: %s%s%s", path,
			      parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			      parser.problem ? parser.problem : _("not valid YAML"),
			      parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return r;
	}
	p.path = path;
	p.dir = cfg->dir;
	p.doc = &doc;
	p.e = e;
	r = parse_document(&p, cfg);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

int jra_config_load(const char *path, struct jra_config *cfg, struct jra_error *e)
{
	struct jra_buf b = JRA_BUF_INIT;
	char chunk[4096];
	struct stat st;
	size_t n;
	FILE *f;
	int r;

	f = fopen(path, "r");
	if (!f) {
		r = jra_error(e, JRA_ERR_CONFIG, _("cannot read config file '%s': %s"), path,
			      strerror(errno));
		if (errno == ENOENT)
			jra_error_hint(e, _("create it (see jra-config(5)), or name another with "
				       "-c FILE or $JRA_CONFIG"));
		return r;
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		return jra_error(e, JRA_ERR_CONFIG, _("config file '%s' is not a regular file"),
				 path);
	}
	jra_buf_init(&b, CONFIG_MAX_BYTES);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (jra_buf_add(&b, chunk, n) < 0) {
			fclose(f);
			jra_buf_release(&b);
			return jra_error(e, JRA_ERR_CONFIG, _("config file '%s' is larger than %d "
					 "bytes"), path, CONFIG_MAX_BYTES);
		}
	}
	if (ferror(f)) {
		r = jra_error(e, JRA_ERR_CONFIG, _("cannot read config file '%s': %s"), path,
			      strerror(errno));
		fclose(f);
		jra_buf_release(&b);
		return r;
	}
	fclose(f);
	r = jra_config_parse(jra_buf_str(&b), b.len, path, cfg, e);
	jra_buf_release(&b);
	return r;
}

int jra_config_path(const char *explicit_path, char **out, const char **origin,
		    struct jra_error *e)
{
	const char *s, *o;

	*out = NULL;
	if (explicit_path) {
		o = "-c";
		*out = jra_xstrdup(explicit_path);
	} else if ((s = getenv("JRA_CONFIG")) && *s) {
		o = "$JRA_CONFIG";
		*out = jra_xstrdup(s);
	} else if ((s = getenv("XDG_CONFIG_HOME")) && *s) {
		o = "$XDG_CONFIG_HOME";
		*out = jra_xasprintf("%s/jra/config.yaml", s);
	} else if ((s = getenv("HOME")) && *s) {
		o = "$HOME";
		*out = jra_xasprintf("%s/.config/jra/config.yaml", s);
	} else {
		jra_error(e, JRA_ERR_CONFIG, _("cannot find the config file: neither $JRA_CONFIG, "
			  "$XDG_CONFIG_HOME nor $HOME is set"));
		return jra_error_hint(e, _("name the file with -c FILE"));
	}
	if (origin)
		*origin = o;
	return 0;
}

static void profile_names(const struct jra_config *cfg, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < cfg->nprofiles && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					cfg->profiles[i].name);
}

const struct jra_profile *jra_config_select(const struct jra_config *cfg, const char *name,
					    struct jra_error *e)
{
	const char *origin = "-p";
	char names[512];
	size_t i;

	if (!name && (name = getenv("JRA_PROFILE")) && *name)
		origin = "$JRA_PROFILE";
	else if (!name || !*name) {
		name = cfg->default_profile;
		origin = "default_profile";
	}
	if (!name) {
		if (cfg->nprofiles == 1)
			return &cfg->profiles[0];
		profile_names(cfg, names, sizeof(names));
		jra_error(e, JRA_ERR_CONFIG, _("%s defines %zu profiles and no default_profile"),
			  cfg->path, cfg->nprofiles);
		jra_error_hint(e, _("choose one with -p NAME or $JRA_PROFILE (%s)"), names);
		return NULL;
	}
	for (i = 0; i < cfg->nprofiles; i++)
		if (!strcmp(cfg->profiles[i].name, name))
			return &cfg->profiles[i];
	profile_names(cfg, names, sizeof(names));
	jra_error(e, JRA_ERR_CONFIG, _("no profile '%s' (from %s) in %s"), name, origin, cfg->path);
	jra_error_hint(e, _("profiles defined there: %s"), names);
	return NULL;
}

static void profile_release(struct jra_profile *p)
{
	free(p->name);
	free(p->endpoint);
	free(p->registrar);
	free(p->key_id);
	free(p->key_file);
	free(p->secret_file);
	free(p->ca_file);
	free(p->acme_directory);
}

void jra_config_release(struct jra_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nprofiles; i++)
		profile_release(&cfg->profiles[i]);
	free(cfg->profiles);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->default_profile);
	memset(cfg, 0, sizeof(*cfg));
}
