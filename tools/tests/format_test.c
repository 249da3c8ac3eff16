// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the cowstat CLI's option parsing and output formats,
 * on synthetic trees.  Prints TAP.
 *
 *   format_test               run the tests
 *   format_test --emit WHAT   print one output of the fixture for
 *                             output_test.py: json, json-vmas, json-odd,
 *                             prometheus, prometheus-odd
 */
#include <errno.h>
#include <inttypes.h>

#include "format.h"
#include "options.h"
#include "fixture.h"
#include "tap.h"

/* Options */

/* Parse a space-free command line given as separate words. */
static int parse(struct cs_opts *o, char *err, ...)
{
	char *argv[16] = { "cowstat" };
	int argc = 1;
	va_list ap;
	char *a;

	va_start(ap, err);
	while ((a = va_arg(ap, char *)) && argc < 15)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return cs_parse_args(argc, argv, o, err, 256);
}

#define PARSE(o, err, ...) parse(o, err, __VA_ARGS__, (char *)NULL)

static void test_options(void)
{
	struct cs_opts o;
	char err[256];
	uint32_t pid;
	double sec;
	size_t i;

	static const struct { const char *arg; int ret; uint32_t pid; } pids[] = {
		{ "1", 0, 1 }, { "1234", 0, 1234 }, { "007", 0, 7 },
		{ "2147483647", 0, 2147483647 }, { "2147483648", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 }, { "99999999999x", -EINVAL, 0 },
		{ "", -EINVAL, 0 }, { "0", -EINVAL, 0 }, { "00", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 }, { "+1", -EINVAL, 0 }, { "12abc", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 }, { "1 ", -EINVAL, 0 }, { "1 2", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 }, { "1.0", -EINVAL, 0 }, { "abc", -EINVAL, 0 },
	};
	static const struct { const char *arg; int ret; double sec; } secs[] = {
		{ "2", 0, 2 }, { "0.5", 0, 0.5 }, { ".25", 0, 0.25 }, { "1.", 0, 1 },
		{ "86400", 0, 86400 }, { "0.001", 0, 0.001 },
		{ "0", -EINVAL, 0 }, { "0.0", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ "", -EINVAL, 0 }, { ".", -EINVAL, 0 }, { "abc", -EINVAL, 0 },
		{ "1e3", -EINVAL, 0 }, { "inf", -EINVAL, 0 }, { "nan", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 }, { "1.2.3", -EINVAL, 0 }, { " 1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 }, { "86400.5", -EINVAL, 0 }, { "2s", -EINVAL, 0 },
	};

	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		int ret;

		pid = 0;
		ret = cs_parse_pid(pids[i].arg, &pid);
		tap_ok(ret == pids[i].ret && (ret || pid == pids[i].pid),
		       "pid '%s' -> %d %u", pids[i].arg, pids[i].ret, pids[i].pid);
	}
	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		int ret;

		sec = 0;
		ret = cs_parse_seconds(secs[i].arg, &sec);
		tap_ok(ret == secs[i].ret && (ret || sec == secs[i].sec),
		       "watch interval '%s' -> %d %g", secs[i].arg, secs[i].ret, secs[i].sec);
	}

	tap_ok(PARSE(&o, err, "1234") == 0 && o.pid == 1234 && !o.json && !o.prometheus &&
	       !o.vmas && !o.pages && !o.watch && !o.help && !o.version, "options: PID alone");
	tap_ok(PARSE(&o, err, "--json", "5") == 0 && o.json && o.pid == 5, "options: --json");
	tap_ok(PARSE(&o, err, "--prometheus", "5") == 0 && o.prometheus, "options: --prometheus");
	tap_ok(PARSE(&o, err, "--vmas", "5") == 0 && o.vmas, "options: --vmas");
	tap_ok(PARSE(&o, err, "--pages", "5") == 0 && o.pages, "options: --pages");
	tap_ok(PARSE(&o, err, "--watch", "2", "5") == 0 && o.watch == 2 && o.pid == 5,
	       "options: --watch 2");
	tap_ok(PARSE(&o, err, "--watch=0.5", "5") == 0 && o.watch == 0.5, "options: --watch=0.5");
	tap_ok(PARSE(&o, err, "-h") == 1 && o.help, "options: -h needs no PID");
	tap_ok(PARSE(&o, err, "--help", "junk") == 1 && o.help,
	       "options: --help wins over a bad PID");
	tap_ok(PARSE(&o, err, "-V") == 1 && o.version, "options: -V");
	tap_ok(PARSE(&o, err, "--version") == 1 && o.version, "options: --version");
	tap_ok(PARSE(&o, err, "--list-fields") == 1 && o.list_fields,
	       "options: --list-fields needs no PID");
	tap_ok(PARSE(&o, err, "--json", "--vmas", "--pages", "42") == 0 && o.json && o.vmas &&
	       o.pages && o.pid == 42, "options: --json --vmas --pages");
	tap_ok(PARSE(&o, err, "42", "--vmas", "--watch", "1.5", "--pages") == 0 && o.vmas &&
	       o.pages && o.watch == 1.5 && o.pid == 42, "options: options after the PID");
	tap_ok(PARSE(&o, err, "--", "42") == 0 && o.pid == 42, "options: -- before the PID");
	tap_ok(PARSE(&o, err, "--js", "42") == 0 && o.json, "options: unambiguous abbreviation");
	tap_ok(PARSE(&o, err, "--watch", "1", "--watch", "3", "42") == 0 && o.watch == 3,
	       "options: the last --watch counts");

	PARSE(&o, err, "--json");
	tap_is_str(err, "missing PID", "usage: no PID");
	tap_ok(PARSE(&o, err, (char *)NULL) == -1, "usage: no arguments at all");
	PARSE(&o, err, "1", "2");
	tap_is_str(err, "too many arguments: '2'", "usage: two PIDs");
	PARSE(&o, err, "12abc");
	tap_is_str(err, "invalid PID '12abc': expected a positive decimal number",
		   "usage: PID 12abc");
	tap_ok(PARSE(&o, err, "0") == -1, "usage: PID 0");
	tap_ok(PARSE(&o, err, "") == -1, "usage: empty PID");
	PARSE(&o, err, "-1");
	tap_is_str(err, "unknown option '-1'", "usage: PID -1 is an unknown option");
	tap_ok(PARSE(&o, err, "--", "-1") == -1, "usage: PID -1 after --");
	PARSE(&o, err, "2147483648");
	tap_is_str(err, "PID '2147483648' is out of range (at most 2147483647)",
		   "usage: PID out of range");
	PARSE(&o, err, "--bogus", "1");
	tap_is_str(err, "unknown or ambiguous option '--bogus'", "usage: unknown long option");
	PARSE(&o, err, "--v", "1");
	tap_is_str(err, "unknown or ambiguous option '--v'", "usage: ambiguous --v");
	PARSE(&o, err, "-x", "1");
	tap_is_str(err, "unknown option '-x'", "usage: unknown short option");
	PARSE(&o, err, "--json=yes", "1");
	tap_is_str(err, "option '--json' takes no argument", "usage: --json=yes");
	PARSE(&o, err, "--help=me");
	tap_is_str(err, "option '--help' takes no argument", "usage: --help=me");
	PARSE(&o, err, "1", "--watch");
	tap_is_str(err, "option '--watch' needs an argument", "usage: --watch without a value");
	PARSE(&o, err, "--watch", "0", "1");
	tap_is_str(err, "invalid --watch interval '0': "
		   "expected a positive number of seconds, at most 86400", "usage: --watch 0");
	tap_ok(PARSE(&o, err, "--watch", "-1", "1") == -1, "usage: --watch -1");
	tap_ok(PARSE(&o, err, "--watch", "-0.5", "1") == -1, "usage: --watch -0.5");
	tap_ok(PARSE(&o, err, "--watch", "soon", "1") == -1, "usage: --watch soon");
	tap_ok(PARSE(&o, err, "--watch=", "1") == -1, "usage: --watch=");
	PARSE(&o, err, "--json", "--prometheus", "1");
	tap_is_str(err, "--json and --prometheus exclude each other", "usage: --json --prometheus");
	PARSE(&o, err, "--watch", "1", "--json", "1");
	tap_is_str(err, "--watch cannot be combined with --json or --prometheus",
		   "usage: --watch --json");
	tap_ok(PARSE(&o, err, "--watch", "1", "--prometheus", "1") == -1,
	       "usage: --watch --prometheus");
	PARSE(&o, err, "--vmas", "--prometheus", "1");
	tap_is_str(err, "--vmas cannot be combined with --prometheus",
		   "usage: --vmas --prometheus");
}

static void test_sort_options(void)
{
	static const struct { const char *arg; int ret; int sort; } sorts[] = {
		{ "pid", 0, CS_SORT_PID }, { "rss", 0, CS_SORT_FIELD(CS_RSS) },
		{ "anon_shared", 0, CS_SORT_FIELD(CS_ANON_SHARED) },
		{ "cow_broken", 0, CS_SORT_FIELD(CS_COW_BROKEN) },
		{ "COW-BROKEN", 0, CS_SORT_FIELD(CS_COW_BROKEN) },
		{ "Thp", 0, CS_SORT_FIELD(CS_THP) },
		{ "cow_faults", 0, CS_SORT_FIELD(CS_COW_FAULTS) },
		{ "skipped_vmas", 0, CS_SORT_FIELD(CS_SKIPPED_VMAS) },
		{ "unique", -EINVAL, 0 }, { "saved", -EINVAL, 0 }, { "", -EINVAL, 0 },
		{ "rs", -EINVAL, 0 }, { "rss ", -EINVAL, 0 }, { "comm", -EINVAL, 0 },
		{ "cow_broken_and_a_very_long_tail_of_junk", -EINVAL, 0 },
	};
	static const struct { const char *arg; int ret; size_t top; } tops[] = {
		{ "1", 0, 1 }, { "10", 0, 10 }, { "2147483647", 0, 2147483647 },
		{ "0", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "", -EINVAL, 0 },
		{ "2147483648", -EINVAL, 0 }, { "1.5", -EINVAL, 0 }, { "10x", -EINVAL, 0 },
		{ "+3", -EINVAL, 0 }, { "99999999999999999999999", -EINVAL, 0 },
	};
	struct cs_opts o;
	char err[256];
	size_t i, top;
	int sort, f;

	for (i = 0; i < ARRAY_SIZE(sorts); i++) {
		int ret;

		sort = -1;
		ret = cs_parse_sort(sorts[i].arg, &sort);
		tap_ok(ret == sorts[i].ret && (ret || sort == sorts[i].sort),
		       "sort field '%s' -> %d %d", sorts[i].arg, sorts[i].ret, sorts[i].sort);
	}
	for (f = 0; f < CS_NR_PROC_FIELDS; f++)
		if (cs_parse_sort(cs_field_names[f], &sort) || sort != CS_SORT_FIELD(f))
			break;
	tap_ok(f == CS_NR_PROC_FIELDS, "sort: every field of a process");
	for (i = 0; i < ARRAY_SIZE(tops); i++) {
		int ret;

		top = 0;
		ret = cs_parse_top(tops[i].arg, &top);
		tap_ok(ret == tops[i].ret && (ret || top == tops[i].top),
		       "top count '%s' -> %d %zu", tops[i].arg, tops[i].ret, tops[i].top);
	}

	tap_ok(PARSE(&o, err, "5") == 0 && o.sort == CS_SORT_TREE && !o.top,
	       "options: tree order and every row by default");
	tap_ok(PARSE(&o, err, "--sort", "cow_broken", "--top", "10", "5") == 0 &&
	       o.sort == CS_SORT_FIELD(CS_COW_BROKEN) && o.top == 10 && o.pid == 5,
	       "options: --sort cow_broken --top 10");
	tap_ok(PARSE(&o, err, "--sort=pid", "--top=1", "5") == 0 && o.sort == CS_SORT_PID &&
	       o.top == 1, "options: --sort=pid --top=1");
	tap_ok(PARSE(&o, err, "--sort", "rss", "--watch", "1", "--pages", "--vmas", "5") == 0 &&
	       o.sort == CS_SORT_FIELD(CS_RSS) && o.watch == 1,
	       "options: --sort with --watch, --pages, --vmas");
	tap_ok(PARSE(&o, err, "--top", "3", "--sort", "rss", "--sort", "thp", "5") == 0 &&
	       o.sort == CS_SORT_FIELD(CS_THP), "options: the last --sort counts");
	PARSE(&o, err, "--sort", "comm", "5");
	tap_is_str(err, "invalid --sort field 'comm': see --list-fields for the names",
		   "usage: --sort comm");
	PARSE(&o, err, "--top", "0", "5");
	tap_is_str(err, "invalid --top count '0': expected a number from 1 to 2147483647",
		   "usage: --top 0");
	PARSE(&o, err, "5", "--sort");
	tap_is_str(err, "option '--sort' needs an argument", "usage: --sort without a field");
	PARSE(&o, err, "--sort", "rss", "--json", "5");
	tap_is_str(err, "--sort and --top apply to the table only, not to --json or --prometheus",
		   "usage: --sort --json");
	tap_ok(PARSE(&o, err, "--top", "2", "--prometheus", "5") == -1,
	       "usage: --top --prometheus");
	tap_ok(PARSE(&o, err, "--top", "2", "--json", "5") == -1, "usage: --top --json");
}

static void test_record_options(void)
{
	struct cs_opts o;
	char err[256];

	tap_ok(PARSE(&o, err, "5") == 0 && !o.record && !o.interval, "options: no --record");
	tap_ok(PARSE(&o, err, "--record", "r.jsonl", "--interval", "0.5", "5") == 0 &&
	       !strcmp(o.record, "r.jsonl") && o.interval == 0.5 && o.pid == 5,
	       "options: --record r.jsonl --interval 0.5");
	tap_ok(PARSE(&o, err, "--record=-", "--interval=2", "--vmas", "5") == 0 &&
	       !strcmp(o.record, "-") && o.interval == 2, "options: --record=- with --vmas");
	PARSE(&o, err, "--record", "r", "5");
	tap_is_str(err, "--record needs --interval SECONDS", "usage: --record without --interval");
	PARSE(&o, err, "--interval", "1", "5");
	tap_is_str(err, "--interval is for --record", "usage: --interval without --record");
	PARSE(&o, err, "--record", "r", "--interval", "0", "5");
	tap_is_str(err, "invalid --interval '0': expected a positive number of seconds, "
		   "at most 86400", "usage: --interval 0");
	PARSE(&o, err, "--record", "", "--interval", "1", "5");
	tap_is_str(err, "--record needs a file name", "usage: --record ''");
	PARSE(&o, err, "--record", "r", "--interval", "1", "--json", "5");
	tap_is_str(err, "--record writes JSON lines: not with --json, --prometheus, --watch, "
		   "--sort, --top or --pages", "usage: --record --json");
	tap_ok(PARSE(&o, err, "--record", "r", "--interval", "1", "--watch", "1", "5") == -1,
	       "usage: --record --watch");
	tap_ok(PARSE(&o, err, "--record", "r", "--interval", "1", "--sort", "rss", "5") == -1,
	       "usage: --record --sort");
	tap_ok(PARSE(&o, err, "--record", "r", "--interval", "1", "--prometheus", "5") == -1,
	       "usage: --record --prometheus");
}

/* --record's lines: the document of --json --vmas, on one line, time first. */
static void test_json_line(void)
{
	struct cs_tree t;
	char *line, *doc, *p;

	fixture(&t);
	CAPTURE(line, cs_print_json_line(cap, &t, 1796018912.5, 2.25, 3));
	CAPTURE(doc, cs_print_json(cap, &t, true));
	tap_ok(line && !strncmp(line, "{\"time\": 1796018912.500, \"elapsed\": 2.250, "
				"\"sample\": 3, \"root\": 100, \"page_size\": 4096, ", 86),
	       "json line: time, elapsed and sample first");
	tap_ok(line && strchr(line, '\n') == line + strlen(line) - 1, "json line: one line");
	/* Without the line breaks and indentation, the two are the same. */
	for (p = doc; *p; p++)
		if (*p == '\n')
			*p = ' ';
	tap_ok(line && doc && strstr(line, "\"processes\": [{\"pid\": 100,") &&
	       strstr(line, "\"vmas\": [{\"start\": \"0x55ae6565f000\"") &&
	       strstr(line, "}], \"totals\": {\"processes\": 5, \"rss\": 8695,") &&
	       strlen(line) < strlen(doc), "json line: the --json --vmas document, compact");
	free(line);
	free(doc);
	cs_tree_free(&t);
}

/* Sizes and escaping */

static char *human(uint64_t bytes)
{
	static char buf[CS_HUMAN_LEN];

	cs_human(buf, sizeof(buf), bytes);
	return buf;
}

static void test_human(void)
{
	static const struct { uint64_t bytes; const char *want; } cases[] = {
		{ 0, "0" }, { 1, "1B" }, { 1023, "1023B" }, { 1024, "1.0K" },
		{ 1075, "1.0K" },		/* 1.0498: down */
		{ 1076, "1.1K" },		/* 1.0508: up */
		{ 1536, "1.5K" }, { 4096, "4.0K" }, { 10239, "10.0K" },
		{ 1048524, "1023.9K" },		/* 1023.949K */
		{ 1048525, "1.0M" },		/* 1023.950K would print as 1024.0K */
		{ 1048575, "1.0M" }, { 1048576, "1.0M" }, { 16777216, "16.0M" },
		{ 1288490189, "1.2G" }, { 1073741823, "1.0G" },
		{ 1099511627776ULL, "1.0T" }, { 1125899906842624ULL, "1.0P" },
		{ 1152921504606846976ULL, "1.0E" }, { UINT64_MAX, "16.0E" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		tap_is_str(human(cases[i].bytes), cases[i].want, "human %" PRIu64 " = %s",
			   cases[i].bytes, cases[i].want);
	tap_is_int(cs_bytes(3, 4096), 12288, "bytes of 3 pages");
	tap_ok(cs_bytes(UINT64_MAX / 2, 4096) == UINT64_MAX, "bytes saturate instead of wrapping");
}

static void test_escaping(void)
{
	static const struct { const char *in; const char *json; } json[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "with space", "\"with space\"" },
		{ "q\"uote", "\"q\\\"uote\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },			/* é */
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },			/* € */
		{ "\xf0\x9f\x90\xae", "\"\xf0\x9f\x90\xae\"" },		/* U+1F42E */
		{ "\xff", "\"\\u00ff\"" },
		{ "a\x80z", "\"a\\u0080z\"" },			/* lone continuation */
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },			/* truncated */
		{ "\xc3\xa9\xc3", "\"\xc3\xa9\\u00c3\"" },		/* truncated at the end */
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },			/* overlong '/' */
		{ "\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"" },	/* overlong */
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" }, /* > U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", "\"\\u00f8\\u0088\\u0080\\u0080\\u0080\"" },
	};
	static const struct { const char *in; const char *out; } prom[] = {
		{ "worker 1", "worker 1" },
		{ "q\"b\\n\nx", "q\\\"b\\\\n\\nx" },
		{ "tab\there", "tab\there" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xff\x80", "\xc3\xbf\xc2\x80" },
	};
	static const struct { const char *in; const char *out; } text[] = {
		{ "worker 1", "worker 1" },
		{ "a\\b\n\x01\x7f\xff", "a\\134b\\012\\001\\177\\377" },
		{ "caf\xc3\xa9", "caf\\303\\251" },
	};
	char *out;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(json); i++) {
		CAPTURE(out, cs_put_json_string(cap, json[i].in));
		tap_is_str(out, json[i].json, "json string %zu", i);
		free(out);
	}
	for (i = 0; i < ARRAY_SIZE(prom); i++) {
		CAPTURE(out, cs_put_prom_label(cap, prom[i].in));
		tap_is_str(out, prom[i].out, "prometheus label %zu", i);
		free(out);
	}
	for (i = 0; i < ARRAY_SIZE(text); i++) {
		CAPTURE(out, cs_put_text(cap, text[i].in));
		tap_is_str(out, text[i].out, "table text %zu", i);
		free(out);
	}
	tap_is_int(cs_utf8_len((const unsigned char *)"\xdf\xbf"), 2, "utf8: U+07FF");
	tap_is_int(cs_utf8_len((const unsigned char *)"\xef\xbf\xbf"), 3, "utf8: U+FFFF");
	tap_is_int(cs_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf"), 4, "utf8: U+10FFFF");
	tap_is_int(cs_utf8_len((const unsigned char *)"\xc1\xbf"), 0, "utf8: overlong C1");
}

/* Tables */

static const char table_sizes[] =
"  PID   RSS  ANON SHARED PRIVATE COW-BROKEN  SWAP ZERO FLAGS              COMM\n"
"  100 17.4M 16.1M  12.6M    4.8M      20.0K     0    0 -                  server\n"
"  101 16.6M 16.1M  12.6M    4.0M       4.0M 12.0K 8.0K -                   \\_ worker 1\n"
"  102 16.6M 16.1M  12.6M    4.0M       4.0M 12.0K 8.0K mm_shared_with=101      \\_ w\"q\\134\n"
"  103     -     -      -       -          -     -    - not_permitted       \\_ secret\n"
"  104     0     0      0       0          0     0    0 no_mm               \\_ zombie\n"
"total 34.0M 32.2M  25.1M    8.8M       4.1M 12.0K 8.0K                    "
"5 processes, unique 21.5M, saved 12.5M (36.7%)\n";

static const char table_pages[] =
"  PID  RSS ANON SHARED PRIVATE COW-BROKEN SWAP ZERO FLAGS              COMM\n"
"  100 4445 4121   3214    1231          5    0    0 -                  server\n"
"  101 4250 4119   3218    1032       1032    3    2 -                   \\_ worker 1\n"
"  102 4250 4119   3218    1032       1032    3    2 mm_shared_with=101      \\_ w\"q\\134\n"
"  103    -    -      -       -          -    -    - not_permitted       \\_ secret\n"
"  104    0    0      0       0          0    0    0 no_mm               \\_ zombie\n"
"total 8695 8240   6432    2263       1037    3    2                    "
"5 processes, unique 5500, saved 3195 (36.7%)\n";

static const char table_vmas[] =
"  PID   RSS  ANON SHARED PRIVATE COW-BROKEN  SWAP ZERO FLAGS              COMM\n"
"  100 17.4M 16.1M  12.6M    4.8M      20.0K     0    0 -                  server\n"
"       4.0K     0   4.0K       0          0     0    0                        "
"55ae6565f000-55ae65660000 r--p 00000000 /usr/bin/server\n"
"      16.0M 16.0M  12.0M    4.0M      20.0K     0    0                        "
"7f7139000000-7f713a000000 rw-p 00000000\n"
"  101 16.6M 16.1M  12.6M    4.0M       4.0M 12.0K 8.0K -                   \\_ worker 1\n"
"      16.0M 16.0M  12.0M    4.0M       4.0M 12.0K 8.0K                            "
"7f7139000000-7f713a000000 rw-p 00000000\n"
"  102 16.6M 16.1M  12.6M    4.0M       4.0M 12.0K 8.0K mm_shared_with=101      \\_ w\"q\\134\n"
"  103     -     -      -       -          -     -    - not_permitted       \\_ secret\n"
"  104     0     0      0       0          0     0    0 no_mm               \\_ zombie\n"
"total 34.0M 32.2M  25.1M    8.8M       4.1M 12.0K 8.0K                    "
"5 processes, unique 21.5M, saved 12.5M (36.7%)\n";

/* A chain deeper than the indentation goes: depth 17 shows its depth. */
static const char table_deep[] =
"  PID RSS ANON SHARED PRIVATE COW-BROKEN SWAP ZERO FLAGS COMM\n"
"    1   1    -      -       -          -    -    - -     init\n"
"   17   1    -      -       -          -    -    - -                                      "
"                            \\_ d16\n"
"   18   1    -      -       -          -    -    - -                                      "
"                            \\_ [17] d17\n"
"total   2    -      -       -          -    -    -       1 process, unique -, saved -\n";

/* --sort cow_broken: largest first, 0 before unavailable, no indentation. */
static const char table_sort_cow[] =
"  PID  RSS ANON SHARED PRIVATE COW-BROKEN SWAP ZERO FLAGS              COMM\n"
"  101 4250 4119   3218    1032       1032    3    2 -                  worker 1\n"
"  102 4250 4119   3218    1032       1032    3    2 mm_shared_with=101 w\"q\\134\n"
"  100 4445 4121   3214    1231          5    0    0 -                  server\n"
"  104    0    0      0       0          0    0    0 no_mm              zombie\n"
"  103    -    -      -       -          -    -    - not_permitted      secret\n"
"total 8695 8240   6432    2263       1037    3    2                    "
"5 processes, unique 5500, saved 3195 (36.7%)\n";

/* --sort cow_faults --top 3 --vmas: a COW-FAULTS column of plain numbers. */
static const char table_sort_faults[] =
"  PID   RSS  ANON SHARED PRIVATE COW-BROKEN  SWAP ZERO COW-FAULTS FLAGS              COMM\n"
"  101 16.6M 16.1M  12.6M    4.0M       4.0M 12.0K 8.0K          7 -                  "
"worker 1\n"
"      16.0M 16.0M  12.0M    4.0M       4.0M 12.0K 8.0K          -                        "
"7f7139000000-7f713a000000 rw-p 00000000\n"
"  102 16.6M 16.1M  12.6M    4.0M       4.0M 12.0K 8.0K          0 mm_shared_with=101 "
"w\"q\\134\n"
"  100 17.4M 16.1M  12.6M    4.8M      20.0K     0    0          - -                  "
"server\n"
"       4.0K     0   4.0K       0          0     0    0          -                        "
"55ae6565f000-55ae65660000 r--p 00000000 /usr/bin/server\n"
"      16.0M 16.0M  12.0M    4.0M      20.0K     0    0          -                        "
"7f7139000000-7f713a000000 rw-p 00000000\n"
"total 34.0M 32.2M  25.1M    8.8M       4.1M 12.0K 8.0K          7                    "
"5 processes (top 3 shown), unique 21.5M, saved 12.5M (36.7%)\n";

/* --sort pid over a tree whose pids are not in tree order. */
static const char table_sort_pid[] =
"  PID RSS ANON SHARED PRIVATE COW-BROKEN SWAP ZERO FLAGS COMM\n"
"    3   1    -      -       -          -    -    - -     c\n"
"    9   1    -      -       -          -    -    - -     a\n"
"   12   1    -      -       -          -    -    - -     b\n"
"total   3    -      -       -          -    -    -       3 processes, unique -, saved -\n";

/* A row of @t with rss 1 and every other count unavailable. */
static void rss_row(struct cs_tree *t, uint32_t pid, uint32_t ppid, uint32_t depth,
		    const char *comm)
{
	cs_set(&fx_proc(t, pid, ppid, depth, comm, 0, NULL)->c, CS_RSS, 1);
}

static void test_sort_table(void)
{
	struct cs_fmt fmt = { .pages = true, .sort = CS_SORT_FIELD(CS_COW_BROKEN) };
	struct cs_tree t, d = { .root = 9, .page_size = 4096 };
	char *out;

	fixture(&t);
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_is_str(out, table_sort_cow, "table: --sort cow_broken");
	free(out);
	fmt = (struct cs_fmt){ .vmas = true, .sort = CS_SORT_FIELD(CS_COW_FAULTS), .top = 3 };
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_is_str(out, table_sort_faults,
		   "table: --sort cow_faults --top 3 --vmas: its own column, unavailable last");
	free(out);
	/* thp sorts the tree's order unchanged at the top: 101 (512) first. */
	fmt = (struct cs_fmt){ .pages = true, .sort = CS_SORT_FIELD(CS_THP), .top = 2 };
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_ok(out && !strncmp(strchr(out, '\n') + 1, "  101 ", 6) &&
	       strstr(out, "\n  102 ") && !strstr(out, "\n  100 ") &&
	       strstr(out, " THP FLAGS "), "table: --sort thp --top 2: 101, 102, a THP column");
	free(out);
	fmt = (struct cs_fmt){ .pages = true, .top = 2 };
	fmt.sort = CS_SORT_TREE;
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_ok(out && !strstr(out, "THP") && strstr(out, "(top 2 shown)"),
	       "table: --top 2 in tree order: no extra column");
	free(out);
	{
		struct cs_tree t2;

		fixture2(&t2);
		fmt = (struct cs_fmt){ .pages = true, .sort = CS_SORT_FIELD(CS_COW_BROKEN),
				       .top = 2 };
		CAPTURE(out, cs_print_watch(cap, &t, &t2, 2.0, &fmt));
		tap_ok(out && !strncmp(strchr(out, '\n') + 1, "  101 ", 6) &&
		       strstr(out, "\n  100 4455  +10 ") && !strstr(out, "\n  105 ") &&
		       strstr(out, "4 processes (1 new, 2 exited, top 2 shown)") &&
		       strstr(out, "\nexited: 102 "),
		       "watch: --sort cow_broken --top 2: new and exited count every row");
		free(out);
		cs_tree_free(&t2);
	}
	fmt = (struct cs_fmt){ .pages = true, .top = 99 };
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_ok(out && !strstr(out, "shown") && strstr(out, "\n  104 "),
	       "table: --top above the row count shows every row, says nothing");
	free(out);
	cs_tree_free(&t);

	rss_row(&d, 9, 1, 0, "a");
	rss_row(&d, 12, 9, 1, "b");
	rss_row(&d, 3, 12, 2, "c");
	cs_set(&d.totals, CS_RSS, 3);
	d.processes = 3;
	d.have_totals = true;
	fmt = (struct cs_fmt){ .pages = true, .sort = CS_SORT_PID };
	CAPTURE(out, cs_print_table(cap, &d, &fmt));
	tap_is_str(out, table_sort_pid, "table: --sort pid, smallest first");
	free(out);
	cs_tree_free(&d);
}

static void test_table(void)
{
	struct cs_fmt fmt = { 0 };
	struct cs_tree t, d = { .root = 1, .page_size = 4096 };
	char *out;

	fixture(&t);
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_is_str(out, table_sizes, "table: sizes, indentation, flags, '-', totals row");
	free(out);
	fmt.pages = true;
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_is_str(out, table_pages, "table: --pages");
	free(out);
	fmt.pages = false;
	fmt.vmas = true;
	CAPTURE(out, cs_print_table(cap, &t, &fmt));
	tap_is_str(out, table_vmas, "table: --vmas rows under their process");
	free(out);
	cs_tree_free(&t);

	/* Odd data: a totals message without unique/saved, processes 1. */
	rss_row(&d, 1, 0, 0, "init");
	rss_row(&d, 17, 16, 16, "d16");
	rss_row(&d, 18, 17, 17, "d17");
	cs_set(&d.totals, CS_RSS, 2);
	d.processes = 1;
	d.have_totals = true;
	fmt = (struct cs_fmt){ .pages = true };
	CAPTURE(out, cs_print_table(cap, &d, &fmt));
	tap_is_str(out, table_deep, "table: indentation stops at depth 16; missing totals are '-'");
	free(out);
	cs_tree_free(&d);
}

/* JSON and Prometheus */

static const char json_small[] =
"{\n"
"  \"root\": 7,\n"
"  \"page_size\": 16384,\n"
"  \"processes\": [\n"
"    {\"pid\": 7, \"ppid\": 0, \"depth\": 0, \"comm\": \"a \\\"b\\\"\\t\\u00ff\", "
"\"flags\": [\"no_mm\", \"mm_shared\", \"not_permitted\", \"bit3\"], \"mm_shared_with\": 9, "
"\"rss\": null, \"anon\": null, \"file\": null, \"shared\": null, \"private\": null, "
"\"anon_shared\": null, \"anon_private\": null, \"cow_broken\": null, \"swap\": null, "
"\"zero\": null, \"ksm\": null, \"thp\": null, \"cow_faults\": null, \"skipped_vmas\": null, "
"\"vmas\": [\n"
"      {\"start\": \"0xffffffffff600000\", \"end\": \"0xffffffffff601000\", "
"\"offset\": \"0x1000\", \"perms\": \"--xp\", \"name\": \"[vsyscall]\", \"rss\": 1844674407"
"3709551615, "
"\"anon\": null, \"file\": null, \"shared\": null, \"private\": null, \"anon_shared\": null, "
"\"anon_private\": null, \"cow_broken\": null, \"swap\": null, \"zero\": null, \"ksm\": null, "
"\"thp\": null}\n"
"    ]}\n"
"  ],\n"
"  \"totals\": {\"processes\": 1, \"rss\": null, \"anon\": null, \"file\": null, "
"\"shared\": null, \"private\": null, \"anon_shared\": null, \"anon_private\": null, "
"\"cow_broken\": null, \"swap\": null, \"zero\": null, \"ksm\": null, \"thp\": null, "
"\"cow_faults\": null, \"skipped_vmas\": null, \"unique\": 0, \"saved\": null}\n"
"}\n";

static const char json_empty[] =
"{\n"
"  \"root\": 5,\n"
"  \"page_size\": 4096,\n"
"  \"processes\": [],\n"
"  \"totals\": {\"processes\": 0, \"rss\": null, \"anon\": null, \"file\": null, "
"\"shared\": null, \"private\": null, \"anon_shared\": null, \"anon_private\": null, "
"\"cow_broken\": null, \"swap\": null, \"zero\": null, \"ksm\": null, \"thp\": null, "
"\"cow_faults\": null, \"skipped_vmas\": null, \"unique\": null, \"saved\": null}\n"
"}\n";

static void small_tree(struct cs_tree *t)
{
	struct cs_proc *p;

	memset(t, 0, sizeof(*t));
	t->root = 7;
	t->page_size = 16384;
	p = fx_proc(t, 7, 0, 0, "a \"b\"\t\xff", 0xf, NULL);
	p->mm_shared_with = 9;
	fx_vma(p, 0xffffffffff600000, 0xffffffffff601000, 4096, "--xp", "[vsyscall]", NULL);
	cs_set(&p->vmas[0].c, CS_RSS, UINT64_MAX);
	cs_set(&t->totals, CS_UNIQUE, 0);
	t->processes = 1;
	t->have_totals = true;
}

static const char prom_small[] =
"# HELP cowstat_process_info a process of the tree, with its parent, depth and flags; always 1\n"
"# TYPE cowstat_process_info gauge\n"
"cowstat_process_info{root=\"7\",pid=\"7\",ppid=\"0\",depth=\"0\",comm=\"a \\\"b\\\"\t\xc3\xbf\","
"flags=\"no_mm,mm_shared_with=9,not_permitted,bit3\"} 1\n"
"cowstat_process_info{root=\"7\",pid=\"8\",ppid=\"7\",depth=\"1\",comm=\"x\\\\\\ny\",flags="
"\"-\"} 1\n"
"# HELP cowstat_rss_bytes present pages mapped, without the zero pages (as smaps Rss), in bytes\n"
"# TYPE cowstat_rss_bytes gauge\n"
"cowstat_rss_bytes{root=\"7\",pid=\"8\",comm=\"x\\\\\\ny\"} 49152\n"
"# HELP cowstat_rss_pages present pages mapped, without the zero pages (as smaps Rss), in pages "
"(deprecated: see the _bytes metric)\n"
"# TYPE cowstat_rss_pages gauge\n"
"cowstat_rss_pages{root=\"7\",pid=\"8\",comm=\"x\\\\\\ny\"} 3\n"
"# HELP cowstat_cow_faults_total COW copies counted by delay accounting\n"
"# TYPE cowstat_cow_faults_total counter\n"
"cowstat_cow_faults_total{root=\"7\",pid=\"8\",comm=\"x\\\\\\ny\"} 18446744073709551615\n"
"# HELP cowstat_page_size_bytes bytes per page\n"
"# TYPE cowstat_page_size_bytes gauge\n"
"cowstat_page_size_bytes{root=\"7\"} 16384\n"
"# HELP cowstat_tree_processes processes in the tree\n"
"# TYPE cowstat_tree_processes gauge\n"
"cowstat_tree_processes{root=\"7\"} 1\n"
"# HELP cowstat_tree_unique_bytes distinct physical pages in the tree's rss, in bytes\n"
"# TYPE cowstat_tree_unique_bytes gauge\n"
"cowstat_tree_unique_bytes{root=\"7\"} 0\n"
"# HELP cowstat_tree_unique_pages distinct physical pages in the tree's rss, in pages "
"(deprecated: see the _bytes metric)\n"
"# TYPE cowstat_tree_unique_pages gauge\n"
"cowstat_tree_unique_pages{root=\"7\"} 0\n";

/* How often @needle starts a line of @s. */
static int count_lines(const char *s, const char *needle)
{
	size_t len = strlen(needle);
	int n = 0;

	for (; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
		n += !strncmp(s, needle, len);
	return n;
}

static void test_json_prometheus(void)
{
	struct cs_tree t, e = { .root = 5, .page_size = 4096, .have_totals = true };
	struct cs_proc *p;
	char *out, head[80];
	int f, once = 1;

	small_tree(&t);
	CAPTURE(out, cs_print_json(cap, &t, true));
	tap_is_str(out, json_small, "json: exact document (flags, nulls, escapes, u64 max, hex)");
	free(out);
	CAPTURE(out, cs_print_json(cap, &e, true));
	tap_is_str(out, json_empty, "json: a tree without rows");
	free(out);

	p = fx_proc(&t, 8, 7, 1, "x\\\ny", 0, NULL);
	cs_set(&p->c, CS_RSS, 3);
	cs_set(&p->c, CS_COW_FAULTS, UINT64_MAX);
	CAPTURE(out, cs_print_prometheus(cap, &t));
	tap_is_str(out, prom_small,
		   "prometheus: exact output, label escapes, absent values left out");
	free(out);
	cs_tree_free(&t);

	fixture(&t);
	CAPTURE(out, cs_print_prometheus(cap, &t));
	for (f = 0; f < CS_NR_FIELDS; f++) {
		const char *name = cs_field_names[f];

		if (f == CS_UNIQUE || f == CS_SAVED)
			continue;
		snprintf(head, sizeof(head),
			 f == CS_COW_FAULTS ? "# TYPE cowstat_%s_total " :
			 f == CS_SKIPPED_VMAS ? "# TYPE cowstat_%s " : "# TYPE cowstat_%s_bytes ",
			 name);
		once &= count_lines(out, head) == 1;
		if (f >= CS_NR_PAGE_FIELDS)
			continue;
		snprintf(head, sizeof(head), "# TYPE cowstat_%s_pages ", name);
		once &= count_lines(out, head) == 1;
	}
	tap_ok(once, "prometheus: one TYPE line per process metric (_bytes and _pages)");
	/* info, 12 x 2 + 2 per process, page size, processes, 14 x 2 + 2 for the tree */
	/*
	 * Every page field has samples: _bytes and _pages per process and for
	 * the tree; cowstat_process_info, cow_faults and skipped_vmas per process
	 * and for the tree, page_size, processes, and unique and saved twice.
	 */
	tap_is_int(count_lines(out, "# HELP "), 4 * CS_NR_PAGE_FIELDS + 11,
		   "prometheus: a HELP line per family of the fixture (59 with 12 page fields)");
	tap_is_int(count_lines(out, "# TYPE "), 4 * CS_NR_PAGE_FIELDS + 11,
		   "prometheus: a TYPE line per family of the fixture");
	tap_is_int(count_lines(out, "cowstat_rss_pages{"), 4,
		   "prometheus: no rss sample for the not-permitted row");
	tap_is_int(count_lines(out, "cowstat_cow_faults_total{"), 2,
		   "prometheus: cow_faults only where available");
	tap_ok(strstr(out, "cowstat_tree_saved_pages{root=\"100\"} 3195\n") != NULL,
	       "prometheus: tree saved pages");
	tap_ok(strstr(out, "cowstat_tree_saved_bytes{root=\"100\"} 13086720\n") &&
	       strstr(out, "\ncowstat_cow_broken_bytes{root=\"100\",pid=\"101\","
		      "comm=\"worker 1\"} 4227072\n"),
	       "prometheus: _bytes are the pages times the page size");
	free(out);
	cs_tree_free(&t);
}

/* --watch */

static const char watch_first[] =
"  PID  RSS dRSS SHARED dSHARED PRIVATE dPRIVATE COW-BROKEN dCOW COW/s FLAGS              COMM\n"
"  100 4445    -   3214       -    1231        -          5    -     - -                  server\n"
"  101 4250    -   3218       -    1032        -       1032    -     - -                   "
"\\_ worker 1\n"
"  102 4250    -   3218       -    1032        -       1032    -     - mm_shared_with=101  "
"    \\_ w\"q\\134\n"
"  103    -    -      -       -       -        -          -    -     - not_permitted       "
"\\_ secret\n"
"  104    0    -      0       -       0        -          0    -     - no_mm               "
"\\_ zombie\n"
"total 8695    -   6432       -    2263        -       1037    -     -                    "
"5 processes, unique 5500, saved 3195 (36.7%)\n";

static const char watch_pages[] =
"  PID  RSS dRSS SHARED dSHARED PRIVATE dPRIVATE COW-BROKEN dCOW  COW/s FLAGS         COMM\n"
"  100 4455  +10   3208      -6    1247      +16          9   +4 +2.0/s -             server\n"
"  101 4250    0   3218       0    1032        0       1032    0    0/s -              \\_ "
"worker 1\n"
"  103    -    -      -       -       -        -          -    -      - not_permitted  \\_ secret\n"
"  105  100  new      0       -     100        -          0    -      - -              \\_ "
"worker 2\n"
"total 8805 +110   6426      -6    2379     +116       1041   +4 +2.0/s               "
"4 processes (1 new, 2 exited), unique 5610, saved 3195 (36.3%)\n"
"exited: 102 w\"q\\134, 104 zombie\n";

static const char watch_vmas[] =
"  PID    RSS    dRSS SHARED dSHARED PRIVATE dPRIVATE COW-BROKEN   dCOW   COW/s FLAGS      "
"   COMM\n"
"  100  17.4M  +40.0K  12.5M  -24.0K    4.9M   +64.0K      36.0K +16.0K +8.0K/s -          "
"   server\n"
"        4.0K       0   4.0K       0       0        0          0      0     0/s            "
"       55ae6565f000-55ae65660000 r--p 00000000 /usr/bin/server\n"
"       16.0M       0  12.0M  -16.0K    4.0M   +16.0K      36.0K +16.0K +8.0K/s            "
"       7f7139000000-7f713a000000 rw-p 00000000\n"
"       40.0K     new      0       -   40.0K        -          0      -       -            "
"       7f7200000000-7f720000a000 rw-p 00000000\n"
"  101  16.6M       0  12.6M       0    4.0M        0       4.0M      0     0/s -          "
"    \\_ worker 1\n"
"       16.0M       0  12.0M       0    4.0M        0       4.0M      0     0/s            "
"           7f7139000000-7f713a000000 rw-p 00000000\n"
"  103      -       -      -       -       -        -          -      -       - not_permitt"
"ed  \\_ secret\n"
"  105 400.0K     new      0       -  400.0K        -          0      -       - -          "
"    \\_ worker 2\n"
"total  34.4M +440.0K  25.1M  -24.0K    9.3M  +464.0K       4.1M +16.0K +8.0K/s            "
"   4 processes (1 new, 2 exited), unique 21.9M, saved 12.5M (36.3%)\n"
"exited: 102 w\"q\\134, 104 zombie\n";

static void test_watch(void)
{
	struct cs_counts a = { 0 }, b = { 0 };
	struct cs_fmt fmt = { .pages = true };
	struct cs_tree t1, t2;
	double rate = 0;
	int64_t d = 0;
	char *out;

	tap_ok(!cs_delta(NULL, &b, CS_RSS, &d), "delta: none without a previous sample");
	cs_set(&a, CS_RSS, 100);
	tap_ok(!cs_delta(&a, &b, CS_RSS, &d), "delta: none when unavailable now");
	cs_set(&b, CS_RSS, 110);
	tap_ok(cs_delta(&a, &b, CS_RSS, &d) && d == 10, "delta: +10");
	tap_ok(cs_delta(&b, &a, CS_RSS, &d) && d == -10, "delta: -10");
	tap_ok(!cs_delta(&b, &a, CS_SWAP, &d), "delta: none when unavailable before and now");
	cs_set(&a, CS_ZERO, 0);
	cs_set(&b, CS_ZERO, UINT64_MAX);
	tap_ok(cs_delta(&a, &b, CS_ZERO, &d) && d == INT64_MAX, "delta: saturates up");
	tap_ok(cs_delta(&b, &a, CS_ZERO, &d) && d == -INT64_MAX, "delta: saturates down");
	tap_ok(cs_rate(&a, &b, CS_RSS, 0.5, &rate) && rate == 20.0, "rate: 10 pages in 0.5 s");
	tap_ok(cs_rate(&b, &a, CS_RSS, 4, &rate) && rate == -2.5, "rate: -10 pages in 4 s");
	tap_ok(!cs_rate(&a, &b, CS_RSS, 0, &rate), "rate: none over 0 s");
	tap_ok(!cs_rate(NULL, &b, CS_RSS, 1, &rate), "rate: none without a previous sample");

	fixture(&t1);
	fixture2(&t2);
	CAPTURE(out, cs_print_watch(cap, NULL, &t1, 0, &fmt));
	tap_is_str(out, watch_first, "watch: the first sample has no changes");
	free(out);
	CAPTURE(out, cs_print_watch(cap, &t1, &t2, 2.0, &fmt));
	tap_is_str(out, watch_pages, "watch: changes, COW rate, new and exited (pages)");
	free(out);
	fmt = (struct cs_fmt){ .vmas = true };
	CAPTURE(out, cs_print_watch(cap, &t1, &t2, 2.0, &fmt));
	tap_is_str(out, watch_vmas, "watch: sizes, VMAs matched by start address");
	free(out);
	cs_tree_free(&t1);
	cs_tree_free(&t2);
}

/* The outputs that output_test.py parses with python3. */
static int emit(const char *what)
{
	struct cs_tree t;

	fixture(&t);
	if (!strcmp(what, "json-odd") || !strcmp(what, "prometheus-odd")) {
		static const char *const odd[] = {
			"with space", "quote\"d", "back\\slash", "new\nline\ttab\r",
			"\x01\x1b[31m\x7f", "caf\xc3\xa9 \xe2\x82\xac", "bad\xff\xfe",
			"\xc0\xaf\xed\xa0\x80", "trunc\xe2\x82",
		};
		size_t i;

		cs_tree_free(&t);
		t = (struct cs_tree){ .root = 1, .page_size = 4096, .have_totals = true };
		for (i = 0; i < ARRAY_SIZE(odd); i++) {
			struct cs_proc *p = fx_proc(&t, 1 + i, i, i ? 1 : 0, odd[i], 0, NULL);

			cs_set(&p->c, CS_RSS, i);
		}
		t.processes = i;
	}
	if (!strcmp(what, "json") || !strcmp(what, "json-odd"))
		cs_print_json(stdout, &t, false);
	else if (!strcmp(what, "json-vmas"))
		cs_print_json(stdout, &t, true);
	else if (!strcmp(what, "prometheus") || !strcmp(what, "prometheus-odd"))
		cs_print_prometheus(stdout, &t);
	else
		return 2;
	cs_tree_free(&t);
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc == 3 && !strcmp(argv[1], "--emit"))
		return emit(argv[2]);
	test_options();
	test_sort_options();
	test_record_options();
	test_human();
	test_escaping();
	test_table();
	test_sort_table();
	test_json_prometheus();
	test_json_line();
	test_watch();
	return tap_done();
}
