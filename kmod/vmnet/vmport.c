// SPDX-License-Identifier: GPL-2.0
/*
 * VM ports: the character device /dev/vmnet. Each open file is one port;
 * VMNET_IOC_ATTACH joins it to a switch. write() sends one frame into the
 * switch, read() returns one frame from the port's receive queue with its
 * 802.1Q tag put back in line, poll() says whether one is waiting.
 */
#include <linux/if_vlan.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <compat.h>	/* skb_gso_segment() */

#include "switch.h"
#include "vmport.h"

#define VMNET_VMPORT_QLEN	1024

struct vmnet_vmport {
	struct vmnet_port port;
	struct sk_buff_head rxq;
	wait_queue_head_t wq;
};

static struct vmnet_vmport *vmnet_to_vmport(struct vmnet_port *port)
{
	return container_of(port, struct vmnet_vmport, port);
}

static bool vmnet_vmport_attached(struct vmnet_vmport *vp)
{
	return rcu_access_pointer(vp->port.sw);
}

static bool vmnet_vmport_queue(struct vmnet_vmport *vp, struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop;
	if (skb_queue_len(&vp->rxq) >= VMNET_VMPORT_QLEN)
		goto drop;
	skb_queue_tail(&vp->rxq, skb);
	wake_up_interruptible_poll(&vp->wq, EPOLLIN | EPOLLRDNORM);
	return true;

drop:
	kfree_skb(skb);
	return false;
}

/* A VM's NIC takes frames of at most its MTU: cut GSO frames from the
 * host stack or an uplink into segments first. */
static bool vmnet_vmport_xmit(struct vmnet_port *port, struct sk_buff *skb)
{
	struct vmnet_vmport *vp = vmnet_to_vmport(port);
	struct sk_buff *segs, *seg, *next;
	bool queued = false;

	skb_scrub_packet(skb, false);
	skb_orphan(skb);
	if (!skb_is_gso(skb))
		return vmnet_vmport_queue(vp, skb);

	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb(skb);
		return false;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		queued |= vmnet_vmport_queue(vp, seg);
	}
	return queued;
}

static void vmnet_vmport_detach(struct vmnet_port *port)
{
	struct vmnet_vmport *vp = vmnet_to_vmport(port);

	/* The file owns the port; readers learn that it is gone. */
	wake_up_interruptible_poll(&vp->wq, EPOLLHUP | EPOLLERR);
}

static const struct vmnet_port_ops vmnet_vmport_ops = {
	.kind = VMNET_PORT_VM,
	.xmit = vmnet_vmport_xmit,
	.detach = vmnet_vmport_detach,
};

static int vmnet_vmport_open(struct inode *inode, struct file *file)
{
	struct vmnet_vmport *vp;
	int ret;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return -ENOMEM;
	ret = vmnet_port_init(&vp->port, &vmnet_vmport_ops);
	if (ret) {
		kfree(vp);
		return ret;
	}
	skb_queue_head_init(&vp->rxq);
	init_waitqueue_head(&vp->wq);
	file->private_data = vp;
	return stream_open(inode, file);
}

static int vmnet_vmport_release(struct inode *inode, struct file *file)
{
	struct vmnet_vmport *vp = file->private_data;

	rtnl_lock();
	vmnet_switch_unlink_port(&vp->port);
	rtnl_unlock();
	synchronize_rcu();
	skb_queue_purge(&vp->rxq);
	vmnet_port_uninit(&vp->port);
	kfree(vp);
	return 0;
}

static int vmnet_vmport_attach(struct vmnet_vmport *vp,
			       struct vmnet_attach __user *uarg)
{
	struct vmnet_attach arg;
	struct vmnet_switch *sw;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved ||
	    strnlen(arg.switch_name, sizeof(arg.switch_name)) >=
	    sizeof(arg.switch_name) || !is_valid_ether_addr(arg.mac))
		return -EINVAL;
	/* A port used before may still be seen by readers of its old
	 * switch's list: let them finish before it joins another list. */
	if (vp->port.id)
		synchronize_rcu();

	rtnl_lock();
	ret = -EISCONN;
	if (vmnet_vmport_attached(vp))
		goto out;
	ret = -ENOENT;
	sw = vmnet_switch_find(arg.switch_name);
	if (!sw)
		goto out;
	ether_addr_copy(vp->port.mac, arg.mac);
	WRITE_ONCE(vp->port.vlan, 0);
	WRITE_ONCE(vp->port.policy, 0);
	WRITE_ONCE(vp->port.flags, 0);
	vmnet_port_set_rate(&vp->port, 0, 0);
	ret = vmnet_switch_add_port(sw, &vp->port, NULL);
	arg.port_id = vp->port.id;
out:
	rtnl_unlock();
	if (!ret && copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;	/* attached all the same, as for any ioctl */
	return ret;
}

static int vmnet_vmport_set_flags(struct vmnet_vmport *vp, u32 __user *uarg)
{
	u32 flags;
	int ret = 0;

	if (get_user(flags, uarg))
		return -EFAULT;
	if (flags & ~VMNET_PORT_ALL)
		return -EINVAL;
	rtnl_lock();
	if ((flags & VMNET_PORT_PROMISC) &&
	    !(vp->port.policy & VMNET_POLICY_PROMISC))
		ret = -EPERM;
	else
		WRITE_ONCE(vp->port.flags, flags);
	rtnl_unlock();
	return ret;
}

static long vmnet_vmport_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct vmnet_vmport *vp = file->private_data;
	int ret = 0;

	switch (cmd) {
	case VMNET_IOC_ATTACH:
		return vmnet_vmport_attach(vp, (void __user *)arg);
	case VMNET_IOC_DETACH:
		rtnl_lock();
		if (vmnet_vmport_attached(vp))
			vmnet_switch_unlink_port(&vp->port);
		else
			ret = -ENOTCONN;
		rtnl_unlock();
		return ret;
	case VMNET_IOC_SET_FLAGS:
		return vmnet_vmport_set_flags(vp, (void __user *)arg);
	}
	return -ENOTTY;
}

static ssize_t vmnet_vmport_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	struct vmnet_vmport *vp = iocb->ki_filp->private_data;
	size_t len = iov_iter_count(from);
	const struct ethhdr *eth;
	struct sk_buff *skb;

	if (len < ETH_HLEN || len > VLAN_ETH_FRAME_LEN)
		return -EINVAL;
	if (!vmnet_vmport_attached(vp))
		return -ENOTCONN;
	skb = alloc_skb(NET_IP_ALIGN + len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, NET_IP_ALIGN);
	if (!copy_from_iter_full(skb_put(skb, len), len, from)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	eth = (const struct ethhdr *)skb->data;
	if (len > ETH_FRAME_LEN && eth->h_proto != htons(ETH_P_8021Q)) {
		kfree_skb(skb);
		return -EINVAL;
	}
	skb->protocol = eth->h_proto;

	rcu_read_lock_bh();
	vmnet_switch_input(&vp->port, skb);
	rcu_read_unlock_bh();
	return len;
}

static ssize_t vmnet_vmport_put(struct sk_buff *skb, struct iov_iter *to)
{
	size_t len = skb->len;
	__be16 tag[2];
	int ret;

	if (!skb_vlan_tag_present(skb))
		return skb_copy_datagram_iter(skb, 0, to, len) ?: len;

	tag[0] = skb->vlan_proto;
	tag[1] = htons(skb_vlan_tag_get(skb));
	ret = skb_copy_datagram_iter(skb, 0, to, 2 * ETH_ALEN);
	if (!ret && copy_to_iter(tag, VLAN_HLEN, to) != VLAN_HLEN)
		ret = -EFAULT;
	if (!ret)
		ret = skb_copy_datagram_iter(skb, 2 * ETH_ALEN, to,
					     len - 2 * ETH_ALEN);
	return ret ?: len + VLAN_HLEN;
}

static ssize_t vmnet_vmport_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct vmnet_vmport *vp = file->private_data;
	struct sk_buff *skb;
	ssize_t ret;
	size_t need;

	for (;;) {
		skb = skb_dequeue(&vp->rxq);
		if (skb)
			break;
		if (!vmnet_vmport_attached(vp))
			return -ENOTCONN;
		if ((file->f_flags & O_NONBLOCK) ||
		    (iocb->ki_flags & IOCB_NOWAIT))
			return -EAGAIN;
		ret = wait_event_interruptible(vp->wq,
					       !skb_queue_empty(&vp->rxq) ||
					       !vmnet_vmport_attached(vp));
		if (ret)
			return ret;
	}
	need = skb->len + (skb_vlan_tag_present(skb) ? VLAN_HLEN : 0);
	if (iov_iter_count(to) < need) {
		vmnet_port_count_tx_drop(&vp->port);
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	ret = vmnet_vmport_put(skb, to);
	consume_skb(skb);
	return ret;
}

static __poll_t vmnet_vmport_poll(struct file *file, poll_table *wait)
{
	struct vmnet_vmport *vp = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &vp->wq, wait);
	if (!skb_queue_empty(&vp->rxq))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!vmnet_vmport_attached(vp))
		mask |= EPOLLHUP;
	return mask;
}

static const struct file_operations vmnet_vmport_fops = {
	.owner = THIS_MODULE,
	.open = vmnet_vmport_open,
	.release = vmnet_vmport_release,
	.read_iter = vmnet_vmport_read_iter,
	.write_iter = vmnet_vmport_write_iter,
	.poll = vmnet_vmport_poll,
	.unlocked_ioctl = vmnet_vmport_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vmnet_vmport_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmnet",
	.fops = &vmnet_vmport_fops,
	.mode = 0600,
};

int vmnet_vmport_init(void)
{
	return misc_register(&vmnet_vmport_dev);
}

void vmnet_vmport_exit(void)
{
	misc_deregister(&vmnet_vmport_dev);
}
