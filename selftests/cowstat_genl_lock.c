// SPDX-License-Identifier: GPL-2.0
/*
 * A walk must not hold genetlink's global locks (README, "Cost to the measured
 * processes"): while a long netlink dump, or a long get, of a big tree runs,
 * (a) an nlctrl CTRL_CMD_GETFAMILY request and (b) loading a module that
 * registers a generic netlink family (selftests/modules/cs_genl_probe.ko,
 * through finit_module) must each finish in a small part of the walk's own
 * time. A walk that runs under cb_lock makes (b) wait for the whole walk.
 *
 * No time bound (the host is loaded): the probe starts an eighth into the
 * walk and must end before the walk's first result arrives.  A walk under
 * cb_lock queues its first result before it lets the probe's
 * genl_register_family() take cb_lock, so the probe ends after it.  (A
 * bound of a quarter of the walk's time failed on a correct module when a
 * load spike during calibration sized the tree to a 0.3 s walk.)
 *
 * The tree: a parent that wrote COWSTAT_LOCK_MB MiB (default 192) and then
 * forked children that share it, so that a walk reads (kids + 1) * MiB *
 * 256 PTEs.  How many children: as many as make a dump take about
 * COWSTAT_LOCK_SECS seconds (default 3), from the time one process's walk
 * takes, between 2 and 400 (COWSTAT_LOCK_KIDS sets it; the one-pass walk
 * reads 40 children of 192 MiB in 0.4 s under TCG, too short a window).  Under TCG, 128 MiB
 * and 32 children took 0.7 to 2.9 s on 6.1 and 6.12, by the host's load;
 * 192 MiB and 40 children took 119 s on the KASAN/lockdep kernel.
 *
 * On a module that walks under cb_lock, (a) still passes: GETFAMILY takes
 * cb_lock for reading too, beside the walk (and nlctrl's genl_mutex,
 * which a parallel_ops family's walk does not hold); (b) fails, since
 * genl_register_family() takes cb_lock for writing and waits for the walk.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_nl.h"

#define PROBE_KO	"/lib/modules/cs_genl_probe.ko"
#define PROBE_NAME	"cs_genl_probe"

static pid_t tree_root = -1;
static size_t region_pages;
static char *region;
static int nr_kids;
static double alone_s;		/* one dump of the tree, alone */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The tree's root: writes the region, says so on @up, reads how many
 * children to fork from @down, forks them, says so, and waits.
 */
static pid_t spawn_root(int *up_fd, int *down_fd)
{
	int up[2], down[2], n, i;
	pid_t pid;

	if (pipe(up) || pipe(down))
		return -1;
	pid = fork();
	if (pid)
		goto out;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	region = cs_region(region_pages, 0);
	if (!region)
		_exit(1);
	cs_touch(region, 0, region_pages, 1);
	if (write(up[1], "r", 1) != 1 || read(down[0], &n, sizeof(n)) != sizeof(n))
		_exit(1);
	for (i = 0; i < n; i++)
		if (cs_spawn(NULL, NULL) < 0)
			_exit(1);
	if (write(up[1], "k", 1) != 1)
		_exit(1);
	for (;;)
		pause();
out:
	close(up[1]);
	close(down[0]);
	*up_fd = up[0];
	*down_fd = down[1];
	return pid;
}

/* Results of one walk: how many messages, and when the first came. */
struct count {
	int msgs;
	double first;
};

static int count_cb(struct nlmsghdr *nlh, void *arg)
{
	struct count *c = arg;

	if (!c->msgs++)
		c->first = now();
	return 0;
}

/*
 * One walk of the tree: a dump (@dump) or a get of the root (with an ACK).
 * @first, if not NULL, is when its first result arrived.
 */
static int walk(int dump, int *msgs, double *first)
{
	struct count c = { 0 };
	char buf[256];
	struct nlmsghdr *nlh;
	struct nl nl;
	uint32_t pid = tree_root;
	int ret;

	ret = nl_open(&nl);
	if (ret)
		return ret;
	nlh = nl_msg(buf, nl.family, dump ? NLM_F_DUMP : NLM_F_ACK, COWSTAT_CMD_GET, 2);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	ret = nl_send(&nl, nlh);
	if (!ret)
		ret = nl_recv(&nl, 32768, count_cb, &c);
	close(nl.fd);
	*msgs = c.msgs;
	if (first)
		*first = c.first;
	return ret;
}

/* Build the tree and time one dump of it, alone, once for all tests. */
static void __attribute__((constructor)) setup_tree(void)
{
	const char *s = getenv("COWSTAT_LOCK_MB");
	double t, one, want;
	int msgs, up, down, i;
	char c;

	region_pages = (s ? atoi(s) : 192) * (1UL << 20) / getpagesize();
	s = getenv("COWSTAT_LOCK_SECS");
	want = s ? atof(s) : 3;
	tree_root = spawn_root(&up, &down);
	if (tree_root < 0 || read(up, &c, 1) != 1) {
		tree_root = -1;
		return;
	}
	/*
	 * One process's walk, to size the tree: the least of three, so that
	 * a load spike on the host does not shrink the tree.
	 */
	for (i = 0, one = 1e9; i < 3; i++) {
		t = now();
		if (walk(1, &msgs, NULL) || msgs != 2) {
			alone_s = -1;
			return;
		}
		if (now() - t < one)
			one = now() - t;
	}
	s = getenv("COWSTAT_LOCK_KIDS");
	nr_kids = s ? atoi(s) : want / one - 1;
	if (!s && nr_kids < 2)
		nr_kids = 2;
	if (!s && nr_kids > 400)
		nr_kids = 400;
	if (write(down, &nr_kids, sizeof(nr_kids)) != sizeof(nr_kids) ||
	    read(up, &c, 1) != 1) {
		alone_s = -1;
		return;
	}
	printf("# one process's walk took %.3f s: %d children\n", one, nr_kids);
	t = now();
	if (walk(1, &msgs, NULL) || msgs != nr_kids + 2) {
		alone_s = -1;
		return;
	}
	alone_s = now() - t;
	printf("# tree of %d processes, %zu pages each: a dump alone takes %.3f s\n",
	       nr_kids + 1, region_pages, alone_s);
}

static void __attribute__((destructor)) reap_tree(void)
{
	if (tree_root > 0 && getpid() != tree_root) {
		kill(tree_root, SIGKILL);
		waitpid(tree_root, NULL, 0);
	}
}

/* The walk, in a thread of its own. */
struct walker {
	int dump;
	volatile int started;
	double t0, first, t1;
	int ret, msgs;
};

static void *walker(void *arg)
{
	struct walker *w = arg;

	w->t0 = now();
	w->started = 1;
	w->ret = walk(w->dump, &w->msgs, &w->first);
	w->t1 = now();
	return NULL;
}

/* (a): resolve @name through nlctrl on a fresh socket. */
static int probe_getfamily(const char *name)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nl nl;
	uint16_t id = 0;
	int one = 1, ret;

	memset(&nl, 0, sizeof(nl));
	nl.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl.fd < 0)
		return -errno;
	setsockopt(nl.fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nlh = nl_msg(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 7);
	nl_put(nlh, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	ret = nl_send(&nl, nlh);
	if (!ret)
		ret = nl_recv(&nl, 8192, nl_family_cb, &id);
	close(nl.fd);
	return ret ? ret : id ? 0 : -ENOENT;
}

/* (b): load the probe module, which registers a genetlink family. */
static int probe_insmod(void)
{
	const char *ko = getenv("COWSTAT_PROBE_KO") ?: PROBE_KO;
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int probe_rmmod(void)
{
	return syscall(SYS_delete_module, PROBE_NAME, O_NONBLOCK) ? -errno : 0;
}

enum probe { GETFAMILY_NLCTRL, GETFAMILY_COWSTAT, INSMOD };

#define ROUNDS	5

static void run(struct __test_metadata *_metadata, int dump, enum probe probe)
{
	static const char * const what[] = {
		"GETFAMILY nlctrl", "GETFAMILY cowstat", "insmod " PROBE_NAME,
	};
	struct walker w;
	double p0, p1, delay;
	pthread_t th;
	int ret, round;

	if (tree_root < 0)
		SKIP(return, "could not build the tree");
	ASSERT_LT(0, alone_s) TH_LOG("the calibration dump failed");
	if (probe == INSMOD) {
		if (access(getenv("COWSTAT_PROBE_KO") ?: PROBE_KO, R_OK))
			SKIP(return, "no %s (built by selftests/vm/run.sh)", PROBE_KO);
		probe_rmmod();	/* left over from an earlier failure */
	}

	/*
	 * The probe starts an eighth into the walk, which takes about alone_s;
	 * when the host's load makes this walk shorter, so that the probe
	 * began past its first half, the round says nothing: try again, an
	 * eighth into a walk as long as this one.
	 */
	for (round = 0, delay = alone_s / 8; round < ROUNDS; round++) {
		memset(&w, 0, sizeof(w));
		w.dump = dump;
		ASSERT_EQ(0, pthread_create(&th, NULL, walker, &w));
		while (!w.started)
			usleep(1000);
		usleep(delay * 1e6);
		p0 = now();
		ret = probe == INSMOD ? probe_insmod() :
		      probe_getfamily(probe == GETFAMILY_NLCTRL ? "nlctrl" : COWSTAT_FAMILY_NAME);
		p1 = now();
		pthread_join(th, NULL);
		if (probe == INSMOD && !ret)
			EXPECT_EQ(0, probe_rmmod());

		TH_LOG("%s walk %.3f s (alone %.3f s); %s began at +%.3f s and took %.3f s (%.0f%% of the walk)",
		       dump ? "dump" : "get", w.t1 - w.t0, alone_s, what[probe], p0 - w.t0,
		       p1 - p0, 100 * (p1 - p0) / (w.t1 - w.t0));
		ASSERT_EQ(0, w.ret) TH_LOG("the walk: %s", strerror(-w.ret));
		ASSERT_EQ(dump ? nr_kids + 2 : 1, w.msgs);
		ASSERT_EQ(0, ret) TH_LOG("%s: %s", what[probe], strerror(-ret));
		/* Conclusive when the probe began in the walk's first half. */
		if (p0 - w.t0 < (w.first - w.t0) / 2)
			break;
		delay = (w.first - w.t0) / 8;
	}
	/* The probe must have run beside the walk to say anything. */
	ASSERT_GT(ROUNDS, round) TH_LOG("in %d rounds the probe never began in the walk's first half",
					ROUNDS);
	/*
	 * Event order, not time: it did not wait for the walk to end.  In
	 * microseconds: the harness compares and prints integers.
	 */
	EXPECT_LT((long long)(p1 * 1e6), (long long)(w.first * 1e6))
		TH_LOG("%s waited for the walk: it ended %.3f s after the walk's first result",
		       what[probe], p1 - w.first);
}

/* A fixture only for the timeout: a debug kernel walks slowly. */
FIXTURE(lock) {
	int unused;
};
FIXTURE_SETUP(lock) { }
FIXTURE_TEARDOWN(lock) { }

TEST_F_TIMEOUT(lock, dump_vs_getfamily_nlctrl, 300)	{ run(_metadata, 1, GETFAMILY_NLCTRL); }
TEST_F_TIMEOUT(lock, dump_vs_getfamily_cowstat, 300)	{ run(_metadata, 1, GETFAMILY_COWSTAT); }
TEST_F_TIMEOUT(lock, dump_vs_insmod, 300)		{ run(_metadata, 1, INSMOD); }
TEST_F_TIMEOUT(lock, get_vs_getfamily_nlctrl, 300)	{ run(_metadata, 0, GETFAMILY_NLCTRL); }
TEST_F_TIMEOUT(lock, get_vs_insmod, 300)		{ run(_metadata, 0, INSMOD); }

TEST_HARNESS_MAIN
