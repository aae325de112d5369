import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Btf } from './btf.js';
import { dumpJson } from './dump-json.js';
import type { BtfType } from './types.js';
import { KIND } from './wire.js';
import { ErrorCodes, isBtfkitError } from '../errors.js';
import { readBtfFile, testdataKernels } from '../../test/helpers/kernels.js';

// ---- a tiny raw BTF builder (words and strings, nothing checked) ----

const info = (kind: number, vlen = 0, kflag = false): number => ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;
const u32 = (n: number): number => n >>> 0;

class RawBtf {
  private readonly strings: number[] = [0];
  private readonly words: number[] = [];

  str(s: string | readonly number[]): number {
    const off = this.strings.length;
    for (const c of typeof s === 'string' ? new TextEncoder().encode(s) : s) this.strings.push(c);
    this.strings.push(0);
    return off;
  }

  add(name: string | number, inf: number, sizeOrType: number, ...rest: number[]): number {
    this.words.push(typeof name === 'number' ? name : name === '' ? 0 : this.str(name), inf, sizeOrType, ...rest);
    return this.words.length; // unused
  }

  build(opts: { littleEndian?: boolean; layout?: readonly (readonly [number, number])[] } = {}): Uint8Array {
    const le = opts.littleEndian ?? true;
    const hdrLen = opts.layout === undefined ? 24 : 32;
    const typeLen = this.words.length * 4;
    const layoutLen = (opts.layout?.length ?? 0) * 4;
    const out = new Uint8Array(hdrLen + typeLen + layoutLen + this.strings.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, le);
    out[2] = 1;
    v.setUint32(4, hdrLen, le);
    v.setUint32(12, typeLen, le);
    v.setUint32(16, typeLen + layoutLen, le);
    v.setUint32(20, this.strings.length, le);
    if (opts.layout !== undefined) {
      v.setUint32(24, typeLen, le);
      v.setUint32(28, layoutLen, le);
      opts.layout.forEach(([i, e], k) => {
        out[hdrLen + typeLen + 4 * k] = i;
        out[hdrLen + typeLen + 4 * k + 1] = e;
      });
    }
    this.words.forEach((w, i) => v.setUint32(hdrLen + 4 * i, w >>> 0, le));
    out.set(this.strings, hdrLen + typeLen + layoutLen);
    return out;
  }
}

interface JsonDoc {
  btf: { version: number; endianness: string; start_id: number; types: Record<string, unknown>[] };
}

/** The JSON text and its parse, checking the chunk contract on the way. */
function dump(btf: Btf): { text: string; doc: JsonDoc } {
  const parts: Uint8Array[] = [];
  dumpJson(btf, (chunk) => parts.push(chunk.slice()));
  const bytes = Buffer.concat(parts);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // valid UTF-8
  return { text, doc: JSON.parse(text) as JsonDoc };
}

/**
 * The documented JSON object of a model type (docs/btf-json.md), written independently of
 * dump-json.ts: the oracle for the whole-kernel test.
 */
function expectedJson(t: BtfType): Record<string, unknown> {
  const o: Record<string, unknown> = { id: t.id, kind: t.kind, name: t.name };
  const linkage = (l: string | number): string | number => l;
  const int64 = (v: bigint): number | string => (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
  switch (t.kind) {
    case 'void': break;
    case 'int': {
      const enc = { 0: 'none', 1: 'signed', 2: 'char', 4: 'bool' }[t.encodingBits] ?? 'mixed';
      Object.assign(o, { size: t.size, bits_offset: t.bitOffset, nr_bits: t.bits, encoding: enc });
      if (enc === 'mixed') o['encoding_bits'] = t.encodingBits;
      break;
    }
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict':
      o['type_id'] = t.type;
      break;
    case 'type_tag':
      Object.assign(o, { type_id: t.type, kind_flag: t.attribute });
      break;
    case 'array':
      Object.assign(o, { type_id: t.type, index_type_id: t.indexType, nr_elems: t.nelems });
      break;
    case 'struct': case 'union':
      Object.assign(o, {
        size: t.size, vlen: t.members.length, kind_flag: t.kindFlag,
        members: t.members.map((m) => ({ name: m.name, type_id: m.type, bits_offset: m.bitOffset, bitfield_size: m.bitfieldSize })),
      });
      break;
    case 'enum':
      Object.assign(o, { encoding: t.signed ? 'signed' : 'unsigned', size: t.size, vlen: t.values.length, values: t.values.map((v) => ({ name: v.name, val: v.value })) });
      break;
    case 'enum64':
      Object.assign(o, { encoding: t.signed ? 'signed' : 'unsigned', size: t.size, vlen: t.values.length, values: t.values.map((v) => ({ name: v.name, val: int64(v.value) })) });
      break;
    case 'fwd':
      o['fwd_kind'] = t.fwdKind;
      break;
    case 'func':
      Object.assign(o, { type_id: t.type, linkage: linkage(t.linkage) });
      break;
    case 'func_proto':
      Object.assign(o, { ret_type_id: t.returnType, vlen: t.params.length, params: t.params.map((p) => ({ name: p.name, type_id: p.type })) });
      break;
    case 'var':
      Object.assign(o, { type_id: t.type, linkage: linkage(t.linkage) });
      break;
    case 'datasec':
      Object.assign(o, { size: t.size, vlen: t.vars.length, vars: t.vars.map((v) => ({ type_id: v.type, offset: v.offset, size: v.size })) });
      break;
    case 'float':
      o['size'] = t.size;
      break;
    case 'decl_tag':
      Object.assign(o, { type_id: t.type, component_idx: t.componentIdx, kind_flag: t.attribute });
      break;
    case 'unknown':
      Object.assign(o, { kind_number: t.kindNumber, vlen: t.vlen, kind_flag: t.kindFlag, size_or_type: t.sizeOrType, data: Buffer.from(t.data).toString('hex') });
      break;
  }
  return o;
}

function checkAgainstModel(btf: Btf): JsonDoc {
  const { doc } = dump(btf);
  expect(doc.btf.version).toBe(1);
  expect(doc.btf.endianness).toBe(btf.littleEndian ? 'little' : 'big');
  expect(doc.btf.start_id).toBe(btf.startId);
  expect(doc.btf.types).toHaveLength(btf.ownTypeCount);
  const expected: Record<string, unknown>[] = [];
  for (const t of btf.types()) expected.push(expectedJson(t));
  expect(doc.btf.types).toEqual(expected);
  return doc;
}

describe('dumpJson', () => {
  it('writes one type per line, every field of every kind', () => {
    const b = new RawBtf();
    b.add('int', info(KIND.INT), 4, u32((1 << 24) | 32)); // 1
    b.add('odd', info(KIND.INT), 8, u32((3 << 24) | (5 << 16) | 12)); // 2
    b.add('', info(KIND.PTR), 1); // 3
    b.add('', info(KIND.ARRAY), 0, 1, 1, 4); // 4
    b.add('s', info(KIND.STRUCT, 2, true), 8, b.str('a'), 1, u32((3 << 24) | 1), 0, 3, 32); // 5
    b.add('e', info(KIND.ENUM, 2, true), 4, b.str('A'), u32(-7), b.str('B'), 9); // 6
    b.add('ue', info(KIND.ENUM, 1), 4, b.str('U'), 0xffffffff); // 7
    b.add('fu', info(KIND.FWD, 0, true), 0); // 8
    b.add('p', info(KIND.FUNC_PROTO, 2), 1, b.str('x'), 1, 0, 0); // 9
    b.add('f', info(KIND.FUNC, 2), 9); // 10
    b.add('odd_f', info(KIND.FUNC, 9), 9); // 11
    b.add('v', info(KIND.VAR), 1, 1); // 12
    b.add('.data', info(KIND.DATASEC, 1), 4, 12, 0, 4); // 13
    b.add('float', info(KIND.FLOAT), 4); // 14
    b.add('tag', info(KIND.DECL_TAG, 0, true), 5, u32(-1)); // 15
    b.add('tt', info(KIND.TYPE_TAG), 1); // 16
    const { text } = dump(Btf.parse(b.build()));
    expect(text).toBe(`{"btf":{"version":1,"endianness":"little","start_id":1,"types":[
{"id":1,"kind":"int","name":"int","size":4,"bits_offset":0,"nr_bits":32,"encoding":"signed"},
{"id":2,"kind":"int","name":"odd","size":8,"bits_offset":5,"nr_bits":12,"encoding":"mixed","encoding_bits":3},
{"id":3,"kind":"ptr","name":"","type_id":1},
{"id":4,"kind":"array","name":"","type_id":1,"index_type_id":1,"nr_elems":4},
{"id":5,"kind":"struct","name":"s","size":8,"vlen":2,"kind_flag":true,"members":[{"name":"a","type_id":1,"bits_offset":1,"bitfield_size":3},{"name":"","type_id":3,"bits_offset":32,"bitfield_size":0}]},
{"id":6,"kind":"enum","name":"e","encoding":"signed","size":4,"vlen":2,"values":[{"name":"A","val":-7},{"name":"B","val":9}]},
{"id":7,"kind":"enum","name":"ue","encoding":"unsigned","size":4,"vlen":1,"values":[{"name":"U","val":4294967295}]},
{"id":8,"kind":"fwd","name":"fu","fwd_kind":"union"},
{"id":9,"kind":"func_proto","name":"p","ret_type_id":1,"vlen":2,"params":[{"name":"x","type_id":1},{"name":"","type_id":0}]},
{"id":10,"kind":"func","name":"f","type_id":9,"linkage":"extern"},
{"id":11,"kind":"func","name":"odd_f","type_id":9,"linkage":9},
{"id":12,"kind":"var","name":"v","type_id":1,"linkage":"global"},
{"id":13,"kind":"datasec","name":".data","size":4,"vlen":1,"vars":[{"type_id":12,"offset":0,"size":4}]},
{"id":14,"kind":"float","name":"float","size":4},
{"id":15,"kind":"decl_tag","name":"tag","type_id":5,"component_idx":-1,"kind_flag":true},
{"id":16,"kind":"type_tag","name":"tt","type_id":1,"kind_flag":false}
]}}
`);
  });

  it('writes ENUM64 values as numbers while they are safe integers, else as decimal strings', () => {
    const b = new RawBtf();
    const v = (x: bigint): [number, number] => [Number(BigInt.asUintN(64, x) & 0xffffffffn), Number(BigInt.asUintN(64, x) >> 32n)];
    const values: bigint[] = [0n, 5n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n];
    const signed: bigint[] = [-1n, -(2n ** 53n) + 1n, -(2n ** 53n), -(2n ** 63n), 2n ** 63n - 1n];
    b.add('u', info(KIND.ENUM64, values.length), 8, ...values.flatMap((x, i) => [b.str(`U${i}`), ...v(x)]));
    b.add('s', info(KIND.ENUM64, signed.length, true), 8, ...signed.flatMap((x, i) => [b.str(`S${i}`), ...v(x)]));
    const { doc, text } = dump(Btf.parse(b.build()));
    expect(doc.btf.types[0]!['values']).toEqual([
      { name: 'U0', val: 0 }, { name: 'U1', val: 5 }, { name: 'U2', val: 9007199254740991 },
      { name: 'U3', val: '9007199254740992' }, { name: 'U4', val: '18446744073709551615' },
    ]);
    expect(doc.btf.types[1]!['values']).toEqual([
      { name: 'S0', val: -1 }, { name: 'S1', val: -9007199254740991 }, { name: 'S2', val: '-9007199254740992' },
      { name: 'S3', val: '-9223372036854775808' }, { name: 'S4', val: '9223372036854775807' },
    ]);
    expect(text).toContain('{"name":"S1","val":-9007199254740991}');
    expect(text).toContain('"encoding":"signed","size":8,"vlen":5');
  });

  it('escapes names as JSON strings and writes UTF-8 (invalid bytes become U+FFFD)', () => {
    const b = new RawBtf();
    const names = ['quo"te', 'back\\slash', 'tab\tnl\ncr\r', 'ctl\x01\x1f\x7f', 'é€😀'];
    for (const n of names) b.add(n, info(KIND.FLOAT), 4);
    b.add(b.str([0x62, 0xff, 0x61]), info(KIND.FLOAT), 4);
    const { doc, text } = dump(Btf.parse(b.build()));
    expect(doc.btf.types.map((t) => t['name'])).toEqual([...names, 'b\ufffda']);
    expect(text).toContain('"name":"ctl\\u0001\\u001f\x7f"');
    expect(text).toContain('"name":"tab\\tnl\\ncr\\r"');
  });

  it('keeps kinds it does not know, with their raw data', () => {
    const b = new RawBtf();
    b.add('future', info(20, 2, true), 7, 0x11223344, 1, 0xffffffff);
    const layout: [number, number][] = [[0, 0], [4, 0], [0, 0], [12, 0], [0, 12], [0, 12], [0, 8], [0, 0], [0, 0], [0, 0], [0, 0],
      [0, 0], [0, 0], [0, 8], [4, 0], [0, 12], [0, 0], [4, 0], [0, 0], [0, 12], [4, 4]];
    const { doc } = dump(Btf.parse(b.build({ layout, littleEndian: false })));
    expect(doc.btf.endianness).toBe('big');
    expect(doc.btf.types[0]).toEqual({
      id: 1, kind: 'unknown', name: 'future', kind_number: 20, vlen: 2, kind_flag: true, size_or_type: 7,
      data: '1122334400000001ffffffff',
    });
  });

  it('throws BtfParseError on a bad string offset or type id', () => {
    const bad = (build: (b: RawBtf) => void): unknown => {
      const b = new RawBtf();
      build(b);
      try {
        dumpJson(Btf.parse(b.build()), () => {});
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(isBtfkitError(bad((b) => b.add(999, info(KIND.FLOAT), 4)), ErrorCodes.BTF_BAD_STRING_OFFSET)).toBe(true);
    expect(isBtfkitError(bad((b) => b.add('', info(KIND.PTR), 7)), ErrorCodes.BTF_BAD_TYPE_ID)).toBe(true);
  });

  it('agrees with the model for a whole kernel', () => {
    const btf = Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.1.0-56-amd64.btf.gz')));
    const doc = checkAgainstModel(btf);
    expect(doc.btf.types[192]).toMatchObject({ id: 193, kind: 'struct', name: 'task_struct', size: 9792, vlen: 252 });
  });

  it('agrees with the model for big-endian and split BTF', () => {
    checkAgainstModel(Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.1.0-50-s390x.btf.gz'))));
    const base = Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.1.0-56-amd64.btf.gz')));
    const mod = Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.1.0-56-amd64.nf_conntrack.btf.gz')), { base });
    const doc = checkAgainstModel(mod);
    expect(doc.btf.start_id).toBe(100751);
    expect(doc.btf.types[0]).toMatchObject({ id: 100751, name: 'file_system_type' });
  });
});
