#!/bin/sh
# 20-pvscsi on the stock KVM of the host CPU (vmx speaks the same KVM
# subset to both), which separates the adapter and disk path from vmmon,
# and then a hostile guest programming the adapter itself (VMX_HOSTILE).
export VMX_DEV=/dev/kvm VMX_HOSTILE=1
exec /vmw/tests/vmx/20-pvscsi "$@"
