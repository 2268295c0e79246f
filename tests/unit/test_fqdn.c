#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fqdn.h"
#include "tap.h"

static void good(const char *input, const char *want)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *out = NULL;

	if (jra_fqdn_normalize(input, &out, &e) != 0)
		printf("# %s\n", e.msg);
	is_str(out, want, "'%s' -> '%s'", input, want);
	free(out);
}

/* Refused with JRA_ERR_DATA and a message holding why. */
static void bad(const char *input, const char *why)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *out = NULL;
	int rc = jra_fqdn_normalize(input, &out, &e);

	/* The message, not the input: it shows control bytes escaped. */
	ok(rc == JRA_ERR_DATA && out == NULL && strstr(e.msg, why) != NULL, "refused: %s", e.msg);
	free(out);
}

/* A name of exactly len octets: labels of up to 63 octets, then ".jp". */
static char *name_of_length(size_t len)
{
	struct jra_buf b = JRA_BUF_INIT;
	size_t rest = len - 3;

	while (rest > 0) {
		/* 64 left would need an empty label after a 63-octet one. */
		size_t n = rest <= 63 ? rest : rest == 64 ? 62 : 63;

		for (size_t i = 0; i < n; i++)
			jra_buf_addch(&b, (char)('a' + (b.len + i) % 26));
		jra_buf_addch(&b, '.');
		rest -= n < rest ? n + 1 : n;
	}
	jra_buf_addstr(&b, "jp");
	return jra_buf_take(&b);
}

static void test_normalize(void)
{
	char *s, label[70], name[100];

	good("日本語.jp", "xn--wgv71a119e.jp");
	good("example.jp", "example.jp");
	good("EXAMPLE.JP", "example.jp");
	good("Example.JP.", "example.jp");
	good("example.jp.", "example.jp");
	good("XN--WGV71A119E.JP", "xn--wgv71a119e.jp");
	good("日本語。jp", "xn--wgv71a119e.jp");
	good("ＥＸＡＭＰＬＥ.jp", "example.jp");
	good("日本語.jp.", "xn--wgv71a119e.jp");
	good("*.example.jp", "*.example.jp");
	good("*.日本語.jp", "*.xn--wgv71a119e.jp");
	good("*.EXAMPLE.JP.", "*.example.jp");
	good("www.example.co.jp", "www.example.co.jp");
	good("a-b.123.jp", "a-b.123.jp");
	good("city.kawasaki.jp", "city.kawasaki.jp");
	good("example.unknowntld", "example.unknowntld");

	/* 63 octets is the longest label */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.jp", label);
	good(name, name);
	label[63] = 'a';
	label[64] = '\0';
	snprintf(name, sizeof(name), "%s.jp", label);
	bad(name, "64 octets long");

	/* 253 octets is the longest name */
	s = name_of_length(253);
	ok(strlen(s) == 253, "a name of 253 octets");
	good(s, s);
	free(s);
	s = name_of_length(254);
	ok(strlen(s) == 254, "a name of 254 octets");
	bad(s, "254 octets long");
	free(s);
	s = name_of_length(251);
	{
		char *w = jra_xasprintf("*.%s", s);

		good(w, w);
		free(w);
	}
	free(s);
	s = name_of_length(252);
	{
		char *w = jra_xasprintf("*.%s", s);

		bad(w, "254 octets long");
		free(w);
	}
	free(s);
}

static void test_refusals(void)
{
	struct jra_error e = JRA_ERROR_INIT;
	char *out = NULL;

	jra_fqdn_normalize("a..jp", &out, &e);
	is_str(e.msg, "invalid FQDN 'a..jp': empty label", "the message names the name and the fault");
	jra_fqdn_normalize("co.jp", &out, &e);
	is_str(e.msg, "invalid FQDN 'co.jp': 'co.jp' is a public suffix", "public suffix message");

	bad("", "empty name");
	bad(".", "empty name");
	bad("*.", "a wildcard needs a name");
	bad("*", "a wildcard needs a name");
	bad("*..", "a wildcard needs a name");
	bad("example.jp..", "empty label");
	bad(".example.jp", "empty label");
	bad("jp", "'jp' is a public suffix");
	bad("JP.", "'jp' is a public suffix");
	bad("*.jp", "'jp' is a public suffix");
	bad("*.co.jp", "'co.jp' is a public suffix");
	bad("CO.JP", "'co.jp' is a public suffix");
	bad("foo.kawasaki.jp", "'foo.kawasaki.jp' is a public suffix");
	bad("東京.jp", "'xn--1lqs71d.jp' is a public suffix");
	bad("github.io", "'github.io' is a public suffix");
	bad("localhost", "a single label");
	bad("unknowntld", "a single label");
	bad("192.0.2.1", "an IP address");
	bad("192.0.2.1.", "an IP address");
	bad("*.192.0.2.1", "an IP address");
	bad("::1", "an IP address");
	bad("2001:DB8::1", "an IP address");
	bad("1.2.3", "top-level label '3' is all digits");
	bad("ex_ample.jp", "the character '_'");
	bad("exa mple.jp", "a space or a control character");
	bad("example.jp\n", "a space or a control character");
	bad("-example.jp", "starts or ends with '-'");
	bad("example-.jp", "starts or ends with '-'");
	bad("ab--cd.jp", "'--' in the third and fourth places");
	bad("xn--abc.jp", "bad A-label");
	bad("*example.jp", "a wildcard is allowed only");
	bad("a.*.jp", "a wildcard is allowed only");
	bad("*.*.example.jp", "a wildcard is allowed only");
	bad("\xff\xfe.jp", "invalid FQDN '\\xff\\xfe.jp'");
	bad("a\x1b[31m.jp", "\\x1b");
}

static void test_wire(void)
{
	struct jra_error e = JRA_ERROR_INIT;

	ok(jra_fqdn_check_wire("xn--wgv71a119e.jp", &e) == 0, "A-labels are the wire form");
	ok(jra_fqdn_check_wire("*.example.jp", &e) == 0, "a wildcard is");
	ok(jra_fqdn_check_wire("Example.jp", &e) == JRA_ERR_DATA && strstr(e.msg, "upper case"),
	   "upper case is not: %s", e.msg);
	ok(jra_fqdn_check_wire("example.jp.", &e) == JRA_ERR_DATA && strstr(e.msg, "trailing dot"),
	   "a trailing dot is not: %s", e.msg);
	ok(jra_fqdn_check_wire("日本語.jp", &e) == JRA_ERR_DATA && strstr(e.msg, "A-label"),
	   "Unicode is not: %s", e.msg);
	ok(jra_fqdn_check_wire("co.jp", &e) == JRA_ERR_DATA && strstr(e.msg, "public suffix"),
	   "a public suffix is refused: %s", e.msg);
	ok(jra_fqdn_check_wire("", &e) == JRA_ERR_DATA, "empty is refused");
}

static void test_unicode(void)
{
	char *s;

	s = jra_fqdn_to_unicode("xn--wgv71a119e.jp");
	is_str(s, "日本語.jp", "A-labels to U-labels");
	free(s);
	s = jra_fqdn_to_unicode("*.xn--wgv71a119e.jp");
	is_str(s, "*.日本語.jp", "with a wildcard");
	free(s);
	s = jra_fqdn_to_unicode("www.example.jp");
	is_str(s, "www.example.jp", "no A-labels: a copy");
	free(s);
	s = jra_fqdn_to_unicode("xn--abc.jp");
	is_str(s, "xn--abc.jp", "a bad A-label: a copy");
	free(s);
	s = jra_fqdn_to_unicode("www.xn--wgv71a119e.jp");
	is_str(s, "www.日本語.jp", "an A-label after the first label");
	free(s);
	s = jra_fqdn_to_unicode("ab--cd.xn.example.jp");
	is_str(s, "ab--cd.xn.example.jp", "hyphens elsewhere: a copy");
	free(s);
}

static void test_covered(void)
{
	char *names[2], *name;

	jra_fqdn_covered_names("example.jp", names);
	is_str(names[0], "example.jp", "a normal FQDN covers itself");
	is_str(names[1], "www.example.jp", "and www. + itself");
	free(names[0]);
	free(names[1]);
	jra_fqdn_covered_names("*.example.jp", names);
	is_str(names[0], "*.example.jp", "a wildcard covers itself");
	is_str(names[1], "example.jp", "and its base name");
	free(names[0]);
	free(names[1]);

	/* 249 octets: www. + it is exactly 253, still a name */
	name = name_of_length(249);
	jra_fqdn_covered_names(name, names);
	ok(names[1] && strlen(names[1]) == 253, "249 octets: www. + itself is 253 octets");
	free(names[0]);
	free(names[1]);
	free(name);
	/* 250 octets: www. + it would be 254, which no name can be */
	name = name_of_length(250);
	jra_fqdn_covered_names(name, names);
	ok(strlen(names[0]) == 250 && names[1] == NULL, "250 octets: it covers itself only");
	free(names[0]);
	free(names[1]);
	free(name);
}

int main(void)
{
	test_normalize();
	test_refusals();
	test_wire();
	test_unicode();
	test_covered();
	return done_testing();
}
