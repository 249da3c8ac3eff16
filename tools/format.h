/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowstat CLI: the output formats (table, --watch table, JSON, Prometheus).
 * Pure functions of a struct cs_tree and a FILE, so that the host tests can
 * check their exact output on synthetic trees.
 */
#ifndef COWSTAT_FORMAT_H
#define COWSTAT_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/*
 * The order of a table's rows: the tree's (parents before children,
 * indented), by pid (ascending), or by a count of enum cs_field (descending;
 * rows where it is unavailable last).  Ties keep the tree's order.
 */
#define CS_SORT_TREE		0
#define CS_SORT_PID		1
#define CS_SORT_FIELD(f)	(2 + (int)(f))
#define CS_SORT_IS_FIELD(s)	((s) >= 2)
#define CS_SORT_FIELD_OF(s)	((enum cs_field)((s) - 2))

/**
 * struct cs_fmt - how the tables print
 * @pages: page counts instead of sizes
 * @vmas: a row per VMA under each process
 * @sort: CS_SORT_TREE, CS_SORT_PID or CS_SORT_FIELD(f); any order but the
 *	tree's prints COMM unindented, and a sort field that the table has no
 *	column for gets one, before FLAGS
 * @top: at most this many process rows (each with its VMAs), 0 for all;
 *	the totals row stays the whole tree's
 */
struct cs_fmt {
	bool pages;
	bool vmas;
	int sort;
	size_t top;
};

/* A size as cs_human() prints it is at most "1023.9K" plus a sign. */
#define CS_HUMAN_LEN	32

uint64_t cs_bytes(uint64_t pages, uint32_t page_size);
void cs_human(char *buf, size_t len, uint64_t bytes);

size_t cs_utf8_len(const unsigned char *s);
void cs_put_text(FILE *f, const char *s);
void cs_put_json_string(FILE *f, const char *s);
void cs_put_prom_label(FILE *f, const char *s);

void cs_print_table(FILE *f, const struct cs_tree *t, const struct cs_fmt *o);
void cs_print_json(FILE *f, const struct cs_tree *t, bool vmas);
void cs_print_json_line(FILE *f, const struct cs_tree *t, double time, double elapsed,
			unsigned long n);
void cs_print_prometheus(FILE *f, const struct cs_tree *t);

bool cs_delta(const struct cs_counts *prev, const struct cs_counts *cur,
	      enum cs_field fld, int64_t *d);
bool cs_rate(const struct cs_counts *prev, const struct cs_counts *cur,
	     enum cs_field fld, double elapsed, double *rate);
void cs_print_watch(FILE *f, const struct cs_tree *prev, const struct cs_tree *cur,
		    double elapsed, const struct cs_fmt *o);

#endif /* COWSTAT_FORMAT_H */
