# t_wrappers.sh - port 902 and the privilege drop without root: the
# daemon runs under uid_wrapper (believes it is root), nss_wrapper (has a
# "vmauthd" user), socket_wrapper (binds 127.0.0.10:902 as a Unix socket
# in a directory) and pam_wrapper.
. "$(dirname "$0")/lib.sh"

for w in uid socket nss pam; do
	if [ ! -e "$LIBDIR/lib${w}_wrapper.so" ]; then
		skip "wrapped port 902" "lib${w}_wrapper.so missing (lib${w}-wrapper)"
		exit 0
	fi
done
d=$WORK/d
mkdir -p "$d/swrap"
echo "vmauthd:x:901:901:vmauthd:/nonexistent:/bin/false" > "$d/passwd"
echo "vmauthd:x:901:" > "$d/group"
SWRAP="SOCKET_WRAPPER_DIR=$d/swrap SOCKET_WRAPPER_DEFAULT_IFACE=10"
PRELOAD="libuid_wrapper.so libsocket_wrapper.so libnss_wrapper.so libpam_wrapper.so" \
DAEMON_ENV="UID_WRAPPER=1 UID_WRAPPER_ROOT=1 NSS_WRAPPER_PASSWD=$d/passwd NSS_WRAPPER_GROUP=$d/group $SWRAP" \
    start_daemon "$d" <<EOF2
listen 127.0.0.10
port 902
user vmauthd
EOF2
expect "wrapped daemon on port 902" "$PORT" 902
expect_match "dropped to the vmauthd user" "$(cat "$LOG")" 'net_drop_privs: running as vmauthd'
out=$(printf 'USER alice\nPASS %s\n' "$CANARY" | env LD_PRELOAD=libsocket_wrapper.so \
    $SWRAP timeout 20 "$AUTHCLI" -h 127.0.0.10 -p 902 | sed -n 3p)
expect "login on wrapped port 902" "$out" "230 User alice logged in."
