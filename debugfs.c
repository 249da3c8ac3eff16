// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs front end: /sys/kernel/debug/cowstat/.
 *
 * "pid" selects the root of the tree that the other files report on; it is
 * one global selector, which is fine for a person with cat.  Programs use
 * the netlink family, which takes the root with each request.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cowstat.h"

static struct dentry *cowstat_dir;

/* The selected root; a reference is held.  Protected by root_lock. */
static struct pid *root_pid;
static DEFINE_MUTEX(root_lock);

/* Long enough for any u32 with a sign, spaces and a newline. */
#define PID_INPUT_MAX	32

static struct pid *get_root_pid(void)
{
	struct pid *pid;

	mutex_lock(&root_lock);
	pid = get_pid(root_pid);
	mutex_unlock(&root_lock);
	return pid;
}

static ssize_t pid_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct pid *pid = get_root_pid();
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%d\n",
			pid_nr_ns(pid, task_active_pid_ns(current)));
	put_pid(pid);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

/*
 * Parse a PID: decimal digits, surrounding white space allowed.  Anything
 * else, zero included, is -EINVAL; a number past u32 is -ERANGE.
 */
static int parse_pid(const char __user *ubuf, size_t count, u32 *nr)
{
	char buf[PID_INPUT_MAX + 1];
	char *s;
	int ret;

	if (!count || count > PID_INPUT_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (strlen(buf) != count)
		return -EINVAL;	/* an embedded NUL */

	s = strim(buf);
	/* kstrtou32() would take a leading '+'; a PID is digits only. */
	if (!isdigit(*s))
		return -EINVAL;
	ret = kstrtou32(s, 10, nr);
	if (ret)
		return ret;
	return *nr ? 0 : -EINVAL;
}

static ssize_t pid_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct pid *pid, *old;
	u32 nr;
	int ret;

	if (*ppos)
		return -EINVAL;
	ret = parse_pid(ubuf, count, &nr);
	if (ret)
		return ret;
	if (nr > INT_MAX)
		return -ERANGE;
	pid = cowstat_find_process(nr);
	if (!pid)
		return -ESRCH;

	mutex_lock(&root_lock);
	old = root_pid;
	root_pid = pid;
	mutex_unlock(&root_lock);
	put_pid(old);
	return count;
}

static const struct file_operations pid_fops = {
	.owner	= THIS_MODULE,
	.read	= pid_read,
	.write	= pid_write,
	.llseek	= default_llseek,
};

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "module: %s\nnetlink: %s %d\n", COWSTAT_VERSION,
		   "cowstat", COWSTAT_GENL_VERSION);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

/**
 * cowstat_debugfs_init() - create /sys/kernel/debug/cowstat and its files
 *
 * The root starts as PID 1 of the initial PID namespace.
 *
 * Return: 0, or a negative errno when PID 1 cannot be found.
 */
int cowstat_debugfs_init(void)
{
	root_pid = find_get_pid(1);
	if (!root_pid)
		return -ESRCH;

	/* Failures here are not fatal: debugfs may be disabled or absent. */
	cowstat_dir = debugfs_create_dir("cowstat", NULL);
	debugfs_create_file("pid", 0600, cowstat_dir, NULL, &pid_fops);
	debugfs_create_file("version", 0400, cowstat_dir, NULL, &version_fops);
	return 0;
}

/**
 * cowstat_debugfs_exit() - remove the debugfs files and drop the root
 *
 * debugfs_remove() waits for readers that are inside a file operation, so
 * nothing uses root_pid after this.
 */
void cowstat_debugfs_exit(void)
{
	debugfs_remove(cowstat_dir);
	put_pid(root_pid);
	root_pid = NULL;
}
