/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The forwarding table of one switch: (MAC, VLAN) -> port, learned from
 * source addresses and aged out by a periodic scan.
 */
#ifndef VMNET_FDB_H
#define VMNET_FDB_H

#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct vmnet_port;

#define VMNET_FDB_BITS		8
#define VMNET_FDB_MAX		4096	/* entries per switch */

struct vmnet_fdb {
	spinlock_t lock;		/* writers; readers use RCU */
	struct hlist_head buckets[1 << VMNET_FDB_BITS];
	unsigned int count;
	struct delayed_work ageing;
};

/* /proc/vmware/config/Net/MacAgeSecs */
extern u32 vmnet_mac_age_secs;

int vmnet_fdb_module_init(void);
void vmnet_fdb_module_exit(void);

void vmnet_fdb_init(struct vmnet_fdb *fdb);
void vmnet_fdb_uninit(struct vmnet_fdb *fdb);

void vmnet_fdb_learn(struct vmnet_fdb *fdb, const u8 *mac, u16 vlan,
		     struct vmnet_port *port);
struct vmnet_port *vmnet_fdb_lookup(struct vmnet_fdb *fdb, const u8 *mac,
				    u16 vlan);
void vmnet_fdb_flush_port(struct vmnet_fdb *fdb, struct vmnet_port *port);
unsigned int vmnet_fdb_count(struct vmnet_fdb *fdb);
void vmnet_fdb_show(struct vmnet_fdb *fdb, struct seq_file *m);

#endif /* VMNET_FDB_H */
