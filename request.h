/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walks for netlink callers, run on cowstat's workqueue with the caller's
 * credentials, PID namespace and memory cgroup (request.c).
 */
#ifndef _COWSTAT_REQUEST_H
#define _COWSTAT_REQUEST_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/workqueue.h>

#include "cowstat.h"

/**
 * struct cs_request - a walk for a netlink caller, run on cowstat's workqueue
 * @ref: references: the caller's, the queued walk's
 * @work: the walk
 * @done: completes when the walk has ended and @answer has run
 * @reader: the caller: its PID namespace, thread group and task
 * @cred: the caller's credentials, which the walk runs with
 * @memcg: the caller's memory cgroup, which the walk charges
 * @user: the caller's user's count of unfinished requests
 * @root: the tree's root
 * @how: CS_WANT_VMAS, CS_CHECK_PERM
 * @name_max: longest VMA name kept
 * @answer: called by the worker when the walk has ended, or NULL
 * @release: frees @priv when the last reference goes, or NULL
 * @priv: for @answer and @release
 * @err: the walk's result once @done
 * @snap: the snapshot when @err is 0
 */
struct cs_request {
	struct kref ref;
	struct work_struct work;
	struct completion done;
	struct cs_reader reader;
	const struct cred *cred;
	struct mem_cgroup *memcg;
	struct cs_user *user;
	struct pid *root;
	unsigned int how;
	size_t name_max;
	void (*answer)(struct cs_request *req);
	void (*release)(struct cs_request *req);
	void *priv;
	int err;
	struct cs_snapshot *snap;
};

/* request.c */
struct cs_request *cs_request_new(struct pid *root, unsigned int how,
				  size_t name_max);
void cs_request_queue(struct cs_request *req);
int cs_request_wait(struct cs_request *req);
void cs_request_cancel(struct cs_request *req);
void cs_request_put(struct cs_request *req);
bool cs_request_stopping(void);
int cs_request_init(void);
void cs_request_exit(void);

#endif /* _COWSTAT_REQUEST_H */
