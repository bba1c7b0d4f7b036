/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Uplinks: a physical NIC bridged into a switch through its rx_handler.
 */
#ifndef VMNET_UPLINK_H
#define VMNET_UPLINK_H

#include <linux/netlink.h>

struct vmnet_switch;
struct vmnet_port;

int vmnet_uplink_init(void);
void vmnet_uplink_exit(void);
struct vmnet_port *vmnet_uplink_attach(struct vmnet_switch *sw,
				       const char *ifname,
				       struct netlink_ext_ack *extack);

#endif /* VMNET_UPLINK_H */
