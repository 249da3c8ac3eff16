/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the cowstat CLI from a selftest: its exit status, stdout and
 * stderr.  The VM runner installs tools/cowstat as CS_CLI.
 */
#ifndef COWSTAT_RUN_H
#define COWSTAT_RUN_H

#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "cowstat_util.h"

#define CS_CLI		"/bin/cowstat"

/* One run of the CLI; zero it before the first run (cs_cli_free() too). */
struct cs_cli {
	int status;		/* exit status; 128 + signal when killed */
	int outfd, errfd;	/* memfds of stdout and stderr while it runs */
	char *out, *err;	/* what it wrote, once it finished */
};

/* All that was written to the memfd @fd, which is closed. */
static inline char *cs_cli_slurp(int fd)
{
	char *buf;

	lseek(fd, 0, SEEK_SET);
	buf = cs_read_fd(fd);
	close(fd);
	return buf;
}

/*
 * Start the CLI with @args (NULL-ended, without argv[0]), as @uid unless 0,
 * without CAP_SYS_ADMIN when @no_sysadmin; its stdout and stderr go to
 * memfds.  Returns its PID, or -1.
 */
static inline pid_t cs_cli_start(struct cs_cli *c, uid_t uid, int no_sysadmin,
				 char *const *args)
{
	char *argv[16] = { "cowstat" };
	pid_t pid;
	int i;

	for (i = 0; i < 14 && args[i]; i++)
		argv[i + 1] = args[i];
	c->outfd = memfd_create("cowstat-out", 0);
	c->errfd = memfd_create("cowstat-err", 0);
	if (c->outfd < 0 || c->errfd < 0)
		return -1;
	pid = fork();
	if (!pid) {
		dup2(c->outfd, 1);
		dup2(c->errfd, 2);
		/* Out of the bounding set, so that execve() as root cannot give it back. */
		if (no_sysadmin && prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0))
			_exit(126);
		if (uid)
			cs_become(uid, 1);
		execv(CS_CLI, argv);
		_exit(127);
	}
	return pid;
}

/* Wait for the CLI started as @pid; collect its status and output. */
static inline int cs_cli_finish(struct cs_cli *c, pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	c->out = cs_cli_slurp(c->outfd);
	c->err = cs_cli_slurp(c->errfd);
	return c->out && c->err ? 0 : -1;
}

/*
 * Run the CLI to its end with the NULL-terminated arguments that follow
 * (as cs_cli_start() says).  Returns 0 when it ran, whatever its status.
 */
static inline int cs_cli_run(struct cs_cli *c, uid_t uid, int no_sysadmin, ...)
{
	char *args[15];
	va_list ap;
	int i = 0;

	va_start(ap, no_sysadmin);
	while (i < 14 && (args[i] = va_arg(ap, char *)))
		i++;
	args[i] = NULL;
	va_end(ap);
	return cs_cli_finish(c, cs_cli_start(c, uid, no_sysadmin, args));
}

static inline void cs_cli_free(struct cs_cli *c)
{
	free(c->out);
	free(c->err);
	c->out = NULL;
	c->err = NULL;
}

#endif /* COWSTAT_RUN_H */
