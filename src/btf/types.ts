/**
 * The BTF type model: plain, immutable data, one interface per kind, discriminated on `kind`
 * (ARCHITECTURE.md rule 5).
 *
 * References between types are {@link TypeId}s, resolved through the container
 * ({@link Btf.type}). The model is therefore cycle-free and `structuredClone`-able.
 *
 * Identity, equivalence and compatibility, written down once:
 * - *Identity*: two types are the same type when they have the same id in the same container.
 * - *Equivalence* (what the encoder preserves): the same kind, fields and referenced ids.
 * - *CO-RE compatibility* is decided by the CO-RE engine on essential names and shapes, never
 *   on ids (core-spec section 5).
 *
 * @packageDocumentation
 */
import type { Bits, Bytes, TypeId } from '../binary/units.js';

/** Every BTF kind, as a string. */
export type BtfKind =
  | 'void' | 'int' | 'ptr' | 'array' | 'struct' | 'union' | 'enum' | 'fwd' | 'typedef' | 'volatile'
  | 'const' | 'restrict' | 'func' | 'func_proto' | 'var' | 'datasec' | 'float' | 'decl_tag'
  | 'type_tag' | 'enum64' | 'unknown';

/** Kind names indexed by wire kind number. */
export const KIND_BY_NUMBER: readonly BtfKind[] = [
  'void', 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const',
  'restrict', 'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64',
];

/** Wire kind number for a kind name (`unknown` has none: -1). */
export function kindNumber(kind: BtfKind): number {
  return KIND_BY_NUMBER.indexOf(kind);
}

interface TypeBase {
  /** Id of this type in its container. */
  readonly id: TypeId;
  /** Name, `''` when anonymous. */
  readonly name: string;
}

/** The implicit type 0. */
export interface BtfVoid extends TypeBase { readonly kind: 'void' }

/** How an INT is to be interpreted (at most one of these is set in valid BTF). */
export type IntEncoding = 'none' | 'signed' | 'char' | 'bool' | 'mixed';

/** BTF_KIND_INT. */
export interface BtfInt extends TypeBase {
  readonly kind: 'int';
  readonly size: Bytes;
  /** Raw encoding bits (`BTF_INT_SIGNED` = 1, `CHAR` = 2, `BOOL` = 4). */
  readonly encodingBits: number;
  readonly signed: boolean;
  /** Bit offset inside the storage (old-style bitfields; 0 in practice). */
  readonly bitOffset: Bits;
  /** Number of value bits. */
  readonly bits: Bits;
}

/** BTF_KIND_PTR. */
export interface BtfPtr extends TypeBase { readonly kind: 'ptr'; readonly type: TypeId }

/** BTF_KIND_ARRAY. */
export interface BtfArray extends TypeBase {
  readonly kind: 'array';
  /** Element type. */
  readonly type: TypeId;
  readonly indexType: TypeId;
  readonly nelems: number;
}

/** A struct or union member. */
export interface BtfMember {
  readonly name: string;
  readonly type: TypeId;
  /** Offset of the member from the start of the struct. */
  readonly bitOffset: Bits;
  /** Bitfield width; 0 when the member is not a (kind_flag) bitfield. */
  readonly bitfieldSize: Bits;
}

/** BTF_KIND_STRUCT and BTF_KIND_UNION. */
export interface BtfComposite extends TypeBase {
  readonly kind: 'struct' | 'union';
  readonly size: Bytes;
  /** The kind_flag: member offsets carry bitfield sizes in their top 8 bits. */
  readonly kindFlag: boolean;
  readonly members: readonly BtfMember[];
}

/** An enumerator. `value` is a number for ENUM and a bigint for ENUM64. */
export interface BtfEnumValue<V> { readonly name: string; readonly value: V }

/** BTF_KIND_ENUM: 32-bit values. */
export interface BtfEnum extends TypeBase {
  readonly kind: 'enum';
  readonly size: Bytes;
  /** kind_flag: values are signed. */
  readonly signed: boolean;
  /** Values as stored: signed 32-bit when `signed`, else unsigned 32-bit. */
  readonly values: readonly BtfEnumValue<number>[];
}

/** BTF_KIND_ENUM64: 64-bit values. */
export interface BtfEnum64 extends TypeBase {
  readonly kind: 'enum64';
  readonly size: Bytes;
  readonly signed: boolean;
  /** Values as signed 64-bit when `signed`, else unsigned 64-bit. */
  readonly values: readonly BtfEnumValue<bigint>[];
}

/** BTF_KIND_FWD. */
export interface BtfFwd extends TypeBase { readonly kind: 'fwd'; readonly fwdKind: 'struct' | 'union' }

/** Typedef and the modifiers: each just names another type. */
export interface BtfRef extends TypeBase {
  readonly kind: 'typedef' | 'volatile' | 'const' | 'restrict';
  readonly type: TypeId;
}

/** BTF_KIND_TYPE_TAG: a modifier carrying an attribute string in `name`. */
export interface BtfTypeTag extends TypeBase {
  readonly kind: 'type_tag';
  readonly type: TypeId;
  /** kind_flag: the tag is a raw attribute rather than `btf_type_tag("...")`. */
  readonly attribute: boolean;
}

/** Function linkage (`BTF_FUNC_*`). Unknown values are kept as numbers. */
export type FuncLinkage = 'static' | 'global' | 'extern' | number;

/** BTF_KIND_FUNC. */
export interface BtfFunc extends TypeBase {
  readonly kind: 'func';
  /** The FUNC_PROTO. */
  readonly type: TypeId;
  readonly linkage: FuncLinkage;
}

/** A function parameter. A trailing `{ name: '', type: 0 }` marks varargs. */
export interface BtfParam { readonly name: string; readonly type: TypeId }

/** BTF_KIND_FUNC_PROTO. */
export interface BtfFuncProto extends TypeBase {
  readonly kind: 'func_proto';
  /** Return type, 0 for void. */
  readonly returnType: TypeId;
  readonly params: readonly BtfParam[];
}

/** Variable linkage (`BTF_VAR_*`). Unknown values are kept as numbers. */
export type VarLinkage = 'static' | 'global' | 'extern' | number;

/** BTF_KIND_VAR. */
export interface BtfVar extends TypeBase {
  readonly kind: 'var';
  readonly type: TypeId;
  readonly linkage: VarLinkage;
}

/** One variable placed in a DATASEC. */
export interface BtfVarSecinfo { readonly type: TypeId; readonly offset: Bytes; readonly size: Bytes }

/** BTF_KIND_DATASEC. */
export interface BtfDatasec extends TypeBase {
  readonly kind: 'datasec';
  readonly size: Bytes;
  readonly vars: readonly BtfVarSecinfo[];
}

/** BTF_KIND_FLOAT. */
export interface BtfFloat extends TypeBase { readonly kind: 'float'; readonly size: Bytes }

/** BTF_KIND_DECL_TAG. */
export interface BtfDeclTag extends TypeBase {
  readonly kind: 'decl_tag';
  /** The tagged declaration. */
  readonly type: TypeId;
  /** -1: the declaration itself; otherwise a member or parameter index. */
  readonly componentIdx: number;
  /** kind_flag: the tag is a raw attribute. */
  readonly attribute: boolean;
}

/**
 * A kind this library does not know, sized through the BTF layout section. Kept so ids stay
 * right; never relocated against.
 */
export interface BtfUnknown extends TypeBase {
  readonly kind: 'unknown';
  readonly kindNumber: number;
  readonly vlen: number;
  readonly kindFlag: boolean;
  /** The `size_or_type` word. */
  readonly sizeOrType: number;
  /** Bytes after the 12-byte header (fixed part and vlen elements). */
  readonly data: Uint8Array;
}

/** Any BTF type. */
export type BtfType =
  | BtfVoid | BtfInt | BtfPtr | BtfArray | BtfComposite | BtfEnum | BtfEnum64 | BtfFwd | BtfRef
  | BtfTypeTag | BtfFunc | BtfFuncProto | BtfVar | BtfDatasec | BtfFloat | BtfDeclTag | BtfUnknown;

/** Fails to compile when a `switch` over kinds misses one. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
