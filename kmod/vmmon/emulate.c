// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to a guest-physical address no slot covers becomes a
 * KVM_EXIT_MMIO. The faulting instruction is decoded just enough to know
 * the access size, direction and register: the MOV forms compilers emit for
 * device registers (88, 89, 8A, 8B, C6, C7, 0F B6/B7/BE/BF) with operand-
 * and address-size prefixes and REX. Anything else is an internal error.
 *
 * The instruction bytes come from the hardware (SVM decode assists) when it
 * has them, else from guest memory through the guest's page tables.
 */
#include "backend.h"

#define VMM_MAX_INSN	15

struct vmm_insn {
	u8 len;
	u8 size;	/* bytes moved to or from memory */
	u8 dst_size;	/* register size for loads */
	u8 reg;
	bool store, imm_src, high8, sign;
	u64 imm;
};

/* Length of the ModRM memory operand encoding, after the ModRM byte. */
static int vmm_modrm_len(const u8 *b, u8 modrm, int addr_size)
{
	u8 mod = modrm >> 6, rm = modrm & 7;
	int n = 0;

	if (addr_size == 2)
		return (mod == 0 && rm == 6) ? 2 : mod == 1 ? 1 : mod == 2 ? 2 : 0;
	if (rm == 4) {
		n = 1;
		if (mod == 0 && (b[0] & 7) == 5)
			n += 4;
	}
	if (mod == 0 && rm == 5)
		n += 4;
	return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static int vmm_decode_op(struct vmm_insn *in, u8 op, bool two, int opsize)
{
	in->size = in->dst_size = opsize;
	if (!two) {
		switch (op) {
		case 0x88: in->size = 1; in->store = true; return 0;
		case 0x89: in->store = true; return 0;
		case 0x8a: in->size = in->dst_size = 1; return 0;
		case 0x8b: return 0;
		case 0xc6: in->size = 1; in->store = in->imm_src = true; return 0;
		case 0xc7: in->store = in->imm_src = true; return 0;
		}
		return -EOPNOTSUPP;
	}
	switch (op) {
	case 0xb6: case 0xbe: in->size = 1; break;
	case 0xb7: case 0xbf: in->size = 2; break;
	default: return -EOPNOTSUPP;
	}
	in->sign = op >= 0xbe;
	return 0;
}

static int vmm_decode(const u8 *b, unsigned int n, int mode,
		      struct vmm_insn *in)
{
	int opsize = mode == 16 ? 2 : 4, addr = mode == 16 ? 2 : mode / 8;
	unsigned int i = 0;
	u8 rex = 0, op, modrm;
	bool two = false;

	for (; i < n; i++) {
		if (b[i] == 0x66)
			opsize = opsize == 2 ? 4 : 2;
		else if (b[i] == 0x67)
			addr = addr == 2 ? 4 : (mode == 64 ? 4 : 2);
		else if (!strchr("\xf0\xf2\xf3\x2e\x36\x3e\x26\x64\x65", b[i]) || !b[i])
			break;
	}
	if (mode == 64 && i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (rex & 8)
		opsize = 8;
	if (i + 2 > n)
		return -EINVAL;
	op = b[i++];
	if (op == 0x0f) {
		two = true;
		op = b[i++];
	}
	if (vmm_decode_op(in, op, two, opsize) || i >= n)
		return -EOPNOTSUPP;
	modrm = b[i++];
	if ((modrm >> 6) == 3)
		return -EINVAL;		/* not a memory operand */
	in->reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (in->size == 1 && !rex && in->reg >= 4 && in->reg < 8 && !two) {
		in->reg -= 4;
		in->high8 = true;
	}
	i += vmm_modrm_len(b + i, modrm, addr);
	if (in->imm_src) {
		unsigned int isz = in->size == 1 ? 1 : in->size == 2 ? 2 : 4;

		if (i + isz > n)
			return -EINVAL;
		in->imm = isz == 1 ? b[i] : isz == 2 ? *(u16 *)(b + i) :
			  (u64)(s64)*(s32 *)(b + i);
		i += isz;
	}
	if (i > n)
		return -EINVAL;
	in->len = i;
	return 0;
}

/* Guest-virtual to guest-physical through the guest's own page tables. */
static int vmm_gva_to_gpa(struct vmm_vcpu *vcpu, const struct kvm_sregs *s,
			  u64 gva, u64 *gpa)
{
	bool lma = s->efer & EFER_LMA, pae = s->cr4 & X86_CR4_PAE;
	int levels = lma ? 4 : pae ? 3 : 2, shift;
	u64 table = s->cr3 & (pae && !lma ? ~0x1fULL : 0x000ffffffffff000ULL), e = 0;
	int esize = pae ? 8 : 4, idx;

	if (!(s->cr0 & X86_CR0_PG)) {
		*gpa = lma ? gva : (u32)gva;
		return 0;
	}
	for (; levels > 0; levels--) {
		shift = pae ? 12 + 9 * (levels - 1) : 12 + 10 * (levels - 1);
		idx = (gva >> shift) & (pae ? (levels == 3 && !lma ? 3 : 511) : 1023);
		e = 0;
		if (vmm_read_guest(vcpu->vm, table + idx * esize, &e, esize))
			return -EFAULT;
		if (!(e & 1))
			return -EFAULT;
		if (levels == 3 && !lma)
			goto next;	/* a PAE PDPTE has no PS bit */
		if (levels > 1 && (e & (1 << 7))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = ((e & 0x000fffffffffe000ULL) & ~mask) | (gva & mask);
			return 0;
		}
next:
		table = e & (pae ? 0x000ffffffffff000ULL : 0xfffff000ULL);
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

static int vmm_fetch(struct vmm_vcpu *vcpu, const struct kvm_sregs *s,
		     u8 *buf, unsigned int *len)
{
	u64 lin = s->cs.base + vcpu->rip, gpa;
	unsigned int n = 0, chunk;

	if (!(s->efer & EFER_LMA))
		lin = (u32)lin;
	while (n < VMM_MAX_INSN) {
		chunk = min_t(unsigned int, VMM_MAX_INSN - n,
			      PAGE_SIZE - ((lin + n) & ~PAGE_MASK));
		if (vmm_gva_to_gpa(vcpu, s, lin + n, &gpa) ||
		    vmm_read_guest(vcpu->vm, gpa, buf + n, chunk))
			break;
		n += chunk;
	}
	*len = n;
	return n ? 0 : -EFAULT;
}

static int vmm_mode(const struct kvm_sregs *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return 16;
	if ((s->efer & EFER_LMA) && s->cs.l)
		return 64;
	return s->cs.db ? 32 : 16;
}

/*
 * String port I/O (INS/OUTS, with or without REP): as many elements as fit
 * in the data area and in the current guest page go out in one exit, like
 * KVM's io.count. The direction flag set means one element at a time.
 */
#define VMM_PIO_SPACE	(PAGE_SIZE - VMMON_PIO_OFFSET)
#define VMM_RFLAGS_DF	(1UL << 10)

static u64 vmm_addr_mask(int addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (addr_size * 8)) - 1;
}

static u32 vmm_string_count(struct vmm_vcpu *vcpu, u64 lin, u8 size,
			    bool rep, int addr_size)
{
	u64 left = rep ? vcpu->gprs[VMM_RCX] & vmm_addr_mask(addr_size) : 1;
	u64 room = (PAGE_SIZE - (lin & ~PAGE_MASK)) / size;

	if (vcpu->rflags & VMM_RFLAGS_DF)
		return 1;
	return min3(left, (u64)(VMM_PIO_SPACE / size), room ?: 1);
}

/* Advance RSI or RDI and RCX past @count elements; true when done. */
static bool vmm_string_step(struct vmm_vcpu *vcpu, int reg, u32 count,
			    u8 size, bool rep, int addr_size)
{
	u64 mask = vmm_addr_mask(addr_size), delta = (u64)count * size;
	u64 *p = &vcpu->gprs[reg];

	if (vcpu->rflags & VMM_RFLAGS_DF)
		delta = -delta;
	*p = (*p & ~mask) | ((*p + delta) & mask);
	if (!rep)
		return true;
	p = &vcpu->gprs[VMM_RCX];
	*p = (*p & ~mask) | ((*p - count) & mask);
	return !(*p & mask);
}

int vmm_exit_io_string(struct vmm_vcpu *vcpu, u16 port, u8 size, bool in,
		       bool rep, int addr_size, u64 next_rip)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs s = { };
	u64 lin, gpa;
	u32 count;

	vcpu->stats[VMM_STAT_IO]++;
	vmm_backend->get_sregs(vcpu, &s);
	/* 0: the backend does not know; take the mode's default. */
	if (!addr_size)
		addr_size = vmm_mode(&s) / 8;
	if (rep && !(vcpu->gprs[VMM_RCX] & vmm_addr_mask(addr_size))) {
		vcpu->rip = next_rip;	/* REP with RCX = 0 does nothing */
		return 1;
	}
	lin = (in ? vcpu->gprs[VMM_RDI] : vcpu->gprs[VMM_RSI]) &
	      vmm_addr_mask(addr_size);
	/* ES and DS have no base in 64-bit mode. */
	if (vmm_mode(&s) != 64)
		lin = (u32)(lin + (in ? s.es.base : s.ds.base));
	count = vmm_string_count(vcpu, lin, size, rep, addr_size);
	if (vmm_gva_to_gpa(vcpu, &s, lin, &gpa))
		return vmm_exit_internal(vcpu, KVM_INTERNAL_ERROR_EMULATION, lin);
	if (!in && vmm_read_guest(vcpu->vm, gpa, (u8 *)run + VMMON_PIO_OFFSET,
				  count * size))
		return vmm_exit_internal(vcpu, KVM_INTERNAL_ERROR_EMULATION, gpa);
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = VMMON_PIO_OFFSET;
	if (in) {
		vcpu->complete = VMM_COMPLETE_PIO_STRING_IN;
		vcpu->complete_string_gpa = gpa;
	}
	if (vmm_string_step(vcpu, in ? VMM_RDI : VMM_RSI, count, size, rep,
			    addr_size))
		vcpu->rip = next_rip;
	return 0;
}

void vmm_complete_pio_string_in(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (vmm_write_guest(vcpu->vm, vcpu->complete_string_gpa,
			    (u8 *)run + VMMON_PIO_OFFSET,
			    run->io.count * run->io.size))
		vmm_inject_gp(vcpu);
}

/*
 * MOV to or from a debug register (0F 21 /r, 0F 23 /r) when the hardware
 * did not decode it: returns the GPR operand and sets *len, or -EINVAL.
 */
int vmm_decode_mov_dr(struct vmm_vcpu *vcpu, unsigned int *len)
{
	struct kvm_sregs s = { };
	unsigned int n, i = 0;
	u8 b[VMM_MAX_INSN], rex = 0;

	vmm_backend->get_sregs(vcpu, &s);
	if (vmm_fetch(vcpu, &s, b, &n))
		return -EINVAL;
	if (vmm_mode(&s) == 64 && i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 3 > n || b[i] != 0x0f || (b[i + 1] != 0x21 && b[i + 1] != 0x23))
		return -EINVAL;
	*len = i + 3;
	return (b[i + 2] & 7) | (rex & 1 ? 8 : 0);
}

static u64 vmm_reg_read(struct vmm_vcpu *vcpu, const struct vmm_insn *in)
{
	u64 v = vcpu->gprs[in->reg];

	return in->high8 ? (v >> 8) & 0xff : v;
}

int vmm_exit_mmio(struct vmm_vcpu *vcpu, u64 gpa, const u8 *insn,
		  unsigned int insn_len)
{
	struct kvm_run *run = vcpu->run;
	struct vmm_insn in = { };
	struct kvm_sregs s = { };
	u8 buf[VMM_MAX_INSN];
	u64 data;

	vcpu->stats[VMM_STAT_MMIO]++;
	vmm_backend->get_sregs(vcpu, &s);
	if (!insn_len) {
		if (vmm_fetch(vcpu, &s, buf, &insn_len))
			return vmm_exit_internal(vcpu, KVM_INTERNAL_ERROR_EMULATION, gpa);
		insn = buf;
	}
	if (vmm_decode(insn, insn_len, vmm_mode(&s), &in))
		return vmm_exit_internal(vcpu, KVM_INTERNAL_ERROR_EMULATION, gpa);
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = in.size;
	run->mmio.is_write = in.store;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (in.store) {
		data = in.imm_src ? in.imm : vmm_reg_read(vcpu, &in);
		memcpy(run->mmio.data, &data, in.size);
	} else {
		vcpu->complete = VMM_COMPLETE_MMIO_READ;
		vcpu->complete_mmio.reg = in.reg;
		vcpu->complete_mmio.size = in.dst_size;
		vcpu->complete_mmio.mem_size = in.size;
		vcpu->complete_mmio.high8 = in.high8;
		vcpu->complete_mmio.sign = in.sign;
	}
	vcpu->rip += in.len;
	if (!(s.efer & EFER_LMA) || !s.cs.l)
		vcpu->rip = (u32)vcpu->rip;
	return 0;
}

void vmm_complete_mmio_read(struct vmm_vcpu *vcpu)
{
	typeof(vcpu->complete_mmio) *c = &vcpu->complete_mmio;
	u64 *reg = &vcpu->gprs[c->reg], v = 0;

	memcpy(&v, vcpu->run->mmio.data, c->mem_size);
	if (c->sign)
		v = c->mem_size == 1 ? (u64)(s64)(s8)v : (u64)(s64)(s16)v;
	if (c->high8) {
		*reg = (*reg & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	switch (c->size) {
	case 1: *reg = (*reg & ~0xffULL) | (v & 0xff); break;
	case 2: *reg = (*reg & ~0xffffULL) | (v & 0xffff); break;
	case 4: *reg = (u32)v; break;
	default: *reg = v; break;
	}
}
