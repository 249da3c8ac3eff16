// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs files that need no walk: version, and the pid selector with
 * every kind of bad input (spec section 6).
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

FIXTURE(pidfile) {
	pid_t child;
};

/* Each test starts from a known selection: a sleeping child of ours. */
FIXTURE_SETUP(pidfile)
{
	char buf[32];

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		pause();
		_exit(0);
	}
	snprintf(buf, sizeof(buf), "%d\n", self->child);
	ASSERT_EQ(0, cs_write_str(PID_FILE, buf));
	ASSERT_EQ(self->child, cs_read_pid());
}

FIXTURE_TEARDOWN(pidfile)
{
	kill(self->child, SIGKILL);
	waitpid(self->child, NULL, 0);
	cs_write_str(PID_FILE, "1");
}

/* A rejected write returns @err and leaves the selection alone. */
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

#define REJECT(s, e1, e2) \
	expect_rejected(_metadata, self->child, s, strlen(s), e1, e2)

TEST_F(pidfile, empty)		{ expect_rejected(_metadata, self->child, "", 0, EINVAL, EINVAL); }
TEST_F(pidfile, newline_only)	{ REJECT("\n", EINVAL, EINVAL); }
TEST_F(pidfile, spaces_only)	{ REJECT("    ", EINVAL, EINVAL); }
TEST_F(pidfile, letters)	{ REJECT("abc", EINVAL, EINVAL); }
TEST_F(pidfile, trailing_junk)	{ REJECT("12abc", EINVAL, EINVAL); }
TEST_F(pidfile, negative)	{ REJECT("-1", EINVAL, EINVAL); }
TEST_F(pidfile, plus_sign)	{ REJECT("+1", EINVAL, EINVAL); }
TEST_F(pidfile, zero)		{ REJECT("0", EINVAL, EINVAL); }
TEST_F(pidfile, hex)		{ REJECT("0x10", EINVAL, EINVAL); }
TEST_F(pidfile, two_numbers)	{ REJECT("1 2", EINVAL, EINVAL); }
TEST_F(pidfile, past_u32)	{ REJECT("4294967296", EINVAL, ERANGE); }
TEST_F(pidfile, past_int)	{ REJECT("2147483648", EINVAL, ERANGE); }
TEST_F(pidfile, past_pid_max)	{ REJECT("4194305", ESRCH, ESRCH); }
TEST_F(pidfile, nul_byte)	{ expect_rejected(_metadata, self->child, "1\0", 2, EINVAL, EINVAL); }

TEST_F(pidfile, long_input)
{
	char buf[4096];

	memset(buf, '1', sizeof(buf));
	expect_rejected(_metadata, self->child, buf, sizeof(buf), EINVAL, ERANGE);
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
	REJECT(buf, ESRCH, ESRCH);
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
