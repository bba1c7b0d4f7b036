#!/bin/sh
# Bad configurations fail before any VM exists: a clear message naming
# the file and line, a non-zero exit, nothing left in /proc/vmware/vm.
. /vmw/lib.sh
P=/vmw/payload
[ -x $P/vmx ] || skip "no vmx payload (vmx/mkpayload.sh)"
vmw_load_all
[ -c /dev/vmmon ] || fail "/dev/vmmon is missing"
T=/tmp/vmx-bad
rm -rf $T && mkdir -p $T

bad() {		# bad NAME EXPECTED-MESSAGE CONFIG-LINES...
	name=$1 want=$2
	shift 2
	printf '%s\n' "$@" > $T/$name.vmx
	$P/vmx $T/$name.vmx < /dev/null > $T/out 2> $T/err
	rc=$?
	[ $rc -ne 0 ] || fail "$name: vmx exited 0"
	grep -q -- "$want" $T/err || { cat $T/err; fail "$name: no '$want' in the message"; }
	note "$name: exit $rc: $(head -1 $T/err)"
	left=$(ls /proc/vmware/vm 2>/dev/null | wc -l)
	expect_eq "$name: VMs left" "$left" 0
}

K="kernel = \"$P/vmlinuz\""
bad missing-kernel "kernel is missing" 'memsize = "64"'
bad no-such-kernel "No such file" 'memsize = "64"' 'kernel = "/nonexistent/vmlinuz"'
bad not-a-kernel "not a Linux bzImage" 'memsize = "64"' "kernel = \"$P/guest.cpio.gz\""
bad memsize-0 "memsize-0.vmx:2: memsize: 0 is out of range" "$K" 'memsize = "0"'
bad memsize-huge "out of range" "$K" 'memsize = "99999999"'
bad memsize-host "more than this host" "$K" 'memsize = "900000"'
bad serial-type "unknown device type 'printer'" "$K" 'memsize = "64"' 'serial0.fileType = "printer"'
bad nic-type "unknown device type 'ne2000'" "$K" 'memsize = "64"' 'ethernet0.virtualDev = "ne2000"'
bad malformed "malformed.vmx:2: expected '='" "$K" 'memsize "64"'
bad unquoted "unquoted.vmx:3: the value must be in double quotes" "$K" 'memsize = "64"' 'numvcpus = 1'
bad vcpus-0 "numvcpus: 0 is out of range" "$K" 'memsize = "64"' 'numvcpus = "0"'
rm -f $T/no-file.vmx
$P/vmx $T/no-file.vmx 2> $T/err && fail "missing config accepted"
grep -q "No such file" $T/err || fail "missing config: $(cat $T/err)"
exit 0
