/**
 * The WebAssembly engine of `dumpC`: the committed module is what its AssemblyScript source
 * builds, and where WebAssembly is missing (`node --jitless`) the JavaScript engine prints the
 * same bytes while `engine: 'wasm'` refuses with NOT_SUPPORTED. (That both engines print
 * bpftool's bytes is in dump-c-bpftool.test.ts; that they agree on hand-made and mutated BTF,
 * errors included, in src/btf/dump-c.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Btf, dumpC, subsetBtf } from 'btfkit/btf';
import { isBtfkitError } from 'btfkit';
import { readBtfFile, repoRoot } from './helpers/kernels.js';

const KERNEL = join(repoRoot, 'testdata/kernels/linux-6.1.0-56-amd64.btf.gz');

function dumpHash(btf: Btf, engine: 'wasm' | 'js'): string {
  const h = createHash('sha256');
  dumpC(btf, (c) => h.update(c), { engine });
  return h.digest('hex');
}

describe('the WebAssembly C dumper', () => {
  it('is what wasm/build.mjs builds from wasm/dump-c.ts, byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'btfkit-wasm-'));
    try {
      execFileSync(process.execPath, [join(repoRoot, 'wasm/build.mjs'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(readFileSync(join(out, 'dump-c.wasm')).equals(readFileSync(join(repoRoot, 'wasm/dump-c.wasm'))), 'wasm/dump-c.wasm is stale: run npm run build:wasm').toBe(true);
      expect(readFileSync(join(out, 'dump-c-wasm.ts'), 'utf8')).toBe(readFileSync(join(repoRoot, 'src/btf/dump-c-wasm.ts'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('embeds the committed module', async () => {
    const { DUMP_C_WASM_BASE64 } = await import('../src/btf/dump-c-wasm.js');
    expect(Buffer.from(DUMP_C_WASM_BASE64, 'base64').equals(readFileSync(join(repoRoot, 'wasm/dump-c.wasm')))).toBe(true);
  });

  it('without WebAssembly (node --jitless), auto prints with JavaScript and wasm is refused', () => {
    const btf = Btf.parse(readBtfFile(KERNEL));
    const expected = dumpHash(btf, 'wasm');
    expect(dumpHash(btf, 'js')).toBe(expected);
    const script = `
      import { createHash } from 'node:crypto';
      import fc from 'fast-check';
import { Btf, dumpC, subsetBtf } from 'btfkit/btf';
import { isBtfkitError } from 'btfkit';
      import { readFileSync } from 'node:fs';
      import { gunzipSync } from 'node:zlib';
      const btf = Btf.parse(new Uint8Array(gunzipSync(readFileSync(${JSON.stringify(KERNEL)}))));
      const h = createHash('sha256');
      dumpC(btf, (c) => h.update(c));
      let refused = 'not refused';
      try { dumpC(btf, () => {}, { engine: 'wasm' }); } catch (e) { refused = e.code; }
      console.log(JSON.stringify({ wasm: typeof WebAssembly, hash: h.digest('hex'), refused }));`;
    const out = execFileSync(process.execPath, ['--jitless', '--no-warnings', '--input-type=module', '-e', script], {
      cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(JSON.parse(out)).toEqual({ wasm: 'undefined', hash: expected, refused: 'NOT_SUPPORTED' });
  });

  it('btfkit btf dump -f c prints the same bytes with --engine wasm, js and auto, and checks --engine', () => {
    const cli = join(repoRoot, 'bin/btfkit.js');
    const hashOf = (engine: string): string => {
      const r = spawnSync(process.execPath, [cli, 'btf', 'dump', KERNEL, '-f', 'c', '--engine', engine], { maxBuffer: 1 << 28 });
      expect(r.status, r.stderr.toString()).toBe(0);
      return createHash('sha256').update(r.stdout).digest('hex');
    };
    const expected = dumpHash(Btf.parse(readBtfFile(KERNEL)), 'js');
    for (const engine of ['auto', 'wasm', 'js']) expect(hashOf(engine), engine).toBe(expected);
    for (const bad of [['-f', 'c', '--engine', 'fast'], ['-f', 'raw', '--engine', 'js']]) {
      const r = spawnSync(process.execPath, [cli, 'btf', 'dump', KERNEL, ...bad], { encoding: 'utf8' });
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--engine|engine '/);
    }
  });

  it('prints the same text, or throws the same error, as the JavaScript engine on 3,000 mutations of kernel types', () => {
    // three large kernel structs and what they contain by value, with forward declarations
    // behind pointers: about 370 types, of every kind a kernel header has
    const kernel = Btf.parse(readBtfFile(KERNEL));
    const seed = subsetBtf(kernel, ['task_struct', 'sk_buff', 'inode'].map((n) => kernel.findByNameKind(n, 'struct')!));
    const seedBtf = Btf.parse(seed);
    expect(seedBtf.lastId).toBeGreaterThan(300);
    const typeStart = seedBtf.header.hdrLen + seedBtf.header.typeOff;
    const typeEnd = typeStart + seedBtf.header.typeLen;
    const outcome = (btf: Btf, engine: 'wasm' | 'js'): string => {
      const h = createHash('sha256');
      try {
        dumpC(btf, (c) => h.update(c), { engine });
        return h.digest('hex');
      } catch (e) {
        if (!isBtfkitError(e)) throw e;
        return `${e.name} ${e.code}: ${e.message}`;
      }
    };
    let errors = 0;
    let printed = 0;
    fc.assert(
      fc.property(
        // edits in the type section: ids, sizes, offsets, kinds, vlens and name offsets
        fc.array(fc.tuple(fc.integer({ min: typeStart, max: typeEnd - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (edits) => {
          const bytes = seed.slice();
          for (const [at, v] of edits) bytes[at] = v;
          let btf: Btf;
          try {
            btf = Btf.parse(bytes);
          } catch (e) {
            if (!isBtfkitError(e)) throw e;
            return;
          }
          const wasm = outcome(btf, 'wasm');
          if (wasm.includes(":")) errors++; else printed++;
          expect(wasm).toBe(outcome(btf, 'js'));
        },
      ),
      { numRuns: 3000 },
    );
    // the mutations reach both the printing and the error paths (about 470 and 2,100 of the 3,000; the
    // rest are rejected by Btf.parse)
    expect(errors).toBeGreaterThan(50);
    expect(printed).toBeGreaterThan(200);
  }, 120_000);
});
