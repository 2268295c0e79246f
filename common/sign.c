#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "buf.h"
#include "i18n.h"
#include "sfv.h"

/* A key file is a few hundred bytes; anything this big is not one. */
#define KEY_FILE_MAX 65536
#define P256_SCALAR_LEN 32
#define HMAC_SHA256_LEN 32
#define NONCE_BYTES 16
/* Random bytes drawn at once for nonces. */
#define NONCE_POOL 1024

struct jra_key {
	enum jra_alg alg;
	EVP_PKEY *pkey;          /* ed25519, ecdsa-p256-sha256 */
	int has_private;
	unsigned char *secret;   /* hmac-sha256 */
	size_t secret_len;
};

static const char *const alg_names[] = {
	[JRA_ALG_ED25519] = "ed25519",
	[JRA_ALG_ECDSA_P256_SHA256] = "ecdsa-p256-sha256",
	[JRA_ALG_HMAC_SHA256] = "hmac-sha256",
};

const char *jra_alg_name(enum jra_alg alg)
{
	if ((unsigned)alg < sizeof(alg_names) / sizeof(alg_names[0]))
		return alg_names[alg];
	return "unknown";
}

int jra_alg_parse(const char *name, enum jra_alg *alg)
{
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++) {
		if (name && strcmp(name, alg_names[i]) == 0) {
			*alg = (enum jra_alg)i;
			return 0;
		}
	}
	return -1;
}

/* Fills e from OpenSSL's error queue; returns JRA_ERR_SOFTWARE. */
static int ossl_fail(struct jra_error *e, const char *what)
{
	jra_error(e, JRA_ERR_SOFTWARE, _("%s failed"), what);
	jra_error_openssl(e);
	return JRA_ERR_SOFTWARE;
}

/* base64 */

char *jra_b64_encode(const void *data, size_t len, int url, int pad)
{
	/* EVP_EncodeBlock takes an int: encode in chunks of whole triplets. */
	const size_t chunk = 3 * 1024 * 1024;
	const unsigned char *in = data;
	size_t outlen = 4 * ((len + 2) / 3), done = 0, pos = 0;
	char *out = jra_xmalloc(outlen + 1);

	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;

		pos += (size_t)EVP_EncodeBlock((unsigned char *)out + pos, in + done, (int)n);
		done += n;
	}
	out[pos] = '\0';
	if (url) {
		for (size_t i = 0; i < pos; i++) {
			if (out[i] == '+')
				out[i] = '-';
			else if (out[i] == '/')
				out[i] = '_';
		}
	}
	if (!pad)
		while (pos > 0 && out[pos - 1] == '=')
			out[--pos] = '\0';
	return out;
}

int jra_b64_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen)
{
	size_t n = slen, pad = 0, full;
	int std = 0, url = 0, got;
	char *t;
	unsigned char *buf;

	*out = NULL;
	*outlen = 0;
	if (slen > INT_MAX / 2)
		return -1;
	while (n > 0 && s[n - 1] == '=') {
		n--;
		pad++;
	}
	/* Padding is optional, but when present it must be right. */
	if (pad > 2 || n % 4 == 1 || (pad && (n + pad) % 4 != 0))
		return -1;
	t = jra_xmalloc(n + 4);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			t[i] = c;
		} else if (c == '+' || c == '/') {
			std = 1;
			t[i] = c;
		} else if (c == '-' || c == '_') {
			url = 1;
			t[i] = c == '-' ? '+' : '/';
		} else {
			free(t);
			return -1;
		}
	}
	if (std && url) {
		free(t);
		return -1;
	}
	full = n;
	while (full % 4)
		t[full++] = '=';
	buf = jra_xmalloc(full / 4 * 3 + 1);
	got = full ? EVP_DecodeBlock(buf, (unsigned char *)t, (int)full) : 0;
	free(t);
	if (got < 0) {
		free(buf);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	*outlen = (size_t)got - (full - n);
	*out = buf;
	return 0;
}

/* Keys */

/* Never prompt for a passphrase: jra runs from cron. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static int pkey_is_p256(EVP_PKEY *pkey)
{
	char name[80];
	size_t len = 0;
	int nid;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
		return 0;
	if (!EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len))
		return 0;
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid == NID_X9_62_prime256v1;
}

static int pkey_matches(EVP_PKEY *pkey, enum jra_alg alg)
{
	switch (alg) {
	case JRA_ALG_ED25519:
		return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
	case JRA_ALG_ECDSA_P256_SHA256:
		return pkey_is_p256(pkey);
	case JRA_ALG_HMAC_SHA256:
		break;
	}
	return 0;
}

/* What a key is, for messages: "an EC P-256 key", "an RSA key". */
static const char *pkey_desc(EVP_PKEY *pkey)
{
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_ED25519:
		return _("an Ed25519 key");
	case EVP_PKEY_ED448:
		return _("an Ed448 key");
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		return _("an RSA key");
	case EVP_PKEY_EC:
		return pkey_is_p256(pkey) ? _("an EC P-256 key") : _("an EC key on another curve");
	}
	return _("a key of another type");
}

static const char *alg_wants(enum jra_alg alg)
{
	switch (alg) {
	case JRA_ALG_ED25519:
		return _("an Ed25519 key in PEM (\"BEGIN PRIVATE KEY\")");
	case JRA_ALG_ECDSA_P256_SHA256:
		return _("an EC P-256 key in PEM (\"BEGIN PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\")");
	case JRA_ALG_HMAC_SHA256:
		break;
	}
	return _("a base64 secret");
}

static struct jra_key *key_new(enum jra_alg alg)
{
	struct jra_key *k = jra_xcalloc(1, sizeof(*k));

	k->alg = alg;
	return k;
}

static int contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/*
 * Reads a PEM private key, or failing that a public key, and checks it
 * fits alg.  what names the source in messages; code is the error to give.
 */
static int pem_to_key(const char *pem, size_t len, enum jra_alg alg, const char *what,
		      enum jra_err code, struct jra_key **out, struct jra_error *e)
{
	EVP_PKEY *pkey = NULL;
	int has_private = 1;
	BIO *bio;

	*out = NULL;
	if (alg == JRA_ALG_HMAC_SHA256)
		return jra_error(e, code, _("%s: hmac-sha256 takes a base64 secret, not a PEM key"),
				 what);
	if (len > INT_MAX)
		return jra_error(e, code, _("%s: too large for a PEM key"), what);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ossl_fail(e, "BIO_new_mem_buf");
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (!pkey) {
		has_private = 0;
		BIO_free(bio);
		bio = BIO_new_mem_buf(pem, (int)len);
		if (!bio)
			return ossl_fail(e, "BIO_new_mem_buf");
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey) {
		if (contains(pem, len, "ENCRYPTED"))
			return jra_error(e, code, _("%s: the key is encrypted; jra needs %s without a passphrase"),
					 what, alg_wants(alg));
		return jra_error(e, code, _("%s: no PEM key found (expected %s)"), what, alg_wants(alg));
	}
	if (!pkey_matches(pkey, alg)) {
		jra_error(e, code, _("%s holds %s, but alg %s needs %s"), what, pkey_desc(pkey),
			  jra_alg_name(alg), alg_wants(alg));
		EVP_PKEY_free(pkey);
		return code;
	}
	*out = key_new(alg);
	(*out)->pkey = pkey;
	(*out)->has_private = has_private;
	return 0;
}

int jra_key_from_pem(const char *pem, size_t len, enum jra_alg alg, struct jra_key **out,
		     struct jra_error *e)
{
	return pem_to_key(pem, len, alg, "PEM key", JRA_ERR_DATA, out, e);
}

int jra_key_from_secret(const unsigned char *secret, size_t len, struct jra_key **out,
			struct jra_error *e)
{
	struct jra_key *k;

	*out = NULL;
	if (len == 0)
		return jra_error(e, JRA_ERR_DATA, _("the hmac-sha256 secret is empty"));
	k = key_new(JRA_ALG_HMAC_SHA256);
	k->secret = jra_xmalloc(len);
	memcpy(k->secret, secret, len);
	k->secret_len = len;
	k->has_private = 1;
	*out = k;
	return 0;
}

/* Reads a whole small file; *data is newly allocated and NUL-terminated. */
static int read_key_file(const char *path, char **data, size_t *len, struct jra_error *e)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return jra_error(e, JRA_ERR_CONFIG, _("cannot open key file '%s': %s"), path,
				 strerror(errno));
	if (fstat(fd, &st) < 0) {
		jra_error(e, JRA_ERR_CONFIG, _("cannot stat key file '%s': %s"), path, strerror(errno));
		close(fd);
		return JRA_ERR_CONFIG;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return jra_error(e, JRA_ERR_CONFIG, _("key file '%s' is not a regular file"), path);
	}
	/* A secret others can read is a secret no more. */
	if (st.st_mode & 077) {
		close(fd);
		jra_error(e, JRA_ERR_CONFIG,
			  _("key file '%s' is accessible by group or others (mode %04o); refusing to use it"),
			  path, (unsigned)(st.st_mode & 07777));
		jra_error_hint(e, _("chmod 600 '%s'"), path);
		return JRA_ERR_CONFIG;
	}
	if (st.st_size > KEY_FILE_MAX) {
		close(fd);
		return jra_error(e, JRA_ERR_CONFIG, _("key file '%s' is too large for a key (%lld bytes)"),
				 path, (long long)st.st_size);
	}
	buf = jra_xmalloc(KEY_FILE_MAX + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, KEY_FILE_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			jra_error(e, JRA_ERR_CONFIG, _("cannot read key file '%s': %s"), path,
				  strerror(errno));
			OPENSSL_clear_free(buf, KEY_FILE_MAX + 1);
			close(fd);
			return JRA_ERR_CONFIG;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == KEY_FILE_MAX) {
			OPENSSL_clear_free(buf, KEY_FILE_MAX + 1);
			close(fd);
			return jra_error(e, JRA_ERR_CONFIG, _("key file '%s' is too large for a key"),
					 path);
		}
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

static int secret_from_text(const char *text, size_t len, const char *path,
			    struct jra_key **out, struct jra_error *e)
{
	unsigned char *secret = NULL;
	size_t slen = 0;
	int rc;

	while (len > 0 && strchr(" \t\r\n", text[len - 1]))
		len--;
	while (len > 0 && strchr(" \t\r\n", *text)) {
		text++;
		len--;
	}
	if (len >= 10 && memcmp(text, "-----BEGIN", 10) == 0)
		return jra_error(e, JRA_ERR_CONFIG,
				 _("key file '%s' holds a PEM key, but alg hmac-sha256 needs the shared secret as base64 text"),
				 path);
	if (len == 0 || jra_b64_decode(text, len, &secret, &slen) < 0 || slen == 0) {
		free(secret);
		return jra_error(e, JRA_ERR_CONFIG,
				 _("key file '%s': expected the hmac-sha256 secret as base64 text"), path);
	}
	rc = jra_key_from_secret(secret, slen, out, e);
	OPENSSL_clear_free(secret, slen);
	return rc;
}

int jra_key_load_file(const char *path, enum jra_alg alg, struct jra_key **out,
		      struct jra_error *e)
{
	char *data = NULL, *what;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = read_key_file(path, &data, &len, e);
	if (rc < 0)
		return rc;
	if (alg == JRA_ALG_HMAC_SHA256) {
		rc = secret_from_text(data, len, path, out, e);
	} else {
		what = jra_xasprintf(_("key file '%s'"), path);
		rc = pem_to_key(data, len, alg, what, JRA_ERR_CONFIG, out, e);
		free(what);
		if (rc == 0 && !(*out)->has_private) {
			jra_key_free(*out);
			*out = NULL;
			rc = jra_error(e, JRA_ERR_CONFIG,
				       _("key file '%s' holds a public key; signing needs the private key"),
				       path);
		}
	}
	OPENSSL_clear_free(data, KEY_FILE_MAX + 1);
	return rc;
}

int jra_key_generate(enum jra_alg alg, struct jra_key **out, struct jra_error *e)
{
	EVP_PKEY *pkey = NULL;
	unsigned char secret[32];
	int rc;

	*out = NULL;
	switch (alg) {
	case JRA_ALG_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case JRA_ALG_ECDSA_P256_SHA256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case JRA_ALG_HMAC_SHA256:
		if (RAND_bytes(secret, sizeof(secret)) != 1)
			return ossl_fail(e, "RAND_bytes");
		rc = jra_key_from_secret(secret, sizeof(secret), out, e);
		OPENSSL_cleanse(secret, sizeof(secret));
		return rc;
	}
	if (!pkey)
		return ossl_fail(e, "key generation");
	*out = key_new(alg);
	(*out)->pkey = pkey;
	(*out)->has_private = 1;
	return 0;
}

/* The contents of a memory BIO as a new string. */
static char *bio_take(BIO *bio)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	char *s = n > 0 ? jra_xstrndup(p, (size_t)n) : NULL;

	BIO_free(bio);
	return s;
}

char *jra_key_private_pem(const struct jra_key *key)
{
	BIO *bio;

	if (!key || !key->pkey || !key->has_private)
		return NULL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return NULL;
	if (!PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL)) {
		ERR_clear_error();
		BIO_free(bio);
		return NULL;
	}
	return bio_take(bio);
}

char *jra_key_public_pem(const struct jra_key *key)
{
	BIO *bio;

	if (!key || !key->pkey)
		return NULL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return NULL;
	if (!PEM_write_bio_PUBKEY(bio, key->pkey)) {
		ERR_clear_error();
		BIO_free(bio);
		return NULL;
	}
	return bio_take(bio);
}

char *jra_key_secret_b64(const struct jra_key *key)
{
	if (!key || !key->secret)
		return NULL;
	return jra_b64_encode(key->secret, key->secret_len, 0, 1);
}

enum jra_alg jra_key_alg(const struct jra_key *key)
{
	return key->alg;
}

void jra_key_free(struct jra_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	if (key->secret)
		OPENSSL_clear_free(key->secret, key->secret_len);
	free(key);
}

/* Signing */

static int hmac_sha256(const struct jra_key *key, const void *data, size_t len,
		       unsigned char mac[HMAC_SHA256_LEN])
{
	unsigned int n = 0;

	if (key->secret_len > INT_MAX)
		return -1;
	if (!HMAC(EVP_sha256(), key->secret, (int)key->secret_len, data, len, mac, &n) ||
	    n != HMAC_SHA256_LEN)
		return -1;
	return 0;
}

/* ECDSA's DER signature as RFC 9421 section 3.3.4's r||s. */
static int der_to_raw(const unsigned char *der, size_t derlen, unsigned char raw[64])
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	int ok;

	if (!es)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, raw, P256_SCALAR_LEN) == P256_SCALAR_LEN &&
	     BN_bn2binpad(s, raw + P256_SCALAR_LEN, P256_SCALAR_LEN) == P256_SCALAR_LEN;
	ECDSA_SIG_free(es);
	return ok ? 0 : -1;
}

/* r||s as DER; *der is OPENSSL_malloc'd. */
static int raw_to_der(const unsigned char raw[64], unsigned char **der, int *derlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, P256_SCALAR_LEN, NULL);
	BIGNUM *s = BN_bin2bn(raw + P256_SCALAR_LEN, P256_SCALAR_LEN, NULL);

	*der = NULL;
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return -1;
	}
	*derlen = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return *derlen > 0 ? 0 : -1;
}

int jra_sig_verify(const struct jra_key *key, const void *data, size_t len,
		   const unsigned char *sig, size_t siglen)
{
	unsigned char mac[HMAC_SHA256_LEN];
	unsigned char *der = NULL;
	int derlen = 0, ok = 0;
	EVP_MD_CTX *ctx;

	if (key->alg == JRA_ALG_HMAC_SHA256) {
		if (hmac_sha256(key, data, len, mac) < 0) {
			ERR_clear_error();
			return -1;
		}
		ok = siglen == HMAC_SHA256_LEN && CRYPTO_memcmp(mac, sig, siglen) == 0;
		OPENSSL_cleanse(mac, sizeof(mac));
		return ok ? 0 : -1;
	}
	/* Both ed25519 and r||s for P-256 are exactly 64 bytes. */
	if (siglen != 64)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -1;
	if (key->alg == JRA_ALG_ED25519) {
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) > 0 &&
		     EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	} else if (raw_to_der(sig, &der, &derlen) == 0) {
		ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) > 0 &&
		     EVP_DigestVerify(ctx, der, (size_t)derlen, data, len) == 1;
	}
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -1;
}

/* RFC 9421 */

/* Appends the signature base to b (no formatting: this runs once a request). */
static void add_sig_base(struct jra_buf *b, const struct jra_sig_component *c, size_t n,
			 const char *params_value)
{
	for (size_t i = 0; i < n; i++) {
		jra_buf_addch(b, '"');
		jra_buf_addstr(b, c[i].name);
		jra_buf_addstr(b, "\": ");
		jra_buf_addstr(b, c[i].value);
		jra_buf_addch(b, '\n');
	}
	jra_buf_addstr(b, "\"@signature-params\": ");
	jra_buf_addstr(b, params_value);
}

char *jra_sig_base(const struct jra_sig_component *c, size_t n, const char *params_value)
{
	struct jra_buf b = JRA_BUF_INIT;

	add_sig_base(&b, c, n, params_value);
	return jra_buf_take(&b);
}

/* A header value may not carry CR, LF or other control characters. */
static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

void jra_sig_headers_release(struct jra_sig_headers *h)
{
	if (!h)
		return;
	free(h->content_digest);
	free(h->signature_input);
	free(h->signature);
	h->content_digest = h->signature_input = h->signature = NULL;
}

/*
 * A signer: the key's signature context set up once and copied for each
 * signature (EVP_DigestSignInit or an HMAC key schedule costs about as
 * much again as an HMAC itself), nonces drawn from a pool of random bytes
 * (RAND_bytes costs nearly as much for 16 bytes as for a kilobyte), and the
 * buffers of the signature base and parameters kept between requests.
 */
struct jra_signer {
	const struct jra_key *key;
	EVP_MD_CTX *tmpl;        /* ed25519, ecdsa-p256-sha256: initialised for signing */
	EVP_MD_CTX *work;        /* a copy of tmpl per signature */
	EVP_MAC_CTX *mac;        /* hmac-sha256: keyed, duplicated per signature */
	unsigned char pool[NONCE_POOL];
	size_t pool_left;
	char *keyid;             /* whose ";keyid=...;alg=..." tail is cached */
	struct jra_buf tail, params, base;
};

void jra_signer_free(struct jra_signer *s)
{
	if (!s)
		return;
	EVP_MD_CTX_free(s->tmpl);
	EVP_MD_CTX_free(s->work);
	EVP_MAC_CTX_free(s->mac);
	OPENSSL_cleanse(s->pool, sizeof(s->pool));
	free(s->keyid);
	jra_buf_release(&s->tail);
	jra_buf_release(&s->params);
	jra_buf_release(&s->base);
	free(s);
}

int jra_signer_new(const struct jra_key *key, struct jra_signer **out, struct jra_error *e)
{
	struct jra_signer *s;
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	int ok;

	*out = NULL;
	if (!key->has_private)
		return jra_error(e, JRA_ERR_CONFIG, _("the %s key is a public key; signing needs the private key"),
				 jra_alg_name(key->alg));
	s = jra_xcalloc(1, sizeof(*s));
	s->key = key;
	if (key->alg == JRA_ALG_HMAC_SHA256) {
		if (key->secret_len > INT_MAX || !(mac = EVP_MAC_fetch(NULL, "HMAC", NULL))) {
			jra_signer_free(s);
			return ossl_fail(e, "HMAC-SHA256");
		}
		s->mac = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
		params[1] = OSSL_PARAM_construct_end();
		ok = s->mac && EVP_MAC_init(s->mac, key->secret, key->secret_len, params);
	} else {
		s->tmpl = EVP_MD_CTX_new();
		s->work = EVP_MD_CTX_new();
		ok = s->tmpl && s->work &&
		     EVP_DigestSignInit(s->tmpl, NULL, key->alg == JRA_ALG_ED25519 ? NULL :
					EVP_sha256(), NULL, key->pkey) > 0;
	}
	if (!ok) {
		jra_signer_free(s);
		return ossl_fail(e, key->alg == JRA_ALG_HMAC_SHA256 ? "HMAC-SHA256" : "signing");
	}
	*out = s;
	return 0;
}

/* Signs data into sig (room for SIG_MAX bytes), raw as jra_sig_sign gives it. */
#define SIG_MAX 72
static int signer_sign(struct jra_signer *s, const void *data, size_t len,
		       unsigned char sig[SIG_MAX], size_t *siglen, struct jra_error *e)
{
	unsigned char der[SIG_MAX];
	EVP_MAC_CTX *m;
	size_t n = sizeof(der);
	int ok;

	if (s->mac) {
		m = EVP_MAC_CTX_dup(s->mac);
		ok = m && EVP_MAC_update(m, data, len) &&
		     EVP_MAC_final(m, sig, siglen, SIG_MAX) && *siglen == HMAC_SHA256_LEN;
		EVP_MAC_CTX_free(m);
		return ok ? 0 : ossl_fail(e, "HMAC-SHA256");
	}
	if (!EVP_MD_CTX_copy_ex(s->work, s->tmpl))
		return ossl_fail(e, "signing");
	if (s->key->alg == JRA_ALG_ED25519) {
		*siglen = SIG_MAX;
		return EVP_DigestSign(s->work, sig, siglen, data, len) > 0 ? 0 :
		       ossl_fail(e, "signing");
	}
	if (EVP_DigestSign(s->work, der, &n, data, len) <= 0)
		return ossl_fail(e, "signing");
	if (der_to_raw(der, n, sig) < 0)
		return ossl_fail(e, "converting the ECDSA signature");
	*siglen = 2 * P256_SCALAR_LEN;
	return 0;
}

int jra_sig_sign(const struct jra_key *key, const void *data, size_t len,
		 unsigned char **sig, size_t *siglen, struct jra_error *e)
{
	struct jra_signer *s;
	unsigned char raw[SIG_MAX];
	int rc;

	*sig = NULL;
	*siglen = 0;
	if ((rc = jra_signer_new(key, &s, e)) < 0)
		return rc;
	rc = signer_sign(s, data, len, raw, siglen, e);
	jra_signer_free(s);
	if (rc < 0) {
		*siglen = 0;
		return rc;
	}
	*sig = jra_xmalloc(*siglen);
	memcpy(*sig, raw, *siglen);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

/* A fresh nonce of NONCE_BYTES random bytes, base64url without padding. */
static int signer_nonce(struct jra_signer *s, char out[2 * NONCE_BYTES], struct jra_error *e)
{
	char *b64;

	if (s->pool_left < NONCE_BYTES) {
		if (RAND_bytes(s->pool, sizeof(s->pool)) != 1)
			return ossl_fail(e, "RAND_bytes");
		s->pool_left = sizeof(s->pool);
	}
	s->pool_left -= NONCE_BYTES;
	b64 = jra_b64_encode(s->pool + s->pool_left, NONCE_BYTES, 1, 0);
	OPENSSL_cleanse(s->pool + s->pool_left, NONCE_BYTES);
	snprintf(out, 2 * NONCE_BYTES, "%s", b64);
	free(b64);
	return 0;
}

/* ";keyid=...;alg=..." for keyid, serialized once while the key id stays the same. */
static int signer_tail(struct jra_signer *s, const char *keyid, struct jra_error *e)
{
	if (s->keyid && !strcmp(s->keyid, keyid))
		return 0;
	free(s->keyid);
	s->keyid = NULL;
	jra_buf_reset(&s->tail);
	jra_buf_addstr(&s->tail, ";keyid=");
	if (jra_sfv_ser_string(&s->tail, keyid) < 0)
		return jra_error(e, JRA_ERR_CONFIG, _("key id '%s' must be printable ASCII"), keyid);
	jra_buf_addstr(&s->tail, ";alg=");
	jra_sfv_ser_string(&s->tail, jra_alg_name(s->key->alg));
	s->keyid = jra_xstrdup(keyid);
	return 0;
}

/* What makes a request unfit to sign, whatever the key. */
static int check_request(const struct jra_sig_request *r, struct jra_error *e)
{
	if (!r->method || !r->target_uri || !r->keyid)
		return jra_error(e, JRA_ERR_SOFTWARE,
				 _("signing a request needs its method, target URI and key id"));
	if (r->body && !r->content_type)
		return jra_error(e, JRA_ERR_SOFTWARE, _("a request with a body needs a content type"));
	if (has_ctl(r->method) || has_ctl(r->target_uri) ||
	    (r->body && has_ctl(r->content_type)))
		return jra_error(e, JRA_ERR_DATA, _("control character in the request line or Content-Type"));
	if (r->idempotency_key && has_ctl(r->idempotency_key))
		return jra_error(e, JRA_ERR_DATA, _("control character in the idempotency key"));
	return 0;
}

int jra_signer_sign_request(struct jra_signer *s, const struct jra_sig_request *r,
			    struct jra_sig_headers *out, struct jra_error *e)
{
	struct jra_sig_component c[5];
	struct jra_buf *params = &s->params;
	unsigned char sig[SIG_MAX];
	char nonce[2 * NONCE_BYTES], *digest = NULL, *b64;
	size_t n = 0, siglen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_request(r, e)) < 0 ||
	    (!r->nonce && (rc = signer_nonce(s, nonce, e)) < 0))
		return rc;

	/* The contract's section 2: this order, these components. */
	c[n++] = (struct jra_sig_component){ "@method", r->method };
	c[n++] = (struct jra_sig_component){ "@target-uri", r->target_uri };
	if (r->body) {
		digest = jra_digest_header(r->body, r->body_len);
		c[n++] = (struct jra_sig_component){ "content-digest", digest };
		c[n++] = (struct jra_sig_component){ "content-type", r->content_type };
	}
	if (r->idempotency_key)
		c[n++] = (struct jra_sig_component){ "idempotency-key", r->idempotency_key };

	/* "sig1=" first: the Signature-Input value is the buffer, the parameters its tail */
	jra_buf_reset(params);
	jra_buf_addstr(params, "sig1=(");
	for (size_t i = 0; i < n; i++) {
		if (i)
			jra_buf_addch(params, ' ');
		/* the component names are the constants above: plain sf-strings */
		jra_buf_addch(params, '"');
		jra_buf_addstr(params, c[i].name);
		jra_buf_addch(params, '"');
	}
	jra_buf_addstr(params, ");created=");
	if (jra_sfv_ser_integer(params, r->created) < 0) {
		rc = jra_error(e, JRA_ERR_SOFTWARE, _("created time %lld out of range"),
			       (long long)r->created);
		goto cleanup;
	}
	jra_buf_addstr(params, ";nonce=");
	if (jra_sfv_ser_string(params, r->nonce ? r->nonce : nonce) < 0) {
		rc = jra_error(e, JRA_ERR_SOFTWARE, _("nonce must be printable ASCII"));
		goto cleanup;
	}
	if ((rc = signer_tail(s, r->keyid, e)) < 0)
		goto cleanup;
	jra_buf_add(params, s->tail.buf, s->tail.len);

	jra_buf_reset(&s->base);
	add_sig_base(&s->base, c, n, jra_buf_str(params) + 5);
	if ((rc = signer_sign(s, s->base.buf, s->base.len, sig, &siglen, e)) < 0)
		goto cleanup;
	b64 = jra_b64_encode(sig, siglen, 0, 1);
	out->content_digest = digest;
	digest = NULL;
	out->signature_input = jra_xstrndup(params->buf, params->len);
	out->signature = jra_xasprintf("sig1=:%s:", b64);
	free(b64);
	rc = 0;
cleanup:
	OPENSSL_cleanse(sig, sizeof(sig));
	free(digest);
	return rc;
}

int jra_sign_request(const struct jra_key *key, const struct jra_sig_request *r,
		     struct jra_sig_headers *out, struct jra_error *e)
{
	struct jra_signer *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_request(r, e)) < 0 || (rc = jra_signer_new(key, &s, e)) < 0)
		return rc;
	rc = jra_signer_sign_request(s, r, out, e);
	jra_signer_free(s);
	return rc;
}

/* Gives e the code and a prefix after a lower layer filled it. */
static int reclassify(struct jra_error *e, enum jra_err code, const char *prefix)
{
	if (e) {
		jra_error_prefix(e, "%s", prefix);
		e->code = code;
	}
	return code;
}

void jra_sig_parsed_release(struct jra_sig_parsed *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncomponents; i++)
		free(p->components[i]);
	free(p->components);
	free(p->params_value);
	free(p->nonce);
	free(p->keyid);
	free(p->alg);
	free(p->sig);
	memset(p, 0, sizeof(*p));
}

static int parse_input_member(const struct jra_sfv_member *m, const char *label,
			      struct jra_sig_parsed *out, struct jra_error *e)
{
	struct jra_buf b = JRA_BUF_INIT;

	if (!m->is_list)
		return jra_error(e, JRA_ERR_AUTH,
				 _("Signature-Input '%s' is not an inner list of components"), label);
	out->components = jra_xcalloc(m->nitems ? m->nitems : 1, sizeof(char *));
	for (size_t i = 0; i < m->nitems; i++) {
		const struct jra_sfv_item *it = &m->items[i];

		if (it->bare.type != JRA_SFV_STRING)
			return jra_error(e, JRA_ERR_AUTH,
					 _("Signature-Input '%s': component %zu is not a string"), label, i + 1);
		if (it->params.n)
			return jra_error(e, JRA_ERR_AUTH,
					 _("Signature-Input '%s': component \"%s\" carries parameters"),
					 label, it->bare.str);
		/* RFC 9421 section 2.5: each component at most once. */
		for (size_t j = 0; j < i; j++)
			if (strcmp(out->components[j], it->bare.str) == 0)
				return jra_error(e, JRA_ERR_AUTH,
						 _("Signature-Input '%s': component \"%s\" is listed twice"),
						 label, it->bare.str);
		out->components[i] = jra_xstrdup(it->bare.str);
		out->ncomponents++;
	}
	for (size_t i = 0; i < m->params.n; i++) {
		const struct jra_sfv_param *p = &m->params.v[i];
		char **dst = NULL;

		if (strcmp(p->key, "created") == 0) {
			if (p->value.type != JRA_SFV_INTEGER)
				return jra_error(e, JRA_ERR_AUTH,
						 _("Signature-Input '%s': created is not an integer"), label);
			out->has_created = 1;
			out->created = p->value.integer;
			continue;
		}
		if (strcmp(p->key, "nonce") == 0)
			dst = &out->nonce;
		else if (strcmp(p->key, "keyid") == 0)
			dst = &out->keyid;
		else if (strcmp(p->key, "alg") == 0)
			dst = &out->alg;
		if (!dst) {
			out->other_params++;
			continue;
		}
		if (p->value.type != JRA_SFV_STRING)
			return jra_error(e, JRA_ERR_AUTH, _("Signature-Input '%s': %s is not a string"),
					 label, p->key);
		*dst = jra_xstrdup(p->value.str);
	}
	if (jra_sfv_ser_inner_list(&b, m->items, m->nitems, &m->params) < 0) {
		jra_buf_release(&b);
		return jra_error(e, JRA_ERR_AUTH, _("Signature-Input '%s' cannot be serialized"), label);
	}
	out->params_value = jra_buf_take(&b);
	return 0;
}

int jra_sig_parse(const char *signature_input, const char *signature, const char *label,
		  struct jra_sig_parsed *out, struct jra_error *e)
{
	struct jra_sfv_dict din = JRA_SFV_DICT_INIT, dsig = JRA_SFV_DICT_INIT;
	const struct jra_sfv_member *m;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!signature_input || !*signature_input)
		return jra_error(e, JRA_ERR_AUTH, _("the request has no Signature-Input"));
	if (!signature || !*signature)
		return jra_error(e, JRA_ERR_AUTH, _("the request has no Signature"));
	if (jra_sfv_parse_dict(signature_input, strlen(signature_input), &din, e) < 0) {
		rc = reclassify(e, JRA_ERR_AUTH, "malformed Signature-Input");
		goto cleanup;
	}
	if (jra_sfv_parse_dict(signature, strlen(signature), &dsig, e) < 0) {
		rc = reclassify(e, JRA_ERR_AUTH, "malformed Signature");
		goto cleanup;
	}
	m = jra_sfv_dict_get(&din, label);
	if (!m) {
		rc = jra_error(e, JRA_ERR_AUTH, _("Signature-Input has no signature labelled '%s'"), label);
		goto cleanup;
	}
	rc = parse_input_member(m, label, out, e);
	if (rc < 0)
		goto cleanup;
	m = jra_sfv_dict_get(&dsig, label);
	if (!m) {
		rc = jra_error(e, JRA_ERR_AUTH, _("Signature has no signature labelled '%s'"), label);
		goto cleanup;
	}
	if (m->is_list || m->bare.type != JRA_SFV_BYTES) {
		rc = jra_error(e, JRA_ERR_AUTH, _("Signature '%s' is not a byte sequence"), label);
		goto cleanup;
	}
	out->sig = jra_xmalloc(m->bare.len ? m->bare.len : 1);
	memcpy(out->sig, m->bare.bytes, m->bare.len);
	out->siglen = m->bare.len;
	rc = 0;
cleanup:
	if (rc < 0)
		jra_sig_parsed_release(out);
	jra_sfv_dict_release(&din);
	jra_sfv_dict_release(&dsig);
	return rc;
}

/* RFC 9530 */

char *jra_digest_header(const void *body, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *b64, *h;

	if (!EVP_Digest(body, len, md, &n, EVP_sha256(), NULL)) {
		/* Only a broken OpenSSL gets here: abort as on OOM rather than send garbage. */
		fprintf(stderr, _("jra: SHA-256 is unavailable from OpenSSL\n"));
		abort();
	}
	b64 = jra_b64_encode(md, n, 0, 1);
	h = jra_xasprintf("sha-256=:%s:", b64);
	free(b64);
	return h;
}

int jra_digest_check(const char *header, const void *body, size_t len, struct jra_error *e)
{
	struct jra_sfv_dict d = JRA_SFV_DICT_INIT;
	int rc = 0, seen = 0;

	if (!header || !*header)
		return jra_error(e, JRA_ERR_DATA, _("the request has a body but no Content-Digest"));
	if (jra_sfv_parse_dict(header, strlen(header), &d, e) < 0)
		return reclassify(e, JRA_ERR_DATA, "malformed Content-Digest");
	for (size_t i = 0; i < d.n && rc == 0; i++) {
		const struct jra_sfv_member *m = &d.v[i];
		const EVP_MD *md;
		unsigned char want[EVP_MAX_MD_SIZE];
		unsigned int n = 0;

		if (strcmp(m->key, "sha-256") == 0)
			md = EVP_sha256();
		else if (strcmp(m->key, "sha-512") == 0)
			md = EVP_sha512();
		else
			continue; /* RFC 9530 section 2: unknown algorithms are ignored */
		if (m->is_list || m->bare.type != JRA_SFV_BYTES) {
			rc = jra_error(e, JRA_ERR_DATA, _("Content-Digest %s is not a byte sequence"), m->key);
			break;
		}
		if (!EVP_Digest(body, len, want, &n, md, NULL)) {
			rc = ossl_fail(e, "computing the body digest");
			break;
		}
		if (m->bare.len != n || CRYPTO_memcmp(want, m->bare.bytes, n) != 0)
			rc = jra_error(e, JRA_ERR_DATA, _("Content-Digest %s does not match the body"),
				       m->key);
		seen++;
	}
	if (rc == 0 && !seen)
		rc = jra_error(e, JRA_ERR_DATA, _("Content-Digest has neither sha-256 nor sha-512"));
	jra_sfv_dict_release(&d);
	return rc;
}
