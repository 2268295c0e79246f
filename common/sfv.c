#include "sfv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"

/* RFC 8941 section 3.3.1: at most 15 digits. */
#define SFV_INT_MAX 999999999999999LL

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	struct jra_error *e;
};

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_lcalpha(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_alpha(int c)
{
	return is_lcalpha(c) || (c >= 'A' && c <= 'Z');
}

/* RFC 9110 tchar */
static int is_tchar(int c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_key_char(int c)
{
	return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*';
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int fail(struct parser *p, const char *what)
{
	int c = peek(p);

	if (c < 0)
		return jra_error(p->e, JRA_ERR_DATA, "%s at the end of the field value", what);
	if (c > 0x20 && c < 0x7f)
		return jra_error(p->e, JRA_ERR_DATA, "%s at offset %zu ('%c')", what, p->pos, c);
	return jra_error(p->e, JRA_ERR_DATA, "%s at offset %zu (byte 0x%02x)", what, p->pos, c);
}

static void skip_sp(struct parser *p)
{
	while (peek(p) == ' ')
		p->pos++;
}

static void skip_ows(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		p->pos++;
}

static void bare_release(struct jra_sfv_bare *v)
{
	free(v->str);
	free(v->bytes);
	memset(v, 0, sizeof(*v));
}

static void params_release(struct jra_sfv_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		bare_release(&p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static void member_release(struct jra_sfv_member *m)
{
	free(m->key);
	bare_release(&m->bare);
	for (size_t i = 0; i < m->nitems; i++) {
		bare_release(&m->items[i].bare);
		params_release(&m->items[i].params);
	}
	free(m->items);
	params_release(&m->params);
	memset(m, 0, sizeof(*m));
}

void jra_sfv_dict_release(struct jra_sfv_dict *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		member_release(&d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* RFC 8941 section 4.2.3.3: returns a new string or NULL. */
static char *parse_key(struct parser *p)
{
	size_t start = p->pos;

	if (!is_lcalpha(peek(p)) && peek(p) != '*') {
		fail(p, "expected a key (lower case letter or '*')");
		return NULL;
	}
	while (peek(p) >= 0 && is_key_char(peek(p)))
		p->pos++;
	return jra_xstrndup(p->s + start, p->pos - start);
}

/* RFC 8941 section 4.2.4 */
static int parse_number(struct parser *p, struct jra_sfv_bare *v)
{
	int decimal = 0, neg = 0;
	size_t ndigits = 0, dot = 0, start;
	int64_t ipart = 0, frac = 0;

	if (peek(p) == '-') {
		neg = 1;
		p->pos++;
	}
	if (!is_digit(peek(p)))
		return fail(p, "expected a digit");
	start = p->pos;
	for (;;) {
		int c = peek(p);

		if (is_digit(c)) {
			ndigits++;
		} else if (!decimal && c == '.') {
			if (ndigits > 12)
				return fail(p, "too many digits before the decimal point");
			decimal = 1;
			dot = p->pos;
		} else {
			break;
		}
		p->pos++;
		/* The sign is not counted; the decimal point is. */
		if (!decimal && ndigits > 15)
			return fail(p, "integer with more than 15 digits");
		if (decimal && ndigits + 1 > 16)
			return fail(p, "decimal with more than 16 characters");
	}
	if (!decimal) {
		for (size_t i = start; i < p->pos; i++)
			ipart = ipart * 10 + (p->s[i] - '0');
		v->type = JRA_SFV_INTEGER;
		v->integer = neg ? -ipart : ipart;
		return 0;
	}
	if (dot + 1 == p->pos)
		return fail(p, "decimal ending with '.'");
	if (p->pos - dot - 1 > 3)
		return fail(p, "decimal with more than 3 fractional digits");
	for (size_t i = start; i < dot; i++)
		ipart = ipart * 10 + (p->s[i] - '0');
	for (size_t i = dot + 1; i < dot + 4; i++)
		frac = frac * 10 + (i < p->pos ? p->s[i] - '0' : 0);
	v->type = JRA_SFV_DECIMAL;
	v->integer = (ipart * 1000 + frac) * (neg ? -1 : 1);
	return 0;
}

/* RFC 8941 section 4.2.5 */
static int parse_string(struct parser *p, struct jra_sfv_bare *v)
{
	struct jra_buf b = JRA_BUF_INIT;

	p->pos++; /* the opening DQUOTE */
	for (;;) {
		int c = peek(p);

		if (c < 0) {
			jra_buf_release(&b);
			return fail(p, "unterminated string");
		}
		if (c == '\\') {
			p->pos++;
			c = peek(p);
			if (c != '"' && c != '\\') {
				jra_buf_release(&b);
				return fail(p, "expected '\"' or '\\' after '\\' in a string");
			}
		} else if (c == '"') {
			p->pos++;
			break;
		} else if (c < 0x20 || c > 0x7e) {
			jra_buf_release(&b);
			return fail(p, "control or non-ASCII character in a string");
		}
		jra_buf_addch(&b, (char)c);
		p->pos++;
	}
	v->type = JRA_SFV_STRING;
	v->str = jra_buf_take(&b);
	return 0;
}

/* RFC 8941 section 4.2.6 */
static int parse_token(struct parser *p, struct jra_sfv_bare *v)
{
	size_t start = p->pos;

	p->pos++;
	while (peek(p) >= 0 && (is_tchar(peek(p)) || peek(p) == ':' || peek(p) == '/'))
		p->pos++;
	v->type = JRA_SFV_TOKEN;
	v->str = jra_xstrndup(p->s + start, p->pos - start);
	return 0;
}

/* RFC 8941 section 4.2.7 */
static int parse_bytes(struct parser *p, struct jra_sfv_bare *v)
{
	size_t start;

	p->pos++; /* the opening ':' */
	start = p->pos;
	for (;;) {
		int c = peek(p);

		if (c < 0)
			return fail(p, "unterminated byte sequence");
		if (c == ':')
			break;
		if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '/' && c != '=')
			return fail(p, "character outside base64 in a byte sequence");
		p->pos++;
	}
	if (jra_b64_decode(p->s + start, p->pos - start, &v->bytes, &v->len) < 0) {
		p->pos = start;
		return fail(p, "bad base64 in a byte sequence");
	}
	p->pos++;
	v->type = JRA_SFV_BYTES;
	return 0;
}

/* RFC 8941 section 4.2.8 */
static int parse_boolean(struct parser *p, struct jra_sfv_bare *v)
{
	p->pos++;
	if (peek(p) != '0' && peek(p) != '1')
		return fail(p, "expected '0' or '1' after '?'");
	v->type = JRA_SFV_BOOLEAN;
	v->integer = peek(p) == '1';
	p->pos++;
	return 0;
}

/* RFC 8941 section 4.2.3.1 */
static int parse_bare(struct parser *p, struct jra_sfv_bare *v)
{
	int c = peek(p);

	memset(v, 0, sizeof(*v));
	if (c == '-' || is_digit(c))
		return parse_number(p, v);
	if (c == '"')
		return parse_string(p, v);
	if (c == '*' || is_alpha(c))
		return parse_token(p, v);
	if (c == ':')
		return parse_bytes(p, v);
	if (c == '?')
		return parse_boolean(p, v);
	return fail(p, "expected an item");
}

/* RFC 8941 section 4.2.3.2 */
static int parse_params(struct parser *p, struct jra_sfv_params *out)
{
	while (peek(p) == ';') {
		struct jra_sfv_bare v = { JRA_SFV_BOOLEAN, 1, NULL, NULL, 0 };
		char *key;
		size_t i;

		p->pos++;
		skip_sp(p);
		key = parse_key(p);
		if (!key)
			return JRA_ERR_DATA;
		if (peek(p) == '=') {
			p->pos++;
			if (parse_bare(p, &v) < 0) {
				free(key);
				bare_release(&v);
				return JRA_ERR_DATA;
			}
		}
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i].key, key) == 0)
				break;
		if (i < out->n) {
			free(key);
			bare_release(&out->v[i].value);
			out->v[i].value = v;
			continue;
		}
		out->v = jra_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n].key = key;
		out->v[out->n].value = v;
		out->n++;
	}
	return 0;
}

/* RFC 8941 section 4.2.3 */
static int parse_item(struct parser *p, struct jra_sfv_item *it)
{
	memset(it, 0, sizeof(*it));
	if (parse_bare(p, &it->bare) < 0)
		return JRA_ERR_DATA;
	return parse_params(p, &it->params);
}

/* RFC 8941 section 4.2.1.2 */
static int parse_inner_list(struct parser *p, struct jra_sfv_member *m)
{
	p->pos++; /* the opening '(' */
	m->is_list = 1;
	while (peek(p) >= 0) {
		skip_sp(p);
		if (peek(p) == ')') {
			p->pos++;
			return parse_params(p, &m->params);
		}
		m->items = jra_xrealloc(m->items, (m->nitems + 1) * sizeof(*m->items));
		if (parse_item(p, &m->items[m->nitems]) < 0) {
			/* Keep what was parsed so the caller frees it. */
			m->nitems++;
			return JRA_ERR_DATA;
		}
		m->nitems++;
		if (peek(p) != ' ' && peek(p) != ')')
			return fail(p, "expected ' ' or ')' in an inner list");
	}
	return fail(p, "unterminated inner list");
}

/* RFC 8941 section 4.2.2 */
static int parse_dict(struct parser *p, struct jra_sfv_dict *d)
{
	while (peek(p) >= 0) {
		struct jra_sfv_member m;
		size_t i;

		memset(&m, 0, sizeof(m));
		m.key = parse_key(p);
		if (!m.key)
			return JRA_ERR_DATA;
		if (peek(p) == '=') {
			int rc;

			p->pos++;
			if (peek(p) == '(') {
				rc = parse_inner_list(p, &m);
			} else {
				rc = parse_bare(p, &m.bare);
				if (rc == 0)
					rc = parse_params(p, &m.params);
			}
			if (rc < 0) {
				member_release(&m);
				return JRA_ERR_DATA;
			}
		} else {
			m.bare.type = JRA_SFV_BOOLEAN;
			m.bare.integer = 1;
			if (parse_params(p, &m.params) < 0) {
				member_release(&m);
				return JRA_ERR_DATA;
			}
		}
		for (i = 0; i < d->n; i++)
			if (strcmp(d->v[i].key, m.key) == 0)
				break;
		if (i < d->n) {
			member_release(&d->v[i]);
			d->v[i] = m;
		} else {
			d->v = jra_xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
			d->v[d->n++] = m;
		}
		skip_ows(p);
		if (peek(p) < 0)
			return 0;
		if (peek(p) != ',')
			return fail(p, "expected ',' after a dictionary member");
		p->pos++;
		skip_ows(p);
		if (peek(p) < 0)
			return fail(p, "trailing ','");
	}
	return 0;
}

int jra_sfv_parse_dict(const char *s, size_t len, struct jra_sfv_dict *d,
		       struct jra_error *e)
{
	struct parser p = { s, len, 0, e };

	d->v = NULL;
	d->n = 0;
	if (len > JRA_SFV_MAX_INPUT)
		return jra_error(e, JRA_ERR_DATA, "field value longer than %d bytes",
				 JRA_SFV_MAX_INPUT);
	/* RFC 8941 section 4.2: leading SP is dropped; the dictionary
	 * parser itself consumes OWS after each member. */
	skip_sp(&p);
	if (parse_dict(&p, d) < 0) {
		jra_sfv_dict_release(d);
		return JRA_ERR_DATA;
	}
	return 0;
}

const struct jra_sfv_member *jra_sfv_dict_get(const struct jra_sfv_dict *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].key, key) == 0)
			return &d->v[i];
	return NULL;
}

const struct jra_sfv_bare *jra_sfv_params_get(const struct jra_sfv_params *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0)
			return &p->v[i].value;
	return NULL;
}

int jra_sfv_ser_key(struct jra_buf *b, const char *key)
{
	if (!is_lcalpha((unsigned char)key[0]) && key[0] != '*')
		return -1;
	for (const char *c = key; *c; c++)
		if (!is_key_char((unsigned char)*c))
			return -1;
	return jra_buf_addstr(b, key);
}

int jra_sfv_ser_integer(struct jra_buf *b, int64_t v)
{
	if (v < -SFV_INT_MAX || v > SFV_INT_MAX)
		return -1;
	return jra_buf_addf(b, "%lld", (long long)v);
}

/* v is in thousandths, so no rounding is ever needed. */
static int ser_decimal(struct jra_buf *b, int64_t v)
{
	int64_t a = v < 0 ? -v : v, ipart = a / 1000, frac = a % 1000;
	char digits[4];
	size_t n = 3;

	if (ipart > 999999999999LL)
		return -1;
	/* Trailing zeros go, but one fractional digit always stays. */
	snprintf(digits, sizeof(digits), "%03lld", (long long)frac);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	return jra_buf_addf(b, "%s%lld.%s", v < 0 ? "-" : "", (long long)ipart, digits);
}

int jra_sfv_ser_string(struct jra_buf *b, const char *s)
{
	int rc = jra_buf_addch(b, '"');

	for (const unsigned char *c = (const unsigned char *)s; *c && rc == 0; c++) {
		if (*c < 0x20 || *c > 0x7e)
			return -1;
		if (*c == '"' || *c == '\\')
			rc = jra_buf_addch(b, '\\');
		if (rc == 0)
			rc = jra_buf_addch(b, (char)*c);
	}
	return rc ? rc : jra_buf_addch(b, '"');
}

int jra_sfv_ser_token(struct jra_buf *b, const char *s)
{
	if (!is_alpha((unsigned char)s[0]) && s[0] != '*')
		return -1;
	for (const char *c = s; *c; c++)
		if (!is_tchar((unsigned char)*c) && *c != ':' && *c != '/')
			return -1;
	return jra_buf_addstr(b, s);
}

int jra_sfv_ser_bytes(struct jra_buf *b, const unsigned char *p, size_t len)
{
	char *enc = jra_b64_encode(p, len, 0, 1);
	int rc = jra_buf_addf(b, ":%s:", enc);

	free(enc);
	return rc;
}

int jra_sfv_ser_bare(struct jra_buf *b, const struct jra_sfv_bare *v)
{
	switch (v->type) {
	case JRA_SFV_INTEGER:
		return jra_sfv_ser_integer(b, v->integer);
	case JRA_SFV_DECIMAL:
		return ser_decimal(b, v->integer);
	case JRA_SFV_STRING:
		return jra_sfv_ser_string(b, v->str);
	case JRA_SFV_TOKEN:
		return jra_sfv_ser_token(b, v->str);
	case JRA_SFV_BYTES:
		return jra_sfv_ser_bytes(b, v->bytes, v->len);
	case JRA_SFV_BOOLEAN:
		return jra_buf_addstr(b, v->integer ? "?1" : "?0");
	}
	return -1;
}

int jra_sfv_ser_params(struct jra_buf *b, const struct jra_sfv_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct jra_sfv_bare *v = &p->v[i].value;

		if (jra_buf_addch(b, ';') < 0 || jra_sfv_ser_key(b, p->v[i].key) < 0)
			return -1;
		/* A true Boolean parameter is written as the bare key. */
		if (v->type == JRA_SFV_BOOLEAN && v->integer)
			continue;
		if (jra_buf_addch(b, '=') < 0 || jra_sfv_ser_bare(b, v) < 0)
			return -1;
	}
	return 0;
}

int jra_sfv_ser_inner_list(struct jra_buf *b, const struct jra_sfv_item *items,
			   size_t n, const struct jra_sfv_params *params)
{
	if (jra_buf_addch(b, '(') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && jra_buf_addch(b, ' ') < 0)
			return -1;
		if (jra_sfv_ser_bare(b, &items[i].bare) < 0 ||
		    jra_sfv_ser_params(b, &items[i].params) < 0)
			return -1;
	}
	if (jra_buf_addch(b, ')') < 0)
		return -1;
	return params ? jra_sfv_ser_params(b, params) : 0;
}
