#ifndef JRA_SIGN_H
#define JRA_SIGN_H

/*
 * HTTP Message Signatures (RFC 9421) and Content-Digest (RFC 9530) on
 * OpenSSL 3 EVP, as the contract's section 2 uses them.  Shared by the
 * client (signs) and the sandbox (verifies).
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

enum jra_alg {
	JRA_ALG_ED25519,
	JRA_ALG_ECDSA_P256_SHA256,
	JRA_ALG_HMAC_SHA256,
};

/* "ed25519", "ecdsa-p256-sha256", "hmac-sha256". */
const char *jra_alg_name(enum jra_alg alg);
/* 0, or -1 when name is not one of the three. */
int jra_alg_parse(const char *name, enum jra_alg *alg);

struct jra_key; /* opaque: an EVP_PKEY or an HMAC secret, with its alg */

/*
 * Loads a signing key from a file: a PEM private key (PKCS#8 or the
 * traditional EC form) for ed25519 and ecdsa-p256-sha256, or for
 * hmac-sha256 a secret written as base64 (standard or url alphabet,
 * padding optional, surrounding whitespace ignored).  A file that group
 * or others can read is refused with JRA_ERR_CONFIG and a hint naming the
 * chmod that fixes it.  The key's type must match
 * alg.  Returns 0 and a new key in *out (free with jra_key_free).
 */
int jra_key_load_file(const char *path, enum jra_alg alg, struct jra_key **out,
		      struct jra_error *e);
/* A private or public key from PEM in memory (public is enough to verify);
 * JRA_ERR_DATA when it is not one or does not fit alg. */
int jra_key_from_pem(const char *pem, size_t len, enum jra_alg alg,
		     struct jra_key **out, struct jra_error *e);
/* An HMAC key from raw secret bytes. */
int jra_key_from_secret(const unsigned char *secret, size_t len,
			struct jra_key **out, struct jra_error *e);
/* A fresh key pair (ed25519 or ecdsa-p256-sha256) or a 32-byte HMAC secret. */
int jra_key_generate(enum jra_alg alg, struct jra_key **out, struct jra_error *e);
/* Newly allocated PEM of the private key (PKCS#8) or of the public key. */
char *jra_key_private_pem(const struct jra_key *key);
char *jra_key_public_pem(const struct jra_key *key);
/* Newly allocated padded standard base64 of an HMAC secret, else NULL. */
char *jra_key_secret_b64(const struct jra_key *key);
enum jra_alg jra_key_alg(const struct jra_key *key);
void jra_key_free(struct jra_key *key);

/*
 * Raw signing: ed25519 (RFC 8032), ecdsa-p256-sha256 as r||s, 64 bytes
 * (RFC 9421 section 3.3.4, not DER), hmac-sha256.  *sig is newly allocated.
 */
int jra_sig_sign(const struct jra_key *key, const void *data, size_t len,
		 unsigned char **sig, size_t *siglen, struct jra_error *e);
/* 0 when sig verifies over data, -1 otherwise (HMAC compared in constant time). */
int jra_sig_verify(const struct jra_key *key, const void *data, size_t len,
		   const unsigned char *sig, size_t siglen);

/* One covered component: its identifier as serialized ("@method",
 * "content-digest") without quotes, and its canonical value. */
struct jra_sig_component {
	const char *name;
	const char *value;
};

/*
 * The signature base of RFC 9421 section 2.5: one line per component,
 * then the "@signature-params" line with params_value (the serialized
 * inner list with its parameters, as in Signature-Input).  No trailing
 * newline.  Returns a newly allocated string.
 */
char *jra_sig_base(const struct jra_sig_component *c, size_t n,
		   const char *params_value);

/* What the client asks to be signed; the body may be NULL (no body). */
struct jra_sig_request {
	const char *method;          /* "GET" */
	const char *target_uri;      /* the full URL as sent */
	const void *body;
	size_t body_len;
	const char *content_type;    /* required when body != NULL */
	const char *idempotency_key; /* NULL when not sent */
	const char *keyid;
	int64_t created;             /* seconds since the epoch */
	const char *nonce;           /* NULL: 128 random bits, base64url */
};

/* The headers to add, each value newly allocated (without "Name: "). */
struct jra_sig_headers {
	char *content_digest;  /* NULL when there is no body */
	char *signature_input; /* sig1=("@method" ...);created=...;nonce="...";keyid="...";alg="..." */
	char *signature;       /* sig1=:base64:  */
};

/* Signs r with key under label "sig1" exactly as the contract's section 2 says. */
int jra_sign_request(const struct jra_key *key, const struct jra_sig_request *r,
		     struct jra_sig_headers *out, struct jra_error *e);
void jra_sig_headers_release(struct jra_sig_headers *h);

/*
 * A key made ready to sign many requests: its signature context is set
 * up once and copied for each signature, and nonces come from a pool of
 * random bytes drawn a kilobyte at a time.  Borrows key; one thread at a
 * time.  JRA_ERR_CONFIG for a public key.
 */
struct jra_signer;
int jra_signer_new(const struct jra_key *key, struct jra_signer **out, struct jra_error *e);
void jra_signer_free(struct jra_signer *s);
/* As jra_sign_request, with the signer's key. */
int jra_signer_sign_request(struct jra_signer *s, const struct jra_sig_request *r,
			    struct jra_sig_headers *out, struct jra_error *e);

/*
 * One signature parsed from the Signature-Input and Signature header
 * values (RFC 8941 dictionaries) for one label.
 */
struct jra_sig_parsed {
	char **components;   /* identifiers, without quotes; components that carry
				parameters are refused as malformed */
	size_t ncomponents;
	char *params_value;  /* the member's value re-serialized canonically: what the
				"@signature-params" line must hold */
	int has_created;
	int64_t created;
	char *nonce;         /* NULL when absent; likewise below */
	char *keyid;
	char *alg;
	int other_params;    /* count of parameters other than the four above */
	unsigned char *sig;  /* the decoded signature bytes */
	size_t siglen;
};

/* Parses label's member of both headers; JRA_ERR_AUTH with a message when malformed. */
int jra_sig_parse(const char *signature_input, const char *signature, const char *label,
		  struct jra_sig_parsed *out, struct jra_error *e);
void jra_sig_parsed_release(struct jra_sig_parsed *p);

/* "sha-256=:<base64>:" for body (RFC 9530).  Newly allocated. */
char *jra_digest_header(const void *body, size_t len);
/*
 * Checks a Content-Digest header value against body: at least one of
 * sha-256 or sha-512 must be present and every one present must match.
 * JRA_ERR_DATA when malformed or not matching.
 */
int jra_digest_check(const char *header, const void *body, size_t len,
		     struct jra_error *e);

/* base64 (RFC 4648): url selects the URL alphabet, pad the '=' padding. */
char *jra_b64_encode(const void *data, size_t len, int url, int pad);
/* Decodes either alphabet, padding optional; 0, or -1 on bad input.  *out newly allocated. */
int jra_b64_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen);

#endif
