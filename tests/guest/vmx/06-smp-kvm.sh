#!/bin/sh
# Two vCPUs (local APICs, MP table, startup IPIs) on the stock KVM.
. /vmw/lib.sh
# Under Bochs a guest boot costs minutes: the KVM peer runs on QEMU hosts.
[ "$(vmw_cmdline vmw.emu)" = bochs ] && skip "KVM peer boots run on the QEMU test hosts only"
export VMX_DEV=/dev/kvm VMX_VCPUS=2
exec /vmw/tests/vmx/01-boot-vmmon "$@"
