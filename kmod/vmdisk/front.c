// SPDX-License-Identifier: GPL-2.0
/*
 * Guest front ends: a handle (an anonymous-inode fd) bound to one disk,
 * through which a VM monitor passes its guest adapter's CDBs and buffers
 * to the target core.
 *
 * SUBMIT runs the command for the calling thread: the user buffers (guest
 * RAM as the monitor maps it) are pinned, described to the core as a
 * scatterlist of those very pages, and unpinned (and dirtied) when the
 * core is done. No data is copied. The command carries a completion, so a
 * raw disk's reads and writes take the core's asynchronous path, the
 * direct one (bmap.c) included, while the caller sleeps until it is done;
 * what finishes in place never sleeps.
 *
 * Lifetime: each handle holds a reference on its disk and is listed on
 * vmdisk_fronts. vmdisk_front_lock orders opening a handle against
 * destroying a disk, so a disk with a handle open is never destroyed
 * (EBUSY); the list has its own spinlock because /proc readers must not
 * take a lock that destruction holds while it removes their files.
 */
#include <linux/anon_inodes.h>
#include <linux/completion.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/vmdisk.h>

#include "disk.h"
#include "front.h"
#include "scsi.h"

struct vmdisk_front {
	struct list_head node;		/* on vmdisk_fronts */
	struct vmdisk *disk;		/* a reference */
	int initiator;
	bool owner;			/* VMDISK_FRONT_OWNER */
	char name[VMDISK_FRONT_NAME_MAX];
};

/* One command: the pinned pages of its data buffer, and its end. */
struct vmdisk_front_io {
	struct page **pages;
	unsigned int nr_pages;
	struct sg_table sgt;
	u32 len;
	struct vmdisk_cmd cmd;
	struct completion done;
};

static DEFINE_MUTEX(vmdisk_front_lock);
static DEFINE_SPINLOCK(vmdisk_fronts_lock);
static LIST_HEAD(vmdisk_fronts);
static atomic_t vmdisk_front_initiators = ATOMIC_INIT(0);

static bool vmdisk_front_busy(const struct vmdisk *disk)
{
	struct vmdisk_front *f;
	bool busy = false;

	spin_lock(&vmdisk_fronts_lock);
	list_for_each_entry(f, &vmdisk_fronts, node)
		busy |= f->disk == disk;
	spin_unlock(&vmdisk_fronts_lock);
	return busy;
}

int vmdisk_front_destroy(u32 id)
{
	struct vmdisk *disk;
	int ret;

	mutex_lock(&vmdisk_front_lock);
	mutex_lock(&vmdisk_table_lock);
	disk = vmdisk_lookup(id);
	ret = disk && vmdisk_front_busy(disk) ? -EBUSY : 0;
	mutex_unlock(&vmdisk_table_lock);
	if (!ret)
		ret = vmdisk_destroy(id);
	mutex_unlock(&vmdisk_front_lock);
	return ret;
}

int vmdisk_front_show(struct seq_file *m, struct vmdisk *disk)
{
	struct vmdisk_front *f;
	int n = 0;

	spin_lock(&vmdisk_fronts_lock);
	list_for_each_entry(f, &vmdisk_fronts, node) {
		if (f->disk != disk)
			continue;
		seq_printf(m, "frontend %s\n", f->name);
		n++;
	}
	spin_unlock(&vmdisk_fronts_lock);
	return n;
}

/* --- SUBMIT ----------------------------------------------------------- */

static void vmdisk_front_unmap(struct vmdisk_front_io *io)
{
	if (io->nr_pages)
		unpin_user_pages_dirty_lock(io->pages, io->nr_pages, true);
	sg_free_table(&io->sgt);
	kvfree(io->pages);
}

/* Pin one user buffer and append its pages to the scatterlist at *sg. */
static int vmdisk_front_pin(struct vmdisk_front_io *io,
			    const struct vmdisk_iovec *v,
			    struct scatterlist **sg)
{
	unsigned long start = v->base & PAGE_MASK;
	unsigned int off = offset_in_page(v->base);
	unsigned int n = DIV_ROUND_UP(off + v->len, PAGE_SIZE), i;
	struct page **pages = io->pages + io->nr_pages;
	u64 left = v->len;
	int got;

	got = pin_user_pages_fast(start, n, FOLL_WRITE, pages);
	if (got < 0)
		return got;
	io->nr_pages += got;
	if (got != n)
		return -EFAULT;
	for (i = 0; i < n; i++, off = 0) {
		unsigned int len = min_t(u64, left, PAGE_SIZE - off);

		sg_set_page(*sg, pages[i], len, off);
		left -= len;
		*sg = sg_next(*sg);
	}
	return 0;
}

/* Check every iovec, then pin them all. */
static int vmdisk_front_map(struct vmdisk_front_io *io,
			    const struct vmdisk_iovec *iov, u32 count)
{
	struct scatterlist *sg;
	unsigned int pages = 0;
	u64 total = 0;
	u32 i;
	int ret;

	for (i = 0; i < count; i++) {
		const struct vmdisk_iovec *v = &iov[i];

		if (!v->len || v->len > VMDISK_FRONT_DATA_MAX)
			return -EINVAL;
		total += v->len;
		if (total > VMDISK_FRONT_DATA_MAX)
			return -EINVAL;
		if (!v->base || v->base + v->len < v->base ||
		    !access_ok(u64_to_user_ptr(v->base), v->len))
			return -EFAULT;
		pages += DIV_ROUND_UP(offset_in_page(v->base) + v->len,
				      PAGE_SIZE);
	}
	io->len = total;
	if (!count)
		return 0;
	io->pages = kvmalloc_array(pages, sizeof(*io->pages), GFP_KERNEL);
	if (!io->pages)
		return -ENOMEM;
	ret = sg_alloc_table(&io->sgt, pages, GFP_KERNEL);
	if (ret)
		return ret;
	sg = io->sgt.sgl;
	for (i = 0; i < count; i++) {
		ret = vmdisk_front_pin(io, &iov[i], &sg);
		if (ret)
			return ret;
	}
	return 0;
}

static int vmdisk_front_check(const struct vmdisk_submit *s)
{
	if (s->flags || s->reserved || s->reserved2 || s->status ||
	    s->sense_len || s->resid)
		return -EINVAL;
	if (s->dir > VMDISK_DIR_FROM_DEV ||
	    (s->dir == VMDISK_DIR_NONE) != (s->iov_count == 0))
		return -EINVAL;
	if (s->cdb_len < 6 || s->cdb_len > VMDISK_CDB_MAX)
		return -EINVAL;
	if (s->iov_count > VMDISK_FRONT_IOV_MAX)
		return -EINVAL;
	if (s->sense_max > VMDISK_SENSE_MAX || (!s->sense_max && s->sense))
		return -EINVAL;
	if (s->sense_max && !s->sense)
		return -EFAULT;
	return 0;
}

/* Any context: a backend's completion. */
static void vmdisk_front_done(struct vmdisk_cmd *c)
{
	complete(&container_of(c, struct vmdisk_front_io, cmd)->done);
}

static void vmdisk_front_exec(struct vmdisk_front *f, struct vmdisk_submit *s,
			      struct vmdisk_front_io *io)
{
	struct vmdisk_cmd *c = &io->cmd;

	c->cdb = s->cdb;
	c->cdb_len = s->cdb_len;
	c->sgl = io->nr_pages ? io->sgt.sgl : NULL;
	c->sg_count = io->nr_pages;
	c->buflen = io->len;
	c->initiator = f->initiator;
	c->done = vmdisk_front_done;
	init_completion(&io->done);
	vmdisk_scsi_exec(f->disk, c);
	/* The pages stay pinned until then: bios may still be at them. */
	wait_for_completion(&io->done);
	s->status = c->status;
	s->resid = c->resid;
	s->sense_len = min_t(u32, c->sense_len, s->sense_max);
}

static long vmdisk_front_submit(struct vmdisk_front *f, void __user *arg)
{
	struct vmdisk_iovec *iov = NULL;
	struct vmdisk_front_io *io;
	struct vmdisk_submit s;
	long ret;

	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	if (s.size != sizeof(s) || s.version != VMDISK_VERSION)
		return -EINVAL;
	ret = vmdisk_front_check(&s);
	if (ret)
		return ret;
	if (s.iov_count) {
		iov = kvmalloc_array(s.iov_count, sizeof(*iov), GFP_KERNEL);
		if (!iov)
			return -ENOMEM;
		if (copy_from_user(iov, u64_to_user_ptr(s.iov),
				   s.iov_count * sizeof(*iov))) {
			ret = -EFAULT;
			goto out_iov;
		}
	}
	io = kzalloc(sizeof(*io), GFP_KERNEL);
	if (!io) {
		ret = -ENOMEM;
		goto out_iov;
	}
	ret = vmdisk_front_map(io, iov, s.iov_count);
	if (!ret)
		vmdisk_front_exec(f, &s, io);
	vmdisk_front_unmap(io);
	if (ret)
		goto out_io;
	if (s.sense_len &&
	    copy_to_user(u64_to_user_ptr(s.sense), io->cmd.sense, s.sense_len))
		ret = -EFAULT;
	else if (copy_to_user(arg, &s, sizeof(s)))
		ret = -EFAULT;
out_io:
	kfree(io);
out_iov:
	kvfree(iov);
	return ret;
}

static long vmdisk_front_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	if (cmd != VMDISK_IOC_SUBMIT)
		return -ENOTTY;
	return vmdisk_front_submit(file->private_data, (void __user *)arg);
}

static void vmdisk_front_unbind(struct vmdisk_front *f)
{
	spin_lock(&vmdisk_fronts_lock);
	list_del(&f->node);
	spin_unlock(&vmdisk_fronts_lock);
	vmdisk_put(f->disk);
}

/* After an owner handle closed, the last handle out destroys the disk. */
static void vmdisk_front_reap(struct vmdisk *disk)
{
	lockdep_assert_held(&vmdisk_front_lock);
	if (disk->front_orphan && !vmdisk_front_busy(disk))
		vmdisk_destroy_disk(disk);
}

static int vmdisk_front_release(struct inode *inode, struct file *file)
{
	struct vmdisk_front *f = file->private_data;
	struct vmdisk *disk = f->disk;

	mutex_lock(&vmdisk_front_lock);
	kref_get(&disk->kref);		/* for the reaper, past the unbind */
	if (f->owner)
		disk->front_orphan = true;
	vmdisk_front_unbind(f);
	vmdisk_front_reap(disk);
	mutex_unlock(&vmdisk_front_lock);
	vmdisk_put(disk);
	kfree(f);
	return 0;
}

static const struct file_operations vmdisk_front_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmdisk_front_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= vmdisk_front_release,
	.llseek		= noop_llseek,
};

/* --- OPEN_FRONT ------------------------------------------------------- */

static int vmdisk_front_name(struct vmdisk_front *f, const char *name)
{
	size_t i, n = strnlen(name, VMDISK_FRONT_NAME_MAX);

	if (n == VMDISK_FRONT_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			return -EINVAL;
	if (n)
		strscpy(f->name, name, sizeof(f->name));
	else
		snprintf(f->name, sizeof(f->name), "pid:%d",
			 task_tgid_nr(current));
	return 0;
}

/* Under vmdisk_front_lock: nobody destroys the disk meanwhile. */
static int vmdisk_front_bind(struct vmdisk_front *f, u32 id)
{
	struct vmdisk *disk;

	lockdep_assert_held(&vmdisk_front_lock);
	mutex_lock(&vmdisk_table_lock);
	disk = vmdisk_lookup(id);
	if (disk)
		kref_get(&disk->kref);
	mutex_unlock(&vmdisk_table_lock);
	if (!disk)
		return -ENOENT;
	f->disk = disk;
	f->initiator = 1 + (atomic_inc_return(&vmdisk_front_initiators) &
			    INT_MAX >> 1);
	spin_lock(&vmdisk_fronts_lock);
	list_add_tail(&f->node, &vmdisk_fronts);
	spin_unlock(&vmdisk_fronts_lock);
	return 0;
}

/* From here on the file owns f: its release unbinds and frees it. */
static int vmdisk_front_install(struct vmdisk_front *f, int fd)
{
	struct file *file;

	file = anon_inode_getfile("[vmdisk-front]", &vmdisk_front_fops, f,
				  O_RDWR);
	if (IS_ERR(file))
		return PTR_ERR(file);
	fd_install(fd, file);
	return 0;
}

long vmdisk_front_open(void __user *arg)
{
	struct vmdisk_open_front req;
	struct vmdisk_front *f;
	int fd, ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.version != VMDISK_VERSION ||
	    (req.flags & ~VMDISK_FRONT_OWNER) || req.fd || req.reserved)
		return -EINVAL;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->owner = req.flags & VMDISK_FRONT_OWNER;
	ret = vmdisk_front_name(f, req.name);
	if (ret)
		goto err_free;
	mutex_lock(&vmdisk_front_lock);
	ret = vmdisk_front_bind(f, req.id);
	if (ret)
		goto err_unlock;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_unbind;
	}
	req.fd = fd;
	if (copy_to_user(arg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto err_fd;
	}
	ret = vmdisk_front_install(f, fd);
	if (ret)
		goto err_fd;
	mutex_unlock(&vmdisk_front_lock);
	return fd;

err_fd:
	put_unused_fd(fd);
err_unbind:
	vmdisk_front_unbind(f);
err_unlock:
	mutex_unlock(&vmdisk_front_lock);
err_free:
	kfree(f);
	return ret;
}
