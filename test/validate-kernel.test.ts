import { Btf, kindNumber, validateBtf, type ValidationResult } from 'btfkit/btf';
/**
 * Differential test of validateBtf against the running kernel's BTF verifier (BPF_BTF_LOAD via
 * ../shared/oracle/btf-load): thousands of mutated blobs, and our accept/reject must equal the
 * kernel's for every one of them.
 *
 * Seeds: self-contained subsets of real kernel BTF (small, so thousands load quickly),
 * clang-built BPF objects' .BTF, and a few hand-built blobs. Mutants: header fields, section
 * layout, `info` words, names (offsets and contents), member offsets and types, per-kind fields,
 * string bytes, blind bit flips; plus a few mutants of a whole vmlinux blob.
 *
 * Needs root (skipped otherwise) and a kernel that permits BPF_BTF_LOAD (skipped otherwise).
 * Fails when the oracle cannot be built.
 *
 * Knobs: BTFKIT_VALIDATE_MUTANTS (default 3000), BTFKIT_VALIDATE_VMLINUX_MUTANTS (default 10),
 * BTFKIT_VALIDATE_SEED (default 1), BTFKIT_VALIDATE_KEEP=1 keeps the blobs on disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf } from 'btfkit/elf';
import { kernelsForTests, readBtfFile, repoRoot } from './helpers/kernels.js';
import { BlobBuilder, closureOf, declTagsByTarget, layoutOf, mutate, Rng, subsetBlob } from './helpers/mutate.js';

const MUTANTS = Number(process.env['BTFKIT_VALIDATE_MUTANTS'] ?? 3000);
const VMLINUX_MUTANTS = Number(process.env['BTFKIT_VALIDATE_VMLINUX_MUTANTS'] ?? 10);
const SEED = Number(process.env['BTFKIT_VALIDATE_SEED'] ?? 1);
const KEEP = process.env['BTFKIT_VALIDATE_KEEP'] === '1';
const HOST_ORDER = endianness() === 'LE' ? 'little' : 'big';

interface KernelVerdict { readonly ok: boolean; readonly errno: number; readonly log: string }

let work = '';
let oracle = '';
let skipReason: string | undefined;

/** Run btf-load over files (in chunks: one process per chunk). */
function runOracle(files: readonly string[]): Map<string, KernelVerdict> {
  const out = new Map<string, KernelVerdict>();
  for (let i = 0; i < files.length; i += 400) {
    const chunk = files.slice(i, i + 400);
    const r = spawnSync(oracle, chunk, { encoding: 'latin1', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`btf-load failed: ${r.stderr}`);
    for (const line of r.stdout.split('\n')) {
      if (line === '') continue;
      const t1 = line.indexOf('\t');
      const file = line.slice(0, t1);
      const rest = line.slice(t1 + 1);
      if (rest === 'ok') out.set(file, { ok: true, errno: 0, log: '' });
      else {
        const m = /^err (\d+)\t?([\s\S]*)$/.exec(rest);
        if (m === null) throw new Error(`unexpected btf-load line: ${line}`);
        out.set(file, { ok: false, errno: Number(m[1]), log: m[2]! });
      }
    }
  }
  return out;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'btfkit-validate-'));
  if (process.getuid?.() !== 0) {
    skipReason = 'BPF_BTF_LOAD needs root; not running as root';
    return;
  }
  const build = resolve(repoRoot, '../shared/oracle/build.sh');
  // Fails the suite (as it should) when the oracle cannot be built.
  execFileSync('sh', [build], { env: { ...process.env, OUT: join(work, 'oracle') }, stdio: 'pipe' });
  oracle = join(work, 'oracle', 'btf-load');
  const probe = new BlobBuilder();
  probe.int('int', 4, 32, 1);
  const probeFile = join(work, 'probe.btf');
  writeFileSync(probeFile, probe.build({ le: HOST_ORDER === 'little' }));
  const v = runOracle([probeFile]).get(probeFile);
  if (v === undefined || !v.ok) {
    skipReason = `the kernel does not permit BPF_BTF_LOAD here (${v === undefined ? 'no answer' : `errno ${v.errno}`})`;
  }
}, 120_000);

afterAll(() => {
  if (!KEEP && work !== '') rmSync(work, { recursive: true, force: true });
});

// ---- seeds ----

/** Non-split vmlinux blobs of the test corpus, native byte order or not. */
function vmlinuxBlobs(native: boolean): { name: string; data: Uint8Array }[] {
  const out: { name: string; data: Uint8Array }[] = [];
  for (const k of kernelsForTests()) {
    if (k.base !== undefined) continue;
    const data = readBtfFile(k.path);
    const le = data[0] === 0x9f && data[1] === 0xeb;
    if ((le === (HOST_ORDER === 'little')) !== native) continue;
    out.push({ name: k.name, data });
  }
  return out;
}

/** Small self-contained subsets of a kernel's BTF, rooted at random types of varied kinds. */
function kernelSubsets(btf: Btf, rng: Rng, count: number): Uint8Array[] {
  const tags = declTagsByTarget(btf);
  const byKind = new Map<number, number[]>();
  for (let id = 1; id <= btf.lastId; id++) {
    const k = btf.kindNumberOf(id);
    const l = byKind.get(k);
    if (l === undefined) byKind.set(k, [id]);
    else l.push(id);
  }
  const kinds = [kindNumber('struct'), kindNumber('struct'), kindNumber('union'), kindNumber('func'), kindNumber('func'), kindNumber('typedef'), kindNumber('enum'), kindNumber('enum64'),
    kindNumber('var'), kindNumber('decl_tag'), kindNumber('type_tag'), kindNumber('float'), kindNumber('array'), kindNumber('ptr')].filter((k) => byKind.has(k));
  const out: Uint8Array[] = [];
  for (let tries = 0; out.length < count && tries < count * 50; tries++) {
    const k = rng.pick(kinds);
    const roots = [rng.pick(byKind.get(k)!)];
    if (rng.chance(0.3)) roots.push(rng.pick(byKind.get(rng.pick(kinds))!));
    const ids = closureOf(btf, roots, 150, tags);
    if (ids === undefined || ids.length < 3) continue;
    out.push(subsetBlob(btf, ids));
  }
  return out;
}

const C_SOURCES: Record<string, string> = {
  'maps.c': `
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define __kptr __attribute__((btf_type_tag("kptr")))
struct bpf_spin_lock { unsigned int val; };
struct bpf_list_head { unsigned long long a, b; } __attribute__((aligned(8)));
struct bpf_list_node { unsigned long long a, b, c; } __attribute__((aligned(8)));
struct btfkit_node_t { int data; struct bpf_list_node node; };
struct btfkit_obj_t { long v; };
struct val { struct bpf_spin_lock lock; int x; unsigned long long y;
  struct bpf_list_head head __contains(btfkit_node_t, node); struct btfkit_obj_t __kptr *obj; };
struct { __uint(type, 1); __uint(max_entries, 4); __type(key, int); __type(value, struct val); } m SEC(".maps");
struct btfkit_node_t gn; struct btfkit_obj_t go;
int g = 3; static volatile const int rc = 5; char buf[16]; long long big[2][3];
SEC("xdp") int prog(void *ctx) { return g + rc + buf[1] + (int)big[1][2]; }
char LICENSE[] SEC("license") = "GPL";
`,
  'types.c': `
#define SEC(n) __attribute__((section(n), used))
typedef unsigned int u32; typedef const volatile u32 cvu32; typedef cvu32 *restrict rptr;
enum e64 { A = 1ULL << 40, B = -1 };
enum small { S1 = 1, S2 = 2 } __attribute__((packed));
enum neg { N1 = -5, N2 = 7 };
union un { int i; float f; char c[3]; struct { short lo, hi; } parts; };
struct bits { unsigned a : 1, b : 3, : 0; int c : 20; long long d : 40; enum neg e : 4; u32 f; };
struct s { int a; float f; double d; long double ld; enum e64 e; enum small sm; void (*fp)(int, ...);
  int arr[3][4]; _Bool b; union un u; struct bits bt; __int128 wide; unsigned __int128 uwide; rptr r; char z[0]; }
  __attribute__((btf_decl_tag("tagged")));
int __attribute__((btf_type_tag("user"))) *up;
struct s gs; union un gu; struct bits gb;
__attribute__((noinline)) int sub(struct s *p __attribute__((btf_decl_tag("arg"))), int n) { return p->a + n; }
static __attribute__((noinline)) int ssub(union un *u) { return u->i; }
SEC("tc") int prog(void *ctx) { return sub(&gs, 1) + ssub(&gu) + gb.c + (up != 0); }
char LICENSE[] SEC("license") = "GPL";
`,
  'tags.c': `
#define SEC(n) __attribute__((section(n), used))
#define __tag(x) __attribute__((btf_type_tag(x)))
#define __decl(x) __attribute__((btf_decl_tag(x)))
struct task { int pid __decl("member_tag"); struct task __tag("rcu") *parent; } __decl("struct_tag");
typedef struct task task_t __decl("typedef_tag");
int __tag("percpu") __tag("user") *pp;
const int __tag("c") *cp;
task_t t1 __decl("var_tag");
__decl("func_tag") __attribute__((noinline)) int f(task_t *t __decl("param_tag")) { return t->pid; }
SEC("kprobe") int prog(void *ctx) { return f(&t1) + (pp != 0) + (cp != 0); }
char LICENSE[] SEC("license") = "GPL";
`,
};

/** .BTF of small clang-built BPF objects: as clang emits them, and fixed up like libbpf does. */
function clangSeeds(): Uint8Array[] {
  const clang = ['clang-19', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0);
  if (clang === undefined) {
    console.warn('validate-kernel: no clang; clang-built seeds skipped');
    return [];
  }
  const out: Uint8Array[] = [];
  for (const [name, src] of Object.entries(C_SOURCES)) {
    const c = join(work, name);
    const o = c.replace(/\.c$/, '.o');
    writeFileSync(c, src);
    execFileSync(clang, ['-g', '-O2', '-target', HOST_ORDER === 'little' ? 'bpfel' : 'bpfeb', '-c', c, '-o', o], { stdio: 'pipe' });
    const elf = readElf(readBtfFile(o));
    const sec = elf.section('.BTF');
    if (sec === undefined) continue;
    const raw = elf.data(sec).slice();
    out.push(raw, fixupDatasecs(raw));
  }
  return out;
}

/**
 * Give each DATASEC a size and its variables offsets (clang leaves both 0; libbpf fills them
 * from the ELF symbols). Sequential layout, 8-byte aligned, is enough for the verifier.
 */
function fixupDatasecs(blob: Uint8Array): Uint8Array {
  const d = blob.slice();
  const btf = Btf.parse(d);
  const v = new DataView(d.buffer);
  const le = btf.littleEndian;
  for (let id = 1; id <= btf.lastId; id++) {
    if (btf.kindNumberOf(id) !== kindNumber('datasec')) continue;
    const o = btf.recordOffset(id);
    const vlen = btf.u32(o + 4) & 0xffff;
    let off = 0;
    for (let i = 0; i < vlen; i++) {
      const p = o + 12 + i * 12;
      const size = v.getUint32(p + 8, le);
      off = Math.ceil(off / 8) * 8;
      v.setUint32(p + 4, off, le);
      off += size;
    }
    v.setUint32(o + 8, Math.max(8, Math.ceil(off / 8) * 8), le);
  }
  return d;
}

/** .BTF of the project's compiled fixtures (testdata/objects/*-bpfel.o or -bpfeb.o), when present. */
function fixtureSeeds(): Uint8Array[] {
  const dir = join(repoRoot, 'testdata/objects');
  if (!existsSync(dir)) return [];
  const suffix = HOST_ORDER === 'little' ? '-bpfel.o' : '-bpfeb.o';
  const out: Uint8Array[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(suffix)) continue;
    const sec = readElf(readBtfFile(join(dir, name)));
    const btf = sec.section('.BTF');
    if (btf === undefined) continue;
    const raw = sec.data(btf).slice();
    out.push(fixupDatasecs(raw));
  }
  return out;
}

/** Hand-built seeds with kinds and flags the other seeds may lack. */
function builtSeeds(): Uint8Array[] {
  const le = HOST_ORDER === 'little';
  const a = new BlobBuilder();
  const int = a.int('int', 4, 32, 1);
  const u8 = a.int('unsigned char', 1, 8);
  const i128 = a.int('__int128', 16, 128, 1);
  const f16 = a.float('long double', 16);
  const f12 = a.float('x87', 12);
  const e = a.enum('e', 4, [['E1', 0xffffffff], ['E2', 1]], true);
  const e1 = a.enum('e1', 1, [['X1', 1]]);
  const fwdU = a.fwd('fu', true);
  const pf = a.ptr(fwdU);
  const tt = a.typeTag('attr', int, true);
  const ptt = a.ptr(tt);
  const arr = a.array(u8, int, 5);
  const s = a.struct('st', 64, [['a', int, 0], ['b', u8, (3 << 24) | 32], ['c', e, 64], ['w', i128, 128], ['f', f16, 256], ['p', pf, 384], ['q', ptt, 448]], true);
  a.union('un', 16, [['x', int, 0], ['y', f12, 0], ['z', arr, 0], ['e1', e1, 0]]);
  a.declTag('dt', s, 1, true);
  const proto = a.funcProto(int, [['x', int], [0, 0]]);
  a.func('fn', proto, 0);
  const v1 = a.variable('v1', s, 0);
  const v2 = a.variable('v2', int, 1);
  a.datasec('.data.x-y z', 72, [[v1, 0, 64], [v2, 64, 4]]);
  a.typedef('td', a.const_(a.volatile(int)));
  return [a.build({ le })];
}

function describeVerdict(r: ValidationResult): string {
  return r.ok ? 'ok' : `err ${r.error.errno} ${r.error.kernelLog ?? r.error.message}`;
}

describe('validateBtf agrees with the kernel (BPF_BTF_LOAD)', () => {
  it('on thousands of mutated blobs', (ctx) => {
    if (skipReason !== undefined) ctx.skip(skipReason);
    const started = performance.now();
    const rng = new Rng(SEED);
    const kernels = vmlinuxBlobs(true);
    expect(kernels.length, 'no native-order vmlinux BTF in the test corpus').toBeGreaterThan(0);

    const seeds: Uint8Array[] = [];
    // Subsets of at most two kernels (one old, one new when available).
    const picks = [kernels[0]!, kernels[kernels.length - 1]!].filter((k, i, a) => a.indexOf(k) === i);
    for (const k of picks) seeds.push(...kernelSubsets(Btf.parse(k.data), rng, 60));
    // A few in the other byte order (the kernel rejects them; so must we, in its byte order).
    const foreign = vmlinuxBlobs(false)[0];
    if (foreign !== undefined) seeds.push(...kernelSubsets(Btf.parse(foreign.data), rng, 4));
    seeds.push(...clangSeeds(), ...fixtureSeeds(), ...builtSeeds());

    const blobs: { what: string; data: Uint8Array }[] = seeds.map((data, i) => ({ what: `seed ${i}`, data }));
    const layouts = seeds.map((s) => layoutOf(s));
    for (let i = 0; i < MUTANTS; i++) {
      const k = i % seeds.length;
      const m = mutate(seeds[k]!, layouts[k]!, rng);
      blobs.push({ what: `seed ${k}: ${m.what}`, data: m.data });
    }
    // A few mutants of a whole vmlinux (slow to load, so only a few).
    const big = kernels[kernels.length - 1]!;
    const bigLayout = layoutOf(big.data);
    blobs.push({ what: `${big.name} unmodified`, data: big.data });
    for (let i = 0; i < VMLINUX_MUTANTS; i++) {
      const m = mutate(big.data, bigLayout, rng);
      blobs.push({ what: `${big.name}: ${m.what}`, data: m.data });
    }

    const files = blobs.map((b, i) => {
      const f = join(work, `m${i}.btf`);
      writeFileSync(f, b.data);
      return f;
    });
    const genMs = performance.now() - started;

    const t0 = performance.now();
    const kernel = runOracle(files);
    const kernelMs = performance.now() - t0;

    const t1 = performance.now();
    const ours = blobs.map((b) => validateBtf(b.data, { byteOrder: HOST_ORDER }));
    const oursMs = performance.now() - t1;

    let accepted = 0;
    let errnoSame = 0;
    let logSame = 0;
    let logComparable = 0;
    const disagreements: string[] = [];
    const logDiffs: string[] = [];
    blobs.forEach((b, i) => {
      const k = kernel.get(files[i]!);
      const o = ours[i]!;
      if (k === undefined) throw new Error(`no kernel verdict for ${files[i]}`);
      if (k.ok) accepted++;
      if (k.ok !== o.ok) {
        disagreements.push(`${files[i]} (${b.what}): kernel ${k.ok ? 'ok' : `err ${k.errno} ${k.log}`}; ours ${describeVerdict(o)}`);
        return;
      }
      if (!k.ok && !o.ok) {
        if (k.errno === o.error.errno) errnoSame++;
        if (o.error.kernelLog !== undefined) {
          logComparable++;
          if (o.error.kernelLog === k.log) logSame++;
          else if (logDiffs.length < 10) logDiffs.push(`${b.what}: kernel "${k.log}" ours "${o.error.kernelLog}"`);
        }
      }
    });
    const rejected = blobs.length - accepted;
    console.log(
      `validate-kernel: ${blobs.length} blobs (${seeds.length} seeds), kernel accepted ${accepted}, rejected ${rejected}; ` +
      `verdicts agree ${blobs.length - disagreements.length}/${blobs.length}; errno agrees ${errnoSame}/${rejected - disagreements.length}; ` +
      `log line agrees ${logSame}/${logComparable}; generate ${genMs.toFixed(0)} ms, kernel ${kernelMs.toFixed(0)} ms, ours ${oursMs.toFixed(0)} ms`,
    );
    if (process.env['BTFKIT_VALIDATE_VERBOSE'] === '1') {
      const reasons = new Map<string, number>();
      for (const o of ours) {
        const key = o.ok ? 'ok' : o.error.message.replace(/\d+/g, 'N').replace(/ \(.*\)$/, '');
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
      console.log([...reasons].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${String(n).padStart(6)} ${k}`).join('\n'));
      seeds.forEach((_, i) => { if (!ours[i]!.ok) console.log(`seed ${i} rejected: ${describeVerdict(ours[i]!)}`); });
    }
    if (logDiffs.length > 0) console.log(`validate-kernel: first log differences:\n  ${logDiffs.join('\n  ')}`);
    if (disagreements.length > 0 && !KEEP) console.log('validate-kernel: set BTFKIT_VALIDATE_KEEP=1 to keep the blobs');
    expect(disagreements.slice(0, 25), `${disagreements.length} disagreements`).toEqual([]);
  }, 180_000);

  it('the oracle is present when running as root', (ctx) => {
    if (skipReason !== undefined) ctx.skip(skipReason);
    expect(existsSync(oracle)).toBe(true);
  });
});
