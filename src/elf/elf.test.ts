import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElf, SHT } from './read.js';
import { elfToWritable, writeElf } from './write.js';
import { isBtfkitError } from '../errors.js';

const src = `
#define SEC(n) __attribute__((section(n), used))
struct task_struct { int pid; int tgid; } __attribute__((preserve_access_index));
int g = 3;
const volatile int ro = 5;
static long (*bpf_probe_read_kernel)(void *dst, int size, const void *src) = (void *) 113;
SEC("tracepoint/x") int prog(struct task_struct *t) { int x; bpf_probe_read_kernel(&x, 4, &t->tgid); return g + ro + x; }
char LICENSE[] SEC("license") = "GPL";
`;

const dir = mkdtempSync(join(tmpdir(), 'btfkit-elf-'));
function compile(target: string): Uint8Array {
  writeFileSync(join(dir, 'a.c'), src);
  execFileSync('clang-19', ['-g', '-O2', `-target`, target, '-c', join(dir, 'a.c'), '-o', join(dir, `${target}.o`)]);
  return new Uint8Array(readFileSync(join(dir, `${target}.o`)));
}

describe.each(['bpfel', 'bpfeb'])('ELF (%s)', (target) => {
  const bytes = compile(target);
  const elf = readElf(bytes);

  it('reads sections, symbols and relocations as readelf does', () => {
    expect(elf.littleEndian).toBe(target === 'bpfel');
    expect(elf.machine).toBe(247); // EM_BPF
    const readelf = execFileSync('readelf', ['-S', '-W', '-s', '-r', join(dir, `${target}.o`)], { encoding: 'utf8' });
    for (const s of elf.sections.slice(1)) expect(readelf).toContain(s.name);
    const prog = elf.sections.find((s) => s.name === 'tracepoint/x')!;
    expect(prog.type).toBe(SHT.PROGBITS);
    const syms = elf.symbols();
    const progSym = syms.find((s) => s.name === 'prog')!;
    expect(progSym).toMatchObject({ type: 2, bind: 1, shndx: prog.index, value: 0n });
    expect(Number(progSym.size)).toBe(prog.size);
    const rel = elf.sections.find((s) => s.name === '.reltracepoint/x')!;
    const relocs = elf.relocations(rel);
    // relocations for g and ro (ldimm64 of .data / .rodata)
    const targets = relocs.map((r) => syms[r.symbol]!.name).sort();
    expect(targets).toEqual(['g', 'ro']);
    expect(readelf).toContain(`Relocation section '.reltracepoint/x'`);
  });

  it('writes the object back byte for byte', () => {
    expect(writeElf(elfToWritable(elf))).toEqual(bytes);
  });

  it('lays out a new object that readelf and llvm-objdump accept', () => {
    const w = elfToWritable(elf);
    const fresh = writeElf({ ...w, shoff: undefined as unknown as number, sections: w.sections.map(({ offset: _o, nameOffset: _n, ...s }) => s) });
    const back = readElf(fresh);
    expect(back.sections.map((s) => s.name)).toEqual(elf.sections.map((s) => s.name));
    for (const s of elf.sections) expect(back.data(back.sections[s.index]!)).toEqual(elf.data(s));
    writeFileSync(join(dir, 'b.o'), fresh);
    const dump = execFileSync('llvm-objdump-19', ['-d', join(dir, 'b.o')], { encoding: 'utf8' });
    expect(dump).toContain('<prog>:');
  });

  it('rejects truncated files with an ElfError naming the offset', () => {
    for (const cut of [10, 63, 200, bytes.length - 1]) {
      try {
        const f = readElf(bytes.subarray(0, cut));
        f.symbols();
        for (const s of f.sections) if (s.type === SHT.REL) f.relocations(s);
      } catch (e) {
        expect(isBtfkitError(e, 'ELF_MALFORMED')).toBe(true);
        continue;
      }
      throw new Error(`cut at ${cut} was accepted`);
    }
  });
});
