/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the cowstat selftests: small file I/O on debugfs.
 */
#ifndef COWSTAT_UTIL_H
#define COWSTAT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CS_DIR "/sys/kernel/debug/cowstat"

/*
 * Write @len bytes of @buf to the file @path in one write().
 * Returns 0 on success, else -errno.
 */
static inline int cs_write(const char *path, const void *buf, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

static inline int cs_write_str(const char *path, const char *s)
{
	return cs_write(path, s, strlen(s));
}

/*
 * Read the whole of @path into a malloc'd, NUL-terminated buffer.
 * Returns NULL and sets errno on failure.
 */
static inline char *cs_read(const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0) {
			if (n < 0) {
				int e = errno;

				close(fd);
				free(buf);
				errno = e;
				return NULL;
			}
			break;
		}
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* The selected root as the pid file prints it, or -errno. */
static inline long cs_read_pid(void)
{
	char *s = cs_read(CS_DIR "/pid");
	long v;

	if (!s)
		return -errno;
	v = strtol(s, NULL, 10);
	free(s);
	return v;
}

#endif /* COWSTAT_UTIL_H */
