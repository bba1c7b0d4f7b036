#!/bin/sh
# Crash test, second host on the same virtio disk: the file system mounts,
# the image opens (the chain, after a crash of a delta), every write whose
# ACK the first host printed is there, qemu-img check (when present) finds
# the image sound, and the disk still takes writes. Skips unless
# vmw.crash=check; vmw.crash.acked is the number of ACK lines seen.
. /vmw/lib.sh
[ "$(vmw_cmdline vmw.crash)" = check ] || skip "not a crash-test host (vmw.crash=check)"
vmw_stock virtio_pci && vmw_stock virtio_blk || fail "virtio_blk"
vmw_stock crc32c_generic && vmw_stock ext4 || fail "ext4"
vmw_stock sd_mod && vmw_stock sg || fail "sd_mod/sg"
vmw_insmod vmproc; vmw_insmod vmdisk || fail "insmod vmdisk"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 0.5; done
mkdir -p /mnt/c && mount -t ext4 /dev/vda /mnt/c || fail "mount after the crash"
cd /mnt/c
img=d.vmdk
[ -f s.vmdk ] && img=s.vmdk
[ -f d.raw ] && img=d.raw
note "after the crash: $(ls -l | awk 'NR > 1 { printf "%s %s, ", $9, $5 }')"
if [ $img = d.raw ]; then
	out=$(vmdiskctl add -d $img) || fail "the raw disk does not open: $(dmesg | tail -3)"
else
	out=$(vmdiskctl add $img) || fail "the image does not open: $(dmesg | tail -3)"
fi
id=${out%% *} dev=$(echo "$out" | awk '{print $3}')
acked=$(vmw_cmdline vmw.crash.acked)
out=$(vdrandw check "$(vmw_cmdline vmw.crash.seed)" "$acked" $dev) ||
	fail "acknowledged write lost: $out of $acked"
note "all $acked acknowledged writes are there"
dd if=/dev/urandom of=$dev bs=64k seek=1000 count=4 conv=fsync 2>/dev/null || fail "write after the crash"
vmdiskctl destroy $id || fail "destroy"
if [ $img != d.raw ] && command -v qemu-img >/dev/null; then
	out=$(qemu-img check -f vmdk $img 2>&1) || fail "qemu-img check: $out"
	note "qemu-img check: $(echo "$out" | tail -1)"
fi
cd /; umount /mnt/c
exit 0
