/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen's writable page tables: the guest kernel's L1 tables are read-only
 * to it, and a plain store into one faults. As Xen's ptwr emulation does,
 * the hypervisor decodes the store (ptwr_decode lists the forms), checks
 * the new entry as mmu_update would, makes it, sets the flags the
 * instruction sets, and steps past it. Linux writes its L1 tables directly in places, and a guest
 * that asked for !writable_page_tables expects this.
 */
#include "config.h"

#include <string.h>

#include "palisade/log.h"
#include "hv.h"

#define PTE_ADDR	0x000ffffffffff000ull
#define RFLAGS_ZF	0x40ull

/* Length of ModRM, SIB and displacement at b (memory operands only). */
static int modrm_len(const uint8_t *b, unsigned int avail)
{
	unsigned int mod = b[0] >> 6, rm = b[0] & 7, n = 1;

	if (mod == 3)
		return -1;
	if (rm == 4) {
		if (avail < 2)
			return -1;
		n++;
		if (mod == 0 && (b[1] & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		n += 4;			/* rip-relative */
	}
	n += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	return n <= avail ? (int)n : -1;
}

/* The group-1 (80/81/83) and 0F BA operations, by ModRM.reg. */
static int group1_kind(unsigned int reg)
{
	return reg == 1 ? PTWR_OR : reg == 4 ? PTWR_AND : reg == 6 ? PTWR_XOR : -1;
}

static int group8_kind(unsigned int reg)
{
	return reg == 5 ? PTWR_BTS : reg == 6 ? PTWR_BTR : -1;
}

/*
 * Decode the store at the start of b; false for anything else. The forms
 * are those a kernel writes page-table entries with: mov, xchg, cmpxchg,
 * and the read-modify-write of set_bit/clear_bit (or, and, xor, bts, btr,
 * often on one byte). Segment overrides change nothing: the fault gave the
 * address.
 */
bool ptwr_decode(const uint8_t *b, unsigned int avail, struct ptwr_store *s)
{
	unsigned int i = 0, rex = 0, imm_len = 0, op, reg;
	int m, kind;

	memset(s, 0, sizeof(*s));
	for (; i < avail && i < 4; i++) {
		if (b[i] == 0x66)
			return false;		/* 16-bit operands: not entries */
		if (b[i] != 0xf0 && b[i] != 0x2e && b[i] != 0x3e &&
		    b[i] != 0x26 && b[i] != 0x36)
			break;
	}
	if (i < avail && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i >= avail)
		return false;
	op = b[i++];
	if (op == 0x0f) {
		if (i >= avail)
			return false;
		op = 0x100 | b[i++];
	}
	if (i >= avail)
		return false;
	reg = (b[i] >> 3) & 7;
	s->size = rex & 8 ? 8 : 4;
	s->reg = reg | (rex & 4 ? 8 : 0);
	switch (op) {
	case 0x88: s->size = 1; /* fall through */
	case 0x89: kind = PTWR_MOV; break;
	case 0x87: kind = PTWR_XCHG; break;
	case 0x1b1: kind = PTWR_CMPXCHG; break;
	case 0x09: kind = PTWR_OR; break;
	case 0x21: kind = PTWR_AND; break;
	case 0x31: kind = PTWR_XOR; break;
	case 0x1ab: kind = PTWR_BTS; break;
	case 0x1b3: kind = PTWR_BTR; break;
	case 0xc6: s->size = 1; imm_len = 1; kind = reg == 0 ? PTWR_MOV : -1; break;
	case 0xc7: imm_len = 4; kind = reg == 0 ? PTWR_MOV : -1; break;
	case 0x80: s->size = 1; imm_len = 1; kind = group1_kind(reg); break;
	case 0x81: imm_len = 4; kind = group1_kind(reg); break;
	case 0x83: imm_len = 1; kind = group1_kind(reg); break;
	case 0x1ba: imm_len = 1; kind = group8_kind(reg); break;
	default: return false;
	}
	if (kind < 0 || (m = modrm_len(b + i, avail - i)) < 0)
		return false;
	s->kind = kind;
	/* Without REX, byte registers 4-7 are %ah, %ch, %dh, %bh. */
	s->high_byte = s->size == 1 && imm_len == 0 && rex == 0 && reg >= 4;
	if (s->high_byte)
		s->reg = reg - 4;
	i += m;
	if (imm_len > 0) {
		int32_t imm = 0;

		if (i + imm_len > avail)
			return false;
		if (imm_len == 4)
			memcpy(&imm, b + i, 4);
		else
			imm = (int8_t)b[i];
		s->imm = (uint64_t)(int64_t)imm;
		s->has_imm = true;
		i += imm_len;
	}
	s->len = i;
	return true;
}

#define RFLAGS_CF	0x1ull
#define RFLAGS_PF	0x4ull
#define RFLAGS_SF	0x80ull
#define RFLAGS_ARITH	0x8d5ull

/* The flags a logical operation leaves for a result of bits width. */
static uint64_t logic_flags(uint64_t res, unsigned int bits)
{
	uint64_t f = 0;

	if (res == 0)
		f |= RFLAGS_ZF;
	if ((res >> (bits - 1)) & 1)
		f |= RFLAGS_SF;
	if (!(__builtin_popcount((unsigned int)(res & 0xff)) & 1))
		f |= RFLAGS_PF;
	return f;
}

/* Apply s to the operand's old value; false: nothing to write. */
static bool ptwr_apply(struct vcpu *v, const struct ptwr_store *s,
    uint64_t old, uint64_t src, uint64_t *res)
{
	unsigned int bits = s->size * 8;
	uint64_t wmask = bits == 64 ? ~0ull : (1ull << bits) - 1, bit;
	uint64_t *fl = &v->frame.rflags;

	switch (s->kind) {
	case PTWR_MOV:
	case PTWR_XCHG:
		*res = src;
		break;
	case PTWR_CMPXCHG:
		*fl &= ~RFLAGS_ARITH;
		if (old != (v->regs.rax & wmask)) {
			*fl |= (v->regs.rax & wmask) < old ? RFLAGS_CF : 0;
			v->regs.rax = bits == 32 ? old : (v->regs.rax & ~wmask) | old;
			return false;
		}
		*fl |= RFLAGS_ZF | RFLAGS_PF;
		*res = src;
		break;
	case PTWR_OR:
	case PTWR_AND:
	case PTWR_XOR:
		*res = s->kind == PTWR_OR ? old | src : s->kind == PTWR_AND ?
		    old & src : old ^ src;
		*res &= wmask;
		*fl = (*fl & ~RFLAGS_ARITH) | logic_flags(*res, bits);
		break;
	default:			/* bts, btr */
		bit = src & (bits - 1);
		*fl = (*fl & ~RFLAGS_CF) | ((old >> bit) & 1);
		*res = s->kind == PTWR_BTS ? old | (1ull << bit) : old & ~(1ull << bit);
		break;
	}
	return true;
}

bool pv_ptwr(struct vcpu *v, uint64_t cr2)
{
	struct domain *d = v->d;
	uint64_t *l1e = gva_l1e(v, cr2), *entry, pfn, old, val, src, mask, opnd, res;
	unsigned int shift, avail;
	uint8_t insn[15];
	struct ptwr_store s;

	if (!v->kernel_mode || l1e == NULL)
		return false;
	pfn = (*l1e & PTE_ADDR) >> PAGE_SHIFT;
	if (pfn >= d->max_pages || d->pt_level[pfn] != 1)
		return false;
	/* The instruction may end near the end of a mapped page. */
	for (avail = sizeof(insn); avail > 0; avail--)
		if (copy_from_guest(v, insn, v->frame.rip, avail) == 0)
			break;
	if (!ptwr_decode(insn, avail, &s) || (cr2 & (s.size - 1)) != 0)
		return false;
	entry = (uint64_t *)(d->ram + (pfn << PAGE_SHIFT) + (cr2 & 0xff8));
	old = __atomic_load_n(entry, __ATOMIC_RELAXED);
	shift = (cr2 & 7) * 8;
	mask = s.size == 8 ? ~0ull : ((1ull << (s.size * 8)) - 1) << shift;
	opnd = (old & mask) >> shift;
	src = s.has_imm ? s.imm : *pv_gpr(v, s.reg) >> (s.high_byte ? 8 : 0);
	if (s.size < 8)
		src &= (1ull << (s.size * 8)) - 1;
	if (ptwr_apply(v, &s, opnd, src, &res)) {
		val = (old & ~mask) | ((res << shift) & mask);
		if (pv_pte_check(d, pfn, val) < 0) {
			gwarn(d, "v%u: write of %#llx to its L1 table %#llx refused",
			    v->id, (unsigned long long)val, (unsigned long long)pfn);
			return false;
		}
		pt_store(v, entry, val);
		if (s.kind == PTWR_XCHG) {
			uint64_t *r = pv_gpr(v, s.reg);

			*r = opnd;		/* 4 bytes zero-extend */
		}
	}
	v->frame.rip += s.len;
	v->regs_dirty = true;
	return true;
}
