// SPDX-License-Identifier: GPL-2.0
/*
 * The VM library of the in-guest tests: see vmw_vm.h for the guest layout
 * and the reporting protocol.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmw_vm.h"

#define VMW_KO_DIR	"/vmw/ko"
#define PAGE_SIZE	4096ULL

#ifndef VMW_WATCHDOG_S
#define VMW_WATCHDOG_S	300
#endif

static int vmw_dev_fd = -1;

/* What the test was doing, for the watchdog's last words. */
volatile int vmw_running_vcpu = -1;
volatile long vmw_runs;

static void vmw_watchdog(int sig)
{
	char msg[160];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg),
		     "FAIL: watchdog: no end after %d s; %ld KVM_RUNs, %s %d\n",
		     VMW_WATCHDOG_S, vmw_runs,
		     vmw_running_vcpu >= 0 ? "in KVM_RUN of vCPU" : "last vCPU",
		     vmw_running_vcpu);
	if (write(STDERR_FILENO, msg, n) < 0)
		n = 0;
	_exit(1);
}

const char *vmw_dev_path(void)
{
	const char *path = getenv("VMW_DEV");

	return path && *path ? path : VMMON_DEVICE;
}

bool vmw_is_vmmon(void)
{
	return strcmp(vmw_dev_path(), "/dev/kvm") != 0;
}

/* Load what serves @path, then open it: an fd, or -errno. */
int vmw_dev_try_open(const char *path)
{
	int fd, ret;

	if (strcmp(path, "/dev/kvm") == 0) {
		if (system(". /vmw/lib.sh; vmw_kvm") != 0)
			return -ENODEV;
	} else {
		if (access(VMW_KO_DIR "/vmmon.ko", F_OK))
			return -ENOENT;
		ret = vmw_module_load("vmproc", NULL);
		if (ret && ret != -EEXIST)
			return ret;
		ret = vmw_module_load("vmmon", NULL);
		if (ret && ret != -EEXIST)
			return ret;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int vmw_dev_open(void)
{
	const char *path = vmw_dev_path();
	int fd;

	/* Notes reach the console in order even if the test is killed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, vmw_watchdog);
	alarm(VMW_WATCHDOG_S);
	fd = vmw_dev_try_open(path);

	if (fd == -ENOENT && vmw_is_vmmon() &&
	    access(VMW_KO_DIR "/vmmon.ko", F_OK))
		TEST_SKIP("%s: " VMW_KO_DIR "/vmmon.ko is not in this test host", path);
	if (fd == -ENODEV && !vmw_is_vmmon())
		TEST_SKIP("%s: no stock KVM for this CPU", path);
	errno = fd < 0 ? -fd : 0;
	TEST_ASSERT(fd >= 0, "open %s", path);
	return fd;
}

/* The device fd shared by the VMs of this process, opened on first use. */
int vmw_dev(void)
{
	if (vmw_dev_fd < 0)
		vmw_dev_fd = vmw_dev_open();
	return vmw_dev_fd;
}

/* Close the shared fd and unload every module, ours and stock KVM. */
void vmw_unload_all(void)
{
	if (vmw_dev_fd >= 0)
		close(vmw_dev_fd);
	vmw_dev_fd = -1;
	TEST_ASSERT(system(". /vmw/lib.sh; vmw_unload_all") == 0, "vmw_unload_all");
}

static void vmw_write_gdt(struct vmw_vm *vm)
{
	uint64_t *gdt = vmw_gpa2hva(vm, VMW_GDT_GPA);

	gdt[0] = 0;
	gdt[VMW_SEL_CODE64 / 8] = 0x00af9b000000ffffULL;
	gdt[VMW_SEL_DATA / 8] = 0x00cf93000000ffffULL;
	gdt[VMW_SEL_CODE32 / 8] = 0x00cf9b000000ffffULL;
}

/* Identity map 0-4 GiB with 2 MiB pages. */
static void vmw_write_page_tables(struct vmw_vm *vm)
{
	uint64_t *pml4 = vmw_gpa2hva(vm, VMW_PML4_GPA);
	uint64_t *pdpt = vmw_gpa2hva(vm, VMW_PML4_GPA + PAGE_SIZE);
	uint64_t pd_gpa = VMW_PML4_GPA + 2 * PAGE_SIZE;
	uint64_t *pd = vmw_gpa2hva(vm, pd_gpa);
	int i;

	pml4[0] = (VMW_PML4_GPA + PAGE_SIZE) | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (pd_gpa + i * PAGE_SIZE) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
}

struct vmw_vm *vmw_vm_create_on(int dev_fd)
{
	struct vmw_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "calloc");
	vm->dev_fd = dev_fd;
	vm->fd = ioctl(dev_fd, KVM_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "KVM_CREATE_VM");
	vmw_vm_add_slot(vm, 0, 0, VMW_MEM_SIZE);
	vmw_write_gdt(vm);
	vmw_write_page_tables(vm);
	return vm;
}

struct vmw_vm *vmw_vm_create(void)
{
	return vmw_vm_create_on(vmw_dev());
}

void vmw_vm_free(struct vmw_vm *vm)
{
	int i;

	close(vm->fd);
	for (i = 0; i < VMW_MAX_SLOTS; i++)
		if (vm->slots[i].hva)
			munmap(vm->slots[i].hva, vm->slots[i].size);
	free(vm);
}

/* KVM_SET_USER_MEMORY_REGION as it is: 0 or -errno. */
int vmw_vm_set_region(struct vmw_vm *vm, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/* A slot of fresh zeroed anonymous memory; returns its host address. */
void *vmw_vm_add_slot(struct vmw_vm *vm, uint32_t slot, uint64_t gpa,
		      uint64_t size)
{
	void *hva;
	int ret;

	TEST_ASSERT(slot < VMW_MAX_SLOTS && !vm->slots[slot].hva,
		    "library slot %u taken or out of range", slot);
	hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(hva != MAP_FAILED, "mmap %#llx bytes", (unsigned long long)size);
	ret = vmw_vm_set_region(vm, slot, 0, gpa, size, hva);
	errno = -ret;
	TEST_ASSERT(!ret, "add slot %u at %#llx size %#llx", slot,
		    (unsigned long long)gpa, (unsigned long long)size);
	vm->slots[slot] = (struct vmw_slot){ slot, gpa, size, hva };
	return hva;
}

void vmw_vm_delete_slot(struct vmw_vm *vm, uint32_t slot)
{
	struct vmw_slot *s = &vm->slots[slot];
	int ret;

	TEST_ASSERT(slot < VMW_MAX_SLOTS && s->hva, "no library slot %u", slot);
	ret = vmw_vm_set_region(vm, slot, 0, s->gpa, 0, s->hva);
	errno = -ret;
	TEST_ASSERT(!ret, "delete slot %u", slot);
	munmap(s->hva, s->size);
	s->hva = NULL;
}

void *vmw_gpa2hva(struct vmw_vm *vm, uint64_t gpa)
{
	int i;

	for (i = 0; i < VMW_MAX_SLOTS; i++) {
		struct vmw_slot *s = &vm->slots[i];

		if (s->hva && gpa >= s->gpa && gpa - s->gpa < s->size)
			return (char *)s->hva + (gpa - s->gpa);
	}
	TEST_ASSERT(0, "no slot holds guest-physical %#llx", (unsigned long long)gpa);
	return NULL;
}

void vmw_vm_load_code(struct vmw_vm *vm, const void *start, const void *end)
{
	size_t len = (const char *)end - (const char *)start;

	TEST_ASSERT(len < VMW_DATA_GPA - VMW_CODE_GPA, "guest code too big");
	memcpy(vmw_gpa2hva(vm, VMW_CODE_GPA), start, len);
	vm->code = start;
	vm->code_end = end;
}

/* The guest-physical address of a label in the loaded guest code. */
uint64_t vmw_code_gpa(struct vmw_vm *vm, const void *label)
{
	TEST_ASSERT(label >= vm->code && label < vm->code_end,
		    "label outside the loaded guest code");
	return VMW_CODE_GPA + ((const char *)label - (const char *)vm->code);
}

/* A 64-bit interrupt gate in the library's IDT (long mode only). */
void vmw_vm_set_idt_gate(struct vmw_vm *vm, int vector, const void *handler)
{
	uint64_t addr = vmw_code_gpa(vm, handler);
	uint64_t *gate = vmw_gpa2hva(vm, VMW_IDT_GPA + vector * 16);

	gate[0] = (addr & 0xffff) | ((uint64_t)VMW_SEL_CODE64 << 16) |
		  (0x8eULL << 40) | ((addr >> 16 & 0xffff) << 48);
	gate[1] = addr >> 32;
}
