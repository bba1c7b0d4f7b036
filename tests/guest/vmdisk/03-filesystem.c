// SPDX-License-Identifier: GPL-2.0
/*
 * A filesystem on a vmdisk: mke2fs on /dev/sdX, mount, write files, unmount,
 * detach and re-attach the same backing file, mount again and compare
 * checksums.
 */
#include <sys/mount.h>

#include "vmdisk_test.h"

#define SIZE	(32u << 20)

int main(void)
{
	struct vd v;

	vd_setup();
	if (system(". /vmw/lib.sh; vmw_stock crc32c_generic && vmw_stock ext4"))
		TEST_SKIP("no ext4 module in this image (tests/host/mkinitramfs.sh STOCK_MODS)");
	vd_new(&v, "fs.img", SIZE, 0);
	SH("mke2fs -q %s >/dev/null", v.sd);
	SH("mkdir -p /mnt/vd && mount -t ext4 %s /mnt/vd", v.sd);
	SH("dd if=/dev/urandom of=/mnt/vd/big bs=64k count=128 2>/dev/null");
	SH("for i in 1 2 3 4 5 6 7 8; do echo file $i > /mnt/vd/f$i; done");
	SH("mkdir /mnt/vd/dir && cp /mnt/vd/big /mnt/vd/dir/copy");
	SH("cd /mnt/vd && md5sum big f* dir/copy > /tmp/fs.sum");
	/* Free blocks go back to the backing file through UNMAP. */
	SH("rm /mnt/vd/f8 && sync && fstrim -v /mnt/vd | sed 's/^/    /'");
	SH("umount /mnt/vd");

	/* Re-attach: the data must come from the backing file. */
	TEST_ASSERT(vd_target_ioctl(v.ctl, VMDISK_IOC_DETACH, v.id, NULL) == 0,
		    "detach");
	close(v.sgfd);
	SH("echo 3 > /proc/sys/vm/drop_caches");
	vd_attach(&v);
	SH("mount -t ext4 %s /mnt/vd", v.sd);
	SH("cd /mnt/vd && md5sum big f1 f2 f3 f4 f5 f6 f7 dir/copy > /tmp/fs.sum2");
	SH("grep -v ' f8$' /tmp/fs.sum | cmp - /tmp/fs.sum2");
	SH("test ! -e /mnt/vd/f8");
	SH("umount /mnt/vd");
	SH("grep -q '^unmaps [1-9]' /proc/vmware/disk/%u/stats", v.id);
	vd_del(&v);
	return 0;
}
