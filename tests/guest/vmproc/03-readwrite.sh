#!/bin/sh
# Tunables and string files: reads, good writes, and bad writes that must
# fail with EINVAL and change nothing.
. /vmw/lib.sh
vmw_insmod vmproc && vmw_insmod vmproc_test || fail "insmod"
V=/proc/vmware/config/Test/Value
B=/proc/vmware/config/Test/Big
T=/proc/vmware/test/text

expect_eq "initial Value" "$(cat $V)" 42
expect_eq "Value mode" "$(stat -c %a $V)" 644
expect_eq "dir mode" "$(stat -c %a /proc/vmware/config/Test)" 555

good() {	# good FILE INPUT EXPECTED
	err=$(vmw-write "$1" "$2") || fail "write '$2' to $1 refused: $err"
	expect_eq "$1 after '$2'" "$(cat "$1")" "$3"
}
bad() {		# bad FILE INPUT: refused with EINVAL, value unchanged
	before=$(cat "$1")
	err=$(vmw-write "$1" "$2") && fail "write '$2' to $1 accepted"
	echo "$err" | grep -q "Invalid argument" || fail "write '$2' to $1: '$err', want EINVAL"
	expect_eq "$1 after bad '$2'" "$(cat "$1")" "$before"
}

good $V 7 7
good $V "0x10" 16
good $V "  5 " 5
good $V "100
" 100
good $V 0 0
bad $V 101
bad $V -1
bad $V abc
bad $V ""
bad $V "5 6"
bad $V "7x"
bad $V 99999999999999999999999
good $B 1099511627776 1099511627776
bad $B 9
bad $B 1099511627777
good $T world world
bad $T "a-string-far-too-long"
bad $T ""
# Oversized writes are refused before parsing.
head -c 5000 /dev/zero | tr '\0' 7 > /tmp/big
err=$(vmw-write $V "$(cat /tmp/big)") && fail "5000-byte write accepted"
echo "$err" | grep -q "Invalid argument" || fail "5000-byte write: '$err', want EINVAL"
expect_eq "Value after oversize" "$(cat $V)" 0
# Only root may write.
err=$(runas 65534 vmw-write $V 3) && fail "nobody wrote a tunable"
echo "$err" | grep -q "Permission denied" || fail "nobody's write: '$err', want EACCES"
expect_eq "Value after nobody" "$(cat $V)" 0
runas 65534 cat $V > /dev/null || fail "nobody cannot read"

rmmod vmproc_test || fail "rmmod vmproc_test"
[ -e /proc/vmware/config ] && fail "config/ left after its only user went"
[ -e /proc/vmware/test ] && fail "test/ left after its owner went"
rmmod vmproc || fail "rmmod vmproc"
exit 0
