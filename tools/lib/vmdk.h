/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMDK text descriptors, for the programs that open disks on vmdisk.ko
 * (vmdiskctl, vmx): which file holds a disk's data and in what format,
 * the chain of vmfsSparse deltas from a descriptor down to its base, and
 * the content ID (CID) that ties a delta to its parent.
 *
 * A descriptor is a text file that starts "# Disk DescriptorFile", or the
 * same text embedded in a monolithicSparse extent ("KDMV", at the
 * header's descriptor offset). The kernel never reads one: it is given
 * the base file and its format, then each delta on top, bottom up
 * (VMDISK_IOC_SNAPSHOT).
 *
 * CIDs, as in VMware's Virtual Disk Format: a delta records its parent's
 * CID (parentCID) when it is made, and a parent whose CID has changed
 * since was written to, so the delta no longer fits it. VMware changes a
 * CID at the first write after opening; these tools change it when the
 * disk is opened for writing, before the kernel has it. That errs on the
 * safe side: opening a parent read-write by mistake, even without
 * writing, orphans its deltas, but no write, even one cut short by a
 * crash, leaves the CID unchanged.
 *
 * Functions return 0 or a negative errno; on error err holds a message
 * for the user (VMDK_ERR_MAX bytes, naming the file).
 */
#ifndef VMDK_H
#define VMDK_H

#include <stdbool.h>
#include <stdint.h>
#include <uapi/vmdisk.h>

#define VMDK_MAGIC	0x564d444b	/* "KDMV", little endian */
#define VMDK_DESC_MAGIC	"# Disk DescriptorFile"
#define VMDK_DESC_MAX	(20 * 512)	/* bytes of descriptor read */
#define VMDK_CID_NONE	0xffffffffU	/* no CID: nothing to compare */
#define VMDK_ERR_MAX	(2 * VMDISK_PATH_MAX + 128)

/* The header of a hosted sparse extent (monolithicSparse), little endian. */
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

struct vmdk_descriptor {
	char access[16], type[16];		/* of the first extent */
	char extent[VMDISK_PATH_MAX];		/* relative to the descriptor */
	char parent[VMDISK_PATH_MAX];		/* parentFileNameHint, or "" */
	unsigned long long sectors, offset;
	uint32_t cid, parent_cid;		/* VMDK_CID_NONE if absent */
	int extents;
};

/* A disk as a chain: the base in the caller's vmdisk_create (path,
 * format, offset, capacity; flags: BASE when deltas are on top of it,
 * else READONLY for an RDONLY extent) and the VMFSSPARSE delta extents on
 * top of it, top first. */
struct vmdk_chain {
	char deltas[VMDISK_MAX_CHAIN][VMDISK_PATH_MAX];
	int n;
	char parent[VMDISK_PATH_MAX];	/* what the top delta names, if n */
	bool base_rdonly;		/* the base's extent is marked RDONLY */
};

/* The descriptor of path (text, or embedded in a sparse extent); a file
 * that is neither gives a descriptor without extents. */
int vmdk_read_descriptor(const char *path, struct vmdk_descriptor *d, char *err);

/* The CID of path's descriptor, VMDK_CID_NONE if it has none. */
uint32_t vmdk_read_cid(const char *path);

/* Follow path (raw image, sparse extent, or descriptor) down through
 * parentFileNameHint: loops, chains deeper than VMDISK_MAX_CHAIN and
 * deltas whose parentCID is not their parent's CID are errors. */
int vmdk_open_chain(const char *path, struct vmdisk_create *c,
		    struct vmdk_chain *ch, char *err);

/* Put the chain's deltas on disk id (VMDISK_IOC_SNAPSHOT on /dev/vmdisk
 * ctl), bottom up, from the lowest to deltas[top]; 0 or a negative errno. */
int vmdk_stack(int ctl, uint32_t id, const struct vmdk_chain *ch, int top,
	       char *err);

/* The descriptor that names extent: NAME.vmdk for NAME-flat.vmdk or
 * NAME-delta.vmdk when it exists, else extent itself. 0 if out holds a
 * descriptor (text, or a sparse extent's own), -ENOENT if not. */
int vmdk_descriptor_of(const char *extent, char *out);

/*
 * Commit a vmfsSparse delta (COWD) into what lies below it: every grain
 * the delta on cowd holds is written (WRITE(16)) through the vmdisk front
 * end front, a disk opened on the layers below, then the disk is flushed
 * (SYNCHRONIZE CACHE). *grains counts the grains written. A failure leaves
 * the delta as it was, so committing again later is safe. name is the
 * delta's path, for messages.
 */
int vmdk_commit(int front, int cowd, const char *name, unsigned long *grains,
		char *err);

/* A CID for a new descriptor: random, never ffffffff or fffffffe. */
uint32_t vmdk_random_cid(void);

/* Give path's descriptor a new random CID, in place; a file without a
 * descriptor (raw image, bare delta extent) or a descriptor without a CID
 * line is left alone. */
int vmdk_new_cid(const char *path, char *err);

#endif
