// SPDX-License-Identifier: GPL-2.0
/*
 * The handlers of the generic netlink family "cowstat"
 * (Documentation/netlink/specs/cowstat.yaml).  Its policies, ops and
 * family struct are generated from the spec into netlink-gen.c, or come
 * from netlink-legacy.c on kernels without split ops.
 *
 * Unlike debugfs's one global selector, every request names its process,
 * so any number of programs can read at once.  COWSTAT_CMD_GET does one
 * process (do) or a whole tree (dump).  A dump walks the tree once and
 * sends that snapshot across as many recvmsg() calls as it takes: one
 * message per process, VMA messages when asked, and the totals last.
 *
 * genetlink holds its global cb_lock across doit, a dump's start and its
 * first dumpit, so no walk runs in them: each request is checked there and
 * its walk queued (request.c).  A get's reply is sent by the worker when
 * the walk ends.  A dump's first dumpit sends what is ready, or a lone
 * NLMSG_NOOP while the walk runs; the next ones run from the caller's
 * recvmsg(), without cb_lock, and wait killably for the walk.
 *
 * Who may read what is the README's rule ("Who may read what", tree.c):
 * processes the caller may not read are flagged not-permitted and carry
 * pid, ppid and depth only.
 */
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "request.h"
#include "netlink-compat.h"
#include "netlink-gen.h"

/* The attribute of each page field in the counts set. */
#define CS_COUNT_ATTR(NAME, ...)	COWSTAT_A_COUNTS_##NAME,
static const u16 count_attr[CS_NR_FIELDS] = {
	COWSTAT_COUNTS(CS_COUNT_ATTR)
};

/* The page counts, as a nested counts set of attribute @type. */
static int put_counts(struct sk_buff *skb, int type, const struct cs_counts *c)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < CS_NR_FIELDS; i++)
		if (nla_put_u64_64bit(skb, count_attr[i], c->v[i], COWSTAT_A_COUNTS_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static u32 proc_flags(const struct cs_proc *p)
{
	return (p->flags & CS_NO_MM ? COWSTAT_PROC_FLAGS_NO_MM : 0) |
	       (p->flags & CS_MM_SHARED ? COWSTAT_PROC_FLAGS_MM_SHARED : 0) |
	       (p->flags & CS_NOT_PERMITTED ? COWSTAT_PROC_FLAGS_NOT_PERMITTED : 0);
}

static int put_proc(struct sk_buff *skb, const struct cs_snapshot *snap,
		    const struct cs_proc *p)
{
	if (nla_put_u32(skb, COWSTAT_A_PROC_PID, p->nr) ||
	    nla_put_u32(skb, COWSTAT_A_PROC_PPID, p->ppid) ||
	    nla_put_u32(skb, COWSTAT_A_PROC_DEPTH, p->depth) ||
	    nla_put_u32(skb, COWSTAT_A_PROC_FLAGS, proc_flags(p)))
		return -EMSGSIZE;
	if (p->flags & CS_NOT_PERMITTED)
		return 0;	/* nothing else of it may be told */
	if (nla_put_string(skb, COWSTAT_A_PROC_COMM, p->comm))
		return -EMSGSIZE;
	if ((p->flags & CS_MM_SHARED) &&
	    nla_put_u32(skb, COWSTAT_A_PROC_MM_SHARED_WITH,
			snap->procs[p->mm_owner].nr))
		return -EMSGSIZE;
	if (put_counts(skb, COWSTAT_A_PROC_COUNTS, &p->c) ||
	    nla_put_u64_64bit(skb, COWSTAT_A_PROC_SKIPPED_VMAS, p->skipped_vmas,
			      COWSTAT_A_PROC_PAD))
		return -EMSGSIZE;
	if (p->cow_faults_valid &&
	    nla_put_u64_64bit(skb, COWSTAT_A_PROC_COW_FAULTS, p->cow_faults,
			      COWSTAT_A_PROC_PAD))
		return -EMSGSIZE;
	return 0;
}

static int put_vma(struct sk_buff *skb, const struct cs_proc *p,
		   const struct cs_vma *v)
{
	unsigned long fl = v->flags;
	char perms[5] = {
		fl & VM_READ ? 'r' : '-', fl & VM_WRITE ? 'w' : '-',
		fl & VM_EXEC ? 'x' : '-', fl & VM_MAYSHARE ? 's' : 'p', '\0',
	};
	struct nlattr *nest;

	if (nla_put_u32(skb, COWSTAT_A_PROC_PID, p->nr))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, COWSTAT_A_PROC_VMA);
	if (!nest ||
	    nla_put_u64_64bit(skb, COWSTAT_A_VMA_START, v->start, COWSTAT_A_VMA_PAD) ||
	    nla_put_u64_64bit(skb, COWSTAT_A_VMA_END, v->end, COWSTAT_A_VMA_PAD) ||
	    nla_put_u64_64bit(skb, COWSTAT_A_VMA_OFFSET,
			      v->has_file ? (u64)v->pgoff << PAGE_SHIFT : 0,
			      COWSTAT_A_VMA_PAD) ||
	    nla_put_string(skb, COWSTAT_A_VMA_PERMS, perms) ||
	    (v->name && nla_put_string(skb, COWSTAT_A_VMA_NAME, v->name)) ||
	    (v->name_truncated && nla_put_flag(skb, COWSTAT_A_VMA_NAME_TRUNCATED)) ||
	    put_counts(skb, COWSTAT_A_VMA_COUNTS, &v->c))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_totals(struct sk_buff *skb, const struct cs_snapshot *snap)
{
	if (nla_put_flag(skb, COWSTAT_A_PROC_TOTALS) ||
	    nla_put_u32(skb, COWSTAT_A_PROC_PID, snap->procs[0].nr) ||
	    nla_put_u32(skb, COWSTAT_A_PROC_PROCESSES, snap->nr_procs) ||
	    nla_put_u32(skb, COWSTAT_A_PROC_PAGE_SIZE, PAGE_SIZE) ||
	    put_counts(skb, COWSTAT_A_PROC_COUNTS, &snap->total) ||
	    nla_put_u64_64bit(skb, COWSTAT_A_PROC_SKIPPED_VMAS,
			      snap->skipped_vmas, COWSTAT_A_PROC_PAD) ||
	    nla_put_u64_64bit(skb, COWSTAT_A_PROC_UNIQUE, snap->unique,
			      COWSTAT_A_PROC_PAD) ||
	    nla_put_u64_64bit(skb, COWSTAT_A_PROC_SAVED,
			      snap->total.v[CS_RSS] - snap->unique,
			      COWSTAT_A_PROC_PAD))
		return -EMSGSIZE;
	if (snap->cow_faults_valid &&
	    nla_put_u64_64bit(skb, COWSTAT_A_PROC_COW_FAULTS, snap->cow_faults,
			      COWSTAT_A_PROC_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * Queue the walk of the tree of @nr for the caller.  Fails at once, with
 * an extack message, for a PID the caller cannot see (-ESRCH), a root it
 * may not read (-EPERM, checked again when the walk reaches it) and a user
 * with too many unfinished requests (-EBUSY).
 */
static struct cs_request *start_walk(u32 nr, unsigned int how,
				     struct netlink_ext_ack *extack,
				     const struct nlattr *attr)
{
	struct pid *pid = cs_find_process(task_active_pid_ns(current), nr);
	struct cs_request *req;

	if (!pid) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such process");
		return ERR_PTR(-ESRCH);
	}
	if (!cs_may_read_quick(pid, READ_ONCE(cs_unprivileged_read))) {
		put_pid(pid);
		NL_SET_ERR_MSG_ATTR(extack, attr, "not permitted to read this process");
		return ERR_PTR(-EPERM);
	}
	req = cs_request_new(pid, how | CS_CHECK_PERM, COWSTAT_VMA_NAME_MAX);
	put_pid(pid);
	if (PTR_ERR_OR_ZERO(req) == -EBUSY)
		NL_SET_ERR_MSG(extack, "too many unfinished requests (max_dumps_per_user)");
	return req;
}

/* The outcome of a finished walk, with an extack message when it failed. */
static int walk_result(const struct cs_request *req, struct netlink_ext_ack *extack,
		       const struct nlattr *attr)
{
	switch (req->err) {
	case 0:
		break;
	case -ESRCH:
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such process");
		return -ESRCH;
	case -EINTR:
		NL_SET_ERR_MSG(extack, "the walk was interrupted");
		return -EINTR;
	default:
		return req->err;
	}
	/* The root passed the quick check, then an execve() made it unreadable. */
	if (req->snap->procs[0].flags & CS_NOT_PERMITTED) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "not permitted to read this process");
		return -EPERM;
	}
	return 0;
}

/*
 * A get being answered by the worker.  The request's skb, its sender's
 * socket and its namespace are held so that the reply and the ack can be
 * sent after genetlink has let the request go.  @nlh is a copy of the
 * request, as sent, which the ack echoes: the worker never touches the
 * request in @skb, whose flags netlink_rcv_skb() reads after doit returns.
 */
struct get_answer {
	struct sk_buff *skb;
	struct nlmsghdr *nlh;
	struct net *net;
	u32 pid;
	bool ack;
};

/*
 * The reply to a get: the row of the pid it asked for.  Errors found here
 * carry a message but no attribute: netlink_rcv_skb() has pulled the
 * request's skb past its message, so an attribute's offset in it can no
 * longer be reported (netlink_ack() would WARN).
 */
static int get_reply(struct cs_request *req, struct get_answer *a,
		     struct netlink_ext_ack *extack)
{
	struct cs_snapshot *snap = req->snap;
	u32 pid = a->pid;
	struct sk_buff *msg;
	void *hdr;
	u32 i;

	for (i = 0; i < snap->nr_procs && snap->procs[i].nr != pid; i++)
		;
	if (i == snap->nr_procs) {
		NL_SET_ERR_MSG(extack, "process is not in the tree of root");
		return -ENOENT;
	}
	if (snap->procs[i].flags & CS_NOT_PERMITTED) {
		NL_SET_ERR_MSG(extack, "not permitted to read this process");
		return -EPERM;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, NETLINK_CB(a->skb).portid, a->nlh->nlmsg_seq,
			  &cowstat_nl_family, 0, COWSTAT_CMD_GET);
	if (!hdr || put_proc(msg, snap, &snap->procs[i])) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	/* A caller that went away is no error of ours. */
	genlmsg_unicast(a->net, msg, NETLINK_CB(a->skb).portid);
	return 0;
}

/* Called by the worker when a get's walk has ended. */
static void get_answer(struct cs_request *req)
{
	struct get_answer *a = req->priv;
	struct netlink_ext_ack extack = {};
	int err;

	err = walk_result(req, &extack, NULL);	/* no attribute: see get_reply() */
	if (!err)
		err = get_reply(req, a, &extack);
	if (err || a->ack)
		netlink_ack(a->skb, a->nlh, err, &extack);
}

static void get_release(struct cs_request *req)
{
	struct get_answer *a = req->priv;

	sock_put(NETLINK_CB(a->skb).sk);
	kfree_skb(a->skb);
	put_net(a->net);
	kfree(a->nlh);
	kfree(a);
}

/* COWSTAT_CMD_GET do: checked by its policy (pid, root). */
int cowstat_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct nlattr *root_attr;
	struct get_answer *a;
	struct cs_request *req;

	if (GENL_REQ_ATTR_CHECK(info, COWSTAT_A_PROC_PID))
		return -EINVAL;
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->nlh = kmemdup(info->nlhdr, info->nlhdr->nlmsg_len, GFP_KERNEL_ACCOUNT);
	if (!a->nlh) {
		kfree(a);
		return -ENOMEM;
	}
	a->pid = nla_get_u32(attrs[COWSTAT_A_PROC_PID]);
	root_attr = attrs[COWSTAT_A_PROC_ROOT] ?: attrs[COWSTAT_A_PROC_PID];
	req = start_walk(nla_get_u32(root_attr), 0, info->extack, root_attr);
	if (IS_ERR(req)) {
		kfree(a->nlh);
		kfree(a);
		return PTR_ERR(req);
	}

	/*
	 * The reply comes from the worker.  genetlink acks when doit returns;
	 * so that the ack still follows the reply, the worker sends it, and
	 * the request's NLM_F_ACK is cleared here, in @skb's data, for
	 * netlink_rcv_skb() not to.  This is the only write to it: the
	 * worker may already be answering when netlink_rcv_skb() reads it.
	 */
	a->skb = skb_get(skb);
	sock_hold(NETLINK_CB(skb).sk);
	a->net = get_net(genl_info_net(info));
	a->ack = a->nlh->nlmsg_flags & NLM_F_ACK;
	((struct nlmsghdr *)info->nlhdr)->nlmsg_flags &= ~NLM_F_ACK;
	req->priv = a;
	req->answer = get_answer;
	req->release = get_release;
	cs_request_queue(req);
	cs_request_put(req);
	return 0;
}

/* Where a dump stands between recvmsg() calls; lives in cb->ctx. */
struct dump_state {
	struct cs_request *req;
	u32 row;		/* next process to send */
	u32 vma;		/* next VMA of that process */
	bool called;		/* dumpit has run once (under cb_lock) */
	bool row_sent;		/* its process message is out */
	bool done;		/* the totals are out */
};

static struct dump_state *dump_state(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct dump_state) > sizeof(cb->ctx));
	return (struct dump_state *)cb->ctx;
}

/* COWSTAT_CMD_GET dump, its start: checked by its policy (pid, vmas). */
int cowstat_nl_get_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = cs_dump_attrs(cb);
	struct dump_state *st = dump_state(cb);
	struct cs_request *req;

	memset(st, 0, sizeof(*st));
	if (cs_dump_req_attr_check(cb, COWSTAT_A_PROC_PID))
		return -EINVAL;
	req = start_walk(nla_get_u32(attrs[COWSTAT_A_PROC_PID]),
			 attrs[COWSTAT_A_PROC_VMAS] ? CS_WANT_VMAS : 0,
			 cb->extack, attrs[COWSTAT_A_PROC_PID]);
	if (IS_ERR(req))
		return PTR_ERR(req);
	cs_request_queue(req);
	st->req = req;
	return 0;
}

static int fill_proc(struct sk_buff *skb, const struct dump_state *st)
{
	return put_proc(skb, st->req->snap, &st->req->snap->procs[st->row]);
}

static int fill_vma(struct sk_buff *skb, const struct dump_state *st)
{
	const struct cs_snapshot *snap = st->req->snap;
	const struct cs_proc *p = &snap->procs[st->row];
	/* A row that shares an mm lists the owner's VMAs. */
	const struct cs_proc *o = &snap->procs[p->mm_owner];

	return put_vma(skb, p, &o->vmas[st->vma]);
}

static int fill_totals(struct sk_buff *skb, const struct dump_state *st)
{
	return put_totals(skb, st->req->snap);
}

/* Put one message of the dump; false when @skb has no room for it. */
static bool dump_msg(struct sk_buff *skb, struct netlink_callback *cb,
		     int (*fill)(struct sk_buff *skb, const struct dump_state *st))
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &cowstat_nl_family, NLM_F_MULTI, COWSTAT_CMD_GET);
	if (!hdr)
		return false;
	if (fill(skb, dump_state(cb))) {
		genlmsg_cancel(skb, hdr);
		return false;
	}
	genlmsg_end(skb, hdr);
	return true;
}

/* The dump's first answer while its walk runs: a message clients skip. */
static int dump_noop(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			NLMSG_NOOP, 0, NLM_F_MULTI);
	if (!nlh)
		return -EMSGSIZE;
	nlmsg_end(skb, nlh);
	return skb->len;
}

int cowstat_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dump_state *st = dump_state(cb);
	struct cs_request *req = st->req;
	struct cs_snapshot *snap;
	bool first = !st->called;
	int err;

	st->called = true;
	/* The first call holds cb_lock: never wait there. */
	if (first && !completion_done(&req->done))
		return dump_noop(skb, cb);
	err = cs_request_wait(req);
	if (!err)
		err = walk_result(req, cb->extack, NULL);
	if (err)
		return err;

	snap = req->snap;
	for (; st->row < snap->nr_procs; st->row++, st->vma = 0, st->row_sent = false) {
		const struct cs_proc *p = &snap->procs[st->row];

		if (!st->row_sent) {
			if (!dump_msg(skb, cb, fill_proc))
				goto full;
			st->row_sent = true;
		}
		for (; st->vma < snap->procs[p->mm_owner].nr_vmas; st->vma++)
			if (!dump_msg(skb, cb, fill_vma))
				goto full;
	}
	if (!st->done) {
		if (!dump_msg(skb, cb, fill_totals))
			goto full;
		st->done = true;
	}
	return 0;
full:
	/* An empty skb that cannot take one message would never progress. */
	return skb->len ? skb->len : -EMSGSIZE;
}

int cowstat_nl_get_dump_done(struct netlink_callback *cb)
{
	struct cs_request *req = dump_state(cb)->req;

	cs_request_cancel(req);
	cs_request_put(req);
	return 0;
}

/**
 * cs_netlink_init() - register the "cowstat" generic netlink family
 *
 * Return: 0 or the error of genl_register_family().
 */
int cs_netlink_init(void)
{
	return genl_register_family(&cowstat_nl_family);
}

/**
 * cs_netlink_exit() - unregister the family
 *
 * An open dump holds a reference on the module (genetlink takes it for the
 * dump's length), so this runs only when none is open: delete_module()
 * fails with EWOULDBLOCK, without waiting, until every dump has been read
 * to its end or its socket closed.  A get still being
 * walked holds none; cs_request_exit() stops and waits for it.
 */
void cs_netlink_exit(void)
{
	genl_unregister_family(&cowstat_nl_family);
}
