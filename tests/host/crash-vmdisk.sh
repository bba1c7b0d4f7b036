#!/bin/bash
# Crash consistency of vmdisk's disks (sparse VMDK, a delta, a raw file on
# the direct path): for each round, a first test host writes to the
# disk's file on a virtio disk (tests/guest/vmdiskcrash/01-write) and
# is killed hard (SIGKILL to QEMU) once it has acknowledged a given number
# of flushed writes; a second host boots on the same virtio disk and checks
# that the image opens and holds every acknowledged write (02-check).
#
#   crash-vmdisk.sh -k KVER -i INITRD [-o DIR]
#
# Last line: "crash-vmdisk: N passed, N failed, 0 skipped" (one per round).
set -u
KVER= INITRD= OUT=
while getopts k:i:o: opt; do
	case $opt in
	k) KVER=$OPTARG ;; i) INITRD=$OPTARG ;; o) OUT=$OPTARG ;; *) exit 2 ;;
	esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../../build/crash-vmdisk}
[ -n "$KVER" ] && [ -n "$INITRD" ] || { echo "usage: $0 -k KVER -i INITRD [-o DIR]" >&2; exit 2; }
mkdir -p "$OUT"
pass=0 fail=0

# Rounds: the disk (vmdk: the sparse extent itself, delta: a delta on top,
# raw: an O_DIRECT raw file, written through the direct path), and the
# number of ACKs after which the host dies (0: during the first write).
# VMW_CRASH_ROUNDS replaces them (while working on one).
ROUNDS=${VMW_CRASH_ROUNDS:-vmdk:0 vmdk:25 delta:10 delta:60 raw:40}
n=0
for r in $ROUNDS; do
	n=$((n + 1))
	disk=${r%%:*} at=${r#*:}
	seed=$((1000 + n))
	img=$OUT/disk$n.img
	# Journalled ext4, made here: busybox mke2fs makes only ext2.
	rm -f "$img"; truncate -s 256M "$img"
	mkfs.ext4 -q -F "$img" || { echo "crash-vmdisk: mkfs.ext4 failed"; exit 1; }
	if [ "$at" = 0 ]; then pat='VMW-CRASH-START'; else pat="ACK $((at - 1))[[:space:]]*\$"; fi
	VMW_APPEND="vmw.crash=write vmw.crash.seed=$seed vmw.crash.disk=$disk" \
		nice "$HERE/boot.sh" -e qemu -k "$KVER" -i "$INITRD" -t 400 -s vmdiskcrash \
		-d "$img" -K "$pat" -o "$OUT/write$n.log" "crash$n-write" > "$OUT/write$n.judge" 2>&1
	acked=$(grep -a -c -E '^ +ACK [0-9]+' "$OUT/write$n.log")
	grep -a -q VMW-CRASH-START "$OUT/write$n.log" || {
		echo "crash-vmdisk: round $n: the writer never started"; tail -5 "$OUT/write$n.judge"
		fail=$((fail + 1)); continue; }
	VMW_APPEND="vmw.crash=check vmw.crash.seed=$seed vmw.crash.acked=$acked" \
		nice "$HERE/boot.sh" -e qemu -k "$KVER" -i "$INITRD" -t 400 -s vmdiskcrash \
		-d "$img" -o "$OUT/check$n.log" "crash$n-check" > "$OUT/check$n.judge" 2>&1
	line=$(tail -1 "$OUT/check$n.judge")
	if grep -q ': 1 passed, 0 failed' <<< "$line"; then
		pass=$((pass + 1))
		echo "crash-vmdisk: round $n ($disk, killed after $acked ACKs): ok"
		grep -a -E '^ {6}' "$OUT/check$n.log" | sed 's/^ */    /'
	else
		fail=$((fail + 1))
		echo "crash-vmdisk: round $n ($disk, killed after $acked ACKs): FAILED"
		grep -a -v '^crash' "$OUT/check$n.judge" | tail -12
	fi
	rm -f "$img"
done
echo "crash-vmdisk: $pass passed, $fail failed, 0 skipped"
