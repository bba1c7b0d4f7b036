#!/bin/sh
# Uplink traffic through vmnetctl: a switch with a host adapter is bridged
# to a veth whose peer lives in another network namespace; with arp_ignore=1
# on the uplink only the host adapter answers ARP for the host's address,
# and ping and iperf3 pass both ways through the switch. A NIC that a Linux
# bridge owns is refused with EBUSY, and deleting the uplink NIC while
# iperf3 runs detaches it cleanly.
. /vmw/lib.sh
IP=/usr/sbin/ip IPERF=/usr/bin/iperf3
command -v vmnetctl >/dev/null || skip "vmnetctl not in this image"
[ -x $IP ] && [ -x $IPERF ] || skip "iproute2 or iperf3 not in this image"
vmw_stock veth && vmw_stock bridge || skip "stock veth/bridge modules missing"
vmw_insmod vmproc; vmw_insmod vmnet || fail "insmod vmnet"

vmnetctl monitor > /tmp/mon6.txt 2>&1 &
mon=$!
$IP netns add peer || fail "netns add"
$IP link add ve0 type veth peer name ve1 netns peer || fail "veth pair"
vmnetctl create up || fail "create up"
vmnetctl hostif up vmh0 > /dev/null || fail "hostif"
vmnetctl uplink up ve0 > /dev/null || fail "uplink ve0"
$IP link set ve0 up && $IP link set vmh0 up &&
	$IP addr add 10.9.0.1/24 dev vmh0 || fail "host side"
$IP -n peer link set lo up && $IP -n peer link set ve1 up &&
	$IP -n peer addr add 10.9.0.2/24 dev ve1 || fail "peer side"

# ARP flux: the uplink passes broadcasts up to the host's stack too, which
# by default (arp_ignore=0) answers for any of its addresses on any NIC, so
# ve0 claims vmh0's 10.9.0.1 as well and the peer may send the host's
# traffic to ve0's MAC, past the switch. The remedy is the host's, as on
# any host with two NICs on one segment: arp_ignore=1 on the uplink.
arp_replies() {
	$IP netns exec peer arping -c 1 -w 2 -I ve1 10.9.0.1 2>&1 | grep -c "reply from"
}
note "ARP replies for 10.9.0.1 with ve0's arp_ignore=0: $(arp_replies)"
echo 1 > /proc/sys/net/ipv4/conf/ve0/arp_ignore || fail "arp_ignore"
expect_eq "ARP replies for 10.9.0.1 with ve0's arp_ignore=1" "$(arp_replies)" 1
$IP -n peer neigh flush dev ve1

ping -c 3 -W 2 10.9.0.2 > /tmp/p1 2>&1 || { cat /tmp/p1; fail "host -> peer ping"; }
$IP netns exec peer ping -c 3 -W 2 10.9.0.1 > /tmp/p2 2>&1 ||
	{ cat /tmp/p2; fail "peer -> host ping"; }
note "ping both ways: $(grep -h 'packets transmitted' /tmp/p1 /tmp/p2 | tr '\n' ';')"
lladdr=$($IP -n peer neigh show 10.9.0.1 dev ve1 | awk '{print $3}')
expect_eq "the peer's MAC for 10.9.0.1" "$lladdr" "$(cat /sys/class/net/vmh0/address)"

# iperf3: server in the peer namespace; forward then reverse (-R).
iperf() {	# iperf WHAT ARGS...
	what=$1; shift
	$IP netns exec peer $IPERF -s -1 > /tmp/srv.txt 2>&1 &
	srv=$!
	sleep 1
	$IPERF -c 10.9.0.2 -t 3 -f m "$@" > /tmp/cli.txt 2>&1 ||
		{ cat /tmp/cli.txt /tmp/srv.txt; kill $srv; fail "iperf3 $what"; }
	wait $srv
	rate=$(grep receiver /tmp/cli.txt | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i}')
	note "iperf3 $what: $rate Mbit/s"
	[ -n "$rate" ] || { cat /tmp/cli.txt; fail "iperf3 $what: no receiver rate"; }
}
iperf "host -> peer"
iperf "peer -> host" -R
vmnetctl show up | sed 's/^/    /'

# a NIC in a Linux bridge has an rx_handler already
$IP link add br0 type bridge && $IP link add ve2 type veth peer name ve3 &&
	$IP link set ve2 master br0 || fail "bridge setup"
out=$(vmnetctl uplink up ve2 2>&1) && fail "NIC of a bridge accepted"
echo "$out" | grep -q "Device or resource busy: the NIC already has an rx_handler" ||
	fail "bridge NIC: '$out'"
note "NIC in a bridge -> $out"
$IP link del ve2 && $IP link del br0

# the NIC disappears under load
$IP netns exec peer $IPERF -s -1 > /dev/null 2>&1 &
srv=$!
sleep 1
$IPERF -c 10.9.0.2 -t 8 > /dev/null 2>&1 &
cli=$!
ping -f -c 20000 10.9.0.2 > /dev/null 2>&1 &
pf=$!
sleep 2
$IP link del ve0 || fail "ip link del ve0"
sleep 1
vmnetctl show up | grep -q uplink && fail "uplink still listed after ip link del"
grep -q "up .*ve0" /proc/vmware/net/up/ports && fail "/proc still lists ve0"
kill $cli $srv $pf 2>/dev/null
wait $cli $srv $pf 2>/dev/null
$IP netns del peer
vmnetctl destroy up || fail "destroy up"
sleep 1
kill $mon
sed 's/^/    monitor: /' /tmp/mon6.txt
grep -q "^up port 2 uplink ve0 detach" /tmp/mon6.txt || fail "no detach event for ve0"
rmmod vmnet || fail "rmmod vmnet"
rmmod vmproc
vmw_stock_unload bridge
vmw_stock_unload veth
exit 0
