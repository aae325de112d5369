/**
 * BTF wire format: header layout, kind numbers, per-kind record sizes and bit helpers.
 * Everything that knows about `info`, `vlen` and name offsets lives here (ARCHITECTURE.md rule 5).
 *
 * Reference: include/uapi/linux/btf.h and Documentation/bpf/btf.rst in the Linux tree.
 */

/** `0xEB9F`, read in the blob's byte order. */
export const BTF_MAGIC = 0xeb9f;
/** Classic header length (no layout section fields). */
export const BTF_HEADER_LEN = 24;
/** Header length with the layout section fields (upstream, 2026). */
export const BTF_HEADER_LEN_LAYOUT = 32;
/** Size of `struct btf_type`. */
export const BTF_TYPE_LEN = 12;

/** Whether this host is little-endian (typed arrays read words in host order). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Kind numbers (`BTF_KIND_*`). */
export const KIND = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  /** Added in Linux 5.0. */
  FUNC: 12,
  /** Added in Linux 5.0. */
  FUNC_PROTO: 13,
  /** Added in Linux 5.2. */
  VAR: 14,
  /** Added in Linux 5.2. */
  DATASEC: 15,
  /** Added in Linux 5.13. */
  FLOAT: 16,
  /** Added in Linux 5.16. */
  DECL_TAG: 17,
  /** Added in Linux 5.17. */
  TYPE_TAG: 18,
  /** Added in Linux 6.0. */
  ENUM64: 19,
} as const;

/** Highest kind number this library understands. */
export const MAX_KNOWN_KIND = KIND.ENUM64;

/** Upper-case kind names as bpftool prints them, indexed by kind number. */
export const KIND_NAMES_UPPER: readonly string[] = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST',
  'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
];

/**
 * Bytes after the 12-byte `btf_type` for each kind: a fixed part plus `vlen` elements.
 * Mirrors libbpf's `layouts[]` table. `undefined` for kinds we do not know.
 */
export const KIND_LAYOUT: readonly { readonly info: number; readonly elem: number }[] = [
  /* UNKN */ { info: 0, elem: 0 },
  /* INT */ { info: 4, elem: 0 },
  /* PTR */ { info: 0, elem: 0 },
  /* ARRAY */ { info: 12, elem: 0 },
  /* STRUCT */ { info: 0, elem: 12 },
  /* UNION */ { info: 0, elem: 12 },
  /* ENUM */ { info: 0, elem: 8 },
  /* FWD */ { info: 0, elem: 0 },
  /* TYPEDEF */ { info: 0, elem: 0 },
  /* VOLATILE */ { info: 0, elem: 0 },
  /* CONST */ { info: 0, elem: 0 },
  /* RESTRICT */ { info: 0, elem: 0 },
  /* FUNC */ { info: 0, elem: 0 },
  /* FUNC_PROTO */ { info: 0, elem: 8 },
  /* VAR */ { info: 4, elem: 0 },
  /* DATASEC */ { info: 0, elem: 12 },
  /* FLOAT */ { info: 0, elem: 0 },
  /* DECL_TAG */ { info: 4, elem: 0 },
  /* TYPE_TAG */ { info: 0, elem: 0 },
  /* ENUM64 */ { info: 0, elem: 12 },
];

/** Kind from `info` (7 bits: classic kernels only used 5 and rejected the rest). */
export const infoKind = (info: number): number => (info >>> 24) & 0x7f;
/** vlen from `info` (24 bits in the upstream 2026 format, 16 classically). */
export const infoVlen = (info: number): number => info & 0xffffff;
/** kind_flag from `info`. */
export const infoKindFlag = (info: number): boolean => info >>> 31 === 1;
/** Build an `info` word. */
export const makeInfo = (kind: number, vlen: number, kindFlag: boolean): number =>
  ((kindFlag ? 0x80000000 : 0) | ((kind & 0x7f) << 24) | (vlen & 0xffffff)) >>> 0;

/** INT encoding bits (`BTF_INT_SIGNED` etc.), bits 24-27 of the INT word. */
export const INT_SIGNED = 1;
export const INT_CHAR = 2;
export const INT_BOOL = 4;
export const intEncoding = (word: number): number => (word >>> 24) & 0x0f;
export const intOffset = (word: number): number => (word >>> 16) & 0xff;
export const intBits = (word: number): number => word & 0xff;

/** Member bit offset when the struct has kind_flag set. */
export const memberBitOffset = (offset: number): number => offset & 0xffffff;
/** Member bitfield size when the struct has kind_flag set (0: not a bitfield). */
export const memberBitfieldSize = (offset: number): number => offset >>> 24;

/** Parsed BTF header, offsets relative to the end of the header. */
export interface BtfHeader {
  readonly magic: number;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
  readonly layoutOff: number;
  readonly layoutLen: number;
}
