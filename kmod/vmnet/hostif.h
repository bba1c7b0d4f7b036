/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host virtual adapters: a netdev on the host wired to a switch port, like
 * VMware's vmnet1.
 */
#ifndef VMNET_HOSTIF_H
#define VMNET_HOSTIF_H

#include <linux/netlink.h>

struct vmnet_switch;
struct vmnet_port;

struct vmnet_port *vmnet_hostif_create(struct vmnet_switch *sw,
				       const char *ifname,
				       struct netlink_ext_ack *extack);
bool vmnet_netdev_is_hostif(const struct net_device *dev);

#endif /* VMNET_HOSTIF_H */
