/**
 * Round trips through the encoder:
 * - every kernel BTF of the corpus (vmlinux in both byte orders, split module BTF on its base):
 *   decode, then `encodeBtf`, gives back the input bytes;
 * - builder-made BTF of every kind: decode(encode(x)) equals x, for random x too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Btf, typeId, type BtfType } from 'btfkit';
import { BtfBuilder, encodeBtf, knownKindLayout, type BtfLayoutEntry, type BtfTypeInput } from 'btfkit/btf';
import { kernelsForTests, readBtfFile, type KernelFile } from './helpers/kernels.js';
import { allKindsBtf, modelDiff, sameType } from './helpers/fuzz.js';

const kernels = kernelsForTests();
const parsed = new Map<string, Btf>();
function load(k: KernelFile): Btf {
  let btf = parsed.get(k.name);
  if (btf === undefined) {
    const base = k.base === undefined ? undefined : load(kernels.find((f) => f.name === k.base)!);
    btf = Btf.parse(readBtfFile(k.path), base === undefined ? {} : { base });
    parsed.set(k.name, btf);
  }
  return btf;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every own type of `b` equals the one of `a` with the same id. */
function expectSameTypes(a: Btf, b: Btf): void {
  expect(b.ownTypeCount).toBe(a.ownTypeCount);
  for (let id = a.startId; id <= a.lastId; id++) {
    const x = a.type(id);
    const y = b.type(id);
    if (!sameType(x, y)) expect.fail(`type [${id}] differs: ${modelDiff(x, y) ?? ''}`);
  }
}

describe('kernel BTF round trip (decode, then encodeBtf)', () => {
  for (const k of kernels) {
    const split = k.base !== undefined;
    it(`${k.name}${split ? ` (split on ${k.base})` : ''}: byte for byte`, () => {
      const btf = load(k);
      const out = encodeBtf(btf);
      expect(out.length).toBe(btf.bytes.length);
      expect(sameBytes(out, btf.bytes)).toBe(true);
      const rebuilt = encodeBtf(btf, { strings: 'rebuild' });
      if (split) {
        // pahole/libbpf built module BTF: first-use order, base strings referenced in the base.
        expect(sameBytes(rebuilt, btf.bytes)).toBe(true);
      } else {
        // vmlinux string tables are in pahole's pre-dedup order: same strings, other order.
        expect(rebuilt.length).toBe(btf.bytes.length);
      }
    });
  }

  const s390x = kernels.find((k) => k.name.startsWith('linux-6.1.0-50-s390x'));
  it.runIf(s390x !== undefined)('big-endian s390x: rebuilt strings and little-endian output decode to the same types', () => {
    const btf = load(s390x!);
    expect(btf.littleEndian).toBe(false);
    const rebuilt = Btf.parse(encodeBtf(btf, { strings: 'rebuild' }));
    expectSameTypes(btf, rebuilt);
    const le = Btf.parse(encodeBtf(btf, { littleEndian: true }));
    expect(le.littleEndian).toBe(true);
    expectSameTypes(btf, le);
    expect(sameBytes(encodeBtf(le, { littleEndian: false }), btf.bytes)).toBe(true);
  });
});

describe('builder round trip (decode(encode(x)) equals x)', () => {
  const cases: [string, () => Uint8Array, Btf | undefined][] = [
    ['every kind, little-endian', () => allKindsBtf(), undefined],
    ['every kind, big-endian', () => allKindsBtf({ littleEndian: false }), undefined],
    ['every kind with a layout section and unknown kinds', () => allKindsBtf({ layout: true }), undefined],
  ];
  for (const [name, make] of cases) {
    it(`${name}: encodeBtf reproduces the builder's bytes`, () => {
      const bytes = make();
      const btf = Btf.parse(bytes);
      expect(sameBytes(encodeBtf(btf), bytes)).toBe(true);
      expect(sameBytes(encodeBtf(btf, { strings: 'rebuild' }), bytes)).toBe(true);
      const kinds = new Set([...btf.types()].map((t) => t.kind));
      for (const k of ['int', 'ptr', 'array', 'struct', 'union', 'enum', 'enum64', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
        'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag'] as const) expect(kinds).toContain(k);
      if (name.includes('layout')) expect(kinds).toContain('unknown');
    });
  }

  it('split BTF of every kind on a small base', () => {
    const base = Btf.parse(allKindsBtf());
    const bytes = allKindsBtf({ base });
    const btf = Btf.parse(bytes, { base });
    expect(btf.startId).toBe(base.lastId + 1);
    expect(sameBytes(encodeBtf(btf), bytes)).toBe(true);
    // every name is already in the base: the split string section is empty
    expect(btf.strLen).toBe(0);
  });

  // Random types of every kind, with references among themselves (and to a base).
  const LAYOUT: BtfLayoutEntry[] = [...knownKindLayout(), { info: 0, elem: 0 }, { info: 4, elem: 8, flags: 3 }];
  const name = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('', 'int', 'x', 'task_struct', 'a___b', 'ünïcode', '😀') },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0') && !s.startsWith('\ufeff')) },
  );
  const u32 = fc.nat({ max: 0xffffffff });
  const s32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  function typeArb(maxId: number, withUnknown: boolean): fc.Arbitrary<BtfTypeInput> {
    const ref = fc.nat(maxId).map(typeId);
    const b = (n: number): never => n as never; // branded units
    const linkage = fc.oneof(fc.constantFrom('static' as const, 'global' as const, 'extern' as const), fc.integer({ min: 3, max: 0xffff }));
    const arbs: fc.Arbitrary<BtfTypeInput>[] = [
      fc.record({ name, size: u32, enc: fc.nat(15), bitOffset: fc.nat(255), bits: fc.nat(255) }).map((r) => ({
        kind: 'int' as const, name: r.name, size: b(r.size), encodingBits: r.enc, signed: (r.enc & 1) !== 0, bitOffset: b(r.bitOffset), bits: b(r.bits),
      })),
      fc.record({ kind: fc.constantFrom('ptr' as const, 'typedef' as const, 'volatile' as const, 'const' as const, 'restrict' as const), name, type: ref }),
      fc.record({ kind: fc.constant('type_tag' as const), name, type: ref, attribute: fc.boolean() }),
      fc.record({ kind: fc.constant('array' as const), name, type: ref, indexType: ref, nelems: u32 }),
      fc.boolean().chain((kindFlag) => fc.record({
        kind: fc.constantFrom('struct' as const, 'union' as const), name, size: u32.map(b), kindFlag: fc.constant(kindFlag),
        members: fc.array(fc.record({
          name, type: ref,
          bitOffset: (kindFlag ? fc.nat(0xffffff) : u32).map(b),
          bitfieldSize: (kindFlag ? fc.nat(255) : fc.constant(0)).map(b),
        }), { maxLength: 5 }),
      })),
      fc.boolean().chain((signed) => fc.record({
        kind: fc.constant('enum' as const), name, size: fc.constantFrom(1, 2, 4, 8).map(b), signed: fc.constant(signed),
        values: fc.array(fc.record({ name, value: signed ? s32 : u32 }), { maxLength: 4 }),
      })),
      fc.boolean().chain((signed) => fc.record({
        kind: fc.constant('enum64' as const), name, size: fc.constantFrom(1, 2, 4, 8).map(b), signed: fc.constant(signed),
        values: fc.array(fc.record({ name, value: signed ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) : fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }), { maxLength: 4 }),
      })),
      fc.record({ kind: fc.constant('fwd' as const), name, fwdKind: fc.constantFrom('struct' as const, 'union' as const) }),
      fc.record({ kind: fc.constant('func' as const), name, type: ref, linkage }),
      fc.record({ kind: fc.constant('func_proto' as const), name, returnType: ref, params: fc.array(fc.record({ name, type: ref }), { maxLength: 4 }) }),
      fc.record({ kind: fc.constant('var' as const), name, type: ref, linkage: fc.oneof(linkage, fc.integer({ min: 3, max: 0xffffffff })) }),
      fc.record({ kind: fc.constant('datasec' as const), name, size: u32.map(b), vars: fc.array(fc.record({ type: ref, offset: u32.map(b), size: u32.map(b) }), { maxLength: 4 }) }),
      fc.record({ kind: fc.constant('float' as const), name, size: u32.map(b) }),
      fc.record({ kind: fc.constant('decl_tag' as const), name, type: ref, componentIdx: s32, attribute: fc.boolean() }),
    ];
    if (withUnknown) {
      arbs.push(fc.record({ name, kindFlag: fc.boolean(), sizeOrType: u32, vlen: fc.nat(3) }).chain((r) =>
        fc.uint8Array({ minLength: 4 + 8 * r.vlen, maxLength: 4 + 8 * r.vlen }).map((data) => ({ kind: 'unknown' as const, kindNumber: 21, ...r, data }))));
      arbs.push(fc.record({ name, kindFlag: fc.boolean(), sizeOrType: u32 }).map((r) => ({ kind: 'unknown' as const, kindNumber: 20, vlen: 0, ...r, data: new Uint8Array(0) })));
    }
    return fc.oneof(...arbs);
  }

  const base = Btf.parse(allKindsBtf());
  const scenario = fc.record({ littleEndian: fc.boolean(), layout: fc.boolean(), split: fc.boolean(), count: fc.integer({ min: 1, max: 25 }) })
    .chain((s) => {
      const first = s.split ? base.lastId + 1 : 1;
      return fc.array(typeArb(first + s.count - 1, s.layout), { minLength: s.count, maxLength: s.count }).map((types) => ({ ...s, types }));
    });

  it('random types: decode(encode(x)) deep-equals x, and encodeBtf reproduces the bytes', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const b = new BtfBuilder({
          littleEndian: s.littleEndian,
          ...(s.layout ? { layout: LAYOUT } : {}),
          ...(s.split ? { base } : {}),
        });
        const ids = s.types.map((t) => b.add(t));
        const bytes = b.encode();
        const btf = Btf.parse(bytes, s.split ? { base } : {});
        s.types.forEach((t, i) => {
          const expected = { ...t, id: ids[i] } as BtfType;
          expect(btf.type(ids[i]!)).toEqual(expected);
        });
        expect(sameBytes(encodeBtf(btf), bytes)).toBe(true);
        expect(sameBytes(encodeBtf(btf, { strings: 'rebuild' }), bytes)).toBe(true);
      }),
      { numRuns: 400, seed: 0xb7f },
    );
  });
});
