#!/bin/sh
# A guest that triple-faults ends its VM: vmx names the triple fault, exits
# non-zero and leaves nothing in /proc/vmware/vm. The guest gets there the
# way Linux does itself with reboot=t: it drops its IDT and raises int3.
. /vmw/lib.sh
P=/vmw/payload
[ -x $P/vmx ] && [ -f $P/vmlinuz ] || skip "no vmx payload (vmx/mkpayload.sh)"
vmw_load_all
[ -c /dev/vmmon ] || fail "/dev/vmmon is missing"
T=/tmp/vmx-triple
rm -rf $T && mkdir -p $T
cat > $T/guest.vmx <<EOC
memsize = "128"
kernel = "$P/vmlinuz"
initrd = "$P/guest.cpio.gz"
cmdline = "console=ttyS0 reboot=t panic=-1 nokaslr tsc=reliable no_timer_check mitigations=off pci=conf1 rdinit=/init quiet"
EOC
mkfifo $T/in
$P/vmx $T/guest.vmx < $T/in > $T/out 2> $T/err &
pid=$!
exec 3> $T/in
i=0
while ! grep -a -q VMX-GUEST-READY $T/out; do
	[ $i -ge 400 ] && { tail $T/out; cat $T/err; kill -KILL $pid; fail "guest did not come up"; }
	kill -0 $pid 2>/dev/null || { cat $T/err; fail "vmx died before the guest came up"; }
	sleep 1
	i=$((i + 1))
done
vmx_type_until_exit $pid 3 'reboot -f' 180 ||
	{ tail $T/out; cat $T/err; kill -KILL $pid; fail "vmx still running 180 s after 'reboot -f'"; }
exec 3>&-
sed 's/^/    /' $T/err
[ $rc -ne 0 ] || fail "vmx exited with status 0 after a triple fault"
note "vmx exit status $rc"
grep -q "triple fault" $T/err || fail "vmx did not name the triple fault"
grep -q "through the keyboard controller" $T/err && fail "vmx restarted the VM instead of ending it"
left=$(ls /proc/vmware/vm 2>/dev/null | wc -l)
expect_eq "VMs left in /proc/vmware/vm" "$left" 0
exit 0
