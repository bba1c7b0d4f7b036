// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the virtio PCI transport and split virtqueues against a
 * driver in this process, well-behaved first, then hostile: rings and
 * buffers outside guest RAM, loops, bad indexes, odd register widths.
 * Last line: "N passed, N failed".
 */
#include <stdlib.h>
#include <string.h>

#include "../virtio_pci.h"
#define UNIT_VM_STUBS
#include "unit.h"

#define RAM (1024 * 1024)	/* guest RAM */
static int notified = -1;

static void t_notify(struct virtio_dev *vdev, unsigned int q)
{
	(void)vdev;
	notified = q;
}

static void t_config(struct virtio_dev *vdev, u32 off, u8 *data, int len, bool write)
{
	(void)vdev;
	if (!write)
		memset(data, 0x40 + off, len);
}

static const struct virtio_ops t_ops = {
	.device_id = 1, .class = 0x020000, .nr_queues = 2,
	.features = 1ULL << 5, .config_size = 8,
	.notify = t_notify, .config = t_config,
};

static struct vm vm;
static struct virtio_dev vdev;

static u64 rd(u64 off, int len)
{
	u8 data[8];
	u64 v = 0;

	vdev.pci.bar[0].fn(&vdev.pci, 0, off, data, len, false);
	memcpy(&v, data, len);
	return v;
}

static void wr(u64 off, int len, u64 v)
{
	u8 data[8];

	memcpy(data, &v, 8);
	vdev.pci.bar[0].fn(&vdev.pci, 0, off, data, len, true);
}

/* Guest RAM layout of queue 0 (8 entries). */
#define DESC	0x1000
#define AVAIL	0x2000
#define USED	0x3000
#define BUFS	0x10000

static u8 *ram(u64 gpa) { return (u8 *)vm.ram + gpa; }

static void desc(int i, u64 addr, u32 len, u16 flags, u16 next)
{
	u8 *d = ram(DESC + 16 * i);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static u16 avail_idx;

static void offer(u16 head)
{
	memcpy(ram(AVAIL + 4 + 2 * (avail_idx % 8)), &head, 2);
	avail_idx++;
	memcpy(ram(AVAIL + 2), &avail_idx, 2);
}

/* Reset, negotiate, set up queue 0 and go live. */
static void bring_up(void)
{
	wr(0x14, 1, 0);
	CHECK(rd(0x14, 1) == 0, "reset");
	memset(vm.ram, 0, RAM);
	avail_idx = 0;
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(0x08, 4, 0);
	wr(0x0c, 4, 1 << 5);
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK, "features accepted");
	wr(0x16, 2, 0);
	CHECK(rd(0x18, 2) == VIRTQ_SIZE_MAX, "queue size reads the maximum");
	wr(0x18, 2, 8);
	wr(0x20, 8, DESC);		/* one 64-bit write */
	wr(0x28, 4, AVAIL);		/* two 32-bit halves */
	wr(0x2c, 4, 0);
	wr(0x30, 4, USED);
	wr(0x34, 4, 0);
	wr(0x1c, 2, 1);
	CHECK(rd(0x1c, 2) == 1, "queue 0 enabled");
	wr(0x14, 1, rd(0x14, 1) | VIRTIO_STATUS_DRIVER_OK);
	CHECK(virtio_live(&vdev), "live");
}

static void test_good(void)
{
	struct virtq_elem e;
	u8 buf[64];
	u32 v;

	CHECK(rd(0x12, 2) == 2, "num_queues");
	wr(0x00, 4, 1);
	CHECK(rd(0x04, 4) == 1, "VERSION_1 offered");
	wr(0x00, 4, 0);
	CHECK(rd(0x04, 4) == 1 << 5, "device feature bits 0..31");
	CHECK(rd(0x2000, 1) == 0x40 && rd(0x2004, 2) == 0x4444, "device config");
	bring_up();

	memcpy(ram(BUFS), "hello, device!", 15);
	desc(0, BUFS, 15, 1, 1);
	desc(1, BUFS + 0x100, 32, 2, 0);
	offer(0);
	CHECK(virtq_avail(&vdev, 0), "a chain waits");
	CHECK(virtq_pop(&vdev, 0, &e) == 1, "pop");
	CHECK(e.head == 0 && e.n_out == 1 && e.n_in == 1, "one out, one in");
	CHECK(e.out_len == 15 && e.in_len == 32, "lengths");
	CHECK(iov_to_buf(e.out, e.n_out, 7, buf, sizeof(buf)) == 8 &&
	      !memcmp(buf, "device!", 8), "read the out buffer");
	CHECK(iov_from_buf(e.in, e.n_in, 0, "reply", 5) == 5 &&
	      !memcmp(ram(BUFS + 0x100), "reply", 5), "write the in buffer");
	CHECK(iov_from_buf(e.in, e.n_in, 30, "long", 4) == 2, "in buffer bounded");
	CHECK(virtq_pop(&vdev, 0, &e) == 0, "nothing more");
	virtq_push(&vdev, 0, &e, 5);
	memcpy(&v, ram(USED + 2), 2);
	CHECK((v & 0xffff) == 1, "used idx");
	memcpy(&v, ram(USED + 8), 4);
	CHECK(v == 5, "used len");
	virtq_notify(&vdev, 0);
	CHECK(unit_irq_level == 1, "interrupt raised");
	CHECK(rd(0x1000, 1) == 1, "ISR: queue");
	CHECK(unit_irq_level == 0 && rd(0x1000, 1) == 0, "ISR read clears and lowers");
	wr(0x3000 + 4, 2, 1);
	CHECK(notified == -1, "notify of a disabled queue ignored");
	wr(0x3000, 2, 0);
	CHECK(notified == 0, "notify queue 0");
	*(u16 *)ram(AVAIL) = 1;		/* VRING_AVAIL_F_NO_INTERRUPT */
	virtq_notify(&vdev, 0);
	CHECK(unit_irq_level == 0, "interrupt suppressed by the driver");
}

/* A hostile chain: the device needs a reset and leaves the queue alone. */
static void hostile(const char *name, void (*setup)(void))
{
	struct virtq_elem e;

	bring_up();
	setup();
	CHECK(virtq_pop(&vdev, 0, &e) < 0, name);
	CHECK(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET, name);
	CHECK(unit_irq_level == 1 && (rd(0x1000, 1) & 2), name);	/* config change */
	CHECK(virtq_pop(&vdev, 0, &e) == 0, name);
}

static void h_outside(void) { desc(0, RAM - 8, 16, 0, 0); offer(0); }
static void h_wrap(void) { desc(0, ~0ULL - 4, 16, 0, 0); offer(0); }
static void h_loop(void) { desc(0, BUFS, 8, 1, 1); desc(1, BUFS, 8, 1, 0); offer(0); }
static void h_next(void) { desc(0, BUFS, 8, 1, 200); offer(0); }
static void h_head(void) { offer(9); }
static void h_order(void) { desc(0, BUFS, 8, 2 | 1, 1); desc(1, BUFS, 8, 0, 0); offer(0); }
static void h_indirect(void) { desc(0, BUFS, 16, 4, 0); offer(0); }
static void h_jump(void)
{
	u16 idx = 100;

	desc(0, BUFS, 8, 0, 0);
	memcpy(ram(AVAIL + 2), &idx, 2);
}

static void test_hostile(void)
{
	hostile("buffer past guest RAM", h_outside);
	hostile("buffer address wraps", h_wrap);
	hostile("descriptor loop", h_loop);
	hostile("next out of range", h_next);
	hostile("head out of range", h_head);
	hostile("readable after writable", h_order);
	hostile("indirect not negotiated", h_indirect);
	hostile("avail index jumps", h_jump);

	/* Rings outside RAM, sizes not a power of two: the queue stays off. */
	wr(0x14, 1, 0);
	wr(0x16, 2, 0);
	wr(0x18, 2, 8);
	wr(0x20, 8, RAM - 16);
	wr(0x1c, 2, 1);
	CHECK(rd(0x1c, 2) == 0 && (rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET), "desc ring past RAM");
	wr(0x14, 1, 0);
	CHECK(rd(0x14, 1) == 0, "reset clears NEEDS_RESET");
	wr(0x18, 2, 6);
	wr(0x20, 8, DESC);
	wr(0x28, 8, AVAIL);
	wr(0x30, 8, USED);
	wr(0x1c, 2, 1);
	CHECK(rd(0x1c, 2) == 0, "size 6 refused");
	wr(0x14, 1, 0);
	wr(0x18, 2, 1024);
	wr(0x1c, 2, 1);
	CHECK(rd(0x1c, 2) == 0, "size 1024 refused");
	wr(0x14, 1, 0);
	wr(0x30, 8, USED + 2);
	wr(0x18, 2, 8);
	wr(0x1c, 2, 1);
	CHECK(rd(0x1c, 2) == 0, "misaligned used ring refused");

	/* Features without VERSION_1 are not accepted. */
	wr(0x14, 1, 0);
	wr(0x08, 4, 0);
	wr(0x0c, 4, 1 << 5);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(!(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK), "no VERSION_1: FEATURES_OK refused");

	/* Odd accesses: ignored, never out of bounds. */
	wr(0x16, 2, 7);
	CHECK(rd(0x18, 2) == 0, "queue 7 does not exist");
	wr(0x18, 2, 8);
	wr(0x1c, 2, 1);
	CHECK(rd(0x14, 1) < 0x40, "writes to a missing queue ignored");
	CHECK(rd(0x12, 1) == 0 && rd(0x13, 1) == 0, "wrong width reads 0");
	CHECK(rd(0x2006, 4) == 0, "device config past its end");
	CHECK(rd(0x1001, 1) == 0 && rd(0x3ffc, 4) == 0, "holes of the BAR");
	wr(0x3000 + 4 * 7, 4, 7);
	wr(0x3ffc, 4, 0);
	wr(0x12, 2, 9);
	CHECK(rd(0x12, 2) == 2, "num_queues is read-only");
}

int main(void)
{
	vm.ram = calloc(1, RAM);
	vm.ram_size = vm.lowmem = RAM;
	if (!vm.ram || pci_init(&vm) ||
	    virtio_pci_init(&vdev, &vm, "virtio-test", &t_ops, NULL) ||
	    virtio_pci_register(&vdev)) {
		printf("setup failed\n0 passed, 1 failed\n");
		return 1;
	}
	vdev.opaque = &vdev;
	test_good();
	test_hostile();
	pci_exit(&vm);
	free(vm.ram);
	return unit_done();
}
