// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 PIT at 0x40-0x43, 1.193182 MHz, with port 0x61's gate and
 * OUT2 bits. Counters are computed from the host's monotonic clock;
 * channel 0 drives IRQ 0 from a timerfd (periodic in modes 2 and 3,
 * one-shot otherwise), which the main loop waits on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vmx.h"

#define PIT_HZ		1193182ULL
#define NSEC		1000000000ULL

struct pit_channel {
	u32 count;		/* reload value, 1..65536 */
	u64 load_ns;		/* when counting started */
	u8 mode;
	u8 rw;			/* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool write_msb_next, read_msb_next;
	bool latched;
	u16 latch;
	u8 write_lsb;
	bool gate;
	bool armed;
};

struct pit {
	struct pit_channel ch[3];
	int tfd;
	bool speaker, refresh;
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static u64 elapsed_ticks(struct pit_channel *c)
{
	return (now_ns() - c->load_ns) * PIT_HZ / NSEC;
}

static u16 read_count(struct pit_channel *c)
{
	u64 d = elapsed_ticks(c);

	if (!c->armed)
		return c->count;
	switch (c->mode) {
	case 2:
		return c->count - d % c->count;
	case 3:
		return (c->count - (2 * d) % c->count) & 0xfffe;
	default:
		return (c->count - d) & 0xffff;
	}
}

static bool read_out(struct pit_channel *c)
{
	u64 d = elapsed_ticks(c);

	if (!c->armed)
		return c->mode != 0;
	switch (c->mode) {
	case 2:
		return d % c->count != c->count - 1;
	case 3:
		return d % c->count < (c->count + 1) / 2;
	case 0:
		return d >= c->count;
	default:
		return d < c->count;
	}
}

static void arm_timer(struct pit *pit)
{
	struct pit_channel *c = &pit->ch[0];
	struct itimerspec its = { 0 };
	u64 ns = c->count * NSEC / PIT_HZ;

	if (c->armed) {
		its.it_value.tv_sec = ns / NSEC;
		its.it_value.tv_nsec = ns % NSEC;
		if (c->mode == 2 || c->mode == 3)
			its.it_interval = its.it_value;
	}
	if (timerfd_settime(pit->tfd, 0, &its, NULL) < 0)
		pr_warn("pit: timerfd_settime: %s", strerror(errno));
}

static void load(struct pit *pit, int n, u32 val)
{
	struct pit_channel *c = &pit->ch[n];

	c->count = val ? val : 0x10000;
	c->load_ns = now_ns();
	c->armed = true;
	if (n == 0)
		arm_timer(pit);
}

static void control(struct pit *pit, u8 val)
{
	int n = val >> 6, rw = (val >> 4) & 3;
	struct pit_channel *c;

	if (n == 3) {		/* read-back: latch the counts asked for */
		for (n = 0; n < 3; n++) {
			c = &pit->ch[n];
			if ((val & (2 << n)) && !(val & 0x20) && !c->latched) {
				c->latch = read_count(c);
				c->latched = true;
			}
		}
		return;
	}
	c = &pit->ch[n];
	if (rw == 0) {		/* counter latch */
		if (!c->latched) {
			c->latch = read_count(c);
			c->latched = true;
		}
		return;
	}
	c->rw = rw;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode &= 3;
	c->write_msb_next = c->read_msb_next = false;
	c->armed = false;
	if (n == 0)
		arm_timer(pit);
}

static void write_counter(struct pit *pit, int n, u8 val)
{
	struct pit_channel *c = &pit->ch[n];

	switch (c->rw) {
	case 1:
		load(pit, n, val);
		break;
	case 2:
		load(pit, n, val << 8);
		break;
	case 3:
		if (!c->write_msb_next)
			c->write_lsb = val;
		else
			load(pit, n, c->write_lsb | val << 8);
		c->write_msb_next = !c->write_msb_next;
		break;
	}
}

static u8 read_counter(struct pit_channel *c)
{
	u16 v = c->latched ? c->latch : read_count(c);
	bool msb;

	switch (c->rw) {
	case 1:
		c->latched = false;
		return v;
	case 2:
		c->latched = false;
		return v >> 8;
	default:
		msb = c->read_msb_next;
		c->read_msb_next = !msb;
		if (msb)
			c->latched = false;
		return msb ? v >> 8 : v;
	}
}

static int pit_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		  bool write)
{
	struct pit *pit = opaque;
	int n = port & 3;

	(void)vm;
	(void)size;
	if (write) {
		if (n == 3)
			control(pit, data[0]);
		else
			write_counter(pit, n, data[0]);
	} else {
		data[0] = n == 3 ? 0xff : read_counter(&pit->ch[n]);
	}
	return 0;
}

/* Port 0x61: bit 0 gate 2, bit 1 speaker, bit 4 refresh toggle, bit 5 OUT2. */
static int port61_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		     bool write)
{
	struct pit *pit = opaque;
	struct pit_channel *c = &pit->ch[2];

	(void)vm;
	(void)port;
	(void)size;
	if (write) {
		bool gate = data[0] & 1;

		if (gate && !c->gate && c->armed && c->mode != 0)
			c->load_ns = now_ns();
		c->gate = gate;
		pit->speaker = data[0] & 2;
		return 0;
	}
	pit->refresh = !pit->refresh;
	data[0] = c->gate | pit->speaker << 1 | pit->refresh << 4 |
		  (c->gate && read_out(c)) << 5;
	return 0;
}

int pit_fd(struct vm *vm)
{
	return vm->pit->tfd;
}

void pit_timer(struct vm *vm)
{
	u64 n;

	if (read(vm->pit->tfd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&vm->lock);
	irq_pulse(vm, 0);
	pthread_mutex_unlock(&vm->lock);
}

int pit_init(struct vm *vm)
{
	struct pit *pit;
	int ret;

	pit = calloc(1, sizeof(*pit));
	if (!pit)
		return -ENOMEM;
	pit->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (pit->tfd < 0) {
		ret = -errno;
		pr_err("pit: timerfd_create: %s", strerror(errno));
		free(pit);
		return ret;
	}
	for (int i = 0; i < 3; i++) {
		pit->ch[i].count = 0x10000;
		pit->ch[i].rw = 3;
	}
	vm->pit = pit;
	ret = ioport_register(vm, 0x40, 4, pit_io, pit, "pit");
	if (!ret)
		ret = ioport_register(vm, 0x61, 1, port61_io, pit, "port61");
	return ret;
}

void pit_exit(struct vm *vm)
{
	if (!vm->pit)
		return;
	close(vm->pit->tfd);
	free(vm->pit);
	vm->pit = NULL;
}
