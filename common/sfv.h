#ifndef JRA_SFV_H
#define JRA_SFV_H

/*
 * The pieces of Structured Field Values (RFC 8941) that HTTP Message
 * Signatures and Content-Digest need: parsing a Dictionary whose members
 * are Items or Inner Lists, with Parameters, strictly as section 4.2
 * says; and serializing Inner Lists, Parameters and bare Items
 * canonically as section 4.1 says.
 */

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

enum jra_sfv_type {
	JRA_SFV_INTEGER,
	JRA_SFV_DECIMAL,
	JRA_SFV_STRING,
	JRA_SFV_TOKEN,
	JRA_SFV_BYTES,
	JRA_SFV_BOOLEAN,
};

/* A bare item.  Decimals are held exactly, in thousandths. */
struct jra_sfv_bare {
	enum jra_sfv_type type;
	int64_t integer;        /* Integer; Boolean (0 or 1); Decimal x 1000 */
	char *str;              /* String or Token, NUL-terminated */
	unsigned char *bytes;   /* Byte Sequence */
	size_t len;             /* of bytes */
};

struct jra_sfv_param {
	char *key;
	struct jra_sfv_bare value;
};

/* Parameters in order; a repeated key keeps its first place and its last value. */
struct jra_sfv_params {
	struct jra_sfv_param *v;
	size_t n;
};

struct jra_sfv_item {
	struct jra_sfv_bare bare;
	struct jra_sfv_params params;
};

/* A dictionary member: an Item, or an Inner List of Items. */
struct jra_sfv_member {
	char *key;
	int is_list;
	struct jra_sfv_bare bare;       /* when !is_list */
	struct jra_sfv_item *items;     /* when is_list */
	size_t nitems;
	struct jra_sfv_params params;   /* of the Item or of the Inner List */
};

struct jra_sfv_dict {
	struct jra_sfv_member *v;
	size_t n;
};

#define JRA_SFV_DICT_INIT { NULL, 0 }

/* Longest field value parsed, so a hostile peer cannot make us work hard. */
#define JRA_SFV_MAX_INPUT 8192

/*
 * Parses a Dictionary field value (RFC 8941 sections 4.2 and 4.2.2); a
 * repeated key keeps its first place and its last value.  Returns 0, or
 * JRA_ERR_DATA with a message saying what is wrong at which offset; *d is
 * then empty.  Release *d with jra_sfv_dict_release in both cases.
 */
int jra_sfv_parse_dict(const char *s, size_t len, struct jra_sfv_dict *d,
		       struct jra_error *e);
void jra_sfv_dict_release(struct jra_sfv_dict *d);

/* The member with key, or NULL. */
const struct jra_sfv_member *jra_sfv_dict_get(const struct jra_sfv_dict *d,
					      const char *key);
/* The value of parameter key, or NULL. */
const struct jra_sfv_bare *jra_sfv_params_get(const struct jra_sfv_params *p,
					      const char *key);

/*
 * Canonical serialization (RFC 8941 section 4.1), appended to b.  Each
 * returns 0, or -1 when the value cannot be serialized (a string with a
 * character outside %x20-7E, an integer out of range, a bad token or key).
 */
int jra_sfv_ser_key(struct jra_buf *b, const char *key);
int jra_sfv_ser_integer(struct jra_buf *b, int64_t v);
int jra_sfv_ser_string(struct jra_buf *b, const char *s);
int jra_sfv_ser_token(struct jra_buf *b, const char *s);
int jra_sfv_ser_bytes(struct jra_buf *b, const unsigned char *p, size_t len);
int jra_sfv_ser_bare(struct jra_buf *b, const struct jra_sfv_bare *v);
int jra_sfv_ser_params(struct jra_buf *b, const struct jra_sfv_params *p);
int jra_sfv_ser_inner_list(struct jra_buf *b, const struct jra_sfv_item *items,
			   size_t n, const struct jra_sfv_params *params);

#endif
