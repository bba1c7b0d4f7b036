// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmware/net/<switch>/: status (name and sizes), ports (one line per
 * port: kind, name, MAC, VLAN, policy, rate and counters) and fdb (the
 * learned addresses). Readers walk RCU lists and never take RTNL, so
 * vmproc_put() may be called with RTNL held.
 */
#include <linux/slab.h>
#include <vmproc.h>

#include "procfs.h"
#include "switch.h"

enum { VNP_DIR, VNP_STATUS, VNP_PORTS, VNP_FDB, VNP_NR };

struct vmnet_switch_proc {
	struct vmproc_node *n[VNP_NR];
};

static struct vmproc_node *vmnet_proc_net, *vmnet_proc_config, *vmnet_proc_age;

static int vmnet_show_status(struct seq_file *m, void *data)
{
	struct vmnet_switch *sw = data;

	seq_printf(m, "name %s\nports %u\nfdb %u\n", sw->name,
		   READ_ONCE(sw->nr_ports), vmnet_fdb_count(&sw->fdb));
	return 0;
}

static void vmnet_show_vlan(struct seq_file *m, u16 vlan)
{
	if (vlan == VMNET_VLAN_TRUNK)
		seq_printf(m, " %-5s", "trunk");
	else
		seq_printf(m, " %-5u", vlan);
}

static int vmnet_show_ports(struct seq_file *m, void *data)
{
	struct vmnet_switch *sw = data;
	struct vmnet_port_stats st;
	struct vmnet_port *port;
	const char *ifname;
	u32 policy;

	seq_puts(m, "id   kind   ifname           mac               vlan  forged promisc rate_Bps burst rx_pkts rx_bytes tx_pkts tx_bytes rx_drops tx_drops\n");
	rcu_read_lock();
	list_for_each_entry_rcu(port, &sw->ports, node) {
		ifname = vmnet_port_ifname(port);
		policy = READ_ONCE(port->policy);
		vmnet_port_get_stats(port, &st);
		seq_printf(m, "%-4u %-6s %-16s %pM", port->id,
			   vmnet_port_kind_name(port), ifname ?: "-", port->mac);
		vmnet_show_vlan(m, READ_ONCE(port->vlan));
		seq_printf(m, " %-6s %-7s %llu %u %llu %llu %llu %llu %llu %llu\n",
			   policy & VMNET_POLICY_FORGED ? "yes" : "no",
			   policy & VMNET_POLICY_PROMISC ?
			   (READ_ONCE(port->flags) & VMNET_PORT_PROMISC ?
			    "on" : "yes") : "no",
			   READ_ONCE(port->rate.rate), READ_ONCE(port->rate.burst),
			   st.rx_packets, st.rx_bytes, st.tx_packets,
			   st.tx_bytes, st.rx_drops, st.tx_drops);
	}
	rcu_read_unlock();
	return 0;
}

static int vmnet_show_fdb(struct seq_file *m, void *data)
{
	struct vmnet_switch *sw = data;

	vmnet_fdb_show(&sw->fdb, m);
	return 0;
}

static const struct vmproc_ops vmnet_status_ops = { .show = vmnet_show_status };
static const struct vmproc_ops vmnet_ports_ops = { .show = vmnet_show_ports };
static const struct vmproc_ops vmnet_fdb_ops = { .show = vmnet_show_fdb };

static void vmnet_proc_put_all(struct vmnet_switch_proc *p)
{
	int i;

	for (i = VNP_NR - 1; i >= 0; i--)
		vmproc_put(p->n[i]);
}

int vmnet_proc_switch_add(struct vmnet_switch *sw)
{
	struct vmnet_switch_proc *p;
	int i, ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->n[VNP_DIR] = vmproc_dir(vmnet_proc_net, sw->name);
	ret = PTR_ERR_OR_ZERO(p->n[VNP_DIR]);
	if (ret)
		goto err_nodes;
	p->n[VNP_STATUS] = vmproc_file(p->n[VNP_DIR], "status",
				       &vmnet_status_ops, sw);
	p->n[VNP_PORTS] = vmproc_file(p->n[VNP_DIR], "ports",
				      &vmnet_ports_ops, sw);
	p->n[VNP_FDB] = vmproc_file(p->n[VNP_DIR], "fdb", &vmnet_fdb_ops, sw);
	for (i = VNP_STATUS; i < VNP_NR && !ret; i++)
		ret = PTR_ERR_OR_ZERO(p->n[i]);
	if (ret)
		goto err_nodes;
	sw->proc = p;
	return 0;

err_nodes:
	pr_warn("cannot create /proc/vmware/net/%s: %d\n", sw->name, ret);
	vmnet_proc_put_all(p);
	kfree(p);
	return ret;
}

void vmnet_proc_switch_del(struct vmnet_switch *sw)
{
	vmnet_proc_put_all(sw->proc);
	kfree(sw->proc);
	sw->proc = NULL;
}

int vmnet_proc_init(void)
{
	int ret;

	vmnet_proc_net = vmproc_dir(NULL, "net");
	if (IS_ERR(vmnet_proc_net))
		return PTR_ERR(vmnet_proc_net);
	vmnet_proc_config = vmproc_dir_path("config/Net");
	if (IS_ERR(vmnet_proc_config)) {
		ret = PTR_ERR(vmnet_proc_config);
		goto err_net;
	}
	vmnet_proc_age = vmproc_tunable_u32(vmnet_proc_config, "MacAgeSecs",
					    &vmnet_mac_age_secs, 1, 1000000);
	if (IS_ERR(vmnet_proc_age)) {
		ret = PTR_ERR(vmnet_proc_age);
		goto err_config;
	}
	return 0;

err_config:
	vmproc_put(vmnet_proc_config);
err_net:
	vmproc_put(vmnet_proc_net);
	return ret;
}

void vmnet_proc_exit(void)
{
	vmproc_put(vmnet_proc_age);
	vmproc_put(vmnet_proc_config);
	vmproc_put(vmnet_proc_net);
}
