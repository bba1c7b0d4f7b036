// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the PVSCSI adapter's I/O workers against a driver in this
 * process and a disk whose commands block until the test lets them end:
 * commands in flight together, completions out of order, ORDERED tags,
 * adapter commands that wait for what is in flight, a full completion
 * ring, and a worker pool that ends cleanly. Last line: "N passed, N failed".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../pci.h"
#include "../pvscsi.h"
#define UNIT_VM_STUBS
#include "unit.h"

static struct vm vm;

/* --- What the rest of vmx provides (and unit.h does not) ------------ */

#define RAM (64 * 1024)		/* guest RAM */

/* The disk at target 0: command N (cdb[1]) runs until release(N). */
static struct vdisk disk0 = { .fd = 0 };
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool released[256];
static int active, max_active, order[256], nr_started;

struct vdisk *vdisk_get(struct vm *v, int adapter, int target)
{
	(void)v;
	return adapter == 0 && target == 0 ? &disk0 : NULL;
}

int vdisk_submit(struct vdisk *d, struct vmdisk_submit *s)
{
	u8 n = s->cdb[1];

	(void)d;
	pthread_mutex_lock(&gate);
	order[nr_started++ & 255] = n;
	if (++active > max_active)
		max_active = active;
	pthread_cond_broadcast(&gate_cond);
	while (!released[n])
		pthread_cond_wait(&gate_cond, &gate);
	active--;
	pthread_mutex_unlock(&gate);
	s->status = 0;
	s->resid = 0;
	return 0;
}

static void release(int n)
{
	pthread_mutex_lock(&gate);
	released[n] = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate);
}

/* Wait (at most 5 s) until cond holds, under the gate. */
#define WAIT_FOR(cond) ({						\
	struct timespec _t;						\
	bool _ok = true;						\
	clock_gettime(CLOCK_REALTIME, &_t);				\
	_t.tv_sec += 5;							\
	pthread_mutex_lock(&gate);					\
	while (!(cond) && _ok)						\
		_ok = !pthread_cond_timedwait(&gate_cond, &gate, &_t);	\
	_ok = (cond);							\
	pthread_mutex_unlock(&gate);					\
	_ok;								\
})

/* --- The driver's side ----------------------------------------------- */

/* Guest RAM: rings state, one request page (32), one completion page (128). */
#define STATE	0x1000
#define REQS	0x2000
#define CMPS	0x3000
enum { REQ_PROD, REQ_CONS, REQ_LOG2, CMP_PROD, CMP_CONS, CMP_LOG2 };

static struct pci_dev *dev;

static void wr(u64 off, u32 v)
{
	pthread_mutex_lock(&vm.lock);	/* as a vCPU's MMIO exit holds it */
	dev->bar[0].fn(dev, 0, off, (u8 *)&v, 4, true);
	pthread_mutex_unlock(&vm.lock);
}

static u32 rd(u64 off)
{
	u32 v;

	pthread_mutex_lock(&vm.lock);
	dev->bar[0].fn(dev, 0, off, (u8 *)&v, 4, false);
	pthread_mutex_unlock(&vm.lock);
	return v;
}

static int irq(void)
{
	int level;

	pthread_mutex_lock(&vm.lock);
	level = unit_irq_level;
	pthread_mutex_unlock(&vm.lock);
	return level;
}

static u32 *state(int i) { return (u32 *)((u8 *)vm.ram + STATE) + i; }
static u32 get(int i) { return __atomic_load_n(state(i), __ATOMIC_ACQUIRE); }
static void set(int i, u32 v) { __atomic_store_n(state(i), v, __ATOMIC_RELEASE); }

static void setup_rings(void)
{
	u32 w[132] = { 1, 1, STATE >> 12, 0, REQS >> 12 };
	unsigned int i;

	w[4 + 64] = CMPS >> 12;
	pthread_mutex_lock(&vm.lock);	/* the workers look at the rings under it */
	memset(vm.ram, 0, RAM);
	pthread_mutex_unlock(&vm.lock);
	wr(0x0000, 3);				/* SETUP_RINGS */
	for (i = 0; i < 132; i++)
		wr(0x0004, w[i]);
	CHECK(rd(0x0008) == 0, "SETUP_RINGS succeeds");
	wr(0x2010, 1);				/* unmask completions */
}

/* Queue request n (context 100 + n) to target 0 with tag, kick. */
static void queue(int n, u8 tag)
{
	u32 prod = get(REQ_PROD);
	u8 *r = (u8 *)vm.ram + REQS + (prod & 31) * 128;
	u64 ctx = 100 + n;

	memset(r, 0, 128);
	memcpy(r, &ctx, 8);
	r[40] = 0x00;		/* TEST UNIT READY, cdb[1] carries n */
	r[41] = n;
	r[56] = 6;		/* cdb_len */
	r[65] = tag;
	set(REQ_PROD, prod + 1);
	wr(0x4018, 0);		/* KICK_RW_IO */
}

/* The context of completion i. */
static u64 completed(u32 i)
{
	u64 ctx;

	memcpy(&ctx, (u8 *)vm.ram + CMPS + (i & 127) * 32, 8);
	return ctx;
}

static bool cmp_prod_is(u32 n)
{
	struct timespec t = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000 && get(CMP_PROD) != n; i++)
		nanosleep(&t, NULL);
	return get(CMP_PROD) == n;
}

static void reset_gate(void)
{
	pthread_mutex_lock(&gate);
	memset(released, 0, sizeof(released));
	max_active = nr_started = 0;
	pthread_mutex_unlock(&gate);
}

/* --- Tests ------------------------------------------------------------ */

/* Eight in flight together, a ninth waits; completions in release order. */
static void test_parallel(void)
{
	int i;

	setup_rings();
	reset_gate();
	for (i = 0; i < 9; i++)
		queue(i, 0x20);
	CHECK(WAIT_FOR(active == 8), "8 commands in flight at once");
	CHECK(get(CMP_PROD) == 0 && irq() == 0, "nothing completed yet");
	CHECK(get(REQ_CONS) == 8, "8 taken, the ninth left in the ring");
	pthread_mutex_lock(&vm.lock);
	pvscsi_dump(&vm);			/* SIGUSR2's lines, meanwhile */
	pthread_mutex_unlock(&vm.lock);
	release(5);
	CHECK(cmp_prod_is(1) && completed(0) == 105, "the one released first completes first");
	CHECK(irq() == 1, "completion raises INTx");
	CHECK(WAIT_FOR(active == 8), "the ninth starts in the freed worker");
	for (i = 0; i < 9; i++)
		release(i);
	CHECK(cmp_prod_is(9), "all 9 completed");
	CHECK(get(REQ_CONS) == 9, "all 9 consumed");
	CHECK(max_active == 8, "never more than the 8 workers");
	wr(0x100c, 1);				/* ack */
	CHECK(irq() == 0, "ack lowers INTx");
}

/* SIMPLE, ORDERED, SIMPLE: the ORDERED one runs alone, in its place. */
static void test_ordered(void)
{
	setup_rings();
	reset_gate();
	queue(10, 0x20);
	queue(11, 0x22);
	queue(12, 0x20);
	CHECK(WAIT_FOR(active == 1 && order[0] == 10), "the first SIMPLE starts");
	CHECK(get(REQ_CONS) == 1, "ORDERED waits for the one before it");
	release(10);
	CHECK(WAIT_FOR(nr_started == 2 && order[1] == 11 && active == 1), "ORDERED starts alone");
	CHECK(get(REQ_CONS) == 2, "the SIMPLE after ORDERED waits");
	release(11);
	CHECK(WAIT_FOR(nr_started == 3 && order[2] == 12), "then the last one");
	release(12);
	CHECK(cmp_prod_is(3), "3 completed");
	CHECK(completed(0) == 110 && completed(1) == 111 && completed(2) == 112, "in order");
}

static void *bus_reset(void *arg)
{
	(void)arg;
	wr(0x0000, 4);				/* RESET_BUS */
	return NULL;
}

/* An adapter command returns only once what was in flight completed. */
static void test_drain(void)
{
	struct timespec t = { 0, 50000000 };
	pthread_t th;
	u32 after;

	setup_rings();
	reset_gate();
	queue(20, 0x20);
	queue(21, 0x20);
	CHECK(WAIT_FOR(active == 2), "2 in flight");
	pthread_create(&th, NULL, bus_reset, NULL);
	nanosleep(&t, NULL);
	queue(22, 0x20);			/* another vCPU, meanwhile */
	nanosleep(&t, NULL);
	CHECK(get(REQ_CONS) == 2, "nothing new starts while a reset waits");
	release(20);
	release(21);
	pthread_join(th, NULL);
	after = get(CMP_PROD);
	CHECK(after >= 2, "both completions are in the ring when RESET_BUS returns");
	CHECK(WAIT_FOR(nr_started == 3), "the one queued meanwhile starts after");
	release(22);
	CHECK(cmp_prod_is(3), "and completes");
}

/* Requests are taken only while the completion ring has room for them. */
static void test_room(void)
{
	int i;

	setup_rings();
	reset_gate();
	for (i = 30; i < 34; i++)
		release(i);
	set(CMP_CONS, (u32)-126);		/* 2 free completion slots */
	for (i = 30; i < 34; i++)
		queue(i, 0x20);
	CHECK(cmp_prod_is(2), "2 completed");
	CHECK(get(REQ_CONS) == 2, "the rest wait for room");
	set(CMP_CONS, 2);			/* the driver consumed all */
	wr(0x100c, 1);				/* and acks */
	CHECK(cmp_prod_is(4), "the rest complete after the ack");
}

/* Garbage the guest left in the ring state, then the workers end. */
static void test_hostile(void)
{
	setup_rings();
	reset_gate();
	set(REQ_PROD, 0x7fffffff);		/* "2 billion requests" */
	set(CMP_CONS, 0);
	wr(0x4018, 0);
	CHECK(cmp_prod_is(128), "a full completion ring stops the workers");
	wr(0x0000, 1);				/* ADAPTER_RESET */
	CHECK(rd(0x0008) == 0, "ADAPTER_RESET after garbage");
}

int main(void)
{
	alarm(60);	/* a kick that blocks (a synchronous adapter) hangs: fail */
	vm.ram = calloc(1, RAM);
	vm.ram_size = vm.lowmem = RAM;
	pthread_mutex_init(&vm.lock, NULL);
	vm.cfg.scsi[0].present = true;
	if (!vm.ram || pci_init(&vm) || pvscsi_init(&vm)) {
		printf("setup failed\n0 passed, 1 failed\n");
		return 1;
	}
	dev = (struct pci_dev *)vm.pvscsi[0];	/* struct pvscsi starts with it */
	test_parallel();
	test_ordered();
	test_drain();
	test_room();
	test_hostile();
	pvscsi_exit(&vm);
	pci_exit(&vm);
	free(vm.ram);
	return unit_done();
}
