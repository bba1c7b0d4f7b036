# tests/lib.sh - helpers shared by the vmauthd test scripts.
#
# Each script prints one "PASS: name", "FAIL: name - why" or
# "SKIP: name - why" line per check; tests/run.sh counts them.

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
VMAUTHD=$TOP/vmauthd
AUTHCLI=$TOP/tests/authcli
CANARY=${CANARY:-Canary-7f3a9c-Pw}
LIBDIR=/usr/lib/x86_64-linux-gnu
[ -d "$LIBDIR" ] || LIBDIR=$(dirname "$(find /usr/lib -name libpam_wrapper.so | head -1)")
PAM_MATRIX=$LIBDIR/pam_wrapper/pam_matrix.so
WORK=${WORK:-$(mktemp -d /tmp/vmauthd-test.XXXXXX)}
mkdir -p "$WORK"
chmod 755 "$WORK"
DAEMON_PIDS=

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ - $2}"; }
skip() { echo "SKIP: $1${2:+ - $2}"; }

# expect NAME ACTUAL EXPECTED
expect() {
	if [ "$2" = "$3" ]; then pass "$1"
	else fail "$1" "got '$2', want '$3'"; fi
}

# expect_match NAME TEXT GREP-PATTERN
expect_match() {
	if printf '%s\n' "$2" | grep -q -- "$3"; then pass "$1"
	else fail "$1" "'$3' not in: $(printf '%s' "$2" | tr '\n' '|' | cut -c1-300)"; fi
}

expect_nomatch() {
	if printf '%s\n' "$2" | grep -q -- "$3"; then
		fail "$1" "unexpected '$3'"
	else pass "$1"; fi
}

# A pam_matrix service and password database in $1.
pam_matrix_setup() {
	mkdir -p "$1/svc"
	printf '%s\n' "alice:$CANARY:vmware-authd" "bob:bob-pw-2:vmware-authd" \
	    "carol:carol-pw-3:vmware-authd" > "$1/passdb"
	for t in auth account; do
		echo "$t required $PAM_MATRIX passdb=$1/passdb"
	done > "$1/svc/vmware-authd"
}

# start_daemon DIR [extra config lines on stdin]: sets PORT PID LOG SOCK.
# Env PRELOAD and DAEMON_ENV add wrappers; default is pam_wrapper.
start_daemon() {
	d=$1
	mkdir -p "$d"
	[ -f "$d/passdb" ] || pam_matrix_setup "$d"
	LOG=$d/daemon.log
	SOCK=$d/api.sock
	{
		echo "listen 127.0.0.1"
		echo "port 0"
		echo "local_socket $SOCK"
		echo "cert $d/cert.pem"
		echo "key $d/key.pem"
		echo "permissions $d/permissions"
		echo "user nobody"
		echo "fail_delay_ms 200"
		cat
	} > "$d/vmauthd.conf"
	: > "$LOG"
	env -u CANARY LD_PRELOAD="${PRELOAD-libpam_wrapper.so}" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$d/svc" $DAEMON_ENV \
	    "$VMAUTHD" -d -v -f "$d/vmauthd.conf" 2>>"$LOG" &
	PID=$!
	DAEMON_PIDS="$DAEMON_PIDS $PID"
	i=0
	while ! grep -q 'net_main: ready' "$LOG" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $PID 2>/dev/null; then
			echo "daemon did not start:" >&2
			cat "$LOG" >&2
			return 1
		fi
		sleep 0.1
	done
	PORT=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$LOG" | tail -1)
}

stop_daemon() {
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

stop_all() {
	for p in $DAEMON_PIDS; do stop_daemon "$p"; done
	DAEMON_PIDS=
}

# The network (child) process of daemon $1.
net_pid() {
	pgrep -P "$1" | head -1
}

# cli ARGS...: authcli against the current daemon with a time limit.
cli() {
	timeout 30 "$AUTHCLI" -p "$PORT" "$@"
}

api() {
	timeout 30 "$AUTHCLI" -u "$SOCK" "$@"
}

# login USER PASS: the reply to PASS.
login() {
	printf 'USER %s\nPASS %s\n' "$1" "$2" | cli | sed -n 3p
}

# Wait for the background clients started since the last waitbg (a bare
# `wait` would also wait for the daemon).
BG=
waitbg() {
	for p in $BG; do wait "$p"; done
	BG=
}

trap stop_all EXIT
