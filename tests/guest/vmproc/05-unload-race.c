// SPDX-License-Identifier: GPL-2.0
/*
 * Readers and writers hammer /proc/vmware files while their owning module is
 * loaded and removed over and over. Every operation must either succeed or
 * fail with ENOENT (not there) or EIO (removed while open); the host must
 * not splat (the runner's dmesg scan checks that).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmw_test.h"

#define CYCLES	40
#define SLOW	"/proc/vmware/test/slow"
#define VALUE	"/proc/vmware/config/Test/Value"

struct shared {
	volatile bool stop;
	volatile long ok, eio;
};

static bool expected(int err)
{
	return err == ENOENT || err == EIO;
}

/* Open, read, close, as cat does. */
static void reader_short(struct shared *s)
{
	char buf[64];
	int fd;

	while (!s->stop) {
		fd = open(SLOW, O_RDONLY);
		if (fd < 0) {
			TEST_ASSERT(expected(errno), "open " SLOW);
			continue;
		}
		if (read(fd, buf, sizeof(buf)) < 0)
			TEST_ASSERT(expected(errno), "read " SLOW);
		else
			s->ok++;
		close(fd);
	}
}

/* Keep one descriptor open across the owner's removal. */
static void reader_held(struct shared *s)
{
	char buf[64];
	int fd = -1;

	while (!s->stop) {
		if (fd < 0 && (fd = open(SLOW, O_RDONLY)) < 0) {
			TEST_ASSERT(expected(errno), "open " SLOW);
			continue;
		}
		if (pread(fd, buf, sizeof(buf), 0) >= 0) {
			s->ok++;
			continue;
		}
		TEST_ASSERT(errno == EIO, "held read " SLOW);
		s->eio++;
		close(fd);
		fd = -1;
	}
}

static void writer(struct shared *s)
{
	char val[16];
	int fd, n = 0;

	while (!s->stop) {
		fd = open(VALUE, O_WRONLY);
		if (fd < 0) {
			TEST_ASSERT(expected(errno), "open " VALUE);
			continue;
		}
		snprintf(val, sizeof(val), "%d\n", n++ % 101);
		if (write(fd, val, strlen(val)) < 0)
			TEST_ASSERT(expected(errno), "write " VALUE);
		close(fd);
	}
}

static pid_t spawn(void (*fn)(struct shared *), struct shared *s)
{
	pid_t pid = fork();

	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		fn(s);
		_exit(0);
	}
	return pid;
}

static void cycle(int i)
{
	struct timespec ts = { 0, (i % 7) * 4000000L };
	int ret;

	ret = vmw_module_load("vmproc_test", "slow_ms=3");
	TEST_ASSERT(!ret, "load vmproc_test: %d", ret);
	nanosleep(&ts, NULL);
	do
		ret = vmw_module_unload("vmproc_test");
	while (ret == -EAGAIN || ret == -EBUSY);
	TEST_ASSERT(!ret, "unload vmproc_test: %d", ret);
}

int main(void)
{
	struct shared *s;
	pid_t pids[4];
	int i, status, ret;

	ret = vmw_module_load("vmproc", NULL);
	TEST_ASSERT(!ret, "load vmproc: %d", ret);
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(s != MAP_FAILED, "mmap");

	pids[0] = spawn(reader_short, s);
	pids[1] = spawn(reader_held, s);
	pids[2] = spawn(reader_held, s);
	pids[3] = spawn(writer, s);
	for (i = 0; i < CYCLES; i++)
		cycle(i);
	s->stop = true;
	for (i = 0; i < 4; i++) {
		TEST_ASSERT(waitpid(pids[i], &status, 0) == pids[i], "wait");
		TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
			    "child %d failed (status %#x)", i, status);
	}
	TEST_NOTE("%d cycles: %ld good reads, %ld EIO on held files",
		  CYCLES, s->ok, s->eio);
	TEST_ASSERT(s->ok > 0, "no read ever succeeded");
	TEST_ASSERT(s->eio > 0, "no held file saw its owner go");
	ret = vmw_module_unload("vmproc");
	TEST_ASSERT(!ret, "unload vmproc: %d", ret);
	return 0;
}
