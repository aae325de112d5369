// examples/ts-only: the generated getters are what `gen ts` writes today, the example
// type-checks under the strict tsconfig, and run in the kernel it reads the task bpftool runs
// in: the values user space knows (pid, tgid, comm, parent), Ok(None) and SizeMismatch.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/kernels.js';
import { kernelRunUnavailable } from './helpers/emit-run.js';

const dir = join(repoRoot, 'examples/ts-only');
const bin = join(repoRoot, 'bin/btfkit.js');
const hasBpftool = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0;
const unavailable = kernelRunUnavailable() ?? (hasBpftool ? undefined : 'bpftool is not installed');

describe('examples/ts-only', () => {
  it('kernel.ts is what btfkit gen ts writes', () => {
    const generated = execFileSync(process.execPath, [bin, 'gen', 'ts', '--btf', 'testdata/kernels/linux-6.1.0-56-amd64.btf.gz',
      'task_struct:pid,tgid,comm,real_parent,in_user_fault,flags'], { cwd: repoRoot, encoding: 'utf8' });
    expect(generated).toBe(readFileSync(join(dir, 'kernel.ts'), 'utf8'));
  });

  it("type-checks and compiles under the strict tsconfig", () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it.skipIf(unavailable !== undefined)(`runs and reads the task it ran in${unavailable !== undefined ? ` (skipped: ${unavailable})` : ''}`, () => {
    const out = JSON.parse(execFileSync(process.execPath, [join(dir, 'dist/main.js'), '--json'], { encoding: 'utf8' })) as {
      known: { pid: number; tgid: number; comm: string; parent_tgid: number };
      outcomes: Record<string, string>;
    };
    expect(out.outcomes['pid']).toBe(`Ok(Some(${out.known.pid}))`);
    expect(out.outcomes['tgid']).toBe(`Ok(Some(${out.known.tgid}))`);
    expect(out.outcomes['comm']).toBe(`Ok(Some("${out.known.comm}"))`);
    expect(out.outcomes['parent_tgid']).toBe(`Ok(Some(${out.known.parent_tgid}))`);
    expect(out.outcomes['flags']).toMatch(/^Ok\(Some\(\d+\)\)$/);
    expect(out.outcomes['in_user_fault']).toMatch(/^Ok\((Some\([01]\)|None)\)$/);
    expect(out.outcomes['no_such_field']).toBe('Ok(None)');
    expect(out.outcomes['pid_as_u64']).toBe('Err(SizeMismatch { expected: 8, actual: 4 })');
  }, 60_000);
});
