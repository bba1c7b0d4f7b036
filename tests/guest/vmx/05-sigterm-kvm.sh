#!/bin/sh
# SIGTERM and the file/socket consoles on the stock KVM (/dev/kvm).
. /vmw/lib.sh
# Under Bochs a guest boot costs minutes: the KVM peer runs on QEMU hosts.
[ "$(vmw_cmdline vmw.emu)" = bochs ] && skip "KVM peer boots run on the QEMU test hosts only"
export VMX_DEV=/dev/kvm
exec /vmw/tests/vmx/04-sigterm "$@"
