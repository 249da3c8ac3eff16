// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the processes of a tree.
 *
 * The tree of R is R and its descendants along real_parent links, as the
 * reader's PID namespace sees them.  tasklist_lock is not exported, and a
 * task's children list may not be walked under RCU alone, so the tree is
 * found the way /proc is listed: the namespace's thread-group IDs are read
 * one at a time under RCU (find_ge_pid()), each with its parent's ID; the
 * (pid, ppid) pairs are sorted by parent; and the tree is laid out from the
 * root with an explicit stack, never by recursion, so that a chain of
 * 10,000 processes costs no kernel stack.  Memory is two integers per
 * process of the namespace while collecting, then one row per process of
 * the tree.
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched/coredump.h>
#include <linux/delayacct.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "compat.h"
#include "cowstat.h"

struct cs_link {
	pid_t nr, ppid;
};

static int cmp_link(const void *a, const void *b)
{
	const struct cs_link *x = a, *y = b;

	if (x->ppid != y->ppid)
		return x->ppid < y->ppid ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* Every thread group of @ns with its parent, in @linksp; returns the count. */
static int collect_links(struct pid_namespace *ns, struct cs_link **linksp)
{
	struct cs_link *links = NULL, *bigger;
	unsigned int n = 0, cap = 0;
	struct task_struct *task;
	struct pid *pid;
	pid_t nr = 1, ppid;

	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			bigger = cs_grow(links, n, cap, sizeof(*links));
			if (!bigger) {
				kvfree(links);
				return -ENOMEM;
			}
			links = bigger;
		}
		rcu_read_lock();
		pid = find_ge_pid(nr, ns);
		if (!pid) {
			rcu_read_unlock();
			break;
		}
		nr = pid_nr_ns(pid, ns);
		task = pid_task(pid, PIDTYPE_TGID);
		if (task) {
			ppid = task_tgid_nr_ns(rcu_dereference(task->real_parent), ns);
			links[n].nr = nr;
			/* The namespace's init has a parent that it cannot see. */
			links[n].ppid = ppid;
			n++;
		}
		rcu_read_unlock();
		if (nr == INT_MAX)
			break;
		nr++;
		if (fatal_signal_pending(current)) {
			kvfree(links);
			return -EINTR;
		}
		cond_resched();
	}
	*linksp = links;
	return n;
}

/* Index of the first link whose parent is @ppid, or @n. */
static unsigned int first_child(const struct cs_link *links, unsigned int n,
				pid_t ppid)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (links[mid].ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Whether the caller may read @task's /proc/PID/smaps: the credential and
 * dumpable checks of __ptrace_may_access(PTRACE_MODE_READ_FSCREDS), which
 * is not exported.  The LSM hook it also calls is not exported either, so
 * an LSM that denies ptrace reads is not consulted (README).  Called with
 * task_lock(@task) held, as ptrace_may_access() calls it.
 */
static bool may_read(struct task_struct *task)
{
	const struct cred *cred = current_cred(), *tcred;
	bool ok;

	if (same_thread_group(task, current))
		return true;
	rcu_read_lock();
	tcred = __task_cred(task);
	ok = (uid_eq(cred->fsuid, tcred->euid) && uid_eq(cred->fsuid, tcred->suid) &&
	      uid_eq(cred->fsuid, tcred->uid) && gid_eq(cred->fsgid, tcred->egid) &&
	      gid_eq(cred->fsgid, tcred->sgid) && gid_eq(cred->fsgid, tcred->gid)) ||
	     ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!ok)
		return false;
	return cs_task_dumpable(task);
}

/* Fill a row from the live task; a task gone meanwhile is a no_mm row. */
static void fill_row(struct cs_proc *p, struct pid_namespace *ns,
		     bool check_perm)
{
	struct task_struct *task, *t;
	struct mm_struct *mm = NULL;

	rcu_read_lock();
	p->pid = get_pid(find_pid_ns(p->nr, ns));
	task = pid_task(p->pid, PIDTYPE_TGID);
	if (!task) {
		rcu_read_unlock();
		p->flags |= CS_NO_MM;
		return;
	}
	get_task_struct(task);
	rcu_read_unlock();

	get_task_comm(p->comm, task);
	task_lock(task);
	if (check_perm && !may_read(task)) {
		/* Nothing of it is read: no counts, no mm, no cow_faults. */
		task_unlock(task);
		put_task_struct(task);
		p->flags |= CS_NOT_PERMITTED;
		return;
	}
	if (!(task->flags & PF_KTHREAD) && task->mm) {
		mm = task->mm;
		mmgrab(mm);
	}
	task_unlock(task);

	rcu_read_lock();
	for_each_thread(task, t) {
		if (t->delays) {
			p->cow_faults += READ_ONCE(t->delays->wpcopy_count);
			p->cow_faults_valid = true;
		}
	}
	rcu_read_unlock();
	put_task_struct(task);

	p->mm = mm;
	if (!mm)
		p->flags |= CS_NO_MM;
}

struct mm_row {
	struct mm_struct *mm;
	u32 row;
};

static int cmp_mm_row(const void *a, const void *b)
{
	const struct mm_row *x = a, *y = b;

	if (x->mm != y->mm)
		return x->mm < y->mm ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Rows sharing an mm: the first in tree order counts it, the others point to it. */
static int mark_shared_mms(struct cs_snapshot *snap)
{
	struct mm_row *v;
	u32 i;

	v = kvmalloc_array(snap->nr_procs, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < snap->nr_procs; i++) {
		v[i].mm = snap->procs[i].mm;
		v[i].row = i;
		snap->procs[i].mm_owner = i;
	}
	sort(v, snap->nr_procs, sizeof(*v), cmp_mm_row, NULL);
	for (i = 1; i < snap->nr_procs; i++) {
		struct cs_proc *p = &snap->procs[v[i].row];

		if (v[i].mm && v[i].mm == v[i - 1].mm) {
			p->mm_owner = snap->procs[v[i - 1].row].mm_owner;
			p->flags |= CS_MM_SHARED;
		}
	}
	kvfree(v);
	return 0;
}

static int cmp_rank(const void *a, const void *b, const void *procs)
{
	const struct cs_proc *x = (const struct cs_proc *)procs + *(const u32 *)a;
	const struct cs_proc *y = (const struct cs_proc *)procs + *(const u32 *)b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* rank: position in (depth, PID) order, the tie-break of spec 4 rule 3. */
static int rank_rows(struct cs_snapshot *snap)
{
	u32 *order, i;

	order = kvmalloc_array(snap->nr_procs, sizeof(*order), GFP_KERNEL_ACCOUNT);
	if (!order)
		return -ENOMEM;
	for (i = 0; i < snap->nr_procs; i++)
		order[i] = i;
	sort_r(order, snap->nr_procs, sizeof(*order), cmp_rank, NULL, snap->procs);
	for (i = 0; i < snap->nr_procs; i++)
		snap->procs[order[i]].rank = i;
	kvfree(order);
	return 0;
}

/**
 * cs_tree_collect() - find the processes of the tree of @root
 * @snap: the snapshot to fill: @procs and @nr_procs
 * @root: the root's thread-group &struct pid
 *
 * Rows come depth-first, children in PID order, so parents precede their
 * children.  Each row holds a reference on its &struct pid and, when the
 * process has an mm, a grab (mmgrab()) of it.
 *
 * Return: 0; -ESRCH when the root is gone or not visible to the caller;
 * -ENOMEM; -EINTR on a fatal signal.
 */
int cs_tree_collect(struct cs_snapshot *snap, struct pid *root)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct cs_link *links;
	unsigned long *visited = NULL;
	u32 *stack = NULL, *parent_row = NULL;
	unsigned int sp = 0, i, k, out = 0;
	pid_t root_nr;
	int n, ret;

	root_nr = pid_nr_ns(root, ns);
	if (!root_nr || !pid_has_task(root, PIDTYPE_TGID))
		return -ESRCH;

	n = collect_links(ns, &links);
	if (n < 0)
		return n;
	sort(links, n, sizeof(*links), cmp_link, NULL);

	for (i = 0; i < n; i++)
		if (links[i].nr == root_nr)
			break;
	if (i == n) {
		ret = -ESRCH;
		goto out;
	}

	ret = -ENOMEM;
	visited = bitmap_zalloc(n, GFP_KERNEL_ACCOUNT);
	stack = kvmalloc_array(n, sizeof(*stack), GFP_KERNEL_ACCOUNT);
	parent_row = kvmalloc_array(n, sizeof(*parent_row), GFP_KERNEL_ACCOUNT);
	snap->procs = kvcalloc(n, sizeof(*snap->procs), GFP_KERNEL_ACCOUNT);
	if (!visited || !stack || !parent_row || !snap->procs)
		goto out;

	/* stack holds link indices; parent_row the row of each one's parent. */
	stack[sp++] = i;
	parent_row[i] = U32_MAX;
	set_bit(i, visited);
	while (sp) {
		struct cs_proc *p = &snap->procs[out];
		unsigned int l = stack[--sp], first;

		p->nr = links[l].nr;
		p->ppid = links[l].ppid;
		p->depth = parent_row[l] == U32_MAX ? 0 :
			   snap->procs[parent_row[l]].depth + 1;
		/* Push children in reverse, so the lowest PID comes out first. */
		first = first_child(links, n, p->nr);
		for (k = first; k < n && links[k].ppid == p->nr; k++)
			;
		while (k-- > first) {
			if (test_and_set_bit(k, visited))
				continue;
			parent_row[k] = out;
			stack[sp++] = k;
		}
		out++;
	}
	snap->nr_procs = out;

	for (i = 0; i < out; i++) {
		fill_row(&snap->procs[i], ns, snap->check_perm);
		cond_resched();
	}
	ret = mark_shared_mms(snap);
	if (!ret)
		ret = rank_rows(snap);
out:
	kvfree(parent_row);
	kvfree(stack);
	bitmap_free(visited);
	kvfree(links);
	return ret;
}

/**
 * cs_tree_release() - drop what cs_tree_collect() holds
 * @snap: the snapshot
 */
void cs_tree_release(struct cs_snapshot *snap)
{
	u32 i;

	for (i = 0; i < snap->nr_procs; i++) {
		put_pid(snap->procs[i].pid);
		if (snap->procs[i].mm)
			mmdrop(snap->procs[i].mm);
	}
	kvfree(snap->procs);
	snap->procs = NULL;
	snap->nr_procs = 0;
}
