/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowstat - shared, private and COW-broken pages of a process tree.
 *
 * Declarations shared between the module's files.
 */
#ifndef _COWSTAT_H
#define _COWSTAT_H

#include <linux/types.h>

#define COWSTAT_VERSION		"0.1.0"
#define COWSTAT_GENL_VERSION	1

struct pid;

/* debugfs.c */
int cowstat_debugfs_init(void);
void cowstat_debugfs_exit(void);

/* cowstat.c */
struct pid *cowstat_find_process(u32 nr);

#endif /* _COWSTAT_H */
