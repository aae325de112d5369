// Committed objects compiled from C are exactly what their build scripts produce.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/kernels.js';

describe.each([
  { dir: 'testdata/objects', objectsOf: (c: string) => [c.replace(/\.c$/, '-bpfeb.o'), c.replace(/\.c$/, '-bpfel.o')] },
  { dir: 'testdata/lint', objectsOf: (c: string) => [c.replace(/\.c$/, '-bpfeb.o'), c.replace(/\.c$/, '-bpfel.o')] },
  { dir: 'examples/objects', objectsOf: (c: string) => [c.replace(/\.c$/, '.o')] },
])('$dir', ({ dir, objectsOf }) => {
  const src = join(repoRoot, dir);
  const out = mkdtempSync(join(tmpdir(), 'btfkit-fixtures-'));
  execFileSync('sh', [join(src, 'build.sh'), out]);
  const built = readdirSync(out).filter((f) => f.endsWith('.o')).sort();
  it('has the objects its sources build, and no others', () => {
    const sources = readdirSync(src).filter((f) => f.endsWith('.c'));
    expect(built).toEqual(sources.flatMap(objectsOf).sort());
    expect(readdirSync(src).filter((f) => f.endsWith('.o')).sort()).toEqual(built);
  });
  it.each(built)('%s rebuilds identically', (f) => {
    expect(Buffer.compare(readFileSync(join(out, f)), readFileSync(join(src, f)))).toBe(0);
  });
});
