/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Disk backends: where a disk's blocks live. The target core sees only
 * this ops table; every call is made in process context and may sleep.
 * Offsets and lengths are in bytes and already checked against the disk's
 * capacity.
 */
#ifndef VMDISK_BACKEND_H
#define VMDISK_BACKEND_H

#include <linux/fs.h>
#include <linux/uio.h>

struct vmdisk_backend;

struct vmdisk_backend_ops {
	const char *name;
	/* Fill the whole iterator from pos; -EIO when the data is not there. */
	int (*read)(struct vmdisk_backend *be, struct iov_iter *to, loff_t pos);
	/* Write the whole iterator at pos; fua: stable before returning. */
	int (*write)(struct vmdisk_backend *be, struct iov_iter *from,
		     loff_t pos, bool fua);
	/* Make [pos, pos + len) stable; len 0 means to the end. */
	int (*flush)(struct vmdisk_backend *be, loff_t pos, loff_t len);
	/* Deallocate [pos, pos + len); it must read back as zeroes. */
	int (*discard)(struct vmdisk_backend *be, loff_t pos, loff_t len);
	/* Bytes the backend currently holds. */
	loff_t (*size)(struct vmdisk_backend *be);
	void (*close)(struct vmdisk_backend *be);
};

struct vmdisk_backend {
	const struct vmdisk_backend_ops *ops;
	struct file *file;
};

/* Each takes its own reference to file; ERR_PTR on failure. */
struct vmdisk_backend *vmdisk_file_open(struct file *file, loff_t offset);
struct vmdisk_backend *vmdisk_vmdk_open(struct file *file);

#endif /* VMDISK_BACKEND_H */
