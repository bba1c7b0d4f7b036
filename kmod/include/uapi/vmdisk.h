/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmdisk: virtual SCSI disks.
 *
 * Objects
 * -------
 * A disk is one SCSI logical unit (LUN 0 of its own target) served by
 * vmdisk's target core from a backing file. It has an id (0 ..
 * VMDISK_MAX_DISKS - 1, handed out at creation, reused after destruction),
 * a capacity (a whole number of logical blocks of 512 or 4096 bytes), a
 * format and may be read-only, in which case every command that would
 * change the medium ends in CHECK CONDITION, DATA PROTECT, WRITE PROTECTED.
 *
 * Formats:
 *   VMDISK_FORMAT_RAW          block N lives at byte offset + N * block_size
 *                              (a VMDK monolithicFlat or vmfs extent is this
 *                              format; its text descriptor is read by the
 *                              tools, not by the kernel).
 *   VMDISK_FORMAT_VMDK_SPARSE  a VMware monolithicSparse extent ("KDMV"
 *                              header, grain directory and tables, as
 *                              qemu-img and VMware Workstation write it);
 *                              unwritten grains read as zeroes and writes
 *                              append grains. Compressed (streamOptimized)
 *                              extents are refused with EOPNOTSUPP, as are
 *                              GTs not allocated in the file. An ESX
 *                              vmfsSparse extent ("COWD") opened this way
 *                              is a delta without a parent: its unwritten
 *                              grains read as zeroes.
 *
 * A sparse extent is checked when it is opened: a bad header, a grain
 * directory or table pointing outside the file, a truncated file fail the
 * creation with EINVAL (EFBIG for more than 4 Mi grains) and one line in
 * the kernel log that names the file and what is wrong with it. New grain
 * tables reach the file only at SYNCHRONIZE CACHE, at a FUA write that
 * allocated and at destruction, ordered so that a crash of the host loses
 * nothing that was flushed and leaves an image that opens.
 *
 * Deltas (redo logs, snapshots)
 * -----------------------------
 * A disk is a chain: its base (the file given at creation) and zero or
 * more deltas on top, each a vmfsSparse "COWD" extent of the disk's
 * capacity with its own grain directory (entries 0 until a grain table is
 * needed) and tables of 4096 entries. Reads of grains a delta does not
 * hold go to the layer below; the first write to a grain allocates it in
 * the top delta, completing a partial grain from below. Only the top is
 * ever written. The text descriptors that name a delta's parent
 * (parentFileNameHint, parentCID) are the tools' business: the kernel
 * learns the chain as a sequence of VMDISK_IOC_SNAPSHOT calls, base first.
 * At most VMDISK_MAX_CHAIN deltas; a file already in the chain is ELOOP.
 * Deltas vmdisk makes have 64 KiB grains (grainSize 128).
 *
 * A disk can be attached to the host loopback HBA: a SCSI host named
 * "vmdisk" on which disk <id> is channel 0, target <id>, LUN 0, so that
 * the stock sd and sg drivers expose it as /dev/sdX and /dev/sgN. Detaching
 * removes that SCSI device (commands still queued complete first; later
 * ones fail); the disk itself lives on until it is destroyed. Unloading the
 * module destroys every disk.
 *
 * The backing file is opened (or its fd taken) at creation and held until
 * destruction. When it holds less than the capacity asked for (a raw file
 * shorter than it, a VMDK of a smaller virtual size), creation fails with
 * EINVAL. If it shrinks later, reads past its end complete with
 * MEDIUM ERROR, UNRECOVERED READ ERROR; nothing is ever returned as zeroes
 * silently.
 *
 * SCSI behaviour (SPC-4/SBC-3): the command set is listed by REPORT
 * SUPPORTED OPERATION CODES. Reserved CDB bits that are set, unknown VPD or
 * mode pages, out-of-range LBAs and data buffers shorter than the transfer
 * fail with CHECK CONDITION / ILLEGAL REQUEST and the matching ASC, with a
 * field pointer where one applies; nothing is partially done. Writes honour
 * FUA and the caching mode page's WCE bit (clearing it with MODE SELECT
 * makes every write synchronous); SYNCHRONIZE CACHE flushes the range to
 * stable storage; UNMAP and WRITE SAME with UNMAP punch holes in the file
 * (unmapped blocks read back as zeroes: LBPRZ; VMDK writes zeroes).
 * Reservations: SCSI-2 RESERVE/RELEASE and persistent reservations (PR IN
 * READ KEYS, READ RESERVATION, REPORT CAPABILITIES; PR OUT REGISTER [AND
 * IGNORE], RESERVE, RELEASE, CLEAR, PREEMPT; LU scope, not persistent
 * across destruction). Each front end is one initiator: the host loopback
 * HBA is initiator 0.
 *
 * Control: /dev/vmdisk (root only)
 * --------------------------------
 * Every argument structure starts with its own size in bytes and the
 * interface version (VMDISK_VERSION); either being wrong, or any flag bit
 * not defined here being set, is EINVAL and changes nothing. Reserved
 * fields, and fields the kernel fills in (marked "out"), must be zero.
 *
 * VMDISK_IOC_CREATE   vmdisk_create: from a backing fd (flags without
 *                     VMDISK_CREATE_PATH) or a path. The fd must be a
 *                     regular file open for reading, and for writing unless
 *                     VMDISK_CREATE_READONLY. capacity 0 means the file's
 *                     size. Returns the id.   -> EBADF, EINVAL, ENOSPC
 *                     With VMDISK_CREATE_DIRECT and a path, the file is
 *                     opened O_DIRECT (EINVAL where its file system has
 *                     no direct I/O); an fd brings its own O_DIRECT. Raw
 *                     disks on an O_DIRECT file do direct, asynchronous
 *                     I/O: one front-end thread keeps many commands in
 *                     flight. On ext2/3/4 such a disk also has a
 *                     direct path: the file's written blocks are read and
 *                     written on the block device below the file system,
 *                     as swap does, while vmdisk holds a read delegation
 *                     (lease) on the file. Another open of the file for
 *                     writing, a truncate, rename or unlink takes the
 *                     disk back to the file system's own direct I/O until
 *                     that writer has closed the file; the file's mtime is
 *                     set when the disk is flushed or destroyed.
 * VMDISK_IOC_ATTACH   vmdisk_target: attach disk <id> to the loopback HBA;
 *                     returns its host, channel, target and LUN.
 *                                              -> ENOENT, EBUSY (attached)
 * VMDISK_IOC_DETACH   vmdisk_target: detach.   -> ENOENT, ENOTCONN
 * VMDISK_IOC_DESTROY  vmdisk_target: detach if needed and destroy.
 *                                              -> ENOENT, EBUSY (a guest
 *                                                 front handle is open)
 * VMDISK_IOC_INFO     vmdisk_info: state and counters of disk <id>; with
 *                     VMDISK_INFO_NEXT, of the first disk whose id is >= id
 *                     (this is how to list them all); path is the top
 *                     layer's file. -> ENOENT
 *
 * VMDISK_CREATE_NONPERSISTENT (a CREATE flag) puts an anonymous delta on
 * top of the base at creation: an unnamed temporary file (O_TMPFILE) in the
 * base file's directory, which takes every write and vanishes when the disk
 * is destroyed (or the host crashes), so the base never changes; the
 * "nonpersistent" mode of ESX. The base is opened read-only. Not with
 * VMDISK_CREATE_READONLY (EINVAL); EOPNOTSUPP when that file system has no
 * O_TMPFILE.
 *
 * VMDISK_CREATE_BASE (a CREATE flag) opens the file as the frozen bottom
 * of a chain: read-only (a file mode of 0444 or a VMDK extent marked
 * RDONLY is fine), and the disk is read-only until VMDISK_IOC_SNAPSHOT puts
 * a delta on top of it; from then on it writes to its deltas only, as
 * every disk with deltas does. This is how a chain is opened (a linked
 * clone's shared base, an undoable disk's base under its redo log). Not
 * with VMDISK_CREATE_READONLY or VMDISK_CREATE_NONPERSISTENT (EINVAL).
 * Put the first delta on before VMDISK_IOC_ATTACH: sd reads the write
 * protection when the disk appears, and keeps it.
 *
 * VMDISK_IOC_SNAPSHOT (number 20) vmdisk_snapshot: put a delta on top of
 * disk <id>, which from then on writes only to it (a VMDISK_CREATE_BASE
 * disk becomes writable). From fd, or path with
 * VMDISK_SNAPSHOT_PATH; the file must be open for reading and writing.
 * With VMDISK_SNAPSHOT_NEW the file must be empty and becomes a new empty
 * delta (a snapshot: the layers below are frozen from now on); without it,
 * the file must already be a COWD delta of at least the disk's capacity
 * (opening a chain). Commands in flight finish first; the ones that come
 * meanwhile wait. Returns the number of deltas now in the chain in depth.
 *   -> ENOENT, EBADF, EINVAL (not a delta, too small, a read-only disk
 *      not created with VMDISK_CREATE_BASE, a nonpersistent disk), EEXIST
 *      (NEW on a non-empty file), ELOOP
 *      (file already in the chain, or VMDISK_MAX_CHAIN reached)
 *
 * The same state is shown in /proc/vmware/disk/: `hba` (the loopback
 * host) and <id>/status (backing file, format, size, front end) and
 * <id>/stats (commands, bytes, errors and average latency). status lists
 * the chain top first, one "layer N FORMAT FILE" line each (layer 0 is the
 * base); a raw top layer adds "direct on|off ios N" (the direct path
 * holds its delegation or not; commands it took) or "direct no" (the file
 * cannot have one).
 *
 * SCSI identity: a disk's NAA designator (VPD 0x83) and unit serial number
 * (VPD 0x80) are a hash of its backing file's absolute path and offset, so
 * they stay the same across guest reboots, host reboots and re-creation
 * of the disk from the same file; two disks made from the same file and
 * offset are the same logical unit to an initiator that compares them.
 *
 * Guest front ends (ioctl numbers 10..19)
 * ---------------------------------------
 * A VM monitor (vmx) emulates a SCSI adapter for its guest and passes the
 * guest's commands to the target core through a front-end handle: one
 * file descriptor bound to one disk, which is one more initiator of that
 * disk (its own reservations, distinct from the loopback HBA's).
 *
 * VMDISK_IOC_OPEN_FRONT  on /dev/vmdisk, vmdisk_open_front: a new handle
 *                     on disk <id>, returned as the ioctl's value and in
 *                     fd (close-on-exec). name (NUL-terminated, printable
 *                     ASCII, may be empty: then "pid:<tgid>") is shown as
 *                     "frontend <name>" in /proc/vmware/disk/<id>/status.
 *                     While any handle is open the disk cannot be
 *                     destroyed: VMDISK_IOC_DESTROY fails with EBUSY and
 *                     changes nothing. Closing the last copy of the fd
 *                     releases the handle. With VMDISK_FRONT_OWNER in
 *                     flags the handle owns the disk: once it is closed
 *                     and no other handle is open, the disk is destroyed,
 *                     as by VMDISK_IOC_DESTROY. A VMM that dies, even by
 *                     SIGKILL, so leaves no disk behind.
 *                                             -> ENOENT, EINVAL, EMFILE
 * VMDISK_IOC_SUBMIT   on a handle, vmdisk_submit: execute one SCSI command
 *                     and return once it is done. The data buffer
 *                     is the concatenation of iov_count vmdisk_iovec
 *                     (user addresses, none zero-length, at most
 *                     VMDISK_FRONT_IOV_MAX of them, VMDISK_FRONT_DATA_MAX
 *                     bytes in all); its pages are pinned and the core
 *                     reads and writes them in place (no bounce buffer, no
 *                     hand-over to a worker thread: a raw disk's reads and
 *                     writes are the file's asynchronous I/O, or the
 *                     direct path's bios, while the caller sleeps until
 *                     they end). Every buffer must be writable memory,
 *                     whatever dir says (dir NONE: no iovecs; FROM_DEV and
 *                     TO_DEV: at least one), because the CDB, not dir,
 *                     decides what the core does. cdb_len is 6..32; sense
 *                     is a user buffer of sense_max bytes (0..252; address
 *                     0 when sense_max is 0). On return (ioctl value 0) the
 *                     command ran: status is its SAM status, resid the
 *                     bytes of the buffer not transferred, and with CHECK
 *                     CONDITION sense_len bytes of fixed-format sense are
 *                     in sense. An errno means the command did not run:
 *                     EINVAL (a field), EFAULT (an address), ENOMEM.
 */
#ifndef _UAPI_VMDISK_H
#define _UAPI_VMDISK_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMDISK_VERSION		1
#define VMDISK_MAX_DISKS	64
#define VMDISK_PATH_MAX		256
#define VMDISK_MAX_CHAIN	16	/* deltas on one base */

#define VMDISK_FORMAT_RAW		0
#define VMDISK_FORMAT_VMDK_SPARSE	1

/* vmdisk_create.flags */
#define VMDISK_CREATE_READONLY	(1U << 0)
#define VMDISK_CREATE_PATH	(1U << 1)	/* open path, ignore fd */
#define VMDISK_CREATE_NONPERSISTENT (1U << 2)	/* writes go to a temporary
						 * delta, lost at destruction */
#define VMDISK_CREATE_DIRECT	(1U << 3)	/* open path O_DIRECT */
#define VMDISK_CREATE_BASE	(1U << 4)	/* read-only until a delta is
						 * on top (VMDISK_IOC_SNAPSHOT) */
#define VMDISK_CREATE_FLAGS	(VMDISK_CREATE_READONLY | VMDISK_CREATE_PATH | \
				 VMDISK_CREATE_NONPERSISTENT | VMDISK_CREATE_DIRECT | \
				 VMDISK_CREATE_BASE)

struct vmdisk_create {
	__u32 size;		/* sizeof(struct vmdisk_create) */
	__u32 version;		/* VMDISK_VERSION */
	__u32 flags;
	__s32 fd;
	__u64 capacity;		/* bytes; 0: all the backing file holds */
	__u64 offset;		/* raw: byte of the file where block 0 starts,
				 * a multiple of 512 (VMDK flat extents) */
	__u32 block_size;	/* 512 or 4096; 0 means 512 */
	__u32 format;		/* VMDISK_FORMAT_* */
	char path[VMDISK_PATH_MAX];	/* NUL-terminated */
	__u32 id;		/* out */
	__u32 reserved;
};

/* No flags defined yet for ATTACH, DETACH and DESTROY. */
struct vmdisk_target {
	__u32 size;		/* sizeof(struct vmdisk_target) */
	__u32 version;
	__u32 flags;
	__u32 id;
	__u32 host;		/* out (ATTACH): SCSI address */
	__u32 channel;
	__u32 target;
	__u32 lun;
};

/* vmdisk_info.flags (in) */
#define VMDISK_INFO_NEXT	(1U << 0)
#define VMDISK_INFO_FLAGS	VMDISK_INFO_NEXT

/* vmdisk_info.state (out) */
#define VMDISK_STATE_READONLY	(1U << 0)
#define VMDISK_STATE_ATTACHED	(1U << 1)

struct vmdisk_stats {
	__u64 commands;		/* every command the core executed */
	__u64 errors;		/* ... that ended in CHECK CONDITION */
	__u64 reads;
	__u64 writes;
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 read_ns;		/* total time in the backend */
	__u64 write_ns;
	__u64 flushes;
	__u64 unmaps;		/* UNMAP and WRITE SAME with UNMAP */
};

struct vmdisk_info {
	__u32 size;		/* sizeof(struct vmdisk_info) */
	__u32 version;
	__u32 flags;
	__u32 id;		/* in, and out with VMDISK_INFO_NEXT */
	__u32 state;
	__u32 format;
	__u64 capacity;		/* bytes */
	__u32 block_size;
	__u32 host;		/* SCSI address when attached */
	__u32 channel;
	__u32 target;
	__u32 lun;
	__u32 reserved;
	char path[VMDISK_PATH_MAX];
	struct vmdisk_stats stats;
};

/* vmdisk_snapshot.flags */
#define VMDISK_SNAPSHOT_PATH	(1U << 0)	/* open path, ignore fd */
#define VMDISK_SNAPSHOT_NEW	(1U << 1)	/* format the empty file */
#define VMDISK_SNAPSHOT_FLAGS	(VMDISK_SNAPSHOT_PATH | VMDISK_SNAPSHOT_NEW)

struct vmdisk_snapshot {
	__u32 size;		/* sizeof(struct vmdisk_snapshot) */
	__u32 version;
	__u32 flags;
	__u32 id;
	__s32 fd;
	__u32 depth;		/* out: deltas in the chain now */
	char path[VMDISK_PATH_MAX];	/* NUL-terminated */
};

/* Guest front ends. */
#define VMDISK_FRONT_NAME_MAX	32
#define VMDISK_CDB_MAX		32
#define VMDISK_SENSE_MAX	252
#define VMDISK_FRONT_IOV_MAX	1024
#define VMDISK_FRONT_DATA_MAX	(8U << 20)

/* No flags defined yet for OPEN_FRONT. */
struct vmdisk_open_front {
	__u32 size;		/* sizeof(struct vmdisk_open_front) */
	__u32 version;
	__u32 flags;
	__u32 id;		/* the disk */
	char name[VMDISK_FRONT_NAME_MAX];
	__s32 fd;		/* out */
	__u32 reserved;
};

/* vmdisk_open_front.flags */
#define VMDISK_FRONT_OWNER	(1U << 0)	/* destroy the disk with the
						 * last handle, once this
						 * one is closed */

/* vmdisk_submit.dir */
#define VMDISK_DIR_NONE		0
#define VMDISK_DIR_TO_DEV	1	/* data-out: the command reads the buffer */
#define VMDISK_DIR_FROM_DEV	2	/* data-in: the command fills it */

struct vmdisk_iovec {
	__u64 base;		/* user address */
	__u64 len;		/* bytes, not 0 */
};

/* No flags defined yet for SUBMIT. */
struct vmdisk_submit {
	__u32 size;		/* sizeof(struct vmdisk_submit) */
	__u32 version;
	__u32 flags;
	__u32 dir;		/* VMDISK_DIR_* */
	__u32 cdb_len;		/* 6..VMDISK_CDB_MAX */
	__u32 iov_count;	/* 0..VMDISK_FRONT_IOV_MAX */
	__u64 iov;		/* user address of iov_count vmdisk_iovec */
	__u64 sense;		/* user address of sense_max bytes */
	__u32 sense_max;	/* 0..VMDISK_SENSE_MAX */
	__u8 status;		/* out: SAM status */
	__u8 sense_len;		/* out: bytes of sense written */
	__u16 reserved;
	__u32 resid;		/* out: bytes not transferred */
	__u32 reserved2;
	__u8 cdb[VMDISK_CDB_MAX];
};

#define VMDISK_IOC_MAGIC	0xD7
#define VMDISK_IOC_CREATE	_IOWR(VMDISK_IOC_MAGIC, 1, struct vmdisk_create)
#define VMDISK_IOC_ATTACH	_IOWR(VMDISK_IOC_MAGIC, 2, struct vmdisk_target)
#define VMDISK_IOC_DETACH	_IOW(VMDISK_IOC_MAGIC, 3, struct vmdisk_target)
#define VMDISK_IOC_DESTROY	_IOW(VMDISK_IOC_MAGIC, 4, struct vmdisk_target)
#define VMDISK_IOC_INFO		_IOWR(VMDISK_IOC_MAGIC, 5, struct vmdisk_info)
/* 10 .. 19: guest front end. */
#define VMDISK_IOC_SNAPSHOT	_IOWR(VMDISK_IOC_MAGIC, 20, struct vmdisk_snapshot)
#define VMDISK_IOC_OPEN_FRONT	_IOWR(VMDISK_IOC_MAGIC, 10, struct vmdisk_open_front)
#define VMDISK_IOC_SUBMIT	_IOWR(VMDISK_IOC_MAGIC, 11, struct vmdisk_submit)

#endif /* _UAPI_VMDISK_H */
