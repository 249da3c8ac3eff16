// SPDX-License-Identifier: GPL-2.0
/*
 * Walks for netlink callers, run on cowstat's workqueue.
 *
 * genetlink calls a family's doit, its dump's start and its first dumpit
 * with its global cb_lock held for read; a walk of seconds there would
 * block genl_register_family() and, behind a queued writer, every other
 * family's requests system-wide.  So a request only queues its walk here
 * and returns; the answer is sent when the walk is done (netlink.c).
 *
 * The walk runs on behalf of the task that asked: with its credentials
 * (override_creds()), in its PID namespace, charging every allocation to its
 * memory cgroup (set_active_memcg()), and it stops when that task is killed
 * or the answer is no longer wanted.  A user may have at most
 * max_dumps_per_user requests unfinished at once.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "request.h"

static struct workqueue_struct *cs_wq;
static bool cs_stopping;

/* Unfinished requests per user (real uid of the caller). */
struct cs_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int nr;
};

static DEFINE_HASHTABLE(cs_users, 6);
static DEFINE_SPINLOCK(cs_users_lock);

/* Count one more request for the caller's user; NULL when over the limit. */
static struct cs_user *user_get(int *err)
{
	unsigned int limit = READ_ONCE(cs_max_dumps_per_user);
	kuid_t uid = current_uid();
	struct cs_user *u, *spare;

	/* Allocated before the lock, freed if the user is already there. */
	spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
	if (!spare) {
		*err = -ENOMEM;
		return NULL;
	}
	spin_lock(&cs_users_lock);
	hash_for_each_possible(cs_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			goto found;
	u = spare;
	spare = NULL;
	u->uid = uid;
	hash_add(cs_users, &u->node, __kuid_val(uid));
found:
	if (u->nr >= limit) {
		if (!u->nr) {
			hash_del(&u->node);
			spare = u;
		}
		u = NULL;
		*err = -EBUSY;
	} else {
		u->nr++;
	}
	spin_unlock(&cs_users_lock);
	kfree(spare);
	return u;
}

static void user_put(struct cs_user *u)
{
	bool last;

	spin_lock(&cs_users_lock);
	last = !--u->nr;
	if (last)
		hash_del(&u->node);
	spin_unlock(&cs_users_lock);
	if (last)
		kfree(u);
}

/*
 * Drop what the walk needed of the caller: its task, pid, namespace,
 * credentials and memory cgroup, and the root.  Done as soon as the walk
 * ends, so that a result waiting to be read holds no reference on any
 * task or pid (README, "Cost to the measured processes").
 */
static void drop_caller(struct cs_request *req)
{
	put_pid(req->root);
	req->root = NULL;
	mem_cgroup_put(req->memcg);
	req->memcg = NULL;
	if (req->cred)
		put_cred(req->cred);
	req->cred = NULL;
	if (req->reader.task)
		put_task_struct(req->reader.task);
	req->reader.task = NULL;
	put_pid(req->reader.tgid);
	req->reader.tgid = NULL;
	if (req->reader.ns)
		put_pid_ns(req->reader.ns);
	req->reader.ns = NULL;
}

static void request_release(struct kref *ref)
{
	struct cs_request *req = container_of(ref, struct cs_request, ref);

	if (req->release)
		req->release(req);
	cs_snapshot_free(req->snap);
	drop_caller(req);
	user_put(req->user);
	kfree(req);
}

static void request_work(struct work_struct *work)
{
	struct cs_request *req = container_of(work, struct cs_request, work);
	struct mem_cgroup *old_memcg;
	const struct cred *old_cred;

	old_cred = override_creds(req->cred);
	old_memcg = set_active_memcg(req->memcg);
	req->err = cs_snapshot_take(&req->reader, req->root, req->how,
				    req->name_max, &req->snap);
	set_active_memcg(old_memcg);
	revert_creds(old_cred);
	drop_caller(req);

	if (req->answer)
		req->answer(req);
	complete_all(&req->done);
	cs_request_put(req);
}

/**
 * cs_request_new() - a walk of the tree of @root for the calling task
 * @root: the root's thread-group &struct pid; the request takes a reference
 * @how: as for cs_snapshot_take()
 * @name_max: as for cs_snapshot_take()
 *
 * Nothing runs until cs_request_queue().  The request counts against the
 * caller's user until its last reference is put.
 *
 * Return: the request, with one reference for the caller, or ERR_PTR():
 * -EBUSY when the user has max_dumps_per_user requests unfinished, -ENOMEM.
 */
struct cs_request *cs_request_new(struct pid *root, unsigned int how,
				  size_t name_max)
{
	struct cs_request *req;
	struct cs_user *user;
	int err;

	user = user_get(&err);
	if (!user)
		return ERR_PTR(err);
	req = kzalloc(sizeof(*req), GFP_KERNEL_ACCOUNT);
	if (!req) {
		user_put(user);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&req->ref);
	INIT_WORK(&req->work, request_work);
	init_completion(&req->done);
	req->user = user;
	req->root = get_pid(root);
	req->how = how;
	req->name_max = name_max;
	req->cred = get_current_cred();
	req->memcg = get_mem_cgroup_from_mm(current->mm);
	req->reader.ns = get_pid_ns(task_active_pid_ns(current));
	req->reader.tgid = get_pid(task_tgid(current));
	get_task_struct(current);
	req->reader.task = current;
	return req;
}

/**
 * cs_request_queue() - start the walk of a request
 * @req: the request; the walk takes a reference of its own
 *
 * When the walk ends, @req->answer (if set) is called from the worker, then
 * @req->done completes.
 */
void cs_request_queue(struct cs_request *req)
{
	kref_get(&req->ref);
	queue_work(cs_wq, &req->work);
}

/**
 * cs_request_wait() - wait for a request's walk to end
 * @req: the request
 *
 * Return: the walk's result (0 or a negative errno), or -EINTR when the
 * waiting task was killed first.
 */
int cs_request_wait(struct cs_request *req)
{
	if (wait_for_completion_killable(&req->done))
		return -EINTR;
	return req->err;
}

/**
 * cs_request_cancel() - say that nobody wants the answer any more
 * @req: the request; its walk, if running, stops at its next check
 */
void cs_request_cancel(struct cs_request *req)
{
	WRITE_ONCE(req->reader.cancel, true);
}

/**
 * cs_request_put() - drop a reference to a request
 * @req: the request, or NULL
 */
void cs_request_put(struct cs_request *req)
{
	if (req)
		kref_put(&req->ref, request_release);
}

/**
 * cs_request_stopping() - whether the module is going away
 *
 * Return: true once cs_request_exit() has begun: every walk stops.
 */
bool cs_request_stopping(void)
{
	return READ_ONCE(cs_stopping);
}

/**
 * cs_request_init() - create the workqueue that runs the walks
 *
 * Unbound: a walk may take seconds and sleeps; it must not hold up the
 * per-CPU pools.
 *
 * Return: 0 or -ENOMEM.
 */
int cs_request_init(void)
{
	cs_wq = alloc_workqueue("cowstat", WQ_UNBOUND, 0);
	return cs_wq ? 0 : -ENOMEM;
}

/**
 * cs_request_exit() - stop the walks and wait for them
 *
 * Called once no new request can come (the family is unregistered).
 * Running walks stop at their next check, answer with -EINTR and drop
 * their references before destroy_workqueue() returns.
 */
void cs_request_exit(void)
{
	WRITE_ONCE(cs_stopping, true);
	destroy_workqueue(cs_wq);
}
