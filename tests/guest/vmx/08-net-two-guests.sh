#!/bin/sh
# Two guests on one vmnet switch, each with a virtio-net NIC: one with a
# static MAC (ethernet0.address), one with a generated one. The guests see
# those MACs, ping each other both ways, the switch lists both ports while
# they run and none after; the generated MAC is the same on a second run
# of the same .vmx. A missing switch is a clear error naming the line.
. /vmw/lib.sh
P=/vmw/payload
[ -x $P/vmx ] && [ -f $P/vmlinuz ] || skip "no vmx payload (vmx/mkpayload.sh)"
[ "$(vmw_cmdline vmw.emu)" = bochs ] && skip "two nested guests take too long under Bochs"
vg_setup
SW=vt08
vmnet-switch add $SW || fail "cannot create switch $SW"
MAC1=00:50:56:00:08:01

# A switch that does not exist: vmx refuses to start, naming the line.
mkdir -p /tmp/vg-bad
cat > /tmp/vg-bad/guest.vmx <<EOC
memsize = "64"
kernel = "$P/vmlinuz"
ethernet0.present = "TRUE"
ethernet0.networkName = "nosuch"
EOC
VMX_DEV=$VG_DEV $P/vmx /tmp/vg-bad/guest.vmx > /tmp/vg-bad/out 2>&1 < /dev/null && fail "vmx started on a missing switch"
grep -q "guest.vmx:4: ethernet0.networkName: no vmnet switch 'nosuch'" /tmp/vg-bad/out ||
	{ cat /tmp/vg-bad/out; fail "no clear error for a missing switch"; }
note "missing switch: $(grep nosuch /tmp/vg-bad/out)"

start=$(cut -d. -f1 /proc/uptime)
vg_start g1 3 "ethernet0.present = \"TRUE\"
ethernet0.virtualDev = \"virtio\"
ethernet0.networkName = \"$SW\"
ethernet0.address = \"$MAC1\""
vg_ready g1
vg_start g2 4 "ethernet0.present = \"TRUE\"
ethernet0.networkName = \"$SW\"
ethernet0.addressType = \"generated\""
vg_ready g2
note "both guests up in $(($(cut -d. -f1 /proc/uptime) - start)) s"

vg_run g1 'cat /sys/class/net/eth0/address'
expect_eq "g1's MAC" "$VG_OUT" $MAC1
vg_run g2 'cat /sys/class/net/eth0/address'
GEN=$VG_OUT
case $GEN in 00:0c:29:??:??:??) ;; *) vg_fail g2 "generated MAC '$GEN' not 00:0c:29:xx:xx:xx" ;; esac
grep -q -i "ethernet0: virtio-net $GEN on switch '$SW'" /tmp/vg-g2/err || vg_fail g2 "vmx did not report MAC $GEN"
note "MACs in the guests: g1 $MAC1 (static), g2 $GEN (generated)"
ports=$(grep -c -i -E "$MAC1|$GEN" /proc/vmware/net/$SW/ports)
expect_eq "VM ports of both MACs on the switch" "$ports" 2

vg_run g1 'ip addr add 10.8.0.1/24 dev eth0 && ip link set eth0 up'
vg_run g2 'ip addr add 10.8.0.2/24 dev eth0 && ip link set eth0 up'
vg_run g1 'ping -c 3 -W 5 10.8.0.2' 60
[ "$VG_RC" = 0 ] || { note "$VG_OUT"; vg_fail g1 "g1 cannot ping g2"; }
note "g1 -> g2: $(echo "$VG_OUT" | grep 'packets transmitted')"
vg_run g2 'ping -c 3 -W 5 10.8.0.1' 60
[ "$VG_RC" = 0 ] || { note "$VG_OUT"; vg_fail g2 "g2 cannot ping g1"; }
note "g2 -> g1: $(echo "$VG_OUT" | grep 'packets transmitted')"
vg_run g1 'ping -c 20 -i 0.05 -s 1400 -W 5 10.8.0.2 | tail -2' 60
note "g1 -> g2, 1400 bytes: $(echo "$VG_OUT" | grep 'packets transmitted'); $(echo "$VG_OUT" | grep round-trip)"
echo "$VG_OUT" | grep -q ' 0% packet loss' || vg_fail g1 "large pings lost"
vg_run g1 'dmesg | grep -i -E "virtio|eth0" | grep -i -E "warn|fail|error|bug" | sed "s/WARNING/guest warning/"'
[ -z "$VG_OUT" ] || note "g1 kernel: $VG_OUT"

vg_stop g1
vg_stop g2
grep -q -i -E "$MAC1|$GEN" /proc/vmware/net/$SW/ports && fail "ports left on $SW after the VMs exited"

# The same .vmx again: the same generated MAC (vmx prints it at start).
VMX_DEV=$VG_DEV $P/vmx /tmp/vg-g2/guest.vmx < /dev/null > /tmp/vg-g2/out2 2> /tmp/vg-g2/err2 &
pid=$!
i=0
until grep -q "virtio-net" /tmp/vg-g2/err2 2>/dev/null; do
	[ $i -ge 30 ] && { cat /tmp/vg-g2/err2; kill -KILL $pid; fail "second run: no NIC"; }
	sleep 1
	i=$((i + 1))
done
kill -TERM $pid
wait $pid
grep -q -i "ethernet0: virtio-net $GEN " /tmp/vg-g2/err2 ||
	{ cat /tmp/vg-g2/err2; fail "generated MAC changed on the second run"; }
note "second run: the same generated MAC $GEN"
vmnet-switch del $SW || fail "cannot delete switch $SW"
note "took $(($(cut -d. -f1 /proc/uptime) - start)) s"
exit 0
