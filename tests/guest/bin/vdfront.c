// SPDX-License-Identifier: GPL-2.0
/*
 * vdfront: move data between a vmdisk disk and a file through a guest
 * front-end handle (VMDISK_IOC_OPEN_FRONT, VMDISK_IOC_SUBMIT), as vmx's
 * adapter does, for shell tests.
 *
 *   vdfront ID read|write OFFSET LENGTH FILE
 *	read: LENGTH bytes of disk ID at byte OFFSET into FILE (created);
 *	write: the first LENGTH bytes of FILE onto the disk at OFFSET.
 *	Both multiples of the disk's block size, moved in READ(16) and
 *	WRITE(16) commands of up to 64 KiB on page-aligned buffers. Exit 0,
 *	or 1 with the failed command's status and sense on stderr.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uapi/vmdisk.h>

#define CHUNK	65536

static int front;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = v;
		v >>= 8;
	}
}

/* One command on len bytes at buf; exits on any failure. */
static void submit(const uint8_t *cdb, uint32_t dir, void *buf, uint32_t len)
{
	struct vmdisk_iovec v = { (uintptr_t)buf, len };
	uint8_t sense[VMDISK_SENSE_MAX];
	struct vmdisk_submit s = {
		.size = sizeof(s), .version = VMDISK_VERSION, .dir = dir,
		.cdb_len = 16, .iov_count = 1, .iov = (uintptr_t)&v,
		.sense = (uintptr_t)sense, .sense_max = sizeof(sense),
	};

	memcpy(s.cdb, cdb, 16);
	if (ioctl(front, VMDISK_IOC_SUBMIT, &s))
		die("VMDISK_IOC_SUBMIT");
	if (s.status || s.resid) {
		fprintf(stderr, "opcode %#x: status %#x resid %u sense key %#x asc %#x/%#x\n",
			cdb[0], s.status, s.resid, s.sense_len > 2 ? sense[2] & 0xf : 0,
			s.sense_len > 12 ? sense[12] : 0, s.sense_len > 13 ? sense[13] : 0);
		exit(1);
	}
}

static uint32_t block_size(void)
{
	uint8_t cdb[16] = { 0x9e, 0x10 }, buf[32];

	put_be(cdb + 10, sizeof(buf), 4);
	submit(cdb, VMDISK_DIR_FROM_DEV, buf, sizeof(buf));
	return (uint32_t)buf[8] << 24 | buf[9] << 16 | buf[10] << 8 | buf[11];
}

int main(int argc, char **argv)
{
	struct vmdisk_open_front o = { .size = sizeof(o), .version = VMDISK_VERSION,
				       .name = "vdfront" };
	uint64_t off, len, done;
	uint32_t bs, n;
	uint8_t cdb[16];
	int ctl, fd, wr;
	void *buf;

	if (argc != 6 || (strcmp(argv[2], "read") && strcmp(argv[2], "write"))) {
		fprintf(stderr, "usage: vdfront ID read|write OFFSET LENGTH FILE\n");
		return 2;
	}
	wr = !strcmp(argv[2], "write");
	o.id = strtoul(argv[1], NULL, 0);
	off = strtoull(argv[3], NULL, 0);
	len = strtoull(argv[4], NULL, 0);
	ctl = open("/dev/vmdisk", O_RDWR | O_CLOEXEC);
	if (ctl < 0 || ioctl(ctl, VMDISK_IOC_OPEN_FRONT, &o) < 0)
		die("/dev/vmdisk: VMDISK_IOC_OPEN_FRONT");
	front = o.fd;
	fd = wr ? open(argv[5], O_RDONLY) : open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(argv[5]);
	if (posix_memalign(&buf, 4096, CHUNK))
		die("posix_memalign");
	bs = block_size();
	if (!bs || off % bs || len % bs) {
		fprintf(stderr, "offset and length must be multiples of %u\n", bs);
		return 2;
	}
	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? len - done : CHUNK;
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = wr ? 0x8a : 0x88;
		put_be(cdb + 2, (off + done) / bs, 8);
		put_be(cdb + 10, n / bs, 4);
		if (wr && pread(fd, buf, n, done) != n)
			die("short read of FILE");
		submit(cdb, wr ? VMDISK_DIR_TO_DEV : VMDISK_DIR_FROM_DEV, buf, n);
		if (!wr && pwrite(fd, buf, n, done) != n)
			die("write FILE");
	}
	return 0;
}
