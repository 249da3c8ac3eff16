// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the cowstat CLI's netlink reply parsing: synthetic
 * dump replies, built with libmnl as the kernel would lay them out (pads
 * before u64s, NLMSG_DONE, NLMSG_ERROR with an extended ACK), are fed to
 * cs_nl_parse().  Prints TAP.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/cowstat.h>

#include "format.h"
#include "nl.h"
#include "options.h"
#include "fixture.h"
#include "tap.h"

#define FAMILY	0x1d	/* any id: the parser does not look at it */
#define SEQ	42
#define PORTID	4711

static char buf[1 << 20];
static size_t used;

static struct nlmsghdr *msg(uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	return nlh;
}

static struct nlmsghdr *genl_msg(void)
{
	struct nlmsghdr *nlh = msg(FAMILY, NLM_F_MULTI);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = COWSTAT_CMD_GET;
	g->version = COWSTAT_FAMILY_VERSION;
	return nlh;
}

static void end(struct nlmsghdr *nlh)
{
	used += nlh->nlmsg_len;
}

/* A u64 as the kernel puts it: a pad attribute first when unaligned. */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint16_t pad, uint64_t v)
{
	if ((nlh->nlmsg_len + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

#define COUNT_ATTR(NAME, ...)	[CS_##NAME] = COWSTAT_A_COUNTS_##NAME,
static const uint16_t count_attr[CS_NR_PAGE_FIELDS] = {
	COWSTAT_COUNTS(COUNT_ATTR)
};

/*
 * The page counts as a nested counts set, then, for the first @n fields,
 * the counts that are attributes of the proc set: cow_faults, skipped_vmas.
 */
static void put_counts(struct nlmsghdr *nlh, const struct cs_counts *c, int n, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	int f;

	for (f = 0; f < CS_NR_PAGE_FIELDS; f++)
		if (cs_have(c, f))
			put_u64(nlh, count_attr[f], COWSTAT_A_COUNTS_PAD, c->val[f]);
	mnl_attr_nest_end(nlh, nest);
	if (n > CS_COW_FAULTS && cs_have(c, CS_COW_FAULTS))
		put_u64(nlh, COWSTAT_A_PROC_COW_FAULTS, COWSTAT_A_PROC_PAD, c->val[CS_COW_FAULTS]);
	if (n > CS_SKIPPED_VMAS && cs_have(c, CS_SKIPPED_VMAS))
		put_u64(nlh, COWSTAT_A_PROC_SKIPPED_VMAS, COWSTAT_A_PROC_PAD,
			c->val[CS_SKIPPED_VMAS]);
}

static void put_tree(const struct cs_tree *t, bool vmas)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	size_t i, j;

	for (i = 0; i < t->nr_procs; i++) {
		const struct cs_proc *p = &t->procs[i];

		nlh = genl_msg();
		mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, p->pid);
		mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PPID, p->ppid);
		mnl_attr_put_u32(nlh, COWSTAT_A_PROC_DEPTH, p->depth);
		mnl_attr_put_strz(nlh, COWSTAT_A_PROC_COMM, p->comm);
		mnl_attr_put_u32(nlh, COWSTAT_A_PROC_FLAGS, p->flags);
		if (p->flags & CS_F_MM_SHARED)
			mnl_attr_put_u32(nlh, COWSTAT_A_PROC_MM_SHARED_WITH, p->mm_shared_with);
		put_counts(nlh, &p->c, CS_NR_PROC_FIELDS, COWSTAT_A_PROC_COUNTS);
		end(nlh);
		for (j = 0; vmas && j < p->nr_vmas; j++) {
			const struct cs_vma *v = &p->vmas[j];

			nlh = genl_msg();
			mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, p->pid);
			nest = mnl_attr_nest_start(nlh, COWSTAT_A_PROC_VMA);
			put_u64(nlh, COWSTAT_A_VMA_START, COWSTAT_A_VMA_PAD, v->start);
			put_u64(nlh, COWSTAT_A_VMA_END, COWSTAT_A_VMA_PAD, v->end);
			put_u64(nlh, COWSTAT_A_VMA_OFFSET, COWSTAT_A_VMA_PAD, v->offset);
			mnl_attr_put_strz(nlh, COWSTAT_A_VMA_PERMS, v->perms);
			if (v->name)
				mnl_attr_put_strz(nlh, COWSTAT_A_VMA_NAME, v->name);
			if (v->name_truncated)
				mnl_attr_put(nlh, COWSTAT_A_VMA_NAME_TRUNCATED, 0, NULL);
			put_counts(nlh, &v->c, CS_NR_PAGE_FIELDS, COWSTAT_A_VMA_COUNTS);
			mnl_attr_nest_end(nlh, nest);
			end(nlh);
		}
	}
	nlh = genl_msg();
	mnl_attr_put(nlh, COWSTAT_A_PROC_TOTALS, 0, NULL);
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, t->root);
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PROCESSES, t->processes);
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PAGE_SIZE, t->page_size);
	put_counts(nlh, &t->totals, CS_NR_PROC_FIELDS, COWSTAT_A_PROC_COUNTS);
	if (cs_have(&t->totals, CS_UNIQUE))
		put_u64(nlh, COWSTAT_A_PROC_UNIQUE, COWSTAT_A_PROC_PAD, t->totals.val[CS_UNIQUE]);
	if (cs_have(&t->totals, CS_SAVED))
		put_u64(nlh, COWSTAT_A_PROC_SAVED, COWSTAT_A_PROC_PAD, t->totals.val[CS_SAVED]);
	end(nlh);
}

static void put_done(int err, const char *extack)
{
	struct nlmsghdr *nlh = msg(NLMSG_DONE, NLM_F_MULTI | (extack ? NLM_F_ACK_TLVS : 0));
	int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*e = err;
	if (extack)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	end(nlh);
}

/* An error answering our request, echoed in full (@capped false) or not. */
static void put_error(int err, const char *extack, bool capped)
{
	struct nlmsghdr *nlh = msg(NLMSG_ERROR, (extack ? NLM_F_ACK_TLVS : 0) |
				   (capped ? NLM_F_CAPPED : 0));
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	const size_t req_payload = sizeof(struct genlmsghdr) + MNL_ATTR_HDRLEN + 4;

	e->error = err;
	e->msg.nlmsg_len = MNL_NLMSG_HDRLEN + req_payload;
	e->msg.nlmsg_type = FAMILY;
	e->msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	e->msg.nlmsg_seq = SEQ;
	if (!capped)
		memset(mnl_nlmsg_put_extra_header(nlh, req_payload), 0x5a, req_payload);
	if (extack)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	end(nlh);
}

/* Parse what was built, one message per call (as many recvmsg calls). */
static int parse_each(struct cs_tree *t, struct cs_nl_err *e)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	size_t off = 0;
	int ret = 1;

	while (off < used && ret == 1) {
		nlh = (const void *)(buf + off);
		ret = cs_nl_parse(nlh, nlh->nlmsg_len, SEQ, PORTID, t, e);
		off += nlh->nlmsg_len;
	}
	return ret;
}

static char *json_of(const struct cs_tree *t)
{
	char *s;

	CAPTURE(s, cs_print_json(cap, t, true));
	return s;
}

static void reset(struct cs_tree *t, struct cs_nl_err *e)
{
	cs_tree_free(t);
	memset(e, 0, sizeof(*e));
	used = 0;
}

static void test_round_trip(void)
{
	struct cs_tree want, got = { 0 };
	struct cs_nl_err e = { 0 };
	char *a, *b;
	int ret;

	fixture(&want);
	/* A name the module cut, and the NOOP a dump starts with while it walks. */
	for (size_t i = 0; i < want.nr_procs; i++)
		for (size_t j = 0; j < want.procs[i].nr_vmas; j++)
			if (want.procs[i].vmas[j].name) {
				want.procs[i].vmas[j].name_truncated = true;
				i = want.nr_procs - 1;
				break;
			}
	end(msg(NLMSG_NOOP, NLM_F_MULTI));
	put_tree(&want, true);
	put_done(0, NULL);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &got, &e);
	tap_is_int(ret, 0, "dump in one buffer: complete");
	a = json_of(&want);
	b = json_of(&got);
	tap_is_str(b, a, "dump in one buffer: every field, flag, VMA and total as sent");
	free(b);
	reset(&got, &e);

	put_tree(&want, true);
	put_done(0, NULL);
	ret = parse_each(&got, &e);
	tap_is_int(ret, 0, "dump over one recvmsg per message: complete");
	b = json_of(&got);
	tap_is_str(b, a, "dump over one recvmsg per message: the same tree");
	free(a);
	free(b);
	reset(&got, &e);

	put_tree(&want, false);
	tap_is_int(cs_nl_parse(buf, used, SEQ, PORTID, &got, &e), 1,
		   "without NLMSG_DONE: more to come");
	reset(&got, &e);
	cs_tree_free(&want);
}

/* The messages @fn builds, then totals and NLMSG_DONE, in one buffer. */
static int parse_with(void (*fn)(void), struct cs_tree *t, struct cs_nl_err *e)
{
	struct nlmsghdr *nlh;

	fn();
	nlh = genl_msg();
	mnl_attr_put(nlh, COWSTAT_A_PROC_TOTALS, 0, NULL);
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PAGE_SIZE, 4096);
	end(nlh);
	put_done(0, NULL);
	return cs_nl_parse(buf, used, SEQ, PORTID, t, e);
}

static void odd_comm(void)
{
	struct nlmsghdr *nlh = genl_msg();

	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, 5);
	/* not NUL-terminated, with a space, a quote and invalid UTF-8 */
	mnl_attr_put(nlh, COWSTAT_A_PROC_COMM, 7, "a \"b\xff\x01z");
	end(nlh);
}

static void unknown_attrs(void)
{
	struct nlmsghdr *nlh = genl_msg();
	struct nlattr *nest, *counts;

	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, 6);
	mnl_attr_put_u64(nlh, COWSTAT_A_PROC_MAX + 1, 1);	/* a newer module's */
	mnl_attr_put_strz(nlh, COWSTAT_A_PROC_MAX + 7, "future");
	mnl_attr_put(nlh, COWSTAT_A_PROC_PAD, 4, "\0\0\0\0");
	nest = mnl_attr_nest_start(nlh, COWSTAT_A_PROC_COUNTS);
	mnl_attr_put_u64(nlh, COWSTAT_A_COUNTS_RSS, 12);
	mnl_attr_put_u64(nlh, COWSTAT_A_COUNTS_MAX + 1, 5);	/* a newer module's */
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, COWSTAT_A_PROC_MAX + 2);
	mnl_attr_put_u32(nlh, 1, 1);
	mnl_attr_nest_end(nlh, nest);
	end(nlh);
	nlh = genl_msg();
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, 6);
	nest = mnl_attr_nest_start(nlh, COWSTAT_A_PROC_VMA);
	mnl_attr_put_u64(nlh, COWSTAT_A_VMA_START, 0x1000);
	mnl_attr_put_u32(nlh, COWSTAT_A_VMA_MAX + 3, 3);	/* a newer module's */
	counts = mnl_attr_nest_start(nlh, COWSTAT_A_VMA_COUNTS);
	mnl_attr_put_u64(nlh, COWSTAT_A_COUNTS_THP, 2);
	mnl_attr_nest_end(nlh, counts);
	mnl_attr_nest_end(nlh, nest);
	end(nlh);
}

static void not_permitted(void)
{
	struct nlmsghdr *nlh = genl_msg();
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, 7);
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_FLAGS, CS_F_NOT_PERMITTED);
	nest = mnl_attr_nest_start(nlh, COWSTAT_A_PROC_COUNTS);
	mnl_attr_put_u64(nlh, COWSTAT_A_COUNTS_RSS, 12);	/* must not be shown */
	mnl_attr_nest_end(nlh, nest);
	end(nlh);
}

static void wrong_pid_size(void)
{
	struct nlmsghdr *nlh = genl_msg();

	mnl_attr_put_u64(nlh, COWSTAT_A_PROC_PID, 8);
	end(nlh);
}

static void wrong_count_size(void)
{
	struct nlmsghdr *nlh = genl_msg();
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, 8);
	nest = mnl_attr_nest_start(nlh, COWSTAT_A_PROC_COUNTS);
	mnl_attr_put_u32(nlh, COWSTAT_A_COUNTS_SWAP, 1);
	mnl_attr_nest_end(nlh, nest);
	end(nlh);
}

static void wrong_totals_flag(void)
{
	struct nlmsghdr *nlh = genl_msg();

	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, 8);
	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_TOTALS, 1);
	end(nlh);
}

static void no_pid(void)
{
	struct nlmsghdr *nlh = genl_msg();

	mnl_attr_put_strz(nlh, COWSTAT_A_PROC_COMM, "nopid");
	end(nlh);
}

static void put_vma_of(uint32_t pid, bool bad)
{
	struct nlmsghdr *nlh = genl_msg();
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, pid);
	nest = mnl_attr_nest_start(nlh, COWSTAT_A_PROC_VMA);
	if (bad)
		mnl_attr_put_u32(nlh, COWSTAT_A_VMA_END, 1);
	mnl_attr_put_strz(nlh, COWSTAT_A_VMA_PERMS, "rw-p");
	mnl_attr_nest_end(nlh, nest);
	end(nlh);
}

static void put_proc(uint32_t pid)
{
	struct nlmsghdr *nlh = genl_msg();

	mnl_attr_put_u32(nlh, COWSTAT_A_PROC_PID, pid);
	end(nlh);
}

static void vma_first(void)
{
	put_vma_of(9, false);
}

static void vma_of_other(void)
{
	put_proc(9);
	put_proc(10);
	put_vma_of(9, false);
}

static void vma_bad_attr(void)
{
	put_proc(9);
	put_vma_of(9, true);
}

static void nothing(void)
{
}

static void test_messages(void)
{
	struct cs_tree t = { 0 };
	struct cs_nl_err e = { 0 };
	char want[128];
	int ret;

	ret = parse_with(odd_comm, &t, &e);
	tap_ok(ret == 0 && t.nr_procs == 1 && !strcmp(t.procs[0].comm, "a \"b\xff\x01z"),
	       "comm: raw bytes kept, no NUL terminator needed");
	tap_ok(t.page_size == 4096 && t.have_totals && t.procs[0].c.have == 0,
	       "absent counts stay unavailable");
	reset(&t, &e);

	ret = parse_with(unknown_attrs, &t, &e);
	tap_ok(ret == 0 && t.nr_procs == 1 && cs_have(&t.procs[0].c, CS_RSS) &&
	       t.procs[0].c.val[CS_RSS] == 12 && t.procs[0].c.have == 1u << CS_RSS,
	       "unknown attributes and pads are skipped");
	tap_ok(t.nr_procs == 1 && t.procs[0].nr_vmas == 1 && t.procs[0].vmas[0].start == 0x1000 &&
	       t.procs[0].vmas[0].c.val[CS_THP] == 2 && !t.procs[0].vmas[0].name &&
	       !strcmp(t.procs[0].vmas[0].perms, ""),
	       "unknown VMA attributes are skipped; no name means anonymous");
	reset(&t, &e);

	ret = parse_with(not_permitted, &t, &e);
	tap_ok(ret == 0 && t.procs[0].c.have == 0, "not_permitted: no count is shown");
	reset(&t, &e);

	ret = parse_with(wrong_pid_size, &t, &e);
	tap_ok(ret == -1 && e.stage == CS_STAGE_REPLY && e.err == EPROTO &&
	       !strcmp(e.msg, "attribute 2 has a wrong type or size"),
	       "a u64 pid is rejected");
	reset(&t, &e);
	ret = parse_with(wrong_count_size, &t, &e);
	snprintf(want, sizeof(want), "count attribute %d has a wrong type or size",
		 COWSTAT_A_COUNTS_SWAP);
	tap_ok(ret == -1 && !strcmp(e.msg, want), "a u32 count is rejected");
	reset(&t, &e);
	ret = parse_with(wrong_totals_flag, &t, &e);
	snprintf(want, sizeof(want), "attribute %d has a wrong type or size",
		 COWSTAT_A_PROC_TOTALS);
	tap_ok(ret == -1 && !strcmp(e.msg, want), "a flag with a payload is rejected");
	reset(&t, &e);
	ret = parse_with(no_pid, &t, &e);
	tap_ok(ret == -1 && !strcmp(e.msg, "a message without a pid"), "a row without a pid");
	reset(&t, &e);
	ret = parse_with(vma_first, &t, &e);
	tap_ok(ret == -1 && !strcmp(e.msg, "a VMA of pid 9 not after its process"),
	       "a VMA before any process");
	reset(&t, &e);
	ret = parse_with(vma_of_other, &t, &e);
	tap_ok(ret == -1 && !strcmp(e.msg, "a VMA of pid 9 not after its process"),
	       "a VMA after another process");
	reset(&t, &e);
	ret = parse_with(vma_bad_attr, &t, &e);
	tap_ok(ret == -1 && !strcmp(e.msg, "VMA attribute 3 has a wrong type or size"),
	       "a u32 VMA end is rejected");
	reset(&t, &e);

	put_proc(3);
	put_done(0, NULL);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	tap_ok(ret == -1 && !strcmp(e.msg, "the dump ended without the totals"),
	       "a dump without totals is an error");
	reset(&t, &e);

	ret = parse_with(nothing, &t, &e);
	tap_ok(ret == 0 && t.nr_procs == 0 && t.have_totals, "totals alone");
	reset(&t, &e);
	put_proc(3);
	put_tree(&t, false);	/* totals */
	put_proc(4);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	tap_ok(ret == -1 && !strcmp(e.msg, "a message after the totals"), "a row after the totals");
	reset(&t, &e);

	put_proc(3);
	((struct nlmsghdr *)buf)->nlmsg_seq = SEQ + 1;
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	tap_ok(ret == -1 && e.stage == CS_STAGE_REPLY &&
	       !strcmp(e.msg, "a reply to another request"),
	       "a reply with another sequence number");
	reset(&t, &e);

	/* truncated: the header claims more than there is */
	put_proc(3);
	ret = cs_nl_parse(buf, used - 4, SEQ, PORTID, &t, &e);
	tap_ok(ret == 1 && t.nr_procs == 0, "a truncated message is not read");
	reset(&t, &e);
}

static void test_errors(void)
{
	struct cs_tree t = { 0 };
	struct cs_nl_err e = { 0 };
	char msg[512];
	int ret, status;

	put_error(-ESRCH, "no process with this pid", false);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	tap_ok(ret == -1 && e.stage == CS_STAGE_DUMP && e.err == ESRCH &&
	       !strcmp(e.msg, "no process with this pid"),
	       "NLMSG_ERROR with the request and extack");
	status = cs_nl_explain(&e, 42, msg, sizeof(msg));
	tap_is_int(status, CS_EXIT_NO_PROCESS, "ESRCH: exit status 3");
	tap_is_str(msg, "no such process: 42 (no process with this pid)", "ESRCH: message");
	reset(&t, &e);

	put_error(-ESRCH, NULL, true);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	tap_ok(ret == -1 && e.err == ESRCH && !e.msg[0], "NLMSG_ERROR capped, without extack");
	cs_nl_explain(&e, 42, msg, sizeof(msg));
	tap_is_str(msg, "no such process: 42", "ESRCH without extack: message");
	reset(&t, &e);

	put_error(-EPERM, "may not read 1", true);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	status = cs_nl_explain(&e, 1, msg, sizeof(msg));
	tap_ok(ret == -1 && status == CS_EXIT_PERMISSION, "EPERM: exit status 4");
	tap_is_str(msg, "permission denied: cannot read process 1 (may not read 1)",
		   "EPERM: message");
	reset(&t, &e);

	put_proc(3);
	put_done(-EACCES, "ptrace says no");
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	status = cs_nl_explain(&e, 3, msg, sizeof(msg));
	tap_ok(ret == -1 && e.err == EACCES && status == CS_EXIT_PERMISSION,
	       "an error in NLMSG_DONE ends the dump: EACCES, status 4");
	tap_is_str(msg, "permission denied: cannot read process 3 (ptrace says no)",
		   "EACCES in NLMSG_DONE: message with extack");
	reset(&t, &e);

	put_error(-ENOENT, NULL, true);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	status = cs_nl_explain(&e, 3, msg, sizeof(msg));
	tap_ok(ret == -1 && status == CS_EXIT_NOT_LOADED, "ENOENT on the dump: not loaded (2)");
	reset(&t, &e);

	put_error(-EINVAL, "Unknown attribute type", false);
	ret = cs_nl_parse(buf, used, SEQ, PORTID, &t, &e);
	status = cs_nl_explain(&e, 3, msg, sizeof(msg));
	tap_ok(ret == -1 && status == CS_EXIT_ERROR, "EINVAL: exit status 1");
	tap_is_str(msg, "reading the tree of 3 failed: Invalid argument (Unknown attribute type)",
		   "EINVAL: message with extack");
	reset(&t, &e);

	e = (struct cs_nl_err){ .stage = CS_STAGE_FAMILY, .err = ENOENT };
	status = cs_nl_explain(&e, 3, msg, sizeof(msg));
	tap_is_int(status, CS_EXIT_NOT_LOADED, "family ENOENT: exit status 2");
	tap_is_str(msg, "the cowstat kernel module is not loaded "
		   "(no generic netlink family \"cowstat\")", "family ENOENT: message");
	e = (struct cs_nl_err){ .stage = CS_STAGE_FAMILY, .err = EPERM };
	tap_is_int(cs_nl_explain(&e, 3, msg, sizeof(msg)), CS_EXIT_ERROR,
		   "family EPERM: exit status 1, not 4");
	e = (struct cs_nl_err){ .stage = CS_STAGE_SOCKET, .err = EPROTONOSUPPORT };
	tap_is_int(cs_nl_explain(&e, 3, msg, sizeof(msg)), CS_EXIT_ERROR, "socket error: exit 1");
	tap_is_str(msg, "cannot open a generic netlink socket: Protocol not supported",
		   "socket error: message");
	e = (struct cs_nl_err){
		.stage = CS_STAGE_REPLY, .err = ESRCH, .msg = "a reply for another socket"
	};
	tap_is_int(cs_nl_explain(&e, 3, msg, sizeof(msg)), CS_EXIT_ERROR,
		   "a bad reply is status 1 whatever its errno");
	tap_is_str(msg, "bad reply from the kernel: a reply for another socket",
		   "bad reply: message");
}

int main(void)
{
	test_round_trip();
	test_messages();
	test_errors();
	return tap_done();
}
