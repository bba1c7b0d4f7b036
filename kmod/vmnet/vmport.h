/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM ports: /dev/vmnet, where one open file is one port.
 */
#ifndef VMNET_VMPORT_H
#define VMNET_VMPORT_H

int vmnet_vmport_init(void);
void vmnet_vmport_exit(void);

#endif /* VMNET_VMPORT_H */
