// SPDX-License-Identifier: GPL-2.0
/* vCPUs: creation, CPUID, the run loop and its exit handlers. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pci.h"

#define X86_EFLAGS_IF		0x200
#define CPUID_1_EDX_APIC	(1U << 9)
#define CPUID_1_EDX_HTT		(1U << 28)
#define CPUID_1_ECX_X2APIC	(1U << 21)
#define CPUID_1_ECX_DEADLINE	(1U << 24)
#define CPUID_1_ECX_HYPERVISOR	(1U << 31)

static __thread struct kvm_run *current_run;
static bool use_immediate_exit;

/*
 * SIGUSR1 only has to make KVM_RUN return. A kick that lands just before
 * KVM_RUN would be lost; immediate_exit makes that RUN return at once.
 */
static void kick_handler(int sig)
{
	(void)sig;
	if (current_run && use_immediate_exit)
		current_run->immediate_exit = 1;
}

static struct kvm_cpuid2 *supported_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *c;
	int nent = 64;

	for (;;) {
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = nent;
		if (ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG || nent >= 4096) {
			pr_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			return NULL;
		}
		nent *= 2;
	}
}

/*
 * The guest's CPUID: what the hypervisor supports, minus what vmx does
 * not emulate (no local APIC yet, no paravirtual leaves), with the
 * processor count and APIC IDs of this VM.
 */
static int setup_cpuid(struct vcpu *v, const struct kvm_cpuid2 *sup)
{
	unsigned int nr = v->vm->cfg.vcpus, i, n = 0;
	struct kvm_cpuid2 *c;
	int ret = 0;

	c = calloc(1, sizeof(*c) + sup->nent * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	for (i = 0; i < sup->nent; i++) {
		struct kvm_cpuid_entry2 e = sup->entries[i];

		if (e.function >= 0x40000000 && e.function < 0x50000000)
			continue;
		switch (e.function) {
		case 1:
			e.ebx = (e.ebx & 0xffff) | (nr << 16) | ((u32)v->id << 24);
			if (nr > 1)
				e.edx |= CPUID_1_EDX_HTT;
			else
				e.edx &= ~CPUID_1_EDX_HTT;
			e.edx |= CPUID_1_EDX_APIC;
			e.ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_DEADLINE);
			e.ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case 4:
			e.eax = (e.eax & 0x3ffffff) | ((nr - 1) << 26);
			break;
		case 0xb:
		case 0x1f:
			e.edx = v->id;
			break;
		case 0x80000008:
			e.ecx = (e.ecx & ~0xffU) | (nr - 1);
			break;
		}
		c->entries[n++] = e;
	}
	c->nent = n;
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0) {
		ret = -errno;
		pr_err("vcpu %d: KVM_SET_CPUID2 (%u leaves): %s", v->id, n, strerror(errno));
	}
	free(c);
	return ret;
}

/* Each vCPU has a local APIC at the usual address. */
static int setup_apic_base(struct vcpu *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = {
		.hdr.nmsrs = 1,
		.e.index = 0x1b,		/* IA32_APIC_BASE */
		.e.data = LAPIC_BASE | 0x800 | (v->id == 0 ? 0x100 : 0),
	};

	if (ioctl(v->fd, KVM_SET_MSRS, &m) != 1) {
		pr_err("vcpu %d: setting IA32_APIC_BASE: %s", v->id,
		       errno ? strerror(errno) : "refused");
		return -EINVAL;
	}
	return 0;
}

int vcpus_create(struct vm *vm)
{
	struct kvm_cpuid2 *sup;
	unsigned int i;
	int ret = 0;

	vm->nr_vcpus = 0;
	vm->vcpus = calloc(vm->cfg.vcpus, sizeof(*vm->vcpus));
	sup = supported_cpuid(vm);
	if (!vm->vcpus || !sup) {
		free(sup);
		return -ENOMEM;
	}
	for (i = 0; i < vm->cfg.vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = i;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0) {
			ret = -errno;
			pr_err("KVM_CREATE_VCPU %u: %s", i, strerror(errno));
			break;
		}
		vm->nr_vcpus++;
		v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			ret = -errno;
			v->run = NULL;
			pr_err("vcpu %u: mmap kvm_run: %s", i, strerror(errno));
			break;
		}
		ret = setup_cpuid(v, sup);
		if (!ret)
			ret = setup_apic_base(v);
		if (ret)
			break;
	}
	free(sup);
	return ret;
}

void vcpus_destroy(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->run)
			munmap(v->run, vm->run_size);
		close(v->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
}

/* Guest-virtual to guest-physical through the guest's 4-level tables;
 * ~0 when unmapped. For the dump only: no access bits are set. */
static u64 gva_to_gpa(struct vm *vm, u64 cr3, u64 gva)
{
	u64 table = cr3 & ~0xfffULL, e = 0;
	int level, shift;

	for (level = 4; level >= 1; level--) {
		u64 *t = guest_ptr(vm, table, 4096);

		shift = 12 + 9 * (level - 1);
		if (!t)
			return ~0ULL;
		e = t[(gva >> shift) & 511];
		if (!(e & 1))
			return ~0ULL;
		if (level <= 3 && (e & 0x80))	/* a 1 GB or 2 MB page */
			break;
		table = e & 0x000ffffffffff000ULL;
	}
	return (e & 0x000ffffffffff000ULL & ~((1ULL << shift) - 1)) |
	       (gva & ((1ULL << shift) - 1));
}

/* The words on the guest's stack that look like kernel text addresses:
 * with the guest's System.map (or the host's kallsyms, same kernel) they
 * are its backtrace. */
static void dump_stack(struct vcpu *v, u64 rsp, u64 cr3)
{
	char line[160];
	int i, n = 0, len = 0;

	for (i = 0; i < 256 && n < 24; i++) {
		u64 gpa = gva_to_gpa(v->vm, cr3, rsp + 8 * i);
		u64 *w = gpa == ~0ULL ? NULL : guest_ptr(v->vm, gpa, 8);

		if (!w)
			break;
		if (*w < 0xffffffff80000000ULL || *w >= 0xffffffffff000000ULL)
			continue;
		len += snprintf(line + len, sizeof(line) - len, " %llx",
				(unsigned long long)*w);
		n++;
		if (n % 6 == 0) {
			pr_info("dump: vcpu %d stack:%s", v->id, line);
			len = 0;
		}
	}
	if (len)
		pr_info("dump: vcpu %d stack:%s", v->id, line);
}

/* Ask a vCPU thread to dump its state: only it may call KVM_GET_REGS
 * while it runs, so the kick makes it leave KVM_RUN first. */
void vcpu_request_dump(struct vcpu *v)
{
	__atomic_store_n(&v->want_dump, true, __ATOMIC_RELEASE);
	pthread_kill(v->thread, SIGUSR1);
}

static void dump_state(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	pr_err("vcpu %d: rip %#llx rsp %#llx rflags %#llx rax %#llx rsi %#llx",
	       v->id, r.rip, r.rsp, r.rflags, r.rax, r.rsi);
	pr_err("vcpu %d: cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx cs %#x",
	       v->id, s.cr0, s.cr2, s.cr3, s.cr4, s.efer, s.cs.selector);
	if ((s.cr0 & (1U << 31)) && (s.efer & (1U << 10)))	/* long mode */
		dump_stack(v, r.rsp, s.cr3);
}

/* Exit handlers: 1 re-enters the guest, 0 stops. Lock taken inside. */

static int handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	u8 *data = (u8 *)run + run->io.data_offset;
	struct vm *vm = v->vm;
	u32 i;

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < run->io.count; i++, data += run->io.size)
		ioport_dispatch(vm, run->io.port, data, run->io.size,
				run->io.direction == KVM_EXIT_IO_OUT);
	pthread_mutex_unlock(&vm->lock);
	return 1;
}

static int handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	u64 addr = run->mmio.phys_addr;
	int ret;

	if (addr >= LAPIC_BASE && addr < LAPIC_BASE + 0x1000) {
		pthread_mutex_lock(&v->vm->lock);
		lapic_mmio(v, addr - LAPIC_BASE, run->mmio.data, run->mmio.len,
			   run->mmio.is_write);
		pthread_mutex_unlock(&v->vm->lock);
		return 1;
	}
	if (addr >= IOAPIC_BASE && addr < IOAPIC_BASE + 0x1000) {
		pthread_mutex_lock(&v->vm->lock);
		ioapic_mmio(v->vm, addr - IOAPIC_BASE, run->mmio.data, run->mmio.len,
			    run->mmio.is_write);
		pthread_mutex_unlock(&v->vm->lock);
		return 1;
	}
	pthread_mutex_lock(&v->vm->lock);
	ret = pci_mmio(v->vm, addr, run->mmio.data, run->mmio.len, run->mmio.is_write);
	pthread_mutex_unlock(&v->vm->lock);
	if (!ret)
		return 1;
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	pr_debug("unhandled mmio %s %#llx len %u", run->mmio.is_write ? "write" : "read",
		 run->mmio.phys_addr, run->mmio.len);
	return 1;
}

/*
 * HLT: sleep until the PIC has an interrupt. Halting with interrupts
 * off never ends: that is how Linux without ACPI powers off.
 */
static int handle_hlt(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0) {
		pr_err("vcpu %d: KVM_GET_REGS: %s", v->id, strerror(errno));
		return -errno;
	}
	pthread_mutex_lock(&vm->lock);
	if (!(r.rflags & X86_EFLAGS_IF)) {
		if (v->id == 0)
			vm_stop(vm, VM_POWEROFF, "guest powered off (halted with interrupts disabled)");
		while (!vm_stopping(vm))
			pthread_cond_wait(&vm->irq_cond, &vm->lock);
	}
	v->halted = true;
	while (!vm_stopping(vm) && !(lapic_extint(v) && pic_pending(vm)) &&
	       lapic_pending(v) < 0)
		pthread_cond_wait(&vm->irq_cond, &vm->lock);
	v->halted = false;
	pthread_mutex_unlock(&vm->lock);
	return 1;
}

static int handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;
	char why[160];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(v);
	case KVM_EXIT_MMIO:
		return handle_mmio(v);
	case KVM_EXIT_HLT:
		return handle_hlt(v);
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		return 1;
	case KVM_EXIT_SHUTDOWN:
		snprintf(why, sizeof(why), "vcpu %d: triple fault: the guest reset itself by crashing", v->id);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(why, sizeof(why), "vcpu %d: entry failed, hardware reason %#llx", v->id,
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(why, sizeof(why), "vcpu %d: internal error in the hypervisor, suberror %u, data %#llx %#llx",
			 v->id, run->internal.suberror,
			 run->internal.ndata > 0 ? run->internal.data[0] : 0ULL,
			 run->internal.ndata > 1 ? run->internal.data[1] : 0ULL);
		break;
	default:
		snprintf(why, sizeof(why), "vcpu %d: unexpected exit reason %u", v->id, run->exit_reason);
		break;
	}
	dump_state(v);
	pthread_mutex_lock(&vm->lock);
	vm_stop(vm, VM_ERROR, why);
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/*
 * Before each entry: give the guest an interrupt, or ask for a window.
 * The PIC's go first (ExtINT through LINT0, while the guest leaves that
 * open), then the local APIC's.
 */
static void inject(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct kvm_interrupt irq;
	bool pic = lapic_extint(v) && pic_pending(v->vm);

	run->request_interrupt_window = 0;
	if (!pic && lapic_pending(v) < 0)
		return;
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return;
	}
	irq.irq = pic ? pic_ack(v->vm) : lapic_ack(v);
	if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0)
		pr_warn("vcpu %d: KVM_INTERRUPT %u: %s", v->id, irq.irq, strerror(errno));
	/* One vector per entry: the next comes after KVM_RUN says ready. */
	run->ready_for_interrupt_injection = 0;
}

/* An AP starts in real mode at the page its startup IPI named. */
static int setup_ap(struct vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_regs r = { .rflags = 0x2 };

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	s.cs.selector = v->sipi_vector << 8;
	s.cs.base = (u64)v->sipi_vector << 12;
	s.cs.limit = 0xffff;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0 || ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	int ret = 1;

	current_run = v->run;
	if (v->id != 0) {
		ret = setup_ap(v);
		if (ret < 0)
			pr_err("vcpu %d: startup state: %s", v->id, strerror(-ret));
		else
			ret = 1;
	}
	while (ret > 0) {
		if (__atomic_exchange_n(&v->want_dump, false, __ATOMIC_ACQ_REL))
			dump_state(v);
		pthread_mutex_lock(&vm->lock);
		if (vm_stopping(vm)) {
			pthread_mutex_unlock(&vm->lock);
			break;
		}
		inject(v);
		pthread_mutex_unlock(&vm->lock);

		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			v->run->immediate_exit = 0;
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = -errno;
			pr_err("vcpu %d: KVM_RUN: %s", v->id, strerror(errno));
			break;
		}
		v->run->immediate_exit = 0;
		ret = handle_exit(v);
	}
	pthread_mutex_lock(&vm->lock);
	if (ret < 0)
		vm_stop(vm, VM_ERROR, "a vCPU failed");
	v->done = true;
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

/* The startup IPI: run vCPU v at vector << 12. Lock held. */
int vcpu_start_ap(struct vcpu *v, int vector)
{
	int ret;

	v->sipi_vector = vector;
	ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (ret) {
		pr_err("vcpu %d: pthread_create: %s", v->id, strerror(ret));
		return -ret;
	}
	v->started = true;
	return 0;
}

int vcpus_start(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	unsigned int i;
	int ret;

	use_immediate_exit = vm->immediate_exit;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	/* vCPU 0 boots; the others wait for a startup IPI. */
	for (i = 0; i < 1 && i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret) {
			pr_err("vcpu %u: pthread_create: %s", i, strerror(ret));
			return -ret;
		}
		v->started = true;
	}
	return 0;
}

void vcpus_join(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		pthread_join(v->thread, NULL);
		v->started = false;
	}
}
