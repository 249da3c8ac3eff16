// SPDX-License-Identifier: GPL-2.0
/*
 * cowstat CLI: command line parsing.  Kept apart from main() and from the
 * netlink code so that the host tests can run every bad input through it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "options.h"

const char cs_usage[] =
"Usage: cowstat [OPTIONS] PID\n"
"   or: cowstat plot FILE -o OUT.png|OUT.svg [--top N]\n"
"Shared, private and COW-broken memory of the process tree rooted at PID;\n"
"plot draws a --record FILE.\n"
"\n"
"  --json             print one JSON document (counts in pages)\n"
"  --prometheus       print the Prometheus text format (memory in bytes)\n"
"  --vmas             add each process's VMAs (not with --prometheus)\n"
"  --pages            show page counts instead of sizes in the table\n"
"  --watch SECONDS    redraw every SECONDS with the changes and the\n"
"                     COW-break rate (table only; fractions allowed)\n"
"  --sort FIELD       order the table's rows by FIELD, largest first: a\n"
"                     count of a process (--list-fields names them),\n"
"                     or pid (smallest first)\n"
"  --top N            show only the first N processes of the table\n"
"  --record FILE      write a sample of the tree and its VMAs to FILE\n"
"                     every --interval SECONDS, as JSON lines, until\n"
"                     SIGINT or SIGTERM (FILE '-': stdout)\n"
"  --interval SECONDS the seconds between --record's samples\n"
"  --backend=pagemap  count without the module, from /proc/PID/pagemap,\n"
"                     /proc/kpagecount and /proc/kpageflags (root only;\n"
"                     cow_broken and cow_faults unavailable)\n"
"  --backend=module   through the cowstat module (the default)\n"
"  --list-fields      print the names of a process's counts, one a line\n"
"  -h, --help         show this help\n"
"  -V, --version      show the version\n"
"\n"
"Exit status: 0 ok, 1 error, 2 module not loaded, 3 no such process,\n"
"4 permission denied, 64 bad usage.  See cowstat(8).\n";

static int usage_error(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int usage_error(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/**
 * cs_parse_pid() - a PID as the kernel's netlink policy accepts it
 * @s: the argument
 * @pid: where to store it
 *
 * Only decimal digits: no sign, no white space, no "0x".  strtoul() alone
 * would accept " 12", "+12" and "-1" (as ULONG_MAX), and atoi() "12abc".
 *
 * Return: 0, -EINVAL when malformed or zero, -ERANGE above 2^31 - 1.
 */
int cs_parse_pid(const char *s, uint32_t *pid)
{
	unsigned long long v = 0;
	const char *c;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	for (c = s; *c; c++) {
		v = v * 10 + (*c - '0');
		if (v > 0x7fffffff)
			return -ERANGE;
	}
	if (!v)
		return -EINVAL;
	*pid = v;
	return 0;
}

/**
 * cs_parse_seconds() - the --watch interval
 * @s: the argument: digits with an optional fraction ("2", "0.5", ".25")
 * @sec: where to store it
 *
 * The grammar is checked before strtod(), which would also take " 1",
 * "1e3", "inf", "nan" and hex floats.
 *
 * Return: 0, or -EINVAL when malformed, not positive or above CS_WATCH_MAX.
 */
int cs_parse_seconds(const char *s, double *sec)
{
	size_t digits = 0, dots = 0;
	const char *c;
	double v;

	for (c = s; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (*c == '.' && !dots)
			dots++;
		else
			return -EINVAL;
	}
	if (!digits)
		return -EINVAL;
	v = strtod(s, NULL);
	if (!(v > 0) || v > CS_WATCH_MAX)
		return -EINVAL;
	*sec = v;
	return 0;
}

/**
 * cs_parse_sort() - the --sort field
 * @s: a field name of cowstat.rst, "What is counted" that a process has (rss ..
 *	skipped_vmas), or "pid"; case and '-' for '_' do not matter, so that
 *	the table's heading COW-BROKEN works too
 * @sort: where to store it, as CS_SORT_PID or CS_SORT_FIELD(f)
 *
 * Return: 0, or -EINVAL for any other word.
 */
int cs_parse_sort(const char *s, int *sort)
{
	char word[32];
	size_t i;
	int f;

	for (i = 0; s[i] && i < sizeof(word) - 1; i++)
		word[i] = s[i] == '-' ? '_' : s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
	if (s[i])
		return -EINVAL;
	word[i] = '\0';
	if (!strcmp(word, "pid")) {
		*sort = CS_SORT_PID;
		return 0;
	}
	for (f = 0; f < CS_NR_PROC_FIELDS; f++)
		if (!strcmp(word, cs_field_names[f])) {
			*sort = CS_SORT_FIELD(f);
			return 0;
		}
	return -EINVAL;
}

/**
 * cs_parse_top() - the --top count
 * @s: a positive decimal number, digits only
 * @top: where to store it
 *
 * Return: 0, or -EINVAL when malformed, zero or above CS_TOP_MAX.
 */
int cs_parse_top(const char *s, size_t *top)
{
	unsigned long long v = 0;
	const char *c;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	for (c = s; *c; c++) {
		v = v * 10 + (*c - '0');
		if (v > CS_TOP_MAX)
			return -EINVAL;
	}
	if (!v)
		return -EINVAL;
	*top = v;
	return 0;
}

/**
 * cs_parse_backend() - the --backend name
 * @s: "module" or "pagemap"
 * @backend: where to store it, a CS_BACKEND_* value
 *
 * Return: 0, or -EINVAL for any other word.
 */
int cs_parse_backend(const char *s, int *backend)
{
	if (!strcmp(s, "module"))
		*backend = CS_BACKEND_MODULE;
	else if (!strcmp(s, "pagemap"))
		*backend = CS_BACKEND_PAGEMAP;
	else
		return -EINVAL;
	return 0;
}

static int bad_interval(char *err, size_t len, const char *opt, const char *arg)
{
	return usage_error(err, len, "invalid %s '%s': %s, at most %g", opt, arg,
			   "expected a positive number of seconds", CS_WATCH_MAX);
}

enum {
	OPT_JSON = 256, OPT_PROMETHEUS, OPT_VMAS, OPT_PAGES, OPT_WATCH, OPT_SORT, OPT_TOP,
	OPT_RECORD, OPT_INTERVAL, OPT_BACKEND, OPT_LIST_FIELDS,
};

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "prometheus",	no_argument,		NULL, OPT_PROMETHEUS },
	{ "vmas",	no_argument,		NULL, OPT_VMAS },
	{ "pages",	no_argument,		NULL, OPT_PAGES },
	{ "watch",	required_argument,	NULL, OPT_WATCH },
	{ "sort",	required_argument,	NULL, OPT_SORT },
	{ "top",	required_argument,	NULL, OPT_TOP },
	{ "record",	required_argument,	NULL, OPT_RECORD },
	{ "interval",	required_argument,	NULL, OPT_INTERVAL },
	{ "backend",	required_argument,	NULL, OPT_BACKEND },
	{ "list-fields", no_argument,		NULL, OPT_LIST_FIELDS },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

/**
 * cs_parse_args() - parse the command line
 * @argc: argument count
 * @argv: arguments (getopt_long() may permute them)
 * @o: filled in
 * @err: on a usage error, the message (without "cowstat: ")
 * @errlen: size of @err
 *
 * May be called more than once (the tests do): getopt's state is reset.
 * Options may follow the PID.  A negative number is an unknown option.
 *
 * Return: 0 to run, 1 when --help, --version or --list-fields was asked
 * for (no PID is needed then), -1 on a usage error.
 */
int cs_parse_args(int argc, char *argv[], struct cs_opts *o, char *err, size_t errlen)
{
	const char *arg;
	int c, ret;

	memset(o, 0, sizeof(*o));
	optind = 0;		/* a full reset of getopt's state (glibc) */
	opterr = 0;		/* our own messages, not getopt's */
	while ((c = getopt_long(argc, argv, ":hV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PROMETHEUS:
			o->prometheus = true;
			break;
		case OPT_VMAS:
			o->vmas = true;
			break;
		case OPT_PAGES:
			o->pages = true;
			break;
		case OPT_WATCH:
			if (cs_parse_seconds(optarg, &o->watch))
				return bad_interval(err, errlen, "--watch interval", optarg);
			break;
		case OPT_SORT:
			if (cs_parse_sort(optarg, &o->sort))
				return usage_error(err, errlen, "invalid --sort field '%s': %s",
						   optarg, "see --list-fields for the names");
			break;
		case OPT_TOP:
			if (cs_parse_top(optarg, &o->top))
				return usage_error(err, errlen, "invalid --top count '%s': %s%lu",
						   optarg, "expected a number from 1 to ",
						   CS_TOP_MAX);
			break;
		case OPT_RECORD:
			if (!*optarg)
				return usage_error(err, errlen, "--record needs a file name");
			o->record = optarg;
			break;
		case OPT_INTERVAL:
			if (cs_parse_seconds(optarg, &o->interval))
				return bad_interval(err, errlen, "--interval", optarg);
			break;
		case OPT_BACKEND:
			if (cs_parse_backend(optarg, &o->backend))
				return usage_error(err, errlen, "invalid --backend '%s': %s",
						   optarg, "expected module or pagemap");
			break;
		case OPT_LIST_FIELDS:
			o->list_fields = true;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case ':':
			return usage_error(err, errlen, "option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			/*
			 * getopt sets optopt to a bad short option's letter, to
			 * the value of a long option given an argument it does
			 * not take, and to 0 for an unknown long option.  -h
			 * and -V cannot fail, so 'h' and 'V' mean "--help=x".
			 */
			arg = argv[optind - 1];
			if (optopt >= 256 || optopt == 'h' || optopt == 'V')
				return usage_error(err, errlen,
						   "option '%.*s' takes no argument",
						   (int)strcspn(arg, "="), arg);
			if (optopt)
				return usage_error(err, errlen, "unknown option '-%c'", optopt);
			return usage_error(err, errlen, "unknown or ambiguous option '%s'", arg);
		}
	}
	if (o->help || o->version || o->list_fields)
		return 1;
	if (o->json && o->prometheus)
		return usage_error(err, errlen, "--json and --prometheus exclude each other");
	if (o->watch && (o->json || o->prometheus))
		return usage_error(err, errlen,
				   "--watch cannot be combined with --json or --prometheus");
	if (o->vmas && o->prometheus)
		return usage_error(err, errlen, "--vmas cannot be combined with --prometheus");
	if (o->record && (o->json || o->prometheus || o->watch || o->sort || o->top || o->pages))
		return usage_error(err, errlen, "--record writes JSON lines: not with %s%s",
				   "--json, --prometheus, --watch, ", "--sort, --top or --pages");
	if (o->record && !o->interval)
		return usage_error(err, errlen, "--record needs --interval SECONDS");
	if (o->interval && !o->record)
		return usage_error(err, errlen, "--interval is for --record");
	if ((o->sort || o->top) && (o->json || o->prometheus))
		return usage_error(err, errlen, "--sort and --top apply to the table only, %s",
				   "not to --json or --prometheus");
	if (optind >= argc)
		return usage_error(err, errlen, "missing PID");
	if (argc - optind > 1)
		return usage_error(err, errlen, "too many arguments: '%s'", argv[optind + 1]);
	arg = argv[optind];
	ret = cs_parse_pid(arg, &o->pid);
	if (ret)
		return usage_error(err, errlen, ret == -ERANGE ?
				   "PID '%s' is out of range (at most 2147483647)" :
				   "invalid PID '%s': expected a positive decimal number", arg);
	return 0;
}
