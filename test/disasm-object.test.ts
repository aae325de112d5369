// `btfkit disasm`: every instruction line equals llvm-objdump-19 -d's, with source lines and
// CO-RE relocations added around them.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/kernels.js';

const bin = join(repoRoot, 'bin/btfkit.js');
const dirs = ['testdata/objects', 'examples/objects'];
const objects = dirs.flatMap((d) => readdirSync(join(repoRoot, d)).filter((f) => f.endsWith('.o')).map((f) => join(d, f))).sort();

/** Instruction lines of llvm-objdump: "  12:\t<bytes>\t<text>" -> "12:\t<text>". */
function llvm(obj: string): string[] {
  return execFileSync('llvm-objdump-19', ['-d', '--no-show-raw-insn', obj], { encoding: 'utf8' }).split('\n')
    .map((l) => /^\s*(\d+):\s+(.*)$/.exec(l)).filter((m) => m !== null).map((m) => `${m[1]}:\t${m[2]!.trim()}`);
}

describe.each(objects)('btfkit disasm %s', (rel) => {
  const obj = join(repoRoot, rel);
  const out = execFileSync(process.execPath, [bin, 'disasm', obj], { encoding: 'utf8' }).split('\n');
  it('prints the instructions llvm-objdump-19 prints', () => {
    const ours = out.map((l) => /^\s*(\d+):\t(.*)$/.exec(l)).filter((m) => m !== null).map((m) => `${m[1]}:\t${m[2]!.trim()}`);
    expect(ours.sort()).toEqual(llvm(obj).sort());
  });
  it('shows each CO-RE record at its instruction', () => {
    const relocs = execFileSync(process.execPath, [bin, 'relocs', obj, '--json'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    expect(out.filter((l) => l.includes('; CO-RE ')).length).toBe(relocs.length);
  });
});
