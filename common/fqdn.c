#include "fqdn.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <libpsl.h>

#include "buf.h"
#include "i18n.h"

#define LABEL_MAX 63
/* How much of a bad input a message repeats. */
#define SHOW_MAX 200

/* UTS #46 non-transitional: "ß" stays "ß" (xn--zca), as browsers resolve it. */
#define IDNA_FLAGS (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)

/* Whether s is well-formed UTF-8 (RFC 3629), overlong forms aside. */
static int is_utf8(const unsigned char *s)
{
	while (*s) {
		size_t more = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 :
			      (*s & 0xf8) == 0xf0 ? 3 : 4;

		if (more == 4)
			return 0;
		s++;
		for (; more > 0; more--, s++)
			if ((*s & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* input as a message may show it: control bytes (and bytes of bad UTF-8) escaped, long input cut. */
static void show(char *dst, size_t size, const char *input)
{
	int utf8 = is_utf8((const unsigned char *)input);
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)input; *c && n + 8 < size; c++) {
		if (c - (const unsigned char *)input >= SHOW_MAX) {
			n += (size_t)snprintf(dst + n, size - n, "...");
			break;
		}
		if (*c < 0x20 || *c == 0x7f || (*c >= 0x80 && !utf8))
			n += (size_t)snprintf(dst + n, size - n, "\\x%02x", *c);
		else
			dst[n++] = (char)*c;
	}
	dst[n] = '\0';
}

static int invalid(struct jra_error *e, const char *input, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int invalid(struct jra_error *e, const char *input, const char *fmt, ...)
{
	char shown[4 * SHOW_MAX + 8], why[512];
	va_list ap;

	show(shown, sizeof(shown), input);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return jra_error(e, JRA_ERR_DATA, _("invalid FQDN '%s': %s"), shown, why);
}

static int has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

static int is_ip_address(const char *s)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

/* The contract's LDH rules for each label of an A-label name (without "*."). */
static int check_labels(const char *input, const char *ascii, size_t *nlabels,
			struct jra_error *e)
{
	const char *label = ascii, *last = ascii;
	size_t n = 0;

	for (;;) {
		const char *end = strchr(label, '.');
		size_t len = end ? (size_t)(end - label) : strlen(label);

		if (len == 0)
			return invalid(e, input, _("empty label"));
		if (len > LABEL_MAX)
			return invalid(e, input, _("label '%.*s...' is %zu octets long; the limit is %d"),
				       20, label, len, LABEL_MAX);
		for (size_t i = 0; i < len; i++) {
			char c = label[i];

			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
				continue;
			if (c == '*')
				return invalid(e, input, _("a wildcard is allowed only as the whole first label '*'"));
			return invalid(e, input, _("label '%.*s' has the character '%c'; only letters, digits and '-' are allowed"),
				       (int)len, label, c);
		}
		if (label[0] == '-' || label[len - 1] == '-')
			return invalid(e, input, _("label '%.*s' starts or ends with '-'"), (int)len, label);
		/* RFC 5891 section 4.2.3.1: "??--" is reserved for A-labels ("xn--"). */
		if (len >= 4 && label[2] == '-' && label[3] == '-' &&
		    !(label[0] == 'x' && label[1] == 'n'))
			return invalid(e, input, _("label '%.*s' has '--' in the third and fourth places, which only A-labels ('xn--') may"),
				       (int)len, label);
		n++;
		last = label;
		if (!end)
			break;
		label = end + 1;
	}
	if (strspn(last, "0123456789") == strlen(last))
		return invalid(e, input, _("the top-level label '%s' is all digits"), last);
	*nlabels = n;
	return 0;
}

/* A-labels must decode and re-encode to themselves. */
static int check_a_labels(const char *input, const char *ascii, struct jra_error *e)
{
	char *again = NULL;
	int rc;

	if (strncmp(ascii, "xn--", 4) != 0 && !strstr(ascii, ".xn--"))
		return 0;
	rc = idn2_to_ascii_8z(ascii, &again, IDNA_FLAGS);
	if (rc != IDN2_OK)
		return invalid(e, input, _("bad A-label: %s"), idn2_strerror(rc));
	rc = strcmp(again, ascii);
	idn2_free(again);
	if (rc != 0)
		return invalid(e, input, _("an A-label is not in its canonical form"));
	return 0;
}

int jra_fqdn_normalize(const char *input, char **out, struct jra_error *e)
{
	char *copy = NULL, *ascii = NULL, *base;
	const psl_ctx_t *psl;
	size_t len, nlabels = 0;
	int wild = 0, dropped_dot = 0, rc;

	*out = NULL;
	if (!input)
		input = "";
	for (const unsigned char *c = (const unsigned char *)input; *c; c++)
		if (*c <= 0x20 || *c == 0x7f)
			return invalid(e, input, _("contains a space or a control character"));
	copy = jra_xstrdup(input);
	len = strlen(copy);
	if (len > 0 && copy[len - 1] == '.') {
		copy[--len] = '\0';
		dropped_dot = 1;
	}
	base = copy;
	if (strncmp(base, "*.", 2) == 0) {
		wild = 1;
		base += 2;
	}
	if (!*base || strcmp(base, "*") == 0) {
		rc = invalid(e, input, *base || wild ? _("a wildcard needs a name after it ('*.example.jp')")
						     : _("empty name"));
		goto cleanup;
	}
	if (is_ip_address(base)) {
		rc = invalid(e, input, _("an IP address is not a domain name"));
		goto cleanup;
	}
	if (has_non_ascii(base)) {
		char *a = NULL;

		/* UTS #46 also maps ideographic full stops and full-width letters. */
		rc = idn2_to_ascii_8z(base, &a, IDNA_FLAGS);
		if (rc != IDN2_OK) {
			rc = invalid(e, input, "%s", idn2_strerror(rc));
			goto cleanup;
		}
		ascii = jra_xstrdup(a);
		idn2_free(a);
		len = strlen(ascii);
		if (!dropped_dot && len > 0 && ascii[len - 1] == '.')
			ascii[len - 1] = '\0';
	} else {
		ascii = jra_xstrdup(base);
		for (char *c = ascii; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	rc = check_labels(input, ascii, &nlabels, e);
	if (rc < 0)
		goto cleanup;
	if (strlen(ascii) + (wild ? 2 : 0) > JRA_FQDN_MAX) {
		rc = invalid(e, input, _("%zu octets long; the limit is %d"),
			     strlen(ascii) + (wild ? 2 : 0), JRA_FQDN_MAX);
		goto cleanup;
	}
	rc = check_a_labels(input, ascii, e);
	if (rc < 0)
		goto cleanup;
	psl = psl_builtin();
	if (!psl) {
		rc = jra_error(e, JRA_ERR_SOFTWARE,
			       _("libpsl has no built-in public suffix list to check '%s' against"), ascii);
		goto cleanup;
	}
	/* Unknown TLDs: only the TLD itself is a suffix, and one label is refused below. */
	if (psl_is_public_suffix2(psl, ascii, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE)) {
		rc = invalid(e, input, _("'%s' is a public suffix"), ascii);
		goto cleanup;
	}
	if (nlabels < 2) {
		rc = invalid(e, input, _("a single label; an FQDN has two labels or more"));
		goto cleanup;
	}
	*out = wild ? jra_xasprintf("*.%s", ascii) : ascii;
	if (!wild)
		ascii = NULL;
	rc = 0;
cleanup:
	free(copy);
	free(ascii);
	return rc;
}

int jra_fqdn_check_wire(const char *fqdn, struct jra_error *e)
{
	char *norm = NULL;
	size_t len;
	int rc;

	if (!fqdn || !*fqdn)
		return invalid(e, "", _("empty name"));
	for (const unsigned char *c = (const unsigned char *)fqdn; *c; c++) {
		if (*c >= 0x80)
			return invalid(e, fqdn, _("not in A-label form (xn--...)"));
		if (*c >= 'A' && *c <= 'Z')
			return invalid(e, fqdn, _("upper case; the wire form is lower case"));
	}
	len = strlen(fqdn);
	if (fqdn[len - 1] == '.')
		return invalid(e, fqdn, _("trailing dot; the wire form has none"));
	rc = jra_fqdn_normalize(fqdn, &norm, e);
	if (rc < 0)
		return rc;
	if (strcmp(norm, fqdn) != 0)
		rc = invalid(e, fqdn, _("not in wire form (expected '%s')"), norm);
	free(norm);
	return rc;
}

/* ASCII with no label in the ACE form "xn--": its Unicode form is itself. */
static int plain_ascii(const char *s)
{
	const char *label = s, *p;

	for (;;) {
		if (strncasecmp(label, "xn--", 4) == 0)
			return 0;
		for (p = label; *p && *p != '.'; p++)
			if ((unsigned char)*p >= 0x80)
				return 0;
		if (!*p)
			return 1;
		label = p + 1;
	}
}

char *jra_fqdn_to_unicode(const char *ascii)
{
	const char *base = ascii;
	char *u = NULL, *back = NULL, *res;
	int wild = strncmp(ascii, "*.", 2) == 0;

	/* the common case, without libidn2's conversions both ways */
	if (plain_ascii(ascii))
		return jra_xstrdup(ascii);
	if (wild)
		base += 2;
	if (idn2_to_unicode_8z8z(base, &u, 0) != IDN2_OK || !u)
		return jra_xstrdup(ascii);
	/* Only a conversion that maps back to the same A-labels is trusted. */
	if (idn2_to_ascii_8z(u, &back, IDNA_FLAGS) != IDN2_OK || strcmp(back, base) != 0) {
		idn2_free(u);
		idn2_free(back);
		return jra_xstrdup(ascii);
	}
	res = jra_xasprintf("%s%s", wild ? "*." : "", u);
	idn2_free(u);
	idn2_free(back);
	return res;
}

void jra_fqdn_covered_names(const char *ascii, char *names[2])
{
	/* terms §5.2 */
	names[0] = jra_xstrdup(ascii);
	if (strncmp(ascii, "*.", 2) == 0)
		names[1] = jra_xstrdup(ascii + 2);
	else if (strlen(ascii) + 4 <= JRA_FQDN_MAX)
		names[1] = jra_xasprintf("www.%s", ascii);
	else
		names[1] = NULL;
}
