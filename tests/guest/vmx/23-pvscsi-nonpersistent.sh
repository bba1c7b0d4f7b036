#!/bin/sh
# 20-pvscsi on a nonpersistent disk (scsi0:3.mode = "nonpersistent"): the
# guest's writes outlive a guest reboot but not vmx; the raw backing file
# is byte for byte what it was. Run 2 ends with SIGKILL: vmx leaves no disk
# and no VM behind.
export VMX_DISK_MODE=nonpersistent
exec /vmw/tests/vmx/20-pvscsi "$@"
