/** Build and run the reference oracles in ../shared/oracle (libbpf-oracle, btf-load). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './kernels.js';
import type { RelocationResult } from 'btfkit/core';

let built: string | undefined;

/** Directory with the built oracles; builds them once per test process. Throws if it cannot. */
export function oracleDir(): string {
  if (built !== undefined) return built;
  const script = resolve(repoRoot, '../shared/oracle/build.sh');
  if (!existsSync(script)) throw new Error(`oracle sources not found at ${script} (CI has ../shared beside the checkout)`);
  const out = mkdtempSync(join(tmpdir(), 'btfkit-oracle-'));
  execFileSync('sh', [script], { env: { ...process.env, OUT: out }, stdio: 'pipe' });
  built = out;
  return out;
}

/** One JSON line of libbpf-oracle. */
export interface OracleRecord {
  sec: string; relo: number; prog: string | null; insn: number; insn_off: number; kind: string; kind_id: number;
  type_id: number; access: string; spec: string | null; target: string | null;
  cands: { match: boolean; spec: string }[]; result: 'patched' | 'poisoned' | 'error' | 'not_reached';
  class: string; from: number | string | null; to: number | string | null; mem_sz: { from: number; to: number } | null;
  orig: string; new: string | null; warn: string[]; raw: string;
}

/** libbpf's decisions for every CO-RE record of `obj` against `target` (split on `base` if given). */
export function libbpfDecisions(obj: string, target: string, base?: string): OracleRecord[] {
  const args = ['--fake-bpf', ...(base === undefined ? [] : ['--base', base]), obj, target];
  const exe = join(oracleDir(), 'libbpf-oracle'); // throws when the oracle cannot be built
  let out: string;
  try {
    out = execFileSync(exe, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // exit 2 = CO-RE error: stdout still has every record; anything else is a broken run
    if ((e as { status?: number }).status !== 2) throw e;
    out = (e as { stdout?: string }).stdout ?? '';
  }
  return out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as OracleRecord);
}

// ---- one record, in the oracle's vocabulary, for comparisons ----

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const num = (x: number | string | bigint | null | undefined): string | null => (x === null || x === undefined ? null : BigInt(x).toString());

/** btfkit's decision for one record, in the oracle's vocabulary. */
export function ourRecord(r: RelocationResult, programs: ReadonlyMap<string, Uint8Array>, o: OracleRecord) {
  const prog = r.program === undefined ? undefined : programs.get(r.program);
  const width = o.new !== null && o.new.length === 32 ? 16 : 8;
  return {
    sec: r.section, relo: r.reloIndex, insn: r.insn, insn_off: r.insnOffset, kind_id: r.kind, type_id: r.localTypeId, access: r.accessString,
    spec: r.localSpec ?? null, target: r.targetSpec ?? null, cands: r.candidates.map((c) => ({ match: c.matched, spec: c.spec })),
    result: r.outcome, from: num(r.patch?.ok === true && !r.patch.poisoned ? r.patch.from : null), to: num(r.patch?.ok === true && !r.patch.poisoned ? r.patch.to : null),
    mem_sz: r.patch?.memSize ?? null,
    // the oracle prints instruction bytes only when the whole CO-RE pass succeeded
    new: o.new !== null && (o.result === 'patched' || o.result === 'poisoned') ? (prog === undefined ? null : hex(prog.subarray(r.insn * 8, r.insn * 8 + width))) : null,
  };
}

/** libbpf's decision for one record, in the same shape as {@link ourRecord}. */
export function theirRecord(o: OracleRecord) {
  return {
    sec: o.sec, relo: o.relo, insn: o.insn, insn_off: o.insn_off, kind_id: o.kind_id, type_id: o.type_id, access: o.access,
    spec: o.spec, target: o.target, cands: o.cands, result: o.result, from: num(o.from), to: num(o.to), mem_sz: o.mem_sz,
    new: o.new !== null && (o.result === 'patched' || o.result === 'poisoned') ? o.new : null,
  };
}

