// SPDX-License-Identifier: GPL-2.0
/*
 * vmdiskctl: make raw disk files and drive /dev/vmdisk (uapi/vmdisk.h).
 *
 *   vmdiskctl mkraw [-z] FILE SIZE     create a sparse raw disk file (-z:
 *                                      every block written with zeroes)
 *   vmdiskctl mkvmdk [-f] FILE SIZE    create a VMDK monolithicSparse file
 *                                      (-f: monolithicFlat, FILE is the
 *                                      descriptor, FILE-flat.vmdk the data)
 *   vmdiskctl create [-d] [-n|-r] [-b BS] [-s SIZE] FILE  prints the id
 *   vmdiskctl attach ID                prints H:C:T:L and /dev/sdX
 *   vmdiskctl add [-d] [-n|-r] [-b BS] [-s SIZE] FILE     create + attach
 *   vmdiskctl detach ID
 *   vmdiskctl destroy ID
 *   vmdiskctl snapshot ID NEW.vmdk     freeze the disk: its writes go to
 *                                      NEW-delta.vmdk from now on
 *   vmdiskctl commit DELTA.vmdk        merge the delta DELTA.vmdk names
 *                                      into the layers below it, then
 *                                      delete it (no disk may use them)
 *   vmdiskctl list
 *
 * -r opens read-only, -n nonpersistent (writes go to a temporary delta that
 * is dropped when the disk is destroyed); -d opens the file O_DIRECT (raw
 * disks then do asynchronous direct I/O); -t raw|vmdk takes FILE as that
 * format without looking at it.
 *
 * SIZE takes a K, M, G or T suffix (powers of 1024). create and add find
 * the format from the file's first bytes: "KDMV" is a VMDK sparse extent, a
 * "# Disk DescriptorFile" text is a VMDK descriptor whose single FLAT or
 * VMFS extent is attached as raw data (at its offset), anything else is a
 * raw image. A descriptor whose extent is VMFSSPARSE is a delta: its
 * parentFileNameHint is followed down to the base, which is created first
 * and opened read-only (VMDISK_CREATE_BASE: it may be marked RDONLY, or lie
 * on a read-only mount), then each delta is put on top
 * (VMDISK_IOC_SNAPSHOT), bottom up. A delta
 * whose parentCID is not its parent's CID (the parent was changed after
 * the delta was made) is refused; ffffffff on either side is not checked.
 * A disk opened for writing (without -r, -n or -t) first gets a new CID in
 * its top descriptor, so deltas made on it earlier no longer open
 * (tools/lib/vmdk.h says why at open, not at the first write).
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uapi/vmdisk.h>

#include "../lib/vmdk.h"

static const char *prog = "vmdiskctl";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s mkraw [-z] FILE SIZE\n"
		"       %s mkvmdk [-f] FILE SIZE\n"
		"       %s create|add [-d] [-n|-r] [-t raw|vmdk] [-b 512|4096] [-s SIZE] FILE\n"
		"       %s attach|detach|destroy ID\n"
		"       %s snapshot ID NEW.vmdk\n"
		"       %s commit DELTA.vmdk\n"
		"       %s list\n", prog, prog, prog, prog, prog, prog, prog);
	return 2;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_id(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v >= VMDISK_MAX_DISKS)
		return -1;
	*id = v;
	return 0;
}

static int open_ctl(void)
{
	int fd = open("/dev/vmdisk", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "%s: /dev/vmdisk: %s (is vmdisk loaded?)\n",
			prog, strerror(errno));
	return fd;
}

/* Every block written with zeroes, as ESX's eagerzeroedthick: a raw disk
 * on ext4 then runs on vmdisk's direct path everywhere from the start. */
static int write_zeroes(int fd, uint64_t size)
{
	static const char zero[1 << 16];
	uint64_t pos;
	size_t n;

	for (pos = 0; pos < size; pos += n) {
		n = size - pos < sizeof(zero) ? size - pos : sizeof(zero);
		if (pwrite(fd, zero, n, pos) != (ssize_t)n)
			return -1;
	}
	return fsync(fd);
}

/* mkraw [-z] FILE SIZE: sparse, or with -z written with zeroes. */
static int cmd_mkraw(int argc, char **argv)
{
	bool zero = argc > 1 && !strcmp(argv[1], "-z");
	uint64_t size;
	int fd;

	argc -= zero;
	argv += zero;
	if (argc != 3 || parse_size(argv[2], &size) || !size || size % 512)
		return usage();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, size) || (zero && write_zeroes(fd, size))) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
		if (fd >= 0)
			unlink(argv[1]);
		return 1;
	}
	close(fd);
	return 0;
}

/* VMDK monolithicSparse: header, embedded descriptor, redundant and
 * primary grain directories and tables, then grains appended on write. */
#define GRAIN_SECTORS	128
#define GTES		512

static int write_tables(int fd, uint64_t gd, uint64_t nr_gts)
{
	uint64_t gd_sectors = (nr_gts * 4 + 511) / 512, i;
	uint32_t e;

	for (i = 0; i < nr_gts; i++) {
		e = htole32(gd + gd_sectors + i * (GTES * 4 / 512));
		if (pwrite(fd, &e, 4, gd * 512 + i * 4) != 4)
			return -1;
	}
	return 0;
}

static int cmd_mkvmdk(int argc, char **argv)
{
	uint64_t size, sectors, nr_gts, gd_sectors, gt_sectors, rgd, gd, end;
	struct vmdk_header h = {};
	char desc[20 * 512];
	const char *base;
	int fd, ret;

	if (argc != 3 || parse_size(argv[2], &size) || !size || size % 512)
		return usage();
	sectors = size / 512;
	nr_gts = (sectors + GRAIN_SECTORS * GTES - 1) / (GRAIN_SECTORS * GTES);
	gd_sectors = (nr_gts * 4 + 511) / 512;
	gt_sectors = nr_gts * GTES * 4 / 512;
	rgd = 21;
	gd = rgd + gd_sectors + gt_sectors;
	end = gd + gd_sectors + gt_sectors;
	end = (end + GRAIN_SECTORS - 1) / GRAIN_SECTORS * GRAIN_SECTORS;

	h.magic = htole32(VMDK_MAGIC);
	h.version = htole32(1);
	h.flags = htole32(3);			/* newline test, redundant GD */
	h.capacity = htole64(sectors);
	h.grain_size = htole64(GRAIN_SECTORS);
	h.desc_offset = htole64(1);
	h.desc_size = htole64(20);
	h.gtes_per_gt = htole32(GTES);
	h.rgd_offset = htole64(rgd);
	h.gd_offset = htole64(gd);
	h.overhead = htole64(end);
	memcpy(h.eol, "\n \r\n", 4);
	base = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	memset(desc, 0, sizeof(desc));
	snprintf(desc, sizeof(desc),
		 "# Disk DescriptorFile\nversion=1\nCID=%08x\nparentCID=ffffffff\n"
		 "createType=\"monolithicSparse\"\n\n# Extent description\n"
		 "RW %llu SPARSE \"%.200s\"\n\n# The Disk Data Base\n#DDB\n\n"
		 "ddb.virtualHWVersion = \"4\"\nddb.adapterType = \"lsilogic\"\n",
		 vmdk_random_cid(), (unsigned long long)sectors, base);

	fd = open(argv[1], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
		return 1;
	}
	ret = pwrite(fd, &h, sizeof(h), 0) != sizeof(h) ||
	      pwrite(fd, desc, sizeof(desc), 512) != sizeof(desc) ||
	      write_tables(fd, rgd, nr_gts) || write_tables(fd, gd, nr_gts) ||
	      ftruncate(fd, end * 512);
	if (ret)
		fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
	close(fd);
	return ret;
}

/* monolithicFlat: a text descriptor and NAME-flat.vmdk holding the data. */
static int cmd_mkflat(int argc, char **argv)
{
	char extent[VMDISK_PATH_MAX], desc[1024];
	const char *base;
	uint64_t size;
	size_t n;
	int fd, ret;

	if (argc != 3 || parse_size(argv[2], &size) || !size || size % 512)
		return usage();
	n = strlen(argv[1]);
	if (n < 6 || strcmp(argv[1] + n - 5, ".vmdk") || n + 6 >= sizeof(extent))
		return usage();
	snprintf(extent, sizeof(extent), "%.*s-flat.vmdk", (int)(n - 5), argv[1]);
	base = strrchr(extent, '/') ? strrchr(extent, '/') + 1 : extent;
	n = snprintf(desc, sizeof(desc),
		     "# Disk DescriptorFile\nversion=1\nCID=%08x\nparentCID=ffffffff\n"
		     "createType=\"monolithicFlat\"\n\n# Extent description\n"
		     "RW %llu FLAT \"%s\" 0\n\n# The Disk Data Base\n#DDB\n\n"
		     "ddb.virtualHWVersion = \"4\"\nddb.adapterType = \"lsilogic\"\n",
		     vmdk_random_cid(), (unsigned long long)(size / 512), base);
	fd = open(extent, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, size)) {
		fprintf(stderr, "%s: %s: %s\n", prog, extent, strerror(errno));
		return 1;
	}
	close(fd);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ret = fd < 0 || write(fd, desc, n) != (ssize_t)n;
	if (ret)
		fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

/* A new empty delta on fd (path, for messages) on top of disk id. */
static int snapshot_ioctl(int ctl, uint32_t id, int fd, const char *path)
{
	struct vmdisk_snapshot s = {
		.size = sizeof(s), .version = VMDISK_VERSION, .id = id, .fd = fd,
		.flags = VMDISK_SNAPSHOT_NEW,
	};

	if (ioctl(ctl, VMDISK_IOC_SNAPSHOT, &s) < 0) {
		fprintf(stderr, "%s: disk %u: delta %s: %s\n", prog, id, path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int do_create(int ctl, int argc, char **argv, uint32_t *id)
{
	static struct vmdk_chain ch;
	char err[VMDK_ERR_MAX];
	struct vmdisk_create c = {
		.size = sizeof(c), .version = VMDISK_VERSION,
		.flags = VMDISK_CREATE_PATH,
	};
	struct vmdisk_target t = { .size = sizeof(t), .version = VMDISK_VERSION };
	const char *type = NULL;
	uint64_t v;
	int opt, n = 0;

	optind = 1;
	while ((opt = getopt(argc, argv, "dnrb:s:t:")) != -1) {
		switch (opt) {
		case 'd':
			c.flags |= VMDISK_CREATE_DIRECT;
			break;
		case 't':
			type = optarg;
			break;
		case 'n':
			c.flags |= VMDISK_CREATE_NONPERSISTENT;
			break;
		case 'r':
			c.flags |= VMDISK_CREATE_READONLY;
			break;
		case 'b':
			if (parse_size(optarg, &v) || v > UINT32_MAX)
				return usage();
			c.block_size = v;
			break;
		case 's':
			if (parse_size(optarg, &v))
				return usage();
			c.capacity = v;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	if (type) {	/* no detection, no descriptor: the kernel judges */
		if (strcmp(type, "raw") && strcmp(type, "vmdk"))
			return usage();
		c.format = strcmp(type, "raw") ? VMDISK_FORMAT_VMDK_SPARSE :
						 VMDISK_FORMAT_RAW;
		snprintf(c.path, sizeof(c.path), "%s", argv[optind]);
	} else if (vmdk_open_chain(argv[optind], &c, &ch, err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	n = ch.n;
	if (n && (c.flags & (VMDISK_CREATE_READONLY | VMDISK_CREATE_NONPERSISTENT))) {
		fprintf(stderr, "%s: %s: a chain of deltas opens read-write only\n",
			prog, argv[optind]);
		return 1;
	}
	/* Written from now on: a new CID orphans deltas made before (vmdk.h). */
	if (!type && !(c.flags & (VMDISK_CREATE_READONLY | VMDISK_CREATE_NONPERSISTENT)) &&
	    vmdk_new_cid(argv[optind], err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	if (ioctl(ctl, VMDISK_IOC_CREATE, &c) < 0) {
		fprintf(stderr, "%s: create %s: %s\n", prog, c.path, strerror(errno));
		return 1;
	}
	if (vmdk_stack(ctl, c.id, &ch, 0, err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		t.id = c.id;
		ioctl(ctl, VMDISK_IOC_DESTROY, &t);
		return 1;
	}
	*id = c.id;
	return 0;
}

/* parent as the new descriptor at name should name it: relative when both
 * live in one directory. */
static const char *relative_hint(const char *parent, const char *name)
{
	char tmp[VMDISK_PATH_MAX], dir[PATH_MAX];
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", name);
	if (!realpath(dirname(tmp), dir))
		return parent;
	n = strlen(dir);
	if (strncmp(parent, dir, n) || parent[n] != '/' ||
	    strchr(parent + n + 1, '/'))
		return parent;
	return parent + n + 1;
}

/* snapshot ID NEW.vmdk: NEW-delta.vmdk, an empty vmfsSparse delta on top
 * of disk ID, and NEW.vmdk, its descriptor naming the old top as parent. */
static int cmd_snapshot(int ctl, uint32_t id, const char *name)
{
	struct vmdisk_info in = { .size = sizeof(in), .version = VMDISK_VERSION,
				  .id = id };
	char extent[VMDISK_PATH_MAX], parent[VMDISK_PATH_MAX], desc[2048];
	const char *base, *hint;
	size_t n = strlen(name);
	int fd, dfd, len;

	if (n < 6 || strcmp(name + n - 5, ".vmdk") || n + 7 >= sizeof(extent))
		return usage();
	if (ioctl(ctl, VMDISK_IOC_INFO, &in) < 0) {
		fprintf(stderr, "%s: disk %u: %s\n", prog, id, strerror(errno));
		return 1;
	}
	snprintf(extent, sizeof(extent), "%.*s-delta.vmdk", (int)(n - 5), name);
	vmdk_descriptor_of(in.path, parent);
	hint = relative_hint(parent, name);
	base = strrchr(extent, '/') ? strrchr(extent, '/') + 1 : extent;
	len = snprintf(desc, sizeof(desc),
		       "# Disk DescriptorFile\nversion=1\nencoding=\"UTF-8\"\n"
		       "CID=%08x\nparentCID=%08x\ncreateType=\"vmfsSparse\"\n"
		       "parentFileNameHint=\"%s\"\n\n# Extent description\n"
		       "RW %llu VMFSSPARSE \"%s\"\n\n# The Disk Data Base\n#DDB\n\n"
		       "ddb.virtualHWVersion = \"4\"\n",
		       vmdk_random_cid(), vmdk_read_cid(parent), hint,
		       (unsigned long long)(in.capacity / 512), base);
	fd = open(extent, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, extent, strerror(errno));
		return 1;
	}
	dfd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (dfd < 0 || write(dfd, desc, len) != len || fsync(dfd)) {
		fprintf(stderr, "%s: %s: %s\n", prog, name, strerror(errno));
		goto err_unlink;
	}
	if (snapshot_ioctl(ctl, id, fd, extent))
		goto err_unlink;
	close(dfd);
	close(fd);
	printf("%u %s\n", id, name);
	return 0;

err_unlink:
	if (dfd >= 0) {
		close(dfd);
		unlink(name);
	}
	close(fd);
	unlink(extent);
	return 1;
}

/* The disk (its id) that has path as one of its layers, or -1. */
static int disk_using(const char *path)
{
	char real[PATH_MAX], line[PATH_MAX + 64], name[64];
	struct dirent *de;
	int id = -1, n;
	DIR *dir;
	FILE *f;

	if (!realpath(path, real) || !(dir = opendir("/proc/vmware/disk")))
		return -1;
	while (id < 0 && (de = readdir(dir))) {
		if (snprintf(name, sizeof(name), "/proc/vmware/disk/%.20s/status",
			     de->d_name) >= (int)sizeof(name) || !(f = fopen(name, "re")))
			continue;
		while (id < 0 && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			n = 0;
			if (sscanf(line, "layer %*u %*s %n", &n) >= 0 && n > 0 &&
			    !strncmp(line, "layer ", 6) && !strcmp(line + n, real))
				id = atoi(de->d_name);
		}
		fclose(f);
	}
	closedir(dir);
	return id;
}

/* A descriptor beside desc that names it as its parent (a delta made on
 * it), into child; 0 if none. */
static int child_of(const char *desc, char *child)
{
	char buf[VMDISK_PATH_MAX], real[PATH_MAX], path[PATH_MAX], err[VMDK_ERR_MAX];
	char parent[2 * VMDISK_PATH_MAX], preal[PATH_MAX];
	struct vmdk_descriptor d;
	struct dirent *de;
	const char *dir;
	size_t n;
	DIR *dp;
	int found = 0;

	snprintf(buf, sizeof(buf), "%s", desc);
	dir = dirname(buf);
	if (!realpath(desc, real) || !(dp = opendir(dir)))
		return 0;
	while (!found && (de = readdir(dp))) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".vmdk") ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= VMDISK_PATH_MAX ||
		    vmdk_read_descriptor(path, &d, err) || !d.parent[0])
			continue;
		snprintf(parent, sizeof(parent), "%s/%s", dir, d.parent);
		if (realpath(d.parent[0] == '/' ? d.parent : parent, preal) &&
		    !strcmp(preal, real)) {
			memcpy(child, path, strlen(path) + 1);	/* < VMDISK_PATH_MAX */
			found = 1;
		}
	}
	closedir(dp);
	return found;
}

/* commit DELTA.vmdk: every grain of the delta it names written into the
 * layers below (through a disk made on them, with a new CID: they
 * change), then the delta and its descriptor deleted. No disk may have
 * any of those files open. */
static int cmd_commit(int ctl, const char *desc)
{
	static struct vmdk_chain ch;
	struct vmdisk_create c = { .size = sizeof(c), .version = VMDISK_VERSION,
				   .flags = VMDISK_CREATE_PATH };
	struct vmdisk_open_front o = { .size = sizeof(o), .version = VMDISK_VERSION,
				       .flags = VMDISK_FRONT_OWNER };
	char err[VMDK_ERR_MAX], top[VMDISK_PATH_MAX];
	unsigned long grains;
	int cowd, front, i, id, ret;

	if (vmdk_open_chain(desc, &c, &ch, err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	if (!ch.n) {
		fprintf(stderr, "%s: %s: not a delta (a descriptor of a VMFSSPARSE extent)\n",
			prog, desc);
		return 1;
	}
	if (ch.n == 1) {	/* into the base itself: open it for writing */
		if (ch.base_rdonly) {
			fprintf(stderr, "%s: %s: the base below is read-only (RDONLY)\n",
				prog, desc);
			return 1;
		}
		c.flags &= ~VMDISK_CREATE_BASE;
	}
	if (child_of(desc, top)) {
		fprintf(stderr, "%s: %s: %s is a delta made on it; commit that one first\n",
			prog, desc, top);
		return 1;
	}
	for (i = -1; i < ch.n; i++) {
		id = disk_using(i < 0 ? c.path : ch.deltas[i]);
		if (id >= 0) {
			fprintf(stderr, "%s: %s: disk %d has %s open; destroy it first\n",
				prog, desc, id, i < 0 ? c.path : ch.deltas[i]);
			return 1;
		}
	}
	strcpy(top, ch.deltas[0]);
	cowd = open(top, O_RDONLY | O_CLOEXEC);
	if (cowd < 0 || vmdk_new_cid(ch.parent, err)) {
		fprintf(stderr, "%s: %s\n", prog, cowd < 0 ? strerror(errno) : err);
		goto err_cowd;
	}
	if (ioctl(ctl, VMDISK_IOC_CREATE, &c) < 0) {
		fprintf(stderr, "%s: create %s: %s\n", prog, c.path, strerror(errno));
		goto err_cowd;
	}
	o.id = c.id;
	snprintf(o.name, sizeof(o.name), "vmdiskctl commit");
	front = ioctl(ctl, VMDISK_IOC_OPEN_FRONT, &o);
	if (front < 0) {
		struct vmdisk_target t = { .size = sizeof(t), .version = VMDISK_VERSION,
					   .id = c.id };

		fprintf(stderr, "%s: disk %u: front end: %s\n", prog, c.id, strerror(errno));
		ioctl(ctl, VMDISK_IOC_DESTROY, &t);
		goto err_cowd;
	}
	/* The handle owns the disk: closing it destroys the disk. */
	ret = vmdk_stack(ctl, c.id, &ch, 1, err);
	if (ret)
		fprintf(stderr, "%s: %s\n", prog, err);
	else if (vmdk_commit(front, cowd, top, &grains, err)) {
		fprintf(stderr, "%s: %s; %s is left as it was\n", prog, err, desc);
		ret = -1;
	}
	close(front);
	close(cowd);
	if (ret)
		return 1;
	if (unlink(top) || unlink(desc))
		fprintf(stderr, "%s: committed, but deleting %s: %s\n", prog,
			access(top, F_OK) ? desc : top, strerror(errno));
	printf("committed %lu grains of %s into %s\n", grains, top, ch.parent);
	return 0;

err_cowd:
	if (cowd >= 0)
		close(cowd);
	return 1;
}

/* The sd name sysfs gives the attached LUN, after a short wait. */
static void print_block(const struct vmdisk_target *t)
{
	char dir[128], node[300] = "";
	struct dirent *de;
	DIR *d;
	int i, fd = -1;

	snprintf(dir, sizeof(dir), "/sys/class/scsi_device/%u:%u:%u:%u/device/block",
		 t->host, t->channel, t->target, t->lun);
	for (i = 0; i < 100 && !node[0]; i++) {
		d = opendir(dir);
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(node, sizeof(node), "/dev/%s", de->d_name);
				break;
			}
		if (d)
			closedir(d);
		if (!node[0])
			usleep(50000);
	}
	if (!node[0])
		return;
	/* Its node comes before the disk is live: opening it gives ENXIO
	 * until add_disk() ends. Printed, it opens. */
	for (; i < 200 && (fd = open(node, O_RDONLY | O_CLOEXEC)) < 0 && errno == ENXIO; i++)
		usleep(50000);
	if (fd >= 0)
		close(fd);
	printf(" %s", node);
}

static int do_target(int ctl, unsigned long cmd, uint32_t id)
{
	struct vmdisk_target t = {
		.size = sizeof(t), .version = VMDISK_VERSION, .id = id,
	};

	if (ioctl(ctl, cmd, &t) < 0) {
		fprintf(stderr, "%s: disk %u: %s\n", prog, id, strerror(errno));
		return 1;
	}
	if (cmd == VMDISK_IOC_ATTACH) {
		printf("%u %u:%u:%u:%u", id, t.host, t.channel, t.target, t.lun);
		print_block(&t);
		printf("\n");
	}
	return 0;
}

static int cmd_list(int ctl)
{
	struct vmdisk_info in = {
		.size = sizeof(in), .version = VMDISK_VERSION,
		.flags = VMDISK_INFO_NEXT,
	};

	printf("%-3s %-6s %-12s %-4s %-10s %-10s %-10s %s\n", "id", "format",
	       "capacity", "mode", "scsi", "reads", "writes", "file");
	while (ioctl(ctl, VMDISK_IOC_INFO, &in) == 0) {
		char scsi[32] = "-";

		if (in.state & VMDISK_STATE_ATTACHED)
			snprintf(scsi, sizeof(scsi), "%u:%u:%u:%u", in.host,
				 in.channel, in.target, in.lun);
		printf("%-3u %-6s %-12" PRIu64 " %-4s %-10s %-10llu %-10llu %s\n",
		       in.id, in.format == VMDISK_FORMAT_VMDK_SPARSE ? "vmdk" : "raw",
		       (uint64_t)in.capacity,
		       in.state & VMDISK_STATE_READONLY ? "ro" : "rw", scsi,
		       (unsigned long long)in.stats.reads,
		       (unsigned long long)in.stats.writes, in.path);
		in.id++;
		in.flags = VMDISK_INFO_NEXT;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "%s: list: %s\n", prog, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	uint32_t id;
	int ctl, ret;

	if (!strcmp(cmd, "mkraw"))
		return cmd_mkraw(argc - 1, argv + 1);
	if (!strcmp(cmd, "mkvmdk") && argc > 2 && !strcmp(argv[2], "-f"))
		return cmd_mkflat(argc - 2, argv + 2);
	if (!strcmp(cmd, "mkvmdk"))
		return cmd_mkvmdk(argc - 1, argv + 1);
	if (!strcmp(cmd, "commit")) {
		if (argc != 3)
			return usage();
		if ((ctl = open_ctl()) < 0)
			return 1;
		return cmd_commit(ctl, argv[2]);
	}
	if (!strcmp(cmd, "create") || !strcmp(cmd, "add") || !strcmp(cmd, "list")) {
		if ((ctl = open_ctl()) < 0)
			return 1;
		if (!strcmp(cmd, "list"))
			return argc == 2 ? cmd_list(ctl) : usage();
		ret = do_create(ctl, argc - 1, argv + 1, &id);
		if (ret)
			return ret;
		if (!strcmp(cmd, "create")) {
			printf("%u\n", id);
			return 0;
		}
		return do_target(ctl, VMDISK_IOC_ATTACH, id);
	}
	if (argc != 3 + !strcmp(cmd, "snapshot") || parse_id(argv[2], &id))
		return usage();
	if ((ctl = open_ctl()) < 0)
		return 1;
	if (!strcmp(cmd, "attach"))
		return do_target(ctl, VMDISK_IOC_ATTACH, id);
	if (!strcmp(cmd, "detach"))
		return do_target(ctl, VMDISK_IOC_DETACH, id);
	if (!strcmp(cmd, "destroy"))
		return do_target(ctl, VMDISK_IOC_DESTROY, id);
	if (!strcmp(cmd, "snapshot") && argc == 4)
		return cmd_snapshot(ctl, id, argv[3]);
	return usage();
}
