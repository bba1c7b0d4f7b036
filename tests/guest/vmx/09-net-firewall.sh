#!/bin/sh
# The seed's dual-homed firewall: switch "outside" stands for the LAN (a
# host adapter, vmout0 = 10.9.1.1, is the LAN's other machine), switch
# "inside" is host-only. VM fw has ethernet0 on outside (10.9.1.2) and
# ethernet1 on inside (10.9.2.1) and routes; VMs a and b are on inside
# only, with fw as their default route. a reaches b and fw directly, and
# the LAN only through fw: not when fw stops forwarding, not without the
# route. No frame from a or b ever enters the outside switch: its learned
# addresses (/proc/vmware/net/outside/fdb) and the LAN's neighbours hold
# fw's outside MAC and none of a's or b's.
. /vmw/lib.sh
P=/vmw/payload
[ -x $P/vmx ] && [ -f $P/vmlinuz ] || skip "no vmx payload (vmx/mkpayload.sh)"
[ "$(vmw_cmdline vmw.emu)" = bochs ] && skip "three nested guests take too long under Bochs"
vg_setup
start=$(cut -d. -f1 /proc/uptime)
vmnet-switch add outside && vmnet-switch hostif outside vmout0 && vmnet-switch add inside ||
	fail "cannot build the switches"
ip link set vmout0 up && ip addr add 10.9.1.1/24 dev vmout0 &&
	ip route add 10.9.2.0/24 via 10.9.1.2 || fail "cannot configure vmout0"
FW0=00:50:56:00:09:01 FW1=00:50:56:00:09:02 A=00:50:56:00:09:0a B=00:50:56:00:09:0b
nic() {	# nic N SWITCH MAC
	printf 'ethernet%s.present = "TRUE"\nethernet%s.virtualDev = "virtio"\nethernet%s.networkName = "%s"\nethernet%s.address = "%s"\n' \
		$1 $1 $1 $2 $1 $3
}

vg_start fw 3 "$(nic 0 outside $FW0; nic 1 inside $FW1)"
vg_ready fw
vg_run fw 'echo $(cat /sys/class/net/eth0/address /sys/class/net/eth1/address)'
expect_eq "fw's MACs (eth0 eth1)" "$VG_OUT" "$FW0 $FW1"
vg_run fw 'ip addr add 10.9.1.2/24 dev eth0 && ip link set eth0 up && ip addr add 10.9.2.1/24 dev eth1 && ip link set eth1 up && echo 1 > /proc/sys/net/ipv4/ip_forward'
[ "$VG_RC" = 0 ] || vg_fail fw "cannot configure fw: $VG_OUT"
vg_start a 4 "$(nic 0 inside $A)"
vg_ready a
vg_start b 5 "$(nic 0 inside $B)"
vg_ready b
note "three guests up in $(($(cut -d. -f1 /proc/uptime) - start)) s"
for g in a b; do
	ip=10.9.2.10
	[ $g = b ] && ip=10.9.2.11
	vg_run $g "ip addr add $ip/24 dev eth0 && ip link set eth0 up && ip route add default via 10.9.2.1"
	[ "$VG_RC" = 0 ] || vg_fail $g "cannot configure $g: $VG_OUT"
done

ping_ok() {	# ping_ok GUEST ADDRESS WHAT
	vg_run $1 "ping -c 2 -W 3 $2 | tail -2" 30
	[ "$VG_RC" = 0 ] || { note "$VG_OUT"; vg_fail $1 "$3: no answer"; }
	note "$3: $(echo "$VG_OUT" | grep transmitted)"
}
ping_fails() {	# ping_fails GUEST ADDRESS WHAT
	vg_run $1 "ping -c 2 -W 2 $2 2>&1 | tail -2" 30
	echo "$VG_OUT" | grep -q ' 0 packets received\|unreachable' || { note "$VG_OUT"; vg_fail $1 "$3: answered"; }
	note "$3: refused ($(echo "$VG_OUT" | tail -1))"
}
ping_ok a 10.9.2.11 "a -> b"
ping_ok b 10.9.2.10 "b -> a"
ping_ok a 10.9.2.1 "a -> fw"
ping_ok a 10.9.1.1 "a -> LAN through fw"
ping_ok b 10.9.1.1 "b -> LAN through fw"
ping -c 2 -W 3 10.9.2.10 > /dev/null || fail "the LAN cannot reach a through fw"
note "LAN -> a through fw: ok"

vg_run fw 'echo 0 > /proc/sys/net/ipv4/ip_forward'
ping_fails a 10.9.1.1 "a -> LAN, fw not forwarding"
vg_run fw 'echo 1 > /proc/sys/net/ipv4/ip_forward'
vg_run a 'ip route del default'
ping_fails a 10.9.1.1 "a -> LAN, no route via fw"
vg_run a 'ip route add default via 10.9.2.1'
ping_ok a 10.9.1.1 "a -> LAN, route back"

fdb=$(cat /proc/vmware/net/outside/fdb)
echo "$fdb" | grep -q -i $FW0 || { echo "$fdb"; fail "fw's outside MAC not learned on outside"; }
n=$(echo "$fdb" | grep -c -i -E "$A|$B|$FW1")
[ "$n" = 0 ] || { echo "$fdb"; fail "$n inside MACs learned on the outside switch"; }
neigh=$(ip neigh show dev vmout0)
echo "$neigh" | grep -q -i -E "$A|$B|$FW1" && { echo "$neigh"; fail "the LAN sees an inside MAC"; }
in=$(grep -c -i -E "$A|$B|$FW1" /proc/vmware/net/inside/fdb)
note "outside switch learned only fw ($FW0); inside learned $in of a, b, fw"
expect_eq "inside MACs learned on inside" "$in" 3

vg_stop a
vg_stop b
vg_stop fw
vmnet-switch del inside && vmnet-switch del outside || fail "cannot delete the switches"
note "took $(($(cut -d. -f1 /proc/uptime) - start)) s"
exit 0
