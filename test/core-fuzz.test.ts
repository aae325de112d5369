// Hostile CO-RE records: malformed access strings, out-of-range type ids, records pointing
// outside a program, instructions that do not match their record, unknown kinds. The engine
// must answer with results and, where libbpf would fail the object, a CoreRelocationError
// naming program, relo index, instruction and spec; never throw, never hang.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf, isBtfkitError, readElf } from 'btfkit';
import { parseObject } from 'btfkit/object';
import { relocateObject } from 'btfkit/core';
import { readBtfFile, repoRoot, testdataKernels } from './helpers/kernels.js';

const kernel = Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.1.0-56-amd64.btf.gz')));
const fixtures = ['core_mix-bpfel.o', 'core_fields-bpfel.o', 'core_bitfields-bpfeb.o', 'core_enums-bpfel.o', 'core_types-bpfel.o']
  .map((f) => new Uint8Array(readFileSync(join(repoRoot, 'testdata/objects', f))));

/** Byte ranges of the CO-RE records and of the .BTF string section in an object. */
function layout(bytes: Uint8Array): { records: number[]; strings: [number, number]; le: boolean } {
  const elf = readElf(bytes);
  const ext = elf.section('.BTF.ext')!;
  const btf = elf.section('.BTF')!;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = elf.littleEndian;
  const hdrLen = v.getUint32(ext.offset + 4, le);
  const start = ext.offset + hdrLen + v.getUint32(ext.offset + 24, le);
  const end = start + v.getUint32(ext.offset + 28, le);
  const recSize = v.getUint32(start, le);
  const records: number[] = [];
  for (let p = start + 4; p < end;) {
    const n = v.getUint32(p + 4, le);
    for (let i = 0; i < n; i++) records.push(p + 8 + i * recSize);
    p += 8 + n * recSize;
  }
  const bhdr = v.getUint32(btf.offset + 4, le);
  const s0 = btf.offset + bhdr + v.getUint32(btf.offset + 16, le);
  return { records, strings: [s0, s0 + v.getUint32(btf.offset + 20, le)], le };
}

const BOUNDARY = [0, 1, 2, 7, 8, 12, 13, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];

describe('CO-RE engine on hostile records', () => {
  it('answers 3,000 mutated objects with results or a located CoreRelocationError', () => {
    let failures = 0;
    let located = 0;
    fc.assert(fc.property(
      fc.integer({ min: 0, max: fixtures.length - 1 }),
      fc.array(fc.record({ rec: fc.nat(), field: fc.integer({ min: 0, max: 3 }), value: fc.oneof(fc.constantFrom(...BOUNDARY), fc.nat({ max: 400 })) }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.record({ at: fc.nat(), ch: fc.constantFrom(...':0123456789-+ x\0'.split('')) }), { maxLength: 4 }),
      (which, fieldMuts, strMuts) => {
        const bytes = fixtures[which]!.slice();
        const { records, strings, le } = layout(bytes);
        const v = new DataView(bytes.buffer);
        for (const m of fieldMuts) v.setUint32(records[m.rec % records.length]! + m.field * 4, m.value >>> 0, le);
        for (const m of strMuts) bytes[strings[0] + 1 + (m.at % (strings[1] - strings[0] - 2))] = m.ch.charCodeAt(0);
        let obj;
        try {
          obj = parseObject(bytes);
        } catch (e) {
          if (!isBtfkitError(e)) throw e;
          return;
        }
        const res = relocateObject(obj, { targets: [{ name: 'vmlinux', btf: kernel }], includeNonAutoload: true });
        expect(res.results.length).toBe(obj.btfExt?.coreRelos.reduce((n, g) => n + g.records.length, 0) ?? 0);
        if (res.error !== undefined) {
          failures++;
          expect(res.error.name).toBe('CoreRelocationError');
          expect(res.error.code).toBe('CORE_BAD_RELO');
          expect(res.error.reloIndex).toBeTypeOf('number');
          expect(res.error.insn).toBeTypeOf('number');
          expect(res.error.accessSpec).toBeTypeOf('string');
          if (res.error.program !== undefined) located++;
          expect(res.results.some((r) => r.outcome === 'error')).toBe(true);
        }
      },
    ), { numRuns: 3000, seed: 20261201 });
    // the mutations are meant to break things: most runs must reach an error
    expect(failures).toBeGreaterThan(1000);
    expect(located).toBeGreaterThan(failures / 2);
  });
});
