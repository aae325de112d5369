/**
 * CO-RE relocation kinds: `enum bpf_core_relo_kind` of include/uapi/linux/bpf.h. These ABI
 * numbers are the truth (FIELD_BYTE_OFFSET = 0, FIELD_BYTE_SIZE = 1, FIELD_EXISTS = 2, ...
 * TYPE_MATCHES = 12); the log tags are libbpf's (`core_relo_kind_str` in relo_core.c).
 */

/** Relocation kinds by ABI number. */
export const RELO_KIND = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

/** A relocation kind name (`FIELD_BYTE_OFFSET`, ...). */
export type ReloKindName = keyof typeof RELO_KIND;

const NAMES = Object.keys(RELO_KIND) as ReloKindName[];
const TAGS = ['byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id', 'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches'];

/** The kind's name, or `UNKNOWN(n)`. */
export function reloKindName(kind: number): string {
  return NAMES[kind] ?? `UNKNOWN(${kind})`;
}

/** libbpf's log tag for the kind (`byte_off`, ...; `unknown` for unknown kinds). */
export function reloKindTag(kind: number): string {
  return TAGS[kind] ?? 'unknown';
}

/** Field-based kinds (0..5): the access string is a path. */
export const isFieldKind = (kind: number): boolean => kind >= 0 && kind <= 5;
/** Type-based kinds (6..9, 12): the access string is "0". */
export const isTypeKind = (kind: number): boolean => (kind >= 6 && kind <= 9) || kind === 12;
/** Enum-value kinds (10, 11): the access string is an enumerator index. */
export const isEnumKind = (kind: number): boolean => kind === 10 || kind === 11;
