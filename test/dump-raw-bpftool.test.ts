/**
 * Differential test: `dumpRaw` against the oracle, bpftool (Debian's v7.1 in CI), byte for byte.
 *
 * Inputs: every kernel BTF of kernelsForTests() (module BTF with --base-btf), and BPF objects
 * compiled here with clang-19 from the C below, little- and big-endian, for the kinds kernels
 * lack (DECL_TAG, TYPE_TAG, VAR, DATASEC, extern FUNC, ENUM64, signed enums, bitfields).
 *
 * bpftool and clang-19 are required (CI installs both): without them this file fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Btf, openBtf, dumpRaw } from 'btfkit/btf';
import { kernelsForTests, readBtfFile, type KernelFile } from './helpers/kernels.js';

const BPFTOOL = process.env['BPFTOOL'] ?? 'bpftool';
const CLANG = process.env['CLANG'] ?? 'clang-19';

/** bpftool's output for a file (with a base for split BTF). */
function bpftoolDump(file: string, base?: string): Buffer {
  const args = ['btf', 'dump', 'file', file];
  if (base !== undefined) args.push('--base-btf', base);
  return execFileSync(BPFTOOL, args, { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

function ourDump(btf: Btf): Buffer {
  const parts: Buffer[] = [];
  dumpRaw(btf, (chunk) => parts.push(Buffer.from(chunk)));
  return Buffer.concat(parts);
}

/** Equal bytes, or a failure that names the first differing line (not a 12 MB diff). */
function expectSameDump(ours: Buffer, theirs: Buffer, what: string): void {
  if (ours.equals(theirs)) return;
  let i = 0;
  while (i < ours.length && i < theirs.length && ours[i] === theirs[i]) i++;
  const lineStart = ours.lastIndexOf(0x0a, i - 1) + 1;
  const lineOf = (b: Buffer): string => {
    const end = b.indexOf(0x0a, lineStart);
    return b.subarray(lineStart, end === -1 ? b.length : end).toString('latin1');
  };
  expect.fail(`${what}: output differs from bpftool at byte ${i} (ours ${ours.length} bytes, bpftool ${theirs.length})\n` +
    `  bpftool: ${JSON.stringify(lineOf(theirs))}\n  ours:    ${JSON.stringify(lineOf(ours))}`);
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'btfkit-dump-raw-'));
});
afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

it('has the oracle: bpftool is installed', () => {
  // Fails rather than skips: CI installs bpftool, and without it nothing below is checked.
  expect(execFileSync(BPFTOOL, ['version'], { encoding: 'utf8' })).toMatch(/^bpftool v/);
});

describe('kernel BTF', () => {
  const kernels = kernelsForTests();
  const byName = new Map(kernels.map((k) => [k.name, k]));
  /** Path bpftool can read: gunzipped into the temp dir when needed. */
  const plain = new Map<string, string>();
  const pathFor = (k: KernelFile): string => {
    if (!k.path.endsWith('.gz')) return k.path;
    let p = plain.get(k.name);
    if (p === undefined) {
      p = join(tmp, k.name.replace(/\.gz$/, ''));
      writeFileSync(p, readBtfFile(k.path));
      plain.set(k.name, p);
    }
    return p;
  };
  const parsed = new Map<string, Btf>();
  const parse = (k: KernelFile): Btf => {
    let btf = parsed.get(k.name);
    if (btf === undefined) {
      const base = k.base === undefined ? undefined : parse(byName.get(k.base)!);
      btf = Btf.parse(readBtfFile(k.path), base === undefined ? {} : { base });
      parsed.set(k.name, btf);
    }
    return btf;
  };

  it('finds kernels to compare', () => {
    expect(kernels.length).toBeGreaterThan(0);
  });

  it.each(kernels.map((k) => [k.name, k] as const))('%s', (_name, k) => {
    const base = k.base === undefined ? undefined : pathFor(byName.get(k.base)!);
    expectSameDump(ourDump(parse(k)), bpftoolDump(pathFor(k), base), k.name);
  });
});

/** C sources for the kinds and encodings kernel BTF does not have. */
const SOURCES: Record<string, string> = {
  'kinds.c': `
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))
struct bf { int a:3; unsigned b:5; long c; char __tag("m") d; unsigned long long e:33; } __tag("s");
union u { int x; char y[3]; struct { short lo:4, hi:12; }; } uu;
typedef struct { int q; } anon_t; anon_t at;
int __ttag("user") *gp;
int __ttag("a") __ttag("b") * const __ttag("c") *gpp;
extern int ext_var __attribute__((weak));
extern int ext_fn(int);
extern int ext_ksym __attribute__((section(".ksyms")));
static volatile const int sv = 3;
int gv[4] = {1};
float f; double d; _Bool bb; __int128 i128; unsigned __int128 u128; long double ld; signed char sc; unsigned char uc;
int (*vfp)(int, ...);
char *restrict rp;
struct fwdonly *fp;
union fwdu *fu;
static int __tag("static_fn") helper(int x) { return x * ext_fn(x); }
int __tag("fn") foo(struct bf *p __tag("arg"), int x) { return p->a + x + helper(sv) + ext_var + *gp + ext_ksym; }
__attribute__((section("license"))) char LICENSE[] = "GPL";
`,
  'enums.c': `
enum e_neg { N1 = -1, N2 = 2, NMIN = -2147483647 - 1 };
enum e_u32 { U0, UMAX = 0xffffffffu };
enum e_u64 { BIG = 0xffffffffffffffffULL, ONE = 1, HI = 0x0123456789abcdefULL };
enum e_s64 { SMIN = -0x7fffffffffffffffLL - 1, SNEG = -5, SPOS = 0x100000000LL };
enum __attribute__((packed)) e_small { P0, P1 = 200 };
enum { ANON_A = 7 } anon_e;
enum e_neg g1; enum e_u32 g2; enum e_u64 g3; enum e_s64 g4; enum e_small g5;
`,
};

describe('BPF objects compiled with clang', () => {
  const objects: [string, string][] = [];
  beforeAll(() => {
    for (const [file, source] of Object.entries(SOURCES)) {
      const c = join(tmp, file);
      writeFileSync(c, source);
      for (const target of ['bpfel', 'bpfeb']) {
        const o = join(tmp, `${basename(file, '.c')}-${target}.o`);
        execFileSync(CLANG, ['-g', '-O2', '-target', target, '-c', c, '-o', o], { stdio: ['ignore', 'pipe', 'pipe'] });
        objects.push([basename(o), o]);
      }
    }
  });

  it('compiles the sources', () => {
    expect(objects).toHaveLength(2 * Object.keys(SOURCES).length);
  });

  it('prints each object as bpftool does', () => {
    const kinds = new Set<string>();
    for (const [name, o] of objects) {
      const ours = ourDump(openBtf(readBtfFile(o)));
      expectSameDump(ours, bpftoolDump(o), name);
      for (const m of ours.toString('latin1').matchAll(/^\[\d+\] (\w+) /gm)) kinds.add(m[1]!);
    }
    // The objects cover every kind except the ones only kernels have in bulk.
    expect([...kinds].sort()).toEqual(['ARRAY', 'CONST', 'DATASEC', 'DECL_TAG', 'ENUM', 'ENUM64', 'FLOAT', 'FUNC',
      'FUNC_PROTO', 'FWD', 'INT', 'PTR', 'RESTRICT', 'STRUCT', 'TYPEDEF', 'TYPE_TAG', 'UNION', 'VAR', 'VOLATILE']);
  });
});
