// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading cowstat while it is in use: a half-read netlink dump and an
 * open debugfs tree file each pin the module (delete_module() fails,
 * and what was being read can still be read to the end, with the right
 * totals); once both are closed the module unloads and loads again.
 *
 * It unloads the module: run it last.  It loads the module again before
 * it ends (COWSTAT_KO names the file), whatever happened.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_nl.h"

/* Enough processes that a dump takes many datagrams. */
#define KIDS 400

static int load(void)
{
	const char *ko = getenv("COWSTAT_KO");
	int fd, ret;

	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "cowstat", O_NONBLOCK) ? -errno : 0;
}

static int is_loaded(void)
{
	struct stat st;

	return stat("/sys/module/cowstat", &st) == 0;
}

static const char *ename(int err)
{
	return err == -EBUSY ? "EBUSY" : err == -EWOULDBLOCK ? "EWOULDBLOCK (EAGAIN)" :
	       err == 0 ? "success" : strerror(-err);
}

static const char *release(void)
{
	static struct utsname u;

	uname(&u);
	return u.release;
}

static int kid(void *arg)
{
	for (;;)
		syscall(SYS_pause);
	return 0;
}

/* KIDS children sharing the root's mm: cheap, and a long dump. */
static void wide_tree(void *arg)
{
	static char stacks[KIDS][4096] __attribute__((aligned(16)));
	char *r = cs_region(64, 0);
	int i;

	/* A group of its own, so that the test's kill(-root) ends every child. */
	setpgid(0, 0);
	cs_touch(r, 0, 64, 1);
	for (i = 0; i < KIDS; i++)
		if (clone(kid, stacks[i] + sizeof(stacks[i]), CLONE_VM | SIGCHLD, NULL) < 0)
			_exit(1);
}

/* What this test needs of a dump: its rows and totals. */
struct rdump {
	int rows, totals, after_totals;
	uint32_t processes;
	unsigned long long rss, anon;
};

static int rdump_cb(struct nlmsghdr *nlh, void *arg)
{
	struct rdump *d = arg;
	struct nl_attrs at;

	nl_parse(nlh, &at);
	if (d->totals)
		d->after_totals++;
	if (at.a[COWSTAT_A_PROC_TOTALS]) {
		d->totals++;
		unsigned long long v[F_NR];

		if (!at.a[COWSTAT_A_PROC_PROCESSES] ||
		    !nl_counts(at.a[COWSTAT_A_PROC_COUNTS], v) ||
		    v[F_RSS] == ~0ULL || v[F_ANON] == ~0ULL)
			return -1;
		d->processes = nl_u32(at.a[COWSTAT_A_PROC_PROCESSES]);
		d->rss = v[F_RSS];
		d->anon = v[F_ANON];
	} else if (at.a[COWSTAT_A_PROC_PID]) {
		d->rows++;
	}
	return 0;
}

static int send_dump(struct nl *nl, pid_t root)
{
	char buf[256];
	struct nlmsghdr *nlh;
	uint32_t pid = root;

	nlh = nl_msg(buf, nl->family, NLM_F_DUMP, COWSTAT_CMD_GET, ++nl->seq);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	return nl_send(nl, nlh);
}

/*
 * The first datagram of the dump that holds process messages, only: a
 * dump may open with a datagram that holds just an NLMSG_NOOP.
 */
static int recv_first(struct nl *nl, struct rdump *d)
{
	char buf[32768];
	struct nlmsghdr *nlh;
	ssize_t n;

	while (!d->rows) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
				return -EPIPE;	/* the dump should not be over yet */
			rdump_cb(nlh, d);
		}
	}
	return 0;
}

FIXTURE(rmmod) {
	pid_t root;
	struct rdump ref;	/* a whole dump of the tree, for its totals */
};

FIXTURE_SETUP(rmmod)
{
	struct nl nl;

	if (!getenv("COWSTAT_KO"))
		SKIP(return, "COWSTAT_KO does not name the module file");
	if (!is_loaded())
		ASSERT_EQ(0, load());
	self->root = cs_spawn(wide_tree, NULL);
	ASSERT_LT(0, self->root);
	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, send_dump(&nl, self->root));
	ASSERT_EQ(0, nl_recv(&nl, 32768, rdump_cb, &self->ref));
	close(nl.fd);
	ASSERT_EQ(KIDS + 1, self->ref.rows);
	ASSERT_EQ(KIDS + 1, self->ref.processes);
}

FIXTURE_TEARDOWN(rmmod)
{
	if (self->root > 0) {
		kill(-self->root, SIGKILL);
		cs_reap(self->root);
	}
	/* Whatever happened, leave the module loaded for what follows. */
	if (getenv("COWSTAT_KO") && !is_loaded())
		load();
}

TEST_F_TIMEOUT(rmmod, half_read_dump_pins_the_module, 300)
{
	struct rdump d = { 0 };
	struct nl nl;
	int ret;

	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, send_dump(&nl, self->root));
	ASSERT_EQ(0, recv_first(&nl, &d));
	ASSERT_LT(0, d.rows);
	ASSERT_GT(KIDS + 1, d.rows) TH_LOG("the dump came whole in one datagram");

	ret = unload();
	TH_LOG("%s: delete_module(O_NONBLOCK) during a dump: %d, %s", release(), ret, ename(ret));
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK);
	EXPECT_TRUE(is_loaded());

	/* The rest of the dump, from where it stood. */
	ASSERT_EQ(0, nl_recv(&nl, 32768, rdump_cb, &d));
	EXPECT_EQ(KIDS + 1, d.rows);
	EXPECT_EQ(1, d.totals);
	EXPECT_EQ(0, d.after_totals);
	EXPECT_EQ(self->ref.processes, d.processes);
	EXPECT_EQ(self->ref.rss, d.rss);
	EXPECT_EQ(self->ref.anon, d.anon);
	close(nl.fd);
}

TEST_F_TIMEOUT(rmmod, open_tree_file_pins_the_module, 300)
{
	char *whole, *rest, head[64];
	ssize_t n;
	int fd, ret;

	ASSERT_EQ(0, cs_select(self->root));
	whole = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, whole);
	fd = open(CS_DIR "/tree", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, head, sizeof(head));
	ASSERT_EQ(sizeof(head), n);

	ret = unload();
	TH_LOG("%s: delete_module(O_NONBLOCK) with tree open: %d, %s", release(), ret, ename(ret));
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK);
	EXPECT_TRUE(is_loaded());

	rest = cs_read_fd(fd);
	ASSERT_NE(NULL, rest);
	close(fd);
	EXPECT_EQ(0, strncmp(whole, head, sizeof(head)));
	EXPECT_STREQ(whole + sizeof(head), rest);
	free(rest);
	free(whole);
	cs_select(1);
}

/* Both at once; closing them lets the module go, and it comes back. */
TEST_F_TIMEOUT(rmmod, unloads_once_closed_and_loads_again, 300)
{
	struct rdump d = { 0 };
	char head[64];
	struct nl nl;
	int fd, ret, tries;

	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, send_dump(&nl, self->root));
	ASSERT_EQ(0, recv_first(&nl, &d));
	ASSERT_EQ(0, cs_select(self->root));
	fd = open(CS_DIR "/tree", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(head), read(fd, head, sizeof(head)));
	ret = unload();
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK) TH_LOG("unload: %d", ret);

	/* Close the file: the half-read dump still pins it. */
	close(fd);
	ret = unload();
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK) TH_LOG("unload: %d", ret);
	/*
	 * Close the socket with the dump unfinished: that releases it, but
	 * netlink ends an unfinished dump (and drops its module reference)
	 * after an RCU grace period, from a work item: allow for that.
	 */
	close(nl.fd);
	for (tries = 0; (ret = unload()) == -EWOULDBLOCK && tries < 1000; tries++)
		usleep(10000);
	TH_LOG("unload once closed: %s after %d retries of 10 ms", ename(ret), tries);
	EXPECT_EQ(0, ret);
	EXPECT_FALSE(is_loaded());

	ASSERT_EQ(0, load());
	ASSERT_TRUE(is_loaded());
	/* It works again: a whole dump of the tree, and debugfs. */
	memset(&d, 0, sizeof(d));
	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, send_dump(&nl, self->root));
	ASSERT_EQ(0, nl_recv(&nl, 32768, rdump_cb, &d));
	close(nl.fd);
	EXPECT_EQ(KIDS + 1, d.rows);
	EXPECT_EQ(self->ref.rss, d.rss);
	EXPECT_EQ(1, cs_read_pid());
}

TEST_HARNESS_MAIN
