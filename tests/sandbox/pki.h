#ifndef SBX_PKI_H
#define SBX_PKI_H

/*
 * The sandbox's X.509 side: a root CA (the trust anchor written to
 * DIR/ca.pem), an issuing CA under it that signs subscriber certificates
 * and the CRL, and the TLS server certificate of the sandbox itself
 * (ECDSA P-256, SANs iPAddress 127.0.0.1, ::1 and DNS localhost, chaining
 * to DIR/ca.pem).  All of it is created on first start in the state
 * directory and loaded on later starts.  Every function is thread-safe.
 *
 * Files in the state directory (keys PEM PKCS#8, mode 0600):
 *   ca.pem, ca.key          root CA, the trust anchor clients use
 *   issuer.pem, issuer.key  issuing CA: subscriber certificates and the CRL
 *   tls.pem, tls.key        the sandbox's own TLS certificate
 * The TLS certificate is signed by the root directly, so the listener's
 * chain is one certificate and revocation tests never touch it.
 *
 * The CAs and the TLS certificate take their validity from real time
 * (time(NULL)): TLS clients check them against their own clock, and tests
 * move the sandbox clock years ahead.  Subscriber certificates and CRLs
 * carry exactly the times the caller gives.
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

struct sbx_pki;

/* Loads the CAs and TLS credentials from dir, creating what is missing
 * (dir itself mode 0700, key files mode 0600) and renewing a TLS
 * certificate that expires within 30 days of real time.  now: the sandbox
 * clock; not used for validity, see above.  Corrupt or inconsistent files:
 * JRA_ERR_CONFIG naming the file.  *out is newly allocated. */
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
 * makes a fresh P-256 key (the private key is not kept).  The CSR's own
 * names are ignored; its key must be RSA of 2048 bits or more (the
 * certificate then also allows keyEncipherment) or ECDSA on P-256, P-384
 * or P-521.  Names must be ASCII (A-labels); a first name longer than 64
 * characters leaves the subject empty and the SAN critical.  *out is
 * overwritten; on failure it is empty.
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

/* A v2 DER CRL signed by the issuing CA (ECDSA with SHA-256), with CRL
 * Number crl_number and one entry per revoked serial; newly allocated in
 * *der, free() it.  A bad serial or reason: JRA_ERR_DATA. */
int sbx_pki_crl(struct sbx_pki *pki, const struct sbx_revoked *revoked, size_t n,
		uint64_t crl_number, time_t this_update, time_t next_update,
		unsigned char **der, size_t *derlen, struct jra_error *e);

#endif
