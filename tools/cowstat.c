// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat - shared, private and COW-broken memory of a process tree.
 *
 * The command: parse the command line (options.c), read the tree from the
 * cowstat module's generic netlink family (nl.c) or, with --backend=pagemap,
 * from /proc (pagemap.c), print it (format.c), and with --watch do that
 * again every interval until SIGINT or SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/cowstat.h>

#include "format.h"
#include "nl.h"
#include "options.h"
#include "pagemap.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One line on stderr, and the exit status that goes with the error. */
static int report(const struct cs_nl_err *e, uint32_t pid)
{
	char msg[512];
	int status = cs_nl_explain(e, pid, msg, sizeof(msg));

	fprintf(stderr, "cowstat: %s\n", msg);
	return status;
}

/* stdout may be a pipe or a full disk: a lost write is an error. */
static int flush_stdout(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "cowstat: write error: %s\n", strerror(errno));
		return CS_EXIT_ERROR;
	}
	return CS_EXIT_OK;
}

/*
 * One dump of the tree: from the module through @nl, or with
 * --backend=pagemap from /proc (then @nl is NULL).  Both fill @t alike and
 * report errors alike, so that every output and exit status is the same.
 */
static int dump(struct cs_nl *nl, const struct cs_opts *o, bool vmas, struct cs_tree *t,
		struct cs_nl_err *e)
{
	if (o->backend == CS_BACKEND_PAGEMAP)
		return cs_pm_dump(o->pid, vmas, t, e);
	return cs_nl_dump(nl, o->pid, vmas, t, e);
}

static int once(struct cs_nl *nl, const struct cs_opts *o)
{
	struct cs_fmt fmt = {
		.pages = o->pages, .vmas = o->vmas, .sort = o->sort, .top = o->top,
	};
	struct cs_tree t = { 0 };
	struct cs_nl_err e;
	int ret;

	if (dump(nl, o, o->vmas, &t, &e) < 0) {
		cs_tree_free(&t);
		return report(&e, o->pid);
	}
	if (o->json)
		cs_print_json(stdout, &t, o->vmas);
	else if (o->prometheus)
		cs_print_prometheus(stdout, &t);
	else
		cs_print_table(stdout, &t, &fmt);
	ret = flush_stdout();
	cs_tree_free(&t);
	return ret;
}

static double seconds(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

static struct timespec to_timespec(double s)
{
	struct timespec ts;

	if (s < 0)
		s = 0;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	return ts;
}

/*
 * Sleep until @deadline (CLOCK_MONOTONIC seconds) or a signal.  The signals
 * stay blocked except inside ppoll(), so that one arriving between the check
 * of @stop and the sleep still ends the sleep.
 */
static void sleep_until(double deadline, const sigset_t *sigs)
{
	struct timespec now, ts;
	sigset_t orig;

	sigprocmask(SIG_BLOCK, sigs, &orig);
	while (!stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (seconds(&now) >= deadline)
			break;
		ts = to_timespec(deadline - seconds(&now));
		ppoll(NULL, 0, &ts, &orig);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
}

/* "cowstat 157, every 2s: sample 3 at 14:02:11, 2.00s after the previous" */
static void heading(const struct cs_opts *o, unsigned long n, double since)
{
	time_t now = time(NULL);
	char clock[16];

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	printf("cowstat %u, every %gs: sample %lu at %s", o->pid, o->watch, n, clock);
	if (since > 0)
		printf(", %.2fs after the previous", since);
	putchar('\n');
}

/* --record: @f is the record file; a lost line is an error. */
static int record_sample(FILE *f, const char *name, const struct cs_tree *t, double since,
			 unsigned long n)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	cs_print_json_line(f, t, seconds(&now), since, n);
	if (fflush(f) || ferror(f)) {
		fprintf(stderr, "cowstat: cannot write %s: %s\n", name, strerror(errno));
		return CS_EXIT_ERROR;
	}
	return CS_EXIT_OK;
}

/*
 * --watch: a sample every interval (measured from the start of one dump to
 * the start of the next, so that slow walks do not make it drift; after a
 * walk longer than the interval, an interval from its end), printed
 * with the change since the previous sample.  On a terminal each sample
 * replaces the last; into a pipe or file they follow each other, separated
 * by a blank line.  SIGINT and SIGTERM end it with status 0, also in the
 * middle of a dump (whose reply is dropped).  The signals are unblocked only
 * while waiting: for the kernel's reply or for the next tick.
 *
 * --record (@rec, the file) samples the same way, with the VMAs, and
 * writes each sample as one JSON line, flushed at once, instead.
 */
static int watch(struct cs_nl *nl, const struct cs_opts *o, FILE *rec)
{
	struct cs_fmt fmt = {
		.pages = o->pages, .vmas = o->vmas, .sort = o->sort, .top = o->top,
	};
	struct cs_tree prev = { 0 }, cur = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	bool tty = isatty(STDOUT_FILENO), have_prev = false, vmas = o->vmas || rec;
	double start, first = 0, prev_start = 0, next, every = rec ? o->interval : o->watch;
	struct timespec now;
	struct cs_nl_err e;
	unsigned long n = 0;
	sigset_t sigs, orig;
	int ret = CS_EXIT_OK;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	clock_gettime(CLOCK_MONOTONIC, &now);
	next = seconds(&now);
	while (!stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		start = seconds(&now);
		if (dump(nl, o, vmas, &cur, &e) < 0) {
			if (!stop)
				ret = report(&e, o->pid);
			break;
		}
		if (stop)
			break;
		/*
		 * A signal while printing would cut a write short (EINTR): it
		 * waits until the sample is out.  Clear the screen (home, erase)
		 * or separate the sample from the previous one.
		 */
		sigprocmask(SIG_BLOCK, &sigs, &orig);
		if (!n)
			first = start;
		if (rec) {
			ret = record_sample(rec, o->record, &cur, start - first, ++n);
		} else {
			fputs(tty ? "\033[H\033[2J" : n ? "\n" : "", stdout);
			heading(o, ++n, have_prev ? start - prev_start : 0);
			cs_print_watch(stdout, have_prev ? &prev : NULL, &cur, start - prev_start,
				       &fmt);
			ret = flush_stdout();
		}
		sigprocmask(SIG_SETMASK, &orig, NULL);
		if (ret)
			break;
		cs_tree_free(&prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));
		have_prev = true;
		prev_start = start;

		/* The next tick; after a walk longer than the interval, from now. */
		next += every;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (next < seconds(&now))
			next = seconds(&now) + every;
		sleep_until(next, &sigs);
	}
	cs_tree_free(&prev);
	cs_tree_free(&cur);
	return ret;
}

/* --record FILE: the file is created (or emptied) before the first sample. */
static int record(const struct cs_opts *o)
{
	bool out = !strcmp(o->record, "-");
	FILE *f = out ? stdout : fopen(o->record, "w");
	struct cs_nl_err e;
	struct cs_nl *nl = NULL;
	int ret;

	if (!f) {
		fprintf(stderr, "cowstat: cannot create %s: %s\n", o->record, strerror(errno));
		return CS_EXIT_ERROR;
	}
	if (o->backend == CS_BACKEND_MODULE && cs_nl_open(&nl, &e) < 0) {
		ret = report(&e, o->pid);
	} else {
		ret = watch(nl, o, f);
		if (nl)
			cs_nl_close(nl);
	}
	if (!out && fclose(f) && !ret) {
		fprintf(stderr, "cowstat: cannot write %s: %s\n", o->record, strerror(errno));
		ret = CS_EXIT_ERROR;
	}
	return ret;
}

/*
 * "cowstat plot ...": drawing is done by cowstat-plot (python3 and gnuplot),
 * looked for in $COWSTAT_PLOT, next to this binary (a build tree), then in
 * ../libexec/cowstat/ from it (where make install puts it, for any PREFIX).
 */
static int plot(char *argv[])
{
	static const char *const where[] = { "", "/../libexec/cowstat" };
	const char *env = getenv("COWSTAT_PLOT");
	char self[4096], path[4200], *slash;
	ssize_t n;
	size_t i;

	argv[0] = "cowstat-plot";
	if (env && *env) {
		execv(env, argv);
		fprintf(stderr, "cowstat: cannot run %s: %s\n", env, strerror(errno));
		return CS_EXIT_ERROR;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
	if (slash) {
		*slash = '\0';
		for (i = 0; i < ARRAY_SIZE(where); i++) {
			snprintf(path, sizeof(path), "%s%s/cowstat-plot", self, where[i]);
			if (!access(path, X_OK))
				execv(path, argv);
		}
	}
	fprintf(stderr, "cowstat: cannot find cowstat-plot (beside %s, or in %s)\n",
		slash ? self : "cowstat", "../libexec/cowstat/");
	return CS_EXIT_ERROR;
}

/*
 * --list-fields: what --sort takes besides pid, in --json's order, so that
 * the bash completion learns a new field from the binary it completes.
 */
static int list_fields(void)
{
	int f;

	for (f = 0; f < CS_NR_PROC_FIELDS; f++)
		puts(cs_field_names[f]);
	return flush_stdout();
}

int main(int argc, char *argv[])
{
	struct cs_opts o;
	struct cs_nl_err e;
	struct cs_nl *nl = NULL;
	char err[512];
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "plot"))
		return plot(argv + 1);
	ret = cs_parse_args(argc, argv, &o, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "cowstat: %s\nTry 'cowstat --help' for more information.\n", err);
		return CS_EXIT_USAGE;
	}
	if (o.help) {
		fputs(cs_usage, stdout);
		return flush_stdout();
	}
	if (o.list_fields)
		return list_fields();
	if (o.version) {
		printf("cowstat %s (generic netlink family \"%s\", version %d)\n", CS_TOOL_VERSION,
		       COWSTAT_FAMILY_NAME, COWSTAT_FAMILY_VERSION);
		return flush_stdout();
	}
	if (o.record)
		return record(&o);
	if (o.backend == CS_BACKEND_MODULE && cs_nl_open(&nl, &e) < 0)
		return report(&e, o.pid);
	ret = o.watch ? watch(nl, &o, NULL) : once(nl, &o);
	if (nl)
		cs_nl_close(nl);
	return ret;
}
