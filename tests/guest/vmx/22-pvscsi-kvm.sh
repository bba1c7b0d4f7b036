#!/bin/sh
# 20-pvscsi on the stock KVM of the host CPU (vmx speaks the same KVM
# subset to both), which separates the adapter and disk path from vmmon.
export VMX_DEV=/dev/kvm
exec /vmw/tests/vmx/20-pvscsi "$@"
