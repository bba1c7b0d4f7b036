#!/bin/sh
# Two vCPUs on /dev/vmmon.
export VMX_DEV=/dev/vmmon VMX_VCPUS=2
exec /vmw/tests/vmx/01-boot-vmmon "$@"
