/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Disk backends: where a disk's blocks live. The target core sees only
 * this ops table; every call is made in process context and may sleep,
 * except ->nowait, and ->submit of an aio marked nowait. Offsets and
 * lengths are in bytes and already checked against the disk's capacity.
 */
#ifndef VMDISK_BACKEND_H
#define VMDISK_BACKEND_H

#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

struct vmdisk_backend;
struct vmdisk_bmap;
struct seq_file;

/*
 * One asynchronous read or write, for backends with ->submit. The caller
 * sets iter, done and nowait; done(aio, err) is called exactly once,
 * possibly before submit returns, in any context (a file system's bio
 * completion too, in interrupt context): it must not sleep. The rest is
 * the backend's.
 *
 * nowait: submit is called where it must not wait, for locks or for
 * I/O (the HBA's queuecommand, maybe inside the submitter's own
 * submit_bio()). The backend only starts what it can start at once, and
 * hands whatever would wait to vmdisk_wq.
 */
struct vmdisk_aio {
	struct iov_iter iter;
	void (*done)(struct vmdisk_aio *aio, int err);
	bool nowait;
	struct kiocb iocb;
	struct work_struct work;
	struct iov_iter orig;		/* iter as submitted (a bvec array's) */
	struct vmdisk_backend *be;
	loff_t pos;			/* of the disk, where iter starts */
	size_t count;
	long ret;
	bool write;
	bool fua;
	struct vmdisk_bmap *bmap;	/* on the direct path (bmap.c) */
	atomic_t bios;
	int err;
};

/* Where backends and front ends do what must not be done in place: a
 * rescuer thread keeps it going under memory pressure. */
extern struct workqueue_struct *vmdisk_wq;

struct vmdisk_backend_ops {
	const char *name;
	/* Fill the whole iterator from pos; -EIO when the data is not there. */
	int (*read)(struct vmdisk_backend *be, struct iov_iter *to, loff_t pos);
	/* Write the whole iterator at pos; fua: stable before returning. */
	int (*write)(struct vmdisk_backend *be, struct iov_iter *from,
		     loff_t pos, bool fua);
	/* Optional: start aio at pos (a read, or a write with fua) and
	 * return; queue depth > 1 then overlaps in the backend. */
	void (*submit)(struct vmdisk_backend *be, struct vmdisk_aio *aio,
		       loff_t pos, bool write, bool fua);
	/* Optional, any context: whether a submit of this kind can start
	 * without waiting, so that a nowait aio is worth trying. */
	bool (*nowait)(struct vmdisk_backend *be, bool write);
	/* Make [pos, pos + len) stable; len 0 means to the end. */
	int (*flush)(struct vmdisk_backend *be, loff_t pos, loff_t len);
	/* Deallocate [pos, pos + len); it must read back as zeroes. */
	int (*discard)(struct vmdisk_backend *be, loff_t pos, loff_t len);
	/* Bytes the backend currently holds. */
	loff_t (*size)(struct vmdisk_backend *be);
	/* Optional: lines of its own state for the disk's status file. */
	void (*show)(struct vmdisk_backend *be, struct seq_file *m);
	void (*close)(struct vmdisk_backend *be);
};

/* A delta reads what it does not hold from its parent, which it owns:
 * closing the delta closes the chain below it. */
struct vmdisk_backend {
	const struct vmdisk_backend_ops *ops;
	struct file *file;
	struct vmdisk_backend *parent;
};

/* Each takes its own reference to file; ERR_PTR on failure. */
struct vmdisk_backend *vmdisk_file_open(struct file *file, loff_t offset);
struct vmdisk_backend *vmdisk_vmdk_open(struct file *file);
/* A COWD delta on top of parent, which it owns once this succeeds. */
struct vmdisk_backend *vmdisk_delta_open(struct file *file,
					 struct vmdisk_backend *parent);
/* Make the empty file an empty COWD delta of capacity bytes. */
int vmdisk_delta_format(struct file *file, u64 capacity);

#endif /* VMDISK_BACKEND_H */
