#!/bin/sh
# 20-pvscsi on a snapshot: scsi0:3.fileName names a vmfsSparse delta's
# descriptor on a monolithicSparse base (vmdiskctl snapshot). vmx follows
# the chain and gives the delta a new CID. A second snapshot is taken
# while the VM runs: the guest's writes land in it, never in the base,
# survive a reboot, and vmx names the new delta in the .vmx when it ends,
# so that its second run finds them.
export VMX_DISK_FORMAT=delta
exec /vmw/tests/vmx/20-pvscsi "$@"
