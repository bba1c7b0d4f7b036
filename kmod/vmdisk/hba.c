// SPDX-License-Identifier: GPL-2.0
/*
 * The host loopback HBA, after tcm_loop: a SCSI low-level driver whose
 * "wire" is a function call into the target core.
 *
 * The host's queuecommand may block (BLK_MQ_F_BLOCKING), so it runs in
 * process context, the submitter's own more often than not. It first
 * tries the command there with vmdisk_scsi_exec_nowait(): a read or write
 * that a raw disk's direct path (bmap.c) takes starts in place, as bios to
 * the device below the backing file, and completes later, from their
 * completion (in interrupt context too), with no thread switch in between. Anything else
 * goes to a worker of vmdisk_wq, which hands it to the target core and
 * may sleep in the backend. Either way the core calls vmdisk_hba_done(),
 * which completes the command with scsi_done().
 *
 * Nothing in queuecommand may wait: it can run inside the submitter's
 * submit_bio(), where the bios a file backend sends to the block device
 * below stay queued until the outer call returns, so waiting for one of
 * them (for I/O, or for a lock held across it) would never end. The
 * nowait path only starts what it can start at once; like loop and
 * tcm_loop, the worker leaves that context first.
 *
 * Detaching removes the SCSI device first, which drains its queue, then
 * unpublishes the disk; commands that still find the slot empty fail with
 * DID_BAD_TARGET.
 */
#include <linux/blk-mq.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>

#include <compat.h>

#include "disk.h"
#include "hba.h"
#include "scsi.h"

struct vmdisk_hba_cmd {
	struct work_struct work;
	struct scsi_cmnd *sc;
	struct vmdisk *disk;
	struct vmdisk_cmd c;
	bool busy;			/* queued and not done yet */
};

static struct device *vmdisk_hba_dev;
static struct device_dma_parameters vmdisk_hba_dma_parms;
static struct Scsi_Host *vmdisk_shost;
static struct vmdisk __rcu *vmdisk_hba_targets[VMDISK_MAX_DISKS];

static atomic_t vmdisk_hba_inflight = ATOMIC_INIT(0);

/* Any context: the worker, or a backend's completion. */
static void vmdisk_hba_done(struct vmdisk_cmd *c)
{
	struct vmdisk_hba_cmd *hc = container_of(c, struct vmdisk_hba_cmd, c);
	struct scsi_cmnd *sc = hc->sc;

	scsi_set_resid(sc, c->resid);
	if (c->sense_len)
		memcpy(sc->sense_buffer, c->sense,
		       min_t(u32, c->sense_len, SCSI_SENSE_BUFFERSIZE));
	sc->result = c->status;
	vmdisk_put(hc->disk);
	smp_store_release(&hc->busy, false);
	wake_up_var(&hc->busy);
	if (atomic_dec_and_test(&vmdisk_hba_inflight))
		wake_up_var(&vmdisk_hba_inflight);
	scsi_done(sc);
}

static void vmdisk_hba_work(struct work_struct *work)
{
	struct vmdisk_hba_cmd *hc = container_of(work, struct vmdisk_hba_cmd,
						 work);

	vmdisk_scsi_exec(hc->disk, &hc->c);
}

/* In place if the core can start it without waiting; no I/O of the
 * file system's own to reclaim memory meanwhile. */
static bool vmdisk_hba_exec_nowait(struct vmdisk_hba_cmd *hc)
{
	unsigned int noio = memalloc_noio_save();
	bool ret = vmdisk_scsi_exec_nowait(hc->disk, &hc->c);

	memalloc_noio_restore(noio);
	return ret;
}

static int vmdisk_hba_queuecommand(struct Scsi_Host *shost,
				   struct scsi_cmnd *sc)
{
	struct vmdisk_hba_cmd *hc = scsi_cmd_priv(sc);
	unsigned int id = sc->device->id;
	struct vmdisk *disk = NULL;

	rcu_read_lock();
	if (id < VMDISK_MAX_DISKS && sc->device->lun == 0)
		disk = rcu_dereference(vmdisk_hba_targets[id]);
	if (disk && !kref_get_unless_zero(&disk->kref))
		disk = NULL;
	rcu_read_unlock();
	if (!disk) {
		set_host_byte(sc, DID_BAD_TARGET);
		scsi_done(sc);
		return 0;
	}
	hc->sc = sc;
	hc->disk = disk;
	/* The inputs; the core sets the outputs (and keeps its rw). */
	hc->c.cdb = sc->cmnd;
	hc->c.cdb_len = sc->cmd_len;
	hc->c.sgl = scsi_sglist(sc);
	hc->c.sg_count = scsi_sg_count(sc);
	hc->c.buflen = scsi_bufflen(sc);
	hc->c.initiator = 0;
	hc->c.done = vmdisk_hba_done;
	hc->busy = true;
	atomic_inc(&vmdisk_hba_inflight);
	if (vmdisk_hba_exec_nowait(hc))
		return 0;
	queue_work(vmdisk_wq, &hc->work);
	return 0;
}

/* Once per tag, not per command: with it, the midlayer no longer zeroes
 * each command's vmdisk_hba_cmd (queuecommand sets what it uses). */
static int vmdisk_hba_init_cmd_priv(struct Scsi_Host *shost,
				    struct scsi_cmnd *sc)
{
	struct vmdisk_hba_cmd *hc = scsi_cmd_priv(sc);

	INIT_WORK(&hc->work, vmdisk_hba_work);
	return 0;
}

/* Nothing is lost in flight: an abort waits for the command to finish
 * (its late scsi_done() is ignored by the midlayer). */
static int vmdisk_hba_abort(struct scsi_cmnd *sc)
{
	struct vmdisk_hba_cmd *hc = scsi_cmd_priv(sc);

	wait_var_event(&hc->busy, !smp_load_acquire(&hc->busy));
	return SUCCESS;
}

static int vmdisk_hba_reset(struct scsi_cmnd *sc)
{
	wait_var_event(&vmdisk_hba_inflight, !atomic_read(&vmdisk_hba_inflight));
	return SUCCESS;
}

static struct scsi_host_template vmdisk_hba_sht = {
	.module			= THIS_MODULE,
	.name			= "vmdisk",
	.proc_name		= "vmdisk",
	.queuecommand		= vmdisk_hba_queuecommand,
	.eh_abort_handler	= vmdisk_hba_abort,
	.eh_device_reset_handler = vmdisk_hba_reset,
	.eh_host_reset_handler	= vmdisk_hba_reset,
	.can_queue		= 128,
	.this_id		= -1,
	.sg_tablesize		= 256,
	.max_sectors		= 2048,		/* 1 MiB: VPD b0 says the same */
	.cmd_per_lun		= 32,
	.cmd_size		= sizeof(struct vmdisk_hba_cmd),
	.init_cmd_priv		= vmdisk_hba_init_cmd_priv,
};

unsigned int vmdisk_hba_host_no(void)
{
	return vmdisk_shost->host_no;
}

int vmdisk_hba_attach(struct vmdisk *disk)
{
	int ret;

	lockdep_assert_held(&vmdisk_table_lock);
	if (disk->attached)
		return -EBUSY;
	rcu_assign_pointer(vmdisk_hba_targets[disk->id], disk);
	ret = scsi_add_device(vmdisk_shost, 0, disk->id, 0);
	if (ret) {
		RCU_INIT_POINTER(vmdisk_hba_targets[disk->id], NULL);
		synchronize_rcu();
		return ret;
	}
	disk->attached = true;
	disk->host_no = vmdisk_shost->host_no;
	return 0;
}

void vmdisk_hba_detach(struct vmdisk *disk)
{
	struct scsi_device *sdev;

	lockdep_assert_held(&vmdisk_table_lock);
	sdev = scsi_device_lookup(vmdisk_shost, 0, disk->id, 0);
	if (sdev) {
		scsi_remove_device(sdev);
		scsi_device_put(sdev);
	}
	RCU_INIT_POINTER(vmdisk_hba_targets[disk->id], NULL);
	synchronize_rcu();
	/* Commands that took their reference before the slot emptied. */
	flush_workqueue(vmdisk_wq);
	disk->attached = false;
}

int vmdisk_hba_init(void)
{
	int ret;

	vmdisk_hba_dev = root_device_register("vmdisk");
	if (IS_ERR(vmdisk_hba_dev))
		return PTR_ERR(vmdisk_hba_dev);
	/* The midlayer sets segment limits on the DMA device. */
	vmdisk_hba_dev->dma_parms = &vmdisk_hba_dma_parms;
	vmdisk_shost = scsi_host_alloc(&vmdisk_hba_sht, 0);
	if (!vmdisk_shost) {
		ret = -ENOMEM;
		goto err_dev;
	}
	vmdisk_shost->max_id = VMDISK_MAX_DISKS;
	vmdisk_shost->max_lun = 1;
	vmdisk_shost->max_channel = 0;
	vmdisk_shost->max_cmd_len = 16;
	/* One hardware queue per CPU. */
	vmdisk_shost->nr_hw_queues = num_online_cpus();
	ret = vmw_scsi_add_host_may_block(vmdisk_shost, vmdisk_hba_dev);
	if (ret)
		goto err_host;
	/* No I/O scheduler by default, even with one queue (one CPU), as
	 * loop and null_blk: the backing file's own stack orders and merges,
	 * and a request goes from the submitter straight to queuecommand
	 * (a scheduler makes blk-mq insert it and run the queue, which for
	 * a blocking host 6.1 does from kblockd). The flag counts when a
	 * device's queue is made, so before the first scan. */
	vmdisk_shost->tag_set.flags |= BLK_MQ_F_NO_SCHED_BY_DEFAULT;
	return 0;

err_host:
	scsi_host_put(vmdisk_shost);
err_dev:
	root_device_unregister(vmdisk_hba_dev);
	return ret;
}

void vmdisk_hba_exit(void)
{
	scsi_remove_host(vmdisk_shost);
	scsi_host_put(vmdisk_shost);
	root_device_unregister(vmdisk_hba_dev);
}
