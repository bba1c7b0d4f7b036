// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's disks: vmdisk.ko disks made from the scsiX:Y.fileName of
 * each present disk, each with a front-end handle through which the
 * adapter submits the guest's commands (pvscsi.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pvscsi.h"

#define VMDK_DESCRIPTOR	"# Disk DescriptorFile"

/* A VMDK text descriptor's single FLAT/VMFS extent, as a raw disk. */
static int vdisk_descriptor(const char *path, struct vmdisk_create *c)
{
	char line[512], access[16], type[16], name[VMDISK_PATH_MAX];
	unsigned long long sectors, offset;
	const char *slash = strrchr(path, '/');
	int extents = 0, n;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		offset = 0;
		n = sscanf(line, "%15s %llu %15s \"%255[^\"]\" %llu", access,
			   &sectors, type, name, &offset);
		if (n < 4 || (strcmp(access, "RW") && strcmp(access, "RDONLY")))
			continue;
		if (extents++ || (strcmp(type, "FLAT") && strcmp(type, "VMFS")))
			break;
		c->capacity = sectors * 512;
		c->offset = offset * 512;
		if (name[0] == '/' || !slash)
			n = snprintf(c->path, sizeof(c->path), "%s", name);
		else
			n = snprintf(c->path, sizeof(c->path), "%.*s/%s",
				     (int)(slash - path), path, name);
		if (n >= (int)sizeof(c->path))
			extents = -1;
	}
	fclose(f);
	if (extents != 1 || (strcmp(type, "FLAT") && strcmp(type, "VMFS"))) {
		pr_err("%s: only VMDK descriptors with one FLAT extent are supported", path);
		return -EINVAL;
	}
	c->format = VMDISK_FORMAT_RAW;
	return 0;
}

/* Fill c from the backing file: raw, sparse VMDK or descriptor. */
static int vdisk_describe(const char *path, struct vmdisk_create *c)
{
	char magic[sizeof(VMDK_DESCRIPTOR)] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		ret = -errno;
		pr_err("%s: %s", path, strerror(errno));
		return ret;
	}
	if (read(fd, magic, sizeof(magic) - 1) < 4)
		magic[0] = 0;
	close(fd);
	if (!memcmp(magic, VMDK_DESCRIPTOR, sizeof(VMDK_DESCRIPTOR) - 1))
		return vdisk_descriptor(path, c);
	if (strlen(path) >= sizeof(c->path)) {
		pr_err("%s: path longer than %d bytes", path, VMDISK_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	strcpy(c->path, path);
	c->format = memcmp(magic, "KDMV", 4) ? VMDISK_FORMAT_RAW : VMDISK_FORMAT_VMDK_SPARSE;
	return 0;
}

static int vdisk_open(struct vdisks *ds, struct vdisk *d)
{
	struct vmdisk_create c = { .size = sizeof(c), .version = VMDISK_VERSION,
				   .flags = VMDISK_CREATE_PATH };
	struct vmdisk_open_front o = { .size = sizeof(o), .version = VMDISK_VERSION };
	int ret;

	ret = vdisk_describe(d->file, &c);
	if (ret)
		return ret;
	if (ioctl(ds->ctl, VMDISK_IOC_CREATE, &c) < 0) {
		ret = -errno;
		pr_err("scsi%d:%d: cannot make a disk of %s: %s%s", d->adapter, d->target,
		       c.path, strerror(errno),
		       errno == EINVAL ? " (not a whole number of 512-byte blocks, or a bad VMDK?)" : "");
		return ret;
	}
	d->id = c.id;
	o.id = c.id;
	snprintf(o.name, sizeof(o.name), "vmx:%d scsi%d:%d", (int)getpid(),
		 d->adapter, d->target);
	d->fd = ioctl(ds->ctl, VMDISK_IOC_OPEN_FRONT, &o);
	if (d->fd < 0) {
		ret = -errno;
		pr_err("scsi%d:%d: cannot open a front end on disk %d: %s", d->adapter,
		       d->target, d->id, strerror(errno));
		return ret;
	}
	pr_debug("scsi%d:%d: %s is vmdisk %d (%s)", d->adapter, d->target, c.path,
		 d->id, c.format == VMDISK_FORMAT_RAW ? "raw" : "sparse VMDK");
	return 0;
}

static void vdisk_close(struct vdisks *ds, struct vdisk *d)
{
	struct vmdisk_target t = { .size = sizeof(t), .version = VMDISK_VERSION };

	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	if (d->id < 0)
		return;
	t.id = d->id;
	if (ioctl(ds->ctl, VMDISK_IOC_DESTROY, &t) < 0)
		pr_warn("scsi%d:%d: destroying vmdisk %d: %s", d->adapter, d->target,
			d->id, strerror(errno));
	d->id = -1;
}

int vdisks_init(struct vm *vm)
{
	struct vdisks *ds = calloc(1, sizeof(*ds));
	int x, y, ret;

	if (!ds)
		return -ENOMEM;
	ds->ctl = -1;
	vm->disks = ds;
	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++) {
		for (y = 0; y < CONFIG_SCSI_TARGETS; y++) {
			struct vdisk *d = &ds->disk[x][y];

			*d = (struct vdisk){ x, y, -1, -1, vm->cfg.scsi[x].disk[y].file };
			if (!vm->cfg.scsi[x].present || !vm->cfg.scsi[x].disk[y].present)
				continue;
			if (ds->ctl < 0)
				ds->ctl = open("/dev/vmdisk", O_RDWR | O_CLOEXEC);
			if (ds->ctl < 0) {
				ret = -errno;
				pr_err("open /dev/vmdisk: %s%s", strerror(errno),
				       errno == ENOENT ? " (is vmdisk.ko loaded?)" : "");
				return ret;
			}
			ret = vdisk_open(ds, d);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void vdisks_exit(struct vm *vm)
{
	struct vdisks *ds = vm->disks;
	int x, y;

	if (!ds)
		return;
	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++)
		for (y = 0; y < CONFIG_SCSI_TARGETS; y++)
			vdisk_close(ds, &ds->disk[x][y]);
	if (ds->ctl >= 0)
		close(ds->ctl);
	free(ds);
	vm->disks = NULL;
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
