#!/bin/bash
# make check: every test of the tree.
#
#  1. userspace unit tests run natively (each USER dir's `make check`);
#  2. modules are built with -Werror for every stock kernel found
#     (/boot/vmlinuz-KVER with headers in /usr/src/linux-headers-KVER);
#  3. kernel suites run in test hosts: QEMU TCG (AMD-V) on every kernel,
#     QEMU with svm/vmx hidden (the "nohw" suite), and Bochs (VT-x) on one
#     kernel, in two lanes side by side.
#
# Environment: VMW_KERNELS="KVER ..." to choose kernels; VMW_BOCHS=0 to skip
# Bochs; VMW_SUITES=a,b to run only some suites; VMW_BROKEN=1 to load the
# deliberately broken module (the run must then fail); VMW_SERIAL=1 to run
# one test host at a time.
# The last line is "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
mkdir -p "$B"
cd "$ROOT"
TOTAL_PASS=0 TOTAL_FAIL=0 TOTAL_SKIP=0
SUMMARY=() WHY=()

tally() {	# tally NAME LINE: add "N passed, N failed[, N skipped]" to the totals
	local p f s
	p=$(echo "$2" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
	f=$(echo "$2" | sed -n 's/.*\b\([0-9][0-9]*\) failed.*/\1/p')
	s=$(echo "$2" | sed -n 's/.*\b\([0-9][0-9]*\) skipped.*/\1/p')
	[ -z "$p" ] && [ -z "$f" ] && { p=0; f=1; }
	TOTAL_PASS=$((TOTAL_PASS + ${p:-0}))
	TOTAL_FAIL=$((TOTAL_FAIL + ${f:-0}))
	TOTAL_SKIP=$((TOTAL_SKIP + ${s:-0}))
	SUMMARY+=("$(printf '%-22s %s' "$1" "${p:-0} passed, ${f:-0} failed, ${s:-0} skipped")")
}

kernels() {
	if [ -n "${VMW_KERNELS:-}" ]; then echo "$VMW_KERNELS"; return; fi
	for k in /boot/vmlinuz-*; do
		v=${k#/boot/vmlinuz-}
		[ -d "/usr/src/linux-headers-$v" ] && echo "$v"
	done
}

build_for() {	# build_for KVER: modules and initramfs into build/
	local v=$1 kb=$B/k-$v
	rm -rf "$kb" "$B/mods-$v"
	mkdir -p "$kb" "$B/mods-$v"
	tar -C "$ROOT" -c --exclude=./build --exclude=./.git . | tar -x -C "$kb"
	if ! make -s -C "$kb" modules KDIR="/usr/src/linux-headers-$v" \
		VMW_WERROR=1 VMW_BUILD="$(git describe --always --dirty 2>/dev/null || echo unknown)" \
		> "$B/build-$v.log" 2>&1; then
		echo "build for $v failed:"; tail -30 "$B/build-$v.log"
		return 1
	fi
	find "$kb" -name '*.ko' -exec cp {} "$B/mods-$v/" \;
	# The boot benchmark compares with QEMU -M microvm inside the host.
	local q=0 f=0
	[[ ",${VMW_SUITES:-}," == *,bench,* ]] && q=1
	# fio (66 MB with its libraries) only where vmdisk or bench runs.
	[[ -z "${VMW_SUITES:-}" || ",$VMW_SUITES," == *,vmdisk,* || ",$VMW_SUITES," == *,bench,* ]] && f=1
	VMW_HOST_QEMU=$q VMW_HOST_FIO=$f tests/host/mkinitramfs.sh -k "$v" -m "$B/mods-$v" -g "$B/stage" -o "$B/host-$v.cpio.gz"
}

run_host() {	# run_host NAME ARGS...: boot a test host; its verdict in NAME.judge
	local name=$1
	shift
	"$ROOT/tests/host/boot.sh" "$@" "$name" > "$B/$name.judge" 2>&1
}

collect() {	# collect NAME: show a test host's verdict, tally its closing line
	local name=$1 line
	[ -f "$B/$name.judge" ] || return 0
	echo "=== $name"
	cat "$B/$name.judge"
	line=$(tail -1 "$B/$name.judge")
	tally "$name" "$line"
	# CI shows only the end of the output: keep why a host failed short
	# enough to be repeated just above the closing line.
	grep -q ' 0 failed' <<< "$line" || WHY+=("$(why "$name")")
}

why() {	# why NAME: a few lines saying why a test host failed
	local j=$B/$1.judge
	{
		grep -a -E "^$1: (no result line|kernel splat|output of failed|bochs timed out)" "$j"
		grep -a -E "^$1: VMW-TEST FAIL" "$j"
		if grep -q 'no result line' "$j"; then
			grep -a -E '^VMW-TEST BEGIN' "$B/$1.log.txt" | tail -1
			grep -a -E 'BUG:|WARNING: CPU:|Oops|general protection|Kernel panic|RIP:' "$B/$1.log.txt" | head -4
			tail -4 "$B/$1.log.txt"
		fi
		grep -a -A3 "^$1: kernel splat" "$j" | tail -3
	} | cut -c1-200 | head -14
}

# 1. Userspace, natively.
for d in daemons/vmauthd vmx tools/vmdiskctl; do
	[ -f "$d/Makefile" ] || continue
	echo "=== $d: make check"
	make -C "$d" check 2>&1 | tee "$B/unit-$(basename "$d").log"
	tally "unit:$(basename "$d")" "$(grep -E '[0-9]+ passed, [0-9]+ failed' "$B/unit-$(basename "$d").log" | tail -1)"
done

# 2. Build.
echo "=== building in-guest programs"
if ! make -s -C tests/guest O="$B/guest" > "$B/guest-build.log" 2>&1; then
	cat "$B/guest-build.log"; tally build "0 passed, 1 failed"
fi
KVERS=$(kernels)
# The vmx suite boots the stock kernel as a guest: vmx, the guest kernel and
# a tiny guest initramfs travel in the test host's initramfs.
rm -rf "$B/guest/payload"
if ! vmx/mkpayload.sh "$(echo $KVERS | tr ' ' '\n' | sort -V | head -1)" "$B/guest/payload" > "$B/vmx-payload.log" 2>&1; then
	cat "$B/vmx-payload.log"; tally vmx-payload "0 passed, 1 failed"
fi
tests/host/stage.sh "$B/guest" "$B/stage"
[ -n "$KVERS" ] || { echo "no kernel with headers found (apt-get install linux-image-amd64 linux-headers-amd64)"; tally kernels "0 passed, 1 failed"; }
BUILT=
for v in $KVERS; do
	echo "=== building modules for $v"
	if build_for "$v"; then BUILT="$BUILT $v"; tally "build:$v" "1 passed, 0 failed"
	else tally "build:$v" "0 passed, 1 failed"; fi
done

# 3. Test hosts, in two lanes side by side, one emulator per core (CI has
# two): QEMU's main hosts in one; Bochs, the stock-KVM peers, the crash
# test and the nohw host in the other. Each emulator runs one thread:
# QEMU 7.2's multi-threaded TCG is not reliable for nested AMD-V (it loses
# IPIs between host CPUs running kvm_amd guests, and now and then resumes
# a host on its own state as a guest's: README's known problems), and
# Bochs has one. Bochs keeps virtual time (clock sync=none), so a loaded
# machine slows it without changing what its guests see. VMW_SERIAL=1
# runs the lanes one after the other. Verdicts are shown once both end.
SUITES=${VMW_SUITES:-}
EXTRA=()
[ "${VMW_BROKEN:-0}" = 1 ] && EXTRA+=(-b)
[ -n "$SUITES" ] && EXTRA+=(-s "$SUITES")
BOCHS_KVER=$(echo $BUILT | tr ' ' '\n' | sort -V | head -1)
CRASH_KVER=$BOCHS_KVER
NOHW_KVER=$(echo $BUILT | tr ' ' '\n' | sort -V | tail -1)
KVM_TESTS="kvm/*,vmx/*kvm*"
want() { [ -z "$SUITES" ] || [[ ",$SUITES," == *,$1,* ]]; }
rm -f "$B"/*.judge

lane_qemu() {	# the vmmon, vmnet, vmdisk, vmx... suites on every kernel
	for v in $BUILT; do
		VMW_TCG_THREAD=${VMW_TCG_THREAD:-single} VMW_APPEND="${VMW_APPEND:-} vmw.skip=$KVM_TESTS" \
			run_host "qemu-$v" -e qemu -k "$v" -i "$B/host-$v.cpio.gz" -t 2400 "${EXTRA[@]}"
	done
}

lane_other() {
	if [ "${VMW_BOCHS:-1}" = 1 ] && [ -n "$BOCHS_KVER" ]; then
		# Bochs runs the suites where VT-x matters; vmdisk, vmnet and
		# the crash test do not touch it and run on QEMU for every kernel.
		local bextra=("${EXTRA[@]}") binitrd=$B/host-$BOCHS_KVER.cpio.gz
		if [ -z "$SUITES" ]; then
			bextra+=(-s vmproc,vmmon,kvm,vmx)
			# Without fio (66 MB): Bochs unpacks the initramfs slowly.
			binitrd=$B/host-$BOCHS_KVER-bochs.cpio.gz
			VMW_HOST_FIO=0 tests/host/mkinitramfs.sh -k "$BOCHS_KVER" -m "$B/mods-$BOCHS_KVER" \
				-g "$B/stage" -o "$binitrd" > /dev/null
		fi
		run_host "bochs-$BOCHS_KVER" -e bochs -k "$BOCHS_KVER" -i "$binitrd" \
			-t 3600 "${bextra[@]}"
	fi
	if want kvm || want vmx; then
		for v in $BUILT; do
			VMW_TCG_THREAD=single VMW_APPEND="${VMW_APPEND:-} vmw.only=$KVM_TESTS" \
				run_host "qemu-kvm-$v" -e qemu -k "$v" -i "$B/host-$v.cpio.gz" -t 1500 -s kvm,vmx
		done
	fi
	# Crash consistency of vmdisk's sparse VMDK: hosts killed hard
	# mid-write and rebooted on the same virtio disk (about 2 minutes).
	if [ -n "$CRASH_KVER" ] && want vmdisk; then
		tests/host/crash-vmdisk.sh -k "$CRASH_KVER" -i "$B/host-$CRASH_KVER.cpio.gz" \
			-o "$B/crash-vmdisk" > "$B/crash-vmdisk.judge" 2>&1
	fi
	if [ -n "$NOHW_KVER" ] && [ -z "$SUITES" ]; then
		run_host "qemu-nohw-$NOHW_KVER" -e qemu -n -k "$NOHW_KVER" \
			-i "$B/host-$NOHW_KVER.cpio.gz" -t 300 -s nohw
	fi
}

echo "=== test hosts:" $BUILT "(lanes: QEMU | Bochs, KVM peers, crash, nohw)"
if [ "${VMW_SERIAL:-0}" = 1 ]; then
	lane_qemu; lane_other
else
	lane_other & OTHER=$!
	lane_qemu
	wait $OTHER
fi
for v in $BUILT; do collect "qemu-$v"; done
for v in $BUILT; do collect "qemu-kvm-$v"; done
if [ -f "$B/crash-vmdisk.judge" ]; then
	echo "=== vmdisk crash test on $CRASH_KVER"
	cat "$B/crash-vmdisk.judge"
	line=$(tail -1 "$B/crash-vmdisk.judge")
	tally "vmdisk-crash:$CRASH_KVER" "${line#crash-vmdisk: }"
	grep -q ' 0 failed' <<< "$line" || WHY+=("$(grep -a -A12 FAILED "$B/crash-vmdisk.judge" | head -14)")
fi
collect "qemu-nohw-$NOHW_KVER"
collect "bochs-$BOCHS_KVER"

echo "=== summary"
printf '%s\n' "${SUMMARY[@]}"
[ ${#WHY[@]} -gt 0 ] && { echo "=== why"; printf '%s\n' "${WHY[@]}"; }
echo "total: $TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" = 0 ]
