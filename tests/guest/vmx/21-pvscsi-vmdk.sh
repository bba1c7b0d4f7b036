#!/bin/sh
# 20-pvscsi with the disk in a monolithicSparse VMDK (vmdiskctl mkvmdk):
# grains are allocated as the guest writes, and the data survive a guest
# reboot and a restart of vmx.
export VMX_DISK_FORMAT=vmdk
exec /vmw/tests/vmx/20-pvscsi "$@"
