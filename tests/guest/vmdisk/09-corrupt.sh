#!/bin/sh
# Corrupt images: every damaged header, table or descriptor is refused
# with a clear errno and one kernel log line naming the file; nothing is
# created, nothing splats (the judge checks the console).
. /vmw/lib.sh
vmdisk_setup
D=/tmp/vd9
rm -rf $D; mkdir -p $D; cd $D || fail "cd"

put32() {	# put32 FILE BYTE VALUE: little-endian
	v=$3
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((v & 255)) $((v >> 8 & 255)) \
		$((v >> 16 & 255)) $((v >> 24 & 255)))" |
		dd of=$1 bs=1 seek=$2 conv=notrunc 2>/dev/null
}
get32() { od -An -tu4 -j$2 -N4 $1 | tr -d ' '; }
# refuse WHAT ERRNO-TEXT LOG-TEXT FILE: creating a disk from FILE fails so
refuse() {
	what=$1 err=$2 log=$3 f=$4
	dmesg -c >/dev/null
	out=$(vmdiskctl create -t vmdk $f 2>&1) && fail "$what: accepted"
	echo "$out" | grep -q "$err" || fail "$what: '$out', not '$err'"
	k=$(dmesg | grep "vmdisk: .*$f")
	echo "$k" | grep -q "$log" || fail "$what: kernel said '$(dmesg | tail -2)'"
	note "$what: $err; $(echo "$k" | sed 's/^\[[^]]*\] //' | head -1)"
}
fresh() { rm -f v.vmdk; vmdiskctl mkvmdk v.vmdk 16M || fail "mkvmdk"; }

fresh; gd=$(get32 v.vmdk 56); gt0=$(get32 v.vmdk $((gd * 512)))
note "sane image: GD at sector $gd, GT 0 at sector $gt0"
out=$(vmdiskctl create v.vmdk) || fail "the sane image: $out"
vmdiskctl destroy $out

fresh; put32 v.vmdk 0 0x12345678
refuse "bad magic" "Invalid argument" "no KDMV or COWD magic" v.vmdk
fresh; put32 v.vmdk 4 99
refuse "bad version" "Invalid argument" "KDMV version 99" v.vmdk
fresh; put32 v.vmdk 20 3
refuse "grain size 3" "Invalid argument" "grain size 3" v.vmdk
fresh; put32 v.vmdk 44 1000
refuse "1000 GTEs per GT" "Invalid argument" "1000 entries" v.vmdk
fresh; put32 v.vmdk 16 0x100
refuse "capacity 2^40 sectors" "File too large" "too many" v.vmdk
fresh; put32 v.vmdk 8 0x10003
refuse "compressed" "Operation not supported" "streamOptimized" v.vmdk
fresh; put32 v.vmdk 56 0x7fffff00
refuse "GD outside the file" "Invalid argument" "GD at sector" v.vmdk
fresh; put32 v.vmdk $((gd * 512)) 0x7fffff00
refuse "GT outside the file" "Invalid argument" "GD entry 0: GT at sector" v.vmdk
fresh; put32 v.vmdk $((gd * 512)) 0
refuse "GT not allocated" "Operation not supported" "not preallocated" v.vmdk
fresh; put32 v.vmdk $((gt0 * 512 + 8)) 0x7fffff00
refuse "grain outside the file" "Invalid argument" "GT 0 entry 2: grain at sector" v.vmdk
fresh; truncate -s $((gt0 * 512 + 100)) v.vmdk
refuse "truncated in a GT" "Invalid argument" "outside the file" v.vmdk
fresh; truncate -s 100 v.vmdk
refuse "truncated header" "Invalid argument" "too short" v.vmdk

# A COWD delta: a good one opens on its own, damaged ones do not.
rm -f v.vmdk
vmdiskctl mkvmdk b.vmdk 16M; out=$(vmdiskctl create b.vmdk); id=$out
vmdiskctl snapshot $id s.vmdk >/dev/null || fail "snapshot"
vmdiskctl destroy $id
cp s-delta.vmdk c.vmdk
out=$(vmdiskctl create -t vmdk c.vmdk) || fail "a lone COWD: $out"
vmdiskctl destroy $out
put32 c.vmdk 20 2
refuse "COWD GD in the header" "Invalid argument" "inside the header" c.vmdk
cp s-delta.vmdk c.vmdk; put32 c.vmdk 24 0
refuse "COWD GD too small" "Invalid argument" "0 GD entries" c.vmdk
cp s-delta.vmdk c.vmdk; put32 c.vmdk 2048 0x7fffff00
refuse "COWD GT outside" "Invalid argument" "GD entry 0: GT at sector" c.vmdk
cp s-delta.vmdk c.vmdk; truncate -s 1000 c.vmdk
refuse "COWD truncated" "Invalid argument" "truncated COWD header" c.vmdk
# A delta smaller than the disk it would go on.
cp s-delta.vmdk c.vmdk; put32 c.vmdk 12 1024
mk() { printf '# Disk DescriptorFile\nversion=1\nCID=2\nparentCID=ffffffff\ncreateType="vmfsSparse"\nparentFileNameHint="b.vmdk"\nRW 32768 VMFSSPARSE "c.vmdk"\n' > small.vmdk; }
mk; out=$(vmdiskctl add small.vmdk 2>&1) && fail "small delta accepted"
echo "$out" | grep -q "Invalid argument" || fail "small delta: $out"
dmesg | grep -q "a delta of 524288 bytes" || fail "small delta: no kernel line"

# Descriptor garbage: refused by the tool before the kernel sees it.
printf '# Disk DescriptorFile\n\001\002garbage\377\nRW x FLAT\n' > g.vmdk
out=$(vmdiskctl create g.vmdk 2>&1) && fail "garbage descriptor accepted"
echo "$out" | grep -q "no extent" || fail "garbage: $out"
printf '# Disk DescriptorFile\nRW 100 FLAT "nothere-flat.vmdk" 0\n' > g.vmdk
out=$(vmdiskctl create g.vmdk 2>&1) && fail "missing extent accepted"
echo "$out" | grep -q "No such file" || fail "missing extent: $out"
printf '# Disk DescriptorFile\nRW 100 VMFSSPARSE "c.vmdk"\n' > g.vmdk
out=$(vmdiskctl create g.vmdk 2>&1) && fail "orphan delta accepted"
echo "$out" | grep -q "without parentFileNameHint" || fail "orphan delta: $out"
head -c 20000 /dev/urandom > g.vmdk
printf '# Disk DescriptorFile\n' | dd of=g.vmdk conv=notrunc 2>/dev/null
out=$(vmdiskctl create g.vmdk 2>&1) && fail "random descriptor accepted"
note "descriptor garbage: $out"
vmdiskctl list | grep -q "^[0-9]" && fail "a refused image left a disk: $(vmdiskctl list)"
cd /; rm -rf $D
exit 0
