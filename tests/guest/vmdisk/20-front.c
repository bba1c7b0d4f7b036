// SPDX-License-Identifier: GPL-2.0
/*
 * Guest front-end handles (VMDISK_IOC_OPEN_FRONT, VMDISK_IOC_SUBMIT) used
 * directly, as vmx uses them: commands run on user buffers given as
 * iovecs, CHECK CONDITION comes back with the right sense, every bad field
 * is refused with a clear errno, a disk with a handle open cannot be
 * destroyed, /proc/vmware/disk names the handle, and the disk's INQUIRY
 * identity (VPD 0x80 serial, 0x83 NAA) is the same when it is made again
 * from the same file.
 */
#include <sys/mman.h>

#include "vmdisk_test.h"

#define SIZE	(1u << 20)
#define FILE	"/tmp/front.img"

struct sub {
	struct vmdisk_submit s;
	uint8_t sense[VMDISK_SENSE_MAX];
};

/* Submit one command; returns 0 or -errno. */
static int submit(int fd, struct sub *x, const uint8_t *cdb, int cdb_len, int dir,
		  struct vmdisk_iovec *iov, int n)
{
	memset(&x->s, 0, sizeof(x->s));
	x->s.size = sizeof(x->s);
	x->s.version = VMDISK_VERSION;
	x->s.dir = dir;
	x->s.cdb_len = cdb_len;
	x->s.iov_count = n;
	x->s.iov = (uintptr_t)iov;
	x->s.sense = (uintptr_t)x->sense;
	x->s.sense_max = sizeof(x->sense);
	memcpy(x->s.cdb, cdb, cdb_len < 32 ? cdb_len : 32);
	return ioctl(fd, VMDISK_IOC_SUBMIT, &x->s) < 0 ? -errno : 0;
}

static int open_front_flags(int ctl, uint32_t id, const char *name, uint32_t flags)
{
	struct vmdisk_open_front o = { .size = sizeof(o), .version = VMDISK_VERSION,
				       .id = id, .flags = flags };

	snprintf(o.name, sizeof(o.name), "%s", name);
	if (ioctl(ctl, VMDISK_IOC_OPEN_FRONT, &o) < 0)
		return -errno;
	TEST_ASSERT(o.fd >= 0, "OPEN_FRONT fd %d", o.fd);
	return o.fd;
}

static int open_front(int ctl, uint32_t id, const char *name)
{
	return open_front_flags(ctl, id, name, 0);
}

static int disk_exists(int id)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/vmware/disk/%d/status", id);
	return access(path, F_OK) == 0;
}

/* VMDISK_FRONT_OWNER: the disk goes with its last handle once the owner's
 * is closed, as when a VMM is killed; a plain handle owns nothing. */
static void check_owner(int ctl)
{
	int id, fd, fd2;

	id = vd_create_ex(ctl, FILE, 0, 0, 0);
	TEST_ASSERT(id >= 0, "create: %d", id);
	fd = open_front_flags(ctl, id, "owner", VMDISK_FRONT_OWNER);
	TEST_ASSERT(fd >= 0, "OPEN_FRONT owner: %d", fd);
	fd2 = open_front(ctl, id, "other");
	TEST_ASSERT(fd2 >= 0, "second front: %d", fd2);
	close(fd);
	TEST_ASSERT(disk_exists(id), "disk destroyed while a handle was open");
	close(fd2);
	TEST_ASSERT(!disk_exists(id), "disk %d left after its owner and last handle closed", id);
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == -ENOENT,
		    "destroy after the owner went: ENOENT");

	id = vd_create_ex(ctl, FILE, 0, 0, 0);
	fd = open_front(ctl, id, "plain");
	close(fd);
	TEST_ASSERT(disk_exists(id), "a plain handle took its disk");
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == 0, "destroy");
	TEST_NOTE("owner handle: the disk went with the last handle");
}

/* VPD 0x80 serial and 0x83's NAA, as text. */
static void identity(int fd, char *out, size_t len)
{
	uint8_t cdb[6] = { 0x12, 0x01, 0x80, 0, 255, 0 }, buf[255], naa[8];
	struct vmdisk_iovec v = { (uintptr_t)buf, sizeof(buf) };
	struct sub x;

	TEST_ASSERT(submit(fd, &x, cdb, 6, VMDISK_DIR_FROM_DEV, &v, 1) == 0 &&
		    x.s.status == 0, "INQUIRY VPD 0x80");
	snprintf(out, len, "%.*s", buf[3], buf + 4);
	cdb[2] = 0x83;
	TEST_ASSERT(submit(fd, &x, cdb, 6, VMDISK_DIR_FROM_DEV, &v, 1) == 0 &&
		    x.s.status == 0 && (buf[5] & 0xf) == 3, "INQUIRY VPD 0x83");
	memcpy(naa, buf + 8, 8);
	snprintf(out + strlen(out), len - strlen(out), " naa %016llx",
		 (unsigned long long)get_be64(naa));
}

static void check_open_errors(int ctl, uint32_t id)
{
	struct vmdisk_open_front o = { .size = sizeof(o), .version = VMDISK_VERSION, .id = id };

	TEST_ASSERT(open_front(ctl, 99, "x") == -ENOENT, "front on no disk: ENOENT");
	TEST_ASSERT(open_front(ctl, id, "bad\nname") == -EINVAL, "name with a newline: EINVAL");
	o.flags = VMDISK_FRONT_OWNER << 1;
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_OPEN_FRONT, &o) < 0 && errno == EINVAL, "flags: EINVAL");
	o.flags = 0;
	o.size--;
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_OPEN_FRONT, &o) < 0 && errno == EINVAL, "size: EINVAL");
	o.size++;
	memset(o.name, 'a', sizeof(o.name));
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_OPEN_FRONT, &o) < 0 && errno == EINVAL,
		    "unterminated name: EINVAL");
}

static void check_io(int fd)
{
	static uint8_t out[3 * 4096], in[3 * 4096 + 100];
	uint8_t w[10] = { 0x2a, 0, 0, 0, 0, 8, 0, 0, 16, 0 }, r[10] = { 0x28, 0, 0, 0, 0, 8, 0, 0, 16, 0 };
	struct vmdisk_iovec wv[3] = {
		{ (uintptr_t)out, 1000 }, { (uintptr_t)out + 1000, 5000 },
		{ (uintptr_t)out + 6000, 8192 - 6000 },
	};
	struct vmdisk_iovec rv[2] = { { (uintptr_t)in + 7, 4096 }, { (uintptr_t)in + 4103, 4096 } };
	uint8_t file[8192];
	struct sub x;
	int i, bfd;

	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = i * 13 + 5;
	TEST_ASSERT(submit(fd, &x, w, 10, VMDISK_DIR_TO_DEV, wv, 3) == 0, "WRITE(10) submit");
	TEST_ASSERT(x.s.status == 0 && x.s.resid == 0, "WRITE(10): status %d resid %u",
		    x.s.status, x.s.resid);
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, rv, 2) == 0 && x.s.status == 0,
		    "READ(10)");
	TEST_ASSERT(!memcmp(in + 7, out, 8192), "READ(10) through two unaligned iovecs differs");
	bfd = open(FILE, O_RDONLY);
	TEST_ASSERT(bfd >= 0 && pread(bfd, file, sizeof(file), 8 * 512) == sizeof(file),
		    "read the backing file");
	close(bfd);
	TEST_ASSERT(!memcmp(file, out, sizeof(file)), "backing file differs");
	TEST_NOTE("8 KiB written through 3 iovecs and read back through 2");
}

static void check_sense(int fd)
{
	uint8_t buf[4096], r[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	struct vmdisk_iovec v = { (uintptr_t)buf, 512 };
	struct sub x;

	put_be32(r + 2, SIZE / 512);		/* one past the end */
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == 0, "READ past the end");
	TEST_ASSERT(x.s.status == 2 && x.s.sense_len == 18 && (x.sense[2] & 0xf) == 5 &&
		    x.sense[12] == 0x21 && x.sense[13] == 0 && x.s.resid == 512,
		    "READ past the end: status %d sense_len %d %x/%02x/%02x resid %u",
		    x.s.status, x.s.sense_len, x.sense[2] & 0xf, x.sense[12], x.sense[13],
		    x.s.resid);
	put_be32(r + 2, SIZE / 512 - 1);
	r[8] = 2;				/* straddles the end */
	v.len = 1024;
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == 0 && x.s.status == 2 &&
		    x.sense[12] == 0x21, "READ straddling the end: LBA OUT OF RANGE");
	put_be32(r + 2, 0);
	r[8] = 8;				/* 4 KiB into 1 KiB */
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == 0 && x.s.status == 2 &&
		    x.sense[12] == 0x24, "READ into a short buffer: INVALID FIELD IN CDB");
	memset(&x.s, 0, sizeof(x.s));
	x.s.size = sizeof(x.s);
	x.s.version = VMDISK_VERSION;
	x.s.cdb_len = 6;
	x.s.cdb[0] = 0xff;			/* no such opcode, no sense buffer */
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_SUBMIT, &x.s) == 0 && x.s.status == 2 &&
		    x.s.sense_len == 0, "bad opcode without a sense buffer");
	TEST_NOTE("CHECK CONDITION: LBA out of range, short buffer, bad opcode");
}

static void check_bad_input(int fd)
{
	static struct vmdisk_iovec many[VMDISK_FRONT_IOV_MAX + 1];
	uint8_t buf[4096], tur[6] = {}, r[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	struct vmdisk_iovec v = { (uintptr_t)buf, 512 };
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sub x;
	int i;

	TEST_ASSERT(submit(fd, &x, tur, 6, VMDISK_DIR_NONE, NULL, 0) == 0 && x.s.status == 0,
		    "TEST UNIT READY");
	TEST_ASSERT(submit(fd, &x, tur, 5, VMDISK_DIR_NONE, NULL, 0) == -EINVAL, "cdb_len 5: EINVAL");
	TEST_ASSERT(submit(fd, &x, tur, 33, VMDISK_DIR_NONE, NULL, 0) == -EINVAL, "cdb_len 33: EINVAL");
	TEST_ASSERT(submit(fd, &x, tur, 0, VMDISK_DIR_NONE, NULL, 0) == -EINVAL, "cdb_len 0: EINVAL");
	for (i = 0; i <= VMDISK_FRONT_IOV_MAX; i++)
		many[i] = (struct vmdisk_iovec){ (uintptr_t)buf, 1 };
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, many, VMDISK_FRONT_IOV_MAX + 1) == -EINVAL,
		    "too many iovecs: EINVAL");
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, many, VMDISK_FRONT_IOV_MAX) == 0 &&
		    x.s.status == 0 && x.s.resid == 512, "1024 one-byte iovecs: status %d resid %u",
		    x.s.status, x.s.resid);
	v.base = 0;
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == -EFAULT, "NULL buffer: EFAULT");
	v.base = (uintptr_t)buf;
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, NULL, 1) == -EFAULT, "NULL iovec array: EFAULT");
	v.len = 0;
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == -EINVAL, "empty iovec: EINVAL");
	v.len = VMDISK_FRONT_DATA_MAX + 1;
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == -EINVAL, "too much data: EINVAL");
	v.len = 512;
	v.base = 0x10000;			/* unmapped */
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == -EFAULT, "unmapped buffer: EFAULT");
	v.base = (uintptr_t)-4096;		/* kernel address */
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == -EFAULT, "kernel address: EFAULT");
	TEST_ASSERT(ro != MAP_FAILED, "mmap");
	v.base = (uintptr_t)ro;
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, &v, 1) == -EFAULT, "read-only buffer: EFAULT");
	v.base = (uintptr_t)buf;
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_NONE, &v, 1) == -EINVAL, "dir NONE with data: EINVAL");
	TEST_ASSERT(submit(fd, &x, r, 10, VMDISK_DIR_FROM_DEV, NULL, 0) == -EINVAL, "dir FROM_DEV without data: EINVAL");
	TEST_ASSERT(submit(fd, &x, r, 10, 3, &v, 1) == -EINVAL, "dir 3: EINVAL");

	memset(&x.s, 0, sizeof(x.s));
	x.s.size = sizeof(x.s);
	x.s.version = VMDISK_VERSION;
	x.s.cdb_len = 6;
	x.s.sense_max = VMDISK_SENSE_MAX + 1;
	x.s.sense = (uintptr_t)x.sense;
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_SUBMIT, &x.s) < 0 && errno == EINVAL, "sense_max 253: EINVAL");
	x.s.sense_max = 18;
	x.s.sense = 0;
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_SUBMIT, &x.s) < 0 && errno == EFAULT, "NULL sense: EFAULT");
	x.s.sense = (uintptr_t)x.sense;
	x.s.resid = 1;
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_SUBMIT, &x.s) < 0 && errno == EINVAL, "out field set: EINVAL");
	x.s.resid = 0;
	x.s.flags = 1;
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_SUBMIT, &x.s) < 0 && errno == EINVAL, "flags: EINVAL");
	x.s.flags = 0;
	x.s.version = 2;
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_SUBMIT, &x.s) < 0 && errno == EINVAL, "version: EINVAL");
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_SUBMIT, NULL) < 0 && errno == EFAULT, "NULL argument: EFAULT");
	TEST_ASSERT(ioctl(fd, VMDISK_IOC_INFO, NULL) < 0 && errno == ENOTTY, "other ioctl: ENOTTY");
	munmap(ro, 4096);
	TEST_NOTE("every bad field refused with EINVAL/EFAULT");
}

int main(void)
{
	char id1[64], id2[64];
	int ctl, fd, fd2, id;

	vd_setup();
	ctl = vd_ctl();
	vd_mkfile(FILE, SIZE);
	id = vd_create_ex(ctl, FILE, 0, 0, 0);
	TEST_ASSERT(id >= 0, "create: %d", id);
	check_open_errors(ctl, id);
	fd = open_front(ctl, id, "test front");
	TEST_ASSERT(fd >= 0, "OPEN_FRONT: %d", fd);
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_SUBMIT, NULL) < 0 && errno == ENOTTY,
		    "SUBMIT on /dev/vmdisk: ENOTTY");
	SH("sed 's/^/    /' /proc/vmware/disk/%d/status", id);
	SH("grep -q '^frontend test front$' /proc/vmware/disk/%d/status", id);
	identity(fd, id1, sizeof(id1));
	check_io(fd);
	check_sense(fd);
	check_bad_input(fd);

	fd2 = open_front(ctl, id, "");
	TEST_ASSERT(fd2 >= 0, "second front: %d", fd2);
	SH("grep -q '^frontend pid:%d$' /proc/vmware/disk/%d/status", (int)getpid(), id);
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == -EBUSY,
		    "destroy with fronts open: EBUSY");
	close(fd);
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == -EBUSY,
		    "destroy with one front open: EBUSY");
	close(fd2);
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == 0,
		    "destroy after the fronts closed");
	TEST_ASSERT(access("/proc/vmware/disk/0/status", F_OK) != 0 || id != 0,
		    "proc entry left");

	/* Made again from the same file: the same identity. */
	id = vd_create_ex(ctl, FILE, 0, 0, 0);
	TEST_ASSERT(id >= 0, "create again: %d", id);
	fd = open_front(ctl, id, "again");
	identity(fd, id2, sizeof(id2));
	TEST_NOTE("identity: %s", id1);
	TEST_ASSERT(!strcmp(id1, id2), "identity changed: '%s' then '%s'", id1, id2);
	close(fd);
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == 0, "destroy");
	check_owner(ctl);
	close(ctl);
	unlink(FILE);
	return 0;
}
