/*
 * The sandbox's PKI: state files, issuance, the CRL, and a real TLS
 * handshake (libmicrohttpd on GnuTLS serving, libcurl checking against
 * ca.pem) with the credentials it makes.
 */
/* nftw() */
#define _XOPEN_SOURCE 700

#include "pki.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define DAY (24 * 60 * 60)
/* 2031-04-01T00:00:00Z: the sandbox clock years ahead of real time. */
#define T0 ((time_t)1932768000)

/* Returns the contents of path, newly allocated, or NULL. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	long len;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		data = malloc((size_t)len + 1);
		if (data && fread(data, 1, (size_t)len, fp) != (size_t)len) {
			free(data);
			data = NULL;
		} else if (data) {
			data[len] = '\0';
		}
	}
	fclose(fp);
	return data;
}

static int spit(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

/* dir/name in a static buffer, valid until the next call. */
static char *path_in(const char *dir, const char *name)
{
	static char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		abort();
	return path;
}

static int mode_of(const char *dir, const char *name)
{
	struct stat st;

	if (stat(path_in(dir, name), &st) < 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static X509 *pem_cert(const char *pem, int index)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = NULL;

	for (int i = 0; bio && i <= index; i++) {
		X509_free(cert);
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	return cert;
}

static time_t asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return (time_t)-1;
	return timegm(&tm);
}

/* X509_verify_cert of the chain in pem (leaf, then intermediates) against
 * the trust anchor in ca_file at time at, for host; with crl when given. */
static int verify_chain(const char *pem, const char *ca_file, time_t at, const char *host,
			X509_CRL *crl)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *leaf = pem_cert(pem, 0), *x;
	int result = X509_V_ERR_UNSPECIFIED;

	for (int i = 1; (x = pem_cert(pem, i)) != NULL; i++)
		sk_X509_push(untrusted, x);
	if (store && ctx && untrusted && leaf &&
	    X509_STORE_load_file(store, ca_file) &&
	    (!crl || X509_STORE_add_crl(store, crl)) &&
	    X509_STORE_CTX_init(ctx, store, leaf, untrusted)) {
		X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);

		X509_VERIFY_PARAM_set_time(param, at);
		X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
		if (crl)
			X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
		if (host)
			X509_VERIFY_PARAM_set1_host(param, host, 0);
		result = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	}
	ERR_clear_error();
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return result;
}

/* Whether the dNSNames of cert are exactly names, in order, and nothing else. */
static int sans_are(X509 *cert, const char *const *names, size_t n)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int same = gens && (size_t)sk_GENERAL_NAME_num(gens) == n;

	for (size_t i = 0; same && i < n; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, (int)i);
		const ASN1_STRING *s = g->type == GEN_DNS ? g->d.dNSName : NULL;

		same = s && (size_t)ASN1_STRING_length(s) == strlen(names[i]) &&
		       memcmp(ASN1_STRING_get0_data(s), names[i], strlen(names[i])) == 0;
	}
	GENERAL_NAMES_free(gens);
	return same;
}

static int serial_bits(X509 *cert, char hex[64])
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL;
	int bits = bn ? BN_num_bits(bn) : -1;

	snprintf(hex, 64, "%s", h ? h : "");
	for (char *p = hex; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	OPENSSL_free(h);
	BN_free(bn);
	return bits;
}

static int key_ids_chain(X509 *cert, X509 *issuer)
{
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(cert);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);

	return aki && ski && X509_get0_subject_key_id(cert) && ASN1_OCTET_STRING_cmp(aki, ski) == 0;
}

/* Returns a PEM CSR signed by key, with its own (ignored) names. */
static char *make_csr(EVP_PKEY *key)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_REQ_get_subject_name(req);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long len;

	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"not-asked.example",
				       -1, -1, 0) &&
	    X509_REQ_set_pubkey(req, key) && X509_REQ_sign(req, key, EVP_sha256()) > 0 &&
	    PEM_write_bio_X509_REQ(bio, req) && (len = BIO_get_mem_data(bio, &data)) > 0)
		pem = strndup(data, (size_t)len);
	BIO_free(bio);
	X509_REQ_free(req);
	return pem;
}

/* Returns csr_pem with one bit of its signature flipped. */
static char *break_csr(const char *csr_pem)
{
	BIO *in = BIO_new_mem_buf(csr_pem, -1), *out = BIO_new(BIO_s_mem());
	X509_REQ *req = PEM_read_bio_X509_REQ(in, NULL, NULL, NULL);
	unsigned char *der = NULL;
	const unsigned char *p;
	X509_REQ *bad = NULL;
	char *data, *pem = NULL;
	int len = req ? i2d_X509_REQ(req, &der) : -1;
	long plen;

	if (len > 0) {
		/* The signature BIT STRING ends the encoding. */
		der[len - 1] ^= 0x01;
		p = der;
		bad = d2i_X509_REQ(NULL, &p, len);
	}
	if (bad && PEM_write_bio_X509_REQ(out, bad) && (plen = BIO_get_mem_data(out, &data)) > 0)
		pem = strndup(data, (size_t)plen);
	OPENSSL_free(der);
	X509_REQ_free(bad);
	X509_REQ_free(req);
	BIO_free(in);
	BIO_free(out);
	return pem;
}

static void test_open(const char *dir)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_pki *pki = NULL;
	char *ca1, *ca2, *issuer1, *tls1;
	X509 *root, *issuer, *tls;
	int rc;

	rc = sbx_pki_open(dir, T0, &pki, &e);
	if (!ok(rc == 0, "open in a fresh directory")) {
		printf("# %s\n", e.msg);
		exit(done_testing());
	}
	ok(mode_of(dir, "ca.key") == 0600, "ca.key is mode 0600");
	ok(mode_of(dir, "issuer.key") == 0600, "issuer.key is mode 0600");
	ok(mode_of(dir, "tls.key") == 0600, "tls.key is mode 0600");
	ca1 = slurp(path_in(dir, "ca.pem"));
	ok(ca1 && strstr(ca1, "-----BEGIN CERTIFICATE-----"), "ca.pem is a PEM certificate");
	ok(strncmp(sbx_pki_tls_key_pem(pki), "-----BEGIN PRIVATE KEY-----", 27) == 0,
	   "the TLS key is PEM PKCS#8");
	issuer1 = strdup(sbx_pki_issuer_pem(pki));
	tls1 = strdup(sbx_pki_tls_cert_pem(pki));

	root = pem_cert(ca1, 0);
	issuer = pem_cert(issuer1, 0);
	tls = pem_cert(tls1, 0);
	ok(root && X509_check_ca(root) && X509_get_pathlen(root) == -1 &&
	   (X509_get_key_usage(root) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN) &&
	   X509_get0_subject_key_id(root), "root: CA, keyCertSign and cRLSign, SKI");
	ok(root && X509_check_issued(root, root) == X509_V_OK &&
	   X509_verify(root, X509_get0_pubkey(root)) == 1, "root is self-signed");
	ok(root && EVP_PKEY_get_base_id(X509_get0_pubkey(root)) == EVP_PKEY_EC &&
	   EVP_PKEY_get_bits(X509_get0_pubkey(root)) == 256, "root key is P-256");
	ok(issuer && X509_check_ca(issuer) && X509_get_pathlen(issuer) == 0 &&
	   key_ids_chain(issuer, root), "issuing CA: pathlen 0, AKI = root SKI");
	ok(tls && verify_chain(tls1, path_in(dir, "ca.pem"), time(NULL), "localhost", NULL) == X509_V_OK,
	   "TLS certificate verifies against ca.pem now, for localhost");
	ok(tls && X509_check_ip_asc(tls, "127.0.0.1", 0) == 1 && X509_check_ip_asc(tls, "::1", 0) == 1,
	   "TLS certificate names 127.0.0.1 and ::1");
	ok(tls && asn1_time_t(X509_get0_notBefore(tls)) < time(NULL) - DAY / 2 &&
	   asn1_time_t(X509_get0_notAfter(tls)) > time(NULL) + 4 * 365 * DAY,
	   "TLS validity follows real time, not the sandbox clock");
	ok(root && asn1_time_t(X509_get0_notAfter(root)) > time(NULL) + 19 * 365 * DAY,
	   "root valid for about 20 years");
	X509_free(root);
	X509_free(issuer);
	X509_free(tls);
	sbx_pki_free(pki);

	pki = NULL;
	rc = sbx_pki_open(dir, T0 + 400 * DAY, &pki, &e);
	ok(rc == 0, "reopen");
	ca2 = slurp(path_in(dir, "ca.pem"));
	ok(ca1 && ca2 && strcmp(ca1, ca2) == 0, "reopen keeps ca.pem");
	ok(pki && strcmp(sbx_pki_issuer_pem(pki), issuer1) == 0, "reopen keeps the issuing CA");
	ok(pki && strcmp(sbx_pki_tls_cert_pem(pki), tls1) == 0, "reopen keeps the TLS certificate");
	sbx_pki_free(pki);
	free(ca1);
	free(ca2);
	free(issuer1);
	free(tls1);
}

static void test_bad_state(const char *dir)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_pki *pki = NULL;
	char sub[PATH_MAX], *key, *ca;
	X509 *root;
	EVP_PKEY *pkey;
	FILE *fp;
	int rc;

	/* A crash after writing the root key, before its certificate. */
	if ((size_t)snprintf(sub, sizeof(sub), "%s/half", dir) >= sizeof(sub))
		abort();
	key = slurp(path_in(dir, "ca.key"));
	ok(mkdir(sub, 0700) == 0 && key && spit(path_in(sub, "ca.key"), key, 0600) == 0,
	   "state with a root key only");
	rc = sbx_pki_open(sub, T0, &pki, &e);
	ok(rc == 0, "open completes a half-made state");
	ca = slurp(path_in(sub, "ca.pem"));
	root = ca ? pem_cert(ca, 0) : NULL;
	fp = fopen(path_in(dir, "ca.key"), "r");
	pkey = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
	if (fp)
		fclose(fp);
	ok(root && pkey && X509_check_private_key(root, pkey) == 1, "the new ca.pem is for the kept key");
	X509_free(root);
	EVP_PKEY_free(pkey);
	free(ca);
	free(key);
	sbx_pki_free(pki);
	pki = NULL;

	ok(spit(path_in(sub, "issuer.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n", 0644) == 0,
	   "corrupt issuer.pem");
	rc = sbx_pki_open(sub, T0, &pki, &e);
	ok(rc == JRA_ERR_CONFIG && !pki && strstr(e.msg, "issuer.pem"),
	   "corrupt issuer.pem: configuration error naming it (%s)", e.msg);
	unlink(path_in(sub, "issuer.pem"));

	ok(chmod(path_in(sub, "tls.key"), 0644) == 0, "tls.key made readable by others");
	rc = sbx_pki_open(sub, T0, &pki, &e);
	ok(rc == JRA_ERR_CONFIG && !pki && strstr(e.msg, "tls.key") && e.hint[0],
	   "a key readable by others is refused, with a hint (%s)", e.msg);
	chmod(path_in(sub, "tls.key"), 0600);

	unlink(path_in(sub, "ca.key"));
	rc = sbx_pki_open(sub, T0, &pki, &e);
	ok(rc == JRA_ERR_CONFIG && !pki && strstr(e.msg, "ca.key"),
	   "ca.pem without its key is refused (%s)", e.msg);
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *fp = fopen(path, "r");
	EVP_PKEY *key = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;

	if (fp)
		fclose(fp);
	return key;
}

/* A TLS certificate close to its end (in real time) is renewed on open. */
static void test_tls_renewal(const char *dir)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_pki *pki = NULL;
	char sub[PATH_MAX], *ca = NULL, *pem = NULL;
	EVP_PKEY *root_key = NULL, *tls_key = NULL;
	X509 *root = NULL, *old = NULL, *renewed = NULL;
	BIO *bio = NULL;
	long len;
	time_t now = time(NULL);

	if ((size_t)snprintf(sub, sizeof(sub), "%s/renew", dir) >= sizeof(sub))
		abort();
	if (!ok(sbx_pki_open(sub, T0, &pki, &e) == 0, "open a second state directory"))
		return;
	sbx_pki_free(pki);
	pki = NULL;
	ca = slurp(path_in(sub, "ca.pem"));
	root = ca ? pem_cert(ca, 0) : NULL;
	root_key = read_key(path_in(sub, "ca.key"));
	tls_key = read_key(path_in(sub, "tls.key"));
	old = X509_new();
	bio = BIO_new(BIO_s_mem());
	if (root && root_key && tls_key && old && bio &&
	    X509_set_version(old, X509_VERSION_3) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(old), 7) &&
	    X509_set_issuer_name(old, X509_get_subject_name(root)) &&
	    ASN1_TIME_set(X509_getm_notBefore(old), now - DAY) &&
	    ASN1_TIME_set(X509_getm_notAfter(old), now + 2 * DAY) &&
	    X509_set_pubkey(old, tls_key) &&
	    X509_sign(old, root_key, EVP_sha256()) > 0 &&
	    PEM_write_bio_X509(bio, old) && (len = BIO_get_mem_data(bio, &pem)) > 0)
		pem = strndup(pem, (size_t)len);
	else
		pem = NULL;
	ok(pem && spit(path_in(sub, "tls.pem"), pem, 0644) == 0, "tls.pem replaced by one ending in 2 days");
	if (!ok(sbx_pki_open(sub, T0, &pki, &e) == 0, "reopen"))
		printf("# %s\n", e.msg);
	renewed = pki ? pem_cert(sbx_pki_tls_cert_pem(pki), 0) : NULL;
	ok(renewed && asn1_time_t(X509_get0_notAfter(renewed)) > now + 4 * 365 * DAY &&
	   EVP_PKEY_eq(X509_get0_pubkey(renewed), tls_key) == 1,
	   "the TLS certificate is renewed, same key");
	ok(renewed && verify_chain(sbx_pki_tls_cert_pem(pki), path_in(sub, "ca.pem"), now, "localhost", NULL) ==
	   X509_V_OK, "the renewed certificate verifies");
	free(ca);
	ca = slurp(path_in(sub, "tls.pem"));
	ok(ca && pki && strcmp(ca, sbx_pki_tls_cert_pem(pki)) == 0, "and is saved to tls.pem");
	sbx_pki_free(pki);
	free(ca);
	free(pem);
	BIO_free(bio);
	X509_free(root);
	X509_free(old);
	X509_free(renewed);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(tls_key);
}

static void test_issue(const char *dir, struct sbx_pki *pki, struct sbx_cert *keep)
{
	static const char *const names[] = { "example.jp", "www.example.jp", "*.shop.example.jp" };
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_cert c = { "", NULL }, c2 = { "", NULL };
	const char *ca_file = path_in(dir, "ca.pem");
	time_t nb = T0, na = T0 + 90 * DAY;
	X509 *leaf = NULL, *issuer = NULL;
	char hex[64], cn[256];
	int rc;

	rc = sbx_pki_issue(pki, names, 3, NULL, nb, na, &c, &e);
	if (!ok(rc == 0 && c.pem, "issue without a CSR"))
		printf("# %s\n", e.msg);
	if (rc < 0)
		return;
	leaf = pem_cert(c.pem, 0);
	issuer = pem_cert(c.pem, 1);
	ok(leaf && issuer && !pem_cert(c.pem, 2), "PEM holds the leaf then one more certificate");
	ok(issuer && strstr(c.pem, sbx_pki_issuer_pem(pki)) > c.pem, "the second is the issuing CA");
	ok(verify_chain(c.pem, ca_file, nb + DAY, "www.example.jp", NULL) == X509_V_OK,
	   "verifies against ca.pem at the sandbox time");
	ok(verify_chain(c.pem, ca_file, nb + DAY, "a.shop.example.jp", NULL) == X509_V_OK,
	   "the wildcard name covers a.shop.example.jp");
	ok(verify_chain(c.pem, ca_file, nb + DAY, "other.example.jp", NULL) == X509_V_ERR_HOSTNAME_MISMATCH,
	   "and not other.example.jp");
	ok(verify_chain(c.pem, ca_file, na + 1, NULL, NULL) == X509_V_ERR_CERT_HAS_EXPIRED,
	   "expired a second after notAfter");
	ok(leaf && sans_are(leaf, names, 3), "SANs are the names given, in order");
	ok(leaf && asn1_time_t(X509_get0_notBefore(leaf)) == nb, "notBefore exact");
	ok(leaf && asn1_time_t(X509_get0_notAfter(leaf)) == na, "notAfter exact");
	ok(leaf && serial_bits(leaf, hex) >= 64, "serial has at least 64 bits");
	is_str(c.serial, hex, "serial is the certificate's, in lower-case hex");
	ok(c.serial[0] != '0' && strspn(c.serial, "0123456789abcdef") == strlen(c.serial),
	   "serial has no leading zero and only lower-case hex digits");
	ok(leaf && X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof(cn)) > 0 &&
	   strcmp(cn, "example.jp") == 0, "subject CN is the first name");
	ok(leaf && X509_check_ca(leaf) == 0 && X509_get_key_usage(leaf) == KU_DIGITAL_SIGNATURE &&
	   X509_get_extended_key_usage(leaf) == XKU_SSL_SERVER,
	   "CA:FALSE, digitalSignature only, serverAuth only");
	ok(leaf && issuer && key_ids_chain(leaf, issuer), "AKI is the issuing CA's SKI, SKI present");
	ok(leaf && EVP_PKEY_get_base_id(X509_get0_pubkey(leaf)) == EVP_PKEY_EC &&
	   EVP_PKEY_get_bits(X509_get0_pubkey(leaf)) == 256, "fresh key is P-256");

	rc = sbx_pki_issue(pki, names, 1, NULL, nb, na, &c2, &e);
	ok(rc == 0 && strcmp(c.serial, c2.serial) != 0, "two issuances, two serials");
	sbx_cert_release(&c2);
	ok(!c2.pem && !c2.serial[0], "sbx_cert_release empties");

	rc = sbx_pki_issue(pki, names, 1, NULL, na, nb, &c2, &e);
	ok(rc == JRA_ERR_DATA && !c2.pem, "notAfter before notBefore refused");
	rc = sbx_pki_issue(pki, (const char *const[]){ "bad name.jp" }, 1, NULL, nb, na, &c2, &e);
	ok(rc == JRA_ERR_DATA && !c2.pem, "a name with a space refused");
	rc = sbx_pki_issue(pki, names, 0, NULL, nb, na, &c2, &e);
	ok(rc == JRA_ERR_DATA && !c2.pem, "no names refused");

	X509_free(leaf);
	X509_free(issuer);
	*keep = c;
}

static void test_issue_csr(const char *dir, struct sbx_pki *pki, struct sbx_cert *keep)
{
	static const char *const names[] = { "csr.example.jp" };
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_cert c = { "", NULL }, refused = { "", NULL };
	EVP_PKEY *key = EVP_EC_gen("P-256"), *small = EVP_RSA_gen(1024);
	char *csr = key ? make_csr(key) : NULL, *bad = csr ? break_csr(csr) : NULL;
	char *small_csr = small ? make_csr(small) : NULL;
	X509 *leaf = NULL;
	int rc;

	ok(csr && bad && small_csr, "made CSRs");
	rc = sbx_pki_issue(pki, names, 1, csr, T0, T0 + 30 * DAY, &c, &e);
	if (!ok(rc == 0, "issue from a CSR"))
		printf("# %s\n", e.msg);
	leaf = c.pem ? pem_cert(c.pem, 0) : NULL;
	ok(leaf && EVP_PKEY_eq(X509_get0_pubkey(leaf), key) == 1, "the certificate holds the CSR's key");
	ok(leaf && sans_are(leaf, names, 1), "the CSR's own names are not used");
	ok(c.pem && verify_chain(c.pem, path_in(dir, "ca.pem"), T0 + DAY, "csr.example.jp", NULL) == X509_V_OK,
	   "verifies against ca.pem");

	rc = sbx_pki_issue(pki, names, 1, bad, T0, T0 + 30 * DAY, &refused, &e);
	ok(rc == JRA_ERR_DATA && strstr(e.msg, "signature"), "a CSR with a broken signature is refused (%s)", e.msg);
	rc = sbx_pki_issue(pki, names, 1, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n", T0, T0 + DAY, &refused, &e);
	ok(rc == JRA_ERR_DATA && strstr(e.msg, "CSR"), "a CSR that is not PEM is refused (%s)", e.msg);
	rc = sbx_pki_issue(pki, names, 1, small_csr, T0, T0 + DAY, &refused, &e);
	ok(rc == JRA_ERR_DATA && strstr(e.msg, "2048"), "an RSA-1024 CSR is refused (%s)", e.msg);

	X509_free(leaf);
	EVP_PKEY_free(key);
	EVP_PKEY_free(small);
	free(csr);
	free(bad);
	free(small_csr);
	*keep = c;
}

static const X509_REVOKED *crl_entry(X509_CRL *crl, const char *hex)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);

	for (int i = 0; i < sk_X509_REVOKED_num(revs); i++) {
		const X509_REVOKED *r = sk_X509_REVOKED_value(revs, i);
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(r), NULL);
		char *h = bn ? BN_bn2hex(bn) : NULL;
		int same = h && strcasecmp(h, hex) == 0;

		OPENSSL_free(h);
		BN_free(bn);
		if (same)
			return r;
	}
	return NULL;
}

/* The reasonCode of r, or -1 when the entry has none. */
static int crl_reason(const X509_REVOKED *r)
{
	ASN1_ENUMERATED *en = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
	int reason = en ? (int)ASN1_ENUMERATED_get(en) : -1;

	ASN1_ENUMERATED_free(en);
	return reason;
}

static void test_crl(const char *dir, struct sbx_pki *pki, const struct sbx_cert *a,
		     const struct sbx_cert *b)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_revoked revoked[] = {
		{ a->serial, T0 + 2 * DAY, 0 },
		{ b->serial, T0 + 3 * DAY, 1 },
		{ "4a0f", T0 + 4 * DAY, 4 },
	};
	time_t this_update = T0 + 5 * DAY, next_update = T0 + 12 * DAY;
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	X509_CRL *crl = NULL;
	X509 *issuer = pem_cert(sbx_pki_issuer_pem(pki), 0);
	ASN1_INTEGER *number;
	AUTHORITY_KEYID *akid;
	const X509_REVOKED *r;
	int rc;

	rc = sbx_pki_crl(pki, revoked, 3, 42, this_update, next_update, &der, &len, &e);
	if (!ok(rc == 0 && der && len > 0, "make a CRL"))
		printf("# %s\n", e.msg);
	p = der;
	crl = der ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
	ok(crl && p == der + len, "the CRL is one DER object");
	if (!crl || !issuer)
		goto cleanup;
	ok(X509_CRL_verify(crl, X509_get0_pubkey(issuer)) == 1, "signed by the issuing CA's key");
	ok(X509_CRL_get_signature_nid(crl) == NID_ecdsa_with_SHA256, "with ECDSA-SHA256");
	ok(X509_CRL_get_version(crl) == X509_CRL_VERSION_2, "v2");
	ok(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) == 0,
	   "issuer is the issuing CA");
	ok(asn1_time_t(X509_CRL_get0_lastUpdate(crl)) == this_update, "thisUpdate exact");
	ok(asn1_time_t(X509_CRL_get0_nextUpdate(crl)) == next_update, "nextUpdate exact");
	number = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	ok(number && ASN1_INTEGER_get(number) == 42, "CRL number 42");
	ASN1_INTEGER_free(number);
	akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
	ok(akid && akid->keyid && ASN1_OCTET_STRING_cmp(akid->keyid, X509_get0_subject_key_id(issuer)) == 0,
	   "AKI is the issuing CA's SKI");
	AUTHORITY_KEYID_free(akid);
	ok(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) == 3, "three entries");
	r = crl_entry(crl, a->serial);
	ok(r && crl_reason(r) == -1, "reason 0: no reasonCode extension (terms §11)");
	ok(r && asn1_time_t(X509_REVOKED_get0_revocationDate(r)) == T0 + 2 * DAY, "revocationDate exact");
	r = crl_entry(crl, b->serial);
	ok(r && crl_reason(r) == 1, "reason 1: keyCompromise");
	r = crl_entry(crl, "4a0f");
	ok(r && crl_reason(r) == 4, "reason 4: superseded");
	ok(verify_chain(b->pem, path_in(dir, "ca.pem"), T0 + 6 * DAY, NULL, crl) == X509_V_ERR_CERT_REVOKED,
	   "a revoked certificate fails a CRL-checking verification");

	free(der);
	der = NULL;
	revoked[0].reason = 7;
	rc = sbx_pki_crl(pki, revoked, 1, 43, this_update, next_update, &der, &len, &e);
	ok(rc == JRA_ERR_DATA && !der, "reason 7 refused (%s)", e.msg);
	revoked[0].reason = 0;
	revoked[0].serial = "xyz";
	rc = sbx_pki_crl(pki, revoked, 1, 43, this_update, next_update, &der, &len, &e);
	ok(rc == JRA_ERR_DATA && !der, "serial that is not hex refused (%s)", e.msg);
	rc = sbx_pki_crl(pki, NULL, 0, 44, this_update, next_update, &der, &len, &e);
	ok(rc == 0 && der, "an empty CRL");
cleanup:
	free(der);
	X509_CRL_free(crl);
	X509_free(issuer);
}

/* Many names, an IDN A-label, a wildcard, an RSA CSR, and a first name too
 * long for the subject CN. */
static void test_issue_edges(const char *dir, struct sbx_pki *pki)
{
	enum { N = 100 };
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_cert c = { "", NULL };
	char *names[N], *csr;
	const char *ca_file = path_in(dir, "ca.pem");
	const char *longname = "a-label-that-is-long-enough.to-make-the-name-longer-than-sixty-four.example.jp";
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	X509 *leaf;
	X509_EXTENSION *ext;
	int rc;

	names[0] = strdup("xn--wgv71a119e.jp");
	names[1] = strdup("*.xn--wgv71a119e.jp");
	for (int i = 2; i < N; i++) {
		char name[64];

		snprintf(name, sizeof(name), "host%03d.example.jp", i);
		names[i] = strdup(name);
	}
	rc = sbx_pki_issue(pki, (const char *const *)names, N, NULL, T0, T0 + 90 * DAY, &c, &e);
	if (!ok(rc == 0, "issue for %d names", N))
		printf("# %s\n", e.msg);
	leaf = c.pem ? pem_cert(c.pem, 0) : NULL;
	ok(leaf && sans_are(leaf, (const char *const *)names, N), "all %d SANs, in order", N);
	ok(c.pem && verify_chain(c.pem, ca_file, T0 + DAY, "xn--wgv71a119e.jp", NULL) == X509_V_OK,
	   "the A-label verifies as a host name");
	ok(c.pem && verify_chain(c.pem, ca_file, T0 + DAY, "www.xn--wgv71a119e.jp", NULL) == X509_V_OK,
	   "the wildcard under the A-label verifies");
	ok(c.pem && verify_chain(c.pem, ca_file, T0 + DAY, "host099.example.jp", NULL) == X509_V_OK,
	   "the last name verifies");
	X509_free(leaf);
	sbx_cert_release(&c);
	for (int i = 0; i < N; i++)
		free(names[i]);

	csr = rsa ? make_csr(rsa) : NULL;
	rc = sbx_pki_issue(pki, (const char *const[]){ "rsa.example.jp" }, 1, csr, T0, T0 + DAY, &c, &e);
	if (!ok(rc == 0, "issue from an RSA-2048 CSR"))
		printf("# %s\n", e.msg);
	leaf = c.pem ? pem_cert(c.pem, 0) : NULL;
	ok(leaf && EVP_PKEY_eq(X509_get0_pubkey(leaf), rsa) == 1 &&
	   X509_get_key_usage(leaf) == (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT),
	   "RSA: digitalSignature and keyEncipherment");
	ok(c.pem && verify_chain(c.pem, ca_file, T0 + 1, "rsa.example.jp", NULL) == X509_V_OK,
	   "RSA certificate verifies");
	X509_free(leaf);
	sbx_cert_release(&c);
	free(csr);
	EVP_PKEY_free(rsa);

	rc = sbx_pki_issue(pki, &longname, 1, NULL, T0, T0 + DAY, &c, &e);
	leaf = c.pem ? pem_cert(c.pem, 0) : NULL;
	ext = leaf ? X509_get_ext(leaf, X509_get_ext_by_NID(leaf, NID_subject_alt_name, -1)) : NULL;
	ok(rc == 0 && leaf && X509_NAME_entry_count(X509_get_subject_name(leaf)) == 0 &&
	   ext && X509_EXTENSION_get_critical(ext),
	   "a %zu-character first name: empty subject, critical SAN", strlen(longname));
	ok(c.pem && verify_chain(c.pem, ca_file, T0 + 1, longname, NULL) == X509_V_OK,
	   "and it verifies");
	X509_free(leaf);
	sbx_cert_release(&c);
}

struct worker {
	struct sbx_pki *pki;
	char serials[5][41];
	int failures;
};

static void *issue_some(void *arg)
{
	struct worker *w = arg;
	struct jra_error e = JRA_ERROR_INIT;
	const char *name = "thread.example.jp";
	struct sbx_revoked r = { NULL, T0, 1 };
	unsigned char *der;
	size_t len;

	for (int i = 0; i < 5; i++) {
		struct sbx_cert c = { "", NULL };

		if (sbx_pki_issue(w->pki, &name, 1, NULL, T0, T0 + DAY, &c, &e) < 0) {
			w->failures++;
			continue;
		}
		memcpy(w->serials[i], c.serial, sizeof(c.serial));
		r.serial = w->serials[i];
		if (sbx_pki_crl(w->pki, &r, 1, (uint64_t)i, T0, T0 + DAY, &der, &len, &e) < 0)
			w->failures++;
		else
			free(der);
		sbx_cert_release(&c);
	}
	return NULL;
}

/* Every function is thread-safe: four threads issue and sign CRLs at once. */
static void test_threads(struct sbx_pki *pki)
{
	struct worker w[4];
	pthread_t t[4];
	int started = 0, failures = 0, dup = 0;

	memset(w, 0, sizeof(w));
	for (int i = 0; i < 4; i++) {
		w[i].pki = pki;
		if (pthread_create(&t[i], NULL, issue_some, &w[i]) == 0)
			started++;
		else
			break;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		failures += w[i].failures;
	}
	for (int a = 0; a < 20; a++)
		for (int b = a + 1; b < 20; b++)
			dup += strcmp(w[a / 5].serials[a % 5], w[b / 5].serials[b % 5]) == 0;
	ok(started == 4 && failures == 0 && dup == 0,
	   "4 threads issue 20 certificates and 20 CRLs: %d failures, %d repeated serials", failures, dup);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static char body[] = "hello over TLS";
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userp)
{
	char *got = userp;
	size_t have = strlen(got), n = size * nmemb;

	if (have + n >= 64)
		return 0;
	memcpy(got + have, data, n);
	got[have + n] = '\0';
	return n;
}

/* GET url (with host resolved to addr when resolve is set), checking the
 * server against ca_file; returns the curl result, body in got. */
static CURLcode fetch(const char *url, const char *resolve, const char *ca_file, char got[64])
{
	CURL *curl = curl_easy_init();
	struct curl_slist *res = resolve ? curl_slist_append(NULL, resolve) : NULL;
	CURLcode rc;

	got[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, got);
	if (res)
		curl_easy_setopt(curl, CURLOPT_RESOLVE, res);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(res);
	curl_easy_cleanup(curl);
	return rc;
}

/* Starts an MHD TLS daemon on the loopback address of family with the
 * sandbox's credentials; NULL when that family is not available. */
static struct MHD_Daemon *start_tls(struct sbx_pki *pki, int family, unsigned *port)
{
	struct sockaddr_in sin = { 0 };
	struct sockaddr_in6 sin6 = { 0 };
	const struct sockaddr *sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_ERROR_LOG;

	if (family == AF_INET6) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = in6addr_loopback;
		sa = (const struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa = (const struct sockaddr *)&sin;
	}
	d = MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL,
			     MHD_OPTION_SOCK_ADDR, sa,
			     MHD_OPTION_HTTPS_MEM_KEY, sbx_pki_tls_key_pem(pki),
			     MHD_OPTION_HTTPS_MEM_CERT, sbx_pki_tls_cert_pem(pki),
			     MHD_OPTION_END);
	if (!d)
		return NULL;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : 0;
	return d;
}

static void test_tls(const char *dir, struct sbx_pki *pki)
{
	const char *ca_file = path_in(dir, "ca.pem");
	struct MHD_Daemon *d;
	char ca[PATH_MAX], url[128], resolve[128], got[64];
	unsigned port = 0;
	CURLcode rc;

	snprintf(ca, sizeof(ca), "%s", ca_file);
	d = start_tls(pki, AF_INET, &port);
	if (!ok(d && port, "MHD (GnuTLS) starts with the sandbox's TLS key and certificate"))
		return;
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", port);
	rc = fetch(url, NULL, ca, got);
	ok(rc == CURLE_OK && strcmp(got, "hello over TLS") == 0,
	   "curl verifies https://127.0.0.1 against ca.pem (%s)", curl_easy_strerror(rc));
	snprintf(url, sizeof(url), "https://localhost:%u/", port);
	snprintf(resolve, sizeof(resolve), "localhost:%u:127.0.0.1", port);
	rc = fetch(url, resolve, ca, got);
	ok(rc == CURLE_OK, "curl verifies https://localhost (%s)", curl_easy_strerror(rc));
	snprintf(url, sizeof(url), "https://sandbox.invalid:%u/", port);
	snprintf(resolve, sizeof(resolve), "sandbox.invalid:%u:127.0.0.1", port);
	rc = fetch(url, resolve, ca, got);
	ok(rc == CURLE_PEER_FAILED_VERIFICATION, "a name not in the certificate fails (%s)",
	   curl_easy_strerror(rc));
	MHD_stop_daemon(d);

	d = start_tls(pki, AF_INET6, &port);
	if (!d) {
		printf("ok %d - # skip no IPv6 loopback\n", ++tap_n);
		return;
	}
	snprintf(url, sizeof(url), "https://[::1]:%u/", port);
	rc = fetch(url, NULL, ca, got);
	ok(rc == CURLE_OK, "curl verifies https://[::1] (%s)", curl_easy_strerror(rc));
	MHD_stop_daemon(d);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct jra_error e = JRA_ERROR_INIT;
	struct sbx_pki *pki = NULL;
	struct sbx_cert plain = { "", NULL }, from_csr = { "", NULL };
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/test_pki.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! cannot make a temporary directory: %s\n", strerror(errno));
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);

	test_open(dir);
	if (sbx_pki_open(dir, T0, &pki, &e) == 0) {
		test_issue(dir, pki, &plain);
		test_issue_csr(dir, pki, &from_csr);
		if (plain.pem && from_csr.pem)
			test_crl(dir, pki, &plain, &from_csr);
		else
			ok(0, "CRL tests need the certificates issued above");
		test_issue_edges(dir, pki);
		test_threads(pki);
		test_tls(dir, pki);
	} else {
		ok(0, "open for issuance: %s", e.msg);
	}
	test_bad_state(dir);
	test_tls_renewal(dir);

	sbx_cert_release(&plain);
	sbx_cert_release(&from_csr);
	sbx_pki_free(pki);
	curl_global_cleanup();
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
