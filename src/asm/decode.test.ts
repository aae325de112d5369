import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BtfkitError } from '../errors.js';
import { decodeInsnAt, decodeInsns, insnIndexes } from './decode.js';
import { disassemble } from './disasm.js';
import { encodeInsn, encodeInsns } from './encode.js';
import { InsnError, InsnErrorCodes } from './errors.js';
import { aluImm, atomic, call, exit, jumpImm, ldImm64, load, makeInsn, movsx, storeImm, type Insn } from './insn.js';
import { insnIndex } from './units.js';

const LE = { littleEndian: true };
const BE = { littleEndian: false };

const hex = (s: string): Uint8Array => new Uint8Array(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('decodeInsns', () => {
  it('decodes little-endian slots (dst in the low nibble)', () => {
    const insns = decodeInsns(hex('79 21 f8 ff 00 00 00 00  b7 03 00 00 fe ff ff ff  95 00 00 00 00 00 00 00'), LE);
    expect(insns).toEqual([
      { kind: 'load', class: 'ldx', code: 0x79, dst: 1, src: 2, off: -8, imm: 0, size: 8, signed: false },
      { kind: 'alu', class: 'alu64', code: 0xb7, dst: 3, src: 0, off: 0, imm: -2, op: 'mov', source: 'k' },
      { kind: 'exit', class: 'jmp', code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ]);
  });

  it('decodes big-endian slots (dst in the high nibble, off and imm big-endian)', () => {
    const insns = decodeInsns(hex('79 12 ff f8 00 00 00 00  b7 30 00 00 ff ff ff fe'), BE);
    expect(insns[0]).toMatchObject({ kind: 'load', dst: 1, src: 2, off: -8 });
    expect(insns[1]).toMatchObject({ kind: 'alu', dst: 3, imm: -2 });
  });

  it('joins the two slots of an LD_IMM64', () => {
    const le = decodeInsns(hex('18 11 00 00 78 56 34 12  00 00 00 00 f0 de bc 9a  95 00 00 00 00 00 00 00'), LE);
    expect(le).toHaveLength(2);
    expect(le[0]).toMatchObject({ kind: 'ld_imm64', dst: 1, src: 1, pseudo: 'map_fd', value: 0x9abcdef012345678n, imm: 0x12345678, hi: { imm: 0x9abcdef0 | 0 } });
    expect(insnIndexes(le)).toEqual([0, 2]);
    const be = decodeInsns(hex('18 11 00 00 12 34 56 78  00 00 00 00 9a bc de f0'), BE);
    expect(be[0]).toMatchObject({ kind: 'ld_imm64', value: 0x9abcdef012345678n });
  });

  it('decodes undefined opcodes as unknown, keeping every field', () => {
    const [u] = decodeInsns(hex('ff 21 34 12 78 56 34 12'), LE);
    expect(u).toEqual({ kind: 'unknown', class: 'alu64', code: 0xff, dst: 1, src: 2, off: 0x1234, imm: 0x12345678 });
  });

  it('reports a length that is not a multiple of 8 as INSN_TRUNCATED with the slot', () => {
    const e = thrown(() => decodeInsns(new Uint8Array(20), LE));
    expect(e).toBeInstanceOf(InsnError);
    expect(e).toMatchObject({ code: 'INSN_TRUNCATED', index: 2 });
  });

  it('reports an LD_IMM64 in the last slot as INSN_TRUNCATED with its index', () => {
    const bytes = encodeInsns([exit(), exit(), exit()], LE);
    bytes[16] = 0x18;
    const e = thrown(() => decodeInsns(bytes, LE));
    expect(e).toBeInstanceOf(InsnError);
    expect(e).toMatchObject({ code: 'INSN_TRUNCATED', index: 2 });
    expect((e as Error).message).toMatch(/^insn #2: LD_IMM64/);
    expect(thrown(() => decodeInsnAt(bytes, insnIndex(2), LE))).toMatchObject({ code: 'INSN_TRUNCATED', index: 2 });
  });

  it('decodes one instruction at a slot', () => {
    const bytes = encodeInsns([exit(), ldImm64(3, 7n), exit()], BE);
    expect(decodeInsnAt(bytes, insnIndex(1), BE)).toMatchObject({ kind: 'ld_imm64', dst: 3, value: 7n });
    expect(decodeInsnAt(bytes, insnIndex(3), BE)).toMatchObject({ kind: 'exit' });
    expect(thrown(() => decodeInsnAt(bytes, insnIndex(4), BE))).toMatchObject({ code: 'INSN_TRUNCATED' });
    expect(thrown(() => decodeInsnAt(bytes, insnIndex(-1), BE))).toMatchObject({ code: 'INSN_TRUNCATED' });
  });
});

describe('encodeInsns', () => {
  it('writes the register nibbles by byte order', () => {
    const i = load(4, 1, 2, 8);
    expect(encodeInsn(i, LE)).toEqual(hex('61 21 08 00 00 00 00 00'));
    expect(encodeInsn(i, BE)).toEqual(hex('61 12 00 08 00 00 00 00'));
    expect(encodeInsn(ldImm64(1, 0x0102030405060708n), BE)).toEqual(hex('18 10 00 00 05 06 07 08  00 00 00 00 01 02 03 04'));
  });

  it('rejects an out-of-range field with its slot index', () => {
    const bad = { ...exit(), dst: 16 } as Insn;
    expect(thrown(() => encodeInsns([ldImm64(1, 0n), bad], LE))).toMatchObject({ code: 'INSN_BAD_FIELD', index: 2 });
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile input: random and mutated streams decode or throw a BtfkitError, never anything else,
// and what decodes encodes back to the same bytes and disassembles.

/** A program using every instruction family, to mutate. */
const SEED_PROGRAM: readonly Insn[] = [
  ldImm64(1, 0x1122334455667788n, 'map_value'), load(8, 2, 1, 8), aluImm('alu64', 'sdiv', 2, -3), movsx('alu64', 16, 3, 2),
  jumpImm('jmp32', 'jslt', 3, 7, 2), atomic(8, 'cmpxchg', 1, 0, 2), storeImm(2, 10, -2, 9), call('kfunc', 77, 1),
  makeInsn({ code: 0xd7, dst: 4, src: 0, off: 0, imm: 64 }), makeInsn({ code: 0x06, dst: 0, src: 0, off: 0, imm: -9 }), exit(),
];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws (failing the property) unless `bytes` decode or fail with INSN_TRUNCATED, and what decodes round-trips and disassembles. */
function check(bytes: Uint8Array): void {
  for (const order of [LE, BE]) {
    let insns: Insn[];
    try {
      insns = decodeInsns(bytes, order);
    } catch (e) {
      if (!(e instanceof BtfkitError) || (e.code as string) !== InsnErrorCodes.INSN_TRUNCATED) throw e;
      continue;
    }
    if (!sameBytes(encodeInsns(insns, order), bytes)) throw new Error('encode(decode(bytes)) differs');
    for (const alu32 of [false, true]) {
      const lines = disassemble(insns, { alu32, symbols: [{ name: 'f', offset: 0 as never }] });
      if (lines.length !== insns.length || lines.some((l) => l.text === '')) throw new Error('bad disassembly');
    }
  }
}

describe('hostile input', () => {
  it('random streams: 60,000 runs', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), (b) => check(b)), { numRuns: 60_000 });
  }, 30_000);

  it('random streams of whole slots with LD_IMM64 opcodes sprinkled in: 20,000 runs', () => {
    const slot = fc.tuple(fc.constantFrom(0x18, 0x18, 0xc3, 0xdb, 0xd3, 0x85, 0x8d, 0xe5, 0xbf, 0x3f), fc.uint8Array({ minLength: 7, maxLength: 7 }));
    const stream = fc.array(fc.oneof(slot.map(([c, r]) => Uint8Array.of(c, ...r)), fc.uint8Array({ minLength: 8, maxLength: 8 })), { maxLength: 12 });
    fc.assert(fc.property(stream, (slots) => {
      const b = new Uint8Array(slots.length * 8);
      slots.forEach((s, i) => b.set(s, i * 8));
      check(b);
    }), { numRuns: 20_000 });
  }, 30_000);

  it('mutated programs: 30,000 runs', () => {
    const seeds = [encodeInsns(SEED_PROGRAM, LE), encodeInsns(SEED_PROGRAM, BE)];
    const mutation = fc.oneof(
      fc.record({ t: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ t: fc.constant('set' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ t: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ t: fc.constant('dup' as const), at: fc.nat() }),
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, muts) => {
      let b = Uint8Array.from(seeds[which]!);
      for (const m of muts) {
        if (b.length === 0) break;
        const at = m.at % b.length;
        if (m.t === 'flip') b[at] = b[at]! ^ (1 << m.bit);
        else if (m.t === 'set') b[at] = m.v;
        else if (m.t === 'cut') b = b.subarray(0, at);
        else {
          const s = at - (at % 8);
          b = Uint8Array.from([...b.subarray(0, s + 8), ...b.subarray(s)]);
        }
      }
      check(b);
    }), { numRuns: 30_000 });
  }, 30_000);
});
