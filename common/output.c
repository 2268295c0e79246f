#include "output.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "problem.h"

/* A table cell longer than this is cut; -o json shows everything. */
#define CELL_MAX 200

int jra_format_parse(const char *s, enum jra_format *out)
{
	static const char *const names[] = { "table", "json", "jsonl", "csv" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum jra_format)i;
			return 0;
		}
	}
	return -1;
}

void jra_out_init(struct jra_out *o, FILE *fp, enum jra_format fmt,
		  const struct jra_column *cols, size_t ncols, int array)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->fmt = fmt;
	o->cols = cols;
	o->ncols = ncols;
	o->array = array;
}

json_t *jra_json_path(json_t *item, const char *path)
{
	const char *dot;
	char key[128];
	size_t n;

	while (item && (dot = strchr(path, '.'))) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		item = json_object_get(item, key);
		path = dot + 1;
	}
	return item ? json_object_get(item, path) : NULL;
}

static void add_scalar(struct jra_buf *b, json_t *v)
{
	char *s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		jra_buf_add(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jra_buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		jra_buf_addf(b, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		jra_buf_addstr(b, "true");
		break;
	case JSON_FALSE:
		jra_buf_addstr(b, "false");
		break;
	case JSON_NULL:
		break;
	default:
		s = json_dumps(v, JSON_COMPACT);
		if (s)
			jra_buf_addstr(b, s);
		free(s);
	}
}

char *jra_out_text(json_t *v, const char *sep)
{
	struct jra_buf b = JRA_BUF_INIT;
	size_t i;
	json_t *it;

	if (json_is_array(v)) {
		json_array_foreach(v, i, it) {
			if (i)
				jra_buf_addstr(&b, sep);
			add_scalar(&b, it);
		}
	} else if (v) {
		add_scalar(&b, v);
	}
	return jra_buf_take(&b);
}

/* 1 when s is a decimal number, as a spreadsheet would read one. */
static int is_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.' && isdigit((unsigned char)s[1]))
		for (s++; isdigit((unsigned char)*s); s++)
			;
	return *s == '\0';
}

void jra_csv_field(struct jra_buf *b, const char *s)
{
	/* Customer-supplied text (a customer_ref, a subscriber's name) could
	 * start a formula in the spreadsheet the CSV is opened in; a quote
	 * in front makes it text there.  Numbers stay as they are. */
	int guard = *s && strchr("=+-@\t\r", *s) && !is_number(s);

	if (!guard && !strpbrk(s, ",\"\r\n")) {
		jra_buf_addstr(b, s);
		return;
	}
	jra_buf_addch(b, '"');
	if (guard)
		jra_buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			jra_buf_addch(b, '"');
		jra_buf_addch(b, *s);
	}
	jra_buf_addch(b, '"');
}

static int is_wide(unsigned long cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	       (cp >= 0x20000 && cp <= 0x3fffd);
}

size_t jra_display_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	size_t w = 0, n, i;

	while (*u) {
		if (*u < 0x80) {
			w++;
			u++;
			continue;
		}
		n = *u >= 0xf0 ? 4 : *u >= 0xe0 ? 3 : 2;
		cp = *u & (0x3f >> (n - 1));
		for (i = 1; i < n && (u[i] & 0xc0) == 0x80; i++)
			cp = (cp << 6) | (u[i] & 0x3f);
		w += is_wide(cp) ? 2 : 1;
		u += i;
	}
	return w;
}

static void pad(FILE *fp, size_t n)
{
	while (n--)
		fputc(' ', fp);
}

void jra_out_field(FILE *fp, int width, const char *label, const char *value)
{
	char *clean;
	size_t w;

	if (!value || !*value)
		return;
	clean = jra_sanitize(value, strlen(value), 4 * CELL_MAX);
	w = jra_display_width(label);
	fputs(label, fp);
	pad(fp, width > 0 && (size_t)width > w ? (size_t)width - w : 1);
	fputs(clean, fp);
	fputc('\n', fp);
	free(clean);
}

/* Most answers fit: encoded in memory and written at once, not a write per token. */
#define JSON_STACK_BUF 4096

int jra_out_json(FILE *fp, json_t *v, int compact)
{
	size_t flags = (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_ENCODE_ANY;
	char stack[JSON_STACK_BUF], *p = stack;
	size_t n;
	int r = 0;

	n = json_dumpb(v, stack, sizeof(stack) - 1, flags);
	if (!n)
		return -1;
	if (n > sizeof(stack) - 1) {
		p = jra_xmalloc(n + 1);
		if (json_dumpb(v, p, n, flags) != n)
			r = -1;
	}
	if (!r) {
		p[n] = '\n';
		r = fwrite(p, 1, n + 1, fp) == n + 1 ? 0 : -1;
	}
	if (p != stack)
		free(p);
	return r;
}

static void csv_row(struct jra_out *o, json_t *item)
{
	struct jra_buf b = JRA_BUF_INIT;
	char *text;
	size_t i;

	for (i = 0; i < o->ncols; i++) {
		if (i)
			jra_buf_addch(&b, ',');
		if (item) {
			text = jra_out_text(jra_json_path(item, o->cols[i].key), " ");
			jra_csv_field(&b, text);
			free(text);
		} else {
			jra_csv_field(&b, o->cols[i].header);
		}
	}
	/* RFC 4180 section 2: records end with CRLF. */
	jra_buf_addstr(&b, "\r\n");
	fwrite(b.buf, 1, b.len, o->fp);
	jra_buf_release(&b);
}

static void keep_row(struct jra_out *o, json_t *item)
{
	char *text;
	size_t i;

	if (o->ncells + o->ncols > o->acells) {
		o->acells = (o->acells + o->ncols) * 2;
		o->cells = jra_xrealloc(o->cells, o->acells * sizeof(*o->cells));
	}
	for (i = 0; i < o->ncols; i++) {
		text = jra_out_text(jra_json_path(item, o->cols[i].key), ",");
		o->cells[o->ncells++] = jra_sanitize(text, strlen(text), CELL_MAX);
		free(text);
	}
}

void jra_out_add(struct jra_out *o, json_t *item)
{
	switch (o->fmt) {
	case JRA_FORMAT_JSON:
		if (o->array)
			fputs(o->nitems ? ",\n" : "[\n", o->fp);
		json_dumpf(item, o->fp, JSON_INDENT(2));
		if (!o->array)
			fputc('\n', o->fp);
		break;
	case JRA_FORMAT_JSONL:
		jra_out_json(o->fp, item, 1);
		break;
	case JRA_FORMAT_CSV:
		if (!o->nitems)
			csv_row(o, NULL);
		csv_row(o, item);
		break;
	case JRA_FORMAT_TABLE:
		keep_row(o, item);
		break;
	}
	o->nitems++;
}

static void print_table(struct jra_out *o)
{
	size_t *width, r, c, nrows = o->ncells / (o->ncols ? o->ncols : 1), w;

	width = jra_xcalloc(o->ncols, sizeof(*width));
	for (c = 0; c < o->ncols; c++)
		width[c] = jra_display_width(_(o->cols[c].header));
	for (r = 0; r < nrows; r++)
		for (c = 0; c < o->ncols; c++)
			if ((w = jra_display_width(o->cells[r * o->ncols + c])) > width[c])
				width[c] = w;
	for (c = 0; c < o->ncols; c++) {
		fputs(_(o->cols[c].header), o->fp);
		if (c + 1 < o->ncols)
			pad(o->fp, width[c] - jra_display_width(_(o->cols[c].header)) + 2);
	}
	fputc('\n', o->fp);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < o->ncols; c++) {
			const char *cell = o->cells[r * o->ncols + c];

			fputs(*cell ? cell : "-", o->fp);
			if (c + 1 < o->ncols)
				pad(o->fp, width[c] - jra_display_width(*cell ? cell : "-") + 2);
		}
		fputc('\n', o->fp);
	}
	free(width);
}

int jra_out_finish(struct jra_out *o)
{
	switch (o->fmt) {
	case JRA_FORMAT_JSON:
		if (o->array)
			fputs(o->nitems ? "\n]\n" : "[]\n", o->fp);
		break;
	case JRA_FORMAT_CSV:
		if (!o->nitems)
			csv_row(o, NULL);
		break;
	case JRA_FORMAT_TABLE:
		if (o->ncells)
			print_table(o);
		break;
	case JRA_FORMAT_JSONL:
		break;
	}
	return fflush(o->fp) == EOF || ferror(o->fp) ? -1 : 0;
}

void jra_out_release(struct jra_out *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->ncells; i++)
		free(o->cells[i]);
	free(o->cells);
	o->cells = NULL;
	o->ncells = o->acells = 0;
}
