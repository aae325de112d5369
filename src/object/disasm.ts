/**
 * Disassembly of an object's programs, as people read it: llvm-objdump's instruction text,
 * with source lines from `.BTF.ext` line_info interleaved and each CO-RE relocation shown at
 * its instruction in libbpf's spec syntax.
 */
import { decodeInsns } from '../asm/decode.js';
import { disassemble, type DisasmSymbol } from '../asm/disasm.js';
import { insnByteOffset, insnIndex } from '../binary/units.js';
import { parseAccessSpec, formatSpecBody } from '../core/spec.js';
import { reloKindName } from '../core/kinds.js';
import type { ObjectSpec, ProgramSpec } from './spec.js';

/** Options of {@link disassembleObject}. */
export interface ObjectDisasmOptions {
  /** Only this program (by name). */
  readonly program?: string;
  /** Leave out source lines. */
  readonly noSource?: boolean;
}

/** Text lines of the disassembly of every program (or one). */
export function disassembleObject(obj: ObjectSpec, options: ObjectDisasmOptions = {}): string[] {
  const out: string[] = [];
  const progs = obj.programs.filter((p) => options.program === undefined || p.name === options.program);
  for (const p of progs) {
    if (out.length > 0) out.push('');
    out.push(`${p.isSubprogram ? 'subprogram' : 'program'} ${p.name} (section ${p.autoload ? p.section : `?${p.section}`}${p.progType === undefined ? '' : `, ${p.progType}`}, ${p.insnCount} instructions):`);
    out.push(...programLines(obj, p, options));
  }
  return out;
}

function symbolsOf(obj: ObjectSpec, p: ProgramSpec): DisasmSymbol[] {
  const secName = p.isSubprogram ? '.text' : p.autoload ? p.section : `?${p.section}`;
  const sec = obj.elf.sections.find((s) => s.name === secName);
  if (sec === undefined) return [];
  return obj.elf.symbols().filter((s) => s.shndx === sec.index && s.name !== '' && (s.type === 2 || s.type === 0)).map((s) => ({ name: s.name, offset: insnByteOffset(Number(s.value)) }));
}

function programLines(obj: ObjectSpec, p: ProgramSpec, options: ObjectDisasmOptions): string[] {
  const insns = decodeInsns(p.insns, { littleEndian: obj.littleEndian });
  const lines = disassemble(insns, { symbols: symbolsOf(obj, p), startIndex: insnIndex(p.sectionInsnOffset) });
  const byInsn = new Map<number, string[]>();
  const add = (i: number, s: string): void => { byInsn.set(i, [...(byInsn.get(i) ?? []), s]); };
  if (options.noSource !== true) {
    // like llvm-objdump -S: a source line is printed when it changes, not for every record
    let last = '';
    for (const li of p.lineInfo) {
      const key = `${li.fileName}:${li.lineNumber}`;
      if (key === last) continue;
      last = key;
      add(li.insnOffset / 8, `; ${li.line.trim()}    [${li.fileName.replace(/^.*\//, '')}:${li.lineNumber}]`);
    }
  }
  const relos: string[][] = [];
  p.coreRelos.forEach((r) => {
    const i = r.insnOffset / 8;
    let text: string;
    try {
      text = obj.btf === undefined ? `[${r.typeId}] ${r.accessString}` : formatSpecBody(parseAccessSpec(obj.btf, r));
    } catch (e) {
      text = `[${r.typeId}] ${r.accessString} (${(e as Error).message})`;
    }
    (relos[i] ??= []).push(`CO-RE ${reloKindName(r.kind)} ${text}`);
  });
  const out: string[] = [];
  lines.forEach((l) => {
    const rel = l.index - p.sectionInsnOffset;
    for (const s of byInsn.get(rel) ?? []) out.push(s);
    out.push(`${String(l.index).padStart(8)}:\t${l.text}`);
    for (const r of relos[rel] ?? []) out.push(`\t\t; ${r}`);
  });
  return out;
}
