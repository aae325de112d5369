/** Build and run the reference oracles in ../shared/oracle (libbpf-oracle, btf-load). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './kernels.js';

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
