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
 * the tree in the result and, for the walk only, one mm pointer.
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
static int collect_links(const struct cs_walk *cw, struct cs_link **linksp)
{
	struct pid_namespace *ns = cw->q.reader->ns;
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
		if (cs_should_stop(cw)) {
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
 * Whether the reader may see @task's counts (README, "Who may read what").  By
 * default it needs CAP_SYS_PTRACE over the process; with unprivileged_read, the
 * credential and dumpable checks of __ptrace_may_access() for
 * PTRACE_MODE_READ_FSCREDS are enough, which is what reading /proc/PID/smaps
 * takes.  ptrace_may_access() and its LSM hook are not exported, so an LSM that
 * would deny the read is not asked (README).
 *
 * The reader's credentials are current's: the reader's own task, or the
 * workqueue worker that runs its walk under override_creds().  @mm_owner
 * is the thread whose mm is the process's address space (NULL when it has
 * none); the caller holds its task_lock(), and the process's
 * exec_update_lock when the answer decides whether @mm is walked, so that
 * an execve() cannot swap in a setuid program's mm and credentials between
 * the check and the walk, as mm_access() does.
 */
static bool may_read(struct task_struct *task, struct task_struct *mm_owner,
		     struct pid *reader_tgid, bool unprivileged_read)
{
	const struct cred *cred = current_cred(), *tcred;
	bool ok;

	if (unprivileged_read && task_tgid(task) == reader_tgid)
		return true;
	rcu_read_lock();
	tcred = __task_cred(task);
	ok = ns_capable_noaudit(tcred->user_ns, CAP_SYS_PTRACE);
	if (!ok && unprivileged_read)
		ok = uid_eq(cred->fsuid, tcred->euid) && uid_eq(cred->fsuid, tcred->suid) &&
		     uid_eq(cred->fsuid, tcred->uid) && gid_eq(cred->fsgid, tcred->egid) &&
		     gid_eq(cred->fsgid, tcred->sgid) && gid_eq(cred->fsgid, tcred->gid);
	rcu_read_unlock();
	if (!ok)
		return false;
	/* Dumpability is the mm's before 7.x, the thread's after (compat.h). */
	return !mm_owner || cs_task_dumpable(mm_owner);
}

/*
 * Whether the reader may read process @task (always, unless @check), judged
 * with the mm of a live thread of it: the leader may have called
 * pthread_exit(), and cowstat.rst, "What is counted" walks such a process
 * through its other threads, as find_lock_task_mm() finds one.  When it may and
 * @mmp is not NULL, that mm is grabbed into *@mmp.  Kernel threads have no mm
 * of their own.
 */
static bool check_thread_mm(struct task_struct *task, struct pid *reader_tgid,
			    bool check, bool unprivileged_read,
			    struct mm_struct **mmp)
{
	struct task_struct *t;
	bool ok = false, found = false;

	if (!(task->flags & PF_KTHREAD)) {
		rcu_read_lock();
		for_each_thread(task, t) {
			task_lock(t);
			if (t->mm) {
				found = true;
				ok = !check ||
				     may_read(task, t, reader_tgid, unprivileged_read);
				if (ok && mmp) {
					*mmp = t->mm;
					mmgrab(t->mm);
				}
			}
			task_unlock(t);
			if (found)
				break;
		}
		rcu_read_unlock();
	}
	if (!found)
		ok = !check || may_read(task, NULL, reader_tgid, unprivileged_read);
	return ok;
}

/**
 * cs_may_read_quick() - whether the caller may read a process, at a glance
 * @pid: the process's thread-group &struct pid
 * @unprivileged_read: the value of the module parameter to apply
 *
 * The rule of README, "Who may read what" without exec_update_lock, which may
 * be held for long by an execve(): for refusing a request early, in a context
 * that must not wait.  A process that passes is checked again, under the lock,
 * before it is walked.
 *
 * Return: true when the caller may read it, or when it is gone (the walk
 * will say so).
 */
bool cs_may_read_quick(struct pid *pid, bool unprivileged_read)
{
	struct task_struct *task;
	bool ok;

	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task)
		return true;
	ok = check_thread_mm(task, task_tgid(current), true, unprivileged_read, NULL);
	put_task_struct(task);
	return ok;
}

/*
 * Fill row @row from the live task, grabbing its mm into @cw->mms; a task
 * gone meanwhile is a no_mm row.  Returns -EINTR when the reader was
 * killed while waiting for an execve.
 */
static int fill_row(struct cs_walk *cw, u32 row)
{
	const struct cs_reader *r = cw->q.reader;
	struct cs_proc *p = &cw->snap->procs[row];
	struct task_struct *task, *t;
	struct mm_struct *mm = NULL;
	bool ok;

	rcu_read_lock();
	task = pid_task(find_pid_ns(p->nr, r->ns), PIDTYPE_TGID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task) {
		p->flags |= CS_NO_MM;
		return 0;
	}
	/*
	 * Credentials, mm and comm as one execve() leaves them, never mixed:
	 * exec_mmap() installs the new mm before commit_creds() and
	 * set_dumpable() judge it, all under this lock held for writing.
	 */
	if (down_read_killable(&task->signal->exec_update_lock)) {
		put_task_struct(task);
		return -EINTR;
	}
	ok = check_thread_mm(task, r->tgid, cw->q.check_perm,
			     cw->q.unprivileged_read, &mm);
	/* get_task_comm() takes task_lock() itself (6.x). */
	if (ok)
		get_task_comm(p->comm, task);
	up_read(&task->signal->exec_update_lock);

	cw->mms[row] = mm;
	if (!ok) {
		/* Nothing of it is read: no comm, no counts, no mm. */
		p->flags |= CS_NOT_PERMITTED;
	} else if (mm) {
		/* COW copies are a live process's: none for a no_mm row. */
		rcu_read_lock();
		for_each_thread(task, t) {
			if (t->delays) {
				p->cow_faults += READ_ONCE(t->delays->wpcopy_count);
				p->cow_faults_valid = true;
			}
		}
		rcu_read_unlock();
	} else {
		p->flags |= CS_NO_MM;
	}
	put_task_struct(task);
	return 0;
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
static int mark_shared_mms(struct cs_walk *cw)
{
	struct cs_snapshot *snap = cw->snap;
	struct mm_row *v;
	u32 i;

	v = kvmalloc_array(snap->nr_procs, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < snap->nr_procs; i++) {
		v[i].mm = cw->mms[i];
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
 * @cw: the walk; fills its result's @procs and @nr_procs, and @cw->mms
 * @root: the root's thread-group &struct pid
 *
 * Rows come depth-first, children in PID order, so parents precede their
 * children.  For a row whose process has an mm (and that the reader may
 * read) the walk holds a grab (mmgrab()) of it in @cw->mms until
 * cs_tree_drop_mms().
 *
 * Return: 0; -ESRCH when the root is gone or not visible to the reader;
 * -ENOMEM; -EINTR when the walk must stop.
 */
int cs_tree_collect(struct cs_walk *cw, struct pid *root)
{
	struct cs_snapshot *snap = cw->snap;
	struct pid_namespace *ns = cw->q.reader->ns;
	struct cs_link *links;
	unsigned long *visited = NULL;
	u32 *stack = NULL, *order = NULL, *depth = NULL;
	unsigned int sp = 0, i, k, out = 0;
	pid_t root_nr;
	int n, ret;

	root_nr = pid_nr_ns(root, ns);
	if (!root_nr || !pid_has_task(root, PIDTYPE_TGID))
		return -ESRCH;

	n = collect_links(cw, &links);
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
	order = kvmalloc_array(n, sizeof(*order), GFP_KERNEL_ACCOUNT);
	depth = kvmalloc_array(n, sizeof(*depth), GFP_KERNEL_ACCOUNT);
	if (!visited || !stack || !order || !depth)
		goto out;

	/*
	 * Lay the tree out as link indices in @order, each with its depth,
	 * so that the rows can be sized to the tree, not to the namespace.
	 */
	stack[sp++] = i;
	depth[i] = 0;
	set_bit(i, visited);
	while (sp) {
		unsigned int l = stack[--sp], first;

		order[out++] = l;
		/* Push children in reverse, so the lowest PID comes out first. */
		first = first_child(links, n, links[l].nr);
		for (k = first; k < n && links[k].ppid == links[l].nr; k++)
			;
		while (k-- > first) {
			if (test_and_set_bit(k, visited))
				continue;
			depth[k] = depth[l] + 1;
			stack[sp++] = k;
		}
	}

	snap->procs = kvcalloc(out, sizeof(*snap->procs), GFP_KERNEL_ACCOUNT);
	if (!snap->procs)
		goto out;
	cw->mms = kvcalloc(out, sizeof(*cw->mms), GFP_KERNEL_ACCOUNT);
	if (!cw->mms)
		goto out;
	snap->nr_procs = out;
	for (i = 0; i < out; i++) {
		struct cs_proc *p = &snap->procs[i];

		p->nr = links[order[i]].nr;
		p->ppid = links[order[i]].ppid;
		p->depth = depth[order[i]];
	}

	ret = 0;
	for (i = 0; i < out && !ret; i++) {
		ret = fill_row(cw, i);
		if (!ret && cs_should_stop(cw))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret)
		ret = mark_shared_mms(cw);
	if (!ret)
		ret = rank_rows(snap);
out:
	kvfree(depth);
	kvfree(order);
	kvfree(stack);
	bitmap_free(visited);
	kvfree(links);
	return ret;
}

/**
 * cs_tree_drop_mms() - drop the mms that cs_tree_collect() grabbed
 * @cw: the walk, once it has ended
 *
 * A result holds no reference on any task, pid or mm (README, "Cost to the
 * measured processes").
 */
void cs_tree_drop_mms(struct cs_walk *cw)
{
	u32 i;

	if (!cw->mms)
		return;
	for (i = 0; i < cw->snap->nr_procs; i++)
		if (cw->mms[i])
			mmdrop(cw->mms[i]);
	kvfree(cw->mms);
	cw->mms = NULL;
}

/**
 * cs_tree_release() - free the rows of a snapshot
 * @snap: the snapshot
 */
void cs_tree_release(struct cs_snapshot *snap)
{
	kvfree(snap->procs);
	snap->procs = NULL;
	snap->nr_procs = 0;
}
