// SPDX-License-Identifier: GPL-2.0
/*
 * Secure by default (README, "Who may read what"): who may read what over
 * netlink, a setuid execve() raced against dumps, long VMA names, the per-user
 * limit of unfinished dumps, and the memory that unread dumps hold, charged to
 * the caller's memory cgroup.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_nl.h"

#define USER		1000
#define SUID_BIN	"/tmp/cs_suid"

/*
 * The setuid program of the execve race is this binary, copied and made
 * setuid root: run so, it maps its own file (SUID_BIN, the mark that must
 * never show in an unprivileged reader's dump) and exits at once.
 */
__attribute__((constructor)) static void suid_program(void)
{
	if (!getenv("CS_SUID_PROGRAM"))
		return;
	usleep(1000);
	_exit(geteuid() == 0 ? 0 : 3);
}

/* Keep only CAP_SYS_PTRACE, as uid @uid (a monitoring agent's set-up). */
static int become_ptracer(uid_t uid)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (prctl(PR_SET_KEEPCAPS, 1) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -1;
	data[0].effective = data[0].permitted = 1u << CAP_SYS_PTRACE;
	if (syscall(SYS_capset, &hdr, data))
		return -1;
	prctl(PR_SET_DUMPABLE, 1);
	return 0;
}

static void as_user(void *arg)
{
	cs_become(USER, 1);
}

static void as_user_undumpable(void *arg)
{
	cs_become(USER, 0);
}

/* R, uid 1000 in the end: children of uid 1000, root, uid 1000 undumpable. */
static void mixed_tree(void *arg)
{
	char *r = cs_region(16, 0);

	/* A group of its own: cs_reap() ends the root-owned child too. */
	setpgid(0, 0);
	cs_touch(r, 0, 16, 1);
	cs_spawn(as_user, NULL);
	cs_spawn(NULL, NULL);
	cs_spawn(as_user_undumpable, NULL);
	cs_become(USER, 1);
}

/* A get of @pid (root @root, 0: none) on @nl; 0 or -errno. */
static int get_one(struct nl *nl, uint32_t pid, uint32_t root, struct dump *d)
{
	struct nlmsghdr *nlh;
	char buf[256];

	memset(d, 0, sizeof(*d));
	nlh = nl_msg(buf, nl->family, NLM_F_ACK, COWSTAT_CMD_GET, ++nl->seq);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	if (root)
		nl_put(nlh, COWSTAT_A_PROC_ROOT, &root, 4);
	if (nl_send(nl, nlh))
		return -errno;
	return nl_recv(nl, 8192, dump_cb, d);
}

/* Send a dump request of @pid's tree on @nl and read nothing. */
static int start_dump(struct nl *nl, uint32_t pid, int vmas)
{
	struct nlmsghdr *nlh;
	char buf[256];

	nlh = nl_msg(buf, nl->family, NLM_F_DUMP, COWSTAT_CMD_GET, ++nl->seq);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	if (vmas)
		nl_put(nlh, COWSTAT_A_PROC_VMAS, NULL, 0);
	return nl_send(nl, nlh);
}

FIXTURE(secure) {
	struct dump *d;
	char unpriv[32], max_dumps[32];
};

FIXTURE_SETUP(secure)
{
	self->d = calloc(1, sizeof(*self->d));
	ASSERT_NE(NULL, self->d);
	/* Tolerant, so that the tests can show what a module without them does. */
	if (cs_param_set("unprivileged_read", "N", self->unpriv))
		strcpy(self->unpriv, "absent");
	if (cs_param_set("max_dumps_per_user", "16", self->max_dumps))
		strcpy(self->max_dumps, "absent");
}

FIXTURE_TEARDOWN(secure)
{
	cs_param_set("unprivileged_read", self->unpriv, NULL);
	cs_param_set("max_dumps_per_user", self->max_dumps, NULL);
	cs_select(1);
	free(self->d);
}

TEST_F(secure, unprivileged_read_is_off_by_default)
{
	/* The fixture saved the value the module had before any test set it. */
	EXPECT_STREQ("N", self->unpriv);
	EXPECT_STREQ("16", self->max_dumps);
}

/* Default mode: a user without CAP_SYS_PTRACE reads nothing, not even its own. */
TEST_F(secure, default_mode_refuses_an_unprivileged_caller)
{
	struct dump *d = self->d;
	pid_t r, reader;
	int st;

	r = cs_spawn(mixed_tree, NULL);
	ASSERT_LT(0, r);
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct nl nl;

		cs_become(USER, 1);
		if (nl_open(&nl))
			_exit(10);
		/* A dump's start has no extack before 6.2: the get's has one. */
		if (dump_tree(&nl, r, 0, 8192, d) != -EPERM)
			_exit(11);
		if (get_one(&nl, r, 0, d) != -EPERM || !nl.extack[0])
			_exit(12);
		/* Its own process, too. */
		if (dump_tree(&nl, getpid(), 0, 8192, d) != -EPERM)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(reader, waitpid(reader, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("reader failed at step %d", WEXITSTATUS(st));
	cs_reap(r);
}

/* A caller with CAP_SYS_PTRACE alone (not root) sees every row, as debugfs. */
TEST_F(secure, cap_sys_ptrace_alone_reads_everything)
{
	struct cs_tree_row rows[4];
	struct dump *d = self->d;
	const char *line;
	pid_t r, reader;
	int n = 0, st;
	char *tree;

	r = cs_spawn(mixed_tree, NULL);
	ASSERT_LT(0, r);
	ASSERT_EQ(0, cs_select(r));
	tree = cs_read(CS_DIR "/tree");
	ASSERT_NE(NULL, tree);
	for (line = tree; line && n < 4; line = cs_next_line(line))
		n += !cs_parse_tree_row(line, &rows[n]);
	free(tree);
	ASSERT_EQ(4, n);

	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct nl nl;
		int i, f;

		if (become_ptracer(USER))
			_exit(10);
		if (nl_open(&nl) || dump_tree(&nl, r, 0, 8192, d) || d->n != 4)
			_exit(11);
		for (i = 0; i < 4; i++) {
			if (d->row[i].pid != rows[i].pid || !d->row[i].has_counts ||
			    !d->row[i].has_comm || (d->row[i].flags & COWSTAT_PROC_FLAGS_NOT_PERMITTED))
				_exit(12);
			for (f = 0; f < F_NR; f++)
				if (d->row[i].v[f] != rows[i].p.v[f])
					_exit(13);
		}
		if (get_one(&nl, rows[2].pid, r, d) || d->n != 1 || !d->row[0].has_counts)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(reader, waitpid(reader, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("reader failed at step %d", WEXITSTATUS(st));
	cs_reap(r);
}

/* unprivileged_read: not-permitted rows carry pid, ppid and depth only. */
TEST_F(secure, not_permitted_rows_carry_no_comm)
{
	struct dump *d = self->d;
	pid_t r, reader;
	int st;

	cs_param_set("unprivileged_read", "Y", NULL);	/* checked by the first test */
	r = cs_spawn(mixed_tree, NULL);
	ASSERT_LT(0, r);
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct nl nl;
		int i;

		cs_become(USER, 1);
		if (nl_open(&nl) || dump_tree(&nl, r, 0, 8192, d) || d->n != 4)
			_exit(10);
		if (!d->row[0].has_comm || !d->row[1].has_comm)
			_exit(11);
		for (i = 2; i < 4; i++)
			if (d->row[i].has_comm || d->row[i].has_counts ||
			    !(d->row[i].flags & COWSTAT_PROC_FLAGS_NOT_PERMITTED) ||
			    !d->row[i].pid || d->row[i].ppid != (uint32_t)r || d->row[i].depth != 1)
				_exit(12);
		_exit(0);
	}
	ASSERT_EQ(reader, waitpid(reader, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("reader failed at step %d", WEXITSTATUS(st));
	cs_reap(r);
}

/* Copy this binary to SUID_BIN, setuid root. */
static int make_suid_program(void)
{
	int in, out;
	char buf[65536];
	ssize_t n;

	in = open("/proc/self/exe", O_RDONLY);
	out = open(SUID_BIN, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			return -1;
	close(in);
	close(out);
	return chown(SUID_BIN, 0, 0) || chmod(SUID_BIN, 04755) ? -1 : 0;
}

#define EXECS	300

/* uid 1000: fork and execve the setuid program EXECS times, then exit. */
static void execer(void *arg)
{
	char *const argv[] = { "cs_suid", NULL };
	char *const envp[] = { "CS_SUID_PROGRAM=1", NULL };
	int i, st, ok = 0;

	cs_become(USER, 1);
	for (i = 0; i < EXECS; i++) {
		pid_t p = fork();

		if (!p) {
			execve(SUID_BIN, argv, envp);
			_exit(4);
		}
		if (p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && !WEXITSTATUS(st))
			ok++;
	}
	_exit(ok == EXECS ? 0 : 5);
}

/*
 * unprivileged_read: a user's dumps of its own tree, raced against its
 * children's execve() of a setuid-root program, never show the program's
 * VMAs (its file's name), whichever side of the execve a walk lands on.
 */
TEST_F_TIMEOUT(secure, setuid_execve_never_leaks_into_a_dump, 600)
{
	struct dump *d = self->d;
	int st, dumps = 0, hits = 0, errors = 0;
	pid_t e, reader;
	int fds[2];

	ASSERT_EQ(0, make_suid_program());
	cs_param_set("unprivileged_read", "Y", NULL);	/* checked by the first test */
	ASSERT_EQ(0, pipe(fds));
	e = fork();
	ASSERT_LE(0, e);
	if (!e) {
		char c;

		/* Start when the reader is ready. */
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(6);
		execer(NULL);
	}
	close(fds[0]);
	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		struct nl nl;
		int ret;

		cs_become(USER, 1);
		if (nl_open(&nl) || write(fds[1], "x", 1) != 1)
			_exit(10);
		d->needle = SUID_BIN;
		/* Until the execer is reaped: ESRCH. */
		while ((ret = dump_tree(&nl, e, 1, 65536, d)) != -ESRCH) {
			dumps++;
			hits += d->needle_hits;
			errors += ret != 0;
			if (d->needle_hits)
				printf("# pid %d showed %d VMAs of " SUID_BIN "\n",
				       d->needle_pid, d->needle_hits);
		}
		printf("# %d dumps raced %d setuid execve()s: %d leaked VMAs, %d other errors\n",
		       dumps, EXECS, hits, errors);
		_exit(hits ? 1 : dumps < 10 ? 2 : 0);
	}
	close(fds[1]);
	ASSERT_EQ(e, waitpid(e, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("the execer failed (%d)", WEXITSTATUS(st));
	ASSERT_EQ(reader, waitpid(reader, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("reader: %s", WEXITSTATUS(st) == 1 ?
					     "the setuid program's VMAs leaked" : "failed");
	unlink(SUID_BIN);
}

#define DEEP_DIRS	19
#define DEEP_PART	209

static char deep_file[8192];

/* Map a file at a path of 4,006 bytes, and wait. */
static void deep_mapper(void *arg)
{
	char part[DEEP_PART + 1];
	int i, fd;
	char *p;

	memset(part, 'd', DEEP_PART);
	part[DEEP_PART] = '\0';
	if (chdir("/tmp"))
		_exit(1);
	strcpy(deep_file, "/tmp");
	for (i = 0; i < DEEP_DIRS; i++) {
		part[0] = 'a' + i;
		if ((mkdir(part, 0755) && errno != EEXIST) || chdir(part))
			_exit(2);
		strcat(deep_file, "/");
		strcat(deep_file, part);
	}
	strcat(deep_file, "/mapped-file");
	fd = open("mapped-file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 4096))
		_exit(3);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(4);
	p[0] = 1;
}

/* A VMA name of 4,006 bytes: cut to COWSTAT_VMA_NAME_MAX, flagged, dump whole. */
TEST_F(secure, long_vma_name_is_truncated_not_an_error)
{
	struct dump *d = self->d;
	struct nl nl;
	size_t longest = 0;
	const char *line;
	char *vmas;
	pid_t m;

	m = cs_spawn(deep_mapper, NULL);
	ASSERT_LT(0, m);
	ASSERT_EQ(0, nl_open(&nl));
	/*
	 * The socket has received with one page only, so the dump's buffers
	 * are a page: a message with the whole name did not fit (EMSGSIZE).
	 */
	ASSERT_EQ(0, dump_tree(&nl, m, 1, 4096, d)) TH_LOG("dump: %s", nl.extack);
	EXPECT_EQ(1, d->totals);
	EXPECT_EQ(1, d->names_truncated);
	EXPECT_EQ(COWSTAT_VMA_NAME_MAX, d->longest_name);

	/* debugfs, root's, keeps the whole name. */
	ASSERT_EQ(0, cs_select(m));
	vmas = cs_read(CS_DIR "/vmas");
	ASSERT_NE(NULL, vmas);
	for (line = vmas; line && *line; line = cs_next_line(line)) {
		const char *end = strchr(line, '\n');
		const char *name = memmem(line, end ? (size_t)(end - line) : strlen(line),
					  "/tmp/a", 6);

		if (name && (size_t)((end ? end : name + strlen(name)) - name) > longest)
			longest = (end ? end : name + strlen(name)) - name;
	}
	free(vmas);
	EXPECT_LT(4000, longest) TH_LOG("longest name in the vmas file: %zu bytes", longest);
	close(nl.fd);
	cs_reap(m);
}

/* At most max_dumps_per_user unfinished dumps; then EBUSY until one ends. */
TEST_F(secure, unfinished_dumps_per_user_are_limited)
{
	struct nl nl[4];
	int i, ret = -EBUSY;

	cs_param_set("max_dumps_per_user", "3", NULL);	/* checked by the first test */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, nl_open(&nl[i]));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, start_dump(&nl[i], getpid(), 1));
	EXPECT_EQ(-EBUSY, dump_tree(&nl[3], getpid(), 0, 8192, self->d));
	/* A dump's start has no extack before 6.2: the get's has one. */
	EXPECT_EQ(-EBUSY, get_one(&nl[3], getpid(), 0, self->d));
	EXPECT_NE(0, nl[3].extack[0]) TH_LOG("no extack message");

	/* One read to its end, one closed: room for two again. */
	EXPECT_EQ(0, nl_recv(&nl[0], 65536, NULL, NULL));
	close(nl[1].fd);
	for (i = 0; i < 1000 && ret == -EBUSY; i++) {
		ret = dump_tree(&nl[3], getpid(), 0, 8192, self->d);
		if (ret == -EBUSY)
			usleep(10000);	/* the closed socket's dump ends from a work item */
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(1, self->d->totals);
	EXPECT_EQ(0, get_one(&nl[3], getpid(), 0, self->d));
	close(nl[0].fd);
	close(nl[2].fd);
	close(nl[3].fd);
}

#define UNREAD	1000
#define MANY_VMAS 400

static long long memcg_current(const char *cg)
{
	char path[128], *s;
	long long v;

	snprintf(path, sizeof(path), CS_CGROUP "/%s/memory.current", cg);
	s = cs_read(path);
	if (!s)
		return -1;
	v = atoll(s);
	free(s);
	return v;
}

/* In cgroup cs_dumps: 1,000 half-read dumps of a 400-VMA process. */
static void unread_dumper(void *arg)
{
	struct rlimit rl = { UNREAD + 64, UNREAD + 64 };
	static struct nl nl[UNREAD];
	static char buf[65536];
	long long before, after;
	char pid[16];
	char *area;
	int i;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (cs_write_str(CS_CGROUP "/cs_dumps/cgroup.procs", pid) || setrlimit(RLIMIT_NOFILE, &rl))
		_exit(1);
	/* 400 VMAs: every other page of an area made read-only. */
	area = mmap(NULL, 2 * MANY_VMAS * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		_exit(2);
	for (i = 0; i < MANY_VMAS; i++)
		mprotect(area + 2 * i * 4096, 4096, PROT_READ);
	before = memcg_current("cs_dumps");
	for (i = 0; i < UNREAD; i++) {
		if (nl_open(&nl[i]) || start_dump(&nl[i], getpid(), 1))
			_exit(3);
		/* The first datagram: the walk is over once it is read. */
		if (recv(nl[i].fd, buf, sizeof(buf), 0) <= 0)
			_exit(4);
	}
	after = memcg_current("cs_dumps");
	printf("# memory.current: %lld before, %lld after %d unread dumps (%lld bytes each)\n",
	       before, after, UNREAD, (after - before) / UNREAD);
	/* Each holds at least 800 VMA rows' counts (96 bytes) and bounds. */
	_exit(before < 0 || after - before < (long long)UNREAD * 2 * MANY_VMAS * 100 ? 5 : 0);
}

TEST_F_TIMEOUT(secure, unread_dumps_are_charged_to_the_callers_memory_cgroup, 300)
{
	int rc, st;
	pid_t p;

	rc = cs_memcg_make("cs_dumps");
	if (rc > 0)
		SKIP(return, "this kernel has no memory cgroup controller (CONFIG_MEMCG)");
	ASSERT_EQ(0, rc);
	cs_param_set("max_dumps_per_user", "2000", NULL);	/* checked by the first test */
	p = fork();
	ASSERT_LE(0, p);
	if (!p)
		unread_dumper(NULL);
	ASSERT_EQ(p, waitpid(p, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("the dumper failed at step %d", WEXITSTATUS(st));
	rmdir(CS_CGROUP "/cs_dumps");
}

TEST_HARNESS_MAIN
