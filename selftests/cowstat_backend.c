// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat --backend=pagemap (no module: /proc/PID/pagemap, /proc/kpagecount,
 * /proc/kpageflags) against the module, on the spec's scenario trees:
 * `cowstat --json [--vmas] ROOT` and `cowstat --backend=pagemap --json
 * [--vmas] ROOT` must be the same document, member for member, except that
 * the pagemap backend shows cow_broken and cow_faults as unavailable (null)
 * everywhere.  Then the exit statuses and messages: no such process (3),
 * an unprivileged user (4), root without CAP_SYS_ADMIN, to whom pagemap
 * shows no page frame numbers (4, saying so), and the backend working with
 * the module unloaded.
 *
 * The trees (every process sleeps while it is read):
 *   scenarios: R wrote 256 pages (MADV_NOHUGEPAGE) and forked
 *     A (rewrote 16; forked G, which rewrote 8 more),
 *     B (3 threads rewriting 10 pages each; a new region of 5 written pages),
 *     C (dropped 10 with MADV_DONTNEED, wrote 5, read 3),
 *     V (CLONE_VM: mm_shared_with R), Z (a zombie: no_mm);
 *     then R wrote 7 pages after the forks, mapped 8 shmem pages and read
 *     4 never-written pages (zero pages).
 *   thp: R wrote a 2 MiB MADV_HUGEPAGE region (PMD-mapped), read another
 *     (the huge zero page), and forked a child that wrote one byte of the
 *     first (its PMD is split; a copy of one page).
 * This binary is static, so that the CS_CLI it runs never maps a page that its
 * trees map; the module's document is read before and after the pagemap
 * backend's and must not have changed (else the comparison is retried).
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_json.h"
#include "cowstat_run.h"

#define PM		"--backend=pagemap"
#define NR_PAGES	256
#define USER		1000

/* ---- comparing two documents ---- */

static int unavailable_in_pagemap(const char *f)
{
	return !strcmp(f, "cow_broken") || !strcmp(f, "cow_faults");
}

/* Two JSON values are the same (numbers as unsigned integers, null, strings). */
static int js_same(const struct js *a, const struct js *b)
{
	if (!a || !b || a->type != b->type)
		return 0;
	switch (a->type) {
	case JS_NULL:
		return 1;
	case JS_NUM:
		return a->is_uint && b->is_uint && a->u == b->u;
	case JS_STR:
		return a->len == b->len && !memcmp(a->s, b->s, a->len);
	case JS_BOOL:
		return a->b == b->b;
	case JS_ARR: {
		size_t i;

		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++)
			if (!js_same(&a->v[i], &b->v[i]))
				return 0;
		return 1;
	}
	default:
		return 0;
	}
}

/*
 * Every member of the module's object @m and the backend's @p: equal, or
 * for cow_broken and cow_faults, null in @p.  Both have the same members.
 * @what names the object in @why.
 */
static int obj_matches(const struct js *m, const struct js *p, const char *what,
		       char *why, size_t len)
{
	size_t i;

	if (!m || !p || m->type != JS_OBJ || p->type != JS_OBJ || m->n != p->n)
		return snprintf(why, len, "%s: %zu members, not %zu", what, p ? p->n : 0,
				m ? m->n : 0), 0;
	for (i = 0; i < m->n; i++) {
		const char *k = m->k[i];
		const struct js *pv = js_get(p, k), *mv = &m->v[i];

		if (!strcmp(k, "vmas") || !strcmp(k, "processes") || !strcmp(k, "totals"))
			continue;	/* compared member by member */
		if (unavailable_in_pagemap(k)) {
			if (!pv || pv->type != JS_NULL)
				return snprintf(why, len, "%s: %s is not null", what, k), 0;
			continue;
		}
		if (!js_same(mv, pv))
			return snprintf(why, len, "%s: %s is %llu in pagemap, %llu in the module",
					what, k, pv && pv->is_uint ? pv->u : ~0ULL,
					mv->is_uint ? mv->u : ~0ULL), 0;
	}
	return 1;
}

static int docs_match(const struct js *m, const struct js *p, int vmas, char *why, size_t len)
{
	const struct js *mp = js_get(m, "processes"), *pp = js_get(p, "processes");
	char what[96];
	size_t i, j;

	if (!obj_matches(m, p, "document", why, len) ||
	    !obj_matches(js_get(m, "totals"), js_get(p, "totals"), "totals", why, len))
		return 0;
	if (!mp || !pp || mp->type != JS_ARR || pp->type != JS_ARR || mp->n != pp->n || !mp->n)
		return snprintf(why, len, "%zu processes, not %zu", pp ? pp->n : 0,
				mp ? mp->n : 0), 0;
	for (i = 0; i < mp->n; i++) {
		const struct js *a = &mp->v[i], *b = &pp->v[i], *va, *vb;
		const struct js *pid = js_get(a, "pid");

		snprintf(what, sizeof(what), "process %llu", pid ? pid->u : 0);
		if (!obj_matches(a, b, what, why, len))
			return 0;
		if (!vmas)
			continue;
		va = js_get(a, "vmas");
		vb = js_get(b, "vmas");
		if (!va || !vb || va->n != vb->n)
			return snprintf(why, len, "%s: %zu VMAs, not %zu", what, vb ? vb->n : 0,
					va ? va->n : 0), 0;
		for (j = 0; j < va->n; j++) {
			const struct js *st = js_get(&va->v[j], "start");

			snprintf(what, sizeof(what), "process %llu, VMA %s", pid ? pid->u : 0,
				 st && st->type == JS_STR ? st->s : "?");
			if (!obj_matches(&va->v[j], &vb->v[j], what, why, len))
				return 0;
		}
	}
	return 1;
}

/* The two backends' --json [--vmas] documents of @root's tree, compared. */
static int compare(struct __test_metadata *_metadata, pid_t root, int vmas)
{
	char arg[16], err[256], why[512] = "";
	struct cs_cli m1 = { 0 }, p = { 0 }, m2 = { 0 };
	struct js *dm = NULL, *dp = NULL;
	int attempt, ok = 0;

	snprintf(arg, sizeof(arg), "%d", root);
	for (attempt = 0; attempt < 3 && !ok; attempt++) {
		cs_cli_free(&m1);
		cs_cli_free(&p);
		cs_cli_free(&m2);
		js_free(dm);
		js_free(dp);
		dm = dp = NULL;
		if (cs_cli_run(&m1, 0, 0, "--json", vmas ? "--vmas" : "--json", arg, NULL) ||
		    cs_cli_run(&p, 0, 0, PM, "--json", vmas ? "--vmas" : "--json", arg, NULL) ||
		    cs_cli_run(&m2, 0, 0, "--json", vmas ? "--vmas" : "--json", arg, NULL))
			return 0;
		if (m1.status || p.status) {
			TH_LOG("exit %d and %d: %s%s", m1.status, p.status, m1.err, p.err);
			break;
		}
		if (strcmp(m1.out, m2.out)) {
			TH_LOG("the tree changed while it was read; again");
			continue;
		}
		dm = js_parse(m1.out, err, sizeof(err));
		dp = js_parse(p.out, err, sizeof(err));
		if (!dm || !dp) {
			TH_LOG("bad JSON: %s", err);
			break;
		}
		ok = docs_match(dm, dp, vmas, why, sizeof(why));
		if (!ok) {
			TH_LOG("%s", why);
			TH_LOG("module:\n%s", m1.out);
			TH_LOG("pagemap:\n%s", p.out);
			break;
		}
	}
	cs_cli_free(&m1);
	cs_cli_free(&p);
	cs_cli_free(&m2);
	js_free(dm);
	js_free(dp);
	return ok;
}

/* ---- the scenario tree ---- */

static char *region;

static void grandchild(void *arg)
{
	cs_touch(region, 32, 8, 4);
}

static void child_a(void *arg)
{
	cs_touch(region, 0, 16, 3);
	if (cs_spawn(grandchild, NULL) < 0)
		_exit(1);
}

static void *writer(void *arg)
{
	cs_touch(region, 64 + 10 * (long)arg, 10, 5);
	return NULL;
}

static void child_b(void *arg)
{
	pthread_t t[3];
	char *fresh;
	long i;

	for (i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, writer, (void *)i))
			_exit(1);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	/* Threads that stay: the row is still one process. */
	for (i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, (void *(*)(void *))pause, NULL))
			_exit(1);
	fresh = cs_region(5, 0);
	if (!fresh)
		_exit(1);
	cs_touch(fresh, 0, 5, 6);
}

static void child_c(void *arg)
{
	size_t ps = getpagesize();
	int i, sum = 0;

	madvise(region + 128 * ps, 10 * ps, MADV_DONTNEED);
	cs_touch(region, 128, 5, 7);
	for (i = 5; i < 8; i++)
		sum += *(volatile char *)(region + (128 + i) * ps);
	if (sum)
		_exit(1);
}

static void build_scenarios(void *arg)
{
	region = cs_region(NR_PAGES, 0);
	if (!region)
		_exit(1);
	cs_touch(region, 0, NR_PAGES, 1);
	if (cs_spawn(child_a, NULL) < 0 || cs_spawn(child_b, NULL) < 0 ||
	    cs_spawn(child_c, NULL) < 0 || cs_clone_vm() < 0 || cs_zombie() < 0)
		_exit(1);
	/* After the forks: pages that only R maps. */
	cs_touch(region, 200, 7, 8);
	if (cs_map_file_and_zero(8, 4, 9))
		_exit(1);
}

/* ---- the THP tree ---- */

static char *huge, *huge_zero;

static void thp_child(void *arg)
{
	huge[12345] = 2;
}

static void build_thp(void *arg)
{
	int i, sum = 0;

	huge = cs_region(512, 1);
	huge_zero = cs_region(512, 1);
	if (!huge || !huge_zero)
		_exit(1);
	memset(huge, 1, 2UL << 20);
	for (i = 0; i < 512; i++)
		sum += *(volatile char *)(huge_zero + i * 4096);
	if (sum || cs_spawn(thp_child, NULL) < 0)
		_exit(1);
}

static int thp_available(void)
{
	char *s = cs_read("/sys/kernel/mm/transparent_hugepage/enabled");
	int ok = s && !strstr(s, "[never]");

	free(s);
	return ok;
}

/* Kill a tree: every process of the module's view of it, then the root. */
static void kill_tree(pid_t root)
{
	char path[64], *s, *tok;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", root, root);
	s = cs_read(path);
	for (tok = s ? strtok(s, " \n") : NULL; tok; tok = strtok(NULL, " \n"))
		kill(atoi(tok), SIGKILL);
	free(s);
	cs_reap(root);
}

static int module_field(pid_t root, const char *key, unsigned long long *v, int row)
{
	char arg[16], err[256];
	struct cs_cli c = { 0 };
	const struct js *procs, *x;
	struct js *d;
	int ret = -1;

	snprintf(arg, sizeof(arg), "%d", root);
	if (cs_cli_run(&c, 0, 0, "--json", arg, NULL) || c.status)
		goto out;
	d = js_parse(c.out, err, sizeof(err));
	procs = js_get(d, "processes");
	if (procs && procs->type == JS_ARR && (size_t)row < procs->n) {
		x = js_get(&procs->v[row], key);
		if (x && x->is_uint) {
			*v = x->u;
			ret = 0;
		}
	}
	js_free(d);
out:
	cs_cli_free(&c);
	return ret;
}

/* ---- the tests ---- */

TEST(scenarios_json_equal)
{
	unsigned long long broken;
	pid_t root;

	if (access(CS_CLI, X_OK))
		SKIP(return, CS_CLI " is not installed (the VM runner copies tools/cowstat there)");
	/*
	 * The tree has a CLONE_VM child, which the backend recognizes with
	 * kcmp(KCMP_VM) only; the debug kernel's config has no
	 * CONFIG_CHECKPOINT_RESTORE (Debian's kernels do).
	 */
	if (syscall(SYS_kcmp, getpid(), getpid(), 1 /* KCMP_VM */, 0, 0))
		SKIP(return, "no kcmp(2) (%s): the pagemap backend cannot tell rows that share an mm",
		     strerror(errno));
	root = cs_spawn(build_scenarios, NULL);
	ASSERT_LT(0, root);
	/*
	 * The tree is what the comment says: G (row 2) holds its 8 copies and
	 * A's 16 (shared by A and G: not private, not broken), and a few
	 * pages of its own stack and heap.
	 */
	ASSERT_EQ(0, module_field(root, "cow_broken", &broken, 2));
	EXPECT_LE(8, broken);
	EXPECT_GT(16, broken);
	EXPECT_TRUE(compare(_metadata, root, 0));
	EXPECT_TRUE(compare(_metadata, root, 1));
	kill_tree(root);
}

TEST(thp_json_equal)
{
	unsigned long long thp, zero;
	pid_t root;

	if (access(CS_CLI, X_OK))
		SKIP(return, CS_CLI " is not installed");
	if (!thp_available())
		SKIP(return, "no transparent huge pages on this kernel");
	root = cs_spawn(build_thp, NULL);
	ASSERT_LT(0, root);
	/* PMD-mapped in the root, and the huge zero page, or this proves little. */
	ASSERT_EQ(0, module_field(root, "thp", &thp, 0));
	ASSERT_EQ(0, module_field(root, "zero", &zero, 0));
	if (thp < 512 || zero < 512) {
		kill_tree(root);
		SKIP(return, "the kernel gave no THP (thp %llu, zero %llu)", thp, zero);
	}
	EXPECT_TRUE(compare(_metadata, root, 0));
	EXPECT_TRUE(compare(_metadata, root, 1));
	kill_tree(root);
}

/* Both backends: the same exit status and the same kind of one-line message. */
TEST(no_such_pid_exits_3)
{
	struct cs_cli m = { 0 }, p = { 0 };

	ASSERT_EQ(0, cs_cli_run(&m, 0, 0, "--json", "2147483647", NULL));
	ASSERT_EQ(0, cs_cli_run(&p, 0, 0, PM, "--json", "2147483647", NULL));
	EXPECT_EQ(3, m.status);
	EXPECT_EQ(3, p.status) TH_LOG("%s", p.err);
	EXPECT_STREQ("", p.out);
	EXPECT_TRUE(!strncmp(p.err, "cowstat: no such process: 2147483647", 36))
		TH_LOG("%s", p.err);
	cs_cli_free(&m);
	cs_cli_free(&p);
}

TEST(unprivileged_exits_4)
{
	struct cs_cli m = { 0 }, p = { 0 };
	char arg[16];
	pid_t own;

	own = fork();
	ASSERT_LE(0, own);
	if (!own) {
		cs_become(USER, 1);
		pause();
		_exit(0);
	}
	snprintf(arg, sizeof(arg), "%d", own);
	ASSERT_EQ(0, cs_cli_run(&m, USER, 0, "--json", arg, NULL));
	ASSERT_EQ(0, cs_cli_run(&p, USER, 0, PM, "--json", arg, NULL));
	cs_reap(own);
	EXPECT_EQ(4, m.status);
	EXPECT_EQ(4, p.status) TH_LOG("%s", p.err);
	EXPECT_STREQ("", p.out);
	EXPECT_TRUE(strstr(p.err, "permission denied") && strstr(p.err, "root"))
		TH_LOG("%s", p.err);
	cs_cli_free(&m);
	cs_cli_free(&p);
}

/* pagemap hides PFNs (shows 0) from a reader without CAP_SYS_ADMIN: say so. */
TEST(no_cap_sys_admin_exits_4)
{
	struct cs_cli p = { 0 };
	char arg[16];
	pid_t root;

	root = cs_spawn(build_thp, NULL);	/* any tree with present pages */
	ASSERT_LT(0, root);
	snprintf(arg, sizeof(arg), "%d", root);
	ASSERT_EQ(0, cs_cli_run(&p, 0, 1, PM, "--json", arg, NULL));
	kill_tree(root);
	EXPECT_EQ(4, p.status) TH_LOG("%s", p.err);
	EXPECT_STREQ("", p.out);
	EXPECT_TRUE(strstr(p.err, "CAP_SYS_ADMIN") != NULL) TH_LOG("%s", p.err);
	cs_cli_free(&p);
}

/* The point of the backend: it needs no module.  Last: it unloads it. */
TEST(works_without_the_module)
{
	const char *ko = getenv("COWSTAT_KO");
	struct cs_cli m = { 0 }, p = { 0 }, p0 = { 0 };
	char arg[16];
	pid_t root;
	int fd, ret1, ret2;

	if (!ko)
		SKIP(return, "COWSTAT_KO does not name cowstat.ko: it could not be loaded again");
	root = cs_spawn(build_scenarios, NULL);
	ASSERT_LT(0, root);
	snprintf(arg, sizeof(arg), "%d", root);
	ASSERT_EQ(0, cs_cli_run(&p0, 0, 0, PM, "--json", arg, NULL));
	ASSERT_EQ(0, syscall(SYS_delete_module, "cowstat", O_NONBLOCK))
		TH_LOG("%s", strerror(errno));
	ret1 = cs_cli_run(&m, 0, 0, "--json", arg, NULL);
	ret2 = cs_cli_run(&p, 0, 0, PM, "--json", arg, NULL);
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0)) TH_LOG("%s", strerror(errno));
	close(fd);
	kill_tree(root);
	ASSERT_EQ(0, ret1);
	ASSERT_EQ(0, ret2);
	EXPECT_EQ(2, m.status);
	EXPECT_EQ(0, p.status) TH_LOG("%s", p.err);
	EXPECT_STREQ(p0.out, p.out);
	cs_cli_free(&m);
	cs_cli_free(&p);
	cs_cli_free(&p0);
}

TEST_HARNESS_MAIN
