/**
 * `bpftool btf dump file FILE`: the raw, one-type-per-line text form of BTF.
 *
 * The output is byte-identical to bpftool v7.1 (Debian bookworm, libbpf 1.1), whose format is
 * `dump_btf_type()` in bpftool's src/btf.c
 * (https://github.com/libbpf/bpftool/blob/v7.1.0/src/btf.c). For split BTF only the blob's own
 * types are printed, with ids continuing the base's, as `bpftool btf dump file MOD --base-btf
 * BASE` does.
 *
 * This dumper is the hot path of `btfkit btf dump` (a vmlinux is 12 MB of text) and runs once
 * per process, so it is written for a cold start as much as for speed:
 * - it reads the type records as 32-bit words and writes bytes into one reused buffer: names
 *   are copied straight from the string table, numbers are formatted digit by digit, and no
 *   model object or string is made per type;
 * - each kind has its own small function, called through a table. The main loop is then
 *   optimized once and never deoptimized by a kind that first shows up late in the file (in a
 *   vmlinux the first FUNC is type 45000 or so), and a kind's function is only compiled when
 *   that kind is common.
 *
 * Where bpftool v7.1 prints `(invalid)` for a bad string offset, or prints a type id that does
 * not exist, this dumper throws a {@link BtfParseError} (`BTF_BAD_STRING_OFFSET`,
 * `BTF_BAD_TYPE_ID`), as decoding the type does. Output already handed to the sink is then a
 * prefix of the dump.
 *
 * @packageDocumentation
 */
import type { Btf } from './btf.js';
import { BtfParseError, ErrorCodes } from '../errors.js';
import { HOST_LITTLE_ENDIAN, INT_BOOL, INT_CHAR, INT_SIGNED, KIND, KIND_NAMES_UPPER, MAX_KNOWN_KIND } from './wire.js';
import { ByteWriter, asciiBytes, putBytes, putS32, putS64, putU32, putU64, type ByteSink } from './out.js';

export type { ByteSink } from './out.js';


/** Upper-case kind name as bpftool prints it (`UNKNOWN` for kinds past ENUM64, and for void). */
function kindName(kind: number): string {
  return (kind <= MAX_KNOWN_KIND ? KIND_NAMES_UPPER[kind] : undefined) ?? 'UNKNOWN';
}

// The pieces of bpftool's printf formats, e.g. "[%u] %s '%s'" and " size=%u vlen=%u". A piece
// after a name starts with the quote that closes it.

/** `] KIND '` per kind number: the text between the id and the name. */
const HEAD = Array.from({ length: 128 }, (_, k) => asciiBytes(`] ${kindName(k)} '`));
/** ` (KIND '` per kind number: the DATASEC variable suffix up to the name. */
const VAR_SUFFIX = Array.from({ length: 128 }, (_, k) => asciiBytes(` (${kindName(k)} '`));
const ANON = asciiBytes('(anon)');
const Q_SIZE = asciiBytes("' size=");
const Q_TYPE_ID = asciiBytes("' type_id=");
const Q_RET_TYPE_ID = asciiBytes("' ret_type_id=");
const Q_ENCODING_SIGNED = asciiBytes("' encoding=SIGNED size=");
const Q_ENCODING_UNSIGNED = asciiBytes("' encoding=UNSIGNED size=");
const Q_FWD_STRUCT = asciiBytes("' fwd_kind=struct");
const Q_FWD_UNION = asciiBytes("' fwd_kind=union");
const Q_VAL = asciiBytes("' val=");
const Q = asciiBytes("'");
const Q_PAREN = asciiBytes("')");
const BITS_OFFSET = asciiBytes(' bits_offset=');
const NR_BITS = asciiBytes(' nr_bits=');
const ENCODING = asciiBytes(' encoding=');
const INDEX_TYPE_ID = asciiBytes(' index_type_id=');
const NR_ELEMS = asciiBytes(' nr_elems=');
const VLEN = asciiBytes(' vlen=');
const BITFIELD_SIZE = asciiBytes(' bitfield_size=');
const LINKAGE = asciiBytes(' linkage=');
const COMMA_LINKAGE = asciiBytes(', linkage=');
const COMPONENT_IDX = asciiBytes(' component_idx=');
const OFFSET = asciiBytes(' offset=');
const SIZE = asciiBytes(' size=');
const NL_TAB_Q = asciiBytes("\n\t'");
const NL_TAB_TYPE_ID = asciiBytes('\n\ttype_id=');
const LL = asciiBytes('LL');
const ULL = asciiBytes('ULL');
/** INT encoding names by the 4 encoding bits (bpftool's `btf_int_enc_str`). */
const INT_ENCODINGS = Array.from({ length: 16 }, (_, e) =>
  asciiBytes(e === 0 ? '(none)' : e === INT_SIGNED ? 'SIGNED' : e === INT_CHAR ? 'CHAR' : e === INT_BOOL ? 'BOOL' : 'UNKN'));
/** `BTF_FUNC_*` / `BTF_VAR_*` linkage names (the same numbers for both). */
const LINKAGES = [asciiBytes('static'), asciiBytes('global'), asciiBytes('extern')];
const LINKAGE_UNKNOWN = asciiBytes('(unknown)');

/**
 * The type section of `btf` as host-order 32-bit words, plus the absolute byte offset of word 0
 * (so record `i` starts at word `(btf.offsets[i] - origin) / 4`). A view when the blob is in host
 * byte order and aligned, else a byte-swapped copy.
 * @internal
 */
export function typeWords(btf: Btf): { words: Uint32Array; origin: number } {
  const origin = btf.header.hdrLen + btf.header.typeOff;
  const count = btf.header.typeLen >>> 2;
  const data = btf.bytes;
  if (btf.littleEndian === HOST_LITTLE_ENDIAN && (data.byteOffset + origin) % 4 === 0) {
    return { words: new Uint32Array(data.buffer, data.byteOffset + origin, count), origin };
  }
  const words = new Uint32Array(count);
  const view = btf.view;
  const le = btf.littleEndian;
  for (let i = 0, p = origin; i < count; i++, p += 4) words[i] = view.getUint32(p, le);
  return { words, origin };
}

/**
 * Write `btf` as `bpftool btf dump file` prints it.
 *
 * @param out receives the text in chunks of about 64 KiB; a chunk is only valid during the call.
 * @throws {BtfParseError} `BTF_BAD_STRING_OFFSET` for a name outside the string section,
 *   `BTF_BAD_TYPE_ID` for a reference to a type id past the last one.
 */
export function dumpRaw(btf: Btf, out: ByteSink): void {
  const d = new RawDumper(btf, out);
  const { offsets, words, origin, startId, buf } = d;
  let pos = 0;
  for (let i = 0, n = offsets.length; i < n; i++) {
    const id = startId + i;
    const at = (offsets[i]! - origin) >>> 2;
    const info = words[at + 1]!;
    const kind = (info >>> 24) & 0x7f;
    // [id] KIND 'name
    pos = room(d, pos);
    buf[pos] = 0x5b;
    pos = putName(d, putBytes(buf, putU32(buf, pos + 1, id), HEAD[kind]!), words[at]!, id);
    // A table call rather than a switch: the call site is megamorphic from the first types on,
    // so it never deoptimizes this loop.
    pos = HANDLERS[kind]!(d, pos, id, at, info);
    buf[pos++] = 0x0a;
  }
  d.w.drain(pos);
}

/**
 * What the kind functions share.
 *
 * Capacity: the position is checked against `limit` (the writer's chunk size) at the start of
 * every line, by one shared function ({@link room}) whose flush path the JIT sees early. A line
 * then writes less than 200 bytes of fixed text plus names, inside the writer's slack (1 KiB);
 * a name that would run into the last 200 bytes goes on through the writer. So the `put*`
 * writes need no check of their own.
 */
class RawDumper {
  readonly w: ByteWriter;
  readonly buf: Uint8Array;
  readonly limit: number;
  /** Names are copied up to here, 200 bytes before the end of the buffer. */
  readonly nameEnd: number;
  readonly words: Uint32Array;
  readonly origin: number;
  readonly offsets: Uint32Array;
  readonly startId: number;
  readonly lastId: number;
  readonly strBytes: Uint8Array;
  readonly startStrOff: number;
  readonly strStart: number;
  readonly strLen: number;

  constructor(readonly btf: Btf, out: ByteSink) {
    this.w = new ByteWriter(out);
    this.buf = this.w.buf;
    this.limit = this.w.chunkSize;
    this.nameEnd = this.buf.length - 200;
    const { words, origin } = typeWords(btf);
    this.words = words;
    this.origin = origin;
    this.offsets = btf.offsets;
    this.startId = btf.startId;
    this.lastId = btf.lastId;
    this.strBytes = btf.bytes;
    this.startStrOff = btf.startStrOff;
    this.strStart = btf.strStart;
    this.strLen = btf.strLen;
  }
}

/**
 * Copy the name at string offset `off` as bpftool's `btf_str` prints it (`(anon)` for 0).
 * String sections end with a NUL (checked by Btf.parse), so the copy stops there; a read past
 * the end (`undefined`, never reached) would stop it too.
 */
function putName(d: RawDumper, pos: number, off: number, id: number): number {
  const buf = d.buf;
  if (off === 0) return putBytes(buf, pos, ANON);
  let src = d.strBytes;
  let s = off - d.startStrOff;
  if (s >= 0 && s < d.strLen) {
    s += d.strStart;
  } else {
    const loc = locateName(d, off, id);
    src = loc.btf.bytes;
    s = loc.start;
  }
  // A name starts at most ~100 bytes past the limit, so only a name of several hundred bytes
  // reaches `end`; it then goes on in putLongName. (No flush in this loop: the JIT would
  // compile it unseen and deoptimize every function this is inlined into when it runs.)
  const end = d.nameEnd;
  for (;;) {
    const c = src[s] as number;
    if (!(c > 0)) return pos;
    if (pos >= end) return putLongName(d, pos, src, s);
    buf[pos++] = c;
    s++;
  }
}

/** The rest of a long name, from `src[s]`, flushing as needed. */
function putLongName(d: RawDumper, pos: number, src: Uint8Array, s: number): number {
  let e = s;
  while (src[e]! > 0) e++;
  const w = d.w;
  w.pos = pos;
  w.range(src, s, e);
  if (w.pos >= d.limit) w.flush(); // leave room for the rest of the line
  pos = w.pos;
  w.pos = 0;
  return pos;
}

/** A name outside the own string section: in a base, or invalid. */
function locateName(d: RawDumper, off: number, id: number): { btf: Btf; start: number } {
  const loc = d.btf.locateString(off);
  if (loc === undefined) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_STRING_OFFSET, `invalid string offset ${off}`, { section: 'types', typeId: id });
  }
  return loc;
}

/** Write a referenced type id, checked to exist. */
function putRef(d: RawDumper, pos: number, t: number, id: number): number {
  if (t > d.lastId) throw badTypeId(id, t);
  return putU32(d.buf, pos, t);
}

function badTypeId(id: number, t: number): BtfParseError {
  return new BtfParseError(ErrorCodes.BTF_BAD_TYPE_ID, `btf: type [${id}]: invalid referenced type ID ${t}`, { section: 'types', typeId: id });
}

/** Flush if the buffer is past its limit: called at the start of every line. */
function room(d: RawDumper, pos: number): number {
  return pos >= d.limit ? d.w.drain(pos) : pos;
}

/** Start a line with `text`. */
function startLine(d: RawDumper, pos: number, text: Uint8Array): number {
  return putBytes(d.buf, room(d, pos), text);
}

// ---- one function per kind: (dumper, pos, id, word index of the record, info) => pos ----

type KindDumper = (d: RawDumper, pos: number, id: number, at: number, info: number) => number;

/** ` size=%u bits_offset=%u nr_bits=%u encoding=%s` */
function dumpInt(d: RawDumper, pos: number, _id: number, at: number): number {
  const { buf, words } = d;
  const v = words[at + 3]!;
  pos = putU32(buf, putBytes(buf, pos, Q_SIZE), words[at + 2]!);
  pos = putU32(buf, putBytes(buf, pos, BITS_OFFSET), (v >>> 16) & 0xff);
  pos = putU32(buf, putBytes(buf, pos, NR_BITS), v & 0xff);
  return putBytes(buf, putBytes(buf, pos, ENCODING), INT_ENCODINGS[(v >>> 24) & 0x0f]!);
}

/** ` type_id=%u`: PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG. */
function dumpRef(d: RawDumper, pos: number, id: number, at: number): number {
  return putRef(d, putBytes(d.buf, pos, Q_TYPE_ID), d.words[at + 2]!, id);
}

/** ` type_id=%u index_type_id=%u nr_elems=%u` */
function dumpArray(d: RawDumper, pos: number, id: number, at: number): number {
  const { buf, words } = d;
  pos = putRef(d, putBytes(buf, pos, Q_TYPE_ID), words[at + 3]!, id);
  pos = putRef(d, putBytes(buf, pos, INDEX_TYPE_ID), words[at + 4]!, id);
  return putU32(buf, putBytes(buf, pos, NR_ELEMS), words[at + 5]!);
}

/** ` size=%u vlen=%u`, then `\n\t'%s' type_id=%u bits_offset=%u[ bitfield_size=%u]` per member. */
function dumpComposite(d: RawDumper, pos: number, id: number, at: number, info: number): number {
  const { buf, words } = d;
  const vlen = info & 0xffffff;
  const kflag = info >>> 31 === 1;
  pos = putU32(buf, putBytes(buf, putU32(buf, putBytes(buf, pos, Q_SIZE), words[at + 2]!), VLEN), vlen);
  for (let k = 0, m = at + 3; k < vlen; k++, m += 3) {
    pos = putName(d, startLine(d, pos, NL_TAB_Q), words[m]!, id);
    pos = putBytes(buf, putRef(d, putBytes(buf, pos, Q_TYPE_ID), words[m + 1]!, id), BITS_OFFSET);
    const off = words[m + 2]!;
    if (!kflag) {
      pos = putU32(buf, pos, off);
    } else {
      pos = putU32(buf, pos, off & 0xffffff);
      if (off >>> 24 !== 0) pos = putU32(buf, putBytes(buf, pos, BITFIELD_SIZE), off >>> 24);
    }
  }
  return pos;
}

/** ` encoding=%s size=%u vlen=%u`, then `\n\t'%s' val=%d` (or `%u`) per value. */
function dumpEnum(d: RawDumper, pos: number, id: number, at: number, info: number): number {
  const { buf, words } = d;
  const vlen = info & 0xffffff;
  const signed = info >>> 31 === 1;
  pos = putU32(buf, putBytes(buf, pos, signed ? Q_ENCODING_SIGNED : Q_ENCODING_UNSIGNED), words[at + 2]!);
  pos = putU32(buf, putBytes(buf, pos, VLEN), vlen);
  for (let k = 0, e = at + 3; k < vlen; k++, e += 2) {
    pos = putBytes(buf, putName(d, startLine(d, pos, NL_TAB_Q), words[e]!, id), Q_VAL);
    const val = words[e + 1]!;
    pos = signed ? putS32(buf, pos, val | 0) : putU32(buf, pos, val);
  }
  return pos;
}

/** ` encoding=%s size=%u vlen=%u`, then `\n\t'%s' val=%lldLL` (or `%lluULL`) per value. */
function dumpEnum64(d: RawDumper, pos: number, id: number, at: number, info: number): number {
  const { buf, words } = d;
  const vlen = info & 0xffffff;
  const signed = info >>> 31 === 1;
  pos = putU32(buf, putBytes(buf, pos, signed ? Q_ENCODING_SIGNED : Q_ENCODING_UNSIGNED), words[at + 2]!);
  pos = putU32(buf, putBytes(buf, pos, VLEN), vlen);
  for (let k = 0, e = at + 3; k < vlen; k++, e += 3) {
    pos = putBytes(buf, putName(d, startLine(d, pos, NL_TAB_Q), words[e]!, id), Q_VAL);
    const lo = words[e + 1]!;
    const hi = words[e + 2]!;
    pos = signed ? putBytes(buf, putS64(buf, pos, hi, lo), LL) : putBytes(buf, putU64(buf, pos, hi, lo), ULL);
  }
  return pos;
}

/** ` fwd_kind=%s` */
function dumpFwd(d: RawDumper, pos: number, _id: number, _at: number, info: number): number {
  return putBytes(d.buf, pos, info >>> 31 === 1 ? Q_FWD_UNION : Q_FWD_STRUCT);
}

/** ` type_id=%u linkage=%s` (the linkage is kept in vlen). */
function dumpFunc(d: RawDumper, pos: number, id: number, at: number, info: number): number {
  const buf = d.buf;
  pos = putRef(d, putBytes(buf, pos, Q_TYPE_ID), d.words[at + 2]!, id);
  return putBytes(buf, putBytes(buf, pos, LINKAGE), LINKAGES[info & 0xffffff] ?? LINKAGE_UNKNOWN);
}

/** ` ret_type_id=%u vlen=%u`, then `\n\t'%s' type_id=%u` per parameter. */
function dumpFuncProto(d: RawDumper, pos: number, id: number, at: number, info: number): number {
  const { buf, words } = d;
  const vlen = info & 0xffffff;
  pos = putRef(d, putBytes(buf, pos, Q_RET_TYPE_ID), words[at + 2]!, id);
  pos = putU32(buf, putBytes(buf, pos, VLEN), vlen);
  for (let k = 0, p = at + 3; k < vlen; k++, p += 2) {
    pos = putName(d, startLine(d, pos, NL_TAB_Q), words[p]!, id);
    pos = putRef(d, putBytes(buf, pos, Q_TYPE_ID), words[p + 1]!, id);
  }
  return pos;
}

/** ` type_id=%u, linkage=%s` */
function dumpVar(d: RawDumper, pos: number, id: number, at: number): number {
  const { buf, words } = d;
  pos = putRef(d, putBytes(buf, pos, Q_TYPE_ID), words[at + 2]!, id);
  return putBytes(buf, putBytes(buf, pos, COMMA_LINKAGE), LINKAGES[words[at + 3]!] ?? LINKAGE_UNKNOWN);
}

/** ` size=%u vlen=%u`, then `\n\ttype_id=%u offset=%u size=%u (%s '%s')` per variable. */
function dumpDatasec(d: RawDumper, pos: number, id: number, at: number, info: number): number {
  const { buf, words } = d;
  const vlen = info & 0xffffff;
  pos = putU32(buf, putBytes(buf, putU32(buf, putBytes(buf, pos, Q_SIZE), words[at + 2]!), VLEN), vlen);
  for (let k = 0, v = at + 3; k < vlen; k++, v += 3) {
    const t = words[v]!;
    pos = putRef(d, startLine(d, pos, NL_TAB_TYPE_ID), t, id);
    pos = putU32(buf, putBytes(buf, pos, OFFSET), words[v + 1]!);
    pos = putU32(buf, putBytes(buf, pos, SIZE), words[v + 2]!);
    // The variable's kind and name; void (0) prints as UNKNOWN '(anon)'.
    let tKind = 0;
    let tName = 0;
    if (t >= d.startId) {
      const ta = (d.offsets[t - d.startId]! - d.origin) >>> 2;
      tName = words[ta]!;
      tKind = (words[ta + 1]! >>> 24) & 0x7f;
    } else if (t !== 0) {
      tName = d.btf.nameOffOf(t);
      tKind = d.btf.kindNumberOf(t);
    }
    pos = putBytes(buf, putName(d, putBytes(buf, pos, VAR_SUFFIX[tKind]!), tName, t), Q_PAREN);
  }
  return pos;
}

/** ` size=%u` */
function dumpFloat(d: RawDumper, pos: number, _id: number, at: number): number {
  return putU32(d.buf, putBytes(d.buf, pos, Q_SIZE), d.words[at + 2]!);
}

/** ` type_id=%u component_idx=%d` */
function dumpDeclTag(d: RawDumper, pos: number, id: number, at: number): number {
  const buf = d.buf;
  pos = putRef(d, putBytes(buf, pos, Q_TYPE_ID), d.words[at + 2]!, id);
  return putS32(buf, putBytes(buf, pos, COMPONENT_IDX), d.words[at + 3]! | 0);
}

/** Kinds bpftool does not know: the name only. */
function dumpUnknown(d: RawDumper, pos: number): number {
  return putBytes(d.buf, pos, Q);
}

/** The function of each kind number (7 bits). */
const HANDLERS: readonly KindDumper[] = (() => {
  const t = new Array<KindDumper>(128).fill(dumpUnknown);
  t[KIND.INT] = dumpInt;
  t[KIND.PTR] = dumpRef;
  t[KIND.ARRAY] = dumpArray;
  t[KIND.STRUCT] = dumpComposite;
  t[KIND.UNION] = dumpComposite;
  t[KIND.ENUM] = dumpEnum;
  t[KIND.FWD] = dumpFwd;
  t[KIND.TYPEDEF] = dumpRef;
  t[KIND.VOLATILE] = dumpRef;
  t[KIND.CONST] = dumpRef;
  t[KIND.RESTRICT] = dumpRef;
  t[KIND.FUNC] = dumpFunc;
  t[KIND.FUNC_PROTO] = dumpFuncProto;
  t[KIND.VAR] = dumpVar;
  t[KIND.DATASEC] = dumpDatasec;
  t[KIND.FLOAT] = dumpFloat;
  t[KIND.DECL_TAG] = dumpDeclTag;
  t[KIND.TYPE_TAG] = dumpRef;
  t[KIND.ENUM64] = dumpEnum64;
  return t;
})();
