# t_limits.sh - many clients, slow and idle clients, connection limit,
# idle timeout, and a failure delay that blocks nobody else.
. "$(dirname "$0")/lib.sh"

start_daemon "$WORK/d" <<EOF2
max_conns 40
idle_timeout 3
login_timeout 5
fail_delay_ms 1500
lockout_threshold 1000
EOF2

# 30 concurrent logins, half failing.
i=0
while [ $i -lt 30 ]; do
	if [ $((i % 2)) = 0 ]; then pw=bob-pw-2; else pw=wrong; fi
	login bob "$pw" > "$WORK/c$i.out" &
	BG="$BG $!"
	i=$((i + 1))
done
waitbg
ok=$(cat "$WORK"/c*.out | grep -c '^230 ')
bad=$(cat "$WORK"/c*.out | grep -c '^530 ')
expect "30 concurrent clients" "$ok/$bad" "15/15"

# Slow clients: idle after the banner, stuck in the TLS handshake, or
# half a line; none of them stops a login.
for i in 1 2 3 4 5; do
	cli -H -t 8 > "$WORK/idle$i.out" &
	BG="$BG $!"
	cli -N -H -t 8 > "$WORK/hs$i.out" &
	BG="$BG $!"
	printf 'USER al' | cli -r -t 8 > "$WORK/half$i.out" &
	BG="$BG $!"
done
sleep 0.5
t0=$(date +%s%N)
expect "login while 15 clients stall" "$(login bob bob-pw-2)" "230 User bob logged in."
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $ms -lt 1000 ]; then pass "stalled clients do not slow a login (${ms} ms)"
else fail "stalled clients do not slow a login" "${ms} ms"; fi

# A failing login (1.5 s delay) does not hold up a good one.
login alice wrong > "$WORK/slowfail.out" &
BG="$BG $!"
sleep 0.2
t0=$(date +%s%N)
expect "good login during a fail delay" "$(login bob bob-pw-2)" "230 User bob logged in."
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $ms -lt 1000 ]; then pass "fail delay blocks no one (${ms} ms)"
else fail "fail delay blocks no one" "${ms} ms"; fi
waitbg
expect "the failing login waited and failed" "$(cat "$WORK/slowfail.out")" "530 Login incorrect."
expect "idle client timed out" "$(sed -n 2p "$WORK/idle1.out")" "421 Timeout, closing connection."
expect "half line timed out" "$(sed -n 2p "$WORK/half1.out")" "421 Timeout, closing connection."
expect "stuck handshake dropped" "$(sed -n 2p "$WORK/hs1.out")" "EOF"

# login_timeout: NOOPs keep it from idling, not from the login deadline.
out=$( (for i in 1 2 3 4 5 6 7; do echo NOOP; sleep 1; done) | cli | grep -c '^421 Timeout')
expect "login timeout despite NOOPs" "$out" "1"

# Connection limit: 40 held, the 41st is refused with a clear reply.
for i in $(seq 1 40); do cli -H -t 6 > /dev/null & BG="$BG $!"; done
sleep 1
out=$(cli -H -t 3 | head -1)
expect "over the connection limit" "$out" "421 Too many connections, try later."
waitbg
expect "serving after the flood" "$(login bob bob-pw-2)" "230 User bob logged in."
if kill -0 "$PID"; then pass "daemon still running"; else fail "daemon still running"; fi
