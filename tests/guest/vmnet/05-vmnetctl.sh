#!/bin/sh
# vmnetctl end to end: create, list, host adapters, set VLAN/policy/rate,
# show, detach, destroy; the kernel's errno and extack reach the user;
# `monitor` prints attach/detach and an uplink's carrier changes; and
# /proc/vmware/net shows the same switch, ports, MACs, VLANs and counters.
. /vmw/lib.sh
command -v vmnetctl >/dev/null || skip "vmnetctl not in this image"
vmw_insmod vmproc; vmw_insmod vmnet || fail "insmod vmnet"

# expect_err WHAT PATTERN CMD...: CMD fails with a message matching PATTERN
expect_err() {
	what=$1 pat=$2; shift 2
	out=$("$@" 2>&1) && fail "$what: succeeded: $out"
	echo "$out" | grep -q -- "$pat" || fail "$what: '$out', want '$pat'"
	note "$what -> $out"
}

vmnetctl monitor > /tmp/mon.txt 2>&1 &
mon=$!
sleep 1

vmnetctl create sw1 || fail "create sw1"
vmnetctl create sw2 || fail "create sw2"
expect_err "create twice" "File exists: a switch of that name exists" vmnetctl create sw1
expect_err "bad name" "Invalid argument: switch names are" vmnetctl create bad/name
expect_err "16-char name" "Invalid argument" vmnetctl create abcdefghijklmnop
vmnetctl list | sed 's/^/    /'
vmnetctl list | grep -q "^sw1 " || fail "list lacks sw1"
vmnetctl list | grep -q "^sw2 " || fail "list lacks sw2"

out=$(vmnetctl hostif sw1 vmh1) || fail "hostif sw1 vmh1"
expect_eq "hostif reply" "$out" "sw1 port 1 vmh1"
[ -d /sys/class/net/vmh1 ] || fail "no netdev vmh1"
out=$(vmnetctl hostif sw1) || fail "hostif sw1 (default name)"
note "default-named adapter: $out"
p2=$(echo "$out" | awk '{print $3}')
if2=$(echo "$out" | awk '{print $4}')
expect_err "hostif on a missing switch" "No such file or directory: no such switch" vmnetctl hostif nosuch
expect_err "hostif name taken" "cannot register" vmnetctl hostif sw2 vmh1
mac=$(cat /sys/class/net/vmh1/address)

vmnetctl set sw1 1 vlan 10 policy promisc rate 100000 burst 5000 || fail "set"
vmnetctl show sw1 | sed 's/^/    /'
line=$(vmnetctl show sw1 | awk '$2 == 1')
echo "$line" | grep -q "hostif vmh1 *$mac 10 *forged,promisc *100000 *5000" ||
	fail "show after set: '$line'"
vmnetctl set sw1 vmh1 vlan trunk policy none rate 0 || fail "set by name"
line=$(vmnetctl show sw1 | awk '$2 == 1')
echo "$line" | grep -q "$mac trunk *forged *0 " || fail "show after set by name: '$line'"
expect_err "VLAN 4096" "Numerical result out of range" vmnetctl set sw1 1 vlan 4096
expect_err "rate over 2^34" "Numerical result out of range" vmnetctl set sw1 1 rate 17179869185
expect_err "no such port" "No such file or directory: no such port" vmnetctl set sw1 99 vlan 1
expect_err "bad setting" "bad setting" vmnetctl set sw1 1 color red
expect_err "bad policy" "bad setting" vmnetctl set sw1 1 policy everything
expect_err "usage" "usage" vmnetctl set sw1
expect_err "unknown verb" "unknown command" vmnetctl frobnicate

# /proc/vmware/net agrees
cat /proc/vmware/net/sw1/status | sed 's/^/    /'
cat /proc/vmware/net/sw1/ports | sed 's/^/    /'
grep -q "^ports 2$" /proc/vmware/net/sw1/status || fail "status: 2 ports"
grep -q "^1 *hostif vmh1 *$mac trunk" /proc/vmware/net/sw1/ports || fail "proc ports line"
[ -f /proc/vmware/net/sw2/ports ] || fail "no /proc/vmware/net/sw2"

# traffic moves the counters: vmh1 and the default adapter, both up, VLAN 0
vmnetctl set sw1 1 vlan 0 || fail "vlan 0"
ip link set vmh1 up && ip link set "$if2" up || fail "adapters up"
ip addr add 10.7.0.1/24 dev vmh1
ping -c 2 -W 1 -I vmh1 10.7.0.2 > /dev/null 2>&1	# ARP floods, no answer
rx=$(vmnetctl show sw1 | awk '$2 == 1 {print $10}')
[ "${rx:-0}" -gt 0 ] || fail "vmh1 rx counter is '$rx'"
tx=$(vmnetctl show sw1 | awk -v p="$p2" '$2 == p {print $12}')
[ "${tx:-0}" -gt 0 ] || fail "$if2 tx counter is '$tx'"
note "vmh1 sent $rx frames, $if2 received $tx"

# uplink carrier through monitor (iproute2's ip: busybox's cannot name a
# veth peer).
IP=/usr/sbin/ip
if vmw_stock veth && [ -x $IP ]; then
	$IP link add ve0 type veth peer name ve1 || fail "veth"
	vmnetctl uplink sw2 ve0 || fail "uplink sw2 ve0"
	expect_err "same NIC twice" "Device or resource busy: the NIC is already the uplink" vmnetctl uplink sw1 ve0
	expect_err "missing NIC" "No such device" vmnetctl uplink sw1 nosuch0
	expect_err "hostif as uplink" "Invalid argument" vmnetctl uplink sw2 vmh1
	$IP link set ve0 up && $IP link set ve1 up || fail "veth up"
	sleep 3		# carrier changes reach notifiers through linkwatch
	$IP link set ve1 down || fail "ve1 down"
	sleep 3
	vmnetctl detach sw2 ve0 || fail "detach ve0"
	expect_err "detach twice" "no such port" vmnetctl detach sw2 ve0
	$IP link del ve0
else
	note "no stock veth: carrier events not checked"
fi

vmnetctl detach sw1 "$p2" || fail "detach $p2"
[ -d "/sys/class/net/$if2" ] && fail "$if2 still there"
vmnetctl destroy sw1 || fail "destroy sw1"
vmnetctl destroy sw2 || fail "destroy sw2"
expect_err "destroy twice" "No such file or directory: no such switch" vmnetctl destroy sw1
[ -d /sys/class/net/vmh1 ] && fail "vmh1 outlived its switch"
[ -e /proc/vmware/net/sw1 ] && fail "/proc/vmware/net/sw1 left behind"
vmnetctl list | grep -q "^sw1 " && fail "sw1 still listed"
sleep 1
kill $mon
sed 's/^/    monitor: /' /tmp/mon.txt
grep -q "^sw1 port 1 hostif vmh1 attach" /tmp/mon.txt || fail "no attach event"
grep -q "^sw1 port $p2 hostif $if2 detach" /tmp/mon.txt || fail "no detach event"
if [ -e "$VMW_STOCK/veth.load" ] && [ -x $IP ]; then
	grep -q "^sw2 port 1 uplink ve0 carrier-up" /tmp/mon.txt || fail "no carrier-up"
	grep -q "^sw2 port 1 uplink ve0 carrier-down" /tmp/mon.txt || fail "no carrier-down"
	grep -q "^sw2 port 1 uplink ve0 detach" /tmp/mon.txt || fail "no uplink detach"
	vmw_stock_unload veth
fi
rmmod vmnet || fail "rmmod vmnet"
rmmod vmproc
exit 0
