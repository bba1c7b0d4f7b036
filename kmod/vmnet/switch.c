// SPDX-License-Identifier: GPL-2.0
/*
 * Switch objects and the forwarding data path.
 */
#include <linux/if_vlan.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "netlink.h"
#include "procfs.h"
#include "switch.h"

LIST_HEAD(vmnet_switches);
static unsigned int vmnet_nr_switches;

static bool vmnet_switch_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= VMNET_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!isalnum(*name) && *name != '_' && *name != '-')
			return false;
	return true;
}

struct vmnet_switch *vmnet_switch_find(const char *name)
{
	struct vmnet_switch *sw;

	ASSERT_RTNL();
	list_for_each_entry(sw, &vmnet_switches, node)
		if (!strcmp(sw->name, name))
			return sw;
	return NULL;
}

unsigned int vmnet_switch_count(void)
{
	ASSERT_RTNL();
	return vmnet_nr_switches;
}

struct vmnet_switch *vmnet_switch_create(const char *name,
					 struct netlink_ext_ack *extack)
{
	struct vmnet_switch *sw;
	int ret;

	ASSERT_RTNL();
	if (!vmnet_switch_name_valid(name)) {
		NL_SET_ERR_MSG(extack, "switch names are 1-15 characters of A-Za-z0-9_-");
		return ERR_PTR(-EINVAL);
	}
	if (vmnet_switch_find(name)) {
		NL_SET_ERR_MSG(extack, "a switch of that name exists");
		return ERR_PTR(-EEXIST);
	}
	if (vmnet_nr_switches >= VMNET_MAX_SWITCHES) {
		NL_SET_ERR_MSG(extack, "too many switches");
		return ERR_PTR(-ENOSPC);
	}
	sw = kzalloc(sizeof(*sw), GFP_KERNEL);
	if (!sw)
		return ERR_PTR(-ENOMEM);
	strscpy(sw->name, name, sizeof(sw->name));
	INIT_LIST_HEAD(&sw->ports);
	vmnet_fdb_init(&sw->fdb);
	ret = vmnet_proc_switch_add(sw);
	if (ret)
		goto err_fdb;
	list_add_tail(&sw->node, &vmnet_switches);
	vmnet_nr_switches++;
	return sw;

err_fdb:
	vmnet_fdb_uninit(&sw->fdb);
	kfree(sw);
	return ERR_PTR(ret);
}

void vmnet_switch_destroy(struct vmnet_switch *sw)
{
	struct vmnet_port *port, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(port, tmp, &sw->ports, node)
		vmnet_switch_del_port(port);
	list_del(&sw->node);
	vmnet_nr_switches--;
	vmnet_proc_switch_del(sw);
	vmnet_fdb_uninit(&sw->fdb);
	kfree_rcu(sw, rcu);
}

void vmnet_switch_destroy_all(void)
{
	struct vmnet_switch *sw, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(sw, tmp, &vmnet_switches, node)
		vmnet_switch_destroy(sw);
}

struct vmnet_port *vmnet_switch_find_port(struct vmnet_switch *sw, u32 id)
{
	struct vmnet_port *port;

	ASSERT_RTNL();
	list_for_each_entry(port, &sw->ports, node)
		if (port->id == id)
			return port;
	return NULL;
}

int vmnet_switch_add_port(struct vmnet_switch *sw, struct vmnet_port *port,
			  struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (sw->nr_ports >= VMNET_MAX_PORTS) {
		NL_SET_ERR_MSG(extack, "the switch has no free port");
		return -ENOSPC;
	}
	port->id = ++sw->next_port_id;
	sw->nr_ports++;
	list_add_tail_rcu(&port->node, &sw->ports);
	rcu_assign_pointer(port->sw, sw);
	vmnet_netlink_notify(sw, port, VMNET_EVENT_ATTACH);
	return 0;
}

/* Take the port off its switch; the kind's own teardown is the caller's.
 * Readers may still see the port until a grace period has passed. */
void vmnet_switch_unlink_port(struct vmnet_port *port)
{
	struct vmnet_switch *sw = rtnl_dereference(port->sw);

	if (!sw)
		return;
	list_del_rcu(&port->node);
	sw->nr_ports--;
	/* Learning re-checks port->sw under the fdb lock, so no entry for
	 * this port can appear after the flush. */
	RCU_INIT_POINTER(port->sw, NULL);
	vmnet_fdb_flush_port(&sw->fdb, port);
	vmnet_netlink_notify(sw, port, VMNET_EVENT_DETACH);
}

void vmnet_switch_del_port(struct vmnet_port *port)
{
	ASSERT_RTNL();
	vmnet_switch_unlink_port(port);
	port->ops->detach(port);
}

/*
 * Data path.
 */

static bool vmnet_port_in_vlan(const struct vmnet_port *port, u16 vlan)
{
	u16 pvlan = READ_ONCE(port->vlan);

	return pvlan == VMNET_VLAN_TRUNK || pvlan == vlan;
}

static bool vmnet_port_sees_all(const struct vmnet_port *port)
{
	return (READ_ONCE(port->flags) & VMNET_PORT_PROMISC) &&
	       (READ_ONCE(port->policy) & VMNET_POLICY_PROMISC);
}

/* Classify the frame: its VLAN leaves the frame and travels beside it.
 * Access ports refuse tagged frames; trunks take their tag. */
static int vmnet_switch_ingress_vlan(struct vmnet_port *src,
				     struct sk_buff *skb, u16 *vlan)
{
	u16 pvlan = READ_ONCE(src->vlan), tci;

	if (!skb_vlan_tag_present(skb) &&
	    eth_hdr(skb)->h_proto == htons(ETH_P_8021Q)) {
		if (pvlan != VMNET_VLAN_TRUNK)
			return -EINVAL;
		if (__skb_vlan_pop(skb, &tci))
			return -EINVAL;
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), tci);
	}
	if (pvlan != VMNET_VLAN_TRUNK) {
		if (skb_vlan_tag_present(skb))
			return -EINVAL;
		*vlan = pvlan;
		return 0;
	}
	*vlan = skb_vlan_tag_present(skb) ? skb_vlan_tag_get_id(skb) : 0;
	if (*vlan == VMNET_VLAN_TRUNK)
		return -EINVAL;
	__vlan_hwaccel_clear_tag(skb);
	return 0;
}

static void vmnet_switch_deliver(struct vmnet_port *dst, struct sk_buff *skb,
				 u16 vlan)
{
	unsigned int len;

	if (vlan && vmnet_port_is_trunk(dst))
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), vlan);
	else
		__vlan_hwaccel_clear_tag(skb);
	len = skb->len;
	if (dst->ops->xmit(dst, skb))
		vmnet_port_count_tx(dst, len);
	else
		vmnet_port_count_tx_drop(dst);
}

static void vmnet_switch_forward(struct vmnet_switch *sw,
				 struct vmnet_port *src, struct vmnet_port *dst,
				 struct sk_buff *skb, u16 vlan)
{
	struct vmnet_port *p, *prev = NULL;
	struct sk_buff *clone;

	list_for_each_entry_rcu(p, &sw->ports, node) {
		if (p == src || !vmnet_port_in_vlan(p, vlan))
			continue;
		if (dst && p != dst && !vmnet_port_sees_all(p))
			continue;
		if (prev) {
			clone = skb_clone(skb, GFP_ATOMIC);
			if (clone)
				vmnet_switch_deliver(prev, clone, vlan);
			else
				vmnet_port_count_tx_drop(prev);
		}
		prev = p;
	}
	if (prev)
		vmnet_switch_deliver(prev, skb, vlan);
	else
		consume_skb(skb);
}

void vmnet_switch_input(struct vmnet_port *src, struct sk_buff *skb)
{
	struct vmnet_switch *sw = rcu_dereference_check(src->sw,
							rcu_read_lock_bh_held());
	struct vmnet_port *dst = NULL;
	const struct ethhdr *eth;
	unsigned int len = skb->len;
	u16 vlan;

	if (!sw || !pskb_may_pull(skb, ETH_HLEN))
		goto drop;
	skb_reset_mac_header(skb);
	skb_reset_mac_len(skb);
	if (!vmnet_port_rate_allow(src, len))
		goto drop;
	if (vmnet_switch_ingress_vlan(src, skb, &vlan))
		goto drop;
	eth = eth_hdr(skb);
	if (!is_valid_ether_addr(eth->h_source))
		goto drop;
	if (!(READ_ONCE(src->policy) & VMNET_POLICY_FORGED) &&
	    !ether_addr_equal(eth->h_source, src->mac))
		goto drop;
	vmnet_port_count_rx(src, len);
	vmnet_fdb_learn(&sw->fdb, eth->h_source, vlan, src);
	if (is_unicast_ether_addr(eth->h_dest))
		dst = vmnet_fdb_lookup(&sw->fdb, eth->h_dest, vlan);
	vmnet_switch_forward(sw, src, dst, skb, vlan);
	return;

drop:
	vmnet_port_count_rx_drop(src);
	kfree_skb(skb);
}
