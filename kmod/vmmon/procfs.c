// SPDX-License-Identifier: GPL-2.0
/*
 * vmmon's entries in /proc/vmware: the host-wide `vmmon` file and one
 * vm/<id>/ directory per VM (pid, vcpus, exits, cpu/status, mem/status).
 */
#include <linux/slab.h>
#include <vmproc.h>

#include "procfs.h"

static const char *const vmm_stat_names[VMM_NR_STATS] = {
	"io", "mmio", "hlt", "shutdown", "cpuid", "msr", "npf", "intr",
	"nmi", "irq_window", "xsetbv", "exception", "other",
};

enum { VP_DIR, VP_PID, VP_VCPUS, VP_EXITS, VP_CPU, VP_CPU_STATUS, VP_MEM,
       VP_MEM_STATUS, VP_NR };

struct vmm_vm_proc {
	struct vmproc_node *n[VP_NR];
};

static struct vmproc_node *vmm_proc_file, *vmm_proc_vmdir;
static const char *vmm_proc_backend;

static int vmm_show_vmmon(struct seq_file *m, void *data)
{
	seq_printf(m, "backend %s\nvms %d\nmax_vms %d\nmax_vcpus %d\n",
		   vmm_proc_backend, vmm_vm_count(), VMMON_MAX_VMS,
		   VMMON_MAX_VCPUS);
	vmm_vm_show_all(m);
	return 0;
}

static int vmm_show_pid(struct seq_file *m, void *data)
{
	struct vmm_vm *vm = data;

	seq_printf(m, "%d\n", vm->pid);
	return 0;
}

static struct vmm_vcpu *vmm_proc_vcpu(struct vmm_vm *vm, int i)
{
	return smp_load_acquire(&vm->vcpus[i]);
}

static int vmm_show_vcpus(struct seq_file *m, void *data)
{
	struct vmm_vm *vm = data;
	struct vmm_vcpu *v;
	int i;

	seq_printf(m, "%d\n", atomic_read(&vm->nr_vcpus));
	for (i = 0; i < VMMON_MAX_VCPUS; i++) {
		v = vmm_proc_vcpu(vm, i);
		if (v)
			seq_printf(m, "vcpu %d state %s tid %d cpu %d guest_ms %llu rip %#llx\n",
				   i, READ_ONCE(v->state), v->tid,
				   READ_ONCE(v->last_cpu), v->guest_ns / 1000000,
				   (unsigned long long)READ_ONCE(v->rip));
	}
	return 0;
}

static int vmm_show_exits(struct seq_file *m, void *data)
{
	struct vmm_vm *vm = data;
	struct vmm_vcpu *v;
	u64 sum;
	int s, i;

	for (s = 0; s < VMM_NR_STATS; s++) {
		sum = 0;
		for (i = 0; i < VMMON_MAX_VCPUS; i++) {
			v = vmm_proc_vcpu(vm, i);
			if (v)
				sum += READ_ONCE(v->stats[s]);
		}
		seq_printf(m, "%-12s %llu\n", vmm_stat_names[s], sum);
	}
	return 0;
}

/* ESX-style cpu/status: one line per vCPU with its time in the guest. */
static int vmm_show_cpu_status(struct seq_file *m, void *data)
{
	struct vmm_vm *vm = data;
	struct vmm_vcpu *v;
	int i;

	seq_puts(m, "vcpu   state      pcpu  usedsec\n");
	for (i = 0; i < VMMON_MAX_VCPUS; i++) {
		v = vmm_proc_vcpu(vm, i);
		if (v)
			seq_printf(m, "%-6d %-10s %-5d %llu.%03llu\n", i,
				   READ_ONCE(v->state), READ_ONCE(v->last_cpu),
				   v->guest_ns / NSEC_PER_SEC,
				   (v->guest_ns / NSEC_PER_MSEC) % 1000);
	}
	return 0;
}

static int vmm_show_mem_status(struct seq_file *m, void *data)
{
	struct vmm_vm *vm = data;
	u64 size = 0;
	int i;

	down_read(&vm->slots_lock);
	for (i = 0; i < VMMON_MAX_SLOTS; i++)
		if (vm->slots[i])
			size += vm->slots[i]->npages << PAGE_SHIFT;
	up_read(&vm->slots_lock);
	seq_printf(m, "size_kb %llu\nmapped_kb %ld\ntables_kb %lu\n", size >> 10,
		   atomic_long_read(&vm->mapped_pages) << (PAGE_SHIFT - 10),
		   vm->tdp_table_pages << (PAGE_SHIFT - 10));
	return 0;
}

static const struct vmproc_ops vmm_vmmon_ops = { .show = vmm_show_vmmon };
static const struct vmproc_ops vmm_pid_ops = { .show = vmm_show_pid };
static const struct vmproc_ops vmm_vcpus_ops = { .show = vmm_show_vcpus };
static const struct vmproc_ops vmm_exits_ops = { .show = vmm_show_exits };
static const struct vmproc_ops vmm_cpu_ops = { .show = vmm_show_cpu_status };
static const struct vmproc_ops vmm_mem_ops = { .show = vmm_show_mem_status };

/* /proc/vmware is for management: a VM runs fine without its entries. */
void vmm_proc_vm_add(struct vmm_vm *vm)
{
	struct vmm_vm_proc *p;
	char name[16];

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return;
	snprintf(name, sizeof(name), "%d", vm->id);
	p->n[VP_DIR] = vmproc_dir(vmm_proc_vmdir, name);
	if (IS_ERR(p->n[VP_DIR]))
		goto out;
	p->n[VP_PID] = vmproc_file(p->n[VP_DIR], "pid", &vmm_pid_ops, vm);
	p->n[VP_VCPUS] = vmproc_file(p->n[VP_DIR], "vcpus", &vmm_vcpus_ops, vm);
	p->n[VP_EXITS] = vmproc_file(p->n[VP_DIR], "exits", &vmm_exits_ops, vm);
	p->n[VP_CPU] = vmproc_dir(p->n[VP_DIR], "cpu");
	if (!IS_ERR(p->n[VP_CPU]))
		p->n[VP_CPU_STATUS] = vmproc_file(p->n[VP_CPU], "status", &vmm_cpu_ops, vm);
	p->n[VP_MEM] = vmproc_dir(p->n[VP_DIR], "mem");
	if (!IS_ERR(p->n[VP_MEM]))
		p->n[VP_MEM_STATUS] = vmproc_file(p->n[VP_MEM], "status", &vmm_mem_ops, vm);
out:
	vm->proc = p;
}

void vmm_proc_vm_remove(struct vmm_vm *vm)
{
	int i;

	if (!vm->proc)
		return;
	for (i = VP_NR - 1; i >= 0; i--)
		vmproc_put(vm->proc->n[i]);
	kfree(vm->proc);
	vm->proc = NULL;
}

int vmm_proc_init(const char *backend)
{
	vmm_proc_backend = backend;
	vmm_proc_vmdir = vmproc_dir(NULL, "vm");
	if (IS_ERR(vmm_proc_vmdir))
		return PTR_ERR(vmm_proc_vmdir);
	vmm_proc_file = vmproc_file(NULL, "vmmon", &vmm_vmmon_ops, NULL);
	if (IS_ERR(vmm_proc_file)) {
		vmproc_put(vmm_proc_vmdir);
		return PTR_ERR(vmm_proc_file);
	}
	return 0;
}

void vmm_proc_uninit(void)
{
	vmproc_put(vmm_proc_file);
	vmproc_put(vmm_proc_vmdir);
}
