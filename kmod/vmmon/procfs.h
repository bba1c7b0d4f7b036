/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMMON_PROCFS_H
#define VMMON_PROCFS_H

#include "vmmon.h"

int vmm_proc_init(const char *backend);
void vmm_proc_uninit(void);
void vmm_proc_vm_add(struct vmm_vm *vm);
void vmm_proc_vm_remove(struct vmm_vm *vm);
void vmm_vm_show_all(struct seq_file *m);

#endif
