# t_fuzz.sh - run both libFuzzer targets side by side for FUZZ_TIME s.
. "$(dirname "$0")/lib.sh"

FUZZ_TIME=${FUZZ_TIME:-20}
for f in proto perm; do
	bin=$TOP/fuzz/fuzz_$f
	if [ ! -x "$bin" ]; then
		skip "fuzz $f" "$bin not built (needs clang, libclang-rt-14-dev)"
		continue
	fi
	mkdir -p "$WORK/corpus-$f" "$WORK/art-$f"
	cp "$TOP/fuzz/corpus/$f"/* "$WORK/corpus-$f/" 2>/dev/null
	timeout $((FUZZ_TIME + 60)) "$bin" -max_total_time="$FUZZ_TIME" \
	    -max_len=2048 -timeout=10 -rss_limit_mb=1024 \
	    -artifact_prefix="$WORK/art-$f/" "$WORK/corpus-$f" \
	    >"$WORK/fuzz-$f.log" 2>&1 &
	eval "pid_$f=$!"
done
for f in proto perm; do
	eval "p=\${pid_$f:-}"
	[ -n "$p" ] || continue
	if wait "$p"; then
		runs=$(grep -o 'Done [0-9]* runs' "$WORK/fuzz-$f.log" | tail -1)
		pass "fuzz $f ${FUZZ_TIME}s ($runs)"
	else
		fail "fuzz $f" "crash, see $WORK/art-$f and $WORK/fuzz-$f.log"
		tail -30 "$WORK/fuzz-$f.log" >&2
	fi
done
