// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's disks: vmdisk.ko disks made from the scsiX:Y.fileName of
 * each present disk, each with a front-end handle through which the
 * adapter submits the guest's commands (pvscsi.h).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../tools/lib/vmdk.h"
#include "pvscsi.h"

#define VDISK_REDO_SUFFIX ".REDO"

/* The file a disk's fileName names: raw image, sparse VMDK, or a
 * descriptor (flat or sparse extent, or a delta on a chain of them). A
 * disk that will be written gets a new CID first (vmdk.h). */
static int vdisk_describe(struct vdisk *d, struct vmdisk_create *c,
			  struct vmdk_chain *ch, bool renew)
{
	const char *path = d->cfg->file;
	char err[VMDK_ERR_MAX];
	int ret;

	ret = vmdk_open_chain(path, c, ch, err);
	if (!ret && renew)
		ret = vmdk_new_cid(path, err);
	if (ret) {
		pr_err("scsi%d:%d: %s", d->adapter, d->target, err);
		return ret;
	}
	if (ch->n && (c->flags & VMDISK_CREATE_NONPERSISTENT)) {
		pr_err("scsi%d:%d: %s: a disk with deltas (snapshots) opens persistent or undoable only",
		       d->adapter, d->target, path);
		return -EINVAL;
	}
	/* Under vmdisk's temporary delta or a redo log, an RDONLY base is
	 * only read: not a read-only disk. */
	if (c->flags & (VMDISK_CREATE_NONPERSISTENT | VMDISK_CREATE_BASE))
		c->flags &= ~VMDISK_CREATE_READONLY;
	return 0;
}

/* A vmdisk disk on the configured file (flags: VMDISK_CREATE_*; renew:
 * its top will be written) and a front end on it. */
static int vdisk_make(int ctl, struct vdisk *d, __u32 flags, bool renew)
{
	struct vmdisk_create c = { .size = sizeof(c), .version = VMDISK_VERSION,
				   .flags = VMDISK_CREATE_PATH | flags };
	struct vmdisk_open_front o = { .size = sizeof(o), .version = VMDISK_VERSION };
	char err[VMDK_ERR_MAX];
	struct vmdk_chain ch;
	int ret;

	ret = vdisk_describe(d, &c, &ch, renew);
	if (ret)
		return ret;
	if (ioctl(ctl, VMDISK_IOC_CREATE, &c) < 0) {
		ret = -errno;
		pr_err("scsi%d:%d: cannot make a disk of %s: %s%s", d->adapter, d->target,
		       c.path, strerror(errno),
		       errno == EINVAL ? " (not a whole number of 512-byte blocks, or a bad VMDK?)" : "");
		return ret;
	}
	d->id = c.id;
	ret = vmdk_stack(ctl, d->id, &ch, 0, err);
	if (ret) {
		pr_err("scsi%d:%d: %s", d->adapter, d->target, err);
		return ret;	/* vdisk_close() destroys the disk */
	}
	o.id = c.id;
	/* The handle owns the disk: if vmx dies, the kernel destroys it. */
	o.flags = VMDISK_FRONT_OWNER;
	snprintf(o.name, sizeof(o.name), "vmx:%d scsi%d:%d", (int)getpid(),
		 d->adapter, d->target);
	d->fd = ioctl(ctl, VMDISK_IOC_OPEN_FRONT, &o);
	if (d->fd < 0) {
		ret = -errno;
		pr_err("scsi%d:%d: cannot open a front end on disk %d: %s", d->adapter,
		       d->target, d->id, strerror(errno));
		return ret;
	}
	pr_debug("scsi%d:%d: %s is vmdisk %d (%s, %d deltas%s)", d->adapter, d->target,
		 c.path, d->id, c.format == VMDISK_FORMAT_RAW ? "raw" : "sparse VMDK",
		 ch.n, flags & VMDISK_CREATE_NONPERSISTENT ? ", nonpersistent" : "");
	return 0;
}

/* The file on top of disk d now, as vmdisk names it; NULL if unknown. */
static char *vdisk_top(int ctl, const struct vdisk *d)
{
	struct vmdisk_info in = { .size = sizeof(in), .version = VMDISK_VERSION,
				  .id = d->id };

	return ioctl(ctl, VMDISK_IOC_INFO, &in) < 0 ? NULL : strdup(in.path);
}

/* fileName for path in the .vmx at vmx: relative when in its directory. */
static const char *vdisk_relative(const char *vmx, const char *path)
{
	const char *slash = strrchr(vmx, '/');
	size_t n = slash ? (size_t)(slash - vmx) : 0;

	if (n && !strncmp(path, vmx, n) && path[n] == '/' && !strchr(path + n + 1, '/'))
		return path + n + 1;
	return path;
}

/*
 * A snapshot taken while the VM ran put a delta on top of disk d: the VM
 * runs on it from now on, so, as on ESX, the disk's fileName in the .vmx
 * becomes the delta's descriptor. On top of an undoable disk's redo log
 * it would be orphaned by a commit or discard: the redo log is kept.
 */
static void vdisk_follow(struct vm *vm, struct vdisks *ds, struct vdisk *d)
{
	char desc[VMDISK_PATH_MAX], key[32], err[CONFIG_ERR_LEN], *top, *abs;

	top = d->top && d->id >= 0 ? vdisk_top(ds->ctl, d) : NULL;
	if (!top || !strcmp(top, d->top))
		goto out;
	if (d->redo) {
		d->keep_redo = true;
		pr_warn("scsi%d:%d: a snapshot (%s) was taken on top of the redo log; %s is kept as it is",
			d->adapter, d->target, top, d->redo);
		goto out;
	}
	abs = vm->cfg.path ? realpath(vm->cfg.path, NULL) : NULL;
	snprintf(key, sizeof(key), "scsi%d:%d.fileName", d->adapter, d->target);
	if (!abs || vmdk_descriptor_of(top, desc))
		pr_warn("scsi%d:%d: a snapshot put %s on top, which no descriptor names; %s is unchanged",
			d->adapter, d->target, top, key);
	else if (config_update(abs, key, vdisk_relative(abs, desc), err))
		pr_err("scsi%d:%d: a snapshot put %s on top, but %s", d->adapter,
		       d->target, desc, err);
	else
		pr_info("scsi%d:%d: a snapshot was taken while the VM ran: %s is now \"%s\"",
			d->adapter, d->target, key, vdisk_relative(abs, desc));
	free(abs);
out:
	free(top);
}

/* Undoable: put the redo log on top of disk d, making it if absent. */
static int vdisk_redo_open(int ctl, struct vdisk *d)
{
	struct vmdisk_snapshot s = { .size = sizeof(s), .version = VMDISK_VERSION,
				     .id = d->id };
	bool made = false;
	int ret = 0;

	if (asprintf(&d->redo, "%s%s", d->cfg->file, VDISK_REDO_SUFFIX) < 0) {
		d->redo = NULL;
		return -ENOMEM;
	}
	s.fd = open(d->redo, O_RDWR | O_CLOEXEC);
	if (s.fd < 0 && errno == ENOENT) {
		s.fd = open(d->redo, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		made = s.fd >= 0;
		s.flags = VMDISK_SNAPSHOT_NEW;
	}
	if (s.fd < 0 || ioctl(ctl, VMDISK_IOC_SNAPSHOT, &s) < 0)
		ret = -errno;
	if (s.fd >= 0)
		close(s.fd);
	if (!ret) {
		pr_debug("scsi%d:%d: undoable, writes go to %s (%s)", d->adapter,
			 d->target, d->redo, made ? "new" : "continued");
		return 0;
	}
	pr_err("scsi%d:%d: redo log %s: %s%s", d->adapter, d->target, d->redo,
	       strerror(-ret), !made && ret == -EINVAL ?
	       " (not a redo log of a disk this size; move it away to start afresh)" : "");
	if (made)
		unlink(d->redo);
	return ret;
}

static int vdisk_open(struct vdisks *ds, struct vdisk *d)
{
	int mode = d->cfg->mode, ret;
	bool nonpersistent = mode == CONFIG_DISK_NONPERSISTENT ||
			     mode == CONFIG_DISK_IND_NONPERSISTENT;

	/* Undoable: the base is only read, under the redo log. */
	ret = vdisk_make(ds->ctl, d, nonpersistent ? VMDISK_CREATE_NONPERSISTENT :
			 mode == CONFIG_DISK_UNDOABLE ? VMDISK_CREATE_BASE : 0,
			 !nonpersistent && mode != CONFIG_DISK_UNDOABLE);
	if (!ret && mode == CONFIG_DISK_UNDOABLE)
		ret = vdisk_redo_open(ds->ctl, d);
	if (!ret)
		d->top = vdisk_top(ds->ctl, d);
	return ret;
}

static void vdisk_close(struct vdisks *ds, struct vdisk *d)
{
	struct vmdisk_target t = { .size = sizeof(t), .version = VMDISK_VERSION };

	if (d->fd >= 0) {
		close(d->fd);	/* the owner handle: the disk goes with it */
		d->fd = -1;
		d->id = -1;
		return;
	}
	if (d->id < 0)
		return;
	t.id = d->id;
	if (ioctl(ds->ctl, VMDISK_IOC_DESTROY, &t) < 0)
		pr_warn("scsi%d:%d: destroying vmdisk %d: %s", d->adapter, d->target,
			d->id, strerror(errno));
	d->id = -1;
}

/* undoAction = "commit": merge the redo log into the base, then delete it. */
static int vdisk_redo_commit(struct vdisks *ds, struct vdisk *d)
{
	struct vdisk b = { .adapter = d->adapter, .target = d->target, .id = -1,
			   .fd = -1, .cfg = d->cfg };
	char err[VMDK_ERR_MAX];
	unsigned long grains;
	int fd, ret;

	fd = open(d->redo, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pr_err("%s: %s", d->redo, strerror(errno));
		return ret;
	}
	ret = vdisk_make(ds->ctl, &b, 0, true);
	if (!ret) {
		ret = vmdk_commit(b.fd, fd, d->redo, &grains, err);
		if (ret)
			pr_err("scsi%d:%d: %s", d->adapter, d->target, err);
	}
	vdisk_close(ds, &b);
	close(fd);
	if (ret)
		return ret;
	if (unlink(d->redo))
		pr_warn("%s: merged but not deleted: %s", d->redo, strerror(errno));
	pr_info("scsi%d:%d: committed %lu grains of %s into %s", d->adapter, d->target,
		grains, d->redo, d->cfg->file);
	return 0;
}

/* What undoAction says to do with the redo log of destroyed disk d. */
static void vdisk_redo_close(struct vdisks *ds, struct vdisk *d)
{
	switch (d->cfg->undo_action) {
	case CONFIG_UNDO_COMMIT:
		if (vdisk_redo_commit(ds, d))
			pr_err("scsi%d:%d: commit failed; %s is kept as it was",
			       d->adapter, d->target, d->redo);
		break;
	case CONFIG_UNDO_DISCARD:
		if (unlink(d->redo))
			pr_err("%s: %s", d->redo, strerror(errno));
		else
			pr_info("scsi%d:%d: discarded %s", d->adapter, d->target, d->redo);
		break;
	default:
		pr_info("scsi%d:%d: changes kept in the redo log %s", d->adapter,
			d->target, d->redo);
	}
}

/* Destroy the disks; with undo, apply each undoable disk's undoAction. */
static void vdisks_free(struct vm *vm, bool undo)
{
	struct vdisks *ds = vm->disks;
	struct vdisk *d;
	int x, y;

	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++) {
		for (y = 0; y < CONFIG_SCSI_TARGETS; y++) {
			d = &ds->disk[x][y];
			if (undo)
				vdisk_follow(vm, ds, d);
			vdisk_close(ds, d);
			if (undo && d->redo && !d->keep_redo)
				vdisk_redo_close(ds, d);
			free(d->redo);
			free(d->top);
		}
	}
	if (ds->ctl >= 0)
		close(ds->ctl);
	free(ds);
	vm->disks = NULL;
}

int vdisks_init(struct vm *vm)
{
	struct vdisks *ds = calloc(1, sizeof(*ds));
	int x, y, ret = 0;

	if (!ds)
		return -ENOMEM;
	ds->ctl = -1;
	vm->disks = ds;
	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++) {
		for (y = 0; y < CONFIG_SCSI_TARGETS; y++) {
			struct vdisk *d = &ds->disk[x][y];

			*d = (struct vdisk){ .adapter = x, .target = y, .id = -1, .fd = -1,
					     .cfg = &vm->cfg.scsi[x].disk[y] };
			if (ret || !vm->cfg.scsi[x].present || !d->cfg->present)
				continue;
			if (ds->ctl < 0)
				ds->ctl = open("/dev/vmdisk", O_RDWR | O_CLOEXEC);
			if (ds->ctl < 0) {
				ret = -errno;
				pr_err("open /dev/vmdisk: %s%s", strerror(errno),
				       errno == ENOENT ? " (is vmdisk.ko loaded?)" : "");
				continue;
			}
			ret = vdisk_open(ds, d);
		}
	}
	if (ret)
		vdisks_free(vm, false);	/* redo logs stay as they were */
	return ret;
}

void vdisks_exit(struct vm *vm)
{
	if (vm->disks)
		vdisks_free(vm, true);
}

struct vdisk *vdisk_get(struct vm *vm, int adapter, int target)
{
	struct vdisk *d;

	if (!vm->disks || adapter < 0 || adapter >= CONFIG_SCSI_ADAPTERS ||
	    target < 0 || target >= CONFIG_SCSI_TARGETS)
		return NULL;
	d = &vm->disks->disk[adapter][target];
	return d->fd >= 0 ? d : NULL;
}

int vdisk_submit(struct vdisk *d, struct vmdisk_submit *s)
{
	s->size = sizeof(*s);
	s->version = VMDISK_VERSION;
	return ioctl(d->fd, VMDISK_IOC_SUBMIT, s) < 0 ? -errno : 0;
}
