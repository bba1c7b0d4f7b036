// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: slots over the owner's user memory and the nested page
 * tables (EPT or NPT) that map guest-physical pages to host pages.
 *
 * Tables are filled on a nested fault from the page that backs the slot's
 * user address, and the page reference is dropped at once: the MMU notifier
 * zaps the mapping (and kicks every vCPU out of the guest) before Linux
 * frees, moves, swaps or shares that page. So host pages are noncontiguous,
 * reclaimable, and never stay mapped after a slot or the VM goes away.
 *
 * The fault path follows the usual sequence-count handshake with the
 * notifier: sample mmu_seq, look the page up, then install only if no
 * invalidation ran or is running in between.
 */
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "backend.h"
#include "mmu.h"

#define TDP_MAX_LEVELS	5
#define TDP_PRESENT	0x7ULL		/* NPT P|RW|US, EPT R|W|X */
#define TDP_ADDR	0x000ffffffffff000ULL
#define TDP_MAX_GPA	(1ULL << 48)

static unsigned int tdp_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & 511;
}

static u64 *tdp_table_va(u64 entry)
{
	return phys_to_virt(entry & TDP_ADDR);
}

/* Walk to the level-1 entry for @gpa, allocating tables from @spare. */
static u64 *tdp_walk(struct vmm_vm *vm, u64 gpa, u64 **spare, int nspare)
{
	u64 *table = vm->tdp_root;
	int level;

	lockdep_assert_held(&vm->mmu_lock);
	for (level = vm->tdp_levels; level > 1; level--) {
		u64 *e = &table[tdp_index(gpa, level)];

		if (!(*e & TDP_PRESENT)) {
			if (!spare || !nspare)
				return NULL;
			*e = vmm_backend->tdp_table(virt_to_phys(spare[--nspare]));
			spare[nspare] = NULL;
			vm->tdp_table_pages++;
		}
		table = tdp_table_va(*e);
	}
	return &table[tdp_index(gpa, 1)];
}

static void tdp_free_table(u64 *table, int level)
{
	int i;

	if (level > 1)
		for (i = 0; i < 512; i++)
			if (table[i] & TDP_PRESENT)
				tdp_free_table(tdp_table_va(table[i]), level - 1);
	free_page((unsigned long)table);
}

/* Clear the leaf entries of @table (covering @base at @level) that fall in
 * [start, end); returns how many were present. */
static unsigned long tdp_zap_table(u64 *table, int level, u64 base,
				   u64 start, u64 end)
{
	u64 span = 1ULL << (12 + 9 * (level - 1));
	unsigned long zapped = 0;
	u64 lo, hi;
	int i;

	for (i = 0; i < 512; i++) {
		lo = base + i * span;
		hi = lo + span;
		if (hi <= start || lo >= end || !(table[i] & TDP_PRESENT))
			continue;
		if (level == 1) {
			table[i] = 0;
			zapped++;
		} else {
			zapped += tdp_zap_table(tdp_table_va(table[i]), level - 1,
						lo, start, end);
		}
	}
	return zapped;
}

/* Clear the leaf entries for [gfn, gfn + npages); true if any was present. */
static bool tdp_zap(struct vmm_vm *vm, u64 gfn, u64 npages)
{
	unsigned long n;

	lockdep_assert_held(&vm->mmu_lock);
	n = tdp_zap_table(vm->tdp_root, vm->tdp_levels, 0, gfn << PAGE_SHIFT,
			  (gfn + npages) << PAGE_SHIFT);
	atomic_long_sub(n, &vm->mapped_pages);
	return n;
}

/* Zap and make sure no vCPU still uses the old translations. */
static void vmm_zap_range(struct vmm_vm *vm, u64 gfn, u64 npages)
{
	lockdep_assert_held(&vm->mmu_lock);
	if (tdp_zap(vm, gfn, npages)) {
		atomic_inc(&vm->tlb_gen);
		vmm_vm_kick_all(vm);
	}
}

struct vmm_slot *vmm_find_slot(struct vmm_vm *vm, u64 gfn)
{
	struct vmm_slot *s;
	int i;

	for (i = 0; i < VMMON_MAX_SLOTS; i++) {
		s = READ_ONCE(vm->slots[i]);
		if (s && gfn >= s->base_gfn && gfn < s->base_gfn + s->npages)
			return s;
	}
	return NULL;
}

static void vmm_notifier_range(struct vmm_vm *vm, unsigned long start,
			       unsigned long end)
{
	unsigned long s, e;
	struct vmm_slot *slot;
	int i;

	for (i = 0; i < VMMON_MAX_SLOTS; i++) {
		slot = vm->slots[i];
		if (!slot)
			continue;
		s = max(start, slot->hva);
		e = min(end, slot->hva + (slot->npages << PAGE_SHIFT));
		if (s >= e)
			continue;
		vmm_zap_range(vm, slot->base_gfn + ((s - slot->hva) >> PAGE_SHIFT),
			      (e - s + PAGE_SIZE - 1) >> PAGE_SHIFT);
	}
}

static int vmm_mn_start(struct mmu_notifier *mn,
			const struct mmu_notifier_range *range)
{
	struct vmm_vm *vm = container_of(mn, struct vmm_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidating++;
	vmm_notifier_range(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static void vmm_mn_end(struct mmu_notifier *mn,
		       const struct mmu_notifier_range *range)
{
	struct vmm_vm *vm = container_of(mn, struct vmm_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_invalidating--;
	spin_unlock(&vm->mmu_lock);
}

static void vmm_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct vmm_vm *vm = container_of(mn, struct vmm_vm, mn);

	/* The owner is exiting: every page goes, so every mapping goes. */
	spin_lock(&vm->mmu_lock);
	vmm_zap_range(vm, 0, TDP_MAX_GPA >> PAGE_SHIFT);
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops vmm_mn_ops = {
	.invalidate_range_start	= vmm_mn_start,
	.invalidate_range_end	= vmm_mn_end,
	.release		= vmm_mn_release,
};

int vmm_mmu_init(struct vmm_vm *vm)
{
	int ret;

	spin_lock_init(&vm->mmu_lock);
	init_rwsem(&vm->slots_lock);
	/* NPT walks in the host's paging mode (5 levels under LA57). */
	vm->tdp_levels = vmm_backend->tdp_levels();
	vm->tdp_root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->tdp_root)
		return -ENOMEM;
	vm->mn.ops = &vmm_mn_ops;
	ret = mmu_notifier_register(&vm->mn, current->mm);
	if (ret)
		goto err_root;
	return 0;

err_root:
	free_page((unsigned long)vm->tdp_root);
	vm->tdp_root = NULL;
	return ret;
}

void vmm_mmu_uninit(struct vmm_vm *vm)
{
	int i;

	mmu_notifier_unregister(&vm->mn, vm->mm);
	for (i = 0; i < VMMON_MAX_SLOTS; i++)
		kfree(vm->slots[i]);
	tdp_free_table(vm->tdp_root, vm->tdp_levels);
}

static bool vmm_slot_overlaps(struct vmm_vm *vm, u32 id, u64 gfn, u64 npages)
{
	struct vmm_slot *s;
	int i;

	for (i = 0; i < VMMON_MAX_SLOTS; i++) {
		s = vm->slots[i];
		if (s && i != id && gfn < s->base_gfn + s->npages &&
		    s->base_gfn < gfn + npages)
			return true;
	}
	return false;
}

static int vmm_check_region(const struct kvm_userspace_memory_region *mr)
{
	u32 id = mr->slot & 0xffff;

	if (mr->flags || (mr->slot >> 16) || id >= VMMON_MAX_SLOTS)
		return -EINVAL;
	if ((mr->guest_phys_addr | mr->memory_size | mr->userspace_addr) &
	    ~PAGE_MASK)
		return -EINVAL;
	if (mr->memory_size > TDP_MAX_GPA ||
	    mr->guest_phys_addr + mr->memory_size > TDP_MAX_GPA ||
	    mr->guest_phys_addr + mr->memory_size < mr->guest_phys_addr)
		return -EINVAL;
	if (mr->memory_size &&
	    (mr->userspace_addr + mr->memory_size < mr->userspace_addr ||
	     !access_ok((void __user *)(unsigned long)mr->userspace_addr,
			mr->memory_size)))
		return -EINVAL;
	return 0;
}

/* Install @new (may be NULL) in place of slot @id and drop the old one. */
static void vmm_replace_slot(struct vmm_vm *vm, u32 id, struct vmm_slot *new)
{
	struct vmm_slot *old = vm->slots[id];

	lockdep_assert_held_write(&vm->slots_lock);
	spin_lock(&vm->mmu_lock);
	if (old)
		vmm_zap_range(vm, old->base_gfn, old->npages);
	WRITE_ONCE(vm->slots[id], new);
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
	kfree(old);
}

int vmm_set_memory_region(struct vmm_vm *vm,
			  const struct kvm_userspace_memory_region *mr)
{
	u32 id = mr->slot & 0xffff;
	struct vmm_slot *old, *new = NULL;
	int ret;

	ret = vmm_check_region(mr);
	if (ret)
		return ret;
	down_write(&vm->slots_lock);
	old = vm->slots[id];
	if (!mr->memory_size) {
		ret = old ? 0 : -EINVAL;
		goto out;
	}
	ret = -EINVAL;
	/* Changing a live slot: only a move of the same memory, as KVM. */
	if (old && (old->hva != mr->userspace_addr ||
		    old->npages != mr->memory_size >> PAGE_SHIFT))
		goto out;
	ret = -EEXIST;
	if (vmm_slot_overlaps(vm, id, mr->guest_phys_addr >> PAGE_SHIFT,
			      mr->memory_size >> PAGE_SHIFT))
		goto out;
	ret = -ENOMEM;
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		goto out;
	*new = (struct vmm_slot){ .id = id, .hva = mr->userspace_addr,
		.base_gfn = mr->guest_phys_addr >> PAGE_SHIFT,
		.npages = mr->memory_size >> PAGE_SHIFT };
	ret = 0;
out:
	if (!ret)
		vmm_replace_slot(vm, id, new);
	up_write(&vm->slots_lock);
	return ret;
}

/* Up to one table page per level may be needed for a new mapping. */
static int vmm_fill_spares(u64 **spare, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		spare[i] = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!spare[i])
			return -ENOMEM;
	}
	return 0;
}

static void vmm_free_spares(u64 **spare, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (spare[i])
			free_page((unsigned long)spare[i]);
}

static int vmm_map_page(struct vmm_vm *vm, u64 gpa, struct page *page,
			unsigned long seq)
{
	u64 *spare[TDP_MAX_LEVELS - 1] = { };
	int nspare = vm->tdp_levels - 1;
	int ret;
	u64 *e;

	ret = vmm_fill_spares(spare, nspare);
	if (ret)
		goto out;
	spin_lock(&vm->mmu_lock);
	if (vm->mmu_invalidating || vm->mmu_seq != seq) {
		ret = 1;	/* raced with an invalidation: fault again */
		goto unlock;
	}
	e = tdp_walk(vm, gpa, spare, nspare);
	if (!(*e & TDP_PRESENT))
		atomic_long_inc(&vm->mapped_pages);
	*e = vmm_backend->tdp_leaf(page_to_phys(page));
	ret = 1;
unlock:
	spin_unlock(&vm->mmu_lock);
out:
	vmm_free_spares(spare, nspare);
	return ret;
}

/*
 * A nested page fault at @gpa. Returns 1 to re-enter the guest, 0 with an
 * MMIO exit prepared by the caller (no slot: -ENOENT), or an errno.
 */
int vmm_tdp_fault(struct vmm_vcpu *vcpu, u64 gpa, bool write)
{
	struct vmm_vm *vm = vcpu->vm;
	struct vmm_slot *slot;
	unsigned long hva, seq;
	struct page *page;
	int ret;

	down_read(&vm->slots_lock);
	slot = vmm_find_slot(vm, gpa >> PAGE_SHIFT);
	if (!slot) {
		ret = -ENOENT;
		goto out;
	}
	hva = slot->hva + ((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE;
	seq = READ_ONCE(vm->mmu_seq);
	smp_rmb();
	ret = get_user_pages_fast(hva, 1, FOLL_WRITE, &page);
	if (ret != 1) {
		/* The slot's memory is gone from the owner's address space. */
		ret = -EFAULT;
		goto out;
	}
	ret = vmm_map_page(vm, gpa & PAGE_MASK, page, seq);
	put_page(page);
out:
	up_read(&vm->slots_lock);
	return ret;
}

/* Copy to or from guest-physical memory through the slots (the caller's
 * mm is the VM owner's). */
static int vmm_access_guest(struct vmm_vm *vm, u64 gpa, void *buf,
			    size_t len, bool write)
{
	struct vmm_slot *slot;
	void __user *hva;
	size_t chunk;
	int ret = 0;

	down_read(&vm->slots_lock);
	while (len) {
		slot = vmm_find_slot(vm, gpa >> PAGE_SHIFT);
		if (!slot) {
			ret = -EFAULT;
			break;
		}
		chunk = min_t(size_t, len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		hva = (void __user *)(slot->hva +
				      (gpa - (slot->base_gfn << PAGE_SHIFT)));
		if (write ? copy_to_user(hva, buf, chunk) :
			    copy_from_user(buf, hva, chunk)) {
			ret = -EFAULT;
			break;
		}
		buf += chunk;
		gpa += chunk;
		len -= chunk;
	}
	up_read(&vm->slots_lock);
	return ret;
}

int vmm_read_guest(struct vmm_vm *vm, u64 gpa, void *buf, size_t len)
{
	return vmm_access_guest(vm, gpa, buf, len, false);
}

int vmm_write_guest(struct vmm_vm *vm, u64 gpa, const void *buf, size_t len)
{
	return vmm_access_guest(vm, gpa, (void *)buf, len, true);
}
