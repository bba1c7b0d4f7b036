/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmnet's entries in /proc/vmware: net/<switch>/{status,ports,fdb} and the
 * tunable config/Net/MacAgeSecs.
 */
#ifndef VMNET_PROCFS_H
#define VMNET_PROCFS_H

struct vmnet_switch;

int vmnet_proc_init(void);
void vmnet_proc_exit(void);
int vmnet_proc_switch_add(struct vmnet_switch *sw);
void vmnet_proc_switch_del(struct vmnet_switch *sw);

#endif /* VMNET_PROCFS_H */
