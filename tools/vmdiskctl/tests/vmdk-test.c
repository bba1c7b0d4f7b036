// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ../lib/vmdk.c, natively, in a temporary directory:
 * descriptors (text and embedded in a sparse extent), CID renewal in
 * place, and delta chains with their errors. Ends "N passed, N failed".
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdk.h"

static int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static char *get(const char *path, size_t *len)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");

	*len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[*len] = 0;
	return buf;
}

static void test_text(void)
{
	struct vmdk_descriptor d;
	char err[VMDK_ERR_MAX];

	put("flat.vmdk", "# Disk DescriptorFile\r\nversion=1\r\nCID=0000abcd\r\n"
	    "parentCID=ffffffff\r\ncreateType=\"monolithicFlat\"\r\n"
	    "RW 2048 FLAT \"flat-flat.vmdk\" 8\r\nRW 2048 FLAT \"two.vmdk\" 0\r\n");
	CHECK(!vmdk_read_descriptor("flat.vmdk", &d, err), "%s", err);
	CHECK(d.cid == 0xabcd && d.parent_cid == VMDK_CID_NONE, "%x %x", d.cid, d.parent_cid);
	CHECK(d.extents == 2 && !strcmp(d.type, "FLAT") && d.sectors == 2048 &&
	      d.offset == 8 && !strcmp(d.extent, "flat-flat.vmdk"), "%d %s", d.extents, d.extent);
	CHECK(vmdk_read_descriptor("missing.vmdk", &d, err) == -ENOENT &&
	      strstr(err, "missing.vmdk"), "%s", err);
	put("raw.img", "just some data, no descriptor\n");
	CHECK(!vmdk_read_descriptor("raw.img", &d, err) && !d.extents &&
	      d.cid == VMDK_CID_NONE, "%d", d.extents);
}

/* A sparse extent: header, descriptor at sector 1 (one sector long). */
static void make_sparse(const char *path, const char *desc)
{
	struct vmdk_header h = { .magic = htole32(VMDK_MAGIC), .version = htole32(1),
				 .desc_offset = htole64(1), .desc_size = htole64(1) };
	char sector[512] = { 0 };
	FILE *f = fopen(path, "w");

	memcpy(sector, desc, strnlen(desc, sizeof(sector)));
	if (!f || fwrite(&h, sizeof(h), 1, f) != 1 || fwrite(sector, 512, 1, f) != 1 ||
	    fwrite(sector, 512, 1, f) != 1 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void test_new_cid(void)
{
	char before[65536], err[VMDK_ERR_MAX], *after;
	struct vmdk_descriptor d;
	size_t n, m, at;
	uint32_t i, cid;

	for (i = 0; i < 1000; i++) {
		cid = vmdk_random_cid();
		if (cid >= 0xfffffffe)
			break;
	}
	CHECK(i == 1000, "random CID %08x", cid);

	/* Eight digits: only they change. */
	after = get("flat.vmdk", &n);
	memcpy(before, after, n + 1);
	CHECK(!vmdk_new_cid("flat.vmdk", err), "%s", err);
	after = get("flat.vmdk", &m);
	CHECK(m == n && strncmp(after, before, n), "length %zu -> %zu", n, m);
	at = strstr(before, "CID=") - before + 4;
	for (i = 0; i < n && (after[i] == before[i] || (i >= at && i < at + 8)); i++)
		;
	CHECK(i == n, "byte %u changed outside the CID", i);
	vmdk_read_descriptor("flat.vmdk", &d, err);
	CHECK(d.cid != 0xabcd && d.extents == 2, "%08x", d.cid);

	/* Fewer digits, hand-written: the rest moves. */
	put("short.vmdk", "# Disk DescriptorFile\nCID=2\nparentCID=ffffffff\nRW 8 FLAT \"x\" 0\n");
	CHECK(!vmdk_new_cid("short.vmdk", err), "%s", err);
	after = get("short.vmdk", &m);
	CHECK(m == strlen("# Disk DescriptorFile\nCID=2\nparentCID=ffffffff\nRW 8 FLAT \"x\" 0\n") + 7 &&
	      !strcmp(strstr(after, "\nparentCID"), "\nparentCID=ffffffff\nRW 8 FLAT \"x\" 0\n"), "%s", after);
	vmdk_read_descriptor("short.vmdk", &d, err);
	CHECK(d.cid != 2 && d.extents == 1, "%08x", d.cid);

	/* No CID line, or no descriptor: nothing to do. Bad digits: error. */
	put("nocid.vmdk", "# Disk DescriptorFile\nRW 8 FLAT \"x\" 0\n");
	CHECK(!vmdk_new_cid("nocid.vmdk", err), "%s", err);
	CHECK(!strcmp(get("nocid.vmdk", &m), "# Disk DescriptorFile\nRW 8 FLAT \"x\" 0\n"), "changed");
	CHECK(!vmdk_new_cid("raw.img", err), "%s", err);
	CHECK(!strcmp(get("raw.img", &m), "just some data, no descriptor\n"), "raw changed");
	put("bad.vmdk", "# Disk DescriptorFile\nCID=12zz\nRW 8 FLAT \"x\" 0\n");
	CHECK(vmdk_new_cid("bad.vmdk", err) == -EINVAL && strstr(err, "bad.vmdk"), "%s", err);
	CHECK(!strcmp(get("bad.vmdk", &m), "# Disk DescriptorFile\nCID=12zz\nRW 8 FLAT \"x\" 0\n"), "bad changed");
	CHECK(vmdk_new_cid("missing.vmdk", err) == -ENOENT, "%s", err);

	/* Embedded in a sparse extent; a short CID must fit its area. */
	make_sparse("sparse.vmdk", "# Disk DescriptorFile\nCID=00000001\nRW 64 SPARSE \"sparse.vmdk\"\n");
	CHECK(vmdk_read_cid("sparse.vmdk") == 1, "%08x", vmdk_read_cid("sparse.vmdk"));
	CHECK(!vmdk_new_cid("sparse.vmdk", err), "%s", err);
	get("sparse.vmdk", &m);
	CHECK(m == 1536 && vmdk_read_cid("sparse.vmdk") != 1, "%zu", m);
	memset(before, 'x', 600);
	memcpy(before, "# Disk DescriptorFile\nCID=1\n#", 29);
	before[511] = '\n';
	before[512] = 0;
	make_sparse("full.vmdk", before);
	CHECK(vmdk_new_cid("full.vmdk", err) == -ENOSPC, "%s", err);
	CHECK(vmdk_read_cid("full.vmdk") == 1, "%08x", vmdk_read_cid("full.vmdk"));
}

static void delta(const char *name, uint32_t cid, uint32_t parent_cid,
		  const char *parent, const char *extent)
{
	char text[1024];

	snprintf(text, sizeof(text), "# Disk DescriptorFile\nversion=1\nCID=%08x\n"
		 "parentCID=%08x\ncreateType=\"vmfsSparse\"\n%s%s%s"
		 "RW 2048 VMFSSPARSE \"%s\"\n", cid, parent_cid,
		 parent ? "parentFileNameHint=\"" : "", parent ? parent : "",
		 parent ? "\"\n" : "", extent);
	put(name, text);
}

static void test_chain(void)
{
	struct vmdisk_create c;
	struct vmdk_chain ch;
	char err[VMDK_ERR_MAX], cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)))
		exit(1);
	put("base.vmdk", "# Disk DescriptorFile\nCID=00000010\nparentCID=ffffffff\n"
	    "RDONLY 2048 FLAT \"base-flat.vmdk\" 4\n");
	put("base-flat.vmdk", "");
	put("s1-delta.vmdk", "COWD");
	put("s2-delta.vmdk", "COWD");
	delta("s1.vmdk", 0x20, 0x10, "base.vmdk", "s1-delta.vmdk");
	mkdir("sub", 0700);
	delta("sub/s2.vmdk", 0x30, 0x20, "../s1.vmdk", "../s2-delta.vmdk");
	memset(&c, 0, sizeof(c));
	CHECK(!vmdk_open_chain("sub/s2.vmdk", &c, &ch, err), "%s", err);
	CHECK(ch.n == 2 && strstr(ch.deltas[0], "/sub/../s2-delta.vmdk") &&
	      strstr(ch.deltas[1], "/s1-delta.vmdk"), "%d %s %s", ch.n, ch.deltas[0], ch.deltas[1]);
	CHECK(c.format == VMDISK_FORMAT_RAW && c.offset == 4 * 512 &&
	      c.capacity == 2048 * 512 &&
	      !strncmp(c.path, cwd, strlen(cwd)) && strstr(c.path, "/base-flat.vmdk"),
	      "%d %llu %s", c.format, (unsigned long long)c.offset, c.path);
	/* An RDONLY base under deltas is their read-only bottom, not a
	 * read-only disk; alone it is a read-only disk. */
	CHECK(c.flags == VMDISK_CREATE_BASE && ch.base_rdonly, "flags %#x", c.flags);
	memset(&c, 0, sizeof(c));
	CHECK(!vmdk_open_chain("base.vmdk", &c, &ch, err) && !ch.n &&
	      c.flags == VMDISK_CREATE_READONLY && ch.base_rdonly, "%s flags %#x", err, c.flags);
	memset(&c, 0, sizeof(c));
	CHECK(!vmdk_open_chain("base-flat.vmdk", &c, &ch, err) && !c.flags && !ch.base_rdonly,
	      "%s flags %#x", err, c.flags);

	/* The base changed since s1 was made. */
	put("base.vmdk", "# Disk DescriptorFile\nCID=00000011\nRW 2048 FLAT \"base-flat.vmdk\" 0\n");
	memset(&c, 0, sizeof(c));
	CHECK(vmdk_open_chain("sub/s2.vmdk", &c, &ch, err) == -ESTALE &&
	      strstr(err, "changed since this delta was made (its CID is 00000011, the delta was made on CID 00000010)"),
	      "%s", err);

	/* Loops, missing hints, missing parents, unknown extents. */
	delta("l1.vmdk", 1, VMDK_CID_NONE, "l2.vmdk", "s1-delta.vmdk");
	delta("l2.vmdk", 2, VMDK_CID_NONE, "l1.vmdk", "s1-delta.vmdk");
	CHECK(vmdk_open_chain("l1.vmdk", &c, &ch, err) == -ELOOP && strstr(err, "parent loop"), "%s", err);
	delta("orphan.vmdk", 1, VMDK_CID_NONE, NULL, "s1-delta.vmdk");
	CHECK(vmdk_open_chain("orphan.vmdk", &c, &ch, err) == -EINVAL &&
	      strstr(err, "without parentFileNameHint"), "%s", err);
	delta("lost.vmdk", 1, VMDK_CID_NONE, "gone.vmdk", "s1-delta.vmdk");
	CHECK(vmdk_open_chain("lost.vmdk", &c, &ch, err) == -ENOENT && strstr(err, "gone.vmdk"), "%s", err);
	put("odd.vmdk", "# Disk DescriptorFile\nRW 8 ZERO \"x\"\n");
	CHECK(vmdk_open_chain("odd.vmdk", &c, &ch, err) == -EINVAL && strstr(err, "ZERO extents"), "%s", err);
	put("none.vmdk", "# Disk DescriptorFile\nCID=00000001\n");
	CHECK(vmdk_open_chain("none.vmdk", &c, &ch, err) == -EINVAL && strstr(err, "no extent"), "%s", err);

	/* The descriptor that names an extent. */
	CHECK(!vmdk_descriptor_of("s1-delta.vmdk", cwd) && !strcmp(cwd, "s1.vmdk"), "%s", cwd);
	CHECK(!vmdk_descriptor_of("sparse.vmdk", cwd) && !strcmp(cwd, "sparse.vmdk"), "%s", cwd);
	CHECK(vmdk_descriptor_of("s2-delta.vmdk", cwd) == -ENOENT && !strcmp(cwd, "s2-delta.vmdk"), "%s", cwd);
	CHECK(vmdk_descriptor_of("raw.img", cwd) == -ENOENT, "%s", cwd);

	/* A plain file is its own base. */
	memset(&c, 0, sizeof(c));
	CHECK(!vmdk_open_chain("raw.img", &c, &ch, err) && !ch.n &&
	      c.format == VMDISK_FORMAT_RAW, "%s", err);
	CHECK(!vmdk_open_chain("sparse.vmdk", &c, &ch, err) && !ch.n &&
	      c.format == VMDISK_FORMAT_VMDK_SPARSE, "%s", err);
}

int main(void)
{
	char dir[] = "/tmp/vmdk-test.XXXXXX";

	if (!mkdtemp(dir) || chdir(dir)) {
		perror(dir);
		return 1;
	}
	test_text();
	test_new_cid();
	test_chain();
	if (system("rm -rf \"$PWD\""))
		failed++;
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
