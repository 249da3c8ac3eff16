/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/cowstat.yaml */
/* by scripts/ynl.sh from its counts attribute set */

#ifndef _UAPI_LINUX_COWSTAT_COUNTS_H
#define _UAPI_LINUX_COWSTAT_COUNTS_H

/*
 * COWSTAT_COUNTS(X) calls X(NAME, "name") for each count of the counts
 * attribute set, in attribute order: COWSTAT_A_COUNTS_##NAME is its
 * attribute, "name" its name with '_' for '-'.
 */
#define COWSTAT_COUNTS(X) \
	X(RSS, "rss") \
	X(ANON, "anon") \
	X(FILE, "file") \
	X(SHARED, "shared") \
	X(PRIVATE, "private") \
	X(ANON_SHARED, "anon_shared") \
	X(ANON_PRIVATE, "anon_private") \
	X(COW_BROKEN, "cow_broken") \
	X(SWAP, "swap") \
	X(ZERO, "zero") \
	X(KSM, "ksm") \
	X(THP, "thp")

#endif /* _UAPI_LINUX_COWSTAT_COUNTS_H */
