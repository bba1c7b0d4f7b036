/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/vmmon: the virtualization layer's userspace ABI.
 *
 * vmmon speaks a subset of the KVM API documented in the kernel's
 * Documentation/virt/kvm/api.rst, with the same ioctl numbers and the same
 * structures from <linux/kvm.h>. A client that opens /dev/vmmon instead of
 * /dev/kvm and keeps to the subset below runs unchanged.
 *
 * System ioctls (on the /dev/vmmon fd):
 *   KVM_GET_API_VERSION       12
 *   KVM_CHECK_EXTENSION       non-zero only for the capabilities listed
 *                             below; 0 for every other
 *   KVM_CREATE_VM             type 0 only; returns a VM fd
 *   KVM_GET_VCPU_MMAP_SIZE    size of the struct kvm_run mapping
 *   KVM_GET_SUPPORTED_CPUID   the CPUID leaves a guest may be given; E2BIG
 *                             when nent is too small (nent is then set)
 *
 * VM ioctls (on a VM fd; only the process that created it may use it):
 *   KVM_SET_USER_MEMORY_REGION  add (size > 0, new slot), delete (size 0),
 *                             move (delete, then add at the new address).
 *                             Slots are page aligned, may not overlap, and
 *                             flags must be 0 (no dirty logging, no
 *                             read-only slots yet): anything else is EINVAL,
 *                             an overlap EEXIST.
 *   KVM_CREATE_VCPU           ids 0..VMMON_MAX_VCPUS-1; returns a vCPU fd
 *   KVM_CHECK_EXTENSION       as on the system fd
 *
 * vCPU ioctls (on a vCPU fd):
 *   KVM_RUN                   enter the guest until an exit userspace must
 *                             see; the reason is in the mmap'ed kvm_run
 *   KVM_GET_REGS/SET_REGS, KVM_GET_SREGS/SET_SREGS, KVM_GET_FPU/SET_FPU,
 *   KVM_GET_XSAVE/SET_XSAVE, KVM_GET_MSRS/SET_MSRS (returns how many of the
 *   entries were processed, stopping at the first MSR vmmon does not
 *   virtualize), KVM_SET_CPUID2 (at most VMMON_MAX_CPUID entries, else
 *   E2BIG), KVM_INTERRUPT (one pending vector; EEXIST while one waits)
 *
 * Exits to userspace (kvm_run.exit_reason):
 *   KVM_EXIT_IO               port I/O; data at (char *)run + io.data_offset
 *   KVM_EXIT_MMIO             a guest-physical address no slot covers
 *   KVM_EXIT_HLT              the guest halted
 *   KVM_EXIT_SHUTDOWN         triple fault
 *   KVM_EXIT_FAIL_ENTRY       the CPU refused the guest state
 *   KVM_EXIT_INTERNAL_ERROR   an exit vmmon cannot handle (suberror says)
 *   KVM_EXIT_IRQ_WINDOW_OPEN  request_interrupt_window was set and the
 *                             guest can now take an interrupt
 *   KVM_EXIT_INTR             a signal arrived: KVM_RUN returns EINTR
 * Everything else is handled in the kernel: CPUID (from KVM_SET_CPUID2),
 * the MSRs vmmon virtualizes, nested page faults, interrupt windows that
 * userspace did not ask for, and the host's own interrupts and NMIs.
 *
 * Not implemented (ENOTTY, and KVM_CHECK_EXTENSION answers 0): in-kernel
 * irqchip and PIT, dirty logging, read-only slots, guest debugging, nested
 * virtualization, ioeventfd/irqfd.
 *
 * /proc/vmware/vmmon shows the backend in use (vmx or svm) and the VMs;
 * /proc/vmware/vm/<id>/ shows each VM: owning pid, vCPUs and their state,
 * exits by reason, time in guest and guest memory mapped.
 */
#ifndef _UAPI_VMW_VMMON_H
#define _UAPI_VMW_VMMON_H

#include <linux/kvm.h>

#define VMMON_DEVICE		"/dev/vmmon"
#define VMMON_API_VERSION	KVM_API_VERSION
#define VMMON_MAX_VCPUS		16
#define VMMON_MAX_SLOTS		32
#define VMMON_MAX_CPUID		256
#define VMMON_MAX_VMS		64
/* struct kvm_run is followed by port I/O data in the same page. */
#define VMMON_PIO_OFFSET	2560

#endif /* _UAPI_VMW_VMMON_H */
