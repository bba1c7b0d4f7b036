// SPDX-License-Identifier: GPL-2.0
/*
 * Uplinks. vmnet takes the NIC's rx_handler (as the bridge and Open
 * vSwitch do) and keeps the NIC promiscuous while attached. Frames for the
 * NIC's own MAC go on to the host stack untouched; broadcasts and
 * multicasts go to both; everything else belongs to the switch. A NIC has
 * one rx_handler: one already taken (bridge, bond, macvlan, another
 * switch) is refused with EBUSY.
 *
 * Since the host's stack sees the broadcasts, a host with an address on a
 * host adapter of the same switch answers ARP for it on the NIC too
 * (arp_ignore=0): set arp_ignore=1 on the NIC, as for any two NICs on one
 * segment.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "hostif.h"
#include "netlink.h"
#include "switch.h"
#include "uplink.h"

struct vmnet_uplink {
	struct vmnet_port port;
	struct net_device *dev;
	bool carrier;			/* last state reported, RTNL */
};

static struct vmnet_uplink *vmnet_to_uplink(struct vmnet_port *port)
{
	return container_of(port, struct vmnet_uplink, port);
}

/* Wire -> switch. skb->data is past the Ethernet header; the switch wants
 * it at the header. Runs under rcu_read_lock. */
static void vmnet_uplink_input(struct vmnet_uplink *up, struct sk_buff *skb)
{
	skb_push_rcsum(skb, ETH_HLEN);
	vmnet_switch_input(&up->port, skb);
}

static rx_handler_result_t vmnet_uplink_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb, *copy;
	struct vmnet_uplink *up;
	const u8 *dest;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	up = rcu_dereference(skb->dev->rx_handler_data);
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;

	dest = eth_hdr(skb)->h_dest;
	if (ether_addr_equal(dest, skb->dev->dev_addr))
		return RX_HANDLER_PASS;
	if (is_multicast_ether_addr(dest)) {
		copy = skb_clone(skb, GFP_ATOMIC);
		if (copy)
			vmnet_uplink_input(up, copy);
		else
			vmnet_port_count_rx_drop(&up->port);
		return RX_HANDLER_PASS;
	}
	vmnet_uplink_input(up, skb);
	return RX_HANDLER_CONSUMED;
}

/* Switch -> wire. */
static bool vmnet_uplink_xmit(struct vmnet_port *port, struct sk_buff *skb)
{
	struct net_device *dev = vmnet_to_uplink(port)->dev;
	int ret;

	if (unlikely(!skb_is_gso(skb) &&
		     skb->len > READ_ONCE(dev->mtu) + ETH_HLEN)) {
		kfree_skb(skb);
		return false;
	}
	skb->dev = dev;
	/* net_xmit_eval() is a macro that evaluates its argument twice: the
	 * result must be in hand before it is judged, or one frame is sent
	 * twice (the second time while it sits on a backlog queue). */
	ret = dev_queue_xmit(skb);
	return !net_xmit_eval(ret);
}

static void vmnet_uplink_detach(struct vmnet_port *port)
{
	struct vmnet_uplink *up = vmnet_to_uplink(port);

	ASSERT_RTNL();
	/* Waits for a grace period: no reader sees the port after this. */
	netdev_rx_handler_unregister(up->dev);
	dev_set_promiscuity(up->dev, -1);
	dev_put(up->dev);
	vmnet_port_uninit(port);
	kfree(up);
}

static const char *vmnet_uplink_ifname(struct vmnet_port *port)
{
	return vmnet_to_uplink(port)->dev->name;
}

static const struct vmnet_port_ops vmnet_uplink_ops = {
	.kind = VMNET_PORT_UPLINK,
	.xmit = vmnet_uplink_xmit,
	.detach = vmnet_uplink_detach,
	.ifname = vmnet_uplink_ifname,
};

static bool vmnet_netdev_is_uplink(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == vmnet_uplink_rx;
}

static int vmnet_uplink_check(struct net_device *dev,
			      struct netlink_ext_ack *extack)
{
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no such network interface");
		return -ENODEV;
	}
	if ((dev->flags & IFF_LOOPBACK) || dev->type != ARPHRD_ETHER ||
	    dev->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG(extack, "an uplink must be an Ethernet NIC");
		return -EINVAL;
	}
	if (vmnet_netdev_is_hostif(dev)) {
		NL_SET_ERR_MSG(extack, "a vmnet host adapter cannot be an uplink");
		return -EINVAL;
	}
	if (vmnet_netdev_is_uplink(dev)) {
		NL_SET_ERR_MSG(extack, "the NIC is already the uplink of a vmnet switch");
		return -EBUSY;
	}
	if (netdev_is_rx_handler_busy(dev)) {
		NL_SET_ERR_MSG(extack, "the NIC already has an rx_handler (bridge, bond or macvlan port?)");
		return -EBUSY;
	}
	return 0;
}

struct vmnet_port *vmnet_uplink_attach(struct vmnet_switch *sw,
				       const char *ifname,
				       struct netlink_ext_ack *extack)
{
	struct net_device *dev = __dev_get_by_name(&init_net, ifname);
	struct vmnet_uplink *up;
	int ret;

	ASSERT_RTNL();
	ret = vmnet_uplink_check(dev, extack);
	if (ret)
		return ERR_PTR(ret);
	up = kzalloc(sizeof(*up), GFP_KERNEL);
	if (!up)
		return ERR_PTR(-ENOMEM);
	ret = vmnet_port_init(&up->port, &vmnet_uplink_ops);
	if (ret)
		goto err_alloc;
	up->dev = dev;
	dev_hold(dev);
	up->port.policy = VMNET_POLICY_FORGED;
	up->port.vlan = VMNET_VLAN_TRUNK;
	vmnet_port_set_rate(&up->port, 0, 0);
	ether_addr_copy(up->port.mac, dev->dev_addr);
	up->carrier = netif_running(dev) && netif_carrier_ok(dev);

	ret = dev_set_promiscuity(dev, 1);
	if (ret)
		goto err_port;
	ret = netdev_rx_handler_register(dev, vmnet_uplink_rx, up);
	if (ret)
		goto err_promisc;
	ret = vmnet_switch_add_port(sw, &up->port, extack);
	if (ret)
		goto err_handler;
	return &up->port;

err_handler:
	netdev_rx_handler_unregister(dev);
err_promisc:
	dev_set_promiscuity(dev, -1);
err_port:
	dev_put(dev);
	vmnet_port_uninit(&up->port);
err_alloc:
	kfree(up);
	return ERR_PTR(ret);
}

static void vmnet_uplink_carrier(struct vmnet_uplink *up)
{
	bool carrier = netif_running(up->dev) && netif_carrier_ok(up->dev);
	struct vmnet_switch *sw = rtnl_dereference(up->port.sw);

	if (carrier == up->carrier || !sw)
		return;
	up->carrier = carrier;
	vmnet_netlink_notify(sw, &up->port, carrier ? VMNET_EVENT_CARRIER_UP :
						      VMNET_EVENT_CARRIER_DOWN);
}

static int vmnet_uplink_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vmnet_uplink *up;

	ASSERT_RTNL();
	if (!vmnet_netdev_is_uplink(dev))
		return NOTIFY_DONE;
	up = rtnl_dereference(dev->rx_handler_data);
	switch (event) {
	case NETDEV_UNREGISTER:
		pr_info("%s is going away: detaching it from its switch\n",
			dev->name);
		vmnet_switch_del_port(&up->port);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		vmnet_uplink_carrier(up);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vmnet_uplink_notifier = {
	.notifier_call = vmnet_uplink_event,
};

int vmnet_uplink_init(void)
{
	return register_netdevice_notifier(&vmnet_uplink_notifier);
}

void vmnet_uplink_exit(void)
{
	unregister_netdevice_notifier(&vmnet_uplink_notifier);
}
