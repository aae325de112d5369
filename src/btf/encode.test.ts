import { describe, expect, it } from 'vitest';
import { isBtfkitError } from '../errors.js';
import { typeId } from '../binary/units.js';
import { Btf } from './btf.js';
import { BtfBuilder, encodeBtf, knownKindLayout, type BtfTypeInput } from './encode.js';

const le32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const be32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, false);
const strings = (b: Uint8Array, btf: Btf): string => new TextDecoder().decode(b.subarray(btf.strStart, btf.strStart + btf.strLen));

function expectEncodeError(f: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(isBtfkitError(thrown, 'BTF_ENCODE'), String(thrown)).toBe(true);
  if (message !== undefined) expect((thrown as Error).message).toMatch(message);
}

describe('BtfBuilder', () => {
  it('writes header, records and a deduplicated string table', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, { signed: true });
    expect(int).toBe(1);
    expect(b.addPtr(int)).toBe(2);
    expect(b.addTypedef('int', int)).toBe(3); // same name: same offset
    const out = b.encode();
    // header
    expect([out[0], out[1], out[2], out[3]]).toEqual([0x9f, 0xeb, 1, 0]);
    expect(le32(out, 4)).toBe(24);
    expect(le32(out, 8)).toBe(0); // type_off
    expect(le32(out, 12)).toBe(16 + 12 + 12); // INT has 4 extra bytes
    expect(le32(out, 16)).toBe(40); // str_off right after the types
    expect(le32(out, 20)).toBe(5); // "\0int\0"
    expect(out.length).toBe(24 + 40 + 5);
    // INT record: name_off 1, info kind 1, size 4, encoding SIGNED, 32 bits
    expect([le32(out, 24), le32(out, 28), le32(out, 32), le32(out, 36)]).toEqual([1, 0x01000000, 4, 0x01000020]);
    // PTR: anonymous (offset 0), kind 2, type 1
    expect([le32(out, 40), le32(out, 44), le32(out, 48)]).toEqual([0, 0x02000000, 1]);
    // TYPEDEF shares "int"
    expect(le32(out, 52)).toBe(1);
    const btf = Btf.parse(out);
    expect(strings(out, btf)).toBe('\0int\0');
    expect(btf.type(3)).toEqual({ kind: 'typedef', id: 3, name: 'int', type: 1 });
  });

  it('appends strings in order of first use: type name, then member names', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4);
    b.addStruct('s', 8, [{ name: 'b', type: int, bitOffset: 0 }, { name: 'a', type: int, bitOffset: 32 }, { name: 'int', type: int, bitOffset: 0 }]);
    b.addEnum('e', 4, [{ name: 'A', value: 1 }]);
    b.addFuncProto(int, [{ name: 'a', type: int }, { type: 0 }]);
    const out = b.encode();
    expect(strings(out, Btf.parse(out))).toBe('\0int\0s\0b\0a\0e\0A\0');
  });

  it('writes big-endian BTF', () => {
    const b = new BtfBuilder({ littleEndian: false });
    b.addInt('long', 8, { signed: true });
    b.addEnum64('e', 8, [{ name: 'X', value: 0x1_0000_0002n }]);
    const out = b.encode();
    expect([out[0], out[1]]).toEqual([0xeb, 0x9f]);
    expect(be32(out, 4)).toBe(24);
    expect(be32(out, 24 + 4)).toBe(0x01000000);
    // enum64 value: lo32 then hi32, each in big-endian
    expect([be32(out, 40 + 12 + 4), be32(out, 40 + 12 + 8)]).toEqual([2, 1]);
    const btf = Btf.parse(out);
    expect(btf.littleEndian).toBe(false);
    expect(btf.type(2)).toMatchObject({ kind: 'enum64', signed: false, values: [{ name: 'X', value: 0x1_0000_0002n }] });
  });

  it('sets kind_flag for bitfields and packs bitfield size and offset', () => {
    const b = new BtfBuilder();
    const u = b.addInt('unsigned int', 4);
    const s = b.addStruct('bf', 4, [{ name: 'a', type: u, bitOffset: 0, bitfieldSize: 3 }, { name: 'b', type: u, bitOffset: 3, bitfieldSize: 29 }]);
    const out = b.encode();
    const btf = Btf.parse(out);
    expect(btf.type(s)).toMatchObject({ kindFlag: true, members: [{ bitOffset: 0, bitfieldSize: 3 }, { bitOffset: 3, bitfieldSize: 29 }] });
    const rec = btf.recordOffset(s);
    expect(btf.u32(rec + 4) >>> 31).toBe(1);
    expect(btf.u32(rec + 12 + 12 + 8)).toBe(((29 << 24) | 3) >>> 0);
  });

  it('picks signed enums for negative values and keeps unsigned 32-bit values', () => {
    const b = new BtfBuilder();
    const e = b.addEnum('e', 4, [{ name: 'N', value: -2 }]);
    const u = b.addEnum('u', 4, [{ name: 'M', value: 0xffffffff }]);
    const s64 = b.addEnum64('s', 8, [{ name: 'MIN', value: -(2n ** 63n) }]);
    const btf = Btf.parse(b.encode());
    expect(btf.type(e)).toMatchObject({ signed: true, values: [{ value: -2 }] });
    expect(btf.type(u)).toMatchObject({ signed: false, values: [{ value: 0xffffffff }] });
    expect(btf.type(s64)).toMatchObject({ signed: true, values: [{ value: -(2n ** 63n) }] });
  });

  it('allows forward references and rejects dangling ones when encoding', () => {
    const b = new BtfBuilder();
    const p = b.addPtr(2); // the struct comes next
    b.addStruct('node', 8, [{ name: 'next', type: p, bitOffset: 0 }]);
    expect(Btf.parse(b.encode()).type(1)).toMatchObject({ kind: 'ptr', type: 2 });
    b.addTypedef('bad', 99);
    expectEncodeError(() => b.encode(), /type \[3\] \(typedef\): referenced type 99 does not exist/);
  });

  it('add() takes decoded types (their id is ignored)', () => {
    const src = new BtfBuilder();
    src.addInt('int', 4, { signed: true });
    src.addConst(1);
    const decoded = Btf.parse(src.encode());
    const b = new BtfBuilder();
    b.addFloat('float', 4);
    b.add(decoded.type(1) as BtfTypeInput);
    b.add({ kind: 'const', name: '', type: typeId(2) });
    const btf = Btf.parse(b.encode());
    expect(btf.type(2)).toMatchObject({ kind: 'int', id: 2, name: 'int' });
    expect(btf.type(3)).toEqual({ kind: 'const', id: 3, name: '', type: 2 });
  });

  it('writes split BTF that continues its base: ids, string offsets, base strings reused', () => {
    const base = new BtfBuilder();
    base.addInt('int', 4, { signed: true });
    base.addStruct('task', 4, [{ name: 'pid', type: 1, bitOffset: 0 }]);
    const baseBtf = Btf.parse(base.encode()); // strings "\0int\0task\0pid\0" (14 bytes)
    const b = new BtfBuilder({ base: baseBtf });
    expect(b.nextId).toBe(3);
    const p = b.addPtr(2);
    b.addStruct('mod', 8, [{ name: 'pid', type: 1, bitOffset: 0 }, { name: 'owner', type: p, bitOffset: 0 }]);
    const out = b.encode();
    const split = Btf.parse(out, { base: baseBtf });
    expect(split.startId).toBe(3);
    expect(split.startStrOff).toBe(14);
    // own strings: no leading NUL, only strings the base lacks
    expect(strings(out, split)).toBe('mod\0owner\0');
    const rec = split.recordOffset(4);
    expect(split.u32(rec)).toBe(14); // "mod"
    expect(split.u32(rec + 12)).toBe(10); // "pid" from the base
    expect(split.type(4)).toMatchObject({ name: 'mod', members: [{ name: 'pid', type: 1 }, { name: 'owner', type: 3 }] });
    expect(encodeBtf(split)).toEqual(out);
    expect(encodeBtf(split, { strings: 'rebuild' })).toEqual(out);
  });

  it('writes a layout section with a 32-byte header and sizes unknown kinds with it', () => {
    const layout = [...knownKindLayout(), { info: 0, elem: 0 }, { info: 4, elem: 8, flags: 0x1234 }];
    const b = new BtfBuilder({ layout, littleEndian: false });
    expect(b.format).toBe('extended');
    b.addInt('int', 4);
    const data = Uint8Array.from({ length: 4 + 2 * 8 }, (_, i) => i);
    b.add({ kind: 'unknown', name: 'new', kindNumber: 21, vlen: 2, kindFlag: true, sizeOrType: 7, data });
    const out = b.encode();
    expect(be32(out, 4)).toBe(32);
    const btf = Btf.parse(out);
    expect(btf.header).toMatchObject({ hdrLen: 32, typeOff: 0, typeLen: 16 + 12 + 20, layoutOff: 48, layoutLen: 4 * 22, strOff: 48 + 88 });
    // the flags word is in the blob's byte order
    expect([out[32 + 48 + 84 + 2], out[32 + 48 + 84 + 3]]).toEqual([0x12, 0x34]);
    expect(btf.type(2)).toEqual({ kind: 'unknown', id: 2, name: 'new', kindNumber: 21, vlen: 2, kindFlag: true, sizeOrType: 7, data });
    expect(encodeBtf(btf)).toEqual(out);
  });

  it('keeps header version, flags, length and extra bytes', () => {
    const extra = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const b = new BtfBuilder({ version: 2, flags: 0x80, headerLength: 40, headerExtra: extra });
    b.addInt('char', 1, { char: true });
    const out = b.encode();
    expect([out[2], out[3]]).toEqual([2, 0x80]);
    expect(le32(out, 4)).toBe(40);
    expect([le32(out, 24), le32(out, 28)]).toEqual([0, 0]); // no layout section
    expect(out.subarray(32, 40)).toEqual(extra);
    const btf = Btf.parse(out);
    expect(btf.type(1)).toMatchObject({ kind: 'int', encodingBits: 2, signed: false });
    expect(encodeBtf(btf)).toEqual(out);
  });

  it('covers every kind', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, { signed: true });
    b.addPtr(int);
    b.addArray(int, int, 3);
    b.addStruct('s', 4, [{ name: 'x', type: int, bitOffset: 0 }]);
    b.addUnion('u', 4, [{ name: 'x', type: int, bitOffset: 0 }]);
    b.addEnum('e', 4, [{ name: 'A', value: 0 }]);
    b.addFwd('f', 'union');
    b.addTypedef('t', int);
    b.addVolatile(int);
    b.addConst(int);
    b.addRestrict(2);
    const proto = b.addFuncProto(int, [{ name: 'a', type: int }]);
    b.addFunc('fn', proto, 'global');
    const v = b.addVar('v', int, 'static');
    b.addDatasec('.bss', 4, [{ type: v, offset: 0, size: 4 }]);
    b.addFloat('float', 4);
    b.addDeclTag('tag', v, -1);
    b.addTypeTag('user', int, { attribute: true });
    b.addEnum64('e64', 8, [{ name: 'B', value: 1n }]);
    const btf = Btf.parse(b.encode());
    expect([...btf.types()].map((t) => t.kind)).toEqual([
      'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
      'func_proto', 'func', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64',
    ]);
    expect(btf.type(7)).toMatchObject({ fwdKind: 'union' });
    expect(btf.type(18)).toMatchObject({ attribute: true });
  });
});

describe('BtfBuilder validation (BTF_ENCODE)', () => {
  const b = (): BtfBuilder => new BtfBuilder();
  const members = (n: number): { name: string; type: number; bitOffset: number }[] => Array.from({ length: n }, () => ({ name: 'm', type: 0, bitOffset: 0 }));

  it('vlen above 0xffff in the classic format, up to 0xffffff in the extended one', () => {
    expectEncodeError(() => b().addStruct('big', 0, members(0x10000)), /vlen 65536 exceeds 65535 \(classic format\)/);
    expect(new BtfBuilder({ format: 'extended' }).addStruct('big', 0, members(0x10000))).toBe(1);
  });

  it('bitfields that do not fit', () => {
    expectEncodeError(() => b().addStruct('s', 4, [{ name: 'x', type: 0, bitOffset: 0, bitfieldSize: 256 }]), /bitfield size 256/);
    expectEncodeError(() => b().addStruct('s', 4, [{ name: 'x', type: 0, bitOffset: 0x1000000, bitfieldSize: 1 }]), /does not fit in 24 bits/);
    expectEncodeError(() => b().addStruct('s', 4, [{ name: 'x', type: 0, bitOffset: 0, bitfieldSize: 1 }], { kindFlag: false }), /kind_flag is not set/);
    expect(b().addStruct('s', 4, [{ name: 'x', type: 0, bitOffset: 0xffffffff }])).toBe(1); // fine without kind_flag
  });

  it('ints', () => {
    expectEncodeError(() => b().addInt('wide', 32), /bits 256/);
    expectEncodeError(() => b().addInt('x', 4, { bitOffset: 256 }), /bit offset 256/);
    expectEncodeError(() => b().addInt('x', -1), /size -1 is not a u32/);
    expectEncodeError(() => b().add({ kind: 'int', name: 'x', size: 4 as never, encodingBits: 1, signed: false, bitOffset: 0 as never, bits: 32 as never }), /signed disagrees/);
    expectEncodeError(() => b().add({ kind: 'int', name: 'x', size: 4 as never, encodingBits: 16, signed: false, bitOffset: 0 as never, bits: 32 as never }), /4 bits/);
  });

  it('enumerator values outside their type', () => {
    expectEncodeError(() => b().addEnum('e', 4, [{ name: 'A', value: 0x100000000 }]), /does not fit in u32/);
    expectEncodeError(() => b().addEnum('e', 4, [{ name: 'A', value: -1 }, { name: 'B', value: 0x80000000 }]), /does not fit in s32/);
    expectEncodeError(() => b().addEnum('e', 4, [{ name: 'A', value: 1.5 }]));
    expectEncodeError(() => b().addEnum64('e', 8, [{ name: 'A', value: 2n ** 64n }]), /does not fit in u64/);
    expectEncodeError(() => b().addEnum64('e', 8, [{ name: 'A', value: 2n ** 63n }], { signed: true }), /does not fit in s64/);
  });

  it('names that cannot be written', () => {
    expectEncodeError(() => b().addTypedef('a\0b', 0), /NUL/);
    expectEncodeError(() => b().addStruct('s', 0, [{ name: '\ud800', type: 0, bitOffset: 0 }]), /lone surrogate/);
  });

  it('references, linkage, component index, sizes', () => {
    expectEncodeError(() => b().addPtr(-1), /not a type id/);
    expectEncodeError(() => b().addPtr(1.5), /not a type id/);
    expectEncodeError(() => b().addFunc('f', 0, -1), /linkage/);
    expectEncodeError(() => b().addVar('v', 0, 2 ** 32), /linkage/);
    expectEncodeError(() => b().addDeclTag('t', 0, 2 ** 31), /component index/);
    expectEncodeError(() => b().addArray(0, 0, 2 ** 32), /nelems/);
    expectEncodeError(() => b().addDatasec('.data', 0, [{ type: 0, offset: -4, size: 4 }]), /offset/);
  });

  it('unknown kinds need a layout entry and matching data', () => {
    const unknown = (kindNumber: number, dataLen: number): BtfTypeInput => ({ kind: 'unknown', name: '', kindNumber, vlen: 1, kindFlag: false, sizeOrType: 0, data: new Uint8Array(dataLen) });
    expectEncodeError(() => b().add(unknown(20, 0)), /no layout entry/);
    const layout = [...knownKindLayout(), { info: 4, elem: 4 }, { info: 2, elem: 0 }];
    expectEncodeError(() => new BtfBuilder({ layout }).add(unknown(20, 4)), /data has 4 bytes, layout says 4 \+ 1 x 4/);
    expectEncodeError(() => new BtfBuilder({ layout }).add(unknown(21, 2)), /not multiples of 4/);
    expectEncodeError(() => new BtfBuilder({ layout }).add(unknown(3, 0)), /not an unknown kind/);
    expectEncodeError(() => new BtfBuilder({ layout }).add(unknown(128, 0)), /not an unknown kind/);
    expect(new BtfBuilder({ layout }).add(unknown(20, 8))).toBe(1);
  });

  it('header and seed options', () => {
    expectEncodeError(() => new BtfBuilder({ headerLength: 20 }), /header length/);
    expectEncodeError(() => new BtfBuilder({ layout: [], headerLength: 24 }), /header length/);
    expectEncodeError(() => new BtfBuilder({ headerLength: 28, headerExtra: new Uint8Array(2) }), /room for 4/);
    expectEncodeError(() => new BtfBuilder({ version: 256 }));
    expectEncodeError(() => new BtfBuilder({ layout: [{ info: 300, elem: 0 }] }), /layout entry/);
    expectEncodeError(() => new BtfBuilder({ strings: Uint8Array.of(0, 97) }), /NUL/);
    expectEncodeError(() => new BtfBuilder({ strings: Uint8Array.of(97, 0) }), /empty string/);
  });
});

describe('encodeBtf string modes', () => {
  // A hand-made blob whose string table has an unused string and is not in first-use order.
  function oddTable(): Uint8Array {
    const seed = new TextEncoder().encode('\0unused\0long\0int\0');
    const b = new BtfBuilder({ strings: seed });
    b.addInt('int', 4, { signed: true });
    b.addInt('long', 8, { signed: true });
    return b.encode();
  }

  it('preserve keeps the table verbatim (and appends what is missing)', () => {
    const blob = oddTable();
    const btf = Btf.parse(blob);
    expect(strings(blob, btf)).toBe('\0unused\0long\0int\0');
    expect(btf.u32(btf.recordOffset(1))).toBe(13); // "int" found in the seed
    expect(encodeBtf(btf)).toEqual(blob);
    expect(encodeBtf(btf, { strings: 'preserve' })).toEqual(blob);
  });

  it('rebuild writes a fresh table in first-use order', () => {
    const btf = Btf.parse(oddTable());
    const out = encodeBtf(btf, { strings: 'rebuild' });
    const again = Btf.parse(out);
    expect(strings(out, again)).toBe('\0int\0long\0');
    expect([...again.types()]).toEqual([...btf.types()]);
  });

  it('can change the byte order', () => {
    const btf = Btf.parse(oddTable());
    const out = encodeBtf(btf, { littleEndian: false });
    const again = Btf.parse(out);
    expect(again.littleEndian).toBe(false);
    expect([...again.types()]).toEqual([...btf.types()]);
    expect(encodeBtf(again, { littleEndian: true })).toEqual(btf.bytes);
  });

  it('finds names with invalid UTF-8 at their original offset', () => {
    const seed = Uint8Array.of(0, 0xff, 0x61, 0, 0xc3, 0);
    const b = new BtfBuilder({ strings: seed });
    b.add({ kind: 'fwd', name: 'x', fwdKind: 'struct' });
    const blob = b.encode();
    // point the FWD's name at the invalid bytes
    new DataView(blob.buffer).setUint32(24, 1, true);
    const btf = Btf.parse(blob);
    expect(btf.nameOf(1)).toBe('\ufffda');
    const out = encodeBtf(btf);
    expect(new DataView(out.buffer).getUint32(24, true)).toBe(1);
    expect(Btf.parse(out).type(1)).toEqual(btf.type(1));
  });
});
