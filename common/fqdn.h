#ifndef JRA_FQDN_H
#define JRA_FQDN_H

/*
 * FQDNs (利用FQDN) as the contract wants them on the wire: A-labels,
 * lower case, no trailing dot.  Shared by jra (checks before sending) and
 * the sandbox (checks what it receives).
 */

#include "err.h"

/* The longest FQDN in octets, without the trailing dot. */
#define JRA_FQDN_MAX 253

/*
 * Normalises input: Unicode labels become A-labels (libidn2, UTS #46
 * non-transitional), upper case becomes lower case, one trailing dot is
 * dropped.  Then checks the contract's rules for a valid FQDN: LDH labels
 * of 1-63 octets, at most 253 octets, two labels or more, a wildcard only
 * as the whole first label "*", not an IP address, and not a public suffix
 * (libpsl; "*.co.jp" is refused because "co.jp" is one).
 * Returns 0 and a newly allocated A-label form in *out, or JRA_ERR_DATA
 * with a one-line message naming the name and what is wrong with it.
 */
int jra_fqdn_normalize(const char *input, char **out, struct jra_error *e);

/* Strict form for the server: input must already be the wire form
 * (no Unicode, no upper case, no trailing dot) and valid as above. */
int jra_fqdn_check_wire(const char *fqdn, struct jra_error *e);

/* The Unicode (U-label) form of an A-label FQDN, newly allocated;
 * a copy of ascii when it has no A-labels or cannot be converted. */
char *jra_fqdn_to_unicode(const char *ascii);

/*
 * The names an FQDN covers (terms §5.2): a normal FQDN covers itself and
 * "www." + itself; "*.example.jp" covers itself and "example.jp".
 * Fills names[0] and names[1] with newly allocated strings; names[1] is
 * NULL when "www." + the name would pass JRA_FQDN_MAX octets, a name no
 * certificate can carry, so such an FQDN covers itself only.
 */
void jra_fqdn_covered_names(const char *ascii, char *names[2]);

#endif
