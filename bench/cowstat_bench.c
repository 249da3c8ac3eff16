// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat_bench: what reading a process tree costs, per method, in one VM
 * boot (make bench runs it; see bench/run.sh and the README's BENCHMARKS).
 *
 * For each shape (a tree built here, then paused) it measures the median of
 * --runs reads of:
 *   tree      open + read + close of the module's debugfs tree file
 *   vmas      the same of the vmas file
 *   cli       /bin/cowstat --json ROOT (exec included; netlink dump)
 *   rollup    /proc/PID/smaps_rollup of every process of the tree
 *   smaps     /proc/PID/smaps of every process of the tree
 *   pagemap   /bin/cowstat --backend=pagemap --json ROOT (exec included)
 *   exec      /bin/cowstat --version: what cli and pagemap spend on exec()
 * then the kernel memory a tree read charges (memory.peak of a fresh memory
 * cgroup holding only the reader, whose own memory is touched before it
 * joins), and, for the six shapes of issue 10, the worst and 99th
 * percentile latency of a mmap()/munmap() loop in a thread of the tree's
 * root while each method reads the tree again and again.
 *
 * Output: "#" comment lines, and tab-separated records that bench/run.sh
 * turns into the table and the plot:
 *   time   SHAPE PAGES METHOD MEDIAN_NS MIN_NS MAX_NS
 *   mem    SHAPE PROCESSES PEAK BASELINE_PEAK HELD NOPEN (bytes; see cg_cost())
 *   stall  SHAPE METHOD WORST_NS P99_NS ITERATIONS
 *   shape  SHAPE PROCESSES RSS THP (the module's summary)
 * and, with --trace, "# trace SHAPE METHOD FUNCTION CALLS TOTAL_US" lines
 * (one tree read and one CLI read under function_graph).  --only
 * SHAPE,SHAPE and --no-stall make a shorter run while working on one shape.
 * Static, so that running it maps no library page that a tree maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CS_DIR		"/sys/kernel/debug/cowstat"
#define CLI		"/bin/cowstat"
#define CGROOT		"/sys/fs/cgroup"
#define MIB		(1UL << 20)
#define NBUCKETS	1024

struct shape {
	const char *name;
	size_t mib;		/* the root's region */
	int kids;
	int rewrite_pct;	/* each child rewrites this share, spread out */
	int thp;
	int stall;		/* one of the six shapes of issue 10 */
};

static const struct shape shapes[] = {
	{ "1x512M",		512, 0,   0,  0, 1 },
	{ "256M+8k/10%",	256, 8,   10, 0, 1 },
	{ "64M+64k",		64,  64,  0,  0, 1 },
	{ "32M+500k",		32,  500, 0,  0, 1 },
	{ "1x512M-THP",		512, 0,   0,  1, 1 },
	{ "512M-THP+8k/10%",	512, 8,   10, 1, 1 },
	/* cost per page from 128 MiB to 2 GiB */
	{ "flat-128M",		128,  0, 0, 0, 0 },
	{ "flat-256M",		256,  0, 0, 0, 0 },
	{ "flat-1G",		1024, 0, 0, 0, 0 },
	{ "flat-2G",		2048, 0, 0, 0, 0 },
};

enum method { M_TREE, M_VMAS, M_CLI, M_ROLLUP, M_SMAPS, M_PAGEMAP, M_EXEC, M_NR,
	      M_NONE = M_NR };

static const char *const mname[M_NR + 1] = {
	"tree", "vmas", "cli", "rollup", "smaps", "pagemap", "exec", "none",
};

static int runs = 5, stall_ms = 2000, quick, no_stall, trace;
static const char *only;		/* comma-separated shape names, or NULL */
static char *rbuf;
static long long *rheld;		/* shared with a forked reader */
static size_t rbuf_len = 64 * MIB;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	printf("# bench: %s: %s\n", what, strerror(errno));
	printf("BENCH-FAILED\n");
	fflush(stdout);
	exit(1);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/* Read a file whole into rbuf; its length, or -1. */
static ssize_t slurp(const char *path)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, rbuf + len, rbuf_len - len - 1)) > 0)
		len += n;
	close(fd);
	rbuf[len] = '\0';
	return n < 0 ? -1 : len;
}

/* ---- the latency of mmap()/munmap() in the root ---- */

struct lat {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	volatile int run, done;
	uint64_t hist[NBUCKETS], worst, n;
};

static struct lat lat = {
	.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
};

/* 16 buckets per power of two: within 6.25% */
static unsigned int bucket(uint64_t ns)
{
	unsigned int e;

	if (ns < 16)
		return ns;
	e = 63 - __builtin_clzll(ns);
	return e * 16 + ((ns >> (e - 4)) & 15);
}

static uint64_t bucket_top(unsigned int b)
{
	unsigned int e = b / 16;

	if (b < 16)
		return b;
	return (16ULL + b % 16 + 1) << (e - 4);
}

static void *lat_main(void *arg)
{
	uint64_t t0, d;
	void *p;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lat.mu);
		while (!lat.run)
			pthread_cond_wait(&lat.cv, &lat.mu);
		pthread_mutex_unlock(&lat.mu);
		while (lat.run) {
			t0 = now_ns();
			p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED)
				munmap(p, 4096);
			d = now_ns() - t0;
			lat.hist[bucket(d)]++;
			lat.n++;
			if (d > lat.worst)
				lat.worst = d;
		}
		lat.done = 1;
	}
	return NULL;
}

struct lat_result {
	uint64_t worst, p99, n;
};

/* ---- the tree ---- */

struct tree {
	pid_t root;
	int cmd, resp;		/* pipes to and from the root */
	pid_t *pids;		/* every process of the tree */
	int npids;
};

static void child_rewrite(char *r, size_t pages, int pct, int j)
{
	size_t i, ps = getpagesize(), stride = 100 / pct;

	for (i = j % stride; i < pages; i += stride)
		r[i * ps] = (char)(j + 2);
}

/* The root: build, report the children, then serve latency runs. */
static void root_main(const struct shape *s, int cmd, int resp)
{
	size_t ps = getpagesize(), len = s->mib * MIB / (quick ? 16 : 1), pages = len / ps;
	int ready[2], k, n = 0;
	pthread_t th;
	char *base, *r, c;
	pid_t *kids = calloc(s->kids + 1, sizeof(*kids));

	base = mmap(NULL, len + 2 * MIB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED || !kids || pipe(ready))
		_exit(1);
	r = (char *)(((uintptr_t)base + 2 * MIB - 1) & ~(2 * MIB - 1));
	madvise(r, len, s->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(r, 1, len);
	for (k = 0; k < s->kids; k++) {
		kids[k] = fork();
		if (kids[k] < 0)
			_exit(1);
		if (!kids[k]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(cmd);
			close(resp);
			if (s->rewrite_pct)
				child_rewrite(r, pages, s->rewrite_pct, k);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	for (k = 0; k < s->kids; k++)
		if (read(ready[0], &c, 1) != 1)
			_exit(1);
	if (pthread_create(&th, NULL, lat_main, NULL))
		_exit(1);
	if (write(resp, &n, sizeof(n)) != sizeof(n))
		_exit(1);
	/* Commands: 'L' start the latency loop, 'S' stop it and report. */
	while (read(cmd, &c, 1) == 1) {
		struct lat_result res = { 0 };
		uint64_t acc = 0;
		unsigned int b;

		if (c == 'L') {
			memset(lat.hist, 0, sizeof(lat.hist));
			lat.worst = lat.n = 0;
			lat.done = 0;
			pthread_mutex_lock(&lat.mu);
			lat.run = 1;
			pthread_cond_signal(&lat.cv);
			pthread_mutex_unlock(&lat.mu);
			while (!lat.n)
				usleep(100);
			c = 'l';
			if (write(resp, &c, 1) != 1)
				_exit(1);
		} else if (c == 'S') {
			lat.run = 0;
			while (!lat.done)
				usleep(100);
			res.worst = lat.worst;
			res.n = lat.n;
			for (b = 0; b < NBUCKETS; b++) {
				acc += lat.hist[b];
				if (acc * 100 >= lat.n * 99) {
					res.p99 = bucket_top(b);
					break;
				}
			}
			if (write(resp, &res, sizeof(res)) != sizeof(res))
				_exit(1);
		}
	}
	_exit(0);
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

static void build(const struct shape *s, struct tree *t)
{
	int cmd[2], resp[2], n;
	char path[64], *tok;
	pid_t pid;

	if (pipe(cmd) || pipe(resp))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(cmd[1]);
		close(resp[0]);
		root_main(s, cmd[0], resp[1]);
	}
	close(cmd[0]);
	close(resp[1]);
	t->root = pid;
	t->cmd = cmd[1];
	t->resp = resp[0];
	if (read(t->resp, &n, sizeof(n)) != sizeof(n))
		die("building the tree");
	t->pids = calloc(s->kids + 1, sizeof(*t->pids));
	t->pids[0] = pid;
	t->npids = 1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	if (slurp(path) < 0)
		die("children");
	for (tok = strtok(rbuf, " \n"); tok && t->npids <= s->kids; tok = strtok(NULL, " \n"))
		t->pids[t->npids++] = atoi(tok);
	qsort(t->pids + 1, t->npids - 1, sizeof(pid_t), cmp_pid);
}

static void teardown(struct tree *t)
{
	close(t->cmd);
	close(t->resp);
	kill(t->root, SIGKILL);
	waitpid(t->root, NULL, 0);
	free(t->pids);
	/* The children die with their parent (PR_SET_PDEATHSIG); reap orphans. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sleep(1);
}

/* ---- the methods ---- */

static int run_cli(const char *backend, pid_t root)
{
	char pid[16];
	int st;
	pid_t c;

	snprintf(pid, sizeof(pid), "%d", root);
	c = fork();
	if (!c) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		if (backend && !strcmp(backend, "--version"))
			execl(CLI, "cowstat", backend, (char *)NULL);
		else if (backend)
			execl(CLI, "cowstat", "--json", backend, pid, (char *)NULL);
		else
			execl(CLI, "cowstat", "--json", pid, (char *)NULL);
		_exit(127);
	}
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
}

static int run_method(enum method m, const struct tree *t)
{
	char path[64];
	int i;

	switch (m) {
	case M_TREE:
		return slurp(CS_DIR "/tree") < 0 ? -1 : 0;
	case M_VMAS:
		return slurp(CS_DIR "/vmas") < 0 ? -1 : 0;
	case M_CLI:
		return run_cli(NULL, t->root);
	case M_PAGEMAP:
		return run_cli("--backend=pagemap", t->root);
	case M_EXEC:
		return run_cli("--version", t->root);
	case M_ROLLUP:
	case M_SMAPS:
		for (i = 0; i < t->npids; i++) {
			snprintf(path, sizeof(path), "/proc/%d/%s", t->pids[i],
				 m == M_ROLLUP ? "smaps_rollup" : "smaps");
			if (slurp(path) < 0)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void time_method(const struct shape *s, enum method m, const struct tree *t,
			unsigned long long pages, uint64_t *median)
{
	uint64_t v[64], t0;
	int i;

	/* No warm-up read: the median of the runs leaves out a cold first one. */
	for (i = 0; i < runs; i++) {
		t0 = now_ns();
		if (run_method(m, t))
			die(mname[m]);
		v[i] = now_ns() - t0;
	}
	qsort(v, runs, sizeof(*v), cmp_u64);
	*median = v[runs / 2];
	printf("time\t%s\t%llu\t%s\t%llu\t%llu\t%llu\n", s->name, pages, mname[m],
	       (unsigned long long)*median, (unsigned long long)v[0],
	       (unsigned long long)v[runs - 1]);
	fflush(stdout);
}

/* The mmap() latency in the root while @m reads the tree over and over. */
static void stall(const struct shape *s, enum method m, const struct tree *t)
{
	struct lat_result res;
	uint64_t t0;
	int iters = 0;
	char c = 'L';

	if (write(t->cmd, &c, 1) != 1 || read(t->resp, &c, 1) != 1)
		die("latency start");
	t0 = now_ns();
	while (now_ns() - t0 < (uint64_t)stall_ms * 1000000 || iters < 1) {
		if (m == M_NONE)
			usleep(10000);
		else if (run_method(m, t))
			die(mname[m]);
		iters++;
	}
	c = 'S';
	if (write(t->cmd, &c, 1) != 1 || read(t->resp, &res, sizeof(res)) != sizeof(res))
		die("latency stop");
	printf("stall\t%s\t%s\t%llu\t%llu\t%llu\n", s->name, mname[m],
	       (unsigned long long)res.worst, (unsigned long long)res.p99,
	       (unsigned long long)res.n);
	fflush(stdout);
}

/* ---- the module's memory ---- */

static long long cg_read(const char *dir, const char *file)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return slurp(path) > 0 ? atoll(rbuf) : -1;
}

/*
 * What reads of @file (a debugfs file of the module; NULL: none) cost in kernel
 * memory, in a fresh memory cgroup into which a reader moves itself. The
 * reader's buffer is a shared mapping touched before it moves, and cgroup v2
 * does not move old charges, so what is charged there is what the kernel
 * allocates for the reads: the module's snapshot and walk state (charged to the
 * caller, README, "Cost to the measured processes"), the seq_file buffer, the
 * open file.  The page counter is charged 64 pages (256 KiB) at a time (the
 * memcg charge batch), so one read is resolved to 256 KiB only:
 *   @nopen 1: one open() and read to the end; @peak is memory.peak after
 *	the reader is gone, which includes what the walk freed before it ended;
 *   @nopen > 1: @nopen open()s held at once, each a walk whose result the
 *	open file holds; @held is memory.current's growth across them, so
 *	that @held / @nopen is resolved to 256 KiB / @nopen.
 */
static int cg_cost(const char *file, int n, int nopen, long long *peak, long long *held)
{
	char dir[64], path[96];
	int st, fd[64], i;
	long long c0;
	pid_t c;

	snprintf(dir, sizeof(dir), CGROOT "/bench%d", n);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	c = fork();
	if (!c) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		if (write_str(path, "0"))
			_exit(1);
		c0 = cg_read(dir, "memory.current");
		for (i = 0; file && i < nopen; i++) {
			fd[i] = open(file, O_RDONLY);
			if (fd[i] < 0)
				_exit(1);
		}
		rheld[0] = cg_read(dir, "memory.current") - c0;
		if (file && nopen == 1)
			while (read(fd[0], rbuf, rbuf_len) > 0)
				;
		_exit(0);
	}
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	*held = rheld[0];
	*peak = cg_read(dir, "memory.peak");
	rmdir(dir);
	return 0;
}

static int cg_setup(void)
{
	mkdir(CGROOT, 0755);
	if (mount("none", CGROOT, "cgroup2", 0, NULL) && errno != EBUSY)
		return -1;
	return write_str(CGROOT "/cgroup.subtree_control", "+memory");
}

/* ---- main ---- */

/* Whether --only (a comma-separated list of shape names) lets @name run. */
static int selected(const char *name)
{
	size_t k = strlen(name);
	const char *p;

	if (!only)
		return 1;
	for (p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, k) && (p[k] == ',' || !p[k]))
			return 1;
	return 0;
}

#define TRACING		"/sys/kernel/tracing"
#define NTRACE		64

/*
 * --trace: one read by method @m (a tree read, or the CLI's netlink dump)
 * under the function_graph tracer, limited to the module's walk
 * (cs_snapshot_take() and the calls under it, 4 deep), summed per
 * function: "# trace SHAPE METHOD FUNCTION CALLS TOTAL_US".  The tracer's own
 * cost inflates small functions called often: read it as where the time
 * goes, not as the time.
 */
static void trace_read(const struct shape *s, enum method m, const struct tree *t)
{
	static struct { char name[64]; unsigned long n; double us; } fn[NTRACE];
	int nfn = 0, i;
	char *line, *bar, *name, *end;
	double us;

	if (access(TRACING "/trace", F_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	if (write_str(TRACING "/tracing_on", "0") ||
	    write_str(TRACING "/current_tracer", "function_graph") ||
	    write_str(TRACING "/set_graph_function", "cs_snapshot_take") ||
	    write_str(TRACING "/max_graph_depth", "4") ||
	    write_str(TRACING "/buffer_size_kb", "16384") ||
	    write_str(TRACING "/options/funcgraph-tail", "1") ||
	    write_str(TRACING "/trace", "") ||
	    write_str(TRACING "/tracing_on", "1")) {
		printf("# trace %s: no function_graph tracer\n", s->name);
		return;
	}
	run_method(m, t);
	write_str(TRACING "/tracing_on", "0");
	if (slurp(TRACING "/trace") < 0)
		return;
	/* "CPU) DURATION us | name();" or "CPU) DURATION us | } /\* name *\/" */
	for (line = strtok(rbuf, "\n"); line; line = strtok(NULL, "\n")) {
		bar = strchr(line, '|');
		if (!bar || !strstr(line, " us "))
			continue;
		end = strstr(line, " us ");
		while (end > line && end[-1] != ' ' && end[-1] != '+' && end[-1] != '!' &&
		       end[-1] != '#' && end[-1] != '*' && end[-1] != '@' && end[-1] != '$')
			end--;
		us = atof(end);
		name = bar + 1;
		while (*name == ' ' || *name == '}' || *name == '/' || *name == '*')
			name++;
		name[strcspn(name, "(); *")] = '\0';
		for (i = 0; i < nfn && strcmp(fn[i].name, name); i++)
			;
		if (i == nfn) {
			if (nfn == NTRACE)
				continue;
			snprintf(fn[nfn++].name, sizeof(fn[0].name), "%s", name);
		}
		fn[i].n++;
		fn[i].us += us;
	}
	for (i = 0; i < nfn; i++)
		printf("# trace %s %s %s %lu %.0f\n", s->name, mname[m], fn[i].name,
		       fn[i].n, fn[i].us);
	memset(fn, 0, sizeof(fn));
	write_str(TRACING "/current_tracer", "nop");
}

static unsigned long long summary_get(const char *key)
{
	char *p;
	size_t k = strlen(key);

	if (slurp(CS_DIR "/summary") < 0)
		return 0;
	for (p = rbuf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ':')
			return strtoull(p + k + 1, NULL, 10);
	return 0;
}

int main(int argc, char **argv)
{
	int i, cgok, ncg = 0;
	size_t si;
	char buf[32];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--stall-ms") && i + 1 < argc)
			stall_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--no-stall"))
			no_stall = 1;
		else if (!strcmp(argv[i], "--trace"))
			trace = 1;
	}
	if (runs < 1 || runs > 63)
		runs = 5;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Shared, so that a forked reader's writes to it allocate nothing. */
	rbuf = mmap(NULL, rbuf_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rbuf == MAP_FAILED)
		die("mmap");
	memset(rbuf, 0, rbuf_len);	/* touched before any cgroup move */
	rheld = (long long *)(rbuf + rbuf_len - 4096);
	rbuf_len -= 4096;
	cgok = !cg_setup();
	printf("# bench: %d runs per method (median), stall loops of %d ms%s; memory cgroup %s\n",
	       runs, stall_ms, quick ? ", QUICK sizes (1/16)" : "",
	       cgok ? "v2" : "unavailable");
	for (si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++) {
		const struct shape *s = &shapes[si];
		unsigned long long pages, thp, procs;
		struct tree t;
		uint64_t med, tree_ns = 0;
		long long peak, base, held, dummy;
		int nopen;
		int m;

		if (!selected(s->name))
			continue;
		printf("# bench: building %s\n", s->name);
		build(s, &t);
		snprintf(buf, sizeof(buf), "%d\n", t.root);
		if (write_str(CS_DIR "/pid", buf))
			die("selecting the root");
		pages = summary_get("rss");
		thp = summary_get("thp");
		procs = summary_get("processes");
		printf("shape\t%s\t%llu\t%llu\t%llu\n", s->name, procs, pages, thp);
		for (m = 0; m < M_NR; m++) {
			time_method(s, m, &t, pages, &med);
			if (m == M_TREE)
				tree_ns = med;
		}
		if (cgok) {
			/* As many held walks as take about 6 s: finer than 256 KiB. */
			nopen = tree_ns ? 6000000000ULL / tree_ns : 64;
			nopen = nopen < 1 ? 1 : nopen > 64 ? 64 : nopen;
			if (cg_cost(NULL, ncg++, 1, &base, &dummy) ||
			    cg_cost(CS_DIR "/tree", ncg++, 1, &peak, &dummy) ||
			    cg_cost(CS_DIR "/tree", ncg++, nopen, &dummy, &held))
				die("memory cgroup");
			printf("mem\t%s\t%llu\t%lld\t%lld\t%lld\t%d\n", s->name, procs, peak,
			       base, held, nopen);
		}
		if (trace) {
			trace_read(s, M_TREE, &t);
			trace_read(s, M_CLI, &t);
		}
		if (s->stall && !no_stall) {
			stall(s, M_NONE, &t);
			for (m = 0; m < M_EXEC; m++)
				stall(s, m, &t);
		}
		teardown(&t);
	}
	printf("BENCH-DONE\n");
	return 0;
}
