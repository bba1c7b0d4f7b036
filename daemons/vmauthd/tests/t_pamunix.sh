# t_pamunix.sh - the shipped PAM file with the real libpam and pam_unix,
# against local accounts made with useradd.  Needs root.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip "pam_unix tests" "not root: useradd and /etc/shadow need root"
	exit 0
fi
for c in useradd chpasswd chage usermod userdel; do
	if ! command -v $c >/dev/null; then
		skip "pam_unix tests" "$c missing (package passwd)"
		exit 0
	fi
done

svc=vmauthd-test-$$
users="vmat-ok vmat-exp vmat-lock vmat-chg"
cleanup() {
	stop_all
	for u in $users; do userdel "$u" 2>/dev/null; done
	rm -f "/etc/pam.d/$svc" "/etc/pam.d/$svc-delay"
}
trap cleanup EXIT
for u in $users; do
	userdel "$u" 2>/dev/null
	useradd --no-create-home --shell /usr/sbin/nologin "$u" || exit 1
	echo "$u:$CANARY" | chpasswd
done
chage -E 0 vmat-exp		# account expired
usermod -L vmat-lock		# password locked
chage -d 0 vmat-chg		# password must be changed
install -m 0644 "$TOP/vmware-authd.pam" "/etc/pam.d/$svc"

PRELOAD= start_daemon "$WORK/d" <<EOF2
pam_service $svc
lockout_threshold 1000
EOF2

expect "pam_unix success" "$(login vmat-ok "$CANARY")" "230 User vmat-ok logged in."
expect "pam_unix wrong password" "$(login vmat-ok wrong)" "530 Login incorrect."
expect "pam_unix unknown user" "$(login vmat-nosuch "$CANARY")" "530 Login incorrect."
expect "pam_unix expired account" "$(login vmat-exp "$CANARY")" "530 Login incorrect."
expect "pam_unix locked account" "$(login vmat-lock "$CANARY")" "530 Login incorrect."
expect "pam_unix password expired" "$(login vmat-chg "$CANARY")" "530 Login incorrect."
expect_match "expired account logged" "$(cat "$LOG")" 'user vmat-exp .*account unavailable'
expect_match "must-change logged" "$(cat "$LOG")" 'user vmat-chg .*account unavailable'
expect "pam_unix via API" "$(echo "AUTH - vmat-ok $CANARY" | api)" "OK"

# Without nodelay pam_unix asks for about 2 s on failure (Linux-PAM
# randomises it, so anything from about half of that counts); vmauthd must
# honour that through PAM_FAIL_DELAY, without sleeping in PAM.
sed 's/ nodelay//' "$TOP/vmware-authd.pam" > "/etc/pam.d/$svc-delay"
users_pid=$PID
PRELOAD= start_daemon "$WORK/d2" <<EOF2
pam_service $svc-delay
lockout_threshold 1000
EOF2
t0=$(date +%s%N)
login vmat-ok wrong >/dev/null
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rm -f "/etc/pam.d/$svc-delay"
if [ $ms -ge 900 ]; then pass "pam_unix fail delay honoured (${ms} ms)"
else fail "pam_unix fail delay honoured" "${ms} ms"; fi
stop_daemon "$PID"
PID=$users_pid
PORT=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$WORK/d/daemon.log" | tail -1)
SOCK=$WORK/d/api.sock
LOG=$WORK/d/daemon.log

# pamtester on the same service must agree (account stack included).
if command -v pamtester >/dev/null; then
	for c in "vmat-ok $CANARY" "vmat-ok wrong" "vmat-nosuch x" \
	    "vmat-exp $CANARY" "vmat-lock $CANARY"; do
		set -- $c
		echo "$2" | timeout 20 pamtester "$svc" "$1" authenticate \
		    acct_mgmt >/dev/null 2>&1
		pt=$?
		[ $pt -ne 0 ] && pt=1
		d=$(login "$1" "$2")
		[ "$d" = "230 User $1 logged in." ] && d=0 || d=1
		expect "pamtester agrees: $1 $( [ "$2" = "$CANARY" ] && echo right || echo wrong)" "$pt" "$d"
	done
else
	skip "pamtester cross-check" "pamtester not installed"
fi
