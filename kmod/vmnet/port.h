/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A port of a vmnet switch: what every kind shares (settings, counters,
 * rate limiter) and the ops each kind implements.
 */
#ifndef VMNET_PORT_H
#define VMNET_PORT_H

#include <linux/etherdevice.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <uapi/vmnet.h>

struct vmnet_switch;
struct vmnet_port;
struct sk_buff;

struct vmnet_port_ops {
	enum vmnet_port_kind kind;
	/* Deliver one frame (skb->data at the Ethernet header, VLAN tag, if
	 * any, in the skb's hwaccel fields); consumes the skb. Runs under RCU,
	 * any context. Returns false if the frame was dropped. */
	bool (*xmit)(struct vmnet_port *port, struct sk_buff *skb);
	/* The switch let go of the port (RTNL held, already unlinked):
	 * release what the kind holds and free the port once RCU readers are
	 * done (or leave that to the owner, as VM ports do). */
	void (*detach)(struct vmnet_port *port);
	/* Optional: the host-visible name (netdev) for listings. */
	const char *(*ifname)(struct vmnet_port *port);
};

struct vmnet_pcpu_stats {
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes, rx_drops, tx_drops;
	struct u64_stats_sync syncp;
};

struct vmnet_port_stats {
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes, rx_drops, tx_drops;
};

struct vmnet_rate {
	spinlock_t lock;
	u64 rate;		/* bytes per second, 0 = unlimited */
	u32 burst;		/* bytes */
	u64 tokens;		/* bytes */
	u64 last_ns;
};

struct vmnet_port {
	struct list_head node;			/* sw->ports, RCU */
	struct vmnet_switch __rcu *sw;		/* NULL when detached */
	const struct vmnet_port_ops *ops;
	u32 id;
	u8 mac[ETH_ALEN];			/* VM ports: the vNIC's */
	u16 vlan;				/* 0..4094 access, 4095 trunk */
	u32 policy;				/* VMNET_POLICY_* */
	u32 flags;				/* VMNET_PORT_* */
	struct vmnet_rate rate;
	struct vmnet_pcpu_stats __percpu *stats;
};

int vmnet_port_init(struct vmnet_port *port, const struct vmnet_port_ops *ops);
void vmnet_port_uninit(struct vmnet_port *port);

const char *vmnet_port_kind_name(const struct vmnet_port *port);
const char *vmnet_port_ifname(struct vmnet_port *port);

bool vmnet_port_rate_allow(struct vmnet_port *port, unsigned int len);
void vmnet_port_set_rate(struct vmnet_port *port, u64 rate, u32 burst);

void vmnet_port_count_rx(struct vmnet_port *port, unsigned int len);
void vmnet_port_count_tx(struct vmnet_port *port, unsigned int len);
void vmnet_port_count_rx_drop(struct vmnet_port *port);
void vmnet_port_count_tx_drop(struct vmnet_port *port);
void vmnet_port_get_stats(struct vmnet_port *port, struct vmnet_port_stats *s);

static inline bool vmnet_port_is_trunk(const struct vmnet_port *port)
{
	return READ_ONCE(port->vlan) == VMNET_VLAN_TRUNK;
}

#endif /* VMNET_PORT_H */
