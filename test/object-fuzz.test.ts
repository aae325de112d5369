// Hostile objects: truncated and mutated ELF files, section headers, symbol tables, relocation
// sections and .BTF.ext. Reading an object (and listing, summarising and disassembling it) gives
// a spec or a BtfkitError that names where; never a TypeError/RangeError, never a hang.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBtfkitError, readElf } from 'btfkit';
import { parseObject, listCoreRelos, formatObjectSummary, disassembleObject } from 'btfkit/object';
import { repoRoot } from './helpers/kernels.js';

const seeds = ['globals-bpfel.o', 'core_mix-bpfeb.o', 'progs-bpfel.o', 'maps-bpfeb.o', 'core_enums-bpfel.o']
  .map((f) => new Uint8Array(readFileSync(join(repoRoot, 'testdata/objects', f))));

/** Interesting byte ranges of a seed: ELF header, section headers, and each section's bytes. */
const regions = seeds.map((b) => {
  const elf = readElf(b);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = Number(v.getBigUint64(0x28, elf.littleEndian));
  const out: [number, number][] = [[0, 64], [shoff, shoff + elf.sections.length * 64]];
  for (const s of elf.sections) if (s.size > 0 && s.type !== 8) out.push([s.offset, s.offset + s.size]);
  for (const name of ['.BTF.ext', '.BTF', '.symtab', '.maps']) {
    const s = elf.section(name);
    if (s !== undefined) for (let i = 0; i < 3; i++) out.push([s.offset, s.offset + Math.min(s.size, 64)]);
  }
  return out;
});

const WORDS = [0, 1, 2, 3, 8, 16, 24, 0x40, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

let n = 0;
function exercise(bytes: Uint8Array): 'ok' | 'rejected' {
  try {
    const obj = parseObject(bytes);
    // every spec is listed; one in eight is also summarised and disassembled (the costly part)
    listCoreRelos(obj);
    if (n++ % 8 === 0) {
      formatObjectSummary(obj);
      disassembleObject(obj);
    }
    return 'ok';
  } catch (e) {
    if (!isBtfkitError(e)) throw e;
    expect(e.message.length).toBeGreaterThan(0);
    const where = e as { section?: string; offset?: number };
    if (e.name === 'ElfError' || e.name === 'BtfParseError') expect(where.section !== undefined || where.offset !== undefined).toBe(true);
    return 'rejected';
  }
}

describe('reading hostile objects', () => {
  it('answers 100,000 mutated and truncated objects with a spec or a located BtfkitError', () => {
    const tally = { ok: 0, rejected: 0 };
    const mutation = fc.oneof(
      fc.record({ t: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ t: fc.constant('flip' as const), region: fc.nat(), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ t: fc.constant('word' as const), region: fc.nat(), at: fc.nat(), value: fc.constantFrom(...WORDS) }),
      fc.record({ t: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    );
    const start = Date.now();
    fc.assert(fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, muts) => {
      let b = seeds[which]!.slice();
      const rs = regions[which]!;
      for (const m of muts) {
        if (m.t === 'cut') b = b.slice(0, m.at % b.length);
        else if (m.t === 'byte') { if (b.length > 0) b[m.at % b.length] = m.value; }
        else {
          const [lo, hi] = rs[m.region % rs.length]!;
          const at = lo + (m.at % Math.max(1, hi - lo));
          if (m.t === 'flip') { if (at < b.length) b[at]! ^= 1 << m.bit; }
          else if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at & ~3, m.value, (which & 1) === 0);
        }
      }
      tally[exercise(b)]++;
    }), { numRuns: 100_000, seed: 424242 });
    // both outcomes must be common, or the mutations are not testing anything
    expect(tally.ok).toBeGreaterThan(5_000);
    expect(tally.rejected).toBeGreaterThan(5_000);
    expect(Date.now() - start).toBeLessThan(110_000);
  }, 180_000);
});
