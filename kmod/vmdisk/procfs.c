// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmware/disk: the loopback HBA and every disk, with its counters.
 */
#include <linux/math64.h>
#include <linux/slab.h>
#include <vmproc.h>

#include "disk.h"
#include "front.h"
#include "hba.h"
#include "procfs.h"

enum { VDP_DIR, VDP_STATUS, VDP_STATS, VDP_NR };

struct vmdisk_proc {
	struct vmproc_node *n[VDP_NR];
};

static struct vmproc_node *vmdisk_proc_dir, *vmdisk_proc_hba;

static int vmdisk_show_hba(struct seq_file *m, void *data)
{
	struct vmdisk *disk;
	u32 id = 0;

	seq_printf(m, "host scsi%u\n", vmdisk_hba_host_no());
	mutex_lock(&vmdisk_table_lock);
	while ((disk = vmdisk_lookup_next(id))) {
		if (disk->attached)
			seq_printf(m, "disk %u %u:0:%u:0\n", disk->id,
				   disk->host_no, disk->id);
		id = disk->id + 1;
	}
	mutex_unlock(&vmdisk_table_lock);
	return 0;
}

/* Disk data stay valid while the file exists: vmdisk_proc_remove() runs
 * before the last reference goes. */
static void vmdisk_show_chain(struct seq_file *m, struct vmdisk *disk)
{
	struct vmdisk_backend *be;
	u32 n = disk->depth;

	for (be = disk->be; be; be = be->parent, n--) {
		seq_printf(m, "layer %u %s ", n, be->ops->name);
		seq_path(m, &be->file->f_path, " \t\n\\");
		seq_putc(m, '\n');
	}
}

static int vmdisk_show_status(struct seq_file *m, void *data)
{
	struct vmdisk *disk = data;
	bool attached;

	down_read(&disk->be_lock);
	seq_printf(m, "id %u\nfile %s\nformat %s\noffset %llu\ncapacity %llu\n"
		   "block_size %u\nreadonly %d\nwrite_cache %d\nmode %s\n"
		   "deltas %u\n",
		   disk->id, disk->path, disk->be->ops->name, disk->offset,
		   disk->nr_blocks << disk->block_shift, 1U << disk->block_shift,
		   disk->readonly, READ_ONCE(disk->wce),
		   disk->nonpersistent ? "nonpersistent" : "persistent",
		   disk->depth);
	vmdisk_show_chain(m, disk);
	if (disk->be->ops->show)
		disk->be->ops->show(disk->be, m);
	up_read(&disk->be_lock);
	/* No vmdisk_table_lock here: vmdisk_proc_remove() waits for us
	 * with it held. */
	attached = READ_ONCE(disk->attached);
	if (attached)
		seq_printf(m, "frontend loopback %u:0:%u:0\n", disk->host_no,
			   disk->id);
	if (!vmdisk_front_show(m, disk) && !attached)
		seq_puts(m, "frontend none\n");
	return 0;
}

static u64 vmdisk_avg_us(u64 ns, u64 n)
{
	return n ? div64_u64(ns, n * 1000) : 0;
}

static int vmdisk_show_stats(struct seq_file *m, void *data)
{
	struct vmdisk_stats st;

	vmdisk_get_stats(data, &st);
	seq_printf(m, "commands %llu\nerrors %llu\nreads %llu\nwrites %llu\n"
		   "read_bytes %llu\nwrite_bytes %llu\nflushes %llu\n"
		   "unmaps %llu\nread_avg_us %llu\nwrite_avg_us %llu\n",
		   st.commands, st.errors, st.reads, st.writes, st.read_bytes,
		   st.write_bytes, st.flushes, st.unmaps,
		   vmdisk_avg_us(st.read_ns, st.reads),
		   vmdisk_avg_us(st.write_ns, st.writes));
	return 0;
}

static const struct vmproc_ops vmdisk_hba_ops = { .show = vmdisk_show_hba };
static const struct vmproc_ops vmdisk_status_ops = { .show = vmdisk_show_status };
static const struct vmproc_ops vmdisk_stats_ops = { .show = vmdisk_show_stats };

void vmdisk_proc_add(struct vmdisk *disk)
{
	struct vmdisk_proc *p;
	char name[16];

	lockdep_assert_held(&vmdisk_table_lock);
	if (IS_ERR_OR_NULL(vmdisk_proc_dir))
		return;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return;
	snprintf(name, sizeof(name), "%u", disk->id);
	p->n[VDP_DIR] = vmproc_dir(vmdisk_proc_dir, name);
	if (!IS_ERR(p->n[VDP_DIR])) {
		p->n[VDP_STATUS] = vmproc_file(p->n[VDP_DIR], "status",
					       &vmdisk_status_ops, disk);
		p->n[VDP_STATS] = vmproc_file(p->n[VDP_DIR], "stats",
					      &vmdisk_stats_ops, disk);
	}
	disk->proc = p;
}

void vmdisk_proc_remove(struct vmdisk *disk)
{
	int i;

	lockdep_assert_held(&vmdisk_table_lock);
	if (!disk->proc)
		return;
	for (i = VDP_NR - 1; i >= 0; i--)
		vmproc_put(disk->proc->n[i]);
	kfree(disk->proc);
	disk->proc = NULL;
}

int vmdisk_proc_init(void)
{
	vmdisk_proc_dir = vmproc_dir(NULL, "disk");
	if (IS_ERR(vmdisk_proc_dir))
		return PTR_ERR(vmdisk_proc_dir);
	vmdisk_proc_hba = vmproc_file(vmdisk_proc_dir, "hba", &vmdisk_hba_ops,
				      NULL);
	return 0;
}

void vmdisk_proc_exit(void)
{
	vmproc_put(vmdisk_proc_hba);
	vmproc_put(vmdisk_proc_dir);
}
