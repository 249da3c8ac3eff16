/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowstat CLI: --backend=pagemap, the tree's counts computed without the
 * module, from /proc/PID/{maps,pagemap}, /proc/kpagecount and
 * /proc/kpageflags.
 */
#ifndef COWSTAT_PAGEMAP_H
#define COWSTAT_PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "nl.h"

/* Bits of a /proc/PID/pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define CS_PM_PFN_MASK		((1ULL << 55) - 1)
#define CS_PM_SWAP		(1ULL << 62)
#define CS_PM_PRESENT		(1ULL << 63)

/* Bits of a /proc/kpageflags entry (include/uapi/linux/kernel-page-flags.h). */
#define CS_KPF_ANON		12
#define CS_KPF_NOPAGE		20
#define CS_KPF_KSM		21
#define CS_KPF_THP		22
#define CS_KPF_ZERO_PAGE	24

/* Pages of a PMD-level mapping (2 MiB of 4 KiB pages on x86-64). */
#define CS_PMD_PAGES		512

/**
 * struct cs_pm_maps_line - one line of /proc/PID/maps, parsed
 * @start: first address
 * @end: address past the end
 * @offset: file offset in bytes
 * @perms: "rwxp" as printed
 * @major: the file's device, major number (0 for anonymous memory)
 * @minor: the file's device, minor number
 * @inode: the file's inode number (0 for anonymous memory)
 * @name: the name as maps prints it, "" for anonymous memory; points into
 *	the parsed line
 */
struct cs_pm_maps_line {
	uint64_t start, end, offset;
	char perms[8];
	unsigned int major, minor;
	uint64_t inode;
	const char *name;
};

int cs_pm_parse_maps_line(char *line, struct cs_pm_maps_line *m);
bool cs_pm_pmd_mapped_guess(const uint64_t *ent, const uint32_t *flags, uint64_t vaddr_page);
int cs_pm_dump(uint32_t pid, bool vmas, struct cs_tree *t, struct cs_nl_err *e);

#endif /* COWSTAT_PAGEMAP_H */
