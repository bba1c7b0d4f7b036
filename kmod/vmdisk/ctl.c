// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmdisk: create, attach, detach, destroy and inspect disks, and open
 * guest front-end handles on them (front.c). Every
 * argument is checked (size, version, flags, reserved fields) before
 * anything changes.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ctl.h"
#include "disk.h"
#include "front.h"
#include "hba.h"

/* Copy in an argument and check its size and version header. */
static int vmdisk_ctl_copy_in(void *dst, size_t size, void __user *arg)
{
	u32 *hdr = dst;

	if (copy_from_user(dst, arg, size))
		return -EFAULT;
	if (hdr[0] != size || hdr[1] != VMDISK_VERSION)
		return -EINVAL;
	return 0;
}

static struct file *vmdisk_ctl_backing(const struct vmdisk_create *req)
{
	int mode = req->flags & (VMDISK_CREATE_READONLY | VMDISK_CREATE_BASE |
				 VMDISK_CREATE_NONPERSISTENT) ? O_RDONLY : O_RDWR;

	if (req->flags & VMDISK_CREATE_PATH) {
		if (!memchr(req->path, 0, sizeof(req->path)) || !req->path[0])
			return ERR_PTR(-EINVAL);
		if (req->flags & VMDISK_CREATE_DIRECT)
			mode |= O_DIRECT;
		return filp_open(req->path, mode | O_LARGEFILE, 0);
	}
	return fget(req->fd) ?: ERR_PTR(-EBADF);
}

static long vmdisk_ctl_create(void __user *arg)
{
	struct vmdisk_create *req;
	struct file *file;
	long ret;

	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	ret = vmdisk_ctl_copy_in(req, sizeof(*req), arg);
	if (ret)
		goto out;
	ret = -EINVAL;
	if ((req->flags & ~VMDISK_CREATE_FLAGS) || req->reserved || req->id)
		goto out;
	if (hweight32(req->flags & (VMDISK_CREATE_READONLY | VMDISK_CREATE_BASE |
				    VMDISK_CREATE_NONPERSISTENT)) > 1)
		goto out;
	file = vmdisk_ctl_backing(req);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out;
	}
	ret = vmdisk_create(file, req);
	fput(file);
	if (ret < 0)
		goto out;
	req->id = ret;
	if (copy_to_user(arg, req, sizeof(*req))) {
		vmdisk_destroy(req->id);
		ret = -EFAULT;
	}
out:
	kfree(req);
	return ret;
}

static long vmdisk_ctl_target(unsigned int cmd, void __user *arg)
{
	struct vmdisk_target t;
	struct vmdisk *disk;
	long ret;

	ret = vmdisk_ctl_copy_in(&t, sizeof(t), arg);
	if (ret)
		return ret;
	if (t.flags || t.host || t.channel || t.target || t.lun)
		return -EINVAL;
	if (cmd == VMDISK_IOC_DESTROY)
		return vmdisk_front_destroy(t.id);

	mutex_lock(&vmdisk_table_lock);
	disk = vmdisk_lookup(t.id);
	if (!disk)
		ret = -ENOENT;
	else if (cmd == VMDISK_IOC_ATTACH)
		ret = vmdisk_hba_attach(disk);
	else if (!disk->attached)
		ret = -ENOTCONN;
	else
		vmdisk_hba_detach(disk);
	mutex_unlock(&vmdisk_table_lock);
	if (ret || cmd != VMDISK_IOC_ATTACH)
		return ret;
	t.host = vmdisk_hba_host_no();
	t.target = t.id;
	return copy_to_user(arg, &t, sizeof(t)) ? -EFAULT : 0;
}

static void vmdisk_ctl_fill_info(struct vmdisk *disk, struct vmdisk_info *in)
{
	in->id = disk->id;
	in->state = (disk->readonly ? VMDISK_STATE_READONLY : 0) |
		    (disk->attached ? VMDISK_STATE_ATTACHED : 0);
	in->format = disk->format;
	in->capacity = disk->nr_blocks << disk->block_shift;
	in->block_size = 1U << disk->block_shift;
	if (disk->attached) {
		in->host = disk->host_no;
		in->target = disk->id;
	}
	strscpy(in->path, disk->path, sizeof(in->path));
	vmdisk_get_stats(disk, &in->stats);
}

static long vmdisk_ctl_info(void __user *arg)
{
	struct vmdisk_info *in;
	struct vmdisk *disk;
	long ret;

	in = kmalloc(sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	ret = vmdisk_ctl_copy_in(in, sizeof(*in), arg);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (in->flags & ~VMDISK_INFO_FLAGS)
		goto out;
	ret = -ENOENT;
	mutex_lock(&vmdisk_table_lock);
	disk = in->flags & VMDISK_INFO_NEXT ? vmdisk_lookup_next(in->id) :
					       vmdisk_lookup(in->id);
	if (disk) {
		memset(in, 0, sizeof(*in));
		in->size = sizeof(*in);
		in->version = VMDISK_VERSION;
		vmdisk_ctl_fill_info(disk, in);
		ret = 0;
	}
	mutex_unlock(&vmdisk_table_lock);
	if (!ret && copy_to_user(arg, in, sizeof(*in)))
		ret = -EFAULT;
out:
	kfree(in);
	return ret;
}

static struct file *vmdisk_ctl_delta_file(const struct vmdisk_snapshot *req)
{
	if (req->flags & VMDISK_SNAPSHOT_PATH) {
		if (!memchr(req->path, 0, sizeof(req->path)) || !req->path[0])
			return ERR_PTR(-EINVAL);
		return filp_open(req->path, O_RDWR | O_LARGEFILE, 0);
	}
	return fget(req->fd) ?: ERR_PTR(-EBADF);
}

static long vmdisk_ctl_snapshot(void __user *arg)
{
	struct vmdisk_snapshot *req;
	struct vmdisk *disk;
	struct file *file;
	long ret;

	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	ret = vmdisk_ctl_copy_in(req, sizeof(*req), arg);
	if (ret)
		goto out;
	ret = -EINVAL;
	if ((req->flags & ~VMDISK_SNAPSHOT_FLAGS) || req->depth)
		goto out;
	file = vmdisk_ctl_delta_file(req);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out;
	}
	mutex_lock(&vmdisk_table_lock);
	disk = vmdisk_lookup(req->id);
	ret = disk ? vmdisk_snapshot(disk, file,
				     req->flags & VMDISK_SNAPSHOT_NEW) : -ENOENT;
	mutex_unlock(&vmdisk_table_lock);
	fput(file);
	if (ret < 0)
		goto out;
	req->depth = ret;
	ret = copy_to_user(arg, req, sizeof(*req)) ? -EFAULT : 0;
out:
	kfree(req);
	return ret;
}

static long vmdisk_ctl_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case VMDISK_IOC_CREATE:
		return vmdisk_ctl_create(uarg);
	case VMDISK_IOC_ATTACH:
	case VMDISK_IOC_DETACH:
	case VMDISK_IOC_DESTROY:
		return vmdisk_ctl_target(cmd, uarg);
	case VMDISK_IOC_INFO:
		return vmdisk_ctl_info(uarg);
	case VMDISK_IOC_SNAPSHOT:
		return vmdisk_ctl_snapshot(uarg);
	case VMDISK_IOC_OPEN_FRONT:
		return vmdisk_front_open(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmdisk_ctl_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmdisk_ctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vmdisk_ctl_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmdisk",
	.fops	= &vmdisk_ctl_fops,
	.mode	= 0600,
};

int vmdisk_ctl_init(void)
{
	return misc_register(&vmdisk_ctl_misc);
}

void vmdisk_ctl_exit(void)
{
	misc_deregister(&vmdisk_ctl_misc);
}
