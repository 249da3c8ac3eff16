// SPDX-License-Identifier: GPL-2.0
/*
 * Print, for each PID given, the page counts that the pagemap oracle
 * computes, in the order of cowstat's tree file (cow_broken, ksm and
 * cow_faults have no oracle and print as "-").  The demo runs it next to
 * cat tree.  Root only.
 *
 *   cowstat_pagemap PID...
 */
#include "cowstat_pagemap.h"

int main(int argc, char **argv)
{
	uint64_t *pfns = NULL;
	size_t npfns = 0, cap = 0;
	int i, f;

	printf("# pid rss anon file shared private anon_shared anon_private cow_broken swap zero ksm thp\n");
	for (i = 1; i < argc; i++) {
		struct cs_pages o;
		pid_t pid = atoi(argv[i]);

		if (oracle(pid, &o, &pfns, &npfns, &cap)) {
			fprintf(stderr, "cowstat_pagemap: %d: %s\n", pid, strerror(errno));
			return 1;
		}
		printf("%d", pid);
		for (f = 0; f < F_NR; f++) {
			if (f == F_COW_BROKEN || f == F_KSM)
				printf(" -");
			else
				printf(" %llu", o.v[f]);
		}
		printf("\n");
	}
	free(pfns);
	return 0;
}
