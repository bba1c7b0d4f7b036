/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small VM library for in-guest tests of /dev/vmmon, after the KVM
 * selftests' kvm_util: the test opens the device, creates a VM with one
 * memory slot at guest-physical 0, loads its guest code and creates vCPUs
 * that start in real, 32-bit protected or 64-bit long mode. The library
 * asserts on every failure it does not expect; tests that probe bad
 * arguments call ioctl() on vm->fd / vcpu->fd themselves.
 *
 * The device is getenv("VMW_DEV") or /dev/vmmon, so the same program proves
 * itself against the stock KVM (VMW_DEV=/dev/kvm) first.
 *
 * Guest-physical layout of slot 0 (VMW_MEM_SIZE bytes at 0):
 *   0x1000  GDT            0x2000  IDT (256 64-bit gates, all absent)
 *   0x3000  PML4           0x4000  PDPT
 *   0x5000  4 page directories: 2 MiB pages identity-mapping 0-4 GiB
 *   0xf000  top of the stack (vCPU n starts at 0xf000 - n * 0x400)
 *   0x10000 guest code     0x100000 data free for tests
 *
 * Guest code reports through port I/O, KVM selftests' ucall in miniature:
 *   vmw_sync VAL   out VAL (32 bits) to VMW_PORT_SYNC: "here is a value"
 *   vmw_done       out %eax to VMW_PORT_DONE, then halt for ever
 *   vmw_fail NUM   out NUM to VMW_PORT_FAIL, then halt for ever
 * These are assembler macros usable in .code16, .code32 and .code64.
 */
#ifndef VMW_VM_H
#define VMW_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "uapi/vmmon.h"
#include "vmw_test.h"

#define VMW_MEM_SIZE	0x200000ULL
#define VMW_GDT_GPA	0x1000ULL
#define VMW_IDT_GPA	0x2000ULL
#define VMW_PML4_GPA	0x3000ULL
#define VMW_STACK_GPA	0xf000ULL
#define VMW_CODE_GPA	0x10000ULL
#define VMW_DATA_GPA	0x100000ULL

/* Selectors of the library's GDT. */
#define VMW_SEL_CODE64	0x08
#define VMW_SEL_DATA	0x10
#define VMW_SEL_CODE32	0x18

#define VMW_PORT_SYNC	0xf0
#define VMW_PORT_DONE	0xf1
#define VMW_PORT_FAIL	0xf2

#define VMW_MAX_SLOTS	64

/* The guest side of the reporting protocol (assembler macros). */
asm(".macro vmw_sync val\n"
    "	mov $\\val, %eax\n"
    "	out %eax, $0xf0\n"
    ".endm\n"
    ".macro vmw_done\n"
    "	out %eax, $0xf1\n"
    "vmw_halt\\@: hlt\n"
    "	jmp vmw_halt\\@\n"
    ".endm\n"
    ".macro vmw_fail num\n"
    "	mov $\\num, %eax\n"
    "	out %eax, $0xf2\n"
    "vmw_halt\\@: hlt\n"
    "	jmp vmw_halt\\@\n"
    ".endm\n");

/*
 * VMW_GUEST(name, bits, "asm text"): guest code between name[] and
 * name_end[], assembled for .code<bits> and kept out of the host's text.
 * It is copied to VMW_CODE_GPA, so it must not depend on its own address
 * (64-bit code may use RIP-relative addressing; vmw_code_gpa() gives the
 * guest address of a label for IDT entries).
 */
#define VMW_GUEST(name, bits, text)					\
	asm(".pushsection .rodata.vmw_guest, \"a\"\n"			\
	    ".code" #bits "\n"						\
	    #name ":\n" text "\n"					\
	    #name "_end:\n"						\
	    ".code64\n"							\
	    ".popsection\n");						\
	extern const char name[], name##_end[]

enum vmw_mode {
	VMW_MODE_REAL,
	VMW_MODE_PROT32,
	VMW_MODE_LONG64,
};

struct vmw_slot {
	uint32_t id;
	uint64_t gpa;
	uint64_t size;
	void *hva;		/* NULL: not in use */
};

struct vmw_vm {
	int dev_fd;
	int fd;
	const void *code, *code_end;
	struct vmw_slot slots[VMW_MAX_SLOTS];
};

struct vmw_vcpu {
	struct vmw_vm *vm;
	uint32_t id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

/* What the guest reported through the vmw_sync/done/fail ports. */
enum vmw_report_kind {
	VMW_REPORT_SYNC = VMW_PORT_SYNC,
	VMW_REPORT_DONE = VMW_PORT_DONE,
	VMW_REPORT_FAIL = VMW_PORT_FAIL,
};

/* Set around KVM_RUN for the watchdog (vmw_dev_open arms it). */
extern volatile int vmw_running_vcpu;
extern volatile long vmw_runs;

/* Device. */
const char *vmw_dev_path(void);
bool vmw_is_vmmon(void);
int vmw_dev_try_open(const char *path);
int vmw_dev_open(void);
int vmw_dev(void);
void vmw_unload_all(void);

/* VMs and memory. */
struct vmw_vm *vmw_vm_create(void);
struct vmw_vm *vmw_vm_create_on(int dev_fd);
void vmw_vm_free(struct vmw_vm *vm);
int vmw_vm_set_region(struct vmw_vm *vm, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, void *hva);
void *vmw_vm_add_slot(struct vmw_vm *vm, uint32_t slot, uint64_t gpa,
		      uint64_t size);
void vmw_vm_delete_slot(struct vmw_vm *vm, uint32_t slot);
void *vmw_gpa2hva(struct vmw_vm *vm, uint64_t gpa);
void vmw_vm_load_code(struct vmw_vm *vm, const void *start, const void *end);
uint64_t vmw_code_gpa(struct vmw_vm *vm, const void *label);
void vmw_vm_set_idt_gate(struct vmw_vm *vm, int vector, const void *handler);

/* vCPUs. */
struct vmw_vcpu *vmw_vcpu_add(struct vmw_vm *vm, uint32_t id,
			      enum vmw_mode mode);
struct vmw_vm *vmw_vm_create_with_vcpu(enum vmw_mode mode, const void *code,
				       const void *end,
				       struct vmw_vcpu **vcpu);
void vmw_vcpu_free(struct vmw_vcpu *vcpu);
void vmw_vcpu_setup_mode(struct vmw_vcpu *vcpu, enum vmw_mode mode);
void vmw_vcpu_get_regs(struct vmw_vcpu *vcpu, struct kvm_regs *regs);
void vmw_vcpu_set_regs(struct vmw_vcpu *vcpu, struct kvm_regs *regs);
void vmw_vcpu_get_sregs(struct vmw_vcpu *vcpu, struct kvm_sregs *sregs);
void vmw_vcpu_set_sregs(struct vmw_vcpu *vcpu, struct kvm_sregs *sregs);

/* Running. */
int vmw_vcpu_run(struct vmw_vcpu *vcpu);
void vmw_vcpu_run_ok(struct vmw_vcpu *vcpu);
void vmw_vcpu_expect_exit(struct vmw_vcpu *vcpu, uint32_t reason);
uint32_t vmw_vcpu_expect_report(struct vmw_vcpu *vcpu,
				enum vmw_report_kind kind);
uint32_t vmw_vcpu_io_value(struct vmw_vcpu *vcpu);
void vmw_vcpu_io_set(struct vmw_vcpu *vcpu, uint32_t value);
const char *vmw_exit_name(uint32_t reason);

#define VMW_EXPECT_SYNC(vcpu, want) do {				\
	uint32_t got__ = vmw_vcpu_expect_report(vcpu, VMW_REPORT_SYNC);	\
	TEST_ASSERT(got__ == (uint32_t)(want),				\
		    "guest reported %#x, want %#x", got__,		\
		    (uint32_t)(want));					\
} while (0)

#endif /* VMW_VM_H */
