#!/bin/sh
# Two vCPUs on /dev/vmmon.
. /vmw/lib.sh
export VMX_DEV=/dev/vmmon VMX_VCPUS=2
exec /vmw/tests/vmx/01-boot-vmmon "$@"
