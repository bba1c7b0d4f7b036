// SPDX-License-Identifier: GPL-2.0
/*
 * virtio 1.x over PCI ("modern" devices, virtio spec 1.2 section 4.1) and
 * split virtqueues (section 2.7). See virtio_pci.h for what is checked.
 *
 * BAR 0 (memory, 16 KiB):
 *   0x0000  common configuration (struct virtio_pci_common_cfg)
 *   0x1000  ISR status, one byte
 *   0x2000  device-specific configuration
 *   0x3000  notifications: queue q's doorbell at 0x3000 + 4 * q
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "virtio_pci.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040

#define BAR_SIZE		0x4000
#define COMMON_OFF		0x0000
#define COMMON_LEN		0x40
#define ISR_OFF			0x1000
#define DEVCFG_OFF		0x2000
#define NOTIFY_OFF		0x3000
#define NOTIFY_MULT		4

/* struct virtio_pci_cap's cfg_type */
#define CAP_COMMON_CFG		1
#define CAP_NOTIFY_CFG		2
#define CAP_ISR_CFG		3
#define CAP_DEVICE_CFG		4

#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

static void put(u8 *data, int len, u64 v)
{
	memcpy(data, &v, len);		/* little endian, as the guest */
}

static u64 get(const u8 *data, int len)
{
	u64 v = 0;

	memcpy(&v, data, len);
	return v;
}

void virtio_fail(struct virtio_dev *vdev, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (vdev->status & VIRTIO_STATUS_NEEDS_RESET)
		return;			/* said once until the next reset */
	pr_warn("%s: %s: device needs reset", vdev->pci.name, why);
	vdev->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (vdev->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_config_changed(vdev);
}

bool virtio_live(const struct virtio_dev *vdev)
{
	return (vdev->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET |
				VIRTIO_STATUS_FAILED)) == VIRTIO_STATUS_DRIVER_OK;
}

bool virtio_negotiated(const struct virtio_dev *vdev, u64 feature)
{
	return vdev->driver_features & feature;
}

static void virtio_raise(struct virtio_dev *vdev, u8 bit)
{
	vdev->isr |= bit;
	pci_irq(&vdev->pci, 1);
}

void virtio_config_changed(struct virtio_dev *vdev)
{
	vdev->config_gen++;
	virtio_raise(vdev, 2);
}

/* Queues start disabled, at their largest size (what the driver reads). */
static void vq_reset_all(struct virtio_dev *vdev)
{
	unsigned int i;

	memset(vdev->vq, 0, sizeof(vdev->vq));
	for (i = 0; i < vdev->ops->nr_queues; i++)
		vdev->vq[i].size = VIRTQ_SIZE_MAX;
}

static void virtio_reset(struct virtio_dev *vdev)
{
	vdev->status = 0;
	vdev->driver_features = 0;
	vdev->dev_feature_sel = vdev->drv_feature_sel = 0;
	vdev->queue_sel = 0;
	vdev->isr = 0;
	vq_reset_all(vdev);
	pci_irq(&vdev->pci, 0);
	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
}

/* Queue checks at enable time: the rings must lie in guest RAM. */
static int vq_enable(struct virtio_dev *vdev, struct virtq *vq)
{
	struct vm *vm = vdev->vm;
	u64 n = vq->size;

	if (!n || (n & (n - 1)) || n > VIRTQ_SIZE_MAX)
		return -EINVAL;
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3))
		return -EINVAL;
	vq->desc = guest_ptr(vm, vq->desc_gpa, 16 * n);
	vq->avail = guest_ptr(vm, vq->avail_gpa, 6 + 2 * n);
	vq->used = guest_ptr(vm, vq->used_gpa, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used)
		return -EFAULT;
	vq->last_avail = vq->used_idx = 0;
	vq->enabled = true;
	return 0;
}

static void set_status(struct virtio_dev *vdev, u8 st)
{
	u64 offered = vdev->ops->features | VIRTIO_F_VERSION_1;
	u8 old = vdev->status;

	if (!st) {
		virtio_reset(vdev);
		return;
	}
	if ((st & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    ((vdev->driver_features & ~offered) ||
	     !(vdev->driver_features & VIRTIO_F_VERSION_1)))
		st &= ~VIRTIO_STATUS_FEATURES_OK;	/* the driver reads it back */
	vdev->status = st | (old & VIRTIO_STATUS_NEEDS_RESET);
	if ((st & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK) &&
	    vdev->ops->start)
		vdev->ops->start(vdev);
}

static void common_read(struct virtio_dev *vdev, u64 off, u8 *data, int len)
{
	u64 offered = vdev->ops->features | VIRTIO_F_VERSION_1;
	struct virtq *vq = vdev->queue_sel < vdev->ops->nr_queues ?
			   &vdev->vq[vdev->queue_sel] : NULL;
	u64 v = 0;

	switch (off) {
	case 0x00: v = vdev->dev_feature_sel; break;
	case 0x04: v = vdev->dev_feature_sel < 2 ? (u32)(offered >> (32 * vdev->dev_feature_sel)) : 0; break;
	case 0x08: v = vdev->drv_feature_sel; break;
	case 0x0c: v = vdev->drv_feature_sel < 2 ? (u32)(vdev->driver_features >> (32 * vdev->drv_feature_sel)) : 0; break;
	case 0x10: v = 0xffff; break;		/* msix_config: no vector */
	case 0x12: v = vdev->ops->nr_queues; break;
	case 0x14: v = vdev->status; break;
	case 0x15: v = vdev->config_gen; break;
	case 0x16: v = vdev->queue_sel; break;
	case 0x18: v = vq ? vq->size : 0; break;
	case 0x1a: v = 0xffff; break;		/* queue_msix_vector */
	case 0x1c: v = vq ? vq->enabled : 0; break;
	case 0x1e: v = vq ? vdev->queue_sel : 0; break;	/* queue_notify_off */
	case 0x20: v = vq ? vq->desc_gpa : 0; break;
	case 0x24: v = vq ? vq->desc_gpa >> 32 : 0; break;
	case 0x28: v = vq ? vq->avail_gpa : 0; break;
	case 0x2c: v = vq ? vq->avail_gpa >> 32 : 0; break;
	case 0x30: v = vq ? vq->used_gpa : 0; break;
	case 0x34: v = vq ? vq->used_gpa >> 32 : 0; break;
	case 0x38: v = vq ? vdev->queue_sel : 0; break;	/* queue_notify_data */
	}
	put(data, len, v);
}

/* A write to one of the queue's address halves (only while disabled). */
static void set_half(u64 *reg, u64 off, u32 v)
{
	if (off & 4)
		*reg = (*reg & 0xffffffffULL) | (u64)v << 32;
	else
		*reg = (*reg & ~0xffffffffULL) | v;
}

static void common_write(struct virtio_dev *vdev, u64 off, u64 v)
{
	struct virtq *vq = vdev->queue_sel < vdev->ops->nr_queues ?
			   &vdev->vq[vdev->queue_sel] : NULL;
	u32 sel = vdev->drv_feature_sel;

	switch (off) {
	case 0x00: vdev->dev_feature_sel = v; return;
	case 0x08: vdev->drv_feature_sel = v; return;
	case 0x0c:
		if (sel < 2 && !(vdev->status & VIRTIO_STATUS_FEATURES_OK))
			vdev->driver_features = (vdev->driver_features &
				~(0xffffffffULL << (32 * sel))) | (u64)(u32)v << (32 * sel);
		return;
	case 0x14: set_status(vdev, v); return;
	case 0x16: vdev->queue_sel = v; return;
	}
	if (!vq || vq->enabled)
		return;			/* queue fields are frozen once enabled */
	switch (off) {
	case 0x18: vq->size = v; return;
	case 0x1c:
		if (v == 1 && vq_enable(vdev, vq))
			virtio_fail(vdev, "queue %u: bad size %u or rings at %#llx/%#llx/%#llx",
				    vdev->queue_sel, vq->size,
				    (unsigned long long)vq->desc_gpa,
				    (unsigned long long)vq->avail_gpa,
				    (unsigned long long)vq->used_gpa);
		return;
	case 0x20: case 0x24: set_half(&vq->desc_gpa, off, v); return;
	case 0x28: case 0x2c: set_half(&vq->avail_gpa, off, v); return;
	case 0x30: case 0x34: set_half(&vq->used_gpa, off, v); return;
	}
}

/* The width each common field has; other sizes are ignored (reads 0). */
static int common_width(u64 off)
{
	if (off < 0x10 || (off >= 0x20 && off < 0x38))
		return 4;
	if (off == 0x14 || off == 0x15)
		return 1;
	return 2;
}

static void virtio_bar(struct pci_dev *pdev, int bar, u64 off, u8 *data,
		       int len, bool write)
{
	struct virtio_dev *vdev = pdev->opaque;
	const struct virtio_ops *ops = vdev->ops;

	(void)bar;
	if (!write)
		memset(data, 0, len);
	if (off < COMMON_OFF + COMMON_LEN) {
		if (len != common_width(off) && !(len == 8 && off >= 0x20 && off < 0x38 && !(off & 7)))
			return;
		if (len == 8) {		/* a 64-bit access as two halves */
			if (write) {
				common_write(vdev, off, (u32)get(data, 8));
				common_write(vdev, off + 4, get(data, 8) >> 32);
			} else {
				common_read(vdev, off, data, 4);
				common_read(vdev, off + 4, data + 4, 4);
			}
		} else if (write) {
			common_write(vdev, off, get(data, len));
		} else {
			common_read(vdev, off, data, len);
		}
	} else if (off == ISR_OFF && !write) {
		data[0] = vdev->isr;
		vdev->isr = 0;
		pci_irq(pdev, 0);
	} else if (off >= DEVCFG_OFF && off + len <= DEVCFG_OFF + ops->config_size) {
		if (ops->config)
			ops->config(vdev, off - DEVCFG_OFF, data, len, write);
	} else if (off >= NOTIFY_OFF && off < NOTIFY_OFF + NOTIFY_MULT * ops->nr_queues &&
		   write) {
		unsigned int q = (off - NOTIFY_OFF) / NOTIFY_MULT;

		if (virtio_live(vdev) && vdev->vq[q].enabled && ops->notify)
			ops->notify(vdev, q);
	}
}

/* Split virtqueues. The driver writes the rings from other vCPUs at any
 * time: every field is read once, into a local copy, then checked. */

static u16 ring_load16(volatile u8 *p)
{
	return __atomic_load_n((volatile u16 *)p, __ATOMIC_ACQUIRE);
}

static u16 avail_idx(struct virtq *vq)
{
	return ring_load16(vq->avail + 2);
}

bool virtq_avail(struct virtio_dev *vdev, unsigned int q)
{
	struct virtq *vq = &vdev->vq[q];

	if (!virtio_live(vdev) || q >= vdev->ops->nr_queues || !vq->enabled)
		return false;
	return avail_idx(vq) != vq->last_avail;
}

static int chain_add(struct virtio_dev *vdev, struct virtq_elem *e,
		     const struct vring_desc *d)
{
	void *p = d->len ? guest_ptr(vdev->vm, d->addr, d->len) : NULL;
	bool in = d->flags & VRING_DESC_F_WRITE;

	if (d->len && !p)
		return -EFAULT;
	if (!in && e->n_in)
		return -EINVAL;		/* readable after writable */
	if (e->n_out + e->n_in == VIRTQ_SG_MAX)
		return -E2BIG;
	if (!d->len)
		return 0;
	if (in) {
		e->in[e->n_in++] = (struct iovec){ p, d->len };
		e->in_len += d->len;
	} else {
		e->out[e->n_out++] = (struct iovec){ p, d->len };
		e->out_len += d->len;
	}
	return 0;
}

int virtq_pop(struct virtio_dev *vdev, unsigned int q, struct virtq_elem *e)
{
	struct virtq *vq = &vdev->vq[q];
	struct vring_desc d;
	u16 idx, i, n;
	int ret;

	if (!virtq_avail(vdev, q))
		return 0;
	idx = avail_idx(vq);
	if ((u16)(idx - vq->last_avail) > vq->size) {
		virtio_fail(vdev, "queue %u: avail index %u jumps from %u", q, idx,
			    vq->last_avail);
		return -EINVAL;
	}
	e->head = ring_load16(vq->avail + 4 + 2 * (vq->last_avail & (vq->size - 1)));
	e->n_out = e->n_in = 0;
	e->out_len = e->in_len = 0;
	for (i = e->head, n = 0;; n++) {
		if (i >= vq->size || n >= vq->size) {
			virtio_fail(vdev, "queue %u: descriptor %u out of range or a loop", q, i);
			return -EINVAL;
		}
		memcpy(&d, (const u8 *)vq->desc + 16 * i, sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			virtio_fail(vdev, "queue %u: indirect descriptor not negotiated", q);
			return -EINVAL;
		}
		ret = chain_add(vdev, e, &d);
		if (ret) {
			virtio_fail(vdev, "queue %u: descriptor %u (%#llx, %u bytes): %s", q, i,
				    (unsigned long long)d.addr, d.len,
				    ret == -EFAULT ? "outside guest RAM" :
				    ret == -E2BIG ? "chain too long" : "readable after writable");
			return ret;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
	}
	vq->last_avail++;
	return 1;
}

void virtq_push(struct virtio_dev *vdev, unsigned int q,
		const struct virtq_elem *e, u32 len)
{
	struct virtq *vq = &vdev->vq[q];
	volatile u8 *ent = vq->used + 4 + 8 * (vq->used_idx & (vq->size - 1));
	u32 id = e->head;

	memcpy((u8 *)ent, &id, 4);
	memcpy((u8 *)ent + 4, &len, 4);
	vq->used_idx++;
	__atomic_store_n((volatile u16 *)(vq->used + 2), vq->used_idx, __ATOMIC_RELEASE);
}

void virtq_notify(struct virtio_dev *vdev, unsigned int q)
{
	struct virtq *vq = &vdev->vq[q];

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* used idx before avail flags */
	if (ring_load16(vq->avail) & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	virtio_raise(vdev, 1);
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip,
		  void *buf, size_t len)
{
	size_t done = 0, c;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		c = iov[i].iov_len - skip;
		if (c > len - done)
			c = len - done;
		memcpy((u8 *)buf + done, (u8 *)iov[i].iov_base + skip, c);
		done += c;
		skip = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip,
		    const void *buf, size_t len)
{
	size_t done = 0, c;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		c = iov[i].iov_len - skip;
		if (c > len - done)
			c = len - done;
		memcpy((u8 *)iov[i].iov_base + skip, (const u8 *)buf + done, c);
		done += c;
		skip = 0;
	}
	return done;
}

/* A vendor capability pointing into BAR 0. */
static int add_cap(struct virtio_dev *vdev, u8 type, u32 off, u32 len, u8 cap_len)
{
	u8 *c = pci_add_cap(&vdev->pci, 0x09, cap_len);

	if (!c)
		return -ENOSPC;
	c[2] = cap_len;
	c[3] = type;
	c[4] = 0;		/* bar */
	put(c + 8, 4, off);
	put(c + 12, 4, len);
	if (type == CAP_NOTIFY_CFG)
		put(c + 16, 4, NOTIFY_MULT);
	return 0;
}

int virtio_pci_init(struct virtio_dev *vdev, struct vm *vm, const char *name,
		    const struct virtio_ops *ops, void *opaque)
{
	int ret;

	if (ops->nr_queues > VIRTIO_QUEUES_MAX || ops->config_size > 0x1000)
		return -EINVAL;
	memset(vdev, 0, sizeof(*vdev));
	vdev->vm = vm;
	vdev->ops = ops;
	vdev->opaque = opaque;
	vq_reset_all(vdev);
	pci_dev_init(&vdev->pci, name, VIRTIO_PCI_VENDOR,
		     VIRTIO_PCI_DEVICE_BASE + ops->device_id, ops->class,
		     VIRTIO_PCI_VENDOR, 0x40 + ops->device_id);
	vdev->pci.cfg[0x08] = 1;	/* revision 1: modern only */
	vdev->pci.opaque = vdev;
	ret = pci_set_bar(&vdev->pci, 0, BAR_SIZE, false, virtio_bar);
	if (!ret)
		ret = add_cap(vdev, CAP_COMMON_CFG, COMMON_OFF, COMMON_LEN, 16);
	if (!ret)
		ret = add_cap(vdev, CAP_ISR_CFG, ISR_OFF, 1, 16);
	if (!ret && ops->config_size)
		ret = add_cap(vdev, CAP_DEVICE_CFG, DEVCFG_OFF, ops->config_size, 16);
	if (!ret)
		ret = add_cap(vdev, CAP_NOTIFY_CFG, NOTIFY_OFF,
			      NOTIFY_MULT * ops->nr_queues, 20);
	return ret;
}

int virtio_pci_register(struct virtio_dev *vdev)
{
	return pci_register(vdev->vm, &vdev->pci);
}
