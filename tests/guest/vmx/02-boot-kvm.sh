#!/bin/sh
# The same boot on the stock KVM (/dev/kvm, no in-kernel irqchip): vmx
# must run unchanged on both.
export VMX_DEV=/dev/kvm
exec /vmw/tests/vmx/01-boot-vmmon "$@"
