// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat - shared, private and COW-broken pages of a process tree.
 *
 * Module entry points, and the snapshot that the debugfs and netlink front
 * ends print: tree.c finds the processes, walk.c counts their pages,
 * cow.c attributes COW breaks, and the totals are added up here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "request.h"

/*
 * Who may read what (README, "Who may read what").  Off by default: only
 * callers with CAP_SYS_PTRACE over a process see its counts.  Read once per
 * walk.
 */
bool cs_unprivileged_read;
module_param_named(unprivileged_read, cs_unprivileged_read, bool, 0644);
MODULE_PARM_DESC(unprivileged_read,
		 "Let any user read the processes whose /proc/PID/smaps it may read (default: off, CAP_SYS_PTRACE needed)");

/* Unfinished netlink requests a user may hold at once (request.c). */
unsigned int cs_max_dumps_per_user = 16;
module_param_named(max_dumps_per_user, cs_max_dumps_per_user, uint, 0644);
MODULE_PARM_DESC(max_dumps_per_user,
		 "Unfinished netlink dumps (and gets being answered) one user may hold; more fail with EBUSY (default 16)");

/**
 * cs_find_process() - look up a process by a PID of a namespace
 * @ns: the PID namespace that numbers @nr
 * @nr: the PID
 *
 * A thread ID selects the thread's process, as /proc/TID does.
 *
 * Return: a reference to the process's thread-group &struct pid (drop it with
 * put_pid()), or NULL when no task of that number is visible in @ns.
 */
struct pid *cs_find_process(struct pid_namespace *ns, u32 nr)
{
	struct task_struct *task;
	struct pid *pid = NULL;

	if (!nr || nr > INT_MAX)
		return NULL;

	rcu_read_lock();
	task = pid_task(find_pid_ns(nr, ns), PIDTYPE_PID);
	if (task)
		pid = get_pid(task_tgid(task));
	rcu_read_unlock();
	return pid;
}

/**
 * cs_reader_init_current() - a reader that is the calling task itself
 * @reader: filled in; it borrows current's namespace and pid, no reference
 */
void cs_reader_init_current(struct cs_reader *reader)
{
	reader->ns = task_active_pid_ns(current);
	reader->tgid = task_tgid(current);
	reader->task = current;
	reader->cancel = false;
}

#define CS_FIELD_NAME(NAME, name, ...) \
	[CS_##NAME] = (name),
const char * const cs_field_names[CS_NR_FIELDS] = {
	COWSTAT_COUNTS(CS_FIELD_NAME)
};

static void add_totals(struct cs_snapshot *snap)
{
	u32 i;

	for (i = 0; i < snap->nr_procs; i++) {
		struct cs_proc *p = &snap->procs[i];

		if (p->cow_faults_valid) {
			snap->cow_faults += p->cow_faults;
			snap->cow_faults_valid = true;
		}
		/* Distinct mms only: a shared mm is counted by its owner. */
		if (p->mm_owner != i)
			continue;
		cs_counts_add(&snap->total, &p->c);
		snap->skipped_vmas += p->skipped_vmas;
	}
}

/**
 * cs_snapshot_take() - walk the tree of @root once
 * @reader: whom the walk is for: PID namespace, credentials (current's)
 * @root: the root's thread-group &struct pid
 * @how: CS_WANT_VMAS, keep a row for every VMA; CS_CHECK_PERM, count only
 *	the processes that the reader may read, flag the others
 * @name_max: VMA names longer than this many bytes are cut and flagged
 * @snapp: receives the snapshot, to be freed with cs_snapshot_free()
 *
 * Sleeps; takes each mm's mmap_lock for read in turn.  Every allocation is
 * charged to the active memory cgroup.  The result holds its rows only: the
 * walk's state (struct cs_walk: its scratch and its mm grabs) exists only
 * until it returns.
 *
 * Return: 0; -ESRCH when @root has been reaped or is not visible to the
 * reader; -ENOMEM; -EINTR when the walk was stopped (cs_should_stop()).
 */
int cs_snapshot_take(const struct cs_reader *reader, struct pid *root,
		     unsigned int how, size_t name_max,
		     struct cs_snapshot **snapp)
{
	struct cs_walk cw = {
		.q = {
			.reader = reader,
			.want_vmas = how & CS_WANT_VMAS,
			.check_perm = how & CS_CHECK_PERM,
			.unprivileged_read = READ_ONCE(cs_unprivileged_read),
			.name_max = name_max,
		},
	};
	int ret;

	cw.snap = kzalloc(sizeof(*cw.snap), GFP_KERNEL_ACCOUNT);
	if (!cw.snap)
		return -ENOMEM;

	ret = cs_tree_collect(&cw, root);
	if (!ret)
		ret = cs_walk_tree(&cw);
	if (!ret)
		ret = cs_cow_count(&cw);
	if (!ret)
		cw.snap->unique = cs_pfnset_count(&cw.pfns);
	cs_walk_drop_scratch(&cw);
	cs_tree_drop_mms(&cw);
	if (ret) {
		cs_snapshot_free(cw.snap);
		return ret;
	}
	add_totals(cw.snap);
	*snapp = cw.snap;
	return 0;
}

/**
 * cs_snapshot_free() - free a snapshot and drop what it holds
 * @snap: the snapshot, or NULL
 */
void cs_snapshot_free(struct cs_snapshot *snap)
{
	if (!snap)
		return;
	cs_walk_release(snap);
	cs_tree_release(snap);
	kfree(snap);
}

/**
 * cs_should_stop() - whether a walk must end now
 * @cw: the walk
 *
 * Every long loop of the walk asks this between page tables or processes.
 *
 * Return: true when the reader was sent a fatal signal or gave up, or when
 * the module is being unloaded.
 */
bool cs_should_stop(const struct cs_walk *cw)
{
	const struct cs_reader *r = cw->q.reader;

	return fatal_signal_pending(current) || fatal_signal_pending(r->task) ||
	       READ_ONCE(r->cancel) || cs_request_stopping();
}

static int __init cowstat_init(void)
{
	int ret;

	ret = cs_request_init();
	if (ret)
		return ret;
	ret = cs_debugfs_init();
	if (ret)
		goto out_request;
	ret = cs_netlink_init();
	if (ret)
		goto out_debugfs;
	pr_info("version %s loaded\n", COWSTAT_VERSION);
	return 0;

out_debugfs:
	cs_debugfs_exit();
out_request:
	cs_request_exit();
	return ret;
}

static void __exit cowstat_exit(void)
{
	cs_netlink_exit();
	cs_debugfs_exit();
	cs_request_exit();
}

module_init(cowstat_init);
module_exit(cowstat_exit);

MODULE_AUTHOR("The cowstat developers");
MODULE_DESCRIPTION("Shared, private and COW-broken pages of a process tree");
MODULE_LICENSE("GPL");
MODULE_VERSION(COWSTAT_VERSION);
