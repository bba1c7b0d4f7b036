// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmnet" generic netlink family. Every handler runs under RTNL, which
 * guards switches and ports; dumps walk the switch list by position.
 */
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "hostif.h"
#include "netlink.h"
#include "switch.h"
#include "uplink.h"

static struct genl_family vmnet_genl_family;
static bool vmnet_genl_live;	/* RTNL */

static struct netlink_range_validation vmnet_rate_range = {
	.max = 1ULL << 34,	/* 16 GiB/s; keeps the token math in 64 bits */
};

static struct netlink_range_validation vmnet_burst_range = {
	.max = 1U << 30,
};

static const struct nla_policy vmnet_policy[VMNET_ATTR_MAX + 1] = {
	[VMNET_ATTR_SWITCH_NAME] = { .type = NLA_NUL_STRING,
				     .len = VMNET_NAME_MAX - 1 },
	[VMNET_ATTR_PORT_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[VMNET_ATTR_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VMNET_ATTR_VLAN]	= NLA_POLICY_MAX(NLA_U16, VMNET_VLAN_TRUNK),
	[VMNET_ATTR_POLICY]	= NLA_POLICY_MASK(NLA_U32, VMNET_POLICY_ALL),
	[VMNET_ATTR_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U64,
							&vmnet_rate_range),
	[VMNET_ATTR_BURST]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&vmnet_burst_range),
	/* Everything else is output only and, unspecified, rejected. */
};

static struct vmnet_switch *vmnet_nl_switch(struct genl_info *info)
{
	struct vmnet_switch *sw;

	if (GENL_REQ_ATTR_CHECK(info, VMNET_ATTR_SWITCH_NAME))
		return ERR_PTR(-EINVAL);
	sw = vmnet_switch_find(nla_data(info->attrs[VMNET_ATTR_SWITCH_NAME]));
	if (!sw) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[VMNET_ATTR_SWITCH_NAME],
				    "no such switch");
		return ERR_PTR(-ENOENT);
	}
	return sw;
}

static int vmnet_nl_put_port(struct sk_buff *skb, struct vmnet_switch *sw,
			     struct vmnet_port *port)
{
	const char *ifname = vmnet_port_ifname(port);

	if (nla_put_string(skb, VMNET_ATTR_SWITCH_NAME, sw->name) ||
	    nla_put_u32(skb, VMNET_ATTR_PORT_ID, port->id) ||
	    nla_put_u32(skb, VMNET_ATTR_PORT_KIND, port->ops->kind) ||
	    (ifname && nla_put_string(skb, VMNET_ATTR_IFNAME, ifname)))
		return -EMSGSIZE;
	return 0;
}

static int vmnet_nl_put_stats(struct sk_buff *skb, struct vmnet_port *port)
{
	struct vmnet_port_stats st;
	struct nlattr *nest;

	vmnet_port_get_stats(port, &st);
	nest = nla_nest_start(skb, VMNET_ATTR_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, VMNET_STAT_RX_PACKETS, st.rx_packets,
			      VMNET_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMNET_STAT_RX_BYTES, st.rx_bytes,
			      VMNET_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMNET_STAT_TX_PACKETS, st.tx_packets,
			      VMNET_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMNET_STAT_TX_BYTES, st.tx_bytes,
			      VMNET_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMNET_STAT_RX_DROPS, st.rx_drops,
			      VMNET_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMNET_STAT_TX_DROPS, st.tx_drops,
			      VMNET_STAT_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int vmnet_nl_reply_port(struct genl_info *info, struct vmnet_switch *sw,
			       struct vmnet_port *port)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vmnet_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || vmnet_nl_put_port(msg, sw, port)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

void vmnet_netlink_notify(struct vmnet_switch *sw, struct vmnet_port *port,
			  enum vmnet_event event)
{
	struct sk_buff *msg;
	void *hdr;

	ASSERT_RTNL();
	if (!vmnet_genl_live)
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &vmnet_genl_family, 0,
			  VMNET_CMD_LINK_EVENT);
	if (!hdr || vmnet_nl_put_port(msg, sw, port) ||
	    nla_put_u32(msg, VMNET_ATTR_EVENT, event)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&vmnet_genl_family, msg, 0, 0, GFP_KERNEL);
}

static int vmnet_nl_new_switch(struct sk_buff *skb, struct genl_info *info)
{
	struct vmnet_switch *sw;

	if (GENL_REQ_ATTR_CHECK(info, VMNET_ATTR_SWITCH_NAME))
		return -EINVAL;
	sw = vmnet_switch_create(nla_data(info->attrs[VMNET_ATTR_SWITCH_NAME]),
				 info->extack);
	return PTR_ERR_OR_ZERO(sw);
}

static int vmnet_nl_del_switch(struct sk_buff *skb, struct genl_info *info)
{
	struct vmnet_switch *sw = vmnet_nl_switch(info);

	if (IS_ERR(sw))
		return PTR_ERR(sw);
	vmnet_switch_destroy(sw);
	return 0;
}

static int vmnet_nl_new_hostif(struct sk_buff *skb, struct genl_info *info)
{
	struct vmnet_switch *sw = vmnet_nl_switch(info);
	struct nlattr *name = info->attrs[VMNET_ATTR_IFNAME];
	struct vmnet_port *port;

	if (IS_ERR(sw))
		return PTR_ERR(sw);
	port = vmnet_hostif_create(sw, name ? nla_data(name) : NULL,
				   info->extack);
	if (IS_ERR(port))
		return PTR_ERR(port);
	/* The adapter exists even if the reply cannot be sent. */
	vmnet_nl_reply_port(info, sw, port);
	return 0;
}

static int vmnet_nl_new_uplink(struct sk_buff *skb, struct genl_info *info)
{
	struct vmnet_switch *sw = vmnet_nl_switch(info);
	struct vmnet_port *port;

	if (IS_ERR(sw))
		return PTR_ERR(sw);
	if (GENL_REQ_ATTR_CHECK(info, VMNET_ATTR_IFNAME))
		return -EINVAL;
	port = vmnet_uplink_attach(sw, nla_data(info->attrs[VMNET_ATTR_IFNAME]),
				   info->extack);
	if (IS_ERR(port))
		return PTR_ERR(port);
	vmnet_nl_reply_port(info, sw, port);
	return 0;
}

/* The port named by PORT_ID, or by IFNAME when there is no PORT_ID. */
static struct vmnet_port *vmnet_nl_port(struct vmnet_switch *sw,
					struct genl_info *info, bool by_name)
{
	struct nlattr *id = info->attrs[VMNET_ATTR_PORT_ID];
	struct nlattr *name = info->attrs[VMNET_ATTR_IFNAME];
	struct vmnet_port *port;
	const char *ifname;

	if (id) {
		port = vmnet_switch_find_port(sw, nla_get_u32(id));
		if (port)
			return port;
	} else if (by_name && name) {
		list_for_each_entry(port, &sw->ports, node) {
			ifname = vmnet_port_ifname(port);
			if (ifname && !strcmp(ifname, nla_data(name)))
				return port;
		}
	} else {
		GENL_REQ_ATTR_CHECK(info, VMNET_ATTR_PORT_ID);
		return ERR_PTR(-EINVAL);
	}
	NL_SET_ERR_MSG_ATTR(info->extack, id ?: name, "no such port");
	return ERR_PTR(-ENOENT);
}

static int vmnet_nl_del_port(struct sk_buff *skb, struct genl_info *info)
{
	struct vmnet_switch *sw = vmnet_nl_switch(info);
	struct vmnet_port *port;

	if (IS_ERR(sw))
		return PTR_ERR(sw);
	port = vmnet_nl_port(sw, info, true);
	if (IS_ERR(port))
		return PTR_ERR(port);
	if (port->ops->kind == VMNET_PORT_VM) {
		NL_SET_ERR_MSG(info->extack,
			       "a VM port leaves when its file is closed");
		return -EBUSY;
	}
	vmnet_switch_del_port(port);
	return 0;
}

static int vmnet_nl_set_port(struct sk_buff *skb, struct genl_info *info)
{
	struct vmnet_switch *sw = vmnet_nl_switch(info);
	struct nlattr **a = info->attrs;
	struct vmnet_port *port;
	u32 policy;

	if (IS_ERR(sw))
		return PTR_ERR(sw);
	port = vmnet_nl_port(sw, info, true);
	if (IS_ERR(port))
		return PTR_ERR(port);
	if (a[VMNET_ATTR_VLAN])
		WRITE_ONCE(port->vlan, nla_get_u16(a[VMNET_ATTR_VLAN]));
	if (a[VMNET_ATTR_POLICY]) {
		policy = nla_get_u32(a[VMNET_ATTR_POLICY]);
		/* Uplinks and host adapters carry many MACs by nature. */
		if (port->ops->kind != VMNET_PORT_VM)
			policy |= VMNET_POLICY_FORGED;
		WRITE_ONCE(port->policy, policy);
	}
	if (a[VMNET_ATTR_RATE] || a[VMNET_ATTR_BURST])
		vmnet_port_set_rate(port,
				    a[VMNET_ATTR_RATE] ?
				    nla_get_u64(a[VMNET_ATTR_RATE]) :
				    port->rate.rate,
				    a[VMNET_ATTR_BURST] ?
				    nla_get_u32(a[VMNET_ATTR_BURST]) :
				    port->rate.burst);
	return 0;
}

static int vmnet_nl_fill_switch(struct sk_buff *skb,
				struct netlink_callback *cb,
				struct vmnet_switch *sw)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vmnet_genl_family, NLM_F_MULTI,
			  VMNET_CMD_GET_SWITCH);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, VMNET_ATTR_SWITCH_NAME, sw->name) ||
	    nla_put_u32(skb, VMNET_ATTR_PORT_COUNT, sw->nr_ports) ||
	    nla_put_u32(skb, VMNET_ATTR_FDB_COUNT, vmnet_fdb_count(&sw->fdb))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* cb->args[0]: switches already sent. */
static int vmnet_nl_dump_switches(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct vmnet_switch *sw;
	long i = 0;

	rtnl_lock();
	list_for_each_entry(sw, &vmnet_switches, node) {
		if (i++ < cb->args[0])
			continue;
		if (vmnet_nl_fill_switch(skb, cb, sw)) {
			i--;
			break;
		}
	}
	rtnl_unlock();
	cb->args[0] = i;
	return skb->len;
}

static int vmnet_nl_fill_port(struct sk_buff *skb, struct netlink_callback *cb,
			      struct vmnet_switch *sw, struct vmnet_port *port)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vmnet_genl_family, NLM_F_MULTI, VMNET_CMD_GET_PORT);
	if (!hdr)
		return -EMSGSIZE;
	if (vmnet_nl_put_port(skb, sw, port) ||
	    nla_put(skb, VMNET_ATTR_MAC, ETH_ALEN, port->mac) ||
	    nla_put_u16(skb, VMNET_ATTR_VLAN, port->vlan) ||
	    nla_put_u32(skb, VMNET_ATTR_POLICY, port->policy) ||
	    nla_put_u64_64bit(skb, VMNET_ATTR_RATE, port->rate.rate,
			      VMNET_ATTR_PAD) ||
	    nla_put_u32(skb, VMNET_ATTR_BURST, port->rate.burst) ||
	    nla_put_u32(skb, VMNET_ATTR_FLAGS, port->flags) ||
	    vmnet_nl_put_stats(skb, port)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* cb->args[0]: switch position, cb->args[1]: ports of it already sent. */
static int vmnet_nl_dump_ports(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vmnet_switch *sw;
	struct vmnet_port *port;
	long s = 0, p;

	rtnl_lock();
	list_for_each_entry(sw, &vmnet_switches, node) {
		if (s++ < cb->args[0])
			continue;
		p = 0;
		list_for_each_entry(port, &sw->ports, node) {
			if (p++ < cb->args[1])
				continue;
			if (vmnet_nl_fill_port(skb, cb, sw, port)) {
				cb->args[1] = p - 1;
				cb->args[0] = s - 1;
				goto out;
			}
		}
		cb->args[1] = 0;
		cb->args[0] = s;
	}
out:
	rtnl_unlock();
	return skb->len;
}

typedef int (*vmnet_nl_handler_t)(struct sk_buff *skb, struct genl_info *info);

static const vmnet_nl_handler_t vmnet_nl_handlers[VMNET_CMD_MAX + 1] = {
	[VMNET_CMD_NEW_SWITCH]	= vmnet_nl_new_switch,
	[VMNET_CMD_DEL_SWITCH]	= vmnet_nl_del_switch,
	[VMNET_CMD_NEW_HOSTIF]	= vmnet_nl_new_hostif,
	[VMNET_CMD_NEW_UPLINK]	= vmnet_nl_new_uplink,
	[VMNET_CMD_DEL_PORT]	= vmnet_nl_del_port,
	[VMNET_CMD_SET_PORT]	= vmnet_nl_set_port,
};

/* Every command runs under RTNL: netdev work needs it, and it guards
 * switches and ports. */
static int vmnet_nl_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	rtnl_lock();
	ret = vmnet_nl_handlers[info->genlhdr->cmd](skb, info);
	rtnl_unlock();
	return ret;
}

#define VMNET_DOIT(c) { .cmd = (c), .doit = vmnet_nl_doit, .flags = GENL_ADMIN_PERM }

static const struct genl_ops vmnet_genl_ops[] = {
	VMNET_DOIT(VMNET_CMD_NEW_SWITCH),
	VMNET_DOIT(VMNET_CMD_DEL_SWITCH),
	VMNET_DOIT(VMNET_CMD_NEW_HOSTIF),
	VMNET_DOIT(VMNET_CMD_NEW_UPLINK),
	VMNET_DOIT(VMNET_CMD_DEL_PORT),
	VMNET_DOIT(VMNET_CMD_SET_PORT),
	{ .cmd = VMNET_CMD_GET_SWITCH, .dumpit = vmnet_nl_dump_switches },
	{ .cmd = VMNET_CMD_GET_PORT, .dumpit = vmnet_nl_dump_ports },
};

static const struct genl_multicast_group vmnet_genl_mcgrps[] = {
	{ .name = VMNET_MCGRP_LINK },
};

static struct genl_family vmnet_genl_family __ro_after_init = {
	.name = VMNET_GENL_NAME,
	.version = VMNET_GENL_VERSION,
	.maxattr = VMNET_ATTR_MAX,
	.policy = vmnet_policy,
	.ops = vmnet_genl_ops,
	.n_ops = ARRAY_SIZE(vmnet_genl_ops),
	.mcgrps = vmnet_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vmnet_genl_mcgrps),
	.module = THIS_MODULE,
	/* .resv_start_op left 0: strict validation for every command */
};

int vmnet_netlink_init(void)
{
	int ret = genl_register_family(&vmnet_genl_family);

	if (ret)
		return ret;
	rtnl_lock();
	vmnet_genl_live = true;
	rtnl_unlock();
	return 0;
}

void vmnet_netlink_exit(void)
{
	rtnl_lock();
	vmnet_genl_live = false;
	rtnl_unlock();
	genl_unregister_family(&vmnet_genl_family);
}
