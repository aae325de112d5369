/**
 * A minimal ELF64 reader: header, section headers and section names, either byte order.
 * Knows nothing of BPF. Every offset read from the file is bounds-checked.
 *
 * @packageDocumentation
 */
import { ElfError, ErrorCodes } from '../errors.js';

/** One ELF section header. */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
}

/** One ELF64 symbol. */
export interface ElfSymbol {
  /** Index in the symbol table. */
  readonly index: number;
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  /** STB_* (0 local, 1 global, 2 weak). */
  readonly bind: number;
  /** STT_* (0 notype, 1 object, 2 func, 3 section, 4 file). */
  readonly type: number;
  /** st_other: visibility in the low 2 bits. */
  readonly other: number;
  /** Section index (0 undefined, 0xfff1 absolute, 0xfff2 common). */
  readonly shndx: number;
}

/** One relocation entry of a SHT_REL or SHT_RELA section. */
export interface ElfRelocation {
  readonly offset: bigint;
  /** Index into the linked symbol table. */
  readonly symbol: number;
  /** Machine-specific relocation type (R_BPF_64_64 = 1, R_BPF_64_ABS64 = 2, R_BPF_64_ABS32 = 3, R_BPF_64_NODYLD32 = 4, R_BPF_64_32 = 10). */
  readonly type: number;
  /** Addend (RELA only; 0 for REL). */
  readonly addend: bigint;
}

/** A parsed ELF64 file. Section data are views into the input bytes. */
export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly machine: number;
  readonly type: number;
  /** e_flags. */
  readonly flags: number;
  readonly sections: readonly ElfSection[];
  /** Bytes of a section (empty for SHT_NOBITS). */
  data(section: ElfSection): Uint8Array;
  /** The first section with this name, or `undefined`. */
  section(name: string): ElfSection | undefined;
  /** Symbols of the (first) SHT_SYMTAB section; empty when there is none. */
  symbols(): readonly ElfSymbol[];
  /** Entries of a SHT_REL or SHT_RELA section. */
  relocations(section: ElfSection): readonly ElfRelocation[];
}

/** Section types used by btfkit. */
export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
const SHT_NOBITS = SHT.NOBITS;

/** True when the bytes start with the ELF magic. */
export function isElf(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/**
 * Parse an ELF64 file's header and section table.
 * @throws {ElfError} `ELF_MALFORMED` for anything out of bounds or not ELF64.
 */
export function readElf(bytes: Uint8Array): ElfFile {
  if (!isElf(bytes)) throw new ElfError(ErrorCodes.ELF_MALFORMED, 'not an ELF file', { offset: 0 });
  if (bytes.length < 64) throw new ElfError(ErrorCodes.ELF_MALFORMED, 'truncated ELF header', { offset: 0 });
  if (bytes[4] !== 2) throw new ElfError(ErrorCodes.ELF_MALFORMED, `unsupported ELF class ${bytes[4]} (only ELF64)`, { offset: 4 });
  const enc = bytes[5];
  if (enc !== 1 && enc !== 2) throw new ElfError(ErrorCodes.ELF_MALFORMED, `invalid ELF data encoding ${enc}`, { offset: 5 });
  const le = enc === 1;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => v.getUint16(o, le);
  const u32 = (o: number): number => v.getUint32(o, le);
  const u64 = (o: number): bigint => v.getBigUint64(o, le);
  const toNum = (x: bigint, what: string, at: number): number => {
    if (x > BigInt(bytes.length)) throw new ElfError(ErrorCodes.ELF_MALFORMED, `${what} ${x} beyond end of file`, { offset: at });
    return Number(x);
  };
  const shoff = toNum(u64(0x28), 'section header offset', 0x28);
  const shentsize = u16(0x3a);
  let shnum = u16(0x3c);
  let shstrndx = u16(0x3e);
  if (shoff === 0) return makeFile(bytes, le, u16(0x12), u16(0x10), u32(0x30), []);
  if (shentsize < 64) throw new ElfError(ErrorCodes.ELF_MALFORMED, `section header size ${shentsize} too small`, { offset: 0x3a });
  if (shoff + shentsize > bytes.length) throw new ElfError(ErrorCodes.ELF_MALFORMED, 'section headers beyond end of file', { offset: shoff });
  // Extended numbering: real counts live in section 0.
  if (shnum === 0) shnum = toNum(u64(shoff + 0x20), 'section count', shoff + 0x20);
  if (shstrndx === 0xffff) shstrndx = u32(shoff + 0x28);
  if (shoff + shnum * shentsize > bytes.length) throw new ElfError(ErrorCodes.ELF_MALFORMED, `${shnum} section headers beyond end of file`, { offset: shoff });
  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOffs: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const type = u32(o + 4);
    const offset = toNum(u64(o + 0x18), 'section offset', o + 0x18);
    // SHT_NOBITS (.bss) occupies no file bytes: its size may exceed the file
    const rawSize = u64(o + 0x20);
    const size = type === SHT_NOBITS ? Number(BigInt.asUintN(53, rawSize)) : toNum(rawSize, 'section size', o + 0x20);
    if (type !== SHT_NOBITS && offset + size > bytes.length) {
      throw new ElfError(ErrorCodes.ELF_MALFORMED, `section ${i} data beyond end of file`, { offset: o });
    }
    nameOffs.push(u32(o));
    raw.push({ index: i, type, flags: u64(o + 8), addr: u64(o + 0x10), offset, size, link: u32(o + 0x28), info: u32(o + 0x2c), addralign: u64(o + 0x30), entsize: u64(o + 0x38) });
  }
  const strtab = raw[shstrndx];
  const decoder = new TextDecoder();
  const sections = raw.map((s, i): ElfSection => {
    let name = '';
    if (strtab !== undefined && strtab.type !== SHT_NOBITS) {
      const start = strtab.offset + nameOffs[i]!;
      const end = strtab.offset + strtab.size;
      if (start < end) {
        let e = start;
        while (e < end && bytes[e] !== 0) e++;
        name = decoder.decode(bytes.subarray(start, e));
      }
    }
    return { ...s, name };
  });
  return makeFile(bytes, le, u16(0x12), u16(0x10), u32(0x30), sections);
}

function makeFile(bytes: Uint8Array, littleEndian: boolean, machine: number, type: number, flags: number, sections: ElfSection[]): ElfFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = (s: ElfSection): Uint8Array => (s.type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size));
  let symbolCache: ElfSymbol[] | undefined;
  const decoder = new TextDecoder();
  const stringAt = (strtab: ElfSection | undefined, off: number, where: string): string => {
    if (off === 0) return '';
    if (strtab === undefined || strtab.type === SHT_NOBITS || off >= strtab.size) {
      throw new ElfError(ErrorCodes.ELF_MALFORMED, `string offset ${off} outside the string table`, { section: where });
    }
    const start = strtab.offset + off;
    const end = strtab.offset + strtab.size;
    let e = start;
    while (e < end && bytes[e] !== 0) e++;
    return decoder.decode(bytes.subarray(start, e));
  };
  return {
    bytes, littleEndian, machine, type, flags, sections, data,
    section: (name) => sections.find((s) => s.name === name),
    symbols() {
      if (symbolCache !== undefined) return symbolCache;
      const symtab = sections.find((s) => s.type === SHT.SYMTAB);
      const out: ElfSymbol[] = [];
      if (symtab !== undefined) {
        const ent = Number(symtab.entsize) || 24;
        if (ent < 24) throw new ElfError(ErrorCodes.ELF_MALFORMED, `symbol entry size ${ent} too small`, { section: symtab.name });
        const strtab = sections[symtab.link];
        for (let i = 0, o = symtab.offset; o + ent <= symtab.offset + symtab.size; i++, o += ent) {
          const info = bytes[o + 4]!;
          out.push({
            index: i, name: stringAt(strtab, view.getUint32(o, littleEndian), symtab.name),
            bind: info >> 4, type: info & 0xf, other: bytes[o + 5]!, shndx: view.getUint16(o + 6, littleEndian),
            value: view.getBigUint64(o + 8, littleEndian), size: view.getBigUint64(o + 16, littleEndian),
          });
        }
      }
      return (symbolCache = out);
    },
    relocations(section) {
      if (section.type !== SHT.REL && section.type !== SHT.RELA) {
        throw new ElfError(ErrorCodes.ELF_MALFORMED, 'not a relocation section', { section: section.name });
      }
      const rela = section.type === SHT.RELA;
      const ent = Number(section.entsize) || (rela ? 24 : 16);
      if (ent < (rela ? 24 : 16)) throw new ElfError(ErrorCodes.ELF_MALFORMED, `relocation entry size ${ent} too small`, { section: section.name });
      const out: ElfRelocation[] = [];
      for (let o = section.offset; o + ent <= section.offset + section.size; o += ent) {
        const info = view.getBigUint64(o + 8, littleEndian);
        out.push({
          offset: view.getBigUint64(o, littleEndian), symbol: Number(info >> 32n), type: Number(info & 0xffffffffn),
          addend: rela ? view.getBigInt64(o + 16, littleEndian) : 0n,
        });
      }
      return out;
    },
  };
}
