// SPDX-License-Identifier: GPL-2.0
/*
 * A result waiting to be read holds nothing of the processes it describes
 * (struct cs_snapshot against struct cs_walk): once the walk has ended, an
 * open debugfs tree file or a half-read netlink dump pins no mm of the tree.
 *
 * What a pinned mm costs is visible: mmgrab() keeps the mm_struct and its
 * page-table root (pgd), both charged to the memory cgroup that forked the
 * process, until the last mmdrop().  So the tree is a spawner in a cgroup of
 * its own and NR_KIDS children that it forks there; the result is read (the
 * walk is over), the children are killed and reaped, and the cgroup's
 * memory.current must come back to what it was before the fork, give or take
 * far less than NR_KIDS mm_structs and pgds (each at least a page and a
 * kilobyte), while the result is still held open.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_nl.h"

#define CG		"cs_lifetime"
#define NR_KIDS		1000
/* A pinned mm holds at least its pgd page and its mm_struct. */
#define PINNED_MIN	(4096 + 1024)
/* What may stay charged after the reap: well under half of that. */
#define SLACK_PER_KID	2048

static long long memcg_current(void)
{
	char *s = cs_read(CS_CGROUP "/" CG "/memory.current");
	long long v;

	if (!s)
		return -1;
	v = atoll(s);
	free(s);
	return v;
}

static void say(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(10);
}

static void hear(int fd, char want)
{
	char c;

	if (read(fd, &c, 1) != 1 || c != want)
		_exit(11);
}

/*
 * The tree's root: joins the cgroup, then on 'f' forks NR_KIDS sleeping
 * children, on 'k' kills and reaps them all; answers each step on @rep.
 */
static void spawner(int cmd, int rep)
{
	static pid_t kids[NR_KIDS];
	char pid[16];
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (cs_write_str(CS_CGROUP "/" CG "/cgroup.procs", pid))
		_exit(1);
	memset(kids, 0, sizeof(kids));	/* charged before the baseline */
	say(rep, 'r');
	hear(cmd, 'f');
	for (i = 0; i < NR_KIDS; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			_exit(2);
		if (!kids[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	say(rep, 'f');
	hear(cmd, 'k');
	for (i = 0; i < NR_KIDS; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < NR_KIDS; i++)
		if (waitpid(kids[i], NULL, 0) != kids[i])
			_exit(3);
	say(rep, 'k');
	for (;;)
		pause();
}

FIXTURE(lifetime) {
	pid_t spawner;
	int cmd, rep;
	int fd;			/* the open tree file, or the dump's socket */
	struct nl nl;
};

FIXTURE_VARIANT(lifetime) {
	bool netlink;
};

/* The tree file, opened and read once: the walk ran at open. */
FIXTURE_VARIANT_ADD(lifetime, open_debugfs_file) {
	.netlink = false,
};

/* A dump whose first rows were read, the rest not. */
FIXTURE_VARIANT_ADD(lifetime, unfinished_netlink_dump) {
	.netlink = true,
};

FIXTURE_SETUP(lifetime)
{
	int cmd[2], rep[2], rc;

	self->spawner = -1;
	self->fd = -1;
	rc = cs_memcg_make(CG);
	if (rc > 0)
		SKIP(return, "this kernel has no memory cgroup controller (CONFIG_MEMCG)");
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, pipe(cmd));
	ASSERT_EQ(0, pipe(rep));
	self->spawner = fork();
	ASSERT_LE(0, self->spawner);
	if (!self->spawner) {
		close(cmd[1]);
		close(rep[0]);
		spawner(cmd[0], rep[1]);
	}
	close(cmd[0]);
	close(rep[1]);
	self->cmd = cmd[1];
	self->rep = rep[0];
}

FIXTURE_TEARDOWN(lifetime)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->spawner > 0) {
		kill(self->spawner, SIGKILL);
		waitpid(self->spawner, NULL, 0);
		close(self->cmd);
		close(self->rep);
	}
	rmdir(CS_CGROUP "/" CG);
}

static int step(FIXTURE_DATA(lifetime) *self, char c)
{
	char r;

	if (write(self->cmd, &c, 1) != 1)
		return -1;
	return read(self->rep, &r, 1) == 1 && r == c ? 0 : -1;
}

/* Open and read the tree file of @root once; the file stays open in @fd. */
static int read_tree_file(pid_t root, int *fd, unsigned int *procs)
{
	char *tree, *s;

	if (cs_select(root))
		return -1;
	*fd = open(CS_DIR "/tree", O_RDONLY);
	if (*fd < 0)
		return -1;
	tree = cs_read_fd(*fd);
	if (!tree)
		return -1;
	s = strstr(tree, " processes,");
	*procs = 0;
	if (s) {
		while (s > tree && s[-1] != ' ')
			s--;
		*procs = strtoul(s, NULL, 10);
	}
	free(tree);
	return 0;
}

/*
 * Start a dump of @root's tree on @nl and read datagrams until one holds a
 * row, which exists only once the walk has ended; the rest is left unread.
 */
static int read_dump_start(struct nl *nl, pid_t root)
{
	static char buf[4096];
	struct nlmsghdr *nlh;
	uint32_t pid = root;
	ssize_t n;
	int i;

	if (nl_open(nl))
		return -1;
	nlh = nl_msg(buf, nl->family, NLM_F_DUMP, COWSTAT_CMD_GET, ++nl->seq);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	if (nl_send(nl, nlh))
		return -1;
	for (i = 0; i < 100; i++) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return -1;
		nlh = (struct nlmsghdr *)buf;
		if (!NLMSG_OK(nlh, n) || nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_ERROR)
			return -1;	/* the dump must be unfinished */
		if (nlh->nlmsg_type == nl->family)
			return 0;
	}
	return -1;
}

TEST_F_TIMEOUT(lifetime, a_held_result_pins_no_mm, 600)
{
	long long before, forked, after = -1;
	unsigned int procs = NR_KIDS + 1;
	struct timespec t0, t;
	char r;

	ASSERT_EQ(1, read(self->rep, &r, 1));
	ASSERT_EQ('r', r);
	before = memcg_current();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, step(self, 'f'));
	forked = memcg_current();
	/* The cgroup sees the children's mms: the measure can fail. */
	ASSERT_LE((long long)NR_KIDS * PINNED_MIN, forked - before);

	if (variant->netlink) {
		ASSERT_EQ(0, read_dump_start(&self->nl, self->spawner));
		self->fd = self->nl.fd;
	} else {
		ASSERT_EQ(0, read_tree_file(self->spawner, &self->fd, &procs));
	}
	ASSERT_EQ(NR_KIDS + 1, procs);

	ASSERT_EQ(0, step(self, 'k'));
	/*
	 * Freeing is partly deferred (RCU); wait for it with a bound that
	 * only a hang reaches, not a slow host.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		after = memcg_current();
		if (after - before < (long long)NR_KIDS * SLACK_PER_KID)
			break;
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 120);
	TH_LOG("memory.current: %lld before the fork, %lld with %d children, %lld after the reap with the result held",
	       before, forked, NR_KIDS, after);
	EXPECT_GT((long long)NR_KIDS * SLACK_PER_KID, after - before)
		TH_LOG("%lld bytes per reaped child still charged: the held result pins their mms",
		       (after - before) / NR_KIDS);
}

TEST_HARNESS_MAIN
