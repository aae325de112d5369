// `btfkit check`: the matrix agrees with the engine and with libbpf on every pair.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, testdataKernels, readBtfFile } from './helpers/kernels.js';
import { libbpfDecisions } from './helpers/oracle.js';

const bin = join(repoRoot, 'bin/btfkit.js');
const examples = join(repoRoot, 'examples/objects');
const objects = readdirSync(examples).filter((f) => f.endsWith('.o')).sort();
// module BTFs are <kernel>.<module>.btf.gz beside <kernel>.btf.gz
const allKernelFiles = readdirSync(testdataKernels).filter((f) => f.endsWith('.btf.gz'));
const vmlinuxKernels = allKernelFiles.filter((f) => !allKernelFiles.some((b) => b !== f && f.startsWith(b.replace(/\.btf\.gz$/, '.')))).sort();

interface Report { objects: string[]; kernels: string[]; pairs: { verdict: string; poisoned: number; relocations: { outcome: string; value: string }[] }[][] }

describe('btfkit check', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'btfkit-check-'));
  const html = join(tmp, 'report.html');
  const run = spawnSync(process.execPath, [bin, 'check', '--kernels', testdataKernels, '--json', '--html', html], { encoding: 'utf8' });

  it('checks the shipped examples against every testdata kernel (modules folded into their kernel)', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.objects).toEqual(objects);
    expect(report.kernels).toEqual(vmlinuxKernels.map((k) => k.replace(/\.btf\.gz$/, '')));
    expect(readFileSync(html, 'utf8')).toContain('<h1>btfkit check</h1>');
  });

  it('gives per relocation the outcome libbpf gives, for every object x kernel', () => {
    const report = JSON.parse(run.stdout) as Report;
    report.kernels.forEach((k, ki) => {
      const raw = join(tmp, `${k}.btf`);
      writeFileSync(raw, readBtfFile(join(testdataKernels, `${k}.btf.gz`)));
      report.objects.forEach((o, oi) => {
        // the oracle relocates every program; check, like libbpf's loader, only autoloaded ones (all are here)
        const want = libbpfDecisions(join(examples, o), raw).map((r) => r.result);
        const pair = report.pairs[oi]![ki]!;
        expect(pair.relocations.map((r) => r.outcome), `${o} on ${k}`).toEqual(want);
        expect(pair.verdict).toBe(want.includes('error') ? 'fails' : want.includes('poisoned') ? 'poisoned' : 'loads');
      });
    });
  });

  it('prints the summary and the differing relocations as text, with no arguments too', () => {
    const out = execFileSync(process.execPath, [bin, 'check'], { encoding: 'utf8' });
    expect(out).toContain('Summary');
    for (const o of objects) expect(out).toContain(o);
    expect(out).toMatch(/Relocations whose value differs between kernels \(\d+ of \d+\)/);
  });
});

describe('btfkit check --manifest', () => {
  it('reports the constants btfkit inject fills, per kernel, as rows of the matrix', () => {
    const obj = join(repoRoot, 'testdata/objects/inject-bpfel.o');
    const manifest = join(repoRoot, 'testdata/objects/inject.manifest.json');
    const run = spawnSync(process.execPath, [bin, 'check', obj, '--kernels', testdataKernels, '--manifest', manifest, '--json'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Report & { rows: { key: string; values: string[] }[] };
    expect(report.pairs[0]!.every((p) => p.verdict === 'loads')).toBe(true);
    const tmp = mkdtempSync(join(tmpdir(), 'btfkit-check-inject-'));
    report.kernels.forEach((k, ki) => {
      const out = join(tmp, `${k}.o`);
      const r = spawnSync(process.execPath, [bin, 'inject', obj, '--manifest', manifest, '--target', join(testdataKernels, `${k}.btf.gz`), '-o', out, '--json'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      for (const line of r.stdout.trim().split('\n')) {
        const c = JSON.parse(line) as { symbol: string; value: string; defaulted: boolean };
        const row = report.rows.find((x) => x.key === `const ${c.symbol}`)!;
        expect(row.values[ki], `${c.symbol} on ${k}`).toBe(`${c.value}${c.defaulted ? ' (default)' : ''}`);
      }
    });
  });
});
