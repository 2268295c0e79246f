#include "cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

int jra_eab_create(const char *path, struct jra_error *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	jra_error(e, JRA_ERR_DATA, _("cannot create '%s': %s"), path, strerror(errno));
	if (errno == EEXIST)
		jra_error_hint(e, _("jra does not overwrite credentials; name a new file"));
	return e->code;
}

/* The EAB credentials file: {"kid", "hmac_key", "directory_url"}. */
int jra_eab_write(int fd, const char *path, json_t *eab, const char *directory,
		  struct jra_error *e)
{
	json_t *doc;
	char *text;
	size_t len, off = 0;
	ssize_t n;
	int r = 0;

	doc = json_pack("{s:O?, s:O?, s:s?}", "kid", json_object_get(eab, "kid"),
			"hmac_key", json_object_get(eab, "hmac_key"), "directory_url", directory);
	text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	if (!text)
		return jra_error(e, JRA_ERR_SOFTWARE, _("cannot encode the EAB credentials"));
	len = strlen(text);
	text = jra_xrealloc(text, len + 2);
	text[len++] = '\n';
	text[len] = '\0';
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = jra_error(e, JRA_ERR_DATA, _("cannot write '%s': %s"), path, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = jra_error(e, JRA_ERR_DATA, _("cannot write '%s': %s"), path, strerror(errno));
	memset(text, 0, len);
	free(text);
	return r;
}

/*
 * Ready-to-paste account registration for the ACME clients customers use
 * most.  Base64url without padding is the one form of the key that all of
 * them accept, and it is the form the CA gives.  The e-mail address is the
 * customer's own, so it stays a placeholder.
 */
static void print_client_lines(FILE *fp, const char *kid, const char *key, const char *directory,
			       const char *domain)
{
	const char *dir = directory ? directory : "ACME_DIRECTORY_URL";

	fputs(_("\nTo register the customer's ACME account with these credentials:\n"), fp);
	fprintf(fp, "  certbot register --server '%s' --eab-kid '%s' --eab-hmac-key '%s' "
		"--agree-tos -m you@example.jp\n", dir, kid, key);
	fprintf(fp, "  lego --server '%s' --eab --kid '%s' --hmac '%s' --accept-tos "
		"--email you@example.jp --domains '%s' --http run\n", dir, kid, key,
		domain ? domain : "www.example.jp");
	fprintf(fp, "  acme.sh --register-account --server '%s' --eab-kid '%s' --eab-hmac-key '%s' "
		"-m you@example.jp\n", dir, kid, key);
	if (!directory)
		fputs(_("(set acme_directory in the profile to have the CA's ACME directory URL "
			"filled in)\n"), fp);
}

int jra_eab_show_usage(FILE *fp, const char *path, struct jra_error *e)
{
	json_error_t jerr;
	json_t *doc, *kid, *key, *dir;

	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return jra_error(e, JRA_ERR_DATA, _("cannot read EAB credentials from '%s': %s"),
				 path, jerr.text);
	kid = json_object_get(doc, "kid");
	key = json_object_get(doc, "hmac_key");
	dir = json_object_get(doc, "directory_url");
	if (!json_is_string(kid) || !json_is_string(key) || (dir && !json_is_null(dir) &&
							       !json_is_string(dir))) {
		json_decref(doc);
		jra_error(e, JRA_ERR_DATA, _("'%s' is not an EAB credentials file: it needs "
					     "\"kid\" and \"hmac_key\" strings"), path);
		return jra_error_hint(e, _("give the file that 'jra apply --eab-out' or 'jra "
					   "subscriber rotate-eab --eab-out' wrote"));
	}
	jra_out_field(fp, 16, _("eab kid"), json_string_value(kid));
	jra_out_field(fp, 16, _("eab hmac_key"), json_string_value(key));
	jra_out_field(fp, 16, _("acme directory"), json_string_value(dir));
	print_client_lines(fp, json_string_value(kid), json_string_value(key),
			   json_string_value(dir), NULL);
	json_decref(doc);
	return 0;
}

void jra_eab_print(FILE *fp, json_t *eab, const char *directory, json_t *covered,
		   int show_key)
{
	char *names;

	fputs(_("\nACME External Account Binding for the subscriber (shown this once):\n"), fp);
	jra_out_field(fp, 16, _("eab kid"), json_string_value(json_object_get(eab, "kid")));
	if (show_key)
		jra_out_field(fp, 16, _("eab hmac_key"),
			      json_string_value(json_object_get(eab, "hmac_key")));
	jra_out_field(fp, 16, _("acme directory"), directory);
	names = jra_out_text(covered, " ");
	jra_out_field(fp, 16, _("names"), names);
	free(names);
	if (show_key && json_is_string(json_object_get(eab, "kid")) &&
	    json_is_string(json_object_get(eab, "hmac_key")))
		print_client_lines(fp, json_string_value(json_object_get(eab, "kid")),
				   json_string_value(json_object_get(eab, "hmac_key")), directory,
				   json_string_value(json_array_get(covered, 0)));
}

