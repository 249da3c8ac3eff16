// SPDX-License-Identifier: GPL-2.0
/*
 * A small pre-forking workload for the demo: the parent fills a region,
 * forks children, and child i rewrites its own share of the region, as a
 * worker that touches its copy of the preloaded state would.  Everyone then
 * waits until the parent is killed.
 *
 *   cowstat_workload [MIB] [CHILDREN]     (defaults: 16 MiB, 3 children)
 *
 * Prints "ready PID" once every child has written, then sleeps.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 16;
	int children = argc > 2 ? atoi(argv[2]) : 3;
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)mib << 20;
	int pipefd[2], i;
	char *region;

	if (mib <= 0 || children <= 0 || pipe(pipefd))
		return 2;
	region = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	madvise(region, len, MADV_NOHUGEPAGE);
	memset(region, 1, len);

	for (i = 1; i <= children; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (!pid) {
			/* Child i rewrites i/(children+1) of the region. */
			size_t n = len / (children + 1) * i, off;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (off = 0; off < n; off += page)
				region[off] = 2;
			if (write(pipefd[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	for (i = 0; i < children; i++) {
		char c;

		if (read(pipefd[0], &c, 1) != 1)
			return 1;
	}
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
}
