// SPDX-License-Identifier: GPL-2.0
/*
 * Host virtual adapters. What the host stack transmits on the netdev enters
 * the switch; what the switch delivers to the port is received by the host
 * stack. The port lives in the netdev's private area and is freed with it;
 * the netdev's own rtnl_link_ops are absent, so only vmnet removes it.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "hostif.h"
#include "switch.h"

struct vmnet_hostif {
	struct vmnet_port port;
	struct net_device *dev;
};

static const struct net_device_ops vmnet_hostif_netdev_ops;

static struct vmnet_hostif *vmnet_to_hostif(struct vmnet_port *port)
{
	return container_of(port, struct vmnet_hostif, port);
}

bool vmnet_netdev_is_hostif(const struct net_device *dev)
{
	return dev->netdev_ops == &vmnet_hostif_netdev_ops;
}

/* Host stack -> switch. The core holds rcu_read_lock_bh. */
static netdev_tx_t vmnet_hostif_start_xmit(struct sk_buff *skb,
					   struct net_device *dev)
{
	struct vmnet_hostif *hi = netdev_priv(dev);

	vmnet_switch_input(&hi->port, skb);
	return NETDEV_TX_OK;
}

/* tcpdump on the adapter sees the whole VLAN, as far as policy allows. */
static void vmnet_hostif_change_rx_flags(struct net_device *dev, int change)
{
	struct vmnet_hostif *hi = netdev_priv(dev);

	if (change & IFF_PROMISC)
		WRITE_ONCE(hi->port.flags, dev->flags & IFF_PROMISC ?
			   VMNET_PORT_PROMISC : 0);
}

static void vmnet_hostif_get_stats64(struct net_device *dev,
				     struct rtnl_link_stats64 *stats)
{
	struct vmnet_hostif *hi = netdev_priv(dev);
	struct vmnet_port_stats st;

	vmnet_port_get_stats(&hi->port, &st);
	stats->tx_packets = st.rx_packets;
	stats->tx_bytes = st.rx_bytes;
	stats->tx_dropped = st.rx_drops;
	stats->rx_packets = st.tx_packets;
	stats->rx_bytes = st.tx_bytes;
	stats->rx_dropped = st.tx_drops;
}

static const struct net_device_ops vmnet_hostif_netdev_ops = {
	.ndo_start_xmit = vmnet_hostif_start_xmit,
	.ndo_change_rx_flags = vmnet_hostif_change_rx_flags,
	.ndo_get_stats64 = vmnet_hostif_get_stats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/* Switch -> host stack. */
static bool vmnet_hostif_xmit(struct vmnet_port *port, struct sk_buff *skb)
{
	struct net_device *dev = vmnet_to_hostif(port)->dev;

	if (unlikely(!(READ_ONCE(dev->flags) & IFF_UP))) {
		kfree_skb(skb);
		return false;
	}
	skb_scrub_packet(skb, false);
	skb_orphan(skb);
	skb->protocol = eth_type_trans(skb, dev);
	skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	return netif_rx(skb) == NET_RX_SUCCESS;
}

static void vmnet_hostif_detach(struct vmnet_port *port)
{
	ASSERT_RTNL();
	/* Frees the port with the netdev, after a grace period. */
	unregister_netdevice(vmnet_to_hostif(port)->dev);
}

static const char *vmnet_hostif_ifname(struct vmnet_port *port)
{
	return vmnet_to_hostif(port)->dev->name;
}

static const struct vmnet_port_ops vmnet_hostif_ops = {
	.kind = VMNET_PORT_HOSTIF,
	.xmit = vmnet_hostif_xmit,
	.detach = vmnet_hostif_detach,
	.ifname = vmnet_hostif_ifname,
};

static void vmnet_hostif_destructor(struct net_device *dev)
{
	struct vmnet_hostif *hi = netdev_priv(dev);

	vmnet_port_uninit(&hi->port);
}

static void vmnet_hostif_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &vmnet_hostif_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = vmnet_hostif_destructor;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_DATA_LEN;
	eth_hw_addr_random(dev);
}

struct vmnet_port *vmnet_hostif_create(struct vmnet_switch *sw,
				       const char *ifname,
				       struct netlink_ext_ack *extack)
{
	struct vmnet_hostif *hi;
	struct net_device *dev;
	int ret;

	ASSERT_RTNL();
	dev = alloc_netdev(sizeof(*hi), ifname ?: "vmnet%d",
			   ifname ? NET_NAME_USER : NET_NAME_ENUM,
			   vmnet_hostif_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	hi = netdev_priv(dev);
	hi->dev = dev;
	ret = vmnet_port_init(&hi->port, &vmnet_hostif_ops);
	if (ret)
		goto err_netdev;
	hi->port.policy = VMNET_POLICY_FORGED | VMNET_POLICY_PROMISC;
	vmnet_port_set_rate(&hi->port, 0, 0);
	ether_addr_copy(hi->port.mac, dev->dev_addr);

	ret = register_netdevice(dev);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot register the adapter's netdev (bad or taken name?)");
		goto err_port;
	}
	ret = vmnet_switch_add_port(sw, &hi->port, extack);
	if (ret) {
		unregister_netdevice(dev);	/* frees it, port included */
		return ERR_PTR(ret);
	}
	netif_carrier_on(dev);
	return &hi->port;

err_port:
	vmnet_port_uninit(&hi->port);
err_netdev:
	free_netdev(dev);
	return ERR_PTR(ret);
}
