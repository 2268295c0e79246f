#include "pki.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"

#define DAY_SECONDS (24 * 60 * 60)
#define CA_DAYS (20 * 365 + 5)
#define TLS_DAYS (5 * 365 + 1)
#define TLS_RENEW_DAYS 30
/* RFC 5280 ub-common-name: a longer first name goes only in the SAN. */
#define CN_MAX 64
#define DNS_NAME_MAX 253

struct sbx_pki {
	/* Held while the issuing CA's certificate and key are in use:
	 * reading extensions fills caches inside the X509 object. */
	pthread_mutex_t lock;
	X509 *issuer;
	EVP_PKEY *issuer_key;
	char *issuer_pem;
	char *tls_cert_pem;
	char *tls_key_pem;
};

enum role { ROLE_ROOT, ROLE_ISSUER, ROLE_TLS };

static const struct {
	const char *cert_file;
	const char *key_file;
	const char *what;
} role_files[] = {
	[ROLE_ROOT] = { "ca.pem", "ca.key", "root CA" },
	[ROLE_ISSUER] = { "issuer.pem", "issuer.key", "issuing CA" },
	[ROLE_TLS] = { "tls.pem", "tls.key", "TLS server certificate" },
};

/* Never prompt on a terminal for an encrypted key: the sandbox writes
 * its keys unencrypted, so a passphrase means someone else's file. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Returns the contents of a memory BIO as a newly allocated string. */
static char *bio_take_str(BIO *bio)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);

	return jra_xstrndup(data, len > 0 ? (size_t)len : 0);
}

static void free_secret(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes data to dir/name through a new temporary file, fsync and
 * rename(), so a crash never leaves a half-written file under name. */
static int write_state_file(const char *dir, const char *name, const char *data,
			    mode_t mode, struct jra_error *e)
{
	char *path = jra_xasprintf("%s/%s", dir, name);
	char *tmp = jra_xasprintf("%s/.%s.%ld.tmp", dir, name, (long)getpid());
	int fd, dfd, rc = 0;

	/* A leftover of a crashed process that had the same pid. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot create '%s': %s", tmp, strerror(errno));
		goto cleanup;
	}
	if (write_all(fd, data, strlen(data)) < 0 || fsync(fd) < 0) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot write '%s': %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto cleanup;
	}
	if (close(fd) < 0) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot write '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		goto cleanup;
	}
	if (rename(tmp, path) < 0) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot rename '%s' to '%s': %s",
			       tmp, path, strerror(errno));
		unlink(tmp);
		goto cleanup;
	}
	/* Make the rename itself durable. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
cleanup:
	free(path);
	free(tmp);
	return rc;
}

/* Opens dir/name for reading; *fp stays NULL (and 0 is returned) when the
 * file does not exist.  A key readable by group or others is refused. */
static int open_state_file(const char *dir, const char *name, int secret, FILE **fp,
			   struct jra_error *e)
{
	char *path = jra_xasprintf("%s/%s", dir, name);
	struct stat st;
	int fd, rc = 0;

	*fp = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			rc = jra_error(e, JRA_ERR_CONFIG, "cannot read '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) < 0) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		goto cleanup;
	}
	if (secret && (st.st_mode & 077)) {
		rc = jra_error(e, JRA_ERR_CONFIG, "key file '%s' is readable by group or others (mode %04o)",
			       path, (unsigned)(st.st_mode & 07777));
		jra_error_hint(e, "run: chmod 600 '%s'", path);
		close(fd);
		goto cleanup;
	}
	*fp = fdopen(fd, "r");
	if (!*fp) {
		rc = jra_error(e, JRA_ERR_CONFIG, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
	}
cleanup:
	free(path);
	return rc;
}

static int load_key(const char *dir, const char *name, EVP_PKEY **out, struct jra_error *e)
{
	FILE *fp;
	int rc;

	*out = NULL;
	rc = open_state_file(dir, name, 1, &fp, e);
	if (rc < 0 || !fp)
		return rc;
	*out = PEM_read_PrivateKey(fp, NULL, no_passphrase, NULL);
	fclose(fp);
	if (!*out) {
		jra_error(e, JRA_ERR_CONFIG, "cannot load the private key in '%s/%s'", dir, name);
		return jra_error_openssl(e);
	}
	return 0;
}

static int load_cert(const char *dir, const char *name, X509 **out, struct jra_error *e)
{
	FILE *fp;
	int rc;

	*out = NULL;
	rc = open_state_file(dir, name, 0, &fp, e);
	if (rc < 0 || !fp)
		return rc;
	*out = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (!*out) {
		jra_error(e, JRA_ERR_CONFIG, "cannot load the certificate in '%s/%s'", dir, name);
		return jra_error_openssl(e);
	}
	return 0;
}

static int save_key(const char *dir, const char *name, EVP_PKEY *key, struct jra_error *e)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	int rc;

	/* PEM_write_bio_PrivateKey writes PKCS#8 "PRIVATE KEY", which GnuTLS reads. */
	if (!bio || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(bio);
		jra_error(e, JRA_ERR_SOFTWARE, "cannot encode the key for '%s/%s'", dir, name);
		return jra_error_openssl(e);
	}
	pem = bio_take_str(bio);
	BIO_free(bio);
	rc = write_state_file(dir, name, pem, 0600, e);
	free_secret(pem);
	return rc;
}

static char *cert_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;

	if (bio && PEM_write_bio_X509(bio, cert))
		pem = bio_take_str(bio);
	BIO_free(bio);
	return pem;
}

static char *key_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;

	if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		pem = bio_take_str(bio);
	BIO_free(bio);
	return pem;
}

static int save_cert(const char *dir, const char *name, X509 *cert, struct jra_error *e)
{
	char *pem = cert_pem(cert);
	int rc;

	if (!pem) {
		jra_error(e, JRA_ERR_SOFTWARE, "cannot encode the certificate for '%s/%s'", dir, name);
		return jra_error_openssl(e);
	}
	rc = write_state_file(dir, name, pem, 0644, e);
	free(pem);
	return rc;
}

/* A positive 16-byte serial whose top bit is clear and next bit set: it
 * always has 127 bits, 126 of them random (RFC 5280 §4.1.2.2 allows 20
 * octets; the Baseline Requirements ask for 64 random bits).  hex gets it
 * in lower case.  Returns a new ASN1_INTEGER, or NULL. */
static ASN1_INTEGER *random_serial(char hex[41])
{
	unsigned char raw[16];
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	char *h = NULL;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return NULL;
	raw[0] = (raw[0] & 0x7f) | 0x40;
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	if (bn)
		serial = BN_to_ASN1_INTEGER(bn, NULL);
	if (serial && hex) {
		h = BN_bn2hex(bn);
		if (!h || strlen(h) > 40) {
			ASN1_INTEGER_free(serial);
			serial = NULL;
		} else {
			for (size_t i = 0; h[i]; i++)
				hex[i] = (h[i] >= 'A' && h[i] <= 'F') ? (char)(h[i] - 'A' + 'a') : h[i];
			hex[strlen(h)] = '\0';
		}
	}
	OPENSSL_free(h);
	BN_free(bn);
	return serial;
}

/* Adds one extension written in openssl.cnf syntax; issuer may be cert. */
static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int set_validity(X509 *cert, time_t not_before, time_t not_after)
{
	return ASN1_TIME_set(X509_getm_notBefore(cert), not_before) &&
	       ASN1_TIME_set(X509_getm_notAfter(cert), not_after);
}

/* A v3 certificate with a random serial, subject CN cn (none when NULL),
 * issued by issuer (self-issued when NULL), not yet signed.  Returns NULL
 * on failure, with OpenSSL's queue set.  serial_hex may be NULL. */
static X509 *new_cert(const char *cn, EVP_PKEY *pubkey, X509 *issuer,
		      time_t not_before, time_t not_after, char *serial_hex)
{
	X509 *cert = X509_new();
	ASN1_INTEGER *serial = random_serial(serial_hex);
	X509_NAME *name = X509_NAME_new();
	int ok;

	ok = cert && serial && name &&
	     X509_set_version(cert, X509_VERSION_3) &&
	     X509_set_serialNumber(cert, serial) &&
	     (!cn || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
						(const unsigned char *)cn, -1, -1, 0)) &&
	     X509_set_subject_name(cert, name) &&
	     X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) &&
	     set_validity(cert, not_before, not_after) &&
	     X509_set_pubkey(cert, pubkey);
	ASN1_INTEGER_free(serial);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

/* Makes the certificate of role for key, signed by signer_key (the root's;
 * the root signs itself).  Returns NULL on failure, with OpenSSL's queue set. */
static X509 *make_cert(enum role role, EVP_PKEY *key, X509 *signer, EVP_PKEY *signer_key)
{
	time_t now = time(NULL);
	time_t not_before = now - DAY_SECONDS;
	time_t not_after = now + (time_t)(role == ROLE_TLS ? TLS_DAYS : CA_DAYS) * DAY_SECONDS;
	char serial[41], cn[80];
	X509 *cert;
	int ok = 0;

	switch (role) {
	case ROLE_ROOT:
	case ROLE_ISSUER:
		/* Part of the serial in the name keeps the CAs of two state
		 * directories apart in a client's trust store. */
		cert = new_cert(NULL, key, signer, not_before, not_after, serial);
		if (!cert)
			return NULL;
		snprintf(cn, sizeof(cn), "jra sandbox %s %.8s", role == ROLE_ROOT ? "root CA" : "issuing CA",
			 serial);
		if (!X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8,
						(const unsigned char *)cn, -1, -1, 0))
			break;
		if (role == ROLE_ROOT && !X509_set_issuer_name(cert, X509_get_subject_name(cert)))
			break;
		ok = add_ext(cert, signer ? signer : cert, NID_basic_constraints,
			     role == ROLE_ROOT ? "critical,CA:TRUE" : "critical,CA:TRUE,pathlen:0") &&
		     add_ext(cert, signer ? signer : cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		     add_ext(cert, signer ? signer : cert, NID_subject_key_identifier, "hash") &&
		     (role == ROLE_ROOT ||
		      add_ext(cert, signer, NID_authority_key_identifier, "keyid:always"));
		break;
	case ROLE_TLS:
		cert = new_cert("localhost", key, signer, not_before, not_after, NULL);
		if (!cert)
			return NULL;
		ok = add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE") &&
		     add_ext(cert, signer, NID_key_usage, "critical,digitalSignature") &&
		     add_ext(cert, signer, NID_ext_key_usage, "serverAuth") &&
		     add_ext(cert, signer, NID_subject_key_identifier, "hash") &&
		     add_ext(cert, signer, NID_authority_key_identifier, "keyid:always") &&
		     add_ext(cert, signer, NID_subject_alt_name,
			     "IP:127.0.0.1,IP:::1,DNS:localhost");
		break;
	default:
		return NULL;
	}
	if (ok)
		ok = X509_sign(cert, signer_key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

/* Whether cert was signed by ca's key and names ca as its issuer. */
static int issued_by(X509 *ca, X509 *cert)
{
	EVP_PKEY *pub = X509_get0_pubkey(ca);

	return pub && X509_check_issued(ca, cert) == X509_V_OK && X509_verify(cert, pub) == 1;
}

/* Loads the certificate and key of role from dir, making what is missing:
 * a key without its certificate gets one (a crash between the two writes
 * leaves that), a certificate without its key is an error. */
static int load_or_make(const char *dir, enum role role, X509 *signer, EVP_PKEY *signer_key,
			X509 **cert_out, EVP_PKEY **key_out, struct jra_error *e)
{
	const char *cert_file = role_files[role].cert_file;
	const char *key_file = role_files[role].key_file;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	int rc, renew = 0;

	if ((rc = load_key(dir, key_file, &key, e)) < 0 ||
	    (rc = load_cert(dir, cert_file, &cert, e)) < 0)
		goto cleanup;
	if (cert && !key) {
		rc = jra_error(e, JRA_ERR_CONFIG, "'%s/%s' exists but its key '%s' is missing",
			       dir, cert_file, key_file);
		jra_error_hint(e, "restore '%s/%s', or move '%s' away to start with a new sandbox CA",
			       dir, key_file, dir);
		goto cleanup;
	}
	if (!key) {
		key = EVP_EC_gen("P-256");
		if (!key) {
			jra_error(e, JRA_ERR_SOFTWARE, "cannot make a P-256 key for the %s",
				  role_files[role].what);
			rc = jra_error_openssl(e);
			goto cleanup;
		}
		if ((rc = save_key(dir, key_file, key, e)) < 0)
			goto cleanup;
	}
	if (cert && X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		rc = jra_error(e, JRA_ERR_CONFIG, "'%s/%s' does not match its key '%s'",
			       dir, cert_file, key_file);
		goto cleanup;
	}
	if (cert && role != ROLE_ROOT && !issued_by(signer, cert)) {
		ERR_clear_error();
		rc = jra_error(e, JRA_ERR_CONFIG, "'%s/%s' was not issued by the root CA in '%s/%s'",
			       dir, cert_file, dir, role_files[ROLE_ROOT].cert_file);
		goto cleanup;
	}
	/* Renewed before TLS clients, which check real time, would refuse it. */
	if (cert && role == ROLE_TLS) {
		time_t limit = time(NULL) + (time_t)TLS_RENEW_DAYS * DAY_SECONDS;

		renew = X509_cmp_time(X509_get0_notAfter(cert), &limit) <= 0;
	}
	if (!cert || renew) {
		X509_free(cert);
		cert = make_cert(role, key, role == ROLE_ROOT ? NULL : signer,
				 role == ROLE_ROOT ? key : signer_key);
		if (!cert) {
			jra_error(e, JRA_ERR_SOFTWARE, "cannot make the %s", role_files[role].what);
			rc = jra_error_openssl(e);
			goto cleanup;
		}
		if ((rc = save_cert(dir, cert_file, cert, e)) < 0)
			goto cleanup;
	}
	*cert_out = cert;
	*key_out = key;
	return 0;
cleanup:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int sbx_pki_open(const char *dir, time_t now, struct sbx_pki **out, struct jra_error *e)
{
	X509 *root = NULL, *tls = NULL;
	EVP_PKEY *root_key = NULL, *tls_key = NULL;
	struct sbx_pki *pki;
	int rc;

	/* The CAs and the TLS certificate follow real time; see pki.h. */
	(void)now;
	*out = NULL;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return jra_error(e, JRA_ERR_CONFIG, "cannot create the state directory '%s': %s",
				 dir, strerror(errno));
	pki = jra_xcalloc(1, sizeof(*pki));
	if (pthread_mutex_init(&pki->lock, NULL) != 0) {
		free(pki);
		return jra_error(e, JRA_ERR_SOFTWARE, "cannot initialise a mutex");
	}
	if ((rc = load_or_make(dir, ROLE_ROOT, NULL, NULL, &root, &root_key, e)) < 0 ||
	    (rc = load_or_make(dir, ROLE_ISSUER, root, root_key, &pki->issuer, &pki->issuer_key, e)) < 0 ||
	    (rc = load_or_make(dir, ROLE_TLS, root, root_key, &tls, &tls_key, e)) < 0)
		goto cleanup;
	pki->issuer_pem = cert_pem(pki->issuer);
	pki->tls_cert_pem = cert_pem(tls);
	pki->tls_key_pem = key_pem(tls_key);
	if (!pki->issuer_pem || !pki->tls_cert_pem || !pki->tls_key_pem) {
		jra_error(e, JRA_ERR_SOFTWARE, "cannot encode the sandbox's certificates as PEM");
		rc = jra_error_openssl(e);
		goto cleanup;
	}
	*out = pki;
	pki = NULL;
	rc = 0;
cleanup:
	X509_free(root);
	X509_free(tls);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(tls_key);
	sbx_pki_free(pki);
	return rc;
}

void sbx_pki_free(struct sbx_pki *pki)
{
	if (!pki)
		return;
	pthread_mutex_destroy(&pki->lock);
	X509_free(pki->issuer);
	EVP_PKEY_free(pki->issuer_key);
	free(pki->issuer_pem);
	free(pki->tls_cert_pem);
	free_secret(pki->tls_key_pem);
	free(pki);
}

const char *sbx_pki_tls_cert_pem(const struct sbx_pki *pki)
{
	return pki->tls_cert_pem;
}

const char *sbx_pki_tls_key_pem(const struct sbx_pki *pki)
{
	return pki->tls_key_pem;
}

const char *sbx_pki_issuer_pem(const struct sbx_pki *pki)
{
	return pki->issuer_pem;
}

/* A name fit for a dNSName (IA5String): letters, digits, '-', '.', and
 * '*' for wildcards; the sandbox's rules have judged it already. */
static int dns_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > DNS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*'))
			return 0;
	}
	return 1;
}

/* Returns newly allocated dNSNames for names, in order, or NULL. */
static GENERAL_NAMES *dns_names(const char *const *names, size_t n)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();

	if (!gens)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		GENERAL_NAME *gen = GENERAL_NAME_new();
		ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

		if (!gen || !ia5 || !ASN1_STRING_set(ia5, names[i], (int)strlen(names[i]))) {
			GENERAL_NAME_free(gen);
			ASN1_IA5STRING_free(ia5);
			GENERAL_NAMES_free(gens);
			return NULL;
		}
		GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			GENERAL_NAME_free(gen);
			GENERAL_NAMES_free(gens);
			return NULL;
		}
	}
	return gens;
}

/* Parses csr_pem and checks it; *key gets its public key (a new reference)
 * and *rsa whether it is RSA.  Only RSA of 2048 bits or more and ECDSA on
 * P-256, P-384 or P-521 are taken, as a public CA would. */
static int csr_public_key(const char *csr_pem, EVP_PKEY **key, int *rsa, struct jra_error *e)
{
	BIO *bio = BIO_new_mem_buf(csr_pem, -1);
	X509_REQ *req = NULL;
	char group[32];
	int rc = 0;

	*key = NULL;
	*rsa = 0;
	if (bio)
		req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	if (!req) {
		jra_error(e, JRA_ERR_DATA, "cannot parse the CSR: not a PEM \"CERTIFICATE REQUEST\"");
		rc = jra_error_openssl(e);
		goto cleanup;
	}
	*key = X509_REQ_get_pubkey(req);
	if (!*key) {
		jra_error(e, JRA_ERR_DATA, "cannot read the public key in the CSR");
		rc = jra_error_openssl(e);
		goto cleanup;
	}
	if (X509_REQ_verify(req, *key) != 1) {
		jra_error(e, JRA_ERR_DATA, "the CSR's signature does not verify with its own public key");
		rc = jra_error_openssl(e);
		goto cleanup;
	}
	switch (EVP_PKEY_get_base_id(*key)) {
	case EVP_PKEY_RSA:
		*rsa = 1;
		if (EVP_PKEY_get_bits(*key) < 2048)
			rc = jra_error(e, JRA_ERR_DATA, "the CSR's RSA key has %d bits; 2048 or more are needed",
				       EVP_PKEY_get_bits(*key));
		break;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(*key, group, sizeof(group), NULL) ||
		    (strcmp(group, "prime256v1") != 0 && strcmp(group, "secp384r1") != 0 &&
		     strcmp(group, "secp521r1") != 0))
			rc = jra_error(e, JRA_ERR_DATA, "the CSR's EC key is not on P-256, P-384 or P-521");
		break;
	default:
		rc = jra_error(e, JRA_ERR_DATA, "the CSR's key type %s is not taken; use RSA or ECDSA",
			       OBJ_nid2sn(EVP_PKEY_get_base_id(*key)));
		break;
	}
cleanup:
	if (rc < 0) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	ERR_clear_error();
	X509_REQ_free(req);
	BIO_free(bio);
	return rc;
}

int sbx_pki_issue(struct sbx_pki *pki, const char *const *names, size_t nnames,
		  const char *csr_pem, time_t not_before, time_t not_after,
		  struct sbx_cert *out, struct jra_error *e)
{
	EVP_PKEY *key = NULL;
	GENERAL_NAMES *sans = NULL;
	X509 *cert = NULL;
	struct jra_buf pem = JRA_BUF_INIT;
	char *leaf = NULL;
	int rsa = 0, has_cn, ok, rc = 0;

	memset(out, 0, sizeof(*out));
	if (nnames == 0)
		return jra_error(e, JRA_ERR_DATA, "cannot issue a certificate without names");
	for (size_t i = 0; i < nnames; i++)
		if (!names[i] || !dns_name_ok(names[i]))
			return jra_error(e, JRA_ERR_DATA,
					 "name %zu cannot go in a certificate: not an ASCII DNS name (use the A-label form)",
					 i + 1);
	if (not_after <= not_before)
		return jra_error(e, JRA_ERR_DATA, "cannot issue a certificate whose notAfter is not after its notBefore");
	if (csr_pem) {
		if ((rc = csr_public_key(csr_pem, &key, &rsa, e)) < 0)
			return rc;
	} else if (!(key = EVP_EC_gen("P-256"))) {
		jra_error(e, JRA_ERR_SOFTWARE, "cannot make a P-256 key for a certificate");
		return jra_error_openssl(e);
	}

	/* RFC 5280 §4.2.1.6: with an empty subject the SAN is critical. */
	has_cn = strlen(names[0]) <= CN_MAX;
	sans = dns_names(names, nnames);
	pthread_mutex_lock(&pki->lock);
	cert = new_cert(has_cn ? names[0] : NULL, key, pki->issuer, not_before, not_after, out->serial);
	ok = cert && sans &&
	     add_ext(cert, pki->issuer, NID_basic_constraints, "critical,CA:FALSE") &&
	     add_ext(cert, pki->issuer, NID_key_usage,
		     rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature") &&
	     add_ext(cert, pki->issuer, NID_ext_key_usage, "serverAuth") &&
	     add_ext(cert, pki->issuer, NID_subject_key_identifier, "hash") &&
	     add_ext(cert, pki->issuer, NID_authority_key_identifier, "keyid:always") &&
	     X509_add1_ext_i2d(cert, NID_subject_alt_name, sans, !has_cn, X509V3_ADD_DEFAULT) == 1 &&
	     X509_sign(cert, pki->issuer_key, EVP_sha256()) > 0;
	pthread_mutex_unlock(&pki->lock);
	if (ok)
		leaf = cert_pem(cert);
	if (!leaf) {
		jra_error(e, JRA_ERR_SOFTWARE, "cannot issue a certificate for '%s'", names[0]);
		rc = jra_error_openssl(e);
		goto cleanup;
	}
	jra_buf_addstr(&pem, leaf);
	jra_buf_addstr(&pem, pki->issuer_pem);
	out->pem = jra_buf_take(&pem);
cleanup:
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	free(leaf);
	X509_free(cert);
	GENERAL_NAMES_free(sans);
	EVP_PKEY_free(key);
	return rc;
}

void sbx_cert_release(struct sbx_cert *c)
{
	if (!c)
		return;
	free(c->pem);
	c->pem = NULL;
	c->serial[0] = '\0';
}

/* Parses a serial in hex (as sbx_pki_issue writes it) into a new
 * ASN1_INTEGER, or NULL when it is not 1 to 40 hex digits. */
static ASN1_INTEGER *serial_from_hex(const char *hex)
{
	size_t len = hex ? strlen(hex) : 0;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;

	if (len == 0 || len > 40 || strspn(hex, "0123456789abcdefABCDEF") != len)
		return NULL;
	if (BN_hex2bn(&bn, hex) == (int)len)
		serial = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return serial;
}

/* RFC 5280 §5.3.1: 0-10 without 7, which is unused. */
static int crl_reason_ok(int reason)
{
	return reason >= 0 && reason <= 10 && reason != 7;
}

/* Adds one CRL entry; the reasonCode extension only for reason != 0
 * (terms §11: unspecified is listed without one). */
static int add_revoked(X509_CRL *crl, const struct sbx_revoked *r, struct jra_error *e)
{
	ASN1_INTEGER *serial = serial_from_hex(r->serial);
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *reason = NULL;
	X509_REVOKED *rev = NULL;
	int ok;

	if (!serial)
		return jra_error(e, JRA_ERR_DATA, "cannot list serial '%.64s' in the CRL: not 1 to 40 hex digits",
				 r->serial ? r->serial : "");
	if (!crl_reason_ok(r->reason)) {
		ASN1_INTEGER_free(serial);
		return jra_error(e, JRA_ERR_DATA, "cannot list serial '%s' in the CRL: %d is not an RFC 5280 reason code",
				 r->serial, r->reason);
	}
	when = ASN1_TIME_set(NULL, r->revoked_at);
	rev = X509_REVOKED_new();
	ok = when && rev &&
	     X509_REVOKED_set_serialNumber(rev, serial) &&
	     X509_REVOKED_set_revocationDate(rev, when);
	if (ok && r->reason != 0) {
		reason = ASN1_ENUMERATED_new();
		ok = reason && ASN1_ENUMERATED_set(reason, r->reason) &&
		     X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) == 1;
	}
	if (ok)
		ok = X509_CRL_add0_revoked(crl, rev);
	if (!ok)
		X509_REVOKED_free(rev);
	ASN1_ENUMERATED_free(reason);
	ASN1_TIME_free(when);
	ASN1_INTEGER_free(serial);
	if (!ok) {
		jra_error(e, JRA_ERR_SOFTWARE, "cannot list serial '%s' in the CRL", r->serial);
		return jra_error_openssl(e);
	}
	return 0;
}

int sbx_pki_crl(struct sbx_pki *pki, const struct sbx_revoked *revoked, size_t n,
		uint64_t crl_number, time_t this_update, time_t next_update,
		unsigned char **der, size_t *derlen, struct jra_error *e)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = ASN1_TIME_set(NULL, this_update);
	ASN1_TIME *next = ASN1_TIME_set(NULL, next_update);
	ASN1_INTEGER *number = ASN1_INTEGER_new();
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	const ASN1_OCTET_STRING *ski;
	unsigned char *p;
	int len = -1, ok, rc = 0;

	*der = NULL;
	*derlen = 0;
	if (next_update <= this_update) {
		rc = jra_error(e, JRA_ERR_DATA, "cannot make a CRL whose nextUpdate is not after its thisUpdate");
		goto cleanup;
	}
	ok = crl && last && next && number && akid &&
	     X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
	     X509_CRL_set1_lastUpdate(crl, last) &&
	     X509_CRL_set1_nextUpdate(crl, next) &&
	     ASN1_INTEGER_set_uint64(number, crl_number) &&
	     X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) == 1;
	for (size_t i = 0; ok && i < n; i++)
		if ((rc = add_revoked(crl, &revoked[i], e)) < 0)
			goto cleanup;
	ok = ok && X509_CRL_sort(crl);

	pthread_mutex_lock(&pki->lock);
	ski = X509_get0_subject_key_id(pki->issuer);
	ok = ok && ski && (akid->keyid = ASN1_OCTET_STRING_dup(ski)) &&
	     X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, 0) == 1 &&
	     X509_CRL_set_issuer_name(crl, X509_get_subject_name(pki->issuer)) &&
	     X509_CRL_sign(crl, pki->issuer_key, EVP_sha256()) > 0;
	pthread_mutex_unlock(&pki->lock);
	if (ok)
		len = i2d_X509_CRL(crl, NULL);
	if (len <= 0) {
		jra_error(e, JRA_ERR_SOFTWARE, "cannot make the CRL");
		rc = jra_error_openssl(e);
		goto cleanup;
	}
	*der = jra_xmalloc((size_t)len);
	p = *der;
	i2d_X509_CRL(crl, &p);
	*derlen = (size_t)len;
cleanup:
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(number);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	return rc;
}
