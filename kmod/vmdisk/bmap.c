// SPDX-License-Identifier: GPL-2.0
/*
 * The direct path of the raw file backend. A raw disk on an O_DIRECT file
 * pays, per command, the file system's direct I/O on top of the block
 * layer: its locks, its extent lookup, its dio state. Swap shows how to
 * avoid it: ask the file system where the file's blocks are (bmap()) and
 * send bios to its block device there. Here that is done per 1 MiB chunk
 * of the file, looked up the first time a command touches it (in a
 * worker, bmap may sleep): a chunk that is one contiguous run of written
 * blocks goes direct; one with a hole, an unwritten (preallocated) block
 * or any other layout stays with the file, which allocates and converts
 * blocks as it must, and is looked up again when it is VMDISK_BMAP_STALE
 * old.
 *
 * A mapping stays right only while nobody moves those blocks, and nobody
 * can move a file's blocks without opening it for writing, truncating it
 * or changing it through the namespace. So the direct path runs only
 * while vmdisk holds a read delegation on the file (an FL_DELEG lease, as
 * nfsd hands out) and no other open file may write to it: every open for
 * writing, truncate, unlink, rename or attribute change by anybody else
 * breaks the delegation. On a break, a worker stops the direct path,
 * waits for its bios (the breaker waits meanwhile), forgets every chunk
 * and gives the delegation back; commands go to the file; every
 * VMDISK_BMAP_RETRY it tries again, and succeeds once the other writer
 * has closed the file. vmdisk's own hole punch (UNMAP) pauses the direct
 * path around it and forgets the chunks it touched.
 *
 * The page cache: dirty pages are written back before the direct path
 * starts and no other writer can dirty any while it runs; a direct write
 * is made only while the file has no cached pages at all (somebody read
 * it through the cache), else it goes to the file, which invalidates them
 * as direct I/O does. A write is stable when the file's fsync and a
 * flush of the device (vmdisk_bmap_flush) are done, or with FUA. The
 * file's mtime is set at that flush and at close, not per command; direct
 * reads leave its atime.
 *
 * XFS can also share a file's blocks with another file (reflink, dedupe)
 * without anybody opening it for writing: a clone made from it needs only
 * read access, a dedupe into it only ownership. It breaks layout leases
 * (FL_LAYOUT, what a pNFS block server holds) before it remaps, under the
 * files' i_rwsem, so on XFS the direct path holds a layout lease as well,
 * whose break stops it the same way, and looks chunks up under i_rwsem
 * shared: a remap is either over before a lookup or breaks the lease
 * after it. XFS breaks layouts on every write and hole punch through the
 * file too, vmdisk's own included; those vmdisk marks (vmdisk_bmap_self_*)
 * and its lease manager recognises them as its own. A reflinked file stays
 * with the file: XFS's bmap() maps no shared (nor realtime) file.
 *
 * Only ext4's driver (ext2/3/4) and XFS are trusted with this, only for
 * files that say they do direct I/O (statx's dio alignment: not DAX,
 * encrypted, journalled data, inline data), and only on the file system's
 * own block device.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/magic.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/percpu-refcount.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/xarray.h>
#include <compat.h>

#include "bmap.h"

#define VMDISK_BMAP_CHUNK_SHIFT	20
#define VMDISK_BMAP_CHUNK	(1LL << VMDISK_BMAP_CHUNK_SHIFT)
#define VMDISK_BMAP_RETRY	(2 * HZ)	/* to take the delegation */
#define VMDISK_BMAP_STALE	(5 * HZ)	/* to look a file chunk up */

struct vmdisk_bmap {
	struct file *file;
	struct block_device *bdev;
	unsigned int blkbits;
	/* One reference per I/O on the direct path, live while it may run. */
	struct percpu_ref live;
	struct completion drained;
	/* Chunk index -> xa_mk_value(start sector << 1) when direct, or
	 * xa_mk_value(jiffies << 1 | 1), when it was found to need the file. */
	struct xarray chunks;
	struct mutex lock;		/* leased, closing, live's state */
	bool leased;
	bool closing;
	bool layout;			/* XFS: a layout lease too */
	char layout_owner;		/* its owner is &layout_owner */
	spinlock_t self_lock;
	struct list_head self;		/* vmdisk_bmap_self of vmdisk's own
					 * writes through the file */
	struct work_struct lease_break;
	struct delayed_work relet;
	atomic_t dirty;			/* a direct write since the last flush */
	atomic_t touched;		/* ... since the file's mtime was set */
	atomic64_t ios;
};

/* --- The leases ------------------------------------------------------ */

static bool vmdisk_bmap_lm_break(struct vmw_lease *fl)
{
	struct vmdisk_bmap *bm = vmw_lease_owner(fl);

	queue_work(vmdisk_wq, &bm->lease_break);
	return false;		/* the breaker waits until we give it back */
}

static const struct vmw_lease_manager_operations vmdisk_bmap_lm_ops = {
	.lm_break	= vmdisk_bmap_lm_break,
	.lm_change	= lease_modify,
};

static struct vmdisk_bmap *vmdisk_bmap_of_layout(struct vmw_lease *fl)
{
	return container_of((char *)vmw_lease_owner(fl), struct vmdisk_bmap,
			    layout_owner);
}

static bool vmdisk_bmap_layout_break(struct vmw_lease *fl)
{
	queue_work(vmdisk_wq, &vmdisk_bmap_of_layout(fl)->lease_break);
	return false;
}

/* Under the file's lease spinlock: whether the task breaking the layout
 * lease is one of vmdisk's own writes to this file. */
static bool vmdisk_bmap_layout_owns(struct vmw_lease *fl)
{
	struct vmdisk_bmap *bm = vmdisk_bmap_of_layout(fl);
	struct vmdisk_bmap_self *me;
	bool ret = false;

	spin_lock(&bm->self_lock);
	list_for_each_entry(me, &bm->self, node)
		ret |= me->task == current;
	spin_unlock(&bm->self_lock);
	return ret;
}

static const struct vmw_lease_manager_operations vmdisk_bmap_layout_ops = {
	.lm_break		= vmdisk_bmap_layout_break,
	.lm_change		= lease_modify,
	.lm_breaker_owns_lease	= vmdisk_bmap_layout_owns,
};

void vmdisk_bmap_self_begin(struct vmdisk_bmap *bm, struct vmdisk_bmap_self *me)
{
	if (!bm || !bm->layout)
		return;
	me->task = current;
	spin_lock(&bm->self_lock);
	list_add(&me->node, &bm->self);
	spin_unlock(&bm->self_lock);
}

void vmdisk_bmap_self_end(struct vmdisk_bmap *bm, struct vmdisk_bmap_self *me)
{
	if (!bm || !bm->layout)
		return;
	spin_lock(&bm->self_lock);
	list_del(&me->node);
	spin_unlock(&bm->self_lock);
}

static bool vmdisk_bmap_sole_writer(struct vmdisk_bmap *bm)
{
	int self = bm->file->f_mode & FMODE_WRITE ? 1 : 0;

	return atomic_read(&file_inode(bm->file)->i_writecount) == self;
}

/* Both leases (a missing one is no error). */
static void vmdisk_bmap_unlease(struct vmdisk_bmap *bm)
{
	void *owner = bm;

	vfs_setlease(bm->file, F_UNLCK, NULL, &owner);
	owner = &bm->layout_owner;
	if (bm->layout)
		vfs_setlease(bm->file, F_UNLCK, NULL, &owner);
}

static int vmdisk_bmap_setlease(struct vmdisk_bmap *bm, void *owner,
				const struct vmw_lease_manager_operations *ops,
				unsigned int flags)
{
	struct vmw_lease *fl = vmw_lease_alloc(bm->file, owner, ops, flags);
	int ret;

	if (!fl)
		return -ENOMEM;
	ret = vfs_setlease(bm->file, F_RDLCK, &fl, NULL);
	if (fl)
		vmw_lease_free(fl);
	return ret;
}

/* Take the leases, then look for writers: an open for writing counts
 * itself before it breaks leases, so one of the two sides sees the other. */
static int vmdisk_bmap_lease(struct vmdisk_bmap *bm)
{
	int ret;

	if (!vmdisk_bmap_sole_writer(bm))
		return -EBUSY;
	ret = vmdisk_bmap_setlease(bm, bm, &vmdisk_bmap_lm_ops, FL_DELEG);
	if (!ret && bm->layout)
		ret = vmdisk_bmap_setlease(bm, &bm->layout_owner,
					   &vmdisk_bmap_layout_ops, FL_LAYOUT);
	if (ret) {
		vmdisk_bmap_unlease(bm);
		return ret;
	}
	smp_mb();
	if (!vmdisk_bmap_sole_writer(bm)) {
		vmdisk_bmap_unlease(bm);
		return -EBUSY;
	}
	return 0;
}

/* --- Turning the direct path on and off ------------------------------ */

static void vmdisk_bmap_release(struct percpu_ref *ref)
{
	complete(&container_of(ref, struct vmdisk_bmap, live)->drained);
}

/* Stop new direct I/O and wait for what is in flight. */
static void vmdisk_bmap_drain(struct vmdisk_bmap *bm)
{
	lockdep_assert_held(&bm->lock);
	reinit_completion(&bm->drained);
	percpu_ref_kill(&bm->live);
	wait_for_completion(&bm->drained);
}

static int vmdisk_bmap_on(struct vmdisk_bmap *bm)
{
	struct address_space *mapping = bm->file->f_mapping;
	int ret;

	lockdep_assert_held(&bm->lock);
	ret = vmdisk_bmap_lease(bm);
	if (ret)
		return ret;
	/* Nobody else can dirty a page now; what was dirtied before goes
	 * to disk, or its writeback would land on direct writes later. The
	 * clean pages go too: direct writes wait while any is cached. */
	ret = filemap_write_and_wait(mapping);
	if (ret) {
		vmdisk_bmap_unlease(bm);
		return ret;
	}
	invalidate_inode_pages2(mapping);
	percpu_ref_reinit(&bm->live);
	bm->leased = true;
	return 0;
}

static void vmdisk_bmap_off(struct vmdisk_bmap *bm)
{
	lockdep_assert_held(&bm->lock);
	if (!bm->leased)
		return;
	vmdisk_bmap_drain(bm);
	xa_destroy(&bm->chunks);
	vmdisk_bmap_unlease(bm);
	bm->leased = false;
}

static void vmdisk_bmap_break_work(struct work_struct *work)
{
	struct vmdisk_bmap *bm = container_of(work, struct vmdisk_bmap,
					      lease_break);

	mutex_lock(&bm->lock);
	vmdisk_bmap_off(bm);
	if (!bm->closing)
		mod_delayed_work(vmdisk_wq, &bm->relet, VMDISK_BMAP_RETRY);
	mutex_unlock(&bm->lock);
}

static void vmdisk_bmap_relet_work(struct work_struct *work)
{
	struct vmdisk_bmap *bm = container_of(to_delayed_work(work),
					      struct vmdisk_bmap, relet);

	mutex_lock(&bm->lock);
	if (!bm->leased && !bm->closing && vmdisk_bmap_on(bm))
		queue_delayed_work(vmdisk_wq, &bm->relet, VMDISK_BMAP_RETRY);
	mutex_unlock(&bm->lock);
}

void vmdisk_bmap_pause(struct vmdisk_bmap *bm)
{
	mutex_lock(&bm->lock);
	if (bm->leased)
		vmdisk_bmap_drain(bm);
}

void vmdisk_bmap_resume(struct vmdisk_bmap *bm, loff_t pos, loff_t len)
{
	unsigned long c, last;

	lockdep_assert_held(&bm->lock);
	if (len > 0) {
		last = (pos + len - 1) >> VMDISK_BMAP_CHUNK_SHIFT;
		for (c = pos >> VMDISK_BMAP_CHUNK_SHIFT; c <= last; c++)
			xa_erase(&bm->chunks, c);
	}
	if (bm->leased)
		percpu_ref_reinit(&bm->live);
	mutex_unlock(&bm->lock);
}

/* --- Chunks ---------------------------------------------------------- */

/* The first sector of chunk c on the device, or 0 when it needs the file:
 * every block up to the end of the file or the chunk mapped, in one run. */
static sector_t vmdisk_bmap_probe(struct vmdisk_bmap *bm, unsigned long c)
{
	struct inode *inode = file_inode(bm->file);
	unsigned int shift = VMDISK_BMAP_CHUNK_SHIFT - bm->blkbits;
	sector_t first = (sector_t)c << shift, start = 0, i, b;
	loff_t size = i_size_read(inode);

	for (i = 0; i < (1U << shift) && (first + i) << bm->blkbits < size; i++) {
		b = first + i;
		if (bmap(inode, &b) || !b)
			return 0;
		if (!i)
			start = b;
		else if (b != start + i)
			return 0;
	}
	return start << (bm->blkbits - SECTOR_SHIFT);
}

/* Where pos is on the device, into *sector. Looks the chunk up unless
 * nowait; a chunk found to need the file is looked up again once it is
 * VMDISK_BMAP_STALE old (the file may have filled its holes since). */
static enum vmdisk_bmap_ret vmdisk_bmap_sector(struct vmdisk_bmap *bm,
					       loff_t pos, bool nowait,
					       sector_t *sector)
{
	unsigned long c = pos >> VMDISK_BMAP_CHUNK_SHIFT, v;
	void *e = xa_load(&bm->chunks, c);
	sector_t start;

	v = e ? xa_to_value(e) : 0;
	if (!e || (v & 1)) {
		if (e && time_before(jiffies, (v >> 1) + VMDISK_BMAP_STALE))
			return VMDISK_BMAP_FILE;
		if (nowait)
			return VMDISK_BMAP_WAIT;
		/* XFS remaps under i_rwsem, after it broke our lease. */
		if (bm->layout)
			inode_lock_shared(file_inode(bm->file));
		start = vmdisk_bmap_probe(bm, c);
		if (bm->layout)
			inode_unlock_shared(file_inode(bm->file));
		v = start ? start << 1 : (jiffies & (LONG_MAX >> 1)) << 1 | 1;
		xa_store(&bm->chunks, c, xa_mk_value(v), GFP_NOIO);
		if (!start)
			return VMDISK_BMAP_FILE;
	}
	*sector = (v >> 1) + ((pos & (VMDISK_BMAP_CHUNK - 1)) >> SECTOR_SHIFT);
	return VMDISK_BMAP_STARTED;
}

/* --- I/O ------------------------------------------------------------- */

/* One bio of aio (or the submitter's bias) is done. */
static void vmdisk_bmap_put(struct vmdisk_aio *aio)
{
	struct vmdisk_bmap *bm = aio->bmap;
	int err;

	if (!atomic_dec_and_test(&aio->bios))
		return;
	err = READ_ONCE(aio->err);
	if (!err && aio->write) {
		atomic_set(&bm->dirty, 1);
		atomic_set(&bm->touched, 1);
	}
	percpu_ref_put(&bm->live);
	aio->iocb.ki_complete(&aio->iocb, err ? err : aio->count);
}

static void vmdisk_bmap_end_io(struct bio *bio)
{
	struct vmdisk_aio *aio = bio->bi_private;

	if (bio->bi_status)	/* BLK_STS_AGAIN of REQ_NOWAIT: -EAGAIN */
		cmpxchg(&aio->err, 0, blk_status_to_errno(bio->bi_status));
	bio_put(bio);
	vmdisk_bmap_put(aio);
}

static bool vmdisk_bmap_fits(struct vmdisk_bmap *bm, struct vmdisk_aio *aio,
			     loff_t pos)
{
	unsigned int lbs = bdev_logical_block_size(bm->bdev);

	if (!iov_iter_is_bvec(&aio->iter) || ((pos | aio->count) & (lbs - 1)) ||
	    !bdev_iter_is_aligned(bm->bdev, &aio->iter))
		return false;
	if (aio->nowait && !bdev_nowait(bm->bdev))
		return false;
	/* Pages somebody cached would not see a direct write. */
	return !aio->write || !READ_ONCE(bm->file->f_mapping->nrpages);
}

static loff_t vmdisk_bmap_next(loff_t pos, loff_t end)
{
	return min(round_down(pos, VMDISK_BMAP_CHUNK) + VMDISK_BMAP_CHUNK, end);
}

/* One bio per chunk the aio touches, each on a piece of its iterator;
 * sector: where pos is (the others' chunks are looked up again). */
static void vmdisk_bmap_start(struct vmdisk_bmap *bm, struct vmdisk_aio *aio,
			      loff_t pos, sector_t sector)
{
	blk_opf_t opf = aio->write ? REQ_OP_WRITE | REQ_SYNC | REQ_IDLE :
				     REQ_OP_READ;
	loff_t first = pos, end = pos + aio->count, next;
	struct iov_iter piece;
	struct bio *bio;

	opf |= (aio->write && aio->fua ? REQ_FUA : 0) |
	       (aio->nowait ? REQ_NOWAIT : 0) | VMW_REQ_ALLOC_CACHE;
	aio->bmap = bm;
	aio->err = 0;
	atomic_set(&aio->bios, 1);
	for (; pos < end; pos = next) {
		next = vmdisk_bmap_next(pos, end);
		if (pos != first)
			vmdisk_bmap_sector(bm, pos, true, &sector);
		bio = bio_alloc(bm->bdev, 0, opf,
				aio->nowait ? GFP_NOWAIT : GFP_NOIO);
		if (!bio) {
			aio->err = -EAGAIN;
			break;
		}
		piece = aio->iter;
		iov_iter_truncate(&piece, next - pos);
		bio_iov_iter_get_pages(bio, &piece);	/* a bvec: no pinning */
		iov_iter_advance(&aio->iter, next - pos);
		bio->bi_iter.bi_sector = sector;
		bio->bi_private = aio;
		bio->bi_end_io = vmdisk_bmap_end_io;
		atomic_inc(&aio->bios);
		/* Accounted already, as the command's request above. */
		submit_bio_noacct(bio);
	}
	atomic64_inc(&bm->ios);
	vmdisk_bmap_put(aio);
}

enum vmdisk_bmap_ret vmdisk_bmap_submit(struct vmdisk_bmap *bm,
					struct vmdisk_aio *aio, loff_t pos)
{
	loff_t end = pos + aio->count, p;
	enum vmdisk_bmap_ret ret;
	sector_t sector, s;

	if (!vmdisk_bmap_fits(bm, aio, pos) || !percpu_ref_tryget_live(&bm->live))
		return VMDISK_BMAP_FILE;
	for (p = pos; p < end; p = vmdisk_bmap_next(p, end)) {
		ret = vmdisk_bmap_sector(bm, p, aio->nowait, p == pos ? &sector : &s);
		if (ret != VMDISK_BMAP_STARTED) {	/* all direct, or none */
			percpu_ref_put(&bm->live);
			return ret;
		}
	}
	vmdisk_bmap_start(bm, aio, pos, sector);
	return VMDISK_BMAP_STARTED;
}

/* Direct writes leave the file's times alone: its mtime is set when the
 * disk is flushed or closed, not per command. */
static void vmdisk_bmap_touch(struct vmdisk_bmap *bm)
{
	if (!atomic_xchg(&bm->touched, 0))
		return;
	file_start_write(bm->file);
	file_update_time(bm->file);
	file_end_write(bm->file);
}

int vmdisk_bmap_flush(struct vmdisk_bmap *bm)
{
	int ret;

	vmdisk_bmap_touch(bm);
	if (!atomic_xchg(&bm->dirty, 0))
		return 0;
	ret = blkdev_issue_flush(bm->bdev);
	if (ret)
		atomic_set(&bm->dirty, 1);
	return ret;
}

void vmdisk_bmap_show(struct vmdisk_bmap *bm, struct seq_file *m)
{
	seq_printf(m, "direct %s ios %llu\n", READ_ONCE(bm->leased) ? "on" : "off",
		   (u64)atomic64_read(&bm->ios));
}

/* --- Setup ----------------------------------------------------------- */

static bool vmdisk_bmap_eligible(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	struct kstat st;

	if (!(file->f_flags & O_DIRECT) || !S_ISREG(inode->i_mode) ||
	    !sb->s_bdev || !file->f_mapping->a_ops->bmap ||
	    IS_DAX(inode) || IS_SWAPFILE(inode) ||
	    inode->i_blkbits > VMDISK_BMAP_CHUNK_SHIFT)
		return false;
	if (sb->s_magic != EXT4_SUPER_MAGIC && sb->s_magic != XFS_SUPER_MAGIC)
		return false;
	/* A file the file system itself does no direct I/O on keeps its
	 * data elsewhere first (journalled, encrypted, inline). */
	if (vfs_getattr(&file->f_path, &st, STATX_DIOALIGN, AT_STATX_SYNC_AS_STAT))
		return false;
	return (st.result_mask & STATX_DIOALIGN) && st.dio_offset_align;
}

struct vmdisk_bmap *vmdisk_bmap_create(struct file *file)
{
	struct vmdisk_bmap *bm;

	if (!vmdisk_bmap_eligible(file))
		return NULL;
	bm = kzalloc(sizeof(*bm), GFP_KERNEL);
	if (!bm)
		return NULL;
	if (percpu_ref_init(&bm->live, vmdisk_bmap_release, PERCPU_REF_INIT_DEAD,
			    GFP_KERNEL)) {
		kfree(bm);
		return NULL;
	}
	bm->file = file;
	bm->bdev = file_inode(file)->i_sb->s_bdev;
	bm->blkbits = file_inode(file)->i_blkbits;
	bm->layout = file_inode(file)->i_sb->s_magic == XFS_SUPER_MAGIC;
	spin_lock_init(&bm->self_lock);
	INIT_LIST_HEAD(&bm->self);
	init_completion(&bm->drained);
	xa_init(&bm->chunks);
	mutex_init(&bm->lock);
	INIT_WORK(&bm->lease_break, vmdisk_bmap_break_work);
	INIT_DELAYED_WORK(&bm->relet, vmdisk_bmap_relet_work);
	mutex_lock(&bm->lock);
	if (vmdisk_bmap_on(bm))
		queue_delayed_work(vmdisk_wq, &bm->relet, VMDISK_BMAP_RETRY);
	mutex_unlock(&bm->lock);
	return bm;
}

void vmdisk_bmap_destroy(struct vmdisk_bmap *bm)
{
	mutex_lock(&bm->lock);
	bm->closing = true;
	vmdisk_bmap_off(bm);
	mutex_unlock(&bm->lock);
	vmdisk_bmap_touch(bm);
	cancel_work_sync(&bm->lease_break);
	cancel_delayed_work_sync(&bm->relet);
	percpu_ref_exit(&bm->live);
	xa_destroy(&bm->chunks);
	kfree(bm);
}
