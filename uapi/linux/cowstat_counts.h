/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/cowstat.yaml */
/* by scripts/ynl.sh from its counts attribute set */

#ifndef _UAPI_LINUX_COWSTAT_COUNTS_H
#define _UAPI_LINUX_COWSTAT_COUNTS_H

/*
 * COWSTAT_COUNTS(X) calls X(NAME, "name", "doc") for each count of the
 * counts attribute set, in attribute order: COWSTAT_A_COUNTS_##NAME is its
 * attribute, "name" its name with '_' for '-', "doc" its doc on one line.
 */
#define COWSTAT_COUNTS(X) \
	X(RSS, "rss", \
	  "present pages mapped, without the zero pages (as smaps Rss)") \
	X(ANON, "anon", \
	  "of rss, anonymous pages") \
	X(FILE, "file", \
	  "of rss, other pages (page cache, shmem, kernel pages)") \
	X(SHARED, "shared", \
	  "of rss, pages whose mapcount is 2 or more") \
	X(PRIVATE, "private", \
	  "of rss, pages whose mapcount is 1") \
	X(ANON_SHARED, "anon_shared", \
	  "of shared, anonymous pages") \
	X(ANON_PRIVATE, "anon_private", \
	  "of private, anonymous pages") \
	X(COW_BROKEN, "cow_broken", \
	  "of anon_private, copies of a page the tree holds elsewhere") \
	X(SWAP, "swap", \
	  "swap entries in private mappings (not in rss)") \
	X(ZERO, "zero", \
	  "pages mapped to the zero page or huge zero page (not in rss)") \
	X(KSM, "ksm", \
	  "of rss, KSM-merged pages") \
	X(THP, "thp", \
	  "of rss, pages mapped by PMD-level huge mappings")

#endif /* _UAPI_LINUX_COWSTAT_COUNTS_H */
