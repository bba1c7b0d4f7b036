#!/bin/sh
# Interoperability with qemu-img, both ways: images qemu-img creates
# (monolithicSparse, monolithicFlat, and converted from raw data) are read
# and written through vmdisk; images vmdisk writes (sparse, flat, a chain
# of deltas) pass `qemu-img check` and `qemu-img compare` against a raw
# copy written the same way.
. /vmw/lib.sh
command -v qemu-img >/dev/null || skip "qemu-img not in this image"
command -v vdrandw >/dev/null || skip "vdrandw not in this image"
vmdisk_setup
D=/tmp/vd10
rm -rf $D; mkdir -p $D; cd $D || fail "cd"

qcheck() {	# qcheck IMAGE: qemu-img check finds nothing wrong
	out=$(qemu-img check -f vmdk $1 2>&1) || fail "qemu-img check $1: $out"
}
qsame() {	# qsame IMAGE RAW
	out=$(qemu-img compare -f vmdk -F raw $1 $2 2>&1) || fail "qemu-img compare $1 $2: $out"
}

# 1. qemu-img makes it, vmdisk writes it, qemu-img checks and reads it.
for sub in monolithicSparse monolithicFlat; do
	rm -f q*.vmdk ref.img
	qemu-img create -q -f vmdk -o subformat=$sub q.vmdk 32M || fail "qemu-img create $sub"
	vmdiskctl mkraw ref.img 32M
	vmdisk_add q.vmdk; qid=$id qdev=$dev
	vmdisk_add ref.img; rid=$id rdev=$dev
	vdrandw diff 7 800 $qdev $rdev || fail "writes to $sub"
	vmdiskctl destroy $qid; vmdiskctl destroy $rid
	qcheck q.vmdk
	qsame q.vmdk ref.img
	note "qemu-img $sub written by vmdisk: check and compare ok"
done

# 2. qemu-img converts raw data to a VMDK; vmdisk reads the same data.
dd if=/dev/urandom of=data.img bs=1M count=4 2>/dev/null
dd if=/dev/zero of=data.img bs=1M seek=6 count=2 2>/dev/null
qemu-img convert -f raw -O vmdk data.img conv.vmdk || fail "qemu-img convert"
vmdisk_add conv.vmdk
cmp $dev data.img || fail "vmdisk reads qemu-img's VMDK differently"
vmdiskctl destroy $id
note "qemu-img convert raw -> vmdk read by vmdisk: identical"

# 3. vmdisk makes it (sparse, flat, then deltas on the sparse one).
for kind in sparse flat; do
	rm -f v*.vmdk ref.img
	if [ $kind = sparse ]; then vmdiskctl mkvmdk v.vmdk 32M; else vmdiskctl mkvmdk -f v.vmdk 32M; fi
	vmdiskctl mkraw ref.img 32M
	vmdisk_add v.vmdk; vid=$id vdev=$dev
	vmdisk_add ref.img; rid=$id rdev=$dev
	vdrandw diff 8 800 $vdev $rdev || fail "writes to $kind"
	if [ $kind = sparse ]; then
		vmdiskctl snapshot $vid v1.vmdk >/dev/null || fail "snapshot"
		vdrandw diff 9 400 $vdev $rdev || fail "writes to the delta"
		vmdiskctl snapshot $vid v2.vmdk >/dev/null || fail "snapshot 2"
		vdrandw diff 10 400 $vdev $rdev || fail "writes to delta 2"
	fi
	vmdiskctl destroy $vid; vmdiskctl destroy $rid
	qcheck v.vmdk
	if [ $kind = sparse ]; then
		qsame v2.vmdk ref.img
		qemu-img convert -f vmdk -O raw v2.vmdk out.img || fail "qemu-img convert chain"
		cmp out.img ref.img || fail "qemu-img reads the chain differently"
		info=$(qemu-img info v2.vmdk 2>&1)
		echo "$info" | grep -q "backing file: v1.vmdk" || fail "qemu-img info: $info"
		note "vmdisk sparse + 2 deltas: qemu-img check, compare, convert ok"
	else
		qsame v.vmdk ref.img
		note "vmdisk flat: qemu-img check and compare ok"
	fi
done
cd /; rm -rf $D
exit 0
