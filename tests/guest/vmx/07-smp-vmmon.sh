#!/bin/sh
# Two vCPUs on /dev/vmmon.
#
# Under QEMU's TCG (AMD-V test hosts) a vmmon guest now and then starts to
# run on the host's own saved state (host CR3 and RIP) and dies with an
# internal error or a triple fault: README's known problems, cause not
# found. There, and only for that signature, the boot is tried once more
# and the first try is shown; any other failure, or the same one twice,
# fails the test.
. /vmw/lib.sh
export VMX_DEV=/dev/vmmon VMX_VCPUS=2
/vmw/tests/vmx/01-boot-vmmon "$@" > /tmp/vmx07-first 2>&1
rc=$?
if [ $rc = 0 ] || [ $rc = 77 ] || ! grep -q -w svm /proc/cpuinfo ||
	! grep -q -E "internal error in the hypervisor|triple fault" /tmp/vmx07-first; then
	cat /tmp/vmx07-first
	exit $rc
fi
sed 's/^FAIL: /first try: /' /tmp/vmx07-first
note "the known QEMU-only failure (README's known problems): booting once more"
exec /vmw/tests/vmx/01-boot-vmmon "$@"
