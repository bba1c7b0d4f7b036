# t_proto.sh - the TCP protocol through real TLS clients, against
# pam_matrix via libpam-wrapper (no root needed).
. "$(dirname "$0")/lib.sh"

start_daemon "$WORK/d" <<EOF2
max_tries 2
lockout_threshold 1000
EOF2

out=$(printf 'USER alice\nPASS %s\nQUIT\n' "$CANARY" | cli)
expect_match "banner" "$(echo "$out" | sed -n 1p)" \
    '^220 VMware Authentication Daemon Version 1.10: SSL Required, '
expect "USER reply" "$(echo "$out" | sed -n 2p)" "331 Password required for alice."
expect "PASS success" "$(echo "$out" | sed -n 3p)" "230 User alice logged in."
expect "QUIT" "$(echo "$out" | sed -n 4p)" "221 Goodbye."
expect "wrong password" "$(login alice wrong-pw)" "530 Login incorrect."
expect "unknown user" "$(login nosuchuser whatever)" "530 Login incorrect."
expect "second user" "$(login bob bob-pw-2)" "230 User bob logged in."
expect "lower-case verbs" "$(printf 'user carol\npass carol-pw-3\n' | cli | sed -n 3p)" \
    "230 User carol logged in."

out=$(printf 'TICKET\nPASS x\nUSER bob\nPASS bob-pw-2\nTICKET\nUSER bob\nNOOP\n' | cli)
expect "TICKET before login" "$(echo "$out" | sed -n 2p)" "530 Please login with USER and PASS."
expect "PASS before USER" "$(echo "$out" | sed -n 3p)" "503 Login with USER first."
expect_match "TICKET after login" "$(echo "$out" | sed -n 6p)" '^250 TICKET [0-9a-f]\{64\} [0-9]*$'
expect "USER when logged in" "$(echo "$out" | sed -n 7p)" "503 Already logged in."
expect "NOOP" "$(echo "$out" | sed -n 8p)" "200 OK."

out=$(printf 'USER alice\nPASS bad1\nUSER alice\nPASS bad2\nNOOP\nNOOP\n' | cli)
expect "max tries closes" "$(echo "$out" | sed -n 6,7p | tr '\n' '|')" \
    "421 Too many login failures, closing.|EOF|"

# Malformed, binary, oversized and partial input, inside TLS.
out=$(printf 'FROB\n\001\002\377\nUSER \n USER x\nUSER bad name\nPASS\n' | cli)
expect "unknown command" "$(echo "$out" | sed -n 2p)" "500 Unknown command."
expect "binary line" "$(echo "$out" | sed -n 3p)" "500 Malformed line."
expect "empty user" "$(echo "$out" | sed -n 4p)" "501 Invalid user name."
expect "leading space" "$(echo "$out" | sed -n 5p)" "500 Malformed line."
expect "space in user" "$(echo "$out" | sed -n 6p)" "501 Invalid user name."
expect "bare PASS" "$(echo "$out" | sed -n 7p)" "503 Login with USER first."
out=$(printf 'USER a\000b\r\nNOOP\r\n' | cli -r -t 2)
expect "NUL in line" "$(echo "$out" | sed -n 2,3p | tr '\n' '|')" "500 Malformed line.|200 OK.|"

out=$(head -c 5000 /dev/zero | tr '\0' 'A' | cli -r)
expect "oversized line" "$(echo "$out" | sed -n 2,3p | tr '\n' '|')" "500 Line too long.|EOF|"
out=$(head -c 3000 /dev/urandom | cli -r -t 3)
expect_match "random binary closes or errors" "$out" '^500 \|^EOF$'
out=$(printf 'USER ali' | cli -r -t 1)
expect "partial line waits" "$(echo "$out" | sed -n 2p)" "TIMEOUT"
out=$(printf 'USER alice\r\nPASS %s\r\nTICKET\r\nQUIT\r\n' "$CANARY" | cli -r -t 5)
expect "pipelined lines" "$(echo "$out" | sed -n 2,3p | tr '\n' '|')" \
    "331 Password required for alice.|230 User alice logged in.|"

# A client that is not speaking TLS after the banner.
out=$(printf 'USER alice\r\n' | cli -N -r -t 3)
expect_match "plain text instead of TLS is dropped" "$out" 'EOF'
expect "serving after bad clients" "$(login bob bob-pw-2)" "230 User bob logged in."

# The same through GnuTLS: plain banner, then TLS on SIGALRM.
if command -v gnutls-cli >/dev/null; then
	fifo=$WORK/gnutls.in
	mkfifo "$fifo"
	gnutls-cli --insecure --starttls -p "$PORT" 127.0.0.1 \
	    <"$fifo" >"$WORK/gnutls.out" 2>"$WORK/gnutls.err" &
	gp=$!
	(sleep 20; kill $gp 2>/dev/null) &
	wd=$!
	exec 7>"$fifo"
	i=0
	while ! grep -q '^220 ' "$WORK/gnutls.out" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -ALRM $gp
	sleep 0.5
	printf 'USER bob\r\nPASS bob-pw-2\r\nQUIT\r\n' >&7
	sleep 1
	exec 7>&-
	wait $gp
	kill $wd 2>/dev/null
	expect_match "gnutls-cli login" "$(tr -d '\r' <"$WORK/gnutls.out")" \
	    '^230 User bob logged in.'
else
	skip "gnutls-cli login" "gnutls-cli not installed (gnutls-bin)"
fi

# openssl s_client cannot start TLS after a custom banner, but it can
# show the certificate vmauthd generated on first start.
if openssl x509 -in "$WORK/d/cert.pem" -noout -subject | grep -q vmauthd &&
    [ "$(stat -c %a "$WORK/d/key.pem")" = 600 ]; then
	pass "self-signed certificate generated, key mode 600"
else
	fail "self-signed certificate generated, key mode 600"
fi
out=$(printf 'USER bob\nPASS bob-pw-2\n' | cli -C "$WORK/d/cert.pem" | sed -n 3p)
expect "client verifies generated cert" "$out" "230 User bob logged in."

# pamtester on the same PAM stack must agree with the daemon.
if command -v pamtester >/dev/null; then
	for c in "alice $CANARY 0" "alice wrong 1" "nosuch x 1" "bob bob-pw-2 0"; do
		set -- $c
		echo "$2" | env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
		    PAM_WRAPPER_SERVICE_DIR="$WORK/d/svc" \
		    timeout 20 pamtester vmware-authd "$1" authenticate \
		    >/dev/null 2>&1
		pt=$?
		d=$(login "$1" "$2")
		[ "$d" = "230 User $1 logged in." ] && d=0 || d=1
		[ $pt -ne 0 ] && pt=1
		expect "pamtester agrees for $1/$3" "$pt/$d" "$3/$3"
	done
else
	skip "pamtester cross-check" "pamtester not installed"
fi
