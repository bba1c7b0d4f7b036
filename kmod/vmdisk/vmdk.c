// SPDX-License-Identifier: GPL-2.0
/*
 * Sparse VMDK extents: the hosted monolithicSparse extent ("KDMV") and the
 * ESX vmfsSparse redo log ("COWD"), after the VMware Virtual Disk Format
 * 1.1 document.
 *
 * Both cut the disk into grains; a grain directory (GD) points to grain
 * tables (GTs) and a GT entry is the sector of a grain in the file, 0 when
 * it was never written. In a KDMV extent every GT is preallocated and an
 * entry of 1 is a zeroed grain; unwritten grains read as zeroes. A COWD
 * delta has 4096 entries per GT, allocates GTs on demand (GD entry 0) and
 * reads unwritten grains from its parent, the backend below it.
 *
 * The whole GD and every GT live in memory, so reads cost no metadata I/O.
 * A write to an unwritten grain appends the grain at the end of the file
 * (a partial grain is completed from the parent, or with zeroes) and
 * publishes it in memory only; the tables reach the file at the next flush,
 * in the order that keeps a crash harmless: grains are made stable, then
 * the GTs written and made stable, then the GD and the header. A crash
 * therefore loses only grains written since the last flush, which nobody
 * was told were stable, and never leaves a table pointing at garbage.
 * alloc_lock serialises allocations and metadata writes.
 *
 * Everything read from the file is checked before use: a header, GD or GT
 * that points outside the file fails the open with EINVAL and a line in the
 * kernel log naming the file and the bad field.
 */
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <compat.h>

#include "backend.h"

#define VMDK_MAGIC		0x564d444b	/* "KDMV" */
#define COWD_MAGIC		0x44574f43	/* "COWD" */
#define VMDK_FLAG_RGD		(1U << 1)
#define VMDK_FLAG_COMPRESS	(1U << 16)
#define VMDK_MAX_ENTRIES	(4U << 20)	/* 256 GiB with 64 KiB grains */
#define COWD_GTES		4096
#define COWD_GRAIN		128		/* sectors, in deltas we make */
#define COWD_GD_SECTOR		4

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

struct cowd_header {
	__le32 magic;
	__le32 version;
	__le32 flags;
	__le32 sectors;
	__le32 grain_size;
	__le32 gd_offset;
	__le32 gd_entries;
	__le32 free_sector;
	union {
		struct {
			__le32 cylinders, heads, sectors;
		} root;
		struct {
			char parent_name[1024];
			__le32 parent_generation;
		} child;
	} u;
	__le32 generation;
	char name[60];
	char description[512];
	__le32 saved_generation;
	char reserved[8];
	__le32 unclean;
	u8 pad[396];
} __packed;

struct vmdk {
	struct vmdisk_backend be;
	bool cowd;
	u64 capacity;			/* bytes */
	u64 file_sectors;		/* at open, for the bounds checks */
	u32 grain_shift;		/* log2 of the grain size in bytes */
	u32 gtes;			/* entries per GT */
	u32 nr_gts;
	u32 gd_sector;			/* COWD: where the GD lives */
	u32 *gd, *rgd;			/* sectors of each GT (and its copy) */
	u32 *gt;			/* all GT entries, nr_gts * gtes */
	unsigned long *dirty;		/* GTs changed since the last flush */
	bool gd_dirty;
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

/* len bytes of it at pos of file; it keeps what is left after them. */
static int vmdk_io(struct file *file, struct iov_iter *it, size_t len,
		   loff_t pos, bool write, bool fua)
{
	size_t count = iov_iter_count(it);
	ssize_t ret = 0;

	iov_iter_truncate(it, len);
	while (iov_iter_count(it) && ret >= 0) {
		ret = write ? vfs_iter_write(file, it, &pos, fua ? RWF_DSYNC : 0)
			    : vfs_iter_read(file, it, &pos, 0);
		if (ret == 0)
			ret = -EIO;
	}
	iov_iter_reexpand(it, count - len);
	return ret < 0 ? ret : 0;
}

/* len bytes from the parent, or zeroes at the bottom of the chain. */
static int vmdk_read_below(struct vmdk *v, struct iov_iter *to, size_t len,
			   loff_t pos)
{
	struct vmdisk_backend *parent = v->be.parent;
	size_t count = iov_iter_count(to);
	int ret;

	if (!parent)
		return iov_iter_zero(len, to) == len ? 0 : -EFAULT;
	iov_iter_truncate(to, len);
	ret = parent->ops->read(parent, to, pos);
	iov_iter_reexpand(to, count - len);
	return ret;
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

		if (sector == 0)
			ret = vmdk_read_below(v, to, len, pos);
		else if (sector == 1)	/* KDMV zeroed grain */
			ret = iov_iter_zero(len, to) == len ? 0 : -EFAULT;
		else
			ret = vmdk_io(be->file, to, len,
				      ((loff_t)sector << 9) + off, false, false);
		pos += len;
	}
	return ret;
}

/* A whole grain for a partial write: what lies below, then the new data. */
static int vmdk_fill_grain(struct vmdk *v, void *buf, u64 grain,
			   struct iov_iter *from, size_t len, u64 off)
{
	struct vmdisk_backend *parent = v->be.parent;
	u64 gsize = 1ULL << v->grain_shift, start = grain << v->grain_shift;
	u64 end = parent ? min_t(u64, v->capacity, parent->ops->size(parent)) : 0;
	size_t below = end > start ? min_t(u64, gsize, end - start) : 0;
	struct kvec kv = { .iov_base = buf, .iov_len = below };
	struct iov_iter it;
	int ret;

	memset(buf, 0, gsize);
	if (below && (off || off + len < below)) {
		iov_iter_kvec(&it, ITER_DEST, &kv, 1, below);
		ret = vmdk_read_below(v, &it, below, start);
		if (ret)
			return ret;
	}
	return copy_from_iter(buf + off, len, from) == len ? 0 : -EFAULT;
}

/* COWD: room at the end of the file for GT gt (written at the next flush;
 * until then the hole reads as an empty table). */
static int vmdk_alloc_gt(struct vmdk *v, u32 gt)
{
	u32 bytes = round_up(v->gtes * 4, 512);

	lockdep_assert_held(&v->alloc_lock);
	if (((v->end + bytes) >> 9) > U32_MAX)
		return -ENOSPC;
	v->gd[gt] = v->end >> 9;
	v->end += bytes;
	v->gd_dirty = true;
	return 0;
}

/* A new grain at the end of the file holding this write. */
static int vmdk_alloc(struct vmdk *v, u64 grain, struct iov_iter *from,
		      size_t len, u64 off)
{
	u64 gsize = 1ULL << v->grain_shift;
	u32 gt = grain / v->gtes;
	loff_t at;
	void *buf;
	int ret;

	lockdep_assert_held(&v->alloc_lock);
	if (!v->gd[gt]) {
		ret = vmdk_alloc_gt(v, gt);
		if (ret)
			return ret;
	}
	at = v->end;
	if (((at + gsize) >> 9) > U32_MAX)
		return -ENOSPC;
	if (len == gsize) {
		ret = vmdk_io(v->be.file, from, len, at, true, false);
	} else {
		buf = kvmalloc(gsize, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		ret = vmdk_fill_grain(v, buf, grain, from, len, off);
		if (!ret)
			ret = vmdk_pwrite(v->be.file, buf, gsize, at);
		kvfree(buf);
	}
	if (ret)
		return ret;
	v->end += gsize;
	__set_bit(gt, v->dirty);
	WRITE_ONCE(v->gt[grain], at >> 9);
	return 0;
}

/* Write the GT of index gt (and its redundant copy) to the file. */
static int vmdk_write_gt(struct vmdk *v, u32 gt)
{
	size_t bytes = v->gtes * 4;
	__le32 *buf;
	u32 i;
	int ret;

	buf = kvmalloc(bytes, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < v->gtes; i++)
		buf[i] = cpu_to_le32(v->gt[(size_t)gt * v->gtes + i]);
	ret = vmdk_pwrite(v->be.file, buf, bytes, (loff_t)v->gd[gt] << 9);
	if (!ret && v->rgd)
		ret = vmdk_pwrite(v->be.file, buf, bytes,
				  (loff_t)v->rgd[gt] << 9);
	kvfree(buf);
	return ret;
}

/* COWD: the GD and the header's free sector. */
static int vmdk_write_gd(struct vmdk *v)
{
	__le32 *buf, free = cpu_to_le32(v->end >> 9);
	u32 i;
	int ret;

	buf = kvmalloc_array(v->nr_gts, 4, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < v->nr_gts; i++)
		buf[i] = cpu_to_le32(v->gd[i]);
	ret = vmdk_pwrite(v->be.file, buf, v->nr_gts * 4,
			  (loff_t)v->gd_sector << 9);
	if (!ret)
		ret = vmdk_pwrite(v->be.file, &free, 4,
				  offsetof(struct cowd_header, free_sector));
	kvfree(buf);
	return ret;
}

/* Grains, then GTs, then the GD, each stable before the next is written. */
static int vmdk_sync(struct vmdk *v)
{
	struct file *file = v->be.file;
	unsigned int gt;
	int ret;

	lockdep_assert_held(&v->alloc_lock);
	ret = vfs_fsync(file, 1);
	if (ret || (bitmap_empty(v->dirty, v->nr_gts) && !v->gd_dirty))
		return ret;
	for_each_set_bit(gt, v->dirty, v->nr_gts) {
		ret = vmdk_write_gt(v, gt);
		if (ret)
			return ret;
	}
	ret = vfs_fsync(file, 1);
	if (ret)
		return ret;
	bitmap_zero(v->dirty, v->nr_gts);
	if (!v->gd_dirty)
		return 0;
	ret = vmdk_write_gd(v);
	if (!ret)
		ret = vfs_fsync(file, 1);
	if (!ret)
		v->gd_dirty = false;
	return ret;
}

static int vmdk_write(struct vmdisk_backend *be, struct iov_iter *from,
		      loff_t pos, bool fua)
{
	struct vmdk *v = to_vmdk(be);
	u64 gsize = 1ULL << v->grain_shift;
	bool allocated = false;
	int ret = 0;

	while (iov_iter_count(from) && !ret) {
		u64 grain = pos >> v->grain_shift, off = pos & (gsize - 1);
		size_t len = min_t(u64, iov_iter_count(from), gsize - off);
		u32 sector = READ_ONCE(v->gt[grain]);

		if (sector <= 1) {
			mutex_lock(&v->alloc_lock);
			sector = v->gt[grain];
			if (sector <= 1) {
				ret = vmdk_alloc(v, grain, from, len, off);
				allocated = true;
			}
			mutex_unlock(&v->alloc_lock);
		}
		if (sector > 1)
			ret = vmdk_io(be->file, from, len,
				      ((loff_t)sector << 9) + off, true, fua);
		pos += len;
	}
	if (!ret && fua && allocated) {
		mutex_lock(&v->alloc_lock);
		ret = vmdk_sync(v);
		mutex_unlock(&v->alloc_lock);
	}
	return ret;
}

static int vmdk_flush(struct vmdisk_backend *be, loff_t pos, loff_t len)
{
	struct vmdk *v = to_vmdk(be);
	int ret;

	mutex_lock(&v->alloc_lock);
	ret = vmdk_sync(v);
	mutex_unlock(&v->alloc_lock);
	return ret;
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
	bitmap_free(v->dirty);
	kvfree(v->gt);
	kvfree(v->gd);
	kvfree(v->rgd);
	kfree(v);
}

static void vmdk_close(struct vmdisk_backend *be)
{
	struct vmdk *v = to_vmdk(be);
	int ret;

	mutex_lock(&v->alloc_lock);
	ret = vmdk_sync(v);
	mutex_unlock(&v->alloc_lock);
	if (ret)
		pr_err("%pD: tables not saved at close: %d\n", be->file, ret);
	if (be->parent)
		be->parent->ops->close(be->parent);
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

static const struct vmdisk_backend_ops cowd_ops = {
	.name		= "vmdk-delta",
	.read		= vmdk_read,
	.write		= vmdk_write,
	.flush		= vmdk_flush,
	.discard	= vmdk_discard,
	.size		= vmdk_size,
	.close		= vmdk_close,
};

#define vmdk_bad(v, fmt, ...) ({					\
	pr_err("%pD: " fmt "\n", (v)->be.file, ##__VA_ARGS__);	\
	-EINVAL;							\
})

/* Capacity (sectors), grain size (sectors) and GT size, whatever header. */
static int vmdk_set_geometry(struct vmdk *v, u64 cap, u64 grain, u32 gtes)
{
	u64 entries;

	if (!is_power_of_2(grain) || grain > 2048)
		return vmdk_bad(v, "grain size %llu sectors", grain);
	if (!is_power_of_2(gtes) || gtes > 4096)
		return vmdk_bad(v, "%u entries per grain table", gtes);
	if (!cap || cap > (U64_MAX >> 9))
		return vmdk_bad(v, "capacity %llu sectors", cap);
	entries = DIV_ROUND_UP(cap, grain);
	if (entries > VMDK_MAX_ENTRIES) {
		pr_err("%pD: %llu grains: too many\n", v->be.file, entries);
		return -EFBIG;
	}
	v->capacity = cap << 9;
	v->grain_shift = ilog2(grain) + 9;
	v->gtes = gtes;
	v->nr_gts = DIV_ROUND_UP(entries, gtes);
	return 0;
}

static int vmdk_check_kdmv(struct vmdk *v, const struct vmdk_header *h)
{
	if (le32_to_cpu(h->version) < 1 || le32_to_cpu(h->version) > 3)
		return vmdk_bad(v, "KDMV version %u", le32_to_cpu(h->version));
	if (le32_to_cpu(h->flags) & VMDK_FLAG_COMPRESS) {
		pr_err("%pD: compressed (streamOptimized) extents are not supported\n",
		       v->be.file);
		return -EOPNOTSUPP;
	}
	return vmdk_set_geometry(v, le64_to_cpu(h->capacity),
				 le64_to_cpu(h->grain_size),
				 le32_to_cpu(h->gtes_per_gt));
}

static int vmdk_check_cowd(struct vmdk *v, const struct cowd_header *h)
{
	int ret;

	if (le32_to_cpu(h->version) != 1)
		return vmdk_bad(v, "COWD version %u", le32_to_cpu(h->version));
	ret = vmdk_set_geometry(v, le32_to_cpu(h->sectors),
				le32_to_cpu(h->grain_size), COWD_GTES);
	if (ret)
		return ret;
	if (le32_to_cpu(h->gd_entries) < v->nr_gts)
		return vmdk_bad(v, "%u GD entries for %u grain tables",
				le32_to_cpu(h->gd_entries), v->nr_gts);
	v->gd_sector = le32_to_cpu(h->gd_offset);
	if (v->gd_sector < COWD_GD_SECTOR)
		return vmdk_bad(v, "GD at sector %u, inside the header",
				v->gd_sector);
	v->cowd = true;
	v->be.ops = &cowd_ops;
	return 0;
}

/* A table of bytes at sector must lie in the file, after the header. */
static bool vmdk_in_file(struct vmdk *v, u64 sector, u64 bytes)
{
	u32 first = v->cowd ? COWD_GD_SECTOR : 1;

	return sector >= first &&
	       sector + DIV_ROUND_UP(bytes, 512) <= v->file_sectors;
}

/* Every GT entry must be 0, 1 (KDMV) or a grain that starts in the file. */
static int vmdk_check_gt(struct vmdk *v, u32 gt)
{
	u32 *e = v->gt + (size_t)gt * v->gtes;
	u32 i;

	for (i = 0; i < v->gtes; i++) {
		e[i] = le32_to_cpu((__force __le32)e[i]);
		if (e[i] == 0 || (e[i] == 1 && !v->cowd))
			continue;
		if (!vmdk_in_file(v, e[i], 1))
			return vmdk_bad(v, "GT %u entry %u: grain at sector %u, outside the file (%llu sectors)",
					gt, i, e[i], v->file_sectors);
	}
	return 0;
}

/* The GD at sector off and, with load_gts, every GT it points to. */
static int vmdk_load_gd(struct vmdk *v, u64 off, u32 **gdp, bool load_gts)
{
	struct file *file = v->be.file;
	u32 i, *gd;
	int ret;

	if (!vmdk_in_file(v, off, v->nr_gts * 4))
		return vmdk_bad(v, "GD at sector %llu, outside the file (%llu sectors)",
				off, v->file_sectors);
	gd = kvmalloc_array(v->nr_gts, sizeof(u32), GFP_KERNEL);
	if (!gd)
		return -ENOMEM;
	*gdp = gd;
	ret = vmdk_pread(file, gd, v->nr_gts * sizeof(u32), off << 9);
	for (i = 0; i < v->nr_gts && !ret; i++) {
		gd[i] = le32_to_cpu((__force __le32)gd[i]);
		if (!gd[i] && v->cowd)
			continue;	/* not allocated yet */
		if (!gd[i]) {
			pr_err("%pD: GT %u not preallocated\n", file, i);
			return -EOPNOTSUPP;
		}
		if (!vmdk_in_file(v, gd[i], v->gtes * 4))
			return vmdk_bad(v, "GD entry %u: GT at sector %u, outside the file (%llu sectors)",
					i, gd[i], v->file_sectors);
		if (!load_gts)
			continue;
		ret = vmdk_pread(file, v->gt + (size_t)i * v->gtes,
				 v->gtes * sizeof(u32), (loff_t)gd[i] << 9);
		if (!ret)
			ret = vmdk_check_gt(v, i);
	}
	return ret;
}

/* Read and check the header, then load the tables. */
static int vmdk_load(struct vmdk *v)
{
	struct file *file = v->be.file;
	union {
		struct vmdk_header k;
		struct cowd_header c;
	} *h;
	u64 gd;
	int ret;

	v->file_sectors = i_size_read(file_inode(file)) >> 9;
	if (v->file_sectors < 1)
		return vmdk_bad(v, "%llu bytes: too short for a VMDK header",
				i_size_read(file_inode(file)));
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	ret = kernel_read(file, h, sizeof(*h), &(loff_t){ 0 });
	if (ret < 0)
		goto out;
	if (le32_to_cpu(h->k.magic) == VMDK_MAGIC) {
		ret = vmdk_check_kdmv(v, &h->k);
		gd = le64_to_cpu(h->k.gd_offset);
	} else if (le32_to_cpu(h->c.magic) == COWD_MAGIC) {
		ret = v->file_sectors < COWD_GD_SECTOR ?
		      vmdk_bad(v, "truncated COWD header") :
		      vmdk_check_cowd(v, &h->c);
		gd = v->gd_sector;
	} else {
		ret = vmdk_bad(v, "no KDMV or COWD magic");
	}
	if (ret)
		goto out;
	ret = -ENOMEM;
	v->gt = kvcalloc((size_t)v->nr_gts * v->gtes, sizeof(u32), GFP_KERNEL);
	v->dirty = bitmap_zalloc(v->nr_gts, GFP_KERNEL);
	if (!v->gt || !v->dirty)
		goto out;
	ret = vmdk_load_gd(v, gd, &v->gd, true);
	if (!ret && !v->cowd && (le32_to_cpu(h->k.flags) & VMDK_FLAG_RGD))
		ret = vmdk_load_gd(v, le64_to_cpu(h->k.rgd_offset), &v->rgd,
				   false);
out:
	kfree(h);
	return ret;
}

static struct vmdisk_backend *vmdk_open(struct file *file,
					struct vmdisk_backend *parent)
{
	struct vmdk *v;
	int ret;

	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return ERR_PTR(-ENOMEM);
	v->be.ops = &vmdk_ops;
	v->be.file = file;	/* referenced once the open succeeds */
	mutex_init(&v->alloc_lock);
	ret = vmdk_load(v);
	if (ret)
		goto err_free;
	if (parent && !v->cowd) {
		ret = vmdk_bad(v, "a KDMV extent cannot be a delta");
		goto err_free;
	}
	v->end = round_up(i_size_read(file_inode(file)), 512);
	v->be.parent = parent;
	get_file(file);
	return &v->be;

err_free:
	vmdk_free(v);
	return ERR_PTR(ret);
}

struct vmdisk_backend *vmdisk_vmdk_open(struct file *file)
{
	return vmdk_open(file, NULL);
}

struct vmdisk_backend *vmdisk_delta_open(struct file *file,
					 struct vmdisk_backend *parent)
{
	return vmdk_open(file, parent);
}

/* An empty COWD redo log of capacity bytes in an empty file. */
int vmdisk_delta_format(struct file *file, u64 capacity)
{
	u64 sectors = DIV_ROUND_UP(capacity, 512);
	u32 gds = DIV_ROUND_UP(DIV_ROUND_UP(sectors, COWD_GRAIN), COWD_GTES);
	size_t gd_bytes = round_up(gds * 4, 512);
	struct cowd_header *h;
	int ret;

	if (i_size_read(file_inode(file)))
		return -EEXIST;
	if (sectors > U32_MAX)
		return -EFBIG;
	h = kzalloc(sizeof(*h) + gd_bytes, GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->magic = cpu_to_le32(COWD_MAGIC);
	h->version = cpu_to_le32(1);
	h->flags = cpu_to_le32(3);
	h->sectors = cpu_to_le32(sectors);
	h->grain_size = cpu_to_le32(COWD_GRAIN);
	h->gd_offset = cpu_to_le32(COWD_GD_SECTOR);
	h->gd_entries = cpu_to_le32(gds);
	h->free_sector = cpu_to_le32(COWD_GD_SECTOR + gd_bytes / 512);
	h->u.child.parent_generation = cpu_to_le32(0);
	ret = vmdk_pwrite(file, h, sizeof(*h) + gd_bytes, 0);
	if (!ret)
		ret = vfs_fsync(file, 1);
	kfree(h);
	return ret;
}
