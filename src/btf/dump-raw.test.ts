import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Btf } from './btf.js';
import { dumpRaw } from './dump-raw.js';
import { ByteWriter, putS32, putS64, putU32, putU64 } from './out.js';
import { KIND } from './wire.js';
import { ErrorCodes, isBtfkitError } from '../errors.js';
import { readBtfFile, testdataKernels } from '../../test/helpers/kernels.js';

// ---- a tiny raw BTF builder: words and strings, nothing checked, so tests can build anything ----

const info = (kind: number, vlen = 0, kflag = false): number => ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;

class RawBtf {
  private readonly strings: number[];
  private readonly strIndex = new Map<string, number>();
  private readonly words: number[] = [];
  private count = 0;

  /** For split BTF: the base's last id and string length. */
  constructor(private readonly split?: { lastId: number; strLen: number }) {
    this.strings = split === undefined ? [0] : [];
    if (split === undefined) this.strIndex.set('', 0);
  }

  /** Offset of `s` (added on first use); `''` is 0 in base BTF. */
  str(s: string | Uint8Array): number {
    const key = typeof s === 'string' ? s : `\0bytes:${Array.from(s).join(',')}`;
    const known = this.strIndex.get(key);
    if (known !== undefined) return known;
    const off = (this.split?.strLen ?? 0) + this.strings.length;
    for (const c of typeof s === 'string' ? new TextEncoder().encode(s) : s) this.strings.push(c);
    this.strings.push(0);
    this.strIndex.set(key, off);
    return off;
  }

  /** Add a record: name, info, size/type and the words after it. Returns its id. */
  add(name: string | number, inf: number, sizeOrType: number, ...rest: number[]): number {
    this.words.push(typeof name === 'number' ? name : this.str(name), inf, sizeOrType, ...rest);
    this.count++;
    return (this.split?.lastId ?? 0) + this.count;
  }

  /** The blob; `layout` adds a layout section (32-byte header) with these (info, elem) sizes. */
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
    v.setUint32(8, 0, le);
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

/** The dump as text, checking the chunk contract on the way. */
function dump(btf: Btf): string {
  const parts: Uint8Array[] = [];
  dumpRaw(btf, (chunk) => {
    expect(chunk.length).toBeGreaterThan(0);
    parts.push(chunk.slice()); // a chunk is only valid during the call
  });
  return Buffer.concat(parts).toString('latin1');
}

const u32 = (n: number): number => n >>> 0;

/** One of everything, with the odd values each kind can hold. */
function allKinds(): RawBtf {
  const b = new RawBtf();
  const int = b.add('int', info(KIND.INT), 4, u32((1 << 24) | 32)); // [1]
  b.add('unsigned int', info(KIND.INT), 4, 32); // [2]
  b.add('char', info(KIND.INT), 1, u32((2 << 24) | 8)); // [3]
  b.add('_Bool', info(KIND.INT), 1, u32((4 << 24) | 8)); // [4]
  b.add('odd', info(KIND.INT), 8, u32((3 << 24) | (5 << 16) | 12)); // [5] encoding UNKN, bits_offset 5
  b.add(0, info(KIND.PTR), int); // [6]
  b.add(0, info(KIND.ARRAY), 0, int, 2, 0xffffffff); // [7]
  b.add('s', info(KIND.STRUCT, 2), 16, b.str('a'), int, 0, 0, 6, 64); // [8] anonymous member
  b.add('bits', info(KIND.STRUCT, 3, true), 4, b.str('x'), int, u32((3 << 24) | 0), b.str('y'), 2, u32((5 << 24) | 3), b.str('z'), int, 8); // [9]
  b.add(0, info(KIND.UNION, 1), 4, b.str('u'), int, 0); // [10]
  b.add('e', info(KIND.ENUM, 3), 4, b.str('A'), 0, b.str('B'), 0xffffffff, b.str('C'), 0x80000000); // [11]
  b.add('se', info(KIND.ENUM, 3, true), 4, b.str('N'), u32(-1), b.str('M'), 0x80000000, b.str('P'), 0x7fffffff); // [12]
  b.add('fs', info(KIND.FWD), 0); // [13]
  b.add('fu', info(KIND.FWD, 0, true), 0); // [14]
  b.add('td', info(KIND.TYPEDEF), int); // [15]
  b.add(0, info(KIND.VOLATILE), int); // [16]
  b.add(0, info(KIND.CONST), 16); // [17]
  b.add(0, info(KIND.RESTRICT), 6); // [18]
  const proto = b.add(0, info(KIND.FUNC_PROTO, 3), int, b.str('p'), 6, 0, int, 0, 0); // [19] ..., varargs
  b.add('fs_static', info(KIND.FUNC, 0), proto); // [20]
  b.add('f_global', info(KIND.FUNC, 1), proto); // [21]
  b.add('f_extern', info(KIND.FUNC, 2), proto); // [22]
  b.add('f_odd', info(KIND.FUNC, 3), proto); // [23]
  b.add(0, info(KIND.FUNC_PROTO, 0), 0); // [24] void (void)
  b.add('v_static', info(KIND.VAR), int, 0); // [25]
  b.add('v_global', info(KIND.VAR), int, 1); // [26]
  b.add('v_extern', info(KIND.VAR), int, 2); // [27]
  b.add('v_odd', info(KIND.VAR), int, 7); // [28]
  b.add('.data', info(KIND.DATASEC, 3), 12, 25, 0, 4, 26, 4, 4, 0, 8, 4); // [29] a var, a var, void
  b.add('.empty', info(KIND.DATASEC, 0), 0); // [30]
  b.add('double', info(KIND.FLOAT), 8); // [31]
  b.add('tag', info(KIND.DECL_TAG), 8, u32(-1)); // [32]
  b.add('mtag', info(KIND.DECL_TAG), 8, 1); // [33]
  b.add('user', info(KIND.TYPE_TAG), int); // [34]
  b.add('e64', info(KIND.ENUM64, 4), 8,
    b.str('MAX'), 0xffffffff, 0xffffffff, b.str('BIG'), 0, 1, b.str('SMALL'), 7, 0, b.str('HI'), 0x89abcdef, 0x01234567); // [35]
  b.add('se64', info(KIND.ENUM64, 4, true), 8,
    b.str('MIN'), 0, 0x80000000, b.str('M1'), 0xffffffff, 0xffffffff, b.str('POS'), 0xffffffff, 0x7fffffff, b.str('NEG32'), 0, 0xffffffff); // [36]
  b.add(b.str(new Uint8Array([0xc3, 0xa9, 0x74, 0xc3, 0xa9])), info(KIND.TYPEDEF), int); // [37] UTF-8 name, copied as bytes
  b.add('', info(KIND.UNION, 2, true), 8, b.str('lo'), int, u32(31 << 24), 0, 2, u32((1 << 24) | 63)); // [38]
  return b;
}

const ALL_KINDS_DUMP = `[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)
[3] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=CHAR
[4] INT '_Bool' size=1 bits_offset=0 nr_bits=8 encoding=BOOL
[5] INT 'odd' size=8 bits_offset=5 nr_bits=12 encoding=UNKN
[6] PTR '(anon)' type_id=1
[7] ARRAY '(anon)' type_id=1 index_type_id=2 nr_elems=4294967295
[8] STRUCT 's' size=16 vlen=2
\t'a' type_id=1 bits_offset=0
\t'(anon)' type_id=6 bits_offset=64
[9] STRUCT 'bits' size=4 vlen=3
\t'x' type_id=1 bits_offset=0 bitfield_size=3
\t'y' type_id=2 bits_offset=3 bitfield_size=5
\t'z' type_id=1 bits_offset=8
[10] UNION '(anon)' size=4 vlen=1
\t'u' type_id=1 bits_offset=0
[11] ENUM 'e' encoding=UNSIGNED size=4 vlen=3
\t'A' val=0
\t'B' val=4294967295
\t'C' val=2147483648
[12] ENUM 'se' encoding=SIGNED size=4 vlen=3
\t'N' val=-1
\t'M' val=-2147483648
\t'P' val=2147483647
[13] FWD 'fs' fwd_kind=struct
[14] FWD 'fu' fwd_kind=union
[15] TYPEDEF 'td' type_id=1
[16] VOLATILE '(anon)' type_id=1
[17] CONST '(anon)' type_id=16
[18] RESTRICT '(anon)' type_id=6
[19] FUNC_PROTO '(anon)' ret_type_id=1 vlen=3
\t'p' type_id=6
\t'(anon)' type_id=1
\t'(anon)' type_id=0
[20] FUNC 'fs_static' type_id=19 linkage=static
[21] FUNC 'f_global' type_id=19 linkage=global
[22] FUNC 'f_extern' type_id=19 linkage=extern
[23] FUNC 'f_odd' type_id=19 linkage=(unknown)
[24] FUNC_PROTO '(anon)' ret_type_id=0 vlen=0
[25] VAR 'v_static' type_id=1, linkage=static
[26] VAR 'v_global' type_id=1, linkage=global
[27] VAR 'v_extern' type_id=1, linkage=extern
[28] VAR 'v_odd' type_id=1, linkage=(unknown)
[29] DATASEC '.data' size=12 vlen=3
\ttype_id=25 offset=0 size=4 (VAR 'v_static')
\ttype_id=26 offset=4 size=4 (VAR 'v_global')
\ttype_id=0 offset=8 size=4 (UNKNOWN '(anon)')
[30] DATASEC '.empty' size=0 vlen=0
[31] FLOAT 'double' size=8
[32] DECL_TAG 'tag' type_id=8 component_idx=-1
[33] DECL_TAG 'mtag' type_id=8 component_idx=1
[34] TYPE_TAG 'user' type_id=1
[35] ENUM64 'e64' encoding=UNSIGNED size=8 vlen=4
\t'MAX' val=18446744073709551615ULL
\t'BIG' val=4294967296ULL
\t'SMALL' val=7ULL
\t'HI' val=81985529216486895ULL
[36] ENUM64 'se64' encoding=SIGNED size=8 vlen=4
\t'MIN' val=-9223372036854775808LL
\t'M1' val=-1LL
\t'POS' val=9223372036854775807LL
\t'NEG32' val=-4294967296LL
[37] TYPEDEF '\xc3\xa9t\xc3\xa9' type_id=1
[38] UNION '(anon)' size=8 vlen=2
\t'lo' type_id=1 bits_offset=0 bitfield_size=31
\t'(anon)' type_id=2 bits_offset=63 bitfield_size=1
`;

describe('dumpRaw', () => {
  it('prints every kind as bpftool does', () => {
    // ALL_KINDS_DUMP is what bpftool v7.1 prints for this blob (checked when the test was written).
    expect(dump(Btf.parse(allKinds().build()))).toBe(ALL_KINDS_DUMP);
  });

  it('reads big-endian BTF', () => {
    expect(dump(Btf.parse(allKinds().build({ littleEndian: false })))).toBe(ALL_KINDS_DUMP);
  });

  it('reads BTF that is not 4-byte aligned in its buffer', () => {
    const blob = allKinds().build();
    const shifted = new Uint8Array(blob.length + 1).subarray(1);
    shifted.set(blob);
    expect(dump(Btf.parse(shifted))).toBe(ALL_KINDS_DUMP);
  });

  it('prints an empty string at a non-zero offset as empty, not (anon)', () => {
    const b = new RawBtf();
    const empty = b.str('x') + 1; // the NUL after "x"
    b.add(empty, info(KIND.STRUCT, 1), 0, empty, 0, 0);
    expect(dump(Btf.parse(b.build()))).toBe("[1] STRUCT '' size=0 vlen=1\n\t'' type_id=0 bits_offset=0\n");
  });

  it('prints kinds it does not know (sized by the layout section) with their name only', () => {
    const b = new RawBtf();
    b.add('int', info(KIND.INT), 4, u32((1 << 24) | 32));
    b.add('future', info(20, 2), 1, 11, 22, 33);
    b.add(0, info(KIND.PTR), 2);
    const layout: [number, number][] = [[0, 0], [4, 0], [0, 0], [12, 0], [0, 12], [0, 12], [0, 8], [0, 0], [0, 0], [0, 0], [0, 0],
      [0, 0], [0, 0], [0, 8], [4, 0], [0, 12], [0, 0], [4, 0], [0, 0], [0, 12], [4, 4]];
    expect(dump(Btf.parse(b.build({ layout })))).toBe(
      "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n[2] UNKNOWN 'future'\n[3] PTR '(anon)' type_id=2\n");
  });

  it('prints only the own types of split BTF, names and kinds from the base where they live', () => {
    const base = new RawBtf();
    base.add('int', info(KIND.INT), 4, u32((1 << 24) | 32));
    base.add('base_var', info(KIND.VAR), 1, 1);
    const baseBtf = Btf.parse(base.build());
    const mod = new RawBtf({ lastId: baseBtf.lastId, strLen: baseBtf.strLen });
    mod.add(1 /* "int" in the base */, info(KIND.TYPEDEF), 1);
    mod.add('mod_var', info(KIND.VAR), 3, 1);
    mod.add('.data', info(KIND.DATASEC, 2), 8, 2, 0, 4, 4, 4, 4);
    expect(dump(Btf.parse(mod.build(), { base: baseBtf }))).toBe(`[3] TYPEDEF 'int' type_id=1
[4] VAR 'mod_var' type_id=3, linkage=global
[5] DATASEC '.data' size=8 vlen=2
\ttype_id=2 offset=0 size=4 (VAR 'base_var')
\ttype_id=4 offset=4 size=4 (VAR 'mod_var')
`);
  });

  it('hands over chunks of at most 64 KiB plus slack, and handles names longer than a chunk', () => {
    const b = new RawBtf();
    const long = 'n'.repeat(200_000);
    b.add(long, info(KIND.STRUCT, 1), 0, b.str(long), 0, 0);
    for (let i = 0; i < 20_000; i++) b.add(`t${i}`, info(KIND.FLOAT), 8);
    const sizes: number[] = [];
    const parts: Uint8Array[] = [];
    dumpRaw(Btf.parse(b.build()), (c) => {
      sizes.push(c.length);
      parts.push(c.slice());
    });
    const text = Buffer.concat(parts).toString('latin1');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(65536 + 1024);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`[1] STRUCT '${long}' size=0 vlen=1`);
    expect(lines[1]).toBe(`\t'${long}' type_id=0 bits_offset=0`);
    expect(lines[2]).toBe("[2] FLOAT 't0' size=8");
    expect(lines[20_001]).toBe("[20001] FLOAT 't19999' size=8");
    expect(lines[20_002]).toBe('');
    expect(lines).toHaveLength(20_003);
  });

  it('prints a kernel: spot checks of the committed 6.1 amd64 BTF', () => {
    const text = dump(Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.1.0-56-amd64.btf.gz'))));
    expect(text.startsWith("[1] FUNC_PROTO '(anon)' ret_type_id=0 vlen=0\n[2] FUNC 'verify_cpu' type_id=1 linkage=static\n")).toBe(true);
    expect(text.includes("[193] STRUCT 'task_struct' size=9792 vlen=252\n\t'thread_info' type_id=288 bits_offset=0\n")).toBe(true);
    expect(text.split('\n').filter((l) => l.startsWith('[')).length).toBe(100750);
  });

  describe('malformed input throws BtfParseError, never TypeError or RangeError', () => {
    const cases: [string, (b: RawBtf) => void, string][] = [
      ['a type name', (b) => b.add(999, info(KIND.INT), 4, 32), ErrorCodes.BTF_BAD_STRING_OFFSET],
      ['a member name', (b) => b.add('s', info(KIND.STRUCT, 1), 4, 999, 0, 0), ErrorCodes.BTF_BAD_STRING_OFFSET],
      ['an enumerator name', (b) => b.add('e', info(KIND.ENUM, 1), 4, 999, 0), ErrorCodes.BTF_BAD_STRING_OFFSET],
      ['an enum64 name', (b) => b.add('e', info(KIND.ENUM64, 1), 8, 999, 0, 0), ErrorCodes.BTF_BAD_STRING_OFFSET],
      ['a parameter name', (b) => b.add(0, info(KIND.FUNC_PROTO, 1), 0, 999, 0), ErrorCodes.BTF_BAD_STRING_OFFSET],
      ['a pointer target', (b) => b.add(0, info(KIND.PTR), 5), ErrorCodes.BTF_BAD_TYPE_ID],
      ['an array element', (b) => b.add(0, info(KIND.ARRAY), 0, 5, 0, 1), ErrorCodes.BTF_BAD_TYPE_ID],
      ['an array index', (b) => b.add(0, info(KIND.ARRAY), 0, 0, 5, 1), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a member type', (b) => b.add('s', info(KIND.STRUCT, 1), 4, 0, 5, 0), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a return type', (b) => b.add(0, info(KIND.FUNC_PROTO), 5), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a parameter type', (b) => b.add(0, info(KIND.FUNC_PROTO, 1), 0, 0, 5), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a function prototype', (b) => b.add('f', info(KIND.FUNC), 5), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a variable type', (b) => b.add('v', info(KIND.VAR), 5, 0), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a section variable', (b) => b.add('.d', info(KIND.DATASEC, 1), 4, 5, 0, 4), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a tagged declaration', (b) => b.add('t', info(KIND.DECL_TAG), 5, 0), ErrorCodes.BTF_BAD_TYPE_ID],
      ['a type tag target', (b) => b.add('t', info(KIND.TYPE_TAG), 5), ErrorCodes.BTF_BAD_TYPE_ID],
    ];
    it.each(cases)('bad reference in %s', (_what, add, code) => {
      const b = new RawBtf();
      b.add('int', info(KIND.INT), 4, 32);
      add(b);
      const btf = Btf.parse(b.build());
      let err: unknown;
      try {
        dumpRaw(btf, () => {});
      } catch (e) {
        err = e;
      }
      expect(isBtfkitError(err, code as never)).toBe(true);
      expect(err).toMatchObject({ name: 'BtfParseError', typeId: 2 });
    });

    it('bit-flipped blobs either dump or throw a btfkit error', () => {
      const blob = allKinds().build();
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      let dumped = 0;
      for (let i = 0; i < 3000; i++) {
        const bad = blob.slice();
        for (let k = 1 + rand(3); k > 0; k--) bad[rand(bad.length)]! ^= 1 << rand(8);
        try {
          dumpRaw(Btf.parse(bad), () => {});
          dumped++;
        } catch (e) {
          if (!isBtfkitError(e)) throw e;
        }
      }
      expect(dumped).toBeGreaterThan(0);
    });
  });
});

describe('out.ts number formatting', () => {
  const text = (f: (buf: Uint8Array, pos: number) => number): string => {
    const buf = new Uint8Array(32);
    return Buffer.from(buf.subarray(0, f(buf, 0))).toString('latin1');
  };

  it('formats u32 and s32 like printf %u and %d', () => {
    for (const n of [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 99999, 100000, 123456789, 999999999, 1000000000,
      0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]) {
      expect(text((b, p) => putU32(b, p, n))).toBe(String(n));
    }
    for (const n of [0, -1, -9, -10, 5, -2147483648, 2147483647]) expect(text((b, p) => putS32(b, p, n))).toBe(String(n));
  });

  it('formats u64 and s64 halves like printf %llu and %lld', () => {
    const values = [0n, 1n, 4294967295n, 4294967296n, 9999999999n, 10000000000n, 10000000000000000n, 2n ** 63n - 1n,
      2n ** 63n, 2n ** 64n - 1n, 18446744073709551000n];
    let x = 0x243f6a8885a308d3n;
    for (let i = 0; i < 200; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
      values.push(x >> BigInt(i % 64));
    }
    for (const v of values) {
      const hi = Number(v >> 32n);
      const lo = Number(v & 0xffffffffn);
      expect(text((b, p) => putU64(b, p, hi, lo))).toBe(v.toString());
      expect(text((b, p) => putS64(b, p, hi, lo))).toBe(BigInt.asIntN(64, v).toString());
    }
  });

  it('ByteWriter: chunks, ascii, utf8 and numbers', () => {
    const parts: Uint8Array[] = [];
    const w = new ByteWriter((c) => parts.push(c.slice()), 64);
    w.ascii('x'.repeat(100));
    w.utf8('é€😀');
    w.u32(4294967295);
    w.s32(-5);
    w.u64(1, 0);
    w.s64(0xffffffff, 0xffffffff);
    w.number(-3);
    w.number(1.5);
    w.number(2 ** 53);
    w.bigint(-(2n ** 70n));
    w.range(new Uint8Array(300).fill(0x61), 10, 210);
    w.cString(new Uint8Array([0x62, 0x63, 0, 0x64]), 0, 4);
    const expected = `${'x'.repeat(100)}é€😀4294967295-54294967296-1-31.59007199254740992${-(2n ** 70n)}${'a'.repeat(200)}bc`;
    expect(w.length).toBe(Buffer.byteLength(expected));
    w.flush();
    expect(Buffer.concat(parts).toString('utf8')).toBe(expected);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(64 + 1024);
  });
});
