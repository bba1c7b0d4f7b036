// SPDX-License-Identifier: GPL-2.0
/*
 * Disk objects: creation from a backing file, the id table, destruction.
 */
#include <linux/file.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "disk.h"
#include "hba.h"
#include "procfs.h"

DEFINE_MUTEX(vmdisk_table_lock);
static struct vmdisk *vmdisk_table[VMDISK_MAX_DISKS];

struct vmdisk *vmdisk_lookup(u32 id)
{
	lockdep_assert_held(&vmdisk_table_lock);
	return id < VMDISK_MAX_DISKS ? vmdisk_table[id] : NULL;
}

struct vmdisk *vmdisk_lookup_next(u32 id)
{
	lockdep_assert_held(&vmdisk_table_lock);
	for (; id < VMDISK_MAX_DISKS; id++)
		if (vmdisk_table[id])
			return vmdisk_table[id];
	return NULL;
}

static void vmdisk_release(struct kref *kref)
{
	struct vmdisk *disk = container_of(kref, struct vmdisk, kref);

	/* Closing may sleep. Commands complete in interrupt context too, but
	 * theirs is never the last reference: a disk leaves its fronts (the
	 * HBA drains its queue) before its table reference is dropped. */
	might_sleep();
	disk->be->ops->close(disk->be);
	kfree(disk);
}

void vmdisk_put(struct vmdisk *disk)
{
	kref_put(&disk->kref, vmdisk_release);
}

static int vmdisk_check_geometry(const struct vmdisk_create *req,
				 loff_t backend_size, u64 *capacity)
{
	u32 bs = req->block_size ? req->block_size : 512;
	u64 cap = req->capacity ? req->capacity : backend_size;

	if (bs != 512 && bs != 4096)
		return -EINVAL;
	if (cap < bs || cap % bs || cap > backend_size)
		return -EINVAL;
	*capacity = cap;
	return 0;
}

static struct vmdisk_backend *vmdisk_open_backend(struct file *file,
						  const struct vmdisk_create *req)
{
	if (!S_ISREG(file_inode(file)->i_mode))
		return ERR_PTR(-EINVAL);
	if (!(file->f_mode & FMODE_CAN_READ))
		return ERR_PTR(-EBADF);
	if (!(req->flags & (VMDISK_CREATE_READONLY | VMDISK_CREATE_BASE |
			    VMDISK_CREATE_NONPERSISTENT)) &&
	    !(file->f_mode & FMODE_CAN_WRITE))
		return ERR_PTR(-EBADF);
	switch (req->format) {
	case VMDISK_FORMAT_RAW:
		return vmdisk_file_open(file, req->offset);
	case VMDISK_FORMAT_VMDK_SPARSE:
		if (req->offset)
			return ERR_PTR(-EINVAL);
		return vmdisk_vmdk_open(file);
	default:
		return ERR_PTR(-EINVAL);
	}
}

/* An unnamed file in the directory of base, gone once closed. */
static struct file *vmdisk_tmpfile(struct file *base)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	char *p = buf ? d_path(&base->f_path, buf, PATH_MAX) : ERR_PTR(-ENOMEM);
	struct file *tmp;

	if (IS_ERR(p)) {
		tmp = ERR_CAST(p);
		goto out;
	}
	*(strrchr(p, '/') == p ? p + 1 : strrchr(p, '/')) = 0;
	tmp = filp_open(p, O_TMPFILE | O_RDWR | O_LARGEFILE, 0600);
	if (IS_ERR(tmp))
		pr_err("%s: no temporary delta for a nonpersistent disk: %ld\n",
		       p, PTR_ERR(tmp));
out:
	kfree(buf);
	return tmp;
}

/* Put a new delta of capacity bytes in file on top of disk->be. */
static int vmdisk_push_delta(struct vmdisk *disk, struct file *file,
			     bool fresh, u64 capacity)
{
	struct vmdisk_backend *delta;
	int ret;

	if (fresh) {
		ret = vmdisk_delta_format(file, capacity);
		if (ret)
			return ret;
	}
	/* Whatever the layer below has pending reaches its file now. */
	ret = disk->be->ops->flush(disk->be, 0, 0);
	if (ret)
		return ret;
	delta = vmdisk_delta_open(file, disk->be);
	if (IS_ERR(delta))
		return PTR_ERR(delta);
	if (delta->ops->size(delta) < capacity) {
		pr_err("%pD: a delta of %lld bytes on a disk of %llu\n", file,
		       delta->ops->size(delta), capacity);
		delta->parent = NULL;
		delta->ops->close(delta);
		return -EINVAL;
	}
	disk->be = delta;
	disk->depth++;
	return 0;
}

static void vmdisk_set_path(struct vmdisk *disk, struct file *file)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	char *p = buf ? d_path(&file->f_path, buf, PATH_MAX) : ERR_PTR(-ENOMEM);

	strscpy(disk->path, IS_ERR(p) ? "?" : p, sizeof(disk->path));
	kfree(buf);
}

/*
 * The SCSI identity (NAA 3, locally assigned, and the unit serial number)
 * is a hash (FNV-1a) of the backing file's path and offset: the same disk
 * file is the same logical unit after a reboot of the guest or the host,
 * whichever front end sees it. Only a file without a path (d_path failed)
 * gets random bits.
 */
static void vmdisk_set_identity(struct vmdisk *disk)
{
	u64 h = 0xcbf29ce484222325ULL, off = disk->offset;
	const char *p;
	int i;

	for (p = disk->path; *p; p++)
		h = (h ^ (u8)*p) * 0x100000001b3ULL;
	for (i = 0; i < 8; i++, off >>= 8)
		h = (h ^ (u8)off) * 0x100000001b3ULL;
	if (!strcmp(disk->path, "?"))
		h = get_random_u64();
	disk->naa = (h & ~(0xfULL << 60)) | (3ULL << 60);
	snprintf(disk->serial, sizeof(disk->serial), "VMD%012llX",
		 disk->naa & 0xffffffffffffULL);
}

/* The disk takes its own reference to file. */
int vmdisk_create(struct file *file, const struct vmdisk_create *req)
{
	struct vmdisk *disk;
	u64 capacity;
	int id, ret;

	disk = kzalloc(sizeof(*disk), GFP_KERNEL);
	if (!disk)
		return -ENOMEM;
	disk->be = vmdisk_open_backend(file, req);
	if (IS_ERR(disk->be)) {
		ret = PTR_ERR(disk->be);
		goto err_disk;
	}
	ret = vmdisk_check_geometry(req, disk->be->ops->size(disk->be),
				    &capacity);
	if (ret)
		goto err_backend;
	if (req->flags & VMDISK_CREATE_NONPERSISTENT) {
		struct file *tmp = vmdisk_tmpfile(file);

		if (IS_ERR(tmp)) {
			ret = PTR_ERR(tmp);
			goto err_backend;
		}
		ret = vmdisk_push_delta(disk, tmp, true, capacity);
		fput(tmp);
		if (ret)
			goto err_backend;
		disk->nonpersistent = true;
	}
	init_rwsem(&disk->be_lock);
	kref_init(&disk->kref);
	spin_lock_init(&disk->state_lock);
	disk->block_shift = ilog2(req->block_size ? req->block_size : 512);
	disk->nr_blocks = capacity >> disk->block_shift;
	disk->ro_base = req->flags & VMDISK_CREATE_BASE;
	disk->readonly = req->flags & (VMDISK_CREATE_READONLY | VMDISK_CREATE_BASE);
	disk->format = req->format;
	disk->offset = req->offset;
	disk->wce = true;
	disk->reserved_by = -1;
	vmdisk_pr_init(&disk->pr);
	vmdisk_set_path(disk, file);	/* a nonpersistent disk's base */
	vmdisk_set_identity(disk);

	mutex_lock(&vmdisk_table_lock);
	for (id = 0; id < VMDISK_MAX_DISKS; id++)
		if (!vmdisk_table[id])
			break;
	if (id == VMDISK_MAX_DISKS) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	disk->id = id;
	vmdisk_table[id] = disk;
	vmdisk_proc_add(disk);
	mutex_unlock(&vmdisk_table_lock);
	return id;

err_unlock:
	mutex_unlock(&vmdisk_table_lock);
err_backend:
	disk->be->ops->close(disk->be);
err_disk:
	kfree(disk);
	return ret;
}

int vmdisk_snapshot(struct vmdisk *disk, struct file *file, bool fresh)
{
	struct vmdisk_backend *be;
	int ret;

	lockdep_assert_held(&vmdisk_table_lock);
	if ((disk->readonly && !disk->ro_base) || disk->nonpersistent ||
	    !S_ISREG(file_inode(file)->i_mode))
		return -EINVAL;
	if (!(file->f_mode & FMODE_CAN_READ) || !(file->f_mode & FMODE_CAN_WRITE))
		return -EBADF;
	down_write(&disk->be_lock);
	ret = -ELOOP;
	if (disk->depth >= VMDISK_MAX_CHAIN)
		goto out;
	for (be = disk->be; be; be = be->parent)
		if (file_inode(be->file) == file_inode(file))
			goto out;
	ret = vmdisk_push_delta(disk, file, fresh,
				disk->nr_blocks << disk->block_shift);
	if (ret)
		goto out;
	disk->readonly = false;		/* a ro_base disk now has a delta */
	vmdisk_set_path(disk, file);
	ret = disk->depth;
out:
	up_write(&disk->be_lock);
	if (ret == -ELOOP)
		pr_err("disk %u: %pD would loop or pass %u deltas\n", disk->id,
		       file, VMDISK_MAX_CHAIN);
	return ret;
}

static void vmdisk_destroy_locked(struct vmdisk *disk)
{
	lockdep_assert_held(&vmdisk_table_lock);
	if (disk->attached)
		vmdisk_hba_detach(disk);
	vmdisk_proc_remove(disk);
	vmdisk_table[disk->id] = NULL;
	vmdisk_put(disk);
}

/* Destroy @disk unless it is gone already (its id may name another). */
void vmdisk_destroy_disk(struct vmdisk *disk)
{
	mutex_lock(&vmdisk_table_lock);
	if (vmdisk_lookup(disk->id) == disk)
		vmdisk_destroy_locked(disk);
	mutex_unlock(&vmdisk_table_lock);
}

int vmdisk_destroy(u32 id)
{
	struct vmdisk *disk;
	int ret = -ENOENT;

	mutex_lock(&vmdisk_table_lock);
	disk = vmdisk_lookup(id);
	if (disk) {
		vmdisk_destroy_locked(disk);
		ret = 0;
	}
	mutex_unlock(&vmdisk_table_lock);
	return ret;
}

void vmdisk_destroy_all(void)
{
	int id;

	mutex_lock(&vmdisk_table_lock);
	for (id = 0; id < VMDISK_MAX_DISKS; id++)
		if (vmdisk_table[id])
			vmdisk_destroy_locked(vmdisk_table[id]);
	mutex_unlock(&vmdisk_table_lock);
}

void vmdisk_get_stats(struct vmdisk *disk, struct vmdisk_stats *st)
{
	st->commands = atomic64_read(&disk->stats.commands);
	st->errors = atomic64_read(&disk->stats.errors);
	st->reads = atomic64_read(&disk->stats.reads);
	st->writes = atomic64_read(&disk->stats.writes);
	st->read_bytes = atomic64_read(&disk->stats.read_bytes);
	st->write_bytes = atomic64_read(&disk->stats.write_bytes);
	st->read_ns = atomic64_read(&disk->stats.read_ns);
	st->write_ns = atomic64_read(&disk->stats.write_ns);
	st->flushes = atomic64_read(&disk->stats.flushes);
	st->unmaps = atomic64_read(&disk->stats.unmaps);
}
