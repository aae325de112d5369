/**
 * Unit tests of the C dumper: small BPF objects built with clang-19, hand-made BTF for what
 * clang cannot produce (duplicate names, split BTF, 32-bit pointers, GCC quirks), and malformed
 * BTF. Every case runs both engines (WebAssembly and JavaScript) and requires the same bytes,
 * or the same error, from each. Expected texts were checked against Debian's bpftool 7.1; where bpftool is installed
 * (always in CI) every case is also compared with it. clang-19 and bpftool are required: a
 * missing tool fails the test rather than skipping it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dumpC } from './dump-c.js';
import { Btf } from './btf.js';
import { openBtf } from './load.js';
import { isBtfkitError } from '../errors.js';

// ---- helpers ----

const decoder = new TextDecoder();

function dumpWith(btf: Btf, engine: 'wasm' | 'js'): Uint8Array {
  const chunks: Uint8Array[] = [];
  dumpC(btf, (c) => chunks.push(c.slice()), { engine });
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let p = 0;
  for (const c of chunks) { out.set(c, p); p += c.length; }
  return out;
}

/** The dump, the same from both engines. */
function dumpBytes(btf: Btf): Uint8Array {
  const wasm = dumpWith(btf, 'wasm');
  const js = dumpWith(btf, 'js');
  expect(decoder.decode(wasm), 'the WebAssembly and JavaScript engines differ').toBe(decoder.decode(js));
  return wasm;
}

/** What a dump by `engine` ends with: its text, or its error's class, code and message. */
function outcome(bytes: Uint8Array, engine: 'wasm' | 'js'): string {
  try {
    return decoder.decode(dumpWith(Btf.parse(bytes), engine));
  } catch (e) {
    if (!isBtfkitError(e)) throw e;
    return `${e.name} ${e.code}: ${e.message}`;
  }
}
const dump = (btf: Btf): string => decoder.decode(dumpBytes(btf));

const HEAD = '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n';
const TAIL = '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n';
/** The text between the framing lines. */
function body(text: string): string {
  expect(text.startsWith(HEAD)).toBe(true);
  expect(text.endsWith(TAIL)).toBe(true);
  return text.slice(HEAD.length, text.length - TAIL.length);
}

let work = '';
let fileNo = 0;

function tool(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${cmd} is required for this test (CI installs it): not found on PATH`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? String(e)}`);
  }
}

/** Compile C for BPF with debug info; returns the object's BTF and the object path. */
function compile(source: string): { btf: Btf; path: string } {
  const name = `t${fileNo++}`;
  const src = join(work, `${name}.c`);
  const obj = join(work, `${name}.o`);
  writeFileSync(src, source);
  tool('clang-19', ['-g', '-O2', '-target', 'bpf', '-c', src, '-o', obj]);
  const b = readFileSync(obj);
  return { btf: openBtf(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)), path: obj };
}

/** Write raw BTF to a file (for bpftool). */
function writeBtf(bytes: Uint8Array): string {
  const path = join(work, `raw${fileNo++}.btf`);
  writeFileSync(path, bytes);
  return path;
}

const bpftool = (path: string, base?: string): string =>
  tool('bpftool', ['btf', 'dump', 'file', path, ...(base === undefined ? [] : ['--base-btf', base]), 'format', 'c']);

/** Our dump equals `expected`, and so does bpftool's. */
function check(btf: Btf, path: string, expectedBody: string, base?: string): void {
  const ours = dump(btf);
  expect(body(ours)).toBe(expectedBody);
  expect(bpftool(path, base)).toBe(ours);
}

// ---- a small BTF writer for hand-made cases ----

type M = readonly [name: string, type: number, bitOffset: number, bitfieldSize?: number];

/** Builds raw BTF type by type; ids start at `startId` (1, or base.lastId + 1 for split BTF). */
class RawBtf {
  private words: number[] = [];
  private strs: number[] = [0];
  private nextId: number;

  constructor(startId = 1, private readonly startStrOff = 0, emptyStrings = false) {
    this.nextId = startId;
    if (emptyStrings) this.strs = [];
  }

  /** Add a string (never deduplicated, so tests can make equal names at different offsets). */
  str(s: string): number {
    if (s === '') return 0;
    const off = this.startStrOff + this.strs.length;
    for (const b of new TextEncoder().encode(s)) this.strs.push(b);
    this.strs.push(0);
    return off;
  }

  private add(name: string | number, kind: number, vlen: number, kflag: boolean, sizeOrType: number, ...rest: number[]): number {
    const nameOff = typeof name === 'number' ? name : this.str(name);
    this.words.push(nameOff, ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0, sizeOrType >>> 0, ...rest.map((x) => x >>> 0));
    return this.nextId++;
  }

  int(name: string, size: number, enc = 0, bits = size * 8): number { return this.add(name, 1, 0, false, size, (enc << 24) | bits); }
  ptr(t: number): number { return this.add('', 2, 0, false, t); }
  array(t: number, index: number, n: number): number { return this.add('', 3, 0, false, 0, t, index, n); }
  composite(kind: 'struct' | 'union', name: string, size: number, members: readonly M[]): number {
    const kflag = members.some((m) => (m[3] ?? 0) !== 0);
    const data: number[] = [];
    for (const [n, t, off, bf] of members) data.push(this.str(n), t, kflag ? ((bf ?? 0) << 24) | off : off);
    return this.add(name, kind === 'struct' ? 4 : 5, members.length, kflag, size, ...data);
  }
  struct(name: string, size: number, members: readonly M[]): number { return this.composite('struct', name, size, members); }
  union(name: string, size: number, members: readonly M[]): number { return this.composite('union', name, size, members); }
  enum(name: string, size: number, values: readonly (readonly [string, number])[], signed = false): number {
    const data: number[] = [];
    for (const [n, v] of values) data.push(this.str(n), v);
    return this.add(name, 6, values.length, signed, size, ...data);
  }
  enum64(name: string, values: readonly (readonly [string, bigint])[], signed = false): number {
    const data: number[] = [];
    for (const [n, v] of values) data.push(this.str(n), Number(BigInt.asUintN(32, v)), Number(BigInt.asUintN(32, v >> 32n)));
    return this.add(name, 19, values.length, signed, 8, ...data);
  }
  fwd(name: string, union = false): number { return this.add(name, 7, 0, union, 0); }
  typedef(name: string, t: number): number { return this.add(name, 8, 0, false, t); }
  volatile(t: number): number { return this.add('', 9, 0, false, t); }
  const(t: number): number { return this.add('', 10, 0, false, t); }
  restrict(t: number): number { return this.add('', 11, 0, false, t); }
  func(name: string, proto: number): number { return this.add(name, 12, 1, false, proto); }
  proto(ret: number, params: readonly (readonly [string, number])[]): number {
    const data: number[] = [];
    for (const [n, t] of params) data.push(this.str(n), t);
    return this.add('', 13, params.length, false, ret, ...data);
  }
  variable(name: string, t: number): number { return this.add(name, 14, 0, false, t, 1); }
  float(name: string, size: number): number { return this.add(name, 16, 0, false, size); }
  typeTag(name: string, t: number): number { return this.add(name, 18, 0, false, t); }
  /** Escape hatch: a record with arbitrary fields. */
  raw(nameOff: number, kind: number, vlen: number, sizeOrType: number, ...rest: number[]): number {
    return this.add(nameOff, kind, vlen, false, sizeOrType, ...rest);
  }

  bytes(littleEndian = true): Uint8Array {
    const typeLen = this.words.length * 4;
    const strLen = this.strs.length;
    const out = new Uint8Array(24 + typeLen + strLen);
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, littleEndian);
    out[2] = 1;
    v.setUint32(4, 24, littleEndian);
    v.setUint32(8, 0, littleEndian);
    v.setUint32(12, typeLen, littleEndian);
    v.setUint32(16, typeLen, littleEndian);
    v.setUint32(20, strLen, littleEndian);
    this.words.forEach((w, i) => v.setUint32(24 + i * 4, w, littleEndian));
    out.set(this.strs, 24 + typeLen);
    return out;
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'btfkit-dump-c-'));
});
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

// ---- clang-built objects ----

describe('dumpC on clang-built BPF objects', () => {
  it('prints the example of btf-dump-c.md', () => {
    const { btf, path } = compile(`
typedef unsigned int u32;
struct a { u32 x: 3; u32 y: 5; char z; };
union u { int i; struct { short lo, hi; }; };
enum e8 { E8_A = 1, E8_B = 255 } __attribute__((packed));
enum big { BIG_A = 0xffffffffffULL };
enum neg { NEG_A = -1, NEG_B = 2 };
struct w { struct a a; union u u; enum e8 e; enum big b; enum neg n; int arr[4][2];
           const volatile int *cvp; char *const cp; struct fwd *f; };
struct w gw;
`);
    check(btf, path, `typedef unsigned int u32;

struct a {
	u32 x: 3;
	u32 y: 5;
	char z;
};

union u {
	int i;
	struct {
		short lo;
		short hi;
	};
};

enum e8 {
	E8_A = 1,
	E8_B = 255,
};

enum big {
	BIG_A = 1099511627775ULL,
};

enum neg {
	NEG_A = -1,
	NEG_B = 2,
};

struct fwd;

struct w {
	struct a a;
	union u u;
	enum e8 e;
	enum big b;
	enum neg n;
	int arr[4][2];
	volatile const int *cvp;
	char * const cp;
	struct fwd *f;
};

`);
  });

  it('pads with anonymous bitfields and detects packed structs', () => {
    const { btf, path } = compile(`
struct s { int (*f)(void); int (*g)(int, ...); char c; long l __attribute__((aligned(16))); } __attribute__((packed));
struct p1 { int a; char b; } __attribute__((packed));
struct inner { char c; int i; } __attribute__((packed));
struct outer { char x; struct inner in; };
struct bf { int a: 3; int : 0; char c; int b: 4; long l; char e: 2; };
struct empty {};
struct onlypad { long : 64; };
struct al { char c; int x __attribute__((aligned(64))); };
struct al2 { char c; } __attribute__((aligned(16)));
struct nest { char c; struct al2 a; };
struct s g0; struct p1 g1; struct outer g2; struct bf g3; struct empty g4; struct onlypad g5; struct al g7; struct nest g8;
`);
    const pad7 = '\tlong: 64;\n'.repeat(7);
    check(btf, path, `struct s {
	int (*f)(void);
	int (*g)(int, ...);
	char c;
	long: 64;
	long l;
	long: 64;
};

struct p1 {
	int a;
	char b;
} __attribute__((packed));

struct inner {
	char c;
	int i;
} __attribute__((packed));

struct outer {
	char x;
	struct inner in;
};

struct bf {
	int a: 3;
	int: 0;
	char c;
	int b: 4;
	long l;
	char e: 2;
};

struct empty {};

struct onlypad {
	long: 64;
};

struct al {
	char c;
${pad7}	int x;
${pad7}};

struct al2 {
	char c;
	long: 64;
};

struct nest {
	char c;
	long: 64;
	struct al2 a;
};

`);
  });

  it('prints declarators: function pointers, arrays, qualifiers, anonymous types inline', () => {
    const { btf, path } = compile(`
typedef struct { int a; } anon_t;
typedef union { int i; float f; } anon_u;
typedef enum { AE_X, AE_Y = 5 } anon_e;
typedef int (*fn_t)(const char *, ...);
typedef void (*arr_fn_t[3])(int);
struct list { struct list *next, *prev; };
struct ping; struct pong;
struct ping { struct pong *p; int v; };
struct pong { struct ping ping; };
struct cont {
  int (*(*retfn)(int))(long);
  char (*parr)[16];
  const int carr[2];
  volatile unsigned long long vl;
  struct { int x; struct { char y; } inner; } nested;
  union { long l; enum { IN_A, IN_B } e; };
  enum e64s { S_NEG = -5000000000LL, S_POS = 1 } s;
  anon_t at; anon_u au; anon_e ae; fn_t fn; arr_fn_t afn;
  struct list lst;
  struct pong pg;
  void *vp; const void *cvp; int *restrict rp; _Bool b; float fl; double d;
  unsigned char flex[];
};
struct cont gc;
`);
    check(btf, path, `enum e64s {
	S_NEG = -5000000000LL,
	S_POS = 1LL,
};

typedef struct {
	int a;
} anon_t;

typedef union {
	int i;
	float f;
} anon_u;

typedef enum {
	AE_X = 0,
	AE_Y = 5,
} anon_e;

typedef int (*fn_t)(const char *, ...);

typedef void (*arr_fn_t[3])(int);

struct list {
	struct list *next;
	struct list *prev;
};

struct pong;

struct ping {
	struct pong *p;
	int v;
};

struct pong {
	struct ping ping;
};

struct cont {
	int (* (*retfn)(int))(long);
	char (*parr)[16];
	const int carr[2];
	volatile unsigned long long vl;
	struct {
		int x;
		struct {
			char y;
		} inner;
	} nested;
	union {
		long l;
		enum {
			IN_A = 0,
			IN_B = 1,
		} e;
	};
	enum e64s s;
	anon_t at;
	anon_u au;
	anon_e ae;
	fn_t fn;
	arr_fn_t afn;
	struct list lst;
	struct pong pg;
	void *vp;
	const void *cvp;
	int * restrict rp;
	_Bool b;
	float fl;
	double d;
	unsigned char flex[0];
};

`);
  });

  it('prints type tags as attributes and skips decl tags, functions and variables', () => {
    const { btf, path } = compile(`
#define __user __attribute__((btf_type_tag("user")))
#define __rcu __attribute__((btf_type_tag("rcu")))
#define __tag __attribute__((btf_decl_tag("dtag")))
struct t { int __user *up; int __rcu * __user *pp; int x __tag; } __tag;
typedef int __user *uptr_t;
struct t gt; uptr_t gu;
int __tag func(int a __tag, int __user *p) { return a + (p != 0); }
`);
    check(btf, path, `struct t {
	int __attribute__((btf_type_tag("user"))) *up;
	int __attribute__((btf_type_tag("rcu"))) * __attribute__((btf_type_tag("user"))) *pp;
	int x;
};

typedef int __attribute__((btf_type_tag("user"))) *uptr_t;

`);
  });
});

// ---- hand-made BTF ----

/** Parse hand-made BTF and write it where bpftool can read it. */
function made(b: RawBtf, littleEndian = true): { btf: Btf; path: string } {
  const bytes = b.bytes(littleEndian);
  return { btf: Btf.parse(bytes), path: writeBtf(bytes) };
}

describe('dumpC on hand-made BTF', () => {
  it('counts empty names like any other (malformed enumerators, as bpftool prints them)', () => {
    // the kernel rejects empty enumerator names, but bpftool prints them, numbering the second
    // and later ones; an empty string at a non-zero offset is the same name
    const b = new RawBtf();
    b.int('int', 4, 1);
    const empty = b.str('x') + 1; // the NUL ending "x": an empty string at a non-zero offset
    b.enum('e', 4, [['', 1], ['', 2]]);
    b.raw(0, 6, 2, 4, empty, 3, 0, 4);
    const { btf, path } = made(b);
    const out = dump(btf);
    expect(bpftool(path)).toBe(out);
    expect(body(out)).toMatchInlineSnapshot(`
      "enum e {
      	 = 1,
      	___2 = 2,
      };

      enum {
      	___3 = 3,
      	___4 = 4,
      };

      "
    `);
  });

  it('ignores the name offsets of types whose name it never prints, as bpftool does', () => {
    const b = new RawBtf();
    const int = b.int('int', 4, 1);
    const p = b.raw(1 << 20, 2, 0, int); // a pointer with a name offset past the strings
    const a = b.raw(1 << 20, 3, 0, 0, int, int, 2); // an array likewise
    b.struct('s', 16, [['p', p, 0], ['a', a, 64]]);
    const { btf, path } = made(b);
    const out = dump(btf);
    expect(bpftool(path)).toBe(out);
    expect(body(out)).toMatchInlineSnapshot(`
      "struct s {
      	int *p;
      	int a[2];
      };

      "
    `);
  });

  it('numbers duplicate names per namespace, in order of first use', () => {
    const b = new RawBtf();
    const int = b.int('int', 4, 1);
    const foo1 = b.struct('foo', 4, [['x', int, 0]]);
    const foo2 = b.struct('foo', 4, [['y', int, 0]]);
    b.union('foo', 4, [['z', int, 0]]);
    b.fwd('foo');
    b.enum('foo', 4, []);
    b.typedef('foo', foo2);
    b.enum('bar', 4, [['foo', 1], ['BAR', 2]]);
    b.enum('', 4, [['BAR', 3]]);
    b.struct('user', 16, [['a', b.ptr(foo2), 0], ['b', b.ptr(foo1), 64]]);
    const long = 'n'.repeat(260);
    const l1 = b.struct(long, 4, [['x', int, 0]]);
    const l2 = b.struct(long, 4, [['x', int, 0]]);
    b.struct('uselong', 8, [['p', l2, 0], ['q', l1, 32]]);
    const { btf, path } = made(b);
    const out = dump(btf);
    expect(bpftool(path)).toBe(out);
    expect(body(out)).toMatchInlineSnapshot(`
      "struct foo {
      	int x;
      };

      struct foo___2 {
      	int y;
      };

      union foo___3 {
      	int z;
      };

      struct foo;

      enum foo;

      typedef struct foo___2 foo;

      enum bar {
      	foo___2 = 1,
      	BAR = 2,
      };

      enum {
      	BAR___2 = 3,
      };

      struct user {
      	struct foo___2 *a;
      	struct foo *b;
      };

      struct nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn {
      	int x;
      };

      struct nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn {
      	int x;
      };

      struct uselong {
      	struct nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn p;
      	struct nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn q;
      };

      "
    `);
  });

  it('follows GCC quirks: va_list typedefs, __Poly types, qualified arrays and prototypes', () => {
    const b = new RawBtf();
    const char = b.int('char', 1, 2);
    const va = b.typedef('__builtin_va_list', b.ptr(char));
    b.typedef('__gnuc_va_list', 0);
    const poly = b.int('__Poly8_t', 1);
    const int = b.int('int', 4, 1);
    const carr = b.const(b.array(int, int, 4));
    const vproto = b.ptr(b.volatile(b.proto(0, [])));
    const f = b.float('double', 8);
    b.struct('q', 40, [['ap', va, 0], ['p', poly, 64], ['a', carr, 96], ['f', vproto, 256 - 64], ['d', f, 256]]);
    const unused = b.enum('', 4, [['ONLY_VAR', 7]]);
    b.variable('v', unused);
    b.enum('', 4, [['TOP', 1]]);
    const { btf, path } = made(b);
    const out = dump(btf);
    expect(bpftool(path)).toBe(out);
    expect(body(out)).toMatchInlineSnapshot(`
      "typedef __builtin_va_list __gnuc_va_list;

      typedef unsigned char __Poly8_t;

      struct q {
      	__builtin_va_list ap;
      	__Poly8_t p;
      	int a[4];
      	void (*f)(void);
      	double d;
      };

      enum {
      	TOP = 1,
      };

      "
    `);
  });

  it('pads with 32-bit longs when pointers are 4 bytes', () => {
    const b = new RawBtf();
    const long = b.int('long int', 4, 1);
    const ch = b.int('char', 1, 2);
    b.struct('p4', 16, [['c', ch, 0], ['l', long, 96]]);
    b.struct('e64', 12, [['e', b.enum64('big', [['B', 1n << 40n]]), 0]]);
    const { btf, path } = made(b);
    const out = dump(btf);
    expect(bpftool(path)).toBe(out);
    expect(body(out)).toMatchInlineSnapshot(`
      "struct p4 {
      	char c;
      	long: 32;
      	long: 32;
      	long int l;
      };

      enum big {
      	B = 1099511627776ULL,
      };

      struct e64 {
      	enum big e;
      	long: 32;
      };

      "
    `);
  });

  it('prints 64-bit enumerators, signed and unsigned', () => {
    const b = new RawBtf();
    b.enum64('u64', [['U_MAX', (1n << 64n) - 1n], ['U_HI', 1n << 63n], ['U_SMALL', 5n]]);
    b.enum64('s64', [['S_MIN', -(1n << 63n)], ['S_NEG', -1n], ['S_NEG32', -(1n << 31n)], ['S_BIG', 1n << 40n]], true);
    b.enum('s32', 4, [['S32_MIN', 0x80000000], ['S32_NEG', 0xffffffff]], true);
    b.enum('u32', 4, [['U32_MAX', 0xffffffff]]);
    const { btf, path } = made(b);
    const out = dump(btf);
    expect(bpftool(path)).toBe(out);
    expect(body(out)).toMatchInlineSnapshot(`
      "enum u64 {
      	U_MAX = 18446744073709551615ULL,
      	U_HI = 9223372036854775808ULL,
      	U_SMALL = 5ULL,
      };

      enum s64 {
      	S_MIN = -9223372036854775808LL,
      	S_NEG = -1LL,
      	S_NEG32 = -2147483648LL,
      	S_BIG = 1099511627776LL,
      };

      enum s32 {
      	S32_MIN = -2147483648,
      	S32_NEG = -1,
      };

      enum u32 {
      	U32_MAX = 4294967295,
      };

      "
    `);
  });

  it('dumps big-endian BTF like little-endian BTF', () => {
    const build = (): RawBtf => {
      const b = new RawBtf();
      const int = b.int('int', 4, 1);
      const s = b.struct('s', 16, [['a', int, 0, 3], ['b', int, 3, 7], ['p', b.ptr(b.fwd('later')), 64]]);
      b.typedef('s_t', s);
      b.enum64('e', [['E', 1n << 33n]]);
      return b;
    };
    const le = made(build(), true);
    const be = made(build(), false);
    const out = dump(le.btf);
    expect(dump(be.btf)).toBe(out);
    expect(bpftool(be.path)).toBe(out);
  });

  it('dumps split BTF with its base, numbering names across both', () => {
    const base = new RawBtf();
    const int = base.int('int', 4, 1);
    base.struct('foo', 4, [['x', int, 0]]);
    base.typedef('foo_t', int);
    const baseBytes = base.bytes();
    const baseBtf = Btf.parse(baseBytes);
    const split = new RawBtf(baseBtf.lastId + 1, baseBtf.strLen, true);
    const foo2 = split.struct('foo', 8, [['y', int, 0], ['z', int, 32]]);
    split.typedef('foo_t', split.ptr(foo2));
    split.struct('mod', 8, [['t', baseBtf.lastId + 2, 0]]);
    const splitBytes = split.bytes();
    const basePath = writeBtf(baseBytes);
    const splitPath = writeBtf(splitBytes);
    const btf = Btf.parse(splitBytes, { base: baseBtf });
    const out = dump(btf);
    expect(bpftool(splitPath, basePath)).toBe(out);
    expect(body(out)).toMatchInlineSnapshot(`
      "struct foo {
      	int x;
      };

      typedef int foo_t;

      struct foo___2 {
      	int y;
      	int z;
      };

      typedef struct foo___2 *foo_t___2;

      struct mod {
      	struct foo___2 *t;
      };

      "
    `);
  });
});

// ---- malformed BTF ----

/** Dump, expecting a BtfkitError (optionally with a code); anything else fails the test. */
function expectBtfkitError(bytes: Uint8Array, code?: string): void {
  for (const engine of ['wasm', 'js'] as const) {
    let err: unknown;
    try {
      dumpC(Btf.parse(bytes), () => {}, { engine });
    } catch (e) {
      err = e;
    }
    expect(err, `dumpC (${engine}) should have thrown`).toBeDefined();
    if (!isBtfkitError(err)) throw err;
    if (code !== undefined) expect(err.code).toBe(code);
  }
  expect(outcome(bytes, 'wasm')).toBe(outcome(bytes, 'js'));
}

describe('dumpC on malformed BTF', () => {
  it('rejects a typedef loop, a modifier loop and a pointer loop', () => {
    for (const make of [
      (b: RawBtf): void => { b.typedef('a', 2); b.typedef('b', 1); },
      (b: RawBtf): void => { b.const(2); b.volatile(1); b.struct('s', 8, [['x', 1, 0]]); },
      (b: RawBtf): void => { b.ptr(1); },
      (b: RawBtf): void => { b.ptr(2); b.proto(0, [['x', 1]]); },
      (b: RawBtf): void => { b.array(1, 1, 2); },
    ]) {
      const b = new RawBtf();
      make(b);
      expectBtfkitError(b.bytes(), 'BTF_BAD_QUERY');
    }
  });

  it('rejects structs that contain themselves', () => {
    const b = new RawBtf();
    b.struct('self', 4, [['x', 1, 0]]);
    expectBtfkitError(b.bytes(), 'BTF_BAD_QUERY');
    const c = new RawBtf();
    c.struct('', 8, [['next', 2, 0]]);
    c.ptr(1);
    c.struct('user', 8, [['u', 1, 0]]);
    expectBtfkitError(c.bytes(), 'BTF_BAD_QUERY');
  });

  it('rejects bad type ids, bad string offsets and unknown kinds', () => {
    const b = new RawBtf();
    b.struct('s', 4, [['x', 7, 0]]);
    expectBtfkitError(b.bytes(), 'BTF_BAD_TYPE_ID');
    const c = new RawBtf();
    c.raw(1 << 20, 1, 0, 4, 32);
    expectBtfkitError(c.bytes(), 'BTF_BAD_STRING_OFFSET');
    const d = new RawBtf();
    const int = d.int('int', 4, 1);
    d.raw(0, 4, 1, 4, 1 << 20, int, 0); // member name offset out of range
    expectBtfkitError(d.bytes(), 'BTF_BAD_STRING_OFFSET');
  });

  it('gives up on output that would blow up', () => {
    // anonymous structs used by value many times, nested: 64^5 member lines
    const b = new RawBtf();
    let t = b.int('int', 4, 1);
    let size = 4;
    for (let level = 0; level < 5; level++) {
      const members: M[] = [];
      for (let i = 0; i < 64; i++) members.push([`m${i}`, t, i * size * 8]);
      size *= 64;
      t = b.struct('', size, members);
    }
    b.struct('top', size, [['t', t, 0]]);
    expectBtfkitError(b.bytes(), 'BTF_BAD_QUERY');
    // a 2 Gbit hole to pad
    const c = new RawBtf();
    c.struct('huge', 0x0fffffff, [['c', c.int('char', 1, 2), 0]]);
    expectBtfkitError(c.bytes(), 'BTF_BAD_QUERY');
  });

  it('throws only BtfkitErrors on mutated BTF, the same text or error from both engines', () => {
    const b = new RawBtf();
    const int = b.int('int', 4, 1);
    const ch = b.int('char', 1, 2);
    const fwd = b.fwd('f');
    const s = b.struct('s', 24, [['a', int, 0, 3], ['c', ch, 8], ['p', b.ptr(fwd), 64], ['arr', b.array(ch, int, 4), 128]]);
    const td = b.typedef('s_t', s);
    b.union('', 8, [['x', b.const(b.volatile(td)), 0], ['e', b.enum('e', 4, [['E1', 1], ['E2', -1]], true), 0]]);
    b.proto(int, [['x', b.ptr(s)], ['', 0]]);
    b.enum64('e64', [['B', 1n << 40n]]);
    b.typeTag('tag', int);
    const seed = b.bytes();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const bytes = seed.slice();
          for (const [at, v] of edits) bytes[at] = v;
          let parsed = true;
          try {
            Btf.parse(bytes);
          } catch (e) {
            if (!isBtfkitError(e)) throw e;
            parsed = false;
          }
          if (parsed) expect(outcome(bytes, 'wasm')).toBe(outcome(bytes, 'js'));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

