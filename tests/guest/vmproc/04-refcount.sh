#!/bin/sh
# vmproc cannot go while a client is registered; an open file does not pin
# it and answers EIO once its owner is gone.
. /vmw/lib.sh
vmw_insmod vmproc && vmw_insmod vmproc_test || fail "insmod"
expect_eq "vmproc users" "$(awk '$1 == "vmproc" { print $3 }' /proc/modules)" 1
rmmod vmproc 2>/dev/null && fail "rmmod vmproc succeeded with a client loaded"
cat /proc/vmware/version > /dev/null || fail "version unreadable after refused rmmod"

exec 3< /proc/vmware/test/text
rmmod vmproc_test || fail "rmmod vmproc_test with a file open"
err=$(cat <&3 2>&1) && fail "read of a removed file succeeded: $err"
echo "$err" | grep -q "Input/output error" || fail "read of a removed file: '$err', want EIO"
exec 3<&-

exec 3< /proc/vmware/version
rmmod vmproc || fail "rmmod vmproc with version open"
cat <&3 > /dev/null 2>&1 && fail "read of version after rmmod succeeded"
exec 3<&-
exit 0
