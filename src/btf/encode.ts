/**
 * The BTF encoder: build BTF of every kind, or re-encode a decoded container.
 *
 * {@link BtfBuilder} collects types as plain model objects ({@link BtfTypeInput}, the
 * {@link BtfType} model without its `id`) and writes header, type section, optional layout
 * section and string section on {@link BtfBuilder.encode}. Ids are handed out in order of
 * addition, starting at 1 (or at `base.lastId + 1` for split BTF); references may point forward
 * and are checked when encoding.
 *
 * ## String tables
 *
 * libbpf's `btf__add_str` deduplicates strings and appends each new one at the end, so a
 * table built type by type holds the strings in order of first use; for split BTF a string
 * already in the base is referenced there and not copied (`btf__find_str` on the base first).
 * The builder does the same ("rebuild").
 *
 * Kernel BTF from pahole is *not* in that order: pahole adds every string while it encodes
 * the DWARF of each compile unit and only then deduplicates the types, so the string table
 * reflects the pre-dedup type order, which the final types no longer show. (In the Debian
 * corpus the first-use order of the final types matches the table for the three module BTFs
 * and for none of the nine vmlinux blobs.) A byte-exact re-encoding therefore needs the
 * original string section, which the builder can take as a seed (`strings` option;
 * `encodeBtf(btf, { strings: 'preserve' })`, the default):
 *
 * - `'preserve'`: the container's own string section is copied verbatim, unreferenced
 *   strings included, and every name is given the offset of its first occurrence there
 *   (base strings first for split BTF, then the preserved section). Names that are not in
 *   it are appended. Decode, then encode, gives back the input bytes whenever the input is
 *   *canonical* (see below).
 * - `'rebuild'`: a fresh, deduplicated table in order of first use (name of a type, then
 *   its member, enumerator and parameter names), base strings referenced in the base. This
 *   reproduces libbpf-built BTF (module BTF from pahole, anything built with `btf__add_*`)
 *   byte for byte, and otherwise gives equivalent BTF: the same types, names and ids.
 *
 * ## Canonical input
 *
 * The model keeps every field BTF defines, but not bits that a kind does not use, so
 * re-encoding reproduces the bytes of BTF that has none of them. Not reproduced: `kind_flag`
 * on kinds without one (INT, PTR, ARRAY, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
 * FUNC_PROTO, VAR, DATASEC, FLOAT), `vlen` on kinds without elements (FUNC keeps it as its
 * linkage), `size_or_type` of ARRAY and FWD (always 0), the unused bits 8-15 and 28-31 of
 * the INT word, gaps or reordering between the sections (output: types, layout, strings, in
 * that order, right after the header; `layout_off` 0 without a layout section), bytes after
 * the string section, and name offsets that point at a later duplicate of a string or into
 * the middle of one. Every blob in the kernel corpus is canonical. The header's version,
 * flags, length and any unknown header bytes are kept, and so is the layout section.
 *
 * Names are UTF-8. A name that is not well-formed UTF-16 (a lone surrogate) cannot be
 * written and is rejected; a name starting with U+FEFF is written, but the decoder's UTF-8
 * decoder drops a leading byte order mark, so it does not come back.
 *
 * @packageDocumentation
 */
import { bits, bytes, typeId, type TypeId } from '../binary/units.js';
import { BtfkitError, ErrorCodes } from '../errors.js';
import { decodeCString, type Btf } from './btf.js';
import type {
  BtfDatasec, BtfEnum, BtfEnum64, BtfFuncProto, BtfMember, BtfType, BtfVoid, FuncLinkage,
  VarLinkage,
} from './types.js';
import {
  BTF_HEADER_LEN, BTF_HEADER_LEN_LAYOUT, BTF_MAGIC, BTF_TYPE_LEN, INT_BOOL, INT_CHAR, INT_SIGNED,
  KIND, KIND_LAYOUT, MAX_KNOWN_KIND, makeInfo,
} from './wire.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A type to add: any {@link BtfType} except void, without its `id` (an `id` present is ignored). */
export type BtfTypeInput = DistributiveOmit<Exclude<BtfType, BtfVoid>, 'id'>;

/** One entry of the layout section (upstream 2026 format), indexed by kind number. */
export interface BtfLayoutEntry {
  /** Bytes of the fixed part after the 12-byte `btf_type`. */
  readonly info: number;
  /** Bytes of each of the `vlen` elements. */
  readonly elem: number;
  /** The u16 `flags` field (0 unless given). */
  readonly flags?: number;
}

/**
 * `classic`: the format every released kernel reads, 16-bit `vlen` and kinds up to 31.
 * `extended`: the upstream 2026 format, 24-bit `vlen` and 7-bit kinds.
 */
export type BtfFormat = 'classic' | 'extended';

/** Options for {@link BtfBuilder}. */
export interface BtfBuilderOptions {
  /** Byte order of the output (default little-endian). */
  readonly littleEndian?: boolean;
  /** Base BTF: the output is split BTF whose ids and string offsets continue the base's. */
  readonly base?: Btf;
  /** Limits on `vlen` and kind numbers. Default: `extended` with a layout section, else `classic`. */
  readonly format?: BtfFormat;
  /** Write a layout section (and a 32-byte header) with these entries, indexed by kind. */
  readonly layout?: readonly BtfLayoutEntry[];
  /**
   * Seed the string section with these bytes (a whole string section: NUL-terminated strings,
   * starting with the empty string unless this is split BTF). They are kept verbatim, names are
   * looked up in them, and new names are appended.
   */
  readonly strings?: Uint8Array;
  /** Header `version` byte (default 1). */
  readonly version?: number;
  /** Header `flags` byte (default 0). */
  readonly flags?: number;
  /** Header length (default 24, or 32 with a layout section). */
  readonly headerLength?: number;
  /** Bytes of the header after its known fields (default zeros). */
  readonly headerExtra?: Uint8Array;
}

/** A member for {@link BtfBuilder.addStruct}. */
export interface MemberInput {
  readonly name?: string;
  readonly type: TypeId | number;
  readonly bitOffset: number;
  /** Bitfield width (needs `kindFlag`, which is then the default). */
  readonly bitfieldSize?: number;
}

/** A parameter for {@link BtfBuilder.addFuncProto}. */
export interface ParamInput { readonly name?: string; readonly type: TypeId | number }

/** Encoding of {@link BtfBuilder.addInt}. */
export interface IntOptions {
  readonly signed?: boolean;
  readonly char?: boolean;
  readonly bool?: boolean;
  /** Bit offset inside the storage (default 0). */
  readonly bitOffset?: number;
  /** Value bits (default `size * 8`). */
  readonly bits?: number;
}

const U32_MAX = 0xffffffff;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function encodeError(message: string): BtfkitError {
  return new BtfkitError(ErrorCodes.BTF_ENCODE, message);
}

function isU32(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= U32_MAX;
}

/**
 * Builds a BTF blob type by type.
 *
 * ```ts
 * const b = new BtfBuilder();
 * const int = b.addInt('int', 4, { signed: true });
 * const s = b.addStruct('pair', 8, [{ name: 'a', type: int, bitOffset: 0 }, { name: 'b', type: int, bitOffset: 32 }]);
 * b.addPtr(s);
 * const blob = b.encode();
 * ```
 */
export class BtfBuilder {
  /** Id of the first type added (1, or `base.lastId + 1`). */
  readonly startId: number;
  readonly littleEndian: boolean;
  readonly base: Btf | undefined;
  readonly format: BtfFormat;

  private readonly types: BtfTypeInput[] = [];
  private readonly layout: readonly BtfLayoutEntry[] | undefined;
  private readonly seed: Uint8Array | undefined;
  private readonly version: number;
  private readonly flags: number;
  private readonly headerLength: number;
  private readonly headerExtra: Uint8Array | undefined;
  private readonly maxVlen: number;
  private readonly maxKind: number;

  constructor(options: BtfBuilderOptions = {}) {
    this.littleEndian = options.littleEndian ?? true;
    this.base = options.base;
    this.startId = options.base === undefined ? 1 : options.base.lastId + 1;
    this.layout = options.layout;
    this.format = options.format ?? (options.layout !== undefined ? 'extended' : 'classic');
    this.maxVlen = this.format === 'classic' ? 0xffff : 0xffffff;
    this.maxKind = this.format === 'classic' ? 0x1f : 0x7f;
    this.version = options.version ?? 1;
    this.flags = options.flags ?? 0;
    if (!isByte(this.version) || !isByte(this.flags)) throw encodeError('header version and flags must be bytes');
    const known = this.layout !== undefined ? BTF_HEADER_LEN_LAYOUT : BTF_HEADER_LEN;
    this.headerLength = options.headerLength ?? known;
    if (!isU32(this.headerLength) || this.headerLength < known) {
      throw encodeError(`header length ${this.headerLength} is shorter than ${known} bytes`);
    }
    const extraLen = this.headerLength - (this.headerLength >= BTF_HEADER_LEN_LAYOUT ? BTF_HEADER_LEN_LAYOUT : BTF_HEADER_LEN);
    if (options.headerExtra !== undefined && options.headerExtra.length !== extraLen) {
      throw encodeError(`header extra bytes: ${options.headerExtra.length} given, header has room for ${extraLen}`);
    }
    this.headerExtra = options.headerExtra;
    if (this.layout !== undefined) {
      for (const [k, l] of this.layout.entries()) {
        if (!isByte(l.info) || !isByte(l.elem) || !(l.flags === undefined || (isU32(l.flags) && l.flags <= 0xffff))) {
          throw encodeError(`layout entry for kind ${k}: info and elem must be bytes and flags a u16`);
        }
      }
    }
    if (options.strings !== undefined) {
      const s = options.strings;
      if (s.length > 0 && s[s.length - 1] !== 0) throw encodeError('seed string section does not end with a NUL byte');
      if (this.base === undefined && s[0] !== 0) throw encodeError('seed string section of base BTF must start with the empty string');
    }
    this.seed = options.strings;
  }

  /** Id the next added type will get. */
  get nextId(): TypeId {
    return typeId(this.startId + this.types.length);
  }

  /** Highest id so far (the base's last id when nothing was added). */
  get lastId(): number {
    return this.startId + this.types.length - 1;
  }

  /** Number of types added. */
  get count(): number {
    return this.types.length;
  }

  /**
   * Add a type given as a model object. Values are checked now, references when encoding.
   * @throws {BtfkitError} `BTF_ENCODE` for values the wire format cannot hold.
   */
  add(type: BtfTypeInput): TypeId {
    this.check(type);
    const id = this.nextId;
    this.types.push(type);
    return id;
  }

  /** BTF_KIND_INT. */
  addInt(name: string, size: number, options: IntOptions = {}): TypeId {
    const enc = (options.signed === true ? INT_SIGNED : 0) | (options.char === true ? INT_CHAR : 0) | (options.bool === true ? INT_BOOL : 0);
    return this.add({
      kind: 'int', name, size: bytes(size), encodingBits: enc, signed: (enc & INT_SIGNED) !== 0,
      bitOffset: bits(options.bitOffset ?? 0), bits: bits(options.bits ?? size * 8),
    });
  }

  /** BTF_KIND_PTR. */
  addPtr(type: TypeId | number): TypeId {
    return this.add({ kind: 'ptr', name: '', type: typeId(type) });
  }

  /** BTF_KIND_ARRAY. */
  addArray(elem: TypeId | number, index: TypeId | number, nelems: number): TypeId {
    return this.add({ kind: 'array', name: '', type: typeId(elem), indexType: typeId(index), nelems });
  }

  /** BTF_KIND_STRUCT. `kindFlag` defaults to true when a member is a bitfield. */
  addStruct(name: string, size: number, members: readonly MemberInput[], options: { kindFlag?: boolean } = {}): TypeId {
    return this.addComposite('struct', name, size, members, options.kindFlag);
  }

  /** BTF_KIND_UNION. `kindFlag` defaults to true when a member is a bitfield. */
  addUnion(name: string, size: number, members: readonly MemberInput[], options: { kindFlag?: boolean } = {}): TypeId {
    return this.addComposite('union', name, size, members, options.kindFlag);
  }

  private addComposite(kind: 'struct' | 'union', name: string, size: number, members: readonly MemberInput[], kindFlag: boolean | undefined): TypeId {
    const ms: BtfMember[] = members.map((m) => ({
      name: m.name ?? '', type: typeId(m.type), bitOffset: bits(m.bitOffset), bitfieldSize: bits(m.bitfieldSize ?? 0),
    }));
    return this.add({ kind, name, size: bytes(size), kindFlag: kindFlag ?? ms.some((m) => m.bitfieldSize !== 0), members: ms });
  }

  /** BTF_KIND_ENUM (32-bit values). `signed` defaults to true when a value is negative. */
  addEnum(name: string, size: number, values: readonly { name: string; value: number }[], options: { signed?: boolean } = {}): TypeId {
    const signed = options.signed ?? values.some((v) => v.value < 0);
    return this.add({ kind: 'enum', name, size: bytes(size), signed, values: values.map((v) => ({ name: v.name, value: v.value })) });
  }

  /** BTF_KIND_ENUM64 (64-bit values). `signed` defaults to true when a value is negative. */
  addEnum64(name: string, size: number, values: readonly { name: string; value: bigint }[], options: { signed?: boolean } = {}): TypeId {
    const signed = options.signed ?? values.some((v) => v.value < 0n);
    return this.add({ kind: 'enum64', name, size: bytes(size), signed, values: values.map((v) => ({ name: v.name, value: v.value })) });
  }

  /** BTF_KIND_FWD. */
  addFwd(name: string, fwdKind: 'struct' | 'union' = 'struct'): TypeId {
    return this.add({ kind: 'fwd', name, fwdKind });
  }

  /** BTF_KIND_TYPEDEF. */
  addTypedef(name: string, type: TypeId | number): TypeId {
    return this.add({ kind: 'typedef', name, type: typeId(type) });
  }

  /** BTF_KIND_VOLATILE. */
  addVolatile(type: TypeId | number): TypeId {
    return this.add({ kind: 'volatile', name: '', type: typeId(type) });
  }

  /** BTF_KIND_CONST. */
  addConst(type: TypeId | number): TypeId {
    return this.add({ kind: 'const', name: '', type: typeId(type) });
  }

  /** BTF_KIND_RESTRICT. */
  addRestrict(type: TypeId | number): TypeId {
    return this.add({ kind: 'restrict', name: '', type: typeId(type) });
  }

  /** BTF_KIND_TYPE_TAG. `attribute` sets kind_flag (a raw attribute). */
  addTypeTag(name: string, type: TypeId | number, options: { attribute?: boolean } = {}): TypeId {
    return this.add({ kind: 'type_tag', name, type: typeId(type), attribute: options.attribute ?? false });
  }

  /** BTF_KIND_FUNC. */
  addFunc(name: string, proto: TypeId | number, linkage: FuncLinkage): TypeId {
    return this.add({ kind: 'func', name, type: typeId(proto), linkage });
  }

  /** BTF_KIND_FUNC_PROTO. A trailing `{ type: 0 }` parameter marks varargs. */
  addFuncProto(returnType: TypeId | number, params: readonly ParamInput[]): TypeId {
    return this.add({ kind: 'func_proto', name: '', returnType: typeId(returnType), params: params.map((p) => ({ name: p.name ?? '', type: typeId(p.type) })) });
  }

  /** BTF_KIND_VAR. */
  addVar(name: string, type: TypeId | number, linkage: VarLinkage): TypeId {
    return this.add({ kind: 'var', name, type: typeId(type), linkage });
  }

  /** BTF_KIND_DATASEC. */
  addDatasec(name: string, size: number, vars: readonly { type: TypeId | number; offset: number; size: number }[]): TypeId {
    return this.add({ kind: 'datasec', name, size: bytes(size), vars: vars.map((v) => ({ type: typeId(v.type), offset: bytes(v.offset), size: bytes(v.size) })) });
  }

  /** BTF_KIND_FLOAT. */
  addFloat(name: string, size: number): TypeId {
    return this.add({ kind: 'float', name, size: bytes(size) });
  }

  /** BTF_KIND_DECL_TAG. `componentIdx` -1 tags the declaration itself. */
  addDeclTag(name: string, type: TypeId | number, componentIdx: number, options: { attribute?: boolean } = {}): TypeId {
    return this.add({ kind: 'decl_tag', name, type: typeId(type), componentIdx, attribute: options.attribute ?? false });
  }

  // ---- checks ----

  private check(t: BtfTypeInput): void {
    const where = (): string => `type [${this.nextId}] (${t.kind})`;
    const fail = (why: string): never => { throw encodeError(`${where()}: ${why}`); };
    const u32 = (x: unknown, what: string): void => { if (!isU32(x)) fail(`${what} ${String(x)} is not a u32`); };
    const ref = (x: unknown, what: string): void => { if (!isU32(x)) fail(`${what} ${String(x)} is not a type id`); };
    const str = (s: unknown, what: string): void => {
      if (typeof s !== 'string') fail(`${what} is not a string`);
      else if (s.includes('\0')) fail(`${what} ${JSON.stringify(s)} contains a NUL character`);
      else if (LONE_SURROGATE.test(s)) fail(`${what} ${JSON.stringify(s)} is not well-formed UTF-16 (a lone surrogate has no UTF-8 encoding)`);
    };
    const vlen = (n: number): void => { if (n > this.maxVlen) fail(`vlen ${n} exceeds ${this.maxVlen} (${this.format} format)`); };
    str(t.name, 'name');
    switch (t.kind) {
      case 'int': {
        u32(t.size, 'size');
        if (!Number.isInteger(t.encodingBits) || t.encodingBits < 0 || t.encodingBits > 15) fail(`encoding ${t.encodingBits} does not fit in 4 bits`);
        if (t.signed !== ((t.encodingBits & INT_SIGNED) !== 0)) fail('signed disagrees with the encoding bits');
        if (!isByte(t.bitOffset)) fail(`bit offset ${t.bitOffset} does not fit in 8 bits`);
        if (!isByte(t.bits)) fail(`bits ${t.bits} does not fit in 8 bits`);
        return;
      }
      case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict':
        ref(t.type, 'type');
        return;
      case 'type_tag':
        ref(t.type, 'type');
        checkBool(t.attribute, 'attribute', fail);
        return;
      case 'array':
        ref(t.type, 'element type');
        ref(t.indexType, 'index type');
        u32(t.nelems, 'nelems');
        return;
      case 'struct': case 'union': {
        u32(t.size, 'size');
        checkBool(t.kindFlag, 'kindFlag', fail);
        vlen(t.members.length);
        for (const [i, m] of t.members.entries()) {
          str(m.name, `member ${i} name`);
          ref(m.type, `member ${i} type`);
          if (t.kindFlag) {
            if (!isU32(m.bitOffset) || m.bitOffset > 0xffffff) fail(`member ${i} bit offset ${m.bitOffset} does not fit in 24 bits (kind_flag)`);
            if (!isByte(m.bitfieldSize)) fail(`member ${i} bitfield size ${m.bitfieldSize} does not fit in 8 bits`);
          } else {
            u32(m.bitOffset, `member ${i} bit offset`);
            if (m.bitfieldSize !== 0) fail(`member ${i} is a bitfield (${m.bitfieldSize} bits) but kind_flag is not set`);
          }
        }
        return;
      }
      case 'enum': {
        u32(t.size, 'size');
        checkBool(t.signed, 'signed', fail);
        vlen(t.values.length);
        for (const [i, v] of t.values.entries()) {
          str(v.name, `value ${i} name`);
          const ok = typeof v.value === 'number' && Number.isInteger(v.value) &&
            (t.signed ? v.value >= -0x80000000 && v.value <= 0x7fffffff : v.value >= 0 && v.value <= U32_MAX);
          if (!ok) fail(`value ${i} (${String(v.value)}) does not fit in ${t.signed ? 's32' : 'u32'}`);
        }
        return;
      }
      case 'enum64': {
        u32(t.size, 'size');
        checkBool(t.signed, 'signed', fail);
        vlen(t.values.length);
        for (const [i, v] of t.values.entries()) {
          str(v.name, `value ${i} name`);
          const ok = typeof v.value === 'bigint' &&
            (t.signed ? BigInt.asIntN(64, v.value) === v.value : BigInt.asUintN(64, v.value) === v.value);
          if (!ok) fail(`value ${i} (${String(v.value)}) does not fit in ${t.signed ? 's64' : 'u64'}`);
        }
        return;
      }
      case 'fwd':
        if (t.fwdKind !== 'struct' && t.fwdKind !== 'union') fail(`fwdKind ${String(t.fwdKind)}`);
        return;
      case 'func': {
        ref(t.type, 'type');
        const l = linkageNumber(t.linkage);
        if (l === undefined || l > this.maxVlen) fail(`linkage ${String(t.linkage)} does not fit in vlen`);
        return;
      }
      case 'func_proto':
        ref(t.returnType, 'return type');
        vlen(t.params.length);
        for (const [i, p] of t.params.entries()) {
          str(p.name, `parameter ${i} name`);
          ref(p.type, `parameter ${i} type`);
        }
        return;
      case 'var':
        ref(t.type, 'type');
        if (linkageNumber(t.linkage) === undefined) fail(`linkage ${String(t.linkage)} is not a u32`);
        return;
      case 'datasec':
        u32(t.size, 'size');
        vlen(t.vars.length);
        for (const [i, v] of t.vars.entries()) {
          ref(v.type, `var ${i} type`);
          u32(v.offset, `var ${i} offset`);
          u32(v.size, `var ${i} size`);
        }
        return;
      case 'float':
        u32(t.size, 'size');
        return;
      case 'decl_tag':
        ref(t.type, 'type');
        if (!Number.isInteger(t.componentIdx) || t.componentIdx < -0x80000000 || t.componentIdx > 0x7fffffff) fail(`component index ${t.componentIdx} is not an s32`);
        checkBool(t.attribute, 'attribute', fail);
        return;
      case 'unknown': {
        const k = t.kindNumber;
        if (!Number.isInteger(k) || k <= MAX_KNOWN_KIND || k > this.maxKind) fail(`kind number ${k} is not an unknown kind of the ${this.format} format (${MAX_KNOWN_KIND + 1}..${this.maxKind})`);
        if (!Number.isInteger(t.vlen) || t.vlen < 0) fail(`vlen ${t.vlen}`);
        vlen(t.vlen);
        checkBool(t.kindFlag, 'kindFlag', fail);
        u32(t.sizeOrType, 'size_or_type');
        if (!(t.data instanceof Uint8Array)) fail('data is not a Uint8Array');
        const l = (this.layout ?? this.base?.layout)?.[k];
        if (l === undefined) fail(`kind ${k} has no layout entry, so no parser could size it`);
        else if (l.info % 4 !== 0 || l.elem % 4 !== 0) fail(`kind ${k}: layout sizes ${l.info}/${l.elem} are not multiples of 4`);
        else if (t.data.length !== l.info + t.vlen * l.elem) fail(`data has ${t.data.length} bytes, layout says ${l.info} + ${t.vlen} x ${l.elem}`);
        return;
      }
      default: {
        const k: never = t;
        throw encodeError(`unknown kind ${JSON.stringify((k as { kind?: unknown }).kind)}`);
      }
    }
  }

  // ---- output ----

  /**
   * Write the blob: header, types, layout section (when configured), strings.
   * @throws {BtfkitError} `BTF_ENCODE` when a reference names a type that does not exist.
   */
  encode(): Uint8Array {
    return this.encodeWithStrings([]).bytes;
  }

  /**
   * Encode, with extra strings placed in the string section after the type names (what
   * `.BTF.ext` needs: section names, file names, source lines and access strings live in
   * `.BTF`'s string section).
   * @returns the blob, and the offset of each extra string in its string section
   * @throws {BtfkitError} `BTF_ENCODE` as {@link encode}.
   */
  encodeWithStrings(extra: Iterable<string>): { bytes: Uint8Array; stringOffsets: ReadonlyMap<string, number> } {
    const lastId = this.lastId;
    if (lastId > 0x7fffffff) throw encodeError(`too many types (last id ${lastId})`);
    const le = this.littleEndian;
    const strings = new StringTable(this.base, this.seed);

    let typeLen = 0;
    for (const t of this.types) typeLen += recordSize(t);
    const types = new Uint8Array(typeLen);
    const v = new DataView(types.buffer);
    let p = 0;
    const name = (s: string): number => strings.intern(s);
    let id = 0;
    let kindName = '';
    const ref = (x: number): number => {
      if (x > lastId) throw encodeError(`type [${id}] (${kindName}): referenced type ${x} does not exist (last id ${lastId})`);
      return x;
    };
    const head = (nameOff: number, kind: number, vlen: number, kflag: boolean, sizeOrType: number): void => {
      v.setUint32(p, nameOff, le);
      v.setUint32(p + 4, makeInfo(kind, vlen, kflag), le);
      v.setUint32(p + 8, sizeOrType, le);
      p += BTF_TYPE_LEN;
    };
    for (let i = 0; i < this.types.length; i++) {
      const t = this.types[i]!;
      id = this.startId + i;
      kindName = t.kind;
      const n = name(t.name);
      switch (t.kind) {
        case 'int':
          head(n, KIND.INT, 0, false, t.size);
          v.setUint32(p, ((t.encodingBits << 24) | (t.bitOffset << 16) | t.bits) >>> 0, le);
          p += 4;
          break;
        case 'ptr': head(n, KIND.PTR, 0, false, ref(t.type)); break;
        case 'typedef': head(n, KIND.TYPEDEF, 0, false, ref(t.type)); break;
        case 'volatile': head(n, KIND.VOLATILE, 0, false, ref(t.type)); break;
        case 'const': head(n, KIND.CONST, 0, false, ref(t.type)); break;
        case 'restrict': head(n, KIND.RESTRICT, 0, false, ref(t.type)); break;
        case 'type_tag': head(n, KIND.TYPE_TAG, 0, t.attribute, ref(t.type)); break;
        case 'array':
          head(n, KIND.ARRAY, 0, false, 0);
          v.setUint32(p, ref(t.type), le);
          v.setUint32(p + 4, ref(t.indexType), le);
          v.setUint32(p + 8, t.nelems, le);
          p += 12;
          break;
        case 'struct': case 'union':
          head(n, t.kind === 'struct' ? KIND.STRUCT : KIND.UNION, t.members.length, t.kindFlag, t.size);
          for (const m of t.members) {
            v.setUint32(p, name(m.name), le);
            v.setUint32(p + 4, ref(m.type), le);
            v.setUint32(p + 8, t.kindFlag ? ((m.bitfieldSize << 24) | m.bitOffset) >>> 0 : m.bitOffset, le);
            p += 12;
          }
          break;
        case 'enum':
          head(n, KIND.ENUM, t.values.length, t.signed, t.size);
          writeEnum(v, p, le, t, name);
          p += 8 * t.values.length;
          break;
        case 'enum64':
          head(n, KIND.ENUM64, t.values.length, t.signed, t.size);
          writeEnum64(v, p, le, t, name);
          p += 12 * t.values.length;
          break;
        case 'fwd': head(n, KIND.FWD, 0, t.fwdKind === 'union', 0); break;
        case 'func': head(n, KIND.FUNC, linkageNumber(t.linkage) ?? 0, false, ref(t.type)); break;
        case 'func_proto':
          head(n, KIND.FUNC_PROTO, t.params.length, false, ref(t.returnType));
          p = writeParams(v, p, le, t, name, ref);
          break;
        case 'var':
          head(n, KIND.VAR, 0, false, ref(t.type));
          v.setUint32(p, linkageNumber(t.linkage) ?? 0, le);
          p += 4;
          break;
        case 'datasec':
          head(n, KIND.DATASEC, t.vars.length, false, t.size);
          p = writeSecinfos(v, p, le, t, ref);
          break;
        case 'float': head(n, KIND.FLOAT, 0, false, t.size); break;
        case 'decl_tag':
          head(n, KIND.DECL_TAG, 0, t.attribute, ref(t.type));
          v.setInt32(p, t.componentIdx, le);
          p += 4;
          break;
        case 'unknown':
          head(n, t.kindNumber, t.vlen, t.kindFlag, t.sizeOrType);
          types.set(t.data, p);
          p += t.data.length;
          break;
        default: {
          const k: never = t;
          throw encodeError(`unknown kind ${JSON.stringify((k as { kind?: unknown }).kind)}`);
        }
      }
    }

    const stringOffsets = new Map<string, number>();
    for (const x of extra) stringOffsets.set(x, strings.intern(x));
    const strLen = strings.length;
    const layoutLen = this.layout === undefined ? 0 : 4 * this.layout.length;
    const hdrLen = this.headerLength;
    const total = hdrLen + typeLen + layoutLen + strLen;
    const out = new Uint8Array(total);
    const o = new DataView(out.buffer);
    o.setUint16(0, BTF_MAGIC, le);
    out[2] = this.version;
    out[3] = this.flags;
    o.setUint32(4, hdrLen, le);
    o.setUint32(8, 0, le); // type_off
    o.setUint32(12, typeLen, le);
    o.setUint32(16, typeLen + layoutLen, le); // str_off
    o.setUint32(20, strLen, le);
    let known = BTF_HEADER_LEN;
    if (hdrLen >= BTF_HEADER_LEN_LAYOUT) {
      o.setUint32(24, layoutLen === 0 ? 0 : typeLen, le);
      o.setUint32(28, layoutLen, le);
      known = BTF_HEADER_LEN_LAYOUT;
    }
    if (this.headerExtra !== undefined) out.set(this.headerExtra, known);
    out.set(types, hdrLen);
    if (this.layout !== undefined) {
      let q = hdrLen + typeLen;
      for (const l of this.layout) {
        out[q] = l.info;
        out[q + 1] = l.elem;
        o.setUint16(q + 2, l.flags ?? 0, le);
        q += 4;
      }
    }
    strings.writeTo(out, hdrLen + typeLen + layoutLen);
    return { bytes: out, stringOffsets };
  }
}

/** Options for {@link encodeBtf}. */
export interface EncodeBtfOptions {
  /**
   * `'preserve'` (default): keep the container's string section verbatim; decode then encode
   * reproduces canonical input byte for byte. `'rebuild'`: a fresh deduplicated table in order
   * of first use (byte-exact for libbpf-built BTF, equivalent otherwise).
   */
  readonly strings?: 'preserve' | 'rebuild';
  /** Byte order of the output (default: the container's). Unknown-kind data is copied as is. */
  readonly littleEndian?: boolean;
}

/**
 * Re-encode a decoded container (its own types; split BTF stays split on the same base).
 * Header version, flags, length and extra bytes and the layout section are kept.
 *
 * @throws {BtfParseError} when a type of the container cannot be decoded.
 * @throws {BtfkitError} `BTF_ENCODE` when a decoded type cannot be written back.
 */
export function encodeBtf(btf: Btf, options: EncodeBtfOptions = {}): Uint8Array {
  const h = btf.header;
  const layout = readLayout(btf);
  const known = h.hdrLen >= BTF_HEADER_LEN_LAYOUT ? BTF_HEADER_LEN_LAYOUT : BTF_HEADER_LEN;
  const le = options.littleEndian ?? btf.littleEndian;
  const builderOptions: BtfBuilderOptions = {
    littleEndian: le,
    format: 'extended',
    version: h.version,
    flags: h.flags,
    headerLength: h.hdrLen,
    headerExtra: btf.bytes.slice(known, h.hdrLen),
    ...(btf.base !== undefined ? { base: btf.base } : {}),
    ...(layout !== undefined ? { layout } : {}),
    ...(options.strings !== 'rebuild' ? { strings: btf.bytes.subarray(btf.strStart, btf.strStart + btf.strLen) } : {}),
  };
  const b = new BtfBuilder(builderOptions);
  for (let id = btf.startId; id <= btf.lastId; id++) b.add(btf.type(id) as BtfTypeInput);
  return b.encode();
}

/** The layout section of a container as entries, flags read in its byte order. */
function readLayout(btf: Btf): BtfLayoutEntry[] | undefined {
  const h = btf.header;
  if (h.layoutLen === 0) return undefined;
  const out: BtfLayoutEntry[] = [];
  for (let p = h.hdrLen + h.layoutOff, end = p + h.layoutLen; p + 4 <= end; p += 4) {
    out.push({ info: btf.bytes[p] ?? 0, elem: btf.bytes[p + 1] ?? 0, flags: btf.view.getUint16(p + 2, btf.littleEndian) });
  }
  return out;
}

/** The layout entries of the kinds this library knows (kinds 0..19), for a layout section. */
export function knownKindLayout(): BtfLayoutEntry[] {
  return KIND_LAYOUT.map((l) => ({ info: l.info, elem: l.elem }));
}

// ---- helpers ----

function isByte(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xff;
}

function checkBool(x: unknown, what: string, fail: (why: string) => never): void {
  if (typeof x !== 'boolean') fail(`${what} is not a boolean`);
}

function linkageNumber(l: FuncLinkage | VarLinkage): number | undefined {
  if (l === 'static') return 0;
  if (l === 'global') return 1;
  if (l === 'extern') return 2;
  return isU32(l) ? l : undefined;
}

function recordSize(t: BtfTypeInput): number {
  switch (t.kind) {
    case 'struct': case 'union': return BTF_TYPE_LEN + 12 * t.members.length;
    case 'enum': return BTF_TYPE_LEN + 8 * t.values.length;
    case 'enum64': return BTF_TYPE_LEN + 12 * t.values.length;
    case 'func_proto': return BTF_TYPE_LEN + 8 * t.params.length;
    case 'datasec': return BTF_TYPE_LEN + 12 * t.vars.length;
    case 'unknown': return BTF_TYPE_LEN + t.data.length;
    default: return BTF_TYPE_LEN + (KIND_LAYOUT[kindNumberOf(t.kind)]?.info ?? 0);
  }
}

const KIND_NUMBERS: Readonly<Record<string, number>> = {
  int: KIND.INT, ptr: KIND.PTR, array: KIND.ARRAY, fwd: KIND.FWD, typedef: KIND.TYPEDEF, volatile: KIND.VOLATILE,
  const: KIND.CONST, restrict: KIND.RESTRICT, func: KIND.FUNC, var: KIND.VAR, float: KIND.FLOAT,
  decl_tag: KIND.DECL_TAG, type_tag: KIND.TYPE_TAG,
};

function kindNumberOf(kind: string): number {
  return KIND_NUMBERS[kind] ?? 0;
}

function writeEnum(v: DataView, p: number, le: boolean, t: Omit<BtfEnum, 'id'>, name: (s: string) => number): void {
  for (const e of t.values) {
    v.setUint32(p, name(e.name), le);
    if (t.signed) v.setInt32(p + 4, e.value, le);
    else v.setUint32(p + 4, e.value, le);
    p += 8;
  }
}

function writeEnum64(v: DataView, p: number, le: boolean, t: Omit<BtfEnum64, 'id'>, name: (s: string) => number): void {
  for (const e of t.values) {
    const raw = BigInt.asUintN(64, e.value);
    v.setUint32(p, name(e.name), le);
    v.setUint32(p + 4, Number(raw & 0xffffffffn), le);
    v.setUint32(p + 8, Number(raw >> 32n), le);
    p += 12;
  }
}

function writeParams(v: DataView, p: number, le: boolean, t: Omit<BtfFuncProto, 'id'>, name: (s: string) => number, ref: (x: number) => number): number {
  for (const q of t.params) {
    v.setUint32(p, name(q.name), le);
    v.setUint32(p + 4, ref(q.type), le);
    p += 8;
  }
  return p;
}

function writeSecinfos(v: DataView, p: number, le: boolean, t: Omit<BtfDatasec, 'id'>, ref: (x: number) => number): number {
  for (const s of t.vars) {
    v.setUint32(p, ref(s.type), le);
    v.setUint32(p + 4, s.offset, le);
    v.setUint32(p + 8, s.size, le);
    p += 12;
  }
  return p;
}

/**
 * Index of a container's own string section: each string to the global offset of its first
 * occurrence. Strings are decoded exactly as {@link Btf.str} decodes them, so a decoded name
 * finds its original offset even when its bytes are not valid UTF-8.
 */
const ownStringIndexes = new WeakMap<Btf, Map<string, number>>();

function ownStringIndex(btf: Btf): Map<string, number> {
  let index = ownStringIndexes.get(btf);
  if (index === undefined) {
    index = indexStrings(btf.bytes, btf.strStart, btf.strLen, btf.startStrOff);
    ownStringIndexes.set(btf, index);
  }
  return index;
}

function indexStrings(b: Uint8Array, start: number, len: number, globalStart: number): Map<string, number> {
  const index = new Map<string, number>();
  if (len === 0) return index;
  // One decode of the whole section, split at the NULs: the UTF-8 decoder resynchronises on
  // every ASCII byte, so each piece equals the string decoded alone, except that a decoder
  // strips a byte order mark only at the start of its input (those are decoded alone).
  const pieces = utf8Decoder.decode(b.subarray(start, start + len)).split('\0');
  const end = start + len;
  let k = 0;
  for (let p = start; p < end;) {
    let e = p;
    while (e < end && b[e] !== 0) e++;
    let s = pieces[k++] ?? '';
    if (s.charCodeAt(0) === 0xfeff) s = decodeCString(b, p, end);
    if (!index.has(s)) index.set(s, globalStart + p - start);
    p = e + 1;
  }
  return index;
}

/**
 * The string section being written: an optional verbatim seed (not copied), then appended
 * strings. Lookups go to the base chain first (root first, as libbpf's `btf__find_str`),
 * then to this section.
 */
class StringTable {
  private readonly bases: Map<string, number>[] = [];
  private readonly own: Map<string, number>;
  private readonly seed: Uint8Array;
  private added = new Uint8Array(256);
  private addedLen = 0;
  private readonly startStrOff: number;

  constructor(base: Btf | undefined, seed: Uint8Array | undefined) {
    for (let b = base; b !== undefined; b = b.base) this.bases.unshift(ownStringIndex(b));
    this.startStrOff = base === undefined ? 0 : base.startStrOff + base.strLen;
    this.seed = seed ?? (base === undefined ? new Uint8Array(1) : new Uint8Array(0));
    this.own = indexStrings(this.seed, 0, this.seed.length, this.startStrOff);
    if (base !== undefined) this.own.delete('');
  }

  /** Length of the section. */
  get length(): number {
    return this.seed.length + this.addedLen;
  }

  intern(s: string): number {
    if (s === '') return 0;
    for (const b of this.bases) {
      const off = b.get(s);
      if (off !== undefined) return off;
    }
    const known = this.own.get(s);
    if (known !== undefined) return known;
    const off = this.startStrOff + this.length;
    // ASCII is written directly; anything else through the UTF-8 encoder (at most 3 bytes
    // per UTF-16 unit).
    const n = s.length;
    if (this.addedLen + 3 * n + 1 > this.added.length) {
      const next = new Uint8Array(Math.max(this.added.length * 2, this.addedLen + 3 * n + 1));
      next.set(this.added.subarray(0, this.addedLen));
      this.added = next;
    }
    const buf = this.added;
    let p = this.addedLen;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i < n) p = this.addedLen + utf8Encoder.encodeInto(s, buf.subarray(this.addedLen)).written;
    buf[p] = 0;
    this.addedLen = p + 1;
    this.own.set(s, off);
    return off;
  }

  /** Copy the section into `out` at `at`. */
  writeTo(out: Uint8Array, at: number): void {
    out.set(this.seed, at);
    out.set(this.added.subarray(0, this.addedLen), at + this.seed.length);
  }
}
