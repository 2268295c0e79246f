#ifndef JRA_BUF_H
#define JRA_BUF_H

/*
 * A growable byte buffer, always NUL-terminated, with an optional hard cap
 * so that what a server sends cannot grow without bound.
 *
 * Out of memory: jra does not try to recover.  Every allocation in libjra
 * goes through jra_xmalloc()/jra_xrealloc()/jra_xstrdup(), which print one
 * line to stderr and abort().  Callers therefore never check for NULL from
 * these, and the cap is the only way jra_buf_add() can fail.
 */

#include <stdarg.h>
#include <stddef.h>

struct jra_buf {
	char *buf;     /* NUL-terminated when alloc > 0 */
	size_t len;
	size_t alloc;
	size_t cap;    /* 0: no cap */
};

#define JRA_BUF_INIT { NULL, 0, 0, 0 }

void *jra_xmalloc(size_t n);
void *jra_xcalloc(size_t nmemb, size_t size);
void *jra_xrealloc(void *p, size_t n);
char *jra_xstrdup(const char *s);
char *jra_xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string. */
char *jra_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void jra_buf_init(struct jra_buf *b, size_t cap);
/* Appends; returns 0, or -1 (buffer unchanged) when the cap would be passed. */
int jra_buf_add(struct jra_buf *b, const void *data, size_t len);
int jra_buf_addstr(struct jra_buf *b, const char *s);
int jra_buf_addch(struct jra_buf *b, char c);
int jra_buf_addf(struct jra_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int jra_buf_vaddf(struct jra_buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its memory. */
void jra_buf_reset(struct jra_buf *b);
/* Returns the contents (caller frees; never NULL) and empties b. */
char *jra_buf_take(struct jra_buf *b);
/* A pointer to the contents, "" when empty; owned by b. */
const char *jra_buf_str(const struct jra_buf *b);
/* Frees the contents; b can be reused after jra_buf_init(). */
void jra_buf_release(struct jra_buf *b);
/* Overwrites the contents with zeros, then releases (for secrets). */
void jra_buf_wipe(struct jra_buf *b);

#endif
