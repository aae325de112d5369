/**
 * The `.BTF.ext` section of a BPF object: func_info, line_info and CO-RE relocation records,
 * grouped by ELF section. Follows the checks of libbpf's `btf_ext_parse()` and
 * `btf_ext_parse_sec_info()` (https://github.com/libbpf/libbpf/blob/master/src/btf.c), with
 * its log wording in the messages: records bigger than we know are stepped over by their
 * record size; smaller ones are an error. (libbpf also demands the exact size for data of the
 * other byte order, because it byte-swaps in place; we read in place and need no such rule.)
 *
 * Instruction offsets are kept as in the ELF file: **byte** offsets from the start of the
 * named section (the kernel API wants instruction indexes; the loader converts).
 */
import { BtfkitError, BtfParseError, ErrorCodes } from '../errors.js';
import type { TypeId } from '../binary/units.js';
import { typeId } from '../binary/units.js';
import { BTF_MAGIC } from './wire.js';
import type { Btf } from './btf.js';

/** A `bpf_func_info` record. */
export interface FuncInfo {
  /** Byte offset of the function's first instruction in its section. */
  readonly insnOffset: number;
  /** The FUNC type. */
  readonly typeId: TypeId;
}

/** A `bpf_line_info` record. */
export interface LineInfo {
  readonly insnOffset: number;
  readonly fileName: string;
  /** The source line's text. */
  readonly line: string;
  readonly lineNumber: number;
  readonly column: number;
}

/** A `bpf_core_relo` record (core-spec section 3.1). */
export interface CoreReloRecord {
  readonly insnOffset: number;
  /** Local root type id. */
  readonly typeId: TypeId;
  /** The access string, e.g. `0:1:2`. */
  readonly accessString: string;
  /** `enum bpf_core_relo_kind` value, 0..12 (kept raw: unknown kinds are the engine's to reject). */
  readonly kind: number;
}

/** Records of one ELF section. */
export interface ExtGroup<R> {
  readonly section: string;
  readonly records: readonly R[];
}

/** A parsed `.BTF.ext`. */
export interface BtfExt {
  readonly littleEndian: boolean;
  readonly funcInfo: readonly ExtGroup<FuncInfo>[];
  readonly lineInfo: readonly ExtGroup<LineInfo>[];
  readonly coreRelos: readonly ExtGroup<CoreReloRecord>[];
  /** Record sizes as found (for statistics and re-encoding). */
  readonly recordSizes: { readonly funcInfo: number; readonly lineInfo: number; readonly coreRelo: number };
}

const SECTION = '.BTF.ext';
const MIN_FUNC_INFO = 8;
const MIN_LINE_INFO = 16;
const MIN_CORE_RELO = 16;

/**
 * Parse a `.BTF.ext` section. Strings (section names, file names, source lines, access
 * strings) are resolved in `btf`, the object's `.BTF`.
 * @throws {BtfParseError} `BTF_EXT_MALFORMED` / `BTF_EXT_UNSUPPORTED` with the byte offset.
 */
export function parseBtfExt(data: Uint8Array, btf: Btf): BtfExt {
  const fail = (message: string, offset: number, code: typeof ErrorCodes.BTF_EXT_MALFORMED | typeof ErrorCodes.BTF_EXT_UNSUPPORTED = ErrorCodes.BTF_EXT_MALFORMED): never => {
    throw new BtfParseError(code, message, { section: SECTION, offset });
  };
  if (data.length < 8) fail('BTF.ext header too short', 0);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let le: boolean;
  if (v.getUint16(0, true) === BTF_MAGIC) le = true;
  else if (v.getUint16(0, false) === BTF_MAGIC) le = false;
  else return fail(`Invalid BTF.ext magic:${v.getUint16(0, true).toString(16)}`, 0);
  if (data[2] !== 1) fail(`Unsupported BTF.ext version:${data[2]}`, 2, ErrorCodes.BTF_EXT_UNSUPPORTED);
  if (data[3] !== 0) fail(`Unsupported BTF.ext flags:${data[3]!.toString(16)}`, 3, ErrorCodes.BTF_EXT_UNSUPPORTED);
  const hdrLen = v.getUint32(4, le);
  if (data.length < hdrLen) fail('BTF.ext header not found', 4);
  if (data.length === hdrLen) fail('BTF.ext has no data', 4);
  if (hdrLen < 24) fail('BTF.ext header missing func_info, line_info', 4);
  const u32 = (o: number): number => v.getUint32(o, le);

  // Records share strings (file names, source lines, section names): decode each once.
  const strings = new Map<number, string>();
  const str = (off: number, at: number): string => {
    const known = strings.get(off);
    if (known !== undefined) return known;
    if (!btf.isValidStrOffset(off)) fail(`invalid string offset ${off}`, at);
    const v = btf.str(off);
    strings.set(off, v);
    return v;
  };

  function parseInfo<R>(desc: string, off: number, len: number, min: number, decode: (o: number) => R): { groups: ExtGroup<R>[]; recSize: number } {
    if (len === 0) return { groups: [], recSize: min };
    if (off % 4 !== 0) fail(`.BTF.ext ${desc} section is not aligned to 4 bytes`, 8);
    const start = hdrLen + off;
    if (start + len > data.length) fail(`${desc} section (off:${off} len:${len}) is beyond the end of the ELF section .BTF.ext`, start);
    if (len < 4) fail(`.BTF.ext ${desc} record size not found`, start);
    const recSize = u32(start);
    if (recSize < min || recSize % 4 !== 0) fail(`${desc} section in .BTF.ext has invalid record size ${recSize}`, start);
    let p = start + 4;
    const end = start + len;
    if (p === end) fail(`${desc} section in .BTF.ext has no records`, p);
    const groups: ExtGroup<R>[] = [];
    while (p < end) {
      if (end - p < 8) fail(`${desc} section header is not found in .BTF.ext`, p);
      const secName = str(u32(p), p);
      const num = u32(p + 4);
      if (num === 0 || (end - p - 8) < num * recSize) fail(`${desc} section has incorrect num_records in .BTF.ext`, p + 4);
      const records: R[] = [];
      for (let i = 0, o = p + 8; i < num; i++, o += recSize) records.push(decode(o));
      groups.push({ section: secName, records });
      p += 8 + num * recSize;
    }
    return { groups, recSize };
  }

  const fi = parseInfo('func_info', u32(8), u32(12), MIN_FUNC_INFO, (o): FuncInfo => ({ insnOffset: u32(o), typeId: typeId(u32(o + 4)) }));
  const li = parseInfo('line_info', u32(16), u32(20), MIN_LINE_INFO, (o): LineInfo => {
    const lineCol = u32(o + 12);
    return { insnOffset: u32(o), fileName: str(u32(o + 4), o + 4), line: str(u32(o + 8), o + 8), lineNumber: lineCol >>> 10, column: lineCol & 0x3ff };
  });
  const cr = hdrLen >= 32 && data.length >= 32
    ? parseInfo('core_relo', u32(24), u32(28), MIN_CORE_RELO, (o): CoreReloRecord => ({ insnOffset: u32(o), typeId: typeId(u32(o + 4)), accessString: str(u32(o + 8), o + 8), kind: u32(o + 12) }))
    : { groups: [], recSize: MIN_CORE_RELO };
  return {
    littleEndian: le, funcInfo: fi.groups, lineInfo: li.groups, coreRelos: cr.groups,
    recordSizes: { funcInfo: fi.recSize, lineInfo: li.recSize, coreRelo: cr.recSize },
  };
}

/** What {@link encodeBtfExt} writes: records grouped by ELF section (empty groups are left out). */
export interface BtfExtInput {
  readonly funcInfo: readonly ExtGroup<FuncInfo>[];
  readonly lineInfo: readonly ExtGroup<LineInfo>[];
  readonly coreRelos: readonly ExtGroup<CoreReloRecord>[];
}

/** The strings a `.BTF.ext` refers to, which must be in the `.BTF` string section. */
export function btfExtStrings(ext: BtfExtInput): string[] {
  const out: string[] = [];
  for (const g of ext.funcInfo) out.push(g.section);
  for (const g of ext.lineInfo) {
    out.push(g.section);
    for (const r of g.records) out.push(r.fileName, r.line);
  }
  for (const g of ext.coreRelos) {
    out.push(g.section);
    for (const r of g.records) out.push(r.accessString);
  }
  return out;
}

/**
 * Encode a `.BTF.ext` section (version 1, 32-byte header with the CO-RE block), records of the
 * sizes clang writes (8, 16 and 16 bytes). `strOffset` gives each string's offset in the
 * object's `.BTF` string section (see {@link btfExtStrings} and `BtfBuilder.encodeWithStrings`).
 * @throws {BtfkitError} `BTF_ENCODE` for a string that has no offset or a line/column too big.
 */
export function encodeBtfExt(ext: BtfExtInput, strOffset: (s: string) => number | undefined, littleEndian = true): Uint8Array {
  const off = (s: string): number => {
    const o = strOffset(s);
    if (o === undefined) throw new BtfkitError(ErrorCodes.BTF_ENCODE, `.BTF.ext string ${JSON.stringify(s)} is not in the string section`);
    return o;
  };
  const blockLen = (groups: readonly ExtGroup<unknown>[], recSize: number): number => {
    const used = groups.filter((g) => g.records.length > 0);
    return used.length === 0 ? 0 : 4 + used.reduce((n, g) => n + 8 + g.records.length * recSize, 0);
  };
  const fiLen = blockLen(ext.funcInfo, 8);
  const liLen = blockLen(ext.lineInfo, 16);
  const crLen = blockLen(ext.coreRelos, 16);
  const hdrLen = 32;
  const out = new Uint8Array(hdrLen + fiLen + liLen + crLen);
  const v = new DataView(out.buffer);
  const le = littleEndian;
  v.setUint16(0, BTF_MAGIC, le);
  out[2] = 1;
  v.setUint32(4, hdrLen, le);
  v.setUint32(8, 0, le);
  v.setUint32(12, fiLen, le);
  v.setUint32(16, fiLen, le);
  v.setUint32(20, liLen, le);
  v.setUint32(24, fiLen + liLen, le);
  v.setUint32(28, crLen, le);
  let p = hdrLen;
  function block<R>(groups: readonly ExtGroup<R>[], recSize: number, write: (r: R, at: number) => void): void {
    const used = groups.filter((g) => g.records.length > 0);
    if (used.length === 0) return;
    v.setUint32(p, recSize, le);
    p += 4;
    for (const g of used) {
      v.setUint32(p, off(g.section), le);
      v.setUint32(p + 4, g.records.length, le);
      p += 8;
      for (const r of g.records) { write(r, p); p += recSize; }
    }
  }
  block(ext.funcInfo, 8, (r, at) => { v.setUint32(at, r.insnOffset, le); v.setUint32(at + 4, r.typeId, le); });
  block(ext.lineInfo, 16, (r, at) => {
    if (r.column > 0x3ff || r.lineNumber > 0x3fffff) throw new BtfkitError(ErrorCodes.BTF_ENCODE, `line info ${r.lineNumber}:${r.column} does not fit line_col (22 + 10 bits)`);
    v.setUint32(at, r.insnOffset, le);
    v.setUint32(at + 4, off(r.fileName), le);
    v.setUint32(at + 8, off(r.line), le);
    v.setUint32(at + 12, ((r.lineNumber << 10) | r.column) >>> 0, le);
  });
  block(ext.coreRelos, 16, (r, at) => {
    v.setUint32(at, r.insnOffset, le);
    v.setUint32(at + 4, r.typeId, le);
    v.setUint32(at + 8, off(r.accessString), le);
    v.setUint32(at + 12, r.kind, le);
  });
  return out;
}
