# t_lockout.sh - per-user and per-address lockout and their expiry.
. "$(dirname "$0")/lib.sh"

start_daemon "$WORK/d" <<EOF2
lockout_threshold 3
lockout_window 60
lockout_duration 3
fail_delay_ms 100
EOF2

# Per user, spread over addresses so only the user key counts.
for a in 198.51.100.1 198.51.100.2 198.51.100.3; do
	echo "AUTH $a alice bad-$a" | api >/dev/null
done
expect "user locked: right password refused" \
    "$(echo "AUTH 198.51.100.9 alice $CANARY" | api)" "ERR denied"
expect "user locked over TCP too" "$(login alice "$CANARY")" "530 Login incorrect."
expect "other user unaffected" "$(echo "AUTH 198.51.100.9 bob bob-pw-2" | api)" "OK"
expect_match "user lockout logged" "$(cat "$LOG")" 'user alice locked out for 3 s'
sleep 3.5
expect "user lockout expires" "$(echo "AUTH 198.51.100.9 alice $CANARY" | api)" "OK"

# Per address: failures for different (even unknown) users.
for u in nosuch1 nosuch2 bob; do
	echo "AUTH 203.0.113.5 $u wrong" | api >/dev/null
done
expect "address locked" "$(echo "AUTH 203.0.113.5 carol carol-pw-3" | api)" "ERR denied"
expect "other address fine" "$(echo "AUTH 203.0.113.6 carol carol-pw-3" | api)" "OK"
expect_match "address lockout logged" "$(cat "$LOG")" 'address 203.0.113.5 locked out'

# A locked-out reply takes as long as any failure: it reveals nothing.
t0=$(date +%s%N)
echo "AUTH 203.0.113.5 carol carol-pw-3" | api >/dev/null
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if [ $ms -ge 100 ]; then pass "lockout reply delayed (${ms} ms)"
else fail "lockout reply delayed" "${ms} ms < 100"; fi
sleep 3.5
expect "address lockout expires" "$(echo "AUTH 203.0.113.5 carol carol-pw-3" | api)" "OK"
