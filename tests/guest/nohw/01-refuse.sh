#!/bin/sh
# On a CPU without VT-x or AMD-V, vmmon refuses to load with a clear line
# in dmesg and an errno, and leaves nothing behind.
. /vmw/lib.sh
grep -q -w -E 'svm|vmx' /proc/cpuinfo && skip "this host has hardware virtualization"
vmw_insmod vmproc || fail "insmod vmproc"
dmesg -c > /dev/null
err=$(vmw_insmod vmmon 2>&1) && fail "vmmon loaded without VT-x/AMD-V"
note "insmod: $err"
echo "$err" | grep -q "No such device" || fail "insmod vmmon: '$err', want ENODEV"
dmesg | grep -q "vmmon: this CPU has neither Intel VT-x nor AMD-V" || fail "no clear dmesg line"
[ -e /dev/vmmon ] && fail "/dev/vmmon left behind"
[ -e /proc/vmware/vmmon ] && fail "/proc/vmware/vmmon left behind"
rmmod vmproc || fail "vmproc still in use"
exit 0
