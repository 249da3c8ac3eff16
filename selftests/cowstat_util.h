/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the cowstat selftests: small file I/O on debugfs.
 */
#ifndef COWSTAT_UTIL_H
#define COWSTAT_UTIL_H

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CS_DIR "/sys/kernel/debug/cowstat"

/*
 * The harness gives each test 30 s, which is a bound on the host's speed:
 * in a VM under software emulation on a loaded host, a test that takes
 * about a second (secure.long_vma_name_is_truncated_not_an_error) once
 * ran past it with two spinning processes on the host's two cores.  Five
 * minutes guard against a hang without measuring speed; tests that need
 * longer still say so with TEST_F_TIMEOUT.
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#endif

/*
 * Write @len bytes of @buf to the file @path in one write().
 * Returns 0 on success, else -errno.
 */
static inline int cs_write(const char *path, const void *buf, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

static inline int cs_write_str(const char *path, const char *s)
{
	return cs_write(path, s, strlen(s));
}

/*
 * Read @fd from its offset to the end into a malloc'd, NUL-terminated
 * buffer.  Returns NULL and sets errno on failure.
 */
static inline char *cs_read_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0) {
			if (n < 0) {
				int e = errno;

				free(buf);
				errno = e;
				return NULL;
			}
			break;
		}
		len += n;
	}
	buf[len] = '\0';
	return buf;
}

/*
 * Read the whole of @path into a malloc'd, NUL-terminated buffer.
 * Returns NULL and sets errno on failure.
 */
static inline char *cs_read(const char *path)
{
	int fd = open(path, O_RDONLY), e;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = cs_read_fd(fd);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

/* The line after @line in a text, or NULL after the last one. */
static inline const char *cs_next_line(const char *line)
{
	line = strchr(line, '\n');
	return line ? line + 1 : NULL;
}

/*
 * The value of the "key: value" line @key of the summary text @summary,
 * as printed, into @val.  Returns 0, or -1 when there is no such line.
 */
static inline int cs_summary_get(const char *summary, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = summary; p && *p; p = cs_next_line(p))
		if (!strncmp(p, key, klen) && !strncmp(p + klen, ": ", 2)) {
			p += klen + 2;
			snprintf(val, len, "%.*s", (int)strcspn(p, "\n"), p);
			return 0;
		}
	return -1;
}

/*
 * The number on the "key: value" line @key of the summary text @summary,
 * or of a summary read (walked) now when @summary is NULL; ~0ULL when
 * there is no such line or the file cannot be read.
 */
static inline unsigned long long cs_summary_value(const char *summary, const char *key)
{
	char *fresh = summary ? NULL : cs_read(CS_DIR "/summary"), v[64];
	int err = cs_summary_get(summary ? summary : fresh, key, v, sizeof(v));

	free(fresh);
	return err ? ~0ULL : strtoull(v, NULL, 10);
}

/* The selected root as the pid file prints it, or -errno. */
static inline long cs_read_pid(void)
{
	char *s = cs_read(CS_DIR "/pid");
	long v;

	if (!s)
		return -errno;
	v = strtol(s, NULL, 10);
	free(s);
	return v;
}

/* ---- reading the walk files ---- */

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/cowstat_counts.h>

/*
 * The page fields, in the files' order: the counts attribute set of the
 * YNL spec, from which <linux/cowstat_counts.h> is generated.
 */
#define F_ENUM(NAME, ...)	F_##NAME,
enum {
	COWSTAT_COUNTS(F_ENUM)
	F_NR
};
#undef F_ENUM

#define F_NAME(NAME, name, ...)	name,
static const char * const cs_fields[F_NR] = {
	COWSTAT_COUNTS(F_NAME)
};
#undef F_NAME

struct cs_pages {
	unsigned long long v[F_NR];
};

/* A row of the tree file. */
struct cs_tree_row {
	int pid, ppid, depth;
	struct cs_pages p;
	long long cow_faults;		/* -1: unavailable */
	unsigned long long skipped_vmas;
	char flags[64];
	char comm[64];
};

static inline int cs_select(pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", pid);
	return cs_write_str(CS_DIR "/pid", buf);
}

/* Parse the F_NR counts at @s; returns the position after them. */
static inline const char *cs_parse_pages(const char *s, struct cs_pages *p)
{
	int i, n;

	for (i = 0; i < F_NR; i++) {
		if (sscanf(s, " %llu%n", &p->v[i], &n) != 1)
			return NULL;
		s += n;
	}
	return s;
}

/*
 * Find the vmas row of @pid whose VMA starts at @start in the text @vmas.
 * Returns 0 and fills @out, or -1.
 */
static inline int cs_find_vma(const char *vmas, pid_t pid, const void *start,
			      struct cs_pages *out)
{
	const char *line = vmas;

	while (line && *line) {
		unsigned long s, e;
		char perms[8];
		unsigned long long off;
		int p, n;

		if (sscanf(line, "%d %lx-%lx %7s %llx%n", &p, &s, &e, perms, &off, &n) == 5 &&
		    p == pid && s == (unsigned long)start)
			return cs_parse_pages(line + n, out) ? 0 : -1;
		line = cs_next_line(line);
	}
	return -1;
}

/* Parse one tree row; returns 0, or -1 for a header or a malformed line. */
static inline int cs_parse_tree_row(const char *line, struct cs_tree_row *r)
{
	char cf[32];
	int n;

	if (*line == '#' || sscanf(line, "%d %d %d%n", &r->pid, &r->ppid, &r->depth, &n) != 3)
		return -1;
	line = cs_parse_pages(line + n, &r->p);
	if (!line || sscanf(line, " %31s %llu %63s %n", cf, &r->skipped_vmas, r->flags, &n) != 3)
		return -1;
	r->cow_faults = strcmp(cf, "-") ? atoll(cf) : -1;
	line += n;
	n = strcspn(line, "\n");
	snprintf(r->comm, sizeof(r->comm), "%.*s", n, line);
	return 0;
}

/* Find @pid's row in the text of the tree file. */
static inline int cs_find_tree_row(const char *tree, pid_t pid, struct cs_tree_row *r)
{
	const char *line = tree;

	while (line && *line) {
		if (!cs_parse_tree_row(line, r) && r->pid == pid)
			return 0;
		line = cs_next_line(line);
	}
	return -1;
}

/* ---- building trees ---- */

/*
 * An anonymous private region of @pages pages between two PROT_NONE guard
 * pages, so that it is a VMA of its own that never merges with a
 * neighbour.  @huge: 2 MiB aligned and MADV_HUGEPAGE, else MADV_NOHUGEPAGE.
 */
static inline char *cs_region(size_t pages, int huge)
{
	size_t ps = getpagesize(), align = huge ? 2UL << 20 : ps;
	size_t len = pages * ps;
	char *base, *r;

	base = mmap(NULL, len + 2 * align + 2 * ps, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	r = (char *)(((uintptr_t)base + ps + align - 1) & ~(align - 1));
	if (mprotect(r, len, PROT_READ | PROT_WRITE))
		return NULL;
	madvise(r, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return r;
}

static inline void cs_touch(char *r, size_t first, size_t n, char val)
{
	size_t ps = getpagesize(), i;

	for (i = first; i < first + n; i++)
		r[i * ps] = val;
}

/*
 * A child that runs @fn(@arg), then tells the parent it is done and
 * sleeps until it is killed (or its parent dies).  Returns its PID after
 * @fn has finished.
 */
static inline pid_t cs_spawn(void (*fn)(void *), void *arg)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		if (fn)
			fn(arg);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		pid = -1;
	close(fds[0]);
	return pid;
}

/*
 * Become @uid (uid and gid, real, effective and saved), @dumpable or not;
 * exits 126 if the kernel refuses.
 */
static inline void cs_become(uid_t uid, int dumpable)
{
	if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		_exit(126);
	/* New credentials make a process undumpable and clear its
	 * parent-death signal.
	 */
	prctl(PR_SET_DUMPABLE, dumpable);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * Wait until child @pid has exited, leaving it a zombie (WNOWAIT): never
 * a guess of how long that takes on a busy host.
 */
static inline int cs_wait_zombie(pid_t pid)
{
	siginfo_t si;

	return waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
}

/*
 * A child that exits at once and is left a zombie (a no_mm row of the
 * tree): its PID, or -1.
 */
static inline pid_t cs_zombie(void)
{
	pid_t z = fork();

	if (!z)
		_exit(0);
	if (z < 0 || cs_wait_zombie(z))
		return -1;
	return z;
}

/*
 * Pages that only the caller maps, when called after its forks: @nr_file
 * pages of a shared memfd, written with @val (file pages, so that private
 * and anon_private differ), and @nr_zero never-written anonymous pages
 * that are read (zero pages).  Returns 0, or -1.
 */
static inline int cs_map_file_and_zero(size_t nr_file, size_t nr_zero, char val)
{
	size_t ps = getpagesize(), i;
	char *f, *zero;
	int fd, sum = 0;

	fd = memfd_create("cowstat-file", 0);
	if (fd < 0 || ftruncate(fd, nr_file * ps))
		return -1;
	f = mmap(NULL, nr_file * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	zero = cs_region(nr_zero, 0);
	if (f == MAP_FAILED || !zero)
		return -1;
	cs_touch(f, 0, nr_file, val);
	for (i = 0; i < nr_zero; i++)
		sum += *(volatile char *)(zero + i * ps);
	return sum ? -1 : 0;
}

/*
 * A writer of the walked mm, for the yield tests: it maps and unmaps a page
 * again and again (each mmap() takes mmap_lock for write) and counts them,
 * so that a test counts what got through a walk instead of timing it.
 */
struct cs_writer {
	pthread_t t;
	volatile int stop;
	volatile long done;
};

static inline void *cs_writer_main(void *arg)
{
	struct cs_writer *w = arg;

	while (!w->stop) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, 4096);
		w->done++;
	}
	return NULL;
}

/* Start the writer and wait until it runs: 0 or an errno. */
static inline int cs_writer_start(struct cs_writer *w)
{
	int err;

	w->stop = 0;
	w->done = 0;
	err = pthread_create(&w->t, NULL, cs_writer_main, w);
	while (!err && w->done < 10)
		usleep(1000);
	return err;
}

static inline void cs_writer_stop(struct cs_writer *w)
{
	w->stop = 1;
	pthread_join(w->t, NULL);
}

/* The writer's mmap()s that complete while one summary of @root's tree is read. */
static inline long cs_mmaps_during_read(struct cs_writer *w, pid_t root)
{
	long before;
	char *s;

	if (cs_select(root))
		return -1;
	before = w->done;
	s = cs_read(CS_DIR "/summary");
	if (!s)
		return -1;
	free(s);
	return w->done - before;
}

/*
 * The most mmap()s that complete during one of up to five reads of
 * @root's tree, stopping at the first that lets @want through.  When a
 * loaded host deschedules the writer's virtual CPU for a whole walk,
 * nothing gets through however often the walker yields (seen once: 4
 * against a baseline of 13); a walk that never yields fails all five.
 */
static inline long cs_mmaps_during_reads(struct cs_writer *w, pid_t root,
					 long want)
{
	long best = -1, n;
	int k;

	for (k = 0; k < 5 && best < want; k++) {
		n = cs_mmaps_during_read(w, root);
		if (n < 0)
			return n;
		best = n > best ? n : best;
	}
	return best;
}

/*
 * The least of three reads of @idle's tree (which holds none of the
 * writer's mm): a reader descheduled by a loaded host lets the writer run
 * on; that noise only ever adds.
 */
static inline long cs_mmaps_baseline(struct cs_writer *w, pid_t idle)
{
	long base = cs_mmaps_during_read(w, idle);
	int k;

	for (k = 0; k < 2 && base >= 0; k++) {
		long b = cs_mmaps_during_read(w, idle);

		base = b < base ? b : base;
	}
	return base;
}

#define CS_CGROUP	"/sys/fs/cgroup"

/*
 * Make the memory cgroup CS_CGROUP/@name (cgroup2 mounted if it is not,
 * the memory controller enabled for children).  Returns 0, 1 when the
 * kernel has no memory controller (CONFIG_MEMCG: the caller skips), or
 * -1 on another failure.
 */
static inline int cs_memcg_make(const char *name)
{
	char path[256], *controllers;
	int has;

	if (access(CS_CGROUP "/cgroup.controllers", F_OK))
		mount("none", CS_CGROUP, "cgroup2", 0, NULL);
	controllers = cs_read(CS_CGROUP "/cgroup.controllers");
	has = controllers && strstr(controllers, "memory");
	free(controllers);
	if (!has)
		return 1;
	if (cs_write_str(CS_CGROUP "/cgroup.subtree_control", "+memory"))
		return -1;
	snprintf(path, sizeof(path), CS_CGROUP "/%s", name);
	return !mkdir(path, 0755) || errno == EEXIST ? 0 : -1;
}

#define CS_PARAMS	"/sys/module/cowstat/parameters/"

/*
 * Set the module parameter @name to @val; its old value goes to @old (a
 * buffer of 32 bytes, for cs_param_set() to put back), when not NULL.
 */
static inline int cs_param_set(const char *name, const char *val, char *old)
{
	char path[128], *cur;

	snprintf(path, sizeof(path), CS_PARAMS "%s", name);
	if (old) {
		cur = cs_read(path);
		if (!cur)
			return -1;
		snprintf(old, 32, "%s", cur);
		old[strcspn(old, "\n")] = '\0';
		free(cur);
	}
	return cs_write_str(path, val);
}

static inline int cs_vm_child(void *arg)
{
	/*
	 * Shares the mm: touch no memory.  Die with the parent, as cs_spawn()'s
	 * children do: a child left behind holds the test's stdout, and
	 * kselftest's runner waits for the end of it.  Then say it runs.
	 */
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	syscall(SYS_write, *(int *)arg, "x", 1);
	for (;;)
		syscall(SYS_pause);
	return 0;
}

/*
 * A child that shares our mm (clone(CLONE_VM) without CLONE_THREAD, as
 * vfork() before exec), running on a static stack.  Returns once it runs:
 * its PID, or -1.  One per process: they would share the stack.
 */
static inline pid_t cs_clone_vm(void)
{
	static char stack[64 * 1024];
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = clone(cs_vm_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, &fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) != 1)
		pid = -1;
	close(fds[0]);
	close(fds[1]);
	return pid;
}

/*
 * Swap on /dev/zram0 (the test VM loads zram), for a test that swaps
 * memory out, unless some swap is on already.  Returns 1 when it turned
 * swap on (cs_swap_off() undoes that), 0 when swap was on, -1 when it
 * cannot be had.
 */
static inline int cs_swap_on(void)
{
	char *swaps = cs_read("/proc/swaps");
	const char *second = swaps ? cs_next_line(swaps) : NULL;
	int on = second && *second;	/* a line below the header */

	free(swaps);
	if (on)
		return 0;
	if (access("/sys/block/zram0/disksize", W_OK))
		return -1;
	cs_write_str("/sys/block/zram0/reset", "1");
	if (cs_write_str("/sys/block/zram0/disksize", "128M") ||
	    system("mkswap /dev/zram0 >/dev/null 2>&1") || swapon("/dev/zram0", 0))
		return -1;
	return 1;
}

/* Undo cs_swap_on()'s 1, so that the next test binary finds zram0 free. */
static inline void cs_swap_off(void)
{
	swapoff("/dev/zram0");
	cs_write_str("/sys/block/zram0/reset", "1");
}

static inline void cs_reap(pid_t pid)
{
	if (pid > 0) {
		/*
		 * A root that leads a process group takes it along: a child
		 * whose parent changed uid may not get its parent-death
		 * signal (it is sent with the parent's credentials).
		 */
		if (getpgid(pid) == pid)
			kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

#endif /* COWSTAT_UTIL_H */
