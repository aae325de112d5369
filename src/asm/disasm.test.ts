// Unit tests of the llvm-objdump syntax. The expected strings are llvm-objdump-19 output
// (test/disasm-llvm.test.ts checks the printer against the tool itself).
import { describe, expect, it } from 'vitest';
import { decodeInsns } from './decode.js';
import { disassemble, disassembleBytes, formatInsn, type DisasmSymbol } from './disasm.js';
import { encodeInsns } from './encode.js';
import {
  aluImm, aluReg, atomic, call, endian, exit, ja, jumpImm, jumpReg, ldImm64, load, makeInsn, mayGoto, movsx, store, storeImm,
  type InsnFields,
} from './insn.js';
import { insnByteOffset, insnIndex } from './units.js';

const raw = (code: number, dst: number, src: number, off: number, imm: number, hi?: InsnFields) => makeInsn({ code, dst, src, off, imm }, hi);
const HI: InsnFields = { code: 0, dst: 0, src: 0, off: 0, imm: 0 };
const sym = (name: string, offset: number): DisasmSymbol => ({ name, offset: insnByteOffset(offset) });

describe('formatInsn', () => {
  it('prints ALU instructions with signed hex immediates', () => {
    expect(formatInsn(aluImm('alu64', 'add', 1, -5))).toBe('r1 += -0x5');
    expect(formatInsn(aluImm('alu', 'mul', 0, 3))).toBe('w0 *= 0x3');
    expect(formatInsn(aluImm('alu64', 'mov', 1, -0x80000000))).toBe('r1 = -0x80000000');
    expect(formatInsn(aluReg('alu64', 'sdiv', 2, 6))).toBe('r2 s/= r6');
    expect(formatInsn(aluReg('alu', 'smod', 2, 6))).toBe('w2 s%= w6');
    expect(formatInsn(aluReg('alu64', 'arsh', 2, 6))).toBe('r2 s>>= r6');
    expect(formatInsn(aluImm('alu', 'neg', 1, 0))).toBe('w1 = -w1');
    expect(formatInsn(movsx('alu64', 32, 1, 1))).toBe('r1 = (s32)r1');
    expect(formatInsn(movsx('alu', 8, 1, 2))).toBe('w1 = (s8)w2');
    expect(formatInsn(raw(0xbf, 1, 2, 1, 0x10002))).toBe('r1 = addr_space_cast(r2, 0x1, 0x2)');
    expect(formatInsn(endian('bswap', 32, 1))).toBe('r1 = bswap32 r1');
    expect(formatInsn(endian('be', 64, 1))).toBe('r1 = be64 r1');
    expect(formatInsn(endian('le', 16, 1))).toBe('r1 = le16 r1');
  });

  it('prints jumps and calls', () => {
    expect(formatInsn(jumpImm('jmp', 'jne', 1, 0, 5))).toBe('if r1 != 0x0 goto +0x5');
    expect(formatInsn(jumpImm('jmp32', 'jslt', 6, 6, 4))).toBe('if w6 s< 0x6 goto +0x4');
    expect(formatInsn(jumpReg('jmp', 'jset', 1, 2, -3))).toBe('if r1 & r2 goto -0x3');
    expect(formatInsn(ja(-0x8000))).toBe('goto -0x8000');
    expect(formatInsn(ja(0x20, true))).toBe('gotol +0x20');
    expect(formatInsn(mayGoto(0))).toBe('may_goto +0x0');
    expect(formatInsn(call('helper', 6))).toBe('call 0x6');
    expect(formatInsn(call('subprog', -1))).toBe('call -0x1');
    expect(formatInsn(raw(0x8d, 3, 0, 0, 0))).toBe('callx r3');
    expect(formatInsn(exit())).toBe('exit');
  });

  it('prints 64-bit immediates and LLVM\'s ld_pseudo', () => {
    expect(formatInsn(ldImm64(1, 0n))).toBe('r1 = 0x0 ll');
    expect(formatInsn(ldImm64(2, 0xffffffffffffffffn))).toBe('r2 = -0x1 ll');
    expect(formatInsn(ldImm64(4, 0x8000000000000000n))).toBe('r4 = -0x8000000000000000 ll');
    expect(formatInsn(ldImm64(1, 0x123456789n))).toBe('r1 = 0x123456789 ll');
    expect(formatInsn(ldImm64(1, 0x700000005n, 'map_fd'))).toBe('ld_pseudo\tr1, 0x1, 0x5');
    expect(formatInsn(ldImm64(2, 0xffffffffn, 'map_value'))).toBe('ld_pseudo\tr2, 0x2, 0xffffffff');
  });

  it('prints memory accesses, with 32-bit registers only in alu32 mode', () => {
    expect(formatInsn(load(4, 1, 2, 8))).toBe('r1 = *(u32 *)(r2 + 0x8)');
    expect(formatInsn(load(4, 1, 2, 8), { alu32: true })).toBe('w1 = *(u32 *)(r2 + 0x8)');
    expect(formatInsn(load(8, 1, 10, -8), { alu32: true })).toBe('r1 = *(u64 *)(r10 - 0x8)');
    expect(formatInsn(load(1, 1, 2, 3, true), { alu32: true })).toBe('r1 = *(s8 *)(r2 + 0x3)');
    expect(formatInsn(store(2, 10, -2, 3))).toBe('*(u16 *)(r10 - 0x2) = r3');
    expect(formatInsn(store(2, 10, -2, 3), { alu32: true })).toBe('*(u16 *)(r10 - 0x2) = w3');
    expect(formatInsn(storeImm(8, 1, 0, -1))).toBe('*(u64 *)(r1 + 0x0) = -0x1');
    expect(formatInsn(raw(0x30, 0, 0, 0, 14))).toBe('r0 = *(u8 *)skb[0xe]');
    expect(formatInsn(raw(0x40, 0, 8, 0, 0))).toBe('r0 = *(u32 *)skb[r8]');
  });

  it('prints atomics as LLVM 19 decodes them', () => {
    expect(formatInsn(atomic(8, 'add', 1, 0, 2))).toBe('lock *(u64 *)(r1 + 0x0) += r2');
    expect(formatInsn(atomic(8, 'or', 1, 8, 4, true))).toBe('r4 = atomic_fetch_or((u64 *)(r1 + 0x8), r4)');
    expect(formatInsn(atomic(8, 'xchg', 1, 0, 2))).toBe('r2 = xchg_64(r1 + 0x0, r2)');
    expect(formatInsn(atomic(8, 'cmpxchg', 1, 0x10, 5))).toBe('r0 = cmpxchg_64(r1 + 0x10, r0, r5)');
    // Without alu32 LLVM only knows the 32-bit lock add, and takes a fetch-add for one.
    expect(formatInsn(atomic(4, 'add', 2, 0, 1))).toBe('lock *(u32 *)(r2 + 0x0) += r1');
    expect(formatInsn(atomic(4, 'add', 2, 0, 1, true))).toBe('lock *(u32 *)(r2 + 0x0) += r1');
    expect(formatInsn(atomic(4, 'xor', 1, 0, 0))).toBe('<unknown>');
    expect(formatInsn(atomic(4, 'add', 2, 0, 1, true), { alu32: true })).toBe('w1 = atomic_fetch_add((u32 *)(r2 + 0x0), w1)');
    expect(formatInsn(atomic(4, 'xor', 1, 0, 0), { alu32: true })).toBe('lock *(u32 *)(r1 + 0x0) ^= w0');
    expect(formatInsn(atomic(4, 'xchg', 2, 0, 1), { alu32: true })).toBe('w1 = xchg32_32(r2 + 0x0, w1)');
    expect(formatInsn(atomic(4, 'cmpxchg', 2, 0, 1), { alu32: true })).toBe('w0 = cmpxchg32_32(r2 + 0x0, w0, w1)');
    // LLVM ignores imm bits 31-8, and bits 3-0 unless they are 1.
    expect(formatInsn(raw(0xdb, 1, 2, 0, 0x4f))).toBe('lock *(u64 *)(r1 + 0x0) |= r2');
    expect(formatInsn(raw(0xdb, 1, 2, 0, 0x1001))).toBe('r2 = atomic_fetch_add((u64 *)(r1 + 0x0), r2)');
    expect(formatInsn(raw(0xdb, 1, 2, 0, 0xe2))).toBe('<unknown>');
  });

  it('prints load-acquire and store-release in LLVM 21 syntax', () => {
    expect(formatInsn(atomic(8, 'load_acquire', 1, 0, 2))).toBe('r1 = load_acquire((u64 *)(r2 + 0x0))');
    expect(formatInsn(atomic(1, 'load_acquire', 0, 8, 3), { alu32: true })).toBe('w0 = load_acquire((u8 *)(r3 + 0x8))');
    expect(formatInsn(atomic(1, 'load_acquire', 0, 8, 3))).toBe('r0 = load_acquire((u8 *)(r3 + 0x8))');
    expect(formatInsn(atomic(8, 'store_release', 1, -8, 2))).toBe('store_release((u64 *)(r1 - 0x8), r2)');
    expect(formatInsn(atomic(2, 'store_release', 1, 0, 2), { alu32: true })).toBe('store_release((u16 *)(r1 + 0x0), w2)');
  });

  it('prints <unknown> where LLVM cannot decode', () => {
    expect(formatInsn(raw(0x00, 0, 0, 0, 0))).toBe('<unknown>');
    expect(formatInsn(raw(0x07, 12, 0, 0, 1))).toBe('<unknown>');
    expect(formatInsn(raw(0x15, 1, 12, 0, 1))).toBe('if r1 == 0x1 goto +0x0');
    expect(formatInsn(raw(0x1d, 1, 12, 0, 1))).toBe('<unknown>');
    expect(formatInsn(raw(0x95, 0, 0, 0, 1))).toBe('<unknown>');
    expect(formatInsn(raw(0x95, 3, 4, 5, 0))).toBe('exit');
    expect(formatInsn(raw(0x18, 1, 0, 1, 5, HI))).toBe('<unknown>');
    expect(formatInsn(raw(0xd3, 1, 2, 0, 0))).toBe('<unknown>');
  });
});

describe('jump-target annotations', () => {
  const insns = [jumpImm('jmp', 'jeq', 1, 0, 1), exit(), ja(-3), exit(), ja(-5), ja(0x7fff), ja(-0x8000)];

  it('name the last symbol at or before the target, in (offset, name) order', () => {
    const lines = disassemble(insns, { symbols: [sym('zeta', 16), sym('alpha', 16), sym('f', 0), sym('tail', 40)] });
    expect(lines.map((l) => [l.index, l.text])).toEqual([
      [0, 'if r1 == 0x0 goto +0x1 <zeta>'],
      [1, 'exit'],
      [2, 'goto -0x3 <f>'],
      [3, 'exit'],
      [4, 'goto -0x5 <f>'],
      [5, 'goto +0x7fff <tail+0x40000>'],
      // (6 + 1 - 0x8000) * 8 < 0: LLVM's uint64_t arithmetic wraps past every symbol.
      [6, 'goto -0x8000 <tail+0xfffffffffffc0010>'],
    ]);
  });

  it('are left out before the first symbol and without symbols', () => {
    expect(disassemble(insns, { symbols: [sym('late', 8)] })[4]!.text).toBe('goto -0x5');
    expect(disassemble(insns)[0]!.text).toBe('if r1 == 0x0 goto +0x1');
    expect(formatInsn(insns[0]!, { index: insnIndex(0), symbols: [sym('f', 0)] })).toBe('if r1 == 0x0 goto +0x1 <f+0x10>');
  });

  it('count from startIndex for a part of a section', () => {
    const lines = disassemble([exit(), ja(-2)], { symbols: [sym('f', 0), sym('g', 80)], startIndex: insnIndex(10) });
    expect(lines.map((l) => [l.index, l.text])).toEqual([[10, 'exit'], [11, 'goto -0x2 <g>']]);
    const bytes = encodeInsns([exit()], { littleEndian: true });
    expect(disassembleBytes(bytes, { littleEndian: true, startIndex: insnIndex(7) })).toEqual(['       7:\t95 00 00 00 00 00 00 00\texit']);
  });

  it('count LD_IMM64 as two slots', () => {
    const lines = disassemble([ldImm64(1, 1n), ja(-3)], { symbols: [sym('f', 0)] });
    expect(lines.map((l) => [l.index, l.text])).toEqual([[0, 'r1 = 0x1 ll'], [2, 'goto -0x3 <f>']]);
  });
});

describe('disassembleBytes', () => {
  it('lays lines out as llvm-objdump does', () => {
    const prog = [ldImm64(1, 0n), load(8, 0, 1, 0), exit()];
    expect(disassembleBytes(encodeInsns(prog, { littleEndian: true }), { littleEndian: true })).toEqual([
      '       0:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll',
      '       2:\t79 10 00 00 00 00 00 00\tr0 = *(u64 *)(r1 + 0x0)',
      '       3:\t95 00 00 00 00 00 00 00\texit',
    ]);
    expect(disassembleBytes(encodeInsns(prog, { littleEndian: false }), { littleEndian: false })[1]).toBe('       2:\t79 01 00 00 00 00 00 00\tr0 = *(u64 *)(r1 + 0x0)');
  });

  it('agrees with disassemble on decoded instructions', () => {
    const bytes = encodeInsns([jumpImm('jmp', 'jgt', 3, 5, -1), exit()], { littleEndian: true });
    const opts = { littleEndian: true, symbols: [sym('g', 0)] };
    expect(disassembleBytes(bytes, opts).map((l) => l.split('\t')[2])).toEqual(disassemble(decodeInsns(bytes, opts), opts).map((l) => l.text));
  });
});
