/**
 * Differential test of `dumpC` against the oracle, Debian's bpftool 7.1: for every kernel BTF of
 * the corpus (the full ../shared/kernels when present, else the committed testdata/kernels) and
 * for the running kernel, our header must be byte-identical to `bpftool btf dump file FILE
 * format c` (split module BTF: `--base-btf BASE`). The generated header must also compile with
 * `clang-19 -target bpf`.
 *
 * Both engines of `dumpC` (WebAssembly and JavaScript) are compared with bpftool.
 *
 * bpftool and clang-19 are required (CI installs them): when one is missing the tests fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Btf, dumpC, subsetBtf } from 'btfkit/btf';
import { isBtfkitError } from 'btfkit';
import { kernelsForTests, readBtfFile, repoRoot, type KernelFile } from './helpers/kernels.js';

const SYSFS_VMLINUX = '/sys/kernel/btf/vmlinux';

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'btfkit-dump-c-bpftool-'));
});
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** Run a tool; a missing tool is a failure with a clear message, never a skip. */
function run(cmd: string, args: string[]): Buffer {
  try {
    return execFileSync(cmd, args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error(`${cmd} is required for this test (CI installs it) but is not on PATH`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.toString() ?? String(e)}`);
  }
}

/** A path bpftool can read: the file itself, or its gunzipped copy in the work directory. */
function plainPath(path: string, bytes: Uint8Array): string {
  if (!path.endsWith('.gz')) return path;
  const out = join(work, path.split('/').pop()!.replace(/\.gz$/, ''));
  if (!existsSync(out)) writeFileSync(out, bytes);
  return out;
}

function dumpToBuffer(btf: Btf, engine: 'auto' | 'wasm' | 'js' = 'auto'): Buffer {
  const chunks: Buffer[] = [];
  dumpC(btf, (c) => chunks.push(Buffer.from(c)), { engine });
  return Buffer.concat(chunks);
}

/** A readable account of where two outputs first differ (line number and a few lines of each). */
function firstDifference(ours: Buffer, theirs: Buffer): string {
  let i = 0;
  const n = Math.min(ours.length, theirs.length);
  while (i < n && ours[i] === theirs[i]) i++;
  const lineNo = ours.subarray(0, i).toString('latin1').split('\n').length;
  const around = (b: Buffer): string => b.toString('utf8').split('\n').slice(Math.max(0, lineNo - 4), lineNo + 3)
    .map((l, k) => `${String(Math.max(1, lineNo - 3) + k).padStart(7)}  ${l}`).join('\n');
  return `outputs differ at byte ${i}, line ${lineNo} (ours ${ours.length} bytes, bpftool ${theirs.length} bytes)\n` +
    `--- bpftool:\n${around(theirs)}\n--- btfkit:\n${around(ours)}`;
}

/** Both engines print bpftool's bytes. */
function expectSameAsBpftool(btf: Btf, path: string, basePath?: string): void {
  const theirs = run('bpftool', ['btf', 'dump', 'file', path, ...(basePath === undefined ? [] : ['--base-btf', basePath]), 'format', 'c']);
  for (const engine of ['wasm', 'js'] as const) {
    const ours = dumpToBuffer(btf, engine);
    if (!ours.equals(theirs)) expect.fail(`${engine} engine: ${firstDifference(ours, theirs)}`);
  }
}

const kernels = kernelsForTests();
const byName = new Map(kernels.map((k) => [k.name, k]));
const parsed = new Map<string, { btf: Btf; path: string }>();

/** Parse a corpus file (and its base), once. */
function load(k: KernelFile): { btf: Btf; path: string } {
  const done = parsed.get(k.name);
  if (done !== undefined) return done;
  const bytes = readBtfFile(k.path);
  let base: Btf | undefined;
  if (k.base !== undefined) {
    const b = byName.get(k.base);
    if (b === undefined) throw new Error(`${k.name}: base ${k.base} is not in the corpus`);
    base = load(b).btf;
  }
  const entry = { btf: Btf.parse(bytes, base === undefined ? {} : { base }), path: plainPath(k.path, bytes) };
  parsed.set(k.name, entry);
  return entry;
}

describe('btf dump format c: byte-identical to bpftool', () => {
  it('has kernels to test', () => {
    expect(kernels.length).toBeGreaterThan(0);
  });

  for (const k of kernels) {
    it(k.base === undefined ? k.name : `${k.name} (split on ${k.base})`, () => {
      const { btf, path } = load(k);
      const basePath = k.base === undefined ? undefined : load(byName.get(k.base)!).path;
      expectSameAsBpftool(btf, path, basePath);
    });
  }

  it.skipIf(!existsSync(SYSFS_VMLINUX))(`the running kernel (${SYSFS_VMLINUX})`, () => {
    const b = readFileSync(SYSFS_VMLINUX);
    expectSameAsBpftool(Btf.parse(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)), SYSFS_VMLINUX);
  });
});

/** A BPF program using a few kernel types through the generated header. */
const PROGRAM = `#include "vmlinux.h"

#define SEC(name) __attribute__((section(name), used))

SEC("kprobe/do_sys_openat2")
int probe(struct pt_regs *ctx)
{
	struct task_struct *t = (struct task_struct *)0;
	struct list_head *l = (struct list_head *)0;
	return (int)(sizeof(*t) + sizeof(*l) + sizeof(*ctx)) & 1;
}

char LICENSE[] SEC("license") = "GPL";
`;

function compileHeader(name: string, btf: Btf): void {
  const dir = join(work, `compile-${name}`);
  run('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'vmlinux.h'), dumpToBuffer(btf));
  writeFileSync(join(dir, 'prog.c'), PROGRAM);
  run('clang-19', ['-g', '-O2', '-target', 'bpf', '-c', join(dir, 'prog.c'), '-o', join(dir, 'prog.o')]);
}

describe('btf dump format c: the header compiles with clang-19 -target bpf', () => {
  const k61 = kernels.find((k) => k.base === undefined && /^linux-6\.1\.0-\d+-amd64\.btf/.test(k.name));

  it('for a 6.1 kernel of the corpus', () => {
    expect(k61, 'a linux-6.1.0-*-amd64 BTF in the corpus').toBeDefined();
    compileHeader('6.1', load(k61!).btf);
  });

  it.skipIf(!existsSync(SYSFS_VMLINUX))(`for the running kernel (${SYSFS_VMLINUX})`, () => {
    const b = readFileSync(SYSFS_VMLINUX);
    compileHeader('running', Btf.parse(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
  });
});

describe('btf dump format c: mutated kernel types, against bpftool', () => {
  it('prints bpftool\'s bytes whenever bpftool prints, and fails where it fails (600 mutations)', async () => {
    // Kernel structs (about 370 types) with up to 8 bytes changed anywhere in the file. Two
    // differences are allowed, both by design:
    // - output that would blow up (bpftool printed 184 MB for one mutation) is refused with
    //   BTF_BAD_QUERY;
    // - an `info` word with bits set that classic BTF leaves unused (0x60ff0000): the kernel
    //   rejects it ("Invalid btf_info"), btfkit reads it as upstream's wider kind and vlen
    //   (core-spec 1.3) and so rejects the file, bpftool 7.1 (libbpf 1.1) masks the bits off;
    // - a name offset past the strings on a type whose name is printed: btfkit refuses with
    //   BTF_BAD_STRING_OFFSET (as libbpf 1.2 and later do on parsing), bpftool 7.1 prints
    //   printf's "(null)" for it;
    // - bpftool crashing (an array index type past the last id: libbpf 1.1 marks it referenced
    //   out of bounds and may crash): btfkit prints, or refuses with a BtfkitError.
    const kernel = Btf.parse(readBtfFile(join(repoRoot, 'testdata/kernels/linux-6.1.0-56-amd64.btf.gz')));
    const seed = subsetBtf(kernel, ['task_struct', 'sk_buff', 'inode'].map((n) => kernel.findByNameKind(n, 'struct')!));
    const seedOffsets = Btf.parse(seed).offsets;
    const reservedInfoBits = (bytes: Uint8Array): boolean => {
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return Array.from(seedOffsets).some((o) => (v.getUint32(o + 4, true) & 0x60ff0000) !== 0);
    };
    const file = join(work, 'mutated.btf');
    const BLOW_UP = 8 << 20;
    const tally = { same: 0, bothRefuse: 0, tooLarge: 0, reservedBits: 0, nullName: 0, bpftoolCrashed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (edits) => {
        // let the test runner's worker talk to its parent between runs (a long synchronous
        // loop makes its RPC time out)
        await new Promise((resolve) => setImmediate(resolve));
        const bytes = seed.slice();
        for (const [at, v] of edits) bytes[at] = v;
        writeFileSync(file, bytes);
        // bpftool's output is cut at 8 MB (the header of these types is 26 KB; a blow-up prints
        // gigabytes, for seconds): cut means blown up
        const theirs = spawnSync('bash', ['-c', 'bpftool btf dump file "$1" format c | head -c $((MAX + 1)); exit "${PIPESTATUS[0]}"', '_', file], {
          maxBuffer: 1 << 24, env: { ...process.env, MAX: String(BLOW_UP) },
        });
        if (theirs.error !== undefined) throw theirs.error;
        const blownUp = theirs.stdout.length > BLOW_UP;
        let ours: Buffer | undefined;
        let error: unknown;
        try {
          ours = dumpToBuffer(Btf.parse(bytes));
        } catch (e) {
          if (!isBtfkitError(e)) throw e;
          error = e;
        }
        if (blownUp) {
          expect(error, 'bpftool printed over 8 MB, btfkit printed').toBeDefined();
          tally.tooLarge++;
        } else if (theirs.status! > 128 && theirs.status! < 160) {
          // killed by a signal (bash reports 128 + the signal; bpftool's own failure is 255)
          tally.bpftoolCrashed++;
        } else if (theirs.status !== 0) {
          expect(error, `bpftool refused (${theirs.stderr.toString().trim()}) but btfkit printed`).toBeDefined();
          tally.bothRefuse++;
        } else if (error !== undefined && reservedInfoBits(bytes)) {
          tally.reservedBits++;
        } else if (isBtfkitError(error, 'BTF_BAD_STRING_OFFSET') && theirs.stdout.includes('(null)')) {
          tally.nullName++;
        } else if (error !== undefined) {
          expect(String(error)).toMatch(/unreasonably large/);
          tally.tooLarge++;
        } else {
          if (!ours!.equals(theirs.stdout)) expect.fail(firstDifference(ours!, theirs.stdout));
          tally.same++;
        }
      }),
      // a fixed seed: the same 600 inputs every run, so its time and its outcome are stable
      { numRuns: 600, seed: 20261202 },
    );
    // With this seed: 169 printed alike, 92 refused by both, 19 blow-ups, 3 reserved bits, 4
    // "(null)" names; bpftool crashed on 313 (311 SIGSEGV, 2 SIGFPE), where btfkit refused 311
    // with a BtfkitError and printed 2.
    expect(tally.same).toBeGreaterThan(100);
    expect(tally.bothRefuse).toBeGreaterThan(50);
  }, 300_000);
});
