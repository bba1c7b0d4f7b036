// SPDX-License-Identifier: GPL-2.0
/*
 * vmdisk benchmark (not pass/fail): 4 KiB random reads and writes at queue
 * depth 1 and 1 MiB sequential reads and writes, through /dev/sdX of a
 * vmdisk loopback disk, directly on its backing file, and through the
 * stock loop driver on the same file (the peer: same block layer, no
 * SCSI), with O_DIRECT where the file system allows it; prints the ratios.
 * Then 4 KiB random I/O at queue depth 1 and 32 (32 threads) on a disk
 * whose backing file sits on ext4 (on a loop device) and is open O_DIRECT,
 * where queue depth > 1 overlaps in the backend only if it submits
 * asynchronously.
 */
#define _GNU_SOURCE
#include <pthread.h>
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

struct qd_arg {
	int fd, write;
	unsigned int seed;
};

static void *qd_thread(void *p)
{
	struct qd_arg *a = p;
	uint8_t *buf;
	int i;

	TEST_ASSERT(posix_memalign((void **)&buf, 4096, 4096) == 0, "buffer");
	memset(buf, 0xa5, 4096);
	for (i = 0; i < RAND_OPS / 32; i++) {
		off_t off = (off_t)(rand_r(&a->seed) % (SIZE / 4096)) * 4096;
		ssize_t n = a->write ? pwrite(a->fd, buf, 4096, off) :
				       pread(a->fd, buf, 4096, off);

		TEST_ASSERT(n == 4096, "QD32 I/O at %lld", (long long)off);
	}
	free(buf);
	return NULL;
}

/* 32 threads, each with RAND_OPS / 32 I/Os in flight one at a time. */
static double run_qd32(int fd, int write)
{
	struct qd_arg a[32];
	pthread_t t[32];
	double t0 = now();
	int i;

	for (i = 0; i < 32; i++) {
		a[i] = (struct qd_arg){ .fd = fd, .write = write, .seed = i + 1 };
		TEST_ASSERT(pthread_create(&t[i], NULL, qd_thread, &a[i]) == 0,
			    "pthread_create");
	}
	for (i = 0; i < 32; i++)
		pthread_join(t[i], NULL);
	return (RAND_OPS / 32 * 32) / (now() - t0);
}

static void run_depths(const char *what, const char *path, uint8_t *buf)
{
	const char *mode;
	int fd = open_direct(path, &mode);
	double rr1, rw1, rr32, rw32;

	rw1 = run_random(fd, buf, 1);
	rr1 = run_random(fd, buf, 0);
	rw32 = run_qd32(fd, 1);
	rr32 = run_qd32(fd, 0);
	close(fd);
	printf("  %-8s %-10s 4k rand-read QD1 %6.0f QD32 %6.0f IOPS (x%.2f)  "
	       "rand-write QD1 %6.0f QD32 %6.0f IOPS (x%.2f)\n", what, mode,
	       rr1, rr32, rr32 / rr1, rw1, rw32, rw32 / rw1);
}

/* A disk on a file of ext4 on a loop device, opened O_DIRECT by vmdisk. */
static void run_on_ext4(uint8_t *buf)
{
	struct vmdisk_create c = { .size = sizeof(c), .version = VMDISK_VERSION };
	struct vd v = {};

	if (system(". /vmw/lib.sh; vmw_stock loop && vmw_stock crc32c_generic && "
		   "vmw_stock ext4 && dd if=/dev/zero of=/tmp/ext4.img bs=1M count=96 "
		   "2>/dev/null && losetup /dev/loop6 /tmp/ext4.img && "
		   "mke2fs -q /dev/loop6 && mkdir -p /mnt/bx && "
		   "mount -t ext4 /dev/loop6 /mnt/bx")) {
		printf("  (no ext4 on loop: QD32 on O_DIRECT skipped)\n");
		return;
	}
	v.ctl = vd_ctl();
	snprintf(v.file, sizeof(v.file), "/mnt/bx/bench.img");
	vd_mkfile(v.file, SIZE);
	SH("dd if=/dev/zero of=%s bs=1M count=%u conv=notrunc,fsync 2>/dev/null",
	   v.file, SIZE >> 20);
	/* An O_DIRECT fd (what VMDISK_CREATE_DIRECT does with a path), so
	 * that vmdisk versions without that flag are measured alike. */
	c.fd = open(v.file, O_RDWR | O_DIRECT | O_CLOEXEC);
	TEST_ASSERT(c.fd >= 0, "open %s O_DIRECT", v.file);
	TEST_ASSERT(ioctl(v.ctl, VMDISK_IOC_CREATE, &c) == 0, "create on ext4");
	close(c.fd);
	v.id = c.id;
	vd_attach(&v);
	SH("echo none > /sys/block/%s/queue/scheduler", v.sd + 5);
	run_depths("ext4", v.file, buf);
	run_depths("sd/ext4", v.sd, buf);
	SH("cat /proc/vmware/disk/%u/stats | sed 's/^/    /'", v.id);
	vd_del(&v);
	SH("umount /mnt/bx && losetup -d /dev/loop6; rm -f /tmp/ext4.img");
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
	run_on_ext4(buf);
	free(buf);
	return 0;
}
