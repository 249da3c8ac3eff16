// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of selftests/cowstat_json.h, the parser that the VM test
 * of the CLI trusts to say "this is valid JSON" and to decode comm bytes:
 * every valid document parses to the right values, and every kind of
 * invalid one is refused.  Prints TAP.
 */
#include "../cowstat_json.h"

static int n, fails;

static void ok(int cond, const char *name, const char *doc, const char *err)
{
	n++;
	printf("%sok %d %s\n", cond ? "" : "not ", n, name);
	if (!cond) {
		fails++;
		printf("#   document: %s\n#   error: %s\n", doc, err);
	}
}

static void refuses(const char *doc, const char *why)
{
	char err[128], name[160];
	struct js *j = js_parse(doc, err, sizeof(err));

	snprintf(name, sizeof(name), "refuses %s", why);
	ok(!j && err[0], name, doc, err);
	js_free(j);
}

static const struct js *at(const struct js *j, size_t i)
{
	return j && j->type == JS_ARR && i < j->n ? &j->v[i] : NULL;
}

int main(void)
{
	const char *doc = " {\"a\": [1, 18446744073709551615, -2, 1.5e3, null, true, false],\n"
			  "  \"s\": \"q\\\" b\\\\ \\/ \\n\\t\\u0001\\u00ff\\u00e9\\u20ac\\ud83d\\ude00\xc3\xa9\","
			  "  \"o\": {\"x\": {}, \"y\": []}} ";
	const char *want = "q\" b\\ / \n\t\001\377\351\342\202\254\360\237\230\200\303\251";
	char err[128], deep[2 * JS_MAX_DEPTH + 3];
	const struct js *a, *s;
	struct js *j;

	j = js_parse(doc, err, sizeof(err));
	ok(j && j->type == JS_OBJ && j->n == 3, "parses a valid document", doc, err);
	a = js_get(j, "a");
	ok(a && a->n == 7 && at(a, 0)->is_uint && at(a, 0)->u == 1, "small integer", doc, "");
	ok(at(a, 1) && at(a, 1)->is_uint && at(a, 1)->u == ~0ULL, "2^64 - 1 exactly", doc, "");
	ok(at(a, 2) && at(a, 2)->type == JS_NUM && !at(a, 2)->is_uint, "negative is no uint", doc, "");
	ok(at(a, 3) && at(a, 3)->type == JS_NUM && !at(a, 3)->is_uint, "fraction is no uint", doc, "");
	ok(at(a, 4) && at(a, 4)->type == JS_NULL, "null", doc, "");
	ok(at(a, 5) && at(a, 5)->type == JS_BOOL && at(a, 5)->b, "true", doc, "");
	ok(at(a, 6) && at(a, 6)->type == JS_BOOL && !at(a, 6)->b, "false", doc, "");
	s = js_get(j, "s");
	ok(s && s->type == JS_STR && s->len == strlen(want) && !memcmp(s->s, want, s->len),
	   "escapes decode; \\u00XX to the byte XX, others to UTF-8", doc, "");
	ok(js_get(js_get(j, "o"), "x") && js_get(js_get(j, "o"), "x")->type == JS_OBJ,
	   "nested empty object", doc, "");
	ok(!js_get(j, "missing"), "a missing key is NULL", doc, "");
	js_free(j);

	j = js_parse("\"\\u0000x\"", err, sizeof(err));
	ok(j && j->len == 2 && !j->s[0] && j->s[1] == 'x', "\\u0000 keeps the length", "", err);
	js_free(j);

	memset(deep, '[', JS_MAX_DEPTH);
	memset(deep + JS_MAX_DEPTH, ']', JS_MAX_DEPTH);
	deep[2 * JS_MAX_DEPTH] = '\0';
	j = js_parse(deep, err, sizeof(err));
	ok(!!j, "nesting at the limit parses", deep, err);
	js_free(j);
	memset(deep, '[', JS_MAX_DEPTH + 1);
	memset(deep + JS_MAX_DEPTH + 1, ']', JS_MAX_DEPTH + 1);
	deep[2 * JS_MAX_DEPTH + 2] = '\0';
	refuses(deep, "nesting past the limit");

	refuses("", "an empty document");
	refuses("{\"a\": 1,}", "a trailing comma in an object");
	refuses("[1, 2,]", "a trailing comma in an array");
	refuses("{\"a\": 1 \"b\": 2}", "a missing comma");
	refuses("{\"a\" 1}", "a missing colon");
	refuses("{a: 1}", "an unquoted key");
	refuses("{\"a\": 1, \"a\": 2}", "a duplicate key");
	refuses("{\"a\": 1} x", "text after the document");
	refuses("{\"a\": 1", "an unterminated object");
	refuses("\"abc", "an unterminated string");
	refuses("\"a\tb\"", "a raw tab in a string");
	refuses("\"a\001b\"", "a raw control byte in a string");
	refuses("\"\\x41\"", "an unknown escape");
	refuses("\"\\u12g4\"", "a bad \\u escape");
	refuses("\"\\ud800\"", "a lone high surrogate");
	refuses("\"\\udc00\"", "a lone low surrogate");
	refuses("\"\\ud800\\u0041\"", "a high surrogate with no low one");
	refuses("\"\xff\"", "a byte that is never UTF-8");
	refuses("\"\xc3\"", "a truncated UTF-8 sequence");
	refuses("\"\xc0\xaf\"", "an overlong UTF-8 form");
	refuses("\"\xed\xa0\x80\"", "a UTF-8 encoded surrogate");
	refuses("\"\xf4\x90\x80\x80\"", "UTF-8 above U+10FFFF");
	refuses("01", "a leading zero");
	refuses("1.", "a bare decimal point");
	refuses("1e", "an empty exponent");
	refuses("-", "a bare minus");
	refuses("+1", "a plus sign");
	refuses("nul", "a truncated null");
	refuses("'a'", "single quotes");

	printf("1..%d\n", n);
	return fails != 0;
}
