#!/bin/sh
# A raw disk on an O_DIRECT file (ext4 on a loop device, vmdiskctl add -d):
# eight concurrent O_DIRECT writers and then readers through /dev/sdX (so
# the backend's asynchronous kiocbs overlap), the data checked against the
# file; a snapshot taken while writers run waits for the commands in flight
# and loses none of them.
. /vmw/lib.sh
vmw_stock loop && vmw_stock crc32c_generic && vmw_stock ext4 || skip "loop/ext4 missing"
vmdisk_setup
M=/mnt/vd11
dd if=/dev/zero of=/tmp/e11.img bs=1M count=80 2>/dev/null
losetup /dev/loop5 /tmp/e11.img || skip "no loop device"
cleanup() { cd /; umount $M 2>/dev/null; losetup -d /dev/loop5; rm -f /tmp/e11.img /tmp/pat11; }
trap cleanup EXIT
mke2fs -q /dev/loop5 && mkdir -p $M && mount -t ext4 /dev/loop5 $M || fail "ext4 on loop"
cd $M
vmdiskctl mkraw d.img 32M || fail "mkraw"
out=$(vmdiskctl add -d d.img) || fail "add -d: $out"
id=${out%% *} dev=$(echo "$out" | awk '{print $3}')
dd if=/dev/urandom of=/tmp/pat11 bs=1M count=32 2>/dev/null

par() {	# par dd-ARGS...: eight dd, one per 4 MiB, in parallel
	for i in 0 1 2 3 4 5 6 7; do
		dd "$@" bs=64k skip=$((i * 64)) seek=$((i * 64)) count=64 2>/dev/null &
	done
	wait
}
par if=/tmp/pat11 of=$dev oflag=direct conv=notrunc
sync
cmp /tmp/pat11 d.img || fail "concurrent direct writes: the file differs"
rm -f /tmp/r11; par if=$dev of=/tmp/r11 iflag=direct conv=notrunc
cmp /tmp/pat11 /tmp/r11 || fail "concurrent direct reads differ"
rm -f /tmp/r11
note "8 concurrent writers and readers: ok ($(grep -E '^(reads|writes) ' /proc/vmware/disk/$id/stats | tr '\n' ' '))"

# Snapshot under load: every write lands in the base before or the delta after.
dd if=/dev/urandom of=/tmp/pat11 bs=1M count=32 2>/dev/null
par if=/tmp/pat11 of=$dev oflag=direct conv=notrunc &
sleep 0.3
vmdiskctl snapshot $id s.vmdk >/dev/null || fail "snapshot under load"
wait
echo 3 > /proc/sys/vm/drop_caches
cmp /tmp/pat11 $dev || fail "data lost across a snapshot under load"
vmdiskctl destroy $id || fail "destroy"
out=$(vmdiskctl add s.vmdk) || fail "re-open the chain"
id=${out%% *} dev=$(echo "$out" | awk '{print $3}')
cmp /tmp/pat11 $dev || fail "re-opened chain differs"
vmdiskctl destroy $id
note "snapshot under load: ok"
exit 0
