// SPDX-License-Identifier: GPL-2.0
/*
 * Learning and ageing, after net/bridge/br_fdb.c in miniature. Lookups run
 * under RCU on the data path; learning takes the table's spinlock only to
 * add an entry. An entry's port pointer stays valid for RCU readers because
 * a port's entries are flushed before the port is freed after a grace
 * period.
 */
#include <linux/etherdevice.h>
#include <linux/jhash.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "fdb.h"
#include "port.h"

#define VMNET_FDB_SCAN		HZ

u32 vmnet_mac_age_secs = 300;

struct vmnet_fdb_entry {
	struct hlist_node hnode;
	struct rcu_head rcu;
	struct vmnet_port *port;
	unsigned long updated;		/* jiffies */
	u8 mac[ETH_ALEN];
	u16 vlan;
};

static struct kmem_cache *vmnet_fdb_cache;
static u32 vmnet_fdb_salt __read_mostly;

int vmnet_fdb_module_init(void)
{
	vmnet_fdb_cache = KMEM_CACHE(vmnet_fdb_entry, 0);
	if (!vmnet_fdb_cache)
		return -ENOMEM;
	get_random_bytes(&vmnet_fdb_salt, sizeof(vmnet_fdb_salt));
	return 0;
}

void vmnet_fdb_module_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(vmnet_fdb_cache);
}

static struct hlist_head *vmnet_fdb_bucket(struct vmnet_fdb *fdb,
					   const u8 *mac, u16 vlan)
{
	return &fdb->buckets[jhash(mac, ETH_ALEN, vmnet_fdb_salt ^ vlan) >>
			     (32 - VMNET_FDB_BITS)];
}

static struct vmnet_fdb_entry *vmnet_fdb_find(struct vmnet_fdb *fdb,
					      const u8 *mac, u16 vlan)
{
	struct vmnet_fdb_entry *e;

	hlist_for_each_entry_rcu(e, vmnet_fdb_bucket(fdb, mac, vlan), hnode,
				 lockdep_is_held(&fdb->lock))
		if (e->vlan == vlan && ether_addr_equal(e->mac, mac))
			return e;
	return NULL;
}

static void vmnet_fdb_delete(struct vmnet_fdb *fdb, struct vmnet_fdb_entry *e)
{
	lockdep_assert_held(&fdb->lock);
	hlist_del_rcu(&e->hnode);
	fdb->count--;
	kfree_rcu(e, rcu);
}

static unsigned long vmnet_fdb_age(void)
{
	return (unsigned long)READ_ONCE(vmnet_mac_age_secs) * HZ;
}

static void vmnet_fdb_ageing(struct work_struct *work)
{
	struct vmnet_fdb *fdb = container_of(to_delayed_work(work),
					     struct vmnet_fdb, ageing);
	unsigned long age = vmnet_fdb_age();
	struct vmnet_fdb_entry *e;
	struct hlist_node *tmp;
	int i;

	spin_lock_bh(&fdb->lock);
	for (i = 0; i < ARRAY_SIZE(fdb->buckets); i++)
		hlist_for_each_entry_safe(e, tmp, &fdb->buckets[i], hnode)
			if (time_after_eq(jiffies, READ_ONCE(e->updated) + age))
				vmnet_fdb_delete(fdb, e);
	spin_unlock_bh(&fdb->lock);
	queue_delayed_work(system_power_efficient_wq, &fdb->ageing,
			   VMNET_FDB_SCAN);
}

void vmnet_fdb_init(struct vmnet_fdb *fdb)
{
	int i;

	spin_lock_init(&fdb->lock);
	for (i = 0; i < ARRAY_SIZE(fdb->buckets); i++)
		INIT_HLIST_HEAD(&fdb->buckets[i]);
	fdb->count = 0;
	INIT_DELAYED_WORK(&fdb->ageing, vmnet_fdb_ageing);
	queue_delayed_work(system_power_efficient_wq, &fdb->ageing,
			   VMNET_FDB_SCAN);
}

void vmnet_fdb_uninit(struct vmnet_fdb *fdb)
{
	struct vmnet_fdb_entry *e;
	struct hlist_node *tmp;
	int i;

	cancel_delayed_work_sync(&fdb->ageing);
	spin_lock_bh(&fdb->lock);
	for (i = 0; i < ARRAY_SIZE(fdb->buckets); i++)
		hlist_for_each_entry_safe(e, tmp, &fdb->buckets[i], hnode)
			vmnet_fdb_delete(fdb, e);
	spin_unlock_bh(&fdb->lock);
}

void vmnet_fdb_learn(struct vmnet_fdb *fdb, const u8 *mac, u16 vlan,
		     struct vmnet_port *port)
{
	struct vmnet_fdb_entry *e;

	e = vmnet_fdb_find(fdb, mac, vlan);
	if (likely(e)) {
		if (unlikely(READ_ONCE(e->port) != port))
			WRITE_ONCE(e->port, port);	/* the MAC moved */
		if (READ_ONCE(e->updated) != jiffies)
			WRITE_ONCE(e->updated, jiffies);
		return;
	}

	spin_lock_bh(&fdb->lock);
	/* A port being unlinked must not gain entries after its flush. */
	if (!rcu_access_pointer(port->sw) || vmnet_fdb_find(fdb, mac, vlan) ||
	    fdb->count >= VMNET_FDB_MAX)
		goto out;
	e = kmem_cache_alloc(vmnet_fdb_cache, GFP_ATOMIC);
	if (!e)
		goto out;
	ether_addr_copy(e->mac, mac);
	e->vlan = vlan;
	e->port = port;
	e->updated = jiffies;
	hlist_add_head_rcu(&e->hnode, vmnet_fdb_bucket(fdb, mac, vlan));
	fdb->count++;
out:
	spin_unlock_bh(&fdb->lock);
}

struct vmnet_port *vmnet_fdb_lookup(struct vmnet_fdb *fdb, const u8 *mac,
				    u16 vlan)
{
	struct vmnet_fdb_entry *e = vmnet_fdb_find(fdb, mac, vlan);

	if (!e || time_after_eq(jiffies, READ_ONCE(e->updated) +
				vmnet_fdb_age()))
		return NULL;
	return READ_ONCE(e->port);
}

void vmnet_fdb_flush_port(struct vmnet_fdb *fdb, struct vmnet_port *port)
{
	struct vmnet_fdb_entry *e;
	struct hlist_node *tmp;
	int i;

	spin_lock_bh(&fdb->lock);
	for (i = 0; i < ARRAY_SIZE(fdb->buckets); i++)
		hlist_for_each_entry_safe(e, tmp, &fdb->buckets[i], hnode)
			if (e->port == port)
				vmnet_fdb_delete(fdb, e);
	spin_unlock_bh(&fdb->lock);
}

unsigned int vmnet_fdb_count(struct vmnet_fdb *fdb)
{
	return READ_ONCE(fdb->count);
}

void vmnet_fdb_show(struct vmnet_fdb *fdb, struct seq_file *m)
{
	struct vmnet_fdb_entry *e;
	int i;

	seq_puts(m, "mac               vlan port age_ms\n");
	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(fdb->buckets); i++)
		hlist_for_each_entry_rcu(e, &fdb->buckets[i], hnode)
			seq_printf(m, "%pM %-4u %-4u %u\n", e->mac, e->vlan,
				   READ_ONCE(e->port)->id,
				   jiffies_to_msecs(jiffies -
						    READ_ONCE(e->updated)));
	rcu_read_unlock();
}
