#!/bin/sh
# tests/run.sh - run every vmauthd test and print one summary line:
#	N passed, N failed, N skipped
# Exits non-zero when any check failed.
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
export WORKROOT=$(mktemp -d /tmp/vmauthd-check.XXXXXX)
# The network process runs as nobody and must read the test files.
chmod 755 "$WORKROOT"
export CANARY=Canary-7f3a9c-Pw
out=$WORKROOT/results

run() {
	name=$1; shift
	echo "== $name"
	"$@" 2>"$WORKROOT/$name.stderr" | tee -a "$out"
	if [ -s "$WORKROOT/$name.stderr" ]; then
		sed 's/^/   stderr: /' "$WORKROOT/$name.stderr" | head -20
	fi
}

: > "$out"
run unit "$TOP/tests/unit"
for t in "$TOP"/tests/t_*.sh; do
	n=$(basename "$t" .sh)
	WORK=$WORKROOT/$n run "$n" sh "$t"
done
run canary sh "$TOP/tests/canary.sh"

p=$(grep -c '^PASS' "$out")
f=$(grep -c '^FAIL' "$out")
s=$(grep -c '^SKIP' "$out")
if [ "$f" -eq 0 ] && [ -z "$KEEP" ]; then rm -rf "$WORKROOT"; fi
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
