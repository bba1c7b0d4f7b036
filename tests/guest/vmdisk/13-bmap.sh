#!/bin/sh
# The raw backend's direct path (bmap.c): a disk on an O_DIRECT file of
# ext4 sends its reads and writes straight to the block device below,
# while it holds a read delegation on the file.
#  - a written file goes direct ("direct on", its ios count grows), and the
#    data land in the file's own blocks (read back through the file); its
#    mtime is set at the flush (SYNCHRONIZE CACHE);
#  - a command across a 1 MiB chunk boundary;
#  - another open for writing breaks the delegation at once (the open does
#    not hang), commands go to the file meanwhile, the direct path comes
#    back after the file is closed;
#  - a guest front end's reads and writes (vdfront, as vmx's adapter sends
#    them through a handle) go direct too;
#  - unwritten (fallocated) and unallocated chunks go to the file, which
#    fills them, and go direct once looked up again;
#  - UNMAP punches holes: the freed blocks, reused by a new file, are never
#    written by the direct path; the file system is clean (e2fsck);
#  - a random-write fio verify job at queue depth 32 and the disk compared
#    with its file; a disk made with `vmdiskctl mkraw -z` goes direct at
#    once; a buffered disk has no direct path ("direct no").
. /vmw/lib.sh
vmw_stock loop && vmw_stock crc32c_generic && vmw_stock ext4 || skip "loop/ext4 missing"
vmdisk_setup
M=/mnt/vd13
dd if=/dev/zero of=/tmp/e13.img bs=1M count=96 2>/dev/null
losetup /dev/loop5 /tmp/e13.img || skip "no loop device"
id=
cleanup() {
	cd /
	exec 3>&- 2>/dev/null
	[ -n "$id" ] && vmdiskctl destroy $id 2>/dev/null
	umount $M 2>/dev/null
	losetup -d /dev/loop5
	rm -f /tmp/e13.img /tmp/p13 /tmp/r13 /tmp/f13
}
trap cleanup EXIT
PATH=$PATH:/usr/sbin	# e2fsprogs
command -v mkfs.ext4 >/dev/null && command -v e2fsck >/dev/null || skip "no mkfs.ext4/e2fsck (e2fsprogs) in this image"
mkfs.ext4 -q -F /dev/loop5 && mkdir -p $M && mount -t ext4 /dev/loop5 $M || fail "ext4 on loop"
cd $M

# 1. A written file: direct, and the data are where the file has them.
dd if=/dev/urandom of=d.img bs=1M count=16 2>/dev/null && sync || fail "d.img"
touch -d "2000-01-01 00:00" d.img
vmdisk_add -d d.img
vd_wait_direct on 5
dd if=/dev/urandom of=/tmp/p13 bs=1M count=16 2>/dev/null
n0=$(vd_ios)
dd if=/tmp/p13 of=$dev bs=64k oflag=direct conv=notrunc 2>/dev/null || fail "write $dev"
n1=$(vd_ios)
[ $n1 -ge $((n0 + 256)) ] || fail "256 writes of 64 KiB, but the direct path took $((n1 - n0))"
[ $(stat -c %Y d.img) -lt 1000000000 ] || fail "mtime set before the flush"
sg_sync $dev 2>/dev/null || sync $dev || fail "SYNCHRONIZE CACHE"
[ $(stat -c %Y d.img) -gt 1000000000 ] || fail "mtime not set by the flush after direct writes"
cmp /tmp/p13 d.img || fail "direct writes: the file differs"
vd_drop
rm -f /tmp/r13
dd if=$dev of=/tmp/r13 bs=64k iflag=direct 2>/dev/null && cmp /tmp/p13 /tmp/r13 ||
	fail "direct reads differ"
[ $(vd_ios) -ge $((n1 + 256)) ] || fail "reads did not go direct"
note "written file: direct on, $(vd_ios) ios, data in the file's blocks"

# 2. Across a chunk boundary: 64 KiB at 1 MiB - 32 KiB.
dd if=/dev/urandom of=/tmp/r13 bs=32k count=2 2>/dev/null
dd if=/tmp/r13 of=$dev bs=32k seek=31 count=2 oflag=direct conv=notrunc 2>/dev/null
dd if=/tmp/r13 of=/tmp/p13 bs=32k seek=31 count=2 conv=notrunc 2>/dev/null
vd_drop
cmp /tmp/p13 d.img || fail "a write across a chunk boundary"
cmp /tmp/p13 $dev || fail "a read across a chunk boundary"
note "across a chunk boundary: ok"

# 3. Another writer breaks the delegation; the file takes the commands.
vd_drop
t0=$(date +%s)
exec 3<>d.img || fail "open d.img for writing"
[ $(($(date +%s) - t0)) -le 5 ] || fail "the open waited $(($(date +%s) - t0)) s for the delegation"
vd_wait_direct off 5
n0=$(vd_ios)
dd if=/dev/urandom of=/tmp/r13 bs=64k count=4 2>/dev/null
dd if=/tmp/r13 of=$dev bs=64k seek=8 count=4 oflag=direct conv=notrunc 2>/dev/null
dd if=/tmp/r13 of=/tmp/p13 bs=64k seek=8 count=4 conv=notrunc 2>/dev/null
[ $(vd_ios) = $n0 ] || fail "direct I/O while another writer has the file open"
sleep 3
[ "$(vd_direct)" = off ] || fail "direct path back while another writer has the file open"
exec 3>&-
vd_wait_direct on 6
vd_drop
cmp /tmp/p13 $dev || fail "data after the delegation came back"
note "another writer: off at once, on again after close"

# 4. A guest front end: 16 writes of 64 KiB, then the whole disk in reads.
dd if=/dev/urandom of=/tmp/r13 bs=1M count=1 2>/dev/null
dd if=/tmp/r13 of=/tmp/p13 bs=1M seek=2 count=1 conv=notrunc 2>/dev/null
n0=$(vd_ios)
vdfront $id write $((2 << 20)) $((1 << 20)) /tmp/r13 || fail "front write"
vdfront $id read 0 $((16 << 20)) /tmp/f13 || fail "front read"
cmp /tmp/p13 /tmp/f13 || fail "front: the disk reads back wrong"
[ $(vd_ios) -ge $((n0 + 272)) ] || fail "front: $(($(vd_ios) - n0)) direct ios of 272 commands"
vd_drop
cmp /tmp/p13 d.img || fail "front writes: the file differs"
note "guest front: direct, $(($(vd_ios) - n0)) ios"

# 5. Unwritten and unallocated chunks go to the file until it fills them:
# preallocated blocks that held another file's data read as zeroes.
vmdiskctl destroy $id; id=
dd if=/dev/urandom of=junk bs=1M count=40 2>/dev/null && sync && rm junk && sync
fallocate -l 4M f.img && truncate -s 8M f.img || fail "f.img"
vmdisk_add -d f.img
vd_wait_direct on 5
dd if=/dev/zero of=/tmp/p13 bs=1M count=8 2>/dev/null
cmp /tmp/p13 $dev || fail "unwritten and unallocated chunks do not read as zeroes"
[ $(vd_ios) = 0 ] || fail "$(vd_ios) direct ios on unwritten and unallocated chunks"
dd if=/dev/urandom of=/tmp/p13 bs=1M count=8 2>/dev/null
dd if=/tmp/p13 of=$dev bs=64k oflag=direct conv=notrunc 2>/dev/null || fail "write f.img"
sleep 6
dd if=$dev of=/tmp/r13 bs=64k iflag=direct 2>/dev/null
cmp /tmp/p13 /tmp/r13 || fail "filled chunks read back wrong"
[ $(vd_ios) -gt 0 ] || fail "filled chunks never went direct"
note "unwritten/unallocated: file first, direct later ($(vd_ios) ios)"

# 6. UNMAP: freed blocks go to a new file and the direct path leaves them.
blkdiscard -o $((1 << 20)) -l $((4 << 20)) $dev || fail "blkdiscard"
dd if=/dev/zero of=/tmp/r13 bs=1M count=4 2>/dev/null
dd if=/tmp/r13 of=/tmp/p13 bs=1M seek=1 count=4 conv=notrunc 2>/dev/null
cmp /tmp/p13 $dev || fail "unmapped blocks do not read as zeroes"
dd if=/dev/urandom of=new.img bs=1M count=4 2>/dev/null && sync
sum=$(md5sum < new.img)
dd if=/dev/urandom of=/tmp/p13 bs=1M count=8 2>/dev/null
dd if=/tmp/p13 of=$dev bs=64k oflag=direct conv=notrunc 2>/dev/null || fail "rewrite f.img"
vd_drop
[ "$(md5sum < new.img)" = "$sum" ] || fail "a file on blocks the disk unmapped was overwritten"
cmp /tmp/p13 $dev || fail "data after UNMAP"
note "UNMAP: holes read zero, their old blocks left alone"

# 7. fio verify at queue depth 32, then the disk against its file.
if command -v fio >/dev/null; then
	fio --name=v13 --filename=$dev --rw=randwrite --bs=4k --direct=1 \
		--ioengine=io_uring --iodepth=32 --size=8M --verify=crc32c \
		--do_verify=1 --randseed=13 >/tmp/r13 2>&1 || { cat /tmp/r13; fail "fio verify"; }
	vd_drop
	cmp $dev f.img || fail "the disk and its file differ after fio"
	note "fio verify QD32: ok"
fi
vmdiskctl destroy $id; id=

# vmdiskctl mkraw -z writes every block: direct from the first command.
vmdiskctl mkraw -z z.img 4M || fail "mkraw -z"
vmdisk_add -d z.img
vd_wait_direct on 5
dd if=$dev of=/tmp/r13 bs=64k count=64 iflag=direct 2>/dev/null
[ $(vd_ios) -ge 64 ] || fail "a mkraw -z disk: $(vd_ios) direct ios of 64 reads"
dd if=/dev/zero of=/tmp/p13 bs=64k count=64 2>/dev/null
cmp /tmp/p13 /tmp/r13 || fail "a mkraw -z disk does not read as zeroes"
vmdiskctl destroy $id; id=
note "mkraw -z: direct at once"

# A buffered disk has no direct path.
vmdisk_add d.img
grep -qx "direct no" /proc/vmware/disk/$id/status || fail "a buffered disk: $(grep direct /proc/vmware/disk/$id/status)"
vmdiskctl destroy $id; id=
cd /
umount $M || fail "umount"
e2fsck -fn /dev/loop5 >/tmp/r13 2>&1 || { cat /tmp/r13; fail "e2fsck"; }
note "e2fsck: clean"
exit 0
