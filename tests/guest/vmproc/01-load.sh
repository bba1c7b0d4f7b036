#!/bin/sh
# vmproc creates /proc/vmware with a version file and removes it on unload.
. /vmw/lib.sh
[ -e /proc/vmware ] && fail "/proc/vmware exists before vmproc is loaded"
vmw_insmod vmproc || fail "insmod vmproc"
[ -d /proc/vmware ] || fail "no /proc/vmware after insmod"
v=$(cat /proc/vmware/version) || fail "cannot read version"
echo "$v" | sed 's/^/  /'
echo "$v" | grep -q "^product " || fail "version lacks product line"
echo "$v" | grep -q "^build ." || fail "version lacks build line"
expect_eq "kernel line" "$(echo "$v" | sed -n 's/^kernel //p')" "$(uname -r)"
expect_eq "version mode" "$(stat -c %a /proc/vmware/version)" 444
echo x > /proc/vmware/version 2>/dev/null && fail "version accepted a write"
expect_eq "version after write" "$(cat /proc/vmware/version)" "$v"
rmmod vmproc || fail "rmmod vmproc"
[ -e /proc/vmware ] && fail "/proc/vmware left after rmmod"
exit 0
