// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A pair: master at 0x20 (IRQ 0-7), slave at 0xa0 (IRQ 8-15)
 * cascaded on the master's IRQ 2. Edge-triggered, fully nested, with
 * the init sequence, masks, EOIs, rotation and the IRR/ISR reads Linux
 * uses. ELCR (0x4d0) reads as all edge.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmx.h"

struct pic_chip {
	u8 irr, isr, imr;
	u8 last_level;		/* input levels, for edge detection */
	u8 base;		/* vector of IRQ 0 */
	u8 priority_add;	/* lowest-priority rotation */
	u8 init_state;		/* 0: ready, 1..3: expecting ICW2..ICW4 */
	bool init4, single, auto_eoi, read_isr, poll, special_nested;
	bool rotate_on_auto_eoi;
};

struct pic {
	struct pic_chip chip[2];
	u8 elcr[2];
};

/* The highest-priority bit of mask, 0..7, or 8 for none. */
static int priority(struct pic_chip *c, u8 mask)
{
	int p = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((p + c->priority_add) & 7))))
		p++;
	return p;
}

/* The IRQ this chip would raise now, or -1. */
static int chip_irq(struct pic_chip *c, bool master)
{
	u8 in_service = c->isr;
	int p = priority(c, c->irr & ~c->imr), cur;

	if (p == 8)
		return -1;
	if (master && c->special_nested)
		in_service &= ~(1 << 2);
	cur = priority(c, in_service);
	return p < cur ? (p + c->priority_add) & 7 : -1;
}

static void chip_set(struct pic_chip *c, int pin, int level)
{
	u8 bit = 1 << pin;

	if (level && !(c->last_level & bit))
		c->irr |= bit;
	if (level)
		c->last_level |= bit;
	else
		c->last_level &= ~bit;
}

/* The slave's output is the master's pin 2. */
static void cascade(struct pic *pic)
{
	chip_set(&pic->chip[0], 2, chip_irq(&pic->chip[1], false) >= 0);
}

void pic_set_irq(struct vm *vm, int irq, int level)
{
	struct pic *pic = vm->pic;

	if (irq < 0 || irq > 15)
		return;
	chip_set(&pic->chip[irq >> 3], irq & 7, level);
	cascade(pic);
}

bool pic_pending(struct vm *vm)
{
	return chip_irq(&vm->pic->chip[0], true) >= 0;
}

static void chip_ack(struct pic_chip *c, int irq)
{
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (irq + 1) & 7;
	} else {
		c->isr |= 1 << irq;
	}
	c->irr &= ~(1 << irq);
}

int pic_ack(struct vm *vm)
{
	struct pic *pic = vm->pic;
	struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq = chip_irq(m, true), irq2, vector;

	if (irq < 0)
		return m->base + 7;	/* spurious */
	chip_ack(m, irq);
	if (irq == 2) {
		irq2 = chip_irq(s, false);
		if (irq2 >= 0)
			chip_ack(s, irq2);
		else
			irq2 = 7;
		vector = s->base + irq2;
	} else {
		vector = m->base + irq;
	}
	/* The pin is still high if the line is: edge detection restarts. */
	cascade(pic);
	return vector;
}

static u8 chip_poll(struct pic *pic, int which)
{
	struct pic_chip *c = &pic->chip[which];
	int irq = chip_irq(c, which == 0);

	if (irq < 0)
		return 0;
	c->irr &= ~(1 << irq);
	c->isr &= ~(1 << irq);
	cascade(pic);
	return 0x80 | irq;
}

static void chip_ocw2(struct pic_chip *c, u8 val)
{
	int cmd = val >> 5, p, irq;

	switch (cmd) {
	case 0:
	case 4:
		c->rotate_on_auto_eoi = cmd >> 2;
		break;
	case 1:		/* non-specific EOI */
	case 5:		/* ... and rotate */
		p = priority(c, c->isr);
		if (p != 8) {
			irq = (p + c->priority_add) & 7;
			c->isr &= ~(1 << irq);
			if (cmd == 5)
				c->priority_add = (irq + 1) & 7;
		}
		break;
	case 3:		/* specific EOI */
		c->isr &= ~(1 << (val & 7));
		break;
	case 6:		/* set priority */
		c->priority_add = (val + 1) & 7;
		break;
	case 7:		/* specific EOI and rotate */
		irq = val & 7;
		c->isr &= ~(1 << irq);
		c->priority_add = (irq + 1) & 7;
		break;
	}
}

static void chip_write(struct pic_chip *c, bool cmd_port, u8 val)
{
	if (cmd_port) {
		if (val & 0x10) {		/* ICW1 */
			u8 base = c->base;

			memset(c, 0, sizeof(*c));
			c->base = base;
			c->init_state = 1;
			c->init4 = val & 1;
			c->single = val & 2;
		} else if (val & 0x08) {	/* OCW3 */
			if (val & 0x04)
				c->poll = true;
			if (val & 0x02)
				c->read_isr = val & 1;
		} else {
			chip_ocw2(c, val);
		}
		return;
	}
	switch (c->init_state) {
	case 0:
		c->imr = val;
		break;
	case 1:
		c->base = val & 0xf8;
		c->init_state = c->single ? (c->init4 ? 3 : 0) : 2;
		break;
	case 2:
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:
		c->special_nested = (val >> 4) & 1;
		c->auto_eoi = (val >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

static int pic_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		  bool write)
{
	struct pic *pic = opaque;
	int which = port >= 0xa0;
	struct pic_chip *c = &pic->chip[which];
	bool cmd_port = !(port & 1);

	(void)size;
	if (write) {
		chip_write(c, cmd_port, data[0]);
		cascade(pic);
		irq_update(vm);		/* an EOI or unmask may let one through */
		return 0;
	}
	if (c->poll) {
		c->poll = false;
		data[0] = chip_poll(pic, which);
	} else if (cmd_port) {
		data[0] = c->read_isr ? c->isr : c->irr;
	} else {
		data[0] = c->imr;
	}
	return 0;
}

static int elcr_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		   bool write)
{
	struct pic *pic = opaque;

	(void)vm;
	(void)size;
	if (write)
		pic->elcr[port & 1] = data[0];
	else
		data[0] = pic->elcr[port & 1];
	return 0;
}

int pic_init(struct vm *vm)
{
	int ret;

	vm->pic = calloc(1, sizeof(*vm->pic));
	if (!vm->pic)
		return -ENOMEM;
	ret = ioport_register(vm, 0x20, 2, pic_io, vm->pic, "pic-master");
	if (!ret)
		ret = ioport_register(vm, 0xa0, 2, pic_io, vm->pic, "pic-slave");
	if (!ret)
		ret = ioport_register(vm, 0x4d0, 2, elcr_io, vm->pic, "elcr");
	return ret;
}

void pic_exit(struct vm *vm)
{
	free(vm->pic);
	vm->pic = NULL;
}

void pic_dump(struct vm *vm)
{
	struct pic *p = vm->pic;
	int i;

	for (i = 0; p && i < 2; i++)
		pr_info("dump: pic %d: irr %#04x isr %#04x imr %#04x lines %#04x base %#x",
			i, p->chip[i].irr, p->chip[i].isr, p->chip[i].imr,
			p->chip[i].last_level, p->chip[i].base);
}
