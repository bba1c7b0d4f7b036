// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt delivery, all under vm->lock: device lines go to the PIC and
 * to the I/O APIC. When the PIC has an interrupt for the CPU, vCPU 0 is
 * woken from HLT or kicked out of KVM_RUN with SIGUSR1, and injects it
 * before re-entering; the I/O APIC's go to local APICs, which wake their
 * own vCPU the same way.
 */
#include <signal.h>

#include "vmx.h"

void vcpu_kick(struct vcpu *v)
{
	if (v->started && !v->halted && !v->done &&
	    !pthread_equal(v->thread, pthread_self()))
		pthread_kill(v->thread, SIGUSR1);
}

void irq_kick(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

void irq_update(struct vm *vm)
{
	if (!pic_pending(vm))
		return;
	pthread_cond_broadcast(&vm->irq_cond);
	irq_kick(vm);
}

void irq_line(struct vm *vm, int irq, int level)
{
	pic_set_irq(vm, irq, level);
	ioapic_set_irq(vm, irq, level);
	irq_update(vm);
}

void irq_pulse(struct vm *vm, int irq)
{
	pic_set_irq(vm, irq, 1);
	pic_set_irq(vm, irq, 0);
	ioapic_set_irq(vm, irq, 1);
	ioapic_set_irq(vm, irq, 0);
	irq_update(vm);
}
