// SPDX-License-Identifier: GPL-2.0
/*
 * A raw disk on the loopback HBA: INQUIRY and READ CAPACITY answer, data
 * written through SG_IO lands in the backing file and reads back, and
 * busybox dd through /dev/sdX round-trips; /proc/vmware/disk shows it.
 */
#include "vmdisk_test.h"

#define SIZE	(16u << 20)

static void check_identity(struct vd *v)
{
	uint8_t cdb[16] = { 0x12, 0, 0, 0, 96, 0 }, buf[512];
	struct vd_res r;

	r = vd_cmd(v->sgfd, cdb, 6, SG_DXFER_FROM_DEV, buf, 96);
	EXPECT_GOOD(r, "INQUIRY");
	TEST_ASSERT(buf[0] == 0 && !memcmp(buf + 8, "VMware  ", 8),
		    "INQUIRY: type %d vendor %.8s", buf[0], buf + 8);
	TEST_ASSERT(r.resid == 96 - 36, "INQUIRY resid %d", r.resid);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x25;
	r = vd_cmd(v->sgfd, cdb, 10, SG_DXFER_FROM_DEV, buf, 8);
	EXPECT_GOOD(r, "READ CAPACITY(10)");
	TEST_ASSERT(get_be32(buf) == SIZE / 512 - 1 && get_be32(buf + 4) == 512,
		    "READ CAPACITY(10): last %u bs %u", get_be32(buf),
		    get_be32(buf + 4));

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x9e;
	cdb[1] = 0x10;
	put_be32(cdb + 10, 32);
	r = vd_cmd(v->sgfd, cdb, 16, SG_DXFER_FROM_DEV, buf, 32);
	EXPECT_GOOD(r, "READ CAPACITY(16)");
	TEST_ASSERT(get_be64(buf) == SIZE / 512 - 1 && (buf[14] & 0xc0) == 0xc0,
		    "READ CAPACITY(16): last %llu lbp 0x%x",
		    (unsigned long long)get_be64(buf), buf[14]);
}

static void check_rw(struct vd *v)
{
	uint8_t cdb[16] = {}, out[8192], in[8192], file[8192];
	struct vd_res r;
	int fd, i;

	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = i * 7 + 3;
	cdb[0] = 0x8a;				/* WRITE(16) */
	put_be64(cdb + 2, 100);
	put_be32(cdb + 10, 16);
	r = vd_cmd(v->sgfd, cdb, 16, SG_DXFER_TO_DEV, out, sizeof(out));
	EXPECT_GOOD(r, "WRITE(16)");

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x28;				/* READ(10) */
	put_be32(cdb + 2, 100);
	put_be16(cdb + 7, 16);
	r = vd_cmd(v->sgfd, cdb, 10, SG_DXFER_FROM_DEV, in, sizeof(in));
	EXPECT_GOOD(r, "READ(10)");
	TEST_ASSERT(!memcmp(in, out, sizeof(in)), "READ(10) differs");

	fd = open(v->file, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open backing");
	TEST_ASSERT(pread(fd, file, sizeof(file), 100 * 512) == sizeof(file),
		    "pread backing");
	close(fd);
	TEST_ASSERT(!memcmp(file, out, sizeof(file)), "backing file differs");
}

int main(void)
{
	struct vd v;

	vd_setup();
	vd_new(&v, "basic.img", SIZE, 0);
	check_identity(&v);
	check_rw(&v);
	SH("dd if=/dev/urandom of=/tmp/pat bs=64k count=64 2>/dev/null");
	SH("dd if=/tmp/pat of=%s bs=64k seek=3 conv=fsync 2>/dev/null", v.sd);
	SH("echo 3 > /proc/sys/vm/drop_caches");
	SH("dd if=%s of=/tmp/back bs=64k skip=3 count=64 2>/dev/null", v.sd);
	SH("cmp /tmp/pat /tmp/back");
	SH("dd if=%s of=/tmp/back2 bs=64k skip=3 count=64 2>/dev/null", v.file);
	SH("cmp /tmp/pat /tmp/back2");
	SH("cat /proc/vmware/disk/%u/status /proc/vmware/disk/%u/stats "
	   "/proc/vmware/disk/hba | sed 's/^/    /'", v.id, v.id);
	SH("grep -q 'frontend loopback' /proc/vmware/disk/%u/status", v.id);
	SH("grep -q '^format raw' /proc/vmware/disk/%u/status", v.id);
	vd_del(&v);
	unlink("/tmp/pat");
	unlink("/tmp/back");
	unlink("/tmp/back2");
	return 0;
}
