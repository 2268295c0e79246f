#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"

int jra_lines_open(struct jra_lines *l, const char *path, struct jra_error *e)
{
	memset(l, 0, sizeof(*l));
	if (!strcmp(path, "-")) {
		l->fp = stdin;
		l->name = jra_xstrdup("stdin");
		return 0;
	}
	l->fp = fopen(path, "r");
	if (!l->fp)
		return jra_error(e, JRA_ERR_DATA, _("cannot read '%s': %s"), path, strerror(errno));
	l->close = 1;
	l->name = jra_xstrdup(path);
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * Reads one line into l->line without its newline, never holding more than
 * JRA_LINE_MAX + 1 bytes of it: a file with no newline in gigabytes must
 * not be read into memory whole (getline() would).  The line's length, or -1 at the end of
 * input; *too_long and *nul say what was wrong with it.
 */
static long read_line(struct jra_lines *l, int *too_long, int *nul)
{
	size_t n = 0;
	int c, any = 0;

	*too_long = *nul = 0;
	if (!l->line) {
		l->cap = JRA_LINE_MAX + 2;
		l->line = jra_xmalloc(l->cap);
	}
	while ((c = getc_unlocked(l->fp)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (c == '\0')
			*nul = 1;
		l->line[n++] = (char)c;
		/* the rest of an overlong line is not read: the error ends the input */
		if (n > JRA_LINE_MAX) {
			*too_long = 1;
			break;
		}
	}
	if (!any)
		return -1;
	l->line[n] = '\0';
	return (long)n;
}

int jra_lines_next(struct jra_lines *l, const char **item, struct jra_error *e)
{
	int too_long, nul;
	char *s, *end;
	long n;

	for (;;) {
		errno = 0;
		n = read_line(l, &too_long, &nul);
		if (ferror(l->fp))
			return jra_error(e, JRA_ERR_DATA, _("cannot read %s: %s"), l->name,
					 strerror(errno ? errno : EIO));
		if (n < 0)
			return 0;
		l->lineno++;
		if (too_long)
			return jra_error(e, JRA_ERR_DATA, _("%s:%lu: line longer than %d bytes"),
					 l->name, l->lineno, JRA_LINE_MAX);
		if (nul)
			return jra_error(e, JRA_ERR_DATA, _("%s:%lu: NUL byte in line"), l->name,
					 l->lineno);
		s = l->line;
		while (is_space(*s))
			s++;
		end = s + strlen(s);
		while (end > s && is_space(end[-1]))
			*--end = '\0';
		if (!*s || *s == '#')
			continue;
		*item = s;
		return 1;
	}
}

void jra_lines_close(struct jra_lines *l)
{
	if (!l)
		return;
	if (l->close && l->fp)
		fclose(l->fp);
	free(l->line);
	free(l->name);
	memset(l, 0, sizeof(*l));
}
