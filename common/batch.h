#ifndef JRA_BATCH_H
#define JRA_BATCH_H

/*
 * Batch input (-f FILE, -f - for stdin): one item a line, read as a
 * stream so that a list of any length runs in constant memory.  Blank
 * lines and lines starting with '#' are skipped; surrounding white space
 * is trimmed.
 */

#include <stdio.h>

#include "err.h"

/* A line longer than this is an error, not an item. */
#define JRA_LINE_MAX 4096

struct jra_lines {
	FILE *fp;
	int close;          /* whether jra_lines_close() closes fp */
	char *name;         /* for messages: the file, or "stdin" */
	char *line;
	size_t cap;
	unsigned long lineno;
};

/* Opens path ("-": stdin) for reading items. */
int jra_lines_open(struct jra_lines *l, const char *path, struct jra_error *e);
/*
 * The next item in *item (owned by l, valid until the next call): 1, or
 * 0 at the end, or JRA_ERR_DATA on a read error or an overlong line.
 */
int jra_lines_next(struct jra_lines *l, const char **item, struct jra_error *e);
void jra_lines_close(struct jra_lines *l);

#endif
