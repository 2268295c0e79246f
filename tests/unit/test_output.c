#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "output.h"
#include "tap.h"

static const struct jra_column cols[] = {
	{ "FQDN", "fqdn" }, { "STATE", "state" }, { "NAMES", "covered_names" },
	{ "TRANSFER", "transfer.state" },
};

/* Runs the output layer into memory and returns what it printed. */
static char *render(enum jra_format fmt, int array, const char *const *items, size_t n)
{
	struct jra_out o;
	char *text = NULL;
	size_t len = 0, i;
	json_t *it;
	FILE *fp = open_memstream(&text, &len);

	jra_out_init(&o, fp, fmt, cols, 4, array);
	for (i = 0; i < n; i++) {
		it = json_loads(items[i], 0, NULL);
		jra_out_add(&o, it);
		json_decref(it);
	}
	jra_out_finish(&o);
	jra_out_release(&o);
	fclose(fp);
	return text;
}

int main(void)
{
	static const char *const items[] = {
		"{\"fqdn\":\"example.jp\",\"state\":\"active\",\"covered_names\":[\"example.jp\","
		"\"www.example.jp\"],\"transfer\":null}",
		"{\"fqdn\":\"a,b.jp\",\"state\":\"say \\\"hi\\\"\\nbye\",\"covered_names\":[],"
		"\"transfer\":{\"state\":\"pending\"}}",
	};
	struct jra_buf b = JRA_BUF_INIT;
	enum jra_format f;
	char *s;
	json_t *v;

	ok(jra_format_parse("csv", &f) == 0 && f == JRA_FORMAT_CSV, "csv parses");
	ok(jra_format_parse("yaml", &f) == -1, "yaml is not a format");

	s = render(JRA_FORMAT_CSV, 1, items, 2);
	is_str(s, "FQDN,STATE,NAMES,TRANSFER\r\n"
	       "example.jp,active,example.jp www.example.jp,\r\n"
	       "\"a,b.jp\",\"say \"\"hi\"\"\nbye\",,pending\r\n",
	       "csv: header, RFC 4180 quoting, CRLF, nested member");
	free(s);

	s = render(JRA_FORMAT_CSV, 1, items, 0);
	is_str(s, "FQDN,STATE,NAMES,TRANSFER\r\n", "csv: header even with no rows");
	free(s);

	s = render(JRA_FORMAT_JSONL, 1, items, 2);
	ok(s && strchr(s, '\n') && strchr(strchr(s, '\n') + 1, '\n') &&
	   !strchr(strchr(strchr(s, '\n') + 1, '\n') + 1, '\n'), "jsonl: one line per item");
	free(s);

	s = render(JRA_FORMAT_JSON, 1, items, 2);
	v = json_loads(s, 0, NULL);
	ok(json_is_array(v) && json_array_size(v) == 2, "json array: valid JSON, both items");
	json_decref(v);
	free(s);

	s = render(JRA_FORMAT_JSON, 1, items, 0);
	is_str(s, "[]\n", "json array: empty");
	free(s);

	s = render(JRA_FORMAT_JSON, 0, items, 1);
	v = json_loads(s, 0, NULL);
	ok(json_is_object(v), "json single: the object itself");
	json_decref(v);
	free(s);

	s = render(JRA_FORMAT_TABLE, 1, items, 2);
	is_str(s, "FQDN        STATE         NAMES                      TRANSFER\n"
	       "example.jp  active        example.jp,www.example.jp  -\n"
	       "a,b.jp      say \"hi\" bye  -                          pending\n",
	       "table: aligned columns, controls removed, '-' for empty");
	free(s);

	jra_csv_field(&b, "plain");
	jra_csv_field(&b, "x\"y");
	is_str(jra_buf_str(&b), "plain\"x\"\"y\"", "csv field quoting");
	jra_buf_reset(&b);
	jra_csv_field(&b, "=HYPERLINK(\"http://x\")");
	jra_buf_addch(&b, ',');
	jra_csv_field(&b, "@SUM(A1)");
	jra_buf_addch(&b, ',');
	jra_csv_field(&b, "-2+3");
	jra_buf_addch(&b, ',');
	jra_csv_field(&b, "\tx");
	is_str(jra_buf_str(&b), "\"'=HYPERLINK(\"\"http://x\"\")\",\"'@SUM(A1)\",\"'-2+3\",\"'\tx\"",
	       "csv: text that a spreadsheet would run as a formula is made text");
	jra_buf_reset(&b);
	jra_csv_field(&b, "-12");
	jra_buf_addch(&b, ',');
	jra_csv_field(&b, "+3.5");
	jra_buf_addch(&b, ',');
	jra_csv_field(&b, "a=b");
	is_str(jra_buf_str(&b), "-12,+3.5,a=b", "csv: numbers and an = inside text stay as they are");
	jra_buf_release(&b);

	ok(jra_display_width("\xe6\x97\xa5\xe6\x9c\xac.jp") == 7, "wide characters count 2");
	return done_testing();
}
