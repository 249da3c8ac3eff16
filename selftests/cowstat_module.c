// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading: the module comes and goes cleanly, many times,
 * with its debugfs directory appearing and disappearing with it.  The VM
 * runner checks the kernel log for warnings afterwards.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"

static int load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "cowstat", O_NONBLOCK) ? -errno : 0;
}

static int is_loaded(void)
{
	struct stat st;

	return stat("/sys/module/cowstat", &st) == 0;
}

TEST(reload_20_times)
{
	const char *ko = getenv("COWSTAT_KO");
	struct stat st;
	int i;

	if (!ko)
		SKIP(return, "COWSTAT_KO does not name the module file");
	if (is_loaded())
		ASSERT_EQ(0, unload());

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, load(ko)) TH_LOG("load %d", i);
		ASSERT_EQ(0, stat(CS_DIR "/version", &st));
		/* Use it once, so that unloading follows real work. */
		ASSERT_EQ(0, cs_write_str(CS_DIR "/pid", "1"));
		ASSERT_EQ(1, cs_read_pid());
		ASSERT_EQ(0, unload()) TH_LOG("unload %d", i);
		ASSERT_NE(0, stat(CS_DIR, &st));
		ASSERT_FALSE(is_loaded());
	}
	/* Leave it loaded for the tests that follow. */
	ASSERT_EQ(0, load(ko));
}

TEST(double_load_is_refused)
{
	const char *ko = getenv("COWSTAT_KO");

	if (!ko)
		SKIP(return, "COWSTAT_KO does not name the module file");
	if (!is_loaded())
		ASSERT_EQ(0, load(ko));
	EXPECT_EQ(-EEXIST, load(ko));
	EXPECT_TRUE(is_loaded());
}

TEST(an_open_file_pins_the_module)
{
	const char *ko = getenv("COWSTAT_KO");
	char buf[64];
	int fd, ret;

	if (!ko)
		SKIP(return, "COWSTAT_KO does not name the module file");
	if (!is_loaded())
		ASSERT_EQ(0, load(ko));
	fd = open(CS_DIR "/version", O_RDONLY);
	ASSERT_LE(0, fd);
	ret = unload();
	EXPECT_TRUE(ret == -EAGAIN || ret == -EBUSY) TH_LOG("unload: %d", ret);
	EXPECT_LT(0, read(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(ko));
}

TEST_HARNESS_MAIN
