/*
 * The batch-file reader on arbitrary files, against a model of its
 * contract (batch.h): the same items, in the same order, and an error at
 * the first NUL byte or overlong line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define INPUT_MAX (4 * JRA_LINE_MAX)

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "%s\n  reader: %s\n  model:  %s\n", what, a ? a : "(none)",
		b ? b : "(none)");
	abort();
}

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * The model: the next item from *pos, copied to out; 1, 0 at the end, or
 * -1 for a line the reader must refuse.
 */
static int model_next(const char *d, size_t size, size_t *pos, char *out, unsigned long *lineno)
{
	size_t start, end, n;

	while (*pos < size) {
		start = *pos;
		end = start;
		while (end < size && d[end] != '\n')
			end++;
		*pos = end < size ? end + 1 : end;
		++*lineno;
		n = end - start;
		if (n > JRA_LINE_MAX || memchr(d + start, '\0', n))
			return -1;
		while (start < end && space(d[start]))
			start++;
		while (end > start && space(d[end - 1]))
			end--;
		if (start == end || d[start] == '#')
			continue;
		memcpy(out, d + start, end - start);
		out[end - start] = '\0';
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jra_error e = JRA_ERROR_INIT;
	static char want[JRA_LINE_MAX + 1];
	unsigned long want_line = 0;
	struct jra_lines l;
	const char *item;
	size_t pos = 0;
	int r, m;
	FILE *fp;

	if (size == 0 || size > INPUT_MAX)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	memset(&l, 0, sizeof(l));
	l.fp = fp;
	l.name = strdup("fuzz");
	for (;;) {
		r = jra_lines_next(&l, &item, &e);
		m = model_next((const char *)data, size, &pos, want, &want_line);
		if (m < 0) {
			if (r != JRA_ERR_DATA || strncmp(e.msg, "fuzz:", 5))
				fail("a bad line is not refused", r == 1 ? item : NULL, "refusal");
			break;
		}
		if (r != m)
			fail("item or end differs", r == 1 ? item : e.msg, m ? want : NULL);
		if (r == 0)
			break;
		if (strcmp(item, want) || l.lineno != want_line)
			fail("items differ", item, want);
	}
	fclose(fp);
	l.fp = NULL;
	jra_lines_close(&l);
	return 0;
}
