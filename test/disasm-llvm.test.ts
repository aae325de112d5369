// Differential test of the instruction layer against LLVM 19: every instruction of programs
// compiled by clang-19 (testdata/asm/*.c, bpfel and bpfeb, -mcpu=v1..v4) and assembled by
// llvm-mc-19 (testdata/asm/*.s), and of a seeded stream of generated instructions covering
// all 256 opcodes with random fields, must disassemble to exactly the line llvm-objdump-19
// prints: slot index, raw bytes and text, jump-target annotations included. Both
// `llvm-objdump -d` and `llvm-objdump -d --mattr=+alu32` are compared. Encoding what was
// decoded must give the section bytes back.
//
// Not compared: llvm-objdump's symbol header lines (`0000000000000000 <prog>:`) and blank lines.
// Relocations are not printed (no -r), so nothing depends on them.
//
// The tools are required: when clang-19, llvm-mc-19 or llvm-objdump-19 is missing, this fails.
//
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf, type ElfFile, type ElfSection } from 'btfkit/elf';
import {
  aluImm, aluReg, atomic, call, decodeInsns, disassembleBytes, encodeInsns, endian, exit, formatInsn, insnByteOffset, ja,
  jumpImm, jumpReg, ldImm64, load, makeInsn, mayGoto, movsx, store, storeImm, BPF_ATOMIC, BPF_LD_IMM64, BPF_STX,
  type AccessSize, type AluOp, type DisasmSymbol, type Insn, type InsnFields, type JumpOp,
} from 'btfkit/asm';
import { repoRoot } from './helpers/kernels.js';

const CLANG = 'clang-19';
const LLVM_MC = 'llvm-mc-19';
const OBJDUMP = 'llvm-objdump-19';
const testdata = join(repoRoot, 'testdata/asm');

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'btfkit-asm-'));
  execFileSync('sh', [join(testdata, 'build.sh'), dir], { env: { ...process.env, CLANG, LLVM_MC }, stdio: 'pipe' });
});

const totals = { objects: 0, lines: 0 };

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  console.log(`disasm-llvm: ${totals.lines} instruction lines of ${totals.objects} objects compared with llvm-objdump-19 (-d and -d --mattr=+alu32)`);
});

// ---------------------------------------------------------------------------------------------
// ELF symbols, collected the way llvm-objdump does for jump-target annotations.

const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 0x4n;
const STT_SECTION = 3;
const STT_FILE = 4;

interface Sym { name: string; shndx: number; type: number; value: bigint }

function elfSymbols(elf: ElfFile): Sym[] {
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab === undefined) return [];
  const strtab = elf.sections[symtab.link];
  if (strtab === undefined) throw new Error('symtab without strtab');
  const data = elf.data(symtab);
  const strs = elf.data(strtab);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.littleEndian;
  const out: Sym[] = [];
  for (let o = 0; o + 24 <= data.length; o += 24) {
    const nameOff = v.getUint32(o, le);
    let end = nameOff;
    while (end < strs.length && strs[end] !== 0) end++;
    out.push({
      name: new TextDecoder().decode(strs.subarray(nameOff, end)),
      type: v.getUint8(o + 4) & 0xf,
      shndx: v.getUint16(o + 6, le),
      value: v.getBigUint64(o + 8, le),
    });
  }
  return out;
}

/** Named symbols of the section except section and file symbols, plus `<section>` at 0 when nothing is there. */
function llvmSymbols(syms: readonly Sym[], sec: ElfSection): DisasmSymbol[] {
  const out = syms
    .filter((s) => s.shndx === sec.index && s.name !== '' && s.type !== STT_SECTION && s.type !== STT_FILE)
    .map((s) => ({ name: s.name, offset: insnByteOffset(Number(s.value)) }));
  if (!out.some((s) => s.offset === 0)) out.push({ name: sec.name, offset: insnByteOffset(0) });
  return out;
}

// ---------------------------------------------------------------------------------------------
// llvm-objdump output: instruction lines per section.

function objdump(obj: string, alu32: boolean): Map<string, string[]> {
  const args = ['-d', ...(alu32 ? ['--mattr=+alu32'] : []), obj];
  const text = execFileSync(OBJDUMP, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of text.split('\n')) {
    const sec = /^Disassembly of section (.*):$/.exec(line);
    if (sec !== null) {
      cur = [];
      out.set(sec[1]!, cur);
      continue;
    }
    if (line === '' || /^[0-9a-f]{16} <.*>:$/.test(line) || line.endsWith('file format elf64-bpf')) continue;
    if (cur === undefined) throw new Error(`unexpected llvm-objdump line before any section: ${line}`);
    cur.push(line);
  }
  return out;
}

interface Comparison { compared: number; mismatches: string[] }

/** Compare every executable section of `obj` with llvm-objdump in both modes. */
function compareObject(obj: string): Comparison {
  const bytes = new Uint8Array(readFileSync(obj));
  const elf = readElf(bytes);
  const syms = elfSymbols(elf);
  const result: Comparison = { compared: 0, mismatches: [] };
  totals.objects++;
  for (const alu32 of [false, true]) {
    const llvm = objdump(obj, alu32);
    for (const sec of elf.sections) {
      if ((sec.flags & SHF_EXECINSTR) === 0n || sec.size === 0) continue;
      const data = elf.data(sec);
      const opts = { littleEndian: elf.littleEndian, alu32, symbols: llvmSymbols(syms, sec) };
      const ours = disassembleBytes(data, opts);
      const theirs = llvm.get(sec.name) ?? [];
      const n = Math.max(ours.length, theirs.length);
      for (let i = 0; i < n; i++) {
        result.compared++;
        totals.lines++;
        if (ours[i] !== theirs[i]) {
          result.mismatches.push(`${obj} ${sec.name}${alu32 ? ' (alu32)' : ''}:\n  llvm: ${theirs[i] ?? '(none)'}\n  ours: ${ours[i] ?? '(none)'}`);
        }
      }
      expect(encodeInsns(decodeInsns(data, elf), elf), `${obj} ${sec.name}: encode(decode(bytes))`).toEqual(data);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

describe('LLVM 19 tools', () => {
  it.each([CLANG, LLVM_MC, OBJDUMP])('%s is installed', (tool) => {
    expect(execFileSync(tool, ['--version'], { encoding: 'utf8' })).toMatch(/version 19\./);
  });
});

describe('disassembly matches llvm-objdump-19 on compiled programs', () => {
  const sources = readdirSync(testdata).filter((n) => n.endsWith('.c') || n.endsWith('.s')).sort();

  it('has programs to compare', () => {
    expect(sources.length).toBeGreaterThanOrEqual(5);
  });

  it.each(sources)('%s', (source) => {
    const base = source.replace(/\.[cs]$/, '');
    const objs = readdirSync(dir).filter((n) => n.startsWith(`${base}-`) && n.endsWith('.o')).sort();
    expect(objs.length).toBe(source.endsWith('.c') ? 8 : 2);
    let compared = 0;
    const mismatches: string[] = [];
    for (const o of objs) {
      const r = compareObject(join(dir, o));
      compared += r.compared;
      mismatches.push(...r.mismatches);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(compared).toBeGreaterThan(50);
  });
});

// Opt-in: every BPF object (EM_BPF ELF) under $BTFKIT_BPF_OBJECTS, e.g. a build of the kernel's
// BPF selftests.
const corpus = process.env['BTFKIT_BPF_OBJECTS'];
const EM_BPF = 247;

function bpfObjects(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => {
      const b = readFileSync(p);
      if (b.length < 20 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
      return (b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18)) === EM_BPF;
    })
    .sort();
}

// Defined only when the variable is set: an opt-in run, not a skipped test.
if (corpus !== undefined) describe('disassembly matches llvm-objdump-19 on $BTFKIT_BPF_OBJECTS', () => {
  it('every object', () => {
    const objs = bpfObjects(corpus!);
    expect(objs.length).toBeGreaterThan(0);
    const mismatches: string[] = [];
    for (const o of objs) mismatches.push(...compareObject(o).mismatches);
    expect(mismatches.slice(0, 20)).toEqual([]);
  }, 600_000);
});

// ---------------------------------------------------------------------------------------------
// Generated instructions: every opcode with random fields, both byte orders.

/** xorshift32, so the stream is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const OFFS = [0, 1, 8, 16, 32, -1, 2, 0x7fff, -0x8000];
const IMMS = [0, 1, 16, 32, 64, 8, -1, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0xe0, 0xf0, 0x02, 0x4f, 0x10002, 0x7fffffff, -0x80000000];

function generate(seed: number, perOpcode: number): InsnFields[][] {
  const next = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const regField = (): number => (next() % 8 === 0 ? 12 + (next() % 4) : next() % 12);
  const field = (): InsnFields => ({
    code: 0,
    dst: regField(),
    src: regField(),
    off: next() % 3 === 0 ? ((next() & 0xffff) << 16) >> 16 : pick(OFFS),
    imm: next() % 3 === 0 ? next() | 0 : pick(IMMS),
  });
  const out: InsnFields[][] = [];
  for (let code = 0; code < 256; code++) {
    for (let k = 0; k < perOpcode; k++) {
      let f: InsnFields = { ...field(), code };
      if (code === BPF_LD_IMM64) {
        // Only LD_IMM64s LLVM decodes: otherwise llvm-objdump decodes the second slot on its own.
        f = { ...f, off: 0, dst: f.dst % 12 };
        const hi = next() % 4 === 0 ? field() : { code: 0, dst: 0, src: 0, off: 0, imm: next() % 2 === 0 ? 0 : next() | 0 };
        out.push([f, { ...hi, code: next() % 4 === 0 ? next() & 0xff : 0 }]);
        continue;
      }
      // Load-acquire/store-release print in LLVM 21 syntax, which LLVM 19 does not know.
      if ((code & 7) === BPF_STX && (code & 0xe0) === BPF_ATOMIC && (f.imm === 0x100 || f.imm === 0x110)) f = { ...f, imm: 0 };
      // llvm-objdump prints `...` for 8 zero bytes.
      if (code === 0 && f.dst === 0 && f.src === 0 && f.off === 0 && f.imm === 0) f = { ...f, imm: 1 };
      out.push([f]);
    }
  }
  // Shuffle, so jump targets land anywhere.
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('disassembly matches llvm-objdump-19 on generated instructions', () => {
  it.each([
    ['el', 1],
    ['eb', 2],
  ] as const)('all opcodes with random fields, bpf%s', (order, seed) => {
    const littleEndian = order === 'el';
    const slots = generate(seed, 64);
    const insns = slots.map(([lo, hi]) => makeInsn(lo!, hi));
    const bytes = encodeInsns(insns, { littleEndian });
    const lines = ['\t.text', '\t.globl\tf', 'f:'];
    for (let i = 0; i < bytes.length; i += 8) lines.push(`\t.byte ${Array.from(bytes.subarray(i, i + 8), (b) => `0x${b.toString(16)}`).join(', ')}`);
    const src = join(dir, `gen-${order}.s`);
    const obj = join(dir, `gen-${order}.o`);
    writeFileSync(src, lines.join('\n') + '\n');
    execFileSync(LLVM_MC, ['-triple', `bpf${order}`, '-filetype=obj', src, '-o', obj]);
    const r = compareObject(obj);
    expect(r.mismatches.slice(0, 20)).toEqual([]);
    expect(r.compared).toBe(2 * insns.length);
  });
});

// ---------------------------------------------------------------------------------------------
// The other direction: instructions made by the builders, printed (alu32 syntax, no symbols)
// and assembled by llvm-mc-19, give the bytes the encoder writes.

function built(seed: number, n: number): Insn[] {
  const next = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const r = (): number => next() % 11;
  const off = (): number => ((next() & 0xffff) << 16) >> 16;
  const imm = (): number => (next() % 2 === 0 ? (next() % 64) - 32 : next() | 0);
  const alu: Exclude<AluOp, 'neg'>[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh'];
  const jumps: JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
  const sizes: AccessSize[] = [1, 2, 4, 8];
  const makers: (() => Insn)[] = [
    () => aluImm(pick(['alu', 'alu64']), pick(alu), r(), imm()),
    () => aluReg(pick(['alu', 'alu64']), pick(alu), r(), r()),
    () => aluImm(pick(['alu', 'alu64']), 'neg', r(), 0),
    () => movsx('alu64', pick([8, 16, 32]), r(), r()),
    () => movsx('alu', pick([8, 16]), r(), r()),
    () => makeInsn({ code: 0xbf, dst: r(), src: r(), off: 1, imm: pick([1, 0x10000]) }),
    () => endian(pick(['le', 'be', 'bswap']), pick([16, 32, 64]), r()),
    () => jumpImm(pick(['jmp', 'jmp32']), pick(jumps), r(), imm(), off()),
    () => jumpReg(pick(['jmp', 'jmp32']), pick(jumps), r(), r(), off()),
    () => ja(off()),
    () => ja(off(), true), // llvm-mc 19 parses only 16-bit gotol offsets
    () => mayGoto(off()),
    () => call('helper', imm()),
    () => makeInsn({ code: 0x8d, dst: r(), src: 0, off: 0, imm: 0 }),
    () => exit(),
    () => ldImm64(r(), BigInt.asUintN(64, (BigInt(next()) << 32n) | BigInt(next()))),
    () => ldImm64(r(), BigInt(next()), pick(['map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'])),
    () => makeInsn({ code: pick([0x20, 0x28, 0x30]), dst: 0, src: 0, off: 0, imm: imm() }),
    () => makeInsn({ code: pick([0x40, 0x48, 0x50]), dst: 0, src: r(), off: 0, imm: 0 }),
    () => load(pick(sizes), r(), r(), off()),
    () => load(pick([1, 2, 4] as const), r(), r(), off(), true),
    () => store(pick(sizes), r(), off(), r()),
    () => storeImm(pick(sizes), r(), off(), imm()),
    () => atomic(pick([4, 8] as const), pick(['add', 'or', 'and', 'xor'] as const), r(), off(), r(), next() % 2 === 0),
    () => atomic(pick([4, 8] as const), pick(['xchg', 'cmpxchg'] as const), r(), off(), r()),
  ];
  return Array.from({ length: n }, () => pick(makers)());
}

describe('llvm-mc-19 assembles the printed text to the encoded bytes', () => {
  it.each(['el', 'eb'] as const)('builders, bpf%s', (order) => {
    const littleEndian = order === 'el';
    const insns = built(order === 'el' ? 3 : 4, 3000);
    const src = join(dir, `built-${order}.s`);
    const obj = join(dir, `built-${order}.o`);
    writeFileSync(src, ['\t.text', ...insns.map((i) => `\t${formatInsn(i, { alu32: true })}`)].join('\n') + '\n');
    execFileSync(LLVM_MC, ['-triple', `bpf${order}`, '-filetype=obj', src, '-o', obj]);
    const elf = readElf(new Uint8Array(readFileSync(obj)));
    const text = elf.section('.text');
    expect(text).toBeDefined();
    const ours = encodeInsns(insns, { littleEndian });
    const theirs = elf.data(text!);
    const bad: string[] = [];
    let at = 0;
    for (const insn of insns) {
      const len = insn.kind === 'ld_imm64' ? 16 : 8;
      const a = ours.subarray(at, at + len).join(',');
      const b = theirs.subarray(at, at + len).join(',');
      if (a !== b) bad.push(`${formatInsn(insn, { alu32: true })}: ours ${a}, llvm-mc ${b}`);
      at += len;
    }
    expect(bad.slice(0, 20)).toEqual([]);
    expect(theirs.length).toBe(ours.length);
  });
});
