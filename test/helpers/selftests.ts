/**
 * The Linux kernel's own CO-RE selftests (tools/testing/selftests/bpf/prog_tests/core_reloc.c)
 * as a conformance suite, built at test time from Debian's linux-source package (nothing of
 * the kernel tree is vendored):
 *
 * 1. `/usr/src/linux-source-<V>.tar.xz` (package `linux-source-<V>`, V = $BTFKIT_LINUX_SOURCE
 *    or 6.1) is installed with apt-get when missing (root only);
 * 2. the few files needed are extracted into a cache directory keyed by the tarball's sha256
 *    ($BTFKIT_SELFTESTS_CACHE, default `$TMPDIR/btfkit-selftests`);
 * 3. every `progs/test_core_reloc_*.c` (the programs) and `progs/btf__core_reloc_*.c` (the
 *    target BTFs) is compiled with clang-19 exactly as the selftests' Makefile does
 *    (`-g -Werror -O2 -target bpf -mcpu=v3`, same defines and include order; vmlinux.h from
 *    the running kernel's BTF via bpftool), into a build directory keyed by everything that
 *    goes into the build;
 * 4. the case table is read by compiling core_reloc.c itself (cut after `test_cases[]`) into
 *    test/harness/core-reloc-cases.c, which prints each case with its exact input and
 *    expected-output bytes (the C compiler does the macro expansion and struct layout);
 * 5. `bpftool gen min_core_btf` makes the minimized target BTFs of the selftests' btfgen
 *    variant (test_core_reloc_btfgen) for every case that has a target file.
 *
 * Also here: the per-record comparison with libbpf-oracle (the same fields as
 * test/core-libbpf.test.ts), a verifier-style reachability check for poisoned instructions,
 * and running a btfkit-relocated object in the kernel (test/harness/core-reloc-run.c).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { POISON_IMM, type RelocateResult } from 'btfkit/core';
import { withoutCoreRecords } from './emit-run.js';
import { writePatchedObject, type ObjectSpec } from 'btfkit/object';
import { repoRoot } from './kernels.js';

const run = promisify(execFile);

/** Bump when the build recipe below changes: it is part of the build cache key. */
const RECIPE = 3;

export const linuxSourceVersion = process.env['BTFKIT_LINUX_SOURCE'] ?? '6.1';
export const linuxSourcePackage = `linux-source-${linuxSourceVersion}`;
export const linuxSourceTarball = `/usr/src/linux-source-${linuxSourceVersion}.tar.xz`;
export const clang = process.env['BTFKIT_CLANG'] ?? 'clang-19';
const vmlinuxPath = '/sys/kernel/btf/vmlinux';
const harnessDir = join(repoRoot, 'test/harness');

/** One entry of `test_cases[]` in prog_tests/core_reloc.c. */
export interface CoreRelocCase {
  readonly index: number;
  readonly case_name: string;
  readonly bpf_obj_file: string;
  /** null: relocate against the running kernel (vmlinux, or module BTFs for needs_testmod). */
  readonly btf_src_file: string | null;
  readonly prog_name: string;
  /** null for tp_btf programs (attached without a name). */
  readonly raw_tp_name: string | null;
  readonly fails: boolean;
  readonly run_btfgen_fails: boolean;
  readonly needs_testmod: boolean;
  readonly relaxed_core_relocs: boolean;
  readonly has_setup: boolean;
  readonly setup_error: number;
  readonly has_trigger: boolean;
  readonly input_len: number;
  readonly output_len: number;
  /** Hex. */
  readonly input: string;
  /** Hex; for TYPE_ID cases as computed by the case's setup function. */
  readonly output: string;
}

/** A source file that did not compile. */
export interface BuildFailure {
  readonly source: string;
  readonly object: string;
  /** The compiler's first error lines. */
  readonly reason: string;
}

/** A minimized target BTF made by `bpftool gen min_core_btf` for one case. */
export interface BtfgenTarget {
  readonly case_name: string;
  /** Path of the minimized BTF, or undefined when bpftool failed. */
  readonly path: string | undefined;
  readonly error: string | undefined;
}

/** Everything prepared, as stored in the build directory's manifest. */
export interface Selftests {
  readonly version: string;
  readonly tarball: string;
  readonly sha256: string;
  /** tools/testing/selftests/bpf of the extracted tree. */
  readonly selftestsDir: string;
  readonly buildDir: string;
  readonly cflags: readonly string[];
  readonly compiler: string;
  readonly sources: readonly string[];
  /** Objects built (file names in buildDir). */
  readonly built: readonly string[];
  readonly buildFailures: readonly BuildFailure[];
  /** Warnings that -Werror turned into errors, for objects then built without -Werror. */
  readonly buildWarnings: readonly BuildFailure[];
  readonly cases: readonly CoreRelocCase[];
  readonly btfgen: readonly BtfgenTarget[];
  /** Paths of the harness binaries. */
  readonly runner: string;
  /** Whether this run reused a complete cache (else: what was done, with seconds). */
  readonly steps: readonly string[];
}

export type SelftestsSetup = { readonly status: 'ready'; readonly st: Selftests } | { readonly status: 'skip'; readonly reason: string };

const has = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const stderrOf = (e: unknown): string => {
  const x = e as { stderr?: string | Buffer; message?: string };
  const s = x.stderr === undefined ? '' : x.stderr.toString();
  return (s.trim() === '' ? x.message ?? String(e) : s).trim();
};

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Make sure the linux-source tarball is there: install it when missing (root only). */
function ensureTarball(steps: string[]): { ok: true } | { ok: false; skip: string } {
  if (existsSync(linuxSourceTarball)) return { ok: true };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, skip: `${linuxSourceTarball} is missing and installing ${linuxSourcePackage} needs root (run as root, or apt-get install ${linuxSourcePackage} first)` };
  }
  if (!has('apt-get')) return { ok: false, skip: `${linuxSourceTarball} is missing and apt-get is not available to install ${linuxSourcePackage}` };
  const t0 = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): void => {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', linuxSourcePackage], { env, stdio: 'pipe' });
  };
  try {
    install();
  } catch {
    try {
      execFileSync('apt-get', ['update'], { env, stdio: 'pipe' });
      install();
    } catch (e) {
      throw new Error(`apt-get install ${linuxSourcePackage} failed: ${stderrOf(e).split('\n').slice(-5).join('\n')}`);
    }
  }
  if (!existsSync(linuxSourceTarball)) throw new Error(`apt-get installed ${linuxSourcePackage} but ${linuxSourceTarball} is not there`);
  steps.push(`apt-get install ${linuxSourcePackage}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { ok: true };
}

/** Members of the kernel tree we need (tar patterns; the first component is the tree's name). */
const EXTRACT = [
  '*/tools/testing/selftests/bpf/prog_tests/core_reloc.c',
  '*/tools/testing/selftests/bpf/progs/test_core_reloc_*.c',
  '*/tools/testing/selftests/bpf/progs/btf__core_reloc_*.c',
  '*/tools/testing/selftests/bpf/progs/core_reloc_types.h',
  '*/tools/testing/selftests/bpf/progs/bpf_misc.h',
  '*/tools/testing/selftests/bpf/bpf_testmod/bpf_testmod.h',
  '*/tools/include/uapi/*',
];

/** Extract the selftest sources once per tarball. Returns the tree's root. */
function ensureSources(cache: string, sha: string, steps: string[]): string {
  const dir = join(cache, `src-${linuxSourceVersion}-${sha.slice(0, 16)}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  if (!has('tar') || !has('xz')) throw new Error('extracting the kernel sources needs tar and xz (apt-get install tar xz-utils)');
  const t0 = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  let tarError = '';
  try {
    execFileSync('tar', ['-xJf', linuxSourceTarball, '-C', tmp, '--strip-components=1', '--wildcards', ...EXTRACT], { stdio: 'pipe', maxBuffer: 1 << 26 });
  } catch (e) {
    // a pattern that matches nothing (e.g. bpf_misc.h in an older tree) fails tar as a whole
    tarError = stderrOf(e);
  }
  for (const need of ['tools/testing/selftests/bpf/prog_tests/core_reloc.c', 'tools/testing/selftests/bpf/progs/core_reloc_types.h', 'tools/include/uapi/linux/bpf.h']) {
    if (!existsSync(join(tmp, need))) throw new Error(`extracting ${linuxSourceTarball} gave no ${need}${tarError === '' ? '' : `: ${tarError}`}`);
  }
  writeFileSync(join(tmp, '.complete'), `${linuxSourceTarball} ${sha}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  steps.push(`extracted ${linuxSourceTarball}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

/** clang's own system include directories, as the selftests' Makefile gets them (`-idirafter`). */
function sysIncludes(): string[] {
  const err = execFileSync('sh', ['-c', `${clang} -v -E - </dev/null 2>&1`], { encoding: 'utf8' });
  const lines = err.split('\n');
  const a = lines.findIndex((l) => l.includes('<...> search starts here:'));
  const b = lines.findIndex((l, i) => i > a && l.includes('End of search list.'));
  if (a < 0 || b < 0) throw new Error(`cannot read ${clang}'s include search list`);
  return lines.slice(a + 1, b).map((l) => l.trim()).filter((l) => l.startsWith('/')).flatMap((d) => ['-idirafter', d]);
}

const targetArch = (): string => {
  switch (process.arch) {
    case 'x64': return 'x86';
    case 'arm64': return 'arm64';
    case 's390x': return 's390';
    case 'ppc64': return 'powerpc';
    case 'riscv64': return 'riscv';
    default: return process.arch;
  }
};

async function pool<T>(items: readonly T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

const firstLines = (s: string, n = 6): string => s.split('\n').filter((l) => /error|warning|note/.test(l)).slice(0, n).join('\n') || s.split('\n').slice(0, n).join('\n');

/**
 * Install, extract, build and read the case table (everything cached). Throws when any step
 * that should work fails; returns `skip` only when the package cannot be installed for lack of
 * root or apt.
 */
export async function prepareSelftests(): Promise<SelftestsSetup> {
  const steps: string[] = [];
  const t = ensureTarball(steps);
  if (!t.ok) return { status: 'skip', reason: t.skip };
  for (const [tool, pkg] of [[clang, 'clang-19'], ['bpftool', 'bpftool'], ['gcc', 'gcc']] as const) {
    if (!has(tool)) throw new Error(`${tool} is needed to build the kernel's CO-RE selftests (apt-get install ${pkg})`);
  }
  if (!existsSync('/usr/include/bpf/libbpf.h')) throw new Error('libbpf headers are needed (apt-get install libbpf-dev)');
  const cache = process.env['BTFKIT_SELFTESTS_CACHE'] ?? join(tmpdir(), 'btfkit-selftests');
  mkdirSync(cache, { recursive: true });
  const sha = await sha256File(linuxSourceTarball);
  const tree = ensureSources(cache, sha, steps);
  const selftestsDir = join(tree, 'tools/testing/selftests/bpf');

  // Everything that goes into the build is in the key.
  const vmlinux = existsSync(vmlinuxPath) ? readFileSync(vmlinuxPath) : undefined;
  const compiler = execFileSync(clang, ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  const harnessFiles = ['core-reloc-cases.c', 'core-reloc-run.c', 'core-reloc-stubs/test_progs.h'].map((f) => join(harnessDir, f));
  const inc = join(cache, 'include');
  const cflags = [
    '-g', '-Werror', `-D__TARGET_ARCH_${targetArch()}`, '-mlittle-endian',
    `-I${inc}`, `-I${selftestsDir}`, `-I${join(tree, 'tools/include/uapi')}`,
    ...sysIncludes(),
    // glibc's headers take the 32-bit path for -target bpf; without libc6-dev-i386 this file
    // is missing. An empty one is enough (it only lists unimplemented functions); a real one wins.
    '-idirafter', join(cache, 'stubs'),
    '-Wno-compare-distinct-pointer-types', '-O2', '-target', 'bpf', '-mcpu=v3',
  ];
  const key = sha256(JSON.stringify({
    RECIPE, sha, compiler, cflags, bpftool: execFileSync('bpftool', ['version'], { encoding: 'utf8' }),
    vmlinux: vmlinux === undefined ? null : sha256(vmlinux), harness: harnessFiles.map((f) => readFileSync(f, 'utf8')),
    libbpf: readFileSync('/usr/include/bpf/libbpf_version.h', 'utf8'),
  })).slice(0, 16);
  const buildDir = join(cache, `build-${linuxSourceVersion}-${key}`);
  const manifestPath = join(buildDir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const st = JSON.parse(readFileSync(manifestPath, 'utf8')) as Selftests;
    return { status: 'ready', st: { ...st, steps: [...steps, `reused ${buildDir}`] } };
  }

  const t0 = Date.now();
  const tmp = `${buildDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const st = await build({ selftestsDir, cache, inc, tmp, buildDir, cflags, compiler, sha, vmlinux });
    steps.push(`built ${st.built.length} objects, the case table and ${st.btfgen.filter((b) => b.path !== undefined).length} btfgen targets: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(st, null, 1));
    rmSync(buildDir, { recursive: true, force: true });
    renameSync(tmp, buildDir);
    return { status: 'ready', st: { ...st, steps } };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

interface BuildInput {
  readonly selftestsDir: string; readonly cache: string; readonly inc: string; readonly tmp: string;
  readonly buildDir: string; readonly cflags: readonly string[]; readonly compiler: string; readonly sha: string; readonly vmlinux: Buffer | undefined;
}

/** Build everything into `tmp` (renamed to `buildDir` afterwards). */
async function build(b: BuildInput): Promise<Selftests> {
  const { selftestsDir, cache, inc, tmp, buildDir, cflags, compiler, sha, vmlinux } = b;
  mkdirSync(join(cache, 'stubs/gnu'), { recursive: true });
  writeFileSync(join(cache, 'stubs/gnu/stubs-32.h'), '/* empty: see test/helpers/selftests.ts */\n');
  mkdirSync(inc, { recursive: true });
  if (vmlinux !== undefined) {
    // only test_core_reloc_module.c includes vmlinux.h
    writeFileSync(join(inc, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', vmlinuxPath, 'format', 'c'], { maxBuffer: 1 << 28 }));
  } else {
    rmSync(join(inc, 'vmlinux.h'), { force: true });
  }

  // 1. compile the programs and the target BTFs
  const progs = join(selftestsDir, 'progs');
  const sources = readdirSync(progs).filter((f) => /^(test_core_reloc_|btf__core_reloc_).*\.c$/.test(f)).sort();
  const built: string[] = [];
  const buildFailures: BuildFailure[] = [];
  const buildWarnings: BuildFailure[] = [];
  await pool(sources, Math.max(2, availableParallelism()), async (src) => {
    const object = src.replace(/\.c$/, '.bpf.o');
    const args = [...cflags, '-c', join(progs, src), '-o', join(tmp, object)];
    try {
      await run(clang, args, { maxBuffer: 1 << 24 });
      built.push(object);
    } catch (e) {
      const reason = firstLines(stderrOf(e));
      try {
        await run(clang, args.filter((a) => a !== '-Werror'), { maxBuffer: 1 << 24 });
        built.push(object);
        buildWarnings.push({ source: src, object, reason });
      } catch (e2) {
        buildFailures.push({ source: src, object, reason: firstLines(stderrOf(e2)) });
      }
    }
  });
  built.sort();
  buildFailures.sort((a, b) => a.source.localeCompare(b.source));
  buildWarnings.sort((a, b) => a.source.localeCompare(b.source));

  // 2. the case table: core_reloc.c up to the end of test_cases[], compiled into the harness
  const text = readFileSync(join(selftestsDir, 'prog_tests/core_reloc.c'), 'utf8');
  const start = text.indexOf('static const struct core_reloc_test_case test_cases[] = {');
  const end = start < 0 ? -1 : text.indexOf('\n};\n', start);
  if (start < 0 || end < 0) throw new Error('prog_tests/core_reloc.c: no `static const struct core_reloc_test_case test_cases[] = { ... };`');
  writeFileSync(join(tmp, 'core_reloc_table.c'), `${text.slice(0, end + 4)}`);
  const casesBin = join(tmp, 'core-reloc-cases');
  try {
    execFileSync('gcc', ['-O1', '-w', `-I${tmp}`, `-I${join(harnessDir, 'core-reloc-stubs')}`, `-I${selftestsDir}`,
      '-o', casesBin, join(harnessDir, 'core-reloc-cases.c'), '-lbpf'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`compiling the case table of core_reloc.c failed:\n${firstLines(stderrOf(e), 20)}`);
  }
  const table = execFileSync(casesBin, [], { cwd: tmp, encoding: 'utf8' });
  const cases = table.trim().split('\n').map((l) => JSON.parse(l) as CoreRelocCase);
  if (cases.length === 0) throw new Error('core_reloc.c: empty test_cases[]');

  // 3. btfgen: minimized targets, as test_core_reloc_btfgen does
  mkdirSync(join(tmp, 'btfgen'));
  const btfgen: BtfgenTarget[] = [];
  await pool(cases.filter((c) => c.btf_src_file !== null && !c.run_btfgen_fails && !c.needs_testmod), Math.max(2, availableParallelism()), async (c) => {
    const out = join('btfgen', `${c.case_name.replace(/[^A-Za-z0-9_.-]/g, '_')}.btf`);
    if (!existsSync(join(tmp, c.bpf_obj_file)) || !existsSync(join(tmp, c.btf_src_file!))) {
      btfgen.push({ case_name: c.case_name, path: undefined, error: 'object or target BTF not built' });
      return;
    }
    try {
      await run('bpftool', ['gen', 'min_core_btf', join(tmp, c.btf_src_file!), join(tmp, out), join(tmp, c.bpf_obj_file)]);
      btfgen.push({ case_name: c.case_name, path: join(buildDir, out), error: undefined });
    } catch (e) {
      btfgen.push({ case_name: c.case_name, path: undefined, error: firstLines(stderrOf(e)) });
    }
  });
  btfgen.sort((a, b) => cases.findIndex((c) => c.case_name === a.case_name) - cases.findIndex((c) => c.case_name === b.case_name));

  // 4. the runner for the kernel runs
  try {
    execFileSync('gcc', ['-O2', '-Wall', '-o', join(tmp, 'core-reloc-run'), join(harnessDir, 'core-reloc-run.c'), '-lbpf'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`compiling test/harness/core-reloc-run.c failed:\n${firstLines(stderrOf(e), 20)}`);
  }

  return {
    version: linuxSourceVersion, tarball: linuxSourceTarball, sha256: sha, selftestsDir, buildDir, cflags, compiler,
    sources, built, buildFailures, buildWarnings, cases, btfgen, runner: join(buildDir, 'core-reloc-run'), steps: [],
  };
}

/** Why a case cannot run here (apart from build failures), or undefined. */
export function caseUnavailable(c: CoreRelocCase): string | undefined {
  if (c.needs_testmod) return 'needs the bpf_testmod kernel module (its BTF is the target)';
  if (c.btf_src_file === null && !existsSync(vmlinuxPath)) return `targets the running kernel, and ${vmlinuxPath} is missing`;
  return undefined;
}

/** The target BTF file of a case: its btf__*.bpf.o, or the running kernel's vmlinux. */
export function caseTarget(st: Selftests, c: CoreRelocCase): string {
  return c.btf_src_file === null ? vmlinuxPath : join(st.buildDir, c.btf_src_file);
}

// ---- comparison with libbpf: ourRecord / theirRecord in ./oracle.ts ----

// ---- would the verifier reach a poisoned instruction? ----

type Val = bigint | undefined;
const M64 = (1n << 64n) - 1n;
const u32 = (v: bigint): bigint => v & 0xffffffffn;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);

function alu(op: number, a: bigint, b: bigint, is64: boolean): Val {
  const w = is64 ? 64 : 32;
  const mask = is64 ? M64 : 0xffffffffn;
  const x = a & mask;
  const y = b & mask;
  const sh = y & BigInt(w - 1);
  switch (op) {
    case 0x00: return (x + y) & mask;
    case 0x10: return (x - y) & mask;
    case 0x20: return (x * y) & mask;
    case 0x30: return y === 0n ? 0n : x / y;
    case 0x40: return x | y;
    case 0x50: return x & y;
    case 0x60: return (x << sh) & mask;
    case 0x70: return x >> sh;
    case 0x80: return -x & mask;
    case 0x90: return y === 0n ? x : x % y;
    case 0xa0: return x ^ y;
    case 0xb0: return y;
    case 0xc0: return BigInt.asUintN(w, BigInt.asIntN(w, x) >> sh);
    default: return undefined;
  }
}

function cond(op: number, a: bigint, b: bigint, is64: boolean): boolean | undefined {
  const x = is64 ? a : u32(a);
  const y = is64 ? b : u32(b);
  const sx = is64 ? s64(a) : s32(a);
  const sy = is64 ? s64(b) : s32(b);
  switch (op) {
    case 0x10: return x === y;
    case 0x20: return x > y;
    case 0x30: return x >= y;
    case 0x40: return (x & y) !== 0n;
    case 0x50: return x !== y;
    case 0x60: return sx > sy;
    case 0x70: return sx >= sy;
    case 0xa0: return x < y;
    case 0xb0: return x <= y;
    case 0xc0: return sx < sy;
    case 0xd0: return sx <= sy;
    default: return undefined;
  }
}

/**
 * Indices of poisoned instructions (`call 0xbad2310`) that the kernel verifier would reach in
 * `insns` (a main program without BPF-to-BPF calls): a forward constant propagation over
 * registers and 8-byte stack slots that follows only the feasible side of a conditional jump on
 * known values, as the verifier's `is_branch_taken` does. Less precise than the verifier (states
 * are merged), so it can only over-report.
 */
export function reachablePoison(insns: Uint8Array, littleEndian = true): number[] {
  const n = insns.length / 8;
  const v = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  interface State { regs: Val[]; stack: Map<number, Val> }
  const states: (State | undefined)[] = new Array<State | undefined>(n).fill(undefined);
  const work: number[] = [];
  const merge = (i: number, s: State): void => {
    if (i < 0 || i >= n) return;
    const cur = states[i];
    if (cur === undefined) {
      states[i] = { regs: [...s.regs], stack: new Map(s.stack) };
      work.push(i);
      return;
    }
    let changed = false;
    for (let r = 0; r < 11; r++) {
      if (cur.regs[r] !== undefined && cur.regs[r] !== s.regs[r]) { cur.regs[r] = undefined; changed = true; }
    }
    for (const [k, val] of cur.stack) {
      if (val !== undefined && s.stack.get(k) !== val) { cur.stack.set(k, undefined); changed = true; }
    }
    if (changed) work.push(i);
  };
  merge(0, { regs: new Array<Val>(11).fill(undefined), stack: new Map() });
  const poisoned = new Set<number>();
  while (work.length > 0) {
    const i = work.pop()!;
    const s0 = states[i]!;
    const s: State = { regs: [...s0.regs], stack: new Map(s0.stack) };
    const o = i * 8;
    const code = insns[o]!;
    const rb = insns[o + 1]!;
    const dst = littleEndian ? rb & 0xf : rb >> 4;
    const src = littleEndian ? rb >> 4 : rb & 0xf;
    const off = v.getInt16(o + 2, littleEndian);
    const imm = BigInt(v.getInt32(o + 4, littleEndian));
    const cls = code & 7;
    const op = code & 0xf0;
    const useX = (code & 0x08) !== 0;
    const stackSlot = (base: number, d: number): number | undefined => (base === 10 ? d : undefined);
    const clobberStack = (d: number, size: number): void => {
      for (const k of [...s.stack.keys()]) if (k < d + size && d < k + 8) s.stack.delete(k);
    };
    switch (cls) {
      case 0: { // LD: only ld_imm64 matters
        if (code === 0x18 && i + 1 < n) {
          const hi = BigInt(v.getUint32(o + 12, littleEndian));
          s.regs[dst] = src === 0 ? (BigInt.asUintN(32, imm) | (hi << 32n)) : undefined;
          merge(i + 2, s);
        } else {
          s.regs[0] = undefined;
          merge(i + 1, s);
        }
        break;
      }
      case 1: { // LDX
        const slot = stackSlot(src, off);
        s.regs[dst] = slot !== undefined && (code & 0x18) === 0x18 && (code & 0xe0) === 0x60 ? s.stack.get(slot) : undefined;
        merge(i + 1, s);
        break;
      }
      case 2: case 3: { // ST, STX
        const size = [4, 2, 1, 8][(code >> 3) & 3]!;
        const mode = code & 0xe0;
        const slot = stackSlot(dst, off);
        if (slot !== undefined) {
          clobberStack(slot, size);
          if (size === 8 && mode === 0x60) s.stack.set(slot, cls === 2 ? BigInt.asUintN(64, imm) : s.regs[src]);
        }
        if (cls === 3 && mode === 0xc0) { // atomics may write src (fetch) and r0 (cmpxchg)
          s.regs[src] = undefined;
          s.regs[0] = undefined;
        }
        merge(i + 1, s);
        break;
      }
      case 4: case 7: { // ALU, ALU64
        const is64 = cls === 7;
        const b = useX ? s.regs[src] : (is64 ? BigInt.asUintN(64, imm) : u32(imm));
        const a = s.regs[dst];
        let r: Val;
        if (op === 0xd0 || (op === 0xb0 && off !== 0) || ((op === 0x30 || op === 0x90) && off !== 0)) r = undefined; // bswap, movsx, sdiv/smod
        else if (op === 0xb0) r = b === undefined ? undefined : (is64 ? b : u32(b));
        else if (op === 0x80) r = a === undefined ? undefined : alu(op, a, 0n, is64);
        else r = a === undefined || b === undefined ? undefined : alu(op, a, b, is64);
        s.regs[dst] = r;
        merge(i + 1, s);
        break;
      }
      case 5: case 6: { // JMP, JMP32
        if (cls === 5 && op === 0x80) { // call
          if (src === 0 && Number(imm) === POISON_IMM) poisoned.add(i);
          for (let r = 0; r <= 5; r++) s.regs[r] = undefined;
          merge(i + 1, s);
          break;
        }
        if (cls === 5 && op === 0x90) break; // exit
        if (op === 0x00) { // ja (gotol uses imm in JMP32)
          merge(i + 1 + (cls === 6 ? Number(imm) : off), s);
          break;
        }
        const a = s.regs[dst];
        const b = useX ? s.regs[src] : BigInt.asUintN(64, imm);
        const taken = a === undefined || b === undefined ? undefined : cond(op, a, b, cls === 5);
        if (taken !== false) merge(i + 1 + off, s);
        if (taken !== true) merge(i + 1, s);
        break;
      }
    }
  }
  return [...poisoned].sort((a, b) => a - b);
}

/** Whether libbpf's bpf_object__load of the relocated object fails, and why. */
export interface LoadVerdict {
  readonly fails: boolean;
  /** 'core': CO-RE relocation failed; 'poison': the verifier reaches a poisoned instruction. */
  readonly why: 'core' | 'poison' | undefined;
  readonly detail: string;
}

/** The verdict for a relocated object: CO-RE error, else a poisoned instruction the verifier would reach. */
export function loadVerdict(obj: ObjectSpec, res: RelocateResult): LoadVerdict {
  if (res.error !== undefined) return { fails: true, why: 'core', detail: res.error.message };
  const reached: string[] = [];
  for (const p of obj.programs) {
    if (p.isSubprogram || !p.autoload) continue;
    if (p.calls.length > 0) throw new Error(`reachablePoison: ${p.name} has BPF-to-BPF calls, not supported`);
    const insns = res.programs.get(p.name) ?? p.insns;
    for (const i of reachablePoison(insns, obj.elf.littleEndian)) {
      const r = res.results.find((x) => x.program === p.name && x.outcome === 'poisoned' && (x.insn === i || x.insn === i - 1));
      reached.push(`${p.name} insn #${i}${r === undefined ? '' : ` (relo #${r.reloIndex}: ${r.localSpec ?? r.accessString})`}`);
    }
  }
  return reached.length > 0 ? { fails: true, why: 'poison', detail: `poisoned instruction reached: ${reached.join(', ')}` } : { fails: false, why: undefined, detail: '' };
}

// ---- running in the kernel ----

/** Why the kernel runs cannot happen here, or undefined when they can. */
export function kernelRunUnavailable(st: Selftests): string | undefined {
  if (process.env['BTFKIT_SELFTESTS_NO_KERNEL'] !== undefined) return 'BTFKIT_SELFTESTS_NO_KERNEL is set';
  if (!existsSync(vmlinuxPath)) return `${vmlinuxPath} is missing`;
  try {
    execFileSync(st.runner, ['--probe'], { stdio: 'pipe', encoding: 'utf8' });
    return undefined;
  } catch (e) {
    const out = (e as { stdout?: string }).stdout ?? '';
    return `no BPF in this environment: ${out.trim() || stderrOf(e)}`;
  }
}

/** What the kernel did with a relocated object. */
export interface KernelRun {
  readonly loaded: boolean;
  readonly attached?: boolean;
  readonly skip?: boolean;
  readonly out?: string;
  readonly stage?: string;
  readonly error?: number;
  readonly log?: string;
}

/**
 * Write btfkit's relocated object with no CO-RE records left (so libbpf only loads it) and run
 * the case in the kernel with test/harness/core-reloc-run.
 */
export function runInKernel(st: Selftests, obj: ObjectSpec, res: RelocateResult, c: CoreRelocCase, dir: string): KernelRun {
  const bytes = withoutCoreRecords(writePatchedObject(obj, res.programs));
  const path = join(dir, `${c.case_name.replace(/[^A-Za-z0-9_.-]/g, '_')}.${basename(c.bpf_obj_file)}`);
  writeFileSync(path, bytes);
  const out = execFileSync(st.runner, [path, c.prog_name, c.raw_tp_name ?? '-', c.input === '' ? '-' : c.input, String(c.output_len)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim()) as KernelRun;
}
