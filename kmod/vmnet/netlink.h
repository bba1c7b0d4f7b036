/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "vmnet" generic netlink family (protocol: uapi/vmnet.h).
 */
#ifndef VMNET_NETLINK_H
#define VMNET_NETLINK_H

#include <uapi/vmnet.h>

struct vmnet_switch;
struct vmnet_port;

int vmnet_netlink_init(void);
void vmnet_netlink_exit(void);

/* Tell the "link" group about a port (RTNL held). */
void vmnet_netlink_notify(struct vmnet_switch *sw, struct vmnet_port *port,
			  enum vmnet_event event);

#endif /* VMNET_NETLINK_H */
