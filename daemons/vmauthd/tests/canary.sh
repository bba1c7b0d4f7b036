# canary.sh - after every other test: the canary password used by all of
# them must appear in no file the daemons wrote (logs, certificates,
# keys), and no daemon left a core file.
: "${WORKROOT:?run from tests/run.sh}"
: "${CANARY:?}"

files=$(find "$WORKROOT" -type f \( -name daemon.log -o -name '*.pem' \))
n=$(echo "$files" | grep -c .)
if [ "$n" -lt 5 ]; then
	echo "FAIL: canary - only $n daemon files to scan"
	exit 0
fi
hits=$(echo "$files" | xargs grep -l -F -- "$CANARY" 2>/dev/null)
if [ -z "$hits" ]; then
	echo "PASS: canary password in none of $n daemon logs/keys/certs"
else
	echo "FAIL: canary password found in: $hits"
fi
logins=$(cat $(echo "$files" | grep daemon.log) | grep -c 'priv_auth: user')
if [ "$logins" -gt 50 ]; then
	echo "PASS: canary scan covered $logins authentications"
else
	echo "FAIL: canary scan covered only $logins authentications"
fi
cores=$(find "$WORKROOT" -name 'core*' | wc -l)
if [ "$cores" -eq 0 ]; then echo "PASS: no core files"
else echo "FAIL: $cores core files under $WORKROOT"; fi
