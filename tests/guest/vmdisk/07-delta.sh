#!/bin/sh
# vmfsSparse deltas: a snapshot freezes the base (sparse, flat or raw) and
# later writes, partial grains included, land in the delta; a second
# snapshot makes a chain of two; the chain re-opens from its descriptor;
# /proc lists every layer. Nonpersistent disks lose their writes at
# destruction and never touch the base. Parent loops are refused. CIDs:
# opening a disk for writing gives its top descriptor a new CID (never
# read-only or nonpersistent, never a parent's), and a delta made then
# records it as parentCID. vmdiskctl commit folds deltas back, top first.
# A chain opens over a base on a read-only mount (a golden image shared
# read-only), which it never opens for writing.
. /vmw/lib.sh
vmdisk_setup
D=/tmp/vd7
rm -rf $D; mkdir -p $D; cd $D || fail "cd"

# put FILE KIB-OFFSET: the same write to the reference image and the disk
put() {
	dd if=$1 of=ref bs=1k seek=$2 conv=notrunc 2>/dev/null
	dd if=$1 of=$dev bs=1k seek=$2 conv=notrunc,fsync 2>/dev/null || fail "write $1 at ${2}K"
}
same() {
	echo 3 > /proc/sys/vm/drop_caches
	dd if=$dev bs=64k 2>/dev/null | cmp - ref || fail "$1: disk differs from the reference"
}
cid() { grep -a -o -m1 '^CID=[0-9a-f]*' $1 | cut -d= -f2; }
dd if=/dev/urandom of=A bs=64k count=8 2>/dev/null
dd if=/dev/urandom of=B bs=1k count=100 2>/dev/null
dd if=/dev/urandom of=C bs=1k count=3 2>/dev/null

for base in sparse flat raw; do
	rm -f base* s1* s2* ref
	case $base in
	sparse) vmdiskctl mkvmdk base.vmdk 16M; top=base.vmdk data=base.vmdk ;;
	flat) vmdiskctl mkvmdk -f base.vmdk 16M; top=base.vmdk data=base-flat.vmdk ;;
	raw) vmdiskctl mkraw base.img 16M; top=base.img data=base.img ;;
	esac
	dd if=/dev/zero of=ref bs=1M count=16 2>/dev/null
	c0=$(cid $top)
	vmdisk_add -r $top
	vmdiskctl destroy $id
	[ "$(cid $top)" = "$c0" ] || fail "$base: read-only open changed the CID"
	vmdisk_add $top
	c1=$(cid $top)
	[ $base = raw ] || [ "$c1" != "$c0" ] || fail "$base: read-write open kept CID $c0"
	put A 64
	vmdiskctl snapshot $id s1.vmdk >/dev/null || fail "$base: snapshot"
	[ -f s1-delta.vmdk ] || fail "$base: no s1-delta.vmdk"
	grep -q 'parentFileNameHint="base' s1.vmdk || fail "$base: descriptor: $(cat s1.vmdk)"
	[ $base = raw ] || grep -q "^parentCID=$c1" s1.vmdk || fail "$base: parentCID: $(cat s1.vmdk)"
	sum=$(md5sum < $data)
	put B 67			# partial grains over A: copy-on-write
	put C 1000			# partial grain over nothing
	put C $((16 * 1024 - 3))	# the last sector
	same "$base, one delta"
	[ "$(md5sum < $data)" = "$sum" ] || fail "$base: the base changed under its delta"
	vmdiskctl snapshot $id s2.vmdk >/dev/null || fail "$base: second snapshot"
	s1sum=$(md5sum < s1-delta.vmdk)
	put C 66
	put A 4096
	same "$base, two deltas"
	[ "$(md5sum < s1-delta.vmdk)" = "$s1sum" ] || fail "$base: s1 changed under s2"
	st=/proc/vmware/disk/$id/status
	grep -q '^deltas 2' $st || fail "$base: proc: $(cat $st)"
	grep -q "^layer 2 vmdk-delta $D/s2-delta.vmdk" $st || fail "$base: layer 2: $(cat $st)"
	grep -q "^layer 0 .* $D/$data" $st || fail "$base: layer 0: $(cat $st)"
	vmdiskctl list | grep -q "^$id .*$D/s2-delta.vmdk" || fail "$base: list: $(vmdiskctl list)"
	vmdiskctl destroy $id || fail "destroy"
	c2=$(cid s2.vmdk); cs1=$(cid s1.vmdk); c1=$(cid $top)
	vmdisk_add s2.vmdk
	[ "$(cid s2.vmdk)" != "$c2" ] || fail "$base: the re-opened chain's top kept its CID"
	[ "$(cid s1.vmdk)/$(cid $top)" = "$cs1/$c1" ] || fail "$base: re-opening the chain changed a parent's CID"
	same "$base, chain re-opened"
	grep -q '^deltas 2' /proc/vmware/disk/$id/status || fail "$base: re-opened chain depth"
	vmdiskctl destroy $id || fail "destroy"
	if [ $base = flat ]; then	# a base changed since: CID differs
		cp base.vmdk base.vmdk.orig
		sed -i 's/^CID=.*/CID=0badc1d0/' base.vmdk
		out=$(vmdiskctl add s2.vmdk 2>&1) && fail "delta on a changed parent accepted"
		echo "$out" | grep -q "parent .*base.vmdk changed since this delta was made (its CID is 0badc1d0" ||
			fail "CID message: $out"
		mv base.vmdk.orig base.vmdk
		vmdisk_add s2.vmdk
		vmdiskctl destroy $id || fail "destroy"
	fi
	note "$base base: snapshot, chain of 2, re-open: ok"
done

# Nonpersistent: writes are seen, then dropped at destruction.
rm -f base* s1* s2*
dd if=/dev/zero of=ref bs=1M count=16 2>/dev/null
vmdiskctl mkvmdk base.vmdk 16M
vmdisk_add base.vmdk
put A 0
vmdiskctl destroy $id
sum=$(md5sum < base.vmdk)
vmdisk_add -n base.vmdk
grep -q '^mode nonpersistent' /proc/vmware/disk/$id/status || fail "mode"
put B 10
same "nonpersistent"
vmdiskctl snapshot $id s1.vmdk 2>/dev/null && fail "snapshot of a nonpersistent disk"
[ -f s1.vmdk ] && fail "failed snapshot left s1.vmdk"
vmdiskctl destroy $id
[ "$(md5sum < base.vmdk)" = "$sum" ] || fail "nonpersistent disk changed its base"
[ "$(ls)" = "$(printf 'A\nB\nC\nbase.vmdk\nref')" ] || fail "files left: $(ls)"
dd if=/dev/zero of=ref bs=1M count=16 2>/dev/null
dd if=A of=ref bs=1k conv=notrunc 2>/dev/null
vmdisk_add base.vmdk
same "after nonpersistent"
vmdiskctl destroy $id

# Commit: a chain of two deltas folds back into the base, top first; the
# data stay, the deltas go. Refused: a delta in use, one with a delta made
# on it, and a base.
vmdisk_add base.vmdk
vmdiskctl snapshot $id s1.vmdk >/dev/null || fail "snapshot s1"
put B 200
vmdiskctl snapshot $id s2.vmdk >/dev/null || fail "snapshot s2"
put C 300
out=$(vmdiskctl commit s2.vmdk 2>&1) && fail "commit of a delta in use"
echo "$out" | grep -q "disk $id has .* open; destroy it first" || fail "in-use message: $out"
vmdiskctl destroy $id
out=$(vmdiskctl commit s1.vmdk 2>&1) && fail "commit of a delta with a delta on it"
echo "$out" | grep -q "s2.vmdk is a delta made on it" || fail "child message: $out"
out=$(vmdiskctl commit base.vmdk 2>&1) && fail "commit of a base"
echo "$out" | grep -q "not a delta" || fail "not-a-delta message: $out"
msg=$(vmdiskctl commit s2.vmdk) || fail "commit s2: $msg"
echo "$msg" | grep -q "^committed [1-9][0-9]* grains of .*s2-delta.vmdk into .*s1.vmdk" ||
	fail "commit s2 says: $msg"
{ [ -e s2.vmdk ] || [ -e s2-delta.vmdk ]; } && fail "s2 left after its commit"
vmdisk_add s1.vmdk
same "after committing s2 into s1"
vmdiskctl destroy $id
vmdiskctl commit s1.vmdk >/dev/null || fail "commit s1"
vmdisk_add base.vmdk
same "after committing s1 into the base"
vmdiskctl destroy $id
[ "$(ls)" = "$(printf 'A\nB\nC\nbase.vmdk\nref')" ] || fail "files left: $(ls)"
note "commit: s2 into s1, s1 into the base: ok ($msg)"

# A base on a read-only mount: the chain on it opens (the base read-only,
# VMDISK_CREATE_BASE), writes land in the delta; the base alone does not
# open for writing, and a commit into it fails with the mount's error.
rm -f s1* s2*
mkdir -p gold ro
dd if=/dev/zero of=ref bs=1M count=16 2>/dev/null
vmdiskctl mkvmdk gold/base.vmdk 16M
vmdisk_add gold/base.vmdk
put A 0
vmdiskctl snapshot $id s1.vmdk >/dev/null || fail "snapshot s1 of gold/base.vmdk"
vmdiskctl destroy $id
sed -i "s|^parentFileNameHint=\".*/gold/base.vmdk\"|parentFileNameHint=\"$D/ro/base.vmdk\"|" s1.vmdk
grep -q "^parentFileNameHint=\"$D/ro/base.vmdk\"" s1.vmdk || fail "s1.vmdk: $(cat s1.vmdk)"
sum=$(md5sum < gold/base.vmdk)
mount --bind gold ro && mount -o remount,ro,bind ro || fail "a read-only bind mount"
out=$(vmdiskctl add ro/base.vmdk 2>&1) && fail "a base on a read-only mount opened for writing"
echo "$out" | grep -q "Read-only file system" || { umount ro; fail "read-only base: $out"; }
vmdisk_add s1.vmdk
grep -q "^readonly 0" /proc/vmware/disk/$id/status || { umount ro; fail "the chain is read-only"; }
put B 200
same "a chain over a read-only base"
vmdiskctl destroy $id
out=$(vmdiskctl commit s1.vmdk 2>&1) && { umount ro; fail "commit into a base on a read-only mount"; }
umount ro
echo "$out" | grep -q "Read-only file system" || fail "commit into a read-only base: $out"
[ "$(md5sum < gold/base.vmdk)" = "$sum" ] || fail "the read-only base changed"
[ -e s1.vmdk ] && [ -e s1-delta.vmdk ] || fail "a failed commit lost s1"
rm -rf gold ro s1*
note "a chain over a base on a read-only mount: opens, writes to its delta; commit refused: $out"

# Loops: two descriptors naming each other, and one file twice in a chain.
mk_delta() {	# mk_delta NAME PARENT EXTENT
	printf '# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType="vmfsSparse"\nparentFileNameHint="%s"\nRW 32768 VMFSSPARSE "%s"\n' "$2" "$3" > $1
}
vmdisk_add base.vmdk
vmdiskctl snapshot $id s1.vmdk >/dev/null || fail "snapshot"
vmdiskctl destroy $id
mk_delta l1.vmdk l2.vmdk s1-delta.vmdk
mk_delta l2.vmdk l1.vmdk s1-delta.vmdk
out=$(vmdiskctl add l1.vmdk 2>&1) && fail "parent loop accepted"
echo "$out" | grep -q "parent loop" || fail "loop message: $out"
mk_delta twice.vmdk s1.vmdk s1-delta.vmdk
out=$(vmdiskctl add twice.vmdk 2>&1) && fail "one delta twice in a chain accepted"
echo "$out" | grep -q "Too many levels of symbolic links" || fail "ELOOP: $out"
dmesg | tail -3 | grep -q "would loop" || fail "no kernel line for the loop"
vmdiskctl list | grep -q "^[0-9]" && fail "a failed chain left a disk: $(vmdiskctl list)"
note "loops refused: $out"
cd /; rm -rf $D
exit 0
