// Golden files next to the object fixtures, found by scanning testdata/objects: for each
// X.o, X.relos.json is the output of `btfkit relocs X.o --json` and X.obj.txt the output of
// `btfkit obj X.o`. Adding a fixture adds its goldens' checks.
//
// To regenerate every golden after an intended change, run
//   BTFKIT_UPDATE_GOLDENS=1 npx vitest run test/golden.test.ts
// (after `npm run build`: the test runs the built CLI) and review the diff.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/kernels.js';

const dir = join(repoRoot, 'testdata/objects');
const cli = join(repoRoot, 'bin/btfkit.js');
const update = process.env['BTFKIT_UPDATE_GOLDENS'] === '1';

/** Run the built CLI in the fixture directory, with a relative file name, so no path leaks into the output. */
function btfkit(args: string[], cwd = dir): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const objects = readdirSync(dir).filter((f) => f.endsWith('.o')).sort();
const goldens = [
  { suffix: '.relos.json', args: (o: string) => ['relocs', o, '--json'] },
  { suffix: '.obj.txt', args: (o: string) => ['obj', o] },
];

describe.each(objects)('%s', (object) => {
  const stem = object.slice(0, -'.o'.length);
  it.each(goldens)('matches its $suffix golden', ({ suffix, args }) => {
    const r = btfkit(args(object));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const golden = join(dir, stem + suffix);
    if (update) writeFileSync(golden, r.stdout);
    expect(existsSync(golden), `${stem + suffix} is missing; create it with BTFKIT_UPDATE_GOLDENS=1`).toBe(true);
    expect(r.stdout).toBe(readFileSync(golden, 'utf8'));
  });
});

describe('golden files', () => {
  it('all belong to an object', () => {
    const stale = readdirSync(dir).filter((f) => goldens.some((g) => f.endsWith(g.suffix)))
      .filter((f) => !objects.includes(f.replace(/\.(relos\.json|obj\.txt)$/, '.o')));
    expect(stale).toEqual([]);
  });

  it('are deterministic: no paths, no dates', () => {
    for (const f of readdirSync(dir).filter((n) => goldens.some((g) => n.endsWith(g.suffix)))) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).not.toContain(repoRoot);
      expect(text, f).not.toMatch(/\b20\d\d-\d\d-\d\d\b/);
    }
  });
});

describe('btfkit obj / relocs on bad input', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'btfkit-golden-'));
  const maps = readFileSync(join(dir, 'maps-bpfel.o'));
  const cases: [string, Uint8Array][] = [
    ['not-elf.o', new TextEncoder().encode('this is not an ELF file\n')],
    ['truncated.o', maps.subarray(0, 3000)],
  ];
  for (const [name, bytes] of cases) writeFileSync(join(tmp, name), bytes);

  it.each(cases.flatMap(([name]) => [['obj', name], ['relocs', name]]))('%s %s exits 1 with a message naming the file', (cmd, name) => {
    const r = btfkit([cmd!, name!], tmp);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^btfkit: ${name!.replace('.', '\\.')}: not a valid BPF object: .+ \\[ELF_MALFORMED\\]\\n$`));
  });

  it('relocs and obj want exactly one OBJ (usage error, exit 2)', () => {
    expect(btfkit(['relocs']).status).toBe(2);
    expect(btfkit(['obj', 'a.o', 'b.o']).status).toBe(2);
  });
});
