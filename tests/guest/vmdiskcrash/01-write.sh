#!/bin/sh
# Crash test, first host (tests/host/crash-vmdisk.sh): a disk on the ext4
# (journalled, made by the host script) of the virtio disk, attached to the
# loopback HBA; vdrandw logs "ACK i" after each write i and its fdatasync
# (SYNCHRONIZE CACHE) returned. The host script kills QEMU hard somewhere
# in the middle. vmw.crash.disk says which disk: vmdk (a sparse VMDK),
# delta (a delta on top of one), raw (an O_DIRECT raw file whose writes
# take the direct path, bmap.c: bios to /dev/vda at the file's blocks).
# Skips unless vmw.crash=write.
. /vmw/lib.sh
[ "$(vmw_cmdline vmw.crash)" = write ] || skip "not a crash-test host (vmw.crash=write)"
vmw_stock virtio_pci && vmw_stock virtio_blk || fail "virtio_blk"
vmw_stock crc32c_generic && vmw_stock ext4 || fail "ext4"
vmw_stock sd_mod && vmw_stock sg || fail "sd_mod/sg"
vmw_insmod vmproc; vmw_insmod vmdisk || fail "insmod vmdisk"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 0.5; done
[ -b /dev/vda ] || fail "no /dev/vda"
mkdir -p /mnt/c && mount -t ext4 /dev/vda /mnt/c || fail "mount"
cd /mnt/c
kind=$(vmw_cmdline vmw.crash.disk)
if [ "$kind" = raw ]; then
	vmdiskctl mkraw -z d.raw 64M && sync || fail "mkraw"
	out=$(vmdiskctl add -d d.raw) || fail "add -d"
else
	vmdiskctl mkvmdk d.vmdk 64M || fail "mkvmdk"
	out=$(vmdiskctl add d.vmdk) || fail "add"
fi
id=${out%% *} dev=$(echo "$out" | awk '{print $3}')
if [ "$kind" = delta ]; then
	dd if=/dev/urandom of=$dev bs=64k count=100 conv=fsync 2>/dev/null
	vmdiskctl snapshot $id s.vmdk >/dev/null || fail "snapshot"
fi
if [ "$kind" = raw ]; then
	# The test is of the direct path: it must be what takes the writes.
	i=0
	until grep -q '^direct on' /proc/vmware/disk/$id/status; do
		[ $i -lt 50 ] || fail "no direct path: $(grep direct /proc/vmware/disk/$id/status)"
		sleep 0.1; i=$((i + 1))
	done
	dd if=/dev/zero of=$dev bs=64k seek=1020 count=4 oflag=direct conv=notrunc,fsync 2>/dev/null
	grep -q '^direct on ios [1-9]' /proc/vmware/disk/$id/status ||
		fail "writes did not go direct: $(grep direct /proc/vmware/disk/$id/status)"
fi
sync
echo "VMW-CRASH-START"
vdrandw log "$(vmw_cmdline vmw.crash.seed)" 1000 $dev || fail "vdrandw"
echo "VMW-CRASH-DONE"
exit 0
