// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat CLI: the output formats.
 *
 * Everything here is a pure function of a struct cs_tree (and, for --watch,
 * of the previous one): no netlink, no clock, no terminal.  The host tests
 * feed it synthetic trees and compare the exact output.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* Deeper rows are indented no further, and show their depth instead. */
#define CS_MAX_INDENT	16

/* In a --watch sample, at most this many exited processes are named. */
#define CS_MAX_EXITED	10

static void oom(void)
{
	fputs("cowstat: out of memory\n", stderr);
	exit(1);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}

/* Sizes */

/**
 * cs_bytes() - pages to bytes, saturating rather than wrapping
 * @pages: a page count
 * @page_size: bytes per page
 *
 * Return: the size in bytes, UINT64_MAX if it does not fit.
 */
uint64_t cs_bytes(uint64_t pages, uint32_t page_size)
{
	if (page_size && pages > UINT64_MAX / page_size)
		return UINT64_MAX;
	return pages * page_size;
}

/*
 * Tenths of @bytes / @div, rounded half up, without overflow: the remainder
 * is below div <= 2^60, so ten times it stays below 2^64.
 */
static uint64_t tenths(uint64_t bytes, uint64_t div)
{
	return bytes / div * 10 + (bytes % div * 10 + div / 2) / div;
}

/**
 * cs_human() - a size in binary units with one decimal
 * @buf: where to write
 * @len: its size (CS_HUMAN_LEN)
 * @bytes: the size
 *
 * "0", "1B".."1023B", then "1.0K".."1023.9K", "1.0M", ... up to "16.0E":
 * the largest unit (powers of 1024) under which the value is at least 1,
 * rounded half up to one decimal; a value that rounds up to 1024.0 moves to
 * the next unit ("1.0M", never "1024.0K").  At most 7 characters.
 */
void cs_human(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	uint64_t div = 1024, t;
	int u = 0;

	if (!bytes) {
		snprintf(buf, len, "0");
		return;
	}
	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 "B", bytes);
		return;
	}
	while (u < 5 && bytes / div >= 1024) {
		div *= 1024;
		u++;
	}
	t = tenths(bytes, div);
	if (t >= 10240 && u < 5) {
		div *= 1024;
		u++;
		t = tenths(bytes, div);
	}
	snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", t / 10, t % 10, units[u]);
}

/* Escaping */

/**
 * cs_utf8_len() - length of the well-formed UTF-8 sequence at @s
 * @s: a NUL-terminated string
 *
 * Well-formed as Unicode defines it (table 3-7): no overlong forms, no
 * surrogates, nothing above U+10FFFF; a NUL ends any sequence early.
 *
 * Return: 1 to 4, or 0 when the byte at @s starts no well-formed sequence.
 */
size_t cs_utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/**
 * cs_put_text() - a comm or VMA name for the table
 * @f: output
 * @s: raw bytes
 *
 * As the debugfs files print them (README, "debugfs"): bytes outside printable
 * ASCII, the space excepted, and the backslash become \ooo.  The table goes
 * to terminals, so no byte may reach one raw, and the same comm reads the
 * same in `cat tree` and in `cowstat`.
 */
void cs_put_text(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			fprintf(f, "\\%03o", *p);
		else
			putc(*p, f);
	}
}

/**
 * cs_put_json_string() - a JSON string, always valid JSON and valid UTF-8
 * @f: output
 * @s: raw bytes (a comm may hold any byte but NUL)
 *
 * '"' and '\' are escaped, control bytes and DEL become \b \f \n \r \t or
 * \u00XX, well-formed UTF-8 passes through, and each byte that is not part
 * of a well-formed sequence becomes \u00XX of its value, i.e. the code point
 * U+00XX: a decoder sees that byte read as Latin-1.
 */
void cs_put_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *esc;
	size_t n;

	putc('"', f);
	while (*p) {
		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			esc = NULL;
		}
		n = *p < 0x20 || *p == 0x7f ? 0 : cs_utf8_len(p);
		if (esc)
			fputs(esc, f);
		else if (!n)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, n, f);
		p += n ? n : 1;
	}
	putc('"', f);
}

/**
 * cs_put_prom_label() - a Prometheus label value, without its quotes
 * @f: output
 * @s: raw bytes
 *
 * The text format escapes '\', '"' and line feed, and wants UTF-8; it has
 * no escape for a raw byte, so a byte that is not part of a well-formed
 * sequence becomes the character U+00XX, as in JSON.  Other control bytes
 * are valid in a label value and pass through.
 */
void cs_put_prom_label(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p == '\\') {
			fputs("\\\\", f);
		} else if (*p == '"') {
			fputs("\\\"", f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else {
			n = cs_utf8_len(p);
			if (n) {
				fwrite(p, 1, n, f);
				p += n;
				continue;
			}
			putc(0xc0 | *p >> 6, f);
			putc(0x80 | (*p & 0x3f), f);
		}
		p++;
	}
}

/* Tables */

/* COL_VAL is a size (or pages), COL_COUNT a plain number (events, VMAs). */
enum col_kind { COL_PID, COL_VAL, COL_COUNT, COL_DELTA, COL_RATE, COL_FLAGS };

/* A column of a table; @fld is CS_NR_FIELDS for PID and FLAGS. */
struct col {
	const char *head;
	enum col_kind kind;
	enum cs_field fld;
};

static const struct col table_cols[] = {
	{ "PID",	COL_PID,	CS_NR_FIELDS },
	{ "RSS",	COL_VAL,	CS_RSS },
	{ "ANON",	COL_VAL,	CS_ANON },
	{ "SHARED",	COL_VAL,	CS_SHARED },
	{ "PRIVATE",	COL_VAL,	CS_PRIVATE },
	{ "COW-BROKEN",	COL_VAL,	CS_COW_BROKEN },
	{ "SWAP",	COL_VAL,	CS_SWAP },
	{ "ZERO",	COL_VAL,	CS_ZERO },
	{ "FLAGS",	COL_FLAGS,	CS_NR_FIELDS },
};

static const struct col watch_cols[] = {
	{ "PID",	COL_PID,	CS_NR_FIELDS },
	{ "RSS",	COL_VAL,	CS_RSS },
	{ "dRSS",	COL_DELTA,	CS_RSS },
	{ "SHARED",	COL_VAL,	CS_SHARED },
	{ "dSHARED",	COL_DELTA,	CS_SHARED },
	{ "PRIVATE",	COL_VAL,	CS_PRIVATE },
	{ "dPRIVATE",	COL_DELTA,	CS_PRIVATE },
	{ "COW-BROKEN",	COL_VAL,	CS_COW_BROKEN },
	{ "dCOW",	COL_DELTA,	CS_COW_BROKEN },
	{ "COW/s",	COL_RATE,	CS_COW_BROKEN },
	{ "FLAGS",	COL_FLAGS,	CS_NR_FIELDS },
};

/* The widest table: --watch's, plus a column for a --sort field. */
#define MAX_COLS	(ARRAY_SIZE(watch_cols) + 1)

/*
 * A table is collected first and printed once every width is known: one
 * malloc'ed string per cell, plus a free-text last column (COMM) that is
 * not padded.  Numbers are right-aligned, FLAGS left-aligned.
 */
struct grid {
	const struct col *cols;
	size_t ncols, nrows, cap;
	char **cells;			/* nrows rows of ncols + 1 cells */
};

static char **grid_row(struct grid *g)
{
	size_t w = g->ncols + 1;

	if (g->nrows == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->cells = realloc(g->cells, g->cap * w * sizeof(*g->cells));
		if (!g->cells)
			oom();
	}
	memset(&g->cells[g->nrows * w], 0, w * sizeof(*g->cells));
	return &g->cells[g->nrows++ * w];
}

/* Print without trailing blanks: a row ends at its last non-empty cell. */
static void grid_print(FILE *f, struct grid *g)
{
	size_t w = g->ncols + 1, width[MAX_COLS] = { 0 }, r, c, last, len, pad;
	char **row;

	for (r = 0; r < g->nrows; r++)
		for (c = 0; c < g->ncols; c++) {
			len = strlen(g->cells[r * w + c]);
			if (len > width[c])
				width[c] = len;
		}
	for (r = 0; r < g->nrows; r++) {
		row = &g->cells[r * w];
		for (last = w; last > 0 && !*row[last - 1]; last--)
			;
		for (c = 0; c < last && c < g->ncols; c++) {
			len = strlen(row[c]);
			if (c)
				putc(' ', f);
			pad = width[c] - len;
			if (g->cols[c].kind != COL_FLAGS)
				fprintf(f, "%*s%s", (int)pad, "", row[c]);
			else	/* left-aligned: no padding at the end of a line */
				fprintf(f, "%s%*s", row[c], c + 1 < last ? (int)pad : 0, "");
		}
		if (last == w)
			fprintf(f, " %s", row[g->ncols]);
		putc('\n', f);
	}
	for (r = 0; r < g->nrows * w; r++)
		free(g->cells[r]);
	free(g->cells);
	g->cells = NULL;
	g->nrows = g->cap = 0;
}

static char *size_cell(uint64_t pages, uint32_t page_size, bool in_pages)
{
	char buf[CS_HUMAN_LEN];

	if (in_pages)
		return xasprintf("%" PRIu64, pages);
	cs_human(buf, sizeof(buf), cs_bytes(pages, page_size));
	return xasprintf("%s", buf);
}

/**
 * cs_delta() - change of a field between two samples
 * @prev: the earlier counts, or NULL (no earlier sample)
 * @cur: the later counts
 * @fld: the field
 * @d: the change, saturated to the range of int64_t
 *
 * Return: false when there is nothing to compare (no earlier sample, or the
 * field unavailable in either).
 */
bool cs_delta(const struct cs_counts *prev, const struct cs_counts *cur,
	      enum cs_field fld, int64_t *d)
{
	uint64_t a, b;

	if (!prev || !cs_have(prev, fld) || !cs_have(cur, fld))
		return false;
	a = prev->val[fld];
	b = cur->val[fld];
	if (b >= a)
		*d = b - a > INT64_MAX ? INT64_MAX : (int64_t)(b - a);
	else
		*d = a - b > INT64_MAX ? -INT64_MAX : -(int64_t)(a - b);
	return true;
}

/**
 * cs_rate() - change of a field per second
 * @prev: the earlier counts, or NULL
 * @cur: the later counts
 * @fld: the field
 * @elapsed: seconds between the two samples
 * @rate: the change per second (negative when the field shrank)
 *
 * Return: false when cs_delta() has nothing or @elapsed is not positive.
 */
bool cs_rate(const struct cs_counts *prev, const struct cs_counts *cur,
	     enum cs_field fld, double elapsed, double *rate)
{
	int64_t d;

	if (!(elapsed > 0) || !cs_delta(prev, cur, fld, &d))
		return false;
	*rate = d / elapsed;
	return true;
}

/* "+4.0K", "-12", "0" */
static char *delta_cell(int64_t d, uint32_t page_size, bool in_pages)
{
	char buf[CS_HUMAN_LEN];
	uint64_t mag;

	if (!d)
		return xasprintf("0");
	if (in_pages)
		return xasprintf("%+" PRId64, d);
	mag = d < 0 ? -(uint64_t)d : (uint64_t)d;
	cs_human(buf, sizeof(buf), cs_bytes(mag, page_size));
	return xasprintf("%c%s", d < 0 ? '-' : '+', buf);
}

/* Pages: "+2.5/s"; sizes: "+10.0K/s"; "0/s" when nothing changed. */
static char *rate_cell(double rate, uint32_t page_size, bool in_pages)
{
	char buf[CS_HUMAN_LEN];
	double mag = rate < 0 ? -rate : rate;
	uint64_t bytes;

	if (in_pages)
		return rate ? xasprintf("%+.1f/s", rate) : xasprintf("0/s");
	mag *= page_size;
	bytes = mag >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)(mag + 0.5);
	if (!bytes)
		return xasprintf("0/s");
	cs_human(buf, sizeof(buf), bytes);
	return xasprintf("%c%s/s", rate < 0 ? '-' : '+', buf);
}

/**
 * struct rowctx - what one table row shows
 * @pid: the PID cell ("" for a VMA, "total" for the totals)
 * @flags: the FLAGS cell
 * @cur: the counts
 * @prev: the same row's counts in the previous sample, or NULL
 * @is_new: there was a previous sample, without this row
 * @tail: the free-text last column (malloc'ed, owned by the grid)
 */
struct rowctx {
	const char *pid, *flags;
	const struct cs_counts *cur, *prev;
	bool is_new;
	char *tail;
};

static void add_row(struct grid *g, const struct rowctx *r, double elapsed,
		    uint32_t page_size, bool in_pages)
{
	char **row = grid_row(g);
	bool new_shown = false;
	size_t c;
	int64_t d;
	double rate;

	for (c = 0; c < g->ncols; c++) {
		const struct col *col = &g->cols[c];

		switch (col->kind) {
		case COL_PID:
			row[c] = xasprintf("%s", r->pid);
			break;
		case COL_FLAGS:
			row[c] = xasprintf("%s", r->flags);
			break;
		case COL_VAL:
			if (!cs_have(r->cur, col->fld))
				row[c] = xasprintf("-");
			else
				row[c] = size_cell(r->cur->val[col->fld], page_size, in_pages);
			break;
		case COL_COUNT:
			if (!cs_have(r->cur, col->fld))
				row[c] = xasprintf("-");
			else
				row[c] = xasprintf("%" PRIu64, r->cur->val[col->fld]);
			break;
		case COL_DELTA:
			if (r->is_new && !new_shown) {
				row[c] = xasprintf("new");
				new_shown = true;
			} else if (cs_delta(r->prev, r->cur, col->fld, &d)) {
				row[c] = delta_cell(d, page_size, in_pages);
			} else {
				row[c] = xasprintf("-");
			}
			break;
		case COL_RATE:
			if (cs_rate(r->prev, r->cur, col->fld, elapsed, &rate))
				row[c] = rate_cell(rate, page_size, in_pages);
			else
				row[c] = xasprintf("-");
			break;
		}
	}
	row[g->ncols] = r->tail;
}

/* Children under their parent, as ps --forest draws them. */
static void put_indent(FILE *m, uint32_t depth)
{
	uint32_t d = depth > CS_MAX_INDENT ? CS_MAX_INDENT : depth;

	if (!depth)
		return;
	fprintf(m, "%*s \\_ ", (int)(d - 1) * 4, "");
	if (depth > CS_MAX_INDENT)
		fprintf(m, "[%u] ", depth);
}

/* The COMM cell: indented under its parent in tree order, flush otherwise. */
static char *comm_tail(const struct cs_proc *p, bool indent)
{
	char *s;
	size_t len;
	FILE *m = open_memstream(&s, &len);

	if (!m)
		oom();
	if (indent)
		put_indent(m, p->depth);
	cs_put_text(m, p->comm);
	if (fclose(m))
		oom();
	return s;
}

/* A VMA as /proc/PID/maps shows it, one level under its process's comm. */
static char *vma_tail(const struct cs_proc *p, const struct cs_vma *v, bool indent)
{
	uint32_t d = !indent ? 0 : p->depth > CS_MAX_INDENT ? CS_MAX_INDENT : p->depth;
	char *s;
	size_t len;
	FILE *m = open_memstream(&s, &len);

	if (!m)
		oom();
	fprintf(m, "%*s%08" PRIx64 "-%08" PRIx64 " ", (int)(d + 1) * 4, "", v->start, v->end);
	cs_put_text(m, v->perms);
	fprintf(m, " %08" PRIx64, v->offset);
	if (v->name) {
		putc(' ', m);
		cs_put_text(m, v->name);
		if (v->name_truncated)
			fputs(" [name truncated]", m);
	}
	if (fclose(m))
		oom();
	return s;
}

static uint32_t nr_processes(const struct cs_tree *t)
{
	return t->have_totals && t->processes ? t->processes : t->nr_procs;
}

/* "4 processes, unique 41.5M, saved 25.7M (38.2%)" */
static char *totals_tail(const struct cs_tree *t, bool in_pages, const char *changes)
{
	const struct cs_counts *c = &t->totals;
	uint32_t n = nr_processes(t);
	char *unique, *saved, *s;

	unique = cs_have(c, CS_UNIQUE) ? size_cell(c->val[CS_UNIQUE], t->page_size, in_pages)
				       : xasprintf("-");
	saved = cs_have(c, CS_SAVED) ? size_cell(c->val[CS_SAVED], t->page_size, in_pages)
				     : xasprintf("-");
	if (cs_have(c, CS_SAVED) && cs_have(c, CS_RSS) && c->val[CS_RSS])
		s = xasprintf("%u process%s%s, unique %s, saved %s (%.1f%%)", n,
			      n == 1 ? "" : "es", changes, unique, saved,
			      100.0 * c->val[CS_SAVED] / c->val[CS_RSS]);
	else
		s = xasprintf("%u process%s%s, unique %s, saved %s", n,
			      n == 1 ? "" : "es", changes, unique, saved);
	free(unique);
	free(saved);
	return s;
}

struct pid_index {
	uint32_t pid;
	const struct cs_proc *p;
};

static int pid_cmp(const void *a, const void *b)
{
	const struct pid_index *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Rows sorted by pid, so that a 10,000-process sample is matched in n log n. */
static struct pid_index *index_tree(const struct cs_tree *t)
{
	struct pid_index *ix = calloc(t->nr_procs + 1, sizeof(*ix));
	size_t i;

	if (!ix)
		oom();
	for (i = 0; i < t->nr_procs; i++) {
		ix[i].pid = t->procs[i].pid;
		ix[i].p = &t->procs[i];
	}
	qsort(ix, t->nr_procs, sizeof(*ix), pid_cmp);
	return ix;
}

static const struct cs_proc *index_find(const struct pid_index *ix, size_t n, uint32_t pid)
{
	struct pid_index key = { .pid = pid };
	const struct pid_index *hit = bsearch(&key, ix, n, sizeof(*ix), pid_cmp);

	return hit ? hit->p : NULL;
}

/*
 * The VMA of @prev that starts where @v does.  Both lists come in address
 * order, so a cursor that only moves forward finds them all in one pass.
 * A VMA that grew (the heap) is the same VMA.
 */
static const struct cs_vma *match_vma(const struct cs_proc *prev, size_t *cursor,
				      const struct cs_vma *v)
{
	while (*cursor < prev->nr_vmas && prev->vmas[*cursor].start < v->start)
		(*cursor)++;
	if (*cursor < prev->nr_vmas && prev->vmas[*cursor].start == v->start)
		return &prev->vmas[*cursor];
	return NULL;
}

/* What order_cmp() compares by. */
struct order_ctx {
	const struct cs_tree *t;
	int sort;
};

/*
 * --sort: a count sorts largest first, the pid smallest first; a row whose
 * count is unavailable (a not_permitted row; cow_faults without delay
 * accounting) comes after every row that has one.  Ties keep the tree's
 * order (the indices compare last), so the order is stable.
 */
static int order_cmp(const void *a, const void *b, void *arg)
{
	const struct order_ctx *ctx = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct cs_proc *p = &ctx->t->procs[i], *q = &ctx->t->procs[j];
	enum cs_field fld;
	bool hp, hq;

	if (ctx->sort == CS_SORT_PID && p->pid != q->pid)
		return p->pid < q->pid ? -1 : 1;
	if (CS_SORT_IS_FIELD(ctx->sort)) {
		fld = CS_SORT_FIELD_OF(ctx->sort);
		hp = cs_have(&p->c, fld);
		hq = cs_have(&q->c, fld);
		if (hp != hq)
			return hp ? -1 : 1;
		if (hp && p->c.val[fld] != q->c.val[fld])
			return p->c.val[fld] > q->c.val[fld] ? -1 : 1;
	}
	return i < j ? -1 : i > j;
}

/* The rows to show, as indices into t->procs, in order; *@n of them. */
static size_t *row_order(const struct cs_tree *t, const struct cs_fmt *o, size_t *n)
{
	struct order_ctx ctx = { .t = t, .sort = o->sort };
	size_t *ix = calloc(t->nr_procs + 1, sizeof(*ix));
	size_t i;

	if (!ix)
		oom();
	for (i = 0; i < t->nr_procs; i++)
		ix[i] = i;
	if (o->sort != CS_SORT_TREE)
		qsort_r(ix, t->nr_procs, sizeof(*ix), order_cmp, &ctx);
	*n = o->top && o->top < t->nr_procs ? o->top : t->nr_procs;
	return ix;
}

/*
 * The columns: @base, and for a --sort field that @base has no column for,
 * one more before FLAGS (its heading the field's name, upper case, '-' for
 * '_'; cow_faults and skipped_vmas are plain numbers, not sizes).
 */
static size_t pick_cols(struct col *cols, char *head, size_t headlen,
			const struct col *base, size_t nbase, int sort)
{
	enum cs_field fld = CS_SORT_FIELD_OF(sort);
	size_t i, j, n = 0;
	bool have = !CS_SORT_IS_FIELD(sort);
	const char *c;

	for (i = 0; i < nbase; i++)
		have |= base[i].kind == COL_VAL && base[i].fld == fld;
	for (i = 0; i < nbase; i++) {
		if (!have && base[i].kind == COL_FLAGS) {
			for (c = cs_field_names[fld], j = 0; c[j] && j + 1 < headlen; j++)
				head[j] = c[j] == '_' ? '-' : c[j] - 'a' + 'A';
			head[j] = '\0';
			cols[n++] = (struct col){
				head, fld >= CS_NR_PAGE_FIELDS ? COL_COUNT : COL_VAL, fld
			};
		}
		cols[n++] = base[i];
	}
	return n;
}

/*
 * The table, and the --watch table when @watch: then @prev is the previous
 * sample (NULL for the first), and @elapsed the seconds since it.
 */
static void print_grid(FILE *f, const struct cs_tree *t, const struct cs_tree *prev,
		       double elapsed, const struct cs_fmt *o, bool watch)
{
	struct col cols[MAX_COLS];
	char head[32];
	struct grid g = { .cols = cols };
	struct pid_index *pix = NULL, *cix = NULL;
	size_t i, j, k, cursor, nshown, *order, nr_new = 0, nr_exited = 0;
	char flags[CS_FLAGS_LEN], pid[16], changes[96] = "", shown[48] = "";
	bool indent = o->sort == CS_SORT_TREE;
	struct rowctx r;
	char **row;

	g.ncols = watch ? pick_cols(cols, head, sizeof(head), watch_cols,
				    ARRAY_SIZE(watch_cols), o->sort)
			: pick_cols(cols, head, sizeof(head), table_cols,
				    ARRAY_SIZE(table_cols), o->sort);
	row = grid_row(&g);
	for (i = 0; i < g.ncols; i++)
		row[i] = xasprintf("%s", g.cols[i].head);
	row[g.ncols] = xasprintf("COMM");

	if (prev) {
		pix = index_tree(prev);
		for (i = 0; i < t->nr_procs; i++)
			nr_new += !index_find(pix, prev->nr_procs, t->procs[i].pid);
	}
	order = row_order(t, o, &nshown);
	for (k = 0; k < nshown; k++) {
		const struct cs_proc *p = &t->procs[order[k]];
		const struct cs_proc *pp = prev ? index_find(pix, prev->nr_procs, p->pid) : NULL;

		snprintf(pid, sizeof(pid), "%u", p->pid);
		cs_flags_text(flags, sizeof(flags), p);
		r = (struct rowctx){
			.pid = pid, .flags = flags, .cur = &p->c,
			.prev = pp ? &pp->c : NULL, .is_new = prev && !pp,
			.tail = comm_tail(p, indent),
		};
		add_row(&g, &r, elapsed, t->page_size, o->pages);
		if (!o->vmas)
			continue;
		cursor = 0;
		for (j = 0; j < p->nr_vmas; j++) {
			const struct cs_vma *v = &p->vmas[j];
			const struct cs_vma *pv = pp ? match_vma(pp, &cursor, v) : NULL;

			r = (struct rowctx){
				.pid = "", .flags = "", .cur = &v->c,
				.prev = pv ? &pv->c : NULL, .is_new = prev && !pv,
				.tail = vma_tail(p, v, indent),
			};
			add_row(&g, &r, elapsed, t->page_size, o->pages);
		}
	}

	/* --top: the totals stay the tree's; say how many rows are shown. */
	if (nshown < t->nr_procs)
		snprintf(shown, sizeof(shown), "top %zu shown", nshown);
	if (prev) {
		cix = index_tree(t);
		for (i = 0; i < prev->nr_procs; i++)
			nr_exited += !index_find(cix, t->nr_procs, prev->procs[i].pid);
		snprintf(changes, sizeof(changes), " (%zu new, %zu exited%s%s)", nr_new, nr_exited,
			 *shown ? ", " : "", shown);
	} else if (*shown) {
		snprintf(changes, sizeof(changes), " (%s)", shown);
	}
	r = (struct rowctx){
		.pid = "total", .flags = "", .cur = &t->totals,
		.prev = prev ? &prev->totals : NULL,
		.tail = totals_tail(t, o->pages, changes),
	};
	add_row(&g, &r, elapsed, t->page_size, o->pages);
	grid_print(f, &g);

	/* Exited processes have no row left: name them, in the old order. */
	if (nr_exited) {
		fputs("exited:", f);
		for (i = 0, j = 0; i < prev->nr_procs && j < CS_MAX_EXITED; i++) {
			const struct cs_proc *p = &prev->procs[i];

			if (index_find(cix, t->nr_procs, p->pid))
				continue;
			fprintf(f, "%s %u ", j++ ? "," : "", p->pid);
			cs_put_text(f, p->comm);
		}
		if (nr_exited > j)
			fprintf(f, ", and %zu more", nr_exited - j);
		putc('\n', f);
	}
	free(order);
	free(pix);
	free(cix);
}

/**
 * cs_print_table() - the tree as an indented table with a totals row
 * @f: output
 * @t: the tree
 * @o: sizes or pages, VMAs or not
 */
void cs_print_table(FILE *f, const struct cs_tree *t, const struct cs_fmt *o)
{
	print_grid(f, t, NULL, 0, o, false);
}

/**
 * cs_print_watch() - one --watch sample: values, changes, COW-break rate
 * @f: output
 * @prev: the previous sample, or NULL for the first
 * @cur: this sample
 * @elapsed: seconds between the starts of the two samples
 * @o: sizes or pages, VMAs or not
 *
 * Rows are matched by pid (VMAs by start address); a row without a match
 * shows "new" in its first change column, and processes that left the tree
 * are named on an "exited:" line after the table.
 */
void cs_print_watch(FILE *f, const struct cs_tree *prev, const struct cs_tree *cur,
		    double elapsed, const struct cs_fmt *o)
{
	print_grid(f, cur, prev, elapsed, o, true);
}

/* JSON */

static void json_count(FILE *f, const struct cs_counts *c, enum cs_field fld)
{
	fprintf(f, ", \"%s\": ", cs_field_names[fld]);
	if (cs_have(c, fld))
		fprintf(f, "%" PRIu64, c->val[fld]);
	else
		fputs("null", f);
}

static void json_flags(FILE *f, uint32_t flags)
{
	unsigned int bit, n = 0;

	putc('[', f);
	for (bit = 0; bit < 32; bit++) {
		uint32_t fl = 1u << bit;

		if (!(flags & fl))
			continue;
		fputs(n++ ? ", " : "", f);
		if (fl == CS_F_NO_MM)
			fputs("\"no_mm\"", f);
		else if (fl == CS_F_MM_SHARED)
			fputs("\"mm_shared\"", f);
		else if (fl == CS_F_NOT_PERMITTED)
			fputs("\"not_permitted\"", f);
		else
			fprintf(f, "\"bit%u\"", bit);
	}
	putc(']', f);
}

static void json_vma(FILE *f, const struct cs_vma *v)
{
	int fld;

	fprintf(f, "{\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
		"\", \"offset\": \"0x%" PRIx64 "\", \"perms\": ", v->start, v->end, v->offset);
	cs_put_json_string(f, v->perms);
	fputs(", \"name\": ", f);
	if (v->name)
		cs_put_json_string(f, v->name);
	else
		fputs("null", f);
	/* Only when true, so that a document without it reads as before. */
	if (v->name_truncated)
		fputs(", \"name_truncated\": true", f);
	for (fld = 0; fld < CS_NR_PAGE_FIELDS; fld++)
		json_count(f, &v->c, fld);
	putc('}', f);
}

/*
 * The JSON document, pretty (a process, or a VMA, per line) or on one line
 * (@line, for JSON lines), with @head's members first.
 */
static void json_doc(FILE *f, const struct cs_tree *t, bool vmas, bool line, const char *head)
{
	const char *top = line ? " " : "\n  ", *proc = line ? " " : "\n    ";
	const char *vma = line ? " " : "\n      ";
	size_t i, j;
	int fld;

	fprintf(f, "{%s%s\"root\": %u,%s\"page_size\": %u,%s\"processes\": [", line ? "" : "\n  ",
		head, t->root, top, t->page_size, top);
	for (i = 0; i < t->nr_procs; i++) {
		const struct cs_proc *p = &t->procs[i];

		fprintf(f, "%s%s{\"pid\": %u, \"ppid\": %u, \"depth\": %u, \"comm\": ",
			i ? "," : "", line && !i ? "" : proc, p->pid, p->ppid, p->depth);
		cs_put_json_string(f, p->comm);
		fputs(", \"flags\": ", f);
		json_flags(f, p->flags);
		if (p->flags & CS_F_MM_SHARED)
			fprintf(f, ", \"mm_shared_with\": %u", p->mm_shared_with);
		else
			fputs(", \"mm_shared_with\": null", f);
		for (fld = 0; fld < CS_NR_PROC_FIELDS; fld++)
			json_count(f, &p->c, fld);
		if (vmas) {
			fputs(", \"vmas\": [", f);
			for (j = 0; j < p->nr_vmas; j++) {
				fprintf(f, "%s%s", j ? "," : "", line && !j ? "" : vma);
				json_vma(f, &p->vmas[j]);
			}
			fputs(p->nr_vmas && !line ? "\n    ]" : "]", f);
		}
		putc('}', f);
	}
	fputs(t->nr_procs && !line ? "\n  ]," : "],", f);
	fprintf(f, "%s\"totals\": {\"processes\": %u", top, nr_processes(t));
	for (fld = 0; fld < CS_NR_FIELDS; fld++)
		json_count(f, &t->totals, fld);
	fputs(line ? "}}\n" : "}\n}\n", f);
}

/**
 * cs_print_json() - the tree as one JSON document
 * @f: output
 * @t: the tree
 * @vmas: give each process a "vmas" array
 *
 * Counts are in pages, named as in cowstat.rst, "What is counted", null when
 * unavailable. Addresses and offsets are hex strings, since they may exceed the
 * 2^53 that a JSON number holds exactly in most parsers.  One process (and one
 * VMA) per line, so that grep works too.
 */
void cs_print_json(FILE *f, const struct cs_tree *t, bool vmas)
{
	json_doc(f, t, vmas, false, "");
}

/**
 * cs_print_json_line() - one --record sample: a JSON document on one line
 * @f: output
 * @t: the tree, with its VMAs
 * @time: the sample's wall-clock time, in seconds since the epoch
 * @elapsed: seconds since the first sample (monotonic clock)
 * @n: the sample's number, from 1
 *
 * The document of cs_print_json() with the VMAs, on one line, with "time",
 * "elapsed" and "sample" first.
 */
void cs_print_json_line(FILE *f, const struct cs_tree *t, double time, double elapsed,
			unsigned long n)
{
	char head[128];

	snprintf(head, sizeof(head), "\"time\": %.3f, \"elapsed\": %.3f, \"sample\": %lu, ",
		 time, elapsed, n);
	json_doc(f, t, true, true, head);
}

/* Prometheus */

/*
 * The HELP of each field's metrics: a page field's is its doc in the YNL
 * spec, carried by the X-macro; the others are not in the counts set.
 */
#define CS_FIELD_HELP(NAME, name, doc)	[CS_##NAME] = doc,
static const char *const prom_help[CS_NR_FIELDS] = {
	COWSTAT_COUNTS(CS_FIELD_HELP)
	[CS_COW_FAULTS]		= "COW copies counted by delay accounting",
	[CS_SKIPPED_VMAS]	= "VMAs not walked (hugetlb, VM_PFNMAP, VM_IO)",
	[CS_UNIQUE]		= "distinct physical pages in the tree's rss",
	[CS_SAVED]		= "pages that sharing saves the tree (rss - unique)",
};
#undef CS_FIELD_HELP

/*
 * Names follow Prometheus's conventions: a unit suffix in the base unit,
 * _total only on counters.  Memory is in bytes, cowstat_<field>_bytes per
 * process and cowstat_tree_<field>_bytes for the tree; the _pages families
 * of cowstat 0.2 stay, with the same values in pages, for dashboards and
 * tests written against them (deprecated).  cow_faults is a counter of
 * events per process (cowstat_cow_faults_total); the tree's cow_faults is
 * a sum that drops when a process exits, so it is a gauge without _total.
 * skipped_vmas counts VMAs and has no unit suffix.
 */
enum prom_unit { PROM_BYTES, PROM_PAGES, PROM_NONE };

/* The families of a field: bytes and pages for memory, else one. */
static size_t prom_units(enum cs_field fld, enum prom_unit u[2])
{
	if (fld == CS_COW_FAULTS || fld == CS_SKIPPED_VMAS) {
		u[0] = PROM_NONE;
		return 1;
	}
	u[0] = PROM_BYTES;
	u[1] = PROM_PAGES;
	return 2;
}

static void prom_name(char *buf, size_t len, enum cs_field fld, bool tree, enum prom_unit u)
{
	const char *pre = tree ? "cowstat_tree_" : "cowstat_";

	if (fld == CS_COW_FAULTS)
		snprintf(buf, len, "%scow_faults%s", pre, tree ? "" : "_total");
	else
		snprintf(buf, len, "%s%s%s", pre, cs_field_names[fld],
			 u == PROM_BYTES ? "_bytes" : u == PROM_PAGES ? "_pages" : "");
}

static uint64_t prom_value(const struct cs_counts *c, enum cs_field fld, enum prom_unit u,
			   uint32_t page_size)
{
	return u == PROM_BYTES ? cs_bytes(c->val[fld], page_size) : c->val[fld];
}

static void prom_head(FILE *f, const char *name, const char *type, const char *help,
		      enum prom_unit u)
{
	static const char *const unit[] = {
		[PROM_BYTES] = ", in bytes",
		[PROM_PAGES] = ", in pages (deprecated: see the _bytes metric)",
		[PROM_NONE] = "",
	};

	fprintf(f, "# HELP %s %s%s\n# TYPE %s %s\n", name, help, unit[u], name, type);
}

static void prom_proc_labels(FILE *f, const struct cs_tree *t, const struct cs_proc *p)
{
	fprintf(f, "{root=\"%u\",pid=\"%u\",comm=\"", t->root, p->pid);
	cs_put_prom_label(f, p->comm);
	fputs("\"}", f);
}

/* One per-process family: a sample for each row where @fld is available. */
static void prom_proc_family(FILE *f, const struct cs_tree *t, enum cs_field fld,
			     enum prom_unit u)
{
	bool head = false;
	char name[64];
	size_t i;

	prom_name(name, sizeof(name), fld, false, u);
	for (i = 0; i < t->nr_procs; i++) {
		const struct cs_proc *p = &t->procs[i];

		if (!cs_have(&p->c, fld))
			continue;
		if (!head)
			prom_head(f, name, fld == CS_COW_FAULTS ? "counter" : "gauge",
				  prom_help[fld], u);
		head = true;
		fputs(name, f);
		prom_proc_labels(f, t, p);
		fprintf(f, " %" PRIu64 "\n", prom_value(&p->c, fld, u, t->page_size));
	}
}

/**
 * cs_print_prometheus() - the tree in the Prometheus text exposition format
 * @f: output
 * @t: the tree
 *
 * For node_exporter's textfile collector: every metric family once, its
 * # HELP and # TYPE lines first, then its samples.  A family appears only
 * with at least one sample: an unavailable value (a not-permitted row,
 * cow_faults without delay accounting) is left out, not written as 0.
 * cowstat_process_info carries ppid, depth and flags.  Each memory figure
 * comes as a _bytes family followed by its deprecated _pages twin.
 */
void cs_print_prometheus(FILE *f, const struct cs_tree *t)
{
	char name[64], flags[CS_FLAGS_LEN];
	enum prom_unit u, us[2];
	size_t i, k, nu;
	int fld;

	if (t->nr_procs)
		prom_head(f, "cowstat_process_info", "gauge",
			  "a process of the tree, with its parent, depth and flags; always 1",
			  PROM_NONE);
	for (i = 0; i < t->nr_procs; i++) {
		const struct cs_proc *p = &t->procs[i];

		cs_flags_text(flags, sizeof(flags), p);
		fprintf(f, "cowstat_process_info{root=\"%u\",pid=\"%u\",", t->root, p->pid);
		fprintf(f, "ppid=\"%u\",depth=\"%u\",comm=\"", p->ppid, p->depth);
		cs_put_prom_label(f, p->comm);
		fprintf(f, "\",flags=\"%s\"} 1\n", flags);
	}
	for (fld = 0; fld < CS_NR_PROC_FIELDS; fld++) {
		nu = prom_units(fld, us);
		for (k = 0; k < nu; k++)
			prom_proc_family(f, t, fld, us[k]);
	}
	prom_head(f, "cowstat_page_size_bytes", "gauge", "bytes per page", PROM_NONE);
	fprintf(f, "cowstat_page_size_bytes{root=\"%u\"} %u\n", t->root, t->page_size);
	prom_head(f, "cowstat_tree_processes", "gauge", "processes in the tree", PROM_NONE);
	fprintf(f, "cowstat_tree_processes{root=\"%u\"} %u\n", t->root, nr_processes(t));
	for (fld = 0; fld < CS_NR_FIELDS; fld++) {
		if (!cs_have(&t->totals, fld))
			continue;
		nu = prom_units(fld, us);
		for (k = 0; k < nu; k++) {
			u = us[k];
			prom_name(name, sizeof(name), fld, true, u);
			prom_head(f, name, "gauge", prom_help[fld], u);
			fprintf(f, "%s{root=\"%u\"} %" PRIu64 "\n", name, t->root,
				prom_value(&t->totals, fld, u, t->page_size));
		}
	}
}
