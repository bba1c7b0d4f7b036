// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net NICs (virtio spec 1.2 section 5.1), one per present
 * ethernetN, each on a port of a vmnet switch: an open file of /dev/vmnet
 * attached to ethernetN.networkName with the NIC's MAC.
 *
 * Features: VERSION_1, MAC, STATUS (link up until the switch goes away).
 * No offloads, no mergeable buffers: the driver gives receive buffers of
 * a whole frame each, and sends one frame per chain, after a 12-byte
 * struct virtio_net_hdr_v1 that is ignored on transmit and zero on
 * receive.
 *
 * Receive: the main loop watches the port (vm_poll_add) only while the
 * guest has receive buffers; when they run out the port is left alone
 * until the guest kicks the receive queue. Transmit: on the guest's kick,
 * on the vCPU thread, each frame is written to the port; one the switch
 * refuses (too long, too short, port gone) is dropped and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <uapi/vmnet.h>

#include "virtio_pci.h"

#define VIRTIO_ID_NET		1
#define VIRTIO_NET_F_MAC	(1ULL << 5)
#define VIRTIO_NET_F_STATUS	(1ULL << 16)
#define VIRTIO_NET_S_LINK_UP	1

#define VNET_RXQ		0
#define VNET_TXQ		1
#define VNET_HDR_LEN		12	/* struct virtio_net_hdr_v1 */
#define VNET_FRAME_MAX		1518	/* what a vmnet port passes, 802.1Q tag included */
#define VNET_RX_BUDGET		64	/* frames per wakeup of the main loop */

struct virtio_net {
	struct virtio_dev vdev;
	struct vm *vm;
	unsigned int n;		/* ethernetN */
	char name[16];
	int fd;			/* the vmnet port */
	u32 port_id;
	short watching;		/* the events the main loop watches fd for */
	bool link_up;
	u8 mac[6];
	u64 rx_drops, tx_drops;
};

static void vnet_watch(struct virtio_net *net, bool on)
{
	short ev = on && net->link_up ? POLLIN : 0;

	if (net->watching == ev)
		return;
	net->watching = ev;
	vm_poll_set(net->vm, net->fd, ev);
}

static void vnet_link_down(struct virtio_net *net)
{
	if (!net->link_up)
		return;
	pr_warn("%s: the port on switch '%s' is gone: link down", net->name,
		net->vm->cfg.nics[net->n].network);
	net->link_up = false;
	vnet_watch(net, false);
	if (virtio_live(&net->vdev))
		virtio_config_changed(&net->vdev);
}

/* One frame from the port into one receive chain. 1: go on; 0: stop. */
static int vnet_rx_one(struct virtio_net *net, u8 *frame)
{
	u8 hdr[VNET_HDR_LEN] = { [10] = 1 };	/* num_buffers = 1 */
	struct virtq_elem e;
	ssize_t len;

	if (!virtq_avail(&net->vdev, VNET_RXQ)) {
		vnet_watch(net, false);
		return 0;
	}
	len = read(net->fd, frame, VNET_FRAME_MAX);
	if (len < 0) {
		int err = errno;

		if (err == ENOTCONN)
			vnet_link_down(net);
		else if (err == EMSGSIZE)
			net->rx_drops++;	/* longer than any frame: dropped */
		return err == EMSGSIZE;
	}
	if (virtq_pop(&net->vdev, VNET_RXQ, &e) <= 0) {
		net->rx_drops++;
		return 0;
	}
	if (e.in_len < VNET_HDR_LEN + (size_t)len) {
		net->rx_drops++;
		virtq_push(&net->vdev, VNET_RXQ, &e, 0);
		return 1;
	}
	iov_from_buf(e.in, e.n_in, 0, hdr, sizeof(hdr));
	iov_from_buf(e.in, e.n_in, VNET_HDR_LEN, frame, len);
	virtq_push(&net->vdev, VNET_RXQ, &e, VNET_HDR_LEN + len);
	return 1;
}

/* The main loop: frames wait on the port (no vm->lock on entry). */
static void vnet_rx(struct vm *vm, void *opaque, short revents)
{
	struct virtio_net *net = opaque;
	u16 used;
	u8 frame[VNET_FRAME_MAX];
	int i;

	pthread_mutex_lock(&vm->lock);
	if (revents & (POLLHUP | POLLERR)) {
		vnet_link_down(net);
	} else {
		used = net->vdev.vq[VNET_RXQ].used_idx;
		for (i = 0; i < VNET_RX_BUDGET; i++)
			if (!vnet_rx_one(net, frame))
				break;
		if (net->vdev.vq[VNET_RXQ].used_idx != used)
			virtq_notify(&net->vdev, VNET_RXQ);
	}
	pthread_mutex_unlock(&vm->lock);
}

/* The chain's frame, after its header, as an iovec of at most n entries. */
static unsigned int vnet_tx_iov(const struct virtq_elem *e, struct iovec *iov)
{
	size_t skip = VNET_HDR_LEN;
	unsigned int i, n = 0;

	for (i = 0; i < e->n_out; i++) {
		if (skip >= e->out[i].iov_len) {
			skip -= e->out[i].iov_len;
			continue;
		}
		iov[n].iov_base = (u8 *)e->out[i].iov_base + skip;
		iov[n++].iov_len = e->out[i].iov_len - skip;
		skip = 0;
	}
	return n;
}

static void vnet_tx(struct virtio_net *net)
{
	struct virtq *vq = &net->vdev.vq[VNET_TXQ];
	struct iovec iov[VIRTQ_SG_MAX];
	struct virtq_elem e;
	unsigned int budget;
	size_t len;
	u16 used = vq->used_idx;
	int err;

	for (budget = vq->size; budget; budget--) {
		if (virtq_pop(&net->vdev, VNET_TXQ, &e) <= 0)
			break;
		len = e.out_len > VNET_HDR_LEN ? e.out_len - VNET_HDR_LEN : 0;
		err = 0;
		if (len < 14 || len > VNET_FRAME_MAX)
			err = EMSGSIZE;
		else if (!net->link_up)
			err = ENOTCONN;
		else if (writev(net->fd, iov, vnet_tx_iov(&e, iov)) < 0)
			err = errno;
		virtq_push(&net->vdev, VNET_TXQ, &e, 0);
		if (!err)
			continue;
		if (!net->tx_drops++ || vmx_debug)
			pr_warn("%s: a %zu-byte frame dropped: %s (drops are counted)",
				net->name, len, strerror(err));
		if (err == ENOTCONN)
			vnet_link_down(net);
	}
	if (vq->used_idx != used)
		virtq_notify(&net->vdev, VNET_TXQ);
}

static void vnet_notify(struct virtio_dev *vdev, unsigned int q)
{
	struct virtio_net *net = vdev->opaque;

	if (q == VNET_RXQ)
		vnet_watch(net, true);	/* new buffers: frames may go in */
	else if (q == VNET_TXQ)
		vnet_tx(net);
}

static void vnet_start(struct virtio_dev *vdev)
{
	struct virtio_net *net = vdev->opaque;

	vnet_watch(net, virtq_avail(vdev, VNET_RXQ));
	vnet_tx(net);
}

static void vnet_reset(struct virtio_dev *vdev)
{
	vnet_watch(vdev->opaque, false);
}

static void vnet_config(struct virtio_dev *vdev, u32 off, u8 *data, int len,
			bool write)
{
	struct virtio_net *net = vdev->opaque;
	u8 cfg[12] = { 0 };

	if (write)
		return;			/* mac is read-only without CTRL_MAC_ADDR */
	memcpy(cfg, net->mac, 6);
	cfg[6] = net->link_up ? VIRTIO_NET_S_LINK_UP : 0;
	cfg[8] = 1;			/* max_virtqueue_pairs */
	cfg[10] = 1500 & 0xff;		/* mtu */
	cfg[11] = 1500 >> 8;
	memcpy(data, cfg + off, len);
}

static const struct virtio_ops vnet_ops = {
	.device_id = VIRTIO_ID_NET,
	.class = 0x020000,		/* Ethernet controller */
	.nr_queues = 2,
	.features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
	.config_size = 12,
	.notify = vnet_notify,
	.start = vnet_start,
	.reset = vnet_reset,
	.config = vnet_config,
};

/* Open a port of the NIC's switch; errors name the .vmx line. */
static int vnet_attach(struct vm *vm, struct virtio_net *net)
{
	const struct config_nic *nic = &vm->cfg.nics[net->n];
	struct vmnet_attach at = { 0 };
	int ret;

	net->fd = open("/dev/vmnet", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (net->fd < 0) {
		ret = -errno;
		pr_err("ethernet%u: /dev/vmnet: %s%s", net->n, strerror(-ret),
		       ret == -ENOENT ? " (is vmnet.ko loaded?)" : "");
		return ret;
	}
	memcpy(at.switch_name, nic->network, sizeof(at.switch_name));
	memcpy(at.mac, net->mac, 6);
	if (ioctl(net->fd, VMNET_IOC_ATTACH, &at) < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			pr_err("%s:%d: ethernet%u.networkName: no vmnet switch '%s' (create it first)",
			       vm->cfg.path, nic->network_line, net->n, nic->network);
		else
			pr_err("%s:%d: ethernet%u: attaching to switch '%s': %s",
			       vm->cfg.path, nic->network_line, net->n, nic->network,
			       strerror(-ret));
		close(net->fd);
		return ret;
	}
	net->port_id = at.port_id;
	return 0;
}

static int vnet_add(struct vm *vm, unsigned int n)
{
	struct virtio_net *net = calloc(1, sizeof(*net));
	int ret;

	if (!net)
		return -ENOMEM;
	net->vm = vm;
	net->n = n;
	net->link_up = true;
	snprintf(net->name, sizeof(net->name), "ethernet%u", n);
	memcpy(net->mac, vm->cfg.nics[n].mac, 6);
	ret = vnet_attach(vm, net);
	if (ret)
		goto err_free;
	ret = virtio_pci_init(&net->vdev, vm, net->name, &vnet_ops, net);
	if (!ret)
		ret = virtio_pci_register(&net->vdev);
	if (ret)
		goto err_close;
	ret = vm_poll_add(vm, net->fd, 0, vnet_rx, net);
	if (ret)
		goto err_close;	/* the PCI bus goes with the VM */
	vm->nics[n] = net;
	pr_info("%s: virtio-net %02x:%02x:%02x:%02x:%02x:%02x on switch '%s' (port %u)",
		net->name, net->mac[0], net->mac[1], net->mac[2], net->mac[3],
		net->mac[4], net->mac[5], vm->cfg.nics[n].network, net->port_id);
	return 0;

err_close:
	close(net->fd);
err_free:
	free(net);
	return ret;
}

int virtio_net_init(struct vm *vm)
{
	unsigned int n;
	int ret;

	for (n = 0; n < CONFIG_NICS_MAX; n++) {
		if (!vm->cfg.nics[n].present)
			continue;
		ret = vnet_add(vm, n);
		if (ret) {
			virtio_net_exit(vm);
			return ret;
		}
	}
	return 0;
}

void virtio_net_exit(struct vm *vm)
{
	unsigned int n;

	for (n = 0; n < CONFIG_NICS_MAX; n++) {
		struct virtio_net *net = vm->nics[n];

		if (!net)
			continue;
		if (net->rx_drops || net->tx_drops)
			pr_info("%s: %llu received and %llu sent frames dropped", net->name,
				(unsigned long long)net->rx_drops,
				(unsigned long long)net->tx_drops);
		vm_poll_del(vm, net->fd);
		close(net->fd);
		free(net);
		vm->nics[n] = NULL;
	}
}
