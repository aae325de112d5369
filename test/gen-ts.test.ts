// btfkit gen ts: typed relocatable getters generated from kernel BTF. The generated modules
// (task_struct, mm_struct, sk_buff from each committed kernel and the running one; a flavor
// module from two kernels) compile under a strict tsconfig against the built package together
// with programs that use them (test/gen-ts/*.fixture); the objects those programs build carry
// the CO-RE records the getters promise, and relocate with btfkit's engine to the offsets and
// sizes each kernel's BTF gives; in the running kernel they read what user space knows.
// Relocatable types cannot be constructed or written (a file of @ts-expect-error lines).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openBtf, type Btf } from 'btfkit/btf';
import { parseObject } from 'btfkit/object';
import { RELO_KIND, relocateObject, type RelocationResult } from 'btfkit/core';
import { decodeReadOutcome, formatReadOutcome, type EmittedRead, type ReadOutcome } from 'btfkit/emit';
import { readBtfFile, repoRoot, testdataKernels } from './helpers/kernels.js';
import { kernelRunUnavailable, relocatedByBtfkit, runEmitted } from './helpers/emit-run.js';

const bin = join(repoRoot, 'bin/btfkit.js');
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
const fixtures = join(repoRoot, 'test/gen-ts');
// Under node_modules (eslint and the repo's tsconfig do not look there), with its own
// node_modules/btfkit so the generated code imports the built package by name.
const tmp = join(repoRoot, 'node_modules/.cache/btfkit-gen-ts-test');
const VMLINUX = '/sys/kernel/btf/vmlinux';
const K61 = 'linux-6.1.0-56-amd64';
const K612 = 'linux-6.12.117-amd64';
const S390 = 'linux-6.1.0-50-s390x';

interface Kernel { readonly name: string; readonly path: string; readonly btf: Btf }
const kernels: Kernel[] = [K61, K612, S390].map((name) => {
  const path = join(testdataKernels, `${name}.btf.gz`);
  return { name, path, btf: openBtf(readBtfFile(path)) };
});
if (existsSync(VMLINUX)) kernels.push({ name: 'running', path: VMLINUX, btf: openBtf(new Uint8Array(readFileSync(VMLINUX))) });
const kernel = (name: string): Kernel => kernels.find((k) => k.name === name)!;

function gen(args: readonly string[]): string {
  return execFileSync(process.execPath, [bin, 'gen', 'ts', ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
}

function runTsc(project: string): { status: number; output: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

const STRICT = {
  target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: [],
  strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, verbatimModuleSyntax: true,
  isolatedModules: true, noImplicitOverride: true, noFallthroughCasesInSwitch: true, skipLibCheck: false,
};

// --- what the compiled fixtures export (checked by tsc where they are compiled) ---------------
interface Read { readonly out: { readonly base: number; readonly off: number }; readonly emitted: EmittedRead; readonly recordSize: number; decode(record: Uint8Array): ReadOutcome<unknown> | undefined }
interface Placed { readonly name: string; readonly offset: number; readonly read: Read }
interface Built { bytes: Uint8Array; reads: readonly Placed[]; existsOffset: number; existsPaths: readonly string[] }
interface UsageModule {
  build(options?: { littleEndian?: boolean }): Built;
  buildSkb(options?: { littleEndian?: boolean }): Built;
}
interface FlavorsModule { build(): { bytes: Uint8Array; facts: number; record: number; fresh: Read; older: Read } }
interface DecodeModule { samples(): [string, string][] }

const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(join(tmp, 'out', rel)).href)) as T;

let compiled: { status: number; output: string };
let stripped: { status: number; output: string; source: string };
const texts = new Map<string, string>();

beforeAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  // the package as an installed dependency: its package.json, and dist/ linked (not the whole
  // checkout, which would make a directory loop)
  mkdirSync(join(tmp, 'node_modules/btfkit'), { recursive: true });
  copyFileSync(join(repoRoot, 'package.json'), join(tmp, 'node_modules/btfkit/package.json'));
  symlinkSync(join(repoRoot, 'dist'), join(tmp, 'node_modules/btfkit/dist'), 'dir');
  writeFileSync(join(tmp, 'package.json'), '{ "type": "module", "private": true }\n');
  const files: string[] = [];
  for (const k of kernels) {
    const dir = join(tmp, k.name);
    mkdirSync(dir);
    const text = gen(['--btf', k.path, 'task_struct', 'mm_struct', 'sk_buff']);
    texts.set(k.name, text);
    writeFileSync(join(dir, 'kernel.ts'), text);
    copyFileSync(join(fixtures, 'usage.ts.fixture'), join(dir, 'usage.ts'));
    copyFileSync(join(fixtures, 'not-constructible.ts.fixture'), join(dir, 'not-constructible.ts'));
    files.push(`${k.name}/kernel.ts`, `${k.name}/usage.ts`, `${k.name}/not-constructible.ts`);
  }
  copyFileSync(join(fixtures, 'decode.ts.fixture'), join(tmp, K61, 'decode.ts'));
  files.push(`${K61}/decode.ts`);
  mkdirSync(join(tmp, 'flavors'));
  writeFileSync(join(tmp, 'flavors/flavors.ts'), gen(['--btf', kernel(K612).path, '--flavor', `v6_1=${kernel(K61).path}`, 'task_struct:pid,tgid,saved_state', 'task_struct___v6_1:pid,tgid,thread_group']));
  copyFileSync(join(fixtures, 'flavors.ts.fixture'), join(tmp, 'flavors/usage.ts'));
  files.push('flavors/flavors.ts', 'flavors/usage.ts');
  writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...STRICT, outDir: 'out', rootDir: '.' }, files }, null, 2));
  compiled = runTsc(join(tmp, 'tsconfig.json'));

  // the same file without its @ts-expect-error directives (lines kept in place)
  mkdirSync(join(tmp, 'errors'));
  copyFileSync(join(tmp, K61, 'kernel.ts'), join(tmp, 'errors/kernel.ts'));
  const source = readFileSync(join(fixtures, 'not-constructible.ts.fixture'), 'utf8').replace(/\/\/ @ts-expect-error/g, '// expected');
  writeFileSync(join(tmp, 'errors/not-constructible.ts'), source);
  writeFileSync(join(tmp, 'errors/tsconfig.json'), JSON.stringify({ compilerOptions: { ...STRICT, noEmit: true }, files: ['kernel.ts', 'not-constructible.ts'] }, null, 2));
  stripped = { ...runTsc(join(tmp, 'errors/tsconfig.json')), source };
}, 600_000);

describe('btfkit gen ts', () => {
  it('the generated modules and the programs using them compile under strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes', () => {
    expect(compiled.output).toBe('');
    expect(compiled.status).toBe(0);
  });

  it('relocatable types cannot be constructed or written: each line of the fixture is the error it names', () => {
    // with the directives: tsc passed above, so each directive's line is an error (else TS2578)
    const expected = stripped.source.split('\n').flatMap((l, i) => {
      const m = /\/\/ expected (TS\d+)/.exec(l);
      return m === null ? [] : [`${i + 2} ${m[1]}`];
    });
    expect(expected.length).toBeGreaterThanOrEqual(12);
    const got = [...stripped.output.matchAll(/not-constructible\.ts\((\d+),\d+\): error (TS\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(got).toEqual(expected);
    expect(stripped.output.split('\n').filter((l) => /error TS/.test(l) && !/not-constructible\.ts\(/.test(l))).toEqual([]);
    expect(stripped.status).not.toBe(0);
  });

  it('golden snippets (linux-6.1.0-56-amd64)', () => {
    const text = texts.get(K61)!;
    const golden = readFileSync(join(fixtures, `golden.${K61}.txt`), 'utf8').split(/^----\n/m).map((s) => s.replace(/\n$/, '')).filter((s) => s !== '');
    expect(golden.length).toBeGreaterThan(5);
    for (const snippet of golden) expect(text).toContain(snippet);
  });

  it('output is deterministic, also with --deep', () => {
    const args = ['--btf', kernel(K61).path, 'task_struct', 'mm_struct', 'sk_buff'];
    expect(gen(args)).toBe(texts.get(K61));
    const deep = ['--btf', kernel(K61).path, '--deep', 'task_struct'];
    const a = gen(deep);
    expect(gen(deep)).toBe(a);
    expect(a.length).toBeGreaterThan(texts.get(K61)!.length * 5);
    // every pointer to a defined struct or union leads to its getters
    expect(a).toMatch(/readonly mm: PtrField<R, MmStruct> & MmStructFields<R>;/);
  });

  it('names a missing type or member, and wants a TYPE', () => {
    const bad = spawnSync(process.execPath, [bin, 'gen', 'ts', '--btf', kernel(K61).path, 'task_struct:pid,no_such_field'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('struct task_struct has no member no_such_field');
    expect(bad.stderr).toContain('[BTF_BAD_QUERY]');
    const none = spawnSync(process.execPath, [bin, 'gen', 'ts', '--btf', kernel(K61).path], { encoding: 'utf8' });
    expect(none.status).toBe(2);
  });

  it('decodes outcome records into the getter types', async () => {
    const m = await load<DecodeModule>(`${K61}/decode.js`);
    expect(m.samples()).toEqual([
      ['pid -2', 'Ok(Some(-2))'],
      ['start_time', 'Ok(Some(9223372036854775809n))'],
      ['comm héllo', 'Ok(Some("héllo"))'],
      ['comm not NUL-terminated', 'Ok(Some("0123456789abcdef"))'],
      ['sched_reset_on_fork', 'Ok(Some(1))'],
      ['tlb_ubc.flush_required', 'Ok(Some(true))'],
      ['pid_links[1]', 'Ok(Some([1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]))'],
      ['comm[0]', 'Ok(Some(65))'],
      ['prio None', 'Ok(None)'],
      ['prio SizeMismatch', 'Err(SizeMismatch { expected: 4, actual: 8 })'],
      ['prio ProbeRead', 'Err(ProbeRead(14))'],
      ['prio not run', 'not run'],
      ['declareAll', 'task_struct struct task_struct 9792, mm_struct struct mm_struct 1096, sk_buff struct sk_buff 232'],
      ['declared once per LocalTypes', 'true'],
      ['replace a getter', 'TypeError'],
      ['add a setter', 'TypeError'],
      ['write a read handle', 'TypeError'],
      ['write a pointer', 'TypeError'],
    ]);
  });
});

// --- relocation against kernel BTF, checked against an independent walk of that BTF ---------

interface KernelHop {
  /** Struct or union the hop starts from. */
  readonly root: string;
  /** Path within it ('se.vruntime', 'comm[0]'). */
  readonly path: string;
  readonly bitOffset: number;
  readonly bits: number;
  readonly size: number;
}

/** Walk `path` on the kernel's struct `root`, through anonymous members and pointers, by name. */
function kernelHops(btf: Btf, root: string, path: string): KernelHop[] | undefined {
  const hops: KernelHop[] = [];
  let rootName = root;
  let cur: number | undefined = btf.findByName(root, 'struct')[0] ?? btf.findByName(root, 'union')[0];
  let hopPath: string[] = [];
  let bitOffset = 0;
  const find = (id: number, name: string): { type: number; bitOffset: number; bits: number } | undefined => {
    const t = btf.type(btf.skipModsAndTypedefs(id));
    if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
    for (const m of t.members) {
      if (m.name === name) return { type: m.type, bitOffset: m.bitOffset, bits: m.bitfieldSize };
      if (m.name === '') {
        const inner = find(m.type, name);
        if (inner !== undefined) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
      }
    }
    return undefined;
  };
  const steps = path.match(/[A-Za-z_][A-Za-z0-9_]*|\[\d+\]/g) ?? [];
  for (const [i, step] of steps.entries()) {
    if (cur === undefined) return undefined;
    let bits = 0;
    if (step.startsWith('[')) {
      const t = btf.type(btf.skipModsAndTypedefs(cur));
      if (t.kind !== 'array') return undefined;
      const n = Number(step.slice(1, -1));
      cur = t.type;
      bitOffset += n * btf.resolveSize(cur) * 8;
      hopPath[hopPath.length - 1] += step;
    } else {
      const m = find(cur, step);
      if (m === undefined) return undefined;
      cur = m.type;
      bitOffset += m.bitOffset;
      bits = m.bits;
      hopPath.push(step);
    }
    const last = i === steps.length - 1;
    const st = btf.type(btf.skipModsAndTypedefs(cur));
    if (last || (st.kind === 'ptr' && !steps[i + 1]!.startsWith('['))) {
      hops.push({ root: rootName, path: hopPath.join('.'), bitOffset, bits, size: bits > 0 ? 0 : btf.resolveSize(cur) });
      if (!last && st.kind === 'ptr') {
        const target = btf.type(btf.skipModsAndTypedefs(st.type));
        rootName = target.name;
        cur = btf.findByName(target.name, target.kind === 'fwd' ? target.fwdKind : (target.kind as 'struct' | 'union')).find((x) => btf.kindOf(x) !== 'fwd');
        hopPath = [];
        bitOffset = 0;
      }
    }
  }
  return hops;
}

/** The member names an access string walks on the local BTF (anonymous members skipped): 'se.vruntime', 'comm[0]'. */
function pathOfAccess(btf: Btf, typeId: number, access: string): string {
  const idx = access.split(':').map(Number);
  let cur = typeId;
  const parts: string[] = [];
  for (const i of idx.slice(1)) {
    const t = btf.type(btf.skipModsAndTypedefs(cur));
    if (t.kind === 'array') { parts[parts.length - 1] += `[${i}]`; cur = t.type; continue; }
    if (t.kind !== 'struct' && t.kind !== 'union') throw new Error(`access ${access} walks into a ${t.kind}`);
    const m = t.members[i]!;
    if (m.name !== '') parts.push(m.name);
    cur = m.type;
  }
  return parts.join('.');
}

const essential = (name: string): string => name.replace(/^(struct|union) /, '').replace(/___.*$/, '');

/**
 * Check the records of `reads` (in emission order, followed by the `$exists` tests) against the
 * object's local BTF (kinds, access strings naming the path) and the relocation against `target`
 * (values the kernel's BTF gives). Returns a line per disagreement.
 */
function checkRecords(bytes: Uint8Array, reads: readonly Placed[], existsPaths: readonly string[], target: Btf): string[] {
  const obj = parseObject(bytes);
  const local = obj.btf!;
  const res = relocateObject(obj, { targets: [{ name: 'vmlinux', btf: target }] });
  const bad: string[] = [];
  if (res.error !== undefined) bad.push(`relocation failed: ${res.error.message}`);
  const results = [...res.results];
  let at = 0;
  const take = (what: string, kind: number, typeName: string, hopPath: string): RelocationResult | undefined => {
    const r = results[at++];
    if (r === undefined) { bad.push(`${what}: missing record ${kind}`); return undefined; }
    const name = essential(local.nameOf(r.localTypeId));
    if (r.kind !== kind || name !== typeName || pathOfAccess(local, r.localTypeId, r.accessString) !== hopPath) {
      bad.push(`${what}: record ${r.kindName} ${name} ${r.accessString} (${pathOfAccess(local, r.localTypeId, r.accessString)}), expected kind ${kind} on ${typeName}.${hopPath}`);
    }
    if (r.outcome !== 'patched') bad.push(`${what}: ${r.kindName} ${r.outcome}: ${r.explanation}`);
    return r;
  };
  const value = (what: string, r: RelocationResult | undefined, expected: number): void => {
    if (r !== undefined && r.calc?.newVal !== BigInt(expected)) bad.push(`${what}: ${r.kindName} relocated to ${r.calc?.newVal}, the kernel says ${expected}`);
  };
  for (const { name, read } of reads) {
    const root = essential(read.emitted.type.cName);
    const hops = kernelHops(target, root, read.emitted.path);
    if (hops === undefined) { bad.push(`${name}: ${root}.${read.emitted.path} not in the kernel`); continue; }
    if (hops.length !== read.emitted.accessStrings.length) bad.push(`${name}: ${hops.length} hops, ${read.emitted.accessStrings.length} access strings`);
    hops.forEach((h, i) => {
      const w = `${name} (${h.root}.${h.path})`;
      value(w, take(w, RELO_KIND.FIELD_EXISTS, h.root, h.path), 1);
      if (i < hops.length - 1) { value(w, take(w, RELO_KIND.FIELD_BYTE_OFFSET, h.root, h.path), h.bitOffset / 8); return; }
      if (h.bits === 0) {
        value(w, take(w, RELO_KIND.FIELD_BYTE_SIZE, h.root, h.path), h.size);
        value(w, take(w, RELO_KIND.FIELD_BYTE_OFFSET, h.root, h.path), h.bitOffset / 8);
        return;
      }
      const off = Number(take(w, RELO_KIND.FIELD_BYTE_OFFSET, h.root, h.path)?.calc?.newVal);
      const size = Number(take(w, RELO_KIND.FIELD_BYTE_SIZE, h.root, h.path)?.calc?.newVal);
      const lshift = Number(take(w, RELO_KIND.FIELD_LSHIFT_U64, h.root, h.path)?.calc?.newVal);
      value(w, take(w, RELO_KIND.FIELD_RSHIFT_U64, h.root, h.path), 64 - h.bits);
      take(w, RELO_KIND.FIELD_SIGNED, h.root, h.path);
      if (off * 8 > h.bitOffset || h.bitOffset + h.bits > (off + size) * 8) bad.push(`${w}: bytes ${off}+${size} do not hold bits ${h.bitOffset}+${h.bits}`);
      const expectedL = 64 - (h.bitOffset + h.bits - off * 8);
      if (target.littleEndian && lshift !== expectedL) bad.push(`${w}: lshift ${lshift}, expected ${expectedL}`);
    });
  }
  for (const path of existsPaths) {
    for (const h of kernelHops(target, 'task_struct', path) ?? []) value(`exists ${path}`, take(`exists ${path}`, RELO_KIND.FIELD_EXISTS, h.root, h.path), 1);
  }
  if (at !== results.length) bad.push(`${results.length - at} records more than the reads explain`);
  return bad;
}

describe('objects built with the getters relocate to the kernels\' offsets', () => {
  const le = kernels.filter((k) => k.name !== S390).map((k) => k.name);
  const pairs: [string, string][] = [...le.flatMap((g) => le.map((t): [string, string] => [g, t])), [S390, S390]];
  it.each(pairs)('generated from %s, relocated against %s', async (from, to) => {
    expect(compiled.status).toBe(0);
    const m = await load<UsageModule>(`${from}/usage.js`);
    const built = m.build({ littleEndian: kernel(from).btf.littleEndian });
    expect(built.reads.map((r) => r.read.emitted.path)).toEqual([
      'pid', 'tgid', 'comm', 'comm[0]', 'real_parent.tgid', 'real_parent', 'tgid', 'comm', 'se.vruntime', 'se.on_rq',
      'sched_reset_on_fork', 'start_time', 'mm.arg_start', 'mm', 'arg_end', 'mm',
    ]);
    expect(checkRecords(built.bytes, built.reads, built.existsPaths, kernel(to).btf)).toEqual([]);
    const skb = m.buildSkb({ littleEndian: kernel(from).btf.littleEndian });
    expect(skb.reads.map((r) => r.read.emitted.path)).toEqual(['len', 'next', 'next.len', 'dev', 'tstamp', 'pkt_type', 'headers.protocol', 'users.refs.counter', 'cb', 'cb[3]']);
    expect(checkRecords(skb.bytes, skb.reads, [], kernel(to).btf)).toEqual([]);
  });
});

describe('flavors: one kernel struct, two local layouts', () => {
  it.each([[K61, 1, 0, 1], [K612, 0, 1, 0]] as const)('relocated against %s: thread_group exists %i, task_struct matches %i, task_struct___v6_1 matches %i', async (to, threadGroup, matchesNew, matchesOld) => {
    expect(compiled.status).toBe(0);
    const m = await load<FlavorsModule>('flavors/usage.js');
    const built = m.build();
    const obj = parseObject(built.bytes);
    const res = relocateObject(obj, { targets: [{ name: 'vmlinux', btf: kernel(to).btf }] });
    expect(res.error).toBeUndefined();
    const local = obj.btf!;
    const facts = res.results.map((r) => `${r.kindName} ${local.nameOf(r.localTypeId)} ${pathOfAccess(local, r.localTypeId, r.accessString)} = ${r.outcome === 'poisoned' ? 'poisoned' : String(r.calc?.newVal)}`);
    expect(facts.slice(0, 3)).toEqual([
      `TYPE_MATCHES task_struct  = ${matchesNew}`,
      `TYPE_MATCHES task_struct___v6_1  = ${matchesOld}`,
      `FIELD_EXISTS task_struct___v6_1 thread_group = ${threadGroup}`,
    ]);
    // the branch for the other layout is dead: its relocations are poisoned, not wrong
    const savedState = facts.filter((f) => f.includes(' saved_state'));
    const next = facts.filter((f) => f.includes('thread_group.next'));
    expect(savedState[0]).toBe(`FIELD_EXISTS task_struct saved_state = ${threadGroup === 1 ? 0 : 1}`);
    expect(next[0]).toBe(`FIELD_EXISTS task_struct___v6_1 thread_group.next = ${threadGroup}`);
  });
});

// --- in the running kernel --------------------------------------------------------------------

const unavailable = existsSync(VMLINUX) ? kernelRunUnavailable() : 'no /sys/kernel/btf/vmlinux';
const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const show = (o: ReadOutcome<unknown> | undefined): string => (o === undefined ? 'not run' : formatReadOutcome(o, (v) => (typeof v === 'bigint' ? `${v}n` : JSON.stringify(v))));

describe.skipIf(unavailable !== undefined)(`getters generated from the running kernel, run in it${unavailable !== undefined ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('read what user space knows: tid, pid, comm, parent, mm; $exists', async () => {
    expect(compiled.status).toBe(0);
    const vmlinux = kernel('running').btf;
    const m = await load<UsageModule>('running/usage.js');
    const built = m.build();
    for (const [how, object] of [['libbpf', built.bytes], ['btfkit', relocatedByBtfkit(built.bytes, vmlinux)]] as const) {
      const run = runEmitted(object, 'getters', `gen-ts-getters-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const bss = hex(run.bss ?? '');
      const got = new Map(built.reads.filter((r) => r.offset >= 0).map((r) => [r.name, r.read.decode(bss.subarray(r.offset, r.offset + r.read.recordSize))] as const));
      const value = (name: string): unknown => { const o = got.get(name); return o?.ok === true ? o.value : show(o); };
      expect(value('pid'), how).toBe(run.tid);
      expect(value('tgid'), how).toBe(run.pid);
      expect(value('comm'), how).toBe(run.comm);
      expect(value('comm0'), how).toBe(run.comm!.charCodeAt(0));
      expect(value('ppid'), how).toBe(run.ppid);
      expect(value('parent_tgid'), how).toBe(run.ppid);
      expect(typeof value('parent_comm'), how).toBe('string');
      expect(typeof value('vruntime'), how).toBe('bigint');
      expect([0, 1]).toContain(value('reset_on_fork'));
      expect(value('start_time') as bigint > 0n, how).toBe(true);
      const argStart = value('arg_start') as bigint;
      expect(argStart > 0n && (value('arg_end') as bigint) > argStart, how).toBe(true);
      expect((value('mm_pointer') as bigint) > 0n, how).toBe(true);
      const dv = new DataView(bss.buffer, bss.byteOffset + built.existsOffset);
      expect(built.existsPaths.map((_, i) => dv.getBigUint64(i * 8, true)), how).toEqual(built.existsPaths.map(() => 1n));
      // se.on_rq is 1 byte or 4 depending on the kernel; generated from this one it fits
      expect(show(got.get('se_on_rq')), how).toMatch(/^Ok\(Some\(\d+\)\)$/);
    }
  });

  it('the flavor branch that matches the running kernel is taken', async () => {
    expect(compiled.status).toBe(0);
    const vmlinux = kernel('running').btf;
    const task = vmlinux.type(vmlinux.findByName('task_struct', 'struct')[0]!);
    const has = (n: string): boolean => task.kind === 'struct' && task.members.some((x) => x.name === n);
    const m = await load<FlavorsModule>('flavors/usage.js');
    const built = m.build();
    for (const [how, object] of [['libbpf', built.bytes], ['btfkit', relocatedByBtfkit(built.bytes, vmlinux)]] as const) {
      const run = runEmitted(object, 'flavors', `gen-ts-flavors-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const bss = hex(run.bss ?? '');
      const dv = new DataView(bss.buffer, bss.byteOffset + built.facts);
      const branch = dv.getBigUint64(16, true);
      expect(branch, how).toBe(has('thread_group') ? 2n : 1n);
      const read = branch === 2n ? built.older : built.fresh;
      const o = decodeReadOutcome(bss.subarray(built.record, built.record + read.recordSize), read.emitted.valueSize, (v) => v.length);
      expect(o === undefined ? 'not run' : formatReadOutcome(o), how).toBe(has(branch === 2n ? 'thread_group' : 'saved_state') ? `Ok(Some(${read.emitted.valueSize}))` : 'Ok(None)');
    }
  });
});
