// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs files that need no walk: version, and the pid selector with
 * every kind of bad input (README, "debugfs").
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"

#define PID_FILE CS_DIR "/pid"

TEST(version_names_module_and_netlink)
{
	char *s = cs_read(CS_DIR "/version");

	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "module: "));
	EXPECT_NE(NULL, strstr(s, "netlink: cowstat 1\n"));
	free(s);
}

TEST(files_are_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(PID_FILE, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	ASSERT_EQ(0, stat(CS_DIR "/version", &st));
	EXPECT_EQ(0400, st.st_mode & 0777);
}

/* Select a sleeping child of ours: each test starts from that selection. */
static pid_t select_sleeper(struct __test_metadata *_metadata)
{
	char buf[32];
	pid_t child = fork();

	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* when setup fails */
		pause();
		_exit(0);
	}
	if (child < 0)
		return child;
	snprintf(buf, sizeof(buf), "%d\n", child);
	EXPECT_EQ(0, cs_write_str(PID_FILE, buf));
	EXPECT_EQ(child, cs_read_pid());
	return child;
}

static void unselect(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	cs_write_str(PID_FILE, "1");
}

FIXTURE(pidfile) {
	pid_t child;
};

FIXTURE_SETUP(pidfile)
{
	self->child = select_sleeper(_metadata);
	ASSERT_LT(0, self->child);
}

FIXTURE_TEARDOWN(pidfile)
{
	unselect(self->child);
}

/* A rejected write returns @err1 or @err2 and leaves the selection alone. */
static void expect_rejected(struct __test_metadata *_metadata, pid_t keep,
			    const void *buf, size_t len, int err1, int err2)
{
	int ret = cs_write(PID_FILE, buf, len);

	if (ret != -err1 && ret != -err2)
		TH_LOG("write of %zu bytes: got %d (%s), want -%d or -%d",
		       len, ret, strerror(-ret), err1, err2);
	EXPECT_TRUE(ret == -err1 || ret == -err2);
	EXPECT_EQ(keep, cs_read_pid());
}

/* Bad input to the pid file (README, "debugfs"): one variant each. */
FIXTURE(bad_pid) {
	pid_t child;
};

FIXTURE_VARIANT(bad_pid) {
	const char *buf;
	size_t len;		/* bytes of buf written, in one write() */
	int err1, err2;		/* the errors allowed */
};

/* Input longer than any PID: 4096 digits. */
static const char ones[4096] = { [0 ... 4095] = '1' };

#define BAD_PID(name, s, e1, e2) \
	FIXTURE_VARIANT_ADD(bad_pid, name) { \
		.buf = s, .len = sizeof(s) - 1, .err1 = e1, .err2 = e2 }

BAD_PID(empty, "", EINVAL, EINVAL);
BAD_PID(newline_only, "\n", EINVAL, EINVAL);
BAD_PID(spaces_only, "    ", EINVAL, EINVAL);
BAD_PID(letters, "abc", EINVAL, EINVAL);
BAD_PID(trailing_junk, "12abc", EINVAL, EINVAL);
BAD_PID(negative, "-1", EINVAL, EINVAL);
BAD_PID(plus_sign, "+1", EINVAL, EINVAL);
BAD_PID(zero, "0", EINVAL, EINVAL);
BAD_PID(hex, "0x10", EINVAL, EINVAL);
BAD_PID(two_numbers, "1 2", EINVAL, EINVAL);
BAD_PID(past_u32, "4294967296", EINVAL, ERANGE);
BAD_PID(past_int, "2147483648", EINVAL, ERANGE);
BAD_PID(past_pid_max, "4194305", ESRCH, ESRCH);	/* PID_MAX_LIMIT + 1 */
BAD_PID(nul_byte, "1\0", EINVAL, EINVAL);
FIXTURE_VARIANT_ADD(bad_pid, long_input) {
	.buf = ones, .len = sizeof(ones), .err1 = EINVAL, .err2 = ERANGE,
};

FIXTURE_SETUP(bad_pid)
{
	self->child = select_sleeper(_metadata);
	ASSERT_LT(0, self->child);
}

FIXTURE_TEARDOWN(bad_pid)
{
	unselect(self->child);
}

TEST_F(bad_pid, is_rejected)
{
	expect_rejected(_metadata, self->child, variant->buf, variant->len,
			variant->err1, variant->err2);
}

TEST_F(pidfile, pid_that_does_not_exist)
{
	pid_t gone = fork();
	char buf[32];

	ASSERT_LE(0, gone);
	if (!gone)
		_exit(0);
	ASSERT_EQ(gone, waitpid(gone, NULL, 0));
	snprintf(buf, sizeof(buf), "%d", gone);
	expect_rejected(_metadata, self->child, buf, strlen(buf), ESRCH, ESRCH);
}

TEST_F(pidfile, select_with_and_without_newline)
{
	char buf[32];

	ASSERT_EQ(0, cs_write_str(PID_FILE, "1\n"));
	EXPECT_EQ(1, cs_read_pid());
	snprintf(buf, sizeof(buf), "%d", self->child);
	ASSERT_EQ(0, cs_write_str(PID_FILE, buf));
	EXPECT_EQ(self->child, cs_read_pid());
	snprintf(buf, sizeof(buf), "  %d \n", getpid());
	ASSERT_EQ(0, cs_write_str(PID_FILE, buf));
	EXPECT_EQ(getpid(), cs_read_pid());
}

TEST_F(pidfile, kernel_thread_can_be_selected)
{
	/* kthreadd is PID 2 in the initial namespace. */
	ASSERT_EQ(0, cs_write_str(PID_FILE, "2"));
	EXPECT_EQ(2, cs_read_pid());
}

TEST_F(pidfile, write_at_offset_is_rejected)
{
	int fd = open(PID_FILE, O_WRONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pwrite(fd, "1", 1, 1));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	EXPECT_EQ(self->child, cs_read_pid());
}

TEST_HARNESS_MAIN
