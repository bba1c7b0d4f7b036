#!/bin/sh
# Two vCPUs (local APICs, MP table, startup IPIs) on the stock KVM.
export VMX_DEV=/dev/kvm VMX_VCPUS=2
exec /vmw/tests/vmx/01-boot-vmmon "$@"
