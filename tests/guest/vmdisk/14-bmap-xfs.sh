#!/bin/sh
# The raw backend's direct path on XFS (bmap.c). XFS can share a file's
# blocks with another file without an open for writing, so the direct
# path holds a layout lease there too:
#  - a written file goes direct, and the data land in the file's blocks;
#  - vmdisk's own writes through the file (filling a hole) and its hole
#    punches (UNMAP), which break layout leases on XFS, leave its own
#    lease alone: the direct path stays on;
#  - a reflink clone made from the disk's file (read access is enough)
#    stops the direct path before XFS shares the blocks; the shared file
#    stays with the file, and writes to the disk leave the clone as it was;
#  - the same for a dedupe into the disk's file through a read-only fd;
#  - a random-write fio verify job at queue depth 32, the disk compared
#    with its file, and xfs_repair -n finds the file system clean.
. /vmw/lib.sh
vmw_stock loop && vmw_stock crc32c_generic && vmw_stock xfs || skip "loop/xfs missing"
PATH=$PATH:/usr/sbin	# xfsprogs
command -v mkfs.xfs >/dev/null && command -v xfs_io >/dev/null &&
	command -v xfs_repair >/dev/null || skip "no mkfs.xfs/xfs_io/xfs_repair (xfsprogs) in this image"
vmdisk_setup
M=/mnt/vd14
truncate -s 320M /tmp/x14.img	# mkfs.xfs's smallest is 300 MiB
losetup /dev/loop6 /tmp/x14.img || skip "no loop device"
id=
cleanup() {
	cd /
	[ -n "$id" ] && vmdiskctl destroy $id 2>/dev/null
	umount $M 2>/dev/null
	losetup -d /dev/loop6
	rm -f /tmp/x14.img /tmp/p14 /tmp/r14 /tmp/d14
}
trap cleanup EXIT
mkfs.xfs -q -f /dev/loop6 >/tmp/r14 2>&1 || { cat /tmp/r14; fail "mkfs.xfs"; }
mkdir -p $M && mount -t xfs /dev/loop6 $M || fail "mount xfs"
cd $M

# 1. A written file: direct, the data in the file's blocks.
dd if=/dev/urandom of=d.img bs=1M count=16 2>/dev/null && sync || fail "d.img"
vmdisk_add -d d.img
vd_wait_direct on 5
dd if=/dev/urandom of=/tmp/p14 bs=1M count=16 2>/dev/null
n0=$(vd_ios)
dd if=/tmp/p14 of=$dev bs=64k oflag=direct conv=notrunc 2>/dev/null || fail "write $dev"
[ $(vd_ios) -ge $((n0 + 256)) ] || fail "256 writes of 64 KiB, but the direct path took $(($(vd_ios) - n0))"
sg_sync $dev 2>/dev/null || sync $dev || fail "SYNCHRONIZE CACHE"
vd_drop
cmp /tmp/p14 d.img || fail "direct writes: the file differs"
note "written file: direct on, $(vd_ios) ios, data in the file's blocks"
cp /tmp/p14 /tmp/d14
vmdiskctl destroy $id; id=

# 2. vmdisk's own writes into a hole and its hole punch keep the lease.
dd if=/dev/urandom of=h.img bs=1M count=4 2>/dev/null && truncate -s 8M h.img && sync || fail "h.img"
vmdisk_add -d h.img
vd_wait_direct on 5
dd if=/dev/urandom of=/tmp/r14 bs=1M count=4 2>/dev/null
dd if=/tmp/r14 of=$dev bs=64k seek=64 oflag=direct conv=notrunc 2>/dev/null || fail "write into the hole"
[ "$(vd_direct)" = on ] || fail "vmdisk's own writes through the file broke its layout lease"
blkdiscard -o $((1 << 20)) -l $((1 << 20)) $dev || fail "blkdiscard"
[ "$(vd_direct)" = on ] || fail "vmdisk's own hole punch broke its layout lease"
vd_drop
dd if=h.img of=/tmp/p14 bs=1M skip=4 2>/dev/null
cmp /tmp/r14 /tmp/p14 || fail "writes into the hole: the file differs"
vmdiskctl destroy $id; id=
note "own writes through the file, own hole punch: direct stays on"

# 3. A reflink clone of the disk's file.
vmdisk_add -d d.img
vd_wait_direct on 5
dd if=$dev of=/dev/null bs=64k count=256 iflag=direct 2>/dev/null
[ $(vd_ios) -ge 256 ] || fail "reads before the clone did not go direct"
xfs_io -f -c "reflink $M/d.img" c.img >/tmp/p14 2>&1 || { cat /tmp/p14; fail "reflink"; }
vd_drop		# (a cached page of d.img would keep the writes off the direct path)
sum=$(md5sum < c.img)
cmp c.img /tmp/d14 || fail "the clone differs from its source"
sleep 3		# the direct path takes its leases back (but not the file)
n0=$(vd_ios)
dd if=/dev/urandom of=/tmp/r14 bs=1M count=16 2>/dev/null
dd if=/tmp/r14 of=$dev bs=64k oflag=direct conv=notrunc 2>/dev/null || fail "write after the clone"
[ $(vd_ios) = $n0 ] || fail "$(($(vd_ios) - n0)) direct writes to a file that shares its blocks"
vd_drop
[ "$(md5sum < c.img)" = "$sum" ] || fail "writes to the disk changed the clone"
cmp /tmp/r14 d.img || fail "writes after the clone: the file differs"
vmdiskctl destroy $id; id=
note "reflink clone: direct path stopped, the clone kept its data"

# 4. A dedupe into the disk's file through a read-only fd.
dd if=/dev/urandom of=e.img bs=1M count=8 2>/dev/null && cp e.img f.img && sync || fail "e.img"
vmdisk_add -d e.img
vd_wait_direct on 5
dd if=$dev of=/dev/null bs=64k count=128 iflag=direct 2>/dev/null
[ $(vd_ios) -ge 128 ] || fail "reads before the dedupe did not go direct"
xfs_io -r -c "dedupe $M/f.img 0 0 $((8 << 20))" e.img >/tmp/p14 2>&1 || { cat /tmp/p14; fail "dedupe"; }
sum=$(md5sum < f.img)
dd if=/dev/urandom of=/tmp/r14 bs=1M count=8 2>/dev/null
dd if=/tmp/r14 of=$dev bs=64k oflag=direct conv=notrunc 2>/dev/null || fail "write after the dedupe"
vd_drop
[ "$(md5sum < f.img)" = "$sum" ] || fail "writes to the disk changed the file it was deduplicated with"
cmp /tmp/r14 e.img || fail "writes after the dedupe: the file differs"
vmdiskctl destroy $id; id=
note "dedupe through a read-only fd: the other file kept its data"

# 5. fio verify at queue depth 32 on a fresh file, then the disk against it.
if command -v fio >/dev/null; then
	dd if=/dev/zero of=g.img bs=1M count=8 2>/dev/null && sync
	vmdisk_add -d g.img
	vd_wait_direct on 5
	fio --name=v14 --filename=$dev --rw=randwrite --bs=4k --direct=1 \
		--ioengine=io_uring --iodepth=32 --size=8M --verify=crc32c \
		--do_verify=1 --randseed=14 >/tmp/r14 2>&1 || { cat /tmp/r14; fail "fio verify"; }
	[ $(vd_ios) -gt 0 ] || fail "fio's I/O did not go direct"
	vd_drop
	cmp $dev g.img || fail "the disk and its file differ after fio"
	vmdiskctl destroy $id; id=
	note "fio verify QD32: ok"
fi
cd /
umount $M || fail "umount"
xfs_repair -n /dev/loop6 >/tmp/r14 2>&1 || { cat /tmp/r14; fail "xfs_repair -n"; }
note "xfs_repair -n: clean"
exit 0
