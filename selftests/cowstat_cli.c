// SPDX-License-Identifier: GPL-2.0
/*
 * The cowstat CS_CLI (tools/cowstat, installed as /bin/cowstat in the VM)
 * against the debugfs files, for one paused tree: --json, --json --vmas,
 * the table in pages and in human units, and --prometheus must each show
 * exactly what tree, summary and vmas show; --watch must show COW breaks as
 * they happen.  Then its errors: a bad option,
 * a PID that does not exist, a process the caller may not read, the module
 * not loaded; and an unprivileged user, who sees its own processes and no
 * count of anybody else's.
 *
 * The tree: R wrote 64 pages and forked C (odd comm; rewrote 16 of them,
 * then forked G, which rewrote 4 more), a CLONE_VM child V (mm_shared_with
 * R) and a zombie Z (no_mm); then R alone mapped 8 shmem pages and 4 zero
 * pages, so that no two columns of the table hold the same numbers.
 * Everything sleeps while it is read.  This binary is static, so that the
 * CS_CLI's own mappings of libc cannot change the mapcount of a page the tree
 * maps; debugfs is read again after each CS_CLI run, and must not have changed.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_json.h"
#include "cowstat_run.h"

#define NR_PAGES	64
#define MAX_ROWS	16
#define USER		1000

/* Bytes that must survive each output format: space, quote, backslash,
 * a control byte, a byte that is not UTF-8, and a well-formed "é".
 */
static const char odd_comm[] = "w \"q\\\001\351\303\251";

/* ---- the tree ---- */

static char *region;

static void grandchild(void *arg)
{
	cs_touch(region, 16, 4, 4);
}

static void odd_child(void *arg)
{
	cs_touch(region, 0, 16, 3);
	prctl(PR_SET_NAME, odd_comm);
	cs_spawn(grandchild, NULL);
}

static void build_tree(void *arg)
{
	region = cs_region(NR_PAGES, 0);
	if (!region)
		_exit(1);
	cs_touch(region, 0, NR_PAGES, 1);
	if (cs_spawn(odd_child, NULL) < 0 || cs_clone_vm() < 0 || cs_zombie() < 0)
		_exit(1);
	/* After the forks: file and zero pages that only R maps. */
	if (cs_map_file_and_zero(8, 4, 5))
		_exit(1);
}

/* ---- debugfs ---- */

struct dfs {
	char *tree, *summary, *vmas;
	struct cs_tree_row rows[MAX_ROWS];
	int nr_rows;
};

static void dfs_free(struct dfs *d)
{
	free(d->tree);
	free(d->summary);
	free(d->vmas);
	memset(d, 0, sizeof(*d));
}

static int dfs_read(struct dfs *d, pid_t root)
{
	const char *line;

	memset(d, 0, sizeof(*d));
	if (cs_select(root))
		return -1;
	d->tree = cs_read(CS_DIR "/tree");
	d->summary = cs_read(CS_DIR "/summary");
	d->vmas = cs_read(CS_DIR "/vmas");
	if (!d->tree || !d->summary || !d->vmas)
		return -1;
	for (line = d->tree; line && *line; line = cs_next_line(line))
		if (d->nr_rows < MAX_ROWS && !cs_parse_tree_row(line, &d->rows[d->nr_rows]))
			d->nr_rows++;
	return 0;
}

/* Undo the files' \ooo escaping (README, "debugfs"). */
static void unescape(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (*s && n + 1 < len) {
		if (s[0] == '\\' && s[1] && s[2] && s[3]) {
			out[n++] = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- comparisons ---- */

static int js_uint_is(const struct js *j, unsigned long long v)
{
	return j && j->type == JS_NUM && j->is_uint && j->u == v;
}

/* A JSON count against the files' text for it: "-" is null. */
static int js_matches_text(const struct js *j, const char *text)
{
	char *end;
	unsigned long long v;

	if (!strcmp(text, "-"))
		return j && j->type == JS_NULL;
	v = strtoull(text, &end, 10);
	return *text && !*end && js_uint_is(j, v);
}

/* The JSON flags of a process, as the tree file words them. */
static void js_flags_text(const struct js *p, char *buf, size_t len)
{
	const struct js *fl = js_get(p, "flags"), *with = js_get(p, "mm_shared_with");
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; fl && fl->type == JS_ARR && i < fl->n; i++) {
		const char *w = fl->v[i].type == JS_STR ? fl->v[i].s : "?";

		if (!strcmp(w, "mm_shared") && with && with->is_uint)
			off += snprintf(buf + off, len - off, "%smm_shared_with=%llu",
					off ? "," : "", with->u);
		else
			off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", w);
		if (off >= len)
			break;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* Does JSON process @p say what tree row @r says?  Why not, in @why. */
static int proc_matches(const struct js *p, const struct cs_tree_row *r, int vmas,
			char *why, size_t len)
{
	const struct js *comm = js_get(p, "comm"), *cf = js_get(p, "cow_faults");
	char flags[128], raw[64];
	int i;

	if (!js_uint_is(js_get(p, "pid"), r->pid) || !js_uint_is(js_get(p, "ppid"), r->ppid) ||
	    !js_uint_is(js_get(p, "depth"), r->depth))
		return snprintf(why, len, "pid/ppid/depth of %d", r->pid), 0;
	unescape(r->comm, raw, sizeof(raw));
	if (!comm || comm->type != JS_STR || strcmp(comm->s, raw) || comm->len != strlen(raw))
		return snprintf(why, len, "comm of %d", r->pid), 0;
	js_flags_text(p, flags, sizeof(flags));
	if (strcmp(flags, r->flags))
		return snprintf(why, len, "flags of %d: %s, not %s", r->pid, flags, r->flags), 0;
	for (i = 0; i < F_NR; i++)
		if (!js_uint_is(js_get(p, cs_fields[i]), r->p.v[i]))
			return snprintf(why, len, "%s of %d", cs_fields[i], r->pid), 0;
	if (r->cow_faults < 0 ? !cf || cf->type != JS_NULL : !js_uint_is(cf, r->cow_faults))
		return snprintf(why, len, "cow_faults of %d", r->pid), 0;
	if (!js_uint_is(js_get(p, "skipped_vmas"), r->skipped_vmas))
		return snprintf(why, len, "skipped_vmas of %d", r->pid), 0;
	/* pid ppid depth comm flags mm_shared_with, 14 counts, vmas */
	if (p->n != 20u + vmas || !js_get(p, "mm_shared_with") || !!js_get(p, "vmas") != vmas)
		return snprintf(why, len, "%zu members in %d's object", p->n, r->pid), 0;
	return 1;
}

/* The tree and summary files against a whole --json document. */
static int doc_matches(const struct js *doc, const struct dfs *d, int vmas, char *why, size_t len)
{
	const struct js *procs = js_get(doc, "processes"), *tot = js_get(doc, "totals");
	const char *line;
	char key[64], val[64];
	size_t nkeys = 0;
	int i;

	if (!doc || doc->type != JS_OBJ || doc->n != 4)
		return snprintf(why, len, "not an object of root, page_size, processes, totals"), 0;
	if (!js_uint_is(js_get(doc, "root"), d->rows[0].pid) ||
	    !js_uint_is(js_get(doc, "page_size"), getpagesize()))
		return snprintf(why, len, "root or page_size"), 0;
	if (!procs || procs->type != JS_ARR || procs->n != (size_t)d->nr_rows)
		return snprintf(why, len, "%zu processes, not %d", procs ? procs->n : 0, d->nr_rows), 0;
	for (i = 0; i < d->nr_rows; i++)
		if (!proc_matches(&procs->v[i], &d->rows[i], vmas, why, len))
			return 0;
	/* Every summary line but root and page_size is a member of totals. */
	for (line = d->summary; line && *line; line = cs_next_line(line)) {
		if (sscanf(line, "%63[^:]: %63s", key, val) != 2)
			return snprintf(why, len, "summary line %.20s", line), 0;
		if (!strcmp(key, "root") || !strcmp(key, "page_size"))
			continue;
		nkeys++;
		if (!js_matches_text(js_get(tot, key), val))
			return snprintf(why, len, "totals.%s is not %s", key, val), 0;
	}
	if (!tot || tot->n != nkeys)
		return snprintf(why, len, "totals has %zu members, not %zu", tot ? tot->n : 0, nkeys), 0;
	return 1;
}

/* A hex string member ("0x7f00...") against a number. */
static int js_hex_is(const struct js *j, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	return j && j->type == JS_STR && !strcmp(j->s, buf);
}

/*
 * The vmas file against the "vmas" arrays of a --json --vmas document: the
 * file's lines, in order, are the arrays' members, process by process.
 */
static int vmas_match(const struct js *doc, const struct dfs *d, char *why, size_t len)
{
	const struct js *procs = js_get(doc, "processes"), *arr, *v, *nm, *perms;
	char pr[8], name[256], raw[256];
	const char *line = d->vmas, *rest;
	unsigned long start, end;
	unsigned long long off;
	struct cs_pages pg;
	size_t j, seen = 0;
	int k, i, pid, n;

	for (k = 0; k < d->nr_rows; k++) {
		arr = js_get(&procs->v[k], "vmas");
		if (!arr || arr->type != JS_ARR)
			return snprintf(why, len, "no vmas array for %d", d->rows[k].pid), 0;
		for (j = 0; j < arr->n; j++, seen++) {
			v = &arr->v[j];
			if (!line || !*line)
				return snprintf(why, len, "vmas ends before VMA %zu of %d", j,
						d->rows[k].pid), 0;
			rest = NULL;
			if (sscanf(line, "%d %lx-%lx %7s %llx%n", &pid, &start, &end, pr, &off,
				   &n) == 5)
				rest = cs_parse_pages(line + n, &pg);
			if (!rest)
				return snprintf(why, len, "vmas line %.40s", line), 0;
			if (pid != d->rows[k].pid)
				return snprintf(why, len, "vmas line %zu is of %d, JSON's of %d",
						seen, pid, d->rows[k].pid), 0;
			rest += *rest == ' ';
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(rest, "\n"), rest);
			unescape(name, raw, sizeof(raw));
			nm = js_get(v, "name");
			perms = js_get(v, "perms");
			if (!js_hex_is(js_get(v, "start"), start) ||
			    !js_hex_is(js_get(v, "end"), end) ||
			    !js_hex_is(js_get(v, "offset"), off) ||
			    !perms || perms->type != JS_STR || strcmp(perms->s, pr))
				return snprintf(why, len, "VMA %lx of %d: range, perms or offset",
						start, pid), 0;
			if (*raw ? !nm || nm->type != JS_STR || strcmp(nm->s, raw) :
				   !nm || nm->type != JS_NULL)
				return snprintf(why, len, "VMA %lx of %d: name %.100s", start, pid,
						name), 0;
			for (i = 0; i < F_NR; i++)
				if (!js_uint_is(js_get(v, cs_fields[i]), pg.v[i]))
					return snprintf(why, len, "VMA %lx of %d: %s", start, pid,
							cs_fields[i]), 0;
			if (v->n != 5 + F_NR)
				return snprintf(why, len, "VMA %lx of %d: %zu members", start,
						pid, v->n), 0;
			line = cs_next_line(line);
		}
	}
	if (line && *line)
		return snprintf(why, len, "vmas has more lines than JSON VMAs: %.40s", line), 0;
	if (!seen)
		return snprintf(why, len, "no VMAs at all"), 0;
	return 1;
}

/* ---- tables ---- */

static const char * const table_fields[] = {
	"rss", "anon", "shared", "private", "cow_broken", "swap", "zero",
};
static const int table_cols[] = {
	F_RSS, F_ANON, F_SHARED, F_PRIVATE, F_COW_BROKEN, F_SWAP, F_ZERO,
};
#define NR_TABLE_COLS	7

/*
 * A size cell: "0", "123B", or the largest binary unit under which the
 * value is at least 1, with one decimal, rounded.
 */
static int human_ok(const char *cell, unsigned long long pages)
{
	unsigned long long bytes = pages * getpagesize(), unit = 1024;
	const char *units = "KMGTPE", *u;
	double v;
	char c, buf[32];
	int n;

	if (!bytes)
		return !strcmp(cell, "0");
	if (bytes < 1024) {
		snprintf(buf, sizeof(buf), "%lluB", bytes);
		return !strcmp(cell, buf);
	}
	if (sscanf(cell, "%lf%c%n", &v, &c, &n) != 2 || cell[n])
		return 0;
	u = strchr(units, c);
	if (!u)
		return 0;
	unit <<= 10 * (u - units);
	return v >= 1.0 && v < 1024.0 && v * unit - bytes <= 0.05 * unit + 1 &&
	       bytes - v * unit <= 0.05 * unit + 1;
}

/*
 * Check a table (cowstat [--pages] ROOT) against the files: the header, a
 * row per process with its values, flags and indented comm, then the
 * totals row.  @pages: the cells are page counts, else sizes.
 */
static int table_matches(const char *out, const struct dfs *d, int pages, char *why, size_t len)
{
	char cells[NR_TABLE_COLS][32], pid[16], flags[128], tail[256], want[256], val[32];
	unsigned long long tot[NR_TABLE_COLS], unique, saved, rss;
	const char *line = out, *t = out;
	int i, r, n;

	n = -1;
	sscanf(line, " PID RSS ANON SHARED PRIVATE COW-BROKEN SWAP ZERO FLAGS COMM%n", &n);
	if (n < 0 || line[n] != '\n')
		return snprintf(why, len, "header: %.*s", (int)strcspn(line, "\n"), line), 0;
	for (r = 0; r <= d->nr_rows; r++) {
		const struct cs_tree_row *row = &d->rows[r];

		line = strchr(line, '\n');
		if (!line)
			return snprintf(why, len, "%d rows, not %d", r, d->nr_rows + 1), 0;
		line++;
		if (sscanf(line, " %15s %31s %31s %31s %31s %31s %31s %31s%n", pid, cells[0], cells[1],
			   cells[2], cells[3], cells[4], cells[5], cells[6], &n) != 8)
			return snprintf(why, len, "row %d: %.60s", r, line), 0;
		t = line + n;
		if (r == d->nr_rows)
			break;
		if (sscanf(t, " %127s%n", flags, &n) != 1)
			return snprintf(why, len, "row %d: no flags", r), 0;
		t += n;
		t += strspn(t, " ");
		snprintf(tail, sizeof(tail), "%.*s", (int)strcspn(t, "\n"), t);
		snprintf(want, sizeof(want), "%s%s", row->depth ? "\\_ " : "", row->comm);
		if (atoi(pid) != row->pid || strcmp(flags, row->flags) || strcmp(tail, want))
			return snprintf(why, len, "row of %d: pid/flags/comm '%.100s'", row->pid, tail), 0;
		for (i = 0; i < NR_TABLE_COLS; i++) {
			unsigned long long v = row->p.v[table_cols[i]];

			snprintf(val, sizeof(val), "%llu", v);
			if (pages ? strcmp(cells[i], val) : !human_ok(cells[i], v))
				return snprintf(why, len, "%s of %d: %s for %llu pages",
						table_fields[i], row->pid, cells[i], v), 0;
		}
	}
	/* The totals row: "total", the values, "N processes, unique U, saved S (P%)". */
	if (strcmp(pid, "total"))
		return snprintf(why, len, "no totals row"), 0;
	for (i = 0; i < NR_TABLE_COLS; i++) {
		if (cs_summary_get(d->summary, table_fields[i], val, sizeof(val)))
			return snprintf(why, len, "summary has no %s", table_fields[i]), 0;
		tot[i] = strtoull(val, NULL, 10);
		snprintf(want, sizeof(want), "%llu", tot[i]);
		if (pages ? strcmp(cells[i], want) : !human_ok(cells[i], tot[i]))
			return snprintf(why, len, "total %s: %s", table_fields[i], cells[i]), 0;
	}
	cs_summary_get(d->summary, "unique", val, sizeof(val));
	unique = strtoull(val, NULL, 10);
	cs_summary_get(d->summary, "saved", val, sizeof(val));
	saved = strtoull(val, NULL, 10);
	cs_summary_get(d->summary, "processes", val, sizeof(val));
	rss = tot[0];
	t += strspn(t, " ");
	snprintf(tail, sizeof(tail), "%.*s", (int)strcspn(t, "\n"), t);
	if (pages)
		snprintf(want, sizeof(want), "%s processes, unique %llu, saved %llu (%.1f%%)",
			 val, unique, saved, 100.0 * saved / rss);
	else
		snprintf(want, sizeof(want), "%s processes, unique ", val);
	if (pages ? strcmp(tail, want) : strncmp(tail, want, strlen(want)))
		return snprintf(why, len, "totals tail '%.100s', want '%.100s'", tail, want), 0;
	if (strchr(t, '\n')[1])
		return snprintf(why, len, "text after the totals row"), 0;
	return 1;
}

/* ---- Prometheus ---- */

/* The one line of @out that starts with @prefix, or NULL (none, or several). */
static const char *prom_line(const char *out, const char *prefix)
{
	const char *line, *hit = NULL;

	for (line = out; line && *line; line = cs_next_line(line)) {
		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		if (hit)
			return NULL;
		hit = line;
	}
	return hit;
}

/* The value of that line (its last word), or -1 without one line. */
static long long prom_value(const char *out, const char *prefix)
{
	const char *line = prom_line(out, prefix), *sp;

	if (!line)
		return -1;
	sp = line + strcspn(line, "\n");
	while (sp > line && sp[-1] != ' ')
		sp--;
	return atoll(sp);
}

/* Each family's samples follow its one # TYPE line, none elsewhere. */
static int prom_families_ok(const char *out, char *why, size_t len)
{
	char fam[128] = "", name[128], types[64][128];
	const char *line;
	int nt = 0, i;

	for (line = out; line && *line; line = cs_next_line(line)) {
		if (!strncmp(line, "# HELP ", 7))
			continue;
		if (sscanf(line, "# TYPE %127s", fam) == 1) {
			for (i = 0; i < nt; i++)
				if (!strcmp(types[i], fam))
					return snprintf(why, len, "two TYPE lines for %s", fam), 0;
			if (nt < 64)
				strcpy(types[nt++], fam);
			continue;
		}
		if (sscanf(line, "%127[a-z_]", name) != 1 || strcmp(name, fam))
			return snprintf(why, len, "sample outside its family: %.60s", line), 0;
	}
	return nt > 0;
}

static int prom_matches(const char *out, const struct dfs *d, char *why, size_t len)
{
	char prefix[256], want[160], val[64], name[64];
	const char *info;
	long long got;
	int r, i, root = d->rows[0].pid;

	if (!prom_families_ok(out, why, len))
		return 0;
	for (r = 0; r < d->nr_rows; r++) {
		const struct cs_tree_row *row = &d->rows[r];

		snprintf(prefix, sizeof(prefix),
			 "cowstat_process_info{root=\"%d\",pid=\"%d\",ppid=\"%d\",depth=\"%d\",comm=\"",
			 root, row->pid, row->ppid, row->depth);
		info = prom_line(out, prefix);
		snprintf(want, sizeof(want), "\",flags=\"%s\"} 1\n", row->flags);
		if (!info || !strstr(info, want) || strstr(info, want) != strchr(info, '\n') + 1 -
		    strlen(want))
			return snprintf(why, len, "process_info of %d", row->pid), 0;
		for (i = 0; i <= F_NR + 1; i++) {
			long long want = i < F_NR ? (long long)row->p.v[i] :
					 i == F_NR ? row->cow_faults : (long long)row->skipped_vmas;

			if (i < F_NR)
				snprintf(name, sizeof(name), "cowstat_%s_pages", cs_fields[i]);
			else
				snprintf(name, sizeof(name), i == F_NR ? "cowstat_cow_faults_total" :
					 "cowstat_skipped_vmas");
			snprintf(prefix, sizeof(prefix), "%s{root=\"%d\",pid=\"%d\",", name, root,
				 row->pid);
			got = prom_value(out, prefix);
			if (got != want)
				return snprintf(why, len, "%s of %d: %lld, not %lld", name, row->pid,
						got, want), 0;
		}
	}
	/* Every summary key but root and page_size, as cowstat_tree_<key>. */
	for (i = 0; i <= F_NR + 4; i++) {
		static const char * const more[] = { "cow_faults", "skipped_vmas", "unique",
						     "saved", "processes" };
		const char *key = i < F_NR ? cs_fields[i] : more[i - F_NR];
		int in_pages = i < F_NR || i == F_NR + 2 || i == F_NR + 3;

		if (cs_summary_get(d->summary, key, val, sizeof(val)))
			return snprintf(why, len, "summary has no %s", key), 0;
		snprintf(prefix, sizeof(prefix), "cowstat_tree_%s%s{root=\"%d\"} ", key,
			 in_pages ? "_pages" : "", root);
		got = prom_value(out, prefix);
		if (got != (strcmp(val, "-") ? atoll(val) : -1))
			return snprintf(why, len, "tree %s: %lld, not %s", key, got, val), 0;
	}
	snprintf(prefix, sizeof(prefix), "cowstat_page_size_bytes{root=\"%d\"} ", root);
	if (prom_value(out, prefix) != getpagesize())
		return snprintf(why, len, "page size"), 0;
	return 1;
}

/* ---- the tests ---- */

FIXTURE(cli) {
	pid_t root;
	struct dfs d;
	char why[256], arg[16];
};

FIXTURE_SETUP(cli)
{
	int i, saw_odd = 0, saw_shared = 0, saw_zombie = 0, saw_depth2 = 0, saw_cow = 0;

	if (access(CS_CLI, X_OK))
		SKIP(return, CS_CLI " is not installed (the VM runner copies tools/cowstat there)");
	self->root = cs_spawn(build_tree, NULL);
	ASSERT_LT(0, self->root);
	snprintf(self->arg, sizeof(self->arg), "%d", self->root);
	ASSERT_EQ(0, dfs_read(&self->d, self->root));
	/* The tree is what this file's comment says, or the test proves little. */
	ASSERT_EQ(5, self->d.nr_rows);
	for (i = 0; i < self->d.nr_rows; i++) {
		const struct cs_tree_row *r = &self->d.rows[i];

		saw_odd += !strcmp(r->comm, "w \"q\\134\\001\\351\\303\\251") && r->depth == 1;
		saw_shared += !strncmp(r->flags, "mm_shared_with=", 15);
		saw_zombie += !strcmp(r->flags, "no_mm");
		saw_depth2 += r->depth == 2;
		saw_cow += r->p.v[F_COW_BROKEN] > 0;
	}
	EXPECT_EQ(1, saw_odd) TH_LOG("%s", self->d.tree);
	EXPECT_EQ(1, saw_shared);
	EXPECT_EQ(1, saw_zombie);
	EXPECT_EQ(1, saw_depth2);
	EXPECT_LT(0, saw_cow) TH_LOG("%s", self->d.tree);
	/* R: private file pages and zero pages. */
	EXPECT_LT(self->d.rows[0].p.v[F_ANON_PRIVATE], self->d.rows[0].p.v[F_PRIVATE]);
	EXPECT_EQ(4, self->d.rows[0].p.v[F_ZERO]);
}

FIXTURE_TEARDOWN(cli)
{
	int i;

	for (i = 0; i < self->d.nr_rows; i++)
		kill(self->d.rows[i].pid, SIGKILL);
	cs_reap(self->root);
	dfs_free(&self->d);
	cs_select(1);
}

/* Nothing in the tree moved while the CS_CLI read it. */
static void still_same(struct __test_metadata *_metadata, FIXTURE_DATA(cli) *self)
{
	struct dfs now;

	ASSERT_EQ(0, dfs_read(&now, self->root));
	EXPECT_STREQ(self->d.tree, now.tree);
	EXPECT_STREQ(self->d.summary, now.summary);
	EXPECT_STREQ(self->d.vmas, now.vmas);
	dfs_free(&now);
}

static void expect_ok_run(struct __test_metadata *_metadata, struct cs_cli *c)
{
	EXPECT_EQ(0, c->status) TH_LOG("stderr: %s", c->err);
	EXPECT_STREQ("", c->err);
}

TEST_F(cli, json_equals_debugfs)
{
	struct cs_cli c;
	struct js *doc;
	char err[128];

	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--json", self->arg, NULL));
	expect_ok_run(_metadata, &c);
	doc = js_parse(c.out, err, sizeof(err));
	ASSERT_NE(NULL, doc) TH_LOG("not JSON: %s", err);
	EXPECT_TRUE(doc_matches(doc, &self->d, 0, self->why, sizeof(self->why)))
		TH_LOG("%s\n%s\n%s\n%s", self->why, c.out, self->d.tree, self->d.summary);
	still_same(_metadata, self);
	js_free(doc);
	cs_cli_free(&c);
}

TEST_F(cli, json_vmas_equal_debugfs)
{
	struct cs_cli c;
	struct js *doc;
	char err[128];

	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--vmas", "--json", self->arg, NULL));
	expect_ok_run(_metadata, &c);
	doc = js_parse(c.out, err, sizeof(err));
	ASSERT_NE(NULL, doc) TH_LOG("not JSON: %s", err);
	EXPECT_TRUE(doc_matches(doc, &self->d, 1, self->why, sizeof(self->why)))
		TH_LOG("%s", self->why);
	EXPECT_TRUE(vmas_match(doc, &self->d, self->why, sizeof(self->why)))
		TH_LOG("%s\n%s\n%s", self->why, c.out, self->d.vmas);
	still_same(_metadata, self);
	js_free(doc);
	cs_cli_free(&c);
}

TEST_F(cli, table_in_pages_equals_debugfs)
{
	struct cs_cli c;

	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--pages", self->arg, NULL));
	expect_ok_run(_metadata, &c);
	EXPECT_TRUE(table_matches(c.out, &self->d, 1, self->why, sizeof(self->why)))
		TH_LOG("%s\n%s\n%s", self->why, c.out, self->d.tree);
	still_same(_metadata, self);
	cs_cli_free(&c);
}

TEST_F(cli, table_in_sizes_equals_debugfs)
{
	struct cs_cli c;

	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, self->arg, NULL));
	expect_ok_run(_metadata, &c);
	EXPECT_TRUE(table_matches(c.out, &self->d, 0, self->why, sizeof(self->why)))
		TH_LOG("%s\n%s\n%s", self->why, c.out, self->d.tree);
	still_same(_metadata, self);
	cs_cli_free(&c);
}

TEST_F(cli, prometheus_equals_debugfs)
{
	struct cs_cli c;

	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--prometheus", self->arg, NULL));
	expect_ok_run(_metadata, &c);
	EXPECT_TRUE(prom_matches(c.out, &self->d, self->why, sizeof(self->why)))
		TH_LOG("%s\n%s\n%s", self->why, c.out, self->d.tree);
	still_same(_metadata, self);
	cs_cli_free(&c);
}

/* A failure: status @status, nothing on stdout, one "cowstat: " line on stderr. */
static void expect_error(struct __test_metadata *_metadata, struct cs_cli *c, int status,
			 const char *word)
{
	EXPECT_EQ(status, c->status) TH_LOG("stderr: %s", c->err);
	EXPECT_STREQ("", c->out);
	EXPECT_EQ(0, strncmp(c->err, "cowstat: ", 9)) TH_LOG("stderr: %s", c->err);
	EXPECT_NE(NULL, strstr(c->err, word)) TH_LOG("no '%s' in: %s", word, c->err);
	cs_cli_free(c);
}

TEST(no_such_pid_exits_3)
{
	char arg[16];
	struct cs_cli c;
	pid_t gone = fork();

	ASSERT_LE(0, gone);
	if (!gone)
		_exit(0);
	waitpid(gone, NULL, 0);
	snprintf(arg, sizeof(arg), "%d", gone);
	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, arg, NULL));
	EXPECT_EQ(1, count_lines(c.err));
	expect_error(_metadata, &c, 3, arg);
	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--json", arg, NULL));
	EXPECT_EQ(1, count_lines(c.err));
	expect_error(_metadata, &c, 3, arg);
}

TEST(process_of_another_user_exits_4)
{
	struct cs_cli c;

	ASSERT_EQ(0, cs_cli_run(&c, USER, 0, "1", NULL));
	EXPECT_EQ(1, count_lines(c.err));
	expect_error(_metadata, &c, 4, "permission denied");
}

TEST(bad_option_exits_64)
{
	struct cs_cli c;

	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--no-such-option", "1", NULL));
	expect_error(_metadata, &c, 64, "no-such-option");
	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--watch", "-1", "1", NULL));
	expect_error(_metadata, &c, 64, "-1");
	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "12x", NULL));
	expect_error(_metadata, &c, 64, "12x");
}

/* uid 1000's tree R' with children: uid 1000, root, uid 1000 not dumpable. */
static void as_user(void *arg)
{
	cs_become(USER, 1);
}

static void as_user_undumpable(void *arg)
{
	cs_become(USER, 0);
}

static void user_tree(void *arg)
{
	char *r = cs_region(8, 0);

	if (!r)
		_exit(1);
	cs_touch(r, 0, 8, 1);
	cs_spawn(as_user, NULL);
	cs_spawn(NULL, NULL);
	cs_spawn(as_user_undumpable, NULL);
	cs_become(USER, 1);
}

TEST(unprivileged_user_sees_its_own_processes_only)
{
	const struct js *procs, *p;
	char arg[16], err[128], why[256], old[32];
	int i, j, permitted = 0;
	struct dfs d;
	struct cs_cli c;
	struct js *doc;
	pid_t root;

	if (access(CS_CLI, X_OK))
		SKIP(return, CS_CLI " is not installed");
	root = cs_spawn(user_tree, NULL);
	ASSERT_LT(0, root);
	snprintf(arg, sizeof(arg), "%d", root);
	ASSERT_EQ(0, dfs_read(&d, root));
	ASSERT_EQ(4, d.nr_rows);
	/* The ptrace-read rule applies only with unprivileged_read on. */
	ASSERT_EQ(0, cs_param_set("unprivileged_read", "Y", old));
	ASSERT_EQ(0, cs_cli_run(&c, USER, 0, "--json", arg, NULL));
	cs_param_set("unprivileged_read", old, NULL);
	EXPECT_EQ(0, c.status) TH_LOG("stderr: %s", c.err);
	doc = js_parse(c.out, err, sizeof(err));
	ASSERT_NE(NULL, doc) TH_LOG("not JSON: %s", err);
	procs = js_get(doc, "processes");
	ASSERT_NE(NULL, procs);
	ASSERT_EQ(4, procs->n);
	for (i = 0; i < d.nr_rows; i++) {
		const struct js *fl;
		struct stat st;
		char path[40];

		p = &procs->v[i];
		snprintf(path, sizeof(path), "/proc/%d/environ", d.rows[i].pid);
		ASSERT_EQ(0, stat(path, &st));
		fl = js_get(p, "flags");
		ASSERT_NE(NULL, fl);
		/* The files in /proc/PID of an undumpable process belong to root. */
		if (st.st_uid == USER) {
			/* Its own and dumpable: the same as root sees in debugfs. */
			EXPECT_TRUE(proc_matches(p, &d.rows[i], 0, why, sizeof(why)))
				TH_LOG("%s", why);
			permitted++;
			continue;
		}
		/* Root's, or not dumpable: no count of it. */
		EXPECT_TRUE(js_uint_is(js_get(p, "pid"), d.rows[i].pid));
		ASSERT_EQ(1, fl->n);
		EXPECT_STREQ("not_permitted", fl->v[0].s);
		for (j = 0; j < F_NR; j++)
			EXPECT_EQ(JS_NULL, js_get(p, cs_fields[j])->type);
		EXPECT_EQ(JS_NULL, js_get(p, "cow_faults")->type);
		EXPECT_EQ(JS_NULL, js_get(p, "skipped_vmas")->type);
	}
	/* R' and its uid 1000 dumpable child. */
	EXPECT_EQ(2, permitted);
	js_free(doc);
	cs_cli_free(&c);
	for (i = 0; i < d.nr_rows; i++)
		kill(d.rows[i].pid, SIGKILL);
	cs_reap(root);
	dfs_free(&d);
	cs_select(1);
}

/* What the running CS_CLI has written so far (pread: its offset stays). */
static char *peek(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n;

	if (fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size + 1);
	if (!buf)
		return NULL;
	n = pread(fd, buf, st.st_size, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int count_str(const char *s, const char *needle)
{
	int n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Wait (up to 60 s) until the CS_CLI's output holds @n totals rows. */
static int wait_samples(int fd, int n)
{
	int i, have = 0;
	char *out;

	for (i = 0; i < 600 && have < n; i++) {
		out = peek(fd);
		have = count_str(out, "\ntotal ");
		free(out);
		if (have < n)
			usleep(100000);
	}
	return have;
}

/*
 * --watch --pages on a tree where one child rewrites 24 shared pages
 * between samples: the samples are separated and headed, the first has no
 * change, the COW-BROKEN changes add up to the 24 pages, the rate is
 * positive where they happened, and SIGINT ends it with status 0.
 */
TEST(watch_shows_cow_breaks_as_they_happen)
{
	char arg[16], pidw[16], *args[] = { "--watch", "0.3", "--pages", arg, NULL };
	int go[2], done[2], nr, samples = 0, rates = 0;
	long long first = -1, last = -1, sum = 0;
	const char *line;
	struct cs_cli c;
	pid_t w, cli;
	char *r, x;

	if (access(CS_CLI, X_OK))
		SKIP(return, CS_CLI " is not installed");
	r = cs_region(64, 0);
	ASSERT_NE(NULL, r);
	cs_touch(r, 0, 64, 1);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	w = fork();
	ASSERT_LE(0, w);
	if (!w) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (read(go[0], &x, 1) != 1)
			_exit(1);
		cs_touch(r, 0, 24, 2);
		if (write(done[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	snprintf(arg, sizeof(arg), "%d", getpid());
	snprintf(pidw, sizeof(pidw), "%d", w);
	cli = cs_cli_start(&c, 0, 0, args);
	ASSERT_LT(0, cli);
	ASSERT_LE(2, wait_samples(c.outfd, 2));
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(1, read(done[0], &x, 1));
	/* Two more: the second began after the writes were done. */
	nr = wait_samples(c.outfd, 1);
	nr = wait_samples(c.outfd, nr + 2);
	kill(cli, SIGINT);
	ASSERT_EQ(0, cs_cli_finish(&c, cli));
	EXPECT_EQ(0, c.status) TH_LOG("stderr: %s", c.err);
	EXPECT_STREQ("", c.err);

	/* W's row in each sample: PID RSS dRSS SHARED dSHARED PRIVATE dPRIVATE COW-BROKEN dCOW COW/s */
	for (line = c.out; line && *line; line = cs_next_line(line)) {
		char cell[10][32];
		long long cow;

		if (!strncmp(line, "cowstat ", 8)) {
			samples++;
			continue;
		}
		if (sscanf(line, " %31s %31s %31s %31s %31s %31s %31s %31s %31s %31s", cell[0],
			   cell[1], cell[2], cell[3], cell[4], cell[5], cell[6], cell[7], cell[8],
			   cell[9]) != 10 || strcmp(cell[0], pidw))
			continue;
		cow = atoll(cell[7]);
		if (first < 0) {
			first = cow;
			EXPECT_STREQ("-", cell[8]);
			EXPECT_STREQ("-", cell[9]);
		} else {
			sum += atoll(cell[8]);
			if (cow > last)
				EXPECT_EQ('+', cell[8][0]) TH_LOG("dCOW %s", cell[8]);
			rates += cell[9][0] == '+' && atof(cell[9] + 1) > 0;
		}
		last = cow;
	}
	EXPECT_LE(4, samples);
	EXPECT_EQ(samples, count_str(c.out, "\ntotal "));
	EXPECT_EQ(samples, count_str(c.out, ", every 0.3s: sample "));
	/* W's stack and data were already copied once before: count from there. */
	EXPECT_LE(0, first);
	EXPECT_EQ(24, last - first) TH_LOG("%s", c.out);
	EXPECT_EQ(24, sum);
	EXPECT_LE(1, rates);
	cs_cli_free(&c);
	kill(w, SIGKILL);
	waitpid(w, NULL, 0);
}

/* Last: it unloads the module and loads it again. */
TEST(module_not_loaded_exits_2)
{
	const char *ko = getenv("COWSTAT_KO");
	struct cs_cli c;
	int fd, ret;

	if (!ko)
		SKIP(return, "COWSTAT_KO does not name cowstat.ko, so it could not be loaded again");
	if (access(CS_CLI, X_OK))
		SKIP(return, CS_CLI " is not installed");
	ASSERT_EQ(0, syscall(SYS_delete_module, "cowstat", O_NONBLOCK)) TH_LOG("%s", strerror(errno));
	ret = cs_cli_run(&c, 0, 0, "1", NULL);
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0)) TH_LOG("%s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(1, count_lines(c.err));
	expect_error(_metadata, &c, 2, "not loaded");

	/* And it works again. */
	ASSERT_EQ(0, cs_cli_run(&c, 0, 0, "--json", "1", NULL));
	EXPECT_EQ(0, c.status) TH_LOG("stderr: %s", c.err);
	cs_cli_free(&c);
}

TEST_HARNESS_MAIN
