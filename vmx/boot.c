// SPDX-License-Identifier: GPL-2.0
/*
 * Direct Linux boot through the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst): no BIOS. The protected-mode kernel
 * goes to 1 MiB, the initrd to the top of low RAM, a zero page with the
 * kernel's setup header and an e820 map to BOOT_PARAMS_ADDR, and vCPU 0
 * starts in long mode at the 64-bit entry with RSI = boot_params.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmx.h"

/* Offsets into struct boot_params and its setup header. */
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR			0x1f1
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define HDR_SETUP_SECTS		0x1f1
#define HDR_VID_MODE		0x1fa
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_CMDLINE_SIZE	0x238
#define HDR_XLOADFLAGS		0x236
#define HDR_INIT_SIZE		0x260

#define LOADED_HIGH		0x01
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01
#define E820_RAM		1
#define E820_RESERVED		2

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

static u16 get16(const u8 *p, unsigned int off) { return p[off] | p[off + 1] << 8; }
static u32 get32(const u8 *p, unsigned int off) { return get16(p, off) | (u32)get16(p, off + 2) << 16; }
static void put16(u8 *p, unsigned int off, u16 v) { memcpy(p + off, &v, 2); }
static void put32(u8 *p, unsigned int off, u32 v) { memcpy(p + off, &v, 4); }

/* Read a whole file; returns its size or a negative errno. */
static long read_file(const char *what, const char *path, u8 **out)
{
	struct stat st;
	long n = 0, r;
	int fd;
	u8 *buf;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		pr_err("%s %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (n < st.st_size) {
		r = read(fd, buf + n, st.st_size - n);
		if (r <= 0) {
			pr_err("%s %s: short read", what, path);
			free(buf);
			close(fd);
			return r < 0 ? -errno : -EIO;
		}
		n += r;
	}
	close(fd);
	*out = buf;
	return n;
}

static int check_bzimage(const char *path, const u8 *k, long size)
{
	const char *why = NULL;

	if (size < 0x1000 || get16(k, HDR_BOOT_FLAG) != 0xaa55 ||
	    memcmp(k + HDR_MAGIC, "HdrS", 4))
		why = "not a Linux bzImage (no HdrS setup header)";
	else if (get16(k, HDR_VERSION) < 0x20c)
		why = "boot protocol older than 2.12";
	else if (!(get16(k, HDR_XLOADFLAGS) & XLF_KERNEL_64))
		why = "no 64-bit entry point (XLF_KERNEL_64)";
	if (why)
		pr_err("kernel %s: %s", path, why);
	return why ? -ENOEXEC : 0;
}

static void e820_add(u8 *bp, u64 addr, u64 size, u32 type)
{
	struct e820_entry e = { .addr = addr, .size = size, .type = type };
	u8 n = bp[BP_E820_ENTRIES];

	if (n < BP_E820_MAX) {
		memcpy(bp + BP_E820_TABLE + n * sizeof(e), &e, sizeof(e));
		bp[BP_E820_ENTRIES] = n + 1;
	}
}

/* RAM is exactly memsize MB: [0, 640K) and [1M, end), minus the hole. */
static void setup_e820(struct vm *vm, u8 *bp)
{
	e820_add(bp, 0, EBDA_ADDR, E820_RAM);
	e820_add(bp, EBDA_ADDR, 0xa0000 - EBDA_ADDR, E820_RESERVED);
	e820_add(bp, BIOS_ADDR, KERNEL_ADDR - BIOS_ADDR, E820_RESERVED);
	e820_add(bp, KERNEL_ADDR, vm->lowmem - KERNEL_ADDR, E820_RAM);
	if (vm->ram_size > vm->lowmem)
		e820_add(bp, 4 * GB, vm->ram_size - vm->lowmem, E820_RAM);
}

static int load_initrd(struct vm *vm, u8 *bp, u64 kernel_end)
{
	u64 max = get32(bp, HDR_INITRD_ADDR_MAX), addr;
	u8 *data;
	long size;

	if (!vm->cfg.initrd)
		return 0;
	size = read_file("initrd", vm->cfg.initrd, &data);
	if (size < 0)
		return size;
	if (!max)
		max = 0x37ffffff;
	if (max > vm->lowmem - 1)
		max = vm->lowmem - 1;
	addr = (max + 1 - size) & ~0xfffULL;
	if ((u64)size > max || addr < kernel_end) {
		pr_err("initrd %s (%ld MB) does not fit in %lu MB of memory",
		       vm->cfg.initrd, size / (long)MB, vm->cfg.memsize);
		free(data);
		return -ENOMEM;
	}
	memcpy(guest_ptr(vm, addr, size), data, size);
	free(data);
	put32(bp, HDR_RAMDISK_IMAGE, addr);
	put32(bp, HDR_RAMDISK_SIZE, size);
	return 0;
}

static int setup_cmdline(struct vm *vm, u8 *bp)
{
	const char *cmdline = vm->cfg.cmdline ? vm->cfg.cmdline : "";
	size_t len = strlen(cmdline), max = get32(bp, HDR_CMDLINE_SIZE);

	if (len > max || len >= CMDLINE_MAX) {
		pr_err("cmdline is %zu bytes, the kernel takes %zu", len, max);
		return -E2BIG;
	}
	memcpy(guest_ptr(vm, CMDLINE_ADDR, len + 1), cmdline, len + 1);
	put32(bp, HDR_CMD_LINE_PTR, CMDLINE_ADDR);
	return 0;
}

/* Identity map of 0..4 GiB with 2 MiB pages, and the GDT the protocol asks for. */
static void setup_tables(struct vm *vm)
{
	u64 *pml4 = guest_ptr(vm, PML4_ADDR, 4096);
	u64 *pdpt = guest_ptr(vm, PDPT_ADDR, 4096);
	u64 *pd = guest_ptr(vm, PD_ADDR, 4 * 4096);
	u64 *gdt = guest_ptr(vm, GDT_ADDR, 4 * 8);
	int i;

	pml4[0] = PDPT_ADDR | 0x3;			/* present, writable */
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + i * 4096) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((u64)i << 21) | 0x83;		/* present, writable, 2M */
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;			/* 0x10: 64-bit code */
	gdt[3] = 0x00cf93000000ffffULL;			/* 0x18: data */
}

static void segment(struct kvm_segment *s, u16 sel, u8 type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

static int setup_vcpu0(struct vm *vm, u64 entry)
{
	struct vcpu *v = &vm->vcpus[0];
	struct kvm_sregs s;
	struct kvm_regs r = {
		.rip = entry,
		.rsi = BOOT_PARAMS_ADDR,
		.rflags = 0x2,
	};
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		goto err;
	segment(&s.cs, 0x10, 0xb, true);
	segment(&s.ds, 0x18, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr.type = 0xb;		/* busy 64-bit TSS */
	s.tr.present = 1;
	s.tr.s = 0;
	s.gdt.base = GDT_ADDR;
	s.gdt.limit = 4 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr3 = PML4_ADDR;
	s.cr4 = 0x20;			/* PAE */
	s.cr0 = 0x80050033;		/* PG WP AM NE ET MP PE */
	s.efer = 0x500;			/* LME LMA */
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(v->fd, KVM_SET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		goto err;
	return 0;
err:
	pr_err("vcpu 0: setting the boot state: %s", strerror(errno));
	return -errno;
}

int boot_linux(struct vm *vm)
{
	u8 *k, *bp = guest_ptr(vm, BOOT_PARAMS_ADDR, 4096);
	unsigned int setup_sects, hdr_end;
	u64 pm_size, init_size;
	long size;
	int ret;

	size = read_file("kernel", vm->cfg.kernel, &k);
	if (size < 0)
		return size;
	ret = check_bzimage(vm->cfg.kernel, k, size);
	if (ret)
		goto out;
	setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	pm_size = size - (setup_sects + 1) * 512;
	init_size = get32(k, HDR_INIT_SIZE);
	if ((long)(setup_sects + 1) * 512 >= size ||
	    KERNEL_ADDR + (init_size > pm_size ? init_size : pm_size) > vm->lowmem) {
		pr_err("kernel %s does not fit in %lu MB of memory", vm->cfg.kernel, vm->cfg.memsize);
		ret = -ENOMEM;
		goto out;
	}
	memcpy(guest_ptr(vm, KERNEL_ADDR, pm_size), k + (setup_sects + 1) * 512, pm_size);

	memset(bp, 0, 4096);
	hdr_end = 0x202 + k[HDR_JUMP + 1];
	if (hdr_end > 0x290)
		hdr_end = 0x290;
	memcpy(bp + BP_HDR, k + BP_HDR, hdr_end - BP_HDR);
	bp[HDR_TYPE_OF_LOADER] = 0xff;
	bp[HDR_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
	put16(bp, HDR_HEAP_END_PTR, 0xfe00);
	put16(bp, HDR_VID_MODE, 0xffff);
	setup_e820(vm, bp);
	ret = setup_cmdline(vm, bp);
	if (!ret)
		ret = load_initrd(vm, bp, KERNEL_ADDR + (init_size > pm_size ? init_size : pm_size));
	if (ret)
		goto out;
	setup_tables(vm);
	ret = mptable_write(vm);
	if (!ret)
		ret = setup_vcpu0(vm, KERNEL_ADDR + 0x200);
out:
	free(k);
	return ret;
}
