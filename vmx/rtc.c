// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 CMOS RTC at 0x70/0x71: the host's UTC time in BCD, 24-hour
 * mode, never updating (UIP clear), and 128 bytes of CMOS memory. No
 * alarm or periodic interrupts (IRQ 8) yet.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "vmx.h"

struct rtc {
	u8 index;
	u8 cmos[128];
};

static u8 bcd(int v)
{
	return (v / 10) << 4 | v % 10;
}

static u8 read_cmos(struct rtc *rtc, u8 reg)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (reg) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x32: return bcd(19 + tm.tm_year / 100);
	case 0x0a: return 0x26;		/* 32.768 kHz, 1024 Hz, UIP clear */
	case 0x0b: return 0x02;		/* 24 hour, BCD, no interrupts */
	case 0x0c: return 0x00;
	case 0x0d: return 0x80;		/* battery good */
	default: return rtc->cmos[reg];
	}
}

static int rtc_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		  bool write)
{
	struct rtc *rtc = opaque;

	(void)vm;
	(void)size;
	if (port == 0x70) {
		if (write)
			rtc->index = data[0] & 0x7f;	/* bit 7 masks NMI */
		else
			data[0] = 0xff;
		return 0;
	}
	if (write)
		rtc->cmos[rtc->index] = data[0];
	else
		data[0] = read_cmos(rtc, rtc->index);
	return 0;
}

int rtc_init(struct vm *vm)
{
	vm->rtc = calloc(1, sizeof(*vm->rtc));
	if (!vm->rtc)
		return -ENOMEM;
	return ioport_register(vm, 0x70, 2, rtc_io, vm->rtc, "rtc");
}

void rtc_exit(struct vm *vm)
{
	free(vm->rtc);
	vm->rtc = NULL;
}
