#!/bin/sh
# vmx boots the stock kernel as a guest ($VMX_VCPUS vCPUs, default 1) on
# /dev/vmmon (or on $VMX_DEV), reaches the guest's shell, answers a command typed on the
# console, reports the configured memory and CPU count, reboots (vmx
# restarts the VM), powers off with exit status 0 and leaves no VM behind.
# The guest's own warnings are shown, reworded so that the host's judge
# does not take them for a splat of the test host; on vmmon they fail it.
. /vmw/lib.sh
P=/vmw/payload
[ -x $P/vmx ] && [ -f $P/vmlinuz ] || skip "no vmx payload (vmx/mkpayload.sh)"
DEV=${VMX_DEV:-/dev/vmmon}
if [ "$DEV" = /dev/kvm ]; then
	vmw_kvm || skip "no stock KVM for this CPU"
else
	vmw_load_all
fi
[ -c "$DEV" ] || fail "$DEV is missing"
MEM=256
CPUS=${VMX_VCPUS:-1}
T=/tmp/vmx-boot
rm -rf $T && mkdir -p $T
cat > $T/guest.vmx <<EOC
.encoding = "UTF-8"
displayName = "boot test"
guestOS = "debian12-64"
memsize = "$MEM"
numvcpus = "$CPUS"
kernel = "$P/vmlinuz"
initrd = "$P/guest.cpio.gz"
cmdline = "console=ttyS0 earlyprintk=ttyS0 reboot=k panic=-1 nokaslr tsc=reliable no_timer_check mitigations=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd pci=conf1 rdinit=/init"
tools.syncTime = "FALSE"
EOC
mkfifo $T/in
VMX_DEV=$DEV $P/vmx $T/guest.vmx < $T/in > $T/out 2> $T/err &
pid=$!
exec 3> $T/in

# Where a stuck guest is: its last RIP, named from this host's kallsyms
# (the guest runs the same kernel, without KASLR).
guest_sym() {	# guest_sym ADDR: the host function holding the guest's ADDR
	text=$(awk '$3 == "_text" { print $1 }' /proc/kallsyms)
	[ -n "$text" ] || return 0
	t=$(printf '%016x' $((0x$text + 0x$1 - 0xffffffff81000000)))
	awk -v t=$t '($2 == "t" || $2 == "T") && $1 <= t { s = $3 } END { print s }' /proc/kallsyms
}
guest_where() {
	rip=$(sed -n 's/.* rip 0x\([0-9a-f]*\).*/\1/p' /proc/vmware/vm/*/vcpus 2>/dev/null | head -1)
	[ -n "$rip" ] && note "guest rip $rip: $(guest_sym $rip)"
}
guest_stack() {	# the return addresses vmx's dump found on each vCPU's stack
	sed -n 's/.*dump: vcpu \([0-9]*\) stack: *//p' $T/err | tr ' ' '\n' | grep . | head -24 |
		while read -r a; do note "  stack $a $(guest_sym $a)"; done
}
show() { guest_where; kill -USR2 $pid 2>/dev/null; sleep 2; guest_stack; for f in $(find /proc/vmware/vm -type f 2>/dev/null); do [ -f "$f" ] && { note "--- $f"; sed 's/^/    /' "$f"; }; done; note "--- guest console (tail)"; tail -${SHOW:-60} $T/out | sed 's/^/    /'; note "--- vmx stderr"; sed 's/^/    /' $T/err; }
wait_for() {	# wait_for PATTERN SECONDS [COUNT]
	i=0
	while [ "$(grep -a -c "$1" $T/out)" -lt "${3:-1}" ]; do
		kill -0 $pid 2>/dev/null || { show; fail "vmx exited before '$1'"; }
		[ $i -ge "$2" ] && { show; kill -KILL $pid; fail "no '$1' after $2 s"; }
		sleep 1
		i=$((i + 1))
	done
}

wait_for VMX-GUEST-READY 400
note "guest up: $(grep -a VMX-GUEST-READY $T/out | tr -d '\r')"
# The guest's serial driver may still reset its receive FIFO while the shell
# starts: wait for the prompt, and type the question again if it was lost.
wait_for '/ # ' 120
QUESTION='echo VMX-CPUS=$(grep -c ^processor /proc/cpuinfo); t=0; for r in $(grep "System RAM" /proc/iomem | cut -d" " -f1); do t=$((t + 0x${r#*-} - 0x${r%-*} + 1)); done; echo VMX-RAMMB=$(((t + 1048575) / 1048576)); free -m; dmesg | grep -i -E "warn|fail|error|timed out|timeout|bug" | sed "s/WARNING: CPU:/guest WARNING on cpu/"; echo VMX-ANS""WERED'
n=0
until grep -a -q VMX-ANSWERED $T/out; do
	[ $n -ge 4 ] && { show; kill -KILL $pid; fail "no 'VMX-ANSWERED' after 4 tries"; }
	kill -0 $pid 2>/dev/null || { show; fail "vmx exited before answering"; }
	sleep 1
	echo "$QUESTION" >&3
	n=$((n + 1))
	i=0
	while [ $i -lt 40 ] && ! grep -a -q VMX-ANSWERED $T/out; do sleep 1; i=$((i + 1)); done
done
[ "${VMX_DEBUG:-0}" = 1 ] && SHOW=400 show
cpus=$(grep -a -o 'VMX-CPUS=[0-9][0-9]*' $T/out | tail -1 | cut -d= -f2)
ram=$(grep -a -o 'VMX-RAMMB=[0-9][0-9]*' $T/out | tail -1 | cut -d= -f2)
note "guest answered: $cpus CPUs, $ram MB of RAM"
tr -d '\r' < $T/out | sed -n '/^VMX-CPUS=[0-9]/,/^VMX-ANSWERED/p' | sed 's/^/    /'
echo 'reboot -f' >&3
wait_for VMX-GUEST-READY 400 2
grep -q "guest reset" $T/err || { show; fail "vmx did not report the reset"; }
vmx_type_until_exit $pid 3 'poweroff -f' 180 ||
	{ show; kill -KILL $pid; fail "vmx still running 180 s after poweroff"; }
exec 3>&-
SHOW=3 show
# A warning of the guest kernel is a bug of the monitor it runs on (for
# stock KVM, not ours to judge).
warned=$(tr -d '\r' < $T/out | grep -c "guest WARNING on cpu")
[ "$DEV" != /dev/kvm ] && [ "$warned" -gt 0 ] && fail "the guest kernel warned on $DEV ($warned, above)"
expect_eq "CPU count" "$cpus" $CPUS
expect_eq "guest RAM (MB)" "$ram" $MEM
expect_eq "vmx exit status" $rc 0
grep -q "guest powered off" $T/err || fail "vmx did not report the power-off"
if [ -d /proc/vmware/vm ]; then
	left=$(ls /proc/vmware/vm | wc -l)
	expect_eq "VMs left in /proc/vmware/vm" "$left" 0
fi
exit 0
