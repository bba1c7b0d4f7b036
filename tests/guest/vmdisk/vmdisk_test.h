/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the vmdisk suite: load the modules, make a backing
 * file, create and attach a disk, find its /dev/sdX and /dev/sgN, and send
 * raw CDBs through SG_IO. Each test includes this once.
 */
#ifndef VMDISK_TEST_H
#define VMDISK_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uapi/vmdisk.h>

#include "vmw_test.h"

struct vd {
	int ctl;		/* /dev/vmdisk */
	uint32_t id;
	char file[64];		/* backing file */
	char sd[64];		/* /dev/sdX */
	char sg[64];		/* /dev/sgN */
	int sgfd;
	unsigned int host;
};

/* What SG_IO returned. */
struct vd_res {
	int status;		/* SAM status */
	int host_status;
	int key, asc, ascq;
	uint8_t sense[32];
	int resid;
};

static inline void vd_setup(void)
{
	int ret;

	if (system(". /vmw/lib.sh; vmw_stock sd_mod && vmw_stock sg"))
		TEST_SKIP("stock sd_mod/sg missing");
	ret = vmw_module_load("vmproc", NULL);
	TEST_ASSERT(ret == 0 || ret == -EEXIST, "insmod vmproc: %d", ret);
	ret = vmw_module_load("vmdisk", NULL);
	TEST_ASSERT(ret == 0, "insmod vmdisk: %d", ret);
}

static inline int vd_ctl(void)
{
	int fd = open("/dev/vmdisk", O_RDWR | O_CLOEXEC);

	TEST_ASSERT(fd >= 0, "open /dev/vmdisk");
	return fd;
}

static inline void vd_mkfile(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	TEST_ASSERT(fd >= 0, "create %s", path);
	TEST_ASSERT(ftruncate(fd, size) == 0, "truncate %s", path);
	close(fd);
}

static inline int vd_create_ex(int ctl, const char *path, uint64_t cap,
			       uint32_t bs, uint32_t flags)
{
	struct vmdisk_create c = {
		.size = sizeof(c), .version = VMDISK_VERSION,
		.flags = flags | VMDISK_CREATE_PATH, .capacity = cap,
		.block_size = bs,
	};

	snprintf(c.path, sizeof(c.path), "%s", path);
	if (ioctl(ctl, VMDISK_IOC_CREATE, &c) < 0)
		return -errno;
	return c.id;
}

static inline int vd_target_ioctl(int ctl, unsigned long cmd, uint32_t id,
				  struct vmdisk_target *out)
{
	struct vmdisk_target t = {
		.size = sizeof(t), .version = VMDISK_VERSION, .id = id,
	};

	if (ioctl(ctl, cmd, &t) < 0)
		return -errno;
	if (out)
		*out = t;
	return 0;
}

/* The first entry of DIR, or "" after timeout_ms. */
static inline int vd_wait_entry(const char *dir, char *name, size_t len,
				int timeout_ms)
{
	struct dirent *de;
	DIR *d;

	for (; timeout_ms > 0; timeout_ms -= 50) {
		d = opendir(dir);
		if (d) {
			while ((de = readdir(d)))
				if (de->d_name[0] != '.') {
					size_t n = strnlen(de->d_name, len - 1);

					memcpy(name, de->d_name, n);
					name[n] = 0;
					closedir(d);
					return 0;
				}
			closedir(d);
		}
		usleep(50000);
	}
	return -1;
}

/* Attach disk id and find its device nodes. The sysfs entries and the
 * nodes may first be those of a disk just destroyed on the same target,
 * still going away (opening its node gives ENXIO): look again until the
 * block device opens. */
static inline void vd_attach(struct vd *v)
{
	struct vmdisk_target t = {};
	char bdir[128], gdir[128], name[32];
	struct stat st;
	int ret, i, fd = -1;

	ret = vd_target_ioctl(v->ctl, VMDISK_IOC_ATTACH, v->id, &t);
	TEST_ASSERT(ret == 0, "attach %u: %d", v->id, ret);
	v->host = t.host;
	snprintf(bdir, sizeof(bdir), "/sys/class/scsi_device/%u:0:%u:0/device/block",
		 t.host, t.target);
	snprintf(gdir, sizeof(gdir), "/sys/class/scsi_device/%u:0:%u:0/device/scsi_generic",
		 t.host, t.target);
	for (i = 0; i < 200 && fd < 0; i++) {
		if (i)
			usleep(50000);
		TEST_ASSERT(vd_wait_entry(bdir, name, sizeof(name), 10000) == 0,
			    "no block device in %s", bdir);
		snprintf(v->sd, sizeof(v->sd), "/dev/%s", name);
		TEST_ASSERT(vd_wait_entry(gdir, name, sizeof(name), 10000) == 0,
			    "no sg device in %s", gdir);
		snprintf(v->sg, sizeof(v->sg), "/dev/%s", name);
		if (!stat(v->sd, &st) && !stat(v->sg, &st))
			fd = open(v->sd, O_RDONLY | O_CLOEXEC);
	}
	TEST_ASSERT(fd >= 0, "open %s", v->sd);
	close(fd);
	v->sgfd = open(v->sg, O_RDWR | O_CLOEXEC);
	TEST_ASSERT(v->sgfd >= 0, "open %s", v->sg);
}

/* A disk of size bytes on a fresh file in /tmp, attached. */
static inline void vd_new(struct vd *v, const char *name, uint64_t size,
			  uint32_t flags)
{
	int id;

	memset(v, 0, sizeof(*v));
	v->ctl = vd_ctl();
	snprintf(v->file, sizeof(v->file), "/tmp/%s", name);
	vd_mkfile(v->file, size);
	id = vd_create_ex(v->ctl, v->file, 0, 0, flags);
	TEST_ASSERT(id >= 0, "create from %s: %d", v->file, id);
	v->id = id;
	vd_attach(v);
	TEST_NOTE("disk %u: %s %s on %s", v->id, v->sd, v->sg, v->file);
}

static inline void vd_del(struct vd *v)
{
	if (v->sgfd > 0)
		close(v->sgfd);
	TEST_ASSERT(vd_target_ioctl(v->ctl, VMDISK_IOC_DESTROY, v->id, NULL) == 0,
		    "destroy %u", v->id);
	close(v->ctl);
	unlink(v->file);
}

/* dir: SG_DXFER_NONE, SG_DXFER_FROM_DEV or SG_DXFER_TO_DEV. */
static inline struct vd_res vd_cmd(int fd, const uint8_t *cdb, int cdb_len,
				   int dir, void *buf, unsigned int len)
{
	struct vd_res r;
	sg_io_hdr_t io = {
		.interface_id = 'S', .cmd_len = cdb_len, .cmdp = (uint8_t *)cdb,
		.dxfer_direction = dir, .dxferp = buf, .dxfer_len = len,
		.timeout = 20000,
	};

	memset(&r, 0, sizeof(r));
	io.sbp = r.sense;
	io.mx_sb_len = sizeof(r.sense);
	TEST_ASSERT(ioctl(fd, SG_IO, &io) == 0, "SG_IO opcode 0x%02x", cdb[0]);
	r.status = io.status;
	r.host_status = io.host_status;
	r.resid = io.resid;
	if (io.sb_len_wr >= 14) {
		r.key = r.sense[2] & 0xf;
		r.asc = r.sense[12];
		r.ascq = r.sense[13];
	}
	return r;
}

#define EXPECT_GOOD(r, what) \
	TEST_ASSERT((r).status == 0 && (r).host_status == 0, \
		    "%s: status 0x%x host 0x%x sense %x/%02x/%02x", what, \
		    (r).status, (r).host_status, (r).key, (r).asc, (r).ascq)

#define EXPECT_SENSE(r, k, a, q, what) \
	TEST_ASSERT((r).status == 2 && (r).key == (k) && (r).asc == (a) && \
		    (r).ascq == (q), "%s: status 0x%x sense %x/%02x/%02x, " \
		    "want %x/%02x/%02x", what, (r).status, (r).key, (r).asc, \
		    (r).ascq, k, a, q)

static inline void put_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}
static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, v);
}
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* Run a shell command; fail the test if it fails. */
#define SH(...) do {							\
	char cmd__[512];						\
	snprintf(cmd__, sizeof(cmd__), __VA_ARGS__);			\
	TEST_ASSERT(system(cmd__) == 0, "shell: %s", cmd__);		\
} while (0)

#endif /* VMDISK_TEST_H */
