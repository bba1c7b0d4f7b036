// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART as COM1 (0x3f8, IRQ 4): the guest's console. Transmit
 * is instant (bytes go straight to the terminal backend), so THR is
 * always empty; received bytes wait in a FIFO. The IRQ line follows IIR.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmx.h"

#define COM1_BASE	0x3f8
#define COM1_IRQ	4
#define RX_FIFO		256

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IIR_NONE	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_FIFO	0xc0
#define UART_LCR_DLAB	0x80
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

struct serial {
	u8 rx[RX_FIFO];
	unsigned int rx_head, rx_len;
	u8 ier, iir, lcr, mcr, lsr, msr, scr, fcr, dll, dlm;
	bool thr_pending;	/* "THR empty" interrupt not yet read from IIR */
};

static void update(struct vm *vm, struct serial *s)
{
	u8 iir = UART_IIR_NONE;

	if ((s->ier & UART_IER_RDI) && s->rx_len)
		iir = UART_IIR_RDI;
	else if ((s->ier & UART_IER_THRI) && s->thr_pending)
		iir = UART_IIR_THRI;
	s->iir = iir;
	s->lsr = UART_LSR_THRE | UART_LSR_TEMT | (s->rx_len ? UART_LSR_DR : 0);
	/* OUT2 gates the IRQ on a PC, but Linux sets it anyway. */
	irq_line(vm, COM1_IRQ, iir != UART_IIR_NONE);
}

static void rx_push(struct serial *s, u8 c)
{
	if (s->rx_len < RX_FIFO)
		s->rx[(s->rx_head + s->rx_len++) % RX_FIFO] = c;
}

/*
 * The main loop stops reading the console while the FIFO is full: the
 * first byte the guest takes from a full FIFO must make it read again.
 */
static u8 rx_pop(struct vm *vm, struct serial *s)
{
	u8 c;

	if (!s->rx_len)
		return 0;
	if (s->rx_len == RX_FIFO)
		vm_wake(vm);
	c = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % RX_FIFO;
	s->rx_len--;
	return c;
}

static void write_reg(struct vm *vm, struct serial *s, int reg, u8 val)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			s->dll = val;
		} else if (s->mcr & UART_MCR_LOOP) {
			rx_push(s, val);
			s->thr_pending = true;
		} else {
			term_write(vm, &val, 1);
			s->thr_pending = true;
		}
		break;
	case 1:
		if (dlab) {
			s->dlm = val;
			break;
		}
		if ((val & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
			s->thr_pending = true;
		s->ier = val & 0x0f;
		break;
	case 2:
		s->fcr = val;
		if (val & 0x02) {	/* clear the receive FIFO */
			if (s->rx_len == RX_FIFO)
				vm_wake(vm);
			s->rx_len = 0;
		}
		break;
	case 3:
		s->lcr = val;
		break;
	case 4:
		s->mcr = val & 0x1f;
		break;
	case 7:
		s->scr = val;
		break;
	}
	update(vm, s);
}

static u8 read_reg(struct vm *vm, struct serial *s, int reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	u8 v = 0;

	switch (reg) {
	case 0:
		v = dlab ? s->dll : rx_pop(vm, s);
		break;
	case 1:
		v = dlab ? s->dlm : s->ier;
		break;
	case 2:
		v = s->iir | ((s->fcr & 1) ? UART_IIR_FIFO : 0);
		if (s->iir == UART_IIR_THRI)
			s->thr_pending = false;
		break;
	case 3:
		v = s->lcr;
		break;
	case 4:
		v = s->mcr;
		break;
	case 5:
		v = s->lsr;
		break;
	case 6:
		if (s->mcr & UART_MCR_LOOP)	/* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
			v = (s->mcr & 0x0c) << 4 | (s->mcr & 0x01) << 5 | (s->mcr & 0x02) << 3;
		else
			v = 0xb0;		/* DCD, DSR, CTS */
		break;
	case 7:
		v = s->scr;
		break;
	}
	update(vm, s);
	return v;
}

static int serial_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		     bool write)
{
	struct serial *s = opaque;

	(void)size;
	if (write)
		write_reg(vm, s, port - COM1_BASE, data[0]);
	else
		data[0] = read_reg(vm, s, port - COM1_BASE);
	return 0;
}

/* From the terminal backend, with vm->lock held. */
size_t serial_rx_room(struct vm *vm)
{
	return vm->serial ? RX_FIFO - vm->serial->rx_len : 0;
}

void serial_receive(struct vm *vm, const u8 *buf, size_t n)
{
	struct serial *s = vm->serial;

	if (!s)
		return;
	while (n--)
		rx_push(s, *buf++);
	update(vm, s);
}

int serial_init(struct vm *vm)
{
	struct serial *s;

	if (vm->cfg.serial == SERIAL_NONE)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->iir = UART_IIR_NONE;
	s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	vm->serial = s;
	return ioport_register(vm, COM1_BASE, 8, serial_io, s, "com1");
}

void serial_exit(struct vm *vm)
{
	free(vm->serial);
	vm->serial = NULL;
}

void serial_dump(struct vm *vm)
{
	struct serial *s = vm->serial;

	if (s)
		pr_info("dump: com1: ier %#x iir %#x lcr %#x lsr %#x mcr %#x fcr %#x rx %u thr_pending %d",
			s->ier, s->iir, s->lcr, s->lsr, s->mcr, s->fcr, s->rx_len, s->thr_pending);
}
