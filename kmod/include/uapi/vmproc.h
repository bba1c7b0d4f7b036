/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /proc/vmware: the management view of the host.
 *
 * vmproc.ko owns the directory; vmmon, vmnet and vmdisk add their entries
 * through vmproc's registration API (kmod/include/vmproc.h). The layout
 * follows the one ESX's administration guides document, so scripts written
 * for it carry over:
 *
 *   version                     product, build and the kernel built for
 *   vm/<id>/names               cfgFile="...", uuid
 *   vm/<id>/cpu/{status,shares,min,max,affinity}
 *   vm/<id>/mem/{status,shares,min,max}
 *   vm/<id>/disk/..., vm/<id>/net/...
 *   sched/{ncpus,cpu-load}
 *   config/<Subsystem>/<Option> tunables, e.g. config/Mem/IdleTax
 *   vmmon, net/, disk/          our additions: hypervisor, switches, disks
 *
 * Rules every entry obeys:
 *  - Reading is always safe, from any user, at any time. A file whose owner
 *    has gone away (module removed, VM destroyed) answers read() with EIO;
 *    it never crashes the host.
 *  - Files that accept writes have mode 0644; only a process with
 *    CAP_SYS_ADMIN may write. A write carries one whole value (leading and
 *    trailing white space ignored, at most VMPROC_MAX_WRITE bytes). A
 *    malformed or out-of-range value is refused with EINVAL and changes
 *    nothing; a write that is accepted takes effect before write() returns.
 *  - Numbers are written in decimal (0x-prefixed hexadecimal is accepted on
 *    input); booleans as 0/1.
 */
#ifndef _UAPI_VMW_VMPROC_H
#define _UAPI_VMW_VMPROC_H

#define VMPROC_ROOT		"/proc/vmware"
#define VMPROC_MAX_WRITE	4000
#define VMPROC_NAME_MAX		63

#endif /* _UAPI_VMW_VMPROC_H */
