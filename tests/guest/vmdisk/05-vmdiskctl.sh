#!/bin/sh
# vmdiskctl end to end: mkraw, add, list, dd through /dev/sdX, detach,
# attach, destroy.
. /vmw/lib.sh
vmdisk_setup

vmdiskctl mkraw /tmp/ctl.img 8M || fail "mkraw"
vmdiskctl mkraw /tmp/ctl.img 8M 2>/dev/null && fail "mkraw overwrote a file"
out=$(vmdiskctl add /tmp/ctl.img) || fail "add"
note "add: $out"
id=${out%% *}
dev=$(echo "$out" | awk '{print $3}')
[ -b "$dev" ] || fail "no block device in '$out'"
vmdiskctl list | sed 's/^/    /'
vmdiskctl list | grep -q "^$id .*8388608 .*rw .*/tmp/ctl.img" || fail "list"

dd if=/dev/urandom of=/tmp/pat bs=4k count=256 2>/dev/null
dd if=/tmp/pat of="$dev" bs=4k conv=fsync 2>/dev/null || fail "dd to $dev"
head -c 1048576 /tmp/ctl.img | cmp /tmp/pat - || fail "backing file differs"
vmdiskctl detach "$id" || fail "detach"
vmdiskctl detach "$id" 2>/dev/null && fail "second detach"
[ -b "$dev" ] && fail "$dev still there after detach"
out=$(vmdiskctl attach "$id") || fail "attach"
dev=$(echo "$out" | awk '{print $3}')
dd if="$dev" of=/tmp/back bs=4k count=256 2>/dev/null || fail "dd from $dev"
cmp /tmp/pat /tmp/back || fail "data after re-attach differs"
vmdiskctl destroy "$id" || fail "destroy"
vmdiskctl list | grep -q "^$id " && fail "destroyed disk listed"
vmdiskctl attach 99 2>/dev/null && fail "attach 99"
vmdiskctl bogus 2>/dev/null && fail "bogus command accepted"
rm -f /tmp/ctl.img /tmp/pat /tmp/back
exit 0
