/* SPDX-License-Identifier: GPL-2.0 */
/* /dev/vmdisk: the control device (ioctls: uapi/vmdisk.h). */
#ifndef VMDISK_CTL_H
#define VMDISK_CTL_H

int vmdisk_ctl_init(void);
void vmdisk_ctl_exit(void);

#endif /* VMDISK_CTL_H */
