#!/bin/sh
# 100 rounds of insmod/rmmod, every other round with a client registered.
. /vmw/lib.sh
i=0
while [ $i -lt 100 ]; do
	vmw_insmod vmproc || fail "round $i: insmod vmproc"
	if [ $((i % 2)) = 1 ]; then
		vmw_insmod vmproc_test slow_ms=0 || fail "round $i: insmod vmproc_test"
		cat /proc/vmware/config/Test/Value > /dev/null || fail "round $i: read"
		rmmod vmproc_test || fail "round $i: rmmod vmproc_test"
	fi
	cat /proc/vmware/version > /dev/null || fail "round $i: read version"
	rmmod vmproc || fail "round $i: rmmod vmproc"
	[ -e /proc/vmware ] && fail "round $i: /proc/vmware left behind"
	i=$((i + 1))
done
note "100 rounds"
exit 0
