// The package surface: ESM only, no runtime dependencies, every export resolvable, and a pure
// core that never touches Node (ARCHITECTURE.md rule 1; style.md 23).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './helpers/kernels.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  type: string; sideEffects: boolean; dependencies?: Record<string, string>;
  exports: Record<string, { types: string; default: string } | string>; bin: Record<string, string>;
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('package.json', () => {
  it('is ESM only, side-effect free, with no runtime dependencies', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });

  it('lists types first in every export condition, and every export exists after the build', async () => {
    for (const [sub, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      expect(Object.keys(target)[0], sub).toBe('types');
      expect(existsSync(join(repoRoot, target.default)), target.default).toBe(true);
      expect(existsSync(join(repoRoot, target.types)), target.types).toBe(true);
      const mod = (await import(join(repoRoot, target.default))) as Record<string, unknown>;
      expect(Object.keys(mod).length, sub).toBeGreaterThan(0);
    }
  });

  it('exposes the BTF API through the package name', async () => {
    const btfkit = await import('btfkit');
    const btf = await import('btfkit/btf');
    expect(typeof btfkit.Btf.parse).toBe('function');
    expect(btf.Btf).toBe(btfkit.Btf);
    expect(typeof btfkit.isBtfkitError).toBe('function');
  });

  it('has a bin that exists', () => {
    expect(existsSync(join(repoRoot, pkg.bin['btfkit']!))).toBe(true);
  });
});

describe('pure core', () => {
  it('never imports node: modules or uses Buffer/process/console outside src/cli and src/kernel', () => {
    const offenders: string[] = [];
    for (const f of walk(join(repoRoot, 'src'))) {
      const rel = relative(repoRoot, f);
      if (!rel.endsWith('.ts') || rel.endsWith('.test.ts') || /^src\/(cli|kernel)\//.test(rel)) continue;
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/from\s+['"]node:|require\(|\bBuffer\b|\bprocess\.|\bconsole\./.test(text)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });
});
