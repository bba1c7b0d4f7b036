// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * The control device: malformed requests are refused without side effects,
 * disks are listed, read-only disks refuse writes with DATA PROTECT, a
 * VMDISK_CREATE_BASE disk does until a delta is on top and then writes to
 * the delta only, a
 * backing file that shrinks gives MEDIUM ERROR, and a disk can be detached
 * and destroyed while I/O is running on it.
 */
#include <signal.h>
#include <sys/wait.h>

#include "vmdisk_test.h"

#define SIZE	(16u << 20)

static int ctl;

static int create_raw(struct vmdisk_create *c)
{
	return ioctl(ctl, VMDISK_IOC_CREATE, c) < 0 ? -errno : (int)c->id;
}

static void test_bad_requests(void)
{
	struct vmdisk_create c;
	struct vmdisk_target t;
	struct vmdisk_info in;
	int fd, id;

	vd_mkfile("/tmp/ctl.img", SIZE);
#define RESET() do {							\
	memset(&c, 0, sizeof(c));					\
	c.size = sizeof(c);						\
	c.version = VMDISK_VERSION;					\
	c.flags = VMDISK_CREATE_PATH;					\
	strcpy(c.path, "/tmp/ctl.img");					\
} while (0)
	RESET(); c.size--;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "short size accepted");
	RESET(); c.version = 2;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "version 2 accepted");
	RESET(); c.flags |= 1u << 7;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "unknown flag accepted");
	RESET(); c.reserved = 1;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "reserved field accepted");
	RESET(); c.block_size = 1000;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "block size 1000 accepted");
	RESET(); c.capacity = SIZE + 512;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "capacity beyond the file accepted");
	RESET(); c.capacity = 1000;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "partial block accepted");
	RESET(); c.format = 7;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "unknown format accepted");
	RESET(); c.offset = 100;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "unaligned offset accepted");
	RESET(); c.offset = 1 << 20; c.capacity = SIZE;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "offset + capacity beyond the file");
	RESET(); c.format = VMDISK_FORMAT_VMDK_SPARSE;
	TEST_ASSERT(create_raw(&c) == -EINVAL, "raw file accepted as VMDK");
	RESET(); strcpy(c.path, "/tmp/nonexistent");
	TEST_ASSERT(create_raw(&c) == -ENOENT, "missing file accepted");
	RESET(); strcpy(c.path, "/dev/null");
	TEST_ASSERT(create_raw(&c) == -EINVAL, "character device accepted");
	RESET(); c.flags = 0; c.fd = 999;
	TEST_ASSERT(create_raw(&c) == -EBADF, "bad fd accepted");
	fd = open("/tmp/ctl.img", O_RDONLY);
	RESET(); c.flags = 0; c.fd = fd;
	TEST_ASSERT(create_raw(&c) == -EBADF, "read-only fd for a writable disk");
	RESET(); c.flags = VMDISK_CREATE_READONLY; c.fd = fd; c.offset = 1 << 20;
	id = create_raw(&c);
	TEST_ASSERT(id >= 0, "create from read-only fd: %d", id);
	close(fd);
	TEST_ASSERT(ioctl(ctl, _IO(VMDISK_IOC_MAGIC, 99), 0) < 0 && errno == ENOTTY,
		    "unknown ioctl");

	memset(&t, 0, sizeof(t));
	t.size = sizeof(t);
	t.version = VMDISK_VERSION;
	t.id = id;
	t.flags = 1;
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_ATTACH, &t) < 0 && errno == EINVAL,
		    "attach flag accepted");
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_ATTACH, 63, NULL) == -ENOENT,
		    "attach of a missing disk");
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_ATTACH, 1000, NULL) == -ENOENT,
		    "attach of id 1000");
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DETACH, id, NULL) == -ENOTCONN,
		    "detach of a detached disk");

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.version = VMDISK_VERSION;
	in.flags = VMDISK_INFO_NEXT;
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_INFO, &in) == 0 && in.id == (uint32_t)id &&
		    in.capacity == SIZE - (1 << 20) &&
		    (in.state & VMDISK_STATE_READONLY) &&
		    !strcmp(in.path, "/tmp/ctl.img"),
		    "INFO: id %u cap %llu state %x path %s", in.id,
		    (unsigned long long)in.capacity, in.state, in.path);
	in.id++;
	in.flags = VMDISK_INFO_NEXT;
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_INFO, &in) < 0 && errno == ENOENT,
		    "INFO NEXT past the last disk");
	in.flags = 4;
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_INFO, &in) < 0 && errno == EINVAL,
		    "INFO unknown flag");
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == 0,
		    "destroy");
	TEST_ASSERT(vd_target_ioctl(ctl, VMDISK_IOC_DESTROY, id, NULL) == -ENOENT,
		    "destroy twice");
	unlink("/tmp/ctl.img");
}

static void test_readonly(void)
{
	uint8_t cdb[16] = { 0x2a, 0, 0, 0, 0, 8, 0, 0, 1, 0 }, buf[512] = {};
	struct vd_res r;
	char cmd[128];
	struct vd v;

	vd_new(&v, "ro.img", SIZE, VMDISK_CREATE_READONLY);
	r = vd_cmd(v.sgfd, cdb, 10, SG_DXFER_TO_DEV, buf, 512);
	EXPECT_SENSE(r, 0x7, 0x27, 0, "WRITE(10) on a read-only disk");
	memcpy(cdb, (uint8_t[10]){ 0x41, 0x08, 0, 0, 0, 8, 0, 0, 1, 0 }, 10);
	r = vd_cmd(v.sgfd, cdb, 10, SG_DXFER_TO_DEV, buf, 512);
	EXPECT_SENSE(r, 0x7, 0x27, 0, "WRITE SAME(10) on a read-only disk");
	memcpy(cdb, (uint8_t[10]){ 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0 }, 10);
	buf[1] = 22;
	buf[3] = 16;
	buf[19] = 1;
	r = vd_cmd(v.sgfd, cdb, 10, SG_DXFER_TO_DEV, buf, 24);
	EXPECT_SENSE(r, 0x7, 0x27, 0, "UNMAP on a read-only disk");
	memcpy(cdb, (uint8_t[6]){ 0x1a, 0, 0x08, 0, 255, 0 }, 6);
	r = vd_cmd(v.sgfd, cdb, 6, SG_DXFER_FROM_DEV, buf, 255);
	EXPECT_GOOD(r, "MODE SENSE");
	TEST_ASSERT(buf[2] & 0x80, "WP not set: 0x%02x", buf[2]);
	memcpy(cdb, (uint8_t[10]){ 0x28, 0, 0, 0, 0, 8, 0, 0, 1, 0 }, 10);
	r = vd_cmd(v.sgfd, cdb, 10, SG_DXFER_FROM_DEV, buf, 512);
	EXPECT_GOOD(r, "READ(10) on a read-only disk");
	snprintf(cmd, sizeof(cmd),
		 "dd if=/dev/zero of=%s bs=4k count=1 conv=fsync 2>/dev/null", v.sd);
	TEST_ASSERT(system(cmd) != 0, "dd wrote to a read-only disk");
	vd_del(&v);
}

static int base_info(uint32_t id)
{
	struct vmdisk_info in = { .size = sizeof(in), .version = VMDISK_VERSION,
				  .id = id };

	return ioctl(ctl, VMDISK_IOC_INFO, &in) < 0 ? -errno : (int)in.state;
}

/* A base for deltas: opened read-only, writable once a delta is on top. */
static void test_base(void)
{
	uint8_t wr[10] = { 0x2a, 0, 0, 0, 0, 8, 0, 0, 1, 0 },
		rd[10] = { 0x28, 0, 0, 0, 0, 8, 0, 0, 1, 0 }, buf[512], back[512];
	struct vmdisk_snapshot s = { .size = sizeof(s), .version = VMDISK_VERSION,
				     .flags = VMDISK_SNAPSHOT_NEW };
	struct vd_res r;
	struct vd v;
	int fd;

	vd_new(&v, "base.img", SIZE, VMDISK_CREATE_BASE);
	TEST_ASSERT(vd_create_ex(ctl, v.file, 0, 0, VMDISK_CREATE_BASE |
				 VMDISK_CREATE_READONLY) == -EINVAL, "BASE with READONLY");
	TEST_ASSERT(vd_create_ex(ctl, v.file, 0, 0, VMDISK_CREATE_BASE |
				 VMDISK_CREATE_NONPERSISTENT) == -EINVAL, "BASE with NONPERSISTENT");
	TEST_ASSERT(base_info(v.id) & VMDISK_STATE_READONLY, "a base alone is read-only");
	memset(buf, 0xa5, sizeof(buf));
	r = vd_cmd(v.sgfd, wr, 10, SG_DXFER_TO_DEV, buf, 512);
	EXPECT_SENSE(r, 0x7, 0x27, 0, "WRITE(10) on a base without a delta");
	fd = open("/tmp/base-delta", O_RDWR | O_CREAT | O_TRUNC, 0600);
	s.id = v.id;
	s.fd = fd;
	TEST_ASSERT(ioctl(ctl, VMDISK_IOC_SNAPSHOT, &s) == 0 && s.depth == 1,
		    "a delta on the base: %s", strerror(errno));
	TEST_ASSERT(!(base_info(v.id) & VMDISK_STATE_READONLY), "writable with its delta");
	r = vd_cmd(v.sgfd, wr, 10, SG_DXFER_TO_DEV, buf, 512);
	EXPECT_GOOD(r, "WRITE(10) with the delta");
	r = vd_cmd(v.sgfd, rd, 10, SG_DXFER_FROM_DEV, back, 512);
	EXPECT_GOOD(r, "READ(10) with the delta");
	TEST_ASSERT(!memcmp(buf, back, 512), "the write reads back");
	close(fd);
	fd = open(v.file, O_RDONLY);
	TEST_ASSERT(pread(fd, back, 512, 8 * 512) == 512 && back[0] == 0 && back[511] == 0,
		    "the base file is unchanged");
	close(fd);
	vd_del(&v);
	unlink("/tmp/base-delta");
}

static void test_short_file(void)
{
	uint8_t cdb[16] = { 0x28, 0, 0, 0, 0x60, 0, 0, 0, 8, 0 }, buf[4096];
	struct vd_res r;
	struct vd v;

	vd_new(&v, "short.img", SIZE, 0);
	SH("echo 3 > /proc/sys/vm/drop_caches");
	TEST_ASSERT(truncate(v.file, SIZE / 2) == 0, "truncate backing file");
	r = vd_cmd(v.sgfd, cdb, 10, SG_DXFER_FROM_DEV, buf, sizeof(buf));
	EXPECT_SENSE(r, 0x3, 0x11, 0, "READ past the end of the backing file");
	cdb[4] = 0x10;
	r = vd_cmd(v.sgfd, cdb, 10, SG_DXFER_FROM_DEV, buf, sizeof(buf));
	EXPECT_GOOD(r, "READ inside the backing file");
	vd_del(&v);
}

/* A reader/writer on /dev/sdX while the disk is detached and destroyed. */
static void test_detach_under_io(void)
{
	static uint8_t buf[65536] __attribute__((aligned(4096)));
	int status, fd, i;
	struct vd v;
	pid_t pid;

	vd_new(&v, "busy.img", SIZE, 0);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		fd = open(v.sd, O_RDWR | O_DIRECT);
		if (fd < 0)
			_exit(2);
		for (i = 0; ; i++) {
			off_t off = (off_t)(i % 256) * sizeof(buf);

			if ((i & 1 ? pwrite(fd, buf, sizeof(buf), off) :
				     pread(fd, buf, sizeof(buf), off)) < 0)
				_exit(0);	/* the disk went away */
		}
	}
	usleep(300000);
	close(v.sgfd);
	v.sgfd = -1;
	TEST_ASSERT(vd_target_ioctl(v.ctl, VMDISK_IOC_DESTROY, v.id, NULL) == 0,
		    "destroy under I/O");
	alarm(30);
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "wait");
	alarm(0);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "I/O child status 0x%x", status);
	close(v.ctl);
	unlink(v.file);
}

/* rmmod while a disk is attached and while its /dev/sdX is open. */
static void test_unload(void)
{
	struct vd v;
	int fd, ret, i;

	vd_new(&v, "unload.img", SIZE, 0);
	fd = open(v.sd, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open %s", v.sd);
	ret = vmw_module_unload("vmdisk");
	TEST_ASSERT(ret == -EBUSY || ret == -EAGAIN || ret == -EWOULDBLOCK,
		    "rmmod with /dev/sdX open: %d", ret);
	close(fd);
	close(v.sgfd);
	close(v.ctl);
	/* sg drops its device reference from a workqueue after close. */
	for (i = 0; i < 40; i++) {
		ret = vmw_module_unload("vmdisk");
		if (ret != -EAGAIN && ret != -EBUSY)
			break;
		usleep(50000);
	}
	TEST_ASSERT(ret == 0, "rmmod with an attached disk: %d", ret);
	TEST_ASSERT(access("/proc/vmware/disk", F_OK) != 0, "/proc/vmware/disk left");
	unlink(v.file);
}

int main(void)
{
	vd_setup();
	ctl = vd_ctl();
	test_bad_requests();
	test_readonly();
	test_base();
	test_short_file();
	test_detach_under_io();
	close(ctl);
	test_unload();
	return 0;
}
