#ifndef JRA_OUTPUT_H
#define JRA_OUTPUT_H

/*
 * The output layer: the objects the CA answers, printed as an aligned
 * table for people, or as JSON, JSON Lines or CSV (RFC 4180) for programs.
 * It writes only to the stream it is given; cmd/ gives it stdout.
 */

#include <stdio.h>

#include <jansson.h>

#include "buf.h"

enum jra_format {
	JRA_FORMAT_TABLE,
	JRA_FORMAT_JSON,
	JRA_FORMAT_JSONL,
	JRA_FORMAT_CSV,
};

/* 0, or -1 when s is not table, json, jsonl or csv. */
int jra_format_parse(const char *s, enum jra_format *out);

/* One column: its header (N_(): a table prints it translated, CSV as written), and
 * the member it shows ("transfer.state" reaches in). */
struct jra_column {
	const char *header;
	const char *key;
};

struct jra_out {
	FILE *fp;
	enum jra_format fmt;
	const struct jra_column *cols;
	size_t ncols;
	int array;        /* json: an array even for a single item */
	size_t nitems;
	char **cells;     /* table: kept until jra_out_finish(), row-major */
	size_t ncells, acells;
};

/*
 * Starts output of items with the given columns (table and csv).  With
 * array 0 and exactly one item, json prints that object alone.
 */
void jra_out_init(struct jra_out *o, FILE *fp, enum jra_format fmt,
		  const struct jra_column *cols, size_t ncols, int array);
/* Adds one item: jsonl, csv and json print at once, table keeps the row. */
void jra_out_add(struct jra_out *o, json_t *item);
/* Ends the output (closes a json array, prints a table); 0, or -1 on a write error. */
int jra_out_finish(struct jra_out *o);
void jra_out_release(struct jra_out *o);

/* The member of item at a dotted path, or NULL. */
json_t *jra_json_path(json_t *item, const char *path);

/*
 * A cell's text, newly allocated: strings as they are, null and absent
 * as "", numbers and booleans as JSON spells them, arrays of those joined
 * with sep, objects as compact JSON.
 */
char *jra_out_text(json_t *v, const char *sep);

/* Appends s as one CSV field (RFC 4180: quoted when it holds , " CR or LF). */
void jra_csv_field(struct jra_buf *b, const char *s);

/* Columns a terminal gives the UTF-8 string s (East Asian wide characters count 2). */
size_t jra_display_width(const char *s);

/* Prints "label   value" with the label padded to width, the value made
 * safe for a terminal; nothing when value is NULL or empty. */
void jra_out_field(FILE *fp, int width, const char *label, const char *value);

/* Prints v as JSON (indented, or compact for jsonl) and a newline; 0 or -1. */
int jra_out_json(FILE *fp, json_t *v, int compact);

#endif
