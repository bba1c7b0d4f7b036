#!/bin/sh
# Benchmark: boot-to-shell time of the stock kernel and the vmx payload's
# initramfs under vmx on /dev/vmmon, against the same vmx on the stock KVM
# of this CPU, and against QEMU -accel kvm -M microvm when the test host
# carries QEMU. Times from vmx's start to the guest's first shell prompt,
# best of N runs; prints ratios (lower is better for vmmon; target <= 1.0).
. /vmw/lib.sh
P=/vmw/payload
N=${VMX_BOOT_RUNS:-3}
[ -x $P/vmx ] && [ -f $P/vmlinuz ] || skip "no vmx payload"
T=/tmp/vmx-bench
CMDLINE="console=ttyS0 reboot=k panic=-1 nokaslr tsc=reliable no_timer_check mitigations=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd pci=conf1 rdinit=/init quiet"

ms() { cut -d' ' -f1 /proc/uptime | tr -d .; }	# centiseconds, really

# boot_once CMD...: centiseconds from start to the guest's ready line.
boot_once() {
	rm -f $T/out
	"$@" < /dev/null > $T/out 2>&1 &
	pid=$!
	t0=$(ms)
	i=0
	until grep -a -q VMX-GUEST-READY $T/out 2>/dev/null; do
		kill -0 $pid 2>/dev/null || { echo -1; return; }
		[ $i -ge 6000 ] && { kill -KILL $pid; echo -1; return; }
		sleep 0.1
		i=$((i + 1))
	done
	t1=$(ms)
	kill -TERM $pid 2>/dev/null
	sleep 1
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	echo $((t1 - t0))
}

best() {	# best CMD...: the shortest of N boots, centiseconds
	b=-1
	for r in $(seq $N); do
		t=$(boot_once "$@")
		[ "$t" -lt 0 ] && continue
		{ [ $b -lt 0 ] || [ "$t" -lt $b ]; } && b=$t
	done
	echo $b
}

mkdir -p $T
cat > $T/guest.vmx <<EOC
memsize = "256"
numvcpus = "1"
kernel = "$P/vmlinuz"
initrd = "$P/guest.cpio.gz"
cmdline = "$CMDLINE"
EOC

vmw_load_all
vmmon=$(best $P/vmx $T/guest.vmx)
vmw_unload_all
vmw_kvm || skip "no stock KVM for this CPU to compare with"
kvm=$(VMX_DEV=/dev/kvm best $P/vmx $T/guest.vmx)
qemu=-1
if command -v qemu-system-x86_64 > /dev/null; then
	qemu=$(best qemu-system-x86_64 -accel kvm -M microvm -m 256 -nodefaults -no-user-config \
		-nographic -serial stdio -kernel $P/vmlinuz -initrd $P/guest.cpio.gz \
		-append "$CMDLINE")
fi
note "boot to shell, best of $N (seconds): vmx/vmmon $(echo "$vmmon" | sed 's/..$/.&/'), vmx/kvm $(echo "$kvm" | sed 's/..$/.&/'), qemu-microvm/kvm $([ "$qemu" -ge 0 ] && echo "$qemu" | sed 's/..$/.&/' || echo 'not in this test host')"
[ "$vmmon" -gt 0 ] && [ "$kvm" -gt 0 ] && note "ratio vmx/vmmon : vmx/kvm = $(awk "BEGIN { printf \"%.2f\", $vmmon / $kvm }")"
[ "$vmmon" -gt 0 ] && [ "$qemu" -gt 0 ] && note "ratio vmx/vmmon : qemu-microvm/kvm = $(awk "BEGIN { printf \"%.2f\", $vmmon / $qemu }")"
[ "$vmmon" -gt 0 ] || fail "the guest never booted on vmmon"
exit 0
