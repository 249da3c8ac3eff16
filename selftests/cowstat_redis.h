/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real Redis for the selftests: start Debian's redis-server on a unix
 * socket and talk RESP to it (no hiredis in the guest; redis-cli would
 * cost a process per command and hide the replies' types).
 */
#ifndef COWSTAT_REDIS_H
#define COWSTAT_REDIS_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/**
 * struct rc - a RESP connection
 * @fd: the unix socket
 * @in: bytes received and not yet parsed, from @off to @len
 * @out: commands built and not yet sent (pipelining), @olen bytes
 */
struct rc {
	int fd;
	char in[1 << 16];
	size_t off, len;
	char *out;
	size_t olen, ocap;
};

static inline double rc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first of @names that exists and is executable, or NULL. */
static inline const char *rc_find_prog(const char * const *names)
{
	for (; *names; names++)
		if (!access(*names, X_OK))
			return *names;
	return NULL;
}

/*
 * Start @prog (redis-server) with the arguments after it (NULL-ended),
 * its output to @log.  It dies with the caller (PR_SET_PDEATHSIG
 * survives exec).  Returns its PID or -1.
 */
static inline pid_t rc_spawn(const char *log, const char *prog, ...)
{
	const char *argv[64];
	va_list ap;
	pid_t pid;
	int n = 0;

	argv[n++] = prog;
	va_start(ap, prog);
	while (n < 63 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	pid = fork();
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!freopen(log, "a", stdout) || dup2(1, 2) < 0)
		_exit(126);
	execv(prog, (char **)argv);
	_exit(127);
}

/* Connect to @path, retrying for up to @secs: 0 or -errno. */
static inline int rc_connect(struct rc *c, const char *path, double secs)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double end = rc_now() + secs;

	memset(c, 0, sizeof(*c));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (;;) {
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0)
			return -errno;
		if (!connect(c->fd, (void *)&sa, sizeof(sa)))
			return 0;
		close(c->fd);
		if (rc_now() > end)
			return -ETIMEDOUT;
		usleep(100000);
	}
}

static inline void rc_close(struct rc *c)
{
	if (c->fd > 0)
		close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
}

static inline int rc_append(struct rc *c, const void *p, size_t n)
{
	if (c->olen + n > c->ocap) {
		size_t cap = (c->olen + n) * 2;
		char *o = realloc(c->out, cap);

		if (!o)
			return -1;
		c->out = o;
		c->ocap = cap;
	}
	memcpy(c->out + c->olen, p, n);
	c->olen += n;
	return 0;
}

/*
 * Queue one command: @argc arguments, @argv[i] of @lens[i] bytes (strlen
 * when @lens is NULL).  rc_flush() sends what is queued.
 */
static inline int rc_queue(struct rc *c, int argc, const char * const *argv, const size_t *lens)
{
	char hdr[32];
	int i, n;

	n = snprintf(hdr, sizeof(hdr), "*%d\r\n", argc);
	if (rc_append(c, hdr, n))
		return -1;
	for (i = 0; i < argc; i++) {
		size_t len = lens ? lens[i] : strlen(argv[i]);

		n = snprintf(hdr, sizeof(hdr), "$%zu\r\n", len);
		if (rc_append(c, hdr, n) || rc_append(c, argv[i], len) ||
		    rc_append(c, "\r\n", 2))
			return -1;
	}
	return 0;
}

static inline int rc_flush(struct rc *c)
{
	size_t done = 0;

	while (done < c->olen) {
		ssize_t n = write(c->fd, c->out + done, c->olen - done);

		if (n <= 0)
			return -1;
		done += n;
	}
	c->olen = 0;
	return 0;
}

/* The next byte of the reply stream, or -1 when the connection ends. */
static inline int rc_byte(struct rc *c)
{
	if (c->off == c->len) {
		ssize_t n = read(c->fd, c->in, sizeof(c->in));

		if (n <= 0)
			return -1;
		c->off = 0;
		c->len = n;
	}
	return (unsigned char)c->in[c->off++];
}

/* A CRLF-ended line of the reply stream into @buf (without CRLF). */
static inline int rc_line(struct rc *c, char *buf, size_t size)
{
	size_t n = 0;
	int ch;

	while ((ch = rc_byte(c)) >= 0) {
		if (ch == '\n') {
			if (n && buf[n - 1] == '\r')
				n--;
			buf[n] = '\0';
			return 0;
		}
		if (n + 1 < size)
			buf[n++] = ch;
	}
	return -1;
}

/*
 * Read one reply.  Returns its type ('+', '-', ':', '$', '*'), or -1 on a
 * broken stream; a simple string, error or integer goes to @line, a bulk
 * string (NUL-terminated, malloc'd) to *@bulk when @bulk is not NULL.
 * Arrays are read whole and their elements dropped.
 */
static inline int rc_reply(struct rc *c, char *line, size_t size, char **bulk)
{
	char hdr[128];
	long long n, i;
	int type;

	if (bulk)
		*bulk = NULL;
	if (rc_line(c, hdr, sizeof(hdr)) || !hdr[0])
		return -1;
	type = hdr[0];
	if (line)
		snprintf(line, size, "%s", hdr + 1);
	n = atoll(hdr + 1);
	if (type == '$' && n >= 0) {
		char *b = malloc(n + 3);

		for (i = 0; b && i < n + 2; i++) {
			int ch = rc_byte(c);

			if (ch < 0) {
				free(b);
				return -1;
			}
			b[i] = ch;
		}
		if (!b)
			return -1;
		b[n] = '\0';
		if (bulk)
			*bulk = b;
		else
			free(b);
	} else if (type == '*') {
		for (i = 0; i < n; i++)
			if (rc_reply(c, NULL, 0, NULL) < 0)
				return -1;
	}
	return type;
}

/*
 * Send one command (the NULL-ended arguments) and read its reply, as
 * rc_reply() does.
 */
static inline int rc_cmd(struct rc *c, char *line, size_t size, char **bulk, ...)
{
	const char *argv[32];
	va_list ap;
	int n = 0;

	va_start(ap, bulk);
	while (n < 32 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	if (rc_queue(c, n, argv, NULL) || rc_flush(c))
		return -1;
	return rc_reply(c, line, size, bulk);
}

/*
 * The numeric field @key of an INFO reply @info ("key:value" lines), or
 * -1 when it has none.
 */
static inline long long rc_info_num(const char *info, const char *key)
{
	size_t klen = strlen(key);
	const char *p = info;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return atoll(p + klen + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* INFO @section's field @key, or -1. */
static inline long long rc_info(struct rc *c, const char *section, const char *key)
{
	char *info;
	long long v;

	if (rc_cmd(c, NULL, 0, &info, "INFO", section, NULL) != '$' || !info)
		return -1;
	v = rc_info_num(info, key);
	free(info);
	return v;
}

#endif /* COWSTAT_REDIS_H */
