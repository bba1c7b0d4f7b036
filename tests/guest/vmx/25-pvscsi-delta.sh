#!/bin/sh
# 20-pvscsi on a snapshot: scsi0:3.fileName names a vmfsSparse delta's
# descriptor on a monolithicSparse base (vmdiskctl snapshot). vmx follows
# the chain, the guest's writes land in the delta and never in the base,
# survive a reboot and a restart of vmx, and the delta gets a new CID.
export VMX_DISK_FORMAT=delta
exec /vmw/tests/vmx/20-pvscsi "$@"
