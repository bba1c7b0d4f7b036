#!/bin/sh
# SIGTERM powers a running VM off: exit status 0, nothing left in
# /proc/vmware/vm. First with the console in a file (serial0.fileType =
# "file") and the guest up, then with a console socket ("pipe"), which
# must be gone afterwards.
. /vmw/lib.sh
P=/vmw/payload
[ -x $P/vmx ] || skip "no vmx payload (vmx/mkpayload.sh)"
DEV=${VMX_DEV:-/dev/vmmon}
if [ "$DEV" = /dev/kvm ]; then
	vmw_kvm || skip "no stock KVM for this CPU"
else
	vmw_load_all
fi
[ -c "$DEV" ] || fail "$DEV is missing"
export VMX_DEV=$DEV
T=/tmp/vmx-term
rm -rf $T && mkdir -p $T
config() {	# config FILETYPE FILENAME
	cat <<EOC
memsize = "128"
kernel = "$P/vmlinuz"
initrd = "$P/guest.cpio.gz"
cmdline = "console=ttyS0 reboot=k panic=-1 nokaslr tsc=reliable no_timer_check mitigations=off pci=conf1 rdinit=/init"
serial0.fileType = "$1"
serial0.fileName = "$2"
EOC
}
term() {	# term PID: SIGTERM, expect exit 0 and no VM left
	kill -TERM $1
	wait $1
	rc=$?
	sed 's/^/    /' $T/err
	expect_eq "exit status after SIGTERM" $rc 0
	grep -q SIGTERM $T/err || fail "no SIGTERM message"
	left=$(ls /proc/vmware/vm 2>/dev/null | wc -l)
	expect_eq "VMs left" "$left" 0
}

config file console.log > $T/file.vmx
$P/vmx $T/file.vmx < /dev/null > $T/out 2> $T/err &
pid=$!
i=0
while ! grep -a -q VMX-GUEST-READY $T/console.log 2>/dev/null; do
	[ $i -ge 400 ] && { tail $T/console.log; cat $T/err; kill -KILL $pid; fail "guest did not come up"; }
	kill -0 $pid || { cat $T/err; fail "vmx died"; }
	sleep 1
	i=$((i + 1))
done
[ -s $T/out ] && fail "console output went to stdout with serial0.fileType = file"
[ -d /proc/vmware/vm ] && note "running: $(ls /proc/vmware/vm | wc -l) VM(s) in /proc/vmware/vm"
term $pid

config pipe con.sock > $T/pipe.vmx
$P/vmx $T/pipe.vmx < /dev/null > $T/out 2> $T/err &
pid=$!
i=0
while [ ! -S $T/con.sock ]; do
	[ $i -ge 30 ] && { cat $T/err; kill -KILL $pid; fail "no console socket"; }
	sleep 1
	i=$((i + 1))
done
sleep 2
term $pid
[ -e $T/con.sock ] && fail "console socket left behind"
exit 0
