#!/bin/sh
# judge.sh NAME LOG SECONDS: judge a test host's console log.
# Prints each test's verdict, any kernel splat, and the closing line
# "NAME: N passed, N failed, N skipped". Exits non-zero on failure.
NAME=$1 RAW=$2 SECS=$3
LOG=$RAW.txt
tr -d '\r' < "$RAW" > "$LOG"
BAD='BUG:|WARNING: CPU:|Oops|general protection|KASAN|UBSAN|kmemleak|Kernel panic|Call Trace:|detected stall|INFO: task .* blocked'

grep -E '^VMW-HOST|^VMW-TEST (PASS|FAIL|SKIP)' "$LOG" | sed "s/^/$NAME: /"
result=$(grep -a '^VMW-RESULT: ' "$LOG" | tail -1)
# Splats before the runner started come from the emulated CPU model (Bochs'
# Skylake-X reports an XSAVE size the kernel disagrees with): reported, not
# failed. Everything from the runner's first line on is ours to answer for.
start=$(grep -a -n '^VMW-HOST' "$LOG" | head -1 | cut -d: -f1)
start=${start:-1}
early=$(head -n "$start" "$LOG" | grep -a -E "$BAD" | grep -v 'RETBleed: WARNING' | head -3)
[ -n "$early" ] && echo "$early" | sed "s/^/$NAME: note: boot-time warning before any of our modules loaded: /"
# Test programs' output is indented by the runner (a guest kernel's console
# printed by a vmx test is not this host's); the host kernel writes at
# column 0.
splats=$(tail -n "+$start" "$LOG" | grep -a -n -E "$BAD" | grep -a -v -E '^[0-9]+:[[:space:]]' | grep -v 'RETBleed: WARNING' | head -20)
if [ -z "$result" ]; then
	echo "$NAME: no result line after ${SECS}s: the test host hung or crashed. Console tail:"
	tail -40 "$LOG" | sed "s/^/$NAME|  /"
	echo "$NAME: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
set -- $(echo "$result" | sed 's/VMW-RESULT: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\1 \2 \3/')
pass=$1 fail=$2 skip=$3
for t in $(grep -a '^VMW-TEST FAIL' "$LOG" | awk '{print $3}'); do
	echo "$NAME: output of failed $t:"
	awk -v t="$t" '$0 == "VMW-TEST BEGIN " t {p=1; next} /^VMW-TEST (PASS|FAIL|SKIP) / {p=0} p' "$LOG" | tail -30 | sed "s/^/$NAME|  /"
done
if [ -n "$splats" ]; then
	echo "$NAME: kernel splat on the console:"
	echo "$splats" | sed "s/^/$NAME|  /"
	first=$(( $(echo "$splats" | head -1 | cut -d: -f1) + start - 1 ))
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 30))p" "$LOG" | sed "s/^/$NAME|  /"
	fail=$((fail + 1))
fi
echo "$NAME: booted and ran in ${SECS}s"
echo "$NAME: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
