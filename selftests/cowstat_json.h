/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, strict JSON parser for the CLI tests: the guest has no Python,
 * and "the output parses" must mean what RFC 8259 says, not what a lenient
 * reader accepts.  Rejected: trailing commas, raw control bytes in strings,
 * bad escapes, lone surrogates, leading zeros, invalid UTF-8, duplicate
 * keys, anything after the document, nesting deeper than JS_MAX_DEPTH.
 *
 * Strings are decoded to bytes.  \uXXXX below U+0100 becomes the single
 * byte XX: that is the inverse of how cowstat escapes a comm byte that is
 * not part of well-formed UTF-8 (tools/format.c), so a decoded comm can be
 * compared byte for byte with the process's real one.  Other code points
 * become UTF-8.
 *
 * It shares no code with the CLI (js_utf8_len() and cs_utf8_len() in
 * tools/format.c follow the same table on purpose, written apart): a check
 * that called the CLI's own UTF-8 code would accept whatever that code
 * gets wrong.
 */
#ifndef COWSTAT_JSON_H
#define COWSTAT_JSON_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JS_MAX_DEPTH	64

enum js_type { JS_NULL, JS_BOOL, JS_NUM, JS_STR, JS_ARR, JS_OBJ };

/**
 * struct js - a parsed JSON value
 * @type: which of the members below mean something
 * @b: JS_BOOL
 * @is_uint: JS_NUM: an integer in [0, 2^64)
 * @u: JS_NUM with @is_uint: its value
 * @s: JS_STR: the decoded bytes, NUL-terminated (they may hold a NUL)
 * @len: JS_STR: number of bytes in @s
 * @n: JS_ARR, JS_OBJ: number of members
 * @v: JS_ARR, JS_OBJ: the members
 * @k: JS_OBJ: the keys, decoded
 */
struct js {
	enum js_type type;
	int b, is_uint;
	unsigned long long u;
	char *s;
	size_t len, n;
	struct js *v;
	char **k;
};

struct js_parser {
	const char *p, *start;
	char *err;
	size_t errlen;
};

static inline int js_fail(struct js_parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err[0])
		return -1;
	n = snprintf(ps->err, ps->errlen, "offset %td: ", ps->p - ps->start);
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static inline void js_free_members(struct js *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		js_free_members(&j->v[i]);
		if (j->k)
			free(j->k[i]);
	}
	free(j->v);
	free(j->k);
	free(j->s);
}

static inline void js_free(struct js *j)
{
	if (j) {
		js_free_members(j);
		free(j);
	}
}

static inline void js_ws(struct js_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

/* Length of the well-formed UTF-8 sequence at @s (Unicode table 3-7), or 0. */
static inline int js_utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static inline int js_hex4(struct js_parser *ps, unsigned int *cp)
{
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		char c = *ps->p++;

		*cp <<= 4;
		if (c >= '0' && c <= '9')
			*cp |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*cp |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*cp |= c - 'A' + 10;
		else
			return js_fail(ps, "bad \\u escape");
	}
	return 0;
}

static inline size_t js_put_cp(char *out, unsigned int cp)
{
	if (cp < 0x100) {	/* see the top of this file */
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* A string at ps->p (on its opening quote), decoded into a malloc'ed @out. */
static inline int js_string(struct js_parser *ps, char **out, size_t *outlen)
{
	const unsigned char *q;
	size_t len = 0;
	unsigned int cp, lo;
	char *s;
	int n;

	ps->p++;
	/* Decoding never grows a string: the raw length bounds the result. */
	for (q = (const unsigned char *)ps->p; *q && *q != '"'; q++)
		if (*q == '\\' && q[1])
			q++;
	s = malloc((const char *)q - ps->p + 1);
	if (!s)
		return js_fail(ps, "out of memory");
	for (;;) {
		unsigned char c = *ps->p;

		if (c == '"')
			break;
		if (!c) {
			free(s);
			return js_fail(ps, "unterminated string");
		}
		if (c < 0x20) {
			free(s);
			return js_fail(ps, "raw control byte 0x%02x in a string", c);
		}
		if (c != '\\') {
			n = js_utf8_len((const unsigned char *)ps->p);
			if (!n) {
				free(s);
				return js_fail(ps, "invalid UTF-8 byte 0x%02x", c);
			}
			memcpy(s + len, ps->p, n);
			len += n;
			ps->p += n;
			continue;
		}
		ps->p++;
		switch (*ps->p++) {
		case '"':
			s[len++] = '"';
			break;
		case '\\':
			s[len++] = '\\';
			break;
		case '/':
			s[len++] = '/';
			break;
		case 'b':
			s[len++] = '\b';
			break;
		case 'f':
			s[len++] = '\f';
			break;
		case 'n':
			s[len++] = '\n';
			break;
		case 'r':
			s[len++] = '\r';
			break;
		case 't':
			s[len++] = '\t';
			break;
		case 'u':
			if (js_hex4(ps, &cp))
				goto bad;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				js_fail(ps, "lone low surrogate");
				goto bad;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->p[0] != '\\' || ps->p[1] != 'u') {
					js_fail(ps, "lone high surrogate");
					goto bad;
				}
				ps->p += 2;
				if (js_hex4(ps, &lo))
					goto bad;
				if (lo < 0xdc00 || lo > 0xdfff) {
					js_fail(ps, "bad surrogate pair");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			len += js_put_cp(s + len, cp);
			break;
		default:
			ps->p--;
			js_fail(ps, "bad escape");
			goto bad;
		}
	}
	ps->p++;
	s[len] = '\0';
	*out = s;
	*outlen = len;
	return 0;
bad:
	free(s);
	return -1;
}

static inline int js_number(struct js_parser *ps, struct js *j)
{
	const char *p = ps->p;
	unsigned long long u = 0;
	int digits = 0, frac = 0, ovf = 0;

	j->type = JS_NUM;
	if (*p == '-')
		p++;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return js_fail(ps, "leading zero");
	while (*p >= '0' && *p <= '9') {
		if (u > (~0ULL - (*p - '0')) / 10)
			ovf = 1;
		u = u * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits)
		return js_fail(ps, "bad value");
	if (*p == '.') {
		frac = 1;
		if (*++p < '0' || *p > '9')
			return js_fail(ps, "bad fraction");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		frac = 1;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return js_fail(ps, "bad exponent");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	j->is_uint = *ps->p != '-' && !frac && !ovf;
	j->u = u;
	ps->p = p;
	return 0;
}

static inline int js_value(struct js_parser *ps, struct js *j, int depth);

/* An array or an object, at its opening bracket. */
static inline int js_members(struct js_parser *ps, struct js *j, int depth)
{
	char close = *ps->p == '[' ? ']' : '}';
	size_t cap = 0, i, len;
	char *key;

	j->type = close == ']' ? JS_ARR : JS_OBJ;
	if (depth >= JS_MAX_DEPTH)
		return js_fail(ps, "nested too deep");
	ps->p++;
	js_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (j->n == cap) {
			cap = cap ? 2 * cap : 8;
			j->v = realloc(j->v, cap * sizeof(*j->v));
			if (j->type == JS_OBJ)
				j->k = realloc(j->k, cap * sizeof(*j->k));
			if (!j->v || (j->type == JS_OBJ && !j->k))
				return js_fail(ps, "out of memory");
		}
		memset(&j->v[j->n], 0, sizeof(*j->v));
		js_ws(ps);
		if (j->type == JS_OBJ) {
			if (*ps->p != '"')
				return js_fail(ps, "expected a key");
			if (js_string(ps, &key, &len))
				return -1;
			for (i = 0; i < j->n; i++)
				if (!strcmp(j->k[i], key)) {
					free(key);
					return js_fail(ps, "duplicate key \"%s\"", j->k[i]);
				}
			j->k[j->n] = key;
			j->n++;
			js_ws(ps);
			if (*ps->p++ != ':')
				return js_fail(ps, "expected ':'");
			js_ws(ps);
		} else {
			j->n++;
		}
		if (js_value(ps, &j->v[j->n - 1], depth + 1))
			return -1;
		js_ws(ps);
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return js_fail(ps, "expected ',' or '%c'", close);
		ps->p++;
	}
}

static inline int js_value(struct js_parser *ps, struct js *j, int depth)
{
	static const char * const words[] = { "null", "false", "true" };
	int i;

	switch (*ps->p) {
	case '"':
		j->type = JS_STR;
		return js_string(ps, &j->s, &j->len);
	case '[':
	case '{':
		return js_members(ps, j, depth);
	}
	for (i = 0; i < 3; i++)
		if (!strncmp(ps->p, words[i], strlen(words[i]))) {
			j->type = i ? JS_BOOL : JS_NULL;
			j->b = i == 2;
			ps->p += strlen(words[i]);
			return 0;
		}
	return js_number(ps, j);
}

/**
 * js_parse() - parse one JSON document
 * @text: the document, NUL-terminated
 * @err: where a failure is described ("offset N: what")
 * @errlen: size of @err
 *
 * Return: the document, to be freed with js_free(), or NULL.
 */
static inline struct js *js_parse(const char *text, char *err, size_t errlen)
{
	struct js_parser ps = { .p = text, .start = text, .err = err, .errlen = errlen };
	struct js *j = calloc(1, sizeof(*j));

	err[0] = '\0';
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	js_ws(&ps);
	if (!js_value(&ps, j, 0)) {
		js_ws(&ps);
		if (!*ps.p)
			return j;
		js_fail(&ps, "text after the document");
	}
	js_free(j);
	return NULL;
}

/* The member @key of the object @j, or NULL (also when @j is no object). */
static inline const struct js *js_get(const struct js *j, const char *key)
{
	size_t i;

	if (!j || j->type != JS_OBJ)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (!strcmp(j->k[i], key))
			return &j->v[i];
	return NULL;
}

#endif /* COWSTAT_JSON_H */
