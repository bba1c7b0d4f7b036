// SPDX-License-Identifier: GPL-2.0
/*
 * What every port kind shares: counters and the ingress token bucket.
 */
#include <linux/ktime.h>
#include <linux/percpu.h>

#include "port.h"

/* A new port may burst at least two full frames. */
#define VMNET_MIN_BURST		(2 * ETH_FRAME_LEN)

int vmnet_port_init(struct vmnet_port *port, const struct vmnet_port_ops *ops)
{
	INIT_LIST_HEAD(&port->node);
	port->ops = ops;
	spin_lock_init(&port->rate.lock);
	port->stats = netdev_alloc_pcpu_stats(struct vmnet_pcpu_stats);
	if (!port->stats)
		return -ENOMEM;
	return 0;
}

void vmnet_port_uninit(struct vmnet_port *port)
{
	free_percpu(port->stats);
	port->stats = NULL;
}

const char *vmnet_port_kind_name(const struct vmnet_port *port)
{
	switch (port->ops->kind) {
	case VMNET_PORT_VM:
		return "vm";
	case VMNET_PORT_HOSTIF:
		return "hostif";
	case VMNET_PORT_UPLINK:
		return "uplink";
	}
	return "?";
}

const char *vmnet_port_ifname(struct vmnet_port *port)
{
	return port->ops->ifname ? port->ops->ifname(port) : NULL;
}

void vmnet_port_set_rate(struct vmnet_port *port, u64 rate, u32 burst)
{
	spin_lock_bh(&port->rate.lock);
	port->rate.rate = rate;
	port->rate.burst = max_t(u32, burst, VMNET_MIN_BURST);
	port->rate.tokens = port->rate.burst;
	port->rate.last_ns = ktime_get_ns();
	spin_unlock_bh(&port->rate.lock);
}

/* Token bucket in bytes. Refills are computed from elapsed time, capped at
 * one second so that elapsed * rate fits in 64 bits (rate < 2^34). */
bool vmnet_port_rate_allow(struct vmnet_port *port, unsigned int len)
{
	struct vmnet_rate *r = &port->rate;
	u64 now, elapsed;
	bool ok;

	if (!READ_ONCE(r->rate))
		return true;
	now = ktime_get_ns();
	spin_lock_bh(&r->lock);
	elapsed = now - r->last_ns;
	r->last_ns = now;
	if (elapsed >= NSEC_PER_SEC)
		r->tokens = r->burst;
	else
		r->tokens = min_t(u64, r->burst,
				  r->tokens + div_u64(elapsed * r->rate,
						      NSEC_PER_SEC));
	ok = r->tokens >= len;
	if (ok)
		r->tokens -= len;
	spin_unlock_bh(&r->lock);
	return ok;
}

/* Each frame is one update section: its packet and its bytes together. */
static struct vmnet_pcpu_stats *vmnet_stats_begin(struct vmnet_port *port)
{
	struct vmnet_pcpu_stats *s = get_cpu_ptr(port->stats);

	u64_stats_update_begin(&s->syncp);
	return s;
}

static void vmnet_stats_end(struct vmnet_port *port, struct vmnet_pcpu_stats *s)
{
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(port->stats);
}

void vmnet_port_count_rx(struct vmnet_port *port, unsigned int len)
{
	struct vmnet_pcpu_stats *s = vmnet_stats_begin(port);

	s->rx_packets++;
	s->rx_bytes += len;
	vmnet_stats_end(port, s);
}

void vmnet_port_count_tx(struct vmnet_port *port, unsigned int len)
{
	struct vmnet_pcpu_stats *s = vmnet_stats_begin(port);

	s->tx_packets++;
	s->tx_bytes += len;
	vmnet_stats_end(port, s);
}

void vmnet_port_count_rx_drop(struct vmnet_port *port)
{
	struct vmnet_pcpu_stats *s = vmnet_stats_begin(port);

	s->rx_drops++;
	vmnet_stats_end(port, s);
}

void vmnet_port_count_tx_drop(struct vmnet_port *port)
{
	struct vmnet_pcpu_stats *s = vmnet_stats_begin(port);

	s->tx_drops++;
	vmnet_stats_end(port, s);
}

void vmnet_port_get_stats(struct vmnet_port *port, struct vmnet_port_stats *s)
{
	const struct vmnet_pcpu_stats *p;
	struct vmnet_port_stats v;
	unsigned int start;
	int cpu;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(port->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&p->syncp);
			v.rx_packets = p->rx_packets;
			v.rx_bytes = p->rx_bytes;
			v.tx_packets = p->tx_packets;
			v.tx_bytes = p->tx_bytes;
			v.rx_drops = p->rx_drops;
			v.tx_drops = p->tx_drops;
		} while (u64_stats_fetch_retry(&p->syncp, start));
		s->rx_packets += v.rx_packets;
		s->rx_bytes += v.rx_bytes;
		s->tx_packets += v.tx_packets;
		s->tx_bytes += v.tx_bytes;
		s->rx_drops += v.rx_drops;
		s->tx_drops += v.tx_drops;
	}
}
