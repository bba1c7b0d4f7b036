// SPDX-License-Identifier: GPL-2.0
/*
 * The VMDK monolithicSparse backend (hosted sparse extent, "KDMV").
 *
 * The file starts with a 512-byte little-endian header; the disk is cut
 * into grains (grainSize sectors), a grain directory (GD) at gdOffset
 * points to grain tables (GTs) of numGTEsPerGT entries, and a GT entry is
 * the sector of a grain in the file, 0 when it was never written (reads
 * as zeroes) or 1 for a zeroed grain.
 *
 * At open the whole GD and every GT are read into one array, so a read
 * costs no metadata I/O. A write to an unallocated grain appends a new
 * grain at the end of the file, writes the data, then the GT entry (and
 * its redundant copy) on disk, and only then publishes it in memory;
 * allocations are serialised by alloc_lock. Compressed (streamOptimized)
 * extents and GTs not allocated in the file are refused.
 */
#include <linux/file.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <compat.h>

#include "backend.h"

#define VMDK_MAGIC		0x564d444b	/* "KDMV" */
#define VMDK_FLAG_RGD		(1U << 1)
#define VMDK_FLAG_COMPRESS	(1U << 16)
#define VMDK_MAX_ENTRIES	(4U << 20)	/* 256 GiB with 64 KiB grains */

struct vmdk_header {
	__le32 magic;
	__le32 version;
	__le32 flags;
	__le64 capacity;
	__le64 grain_size;
	__le64 desc_offset;
	__le64 desc_size;
	__le32 gtes_per_gt;
	__le64 rgd_offset;
	__le64 gd_offset;
	__le64 overhead;
	u8 unclean;
	char eol_chars[4];
	__le16 compress;
	u8 pad[433];
} __packed;

struct vmdk {
	struct vmdisk_backend be;
	u64 capacity;			/* bytes */
	u32 grain_shift;		/* log2 of the grain size in bytes */
	u32 gtes;			/* entries per GT */
	u32 nr_gts;
	u32 *gd, *rgd;			/* sectors of each GT (and its copy) */
	u32 *gt;			/* all GT entries, nr_gts * gtes */
	struct mutex alloc_lock;
	loff_t end;			/* where the next grain goes */
};

static struct vmdk *to_vmdk(struct vmdisk_backend *be)
{
	return container_of(be, struct vmdk, be);
}

static int vmdk_pread(struct file *file, void *buf, size_t len, loff_t pos)
{
	ssize_t ret = kernel_read(file, buf, len, &pos);

	return ret == len ? 0 : ret < 0 ? ret : -EIO;
}

static int vmdk_pwrite(struct file *file, const void *buf, size_t len,
		       loff_t pos)
{
	ssize_t ret = kernel_write(file, buf, len, &pos);

	return ret == len ? 0 : ret < 0 ? ret : -EIO;
}

static int vmdk_io(struct vmdisk_backend *be, struct iov_iter *it, size_t len,
		   loff_t pos, bool write, bool fua)
{
	size_t count = iov_iter_count(it);
	ssize_t ret = 0;

	iov_iter_truncate(it, len);
	while (iov_iter_count(it) && ret >= 0) {
		ret = write ? vfs_iter_write(be->file, it, &pos, fua ? RWF_DSYNC : 0)
			    : vfs_iter_read(be->file, it, &pos, 0);
		if (ret == 0)
			ret = -EIO;
	}
	iov_iter_reexpand(it, count - len);
	return ret < 0 ? ret : 0;
}

static int vmdk_read(struct vmdisk_backend *be, struct iov_iter *to, loff_t pos)
{
	struct vmdk *v = to_vmdk(be);
	u64 gsize = 1ULL << v->grain_shift;
	int ret = 0;

	while (iov_iter_count(to) && !ret) {
		u64 grain = pos >> v->grain_shift, off = pos & (gsize - 1);
		size_t len = min_t(u64, iov_iter_count(to), gsize - off);
		u32 sector = READ_ONCE(v->gt[grain]);

		if (sector <= 1) {
			if (iov_iter_zero(len, to) != len)
				ret = -EFAULT;
		} else {
			ret = vmdk_io(be, to, len, ((loff_t)sector << 9) + off,
				      false, false);
		}
		pos += len;
	}
	return ret;
}

/* A new grain at the end of the file holding this write; lock held. */
static int vmdk_alloc(struct vmdk *v, u64 grain, struct iov_iter *from,
		      size_t len, u64 off, bool fua)
{
	struct file *file = v->be.file;
	u64 gsize = 1ULL << v->grain_shift;
	u32 gt = grain / v->gtes, idx = grain % v->gtes;
	loff_t at = v->end;
	__le32 entry;
	int ret;

	lockdep_assert_held(&v->alloc_lock);
	if ((at >> 9) > U32_MAX)
		return -ENOSPC;
	ret = vmdk_io(&v->be, from, len, at + off, true, false);
	/* The rest of the grain must exist and read as zeroes. */
	if (!ret && off + len < gsize)
		ret = vmdk_pwrite(file, "", 1, at + gsize - 1);
	if (ret)
		return ret;
	entry = cpu_to_le32(at >> 9);
	ret = vmdk_pwrite(file, &entry, 4, ((loff_t)v->gd[gt] << 9) + idx * 4);
	if (!ret && v->rgd)
		ret = vmdk_pwrite(file, &entry, 4,
				  ((loff_t)v->rgd[gt] << 9) + idx * 4);
	if (!ret && fua)
		ret = vfs_fsync(file, 1);
	if (ret)
		return ret;
	v->end += gsize;
	WRITE_ONCE(v->gt[grain], at >> 9);
	return 0;
}

static int vmdk_write(struct vmdisk_backend *be, struct iov_iter *from,
		      loff_t pos, bool fua)
{
	struct vmdk *v = to_vmdk(be);
	u64 gsize = 1ULL << v->grain_shift;
	int ret = 0;

	while (iov_iter_count(from) && !ret) {
		u64 grain = pos >> v->grain_shift, off = pos & (gsize - 1);
		size_t len = min_t(u64, iov_iter_count(from), gsize - off);
		u32 sector = READ_ONCE(v->gt[grain]);

		if (sector <= 1) {
			mutex_lock(&v->alloc_lock);
			sector = v->gt[grain];
			if (sector <= 1)
				ret = vmdk_alloc(v, grain, from, len, off, fua);
			mutex_unlock(&v->alloc_lock);
			if (sector <= 1) {
				pos += len;
				continue;
			}
		}
		ret = vmdk_io(be, from, len, ((loff_t)sector << 9) + off, true, fua);
		pos += len;
	}
	return ret;
}

static int vmdk_flush(struct vmdisk_backend *be, loff_t pos, loff_t len)
{
	return vfs_fsync(be->file, 1);
}

/* Unmapping grains would need GT rewrites and free-space tracking: let the
 * core write zeroes instead. */
static int vmdk_discard(struct vmdisk_backend *be, loff_t pos, loff_t len)
{
	return -EOPNOTSUPP;
}

static loff_t vmdk_size(struct vmdisk_backend *be)
{
	return to_vmdk(be)->capacity;
}

static void vmdk_free(struct vmdk *v)
{
	kvfree(v->gt);
	kvfree(v->gd);
	kvfree(v->rgd);
	kfree(v);
}

static void vmdk_close(struct vmdisk_backend *be)
{
	struct vmdk *v = to_vmdk(be);

	fput(be->file);
	vmdk_free(v);
}

static const struct vmdisk_backend_ops vmdk_ops = {
	.name		= "vmdk-sparse",
	.read		= vmdk_read,
	.write		= vmdk_write,
	.flush		= vmdk_flush,
	.discard	= vmdk_discard,
	.size		= vmdk_size,
	.close		= vmdk_close,
};

static int vmdk_check_header(struct vmdk *v, const struct vmdk_header *h)
{
	u64 grain = le64_to_cpu(h->grain_size), cap = le64_to_cpu(h->capacity);
	u64 entries;

	if (le32_to_cpu(h->magic) != VMDK_MAGIC)
		return -EINVAL;
	if (le32_to_cpu(h->version) < 1 || le32_to_cpu(h->version) > 3 ||
	    (le32_to_cpu(h->flags) & VMDK_FLAG_COMPRESS))
		return -EOPNOTSUPP;
	if (!is_power_of_2(grain) || grain < 8 || grain > 2048)
		return -EINVAL;
	v->gtes = le32_to_cpu(h->gtes_per_gt);
	if (!is_power_of_2(v->gtes) || v->gtes > 4096 || !cap ||
	    cap > (U64_MAX >> 9))
		return -EINVAL;
	entries = DIV_ROUND_UP(cap, grain);
	if (entries > VMDK_MAX_ENTRIES)
		return -EFBIG;
	v->capacity = cap << 9;
	v->grain_shift = ilog2(grain) + 9;
	v->nr_gts = DIV_ROUND_UP(entries, v->gtes);
	return 0;
}

/* The GD (at sector off) and, when gt is set, every GT it points to. */
static int vmdk_load_gd(struct vmdk *v, u64 off, u32 **gdp, bool load_gts)
{
	struct file *file = v->be.file;
	u32 i, *gd;
	int ret;

	gd = kvmalloc_array(v->nr_gts, sizeof(u32), GFP_KERNEL);
	if (!gd)
		return -ENOMEM;
	*gdp = gd;
	ret = vmdk_pread(file, gd, v->nr_gts * sizeof(u32), off << 9);
	for (i = 0; i < v->nr_gts && !ret; i++) {
		gd[i] = le32_to_cpu((__force __le32)gd[i]);
		if (!gd[i])
			return -EOPNOTSUPP;	/* GT not preallocated */
		if (load_gts)
			ret = vmdk_pread(file, v->gt + (size_t)i * v->gtes,
					 v->gtes * sizeof(u32),
					 (loff_t)gd[i] << 9);
	}
	return ret;
}

struct vmdisk_backend *vmdisk_vmdk_open(struct file *file)
{
	struct vmdk_header *h;
	struct vmdk *v;
	size_t i, n;
	int ret;

	v = kzalloc(sizeof(*v), GFP_KERNEL);
	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!v || !h) {
		ret = -ENOMEM;
		goto err_free;
	}
	v->be.ops = &vmdk_ops;
	v->be.file = file;	/* referenced once the open succeeds */
	mutex_init(&v->alloc_lock);
	ret = vmdk_pread(file, h, sizeof(*h), 0);
	if (!ret)
		ret = vmdk_check_header(v, h);
	if (ret)
		goto err_free;
	n = (size_t)v->nr_gts * v->gtes;
	v->gt = kvmalloc_array(n, sizeof(u32), GFP_KERNEL);
	if (!v->gt) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = vmdk_load_gd(v, le64_to_cpu(h->gd_offset), &v->gd, true);
	if (!ret && (le32_to_cpu(h->flags) & VMDK_FLAG_RGD))
		ret = vmdk_load_gd(v, le64_to_cpu(h->rgd_offset), &v->rgd, false);
	if (ret)
		goto err_free;
	for (i = 0; i < n; i++)
		v->gt[i] = le32_to_cpu((__force __le32)v->gt[i]);
	v->end = round_up(i_size_read(file_inode(file)), 512);
	kfree(h);
	get_file(file);
	return &v->be;

err_free:
	kfree(h);
	if (v)
		vmdk_free(v);
	return ERR_PTR(ret);
}
