// SPDX-License-Identifier: GPL-2.0
/*
 * vmdisk benchmark (not pass/fail): 4 KiB random reads and writes at queue
 * depth 1 and 1 MiB sequential reads and writes, through /dev/sdX of a
 * vmdisk loopback disk, directly on its backing file, and through the
 * stock loop driver on the same file (the peer: same block layer, no
 * SCSI), with O_DIRECT where the file system allows it; prints the ratios.
 */
#define _GNU_SOURCE
#include <time.h>

#include "../vmdisk/vmdisk_test.h"

#define SIZE	(64u << 20)
#define RAND_OPS 2000
#define SEQ_PASSES 4

struct result {
	double rr_iops, rw_iops, sr_mbs, sw_mbs;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_direct(const char *path, const char **mode)
{
	int fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);

	*mode = "O_DIRECT";
	if (fd < 0 && errno == EINVAL) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		*mode = "buffered (no O_DIRECT here)";
	}
	TEST_ASSERT(fd >= 0, "open %s", path);
	return fd;
}

static double run_random(int fd, uint8_t *buf, int write)
{
	unsigned int seed = 1;
	double t = now();
	int i;

	for (i = 0; i < RAND_OPS; i++) {
		off_t off = (off_t)(rand_r(&seed) % (SIZE / 4096)) * 4096;
		ssize_t n = write ? pwrite(fd, buf, 4096, off) :
				    pread(fd, buf, 4096, off);

		TEST_ASSERT(n == 4096, "%s at %lld", write ? "pwrite" : "pread",
			    (long long)off);
	}
	return RAND_OPS / (now() - t);
}

static double run_seq(int fd, uint8_t *buf, int write)
{
	double t = now();
	int p;
	off_t off;

	for (p = 0; p < SEQ_PASSES; p++)
		for (off = 0; off < SIZE; off += 1 << 20) {
			ssize_t n = write ? pwrite(fd, buf, 1 << 20, off) :
					    pread(fd, buf, 1 << 20, off);

			TEST_ASSERT(n == 1 << 20, "sequential I/O at %lld",
				    (long long)off);
		}
	if (write)
		fsync(fd);
	return (double)SEQ_PASSES * SIZE / (1 << 20) / (now() - t);
}

static void run(const char *what, const char *path, uint8_t *buf,
		struct result *r)
{
	const char *mode;
	int fd = open_direct(path, &mode);

	r->rw_iops = run_random(fd, buf, 1);
	r->rr_iops = run_random(fd, buf, 0);
	r->sw_mbs = run_seq(fd, buf, 1);
	r->sr_mbs = run_seq(fd, buf, 0);
	close(fd);
	printf("  %-8s %-28s rand-read %7.0f IOPS  rand-write %7.0f IOPS  "
	       "seq-read %7.1f MB/s  seq-write %7.1f MB/s\n", what, mode,
	       r->rr_iops, r->rw_iops, r->sr_mbs, r->sw_mbs);
}

int main(void)
{
	struct result disk, file, loop;
	int have_loop;
	uint8_t *buf;
	struct vd v;

	vd_setup();
	TEST_ASSERT(posix_memalign((void **)&buf, 4096, 1 << 20) == 0, "buffer");
	memset(buf, 0x5a, 1 << 20);
	vd_new(&v, "bench.img", SIZE, 0);
	SH("dd if=/dev/zero of=%s bs=1M count=%u conv=notrunc 2>/dev/null",
	   v.file, SIZE >> 20);
	run("file", v.file, buf, &file);
	run("sd", v.sd, buf, &disk);
	/* The same without an I/O scheduler and writeback throttling. */
	SH("echo none > /sys/block/%s/queue/scheduler", v.sd + 5);
	SH("echo 0 > /sys/block/%s/queue/wbt_lat_usec", v.sd + 5);
	run("sd/none", v.sd, buf, &disk);
	have_loop = !system(". /vmw/lib.sh; vmw_stock loop && "
			    "losetup /dev/loop7 /tmp/bench.img 2>/dev/null");
	if (have_loop) {
		run("loop", "/dev/loop7", buf, &loop);
		printf("  ratio sd/none to loop: rand-read %.2f rand-write %.2f "
		       "seq-read %.2f seq-write %.2f\n", disk.rr_iops / loop.rr_iops,
		       disk.rw_iops / loop.rw_iops, disk.sr_mbs / loop.sr_mbs,
		       disk.sw_mbs / loop.sw_mbs);
		SH("losetup -d /dev/loop7");
	}
	printf("  ratio sd/none to file: rand-read %.2f rand-write %.2f "
	       "seq-read %.2f seq-write %.2f\n", disk.rr_iops / file.rr_iops,
	       disk.rw_iops / file.rw_iops, disk.sr_mbs / file.sr_mbs,
	       disk.sw_mbs / file.sw_mbs);
	SH("cat /proc/vmware/disk/%u/stats | sed 's/^/    /'", v.id);
	vd_del(&v);
	free(buf);
	return 0;
}
