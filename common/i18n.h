#ifndef JRA_I18N_H
#define JRA_I18N_H

/*
 * Messages for people go through gettext, in the one text domain "jra";
 * main() binds it.  What scripts read (JSON keys, CSV headers, the API's
 * values, problem type names, the "jra:" prefix) is never translated.
 *
 *   _("text")   the translation of text, now
 *   N_("text")  marks text for the catalog; translate it where it is used
 */

#include <libintl.h>

#define JRA_TEXTDOMAIN "jra"

/* dgettext: common/ is linked into jra-sandbox too, which binds no domain */
#define _(s) dgettext(JRA_TEXTDOMAIN, s)
#define N_(s) s

#endif
