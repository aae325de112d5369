/**
 * The BTF container: a lazy, zero-copy view over a BTF blob.
 *
 * Opening a blob reads the header, checks the string section and builds one index: the byte
 * offset of every type record (a `Uint32Array`). Types are decoded into the plain-data model
 * ({@link BtfType}) on first use and cached. Names are looked up through a hash index over
 * the raw name bytes, built on the first lookup, so no name is decoded until it is asked for.
 *
 * Split BTF (kernel modules) is parsed on a base: ids and string offsets continue the base's
 * (`startId = base.lastId + 1`, `startStrOff = base.startStrOff + base.strLen`), following
 * libbpf's `btf_new()` in tools/lib/bpf/btf.c
 * (https://github.com/libbpf/libbpf/blob/master/src/btf.c).
 *
 * @packageDocumentation
 */
import { bits, bytes, typeId, type Bytes, type TypeId } from '../binary/units.js';
import { BtfParseError, ErrorCodes, BtfkitError } from '../errors.js';
import {
  BTF_HEADER_LEN, BTF_HEADER_LEN_LAYOUT, BTF_MAGIC, BTF_TYPE_LEN, KIND, KIND_LAYOUT, MAX_KNOWN_KIND,
  infoKind, infoKindFlag, infoVlen, intBits, intEncoding, intOffset, INT_SIGNED,
  memberBitOffset, memberBitfieldSize, type BtfHeader,
  HOST_LITTLE_ENDIAN,
} from './wire.js';
import {
  KIND_BY_NUMBER, kindNumber, type BtfComposite, type BtfKind, type BtfMember, type BtfType,
  type FuncLinkage, type VarLinkage,
} from './types.js';

/** Options for {@link Btf.parse}. */
export interface BtfParseOptions {
  /** Base BTF for split BTF (kernel module BTF is split on vmlinux). */
  readonly base?: Btf;
}

const MAX_RESOLVE_DEPTH = 32;
const FIXED_SIZE = Uint8Array.from(KIND_LAYOUT, (l) => l.info);
const ELEM_SIZE = Uint8Array.from(KIND_LAYOUT, (l) => l.elem);
// ignoreBOM: a name that starts with U+FEFF keeps it (the default decoder would drop it)
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

const LONG_ALIASES = new Set([
  'long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int',
  'unsigned int long', 'long unsigned int', 'long int unsigned', 'int unsigned long', 'int long unsigned',
]);

/**
 * A parsed BTF blob (base or split). Immutable once built.
 */
export class Btf {
  /** The whole blob, as given (not copied). */
  readonly bytes: Uint8Array;
  /** Base BTF when this is split BTF. */
  readonly base: Btf | undefined;
  /** Byte order of the blob. */
  readonly littleEndian: boolean;
  /** The header, in host numbers. */
  readonly header: BtfHeader;
  /** Id of the first type of this blob (1 for base BTF). */
  readonly startId: number;
  /** Global string offset of this blob's string section (0 for base BTF). */
  readonly startStrOff: number;
  /** Number of types in this blob (not counting void or the base's). */
  readonly ownTypeCount: number;

  /** @internal DataView over {@link bytes}. */
  readonly view: DataView;
  /** @internal Absolute byte offset (in {@link bytes}) of each own type record. */
  readonly offsets: Uint32Array;
  /** @internal Kind number of each own type (read during the offset scan anyway). */
  readonly kinds: Uint8Array;
  /** @internal Absolute start of the string section. */
  readonly strStart: number;
  /** @internal Length of the string section. */
  readonly strLen: number;
  /** @internal Layout section entries (info_sz, elem_sz) by kind, if present. */
  readonly layout: readonly { info: number; elem: number }[] | undefined;

  private readonly cache: (BtfType | undefined)[] = [];
  private readonly indexes = new Map<number, NameIndex>();
  private readonly scannedKinds = new Set<number>();
  /** Own type indexes by kind ({@link typesOfKind}), built on first use. */
  private readonly kindLists = new Map<number, Uint32Array>();
  private ptrSize: number | undefined;
  private readonly alignCache = new Map<number, number>();

  private constructor(
    data: Uint8Array, base: Btf | undefined, header: BtfHeader, littleEndian: boolean,
    offsets: Uint32Array, kinds: Uint8Array, layout: { info: number; elem: number }[] | undefined,
  ) {
    this.kinds = kinds;
    this.bytes = data;
    this.base = base;
    this.header = header;
    this.littleEndian = littleEndian;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.offsets = offsets;
    this.ownTypeCount = offsets.length;
    this.startId = base === undefined ? 1 : base.lastId + 1;
    this.startStrOff = base === undefined ? 0 : base.startStrOff + base.strLen;
    this.strStart = header.hdrLen + header.strOff;
    this.strLen = header.strLen;
    this.layout = layout;
  }

  /**
   * Parse a BTF blob (the bytes of a `.BTF` section or `/sys/kernel/btf/*`). Builds only the
   * type offset index; everything else is lazy.
   *
   * @throws {BtfParseError} when the header, string section or type records are malformed.
   */
  static parse(data: Uint8Array, options: BtfParseOptions = {}): Btf {
    const base = options.base;
    const { header, littleEndian } = parseHeader(data);
    const hdrLen = header.hdrLen;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);

    // Strings: libbpf's btf_parse_str_sec rules.
    const strStart = hdrLen + header.strOff;
    if (!(base !== undefined && header.strLen === 0)) {
      if (header.strLen === 0 || header.strLen - 1 > 0x7fffffff || data[strStart + header.strLen - 1] !== 0) {
        throw new BtfParseError(ErrorCodes.BTF_BAD_STRINGS, 'Invalid BTF string section', { section: 'strings', offset: strStart });
      }
      if (base === undefined && data[strStart] !== 0) {
        throw new BtfParseError(ErrorCodes.BTF_BAD_STRINGS, 'Malformed BTF string section, did you forget to provide base BTF?', { section: 'strings', offset: strStart });
      }
    }

    // Layout section: info_sz and elem_sz per kind.
    let layout: { info: number; elem: number }[] | undefined;
    if (header.layoutLen !== 0) {
      if (header.layoutLen % 4 !== 0) {
        throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, 'Invalid BTF kind layout section', { section: 'layout', offset: hdrLen + header.layoutOff });
      }
      layout = [];
      for (let p = hdrLen + header.layoutOff, end = p + header.layoutLen; p < end; p += 4) {
        layout.push({ info: data[p] ?? 0, elem: data[p + 1] ?? 0 });
      }
    }
    const fallbackLayout = layout ?? base?.layout;
    const startId = base === undefined ? 1 : base.lastId + 1;

    // Type offsets: one pass over the records.
    const typeStart = hdrLen + header.typeOff;
    const typeEnd = typeStart + header.typeLen;
    // Real BTF averages ~25 bytes a record; start from a guess and grow, so the index costs
    // 4 bytes a type rather than 4 bytes per 12 bytes of type data.
    let offsets = new Uint32Array(Math.max(16, Math.ceil(header.typeLen / 20)));
    let n = 0;
    let p = typeStart;
    let kinds = new Uint8Array(offsets.length);
    const grow = (): void => {
      const bigger = new Uint32Array(Math.min(Math.ceil(header.typeLen / BTF_TYPE_LEN) + 1, offsets.length * 2));
      bigger.set(offsets);
      offsets = bigger;
      const k = new Uint8Array(bigger.length);
      k.set(kinds);
      kinds = k;
    };
    if (littleEndian === HOST_LITTLE_ENDIAN && (data.byteOffset + typeStart) % 4 === 0) {
      // Fast path: host byte order and 4-byte aligned, so read words directly.
      const words = new Uint32Array(data.buffer, data.byteOffset + typeStart, header.typeLen >>> 2);
      const wordEnd = header.typeLen >>> 2;
      let w = 0;
      while (w + 3 <= wordEnd) {
        const info = words[w + 1]!;
        const kind = (info >>> 24) & 0x7f;
        const vlen = info & 0xffffff;
        const rec = kind <= MAX_KNOWN_KIND && kind !== KIND.UNKN
          ? BTF_TYPE_LEN + FIXED_SIZE[kind]! + vlen * ELEM_SIZE[kind]!
          : unknownKindSize(fallbackLayout, kind, vlen, startId + n, typeStart + w * 4);
        if (w * 4 + rec > header.typeLen) {
          throw new BtfParseError(ErrorCodes.BTF_BAD_TYPE, `BTF type [${startId + n}] is malformed`, { section: 'types', offset: typeStart + w * 4, typeId: startId + n });
        }
        if (n === offsets.length) grow();
        kinds[n] = kind;
        offsets[n++] = typeStart + w * 4;
        w += rec >>> 2;
      }
      p = typeStart + w * 4;
    } else {
      while (p + BTF_TYPE_LEN <= typeEnd) {
        const info = view.getUint32(p + 4, littleEndian);
        const kind = (info >>> 24) & 0x7f;
        const vlen = info & 0xffffff;
        const rec = kind <= MAX_KNOWN_KIND && kind !== KIND.UNKN
          ? BTF_TYPE_LEN + FIXED_SIZE[kind]! + vlen * ELEM_SIZE[kind]!
          : unknownKindSize(fallbackLayout, kind, vlen, startId + n, p);
        if (p + rec > typeEnd) {
          throw new BtfParseError(ErrorCodes.BTF_BAD_TYPE, `BTF type [${startId + n}] is malformed`, { section: 'types', offset: p, typeId: startId + n });
        }
        if (n === offsets.length) grow();
        kinds[n] = kind;
        offsets[n++] = p;
        p += rec;
      }
    }
    if (p !== typeEnd) {
      throw new BtfParseError(ErrorCodes.BTF_BAD_TYPE, 'BTF types data is malformed', { section: 'types', offset: p });
    }
    if (startId + n - 1 > 0x7fffffff) {
      throw new BtfParseError(ErrorCodes.BTF_BAD_TYPE, 'too many BTF types', { section: 'types' });
    }
    if (n !== offsets.length) {
      offsets = offsets.subarray(0, n);
      kinds = kinds.subarray(0, n);
    }
    return new Btf(data, base, header, littleEndian, offsets, kinds, layout);
  }

  /** Highest type id (in this blob, or in the base when this blob has no types). */
  get lastId(): number {
    return this.startId + this.ownTypeCount - 1;
  }

  /** True when `id` names a type of this BTF or its base (0, void, included). */
  hasType(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id <= this.lastId;
  }

  /** The BTF that holds `id` (this or a base). */
  private owner(id: number): Btf {
    let b: Btf = this;
    while (id < b.startId && b.base !== undefined) b = b.base;
    return b;
  }

  // ---- wire accessors (internal; used by dumpers and the validator) ----

  /** @internal Read a u32 at an absolute offset in the blob. */
  u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }

  /** @internal Absolute record offset of own type `id`, checked. */
  recordOffset(id: number): number {
    const o = this.offsets[id - this.startId];
    if (o === undefined) throw badTypeId(id, this);
    return o;
  }

  /** @internal Wire kind number of `id` (0 for void). */
  kindNumberOf(id: number): number {
    if (id === 0) return 0;
    const b = this.owner(id);
    const k = b.kinds[id - b.startId];
    if (k === undefined) throw badTypeId(id, this);
    return k;
  }

  /** Kind of type `id`. */
  kindOf(id: TypeId | number): BtfKind {
    const k = this.kindNumberOf(id);
    return KIND_BY_NUMBER[k] ?? 'unknown';
  }

  /** @internal The `info` word of a type record. */
  infoOf(id: number): number {
    const b = this.owner(id);
    return b.u32(b.recordOffset(id) + 4);
  }

  /** @internal The `name_off` of a type record. */
  nameOffOf(id: number): number {
    if (id === 0) return 0;
    const b = this.owner(id);
    return b.u32(b.recordOffset(id));
  }

  /**
   * @internal The raw `name_off` of member `idx` of composite `id` (0: anonymous). The model
   * cannot tell an anonymous member from one whose name offset points at an empty string;
   * CO-RE treats the second as an error.
   */
  memberNameOffOf(id: number, idx: number): number {
    const b = this.owner(id);
    return b.u32(b.recordOffset(id) + BTF_TYPE_LEN + idx * 12);
  }

  /** @internal The `size_or_type` word of a type record. */
  sizeOrTypeOf(id: number): number {
    const b = this.owner(id);
    return b.u32(b.recordOffset(id) + 8);
  }

  /**
   * @internal Locate a global string offset: the BTF that holds it and the absolute start in
   * its bytes, or -1 when the offset is invalid.
   */
  locateString(off: number): { btf: Btf; start: number } | undefined {
    let b: Btf = this;
    while (off < b.startStrOff && b.base !== undefined) b = b.base;
    const local = off - b.startStrOff;
    if (local < 0 || local >= b.strLen) return undefined;
    return { btf: b, start: b.strStart + local };
  }

  /** True when `off` is a valid string offset of this BTF (or its base). */
  isValidStrOffset(off: number): boolean {
    return this.locateString(off) !== undefined;
  }

  /**
   * The string at a global string offset.
   * @throws {BtfParseError} `BTF_BAD_STRING_OFFSET` when the offset is outside the string section.
   */
  str(off: number, typeIdForError?: number): string {
    const loc = this.locateString(off);
    if (loc === undefined) {
      throw new BtfParseError(ErrorCodes.BTF_BAD_STRING_OFFSET, `invalid string offset ${off}`,
        typeIdForError === undefined ? { section: 'strings' } : { section: 'types', typeId: typeIdForError });
    }
    return decodeCString(loc.btf.bytes, loc.start, loc.btf.strStart + loc.btf.strLen);
  }

  /** Name of type `id` (`''` for anonymous types and void). */
  nameOf(id: TypeId | number): string {
    if (id === 0) return '';
    return this.str(this.nameOffOf(id), id);
  }

  // ---- decoded model ----

  /**
   * The decoded type `id` (decoded once, then cached).
   * @throws {BtfParseError} `BTF_BAD_TYPE_ID` for an id outside this BTF, or a string error.
   */
  type(id: TypeId | number): BtfType {
    if (id === 0) return VOID;
    const b = this.owner(id);
    if (b !== this) return b.type(id);
    const idx = id - this.startId;
    const cached = this.cache[idx];
    if (cached !== undefined) return cached;
    const t = this.decode(id);
    this.cache[idx] = t;
    return t;
  }

  /** All own types in id order (decodes all of them). */
  *types(): IterableIterator<BtfType> {
    for (let id = this.startId; id <= this.lastId; id++) yield this.type(id);
  }

  private decode(id: number): BtfType {
    const o = this.recordOffset(id);
    const le = this.littleEndian;
    const v = this.view;
    const info = v.getUint32(o + 4, le);
    const kindNum = infoKind(info);
    const vlen = infoVlen(info);
    const kflag = infoKindFlag(info);
    const sizeOrType = v.getUint32(o + 8, le);
    const tid = typeId(id);
    const name = this.str(v.getUint32(o, le), id);
    const d = o + BTF_TYPE_LEN;
    const ref = (x: number): TypeId => this.checkRef(x, id);
    switch (kindNum) {
      case KIND.INT: {
        const w = v.getUint32(d, le);
        const enc = intEncoding(w);
        return { kind: 'int', id: tid, name, size: bytes(sizeOrType), encodingBits: enc, signed: (enc & INT_SIGNED) !== 0, bitOffset: bits(intOffset(w)), bits: bits(intBits(w)) };
      }
      case KIND.PTR:
        return { kind: 'ptr', id: tid, name, type: ref(sizeOrType) };
      case KIND.ARRAY:
        return { kind: 'array', id: tid, name, type: ref(v.getUint32(d, le)), indexType: ref(v.getUint32(d + 4, le)), nelems: v.getUint32(d + 8, le) };
      case KIND.STRUCT:
      case KIND.UNION: {
        const members: BtfMember[] = new Array<BtfMember>(vlen);
        for (let i = 0, p = d; i < vlen; i++, p += 12) {
          const off = v.getUint32(p + 8, le);
          members[i] = {
            name: this.str(v.getUint32(p, le), id),
            type: ref(v.getUint32(p + 4, le)),
            bitOffset: bits(kflag ? memberBitOffset(off) : off),
            bitfieldSize: bits(kflag ? memberBitfieldSize(off) : 0),
          };
        }
        return { kind: kindNum === KIND.STRUCT ? 'struct' : 'union', id: tid, name, size: bytes(sizeOrType), kindFlag: kflag, members };
      }
      case KIND.ENUM: {
        const values = new Array<{ name: string; value: number }>(vlen);
        for (let i = 0, p = d; i < vlen; i++, p += 8) {
          values[i] = { name: this.str(v.getUint32(p, le), id), value: kflag ? v.getInt32(p + 4, le) : v.getUint32(p + 4, le) };
        }
        return { kind: 'enum', id: tid, name, size: bytes(sizeOrType), signed: kflag, values };
      }
      case KIND.ENUM64: {
        const values = new Array<{ name: string; value: bigint }>(vlen);
        for (let i = 0, p = d; i < vlen; i++, p += 12) {
          const raw = (BigInt(v.getUint32(p + 8, le)) << 32n) | BigInt(v.getUint32(p + 4, le));
          values[i] = { name: this.str(v.getUint32(p, le), id), value: kflag ? BigInt.asIntN(64, raw) : raw };
        }
        return { kind: 'enum64', id: tid, name, size: bytes(sizeOrType), signed: kflag, values };
      }
      case KIND.FWD:
        return { kind: 'fwd', id: tid, name, fwdKind: kflag ? 'union' : 'struct' };
      case KIND.TYPEDEF:
      case KIND.VOLATILE:
      case KIND.CONST:
      case KIND.RESTRICT:
        return { kind: KIND_BY_NUMBER[kindNum] as 'typedef' | 'volatile' | 'const' | 'restrict', id: tid, name, type: ref(sizeOrType) };
      case KIND.TYPE_TAG:
        return { kind: 'type_tag', id: tid, name, type: ref(sizeOrType), attribute: kflag };
      case KIND.FUNC:
        return { kind: 'func', id: tid, name, type: ref(sizeOrType), linkage: linkageName(vlen) as FuncLinkage };
      case KIND.FUNC_PROTO: {
        const params = new Array<{ name: string; type: TypeId }>(vlen);
        for (let i = 0, p = d; i < vlen; i++, p += 8) {
          params[i] = { name: this.str(v.getUint32(p, le), id), type: ref(v.getUint32(p + 4, le)) };
        }
        return { kind: 'func_proto', id: tid, name, returnType: ref(sizeOrType), params };
      }
      case KIND.VAR:
        return { kind: 'var', id: tid, name, type: ref(sizeOrType), linkage: linkageName(v.getUint32(d, le)) as VarLinkage };
      case KIND.DATASEC: {
        const vars = new Array<{ type: TypeId; offset: Bytes; size: Bytes }>(vlen);
        for (let i = 0, p = d; i < vlen; i++, p += 12) {
          vars[i] = { type: ref(v.getUint32(p, le)), offset: bytes(v.getUint32(p + 4, le)), size: bytes(v.getUint32(p + 8, le)) };
        }
        return { kind: 'datasec', id: tid, name, size: bytes(sizeOrType), vars };
      }
      case KIND.FLOAT:
        return { kind: 'float', id: tid, name, size: bytes(sizeOrType) };
      case KIND.DECL_TAG:
        return { kind: 'decl_tag', id: tid, name, type: ref(sizeOrType), componentIdx: v.getInt32(d, le), attribute: kflag };
      default: {
        const next = id + 1 <= this.lastId ? this.recordOffset(id + 1) : this.header.hdrLen + this.header.typeOff + this.header.typeLen;
        return { kind: 'unknown', id: tid, name, kindNumber: kindNum, vlen, kindFlag: kflag, sizeOrType, data: this.bytes.subarray(d, next) };
      }
    }
  }

  private checkRef(x: number, from: number): TypeId {
    if (x > this.lastId) {
      throw new BtfParseError(ErrorCodes.BTF_BAD_TYPE_ID, `btf: type [${from}]: invalid referenced type ID ${x}`, { section: 'types', typeId: from });
    }
    return typeId(x);
  }

  // ---- name lookups ----

  /**
   * The name index of one kind (or of all kinds, -1), built on its first use. Per-kind indexes
   * keep the first lookup cheap: a struct lookup hashes only the names of structs, not of the
   * 45,000 functions in a vmlinux.
   */
  private nameIndex(kind: number): NameIndex {
    let index = this.indexes.get(kind);
    if (index === undefined) {
      index = new NameIndex(this, kind >= 0 ? this.typesOfKind(kind) : undefined);
      this.indexes.set(kind, index);
    }
    return index;
  }

  /**
   * Ids of all types named exactly `name` (optionally of one kind), in id order, searching the
   * base first as libbpf's `btf__find_by_name_kind` does.
   */
  findByName(name: string, kind?: BtfKind): TypeId[] {
    const out: TypeId[] = [];
    if (this.base !== undefined) out.push(...this.base.findByName(name, kind));
    this.findOwn(name, kind === undefined ? -1 : kindNumber(kind), false, out, false);
    return out;
  }

  /**
   * @internal Own type indexes (id - startId) of one kind, ascending, built on first use: two
   * sequential passes over the kind bytes (a sort of every type by kind costs twice as much,
   * its writes being scattered, and the first lookup of a kind pays for it).
   */
  typesOfKind(kind: number): Uint32Array {
    let list = this.kindLists.get(kind);
    if (list === undefined) {
      const n = this.ownTypeCount;
      const kinds = this.kinds;
      let count = 0;
      for (let i = 0; i < n; i++) if (kinds[i] === kind) count++;
      list = new Uint32Array(count);
      for (let i = 0, j = 0; j < count; i++) if (kinds[i] === kind) list[j++] = i;
      this.kindLists.set(kind, list);
    }
    return list;
  }

  /**
   * Own-type name lookup. The first lookup of a kind scans (cheaper than building an index
   * that may never be used again); the second builds that kind's index.
   */
  private findOwn(name: string, kind: number, essential: boolean, out: TypeId[], firstOnly: boolean): void {
    if (name === '' || this.ownTypeCount === 0) return;
    const q = makeQuery(name);
    let index = this.indexes.get(kind);
    if (index === undefined) {
      if (!this.scannedKinds.has(kind)) {
        this.scannedKinds.add(kind);
        scanNames(this, kind, kind >= 0 ? this.kindLists.get(kind) : undefined, q, essential, out, firstOnly);
        return;
      }
      index = this.nameIndex(kind);
    }
    index.lookup(q, essential, out, firstOnly);
  }

  /** The first type named `name` of kind `kind`, or `undefined`. */
  findByNameKind(name: string, kind: BtfKind): TypeId | undefined {
    if (this.base !== undefined) {
      const b = this.base.findByNameKind(name, kind);
      if (b !== undefined) return b;
    }
    const out: TypeId[] = [];
    this.findOwn(name, kindNumber(kind), false, out, true);
    return out[0];
  }

  /**
   * Ids of all types whose essential name (the name without a `___flavor` suffix) equals the
   * essential name of `name`, optionally of one kind. Own types only (not the base's): CO-RE
   * candidate search walks vmlinux and each module separately.
   */
  findByEssentialName(name: string, kind?: BtfKind): TypeId[] {
    const out: TypeId[] = [];
    this.findOwn(name, kind === undefined ? -1 : kindNumber(kind), true, out, false);
    return out;
  }

  // ---- queries ----

  /** Pointer size of this BTF's target, determined as libbpf does (8 if unknown). */
  pointerSize(): number {
    if (this.ptrSize !== undefined) return this.ptrSize;
    if (this.base !== undefined) return (this.ptrSize = this.base.pointerSize());
    let found = 8;
    for (let id = this.startId; id <= this.lastId; id++) {
      if (this.kindNumberOf(id) !== KIND.INT) continue;
      const size = this.sizeOrTypeOf(id);
      if (size !== 4 && size !== 8) continue;
      const loc = this.locateString(this.nameOffOf(id));
      if (loc === undefined) continue;
      if (LONG_ALIASES.has(decodeCString(loc.btf.bytes, loc.start, loc.btf.strStart + loc.btf.strLen))) {
        found = size;
        break;
      }
    }
    return (this.ptrSize = found);
  }

  /** Force the pointer size (libbpf does this for BPF objects: always 8). */
  setPointerSize(size: 4 | 8): void {
    this.ptrSize = size;
  }

  /**
   * Follow typedefs and modifiers (const, volatile, restrict, type_tag) to the first other type.
   * @throws {BtfkitError} `BTF_BAD_QUERY` after 32 hops (a loop).
   */
  skipModsAndTypedefs(id: TypeId | number): TypeId {
    let cur = id;
    for (let i = 0; i <= MAX_RESOLVE_DEPTH; i++) {
      const k = this.kindNumberOf(cur);
      if (k !== KIND.TYPEDEF && k !== KIND.CONST && k !== KIND.VOLATILE && k !== KIND.RESTRICT && k !== KIND.TYPE_TAG) return typeId(cur);
      cur = this.checkRef(this.sizeOrTypeOf(cur), cur);
    }
    throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `type [${id}]: modifier chain longer than ${MAX_RESOLVE_DEPTH}`);
  }

  /** Follow modifiers only (not typedefs). */
  skipMods(id: TypeId | number): TypeId {
    let cur = id;
    for (let i = 0; i <= MAX_RESOLVE_DEPTH; i++) {
      const k = this.kindNumberOf(cur);
      if (k !== KIND.CONST && k !== KIND.VOLATILE && k !== KIND.RESTRICT && k !== KIND.TYPE_TAG) return typeId(cur);
      cur = this.checkRef(this.sizeOrTypeOf(cur), cur);
    }
    throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `type [${id}]: modifier chain longer than ${MAX_RESOLVE_DEPTH}`);
  }

  /**
   * Size in bytes of a value of type `id`, as libbpf's `btf__resolve_size`.
   * @throws {BtfkitError} `BTF_BAD_QUERY` for void, FWD, FUNC, FUNC_PROTO, loops or overflow.
   */
  resolveSize(id: TypeId | number): Bytes {
    let nelems = 1;
    let cur = id;
    for (let i = 0; i < MAX_RESOLVE_DEPTH && cur !== 0; i++) {
      const k = this.kindNumberOf(cur);
      switch (k) {
        case KIND.INT: case KIND.STRUCT: case KIND.UNION: case KIND.ENUM: case KIND.ENUM64:
        case KIND.DATASEC: case KIND.FLOAT:
          return this.sizeTimes(this.sizeOrTypeOf(cur), nelems, id);
        case KIND.PTR:
          return this.sizeTimes(this.pointerSize(), nelems, id);
        case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.VAR:
        case KIND.DECL_TAG: case KIND.TYPE_TAG:
          cur = this.checkRef(this.sizeOrTypeOf(cur), cur);
          break;
        case KIND.ARRAY: {
          const b = this.owner(cur);
          const o = b.recordOffset(cur) + BTF_TYPE_LEN;
          const n = b.u32(o + 8);
          if (nelems !== 0 && n > Math.floor(0xffffffff / nelems)) throw this.noSize(id, 'array size overflows u32');
          nelems *= n;
          cur = this.checkRef(b.u32(o), cur);
          break;
        }
        default:
          throw this.noSize(id, `${this.kindOf(cur)} has no size`);
      }
    }
    throw this.noSize(id, cur === 0 ? 'void has no size' : 'type chain too deep');
  }

  private sizeTimes(size: number, nelems: number, id: number): Bytes {
    if (nelems !== 0 && size > Math.floor(0xffffffff / nelems)) throw this.noSize(id, 'array size overflows u32');
    return bytes(size * nelems);
  }

  private noSize(id: number, why: string): BtfkitError {
    return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `cannot resolve size of type [${id}]: ${why}`);
  }

  /**
   * Alignment in bytes of type `id`, as libbpf's `btf__align_of` (1 for packed structs).
   * @throws {BtfkitError} `BTF_BAD_QUERY` for kinds without alignment.
   */
  alignment(id: TypeId | number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `type [${id}]: alignment chain too deep`);
    const k = this.kindNumberOf(id);
    switch (k) {
      case KIND.INT: case KIND.ENUM: case KIND.ENUM64: case KIND.FLOAT:
        return Math.min(this.pointerSize(), this.sizeOrTypeOf(id));
      case KIND.PTR:
        return this.pointerSize();
      case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.TYPE_TAG:
        return this.alignment(this.checkRef(this.sizeOrTypeOf(id), id), depth + 1);
      case KIND.ARRAY: {
        const b = this.owner(id);
        return this.alignment(this.checkRef(b.u32(b.recordOffset(id) + BTF_TYPE_LEN), id), depth + 1);
      }
      case KIND.STRUCT: case KIND.UNION: {
        // Memoised: a struct used twice by value in each of N nested structs would otherwise
        // cost 2^N calls (libbpf's btf__align_of has that cost; hostile BTF must not hang us).
        const cached = this.alignCache.get(id);
        if (cached !== undefined) return cached;
        const t = this.type(id) as BtfComposite;
        let maxAlign = 1;
        let result: number | undefined;
        for (const m of t.members) {
          const a = this.alignment(m.type, depth + 1);
          maxAlign = Math.max(maxAlign, a);
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) { result = 1; break; }
        }
        result ??= t.size % maxAlign !== 0 ? 1 : maxAlign;
        this.alignCache.set(id, result);
        return result;
      }
      default:
        throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `type [${id}]: ${this.kindOf(id)} has no alignment`);
    }
  }
}

/** The implicit void type. */
const VOID: BtfType = Object.freeze({ kind: 'void', id: typeId(0), name: '' });

function linkageName(n: number): string | number {
  return n === 0 ? 'static' : n === 1 ? 'global' : n === 2 ? 'extern' : n;
}

function badTypeId(id: number, btf: Btf): BtfParseError {
  return new BtfParseError(ErrorCodes.BTF_BAD_TYPE_ID, `type id ${id} out of range (last id ${btf.lastId})`, { section: 'types', typeId: id });
}

function unknownKindSize(layout: readonly { info: number; elem: number }[] | undefined, kind: number, vlen: number, id: number, off: number): number {
  const l = layout?.[kind];
  if (l === undefined || kind === KIND.UNKN) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_TYPE, `Unsupported BTF_KIND: ${kind}`, { section: 'types', offset: off, typeId: id });
  }
  if (l.info % 4 !== 0 || l.elem % 4 !== 0) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_TYPE, `Unsupported info_sz ${l.info} / elem_sz ${l.elem} for kind ${kind}`, { section: 'layout', typeId: id });
  }
  return BTF_TYPE_LEN + l.info + vlen * l.elem;
}

/**
 * Parse and check the BTF header (libbpf's `btf_parse_hdr` rules and messages).
 * @internal
 */
export function parseHeader(data: Uint8Array): { header: BtfHeader; littleEndian: boolean } {
  if (data.length < BTF_HEADER_LEN) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_MAGIC, 'BTF header not found', { section: 'header', offset: 0 });
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let littleEndian: boolean;
  if (view.getUint16(0, true) === BTF_MAGIC) littleEndian = true;
  else if (view.getUint16(0, false) === BTF_MAGIC) littleEndian = false;
  else {
    throw new BtfParseError(ErrorCodes.BTF_BAD_MAGIC, `Invalid BTF magic: ${view.getUint16(0, true).toString(16)}`, { section: 'header', offset: 0 });
  }
  const u32 = (o: number): number => view.getUint32(o, littleEndian);
  const hdrLen = u32(4);
  if (hdrLen < BTF_HEADER_LEN) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, `unsupported BTF header length ${hdrLen}`, { section: 'header', offset: 4 });
  }
  if (data.length < hdrLen) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, `BTF header len ${hdrLen} larger than data size ${data.length}`, { section: 'header', offset: 4 });
  }
  const hasLayout = hdrLen >= BTF_HEADER_LEN_LAYOUT;
  const header: BtfHeader = {
    magic: BTF_MAGIC, version: data[2] ?? 0, flags: data[3] ?? 0, hdrLen,
    typeOff: u32(8), typeLen: u32(12), strOff: u32(16), strLen: u32(20),
    layoutOff: hasLayout ? u32(24) : 0, layoutLen: hasLayout ? u32(28) : 0,
  };
  const metaLeft = data.length - hdrLen;
  if (metaLeft < header.strOff + header.strLen) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, `Invalid BTF total size: ${data.length}`, { section: 'header', offset: 16 });
  }
  if (header.typeOff + header.typeLen > header.strOff) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, `Invalid BTF data sections layout: type data at ${header.typeOff} + ${header.typeLen}, strings data at ${header.strOff} + ${header.strLen}`, { section: 'header', offset: 8 });
  }
  if (header.typeOff % 4 !== 0) {
    throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, 'BTF type section is not aligned to 4 bytes', { section: 'header', offset: 8 });
  }
  if (header.layoutLen !== 0) {
    if (header.layoutOff % 4 !== 0) {
      throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, 'BTF layout section is not aligned to 4 bytes', { section: 'header', offset: 24 });
    }
    if (header.layoutOff < header.typeOff + header.typeLen || header.layoutOff + header.layoutLen > header.strOff) {
      throw new BtfParseError(ErrorCodes.BTF_BAD_HEADER, `Invalid BTF data sections layout: layout data at ${header.layoutOff} + ${header.layoutLen}`, { section: 'header', offset: 24 });
    }
  }
  return { header, littleEndian };
}

/** Decode a NUL-terminated string at `start`, never reading at or past `end`. */
export function decodeCString(b: Uint8Array, start: number, end: number): string {
  let p = start;
  let ascii = true;
  while (p < end) {
    const c = b[p]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
    p++;
  }
  const len = p - start;
  if (len === 0) return '';
  if (ascii && len < 64) {
    let s = '';
    for (let i = start; i < p; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return utf8.decode(b.subarray(start, p));
}

/**
 * Length of the essential part of a name: the part before the last `___` that has a
 * non-underscore character on both sides (libbpf's `bpf_core_essential_name_len`).
 * Works on a byte range of a string table.
 */
export function essentialLength(b: ArrayLike<number>, start: number, len: number): number {
  for (let i = len - 5; i >= 0; i--) {
    // looking for X___Y at positions i..i+4 (X = i, ___ = i+1..i+3, Y = i+4)
    if (b[start + i + 1] === 0x5f && b[start + i + 2] === 0x5f && b[start + i + 3] === 0x5f &&
        b[start + i] !== 0x5f && b[start + i + 4] !== 0x5f) {
      return i + 1;
    }
  }
  return len;
}

/** The essential name of a type name (without its `___flavor` suffix). */
export function essentialName(name: string): string {
  const b = utf8Encoder.encode(name);
  const n = essentialLength(b, 0, b.length);
  return n === b.length ? name : utf8.decode(b.subarray(0, n));
}

/**
 * Hash index over the raw name bytes of every named own type, keyed on the essential name so
 * one table answers both exact and essential-name lookups. Chains keep id order.
 */
class NameIndex {
  private readonly heads: Int32Array;
  /** Chains over positions in `members` (or type indexes when indexing every kind). */
  private readonly next: Int32Array;
  private readonly mask: number;

  /** Index the own types listed in `members` (type indexes), or all own types. */
  constructor(private readonly btf: Btf, private readonly members: Uint32Array | undefined) {
    const count = members === undefined ? btf.ownTypeCount : members.length;
    const le = btf.littleEndian;
    const view = btf.view;
    const offsets = btf.offsets;
    let size = 16;
    while (size < count) size <<= 1;
    this.mask = size - 1;
    const heads = (this.heads = new Int32Array(size).fill(-1));
    const next = (this.next = new Int32Array(count).fill(-1));
    const tails = new Int32Array(size);
    const mask = this.mask;
    const startStrOff = btf.startStrOff;
    const ownLen = btf.strLen;
    for (let pos = 0; pos < count; pos++) {
      const i = members === undefined ? pos : members[pos]!;
      const o = offsets[i]!;
      const nameOff = view.getUint32(o, le);
      if (nameOff === 0) continue;
      let b: Uint8Array;
      let s: number;
      let end: number;
      const local = nameOff - startStrOff;
      if (local >= 0 && local < ownLen) {
        b = btf.bytes;
        s = btf.strStart + local;
        end = btf.strStart + ownLen;
      } else {
        const loc = btf.locateString(nameOff);
        if (loc === undefined) continue; // invalid names are reported when the type is decoded
        b = loc.btf.bytes;
        s = loc.start;
        end = loc.btf.strStart + loc.btf.strLen;
      }
      // One pass: FNV-1a over the bytes, remembering the hash at the last flavor separator
      // (X___Y with X, Y not '_'), so the essential-name hash needs no second pass.
      let h = 0x811c9dc5;
      let h1 = h; // hash of bytes [s, e-1)
      let h2 = h; // hash of bytes [s, e-2)
      let h3 = h; // hash of bytes [s, e-3)
      let essentialHash = -1;
      let e = s;
      let c = 0;
      for (; e < end; e++) {
        c = b[e]!;
        if (c === 0) break;
        if (c !== 0x5f && e - s >= 4 && b[e - 1] === 0x5f && b[e - 2] === 0x5f && b[e - 3] === 0x5f && b[e - 4] !== 0x5f) {
          essentialHash = h3; // hash of the bytes before the "___"
        }
        h3 = h2; h2 = h1; h1 = h;
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (e === s) continue;
      const slot = (essentialHash === -1 ? h : essentialHash) & mask;
      if (heads[slot] === -1) heads[slot] = pos;
      else next[tails[slot]!] = pos;
      tails[slot] = pos;
    }
  }

  lookup(q: Query, essential: boolean, out: TypeId[], firstOnly: boolean): void {
    const btf = this.btf;
    const next = this.next;
    const members = this.members;
    for (let pos = this.heads[q.hash & this.mask]!; pos !== -1; pos = next[pos]!) {
      const i = members === undefined ? pos : members[pos]!;
      if (matchName(btf, i, q, essential)) {
        out.push(typeId(btf.startId + i));
        if (firstOnly) return;
      }
    }
  }
}

/** A name query, encoded once: UTF-8 bytes, essential length and essential-name hash. */
interface Query {
  readonly bytes: Uint8Array;
  readonly length: number;
  readonly essentialLength: number;
  readonly hash: number;
}

let scratch = new Uint8Array(256);

/** Encode a query; ASCII names go through a reused scratch buffer (no allocation). */
function makeQuery(name: string): Query {
  let b: Uint8Array;
  let len = name.length;
  let ascii = true;
  if (len > scratch.length) scratch = new Uint8Array(len * 2);
  for (let i = 0; i < len; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x80) { ascii = false; break; }
    scratch[i] = c;
  }
  if (ascii) b = scratch;
  else { b = utf8Encoder.encode(name); len = b.length; }
  const ess = essentialLength(b, 0, len);
  return { bytes: b, length: len, essentialLength: ess, hash: hashBytes(b, 0, ess) };
}

/** Does own type at index `i` have the queried name (or essential name)? */
function matchName(btf: Btf, i: number, q: Query, essential: boolean): boolean {
  const nameOff = btf.view.getUint32(btf.offsets[i]!, btf.littleEndian);
  if (nameOff === 0) return false;
  let b: Uint8Array;
  let s: number;
  let end: number;
  const local = nameOff - btf.startStrOff;
  if (local >= 0 && local < btf.strLen) {
    b = btf.bytes; s = btf.strStart + local; end = btf.strStart + btf.strLen;
  } else {
    const loc = btf.locateString(nameOff);
    if (loc === undefined) return false;
    b = loc.btf.bytes; s = loc.start; end = loc.btf.strStart + loc.btf.strLen;
  }
  const qb = q.bytes;
  if (!essential) {
    const len = q.length;
    if (s + len >= end) return false;
    for (let k = 0; k < len; k++) if (b[s + k] !== qb[k]) return false;
    return b[s + len] === 0;
  }
  const qEss = q.essentialLength;
  if (s + qEss >= end) return false;
  for (let k = 0; k < qEss; k++) if (b[s + k] !== qb[k]) return false;
  // The candidate's own essential name must end exactly here.
  let e = s + qEss;
  while (e < end && b[e] !== 0) e++;
  return essentialLength(b, s, e - s) === qEss;
}

/** Linear scan of own types of one kind (-1: all), used for the first lookup of a kind. */
function scanNames(btf: Btf, kind: number, members: Uint32Array | undefined, q: Query, essential: boolean, out: TypeId[], firstOnly: boolean): void {
  const view = btf.view;
  const le = btf.littleEndian;
  const offsets = btf.offsets;
  const first = q.bytes[0]!;
  const startStrOff = btf.startStrOff;
  const strStart = btf.strStart;
  const strLen = btf.strLen;
  const b = btf.bytes;
  const kinds = btf.kinds;
  const n = members === undefined ? offsets.length : members.length;
  for (let pos = 0; pos < n; pos++) {
    const i = members === undefined ? pos : members[pos]!;
    const o = offsets[i]!;
    if (members === undefined && kind >= 0 && kinds[i] !== kind) continue;
    const nameOff = view.getUint32(o, le);
    if (nameOff === 0) continue;
    const local = nameOff - startStrOff;
    // Cheap first-byte reject for names in our own string section.
    if (local >= 0 && local < strLen && b[strStart + local] !== first) continue;
    if (matchName(btf, i, q, essential)) {
      out.push(typeId(btf.startId + i));
      if (firstOnly) return;
    }
  }
}

/** FNV-1a over a byte range (the same arithmetic as the index builder's inline loop). */
function hashBytes(b: Uint8Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start, end = start + len; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}
