// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat CLI: the generic netlink client.
 *
 * All socket I/O of the tool is here, on libmnl.  The parsing of the
 * replies (cs_nl_parse()) takes a plain buffer, so that the host tests can
 * feed it synthetic messages built with the same library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/cowstat.h>

#include "nl.h"
#include "options.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct cs_nl {
	struct mnl_socket *sock;
	unsigned int portid, seq;
	uint16_t family;
	char *buf;
	size_t buflen;
};

/*
 * The attribute types of the replies, for mnl_attr_validate().  Types not
 * listed are UNSPEC, which validates anything: pad, and the request-only
 * root and vmas.  Types above the maximum come from a newer module and are
 * skipped.
 */
static const enum mnl_attr_data_type proc_types[COWSTAT_A_PROC_MAX + 1] = {
	[COWSTAT_A_PROC_PID]		= MNL_TYPE_U32,
	[COWSTAT_A_PROC_PPID]		= MNL_TYPE_U32,
	[COWSTAT_A_PROC_DEPTH]		= MNL_TYPE_U32,
	[COWSTAT_A_PROC_COMM]		= MNL_TYPE_STRING,
	[COWSTAT_A_PROC_FLAGS]		= MNL_TYPE_U32,
	[COWSTAT_A_PROC_MM_SHARED_WITH]	= MNL_TYPE_U32,
	[COWSTAT_A_PROC_COUNTS]		= MNL_TYPE_NESTED,
	[COWSTAT_A_PROC_COW_FAULTS]	= MNL_TYPE_U64,
	[COWSTAT_A_PROC_SKIPPED_VMAS]	= MNL_TYPE_U64,
	[COWSTAT_A_PROC_TOTALS]		= MNL_TYPE_FLAG,
	[COWSTAT_A_PROC_PROCESSES]	= MNL_TYPE_U32,
	[COWSTAT_A_PROC_UNIQUE]		= MNL_TYPE_U64,
	[COWSTAT_A_PROC_SAVED]		= MNL_TYPE_U64,
	[COWSTAT_A_PROC_PAGE_SIZE]	= MNL_TYPE_U32,
	[COWSTAT_A_PROC_VMA]		= MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type vma_types[COWSTAT_A_VMA_MAX + 1] = {
	[COWSTAT_A_VMA_START]		= MNL_TYPE_U64,
	[COWSTAT_A_VMA_END]		= MNL_TYPE_U64,
	[COWSTAT_A_VMA_OFFSET]		= MNL_TYPE_U64,
	[COWSTAT_A_VMA_PERMS]		= MNL_TYPE_STRING,
	[COWSTAT_A_VMA_NAME]		= MNL_TYPE_STRING,
	[COWSTAT_A_VMA_COUNTS]		= MNL_TYPE_NESTED,
	[COWSTAT_A_VMA_NAME_TRUNCATED]	= MNL_TYPE_FLAG,
};

/* Every count of the counts set is a u64 (the pad is UNSPEC). */
#define CS_COUNT_TYPE(NAME, ...)	[COWSTAT_A_COUNTS_##NAME] = MNL_TYPE_U64,
static const enum mnl_attr_data_type counts_types[COWSTAT_A_COUNTS_MAX + 1] = {
	COWSTAT_COUNTS(CS_COUNT_TYPE)
};

static const enum mnl_attr_data_type ctrl_types[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID]		= MNL_TYPE_U16,
};

/* The attribute of each page field in the counts set. */
#define CS_COUNT_ATTR(NAME, ...)	[CS_##NAME] = COWSTAT_A_COUNTS_##NAME,
static const uint16_t count_attr[CS_NR_PAGE_FIELDS] = {
	COWSTAT_COUNTS(CS_COUNT_ATTR)
};

/* The counts that are attributes of the proc set itself. */
static const uint16_t proc_attr[CS_NR_FIELDS] = {
	[CS_COW_FAULTS]		= COWSTAT_A_PROC_COW_FAULTS,
	[CS_SKIPPED_VMAS]	= COWSTAT_A_PROC_SKIPPED_VMAS,
	[CS_UNIQUE]		= COWSTAT_A_PROC_UNIQUE,
	[CS_SAVED]		= COWSTAT_A_PROC_SAVED,
};

/**
 * struct run - the state of one exchange, shared by the callbacks
 * @e: where an error goes
 * @stage: the stage an error message from the kernel belongs to
 * @failed: a callback filled @e (else an error is libmnl's, in errno)
 * @tree: the tree a dump fills
 * @nl: the handle a family lookup fills
 */
struct run {
	struct cs_nl_err *e;
	enum cs_stage stage;
	bool failed;
	struct cs_tree *tree;
	struct cs_nl *nl;
};

static int fail(struct run *r, enum cs_stage stage, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct run *r, enum cs_stage stage, int err, const char *fmt, ...)
{
	va_list ap;

	r->e->stage = stage;
	r->e->err = err;
	va_start(ap, fmt);
	vsnprintf(r->e->msg, sizeof(r->e->msg), fmt, ap);
	va_end(ap);
	r->failed = true;
	errno = err;
	return MNL_CB_ERROR;
}

/**
 * struct attrs - a table of a message's attributes, by type
 * @tb: the last attribute of each type, or NULL
 * @types: the expected type of each
 * @max: the highest type known
 * @bad: the type that failed validation
 */
struct attrs {
	const struct nlattr **tb;
	const enum mnl_attr_data_type *types;
	unsigned int max;
	unsigned int bad;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type > at->max)
		return MNL_CB_OK;	/* from a newer module: not ours to read */
	if (mnl_attr_validate(a, at->types[type]) < 0) {
		at->bad = type;
		return MNL_CB_ERROR;
	}
	at->tb[type] = a;
	return MNL_CB_OK;
}

/* A string attribute, which need not be NUL-terminated, as a C string. */
static char *attr_strdup(const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);

	return strndup(s, strnlen(s, mnl_attr_get_payload_len(a)));
}

static uint32_t get_u32(const struct nlattr *const *tb, unsigned int type)
{
	return tb[type] ? mnl_attr_get_u32(tb[type]) : 0;
}

/* A nested counts set: each page field it carries is set in @c. */
static int parse_counts(struct run *r, const struct nlattr *nest, struct cs_counts *c)
{
	const struct nlattr *tb[COWSTAT_A_COUNTS_MAX + 1] = { NULL };
	struct attrs at = { tb, counts_types, COWSTAT_A_COUNTS_MAX, 0 };
	int f;

	if (mnl_attr_parse_nested(nest, attr_cb, &at) != MNL_CB_OK)
		return fail(r, CS_STAGE_REPLY, EPROTO,
			    "count attribute %u has a wrong type or size", at.bad);
	for (f = 0; f < CS_NR_PAGE_FIELDS; f++)
		if (tb[count_attr[f]])
			cs_set(c, f, mnl_attr_get_u64(tb[count_attr[f]]));
	return MNL_CB_OK;
}

/* The counts of a proc message: the nested page counts, and its own up to @to. */
static int parse_proc_counts(struct run *r, const struct nlattr *const *tb,
			     enum cs_field to, struct cs_counts *c)
{
	int f;

	if (tb[COWSTAT_A_PROC_COUNTS] &&
	    parse_counts(r, tb[COWSTAT_A_PROC_COUNTS], c) != MNL_CB_OK)
		return MNL_CB_ERROR;
	for (f = CS_NR_PAGE_FIELDS; f < (int)to; f++)
		if (tb[proc_attr[f]])
			cs_set(c, f, mnl_attr_get_u64(tb[proc_attr[f]]));
	return MNL_CB_OK;
}

static int parse_vma(struct run *r, uint32_t pid, const struct nlattr *nest)
{
	const struct nlattr *tb[COWSTAT_A_VMA_MAX + 1] = { NULL };
	struct attrs at = { tb, vma_types, COWSTAT_A_VMA_MAX, 0 };
	struct cs_proc *p = r->tree->nr_procs ? &r->tree->procs[r->tree->nr_procs - 1] : NULL;
	struct cs_vma *v;

	if (mnl_attr_parse_nested(nest, attr_cb, &at) != MNL_CB_OK)
		return fail(r, CS_STAGE_REPLY, EPROTO, "VMA attribute %u has a wrong type or size",
			    at.bad);
	/* A VMA follows its process's message, and names its pid. */
	if (!p || p->pid != pid)
		return fail(r, CS_STAGE_REPLY, EPROTO, "a VMA of pid %u not after its process",
			    pid);
	v = cs_proc_add_vma(p);
	if (!v)
		return fail(r, CS_STAGE_REPLY, ENOMEM, "out of memory");
	if (tb[COWSTAT_A_VMA_START])
		v->start = mnl_attr_get_u64(tb[COWSTAT_A_VMA_START]);
	if (tb[COWSTAT_A_VMA_END])
		v->end = mnl_attr_get_u64(tb[COWSTAT_A_VMA_END]);
	if (tb[COWSTAT_A_VMA_OFFSET])
		v->offset = mnl_attr_get_u64(tb[COWSTAT_A_VMA_OFFSET]);
	if (tb[COWSTAT_A_VMA_PERMS]) {
		free(v->perms);
		v->perms = attr_strdup(tb[COWSTAT_A_VMA_PERMS]);
	}
	if (tb[COWSTAT_A_VMA_NAME])
		v->name = attr_strdup(tb[COWSTAT_A_VMA_NAME]);
	v->name_truncated = tb[COWSTAT_A_VMA_NAME_TRUNCATED];
	if (!v->perms || (tb[COWSTAT_A_VMA_NAME] && !v->name))
		return fail(r, CS_STAGE_REPLY, ENOMEM, "out of memory");
	if (tb[COWSTAT_A_VMA_COUNTS])
		return parse_counts(r, tb[COWSTAT_A_VMA_COUNTS], &v->c);
	return MNL_CB_OK;
}

static int parse_proc(struct run *r, uint32_t pid, const struct nlattr *const *tb)
{
	struct cs_proc *p = cs_tree_add_proc(r->tree, pid);

	if (!p)
		return fail(r, CS_STAGE_REPLY, ENOMEM, "out of memory");
	p->ppid = get_u32(tb, COWSTAT_A_PROC_PPID);
	p->depth = get_u32(tb, COWSTAT_A_PROC_DEPTH);
	p->flags = get_u32(tb, COWSTAT_A_PROC_FLAGS);
	p->mm_shared_with = get_u32(tb, COWSTAT_A_PROC_MM_SHARED_WITH);
	if (tb[COWSTAT_A_PROC_COMM]) {
		free(p->comm);
		p->comm = attr_strdup(tb[COWSTAT_A_PROC_COMM]);
		if (!p->comm)
			return fail(r, CS_STAGE_REPLY, ENOMEM, "out of memory");
	}
	/* The contract: a not-permitted row reports no count, and shows none. */
	if (p->flags & CS_F_NOT_PERMITTED)
		return MNL_CB_OK;
	return parse_proc_counts(r, tb, CS_NR_PROC_FIELDS, &p->c);
}

static int parse_totals(struct run *r, const struct nlattr *const *tb)
{
	struct cs_tree *t = r->tree;

	t->have_totals = true;
	t->processes = get_u32(tb, COWSTAT_A_PROC_PROCESSES);
	t->page_size = get_u32(tb, COWSTAT_A_PROC_PAGE_SIZE);
	if (tb[COWSTAT_A_PROC_PID])
		t->root = mnl_attr_get_u32(tb[COWSTAT_A_PROC_PID]);
	return parse_proc_counts(r, tb, CS_NR_FIELDS, &t->totals);
}

/* One message of a dump: a process, a VMA of the last process, or totals. */
static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[COWSTAT_A_PROC_MAX + 1] = { NULL };
	struct attrs at = { tb, proc_types, COWSTAT_A_PROC_MAX, 0 };
	struct run *r = data;
	uint32_t pid;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return fail(r, CS_STAGE_REPLY, EPROTO, "a message without a genetlink header");
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &at) != MNL_CB_OK)
		return fail(r, CS_STAGE_REPLY, EPROTO, "attribute %u has a wrong type or size",
			    at.bad);
	if (r->tree->have_totals)
		return fail(r, CS_STAGE_REPLY, EPROTO, "a message after the totals");
	if (tb[COWSTAT_A_PROC_TOTALS])
		return parse_totals(r, tb);
	if (!tb[COWSTAT_A_PROC_PID])
		return fail(r, CS_STAGE_REPLY, EPROTO, "a message without a pid");
	pid = mnl_attr_get_u32(tb[COWSTAT_A_PROC_PID]);
	if (tb[COWSTAT_A_PROC_VMA])
		return parse_vma(r, pid, tb[COWSTAT_A_PROC_VMA]);
	return parse_proc(r, pid, tb);
}

/*
 * The extended ACK's message, when the kernel sent one: the TLVs follow the
 * error code and (unless NLM_F_CAPPED) the request it answers.
 */
static void get_extack(const struct nlmsghdr *nlh, size_t off, struct cs_nl_err *e)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	static const enum mnl_attr_data_type types[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = MNL_TYPE_NUL_STRING,
	};
	struct attrs at = { tb, types, NLMSGERR_ATTR_MAX, 0 };

	e->msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > mnl_nlmsg_get_payload_len(nlh))
		return;
	if (mnl_attr_parse(nlh, off, attr_cb, &at) != MNL_CB_OK || !tb[NLMSGERR_ATTR_MSG])
		return;
	snprintf(e->msg, sizeof(e->msg), "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
}

/* NLMSG_ERROR: an ACK (0) ends a request; a negative errno fails it. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct run *r = data;
	size_t off = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return fail(r, CS_STAGE_REPLY, EPROTO, "a truncated error message");
	if (!err->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && err->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	fail(r, r->stage, err->error < 0 ? -err->error : EPROTO, "%s", "");
	get_extack(nlh, off, r->e);
	return MNL_CB_ERROR;
}

/* NLMSG_DONE ends a dump; an error met during a dump is its payload. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run *r = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			fail(r, r->stage, -err, "%s", "");
			get_extack(nlh, sizeof(err), r->e);
			return MNL_CB_ERROR;
		}
	}
	if (r->tree && !r->tree->have_totals)
		return fail(r, CS_STAGE_REPLY, EPROTO, "the dump ended without the totals");
	return MNL_CB_STOP;
}

/* Not const: libmnl 1.0.4 takes a plain mnl_cb_t *. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR]	= error_cb,
	[NLMSG_DONE]	= done_cb,
};

/* Hand one buffer of messages to the callbacks: 1 more to come, 0 done, -1 failed. */
static int run_buf(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		   mnl_cb_t cb, struct run *r)
{
	int ret = mnl_cb_run2(buf, len, seq, portid, cb, r, ctl_cbs, ARRAY_SIZE(ctl_cbs));

	if (ret < 0) {
		/* libmnl's own checks: errno alone says what was wrong */
		if (!r->failed)
			fail(r, CS_STAGE_REPLY, errno,
			     errno == EINTR ? "the dump was interrupted (NLM_F_DUMP_INTR)" :
			     errno == ESRCH ? "a reply for another socket" :
			     errno == EPROTO ? "a reply to another request" :
			     "a malformed message");
		return -1;
	}
	return ret == MNL_CB_STOP ? 0 : 1;
}

/**
 * cs_nl_parse() - add one buffer of dump replies to a tree
 * @buf: the messages, as one recvmsg() returned them
 * @len: their length
 * @seq: the request's sequence number (0: any)
 * @portid: our port id (0: any)
 * @t: the tree being filled
 * @e: the error, when -1 is returned
 *
 * Process messages add rows, VMA messages add VMAs to the row before them,
 * the totals message completes @t; unknown attributes are skipped.
 *
 * Return: 1 when more messages are to come, 0 at the end of the dump, -1
 * on an error.
 */
int cs_nl_parse(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		struct cs_tree *t, struct cs_nl_err *e)
{
	struct run r = { .e = e, .stage = CS_STAGE_DUMP, .tree = t };

	return run_buf(buf, len, seq, portid, dump_cb, &r);
}

/* Send a request and read replies until its end. */
static int exchange(struct cs_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, struct run *r)
{
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		fail(r, r->stage, errno, "%s", "");
		return -1;
	}
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, nl->buflen);
		if (n < 0) {
			/* A signal (EINTR) is the caller's business, not a bad reply. */
			fail(r, errno == EINTR ? r->stage : CS_STAGE_REPLY, errno, "%s",
			     errno == ENOSPC ? "a message larger than the receive buffer" : "");
			return -1;
		}
		ret = run_buf(nl->buf, n, req->nlmsg_seq, nl->portid, cb, r);
	} while (ret > 0);
	return ret;
}

static struct nlmsghdr *put_request(struct cs_nl *nl, uint16_t type, uint16_t flags,
				    uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { NULL };
	struct attrs at = { tb, ctrl_types, CTRL_ATTR_MAX, 0 };
	struct run *r = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &at) != MNL_CB_OK ||
	    !tb[CTRL_ATTR_FAMILY_ID])
		return fail(r, CS_STAGE_REPLY, EPROTO, "%s", "a bad genetlink controller reply");
	r->nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

/**
 * cs_nl_open() - open a generic netlink socket and find the cowstat family
 * @nlp: the handle, to be closed with cs_nl_close()
 * @e: the error, when -1 is returned; ENOENT at CS_STAGE_FAMILY means that
 *	the module is not loaded
 *
 * Return: 0 or -1.
 */
int cs_nl_open(struct cs_nl **nlp, struct cs_nl_err *e)
{
	struct run r = { .e = e, .stage = CS_STAGE_SOCKET };
	struct nlmsghdr *nlh;
	struct cs_nl *nl;
	int one = 1;

	nl = calloc(1, sizeof(*nl));
	if (nl) {
		nl->buflen = MNL_SOCKET_BUFFER_SIZE;
		nl->buf = malloc(nl->buflen);
	}
	if (!nl || !nl->buf) {
		free(nl);
		fail(&r, CS_STAGE_SOCKET, ENOMEM, "%s", "");
		return -1;
	}
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fail(&r, CS_STAGE_SOCKET, errno, "%s", "");
		cs_nl_close(nl);
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Ask for the kernel's error messages, without our request echoed. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	r.stage = CS_STAGE_FAMILY;
	r.nl = nl;
	nlh = put_request(nl, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, COWSTAT_FAMILY_NAME);
	if (exchange(nl, nlh, family_cb, &r) < 0) {
		cs_nl_close(nl);
		return -1;
	}
	if (!nl->family) {
		fail(&r, CS_STAGE_REPLY, EPROTO, "the genetlink controller sent no family id");
		cs_nl_close(nl);
		return -1;
	}
	*nlp = nl;
	return 0;
}

/**
 * cs_nl_dump() - read the tree of a process
 * @nl: the handle
 * @pid: the root, a PID of our namespace
 * @vmas: ask for the VMAs too
 * @t: an empty tree, filled (to be freed with cs_tree_free() either way)
 * @e: the error, when -1 is returned
 *
 * After an error the socket may still hold the rest of the dump: close it.
 *
 * Return: 0 or -1.
 */
int cs_nl_dump(struct cs_nl *nl, uint32_t pid, bool vmas, struct cs_tree *t,
	       struct cs_nl_err *e)
{
	struct run r = { .e = e, .stage = CS_STAGE_DUMP, .tree = t };
	struct nlmsghdr *nlh;
	long ps;

	nlh = put_request(nl, nl->family, NLM_F_DUMP, COWSTAT_CMD_GET, COWSTAT_FAMILY_VERSION);
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, pid);
	if (vmas)
		mnl_attr_put(nlh, COWSTAT_A_PROC_VMAS, 0, NULL);
	t->root = pid;
	if (exchange(nl, nlh, dump_cb, &r) < 0)
		return -1;
	/* The kernel's page size is ours; a module that leaves it out still works. */
	if (!t->page_size) {
		ps = sysconf(_SC_PAGESIZE);
		t->page_size = ps > 0 ? ps : 4096;
	}
	return 0;
}

void cs_nl_close(struct cs_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl);
}

/**
 * cs_nl_explain() - the one-line message and exit status of an error
 * @e: the error
 * @pid: the root that was asked for
 * @buf: the message, without "cowstat: "
 * @len: size of @buf
 *
 * Return: the exit status (enum cs_exit).
 */
int cs_nl_explain(const struct cs_nl_err *e, uint32_t pid, char *buf, size_t len)
{
	const char *why = strerror(e->err);
	char kernel[sizeof(e->msg) + 16] = "";

	if (e->msg[0])
		snprintf(kernel, sizeof(kernel), " (%s)", e->msg);
	if (e->stage == CS_STAGE_SOCKET) {
		snprintf(buf, len, "cannot open a generic netlink socket: %s", why);
		return CS_EXIT_ERROR;
	}
	if (e->stage == CS_STAGE_REPLY) {
		snprintf(buf, len, "bad reply from the kernel: %s", e->msg[0] ? e->msg : why);
		return CS_EXIT_ERROR;
	}
	/* The controller does not know the family, or it went away since. */
	if (e->err == ENOENT) {
		snprintf(buf, len, "the cowstat kernel module is not loaded (%s \"%s\")",
			 "no generic netlink family", COWSTAT_FAMILY_NAME);
		return CS_EXIT_NOT_LOADED;
	}
	if (e->stage == CS_STAGE_FAMILY) {
		snprintf(buf, len, "cannot look up the generic netlink family \"%s\": %s%s",
			 COWSTAT_FAMILY_NAME, why, kernel);
		return CS_EXIT_ERROR;
	}
	if (e->err == ESRCH) {
		snprintf(buf, len, "no such process: %u%s", pid, kernel);
		return CS_EXIT_NO_PROCESS;
	}
	if (e->err == EPERM || e->err == EACCES) {
		snprintf(buf, len, "permission denied: cannot read process %u%s", pid, kernel);
		return CS_EXIT_PERMISSION;
	}
	snprintf(buf, len, "reading the tree of %u failed: %s%s", pid, why, kernel);
	return CS_EXIT_ERROR;
}
