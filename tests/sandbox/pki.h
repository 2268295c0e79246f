#ifndef SBX_PKI_H
#define SBX_PKI_H

/*
 * The sandbox's X.509 side: a root CA (the trust anchor written to
 * DIR/ca.pem), an issuing CA under it that signs subscriber certificates
 * and the CRL, and the TLS server certificate of the sandbox itself
 * (ECDSA P-256, SANs iPAddress 127.0.0.1, ::1 and DNS localhost, chaining
 * to DIR/ca.pem).  All of it is created on first start in the state
 * directory and loaded on later starts.  Every function is thread-safe.
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

struct sbx_pki;

/* Loads the CAs and TLS credentials from dir, creating what is missing
 * (files mode 0600 for keys).  now: the sandbox clock, for validity. */
int sbx_pki_open(const char *dir, time_t now, struct sbx_pki **out, struct jra_error *e);
void sbx_pki_free(struct sbx_pki *pki);

/* PEM for the TLS listener: the server certificate chain, and its key.
 * Owned by pki. */
const char *sbx_pki_tls_cert_pem(const struct sbx_pki *pki);
const char *sbx_pki_tls_key_pem(const struct sbx_pki *pki);
/* PEM of the issuing CA certificate.  Owned by pki. */
const char *sbx_pki_issuer_pem(const struct sbx_pki *pki);

struct sbx_cert {
	char serial[41];  /* lower-case hex, no separators, no leading 00 */
	char *pem;        /* leaf, then the issuing CA; newly allocated */
};

/*
 * Issues a certificate for names (DNS SANs, in order; the first is also
 * the subject CN) valid from not_before to not_after, with a random serial
 * of at least 64 bits.  With csr_pem, the CSR's public key is used after
 * its signature is checked (JRA_ERR_DATA when bad); without, the sandbox
 * makes a fresh P-256 key (the private key is not kept).
 */
int sbx_pki_issue(struct sbx_pki *pki, const char *const *names, size_t nnames,
		  const char *csr_pem, time_t not_before, time_t not_after,
		  struct sbx_cert *out, struct jra_error *e);
void sbx_cert_release(struct sbx_cert *c);

struct sbx_revoked {
	const char *serial;  /* lower-case hex */
	time_t revoked_at;
	int reason;          /* RFC 5280 CRLReason; 0 gets no reasonCode extension */
};

/* A DER CRL signed by the issuing CA, newly allocated in *der. */
int sbx_pki_crl(struct sbx_pki *pki, const struct sbx_revoked *revoked, size_t n,
		uint64_t crl_number, time_t this_update, time_t next_update,
		unsigned char **der, size_t *derlen, struct jra_error *e);

#endif
