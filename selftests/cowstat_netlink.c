// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family (spec section 7): the dump equals debugfs,
 * a 2,000-process dump arrives whole and in order through a small receive
 * buffer, strict validation of every attribute, the permission rule, and
 * PID namespaces.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_nl.h"

FIXTURE(nl) {
	struct nl nl;
	struct dump *d;
};

FIXTURE_SETUP(nl)
{
	int ret = nl_open(&self->nl);

	ASSERT_EQ(0, ret) TH_LOG("resolving the cowstat family: %s", strerror(-ret));
	self->d = calloc(1, sizeof(*self->d));
	ASSERT_NE(NULL, self->d);
}

FIXTURE_TEARDOWN(nl)
{
	close(self->nl.fd);
	free(self->d);
}

static char *region;

static void write_some(void *arg)
{
	cs_touch(region, 0, (long)arg, 2);
}

static void small_tree(void *arg)
{
	region = cs_region(64, 0);
	cs_touch(region, 0, 64, 1);
	cs_spawn(write_some, (void *)5L);
	cs_spawn(write_some, (void *)17L);
}

TEST_F(nl, dump_equals_debugfs)
{
	struct cs_tree_row r;
	pid_t root;
	char *tree;
	int i, f;

	root = cs_spawn(small_tree, NULL);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, dump_tree(&self->nl, root, 1, 8192, self->d));
	ASSERT_EQ(0, cs_select(root));
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(3, self->d->n);
	EXPECT_EQ(1, self->d->totals);
	EXPECT_EQ(0, self->d->after_totals);
	EXPECT_LT(3, self->d->vmas);
	EXPECT_EQ(3, self->d->processes);
	for (i = 0; i < self->d->n; i++) {
		ASSERT_EQ(0, cs_find_tree_row(tree, self->d->row[i].pid, &r));
		EXPECT_EQ(r.ppid, self->d->row[i].ppid);
		EXPECT_EQ(r.depth, self->d->row[i].depth);
		for (f = 0; f < F_NR; f++)
			EXPECT_EQ(r.p.v[f], self->d->row[i].v[f]);
	}
	EXPECT_LE(5, self->d->row[1].v[F_COW_BROKEN]);
	free(tree);
	cs_select(1);
	cs_reap(root);
}

TEST_F(nl, get_one_process)
{
	char buf[256];
	struct nlmsghdr *nlh;
	uint32_t pid = getpid();

	nlh = nl_msg(buf, self->nl.family, NLM_F_ACK, COWSTAT_CMD_GET, ++self->nl.seq);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	ASSERT_EQ(0, nl_send(&self->nl, nlh));
	memset(self->d, 0, sizeof(*self->d));
	ASSERT_EQ(0, nl_recv(&self->nl, 8192, dump_cb, self->d));
	ASSERT_EQ(1, self->d->n);
	EXPECT_EQ(getpid(), self->d->row[0].pid);
	EXPECT_LT(0, self->d->row[0].v[F_RSS]);
	EXPECT_EQ(0, self->d->totals);
}

/* get with a root: the row as the dump of that root shows it (depth, counts). */
TEST_F(nl, get_one_process_of_a_tree)
{
	struct cs_tree_row r = { 0 }, row;
	struct nlmsghdr *nlh;
	uint32_t root, kid = 0;
	char buf[256], *tree;
	const char *line;
	int f;

	root = cs_spawn(small_tree, NULL);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, cs_select(root));
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	/* The last row: the second child, which rewrote 17 pages. */
	for (line = tree; line && *line; line = cs_next_line(line))
		if (!cs_parse_tree_row(line, &row)) {
			r = row;
			kid = row.pid;
		}
	ASSERT_NE(root, kid);
	ASSERT_EQ(1, r.depth);
	EXPECT_LE(17, r.p.v[F_COW_BROKEN]);

	nlh = nl_msg(buf, self->nl.family, NLM_F_ACK, COWSTAT_CMD_GET, ++self->nl.seq);
	nl_put(nlh, COWSTAT_A_PROC_PID, &kid, 4);
	nl_put(nlh, COWSTAT_A_PROC_ROOT, &root, 4);
	ASSERT_EQ(0, nl_send(&self->nl, nlh));
	memset(self->d, 0, sizeof(*self->d));
	ASSERT_EQ(0, nl_recv(&self->nl, 8192, dump_cb, self->d));
	ASSERT_EQ(1, self->d->n);
	EXPECT_EQ(kid, self->d->row[0].pid);
	EXPECT_EQ(root, self->d->row[0].ppid);
	EXPECT_EQ(1, self->d->row[0].depth);
	for (f = 0; f < F_NR; f++)
		EXPECT_EQ(r.p.v[f], self->d->row[0].v[f]) TH_LOG("field %d", f);
	free(tree);
	cs_select(1);
	cs_reap(root);
}

/* A root with 2,000 children that share its mm: cheap to make. */
#define WIDE 2000

static int wide_child(void *arg)
{
	for (;;)
		syscall(SYS_pause);
	return 0;
}

static void wide_tree(void *arg)
{
	static char stacks[WIDE][4096] __attribute__((aligned(16)));
	int i;

	/* A group of its own, so that the test's kill(-root) ends every child. */
	setpgid(0, 0);
	for (i = 0; i < WIDE; i++)
		if (clone(wide_child, stacks[i] + sizeof(stacks[i]), CLONE_VM | SIGCHLD, NULL) < 0)
			_exit(1);
}

TEST_F_TIMEOUT(nl, dump_of_2000_processes_through_a_small_buffer, 300)
{
	int small = 4096, i, ordered = 1;
	struct cs_tree_row r;
	const char *line;
	char *tree;
	pid_t root;

	root = cs_spawn(wide_tree, NULL);
	ASSERT_LT(0, root);
	/* The smallest socket buffer: the dump resumes over many recvmsg calls. */
	ASSERT_EQ(0, setsockopt(self->nl.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
	ASSERT_EQ(0, dump_tree(&self->nl, root, 0, 8192, self->d));
	ASSERT_EQ(WIDE + 1, self->d->n);
	EXPECT_LT(20, self->nl.recvs);
	TH_LOG("%d processes in %d recvmsg calls", self->d->n, self->nl.recvs);
	EXPECT_EQ(1, self->d->totals);
	EXPECT_EQ(0, self->d->after_totals);
	EXPECT_EQ(WIDE + 1, self->d->processes);

	/* In debugfs's order, which is the tree's. */
	ASSERT_EQ(0, cs_select(root));
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	for (i = 0, line = tree; line; line = cs_next_line(line)) {
		if (cs_parse_tree_row(line, &r))
			continue;
		if (i >= self->d->n || self->d->row[i].pid != r.pid)
			ordered = 0;
		i++;
	}
	EXPECT_EQ(WIDE + 1, i);
	EXPECT_TRUE(ordered);
	free(tree);
	cs_select(1);
	kill(-root, SIGKILL);
	cs_reap(root);
}

/* Send a hand-made request; returns the -errno it got, 0 for success. */
static int send_raw(struct nl *nl, uint16_t flags, void (*build)(struct nlmsghdr *))
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct dump *d = calloc(1, sizeof(*d));
	int ret;

	nlh = nl_msg(buf, nl->family, flags | NLM_F_ACK, COWSTAT_CMD_GET, ++nl->seq);
	build(nlh);
	ret = nl_send(nl, nlh);
	if (!ret)
		ret = nl_recv(nl, 8192, dump_cb, d);
	free(d);
	return ret;
}

static void no_attrs(struct nlmsghdr *nlh) { }

static void pid_u16(struct nlmsghdr *nlh)
{
	uint16_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 2);
}

static void pid_u64(struct nlmsghdr *nlh)
{
	uint64_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 8);
}

static void pid_zero(struct nlmsghdr *nlh)
{
	uint32_t v = 0;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
}

static void pid_huge(struct nlmsghdr *nlh)
{
	uint32_t v = 0x80000000u;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
}

static void pid_missing_process(struct nlmsghdr *nlh)
{
	uint32_t v = 0x7fffffff;	/* above any pid_max */

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
}

static void root_u16(struct nlmsghdr *nlh)
{
	uint32_t v = 1;
	uint16_t r = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, COWSTAT_A_PROC_ROOT, &r, 2);
}

static void root_zero(struct nlmsghdr *nlh)
{
	uint32_t v = 1, r = 0;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, COWSTAT_A_PROC_ROOT, &r, 4);
}

/* init is in no tree but its own: not in the tree of this process. */
static void pid_outside_root(struct nlmsghdr *nlh)
{
	uint32_t v = 1, r = getpid();

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, COWSTAT_A_PROC_ROOT, &r, 4);
}

static void unknown_attr(struct nlmsghdr *nlh)
{
	uint32_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, 200, &v, 4);
}

static void reply_only_attr(struct nlmsghdr *nlh)
{
	uint32_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, COWSTAT_A_PROC_DEPTH, &v, 4);
}

static void vmas_with_value(struct nlmsghdr *nlh)
{
	uint32_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, COWSTAT_A_PROC_VMAS, &v, 4);
}

static void root_in_dump(struct nlmsghdr *nlh)
{
	uint32_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, COWSTAT_A_PROC_ROOT, &v, 4);
}

static void vmas_in_do(struct nlmsghdr *nlh)
{
	uint32_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nl_put(nlh, COWSTAT_A_PROC_VMAS, NULL, 0);
}

static void attr_past_the_end(struct nlmsghdr *nlh)
{
	uint32_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	/* The attribute claims more bytes than the message holds. */
	((struct nlattr *)((char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN))->nla_len = 64;
}

static void short_attr_header(struct nlmsghdr *nlh)
{
	uint32_t v = 1;

	nl_put(nlh, COWSTAT_A_PROC_PID, &v, 4);
	nlh->nlmsg_len += 2;	/* two stray bytes: half an attribute header */
}

/* The valid dump still works after every bad request. */
static void still_works(struct __test_metadata *_metadata, struct nl *nl, struct dump *d)
{
	ASSERT_EQ(0, dump_tree(nl, getpid(), 0, 8192, d));
	EXPECT_EQ(1, d->n);
	EXPECT_EQ(1, d->totals);
}

/*
 * Whether the kernel gives a dump's start callback an extack (before 6.2
 * netlink_dump_control had none), so that the errors the module finds
 * there can carry a message.  Tested on the kernel's own nlctrl family:
 * its policy dump's start names an unknown op as the bad attribute through
 * that extack.
 */
static int start_errors_have_messages(void)
{
	static int known = -1;
	uint32_t no_such_op = 0xff;
	struct nlmsghdr *nlh;
	char buf[256];
	struct nl nl;
	int ret;

	if (known >= 0)
		return known;
	if (nl_open(&nl))
		return 1;	/* the test fails on its own */
	nlh = nl_msg(buf, GENL_ID_CTRL, NLM_F_DUMP, CTRL_CMD_GETPOLICY, ++nl.seq);
	nl_put(nlh, CTRL_ATTR_FAMILY_NAME, "nlctrl", sizeof("nlctrl"));
	nl_put(nlh, CTRL_ATTR_OP, &no_such_op, 4);
	ret = nl_send(&nl, nlh);
	if (!ret)
		ret = nl_recv(&nl, 8192, NULL, NULL);
	close(nl.fd);
	known = ret == -ENOENT && nl.bad_attr;
	if (!known)
		ksft_print_msg("no extack in a dump's start on this kernel: no messages expected there\n");
	return known;
}

/* @in_start: the module finds the error (not the policy), in a dump's start. */
#define BAD(name, flags, fn, err, in_start)					\
TEST_F(nl, bad_##name)								\
{										\
	int ret = send_raw(&self->nl, flags, fn);				\
										\
	EXPECT_EQ(-(err), ret) TH_LOG("%s: got %d (%s)", #name, ret, strerror(-ret)); \
	if (ret < 0 && (!(in_start) || start_errors_have_messages()))		\
		EXPECT_NE(0, self->nl.extack[0]) TH_LOG("no extack message");	\
	still_works(_metadata, &self->nl, self->d);				\
}

BAD(dump_without_pid, NLM_F_DUMP, no_attrs, EINVAL, 1)
BAD(do_without_pid, 0, no_attrs, EINVAL, 0)
BAD(pid_as_u16, NLM_F_DUMP, pid_u16, EINVAL, 0)
BAD(pid_as_u64, NLM_F_DUMP, pid_u64, EINVAL, 0)
BAD(pid_of_nobody_in_a_do, 0, pid_missing_process, ESRCH, 0)
BAD(pid_zero, NLM_F_DUMP, pid_zero, ERANGE, 0)
BAD(pid_past_int, 0, pid_huge, ERANGE, 0)
BAD(pid_of_nobody, NLM_F_DUMP, pid_missing_process, ESRCH, 1)
BAD(unknown_attribute, NLM_F_DUMP, unknown_attr, EINVAL, 0)
BAD(reply_attribute_in_request, NLM_F_DUMP, reply_only_attr, EINVAL, 0)
BAD(flag_with_a_value, NLM_F_DUMP, vmas_with_value, ERANGE, 0)
BAD(root_in_a_dump, NLM_F_DUMP, root_in_dump, EINVAL, 1)
BAD(vmas_in_a_do, 0, vmas_in_do, EINVAL, 0)
BAD(root_as_u16, 0, root_u16, EINVAL, 0)
BAD(root_zero, 0, root_zero, ERANGE, 0)
BAD(pid_outside_the_tree_of_root, 0, pid_outside_root, ENOENT, 0)
BAD(attribute_past_the_end, NLM_F_DUMP, attr_past_the_end, EINVAL, 0)
BAD(truncated_attribute, 0, short_attr_header, EINVAL, 0)

static void as_user(void *arg)
{
	cs_become(1000, 1);
}

static void as_user_undumpable(void *arg)
{
	cs_become(1000, 0);
}

/* R: children of uid 1000 (dumpable), root, uid 1000 (not dumpable); then R
 * itself becomes uid 1000, dumpable.
 */
static void mixed_tree(void *arg)
{
	cs_spawn(as_user, NULL);
	cs_spawn(NULL, NULL);
	cs_spawn(as_user_undumpable, NULL);
	cs_become(1000, 1);
}

TEST_F(nl, unprivileged_user_sees_only_what_it_may_read)
{
	struct cs_tree_row rows[4];
	const char *line;
	char *tree;
	int n = 0, st;
	pid_t r, reader;
	struct dump *d = self->d;
	char old[32];

	r = cs_spawn(mixed_tree, NULL);
	ASSERT_LT(0, r);
	ASSERT_EQ(0, cs_select(r));
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	for (line = tree; line && n < 4; line = cs_next_line(line))
		n += !cs_parse_tree_row(line, &rows[n]);
	free(tree);
	cs_select(1);
	ASSERT_EQ(4, n);

	/* The ptrace-read rule applies only with unprivileged_read on. */
	ASSERT_EQ(0, cs_param_set("unprivileged_read", "Y", old));
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct nl nl;

		cs_become(1000, 1);
		if (nl_open(&nl))
			_exit(10);
		/* Root's own process: refused outright. */
		if (dump_tree(&nl, rows[2].pid, 0, 8192, d) != -EPERM)
			_exit(11);
		if (dump_tree(&nl, r, 0, 8192, d) || d->n != 4)
			_exit(12);
		if (!d->row[0].has_counts || !d->row[1].has_counts)
			_exit(13);
		/* Listed, flagged, and nothing about them told. */
		if (d->row[2].has_counts || d->row[2].has_comm ||
		    !(d->row[2].flags & COWSTAT_PROC_FLAGS_NOT_PERMITTED))
			_exit(14);
		if (d->row[3].has_counts || d->row[3].has_comm ||
		    !(d->row[3].flags & COWSTAT_PROC_FLAGS_NOT_PERMITTED))
			_exit(15);
		/* The totals hold only what may be read. */
		if (d->total[F_RSS] != d->row[0].v[F_RSS] + d->row[1].v[F_RSS])
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(reader, waitpid(reader, &st, 0));
	cs_param_set("unprivileged_read", old, NULL);
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("reader failed at step %d", WEXITSTATUS(st));
	cs_reap(r);
}

static void pidns_reader(struct nl *nl, struct dump *d)
{
	pid_t kid = cs_spawn(NULL, NULL);

	/* We are 1 in the new namespace, our child 2. */
	if (nl_open(nl) || dump_tree(nl, 1, 0, 8192, d))
		_exit(20);
	if (d->n != 2 || d->row[0].pid != 1 || d->row[0].ppid != 0 ||
	    d->row[1].pid != 2 || d->row[1].ppid != 1 || kid != 2)
		_exit(21);
	_exit(0);
}

TEST_F(nl, pid_namespace)
{
	pid_t kid;
	int st;

	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(errno));
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid)
		pidns_reader(&self->nl, self->d);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST_HARNESS_MAIN
