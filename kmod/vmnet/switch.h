/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vmnet switch: its ports, its forwarding table and the data path that
 * moves frames between ports.
 *
 * Locking: the list of switches, each switch's port list (writers) and every
 * port setting change under RTNL. The data path reads ports and the
 * forwarding table under RCU.
 */
#ifndef VMNET_SWITCH_H
#define VMNET_SWITCH_H

#include <linux/netlink.h>
#include <linux/list.h>
#include <uapi/vmnet.h>

#include "fdb.h"
#include "port.h"

struct vmnet_switch_proc;

struct vmnet_switch {
	struct list_head node;		/* vmnet_switches */
	char name[VMNET_NAME_MAX];
	struct list_head ports;		/* RCU readers, RTNL writers */
	unsigned int nr_ports;
	u32 next_port_id;
	struct vmnet_fdb fdb;
	struct vmnet_switch_proc *proc;
	struct rcu_head rcu;
};

extern struct list_head vmnet_switches;

struct vmnet_switch *vmnet_switch_create(const char *name,
					 struct netlink_ext_ack *extack);
void vmnet_switch_destroy(struct vmnet_switch *sw);
void vmnet_switch_destroy_all(void);
struct vmnet_switch *vmnet_switch_find(const char *name);
unsigned int vmnet_switch_count(void);

int vmnet_switch_add_port(struct vmnet_switch *sw, struct vmnet_port *port,
			  struct netlink_ext_ack *extack);
void vmnet_switch_unlink_port(struct vmnet_port *port);
void vmnet_switch_del_port(struct vmnet_port *port);
struct vmnet_port *vmnet_switch_find_port(struct vmnet_switch *sw, u32 id);

/* Data path: a frame the port sends into its switch (skb->data at the
 * Ethernet header). Consumes the skb. Caller holds an RCU read lock. */
void vmnet_switch_input(struct vmnet_port *src, struct sk_buff *skb);

#endif /* VMNET_SWITCH_H */
