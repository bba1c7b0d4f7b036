// SPDX-License-Identifier: GPL-2.0
/*
 * Every supported command and its error paths through SG_IO on /dev/sgN:
 * status, sense key, ASC/ASCQ and field pointers, and that failed commands
 * change nothing.
 */
#include "vmdisk_test.h"

#define SIZE	(16u << 20)
#define BLOCKS	(SIZE / 512)

static int sg;
static uint8_t buf[65536];

#define CDB(...)	((const uint8_t[16]){ __VA_ARGS__ })
#define IN(cdb, len, n)		vd_cmd(sg, cdb, len, SG_DXFER_FROM_DEV, buf, n)
#define OUT(cdb, len, n)	vd_cmd(sg, cdb, len, SG_DXFER_TO_DEV, buf, n)
#define NONE(cdb, len)		vd_cmd(sg, cdb, len, SG_DXFER_NONE, NULL, 0)

#define ILLEGAL		0x5

static void test_inquiry(void)
{
	struct vd_res r;
	int i, found;

	r = IN(CDB(0x12, 0, 0x80, 0, 36, 0), 6, 36);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "INQUIRY page without EVPD");
	TEST_ASSERT(r.sense[15] == 0xc0 && r.sense[17] == 2,
		    "field pointer %02x %02x%02x", r.sense[15], r.sense[16],
		    r.sense[17]);
	r = IN(CDB(0x12, 1, 0x99, 0, 255, 0), 6, 255);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "INQUIRY unknown VPD");
	r = IN(CDB(0x12, 2, 0, 0, 36, 0), 6, 36);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "INQUIRY CmdDt");

	r = IN(CDB(0x12, 1, 0x00, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "VPD 00");
	TEST_ASSERT(buf[1] == 0 && buf[3] == 6 && buf[4] == 0 && buf[9] == 0xb2,
		    "VPD 00: %d pages", buf[3]);
	r = IN(CDB(0x12, 1, 0x80, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "VPD 80");
	TEST_ASSERT(buf[1] == 0x80 && buf[3] > 0, "VPD 80 length %d", buf[3]);
	r = IN(CDB(0x12, 1, 0x83, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "VPD 83");
	TEST_ASSERT((buf[5] & 0xf) == 3 && (buf[8] >> 4) == 3,
		    "VPD 83: first designator type %d naa %d", buf[5] & 0xf,
		    buf[8] >> 4);
	r = IN(CDB(0x12, 1, 0xb0, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "VPD b0");
	TEST_ASSERT(get_be32(buf + 20) > 0 && get_be32(buf + 24) > 0 &&
		    get_be64(buf + 36) > 0, "VPD b0 lacks unmap/write same limits");
	r = IN(CDB(0x12, 1, 0xb1, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "VPD b1");
	TEST_ASSERT(buf[5] == 1, "VPD b1: rotation %d", buf[5]);
	r = IN(CDB(0x12, 1, 0xb2, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "VPD b2");
	TEST_ASSERT((buf[5] & 0xe0) == 0xe0, "VPD b2 flags 0x%x", buf[5]);
	/* Allocation length truncates. */
	r = IN(CDB(0x12, 0, 0, 0, 5, 0), 6, 5);
	EXPECT_GOOD(r, "INQUIRY 5 bytes");
	TEST_ASSERT(buf[4] == 31, "additional length %d", buf[4]);

	r = IN(CDB(0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0), 12, 1024);
	EXPECT_GOOD(r, "RSOC all");
	for (i = 4, found = 0; i < 4 + (int)get_be32(buf); i += 8)
		found |= (buf[i] == 0x88) | (buf[i] == 0x93) << 1 |
			 (buf[i] == 0x42) << 2;
	TEST_ASSERT(found == 7, "RSOC all lacks READ(16)/WRITE SAME(16)/UNMAP");
	r = IN(CDB(0xa3, 0x0c, 1, 0x93, 0, 0, 0, 0, 1, 0, 0, 0), 12, 256);
	EXPECT_GOOD(r, "RSOC WRITE SAME(16)");
	TEST_ASSERT((buf[1] & 7) == 3 && (get_be32(buf) & 0xffff) == 16 &&
		    buf[4] == 0x93, "RSOC one: %02x %02x%02x", buf[1], buf[2],
		    buf[3]);
	r = IN(CDB(0xa3, 0x0c, 1, 0x07, 0, 0, 0, 0, 1, 0, 0, 0), 12, 256);
	EXPECT_GOOD(r, "RSOC unsupported");
	TEST_ASSERT((buf[1] & 7) == 1, "RSOC unsupported support %d", buf[1] & 7);
	r = IN(CDB(0xa3, 0x0c, 1, 0x9e, 0, 0, 0, 0, 1, 0, 0, 0), 12, 256);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "RSOC option 1 on a service action");
	r = IN(CDB(0xa3, 0x0c, 3, 0x9e, 0, 0x10, 0, 0, 1, 0, 0, 0), 12, 256);
	EXPECT_GOOD(r, "RSOC READ CAPACITY(16)");
	TEST_ASSERT((buf[1] & 7) == 3, "RSOC 9e/10 support %d", buf[1] & 7);
}

static void test_misc(void)
{
	struct vd_res r;

	r = NONE(CDB(0x00, 0, 0, 0, 0, 0), 6);
	EXPECT_GOOD(r, "TEST UNIT READY");
	r = NONE(CDB(0x00, 0, 0, 0, 0, 0x04), 6);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "NACA in control byte");
	r = IN(CDB(0x03, 0, 0, 0, 18, 0), 6, 18);
	EXPECT_GOOD(r, "REQUEST SENSE");
	TEST_ASSERT(buf[0] == 0x70 && (buf[2] & 0xf) == 0, "REQUEST SENSE %02x %02x",
		    buf[0], buf[2]);
	r = NONE(CDB(0x07, 0, 0, 0, 0, 0), 6);
	EXPECT_SENSE(r, ILLEGAL, 0x20, 0, "REASSIGN BLOCKS (unsupported)");
	r = NONE(CDB(0xc0, 0, 0, 0, 0, 0), 6);
	EXPECT_SENSE(r, ILLEGAL, 0x20, 0, "vendor opcode");
	r = IN(CDB(0x9e, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 16, 32);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "SERVICE ACTION IN unknown action");
	r = IN(CDB(0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0), 10, 8);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "READ CAPACITY(10) LBA without PMI");

	r = IN(CDB(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0), 12, 64);
	EXPECT_GOOD(r, "REPORT LUNS");
	TEST_ASSERT(get_be32(buf) == 8 && get_be64(buf + 8) == 0,
		    "REPORT LUNS list %u", get_be32(buf));
	r = IN(CDB(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0), 12, 8);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "REPORT LUNS alloc < 16");
	r = IN(CDB(0xa0, 0, 0x55, 0, 0, 0, 0, 0, 0, 64, 0, 0), 12, 64);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "REPORT LUNS bad select");

	r = NONE(CDB(0x1b, 0, 0, 0, 1, 0), 6);
	EXPECT_GOOD(r, "START STOP UNIT start");
	r = NONE(CDB(0x1b, 0, 0, 0, 0, 0), 6);
	EXPECT_GOOD(r, "START STOP UNIT stop");
	r = NONE(CDB(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0), 10);
	EXPECT_GOOD(r, "SYNCHRONIZE CACHE(10)");
	r = NONE(CDB(0x91, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 8, 0, 0), 16);
	EXPECT_GOOD(r, "SYNCHRONIZE CACHE(16)");
	r = NONE(CDB(0x35, 0, 0, 0, BLOCKS >> 8, 0, 0, 0, 1, 0), 10);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "SYNCHRONIZE CACHE past the end");
	r = NONE(CDB(0x16, 0, 0, 0, 0, 0), 6);
	EXPECT_GOOD(r, "RESERVE(6)");
	r = NONE(CDB(0x17, 0, 0, 0, 0, 0), 6);
	EXPECT_GOOD(r, "RELEASE(6)");
	r = NONE(CDB(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0), 10);
	EXPECT_GOOD(r, "RESERVE(10)");
	r = NONE(CDB(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0), 10);
	EXPECT_GOOD(r, "RELEASE(10)");
}

static void test_mode(void)
{
	struct vd_res r;
	uint8_t page[20];

	r = IN(CDB(0x1a, 0, 0x08, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "MODE SENSE(6) caching");
	TEST_ASSERT(buf[3] == 8 && buf[12] == 0x08 && (buf[14] & 4),
		    "caching page: bdlen %d page %02x flags %02x", buf[3],
		    buf[12], buf[14]);
	TEST_ASSERT(buf[2] == 0x10, "device-specific 0x%02x", buf[2]);
	memcpy(page, buf + 12, 20);
	r = IN(CDB(0x1a, 0x08, 0x3f, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "MODE SENSE(6) all pages");
	TEST_ASSERT(buf[0] + 1 == 4 + 20 + 12 && buf[4] == 0x08 && buf[24] == 0x0a,
		    "all pages: length %d", buf[0] + 1);
	r = IN(CDB(0x5a, 0x10, 0x0a, 0, 0, 0, 0, 0, 255, 0), 10, 255);
	EXPECT_GOOD(r, "MODE SENSE(10) control LLBAA");
	TEST_ASSERT((buf[4] & 1) && buf[7] == 16 && buf[24] == 0x0a,
		    "MODE SENSE(10): longlba %d bdlen %d", buf[4] & 1, buf[7]);
	r = IN(CDB(0x1a, 0, 0x1c, 0, 255, 0), 6, 255);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "MODE SENSE unknown page");
	r = IN(CDB(0x1a, 0, 0xc8, 0, 255, 0), 6, 255);
	EXPECT_SENSE(r, ILLEGAL, 0x39, 0, "MODE SENSE saved values");
	r = IN(CDB(0x1a, 0, 0x08, 1, 255, 0), 6, 255);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "MODE SENSE subpage");

	/* MODE SELECT: clear WCE, see it, set it back. */
	memset(buf, 0, 24);
	memcpy(buf + 4, page, 20);
	buf[4] &= 0x3f;
	buf[6] &= ~4;
	r = OUT(CDB(0x15, 0x10, 0, 0, 24, 0), 6, 24);
	EXPECT_GOOD(r, "MODE SELECT(6) WCE=0");
	r = IN(CDB(0x1a, 0x08, 0x08, 0, 255, 0), 6, 255);
	EXPECT_GOOD(r, "MODE SENSE after select");
	TEST_ASSERT(!(buf[6] & 4), "WCE still set");
	memset(buf, 0, 28);
	memcpy(buf + 8, page, 20);
	buf[8] &= 0x3f;
	r = OUT(CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, 28, 0), 10, 28);
	EXPECT_GOOD(r, "MODE SELECT(10) WCE=1");
	r = IN(CDB(0x1a, 0x08, 0x08, 0, 255, 0), 6, 255);
	TEST_ASSERT(buf[6] & 4, "WCE not restored");

	memset(buf, 0, 24);
	memcpy(buf + 4, page, 20);
	buf[4] &= 0x3f;
	r = OUT(CDB(0x15, 0x11, 0, 0, 24, 0), 6, 24);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "MODE SELECT with SP");
	r = OUT(CDB(0x15, 0x00, 0, 0, 24, 0), 6, 24);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "MODE SELECT without PF");
	buf[4 + 12] ^= 0xff;		/* a byte that cannot change */
	r = OUT(CDB(0x15, 0x10, 0, 0, 24, 0), 6, 24);
	EXPECT_SENSE(r, ILLEGAL, 0x26, 0, "MODE SELECT changing a fixed field");
	r = OUT(CDB(0x15, 0x10, 0, 0, 14, 0), 6, 14);
	EXPECT_SENSE(r, ILLEGAL, 0x1a, 0, "MODE SELECT truncated page");
	buf[4] = 0x0a;
	buf[5] = 0x0a;
	r = OUT(CDB(0x15, 0x10, 0, 0, 16, 0), 6, 16);
	EXPECT_SENSE(r, ILLEGAL, 0x26, 0, "MODE SELECT control page");
}

static void fill(uint8_t *p, size_t n, int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

static void read_blocks(uint64_t lba, uint32_t n, uint8_t *dst)
{
	uint8_t cdb[16] = { 0x88 };
	struct vd_res r;

	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, n);
	r = vd_cmd(sg, cdb, 16, SG_DXFER_FROM_DEV, dst, n * 512);
	EXPECT_GOOD(r, "READ(16)");
}

static void test_rw(void)
{
	static uint8_t want[8192], got[8192], want6[1024];
	struct vd_res r;
	uint8_t cdb[16];

	/* 6-, 12-byte variants round trip. */
	fill(buf, 1024, 1);
	memcpy(want, buf, 1024);
	memcpy(want6, buf, 1024);
	r = OUT(CDB(0x0a, 0, 0, 10, 2, 0), 6, 1024);
	EXPECT_GOOD(r, "WRITE(6)");
	r = IN(CDB(0x08, 0, 0, 10, 2, 0), 6, 1024);
	EXPECT_GOOD(r, "READ(6)");
	TEST_ASSERT(!memcmp(buf, want, 1024), "READ(6) data");
	fill(buf, 2048, 2);
	memcpy(want, buf, 2048);
	r = OUT(CDB(0xaa, 0x08, 0, 0, 0, 20, 0, 0, 0, 4, 0, 0), 12, 2048);
	EXPECT_GOOD(r, "WRITE(12) FUA");
	r = IN(CDB(0xa8, 0, 0, 0, 0, 20, 0, 0, 0, 4, 0, 0), 12, 2048);
	EXPECT_GOOD(r, "READ(12)");
	TEST_ASSERT(!memcmp(buf, want, 2048), "READ(12) data");

	/* Range, fields and buffer errors change nothing. */
	r = IN(CDB(0x28, 0, 0, 0, BLOCKS >> 8, 0, 0, 0, 1, 0), 10, 512);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "READ(10) at capacity");
	r = IN(CDB(0x28, 0, 0, 0, (BLOCKS - 1) >> 8, 0xff, 0, 0, 2, 0), 10, 1024);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "READ(10) across the end");
	r = IN(CDB(0x88, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		   0, 0, 0, 2, 0, 0), 16, 1024);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "READ(16) LBA wraps");
	fill(buf, 1024, 9);
	r = OUT(CDB(0x2a, 0, 0, 0, (BLOCKS - 1) >> 8, 0xff, 0, 0, 2, 0), 10, 1024);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "WRITE(10) across the end");
	r = OUT(CDB(0x2a, 0x80, 0, 0, 0, 10, 0, 0, 2, 0), 10, 1024);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "WRITE(10) WRPROTECT");
	TEST_ASSERT(r.sense[15] == 0xcf && r.sense[17] == 1,
		    "field pointer %02x %02x", r.sense[15], r.sense[17]);
	r = OUT(CDB(0x2a, 0, 0, 0, 0, 10, 0, 0, 4, 0), 10, 1024);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "WRITE(10) buffer too short");
	read_blocks(10, 2, got);
	TEST_ASSERT(!memcmp(got, want6, 1024), "failed writes changed data");
	r = IN(CDB(0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0), 10, 0);
	EXPECT_GOOD(r, "READ(10) of 0 blocks");

	/* WRITE AND VERIFY, VERIFY with and without BYTCHK. */
	fill(buf, 4096, 3);
	memcpy(want, buf, 4096);
	r = OUT(CDB(0x2e, 0, 0, 0, 0, 40, 0, 0, 8, 0), 10, 4096);
	EXPECT_GOOD(r, "WRITE AND VERIFY(10)");
	read_blocks(40, 8, got);
	TEST_ASSERT(!memcmp(got, want, 4096), "WRITE AND VERIFY data");
	r = OUT(CDB(0x2f, 0x02, 0, 0, 0, 40, 0, 0, 8, 0), 10, 4096);
	EXPECT_GOOD(r, "VERIFY(10) BYTCHK matching");
	buf[1000] ^= 1;
	r = OUT(CDB(0x2f, 0x02, 0, 0, 0, 40, 0, 0, 8, 0), 10, 4096);
	EXPECT_SENSE(r, 0xe, 0x1d, 0, "VERIFY(10) BYTCHK miscompare");
	r = NONE(CDB(0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 8, 0, 0), 16);
	EXPECT_GOOD(r, "VERIFY(16) medium");
	r = NONE(CDB(0x2f, 0, 0, 0, BLOCKS >> 8, 0, 0, 0, 1, 0), 10);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "VERIFY past the end");

	/* WRITE SAME, with and without UNMAP; UNMAP. */
	fill(buf, 512, 4);
	memcpy(want, buf, 512);
	r = OUT(CDB(0x93, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 16, 0, 0), 16, 512);
	EXPECT_GOOD(r, "WRITE SAME(16)");
	read_blocks(100, 16, got);
	TEST_ASSERT(!memcmp(got + 15 * 512, want, 512) && !memcmp(got, want, 512),
		    "WRITE SAME data");
	memset(buf, 0, 512);
	r = OUT(CDB(0x41, 0x08, 0, 0, 0, 100, 0, 0, 8, 0), 10, 512);
	EXPECT_GOOD(r, "WRITE SAME(10) UNMAP");
	read_blocks(100, 16, got);
	memset(want + 512, 0, 512);
	TEST_ASSERT(!memcmp(got, want + 512, 512) && !memcmp(got + 7 * 512, want + 512, 512) &&
		    !memcmp(got + 8 * 512, want, 512), "WRITE SAME UNMAP data");
	r = OUT(CDB(0x93, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0), 16, 512);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "WRITE SAME of 0 blocks (WSNZ)");
	r = OUT(CDB(0x93, 0, 0, 0, 0, 0, 0, 0, (BLOCKS - 4) >> 8, (BLOCKS - 4) & 0xff,
		    0, 0, 0, 8, 0, 0), 16, 512);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "WRITE SAME past the end");

	/* UNMAP: one good and one bad descriptor -> nothing unmapped. */
	memset(buf, 0, 40);
	put_be16(buf, 38);
	put_be16(buf + 2, 32);
	put_be64(buf + 8, 108);
	put_be32(buf + 16, 4);
	put_be64(buf + 24, BLOCKS - 1);
	put_be32(buf + 32, 2);
	r = OUT(CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 40, 0), 10, 40);
	EXPECT_SENSE(r, ILLEGAL, 0x21, 0, "UNMAP descriptor past the end");
	read_blocks(108, 1, got);
	TEST_ASSERT(!memcmp(got, want, 512), "failed UNMAP changed data");
	put_be32(buf + 32, 1);
	r = OUT(CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 40, 0), 10, 40);
	EXPECT_GOOD(r, "UNMAP");
	read_blocks(108, 4, got);
	memset(want + 1024, 0, 2048);
	TEST_ASSERT(!memcmp(got, want + 1024, 2048), "UNMAP data");
	r = OUT(CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 4, 0), 10, 4);
	EXPECT_SENSE(r, ILLEGAL, 0x1a, 0, "UNMAP short parameter list");

	memset(cdb, 0, sizeof(cdb));
	(void)cdb;
}

static struct vd_res pr_out(uint8_t sa, uint8_t type, uint64_t key,
			    uint64_t sa_key, uint8_t flags, uint32_t len)
{
	uint8_t cdb[16] = { 0x5f, sa, type };

	memset(buf, 0, 24);
	put_be64(buf, key);
	put_be64(buf + 8, sa_key);
	buf[20] = flags;
	put_be32(cdb + 5, len);
	return OUT(cdb, 10, 24);
}

#define PR_IN(sa)	IN(CDB(0x5e, sa, 0, 0, 0, 0, 0, 1, 0, 0), 10, 256)

static void test_pr(void)
{
	struct vd_res r;

	r = PR_IN(2);
	EXPECT_GOOD(r, "PR IN REPORT CAPABILITIES");
	TEST_ASSERT(buf[1] == 8 && (buf[3] & 0x80) && (buf[4] & 0x0a) == 0x0a,
		    "capabilities %02x %02x %02x", buf[1], buf[3], buf[4]);
	r = PR_IN(0);
	EXPECT_GOOD(r, "PR IN READ KEYS");
	TEST_ASSERT(get_be32(buf + 4) == 0, "keys at start: %u", get_be32(buf + 4));
	r = PR_IN(5);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "PR IN unknown action");

	r = pr_out(0, 0, 0, 0xabc, 0, 24);
	EXPECT_GOOD(r, "PR OUT REGISTER");
	r = PR_IN(0);
	TEST_ASSERT(get_be32(buf) == 1 && get_be32(buf + 4) == 8 &&
		    get_be64(buf + 8) == 0xabc, "READ KEYS gen %u len %u",
		    get_be32(buf), get_be32(buf + 4));
	r = pr_out(0, 0, 1, 2, 0, 24);
	TEST_ASSERT(r.status == 0x18, "REGISTER with a wrong key: status 0x%x",
		    r.status);
	r = pr_out(1, 2, 0xabc, 0, 0, 24);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "PR OUT RESERVE bad type");
	r = pr_out(1, 1, 0xabc, 0, 0, 24);
	EXPECT_GOOD(r, "PR OUT RESERVE write exclusive");
	r = PR_IN(1);
	EXPECT_GOOD(r, "PR IN READ RESERVATION");
	TEST_ASSERT(get_be32(buf + 4) == 16 && get_be64(buf + 8) == 0xabc &&
		    buf[21] == 1, "reservation len %u type %u",
		    get_be32(buf + 4), buf[21]);
	r = NONE(CDB(0x16, 0, 0, 0, 0, 0), 6);
	TEST_ASSERT(r.status == 0x18, "RESERVE(6) while registered: 0x%x", r.status);
	r = IN(CDB(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), 10, 512);
	EXPECT_GOOD(r, "READ by the reservation holder");
	r = pr_out(2, 3, 0xabc, 0, 0, 24);
	EXPECT_SENSE(r, ILLEGAL, 0x26, 4, "RELEASE of another type");
	r = pr_out(2, 1, 0xabc, 0, 0, 24);
	EXPECT_GOOD(r, "PR OUT RELEASE");
	r = PR_IN(1);
	TEST_ASSERT(get_be32(buf + 4) == 0, "reservation left after RELEASE");
	r = pr_out(0, 0, 0xabc, 0xdef, 0, 20);
	EXPECT_SENSE(r, ILLEGAL, 0x1a, 0, "PR OUT short parameter list");
	r = pr_out(0, 0, 0xabc, 0xdef, 0x01, 24);
	EXPECT_SENSE(r, ILLEGAL, 0x26, 0, "PR OUT APTPL");
	r = pr_out(0, 0x10, 0xabc, 0xdef, 0, 24);
	EXPECT_SENSE(r, ILLEGAL, 0x24, 0, "PR OUT scope");
	r = pr_out(3, 0, 0xabc, 0, 0, 24);
	EXPECT_GOOD(r, "PR OUT CLEAR");
	r = PR_IN(0);
	TEST_ASSERT(get_be32(buf + 4) == 0, "keys left after CLEAR");
}

int main(void)
{
	struct vd v;

	vd_setup();
	vd_new(&v, "cmds.img", SIZE, 0);
	sg = v.sgfd;
	test_inquiry();
	test_misc();
	test_mode();
	test_rw();
	test_pr();
	SH("cat /proc/vmware/disk/%u/stats | sed 's/^/    /'", v.id);
	vd_del(&v);
	return 0;
}
