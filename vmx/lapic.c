// SPDX-License-Identifier: GPL-2.0
/*
 * Local APICs (xAPIC MMIO at 0xfee00000), one per vCPU: IPIs (fixed,
 * INIT, SIPI; physical and flat logical destinations, shorthands),
 * interrupts from the I/O APIC (level-triggered ones are remembered in
 * TMR and their EOI goes back to it), TPR, the timer (one-shot and
 * periodic, from a timerfd per vCPU the main loop waits on). Until the
 * guest programs the I/O APIC, the PIC reaches the BSP through LINT0
 * (virtual wire mode, ExtINT).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vmx.h"

#define APIC_BUS_HZ	100000000ULL	/* the timer's input clock */
#define NSEC		1000000000ULL

enum {
	APIC_ID = 0x20, APIC_LVR = 0x30, APIC_TASKPRI = 0x80, APIC_PROCPRI = 0xa0,
	APIC_EOI = 0xb0, APIC_LDR = 0xd0, APIC_DFR = 0xe0, APIC_SPIV = 0xf0,
	APIC_ISR = 0x100, APIC_TMR = 0x180, APIC_IRR = 0x200, APIC_ESR = 0x280,
	APIC_ICR = 0x300, APIC_ICR2 = 0x310, APIC_LVTT = 0x320, APIC_LVT0 = 0x350,
	APIC_LVTERR = 0x370, APIC_TMICT = 0x380, APIC_TMCCT = 0x390, APIC_TDCR = 0x3e0,
};

#define LVT_MASKED	(1U << 16)
#define LVTT_PERIODIC	(1U << 17)

struct lapic {
	struct vcpu *vcpu;
	u32 regs[0x400 / 4];	/* the plain registers, by offset / 4 */
	u32 irr[8], isr[8], tmr[8];
	int tfd;
	u64 timer_start_ns;
};

static u32 *reg(struct lapic *a, u32 off) { return &a->regs[off / 4]; }

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static int highest(const u32 *bits)
{
	for (int i = 7; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return -1;
}

static u32 divide(struct lapic *a)
{
	u32 d = *reg(a, APIC_TDCR);
	u32 shift = ((d & 3) | ((d >> 1) & 4)) + 1;

	return shift == 8 ? 1 : 1U << shift;
}

static void set_irr(struct lapic *a, int vector, bool level)
{
	u32 bit = 1U << (vector % 32);

	a->irr[vector / 32] |= bit;
	if (level)
		a->tmr[vector / 32] |= bit;
	else
		a->tmr[vector / 32] &= ~bit;
	pthread_cond_broadcast(&a->vcpu->vm->irq_cond);
	vcpu_kick(a->vcpu);
}

/* The vector to inject, or -1: the highest IRR above ISR and TPR. */
int lapic_pending(struct vcpu *v)
{
	struct lapic *a = v->apic;
	int irr, isr, tpr;

	if (!a || !(*reg(a, APIC_SPIV) & 0x100))
		return -1;
	irr = highest(a->irr);
	if (irr < 0)
		return -1;
	isr = highest(a->isr);
	tpr = *reg(a, APIC_TASKPRI) & 0xff;
	if ((irr >> 4) <= (tpr >> 4) || (isr >= 0 && (irr >> 4) <= (isr >> 4)))
		return -1;
	return irr;
}

int lapic_ack(struct vcpu *v)
{
	struct lapic *a = v->apic;
	int vec = lapic_pending(v);

	if (vec < 0)
		return -1;
	a->irr[vec / 32] &= ~(1U << (vec % 32));
	a->isr[vec / 32] |= 1U << (vec % 32);
	return vec;
}

static void eoi(struct lapic *a)
{
	int vec = highest(a->isr);
	u32 bit = 1U << (vec % 32);

	if (vec < 0)
		return;
	a->isr[vec / 32] &= ~bit;
	if (a->tmr[vec / 32] & bit) {
		a->tmr[vec / 32] &= ~bit;
		ioapic_eoi(a->vcpu->vm, vec);
	}
}

/* May the PIC's INTR reach this vCPU (LINT0 unmasked, in ExtINT mode)? */
bool lapic_extint(struct vcpu *v)
{
	u32 lvt0;

	if (!v->apic)
		return v->id == 0;
	lvt0 = *reg(v->apic, APIC_LVT0);
	return !(lvt0 & LVT_MASKED) && ((lvt0 >> 8) & 7) == 7;
}

static void timer_arm(struct lapic *a)
{
	struct itimerspec its = { 0 };
	u32 lvt = *reg(a, APIC_LVTT), count = *reg(a, APIC_TMICT);
	u64 ns = (u64)count * divide(a) * NSEC / APIC_BUS_HZ;

	a->timer_start_ns = now_ns();
	if (count) {
		if (!ns)
			ns = 1;
		its.it_value.tv_sec = ns / NSEC;
		its.it_value.tv_nsec = ns % NSEC;
		if (lvt & LVTT_PERIODIC)
			its.it_interval = its.it_value;
	}
	timerfd_settime(a->tfd, 0, &its, NULL);
}

static u32 timer_current(struct lapic *a)
{
	u32 count = *reg(a, APIC_TMICT);
	u64 ticks;

	if (!count)
		return 0;
	ticks = (now_ns() - a->timer_start_ns) * APIC_BUS_HZ / NSEC / divide(a);
	if (*reg(a, APIC_LVTT) & LVTT_PERIODIC)
		return count - ticks % count;
	return ticks >= count ? 0 : count - ticks;
}

void lapic_timer(struct vcpu *v)
{
	struct lapic *a = v->apic;
	u64 n;
	u32 lvt;

	if (read(a->tfd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&v->vm->lock);
	lvt = *reg(a, APIC_LVTT);
	if (!(lvt & LVT_MASKED) && (lvt & 0xff) >= 16)
		set_irr(a, lvt & 0xff, false);
	pthread_mutex_unlock(&v->vm->lock);
}

int lapic_timer_fd(struct vcpu *v)
{
	return v->apic ? v->apic->tfd : -1;
}

static bool matches(struct lapic *a, u32 dest, bool logical)
{
	if (!logical)
		return dest == 0xff || dest == (u32)a->vcpu->id;
	return (*reg(a, APIC_LDR) >> 24) & dest;
}

static void deliver(struct lapic *dst, u32 mode, int vector, bool level)
{
	switch (mode) {
	case 0:		/* fixed */
	case 1:		/* lowest priority: the first match takes it */
		if (vector >= 16)
			set_irr(dst, vector, level);
		break;
	case 5:		/* INIT; the level-deassert form does nothing */
		break;
	case 6:		/* startup */
		if (!dst->vcpu->started)
			vcpu_start_ap(dst->vcpu, vector);
		break;
	default:	/* NMI, SMI: not yet */
		pr_debug("vcpu %d: IPI mode %u ignored", dst->vcpu->id, mode);
		break;
	}
}

/*
 * Deliver to every local APIC the destination names (src and shorthand:
 * an IPI's; NULL and 0 for the I/O APIC). True if one took it.
 */
static bool deliver_all(struct vm *vm, struct lapic *src, u32 shorthand, u32 dest,
			bool logical, u32 mode, int vector, bool level)
{
	bool taken = false;
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct lapic *dst = vm->vcpus[i].apic;
		bool self = dst == src;

		if ((shorthand == 1 && !self) || (shorthand == 3 && self) ||
		    (shorthand == 0 && !matches(dst, dest, logical)))
			continue;
		deliver(dst, mode, vector, level);
		taken = true;
		if (mode == 1)
			break;
	}
	return taken;
}

static void send_ipi(struct lapic *src, u32 icr)
{
	deliver_all(src->vcpu->vm, src, (icr >> 18) & 3, *reg(src, APIC_ICR2) >> 24,
		    icr & (1U << 11), (icr >> 8) & 7, icr & 0xff, false);
}

bool lapic_deliver_msg(struct vm *vm, u32 dest, bool logical, u32 mode, int vector,
		       bool level)
{
	return deliver_all(vm, NULL, 0, dest, logical, mode, vector, level);
}

static u32 lapic_read(struct lapic *a, u32 off)
{
	if (off >= APIC_ISR && off < APIC_ISR + 0x80)
		return a->isr[(off - APIC_ISR) / 16];
	if (off >= APIC_IRR && off < APIC_IRR + 0x80)
		return a->irr[(off - APIC_IRR) / 16];
	switch (off) {
	case APIC_PROCPRI: {
		int isr = highest(a->isr);
		u32 tpr = *reg(a, APIC_TASKPRI);

		return isr >= 0 && (u32)(isr & 0xf0) > tpr ? (u32)isr & 0xf0 : tpr;
	}
	case APIC_TMCCT:
		return timer_current(a);
	case APIC_ICR:
		return *reg(a, APIC_ICR) & ~(1U << 12);	/* never busy */
	default:
		return off < 0x400 ? *reg(a, off) : 0;
	}
}

static void lapic_write(struct lapic *a, u32 off, u32 val)
{
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_PROCPRI: case APIC_TMCCT:
		return;		/* read-only here */
	case APIC_EOI:
		eoi(a);
		return;
	case APIC_ICR:
		*reg(a, APIC_ICR) = val;
		send_ipi(a, val);
		return;
	case APIC_TMICT:
		*reg(a, APIC_TMICT) = val;
		timer_arm(a);
		return;
	case APIC_LVTT:
		*reg(a, APIC_LVTT) = val;
		return;
	case APIC_ESR:
		*reg(a, APIC_ESR) = 0;
		return;
	default:
		if (off < 0x400 && !(off >= APIC_ISR && off < APIC_ESR))
			*reg(a, off) = val;
	}
}

/* An MMIO exit in the APIC page of the vCPU that made it. Lock held. */
void lapic_mmio(struct vcpu *v, u64 off, u8 *data, u32 len, bool write)
{
	struct lapic *a = v->apic;
	u32 val = 0;

	if (len != 4 || (off & 0xf)) {
		if (!write)
			memset(data, 0, len);
		return;
	}
	if (write) {
		memcpy(&val, data, 4);
		lapic_write(a, off, val);
	} else {
		val = lapic_read(a, off);
		memcpy(data, &val, 4);
	}
}

int lapic_init(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct lapic *a = calloc(1, sizeof(*a));

		if (!a)
			return -ENOMEM;
		a->vcpu = v;
		a->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (a->tfd < 0) {
			free(a);
			return -errno;
		}
		*reg(a, APIC_ID) = (u32)v->id << 24;
		*reg(a, APIC_LVR) = 0x50014;		/* version 0x14, 6 LVTs */
		*reg(a, APIC_DFR) = 0xffffffff;
		*reg(a, APIC_SPIV) = 0xff;
		*reg(a, APIC_LVTT) = LVT_MASKED;
		*reg(a, APIC_LVT0) = v->id ? LVT_MASKED : 0x700;	/* BSP: ExtINT */
		*reg(a, APIC_LVTERR) = LVT_MASKED;
		v->apic = a;
	}
	return 0;
}

void lapic_exit(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct lapic *a = vm->vcpus[i].apic;

		if (!a)
			continue;
		close(a->tfd);
		free(a);
		vm->vcpus[i].apic = NULL;
	}
}

void lapic_dump(struct vcpu *v)
{
	struct lapic *a = v->apic;

	if (!a)
		return;
	pr_info("dump: vcpu %d apic: irr %d isr %d tmr %d tpr %#x spiv %#x lvt0 %#x lvtt %#x tmict %u tmcct %u",
		v->id, highest(a->irr), highest(a->isr), highest(a->tmr),
		*reg(a, APIC_TASKPRI), *reg(a, APIC_SPIV), *reg(a, APIC_LVT0),
		*reg(a, APIC_LVTT), *reg(a, APIC_TMICT), timer_current(a));
}
