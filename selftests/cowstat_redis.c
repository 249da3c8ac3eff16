// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat on a real Redis (Debian's redis-server): a data set of about
 * 100 MB (DEBUG POPULATE), a BGSAVE slowed by rdb-key-save-delay so that
 * its child lives through the test, and a client that rewrites every 16th
 * key while the child saves.
 *
 *  - Redis's own copy-on-write figure, INFO persistence current_cow_size,
 *    is the child's Private_Dirty from its smaps: with no swap, THP
 *    (Redis turns THP off for itself), shmem or dirty file pages in the
 *    child that is exactly the child's anon_private.  The two are read
 *    at different instants (Redis's child reads its smaps every 1024 keys
 *    and at most once a second, the parent collects it once a second),
 *    so the test polls until Redis's latest figure equals cowstat's
 *    within 0.5% + 32 pages: what the child itself writes between the
 *    two readings.
 *  - The parent's cow_broken is the pages the rewrites broke: the
 *    pagemap oracle counts the addresses where parent and child map
 *    different anonymous pages (every COW break of either), and cowstat's
 *    parent + child cow_broken must equal it (within the writes of
 *    Redis's timers between the reads, 0.5% + 32 pages), with at least
 *    95% charged to the parent: the child only reads the data set.
 *  - cowstat --record on the tree while the rewrites run: valid JSON
 *    lines, the VMA rows adding up to their process, the parent's
 *    cow_broken growing with each batch of rewrites.
 *
 * COWSTAT_REDIS_KEYS sets the data set's keys (default 100000, 1000-byte
 * values).  Skipped when redis-server is not installed.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_pagemap.h"
#include "cowstat_nl.h"
#include "cowstat_json.h"
#include "cowstat_redis.h"

#define SOCK		"/tmp/cs-redis.sock"
#define LOG		"/tmp/cs-redis.log"
#define RECORD		"/tmp/cs-redis.jsonl"
#define VALSIZE		1000
#define EVERY		16		/* rewrite every 16th key */
#define CLI		"/bin/cowstat"

static const char * const redis_paths[] = {
	"/usr/bin/redis-server", "/bin/redis-server", NULL
};

FIXTURE(redis) {
	pid_t server, child;
	struct rc c;
	struct nl nl;
	long keys;
	char info[256];
};

/* The PID of @root's only child in a dump of its tree, or -1. */
static pid_t find_child(struct nl *nl, pid_t root)
{
	static struct dump d;
	int i;

	if (dump_tree(nl, root, 0, 1 << 16, &d))
		return -1;
	for (i = 0; i < d.n; i++)
		if (d.row[i].depth == 1)
			return d.row[i].pid;
	return -1;
}

/* @pid's row of a dump of @root's tree into @out: 0 or -1. */
static int row_of(struct nl *nl, pid_t root, pid_t pid, unsigned long long *out)
{
	static struct dump d;
	int i;

	if (dump_tree(nl, root, 0, 1 << 16, &d))
		return -1;
	for (i = 0; i < d.n; i++)
		if ((pid_t)d.row[i].pid == pid && d.row[i].has_counts) {
			memcpy(out, d.row[i].v, sizeof(d.row[i].v));
			return 0;
		}
	return -1;
}

FIXTURE_SETUP(redis)
{
	const char *prog = rc_find_prog(redis_paths), *env;
	char line[256], n[32];
	double end;

	self->server = -1;
	self->child = -1;
	self->c.fd = -1;
	if (!prog)
		SKIP(return, "redis-server is not installed (make deps)");
	env = getenv("COWSTAT_REDIS_KEYS");
	self->keys = env ? atol(env) : 100000;
	ASSERT_EQ(0, nl_open(&self->nl));
	unlink(SOCK);
	unlink(LOG);
	unlink("/tmp/cs-redis.rdb");
	/*
	 * 5 ms per key: the child saves for at least keys x 5 ms (500 s
	 * for 100,000 keys; a sleep only gets longer on a slow host), far
	 * longer than the test needs it even on the KASAN kernel, where a
	 * test took 6 minutes with its teardown; SHUTDOWN NOSAVE ends it.
	 */
	self->server = rc_spawn(LOG, prog, "--port", "0", "--unixsocket", SOCK,
				"--save", "", "--appendonly", "no", "--dir", "/tmp",
				"--dbfilename", "cs-redis.rdb",
				"--enable-debug-command", "yes",
				"--rdb-key-save-delay", "5000", NULL);
	ASSERT_LT(0, self->server);
	ASSERT_EQ(0, rc_connect(&self->c, SOCK, 120));
	ASSERT_EQ('+', rc_cmd(&self->c, line, sizeof(line), NULL, "PING", NULL));
	snprintf(n, sizeof(n), "%ld", self->keys);
	ASSERT_EQ('+', rc_cmd(&self->c, line, sizeof(line), NULL, "DEBUG", "POPULATE",
			      n, "key", "1000", NULL));
	ASSERT_EQ(':', rc_cmd(&self->c, line, sizeof(line), NULL, "DBSIZE", NULL));
	ASSERT_EQ(self->keys, atol(line));
	ASSERT_EQ('+', rc_cmd(&self->c, line, sizeof(line), NULL, "BGSAVE", NULL));
	/* The child is forked before BGSAVE answers. */
	self->child = find_child(&self->nl, self->server);
	ASSERT_LT(0, self->child);
	end = rc_now() + 60;
	while (rc_info(&self->c, "persistence", "rdb_bgsave_in_progress") != 1)
		ASSERT_GT(end, rc_now());
}

FIXTURE_TEARDOWN(redis)
{
	char line[256];
	int i;

	if (self->c.fd > 0) {
		rc_cmd(&self->c, line, sizeof(line), NULL, "SHUTDOWN", "NOSAVE", NULL);
		rc_close(&self->c);
	}
	for (i = 0; self->server > 0 && i < 100; i++) {
		if (waitpid(self->server, NULL, WNOHANG) == self->server) {
			self->server = -1;
			break;
		}
		usleep(100000);
	}
	cs_reap(self->server);
	if (self->child > 0) {
		char tmp[64];

		kill(self->child, SIGKILL);
		/* The snapshot the child was writing, in the guest's RAM. */
		snprintf(tmp, sizeof(tmp), "/tmp/temp-%d.rdb", self->child);
		unlink(tmp);
	}
	unlink(RECORD);
	if (self->nl.fd > 0)
		close(self->nl.fd);
}

/*
 * SET keys first, first + EVERY, ... below @last to a new value of the
 * same size, pipelined; returns how many were set or -1.
 */
static long rewrite(struct rc *c, long first, long last)
{
	static char val[VALSIZE];
	char key[32], line[128];
	const char *argv[3] = { "SET", key, val };
	size_t lens[3] = { 3, 0, VALSIZE };
	long k, queued = 0, done = 0;

	memset(val, 'y', sizeof(val));
	for (k = first; k < last; k += EVERY) {
		lens[1] = snprintf(key, sizeof(key), "key:%ld", k);
		if (rc_queue(c, 3, argv, lens))
			return -1;
		if (++queued == 256 || k + EVERY >= last) {
			if (rc_flush(c))
				return -1;
			for (; queued; queued--, done++)
				if (rc_reply(c, line, sizeof(line), NULL) != '+')
					return -1;
		}
	}
	return done;
}

/*
 * The oracle: addresses where @a and @b both map a present anonymous
 * page and the two pages differ.  After a fork every such address is a
 * COW break of one of them (or a page one of them replaced, which Redis
 * does not do to the data set's memory).  Returns the count or -1.
 */
static long diverged(pid_t a, pid_t b)
{
	enum { CHUNK = 512 };
	static uint64_t pa[CHUNK], pb[CHUNK];
	char path[64], line[512];
	int fa, fb, kf;
	long n = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", a);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", a);
	fa = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", b);
	fb = open(path, O_RDONLY);
	kf = open("/proc/kpageflags", O_RDONLY);
	if (!maps || fa < 0 || fb < 0 || kf < 0)
		return -1;
	while (fgets(line, sizeof(line), maps)) {
		unsigned long s, e, ps = getpagesize(), p;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || strstr(line, "[vsyscall]") ||
		    strstr(line, "[vvar"))
			continue;
		for (p = s / ps; p < e / ps; p += CHUNK) {
			size_t cnt = e / ps - p < CHUNK ? e / ps - p : CHUNK, i;

			if (pread(fa, pa, cnt * 8, p * 8) != (ssize_t)(cnt * 8) ||
			    pread(fb, pb, cnt * 8, p * 8) != (ssize_t)(cnt * 8))
				return -1;
			for (i = 0; i < cnt; i++) {
				uint64_t fl;

				if (!(pa[i] & PM_PRESENT) || !(pb[i] & PM_PRESENT) ||
				    (pa[i] & PM_PFN_MASK) == (pb[i] & PM_PFN_MASK))
					continue;
				if (pread_u64(kf, pa[i] & PM_PFN_MASK, &fl))
					return -1;
				if (fl & (1ULL << KPF_ANON))
					n++;
			}
		}
	}
	fclose(maps);
	close(fa);
	close(fb);
	close(kf);
	return n;
}

static long margin(long v)
{
	return v / 200 + 32;
}

/* Lines in @path (0 when it does not exist yet). */
static int lines_in(const char *path)
{
	char *s = cs_read(path), *p;
	int n = 0;

	if (!s)
		return 0;
	for (p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

/* Wait until @path has more than @n lines; 0, or -1 after @secs. */
static int wait_lines(const char *path, int n, double secs)
{
	double end = rc_now() + secs;

	while (lines_in(path) <= n) {
		if (rc_now() > end)
			return -1;
		usleep(50000);
	}
	return 0;
}

static unsigned long long num(const struct js *o, const char *key)
{
	const struct js *v = js_get(o, key);

	return v && v->type == JS_NUM && v->is_uint ? v->u : ~0ULL;
}

/*
 * Rewrite every EVERY-th key in four batches while cowstat --record
 * samples the tree once a second, each batch after a new sample (counted,
 * not timed, so that each batch shows in a sample of its own).  Returns
 * the keys set.
 */
static long record_rewrites(struct __test_metadata *_metadata, FIXTURE_DATA(redis) *self)
{
	long set = 0, chunk = self->keys / 4;
	int batch, n, status;
	char arg[16];
	pid_t rec;

	unlink(RECORD);
	snprintf(arg, sizeof(arg), "%d", self->server);
	rec = fork();
	ASSERT_LE(0, rec);
	if (!rec) {
		execl(CLI, CLI, "--record", RECORD, "--interval", "1", arg, (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(0, wait_lines(RECORD, 0, 120));
	for (batch = 0; batch < 4; batch++) {
		long first = batch * chunk, last = batch == 3 ? self->keys : first + chunk;

		n = lines_in(RECORD);
		/* Every EVERY-th key: start each batch on a multiple. */
		first = (first + EVERY - 1) / EVERY * EVERY;
		set += rewrite(&self->c, first, last);
		ASSERT_EQ(0, wait_lines(RECORD, n, 120));
	}
	n = lines_in(RECORD);
	ASSERT_EQ(0, wait_lines(RECORD, n, 120));
	kill(rec, SIGINT);
	ASSERT_EQ(rec, waitpid(rec, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	return set;
}

/*
 * The recording: valid JSON lines, numbered samples of the two
 * processes, VMA rows adding up to their process, the parent's
 * cow_broken growing with each batch of @set rewrites.
 */
static void check_record(struct __test_metadata *_metadata, FIXTURE_DATA(redis) *self, long set)
{
	unsigned long long prev_cb = 0, prev_sample = 0, first_cb = ~0ULL;
	char err[128], *text, *line;
	int n = 0, increases = 0;

	text = cs_read(RECORD);
	ASSERT_NE(NULL, text);
	ASSERT_EQ('\n', text[strlen(text) - 1]);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		const struct js *procs, *p;
		struct js *j = js_parse(line, err, sizeof(err));
		unsigned long long cb = ~0ULL;
		size_t i, v;

		ASSERT_NE(NULL, j) TH_LOG("line %d: %s", n + 1, err);
		n++;
		ASSERT_EQ(JS_NUM, js_get(j, "time")->type);
		ASSERT_EQ(JS_NUM, js_get(j, "elapsed")->type);
		ASSERT_EQ(prev_sample + 1, num(j, "sample"));
		prev_sample = num(j, "sample");
		ASSERT_EQ((unsigned long long)self->server, num(j, "root"));
		ASSERT_EQ((unsigned long long)getpagesize(), num(j, "page_size"));
		procs = js_get(j, "processes");
		ASSERT_NE(NULL, procs);
		ASSERT_EQ(JS_ARR, procs->type);
		ASSERT_EQ(2, procs->n);
		for (i = 0; i < procs->n; i++) {
			const struct js *vmas;
			unsigned long long sum_cb = 0, sum_rss = 0;

			p = &procs->v[i];
			ASSERT_EQ(i, num(p, "depth"));
			vmas = js_get(p, "vmas");
			ASSERT_NE(NULL, vmas);
			ASSERT_EQ(JS_ARR, vmas->type);
			for (v = 0; v < vmas->n; v++) {
				sum_cb += num(&vmas->v[v], "cow_broken");
				sum_rss += num(&vmas->v[v], "rss");
			}
			ASSERT_EQ(num(p, "cow_broken"), sum_cb);
			ASSERT_EQ(num(p, "rss"), sum_rss);
			if (i == 0)
				cb = num(p, "cow_broken");
		}
		if (first_cb == ~0ULL)
			first_cb = cb;
		increases += cb > prev_cb && n > 1;
		prev_cb = cb;
		js_free(j);
	}
	free(text);
	TH_LOG("--record: %d samples; parent cow_broken %llu -> %llu over %ld rewrites", n,
	       first_cb, prev_cb, set);
	/* A sample before the rewrites, one after each batch, one more. */
	ASSERT_LE(6, n);
	ASSERT_LE(4, increases);
	ASSERT_LE(set / 4, (long)(prev_cb - first_cb));
}

/*
 * One BGSAVE, one set of rewrites, three checks: a setup costs a 100 MB
 * data set, so the recording and both figures share it.
 */
TEST_F_TIMEOUT(redis, bgsave_cow_figures_agree_and_record_follows, 900)
{
	unsigned long long p0[F_NR], c0[F_NR], p1[F_NR], c1[F_NR], p2[F_NR], c2[F_NR];
	long set, redis_pages = -1, best = -1, d = -1, ps = getpagesize();
	int tries;

	ASSERT_EQ(0, row_of(&self->nl, self->server, self->server, p0));
	ASSERT_EQ(0, row_of(&self->nl, self->server, self->child, c0));
	set = record_rewrites(_metadata, self);
	ASSERT_EQ((self->keys + EVERY - 1) / EVERY, set);
	ASSERT_EQ(1, rc_info(&self->c, "persistence", "rdb_bgsave_in_progress"))
		TH_LOG("the save ended before the checks");

	/* Redis's figure against the child's anon_private. */
	for (tries = 0; tries < 180; tries++) {
		long diff;

		ASSERT_EQ(0, row_of(&self->nl, self->server, self->child, c1));
		redis_pages = rc_info(&self->c, "persistence", "current_cow_size") / ps;
		diff = labs(redis_pages - (long)c1[F_ANON_PRIVATE]);
		if (best < 0 || diff < best)
			best = diff;
		if (diff <= margin(c1[F_ANON_PRIVATE]))
			break;
		usleep(500000);
	}
	TH_LOG("%ld keys, %ld rewritten; Redis current_cow_size %ld pages, child anon_private %llu (closest %ld apart, after %d polls)",
	       self->keys, set, redis_pages, c1[F_ANON_PRIVATE], best, tries);
	EXPECT_GE(margin(c1[F_ANON_PRIVATE]), best);
	/* The rewrites must dwarf the margin, or agreement means nothing. */
	EXPECT_LT(10 * margin(c1[F_ANON_PRIVATE]), (long)c1[F_ANON_PRIVATE]);

	/* The parent's breaks against the oracle, read between two dumps. */
	for (tries = 0; tries < 3; tries++) {
		long lo, hi;

		ASSERT_EQ(0, row_of(&self->nl, self->server, self->server, p1));
		ASSERT_EQ(0, row_of(&self->nl, self->server, self->child, c1));
		d = diverged(self->server, self->child);
		ASSERT_LE(0, d);
		ASSERT_EQ(0, row_of(&self->nl, self->server, self->server, p2));
		ASSERT_EQ(0, row_of(&self->nl, self->server, self->child, c2));
		lo = p1[F_COW_BROKEN] + c1[F_COW_BROKEN];
		hi = p2[F_COW_BROKEN] + c2[F_COW_BROKEN];
		if (lo > hi) {
			long t = lo;

			lo = hi;
			hi = t;
		}
		TH_LOG("oracle: %ld diverged pages; cowstat: parent cow_broken %llu..%llu (%llu before the rewrites), child %llu..%llu",
		       d, p1[F_COW_BROKEN], p2[F_COW_BROKEN], p0[F_COW_BROKEN],
		       c1[F_COW_BROKEN], c2[F_COW_BROKEN]);
		if (d >= lo - margin(d) && d <= hi + margin(d))
			break;
	}
	EXPECT_GE(d + margin(d), (long)(p1[F_COW_BROKEN] + c1[F_COW_BROKEN]));
	EXPECT_LE(d - margin(d), (long)(p2[F_COW_BROKEN] + c2[F_COW_BROKEN]));
	/* The child only reads the data set: the breaks are the parent's. */
	EXPECT_LE(d * 95 / 100, (long)p2[F_COW_BROKEN]);
	/* Each rewritten key wrote at least its new value: 4 per page. */
	EXPECT_LE(set / 4, (long)(p2[F_COW_BROKEN] - p0[F_COW_BROKEN]));
	TH_LOG("the rewrites broke %llu parent pages, %.2f per key; Redis books %ld pages to the child, cowstat %llu to the child",
	       p2[F_COW_BROKEN] - p0[F_COW_BROKEN],
	       (double)(p2[F_COW_BROKEN] - p0[F_COW_BROKEN]) / set, redis_pages,
	       c2[F_COW_BROKEN]);

	check_record(_metadata, self, set);
}

TEST_HARNESS_MAIN
