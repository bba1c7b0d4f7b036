# t_security.sh - no core dumps, no password left in the network
# process's memory, and the privileged half exits when the other dies.
. "$(dirname "$0")/lib.sh"

start_daemon "$WORK/d" <<EOF2
lockout_threshold 1000
EOF2
np=$(net_pid "$PID")

for p in "$PID" "$np"; do
	lim=$(awk '/Max core file size/ { print $5 "/" $6 }' /proc/$p/limits)
	expect "core limit 0 in pid $p" "$lim" "0/0"
done

for i in 1 2 3; do
	login alice "$CANARY" >/dev/null
	login alice "$CANARY-wrong" >/dev/null
	echo "AUTH - alice $CANARY" | api >/dev/null
	echo "LOGIN - alice $CANARY" | api >/dev/null
done
if [ "$(id -u)" = 0 ]; then
	expect "no password in net process memory" \
	    "$("$TOP/tests/memscan" "$np" "$CANARY")" 0
	expect "no password in priv process memory" \
	    "$("$TOP/tests/memscan" "$PID" "$CANARY")" 0
else
	skip "memory scans" "not root: cannot read /proc/PID/mem"
fi

# A crash of the network process leaves no core and ends the daemon.
(cd "$WORK" && kill -SEGV "$np")
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$PID" 2>/dev/null; then fail "priv exits after net dies"
else pass "priv exits after net dies"; fi
cores=$(find "$WORK" / -maxdepth 1 -name 'core*' -newer "$LOG" 2>/dev/null | wc -l)
expect "no core file written" "$cores" 0
