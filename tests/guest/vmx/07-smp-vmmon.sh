#!/bin/sh
# Two vCPUs on /dev/vmmon.
. /vmw/lib.sh
[ "$(vmw_cmdline vmw.emu)" = bochs ] && skip "a 2-vCPU nested guest on Bochs' single CPU takes too long"
export VMX_DEV=/dev/vmmon VMX_VCPUS=2
exec /vmw/tests/vmx/01-boot-vmmon "$@"
