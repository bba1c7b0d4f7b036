// SPDX-License-Identifier: GPL-2.0
/*
 * vdrandw: reproducible random writes to block devices, for the vmdisk
 * differential and crash tests.
 *
 *   vdrandw diff SEED COUNT DEV...
 *	COUNT writes at random sector offsets, of 1 to 32 sectors (every
 *	eighth: 1 to 256), so most cover partial grains; the same data at the same place on every DEV,
 *	O_DIRECT, with an fdatasync every 64 writes. The caller then compares
 *	the devices whole.
 *   vdrandw log SEED COUNT DEV
 *	Write i (0 <= i < COUNT) puts 1 to 64 sectors of data derived from
 *	(SEED, i) somewhere in the 64 KiB slot i of DEV, then fdatasyncs it
 *	and prints "ACK i" once that returned: what a crash must not lose.
 *   vdrandw check SEED COUNT DEV
 *	Every write i < COUNT of "log" is on DEV; prints the first missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <unistd.h>

#define MAX_SECTORS	256
#define SLOT		65536

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(uint8_t *buf, size_t len, uint64_t seed, uint64_t i)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + i + 1, v;
	size_t k;

	for (k = 0; k < len; k += 8) {
		v = rng(&s);
		memcpy(buf + k, &v, 8);
	}
}

static int open_dev(const char *path, uint64_t *sectors)
{
	uint64_t bytes;
	int fd = open(path, O_RDWR | O_DIRECT);

	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
		perror(path);
		exit(2);
	}
	*sectors = bytes / 512;
	return fd;
}

static void io(int write, int fd, void *buf, size_t len, off_t off,
	       const char *what)
{
	ssize_t n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		fprintf(stderr, "vdrandw: %s at %lld+%zu: %s\n", what,
			(long long)off, len, n < 0 ? strerror(errno) : "short");
		exit(1);
	}
}

static int do_diff(uint64_t seed, long count, int ndev, char **devs)
{
	int fd[8], d;
	uint64_t sectors = 0, s = seed | 1, n;
	uint8_t *buf;
	long i;

	if (ndev > 8 || posix_memalign((void **)&buf, 4096, MAX_SECTORS * 512))
		return 2;
	for (d = 0; d < ndev; d++) {
		fd[d] = open_dev(devs[d], &n);
		sectors = d ? (n < sectors ? n : sectors) : n;
	}
	for (i = 0; i < count; i++) {
		uint64_t off = rng(&s) % sectors;
		uint64_t len = 1 + rng(&s) % (i % 8 ? 32 : MAX_SECTORS);

		if (off + len > sectors)
			len = sectors - off;
		fill(buf, len * 512, seed, i);
		for (d = 0; d < ndev; d++) {
			io(1, fd[d], buf, len * 512, off * 512, devs[d]);
			if (i % 64 == 63 && fdatasync(fd[d]))
				return perror("fdatasync"), 1;
		}
	}
	for (d = 0; d < ndev; d++)
		if (fdatasync(fd[d]))
			return perror("fdatasync"), 1;
	return 0;
}

/* Where write i of "log" lands: sector and length. */
static void slot(uint64_t seed, long i, uint64_t *off, uint64_t *len)
{
	uint64_t s = (seed + i) * 0x2545f4914f6cdd1dULL | 1;

	*len = 1 + rng(&s) % 64;
	*off = (uint64_t)i * (SLOT / 512) + rng(&s) % (SLOT / 512 - *len + 1);
}

static int do_log(uint64_t seed, long count, const char *dev, int check)
{
	uint64_t sectors, off, len;
	uint8_t *buf, *want;
	int fd = open_dev(dev, &sectors);
	long i;

	if (posix_memalign((void **)&buf, 4096, 64 * 512) ||
	    posix_memalign((void **)&want, 4096, 64 * 512))
		return 2;
	if ((uint64_t)count * (SLOT / 512) > sectors) {
		fprintf(stderr, "vdrandw: %s too small for %ld writes\n", dev, count);
		return 2;
	}
	for (i = 0; i < count; i++) {
		slot(seed, i, &off, &len);
		fill(want, len * 512, seed, i);
		if (check) {
			io(0, fd, buf, len * 512, off * 512, dev);
			if (memcmp(buf, want, len * 512)) {
				printf("MISSING %ld\n", i);
				return 1;
			}
			continue;
		}
		io(1, fd, want, len * 512, off * 512, dev);
		if (fdatasync(fd))
			return perror("fdatasync"), 1;
		printf("ACK %ld\n", i);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t seed;
	long count;

	if (argc < 5)
		goto usage;
	seed = strtoull(argv[2], NULL, 0);
	count = strtol(argv[3], NULL, 0);
	if (!strcmp(argv[1], "diff"))
		return do_diff(seed, count, argc - 4, argv + 4);
	if (!strcmp(argv[1], "log") && argc == 5)
		return do_log(seed, count, argv[4], 0);
	if (!strcmp(argv[1], "check") && argc == 5)
		return do_log(seed, count, argv[4], 1);
usage:
	fprintf(stderr, "usage: vdrandw diff|log|check SEED COUNT DEV...\n");
	return 2;
}
