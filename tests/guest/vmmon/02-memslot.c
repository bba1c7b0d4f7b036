// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots: arguments the ioctl must refuse, data shared both ways
 * between host and guest, and slots added, deleted and moved while a vCPU
 * exists (a deleted slot's addresses become MMIO exits).
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "vmw_vm.h"

#define SLOT		1
#define GPA_A		0x400000ULL
#define GPA_B		0x800000ULL
#define SIZE		0x10000ULL
#define MAGIC_HOST	0x686f7374u	/* "host" */
#define MAGIC_GUEST	0x67756573u	/* "gues" */

/*
 * The guest reads the u32 at the address in RSI, reports it, writes
 * MAGIC_GUEST there, reports done; the host loops it with new RSIs.
 */
VMW_GUEST(guest_rw, 64,
	"1:	mov (%rsi), %eax\n"
	"	out %eax, $0xf0\n"
	"	movl $0x67756573, (%rsi)\n"
	"	out %eax, $0xf1\n"
	"	jmp 1b\n");

static void expect_region_err(struct vmw_vm *vm, uint32_t slot, uint32_t flags,
			      uint64_t gpa, uint64_t size, void *hva, int err,
			      const char *what)
{
	int ret = vmw_vm_set_region(vm, slot, flags, gpa, size, hva);

	TEST_ASSERT(ret == -err, "%s: got %d (%s), want %d (%s)", what, ret,
		    strerror(-ret), -err, strerror(err));
}

static void test_bad_args(struct vmw_vm *vm)
{
	int nslots = ioctl(vm->dev_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	char *mem = mmap(NULL, 2 * SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	TEST_ASSERT(nslots >= 8, "KVM_CAP_NR_MEMSLOTS %d", nslots);
	expect_region_err(vm, SLOT, 0, GPA_A + 1, SIZE, mem, EINVAL, "unaligned gpa");
	expect_region_err(vm, SLOT, 0, GPA_A, SIZE - 1, mem, EINVAL, "unaligned size");
	expect_region_err(vm, SLOT, 0, GPA_A, SIZE, mem + 8, EINVAL, "unaligned hva");
	expect_region_err(vm, SLOT, 0x80, GPA_A, SIZE, mem, EINVAL, "unknown flag");
	expect_region_err(vm, SLOT, 0, GPA_A, 1ULL << 50, mem, EINVAL, "1 PiB slot");
	expect_region_err(vm, SLOT, 0, -4096ULL, 2 * 4096, mem, EINVAL,
			  "gpa range wraps");
	expect_region_err(vm, SLOT, 0, GPA_A, SIZE, (void *)(-1ULL << 20), EINVAL,
			  "kernel address as hva");
	expect_region_err(vm, nslots, 0, GPA_A, SIZE, mem, EINVAL, "slot NR_MEMSLOTS");
	expect_region_err(vm, 0xffff, 0, GPA_A, SIZE, mem, EINVAL, "slot 0xffff");
	expect_region_err(vm, 5 << 16 | SLOT, 0, GPA_A, SIZE, mem, EINVAL,
			  "address space 5");
	expect_region_err(vm, SLOT, 0, VMW_MEM_SIZE - 4096, SIZE, mem, EEXIST,
			  "overlaps slot 0");
	expect_region_err(vm, SLOT, 0, 0, SIZE, mem, EEXIST, "inside slot 0");
	expect_region_err(vm, SLOT + 1, 0, GPA_A, 0, mem, EINVAL,
			  "delete a slot that does not exist");
	TEST_ASSERT(!vmw_vm_set_region(vm, SLOT, 0, GPA_A, SIZE, mem), "good slot");
	expect_region_err(vm, SLOT + 1, 0, GPA_A + SIZE - 4096, SIZE, mem + SIZE,
			  EEXIST, "overlaps the end of a slot");
	expect_region_err(vm, SLOT + 1, 0, GPA_A - 4096, 2 * 4096, mem + SIZE,
			  EEXIST, "overlaps the start of a slot");
	expect_region_err(vm, SLOT, 0, GPA_A, 2 * SIZE, mem, EINVAL,
			  "resize a slot");
	TEST_ASSERT(!vmw_vm_set_region(vm, SLOT, 0, GPA_A, 0, mem), "delete");
	munmap(mem, 2 * SIZE);
}

/* Run guest_rw once at @gpa; returns what the guest read. */
static uint32_t guest_read_write(struct vmw_vcpu *vcpu, uint64_t gpa)
{
	struct kvm_regs regs;
	uint32_t got;

	vmw_vcpu_get_regs(vcpu, &regs);
	regs.rsi = gpa;
	vmw_vcpu_set_regs(vcpu, &regs);
	got = vmw_vcpu_expect_report(vcpu, VMW_REPORT_SYNC);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	return got;
}

/* Run guest_rw at a GPA no slot covers: both accesses exit as MMIO. */
static void guest_read_write_mmio(struct vmw_vcpu *vcpu, uint64_t gpa)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	uint32_t v = 0x1234abcd;

	vmw_vcpu_get_regs(vcpu, &regs);
	regs.rsi = gpa;
	vmw_vcpu_set_regs(vcpu, &regs);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == gpa && !run->mmio.is_write &&
		    run->mmio.len == 4, "read of deleted slot: gpa %#llx len %u",
		    run->mmio.phys_addr, run->mmio.len);
	memcpy(run->mmio.data, &v, 4);
	VMW_EXPECT_SYNC(vcpu, v);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == gpa && run->mmio.is_write &&
		    run->mmio.len == 4 && !memcmp(run->mmio.data, "seug", 4),
		    "write to deleted slot");
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
}

static void test_add_move_delete(struct vmw_vm *vm, struct vmw_vcpu *vcpu)
{
	uint32_t *p;

	/* Added after the vCPU exists. */
	p = vmw_vm_add_slot(vm, SLOT, GPA_A, SIZE);
	p[1] = MAGIC_HOST;
	TEST_ASSERT(guest_read_write(vcpu, GPA_A + 4) == MAGIC_HOST, "host to guest");
	TEST_ASSERT(p[1] == MAGIC_GUEST, "guest to host: %#x", p[1]);

	/* Moved: deleted, then the same memory added at a new address. */
	TEST_ASSERT(!vmw_vm_set_region(vm, SLOT, 0, GPA_A, 0, p), "delete");
	guest_read_write_mmio(vcpu, GPA_A + 4);
	TEST_ASSERT(p[1] == MAGIC_GUEST, "deleted slot's memory changed");
	p[1] = MAGIC_HOST;
	TEST_ASSERT(!vmw_vm_set_region(vm, SLOT, 0, GPA_B, SIZE, p), "re-add");
	vm->slots[SLOT].gpa = GPA_B;
	TEST_ASSERT(guest_read_write(vcpu, GPA_B + 4) == MAGIC_HOST,
		    "moved slot keeps its contents");
	TEST_ASSERT(p[1] == MAGIC_GUEST, "guest to host after the move");
	guest_read_write_mmio(vcpu, GPA_A + 4);

	/* Deleted for good. */
	vmw_vm_delete_slot(vm, SLOT);
	guest_read_write_mmio(vcpu, GPA_B + 4);
}

/* A slot's last byte is reachable; the byte after it is MMIO. */
static void test_slot_edges(struct vmw_vm *vm, struct vmw_vcpu *vcpu)
{
	uint32_t *p = vmw_vm_add_slot(vm, SLOT + 2, GPA_A, SIZE);

	p[SIZE / 4 - 1] = MAGIC_HOST;
	TEST_ASSERT(guest_read_write(vcpu, GPA_A + SIZE - 4) == MAGIC_HOST,
		    "last word of the slot");
	guest_read_write_mmio(vcpu, GPA_A + SIZE);
	vmw_vm_delete_slot(vm, SLOT + 2);
}

int main(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_rw, guest_rw_end, &vcpu);
	test_bad_args(vm);
	test_add_move_delete(vm, vcpu);
	test_slot_edges(vm, vcpu);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return 0;
}
