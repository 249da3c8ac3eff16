// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family (Documentation/netlink/specs/cowstat.yaml):
 * the dump equals debugfs, a 2,000-process dump arrives whole and in order
 * through a small receive buffer, strict validation of every attribute,
 * the permission rule, and PID namespaces.
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

/*
 * Malformed and refused requests, one variant each: the errno, and an
 * extack that says why (a message, or the missing attribute's type).
 * Since split ops (6.2) a dump's start callback has an extack; before,
 * the errors it finds (@in_start) go out with the errno alone.  The
 * kernel's version is not asked: the family's do and dump have policies of
 * their own exactly when the module runs on split ops (netlink-gen.c), and
 * then the checks that netlink-legacy.c makes by hand in the start
 * callback (root in a dump) are the policy's, with a message.
 */
FIXTURE(bad) {
	struct nl nl;
	struct dump *d;
	int split;
};

FIXTURE_VARIANT(bad) {
	uint16_t flags;			/* NLM_F_DUMP, or 0 for a do */
	void (*build)(struct nlmsghdr *nlh);
	int err;			/* the errno it fails with */
	int in_start;			/* found in a dump's start on 6.1 */
	uint32_t missing;		/* the extack names this attribute */
};

FIXTURE_SETUP(bad)
{
	int ret = nl_open(&self->nl);

	ASSERT_EQ(0, ret) TH_LOG("resolving the cowstat family: %s", strerror(-ret));
	self->d = calloc(1, sizeof(*self->d));
	ASSERT_NE(NULL, self->d);
	self->split = nl_split_policies(&self->nl, COWSTAT_CMD_GET);
	ASSERT_LE(0, self->split) TH_LOG("CTRL_CMD_GETPOLICY: %s", strerror(-self->split));
}

FIXTURE_TEARDOWN(bad)
{
	close(self->nl.fd);
	free(self->d);
}

#define BAD(name, ...) FIXTURE_VARIANT_ADD(bad, name) { __VA_ARGS__ }

BAD(dump_without_pid, .flags = NLM_F_DUMP, .build = no_attrs, .err = EINVAL,
    .in_start = 1, .missing = COWSTAT_A_PROC_PID);
BAD(do_without_pid, .build = no_attrs, .err = EINVAL, .missing = COWSTAT_A_PROC_PID);
BAD(pid_as_u16, .flags = NLM_F_DUMP, .build = pid_u16, .err = EINVAL);
BAD(pid_as_u64, .flags = NLM_F_DUMP, .build = pid_u64, .err = EINVAL);
BAD(pid_of_nobody_in_a_do, .build = pid_missing_process, .err = ESRCH);
BAD(pid_zero, .flags = NLM_F_DUMP, .build = pid_zero, .err = ERANGE);
BAD(pid_past_int, .build = pid_huge, .err = ERANGE);
BAD(pid_of_nobody, .flags = NLM_F_DUMP, .build = pid_missing_process, .err = ESRCH,
    .in_start = 1);
BAD(unknown_attribute, .flags = NLM_F_DUMP, .build = unknown_attr, .err = EINVAL);
BAD(reply_attribute_in_request, .flags = NLM_F_DUMP, .build = reply_only_attr,
    .err = EINVAL);
BAD(flag_with_a_value, .flags = NLM_F_DUMP, .build = vmas_with_value, .err = ERANGE);
BAD(root_in_a_dump, .flags = NLM_F_DUMP, .build = root_in_dump, .err = EINVAL,
    .in_start = 1);
BAD(vmas_in_a_do, .build = vmas_in_do, .err = EINVAL);
BAD(root_as_u16, .build = root_u16, .err = EINVAL);
BAD(root_zero, .build = root_zero, .err = ERANGE);
BAD(pid_outside_the_tree_of_root, .build = pid_outside_root, .err = ENOENT);
BAD(attribute_past_the_end, .flags = NLM_F_DUMP, .build = attr_past_the_end, .err = EINVAL);
BAD(truncated_attribute, .build = short_attr_header, .err = EINVAL);

TEST_F(bad, is_refused_and_the_family_keeps_serving)
{
	int ret = send_raw(&self->nl, variant->flags, variant->build);

	EXPECT_EQ(-variant->err, ret) TH_LOG("got %d (%s)", ret, strerror(-ret));
	TH_LOG("extack: \"%s\", missing attribute %u; %s ops", self->nl.extack,
	       self->nl.miss_type, self->split ? "split" : "shared-policy");
	if (ret < 0 && (self->split || !variant->in_start)) {
		if (variant->missing) {
			EXPECT_EQ(variant->missing, self->nl.miss_type);
		} else {
			EXPECT_NE(0, self->nl.extack[0]) TH_LOG("no extack message");
		}
	}
	if (ret < 0 && !self->split && variant->in_start) {
		/* What 6.1 cannot do: tell it, so that a change shows. */
		EXPECT_EQ(0, self->nl.extack[0]);
		EXPECT_EQ(0, self->nl.miss_type);
	}
	/* The valid dump still works after every bad request. */
	ASSERT_EQ(0, dump_tree(&self->nl, getpid(), 0, 8192, self->d));
	EXPECT_EQ(1, self->d->n);
	EXPECT_EQ(1, self->d->totals);
}

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
	/* A group of its own: cs_reap() ends the root-owned child too. */
	setpgid(0, 0);
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
