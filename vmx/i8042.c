// SPDX-License-Identifier: GPL-2.0
/*
 * The i8042 keyboard controller at 0x60/0x64, enough for Linux to find a
 * controller with a keyboard that never types, and for `reboot=k`: the
 * pulse-reset command (0xfe) or output-port bit 0 cleared resets the VM.
 */
#include <errno.h>
#include <stdlib.h>

#include "vmx.h"

#define KBD_IRQ		1
#define STS_OBF		0x01
#define STS_SYS		0x04
#define STS_CMD		0x08
#define STS_UNLOCKED	0x10
#define CTR_KBDINT	0x01

struct i8042 {
	u8 out[16];
	unsigned int out_len;
	u8 ctr;
	u8 status;
	u8 pending_cmd;		/* a command waiting for its data byte */
};

static void queue(struct vm *vm, struct i8042 *k, u8 v)
{
	if (k->out_len < sizeof(k->out))
		k->out[k->out_len++] = v;
	if (k->ctr & CTR_KBDINT)
		irq_pulse(vm, KBD_IRQ);
}

static void reset_vm(struct vm *vm)
{
	vm_stop(vm, VM_RESET, "guest reset through the keyboard controller");
}

static void command(struct vm *vm, struct i8042 *k, u8 cmd)
{
	switch (cmd) {
	case 0x20:		/* read CTR */
		queue(vm, k, k->ctr);
		break;
	case 0x60:		/* write CTR */
	case 0xd1:		/* write output port */
	case 0xd2:		/* write keyboard output buffer */
	case 0xd4:		/* write to the aux device */
		k->pending_cmd = cmd;
		break;
	case 0xa7:		/* aux off */
		k->ctr |= 0x20;
		break;
	case 0xa8:		/* aux on */
		k->ctr &= ~0x20;
		break;
	case 0xa9:		/* aux test: no aux port */
		queue(vm, k, 0xff);
		break;
	case 0xaa:		/* self-test */
		queue(vm, k, 0x55);
		break;
	case 0xab:		/* keyboard port test */
		queue(vm, k, 0x00);
		break;
	case 0xad:		/* keyboard off */
		k->ctr |= 0x10;
		break;
	case 0xae:		/* keyboard on */
		k->ctr &= ~0x10;
		break;
	case 0xd0:		/* read output port: A20 on, not in reset */
		queue(vm, k, 0x03);
		break;
	case 0xfe:		/* pulse the reset line */
		reset_vm(vm);
		break;
	}
}

/* A byte for the keyboard itself: acknowledge, answer what must be answered. */
static void keyboard(struct vm *vm, struct i8042 *k, u8 v)
{
	queue(vm, k, 0xfa);
	if (v == 0xff)
		queue(vm, k, 0xaa);		/* reset: self-test passed */
	else if (v == 0xf2) {
		queue(vm, k, 0xab);		/* identify: MF2 keyboard */
		queue(vm, k, 0x83);
	}
}

static void data_write(struct vm *vm, struct i8042 *k, u8 v)
{
	u8 cmd = k->pending_cmd;

	k->pending_cmd = 0;
	switch (cmd) {
	case 0x60:
		k->ctr = v;
		break;
	case 0xd1:
		if (!(v & 1))
			reset_vm(vm);
		break;
	case 0xd2:
		queue(vm, k, v);
		break;
	case 0xd4:
		break;			/* no mouse */
	default:
		keyboard(vm, k, v);
		break;
	}
}

static u8 data_read(struct i8042 *k)
{
	u8 v;
	unsigned int i;

	if (!k->out_len)
		return 0;
	v = k->out[0];
	for (i = 1; i < k->out_len; i++)
		k->out[i - 1] = k->out[i];
	k->out_len--;
	return v;
}

static int i8042_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		    bool write)
{
	struct i8042 *k = opaque;

	(void)size;
	if (port == 0x64) {
		if (write) {
			k->status |= STS_CMD;
			command(vm, k, data[0]);
		} else {
			data[0] = k->status | (k->out_len ? STS_OBF : 0);
		}
		return 0;
	}
	if (write) {
		k->status &= ~STS_CMD;
		data_write(vm, k, data[0]);
	} else {
		data[0] = data_read(k);
		if (k->out_len && (k->ctr & CTR_KBDINT))
			irq_pulse(vm, KBD_IRQ);
	}
	return 0;
}

int i8042_init(struct vm *vm)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return -ENOMEM;
	k->ctr = 0x45;		/* kbd interrupt, system flag, translation */
	k->status = STS_SYS | STS_UNLOCKED;
	vm->i8042 = k;
	ret = ioport_register(vm, 0x60, 1, i8042_io, k, "i8042-data");
	if (!ret)
		ret = ioport_register(vm, 0x64, 1, i8042_io, k, "i8042-cmd");
	return ret;
}

void i8042_exit(struct vm *vm)
{
	free(vm->i8042);
	vm->i8042 = NULL;
}
