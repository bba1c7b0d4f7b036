// SPDX-License-Identifier: GPL-2.0
/*
 * VMDK text descriptors: reading them, following a delta chain,
 * renewing a CID in place; and committing a vmfsSparse delta into the
 * layers below it (vmdk.h).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "vmdk.h"

static int vmdk_err(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, VMDK_ERR_MAX, fmt, ap);
	va_end(ap);
	return ret;
}

/* Where path's descriptor text starts: 0 in a text file, the header's
 * offset in a sparse extent; -1 if the file has none. */
static off_t vmdk_desc_at(int fd)
{
	char magic[sizeof(VMDK_DESC_MAGIC) - 1];
	struct vmdk_header h;

	if (pread(fd, &h, sizeof(h), 0) == sizeof(h) && le32toh(h.magic) == VMDK_MAGIC)
		return h.desc_offset && h.desc_size ?
		       (off_t)le64toh(h.desc_offset) * 512 : -1;
	if (pread(fd, magic, sizeof(magic), 0) == sizeof(magic) &&
	    !memcmp(magic, VMDK_DESC_MAGIC, sizeof(magic)))
		return 0;
	return -1;
}

/* fd's descriptor text, NUL-terminated, into buf (VMDK_DESC_MAX + 1). */
static int vmdk_desc_text(int fd, char *buf, off_t *at)
{
	ssize_t n;

	*at = vmdk_desc_at(fd);
	buf[0] = 0;
	if (*at < 0)
		return 0;
	n = pread(fd, buf, VMDK_DESC_MAX, *at);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static void vmdk_parse_line(const char *line, struct vmdk_descriptor *d)
{
	char access[16], type[16], name[VMDISK_PATH_MAX];
	unsigned long long sectors, offset = 0;
	int n;

	if (sscanf(line, "CID=%x", &d->cid) == 1 ||
	    sscanf(line, "parentCID=%x", &d->parent_cid) == 1 ||
	    sscanf(line, "parentFileNameHint=\"%255[^\"]\"", d->parent) == 1)
		return;
	n = sscanf(line, "%15s %llu %15s \"%255[^\"]\" %llu", access, &sectors,
		   type, name, &offset);
	if (n < 4 || (strcmp(access, "RW") && strcmp(access, "RDONLY")))
		return;
	if (!d->extents++) {
		strcpy(d->access, access);
		strcpy(d->type, type);
		strcpy(d->extent, name);
		d->sectors = sectors;
		d->offset = offset;
	}
}

int vmdk_read_descriptor(const char *path, struct vmdk_descriptor *d, char *err)
{
	char buf[VMDK_DESC_MAX + 1], *line, *save;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;
	off_t at;

	memset(d, 0, sizeof(*d));
	d->cid = d->parent_cid = VMDK_CID_NONE;
	if (fd < 0)
		return vmdk_err(err, -errno, "%s: %s", path, strerror(errno));
	ret = vmdk_desc_text(fd, buf, &at);
	close(fd);
	if (ret)
		return vmdk_err(err, ret, "%s: %s", path, strerror(-ret));
	for (line = strtok_r(buf, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save))
		vmdk_parse_line(line, d);
	return 0;
}

uint32_t vmdk_read_cid(const char *path)
{
	char err[VMDK_ERR_MAX];
	struct vmdk_descriptor d;

	return vmdk_read_descriptor(path, &d, err) ? VMDK_CID_NONE : d.cid;
}

/* name, relative to the directory of the file at path, as a path. */
static int vmdk_relative(const char *path, const char *name, char *out, char *err)
{
	int n;

	if (name[0] == '/' || !strchr(path, '/'))
		n = snprintf(out, VMDISK_PATH_MAX, "%s", name);
	else
		n = snprintf(out, VMDISK_PATH_MAX, "%.*s/%s",
			     (int)(strrchr(path, '/') - path), path, name);
	if (n < 0 || n >= VMDISK_PATH_MAX)
		return vmdk_err(err, -ENAMETOOLONG, "%s: %s: path too long", path, name);
	return 0;
}

/* The one FLAT/VMFS/SPARSE extent of a text descriptor, as a disk's base. */
static int vmdk_base(const char *path, const struct vmdk_descriptor *d,
		     struct vmdisk_create *c, struct vmdk_chain *ch, char *err)
{
	if (d->extents != 1)
		return vmdk_err(err, -EINVAL, "%s: %s", path, d->extents ?
				"more than one extent" : "no extent");
	if (!strcmp(d->type, "FLAT") || !strcmp(d->type, "VMFS")) {
		c->format = VMDISK_FORMAT_RAW;
		c->offset = d->offset * 512;
		if (!c->capacity)
			c->capacity = d->sectors * 512;
	} else if (!strcmp(d->type, "SPARSE")) {
		c->format = VMDISK_FORMAT_VMDK_SPARSE;
	} else {
		return vmdk_err(err, -EINVAL, "%s: %s extents are not supported",
				path, d->type);
	}
	ch->base_rdonly = !strcmp(d->access, "RDONLY");
	return vmdk_relative(path, d->extent, c->path, err);
}

/* -1 for a text descriptor, else the VMDISK_FORMAT_* of path's data. */
static int vmdk_format(const char *path)
{
	char magic[sizeof(VMDK_DESC_MAGIC)] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, magic, sizeof(magic) - 1) < 4)
			magic[0] = 0;
		close(fd);
	}
	if (!memcmp(magic, VMDK_DESC_MAGIC, sizeof(VMDK_DESC_MAGIC) - 1))
		return -1;
	return memcmp(magic, "KDMV", 4) && memcmp(magic, "COWD", 4) ?
	       VMDISK_FORMAT_RAW : VMDISK_FORMAT_VMDK_SPARSE;
}

int vmdk_stack(int ctl, uint32_t id, const struct vmdk_chain *ch, int top,
	       char *err)
{
	struct vmdisk_snapshot s;
	int i;

	for (i = ch->n - 1; i >= top; i--) {
		s = (struct vmdisk_snapshot){ .size = sizeof(s), .version = VMDISK_VERSION,
					      .id = id, .fd = -1,
					      .flags = VMDISK_SNAPSHOT_PATH };
		strcpy(s.path, ch->deltas[i]);
		if (ioctl(ctl, VMDISK_IOC_SNAPSHOT, &s) < 0)
			return vmdk_err(err, -errno, "disk %u: delta %s: %s", id,
					s.path, strerror(errno));
	}
	return 0;
}

int vmdk_descriptor_of(const char *extent, char *out)
{
	static const char *const sfx[] = { "-flat.vmdk", "-delta.vmdk" };
	size_t n = strlen(extent), k, i;
	int fd;
	bool has;

	snprintf(out, VMDISK_PATH_MAX, "%s", extent);
	for (i = 0; i < 2; i++) {
		k = strlen(sfx[i]);
		if (n > k && !strcmp(extent + n - k, sfx[i])) {
			snprintf(out, VMDISK_PATH_MAX, "%.*s.vmdk", (int)(n - k), extent);
			if (access(out, F_OK))
				snprintf(out, VMDISK_PATH_MAX, "%s", extent);
			break;
		}
	}
	fd = open(out, O_RDONLY | O_CLOEXEC);
	has = fd >= 0 && vmdk_desc_at(fd) >= 0;
	if (fd >= 0)
		close(fd);
	return has ? 0 : -ENOENT;
}

/* A delta's parentCID against its parent's CID now (vmdk.h). */
static int vmdk_check_parent(const char *delta, const struct vmdk_descriptor *d,
			     const char *parent, char *err)
{
	uint32_t cid = vmdk_read_cid(parent);

	if (d->parent_cid == VMDK_CID_NONE || cid == VMDK_CID_NONE ||
	    cid == d->parent_cid)
		return 0;
	return vmdk_err(err, -ESTALE, "%s: parent %s changed since this delta was made (its CID is %08x, the delta was made on CID %08x)",
			delta, parent, cid, d->parent_cid);
}

/* One step down: cur is a VMFSSPARSE descriptor d; record its extent as
 * delta i and move cur to its parent. */
static int vmdk_step(char *cur, const struct vmdk_descriptor *d,
		     struct vmdk_chain *ch, char *err)
{
	char parent[VMDISK_PATH_MAX];
	int ret;

	if (ch->n == VMDISK_MAX_CHAIN)
		return vmdk_err(err, -ELOOP, "%s: more than %d deltas", cur,
				VMDISK_MAX_CHAIN);
	if (!d->parent[0])
		return vmdk_err(err, -EINVAL, "%s: a delta without parentFileNameHint", cur);
	ret = vmdk_relative(cur, d->extent, ch->deltas[ch->n], err);
	if (!ret)
		ret = vmdk_relative(cur, d->parent, parent, err);
	if (!ret)
		ret = vmdk_check_parent(cur, d, parent, err);
	if (ret)
		return ret;
	if (!ch->n++)
		strcpy(ch->parent, parent);
	strcpy(cur, parent);
	return 0;
}

int vmdk_open_chain(const char *path, struct vmdisk_create *c,
		    struct vmdk_chain *ch, char *err)
{
	char seen[VMDISK_MAX_CHAIN + 1][VMDISK_PATH_MAX];	/* 4 KiB */
	char cur[VMDISK_PATH_MAX], real[PATH_MAX];
	struct vmdk_descriptor d;
	int fmt, i, ret;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
		return vmdk_err(err, -ENAMETOOLONG, "%s: path too long", path);
	ch->base_rdonly = false;
	for (ch->n = 0;; ) {
		if (!realpath(cur, real))
			return vmdk_err(err, -errno, "%s: %s", cur, strerror(errno));
		if (strlen(real) >= VMDISK_PATH_MAX)
			return vmdk_err(err, -ENAMETOOLONG, "%s: path too long", real);
		for (i = 0; i < ch->n; i++)
			if (!strcmp(seen[i], real))
				return vmdk_err(err, -ELOOP, "%s: parent loop at %s",
						path, real);
		fmt = vmdk_format(real);
		if (fmt >= 0) {
			strcpy(c->path, real);
			c->format = fmt;
			break;
		}
		ret = vmdk_read_descriptor(real, &d, err);
		if (ret)
			return ret;
		if (d.extents != 1 || strcmp(d.type, "VMFSSPARSE")) {
			ret = vmdk_base(real, &d, c, ch, err);
			if (ret)
				return ret;
			break;
		}
		strcpy(seen[ch->n], real);
		strcpy(cur, real);
		ret = vmdk_step(cur, &d, ch, err);
		if (ret)
			return ret;
	}
	/* Under deltas the base is their frozen bottom, even if RDONLY. */
	if (ch->n)
		c->flags |= VMDISK_CREATE_BASE;
	else if (ch->base_rdonly)
		c->flags |= VMDISK_CREATE_READONLY;
	return 0;
}

uint32_t vmdk_random_cid(void)
{
	uint32_t cid;

	do
		if (getrandom(&cid, sizeof(cid), 0) != sizeof(cid))
			cid = random() ^ getpid();
	while (cid >= 0xfffffffe);
	return cid;
}

/* The offset in text of the hex digits of its "CID=" line, -1 if it has
 * none, -2 if they are not 1 to 8 hex digits; *len gets how many. */
static long vmdk_cid_digits(const char *text, size_t *len)
{
	const char *p = text;

	for (; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (strncmp(p, "CID=", 4))
			continue;
		*len = strspn(p + 4, "0123456789abcdefABCDEF");
		return *len && *len <= 8 && strchr("\r\n", p[4 + *len]) ?
		       p + 4 - text : -2;
	}
	return -1;
}

/* Write cid over the len digits at text + digits, moving what follows
 * when the length changes (a CID of fewer than 8 digits, hand-written): in
 * a sparse extent only within its descriptor area. */
static int vmdk_put_cid(int fd, const char *text, long digits, size_t len,
			off_t at, uint32_t cid)
{
	const char *rest = text + digits + len;
	size_t n = strlen(rest);
	char out[VMDK_DESC_MAX + 9];
	struct vmdk_header h;

	snprintf(out, sizeof(out), "%08x%s", cid, rest);
	if (len != 8) {
		if (at && (pread(fd, &h, sizeof(h), 0) != sizeof(h) ||
			   digits + 8 + n > le64toh(h.desc_size) * 512))
			return -ENOSPC;
		if (!at && lseek(fd, 0, SEEK_END) > VMDK_DESC_MAX)
			return -EFBIG;
	} else {
		n = 0;
	}
	if (pwrite(fd, out, 8 + n, at + digits) != (ssize_t)(8 + n) || fsync(fd))
		return -errno;
	return 0;
}

int vmdk_new_cid(const char *path, char *err)
{
	char buf[VMDK_DESC_MAX + 1];
	uint32_t cid, old;
	size_t len;
	long digits;
	off_t at;
	int fd = open(path, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return vmdk_err(err, -errno, "%s: %s", path, strerror(errno));
	ret = vmdk_desc_text(fd, buf, &at);
	if (ret || at < 0)
		goto out;
	digits = vmdk_cid_digits(buf, &len);
	if (digits < 0) {	/* without a CID, no delta can name this one */
		ret = digits == -1 ? 0 : -EINVAL;
		goto out;
	}
	old = strtoul(buf + digits, NULL, 16);
	do
		cid = vmdk_random_cid();
	while (cid == old);
	ret = vmdk_put_cid(fd, buf, digits, len, at, cid);
out:
	close(fd);
	if (ret == -EINVAL)
		return vmdk_err(err, ret, "%s: the descriptor's CID is not 1 to 8 hex digits", path);
	if (ret)
		return vmdk_err(err, ret, "%s: cannot write a new CID: %s", path, strerror(-ret));
	return 0;
}

/* The first fields of an ESX vmfsSparse delta (COWD), little endian. */
struct vmdk_cowd {
	uint32_t magic, version, flags, sectors, grain_size, gd_offset,
		 gd_entries, free_sector;
};

#define VMDK_COWD_MAGIC	0x44574f43	/* "COWD" */
#define VMDK_COWD_GTES	4096

static int vmdk_pread(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -ENODATA;
}

/* The delta's header, checked against what the commit needs. */
static int vmdk_cowd_header(int fd, struct vmdk_cowd *h, const char *name, char *err)
{
	uint32_t *f = (uint32_t *)h, gts;
	size_t i;
	int ret = vmdk_pread(fd, h, sizeof(*h), 0);

	for (i = 0; !ret && i < sizeof(*h) / 4; i++)
		f[i] = le32toh(f[i]);
	if (ret || h->magic != VMDK_COWD_MAGIC || h->version != 1)
		return vmdk_err(err, -EINVAL, "%s: not a vmfsSparse (COWD version 1) delta", name);
	if (!h->grain_size || h->grain_size > VMDISK_FRONT_DATA_MAX / 512 || h->gd_offset < 4)
		return vmdk_err(err, -EINVAL, "%s: bad grain size %u or GD sector %u", name,
				h->grain_size, h->gd_offset);
	gts = ((uint64_t)h->sectors + (uint64_t)h->grain_size * VMDK_COWD_GTES - 1) /
	      ((uint64_t)h->grain_size * VMDK_COWD_GTES);
	if (h->gd_entries < gts || h->gd_entries > (1U << 22))
		return vmdk_err(err, -EINVAL, "%s: %u GD entries for %u grain tables", name,
				h->gd_entries, gts);
	return 0;
}

/* WRITE(16) of sectors at lba from buf, or SYNCHRONIZE CACHE(10) of the
 * whole disk without buf, through front; a CHECK CONDITION is -EIO. */
static int vmdk_front_write(int front, uint64_t lba, void *buf, uint32_t sectors,
			    char *err)
{
	uint8_t sense[32] = { 0 };
	struct vmdisk_iovec iov = { (uintptr_t)buf, sectors * 512ULL };
	struct vmdisk_submit s = { .size = sizeof(s), .version = VMDISK_VERSION,
				   .dir = VMDISK_DIR_NONE, .cdb_len = 10,
				   .cdb = { 0x35 }, .sense = (uintptr_t)sense,
				   .sense_max = sizeof(sense) };
	uint64_t be_lba = htobe64(lba);
	uint32_t be_len = htobe32(sectors);

	if (buf) {
		s.dir = VMDISK_DIR_TO_DEV;
		s.iov_count = 1;
		s.iov = (uintptr_t)&iov;
		s.cdb_len = 16;
		s.cdb[0] = 0x8a;
		memcpy(&s.cdb[2], &be_lba, 8);
		memcpy(&s.cdb[10], &be_len, 4);
	}
	if (ioctl(front, VMDISK_IOC_SUBMIT, &s) < 0)
		return vmdk_err(err, -errno, "%s at block %llu: %s", buf ? "write" : "flush",
				(unsigned long long)lba, strerror(errno));
	if (!s.status)
		return 0;
	return vmdk_err(err, -EIO, "%s at block %llu: status 0x%x, sense key 0x%x, ASC 0x%02x/0x%02x",
			buf ? "write" : "flush", (unsigned long long)lba, s.status,
			sense[2] & 0xf, sense[12], sense[13]);
}

/* The grains of grain table gt (entries of grain table i) into front. */
static int vmdk_commit_gt(int front, int cowd, const struct vmdk_cowd *h,
			  const uint32_t *gt, uint32_t i, void *grain,
			  unsigned long *grains, char *err)
{
	uint64_t lba;
	uint32_t j, n;
	int ret;

	for (j = 0; j < VMDK_COWD_GTES; j++) {
		lba = ((uint64_t)i * VMDK_COWD_GTES + j) * h->grain_size;
		if (!gt[j] || lba >= h->sectors)
			continue;
		n = h->sectors - lba < h->grain_size ? h->sectors - lba : h->grain_size;
		ret = vmdk_pread(cowd, grain, n * 512ULL, (uint64_t)le32toh(gt[j]) * 512);
		if (ret)
			return ret == -ENODATA ? vmdk_err(err, ret, "a grain past the end") :
			       vmdk_err(err, ret, "%s", strerror(-ret));
		ret = vmdk_front_write(front, lba, grain, n, err);
		if (ret)
			return ret;
		++*grains;
	}
	return 0;
}

int vmdk_commit(int front, int cowd, const char *name, unsigned long *grains,
		char *err)
{
	uint32_t *gd = NULL, *gt = NULL, i;
	char why[VMDK_ERR_MAX] = "";
	void *grain = NULL;
	struct vmdk_cowd h;
	int ret;

	*grains = 0;
	ret = vmdk_cowd_header(cowd, &h, name, err);
	if (ret)
		return ret;
	gd = calloc(h.gd_entries, 4);
	gt = calloc(VMDK_COWD_GTES, 4);
	grain = malloc((size_t)h.grain_size * 512);
	ret = gd && gt && grain ? 0 : -ENOMEM;
	if (!ret && (ret = vmdk_pread(cowd, gd, h.gd_entries * 4ULL, (uint64_t)h.gd_offset * 512)))
		snprintf(why, sizeof(why), "its grain directory: %s",
			 ret == -ENODATA ? "past the end" : strerror(-ret));
	for (i = 0; !ret && i < h.gd_entries; i++) {
		if (!gd[i])
			continue;
		ret = vmdk_pread(cowd, gt, VMDK_COWD_GTES * 4, (uint64_t)le32toh(gd[i]) * 512);
		if (ret)
			snprintf(why, sizeof(why), "grain table %u: %s", i,
				 ret == -ENODATA ? "past the end" : strerror(-ret));
		else
			ret = vmdk_commit_gt(front, cowd, &h, gt, i, grain, grains, why);
	}
	if (!ret)
		ret = vmdk_front_write(front, 0, NULL, 0, why);
	free(grain);
	free(gt);
	free(gd);
	if (ret == -ENOMEM)
		return vmdk_err(err, ret, "%s: out of memory", name);
	return ret ? vmdk_err(err, ret, "%s: %s", name, why) : 0;
}
