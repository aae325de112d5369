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

/** A parsed ELF64 file. Section data are views into the input bytes. */
export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly machine: number;
  readonly type: number;
  readonly sections: readonly ElfSection[];
  /** Bytes of a section (empty for SHT_NOBITS). */
  data(section: ElfSection): Uint8Array;
  /** The first section with this name, or `undefined`. */
  section(name: string): ElfSection | undefined;
}

const SHT_NOBITS = 8;

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
  if (shoff === 0) return makeFile(bytes, le, u16(0x12), u16(0x10), []);
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
    const size = toNum(u64(o + 0x20), 'section size', o + 0x20);
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
  return makeFile(bytes, le, u16(0x12), u16(0x10), sections);
}

function makeFile(bytes: Uint8Array, littleEndian: boolean, machine: number, type: number, sections: ElfSection[]): ElfFile {
  return {
    bytes, littleEndian, machine, type, sections,
    data: (s) => (s.type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size)),
    section: (name) => sections.find((s) => s.name === name),
  };
}
