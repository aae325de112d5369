import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Btf } from './btf.js';
import { validateBtf, type ValidateOptions, type ValidationError } from './validate.js';
import { KIND } from './wire.js';
import { BlobBuilder, info, layoutOf, mutate, Rng } from '../../test/helpers/mutate.js';
import { kernelsForTests, readBtfFile } from '../../test/helpers/kernels.js';

// BTFKIT_VALIDATE_DUMP=DIR writes every blob checked without options to DIR (ok-N.btf /
// err-N.btf), to compare these expectations with the kernel's (../shared/oracle/btf-load).
const dumpDir = process.env['BTFKIT_VALIDATE_DUMP'];
let dumped = 0;
function dump(blob: Uint8Array, options: ValidateOptions | undefined, expectOk: boolean): void {
  if (dumpDir === undefined || options !== undefined || blob.length > 1 << 20) return;
  writeFileSync(join(dumpDir, `${expectOk ? 'ok' : 'err'}-${dumped++}.btf`), blob);
}

function ok(blob: Uint8Array, options?: ValidateOptions): void {
  dump(blob, options, true);
  const r = validateBtf(blob, options);
  expect(r.ok ? 'ok' : `${r.error.message} / ${r.error.kernelLog}`).toBe('ok');
}

function rejects(blob: Uint8Array, message: string, options?: ValidateOptions): ValidationError {
  dump(blob, options, false);
  const r = validateBtf(blob, options);
  if (r.ok) throw new Error(`expected "${message}", got ok`);
  expect(r.error.message.startsWith(message), `got "${r.error.message}" (${r.error.kernelLog})`).toBe(true);
  return r.error;
}

/** A builder with `int` (id 1) already added. */
function withInt(): { b: BlobBuilder; int: number } {
  const b = new BlobBuilder();
  return { b, int: b.int('int', 4, 32, 1) };
}

/** One type after `int`: build with `f` and return the blob. */
function one(f: (b: BlobBuilder, int: number) => void): Uint8Array {
  const { b, int } = withInt();
  f(b, int);
  return b.build();
}

describe('validateBtf: header and sections', () => {
  const good = one(() => {});

  it('accepts a minimal blob', () => ok(good));

  it('rejects short data and bad header lengths', () => {
    rejects(new Uint8Array(7), 'hdr_len not found');
    rejects(good.slice(0, 20), 'btf_header not found');
    const e = rejects(withInt().b.build({ header: { hdrLen: 32 }, headerExtra: [0, 0, 0, 1, 0, 0, 0, 0] }), 'Unsupported btf_header');
    expect(e.errno).toBe(7);
    ok(withInt().b.build({ headerExtra: [0, 0, 0, 0, 0, 0, 0, 0] }));
  });

  it('checks magic, version and flags', () => {
    rejects(withInt().b.build({ header: { magic: 0xeb9e } }), 'Invalid magic');
    expect(rejects(withInt().b.build({ header: { version: 2 } }), 'Unsupported version').errno).toBe(524);
    rejects(withInt().b.build({ header: { flags: 1 } }), 'Unsupported flags');
  });

  it('takes either byte order by default and only one when asked', () => {
    const be = withInt().b.build({ le: false });
    ok(be, { byteOrder: 'either' });
    ok(be, { byteOrder: 'big' });
    rejects(be, 'btf_header not found', { byteOrder: 'little' });
    rejects(good, 'btf_header not found', { byteOrder: 'big' });
  });

  it('checks the section layout', () => {
    const b = withInt().b;
    rejects(new BlobBuilder().build({ header: { typeLen: 0, strOff: 0, strLen: 0 } }).slice(0, 24), 'No data');
    rejects(b.build({ header: { strOff: 20 } }), 'Unsupported section found'); // gap
    rejects(b.build({ header: { strOff: 12 } }), 'Section overlap found');
    rejects(b.build({ header: { strLen: 100 } }), 'Total section length too long');
    rejects(b.build({ header: { strOff: 1000 } }), 'Invalid section offset');
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    rejects(extra, 'Unsupported section found'); // trailing bytes
  });

  it('wants the strings at the end, NUL first and last, and some types', () => {
    // Strings first, types after: tiles the data but the strings do not end it.
    const b = withInt().b.build();
    const l = layoutOf(b);
    const pad = (4 - (l.strLen % 4)) % 4; // NULs, part of the strings
    const swapped = new Uint8Array(24 + l.strLen + pad + l.typeLen);
    swapped.set(b.subarray(0, 24));
    swapped.set(b.subarray(l.strStart), 24);
    swapped.set(b.subarray(l.typeStart, l.typeStart + l.typeLen), 24 + l.strLen + pad);
    const v = new DataView(swapped.buffer);
    v.setUint32(8, l.strLen + pad, true);
    v.setUint32(16, 0, true);
    v.setUint32(20, l.strLen + pad, true);
    rejects(swapped, 'String section is not at the end');
    const first = good.slice();
    first[l.strStart] = 0x41;
    rejects(first, 'Invalid string section');
    const last = good.slice();
    last[last.length - 1] = 0x41;
    rejects(last, 'Invalid string section');
    rejects(new BlobBuilder().build(), 'No type found');
  });

  it('rejects blobs larger than the kernel takes', () => {
    const e = rejects(new Uint8Array(16 * 1024 * 1024 + 1), 'BTF data too large');
    expect(e.errno).toBe(7);
    expect(e.kernelLog).toBeUndefined();
  });
});

describe('validateBtf: per-type meta checks', () => {
  it('checks info bits, kinds and name offsets', () => {
    expect(rejects(one((b) => b.type(0, info(KIND.INT) | 0x10000, 4, 32)), '[2] Invalid btf_info:1010000').kernelLog).toBe('[2] Invalid btf_info:1010000');
    rejects(one((b) => b.type(0, info(0), 0)), '[2] Invalid kind:0');
    rejects(one((b) => b.type(0, info(20), 0)), '[2] Invalid kind:20');
    rejects(one((b) => b.type(9999, info(KIND.PTR), 1)), '[2] Invalid name_offset:9999');
  });

  it('checks that a record fits', () => {
    const { b } = withInt();
    const blob = b.build();
    const cut = blob.slice();
    // Claim only 12 of the INT's 16 bytes as type data; the rest becomes a gap.
    new DataView(cut.buffer).setUint32(12, 12, true);
    new DataView(cut.buffer).setUint32(16, 12, true);
    const fixed = new Uint8Array(cut.length - 4);
    fixed.set(cut.subarray(0, 24 + 12));
    fixed.set(cut.subarray(24 + 16), 24 + 12);
    rejects(fixed, 'meta_left:0 meta_needed:4');
  });

  it('INT', () => {
    ok(one((b) => b.int('any name at all!', 16, 128, 1)));
    rejects(one((b) => b.type('i', info(KIND.INT, 1), 4, 32)), 'vlen != 0');
    rejects(one((b) => b.type('i', info(KIND.INT, 0, true), 4, 32)), 'Invalid btf_info kind_flag');
    rejects(one((b) => b.type('i', info(KIND.INT), 4, 0x10000020)), 'Invalid int_data:10000020');
    rejects(one((b) => b.int('i', 16, 120, 0, 9)), 'nr_bits exceeds 128');
    rejects(one((b) => b.int('i', 4, 33)), 'nr_bits exceeds type_size');
    expect(rejects(one((b) => b.int('i', 4, 32, 3)), 'Unsupported encoding').errno).toBe(524);
  });

  it('PTR and modifiers', () => {
    ok(one((b, int) => b.const_(b.volatile(b.restrict(b.ptr(int))))));
    rejects(one((b, int) => b.type('p', info(KIND.PTR), int)), 'Invalid name');
    rejects(one((b, int) => b.type(0, info(KIND.PTR, 1), int)), 'vlen != 0');
    rejects(one((b, int) => b.type(0, info(KIND.CONST, 0, true), int)), 'Invalid btf_info kind_flag');
    rejects(one((b) => b.ptr(0x100000)), 'Invalid type_id');
    rejects(one((b) => b.ptr(50)), 'Invalid type_id'); // resolve: no such type
    ok(one((b) => b.ptr(0)));
  });

  it('TYPEDEF names are C identifiers (kernel Latin-1 ctype, at most 512 bytes)', () => {
    ok(one((b, int) => b.typedef('.dotted.name_1', int)));
    ok(one((b, int) => b.typedef(String.fromCharCode(0xe9, 0x41), int)));
    ok(one((b, int) => b.typedef('a'.repeat(512), int)));
    rejects(one((b, int) => b.typedef('a'.repeat(513), int)), 'Invalid name');
    rejects(one((b, int) => b.typedef(String.fromCharCode(0x61, 0xd7), int)), 'Invalid name');
    rejects(one((b, int) => b.typedef(String.fromCharCode(0x80), int)), 'Invalid name');
    rejects(one((b, int) => b.typedef('1abc', int)), 'Invalid name');
    rejects(one((b, int) => b.typedef('a-b', int)), 'Invalid name');
    rejects(one((b, int) => b.typedef(0, int)), 'Invalid name');
  });

  it('TYPE_TAG needs a value and may set kind_flag', () => {
    ok(one((b, int) => b.ptr(b.typeTag('user', int))));
    ok(one((b, int) => b.ptr(b.typeTag('any thing', int, true))));
    rejects(one((b, int) => b.typeTag(0, int)), 'Invalid name');
  });

  it('FWD', () => {
    ok(one((b) => b.fwd('u', true)));
    rejects(one((b) => b.type('f', info(KIND.FWD), 1)), 'type != 0');
    rejects(one((b) => b.type('f', info(KIND.FWD, 1), 0)), 'vlen != 0');
    rejects(one((b) => b.fwd('')), 'Invalid name');
  });

  it('ARRAY', () => {
    ok(one((b, int) => b.array(int, int, 4)));
    ok(one((b, int) => b.array(b.array(int, int, 0), int, 3)));
    rejects(one((b, int) => b.type('a', info(KIND.ARRAY), 0, int, int, 1)), 'Invalid name');
    rejects(one((b, int) => b.type(0, info(KIND.ARRAY, 1), 0, int, int, 1)), 'vlen != 0');
    rejects(one((b, int) => b.type(0, info(KIND.ARRAY, 0, true), 0, int, int, 1)), 'Invalid btf_info kind_flag');
    rejects(one((b, int) => b.type(0, info(KIND.ARRAY), 4, int, int, 1)), 'size != 0');
    rejects(one((b, int) => b.array(0, int, 1)), 'Invalid elem');
    rejects(one((b, int) => b.array(int, 0, 1)), 'Invalid index');
    rejects(one((b, int) => b.array(int, b.ptr(int), 1)), 'Invalid index');
    rejects(one((b, int) => b.array(int, b.int('i7', 1, 7), 1)), 'Invalid index');
    rejects(one((b, int) => b.array(b.int('i7', 1, 7), int, 1)), 'Invalid array of int');
    rejects(one((b, int) => b.array(int, int, 0x40000000)), 'Array size overflows U32_MAX');
    rejects(one((b, int) => b.array(b.fwd('f'), int, 1)), 'Invalid elem');
  });

  it('ENUM and ENUM64', () => {
    ok(one((b) => b.enum('e', 1, [['A', 1]], true)));
    ok(one((b) => b.enum64('e', 8, [['A', -1n]], true)));
    ok(one((b) => b.enum(0, 4, [])));
    rejects(one((b) => b.enum('e', 3, [['A', 1]])), 'Unexpected size');
    rejects(one((b) => b.enum64('e', 16, [['A', 1n]])), 'Unexpected size');
    rejects(one((b) => b.enum('e e', 4, [['A', 1]])), 'Invalid name');
    rejects(one((b) => b.enum('e', 4, [[0, 1]])), 'Invalid name (enumerator #0)');
    const e = rejects(one((b) => b.enum('e', 4, [[5000, 1]])), 'Invalid name_offset:5000');
    expect(e.kernelLog).toBe('\tInvalid name_offset:5000');
  });

  it('FUNC and FUNC_PROTO', () => {
    ok(one((b, int) => b.func('f', b.funcProto(int, [['a', int], [0, 0]]), 0)));
    rejects(one((b, int) => b.func('f', b.funcProto(int, []), 2)), 'Invalid func linkage');
    rejects(one((b, int) => b.func('', b.funcProto(int, []))), 'Invalid name');
    rejects(one((b, int) => b.type('f', info(KIND.FUNC, 0, true), b.funcProto(int, []))), 'Invalid btf_info kind_flag');
    rejects(one((b, int) => b.func('f', int)), 'Invalid type_id');
    rejects(one((b, int) => b.func('f', b.funcProto(int, [[0, int]]))), 'Invalid arg#1');
    rejects(one((b, int) => b.type('p', info(KIND.FUNC_PROTO), int)), 'Invalid name');
    rejects(one((b, int) => b.type(0, info(KIND.FUNC_PROTO, 0, true), int)), 'Invalid btf_info kind_flag');
    rejects(one((b, int) => b.funcProto(b.variable('v', int), [])), 'Invalid return type');
    rejects(one((b) => b.funcProto(b.fwd('f'), [])), 'Invalid return type');
    rejects(one((b, int) => b.funcProto(int, [['a', 0], ['b', int]])), 'Invalid arg#1');
    rejects(one((b, int) => b.funcProto(int, [['a', int], ['x', 0]])), 'Invalid arg#2');
    rejects(one((b, int) => b.funcProto(int, [['a b', int]])), 'Invalid arg#1');
  });

  it('VAR and DATASEC', () => {
    const sec = (f: (b: BlobBuilder, int: number) => [string | number, number, [number, number, number][]]): Uint8Array =>
      one((b, int) => { const [n, s, v] = f(b, int); b.datasec(n, s, v); });
    ok(sec((b, int) => ['.data.any thing', 8, [[b.variable('v', int), 0, 4], [b.variable('w', int, 0), 4, 4]]]));
    rejects(one((b, int) => b.variable('v', int, 2)), 'Linkage not supported');
    rejects(one((b, int) => b.variable('v v', int)), 'Invalid name');
    rejects(one((b) => b.variable('v', 0)), 'Invalid type_id');
    rejects(one((b) => b.variable('v', b.fwd('f'))), 'Invalid type_id');
    rejects(sec((b, int) => ['.data', 0, [[b.variable('v', int), 0, 4]]]), 'size == 0');
    rejects(sec((b, int) => ['', 8, [[b.variable('v', int), 0, 4]]]), 'Invalid name');
    rejects(sec((b, int) => ['.da\u0001ta', 8, [[b.variable('v', int), 0, 4]]]), 'Invalid name');
    rejects(sec(() => ['.data', 8, [[0, 0, 4]]]), 'Invalid type_id (variable #0)');
    rejects(sec((b, int) => ['.data', 8, [[b.variable('v', int), 0, 4], [b.variable('w', int), 2, 4]]]), 'Invalid offset');
    rejects(sec((b, int) => ['.data', 8, [[b.variable('v', int), 0, 0]]]), 'Invalid size');
    rejects(sec((b, int) => ['.data', 8, [[b.variable('v', int), 6, 4]]]), 'Invalid offset+size');
    rejects(sec((_b, int) => ['.data', 8, [[int, 0, 4]]]), 'Not a VAR kind member');
    rejects(sec((b, int) => ['.data', 8, [[b.variable('v', int), 0, 2]]]), 'Invalid size');
  });

  it('FLOAT', () => {
    for (const s of [2, 4, 8, 12, 16]) ok(one((b) => b.float('f', s)));
    rejects(one((b) => b.float('f', 6)), 'Invalid type_size');
    rejects(one((b) => b.type('f', info(KIND.FLOAT, 0, true), 4)), 'Invalid btf_info kind_flag');
  });

  it('DECL_TAG', () => {
    ok(one((b, int) => b.declTag('t', b.struct('s', 4, [['x', int, 0]]), 0, true)));
    ok(one((b, int) => b.declTag('t', b.func('f', b.funcProto(int, [['a', int]])), 0)));
    rejects(one((b, int) => b.declTag(0, b.typedef('t', int))), 'Invalid value');
    rejects(one((b, int) => b.declTag('t', b.typedef('t', int), -2)), 'Invalid component_idx');
    rejects(one((b, int) => b.declTag('t', b.typedef('t', int), 0)), 'Invalid component_idx');
    rejects(one((b, int) => b.declTag('t', b.struct('s', 4, [['x', int, 0]]), 1)), 'Invalid component_idx');
    rejects(one((b, int) => b.declTag('t', int)), 'Invalid type_id');
  });
});

describe('validateBtf: structs and unions', () => {
  const st = (f: (b: BlobBuilder, int: number) => [number, [string | number, number, number][], boolean?]): Uint8Array =>
    one((b, int) => { const [size, m, kflag] = f(b, int); b.struct('s', size, m, kflag ?? false); });

  it('accepts ordinary layouts', () => {
    ok(st((_b, int) => [8, [['a', int, 0], ['b', int, 32]]]));
    ok(st((b) => [8, [['a', b.ptr(b.fwd('s2')), 0]]]));
    ok(st((b, int) => [4, [['a', int, 0], ['z', b.array(int, int, 0), 32]]]));
    ok(st((b) => [4, [['a', b.int('u3', 4, 3), 0], ['b', b.int('u5', 4, 5), 3]]])); // old-style bitfields
    ok(st((b) => [8, [['a', b.int('u32', 4, 32), (3 << 24) | 0], ['b', b.enum('e', 4, [['E', 1]]), (5 << 24) | 3]], true]));
  });

  it('rejects bad names and member records', () => {
    rejects(one((b, int) => b.struct('s s', 4, [['a', int, 0]])), 'Invalid name');
    rejects(st((_b, int) => [4, [['a-b', int, 0]]]), 'Invalid name (member #0');
    rejects(st((_b, int) => [4, [[9999, int, 0]]]), 'Invalid member name_offset:9999');
    rejects(st(() => [4, [['a', 0, 0]]]), 'Invalid type_id (member #0');
    rejects(one((b, int) => b.union('u', 4, [['a', int, 0], ['b', int, 8]])), 'Invalid member bits_offset');
    rejects(st((_b, int) => [8, [['a', int, 32], ['b', int, 0]]]), 'Invalid member bits_offset');
    rejects(st((_b, int) => [4, [['a', int, 40]]]), 'Member bits_offset exceeds its struct size');
  });

  it('checks member sizes and alignment in the resolve pass', () => {
    const e = rejects(st((_b, int) => [4, [['a', int, 8]]]), 'Member exceeds struct_size');
    expect(e.kernelLog).toBe('\ta type_id=1 bits_offset=8 Member exceeds struct_size');
    rejects(st((b, int) => [16, [['p', b.ptr(int), 4]]]), 'Member is not byte aligned');
    rejects(st((b, int) => [8, [['p', b.ptr(int), 32]]]), 'Member exceeds struct_size');
    rejects(st((b) => [16, [['f', b.float('d', 8), 32]]]), 'Member is not properly aligned');
    rejects(st((b) => [4, [['a', b.int('u32', 4, 32), (33 << 24) | 0]], true]), 'Invalid member bitfield_size');
    rejects(st((b) => [4, [['a', b.int('u7', 1, 7), (3 << 24) | 0]], true]), 'Invalid member base type');
    rejects(st((_b, int) => [8, [['a', int, 4]], true]), 'Invalid member offset');
    rejects(st((b, int) => [16, [['p', b.ptr(int), 1 << 24]], true]), 'Invalid member bitfield_size');
    rejects(st((b) => [8, [['e', b.enum('e', 4, [['E', 1]]), 33 << 24]], true]), 'Invalid member bitfield_size');
    rejects(st((b) => [8, [['f', b.fwd('f'), 0]]]), 'Invalid member');
    rejects(st((b, int) => [8, [['v', b.variable('v', int), 0]]]), 'Invalid member');
    rejects(st((b) => [8, [['t', b.typedef('t', b.fwd('f')), 0]]]), 'Invalid member');
    rejects(st((b, int) => [8, [['a', b.array(int, int, 3), 0]]]), 'Member exceeds struct_size');
  });

  it('detects loops not broken by a pointer', () => {
    // [2] struct s { struct s x; }
    rejects(one((b) => b.struct('s', 4, [['x', 2, 0]])), 'Loop detected');
    ok(one((b) => b.struct('s', 8, [['x', 3, 0]]) && b.ptr(2)));
    // typedef -> const -> typedef
    rejects(one((b) => { b.typedef('t', 3); b.const_(2); }), 'Loop detected');
    // const -> ptr -> const: only modifiers and pointers: still a loop
    rejects(one((b) => { b.const_(3); b.ptr(2); }), 'Loop detected');
    rejects(one((b) => b.ptr(2)), 'Loop detected');
  });

  it('limits the resolve depth to 32', () => {
    const b = new BlobBuilder();
    for (let i = 0; i < 40; i++) b.const_(i + 2);
    b.int('int', 4, 32, 1);
    const e = rejects(b.build(), 'Exceeded max resolving depth:32');
    expect(e.errno).toBe(7);
  });

  it('wants type tags before other modifiers', () => {
    ok(one((b, int) => b.ptr(b.typeTag('a', b.const_(int)))));
    rejects(one((b, int) => b.ptr(b.const_(b.typeTag('a', int)))), "Type tags don't precede modifiers");
  });
});

describe('validateBtf: the type count limit', () => {
  /** 0x100000 `void *` records; `edit` changes one record's target. */
  function many(edit: [number, number]): Uint8Array {
    const n = 0x100000;
    const typeLen = n * 12;
    const b = new Uint8Array(24 + typeLen + 1);
    const v = new DataView(b.buffer);
    v.setUint16(0, 0xeb9f, true);
    b[2] = 1;
    v.setUint32(4, 24, true);
    v.setUint32(12, typeLen, true);
    v.setUint32(16, typeLen, true);
    v.setUint32(20, 1, true);
    for (let i = 0; i < n; i++) v.setUint32(24 + i * 12 + 4, KIND.PTR << 24, true);
    v.setUint32(24 + (edit[0] - 1) * 12 + 8, edit[1], true);
    return b;
  }

  it('drops records past id 0xffffe after checking them, as the kernel does', () => {
    ok(many([0xfffff, 0xfffff])); // a self-loop, but the record is dropped
    const e = rejects(many([1, 0xfffff]), 'Invalid type_id');
    expect(e.kernelLog).toBe('Exceeded max num of types[1] PTR (anon) type_id=1048575 Invalid type_id');
  });
});

describe('validateBtf: BPF special fields', () => {
  function mapValue(f: (b: BlobBuilder, int: number, lock: number, head: number, node: number) => void): Uint8Array {
    const b = new BlobBuilder();
    const int = b.int('int', 4, 32, 1);
    const lock = b.struct('bpf_spin_lock', 4, [['val', int, 0]]);
    const u64 = b.int('u64', 8, 64);
    const head = b.struct('bpf_list_head', 16, [['a', u64, 0], ['b', u64, 64]]);
    const node = b.struct('bpf_list_node', 24, [['a', u64, 0], ['b', u64, 64], ['c', u64, 128]]);
    f(b, int, lock, head, node);
    return b.build();
  }

  it('accepts a lock, and a list head with its lock and contains: tag', () => {
    ok(mapValue((b, int, lock) => b.struct('v', 8, [['l', lock, 0], ['x', int, 32]])));
    ok(mapValue((b, int, lock, head, node) => {
      const elem = b.struct('elem', 32, [['d', int, 0], ['n', node, 64]]);
      const v = b.struct('v', 24, [['l', lock, 0], ['h', head, 64]]);
      b.declTag(`contains:elem:n`, v, 1);
      void elem;
    }));
  });

  it('rejects two locks, a head without a lock or without a tag', () => {
    expect(rejects(mapValue((b, _int, lock) => b.struct('v', 8, [['l', lock, 0], ['m', lock, 32]])), 'special fields').errno).toBe(7);
    rejects(mapValue((b, int, _lock, head) => b.struct('v', 24, [['x', int, 0], ['h', head, 64]])), 'special fields');
    rejects(mapValue((b, int, _lock, head, node) => {
      b.struct('elem', 32, [['d', int, 0], ['n', node, 64]]);
      const v = b.struct('v', 24, [['x', int, 0], ['h', head, 64]]);
      b.declTag('contains:elem:n', v, 1);
    }), 'bpf_list_head/bpf_rb_root need a bpf_spin_lock');
    // A bitfield not on a byte boundary in a struct with special fields.
    rejects(mapValue((b, _int, lock) => {
      const u32 = b.int('u32', 4, 32);
      b.struct('v', 8, [['x', u32, 3 << 24], ['y', u32, (5 << 24) | 3], ['l', lock, 32]], true);
    }), 'special fields');
  });

  it('can be turned off', () => {
    ok(mapValue((b, _int, lock) => b.struct('v', 8, [['l', lock, 0], ['m', lock, 32]])), { specialFields: false });
  });
});

describe('validateBtf: split BTF', () => {
  const baseBlob = one((b, int) => b.ptr(int));
  const base = Btf.parse(baseBlob);

  it('validates on a base as the kernel validates module BTF', () => {
    // No types and no strings is fine for split BTF (not for base BTF).
    const empty = new BlobBuilder().build().slice(0, 24);
    new DataView(empty.buffer).setUint32(20, 0, true);
    ok(empty, { base });
    rejects(empty, 'No data');
    // Ids continue the base's (first split id is 3); names may use the base's strings ("int" at 1).
    const t = new BlobBuilder();
    t.type(1, info(KIND.TYPEDEF), 1);
    ok(t.build(), { base });
    // References are not resolved for module BTF (the kernel does not resolve them either)...
    const loop = new BlobBuilder();
    loop.struct('s', 4, [[0, 3, 0]]);
    ok(loop.build(), { base });
    // ...but modifier chains are walked by the type-tag check.
    const modLoop = new BlobBuilder();
    modLoop.type(0, info(KIND.CONST), 3);
    expect(rejects(modLoop.build(), 'Max chain length or cycle detected', { base }).errno).toBe(40);
    // But the meta checks run: a PTR with a name.
    const bad = new BlobBuilder();
    bad.type(1, info(KIND.PTR), 1);
    expect(rejects(bad.build(), 'Invalid name', { base }).typeId).toBe(3);
  });

  it('validates real module BTF on its vmlinux', () => {
    const kernels = kernelsForTests();
    const mod = kernels.find((k) => k.base !== undefined);
    if (mod === undefined) return;
    const baseK = kernels.find((k) => k.name === mod.base)!;
    const b = Btf.parse(readBtfFile(baseK.path));
    ok(readBtfFile(mod.path), { base: b });
  });
});

describe('validateBtf: real kernels and hostile input', () => {
  it('accepts kernels of the test corpus in their own byte order', () => {
    const all = kernelsForTests().filter((k) => k.base === undefined);
    // The first and last, and the other architectures (s390x is big-endian).
    const some = all.filter((k, i) => i === 0 || i === all.length - 1 || /arm64|s390x/.test(k.name));
    for (const k of some) ok(readBtfFile(k.path));
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      validateBtf(bytes);
      validateBtf(bytes, { byteOrder: 'big' });
    }), { numRuns: 2000 });
    // Random bytes behind a plausible header.
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 400 }), (body, strLen) => {
      const blob = new Uint8Array(24 + body.length);
      const v = new DataView(blob.buffer);
      v.setUint16(0, 0xeb9f, true);
      blob[2] = 1;
      v.setUint32(4, 24, true);
      const sl = Math.min(strLen, body.length);
      v.setUint32(12, body.length - sl, true);
      v.setUint32(16, body.length - sl, true);
      v.setUint32(20, sl, true);
      blob.set(body, 24);
      if (sl > 0) blob[24 + body.length - sl] = 0;
      validateBtf(blob);
    }), { numRuns: 3000 });
  });

  it('never throws on mutants of real BTF', () => {
    const b = new BlobBuilder();
    const int = b.int('int', 4, 32, 1);
    const s = b.struct('s', 16, [['a', int, 0], ['p', b.ptr(2), 64]]);
    b.func('f', b.funcProto(int, [['x', b.ptr(s)]]));
    b.datasec('.data', 4, [[b.variable('v', int), 0, 4]]);
    b.declTag('t', s, 0);
    b.typedef('td', b.typeTag('tag', b.const_(int)));
    const seed = b.build();
    const layout = layoutOf(seed);
    const rng = new Rng(7);
    for (let i = 0; i < 3000; i++) validateBtf(mutate(seed, layout, rng).data);
  });
});
