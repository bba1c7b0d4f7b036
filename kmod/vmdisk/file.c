// SPDX-License-Identifier: GPL-2.0
/*
 * The raw file backend: block N of the disk is at byte offset +
 * N * block_size of the backing file. I/O goes through the file's own read_iter/write_iter
 * (page cache, or direct I/O when the file was opened with O_DIRECT).
 */
#include <linux/file.h>
#include <linux/falloc.h>
#include <linux/slab.h>

#include "backend.h"

struct vmdisk_raw {
	struct vmdisk_backend be;
	loff_t offset;
};

static loff_t vmdisk_raw_offset(struct vmdisk_backend *be)
{
	return container_of(be, struct vmdisk_raw, be)->offset;
}

static int vmdisk_file_read(struct vmdisk_backend *be, struct iov_iter *to,
			    loff_t pos)
{
	ssize_t ret;

	pos += vmdisk_raw_offset(be);
	while (iov_iter_count(to)) {
		ret = vfs_iter_read(be->file, to, &pos, 0);
		if (ret < 0)
			return ret;
		if (ret == 0)	/* the file ends before the disk does */
			return -EIO;
	}
	return 0;
}

static int vmdisk_file_write(struct vmdisk_backend *be, struct iov_iter *from,
			     loff_t pos, bool fua)
{
	ssize_t ret;

	pos += vmdisk_raw_offset(be);
	while (iov_iter_count(from)) {
		ret = vfs_iter_write(be->file, from, &pos, fua ? RWF_DSYNC : 0);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return -EIO;
	}
	return 0;
}

static int vmdisk_file_flush(struct vmdisk_backend *be, loff_t pos, loff_t len)
{
	pos += vmdisk_raw_offset(be);
	return vfs_fsync_range(be->file, pos, len ? pos + len - 1 : LLONG_MAX, 1);
}

static int vmdisk_file_discard(struct vmdisk_backend *be, loff_t pos,
			       loff_t len)
{
	return vfs_fallocate(be->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     pos + vmdisk_raw_offset(be), len);
}

static loff_t vmdisk_file_size(struct vmdisk_backend *be)
{
	loff_t size = i_size_read(file_inode(be->file));

	return max_t(loff_t, size - vmdisk_raw_offset(be), 0);
}

static void vmdisk_file_close(struct vmdisk_backend *be)
{
	fput(be->file);
	kfree(container_of(be, struct vmdisk_raw, be));
}

static const struct vmdisk_backend_ops vmdisk_file_ops = {
	.name		= "raw",
	.read		= vmdisk_file_read,
	.write		= vmdisk_file_write,
	.flush		= vmdisk_file_flush,
	.discard	= vmdisk_file_discard,
	.size		= vmdisk_file_size,
	.close		= vmdisk_file_close,
};

struct vmdisk_backend *vmdisk_file_open(struct file *file, loff_t offset)
{
	struct vmdisk_raw *raw;

	if (offset < 0 || offset % 512)
		return ERR_PTR(-EINVAL);
	raw = kzalloc(sizeof(*raw), GFP_KERNEL);
	if (!raw)
		return ERR_PTR(-ENOMEM);
	raw->be.ops = &vmdisk_file_ops;
	raw->be.file = get_file(file);
	raw->offset = offset;
	return &raw->be;
}
