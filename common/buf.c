#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "i18n.h"

static void oom(size_t n)
{
	fprintf(stderr, _("jra: out of memory allocating %zu bytes\n"), n);
	abort();
}

void *jra_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *jra_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *jra_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *jra_xstrdup(const char *s)
{
	return jra_xstrndup(s, strlen(s));
}

char *jra_xstrndup(const char *s, size_t n)
{
	char *p = jra_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *jra_xasprintf(const char *fmt, ...)
{
	struct jra_buf b = JRA_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	jra_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return jra_buf_take(&b);
}

void jra_buf_init(struct jra_buf *b, size_t cap)
{
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

static int grow(struct jra_buf *b, size_t extra)
{
	size_t want;

	if (extra > (size_t)-1 - b->len - 1)
		return -1;
	want = b->len + extra + 1;
	if (b->cap && want - 1 > b->cap)
		return -1;
	if (want <= b->alloc)
		return 0;
	if (b->alloc * 2 > want)
		want = b->alloc * 2;
	if (want < 64)
		want = 64;
	b->buf = jra_xrealloc(b->buf, want);
	b->alloc = want;
	return 0;
}

int jra_buf_add(struct jra_buf *b, const void *data, size_t len)
{
	if (grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int jra_buf_addstr(struct jra_buf *b, const char *s)
{
	return jra_buf_add(b, s, strlen(s));
}

int jra_buf_addch(struct jra_buf *b, char c)
{
	return jra_buf_add(b, &c, 1);
}

int jra_buf_vaddf(struct jra_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int jra_buf_addf(struct jra_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = jra_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void jra_buf_reset(struct jra_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

char *jra_buf_take(struct jra_buf *b)
{
	char *p = b->buf;

	if (!p)
		p = jra_xstrdup("");
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}

const char *jra_buf_str(const struct jra_buf *b)
{
	return b->buf ? b->buf : "";
}

void jra_buf_release(struct jra_buf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
}

void jra_buf_wipe(struct jra_buf *b)
{
	if (b->buf)
		OPENSSL_cleanse(b->buf, b->alloc);
	jra_buf_release(b);
}
