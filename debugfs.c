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
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cowstat.h"
#include <uapi/linux/cowstat.h>

static struct dentry *cs_dir;

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
	pid = cs_find_process(task_active_pid_ns(current), nr);
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

/*
 * Bytes outside printable ASCII (the space excepted) and the backslash are
 * printed as \ooo, so that a field never holds a newline or a tab and a
 * comm or a file name can be split off the end of a line unambiguously.
 */
static void seq_escaped(struct seq_file *m, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			seq_printf(m, "\\%03o", c);
		else
			seq_putc(m, c);
	}
}

static void show_counts(struct seq_file *m, const struct cs_counts *c)
{
	int i;

	for (i = 0; i < CS_NR_FIELDS; i++)
		seq_printf(m, " %llu", c->v[i]);
}

static void show_flags(struct seq_file *m, const struct cs_snapshot *snap,
		       const struct cs_proc *p)
{
	const char *sep = "";

	if (p->flags & CS_NO_MM) {
		seq_puts(m, "no_mm");
		sep = ",";
	}
	if (p->flags & CS_MM_SHARED) {
		seq_printf(m, "%smm_shared_with=%d", sep,
			   snap->procs[p->mm_owner].nr);
		sep = ",";
	}
	if (p->flags & CS_NOT_PERMITTED) {
		seq_printf(m, "%snot_permitted", sep);
		sep = ",";
	}
	if (!*sep)
		seq_putc(m, '-');
}

/*
 * tree, summary and vmas: opening the file walks the tree once; reads
 * print that snapshot.  A walk that failed (the root was reaped, say) makes
 * the read fail with its error.
 */
struct walk_file {
	struct cs_snapshot *snap;
	int err;
	pid_t root;
};

static int tree_show(struct seq_file *m, void *v)
{
	struct walk_file *wf = m->private;
	struct cs_snapshot *snap = wf->snap;
	u32 i;
	int f;

	if (wf->err)
		return wf->err;
	seq_printf(m, "# cowstat tree of %d: %u processes, page size %lu\n",
		   wf->root, snap->nr_procs, PAGE_SIZE);
	seq_puts(m, "# pid ppid depth");
	for (f = 0; f < CS_NR_FIELDS; f++)
		seq_printf(m, " %s", cs_field_names[f]);
	seq_puts(m, " cow_faults skipped_vmas flags comm\n");

	for (i = 0; i < snap->nr_procs; i++) {
		const struct cs_proc *p = &snap->procs[i];

		seq_printf(m, "%d %d %u", p->nr, p->ppid, p->depth);
		show_counts(m, &p->c);
		if (p->cow_faults_valid)
			seq_printf(m, " %llu", p->cow_faults);
		else
			seq_puts(m, " -");
		seq_printf(m, " %llu ", p->skipped_vmas);
		show_flags(m, snap, p);
		seq_putc(m, ' ');
		seq_escaped(m, p->comm);
		seq_putc(m, '\n');
	}
	return 0;
}

static int summary_show(struct seq_file *m, void *v)
{
	struct walk_file *wf = m->private;
	struct cs_snapshot *snap = wf->snap;
	int f;

	if (wf->err)
		return wf->err;
	seq_printf(m, "root: %d\npage_size: %lu\nprocesses: %u\n", wf->root,
		   PAGE_SIZE, snap->nr_procs);
	for (f = 0; f < CS_NR_FIELDS; f++)
		seq_printf(m, "%s: %llu\n", cs_field_names[f], snap->total.v[f]);
	if (snap->cow_faults_valid)
		seq_printf(m, "cow_faults: %llu\n", snap->cow_faults);
	else
		seq_puts(m, "cow_faults: -\n");
	seq_printf(m, "skipped_vmas: %llu\nunique: %llu\nsaved: %llu\n",
		   snap->skipped_vmas, snap->unique,
		   snap->total.v[CS_RSS] - snap->unique);
	return 0;
}

static int vmas_show(struct seq_file *m, void *v)
{
	struct walk_file *wf = m->private;
	struct cs_snapshot *snap = wf->snap;
	u32 i, j;

	if (wf->err)
		return wf->err;
	for (i = 0; i < snap->nr_procs; i++) {
		const struct cs_proc *p = &snap->procs[i];
		/* A row that shares an mm lists the owner's VMAs. */
		const struct cs_proc *o = &snap->procs[p->mm_owner];

		for (j = 0; j < o->nr_vmas; j++) {
			const struct cs_vma *vma = &o->vmas[j];
			unsigned long fl = vma->flags;

			seq_printf(m, "%d %08lx-%08lx %c%c%c%c %08llx", p->nr,
				   vma->start, vma->end,
				   fl & VM_READ ? 'r' : '-',
				   fl & VM_WRITE ? 'w' : '-',
				   fl & VM_EXEC ? 'x' : '-',
				   fl & VM_MAYSHARE ? 's' : 'p',
				   vma->has_file ?
				   (unsigned long long)vma->pgoff << PAGE_SHIFT : 0ULL);
			show_counts(m, &vma->c);
			seq_putc(m, ' ');
			if (vma->name)
				seq_escaped(m, vma->name);
			seq_putc(m, '\n');
		}
	}
	return 0;
}

static int walk_open(struct inode *inode, struct file *file,
		     int (*show)(struct seq_file *, void *), bool want_vmas)
{
	struct cs_reader reader;
	struct walk_file *wf;
	struct pid *root;
	int ret;

	wf = kzalloc(sizeof(*wf), GFP_KERNEL_ACCOUNT);
	if (!wf)
		return -ENOMEM;
	root = get_root_pid();
	wf->root = pid_nr_ns(root, task_active_pid_ns(current));
	cs_reader_init_current(&reader);
	/* debugfs is root's: every process is read, names are never cut. */
	wf->err = cs_snapshot_take(&reader, root, want_vmas ? CS_WANT_VMAS : 0,
				   PATH_MAX, &wf->snap);
	put_pid(root);
	/* Interrupted: fail the open, the reader is dying anyway. */
	if (wf->err == -EINTR) {
		kfree(wf);
		return -EINTR;
	}
	ret = single_open(file, show, wf);
	if (ret) {
		cs_snapshot_free(wf->snap);
		kfree(wf);
	}
	return ret;
}

static int walk_release(struct inode *inode, struct file *file)
{
	struct walk_file *wf = ((struct seq_file *)file->private_data)->private;

	cs_snapshot_free(wf->snap);
	kfree(wf);
	return single_release(inode, file);
}

#define WALK_FILE(name, want_vmas)					\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	return walk_open(inode, file, name##_show, want_vmas);		\
}									\
static const struct file_operations name##_fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= name##_open,					\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= walk_release,					\
}

WALK_FILE(tree, false);
WALK_FILE(summary, false);
WALK_FILE(vmas, true);

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "module: %s\nnetlink: %s %d\n", COWSTAT_VERSION,
		   "cowstat", COWSTAT_FAMILY_VERSION);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

/**
 * cs_debugfs_init() - create /sys/kernel/debug/cowstat and its files
 *
 * The root starts as PID 1 of the initial PID namespace.
 *
 * Return: 0, or a negative errno when PID 1 cannot be found.
 */
int cs_debugfs_init(void)
{
	root_pid = find_get_pid(1);
	if (!root_pid)
		return -ESRCH;

	/* Failures here are not fatal: debugfs may be disabled or absent. */
	cs_dir = debugfs_create_dir("cowstat", NULL);
	debugfs_create_file("pid", 0600, cs_dir, NULL, &pid_fops);
	debugfs_create_file("version", 0400, cs_dir, NULL, &version_fops);
	debugfs_create_file("tree", 0400, cs_dir, NULL, &tree_fops);
	debugfs_create_file("summary", 0400, cs_dir, NULL, &summary_fops);
	debugfs_create_file("vmas", 0400, cs_dir, NULL, &vmas_fops);
	return 0;
}

/**
 * cs_debugfs_exit() - remove the debugfs files and drop the root
 *
 * debugfs_remove() waits for readers that are inside a file operation, so
 * nothing uses root_pid after this.
 */
void cs_debugfs_exit(void)
{
	debugfs_remove(cs_dir);
	put_pid(root_pid);
	root_pid = NULL;
}
