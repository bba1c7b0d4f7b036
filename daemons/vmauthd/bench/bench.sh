#!/bin/sh
# bench/bench.sh - vmauthd login throughput against pamtester on the same
# pam_unix stack, and failure timing: unknown user versus wrong password.
# Needs root (useradd, /etc/shadow).  Not part of `make check`.
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/vmauthd-bench.XXXXXX)
chmod 755 "$WORK"
N=${BENCH_N:-100}		# logins per throughput run
K=${BENCH_K:-25}		# samples per timing class
DELAY=${BENCH_DELAY_MS:-500}
. "$TOP/tests/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root for pam_unix with a useradd'd user"
	exit 0
fi
svc=vmauthd-bench-$$
user=vmab-user
cleanup() {
	stop_all
	userdel "$user" 2>/dev/null
	rm -f "/etc/pam.d/$svc"
	rm -rf "$WORK"
}
trap cleanup EXIT
userdel "$user" 2>/dev/null
useradd --no-create-home --shell /usr/sbin/nologin "$user" || exit 1
echo "$user:bench-pw-1" | chpasswd
install -m 0644 "$TOP/vmware-authd.pam" "/etc/pam.d/$svc"
PRELOAD= start_daemon "$WORK/d" <<EOF2 || exit 1
pam_service $svc
lockout_threshold 1000
fail_delay_ms $DELAY
max_conns 256
EOF2

now() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.1f", n / (ns / 1e9) }'; }

# Throughput, one client at a time: a new TLS connection per login.
t0=$(now)
i=0; okd=0
while [ $i -lt $N ]; do
	[ "$(login "$user" bench-pw-1)" = "230 User $user logged in." ] && okd=$((okd + 1))
	i=$((i + 1))
done
td=$(( $(now) - t0 ))
t0=$(now)
i=0; okp=0
while [ $i -lt $N ]; do
	echo bench-pw-1 | pamtester "$svc" "$user" authenticate acct_mgmt \
	    >/dev/null 2>&1 && okp=$((okp + 1))
	i=$((i + 1))
done
tp=$(( $(now) - t0 ))
rd=$(rate $N $td); rp=$(rate $N $tp)
echo "throughput: vmauthd (TLS + PAM) $rd logins/s ($okd/$N ok)"
echo "throughput: pamtester (PAM only) $rp logins/s ($okp/$N ok)"
echo "throughput ratio vmauthd/pamtester: $(awk -v a="$rd" -v b="$rp" 'BEGIN { printf "%.2f", a / b }')"

# The same with 4 clients at once (the PAM half is serial).
t0=$(now)
for w in 1 2 3 4; do
	(j=0; while [ $j -lt $((N / 4)) ]; do login "$user" bench-pw-1 >/dev/null; j=$((j + 1)); done) &
	BG="$BG $!"
done
waitbg
tc=$(( $(now) - t0 ))
echo "throughput: vmauthd, 4 concurrent clients: $(rate $N $tc) logins/s"

# Failure timing: time from PASS to the 530 reply, interleaved samples.
: > "$WORK/unknown"; : > "$WORK/wrong"
i=0
while [ $i -lt $K ]; do
	printf 'USER nosuch-%d\nPASS x\n' $i | cli -T | sed -n 3p | cut -d' ' -f1 >> "$WORK/unknown"
	printf 'USER %s\nPASS wrong\n' "$user" | cli -T | sed -n 3p | cut -d' ' -f1 >> "$WORK/wrong"
	i=$((i + 1))
done
med() { sort -n "$1" | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mu=$(med "$WORK/unknown"); mw=$(med "$WORK/wrong")
echo "failure timing (fail_delay_ms $DELAY, $K samples each):"
echo "  unknown user   median ${mu} ms"
echo "  wrong password median ${mw} ms"
awk -v u="$mu" -v w="$mw" 'BEGIN { d = u - w; if (d < 0) d = -d;
    m = (u + w) / 2; printf "  difference %.2f ms = %.2f%% of the median (target < 5%%): %s\n",
    d, 100 * d / m, (100 * d / m < 5) ? "OK" : "MISSED" }'

# What pam_unix alone reveals (pamtester, nodelay stack).
: > "$WORK/pu"; : > "$WORK/pw"
i=0
while [ $i -lt $K ]; do
	t0=$(now); echo x | pamtester "$svc" "nosuch-$i" authenticate >/dev/null 2>&1
	echo $(( ($(now) - t0) / 1000 )) >> "$WORK/pu"
	t0=$(now); echo wrong | pamtester "$svc" "$user" authenticate >/dev/null 2>&1
	echo $(( ($(now) - t0) / 1000 )) >> "$WORK/pw"
	i=$((i + 1))
done
echo "raw pam_unix via pamtester: unknown user median $(med "$WORK/pu") us, wrong password median $(med "$WORK/pw") us"
