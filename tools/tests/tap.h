/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A few TAP helpers for the cowstat CLI's host tests.  Every line that is
 * not a result starts with "# ", so that a harness counting "ok " and
 * "not ok " lines counts results only.  The plan comes last (valid TAP),
 * so that tests need not be counted by hand.
 */
#ifndef COWSTAT_TAP_H
#define COWSTAT_TAP_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

/* Print @s as diagnostics: each line prefixed, odd bytes as \ooo. */
static void tap_diag_text(const char *label, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	printf("#   %s: ", label);
	if (!s) {
		puts("(null)");
		return;
	}
	for (; *p; p++) {
		if (*p == '\n')
			printf("\\n\n#         ");
		else if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			printf("\\%03o", *p);
		else
			putchar(*p);
	}
	putchar('\n');
}

static bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_failed += !cond;
	return cond;
}

/* ok when @got and @want are equal strings; shows both otherwise. */
#define tap_is_str(got, want, ...) do {					\
	const char *_g = (got), *_w = (want);				\
	if (!tap_ok(_g && _w && !strcmp(_g, _w), __VA_ARGS__)) {	\
		tap_diag_text("got ", _g);				\
		tap_diag_text("want", _w);				\
	}								\
} while (0)

#define tap_is_int(got, want, ...) do {					\
	long long _g = (got), _w = (want);				\
	if (!tap_ok(_g == _w, __VA_ARGS__))				\
		printf("#   got %lld, want %lld\n", _g, _w);		\
} while (0)

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/*
 * Capture what @stmt writes to the FILE "cap" as a malloc'ed string in
 * @buf: CAPTURE(s, cs_print_json(cap, &t, false)).
 */
#define CAPTURE(buf, stmt) do {						\
	size_t _len;							\
	FILE *cap = open_memstream(&(buf), &_len);			\
	if (!cap)							\
		abort();						\
	stmt;								\
	fclose(cap);							\
} while (0)

#endif /* COWSTAT_TAP_H */
