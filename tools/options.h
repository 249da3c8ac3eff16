/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowstat CLI: command line and exit statuses.
 */
#ifndef COWSTAT_OPTIONS_H
#define COWSTAT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CS_TOOL_VERSION		"0.2.0"

/* Exit statuses: each failure a script may want to tell apart has its own. */
enum cs_exit {
	CS_EXIT_OK		= 0,
	CS_EXIT_ERROR		= 1,	/* anything else */
	CS_EXIT_NOT_LOADED	= 2,	/* no "cowstat" generic netlink family */
	CS_EXIT_NO_PROCESS	= 3,	/* ESRCH */
	CS_EXIT_PERMISSION	= 4,	/* EPERM, EACCES */
	CS_EXIT_USAGE		= 64,	/* EX_USAGE of sysexits.h */
};

/* The longest --watch interval: a day; longer is surely a typo. */
#define CS_WATCH_MAX		86400.0

/* The largest --top: any count of rows a tree can have. */
#define CS_TOP_MAX		2147483647UL

/**
 * struct cs_opts - what the command line asks for
 * @pid: the tree's root
 * @json: print one JSON document
 * @prometheus: print the Prometheus text exposition format
 * @vmas: include each process's VMAs
 * @pages: the table shows page counts instead of sizes
 * @help: --help was given
 * @version: --version was given
 * @list_fields: --list-fields was given
 * @watch: seconds between samples, 0 for a single one
 * @sort: the table's row order, a CS_SORT_* value of format.h (0: tree order)
 * @top: show at most this many process rows, 0 for all
 * @record: --record's file ("-" for stdout), or NULL
 * @interval: --record's seconds between samples
 * @backend: where the counts come from, a CS_BACKEND_* value
 */
struct cs_opts {
	uint32_t pid;
	bool json, prometheus, vmas, pages, help, version, list_fields;
	double watch;
	int sort;
	size_t top;
	const char *record;
	double interval;
	int backend;
};

/* --backend: the module (generic netlink), or /proc/PID/pagemap and /proc/kpage*. */
enum { CS_BACKEND_MODULE, CS_BACKEND_PAGEMAP };

int cs_parse_pid(const char *s, uint32_t *pid);
int cs_parse_seconds(const char *s, double *sec);
int cs_parse_sort(const char *s, int *sort);
int cs_parse_top(const char *s, size_t *top);
int cs_parse_backend(const char *s, int *backend);
int cs_parse_args(int argc, char *argv[], struct cs_opts *o, char *err, size_t errlen);

extern const char cs_usage[];

#endif /* COWSTAT_OPTIONS_H */
