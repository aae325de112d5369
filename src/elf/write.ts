/**
 * ELF64 writer for relocatable objects (ET_REL). Two modes:
 * - *preserve*: every section carries its file offset and name offset (as {@link elfToWritable}
 *   gives them for a read file), so reading then writing reproduces the input bytes exactly;
 * - *layout*: offsets are left out and the writer lays the file out itself: header, section
 *   data in index order (each aligned to its `addralign`), then the section header table.
 *   Sections without a name offset get their name appended to the name table.
 */
import { ElfError, ErrorCodes } from '../errors.js';
import { SHT, type ElfFile } from './read.js';

/** A section to write. Index 0 must be the NULL section. */
export interface WritableSection {
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
  /** Contents (ignored for SHT_NOBITS, whose size is `size`). */
  readonly data: Uint8Array;
  /** Size for SHT_NOBITS sections. */
  readonly size?: number;
  /** File offset (preserve mode). */
  readonly offset?: number;
  /** Offset of the name in the section-name string table (preserve mode). */
  readonly nameOffset?: number;
}

/** A whole object to write. */
export interface WritableElf {
  readonly littleEndian: boolean;
  /** e_ident bytes 7.. (OSABI, ABI version); default zeros. */
  readonly osabi?: number;
  readonly type: number;
  readonly machine: number;
  readonly flags: number;
  readonly sections: readonly WritableSection[];
  /** Index of the section-name string table. In layout mode its data is rebuilt from names. */
  readonly shstrndx: number;
  /** Section header table offset (preserve mode). */
  readonly shoff?: number;
}

/** The writable form of a read ELF file, offsets preserved, for byte-exact round trips. */
export function elfToWritable(file: ElfFile): WritableElf {
  const v = new DataView(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, file.littleEndian));
  const shentsize = v.getUint16(0x3a, file.littleEndian);
  let shstrndx = v.getUint16(0x3e, file.littleEndian);
  if (shstrndx === 0xffff && file.sections[0] !== undefined) shstrndx = file.sections[0].link;
  return {
    littleEndian: file.littleEndian, osabi: file.bytes[7] ?? 0, type: file.type, machine: file.machine, flags: file.flags,
    shstrndx, shoff,
    sections: file.sections.map((s) => ({
      name: s.name, type: s.type, flags: s.flags, addr: s.addr, link: s.link, info: s.info, addralign: s.addralign,
      entsize: s.entsize, data: file.data(s), size: s.size, offset: s.offset,
      nameOffset: v.getUint32(shoff + s.index * shentsize, file.littleEndian),
    })),
  };
}

const align = (n: number, a: number): number => (a > 1 ? Math.ceil(n / a) * a : n);

/**
 * Write an ELF64 relocatable object.
 * @throws {ElfError} `ELF_MALFORMED` when the description is inconsistent (overlaps, missing shstrtab).
 */
export function writeElf(elf: WritableElf): Uint8Array {
  const preserve = elf.shoff !== undefined && elf.sections.every((s) => s.offset !== undefined && s.nameOffset !== undefined);
  const n = elf.sections.length;
  const shstr = elf.sections[elf.shstrndx];
  if (n > 0 && (shstr === undefined || shstr.type !== SHT.STRTAB)) {
    throw new ElfError(ErrorCodes.ELF_MALFORMED, `section name table index ${elf.shstrndx} is not a string table`);
  }
  // Section names and data placement.
  const nameOffsets: number[] = [];
  const datas: Uint8Array[] = elf.sections.map((s) => s.data);
  const offsets: number[] = [];
  let shoff: number;
  // Names: keep given name offsets; add missing names to the end of the name table (it may
  // double as the symbol string table, as in LLVM's objects, so existing bytes never move).
  if (elf.sections.some((s) => s.nameOffset === undefined) && shstr !== undefined) {
    const enc = new TextEncoder();
    const table: number[] = Array.from(shstr.data.length > 0 ? shstr.data : [0]);
    const find = (name: Uint8Array): number => {
      outer: for (let i = 0; i + name.length < table.length; i++) {
        for (let k = 0; k < name.length; k++) if (table[i + k] !== name[k]) continue outer;
        if (table[i + name.length] === 0) return i;
      }
      return -1;
    };
    for (const s of elf.sections) {
      if (s.nameOffset !== undefined) { nameOffsets.push(s.nameOffset); continue; }
      if (s.name === '') { nameOffsets.push(0); continue; }
      const b = enc.encode(s.name);
      let off = find(b);
      if (off < 0) { off = table.length; table.push(...b, 0); }
      nameOffsets.push(off);
    }
    datas[elf.shstrndx] = Uint8Array.from(table);
  } else {
    elf.sections.forEach((s) => nameOffsets.push(s.nameOffset ?? 0));
  }
  if (preserve) {
    elf.sections.forEach((s) => offsets.push(s.offset!));
    shoff = elf.shoff!;
  } else {
    let pos = 64;
    elf.sections.forEach((s, i) => {
      if (i === 0 || s.type === SHT.NULL) { offsets.push(0); return; }
      pos = align(pos, Number(s.addralign));
      offsets.push(pos);
      if (s.type !== SHT.NOBITS) pos += datas[i]!.length;
    });
    shoff = align(pos, 8);
  }
  let end = shoff + n * 64;
  elf.sections.forEach((s, i) => {
    if (s.type !== SHT.NOBITS) end = Math.max(end, offsets[i]! + datas[i]!.length);
  });
  const out = new Uint8Array(end);
  const v = new DataView(out.buffer);
  const le = elf.littleEndian;
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1, elf.osabi ?? 0]);
  v.setUint16(0x10, elf.type, le);
  v.setUint16(0x12, elf.machine, le);
  v.setUint32(0x14, 1, le);
  v.setBigUint64(0x28, BigInt(n > 0 ? shoff : 0), le);
  v.setUint32(0x30, elf.flags, le);
  v.setUint16(0x34, 64, le);
  v.setUint16(0x3a, n > 0 ? 64 : 0, le);
  v.setUint16(0x3c, n < 0xff00 ? n : 0, le);
  v.setUint16(0x3e, elf.shstrndx < 0xff00 ? elf.shstrndx : 0xffff, le);
  const written: [number, number, number][] = [];
  elf.sections.forEach((s, i) => {
    const o = shoff + i * 64;
    const size = s.type === SHT.NOBITS ? (s.size ?? 0) : datas[i]!.length;
    v.setUint32(o, nameOffsets[i]!, le);
    v.setUint32(o + 4, s.type, le);
    v.setBigUint64(o + 8, s.flags, le);
    v.setBigUint64(o + 0x10, s.addr, le);
    v.setBigUint64(o + 0x18, BigInt(offsets[i]!), le);
    // Extended numbering keeps the real counts in section 0.
    const link = i === 0 && elf.shstrndx >= 0xff00 ? elf.shstrndx : s.link;
    v.setBigUint64(o + 0x20, i === 0 && n >= 0xff00 ? BigInt(n) : BigInt(size), le);
    v.setUint32(o + 0x28, link, le);
    v.setUint32(o + 0x2c, s.info, le);
    v.setBigUint64(o + 0x30, s.addralign, le);
    v.setBigUint64(o + 0x38, s.entsize, le);
    if (s.type !== SHT.NOBITS && datas[i]!.length > 0) {
      const start = offsets[i]!;
      for (const [a, b, j] of written) {
        if (start < b && start + datas[i]!.length > a) {
          throw new ElfError(ErrorCodes.ELF_MALFORMED, `section ${i} overlaps section ${j}`, { section: s.name, offset: start });
        }
      }
      written.push([start, start + datas[i]!.length, i]);
      out.set(datas[i]!, start);
    }
  });
  return out;
}
