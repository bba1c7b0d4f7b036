#!/bin/sh
# A VMDK monolithicSparse disk: reads as zeroes when new, grows as it is
# written (partial grains included), keeps its data across detach/attach
# (the grain tables are re-read from the file), and holds a filesystem.
# monolithicFlat descriptors: the extent, its offset and RDONLY are used.
. /vmw/lib.sh
vmdisk_setup
f=/tmp/sparse.vmdk

vmdiskctl mkvmdk $f 32M || fail "mkvmdk"
size0=$(stat -c %s $f)
note "empty VMDK: $size0 bytes for 32 MiB"
out=$(vmdiskctl add $f) || fail "add"
id=${out%% *}
dev=$(echo "$out" | awk '{print $3}')
[ -b "$dev" ] || fail "no block device in '$out'"
vmdiskctl list | grep -q "^$id .*vmdk .*33554432" || fail "list: $(vmdiskctl list)"
grep -q '^format vmdk-sparse' /proc/vmware/disk/$id/status || fail "proc format"

dd if=$dev bs=1M 2>/dev/null | cmp - /dev/zero 2>&1 | grep -q EOF || fail "new disk is not all zeroes"
# 300 KiB from 1 MiB + 3 KiB: five grains, the first and last partly.
dd if=/dev/urandom of=/tmp/pat bs=1k count=300 2>/dev/null
dd if=/tmp/pat of=$dev bs=1k seek=1027 conv=notrunc,fsync 2>/dev/null || fail "write"
dd if=/tmp/pat of=$dev bs=1k seek=$((32 * 1024 - 300)) conv=notrunc,fsync 2>/dev/null || fail "write at the end"
size1=$(stat -c %s $f)
note "after 600 KiB of writes: $size1 bytes"
# Ten grains of 64 KiB: five for each write.
[ "$size1" -eq $((size0 + 10 * 65536)) ] || fail "file grew by $((size1 - size0)), not ten grains"

check() {
	echo 3 > /proc/sys/vm/drop_caches
	dd if=$dev bs=1k skip=1027 count=300 2>/dev/null | cmp - /tmp/pat || fail "$1: data"
	dd if=$dev bs=1k skip=$((32 * 1024 - 300)) 2>/dev/null | cmp - /tmp/pat || fail "$1: data at the end"
	dd if=$dev bs=1k skip=1024 count=3 2>/dev/null | tr -d '\000' | wc -c | grep -qx 0 || fail "$1: head of the first grain"
	dd if=$dev bs=1k skip=2048 count=64 2>/dev/null | tr -d '\000' | wc -c | grep -qx 0 || fail "$1: unwritten grain"
}
check "same attach"
vmdiskctl detach $id || fail "detach"
out=$(vmdiskctl attach $id) || fail "attach"
dev=$(echo "$out" | awk '{print $3}')
check "re-attach"
vmdiskctl destroy $id || fail "destroy"
out=$(vmdiskctl add $f) || fail "re-open"
id=${out%% *}
dev=$(echo "$out" | awk '{print $3}')
check "re-open"

if vmw_stock crc32c_generic && vmw_stock ext4; then
	mke2fs -q $dev >/dev/null || fail "mke2fs"
	mkdir -p /mnt/vk && mount -t ext4 $dev /mnt/vk || fail "mount"
	cp /tmp/pat /mnt/vk/pat && sync
	umount /mnt/vk
	echo 3 > /proc/sys/vm/drop_caches
	mount -t ext4 $dev /mnt/vk || fail "remount"
	cmp /tmp/pat /mnt/vk/pat || fail "file on the VMDK differs"
	umount /mnt/vk
	note "filesystem: $(stat -c %s $f) bytes"
fi
vmdiskctl destroy $id || fail "destroy"
rm -f $f

# monolithicFlat made by the tool.
vmdiskctl mkvmdk -f /tmp/flat.vmdk 8M || fail "mkvmdk -f"
out=$(vmdiskctl add /tmp/flat.vmdk) || fail "add flat"
id=${out%% *}
dev=$(echo "$out" | awk '{print $3}')
dd if=/tmp/pat of=$dev bs=1k seek=5 conv=notrunc,fsync 2>/dev/null || fail "write flat"
dd if=/tmp/flat-flat.vmdk bs=1k skip=5 count=300 2>/dev/null | cmp - /tmp/pat || fail "flat extent data"
grep -q '^file /tmp/flat-flat.vmdk' /proc/vmware/disk/$id/status || fail "flat extent path"
vmdiskctl destroy $id || fail "destroy flat"

# A hand-written read-only descriptor whose extent starts 1 MiB in.
dd if=/dev/zero of=/tmp/off.img bs=1M count=5 2>/dev/null
dd if=/tmp/pat of=/tmp/off.img bs=1k seek=1024 conv=notrunc 2>/dev/null
printf '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRDONLY 8192 FLAT "off.img" 2048\n' > /tmp/off.vmdk
out=$(vmdiskctl add /tmp/off.vmdk) || fail "add offset descriptor"
id=${out%% *}
dev=$(echo "$out" | awk '{print $3}')
dd if=$dev bs=1k count=300 2>/dev/null | cmp - /tmp/pat || fail "offset extent data"
vmdiskctl list | grep -q "^$id .*4194304 .*ro " || fail "offset disk: $(vmdiskctl list)"
dd if=/dev/zero of=$dev bs=4k count=1 conv=fsync 2>/dev/null && fail "wrote to an RDONLY extent"
vmdiskctl destroy $id || fail "destroy offset"
printf '# Disk DescriptorFile\nRW 100 SPARSE "x.vmdk"\n' > /tmp/bad.vmdk
vmdiskctl add /tmp/bad.vmdk 2>/dev/null && fail "SPARSE extent in a descriptor accepted"
rm -f /tmp/flat.vmdk /tmp/flat-flat.vmdk /tmp/off.img /tmp/off.vmdk /tmp/bad.vmdk /tmp/pat
exit 0
