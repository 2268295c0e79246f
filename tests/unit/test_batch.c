#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "tap.h"

int main(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct jra_lines l;
	const char *item;
	const char *tmp = getenv("TMPDIR");
	char path[4096], *longline;
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "%s/jra-test-batch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs("# FQDNs to renew\n\n  example.jp  \r\n\t# indented comment\n*.example.jp\nlast.jp", fp);
	fclose(fp);

	ok(jra_lines_open(&l, path, &e) == 0, "open");
	ok(jra_lines_next(&l, &item, &e) == 1 && !strcmp(item, "example.jp"),
	   "comments and blank lines skipped, white space and CR trimmed");
	ok(l.lineno == 3, "line number counted");
	ok(jra_lines_next(&l, &item, &e) == 1 && !strcmp(item, "*.example.jp"),
	   "indented comment skipped");
	ok(jra_lines_next(&l, &item, &e) == 1 && !strcmp(item, "last.jp"),
	   "last line without newline");
	ok(jra_lines_next(&l, &item, &e) == 0, "end");
	jra_lines_close(&l);

	fp = fopen(path, "w");
	longline = malloc(JRA_LINE_MAX + 10);
	memset(longline, 'a', JRA_LINE_MAX + 8);
	longline[JRA_LINE_MAX + 8] = '\0';
	fprintf(fp, "ok.jp\n%s\n", longline);
	fclose(fp);
	free(longline);
	jra_lines_open(&l, path, &e);
	ok(jra_lines_next(&l, &item, &e) == 1, "first line read");
	ok(jra_lines_next(&l, &item, &e) == JRA_ERR_DATA && strstr(e.msg, ":2: line longer"),
	   "an overlong line is an error naming its line");
	jra_lines_close(&l);

	/* a line of exactly JRA_LINE_MAX bytes is an item; one more byte is not,
	 * and reading it never holds more than the limit, however long it is */
	fp = fopen(path, "w");
	longline = malloc(JRA_LINE_MAX + 1);
	memset(longline, 'b', JRA_LINE_MAX);
	longline[JRA_LINE_MAX] = '\0';
	fprintf(fp, "%s\n", longline);
	for (int i = 0; i < 256; i++)
		fputs(longline, fp);
	fclose(fp);
	jra_lines_open(&l, path, &e);
	ok(jra_lines_next(&l, &item, &e) == 1 && strlen(item) == JRA_LINE_MAX,
	   "a line of exactly the limit is an item");
	ok(jra_lines_next(&l, &item, &e) == JRA_ERR_DATA && strstr(e.msg, ":2: line longer"),
	   "a 1 MB line without a newline is refused");
	ok(l.cap <= JRA_LINE_MAX + 2, "and was never held in memory (%zu bytes)", l.cap);
	jra_lines_close(&l);
	free(longline);

	fp = fopen(path, "w");
	fwrite("a.jp\nb\0.jp\nc.jp\n", 1, 15, fp);
	fclose(fp);
	jra_lines_open(&l, path, &e);
	ok(jra_lines_next(&l, &item, &e) == 1 && !strcmp(item, "a.jp"), "item before a NUL");
	ok(jra_lines_next(&l, &item, &e) == JRA_ERR_DATA && strstr(e.msg, ":2: NUL byte"),
	   "a NUL byte is refused, naming its line");
	jra_lines_close(&l);

	ok(jra_lines_open(&l, "/nonexistent/list", &e) == JRA_ERR_DATA &&
	   strstr(e.msg, "/nonexistent/list"), "a missing file is named");
	unlink(path);
	return done_testing();
}
