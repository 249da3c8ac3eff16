// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat on a Python multiprocessing pool (the host's python3 and the
 * part of its standard library the workload needs, copied into the VM by
 * run.sh): cowstat_python_workload.py (selftests/vm/guest/, installed
 * beside this binary) preloads 300,000 small lists,
 * forks a Pool of 4 workers, and each worker reads its quarter of the data
 * set and runs one full garbage collection.  Run twice, without and with
 * gc.freeze() before the fork.
 *
 * Reading writes reference counts, which breaks the pages a worker reads
 * either way; the collector writes the GC header of every tracked object
 * it examines, which without gc.freeze() is the whole data set, in every
 * worker.  So the workers' cow_broken must be larger without the freeze;
 * the bound is generous (1.5x; the measured ratio is in the README), as
 * the interpreter's own layout decides how much more.  The exact count of
 * each worker's breaks is no test's business here: cowstat_scenarios and
 * cowstat_oracle check the counting; this test checks that it shows what
 * gc.freeze() is for.
 *
 * Skipped when /usr/bin/python3 is not in the VM.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_nl.h"

#define PYTHON		"/usr/bin/python3"
#define WORKLOAD	"cowstat_python_workload.py"	/* beside this binary */
#define WORKERS		4
#define TMPFS_MAGIC	0x01021994

/* What one run of the workload shows. */
struct run {
	pid_t parent;
	int workers;			/* rows at depth 1 */
	unsigned long long cow_broken;	/* summed over the workers */
	unsigned long long anon;	/* the parent's */
	unsigned long long frozen;	/* gc.get_freeze_count() */
};

/*
 * multiprocessing's locks are POSIX semaphores, which glibc keeps in
 * /dev/shm: the guest's devtmpfs has none, so give it one.
 */
static int shm_ready(void)
{
	struct statfs sf;

	mkdir("/dev/shm", 01777);
	if (!statfs("/dev/shm", &sf) && sf.f_type == TMPFS_MAGIC)
		return 0;
	return mount("shm", "/dev/shm", "tmpfs", 0, "mode=1777");
}

/* The workload's path: in this binary's directory (run.sh: /tests). */
static const char *workload(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(WORKLOAD) - 1);
	char *slash;

	if (n <= 0)
		return WORKLOAD;
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, WORKLOAD);
	return path;
}

static int run_workload(struct nl *nl, int freeze, struct run *r)
{
	static struct dump d;
	int out[2], in[2], i, status, ret = -1;
	char line[4096];
	FILE *f;
	pid_t py;

	memset(r, 0, sizeof(*r));
	if (pipe(out) || pipe(in))
		return -1;
	py = fork();
	if (py < 0)
		return -1;
	if (!py) {
		char workers[8];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		snprintf(workers, sizeof(workers), "%d", WORKERS);
		execl(PYTHON, PYTHON, "-I", "-S", workload(), "--workers", workers,
		      "--objects", "300000", freeze ? "--freeze" : NULL, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f = fdopen(out[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "frozen %llu", &r->frozen) == 1)
			continue;
		if (sscanf(line, "ready %d", &r->parent) == 1)
			break;
	}
	if (r->parent == py && !dump_tree(nl, py, 0, 1 << 16, &d)) {
		for (i = 0; i < d.n; i++) {
			if (d.row[i].depth == 0)
				r->anon = d.row[i].v[F_ANON];
			if (d.row[i].depth != 1 || !d.row[i].has_counts)
				continue;
			r->workers++;
			r->cow_broken += d.row[i].v[F_COW_BROKEN];
		}
		ret = 0;
	}
	/* The workload ends when its stdin does. */
	close(in[1]);
	if (f)
		fclose(f);
	if (waitpid(py, &status, 0) != py || !WIFEXITED(status) || WEXITSTATUS(status))
		ret = -1;
	return ret;
}

/* A fixture only for the timeout: Python under emulation is slow. */
FIXTURE(py) {
	int unused;
};

FIXTURE_SETUP(py) {}
FIXTURE_TEARDOWN(py) {}

TEST_F_TIMEOUT(py, gc_freeze_keeps_workers_sharing, 900)
{
	struct run plain, frozen;
	struct nl nl;

	if (access(PYTHON, X_OK) || access(workload(), R_OK))
		SKIP(return, "no %s or %s in this system", PYTHON, workload());
	ASSERT_EQ(0, shm_ready());
	ASSERT_EQ(0, nl_open(&nl));

	ASSERT_EQ(0, run_workload(&nl, 0, &plain));
	ASSERT_EQ(0, run_workload(&nl, 1, &frozen));
	TH_LOG("workers' cow_broken: %llu pages without gc.freeze(), %llu with (%.2fx); parent anon %llu / %llu pages; %llu objects frozen",
	       plain.cow_broken, frozen.cow_broken,
	       frozen.cow_broken ? (double)plain.cow_broken / frozen.cow_broken : 0.0,
	       plain.anon, frozen.anon, frozen.frozen);
	ASSERT_EQ(WORKERS, plain.workers);
	ASSERT_EQ(WORKERS, frozen.workers);
	/* gc.freeze() did move the data set out of the collector's reach. */
	ASSERT_EQ(0, plain.frozen);
	ASSERT_LE(300000, frozen.frozen);
	/* Reading still breaks pages: each worker's slice, at least. */
	ASSERT_LT(0, frozen.cow_broken);
	ASSERT_LT(frozen.cow_broken * 3 / 2, plain.cow_broken);
	close(nl.fd);
}

TEST_HARNESS_MAIN
