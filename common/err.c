#include "err.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "buf.h"
#include "i18n.h"

int jra_verror(struct jra_error *e, enum jra_err code, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	e->hint[0] = '\0';
	return code;
}

int jra_error(struct jra_error *e, enum jra_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jra_verror(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int jra_error_hint(struct jra_error *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return JRA_ERR_SOFTWARE;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
	return e->code;
}

void jra_error_prefix(struct jra_error *e, const char *fmt, ...)
{
	struct jra_buf b = JRA_BUF_INIT;
	va_list ap;

	if (!e)
		return;
	/* Built aside, so fmt's arguments may point into e->msg; what no
	 * longer fits is cut at the end. */
	va_start(ap, fmt);
	jra_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	jra_buf_addf(&b, ": %s", e->msg);
	snprintf(e->msg, sizeof(e->msg), "%s", jra_buf_str(&b));
	jra_buf_release(&b);
}

int jra_error_openssl(struct jra_error *e)
{
	unsigned long code;
	char buf[256];
	size_t len;

	if (!e) {
		ERR_clear_error();
		return JRA_ERR_SOFTWARE;
	}
	while ((code = ERR_get_error()) != 0) {
		ERR_error_string_n(code, buf, sizeof(buf));
		len = strlen(e->msg);
		if (len + 3 < sizeof(e->msg))
			snprintf(e->msg + len, sizeof(e->msg) - len, " (%s)", buf);
	}
	return e->code;
}

void jra_error_clear(struct jra_error *e)
{
	if (!e)
		return;
	e->code = JRA_OK;
	e->msg[0] = '\0';
	e->hint[0] = '\0';
}

int jra_exit_code(int code)
{
	if (code >= 0)
		return 0;
	return -code;
}

const char *jra_err_name(int code)
{
	switch (code) {
	case JRA_OK: return _("success");
	case JRA_ERR_REFUSED: return _("refused by the CA");
	case JRA_ERR_PARTIAL: return _("partly failed");
	case JRA_ERR_USAGE: return _("usage error");
	case JRA_ERR_DATA: return _("bad input data");
	case JRA_ERR_UNAVAILABLE: return _("CA unavailable");
	case JRA_ERR_SOFTWARE: return _("internal error");
	case JRA_ERR_TEMP: return _("temporary failure");
	case JRA_ERR_AUTH: return _("authentication failed");
	case JRA_ERR_CONFIG: return _("configuration error");
	}
	return _("error");
}
