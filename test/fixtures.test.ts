// Committed fixtures compiled from C are exactly what their build script produces.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/kernels.js';

describe('testdata/objects', () => {
  const dir = join(repoRoot, 'testdata/objects');
  const out = mkdtempSync(join(tmpdir(), 'btfkit-fixtures-'));
  execFileSync('sh', [join(dir, 'build.sh'), out]);
  const built = readdirSync(out).filter((f) => f.endsWith('.o')).sort();
  it('has one object per source and byte order', () => {
    const sources = readdirSync(dir).filter((f) => f.endsWith('.c'));
    expect(built).toEqual(sources.flatMap((s) => [s.replace('.c', '-bpfeb.o'), s.replace('.c', '-bpfel.o')]).sort());
    expect(readdirSync(dir).filter((f) => f.endsWith('.o')).sort()).toEqual(built);
  });
  it.each(built)('%s rebuilds identically', (f) => {
    expect(Buffer.compare(readFileSync(join(out, f)), readFileSync(join(dir, f)))).toBe(0);
  });
});
