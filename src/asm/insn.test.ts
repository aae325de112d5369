import { describe, expect, it } from 'vitest';
import { BtfkitError } from '../errors.js';
import { InsnError } from './errors.js';
import {
  aluImm, aluReg, atomic, call, endian, exit, ja, jumpImm, jumpOffset, jumpReg, ldImm64, load, makeInsn, mayGoto, movsx,
  reservedFields, store, storeImm, withFields, insnSlots, type Insn, type InsnFields,
} from './insn.js';

const Z = { dst: 0, src: 0, off: 0, imm: 0 };
const HI: InsnFields = { code: 0, ...Z };

/** The opcodes RFC 9669 (plus may_goto, load-acquire/store-release and LLVM's callx) defines. */
function definedOpcodes(): Set<number> {
  const s = new Set<number>([0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50]);
  for (const sz of [0x00, 0x08, 0x10, 0x18]) {
    s.add(0x61 | sz); // ldx mem
    s.add(0x62 | sz); // st mem
    s.add(0x63 | sz); // stx mem
    if (sz !== 0x18) s.add(0x81 | sz); // ldx memsx
  }
  for (const cls of [0x04, 0x07]) {
    for (const op of [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]) {
      s.add(cls | op);
      s.add(cls | op | 0x08);
    }
    s.add(cls | 0x80); // neg (K only)
    s.add(cls | 0xd0); // le / bswap
  }
  s.add(0xdc); // be (ALU | END | TO_BE)
  for (const cls of [0x05, 0x06]) {
    for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) {
      s.add(cls | op);
      s.add(cls | op | 0x08);
    }
    s.add(cls | 0x00); // ja / gotol
  }
  s.add(0x85); // call
  s.add(0x8d); // callx (LLVM)
  s.add(0x95); // exit
  s.add(0xe5); // may_goto
  return s;
}

describe('classification', () => {
  it('gives a known kind exactly for the defined opcodes', () => {
    const defined = definedOpcodes();
    for (let code = 0; code < 256; code++) {
      const end = (code & 0xf0) === 0xd0 && ((code & 7) === 4 || (code & 7) === 7);
      const insn = makeInsn({ code, ...Z, imm: end ? 32 : 0 }, HI);
      expect(insn.kind === 'unknown', `opcode 0x${code.toString(16)}`).toBe(!defined.has(code) && code !== 0xc3 && code !== 0xdb);
    }
  });

  it('knows atomics by their imm, and 8/16-bit atomics only for load-acquire/store-release', () => {
    const cases: [number, number, string, boolean][] = [
      [0xdb, 0x00, 'add', false], [0xdb, 0x01, 'add', true], [0xc3, 0x40, 'or', false], [0xc3, 0x41, 'or', true],
      [0xdb, 0x50, 'and', false], [0xdb, 0x51, 'and', true], [0xc3, 0xa0, 'xor', false], [0xdb, 0xa1, 'xor', true],
      [0xdb, 0xe1, 'xchg', true], [0xc3, 0xf1, 'cmpxchg', true], [0xd3, 0x100, 'load_acquire', false],
      [0xcb, 0x110, 'store_release', false], [0xdb, 0x100, 'load_acquire', false],
    ];
    for (const [code, imm, op, fetch] of cases) {
      expect(makeInsn({ code, dst: 1, src: 2, off: 0, imm })).toMatchObject({ kind: 'atomic', op, fetch });
    }
    for (const [code, imm] of [[0xdb, 0x02], [0xdb, 0xe0], [0xdb, 0xf0], [0xc3, 0x101], [0xd3, 0x00], [0xcb, 0x01]] as const) {
      expect(makeInsn({ code, dst: 1, src: 2, off: 0, imm }).kind, `0x${code.toString(16)} imm 0x${imm.toString(16)}`).toBe('unknown');
    }
  });

  it('uses off to select sdiv/smod, movsx and address-space casts', () => {
    expect(makeInsn({ code: 0x3f, ...Z, off: 1 })).toMatchObject({ kind: 'alu', op: 'sdiv', class: 'alu64', source: 'x' });
    expect(makeInsn({ code: 0x94, ...Z, off: 1 })).toMatchObject({ kind: 'alu', op: 'smod', class: 'alu', source: 'k' });
    expect(makeInsn({ code: 0x3f, ...Z, off: 2 }).kind).toBe('unknown');
    expect(makeInsn({ code: 0x07, ...Z, off: 1 }).kind).toBe('unknown');
    expect(makeInsn({ code: 0xbf, ...Z, off: 32 })).toMatchObject({ kind: 'movsx', bits: 32, class: 'alu64' });
    expect(makeInsn({ code: 0xbc, ...Z, off: 16 })).toMatchObject({ kind: 'movsx', bits: 16, class: 'alu' });
    expect(makeInsn({ code: 0xbc, ...Z, off: 32 }).kind).toBe('unknown');
    expect(makeInsn({ code: 0xb7, ...Z, off: 8 }).kind).toBe('unknown');
    expect(makeInsn({ code: 0xbf, ...Z, off: 1, imm: 0x10002 })).toMatchObject({ kind: 'addr_space_cast', dstAddrSpace: 1, srcAddrSpace: 2 });
    expect(makeInsn({ code: 0xbc, ...Z, off: 1 }).kind).toBe('unknown');
  });

  it('uses imm to select the width of byte swaps', () => {
    expect(makeInsn({ code: 0xd4, ...Z, imm: 16 })).toMatchObject({ kind: 'endian', order: 'le', bits: 16 });
    expect(makeInsn({ code: 0xdc, ...Z, imm: 64 })).toMatchObject({ kind: 'endian', order: 'be', bits: 64 });
    expect(makeInsn({ code: 0xd7, ...Z, imm: 32 })).toMatchObject({ kind: 'endian', order: 'bswap', bits: 32, class: 'alu64' });
    expect(makeInsn({ code: 0xd4, ...Z, imm: 8 }).kind).toBe('unknown');
    expect(makeInsn({ code: 0xdf, ...Z, imm: 16 }).kind).toBe('unknown');
  });

  it('names the callee and the pseudo source by src', () => {
    expect(makeInsn({ code: 0x85, ...Z, imm: 6 })).toMatchObject({ kind: 'call', callee: 'helper' });
    expect(makeInsn({ code: 0x85, ...Z, src: 1, imm: -1 })).toMatchObject({ kind: 'call', callee: 'subprog' });
    expect(makeInsn({ code: 0x85, ...Z, src: 2, imm: 1234, off: 1 })).toMatchObject({ kind: 'call', callee: 'kfunc' });
    expect(makeInsn({ code: 0x85, ...Z, src: 3 })).toMatchObject({ kind: 'call', callee: 'other' });
    const names = ['none', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value', 'other'];
    for (let src = 0; src < 8; src++) {
      expect(makeInsn({ code: 0x18, ...Z, src }, HI)).toMatchObject({ kind: 'ld_imm64', pseudo: names[src] });
    }
  });

  it('keeps unused fields as they are (the ISA reserves them; reservedFields lists them)', () => {
    const j = makeInsn({ code: 0x15, dst: 1, src: 7, off: 3, imm: 9 });
    expect(j).toMatchObject({ kind: 'jump', op: 'jeq', source: 'k', src: 7 });
    expect(reservedFields(j)).toEqual(['src']);
    expect(reservedFields(makeInsn({ code: 0x95, ...Z, imm: 1 }))).toEqual(['imm']);
    expect(reservedFields(makeInsn({ code: 0x85, ...Z, src: 2, off: 3, imm: 7 }))).toEqual([]);
    expect(reservedFields(makeInsn({ code: 0x85, ...Z, dst: 1, off: 3, imm: 7 }))).toEqual(['dst', 'off']);
    expect(reservedFields(makeInsn({ code: 0x18, ...Z, off: 1 }, { ...HI, code: 1 }))).toEqual(['off', 'hi']);
    for (const insn of allKinds()) expect(reservedFields(insn), insn.kind).toEqual([]);
  });
});

/** One clean instruction of every kind, made by the builders. */
function allKinds(): Insn[] {
  return [
    aluImm('alu64', 'add', 1, -5), aluReg('alu', 'sdiv', 2, 3), aluImm('alu', 'neg', 4, 0), movsx('alu64', 32, 1, 2),
    makeInsn({ code: 0xbf, dst: 1, src: 2, off: 1, imm: 1 }), endian('be', 16, 3), endian('bswap', 64, 3),
    jumpImm('jmp32', 'jslt', 1, -5, -3), jumpReg('jmp', 'jset', 1, 2, 7), ja(4), ja(-70000, true), mayGoto(2),
    call('helper', 6), call('subprog', -1), call('kfunc', 1234, 2), makeInsn({ code: 0x8d, ...Z, dst: 3 }), exit(),
    ldImm64(1, 0x123456789abcdef0n), ldImm64(2, 3n, 'map_fd'), makeInsn({ code: 0x30, ...Z, imm: 14 }),
    makeInsn({ code: 0x48, ...Z, src: 3 }), load(4, 1, 2, 8), load(2, 1, 10, -8, true), store(8, 10, -8, 1),
    storeImm(1, 10, -1, -1), atomic(8, 'add', 1, 0, 2), atomic(4, 'or', 1, 4, 2, true), atomic(8, 'cmpxchg', 1, 0, 2),
    atomic(1, 'load_acquire', 1, 0, 2), atomic(2, 'store_release', 1, 0, 2),
  ];
}

describe('builders', () => {
  it('set the raw fields', () => {
    expect(aluImm('alu64', 'sdiv', 1, -3)).toMatchObject({ code: 0x37, dst: 1, src: 0, off: 1, imm: -3, kind: 'alu', op: 'sdiv' });
    expect(aluReg('alu', 'mov', 1, 2)).toMatchObject({ code: 0xbc, dst: 1, src: 2, kind: 'alu', op: 'mov', class: 'alu' });
    expect(movsx('alu', 8, 1, 2)).toMatchObject({ code: 0xbc, off: 8, kind: 'movsx', bits: 8 });
    expect(endian('le', 32, 5)).toMatchObject({ code: 0xd4, dst: 5, imm: 32, kind: 'endian', order: 'le' });
    expect(endian('bswap', 16, 5)).toMatchObject({ code: 0xd7, imm: 16, order: 'bswap' });
    expect(jumpImm('jmp', 'jne', 1, 0, 5)).toMatchObject({ code: 0x55, dst: 1, off: 5, imm: 0, kind: 'jump', op: 'jne' });
    expect(jumpReg('jmp32', 'jsle', 1, 2, -1)).toMatchObject({ code: 0xde, src: 2, off: -1 });
    expect(ja(-1)).toMatchObject({ code: 0x05, off: -1, imm: 0, kind: 'ja', class: 'jmp' });
    expect(ja(100000, true)).toMatchObject({ code: 0x06, off: 0, imm: 100000, kind: 'ja', class: 'jmp32' });
    expect(mayGoto(3)).toMatchObject({ code: 0xe5, off: 3, kind: 'may_goto' });
    expect(call('kfunc', 99, 2)).toMatchObject({ code: 0x85, src: 2, off: 2, imm: 99, callee: 'kfunc' });
    expect(call('helper', 1, 5)).toMatchObject({ off: 0 });
    expect(exit()).toMatchObject({ code: 0x95, kind: 'exit' });
    expect(load(1, 1, 2, 3, true)).toMatchObject({ code: 0x91, kind: 'load', size: 1, signed: true });
    expect(load(8, 1, 2, 3)).toMatchObject({ code: 0x79, size: 8, signed: false });
    expect(store(2, 10, -2, 1)).toMatchObject({ code: 0x6b, dst: 10, src: 1, off: -2, kind: 'store', size: 2 });
    expect(storeImm(4, 10, -4, 7)).toMatchObject({ code: 0x62, imm: 7, kind: 'store_imm', size: 4 });
    expect(atomic(4, 'xchg', 1, 8, 2)).toMatchObject({ code: 0xc3, imm: 0xe1, kind: 'atomic', op: 'xchg', fetch: true });
    expect(atomic(8, 'xor', 1, 8, 2, true)).toMatchObject({ code: 0xdb, imm: 0xa1, op: 'xor', fetch: true });
  });

  it('split a 64-bit immediate over two slots', () => {
    const a = ldImm64(1, 0x123456789abcdef0n);
    expect(a).toMatchObject({ kind: 'ld_imm64', code: 0x18, dst: 1, src: 0, imm: 0x9abcdef0 | 0, value: 0x123456789abcdef0n, pseudo: 'none' });
    expect(a.kind === 'ld_imm64' && a.hi).toEqual({ code: 0, dst: 0, src: 0, off: 0, imm: 0x12345678 });
    const m = ldImm64(1, -1n, 'map_value');
    expect(m).toMatchObject({ src: 2, imm: -1, value: 0xffffffffffffffffn, pseudo: 'map_value' });
    expect(insnSlots(m)).toBe(2);
    expect(insnSlots(exit())).toBe(1);
  });
});

describe('withFields', () => {
  it('changes raw fields and classifies again', () => {
    const l = load(4, 1, 2, 8);
    expect(withFields(l, { off: 16 })).toMatchObject({ kind: 'load', off: 16, size: 4 });
    expect(withFields(l, { code: 0x69 })).toMatchObject({ kind: 'load', size: 2 });
    expect(withFields(aluImm('alu64', 'div', 1, 3), { off: 1 })).toMatchObject({ op: 'sdiv' });
    expect(withFields(ldImm64(1, 5n, 'map_fd'), { value: 0xfedcba9876543210n })).toMatchObject({ value: 0xfedcba9876543210n, pseudo: 'map_fd' });
    expect(l).toMatchObject({ off: 8 });
  });

  it('rejects out-of-range fields with INSN_BAD_FIELD', () => {
    const bad: Partial<InsnFields>[] = [{ dst: 16 }, { src: -1 }, { off: 0x8000 }, { off: -0x8001 }, { imm: 0x80000000 }, { code: 256 }, { imm: 1.5 }];
    for (const patch of bad) {
      let err: unknown;
      try {
        withFields(exit(), patch);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(patch)).toBeInstanceOf(InsnError);
      expect(err).toBeInstanceOf(BtfkitError);
      expect((err as InsnError).code).toBe('INSN_BAD_FIELD');
    }
    expect(() => withFields(ldImm64(1, 0n), { value: 1n << 64n })).toThrow(InsnError);
    expect(() => makeInsn({ code: 0x18, ...Z })).toThrow(/second slot/);
  });
});

describe('jumpOffset', () => {
  it('reads off, or imm for gotol', () => {
    expect(jumpOffset(jumpImm('jmp', 'jeq', 1, 0, -4))).toBe(-4);
    expect(jumpOffset(ja(7))).toBe(7);
    expect(jumpOffset(ja(70000, true))).toBe(70000);
    expect(jumpOffset(mayGoto(2))).toBe(2);
    expect(jumpOffset(call('subprog', 5))).toBeUndefined();
    expect(jumpOffset(exit())).toBeUndefined();
  });
});
