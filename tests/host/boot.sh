#!/bin/bash
# Boot a test host and judge it.
#
#   boot.sh [options] NAME
#     -e qemu|bochs     emulator (qemu: AMD-V via TCG -cpu max; bochs: VT-x)
#     -k KVER           stock kernel (/boot/vmlinuz-KVER)
#     -i INITRD         initramfs from mkinitramfs.sh
#     -m test|shell     run the suites, or an interactive shell
#     -s SUITES         comma-separated suites to run (default: all)
#     -n                hide hardware virtualization (svm/vmx) from the host
#     -b                also load the deliberately broken module
#     -t SECONDS        hard timeout for the whole boot (default 900)
#     -o LOG            console log (default build/NAME.log)
#     -d FILE           QEMU only: FILE (raw) as a virtio disk, /dev/vda in
#                       the host; it outlives the host (crash tests)
#     -K REGEX          QEMU only: kill QEMU hard (SIGKILL) as soon as the
#                       console shows a line matching REGEX (a host crash)
#
# In test mode the run passes only if the in-guest runner printed its
# VMW-RESULT line with no failures AND the console holds no kernel splat.
# The last line printed is "NAME: N passed, N failed, N skipped".
set -u
EMU=qemu KVER= INITRD= MODE=test SUITES= NOHW=0 BROKEN=0 TMO=900 LOG=
DRIVE= KILLAT=
while getopts e:k:i:m:s:nbt:o:d:K: opt; do
	case $opt in
	e) EMU=$OPTARG ;; k) KVER=$OPTARG ;; i) INITRD=$OPTARG ;;
	m) MODE=$OPTARG ;; s) SUITES=$OPTARG ;; n) NOHW=1 ;; b) BROKEN=1 ;;
	t) TMO=$OPTARG ;; o) LOG=$OPTARG ;; d) DRIVE=$OPTARG ;;
	K) KILLAT=$OPTARG ;; *) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
NAME=${1:?name}
HERE=$(cd "$(dirname "$0")" && pwd)
LOG=${LOG:-$HERE/../../build/$NAME.log}
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "$NAME: no $KERNEL"; echo "$NAME: 0 passed, 1 failed, 0 skipped"; exit 1; }

APPEND="console=ttyS0 panic=-1 oops=panic loglevel=5 vmw.mode=$MODE vmw.emu=$EMU"
[ -n "$SUITES" ] && APPEND="$APPEND vmw.suites=$SUITES"
APPEND="$APPEND ${VMW_APPEND:-}"
[ "$BROKEN" = 1 ] && APPEND="$APPEND vmw.broken=1"

boot_qemu() {
	cpu=max
	[ "$NOHW" = 1 ] && cpu=qemu64,-svm,-vmx
	# VMW_TCG_THREAD: "single" (default), one TCG thread for both CPUs;
	# "multi", a thread per CPU, is faster but QEMU 7.2 runs nested AMD-V
	# guests unreliably there (README's known problems).
	args=(-accel tcg,thread=${VMW_TCG_THREAD:-single} -cpu "$cpu" -smp 2 -m 1024 -no-reboot
	      -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND")
	[ -n "$DRIVE" ] && args+=(-drive "file=$DRIVE,if=virtio,format=raw")
	# VMW_ICOUNT=1: virtual time counts instructions (-icount), so that a
	# benchmark's figures measure the work done, whatever the machine's
	# load; one CPU (QEMU 7.2 stalls bringing up a second one that way).
	[ "${VMW_ICOUNT:-0}" = 1 ] && args+=(-icount shift=0,sleep=off -smp 1)
	if [ "$MODE" = shell ]; then
		exec qemu-system-x86_64 "${args[@]}" -nographic
	fi
	: > "$LOG"
	if [ -z "$KILLAT" ]; then
		timeout -s KILL "$TMO" qemu-system-x86_64 "${args[@]}" \
			-display none -monitor none -serial "file:$LOG" < /dev/null
		return
	fi
	timeout -s KILL "$TMO" qemu-system-x86_64 "${args[@]}" \
		-display none -monitor none -serial "file:$LOG" < /dev/null &
	local pid=$!
	while kill -0 $pid 2>/dev/null; do
		if grep -a -q -E "$KILLAT" "$LOG"; then
			qemu=$(pgrep -P $pid)	# QEMU, child of timeout(1)
			kill -KILL $qemu $pid 2>/dev/null
			# QEMU's lock on its disk image goes when QEMU does, not
			# timeout(1): the next boot on that image waits for it.
			# A zombie main thread is not enough: its other threads
			# hold the files until the last of them has exited.
			for q in $qemu; do
				i=0
				while [ -e /proc/$q ] && [ $i -lt 300 ] &&
					{ ! grep -q '^State:.*Z' /proc/$q/status 2>/dev/null ||
					  [ "$(ls /proc/$q/task 2>/dev/null | wc -l)" -gt 1 ]; }; do
					sleep 0.1
					i=$((i + 1))
				done
			done
			echo "$NAME: killed at '$KILLAT'"
			break
		fi
		sleep 0.1
	done
	wait $pid 2>/dev/null
}

boot_bochs() {
	work=$(mktemp -d)
	mkdir -p "$work/iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
	cp "$KERNEL" "$work/iso/vmlinuz"
	cp "$INITRD" "$work/iso/initrd.gz"
	printf 'default vmw\nprompt 0\nlabel vmw\n  kernel /vmlinuz\n  append initrd=/initrd.gz %s\n' \
		"$APPEND" > "$work/iso/isolinux/isolinux.cfg"
	# (Bochs overflows on long paths in its config: keep them in $work.)
	xorriso -as mkisofs -quiet -o "$work/host.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table "$work/iso" 2>/dev/null
	model=corei7_skylake_x
	[ "$NOHW" = 1 ] && model=athlon64_clawhammer
	cat > "$work/bochsrc" <<EOB
megs: 1024
cpu: model=$model, count=1, ips=100000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$work/host.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$work/com1
display_library: rfb, options="timeout=0"
clock: sync=none, time0=local
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
sound: driver=dummy
EOB
	echo c > "$work/rc"
	: > "$work/com1"
	bochs -q -f "$work/bochsrc" -rc "$work/rc" < /dev/null > "$work/bochs.out" 2>&1 &
	pid=$!
	# Bochs never powers off: stop it once the runner is done or dead.
	end=$((SECONDS + TMO))
	while kill -0 $pid 2>/dev/null; do
		if grep -q -E '^VMW-END|Kernel panic|Rebooting in' "$work/com1" 2>/dev/null || [ $SECONDS -ge $end ]; then
			sleep 1
			kill -9 $pid 2>/dev/null
			break
		fi
		sleep 2
	done
	wait $pid 2>/dev/null
	cp "$work/com1" "$LOG"
	[ $SECONDS -ge $end ] && echo "$NAME: bochs timed out after ${TMO}s"
	cp "$work/bochs.out" "$LOG.bochs-out" 2>/dev/null; [ -s "$work/bochs.log" ] && cp "$work/bochs.log" "$LOG.bochs-log"
	rm -rf "$work"
}

start=$SECONDS
if [ "$MODE" = shell ] && [ "$EMU" = bochs ]; then
	echo "$NAME: interactive mode is QEMU only; Bochs has no console to type on here" >&2
	exit 2
fi
boot_$EMU
secs=$((SECONDS - start))
exec "$HERE/judge.sh" "$NAME" "$LOG" "$secs"
