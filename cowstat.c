// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat - shared, private and COW-broken pages of a process tree.
 *
 * Module entry points and the helpers that the debugfs and netlink front
 * ends share.  The counting itself lives in walk.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "cowstat.h"

/**
 * cowstat_find_process() - look up a process by a PID of the caller's namespace
 * @nr: the PID as the calling task's PID namespace numbers it
 *
 * A thread ID selects the thread's process, as /proc/TID does.
 *
 * Return: a reference to the process's thread-group &struct pid (drop it with
 * put_pid()), or NULL when no task of that number is visible to the caller.
 */
struct pid *cowstat_find_process(u32 nr)
{
	struct task_struct *task;
	struct pid *pid = NULL;

	if (!nr || nr > INT_MAX)
		return NULL;

	rcu_read_lock();
	task = pid_task(find_pid_ns(nr, task_active_pid_ns(current)), PIDTYPE_PID);
	if (task)
		pid = get_pid(task_tgid(task));
	rcu_read_unlock();
	return pid;
}

static int __init cowstat_init(void)
{
	int ret;

	ret = cowstat_debugfs_init();
	if (ret)
		return ret;
	pr_info("version %s loaded\n", COWSTAT_VERSION);
	return 0;
}

static void __exit cowstat_exit(void)
{
	cowstat_debugfs_exit();
}

module_init(cowstat_init);
module_exit(cowstat_exit);

MODULE_AUTHOR("The cowstat developers");
MODULE_DESCRIPTION("Shared, private and COW-broken pages of a process tree");
MODULE_LICENSE("GPL");
MODULE_VERSION(COWSTAT_VERSION);
