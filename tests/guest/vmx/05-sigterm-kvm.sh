#!/bin/sh
# SIGTERM and the file/socket consoles on the stock KVM (/dev/kvm).
export VMX_DEV=/dev/kvm
exec /vmw/tests/vmx/04-sigterm "$@"
