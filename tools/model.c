// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat CLI: the in-memory tree a dump fills and the formats print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define CS_FIELD_NAME(NAME, name, ...)	[CS_##NAME] = name,
const char *const cs_field_names[CS_NR_FIELDS] = {
	COWSTAT_COUNTS(CS_FIELD_NAME)
	[CS_COW_FAULTS]		= "cow_faults",
	[CS_SKIPPED_VMAS]	= "skipped_vmas",
	[CS_UNIQUE]		= "unique",
	[CS_SAVED]		= "saved",
};

/* Grow an array geometrically: a 10,000-process tree is one dump. */
static void *grow(void *arr, size_t *cap, size_t nr, size_t size)
{
	size_t ncap;
	void *p;

	if (nr < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(arr, ncap * size);
	if (!p)
		return NULL;
	memset((char *)p + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return p;
}

/**
 * cs_tree_add_proc() - append a zeroed row
 * @t: the tree
 * @pid: its pid
 *
 * Return: the row, whose comm is "" until set, or NULL when out of memory.
 */
struct cs_proc *cs_tree_add_proc(struct cs_tree *t, uint32_t pid)
{
	struct cs_proc *procs, *p;

	procs = grow(t->procs, &t->cap_procs, t->nr_procs, sizeof(*procs));
	if (!procs)
		return NULL;
	t->procs = procs;
	p = &procs[t->nr_procs];
	p->comm = strdup("");
	if (!p->comm)
		return NULL;
	p->pid = pid;
	t->nr_procs++;
	return p;
}

/**
 * cs_proc_add_vma() - append a zeroed VMA to a row
 * @p: the row
 *
 * Return: the VMA, whose perms are "" until set, or NULL when out of memory.
 */
struct cs_vma *cs_proc_add_vma(struct cs_proc *p)
{
	struct cs_vma *vmas, *v;

	vmas = grow(p->vmas, &p->cap_vmas, p->nr_vmas, sizeof(*vmas));
	if (!vmas)
		return NULL;
	p->vmas = vmas;
	v = &vmas[p->nr_vmas];
	v->perms = strdup("");
	if (!v->perms)
		return NULL;
	p->nr_vmas++;
	return v;
}

/**
 * cs_tree_find() - the row of a pid
 * @t: the tree
 * @pid: the pid
 *
 * Searched from the end, because a VMA message follows its process's row.
 *
 * Return: the row, or NULL.
 */
struct cs_proc *cs_tree_find(const struct cs_tree *t, uint32_t pid)
{
	size_t i;

	for (i = t->nr_procs; i > 0; i--)
		if (t->procs[i - 1].pid == pid)
			return &t->procs[i - 1];
	return NULL;
}

void cs_tree_free(struct cs_tree *t)
{
	size_t i, j;

	for (i = 0; i < t->nr_procs; i++) {
		struct cs_proc *p = &t->procs[i];

		for (j = 0; j < p->nr_vmas; j++) {
			free(p->vmas[j].perms);
			free(p->vmas[j].name);
		}
		free(p->vmas);
		free(p->comm);
	}
	free(t->procs);
	memset(t, 0, sizeof(*t));
}

/**
 * cs_flags_text() - a row's flags as words joined by commas
 * @buf: where to write
 * @len: its size (CS_FLAGS_LEN is always enough)
 * @p: the row
 *
 * The words are those of the debugfs tree file (README, "debugfs"): no_mm,
 * mm_shared_with=<pid>, not_permitted; bits this tool does not know (a
 * newer module) print as bitN rather than being dropped.  "-" when none.
 */
void cs_flags_text(char *buf, size_t len, const struct cs_proc *p)
{
	size_t off = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 32; bit++) {
		uint32_t f = 1u << bit;
		int n;

		if (!(p->flags & f))
			continue;
		if (f == CS_F_NO_MM)
			n = snprintf(buf + off, len - off, "%sno_mm", off ? "," : "");
		else if (f == CS_F_MM_SHARED)
			n = snprintf(buf + off, len - off, "%smm_shared_with=%u",
				     off ? "," : "", p->mm_shared_with);
		else if (f == CS_F_NOT_PERMITTED)
			n = snprintf(buf + off, len - off, "%snot_permitted",
				     off ? "," : "");
		else
			n = snprintf(buf + off, len - off, "%sbit%u", off ? "," : "", bit);
		if (n < 0 || (size_t)n >= len - off)
			return;		/* cannot happen with CS_FLAGS_LEN */
		off += n;
	}
	if (!off)
		snprintf(buf, len, "-");
}
