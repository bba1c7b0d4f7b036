#!/bin/sh
# 20-pvscsi with 2 vCPUs and the disk's file on ext4 over a device that
# takes 300 ms per request: the SCSI commands of one large guest read are
# in flight in vmx together (its PVSCSI I/O workers), and everything else
# of 20-pvscsi still holds with completions arriving while the vCPUs run.
export VMX_VCPUS=2 VMX_DISK_LAT=300000000
exec /vmw/tests/vmx/20-pvscsi "$@"
