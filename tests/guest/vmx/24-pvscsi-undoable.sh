#!/bin/sh
# 20-pvscsi on an undoable monolithicSparse VMDK (scsi0:3.mode =
# "undoable"): run 1 keeps its writes in the redo log disk.vmdk.REDO and
# leaves the VMDK unchanged; run 2 sees them and commits them into the
# VMDK at power off (scsi0:3.undoAction = "commit"); run 3's writes are
# discarded ("discard").
export VMX_DISK_MODE=undoable VMX_DISK_FORMAT=vmdk
exec /vmw/tests/vmx/20-pvscsi "$@"
