/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio 1.x PCI transport ("modern" only: device IDs 0x1040 + type,
 * revision 1, no legacy I/O BAR) and split virtqueues, for any virtio
 * device model (net now; blk or scsi later).
 *
 * One 32-bit memory BAR (BAR 0) holds the four regions the vendor
 * capabilities point at: common configuration, ISR status, device
 * configuration and notifications (one 4-byte doorbell per queue). There
 * is no MSI-X: the driver falls back to INTx, raised through the ISR
 * (bit 0 used buffers, bit 1 configuration change); reading the ISR
 * clears it and lowers the line.
 *
 * Every ring, index, address and length the driver gives is checked: a
 * queue only becomes usable when its size is a power of two and its three
 * rings lie in guest RAM; a descriptor chain that leaves guest RAM, loops,
 * is too long or puts a readable buffer after a writable one puts the
 * device in DEVICE_NEEDS_RESET (with a warning) and it stops touching its
 * queues until the driver resets it.
 *
 * A device model fills struct virtio_ops and calls virtio_pci_init() then
 * virtio_pci_register(). All callbacks and all calls below run with
 * vm->lock held.
 */
#ifndef VMX_VIRTIO_PCI_H
#define VMX_VIRTIO_PCI_H

#include <sys/uio.h>

#include "pci.h"

#define VIRTIO_QUEUES_MAX	8
#define VIRTQ_SIZE_MAX		256	/* what queue_size reads as */
#define VIRTQ_SG_MAX		64	/* buffers in one chain */

/* device_status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

#define VIRTIO_F_VERSION_1		(1ULL << 32)

struct virtio_dev;

struct virtio_ops {
	u8 device_id;		/* virtio device type: 1 net, 2 block, 8 scsi */
	u32 class;		/* PCI class code */
	unsigned int nr_queues;
	u64 features;		/* offered; VIRTIO_F_VERSION_1 is added */
	unsigned int config_size;
	/* The driver kicked queue q. */
	void (*notify)(struct virtio_dev *vdev, unsigned int q);
	/* DRIVER_OK was set (the queues are live), or the device reset. */
	void (*start)(struct virtio_dev *vdev);
	void (*reset)(struct virtio_dev *vdev);
	/* Device-specific configuration: off + len <= config_size. */
	void (*config)(struct virtio_dev *vdev, u32 off, u8 *data, int len,
		       bool write);
};

struct virtq {
	u16 size;		/* entries, a power of two */
	bool enabled;
	u64 desc_gpa, avail_gpa, used_gpa;
	/* Host views of the rings, set when the queue is enabled. */
	volatile u8 *desc, *avail, *used;
	u16 last_avail;		/* next avail entry the device takes */
	u16 used_idx;		/* next used entry the device fills */
};

/* One descriptor chain: out (device reads) buffers, then in (it writes). */
struct virtq_elem {
	u16 head;
	unsigned int n_out, n_in;
	size_t out_len, in_len;
	struct iovec out[VIRTQ_SG_MAX], in[VIRTQ_SG_MAX];
};

struct virtio_dev {
	struct pci_dev pci;
	struct vm *vm;
	const struct virtio_ops *ops;
	void *opaque;
	u64 driver_features;
	u32 dev_feature_sel, drv_feature_sel;
	u16 queue_sel;
	u8 status;
	u8 isr;
	u8 config_gen;
	struct virtq vq[VIRTIO_QUEUES_MAX];
};

int virtio_pci_init(struct virtio_dev *vdev, struct vm *vm, const char *name,
		    const struct virtio_ops *ops, void *opaque);
int virtio_pci_register(struct virtio_dev *vdev);

/* Lock held. */
bool virtio_live(const struct virtio_dev *vdev);	/* DRIVER_OK, no error */
bool virtio_negotiated(const struct virtio_dev *vdev, u64 feature);
bool virtq_avail(struct virtio_dev *vdev, unsigned int q);
/* 1: a chain in *e; 0: none waiting; <0: a bad chain (device needs reset). */
int virtq_pop(struct virtio_dev *vdev, unsigned int q, struct virtq_elem *e);
void virtq_push(struct virtio_dev *vdev, unsigned int q,
		const struct virtq_elem *e, u32 len);
/* Interrupt the driver for queue q, unless it asked not to be. */
void virtq_notify(struct virtio_dev *vdev, unsigned int q);
void virtio_config_changed(struct virtio_dev *vdev);
void virtio_fail(struct virtio_dev *vdev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy between a chain's buffers and a flat buffer, skipping `skip` bytes. */
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip,
		  void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip,
		    const void *buf, size_t len);

#endif
