// SPDX-License-Identifier: GPL-2.0
/*
 * VMware PVSCSI, the paravirtual SCSI adapter (PCI 15ad:07c0), as the
 * public Linux driver (drivers/scsi/vmw_pvscsi.[ch]) drives it.
 *
 * BAR 0 is 32 KiB of registers. The driver writes a command number to
 * COMMAND, then the command's descriptor one dword at a time to
 * COMMAND_DATA; the command runs when its last dword arrives, and
 * COMMAND_STATUS tells its result (-1: not supported). SETUP_RINGS hands
 * over a rings-state page and the pages of a request ring (128-byte
 * descriptors) and a completion ring (32-byte ones) in guest memory. The
 * guest produces requests and writes a kick register. No MSI or MSI-X
 * capability: the driver falls back to INTx, raised while an unmasked
 * interrupt-status bit is set. No message ring (no hot plug) and no
 * request coalescing threshold.
 *
 * Requests run on the adapter's I/O workers, not on the vCPU that kicked:
 * a kick only wakes them, and the vCPU goes back to the guest at once.
 * A worker takes the next request off the ring (waking another worker if
 * more are queued), executes it through the disk's vmdisk front handle
 * straight into guest RAM (SUBMIT, without vm->lock), and posts its
 * completion, so up to PVSCSI_WORKERS commands
 * are in flight at a time, completing in any order as SIMPLE-tagged SCSI
 * commands may. An ORDERED-tagged request waits for those before it and
 * holds back those after it. A request is taken only while the completion
 * ring has room for it and for every one in flight. Every adapter command
 * (reset, abort, ring setup) first waits until nothing is in flight: once
 * it returns, each request taken before it has its completion in the ring,
 * which is what the driver's reset and abort handlers look for.
 *
 * Everything the guest wrote is copied before use and checked: ring
 * indexes are masked into the rings, addresses and lengths must lie in
 * guest RAM (guest_ptr), S/G lists stay in their page. A bad request ends
 * with a host status (BTSTAT_INVPARAM), never with an access outside
 * guest RAM.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "pvscsi.h"

#define PVSCSI_BAR_SIZE		0x8000
#define PVSCSI_WORKERS		8	/* commands in flight per adapter */

/* Registers (offsets in BAR 0). */
enum {
	REG_COMMAND		= 0x0000,
	REG_COMMAND_DATA	= 0x0004,
	REG_COMMAND_STATUS	= 0x0008,
	REG_INTR_STATUS		= 0x100c,
	REG_INTR_MASK		= 0x2010,
	REG_KICK_NON_RW_IO	= 0x3014,
	REG_KICK_RW_IO		= 0x4018,
};

/* Commands, and the dwords of their descriptors. */
enum {
	CMD_ADAPTER_RESET	= 1,
	CMD_ISSUE_SCSI		= 2,
	CMD_SETUP_RINGS		= 3,
	CMD_RESET_BUS		= 4,
	CMD_RESET_DEVICE	= 5,
	CMD_ABORT_CMD		= 6,
	CMD_CONFIG		= 7,
	CMD_SETUP_MSG_RING	= 8,
	CMD_LAST		= 11,
};

#define RINGS_MAX_PAGES		32
#define SETUP_RINGS_DWORDS	((8 + 8 + 2 * RINGS_MAX_PAGES * 8) / 4)
#define CMD_DWORDS_MAX		SETUP_RINGS_DWORDS

/* Host adapter statuses. */
#define BTSTAT_SUCCESS		0x00
#define BTSTAT_SELTIMEO		0x11
#define BTSTAT_INVPARAM		0x1a
#define BTSTAT_HAHARDWARE	0x20

#define INTR_CMPL_0		(1u << 0)
#define INTR_SUPPORTED		0xf

/* Request tags (SAM task attributes as SCSI-2 queue tag messages). */
#define TAG_ORDERED		0x22

/* Request flags. */
#define REQ_WITH_SG_LIST	(1u << 0)
#define REQ_DIR_TOHOST		(1u << 3)
#define REQ_DIR_TODEVICE	(1u << 4)

/* The rings-state page: dword indexes. */
enum { RS_REQ_PROD, RS_REQ_CONS, RS_REQ_LOG2, RS_CMP_PROD, RS_CMP_CONS, RS_CMP_LOG2 };

struct pvscsi_req {		/* 128 bytes in the request ring */
	u64 context;
	u64 data_addr;
	u64 data_len;
	u64 sense_addr;
	u32 sense_len;
	u32 flags;
	u8 cdb[16];
	u8 cdb_len;
	u8 lun[8];
	u8 tag;
	u8 bus;
	u8 target;
	u8 vcpu_hint;
	u8 unused[59];
} __attribute__((packed));

struct pvscsi_cmp {		/* 32 bytes in the completion ring */
	u64 context;
	u64 data_len;
	u32 sense_len;
	u16 host_status;
	u16 scsi_status;
	u32 pad[2];
} __attribute__((packed));

struct pvscsi_sge {		/* an S/G list element */
	u64 addr;
	u32 len;
	u32 flags;
} __attribute__((packed));

#define REQS_PER_PAGE		(4096 / sizeof(struct pvscsi_req))
#define CMPS_PER_PAGE		(4096 / sizeof(struct pvscsi_cmp))
#define SGES_PER_PAGE		(4096 / sizeof(struct pvscsi_sge))

/* The controller configuration page CMD_CONFIG fills in. */
#define CONFIG_PAGE_CONTROLLER	0x1958
#define CONFIG_CONTROLLER_ADDR	0x2120
#define CONFIG_CONTROLLER_LEN	480
#define CONFIG_NUM_PHYS_OFF	472

struct pvscsi {
	struct pci_dev pci;
	struct vm *vm;
	int adapter;		/* X of scsiX */

	u32 cmd;		/* command being written, or 0 */
	u32 cmd_words[CMD_DWORDS_MAX];
	u32 cmd_need, cmd_got;
	u32 cmd_status;
	u32 intr_status, intr_mask;

	bool rings;		/* SETUP_RINGS succeeded */
	u64 state_gpa;
	u32 req_pages, cmp_pages;
	u64 req_gpa[RINGS_MAX_PAGES], cmp_gpa[RINGS_MAX_PAGES];

	/* The I/O workers; all of this under vm->lock as well. */
	pthread_t worker[PVSCSI_WORKERS];
	unsigned int nr_workers;
	pthread_cond_t work;	/* a kick, room in the rings, or the end */
	pthread_cond_t idle;	/* nothing in flight any more */
	u32 inflight;		/* taken off the ring, not yet completed */
	u32 drainers;		/* commands waiting for inflight to reach 0 */
	bool ordered;		/* an ORDERED request is in flight */
	bool stop;
};

static void pvscsi_update_irq(struct pvscsi *s)
{
	pci_irq(&s->pci, (s->intr_status & s->intr_mask) != 0);
}

static u32 *pvscsi_state(struct pvscsi *s)
{
	return s->rings ? guest_ptr(s->vm, s->state_gpa, 4096) : NULL;
}

static u32 rd_idx(const u32 *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void wr_idx(u32 *p, u32 v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* --- Data buffers ---------------------------------------------------- */

/* One guest-physical range as an iovec of host memory. */
static int pvscsi_iov(struct pvscsi *s, u64 gpa, u64 len, struct vmdisk_iovec *v)
{
	void *p = guest_ptr(s->vm, gpa, len);

	if (!p || !len)
		return -EFAULT;
	*v = (struct vmdisk_iovec){ (unsigned long)p, len };
	return 0;
}

/* An S/G list: elements from data_addr to the end of its page. */
static int pvscsi_sg(struct pvscsi *s, const struct pvscsi_req *r,
		     struct vmdisk_iovec *iov, u32 *count)
{
	u32 i, max = (4096 - (r->data_addr & 4095)) / sizeof(struct pvscsi_sge);
	const u8 *list = guest_ptr(s->vm, r->data_addr, max * sizeof(struct pvscsi_sge));
	u64 left = r->data_len;
	struct pvscsi_sge e;

	if (!list || (r->data_addr & 7))
		return -EFAULT;
	*count = 0;
	for (i = 0; i < max && left; i++) {
		memcpy(&e, list + i * sizeof(e), sizeof(e));
		if (e.flags)			/* no chained lists */
			return -EINVAL;
		if (!e.len)
			continue;
		if (e.len > left)
			e.len = left;
		if (pvscsi_iov(s, e.addr, e.len, &iov[(*count)++]))
			return -EFAULT;
		left -= e.len;
	}
	return left ? -EINVAL : 0;
}

static int pvscsi_map(struct pvscsi *s, const struct pvscsi_req *r,
		      struct vmdisk_submit *sub, struct vmdisk_iovec *iov)
{
	int ret;

	sub->iov = (unsigned long)iov;
	if (!r->data_len) {
		sub->dir = VMDISK_DIR_NONE;
		return 0;
	}
	if (r->data_len > VMDISK_FRONT_DATA_MAX)
		return -EINVAL;
	sub->dir = r->flags & REQ_DIR_TODEVICE ? VMDISK_DIR_TO_DEV : VMDISK_DIR_FROM_DEV;
	if (r->flags & REQ_WITH_SG_LIST)
		return pvscsi_sg(s, r, iov, &sub->iov_count);
	ret = pvscsi_iov(s, r->data_addr, r->data_len, iov);
	sub->iov_count = 1;
	return ret;
}

/* --- Requests -------------------------------------------------------- */

static bool pvscsi_lun0(const struct pvscsi_req *r)
{
	static const u8 zero[8];

	return !memcmp(r->lun, zero, sizeof(zero));
}

static void pvscsi_execute(struct pvscsi *s, const struct pvscsi_req *r,
			   struct pvscsi_cmp *c)
{
	struct vmdisk_iovec iov[SGES_PER_PAGE];
	struct vmdisk_submit sub = { .cdb_len = r->cdb_len };
	struct vdisk *d = NULL;
	void *sense = NULL;
	int ret;

	*c = (struct pvscsi_cmp){ .context = r->context };
	if (r->bus == 0 && pvscsi_lun0(r))
		d = vdisk_get(s->vm, s->adapter, r->target);
	if (!d) {
		c->host_status = BTSTAT_SELTIMEO;
		return;
	}
	sub.sense_max = r->sense_len < VMDISK_SENSE_MAX ? r->sense_len : VMDISK_SENSE_MAX;
	if (sub.sense_max)
		sense = guest_ptr(s->vm, r->sense_addr, sub.sense_max);
	if (r->cdb_len < 6 || r->cdb_len > sizeof(r->cdb) || (sub.sense_max && !sense) ||
	    pvscsi_map(s, r, &sub, iov)) {
		c->host_status = BTSTAT_INVPARAM;
		return;
	}
	sub.sense = (unsigned long)sense;
	memcpy(sub.cdb, r->cdb, r->cdb_len);
	ret = vdisk_submit(d, &sub);
	pr_debug("pvscsi%d: %u: ctx %llu op %02x len %llu%s -> %d status %u resid %u", s->adapter,
		 r->target, (unsigned long long)r->context, r->cdb[0],
		 (unsigned long long)r->data_len, r->flags & REQ_WITH_SG_LIST ? " sg" : "",
		 ret, sub.status, sub.resid);
	if (ret) {
		pr_debug("pvscsi%d: target %u: %s", s->adapter, r->target, strerror(-ret));
		c->host_status = BTSTAT_HAHARDWARE;
		return;
	}
	c->scsi_status = sub.status;
	c->sense_len = sub.sense_len;
	c->data_len = r->data_len - sub.resid;
}

/* --- Workers --------------------------------------------------------- */

static void *pvscsi_slot(struct pvscsi *s, const u64 *gpa, u32 idx, u32 per_page,
			 u32 size)
{
	return guest_ptr(s->vm, gpa[idx / per_page] + (idx % per_page) * size, size);
}

/* Take the next request off the ring, if one may start now. */
static bool pvscsi_take(struct pvscsi *s, struct pvscsi_req *r)
{
	u32 *st = pvscsi_state(s), req_n, cmp_n, cons, prod, room;
	void *slot;

	if (!st || s->drainers || s->ordered || s->stop)
		return false;
	req_n = s->req_pages * REQS_PER_PAGE;
	cmp_n = s->cmp_pages * CMPS_PER_PAGE;
	cons = rd_idx(&st[RS_REQ_CONS]);
	prod = rd_idx(&st[RS_REQ_PROD]);
	room = cmp_n - (rd_idx(&st[RS_CMP_PROD]) - rd_idx(&st[RS_CMP_CONS]));
	if (cons == prod || room > cmp_n || room <= s->inflight)
		return false;
	slot = pvscsi_slot(s, s->req_gpa, cons & (req_n - 1), REQS_PER_PAGE, sizeof(*r));
	if (!slot)
		return false;
	memcpy(r, slot, sizeof(*r));
	if (r->tag == TAG_ORDERED) {
		if (s->inflight)
			return false;
		s->ordered = true;
	}
	wr_idx(&st[RS_REQ_CONS], cons + 1);
	s->inflight++;
	if (cons + 1 != prod)		/* more: wake the next worker */
		pthread_cond_signal(&s->work);
	return true;
}

/* Post one completion (room was kept for it) and raise the interrupt. */
static void pvscsi_complete(struct pvscsi *s, const struct pvscsi_req *r,
			    const struct pvscsi_cmp *c)
{
	u32 *st = pvscsi_state(s), cprod, cmp_n;
	void *slot;

	if (st) {
		cmp_n = s->cmp_pages * CMPS_PER_PAGE;
		cprod = rd_idx(&st[RS_CMP_PROD]);
		slot = pvscsi_slot(s, s->cmp_gpa, cprod & (cmp_n - 1), CMPS_PER_PAGE,
				   sizeof(*c));
		if (slot) {
			memcpy(slot, c, sizeof(*c));
			wr_idx(&st[RS_CMP_PROD], cprod + 1);
			s->intr_status |= INTR_CMPL_0;
		}
	}
	if (r->tag == TAG_ORDERED) {	/* those held back may start */
		s->ordered = false;
		pthread_cond_broadcast(&s->work);
	}
	if (!--s->inflight)
		pthread_cond_broadcast(&s->idle);
	pvscsi_update_irq(s);
}

static void *pvscsi_worker(void *opaque)
{
	struct pvscsi *s = opaque;
	pthread_mutex_t *lock = &s->vm->lock;
	struct pvscsi_req r;
	struct pvscsi_cmp c;

	pthread_mutex_lock(lock);
	while (!s->stop) {
		if (!pvscsi_take(s, &r)) {
			pthread_cond_wait(&s->work, lock);
			continue;
		}
		pthread_mutex_unlock(lock);
		pvscsi_execute(s, &r, &c);
		pthread_mutex_lock(lock);
		pvscsi_complete(s, &r, &c);
	}
	pthread_mutex_unlock(lock);
	return NULL;
}

/* Under vm->lock, from a vCPU: wait until every request taken is complete. */
static void pvscsi_drain(struct pvscsi *s)
{
	s->drainers++;
	while (s->inflight)
		pthread_cond_wait(&s->idle, &s->vm->lock);
	if (!--s->drainers)
		pthread_cond_broadcast(&s->work);
}

/* --- Commands -------------------------------------------------------- */

static bool pvscsi_pow2(u32 n)
{
	return n && n <= RINGS_MAX_PAGES && !(n & (n - 1));
}

static u32 pvscsi_setup_rings(struct pvscsi *s)
{
	const u32 *w = s->cmd_words;
	u64 ppn;
	u32 i, *st;

	s->rings = false;
	s->req_pages = w[0];
	s->cmp_pages = w[1];
	if (!pvscsi_pow2(s->req_pages) || !pvscsi_pow2(s->cmp_pages))
		return -1u;
	memcpy(&ppn, w + 2, 8);
	s->state_gpa = ppn << 12;
	if ((ppn >> 40) || !guest_ptr(s->vm, s->state_gpa, 4096))
		return -1u;
	for (i = 0; i < RINGS_MAX_PAGES; i++) {
		memcpy(&ppn, w + 4 + 2 * i, 8);
		s->req_gpa[i] = ppn << 12;
		if (i < s->req_pages && ((ppn >> 40) || !guest_ptr(s->vm, ppn << 12, 4096)))
			return -1u;
		memcpy(&ppn, w + 4 + 2 * RINGS_MAX_PAGES + 2 * i, 8);
		s->cmp_gpa[i] = ppn << 12;
		if (i < s->cmp_pages && ((ppn >> 40) || !guest_ptr(s->vm, ppn << 12, 4096)))
			return -1u;
	}
	s->rings = true;
	st = pvscsi_state(s);
	wr_idx(&st[RS_REQ_CONS], 0);
	wr_idx(&st[RS_CMP_PROD], 0);
	wr_idx(&st[RS_REQ_LOG2], __builtin_ctz(s->req_pages * REQS_PER_PAGE));
	wr_idx(&st[RS_CMP_LOG2], __builtin_ctz(s->cmp_pages * CMPS_PER_PAGE));
	return 0;
}

/* The controller page: success, and 16 targets. */
static u32 pvscsi_config(struct pvscsi *s)
{
	const u32 *w = s->cmd_words;
	u64 addr, page_addr;
	u32 num = w[4], phys = CONFIG_SCSI_TARGETS;
	u8 *p;

	memcpy(&addr, w, 8);
	memcpy(&page_addr, w + 2, 8);
	p = guest_ptr(s->vm, addr, CONFIG_CONTROLLER_LEN);
	if (!p)
		return -1u;
	if (num != CONFIG_PAGE_CONTROLLER || page_addr >> 32 != CONFIG_CONTROLLER_ADDR) {
		u16 bad[2] = { BTSTAT_INVPARAM, 2 };	/* CHECK CONDITION */

		memcpy(p + 6, bad, sizeof(bad));
		return -1u;
	}
	memset(p, 0, CONFIG_CONTROLLER_LEN);
	memcpy(p, &num, 4);
	p[4] = CONFIG_CONTROLLER_LEN / 4;
	memcpy(p + CONFIG_NUM_PHYS_OFF, &phys, 4);
	return 0;
}

static void pvscsi_reset(struct pvscsi *s)
{
	s->rings = false;
	s->intr_status = 0;
	s->intr_mask = 0;
	s->cmd = 0;
	pvscsi_update_irq(s);
}

/* Dwords of each command's descriptor; -1: not supported. */
static int pvscsi_cmd_dwords(u32 cmd)
{
	switch (cmd) {
	case CMD_ADAPTER_RESET:
	case CMD_RESET_BUS:
		return 0;
	case CMD_SETUP_RINGS:
		return SETUP_RINGS_DWORDS;
	case CMD_RESET_DEVICE:
		return 3;	/* target, 8 LUN bytes */
	case CMD_ABORT_CMD:
		return 4;	/* context, target, pad */
	case CMD_CONFIG:
		return 6;	/* completion page, page address, number, pad */
	default:
		return -1;	/* ISSUE_SCSI, message ring, unplug, threshold */
	}
}

static void pvscsi_run_command(struct pvscsi *s)
{
	u32 cmd = s->cmd;

	s->cmd = 0;
	pvscsi_drain(s);
	switch (cmd) {
	case CMD_ADAPTER_RESET:
		pvscsi_reset(s);
		s->cmd_status = 0;
		break;
	case CMD_SETUP_RINGS:
		s->cmd_status = pvscsi_setup_rings(s);
		if (s->cmd_status)
			pr_debug("pvscsi%d: bad SETUP_RINGS", s->adapter);
		break;
	case CMD_CONFIG:
		s->cmd_status = pvscsi_config(s);
		break;
	default:
		/* Bus and device resets, aborts: what they would end has been
		 * drained above, and its completion is in the ring. */
		s->cmd_status = 0;
		break;
	}
}

static void pvscsi_command(struct pvscsi *s, u32 cmd)
{
	int n = cmd < CMD_LAST ? pvscsi_cmd_dwords(cmd) : -1;

	s->cmd = 0;
	if (n < 0) {
		s->cmd_status = -1u;
		return;
	}
	s->cmd = cmd;
	s->cmd_need = n;
	s->cmd_got = 0;
	s->cmd_status = 0;
	if (!n)
		pvscsi_run_command(s);
}

static void pvscsi_command_data(struct pvscsi *s, u32 v)
{
	if (!s->cmd || s->cmd_got >= s->cmd_need)
		return;
	s->cmd_words[s->cmd_got++] = v;
	if (s->cmd_got == s->cmd_need)
		pvscsi_run_command(s);
}

/* --- Registers ------------------------------------------------------- */

static void pvscsi_write(struct pvscsi *s, u64 off, u32 v)
{
	if (off != REG_COMMAND_DATA)
		pr_debug("pvscsi%d: write %#llx = %#x (intr %#x mask %#x)", s->adapter,
			 (unsigned long long)off, v, s->intr_status, s->intr_mask);
	switch (off) {
	case REG_COMMAND:
		pvscsi_command(s, v);
		break;
	case REG_COMMAND_DATA:
		pvscsi_command_data(s, v);
		break;
	case REG_INTR_STATUS:	/* completions consumed: maybe room again */
		s->intr_status &= ~v;
		pvscsi_update_irq(s);
		pthread_cond_signal(&s->work);
		break;
	case REG_INTR_MASK:
		s->intr_mask = v & INTR_SUPPORTED;
		pvscsi_update_irq(s);
		break;
	case REG_KICK_NON_RW_IO:
	case REG_KICK_RW_IO:		/* each worker that takes one wakes another */
		pthread_cond_signal(&s->work);
		break;
	}
}

static u32 pvscsi_read(struct pvscsi *s, u64 off)
{
	switch (off) {
	case REG_COMMAND_STATUS:
		return s->cmd_status;
	case REG_INTR_STATUS:
		return s->intr_status;
	case REG_INTR_MASK:
		return s->intr_mask;
	default:
		return 0;
	}
}

static void pvscsi_mmio(struct pci_dev *dev, int bar, u64 off, u8 *data, int len,
			bool write)
{
	struct pvscsi *s = dev->opaque;
	u32 v;

	(void)bar;
	if (len != 4 || (off & 3)) {	/* registers are dwords */
		if (!write)
			memset(data, 0, len);
		return;
	}
	if (write) {
		memcpy(&v, data, 4);
		pvscsi_write(s, off, v);
	} else {
		v = pvscsi_read(s, off);
		memcpy(data, &v, 4);
	}
}

/* --- Setup ----------------------------------------------------------- */

static void pvscsi_stop(struct pvscsi *s)
{
	unsigned int i;

	pthread_mutex_lock(&s->vm->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->vm->lock);
	for (i = 0; i < s->nr_workers; i++)	/* each ends its command first */
		pthread_join(s->worker[i], NULL);
	s->nr_workers = 0;
}

static void pvscsi_free(struct pvscsi *s)
{
	pvscsi_stop(s);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->idle);
	free(s);
}

static int pvscsi_start(struct pvscsi *s)
{
	int ret;

	for (; s->nr_workers < PVSCSI_WORKERS; s->nr_workers++) {
		ret = pthread_create(&s->worker[s->nr_workers], NULL, pvscsi_worker, s);
		if (ret) {
			pr_err("pvscsi%d: cannot start an I/O worker: %s", s->adapter,
			       strerror(ret));
			return -ret;
		}
	}
	return 0;
}

static int pvscsi_create(struct vm *vm, int x)
{
	struct pvscsi *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->vm = vm;
	s->adapter = x;
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->idle, NULL);
	pci_dev_init(&s->pci, "pvscsi", 0x15ad, 0x07c0, 0x010000, 0x15ad, 0x07c0);
	s->pci.cfg[0x08] = 0x02;	/* revision */
	s->pci.opaque = s;
	ret = pci_set_bar(&s->pci, 0, PVSCSI_BAR_SIZE, false, pvscsi_mmio);
	if (!ret)
		ret = pvscsi_start(s);
	if (!ret)
		ret = pci_register(vm, &s->pci);
	if (ret) {
		pvscsi_free(s);
		return ret;
	}
	vm->pvscsi[x] = s;
	return 0;
}

int pvscsi_init(struct vm *vm)
{
	int x, ret;

	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++) {
		if (!vm->cfg.scsi[x].present)
			continue;
		ret = pvscsi_create(vm, x);
		if (ret)
			return ret;
	}
	return 0;
}

/* SIGUSR2, under vm->lock: where each adapter's requests are. */
void pvscsi_dump(struct vm *vm)
{
	int x;

	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++) {
		struct pvscsi *s = vm->pvscsi[x];
		u32 *st = s ? pvscsi_state(s) : NULL;

		if (!s)
			continue;
		pr_info("dump: pvscsi%d: intr %#x mask %#x, %u in flight, %u draining%s%s",
			x, s->intr_status, s->intr_mask, s->inflight, s->drainers,
			s->ordered ? ", ORDERED in flight" : "", st ? "" : ", no rings");
		if (st)
			pr_info("dump: pvscsi%d: requests prod %u cons %u, completions prod %u cons %u",
				x, rd_idx(&st[RS_REQ_PROD]), rd_idx(&st[RS_REQ_CONS]),
				rd_idx(&st[RS_CMP_PROD]), rd_idx(&st[RS_CMP_CONS]));
	}
}

/* After the vCPUs stopped: the workers end what they took, then go. */
void pvscsi_exit(struct vm *vm)
{
	int x;

	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++) {
		if (vm->pvscsi[x])
			pvscsi_free(vm->pvscsi[x]);
		vm->pvscsi[x] = NULL;
	}
}
