// SPDX-License-Identifier: GPL-2.0
/*
 * vmdiskctl: make raw disk files and drive /dev/vmdisk (uapi/vmdisk.h).
 *
 *   vmdiskctl mkraw FILE SIZE          create a sparse raw disk file
 *   vmdiskctl mkvmdk [-f] FILE SIZE    create a VMDK monolithicSparse file
 *                                      (-f: monolithicFlat, FILE is the
 *                                      descriptor, FILE-flat.vmdk the data)
 *   vmdiskctl create [-r] [-b BS] [-s SIZE] FILE    prints the disk id
 *   vmdiskctl attach ID                prints H:C:T:L and /dev/sdX
 *   vmdiskctl add [-r] [-b BS] [-s SIZE] FILE       create + attach
 *   vmdiskctl detach ID
 *   vmdiskctl destroy ID
 *   vmdiskctl list
 *
 * SIZE takes a K, M, G or T suffix (powers of 1024). create and add find
 * the format from the file's first bytes: "KDMV" is a VMDK sparse extent, a
 * "# Disk DescriptorFile" text is a VMDK descriptor whose single FLAT or
 * VMFS extent is attached as raw data (at its offset), anything else is a
 * raw image.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uapi/vmdisk.h>

static const char *prog = "vmdiskctl";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s mkraw|mkvmdk [-f] FILE SIZE\n"
		"       %s create|add [-r] [-b 512|4096] [-s SIZE] FILE\n"
		"       %s attach|detach|destroy ID\n"
		"       %s list\n", prog, prog, prog, prog);
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

static int cmd_mkraw(int argc, char **argv)
{
	uint64_t size;
	int fd;

	if (argc != 3 || parse_size(argv[2], &size) || !size || size % 512)
		return usage();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, size)) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

/* VMDK monolithicSparse: header, embedded descriptor, redundant and
 * primary grain directories and tables, then grains appended on write. */
#define GRAIN_SECTORS	128
#define GTES		512

struct vmdk_header {
	uint32_t magic, version, flags;
	uint64_t capacity, grain_size, desc_offset, desc_size;
	uint32_t gtes_per_gt;
	uint64_t rgd_offset, gd_offset, overhead;
	uint8_t unclean;
	char eol[4];
	uint16_t compress;
	uint8_t pad[433];
} __attribute__((packed));

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

	h.magic = htole32(0x564d444b);
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
		 (unsigned int)getpid(), (unsigned long long)sectors, base);

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
		     (unsigned int)getpid(), (unsigned long long)(size / 512), base);
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

/* The one FLAT/VMFS extent of a VMDK text descriptor, as a raw disk. */
static int parse_descriptor(const char *path, struct vmdisk_create *c)
{
	char line[512], access[16], type[16], name[VMDISK_PATH_MAX];
	char full[2 * VMDISK_PATH_MAX];
	unsigned long long sectors, offset;
	int extents = 0, n;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		offset = 0;
		n = sscanf(line, "%15s %llu %15s \"%255[^\"]\" %llu", access,
			   &sectors, type, name, &offset);
		if (n < 4 || (strcmp(access, "RW") && strcmp(access, "RDONLY")))
			continue;
		if (strcmp(type, "FLAT") && strcmp(type, "VMFS")) {
			fprintf(stderr, "%s: %s: %s extents are not supported\n",
				prog, path, type);
			extents = -1;
			break;
		}
		if (extents++)
			continue;
		if (!strcmp(access, "RDONLY"))
			c->flags |= VMDISK_CREATE_READONLY;
		if (!c->capacity)
			c->capacity = sectors * 512;
		c->offset = offset * 512;
		if (name[0] == '/' || !strchr(path, '/'))
			snprintf(full, sizeof(full), "%s", name);
		else
			snprintf(full, sizeof(full), "%.*s/%s",
				 (int)(strrchr(path, '/') - path), path, name);
	}
	fclose(f);
	if (extents == 1 && strlen(full) >= sizeof(c->path)) {
		fprintf(stderr, "%s: %s: extent path too long\n", prog, path);
		return -1;
	}
	if (extents == 1)
		memcpy(c->path, full, strlen(full) + 1);
	if (extents != 1) {
		if (extents > 1)
			fprintf(stderr, "%s: %s: more than one extent\n", prog, path);
		else if (!extents)
			fprintf(stderr, "%s: %s: no FLAT extent\n", prog, path);
		return -1;
	}
	c->format = VMDISK_FORMAT_RAW;
	return 0;
}

#define DESC_MAGIC	"# Disk DescriptorFile"

/* -1 for a VMDK text descriptor, else a VMDISK_FORMAT_*. */
static int detect_format(const char *path)
{
	char magic[sizeof(DESC_MAGIC)] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, magic, sizeof(magic) - 1) < 4)
			magic[0] = 0;
		close(fd);
	}
	if (!memcmp(magic, DESC_MAGIC, sizeof(DESC_MAGIC) - 1))
		return -1;
	return memcmp(magic, "KDMV", 4) ? VMDISK_FORMAT_RAW :
					  VMDISK_FORMAT_VMDK_SPARSE;
}

static int do_create(int ctl, int argc, char **argv, uint32_t *id)
{
	struct vmdisk_create c = {
		.size = sizeof(c), .version = VMDISK_VERSION,
		.flags = VMDISK_CREATE_PATH,
	};
	uint64_t v;
	int opt, ret;

	optind = 1;
	while ((opt = getopt(argc, argv, "rb:s:")) != -1) {
		switch (opt) {
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
	if (!realpath(argv[optind], c.path) && strlen(argv[optind]) < sizeof(c.path))
		strcpy(c.path, argv[optind]);
	ret = detect_format(c.path);
	if (ret >= 0)
		c.format = ret;
	else if (parse_descriptor(c.path, &c))
		return 1;
	if (ioctl(ctl, VMDISK_IOC_CREATE, &c) < 0) {
		fprintf(stderr, "%s: create %s: %s\n", prog, c.path, strerror(errno));
		return 1;
	}
	*id = c.id;
	return 0;
}

/* The sd name sysfs gives the attached LUN, after a short wait. */
static void print_block(const struct vmdisk_target *t)
{
	char dir[128];
	struct dirent *de;
	DIR *d;
	int i;

	snprintf(dir, sizeof(dir), "/sys/class/scsi_device/%u:%u:%u:%u/device/block",
		 t->host, t->channel, t->target, t->lun);
	for (i = 0; i < 100; i++) {
		d = opendir(dir);
		if (d) {
			while ((de = readdir(d)))
				if (de->d_name[0] != '.') {
					printf(" /dev/%s", de->d_name);
					closedir(d);
					return;
				}
			closedir(d);
		}
		usleep(50000);
	}
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
	if (argc != 3 || parse_id(argv[2], &id))
		return usage();
	if ((ctl = open_ctl()) < 0)
		return 1;
	if (!strcmp(cmd, "attach"))
		return do_target(ctl, VMDISK_IOC_ATTACH, id);
	if (!strcmp(cmd, "detach"))
		return do_target(ctl, VMDISK_IOC_DETACH, id);
	if (!strcmp(cmd, "destroy"))
		return do_target(ctl, VMDISK_IOC_DESTROY, id);
	return usage();
}
