#!/bin/sh
# Crash test, first host (tests/host/crash-vmdisk.sh): a sparse VMDK (with
# vmw.crash.delta=1, a delta on top of one) on the ext4 (journalled, made
# by the host script) of the virtio disk,
# attached to the loopback HBA; vdrandw logs "ACK i" after each write i
# and its fdatasync (SYNCHRONIZE CACHE) returned. The host script kills
# QEMU hard somewhere in the middle. Skips unless vmw.crash=write.
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
vmdiskctl mkvmdk d.vmdk 64M || fail "mkvmdk"
out=$(vmdiskctl add d.vmdk) || fail "add"
id=${out%% *} dev=$(echo "$out" | awk '{print $3}')
if [ "$(vmw_cmdline vmw.crash.delta)" = 1 ]; then
	dd if=/dev/urandom of=$dev bs=64k count=100 conv=fsync 2>/dev/null
	vmdiskctl snapshot $id s.vmdk >/dev/null || fail "snapshot"
fi
sync
echo "VMW-CRASH-START"
vdrandw log "$(vmw_cmdline vmw.crash.seed)" 1000 $dev || fail "vdrandw"
echo "VMW-CRASH-DONE"
exit 0
