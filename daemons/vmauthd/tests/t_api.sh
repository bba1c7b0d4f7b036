# t_api.sh - the local API: passwords, tickets (expiry, revocation) and
# the permission file, with groups from nss_wrapper.
. "$(dirname "$0")/lib.sh"

d=$WORK/d
mkdir -p "$d"
cat > "$d/passwd" <<EOF2
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
alice:x:1001:1001:Alice:/home/alice:/bin/false
bob:x:1002:1002:Bob:/home/bob:/bin/false
carol:x:1003:1003:Carol:/home/carol:/bin/false
EOF2
cat > "$d/group" <<EOF2
nogroup:x:65534:
alice:x:1001:
bob:x:1002:
carol:x:1003:
vmops:x:2001:bob
EOF2
cat > "$d/permissions" <<'EOF2'
# subject   glob                     level
alice       /vms/web-*.vmx           operate
@vmops      *                        admin
*           "/vms/Public VMs/*"      read
carol       *                        none
EOF2
PRELOAD="libpam_wrapper.so libnss_wrapper.so" \
DAEMON_ENV="NSS_WRAPPER_PASSWD=$d/passwd NSS_WRAPPER_GROUP=$d/group" \
    start_daemon "$d" <<EOF2
ticket_ttl 2
lockout_threshold 1000
EOF2

expect "AUTH ok" "$(echo "AUTH 192.0.2.1 alice $CANARY" | api)" "OK"
expect "AUTH wrong" "$(echo "AUTH 192.0.2.1 alice nope" | api)" "ERR denied"
expect "AUTH unknown" "$(echo "AUTH - zed nope" | api)" "ERR denied"
expect "AUTH syntax" "$(echo "AUTH 192.0.2.1" | api)" "ERR syntax"
expect "AUTH empty password" "$(echo "AUTH - alice" | api)" "ERR denied"
expect "password with spaces" "$(echo "AUTH - bob bob pw" | api)" "ERR denied"
expect "unknown command" "$(echo "FROB" | api)" "ERR unknown command"

tok=$(echo "LOGIN 192.0.2.1 bob bob-pw-2" | api | awk '/^OK/ { print $2 }')
expect_match "LOGIN issues ticket" "$tok" '^[0-9a-f]\{64\}$'
expect_match "VERIFY valid" "$(echo "VERIFY $tok" | api)" '^OK bob [12]$'
expect "VERIFY garbage" "$(echo "VERIFY xyz" | api)" "ERR invalid"
expect "VERIFY unknown" "$(echo "VERIFY $(echo "$tok" | tr 0-9a-f a-f0-9)" | api)" "ERR invalid"
expect "REVOKE" "$(echo "REVOKE $tok" | api)" "OK"
expect "VERIFY revoked" "$(echo "VERIFY $tok" | api)" "ERR invalid"
expect "REVOKE twice" "$(echo "REVOKE $tok" | api)" "ERR invalid"

# A ticket from the TCP protocol is valid on the API; then it expires.
tok=$(printf 'USER alice\nPASS %s\nTICKET\n' "$CANARY" | cli | awk '/^250/ { print $3 }')
expect_match "TCP ticket verifies" "$(echo "VERIFY $tok" | api)" '^OK alice'
sleep 3
expect "ticket expires" "$(echo "VERIFY $tok" | api)" "ERR invalid"

expect "ACCESS user glob" "$(echo "ACCESS alice /vms/web-1.vmx" | api)" "OK operate"
expect "ACCESS no rule" "$(echo "ACCESS alice /vms/db.vmx" | api)" "OK none"
expect "ACCESS via group" "$(echo "ACCESS bob /vms/db.vmx" | api)" "OK admin"
expect "ACCESS anyone, quoted" "$(echo "ACCESS alice /vms/Public VMs/x.vmx" | api)" "OK read"
expect "ACCESS deny rule" "$(echo "ACCESS carol /vms/Public VMs/x.vmx" | api)" "OK none"
expect "ACCESS unknown user" "$(echo "ACCESS zed /vms/Public VMs/a.vmx" | api)" "OK read"
out=$(echo "RULES bob" | api | tr '\n' '|')
expect "RULES" "$out" 'RULE admin *|RULE read /vms/Public VMs/*|OK 2|'

# SIGHUP reloads the file; a broken file keeps the old rules.
echo "alice * admin" > "$d/permissions"
kill -HUP "$(net_pid "$PID")"
sleep 0.5
expect "reload on SIGHUP" "$(echo "ACCESS alice /vms/db.vmx" | api)" "OK admin"
echo "alice * superuser" > "$d/permissions"
kill -HUP "$(net_pid "$PID")"
sleep 0.5
expect "broken file keeps rules" "$(echo "ACCESS alice /vms/db.vmx" | api)" "OK admin"
expect_match "broken file logged" "$(cat "$LOG")" 'net_reload: .*permissions:1: Invalid argument'

out=$(head -c 2000 /dev/zero | tr '\0' x | api -r -t 3 | tr '\n' '|')
expect "API oversized line" "$out" "ERR line too long|EOF|"
expect "API serves after" "$(echo "AUTH - alice $CANARY" | api)" "OK"
if [ "$(id -u)" = 0 ]; then
	expect "socket mode 660" "$(stat -c %a "$SOCK")" "660"
else
	skip "socket mode 660" "not root"
fi
