#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "sfv.h"
#include "tap.h"

static int parses(const char *s)
{
	struct jra_sfv_dict d = JRA_SFV_DICT_INIT;
	int rc = jra_sfv_parse_dict(s, strlen(s), &d, NULL);

	jra_sfv_dict_release(&d);
	return rc == 0;
}

/* Parses s, then serializes member key (an inner list) canonically; newly allocated. */
static char *reserialize(const char *s, const char *key)
{
	struct jra_sfv_dict d = JRA_SFV_DICT_INIT;
	struct jra_buf b = JRA_BUF_INIT;
	const struct jra_sfv_member *m;
	char *out = NULL;

	if (jra_sfv_parse_dict(s, strlen(s), &d, NULL) == 0 && (m = jra_sfv_dict_get(&d, key)) &&
	    m->is_list && jra_sfv_ser_inner_list(&b, m->items, m->nitems, &m->params) == 0)
		out = jra_buf_take(&b);
	jra_buf_release(&b);
	jra_sfv_dict_release(&d);
	return out;
}

static void test_dictionary(void)
{
	struct jra_sfv_dict d = JRA_SFV_DICT_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	const struct jra_sfv_member *m;
	const struct jra_sfv_bare *v;
	const char *s;

	/* RFC 8941 section 3.2's examples */
	s = "en=\"Applepie\", da=:w4ZibGV0w6ZydGU=:";
	ok(jra_sfv_parse_dict(s, strlen(s), &d, &e) == 0, "RFC 8941 3.2 example parses");
	ok(d.n == 2, "two members");
	m = jra_sfv_dict_get(&d, "en");
	ok(m && !m->is_list && m->bare.type == JRA_SFV_STRING && strcmp(m->bare.str, "Applepie") == 0,
	   "en is the string Applepie");
	m = jra_sfv_dict_get(&d, "da");
	ok(m && m->bare.type == JRA_SFV_BYTES && m->bare.len == 11 &&
	   memcmp(m->bare.bytes, "\xc3\x86" "blet\xc3\xa6rte", 11) == 0,
	   "da is the byte sequence of 'Æbletærte'");
	jra_sfv_dict_release(&d);

	s = "a=?0, b, c; foo=bar";
	ok(jra_sfv_parse_dict(s, strlen(s), &d, &e) == 0, "booleans and a parameter parse");
	m = jra_sfv_dict_get(&d, "a");
	ok(m && m->bare.type == JRA_SFV_BOOLEAN && m->bare.integer == 0, "a is false");
	m = jra_sfv_dict_get(&d, "b");
	ok(m && m->bare.type == JRA_SFV_BOOLEAN && m->bare.integer == 1 && m->params.n == 0,
	   "a bare key is true");
	m = jra_sfv_dict_get(&d, "c");
	v = m ? jra_sfv_params_get(&m->params, "foo") : NULL;
	ok(m && m->bare.integer == 1 && v && v->type == JRA_SFV_TOKEN && strcmp(v->str, "bar") == 0,
	   "c is true with foo=bar");
	jra_sfv_dict_release(&d);

	s = "rating=1.5, feelings=(joy sadness)";
	ok(jra_sfv_parse_dict(s, strlen(s), &d, &e) == 0, "decimal and inner list of tokens");
	m = jra_sfv_dict_get(&d, "rating");
	ok(m && m->bare.type == JRA_SFV_DECIMAL && m->bare.integer == 1500, "1.5 is 1500 thousandths");
	m = jra_sfv_dict_get(&d, "feelings");
	ok(m && m->is_list && m->nitems == 2 && strcmp(m->items[1].bare.str, "sadness") == 0,
	   "feelings is (joy sadness)");
	jra_sfv_dict_release(&d);

	s = "a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid";
	ok(jra_sfv_parse_dict(s, strlen(s), &d, &e) == 0, "mixed members parse");
	m = jra_sfv_dict_get(&d, "d");
	ok(m && m->is_list && m->nitems == 2 && m->items[0].bare.integer == 5 &&
	   jra_sfv_params_get(&m->params, "valid"), "d=(5 6);valid");
	jra_sfv_dict_release(&d);

	s = "a=1, b=2, a=3";
	ok(jra_sfv_parse_dict(s, strlen(s), &d, &e) == 0 && d.n == 2 &&
	   strcmp(d.v[0].key, "a") == 0 && d.v[0].bare.integer == 3,
	   "a repeated key keeps its place and takes the last value");
	jra_sfv_dict_release(&d);

	s = "x=(\"a\");p=1;p=2";
	ok(jra_sfv_parse_dict(s, strlen(s), &d, &e) == 0 && d.v[0].params.n == 1 &&
	   d.v[0].params.v[0].value.integer == 2, "a repeated parameter takes the last value");
	jra_sfv_dict_release(&d);

	s = "   a=1 ,\tb=2   ";
	ok(jra_sfv_parse_dict(s, strlen(s), &d, &e) == 0 && d.n == 2,
	   "leading SP, OWS around commas and trailing SP are allowed");
	jra_sfv_dict_release(&d);

	ok(parses("") && parses("   "), "an empty field is an empty dictionary");
	ok(parses("a=-999999999999999, b=999999999999999"), "15-digit integers");
	ok(parses("a=-999999999999.999"), "decimal with 12 + 3 digits");
	ok(parses("a=\"\", b=\"\\\"\\\\\""), "empty string and escapes");
	ok(parses("a=*tok/en:x, b=*"), "tokens with '*', '/' and ':'");
	ok(parses("a=::"), "empty byte sequence");
	ok(parses("a=:YQ:"), "unpadded base64 is accepted (RFC 8941 4.2.7)");
	ok(parses("a=();p"), "empty inner list with a parameter");
	ok(parses("a=( 1  2 )"), "spaces inside an inner list");
	ok(parses("*a.b-c_d*9=1"), "key characters");
}

static void test_strictness(void)
{
	static const char *const bad[] = {
		"a=1,",                  /* trailing comma */
		"a=1,   ",               /* trailing comma and space */
		",a=1",                  /* leading comma */
		"a=1 b=2",               /* missing comma */
		"A=1",                   /* upper-case key */
		"1a=1",                  /* key starting with a digit */
		"a=1;B=2",               /* upper-case parameter key */
		"\ta=1",                 /* leading HTAB is not SP */
		"a=1 ;p=1",              /* space before ';' of an item */
		"a=\"\\x\"",             /* bad escape */
		"a=\"unterminated",
		"a=\"tab\there\"",       /* control character in a string */
		"a=\"caf\xc3\xa9\"",     /* non-ASCII in a string */
		"a=1234567890123456",    /* 16 digits */
		"a=1234567890123.0",     /* 13 digits before the point */
		"a=1.1234",              /* 4 fractional digits */
		"a=1.",                  /* ends with the point */
		"a=-",                   /* sign only */
		"a=-a",
		"a=1.2.3",
		"a=:abc$:",              /* not base64 */
		"a=:YWJj",               /* unterminated byte sequence */
		"a=:Y=Jj:",              /* padding in the middle */
		"a=:YQ=:",               /* wrong padding */
		"a=:YWJj-_:",            /* URL alphabet is not allowed here */
		"a=?2",
		"a=?",
		"a=(1 2",                /* unterminated inner list */
		"a=(\"x\"\"y\")",        /* items not separated by SP */
		"a=(1,2)",
		"a=((1))",               /* nested inner list */
		"a=@b",                  /* not an item */
		"a=1, b=",               /* missing value */
		"a=%",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!parses(bad[i]), "refuses %s", bad[i]);
}

static void test_error_message(void)
{
	struct jra_sfv_dict d = JRA_SFV_DICT_INIT;
	struct jra_error e = JRA_ERROR_INIT;

	ok(jra_sfv_parse_dict("a=1 b=2", 7, &d, &e) == JRA_ERR_DATA, "error code is JRA_ERR_DATA");
	ok(strstr(e.msg, "offset 4") != NULL, "message names the offset: %s", e.msg);
	ok(d.n == 0 && d.v == NULL, "dictionary left empty on error");
	jra_sfv_dict_release(&d);
}

static void test_serialize(void)
{
	struct jra_buf b = JRA_BUF_INIT;
	char *s;

	s = reserialize("sig1=(  \"@method\"   \"@target-uri\" );created=1618884473;keyid=\"k\"", "sig1");
	is_str(s, "(\"@method\" \"@target-uri\");created=1618884473;keyid=\"k\"",
	       "inner list re-serialized canonically");
	free(s);
	s = reserialize("x=(1.50 -0.250 2.0 0.001);d=1.100", "x");
	is_str(s, "(1.5 -0.25 2.0 0.001);d=1.1", "decimals lose trailing zeros but keep one digit");
	free(s);
	s = reserialize("x=(a ?0 ?1);p=?1;q=?0", "x");
	is_str(s, "(a ?0 ?1);p;q=?0", "a true parameter is its bare key");
	free(s);
	s = reserialize("x=(\"a\\\"b\\\\c\" :YQ: tok/en);n=-5", "x");
	is_str(s, "(\"a\\\"b\\\\c\" :YQ==: tok/en);n=-5", "escapes kept, base64 padded");
	free(s);
	s = reserialize("x=(\"a\";p=1 b;q)", "x");
	is_str(s, "(\"a\";p=1 b;q)", "item parameters");
	free(s);
	s = reserialize("x=()", "x");
	is_str(s, "()", "empty inner list");
	free(s);

	ok(jra_sfv_ser_integer(&b, 1000000000000000LL) < 0, "integer out of range refused");
	ok(jra_sfv_ser_string(&b, "line\nbreak") < 0, "string with LF refused");
	ok(jra_sfv_ser_string(&b, "caf\xc3\xa9") < 0, "non-ASCII string refused");
	ok(jra_sfv_ser_token(&b, "1abc") < 0, "token starting with a digit refused");
	ok(jra_sfv_ser_key(&b, "Key") < 0, "upper-case key refused");
	jra_buf_release(&b);
}

int main(void)
{
	test_dictionary();
	test_strictness();
	test_error_message();
	test_serialize();
	return done_testing();
}
