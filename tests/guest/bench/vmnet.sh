#!/bin/sh
# Benchmark (not pass/fail): two network namespaces, A and B, each with a
# veth whose host end (va0, vb0) is a port of the switch under test: the
# uplinks of one vmnet switch, then the same two veths enslaved to a Linux
# bridge. Measured through each: frames per second of 64 B and 1514 B
# frames (pktblast, AF_PACKET, from A to B's MAC; counted where they reach
# B) and TCP Gbit/s (iperf3, A -> B). Best of VMNET_BENCH_RUNS (3) runs of
# VMNET_BENCH_SECS (3) seconds, alternating; prints vmnet/bridge ratios
# (higher is better for vmnet; target >= 1.0).
. /vmw/lib.sh
IP=/usr/sbin/ip IPERF=/usr/bin/iperf3
RUNS=${VMNET_BENCH_RUNS:-3} SECS=${VMNET_BENCH_SECS:-3}
[ -x $IP ] && [ -x $IPERF ] || skip "iproute2 or iperf3 not in this image"
command -v vmnetctl >/dev/null && command -v pktblast >/dev/null ||
	skip "vmnetctl or pktblast not in this image"
vmw_stock veth && vmw_stock bridge || skip "stock veth/bridge modules missing"
vmw_insmod vmproc; vmw_insmod vmnet || fail "insmod vmnet"

for ns in a b; do
	$IP netns add $ns || fail "netns $ns"
	$IP link add v${ns}0 type veth peer name v${ns}1 netns $ns ||
		fail "veth v${ns}0"
	$IP link set v${ns}0 up || fail "v${ns}0 up"
	$IP -n $ns link set lo up && $IP -n $ns link set v${ns}1 up || fail "$ns up"
done
$IP -n a addr add 10.7.0.1/24 dev va1 && $IP -n b addr add 10.7.0.2/24 dev vb1 ||
	fail "addresses"
MAC_B=$($IP netns exec b cat /sys/class/net/vb1/address)

rx_b() { $IP netns exec b cat /sys/class/net/vb1/statistics/rx_packets; }

# frames SIZE: frames per second that reach B
frames() {
	r0=$(rx_b)
	out=$($IP netns exec a pktblast va1 "$MAC_B" "$1" "$SECS") ||
		fail "pktblast: $out"
	r1=$(rx_b)
	t=$(echo "$out" | awk '{print $4}')
	echo "$r0 $r1 $t" | awk '{printf "%.0f\n", ($2 - $1) / $3}'
}

# tcp: Gbit/s A -> B, as iperf3's receiver saw it
tcp() {
	$IP netns exec b $IPERF -s -1 > /dev/null 2>&1 &
	srv=$!
	sleep 1
	$IP netns exec a $IPERF -c 10.7.0.2 -t "$SECS" -f g > /tmp/bench-cli.txt 2>&1 ||
		{ cat /tmp/bench-cli.txt; kill $srv; fail "iperf3"; }
	wait $srv
	awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i + 1) == "Gbits/sec") print $i}' /tmp/bench-cli.txt
}

best() {	# best OLD NEW: the larger
	echo "$1 $2" | awk '{print ($2 > $1) ? $2 : $1}'
}

# measure KIND: one run of every figure through KIND, kept as the best
measure() {
	# both MACs into the forwarding table
	$IP netns exec a ping -c 2 -W 2 10.7.0.2 > /dev/null 2>&1 ||
		fail "$1: A cannot ping B"
	f64=$(frames 60) f1514=$(frames 1514) g=$(tcp)
	eval "${1}_f64=\$(best \${${1}_f64:-0} $f64)"
	eval "${1}_f1514=\$(best \${${1}_f1514:-0} $f1514)"
	eval "${1}_tcp=\$(best \${${1}_tcp:-0} ${g:-0})"
	note "$1: 64 B $f64 fps, 1514 B $f1514 fps, TCP ${g:-?} Gbit/s"
}

use_vmnet() {
	vmnetctl create bench && vmnetctl uplink bench va0 > /dev/null &&
		vmnetctl uplink bench vb0 > /dev/null || fail "vmnet setup"
}
use_bridge() {
	$IP link add br0 type bridge && $IP link set va0 master br0 &&
		$IP link set vb0 master br0 && $IP link set br0 up ||
		fail "bridge setup"
}
drop_vmnet() { vmnetctl destroy bench || fail "destroy bench"; }
drop_bridge() { $IP link del br0 || fail "del br0"; }

for r in $(seq "$RUNS"); do
	for kind in vmnet bridge; do
		use_$kind
		sleep 1
		measure $kind
		drop_$kind
	done
done

ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "?" }'; }
gbps() { echo "$1 $2" | awk '{printf "%.2f", $1 * $2 * 8 / 1e9}'; }
note "best of $RUNS x ${SECS}s:"
note "  64 B frames:   vmnet $vmnet_f64 fps, bridge $bridge_f64 fps, vmnet/bridge $(ratio $vmnet_f64 $bridge_f64)"
note "  1514 B frames: vmnet $vmnet_f1514 fps ($(gbps $vmnet_f1514 1514) Gbit/s), bridge $bridge_f1514 fps ($(gbps $bridge_f1514 1514) Gbit/s), vmnet/bridge $(ratio $vmnet_f1514 $bridge_f1514)"
note "  TCP:           vmnet $vmnet_tcp Gbit/s, bridge $bridge_tcp Gbit/s, vmnet/bridge $(ratio $vmnet_tcp $bridge_tcp)"

$IP netns del a
$IP netns del b
rmmod vmnet || fail "rmmod vmnet"
rmmod vmproc
vmw_stock_unload bridge
vmw_stock_unload veth
exit 0
