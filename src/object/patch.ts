/**
 * Write an object with patched program instructions (e.g. after CO-RE relocation): the same
 * ELF, byte for byte, except the instructions of the given programs.
 */
import { elfToWritable, writeElf } from '../elf/write.js';
import type { ObjectSpec } from './spec.js';

/** A copy of the object's bytes with each named program's instructions replaced. */
export function writePatchedObject(obj: ObjectSpec, programs: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const w = elfToWritable(obj.elf);
  const sections = w.sections.map((s) => ({ ...s, data: s.data }));
  for (const p of obj.programs) {
    const insns = programs.get(p.name);
    if (insns === undefined) continue;
    const name = p.isSubprogram ? '.text' : p.autoload ? p.section : `?${p.section}`;
    const idx = sections.findIndex((s) => s.name === name);
    const sec = sections[idx];
    if (sec === undefined) continue;
    const data = sec.data.slice();
    data.set(insns, p.sectionInsnOffset * 8);
    sections[idx] = { ...sec, data };
  }
  return writeElf({ ...w, sections });
}
