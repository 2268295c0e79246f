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
}

