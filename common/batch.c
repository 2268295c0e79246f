#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

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
		return jra_error(e, JRA_ERR_DATA, "cannot read '%s': %s", path, strerror(errno));
	l->close = 1;
	l->name = jra_xstrdup(path);
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int jra_lines_next(struct jra_lines *l, const char **item, struct jra_error *e)
{
	ssize_t n;
	char *s, *end;

	for (;;) {
		errno = 0;
		n = getline(&l->line, &l->cap, l->fp);
		if (n < 0) {
			if (ferror(l->fp))
				return jra_error(e, JRA_ERR_DATA, "cannot read %s: %s", l->name,
						 strerror(errno ? errno : EIO));
			return 0;
		}
		l->lineno++;
		if ((size_t)n > JRA_LINE_MAX)
			return jra_error(e, JRA_ERR_DATA, "%s:%lu: line longer than %d bytes",
					 l->name, l->lineno, JRA_LINE_MAX);
		if (strlen(l->line) != (size_t)n)
			return jra_error(e, JRA_ERR_DATA, "%s:%lu: NUL byte in line", l->name,
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
