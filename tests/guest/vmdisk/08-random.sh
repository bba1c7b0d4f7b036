#!/bin/sh
# Differential test: the same 3000 random writes (fixed seed, 512 B to
# 16 KiB, every eighth up to 128 KiB, at any sector: mostly partial grains) through the loopback
# HBA to a raw file and to a sparse VMDK, then the two disks compared
# whole; again over a chain of two deltas; again after re-opening
# everything from the files.
. /vmw/lib.sh
command -v vdrandw >/dev/null || skip "vdrandw not in this image"
vmdisk_setup
D=/tmp/vd8
rm -rf $D; mkdir -p $D; cd $D || fail "cd"

compare() {
	echo 3 > /proc/sys/vm/drop_caches
	cmp $rdev $sdev || fail "$1: the VMDK differs from the raw disk"
	note "$1: identical ($(stat -c %s s.vmdk) bytes of VMDK$(ls *-delta.vmdk 2>/dev/null | while read f; do printf ', %s %s' $f $(stat -c %s $f); done))"
}
vmdiskctl mkraw r.img 32M && vmdiskctl mkvmdk s.vmdk 32M || fail "mk"
vmdisk_add r.img; rid=$id rdev=$dev
vmdisk_add s.vmdk; sid=$id sdev=$dev
vdrandw diff 1 3000 $rdev $sdev || fail "random writes"
compare "sparse"
vmdiskctl snapshot $sid d1.vmdk >/dev/null || fail "snapshot 1"
vdrandw diff 2 1500 $rdev $sdev || fail "random writes on d1"
compare "one delta"
vmdiskctl snapshot $sid d2.vmdk >/dev/null || fail "snapshot 2"
vdrandw diff 3 1500 $rdev $sdev || fail "random writes on d2"
compare "two deltas"
vmdiskctl destroy $sid && vmdiskctl destroy $rid || fail "destroy"
vmdisk_add r.img; rdev=$dev
vmdisk_add d2.vmdk; sdev=$dev
compare "re-opened"
grep -q '^deltas 2' /proc/vmware/disk/$id/status || fail "chain depth"
vmdiskctl destroy 0; vmdiskctl destroy 1
cd /; rm -rf $D
exit 0
