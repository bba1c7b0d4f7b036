#!/bin/sh
# The same boot on the stock KVM (/dev/kvm, no in-kernel irqchip): vmx
# must run unchanged on both.
. /vmw/lib.sh
# Under Bochs a guest boot costs minutes: the KVM peer runs on QEMU hosts.
[ "$(vmw_cmdline vmw.emu)" = bochs ] && skip "KVM peer boots run on the QEMU test hosts only"
export VMX_DEV=/dev/kvm
exec /vmw/tests/vmx/01-boot-vmmon "$@"
