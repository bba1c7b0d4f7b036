#!/bin/sh
# The stock sg3_utils tools against a vmdisk disk on the loopback HBA, as
# an administrator would use them: INQUIRY (standard and VPD 00 80 83 b0
# b1 b2), TEST UNIT READY, REQUEST SENSE, READ CAPACITY 10/16, MODE SENSE
# 6/10 (pages 08 0a 3f), SEND DIAGNOSTIC (self-test), MODE SELECT 6/10 of the caching page, SYNCHRONIZE
# CACHE, REPORT LUNS, START STOP UNIT, UNMAP, WRITE SAME 10/16 (with and
# without UNMAP), REPORT SUPPORTED OPERATION CODES, PERSISTENT RESERVE
# IN/OUT, RESERVE/RELEASE 6/10; error paths through sg_raw (LBA out of
# range, transfer past the end, a reserved CDB bit, an unknown opcode, an
# unknown VPD page, a short UNMAP parameter list) with their sense key and
# additional sense; sg3_utils' own scsi_mandat; e2fsprogs' mkfs.ext4,
# files and their checksums across a detach and attach, e2fsck; then fio
# writes and verifies (crc32c) random blocks through /dev/sdX with libaio
# and psync.
. /vmw/lib.sh
command -v sg_inq >/dev/null || skip "sg3-utils not in this image (apt-get install sg3-utils)"
vmdisk_setup

T=/tmp/sg3
rm -rf $T && mkdir -p $T
vmdiskctl mkraw $T/disk.img 16M || fail "mkraw"
vmdisk_add $T/disk.img
sd=${dev#/dev/}
sg=/dev/$(ls /sys/block/$sd/device/scsi_generic/)
[ -c $sg ] || fail "no sg node for $dev ($sg)"
hctl=$(basename "$(readlink /sys/block/$sd/device)")
note "disk $id: $dev $sg $hctl"

# run CMD...: CMD must succeed; its output is in $T/out.
run() {
	"$@" > $T/out 2>&1 || { sed 's/^/    /' $T/out; fail "$* (exit $?)"; }
}
# has TEXT: the last run's output holds TEXT.
has() {
	grep -q -i -- "$1" $T/out || { sed 's/^/    /' $T/out; fail "'$1' not in the output of the last command"; }
}
# bad KEY ASC_TEXT SG_RAW_ARGS...: sg_raw must end in CHECK CONDITION with
# this sense key and additional sense text.
bad() {
	key=$1 asc=$2
	shift 2
	sg_raw "$@" > $T/out 2>&1 && { sed 's/^/    /' $T/out; fail "sg_raw $* succeeded"; }
	has "Sense key: $key"
	has "Additional sense: $asc"
}

# INQUIRY, VPD.
run sg_inq $sg
has "Vendor identification: VMware"
has "Product identification: Virtual disk"
run sg_vpd -p 0x00 $sg
for p in sv sn di bl bdc lbpv; do has "\[$p\]"; done
for p in 0x80 0x83 0xb0 0xb1 0xb2; do run sg_vpd -p $p $sg; done
run sg_vpd -p 0x83 $sg
has "designator type: NAA"
run sg_vpd -p 0xb2 $sg
has "Unmap command supported (LBPU): 1"
run sg_vpd -p 0xb0 $sg
has "Maximum unmap LBA count"

# TUR, REQUEST SENSE, SEND DIAGNOSTIC, READ CAPACITY.
run sg_turs $sg
run sg_requests $sg
run sg_senddiag -t $sg
bad "Illegal Request" "Invalid field in cdb" $sg 1d 04 00 00 04 00
bad "Illegal Request" "Invalid field in cdb" $sg 1d 24 00 00 00 00
run sg_readcap $sg
has "Last LBA=32767"
has "Logical block length=512 bytes"
run sg_readcap -l $sg
has "Last LBA=32767"
has "Logical block provisioning: lbpme=1, lbprz=1"

# MODE SENSE 6 and 10; MODE SELECT of the caching page (WCE) 6 and 10.
for p in 8 0xa 0x3f; do
	run sg_modes -6 -p $p $sg
	run sg_modes -p $p $sg
done
wce() {	# the WCE bit of the current caching page, by MODE SENSE(10), DBD
	rm -f $T/mode
	run sg_raw -r 64 -o $T/mode $sg 5a 08 08 00 00 00 00 00 40 00
	echo $(( $(od -A n -t u1 -j 10 -N 1 $T/mode) >> 2 & 1 ))
}
expect_eq "WCE at start" "$(wce)" 1
run sg_wr_mode -6 -p 8 -c 8,12,0 -m 0,0,4 $sg
expect_eq "WCE after MODE SELECT(6)" "$(wce)" 0
run sg_wr_mode -p 8 -c 8,12,4 -m 0,0,4 $sg
expect_eq "WCE after MODE SELECT(10)" "$(wce)" 1

# SYNCHRONIZE CACHE, REPORT LUNS, START STOP UNIT.
run sg_sync $sg
run sg_sync --lba=100 --count=8 $sg
run sg_luns $sg
has "Lun list length = 8"
run sg_start --stop $sg
run sg_start --start $sg
run sg_turs $sg

# UNMAP and WRITE SAME, checked through sg_raw reads (no page cache).
read_blocks() {	# read_blocks LBA COUNT FILE
	rm -f $3
	run sg_raw -r $(($2 * 512)) -o $3 $sg 28 00 \
		$(printf '%02x %02x %02x %02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255))) \
		00 00 $(printf %02x $2) 00
}
dd if=/dev/urandom of=$T/pat bs=512 count=64 2>/dev/null
dd if=$T/pat of=$dev bs=512 count=64 conv=fsync 2>/dev/null || fail "dd to $dev"
read_blocks 0 64 $T/back
cmp $T/pat $T/back || fail "sg_raw read back differs from what dd wrote"
run sg_unmap --lba=8 --num=8 $sg
read_blocks 8 8 $T/back
dd if=/dev/zero of=$T/zero bs=512 count=8 2>/dev/null
cmp $T/zero $T/back || fail "unmapped blocks do not read as zeroes"
dd if=/dev/urandom of=$T/one bs=512 count=1 2>/dev/null
for i in 1 2 3 4 5 6 7 8; do cat $T/one; done > $T/eight
run sg_write_same --10 --lba=16 --num=8 --in=$T/one $sg
read_blocks 16 8 $T/back
cmp $T/eight $T/back || fail "WRITE SAME(10) data"
run sg_write_same --16 --lba=24 --num=8 --in=$T/one $sg
read_blocks 24 8 $T/back
cmp $T/eight $T/back || fail "WRITE SAME(16) data"
run sg_write_same --16 --unmap --lba=24 --num=8 $sg
read_blocks 24 8 $T/back
cmp $T/zero $T/back || fail "WRITE SAME(16) with UNMAP"
read_blocks 32 32 $T/back
dd if=$T/pat bs=512 skip=32 count=32 2>/dev/null | cmp - $T/back ||
	fail "UNMAP / WRITE SAME changed blocks outside their range"

# REPORT SUPPORTED OPERATION CODES.
run sg_opcodes $sg
for op in "Inquiry" "Read(10)" "Write same(16)" "Unmap" "Persistent reserve out"; do
	has "$op"
done
run sg_opcodes -o 0x28 $sg
run sg_opcodes -o 0x93 $sg

# Persistent reservations, then SCSI-2 RESERVE/RELEASE 6 and 10.
run sg_persist -i -k $sg
has "there are NO registered reservation keys"
run sg_persist -o -G -S 0xabc $sg
run sg_persist -i -k $sg
has "0xabc"
run sg_persist -o -R -K 0xabc -T 1 $sg
run sg_persist -i -r $sg
has "type: Write Exclusive"
run sg_persist -i -c $sg
run sg_persist -o -L -K 0xabc -T 1 $sg
run sg_persist -o -G -K 0xabc -S 0 $sg
run sg_persist -i -k $sg
has "there are NO registered reservation keys"
run sg_raw $sg 16 00 00 00 00 00
run sg_raw $sg 17 00 00 00 00 00
run sg_raw $sg 56 00 00 00 00 00 00 00 00 00
run sg_raw $sg 57 00 00 00 00 00 00 00 00 00

# Error paths.
bad "Illegal Request" "Logical block address out of range" -r 512 $sg 28 00 00 00 80 00 00 00 01 00
bad "Illegal Request" "Logical block address out of range" -r 4096 $sg 28 00 00 00 7f ff 00 00 08 00
bad "Illegal Request" "Logical block address out of range" -r 512 $sg 88 00 ff ff ff ff ff ff ff ff 00 00 00 01 00 00
bad "Illegal Request" "Invalid field in cdb" -r 512 $sg 28 01 00 00 00 00 00 00 01 00
bad "Illegal Request" "Invalid command operation code" $sg ff 00 00 00 00 00
bad "Illegal Request" "Invalid field in cdb" -r 252 $sg 12 01 99 00 fc 00
printf '\000\006\000\000' > $T/short
bad "Illegal Request" "Parameter list length error" -s 4 -i $T/short $sg 42 00 00 00 00 00 00 00 04 00
read_blocks 0 8 $T/back
dd if=$T/pat bs=512 count=8 2>/dev/null | cmp - $T/back || fail "failed commands changed data"

# sg3_utils' mandatory-command check.
if command -v bash >/dev/null && command -v scsi_mandat >/dev/null; then
	run bash "$(command -v scsi_mandat)" $sg
	sed 's/^/    /' $T/out | tail -4
	grep -q -i "fail" $T/out && fail "scsi_mandat reports a failure"
else
	note "bash or scsi_mandat missing: scsi_mandat skipped"
fi

# ext4 made by e2fsprogs: files survive a detach and attach; fsck is clean.
# (e2fsprogs lives in /usr/sbin, off the test host's PATH.)
if [ -x /usr/sbin/mkfs.ext4 ] && [ -x /usr/sbin/e2fsck ] &&
   vmw_stock crc32c_generic && vmw_stock ext4; then
	run /usr/sbin/mkfs.ext4 -q -F $dev
	mkdir -p $T/mnt
	run mount -t ext4 $dev $T/mnt
	for i in 1 2 3 4; do dd if=/dev/urandom of=$T/mnt/f$i bs=64k count=$((i * 8)) 2>/dev/null; done
	mkdir $T/mnt/dir && cp $T/pat $T/mnt/dir/pat
	(cd $T/mnt && md5sum f1 f2 f3 f4 dir/pat) > $T/sums
	run umount $T/mnt
	vmdiskctl detach $id || fail "detach"
	out=$(vmdiskctl attach $id) || fail "attach"
	dev=$(echo "$out" | awk '{print $3}')
	run /usr/sbin/e2fsck -f -n $dev
	run mount -t ext4 $dev $T/mnt
	(cd $T/mnt && md5sum -c $T/sums) > $T/out 2>&1 || { cat $T/out; fail "checksums after re-attach"; }
	run umount $T/mnt
	note "mkfs.ext4, 5 files, detach/attach, e2fsck -f: clean, checksums match"
else
	note "mkfs.ext4/e2fsck/ext4 missing: ext4 check skipped"
fi

# fio: random writes verified with crc32c, asynchronous and synchronous.
if command -v fio >/dev/null; then
	for engine in libaio psync; do
		run fio --name=verify-$engine --filename=$dev --direct=1 --ioengine=$engine \
			--rw=randwrite --bs=4k --size=8M --iodepth=16 --verify=crc32c \
			--do_verify=1 --verify_fatal=1 --randseed=7
		has "err= 0"
		note "fio $engine: $(grep -o 'IOPS=[^,]*' $T/out | tr '\n' ' ')"
	done
else
	note "fio not in this host (mkinitramfs.sh packs it with VMW_HOST_FIO=1): verify job skipped"
fi

vmdiskctl destroy $id || fail "destroy"
rm -rf $T
exit 0
