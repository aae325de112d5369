/**
 * Access specs: the parsed form of a CO-RE record's access string against a BTF, and its
 * libbpf-format text. Follows `bpf_core_parse_spec()` and `bpf_core_format_spec()` of libbpf's
 * relo_core.c (https://github.com/libbpf/libbpf/blob/master/src/relo_core.c).
 *
 * Worked example: `struct sample { int a; int b; struct { int c[10]; }; }` and the access
 * string "1:2:0:5" (C: `&s[1].c[5]`): raw indices [1, 2, 0, 5]; the first index treats the
 * root pointer as an array (bit offset 1 * sizeof(struct sample) * 8); 2 selects the anonymous
 * member (no high-level accessor: anonymous members are flattened); 0 selects `c` (accessor
 * `.c`); 5 is an array element (accessor `[5]`). Formatted: `<byte_off> [N] struct
 * sample[1].c[5] (1:2:0:5 @ offset 52)`.
 */
import { CoreRelocationError } from '../errors.js';
import type { Btf } from '../btf/btf.js';
import { typeId, type TypeId } from '../binary/units.js';
import { isEnumKind, isFieldKind, isTypeKind, reloKindTag } from './kinds.js';

/** Longest access path libbpf accepts (BPF_CORE_SPEC_MAX_LEN). */
export const MAX_SPEC_LEN = 64;

/** One high-level step of a spec: a named member, an array element or the root. */
export interface SpecAccessor {
  /** For members: the containing composite; for elements: the element type; for the root: the stripped root. */
  readonly typeId: TypeId;
  readonly idx: number;
  /** Member or enumerator name; undefined for array elements and the root. */
  readonly name: string | undefined;
}

/** A parsed access spec (libbpf's `struct bpf_core_spec`). */
export interface AccessSpec {
  readonly btf: Btf;
  /** As in the record: not modifier-stripped. */
  readonly rootTypeId: TypeId;
  readonly kind: number;
  /** Every index of the access string. */
  readonly raw: readonly number[];
  /** High-level accessors (anonymous members flattened). */
  readonly accessors: readonly SpecAccessor[];
  /** Bit offset of the accessed field from the root pointer (field kinds). */
  readonly bitOffset: number;
}

/** Input of {@link parseAccessSpec}: the record's fields. */
export interface SpecInput {
  readonly typeId: number;
  readonly accessString: string;
  readonly kind: number;
}

/**
 * Parse the indices of an access string as libbpf does (sscanf `%d` per index, `:` between).
 * Returns the errno name on failure.
 */
export function parseAccessIndices(s: string): number[] | 'EINVAL' | 'E2BIG' {
  if (s === '' || s[0] === ':') return 'EINVAL';
  const out: number[] = [];
  let p = 0;
  while (p < s.length) {
    if (s[p] === ':') p++;
    // sscanf("%d"): optional white space, optional sign, at least one digit
    while (p < s.length && /\s/.test(s[p]!)) p++;
    let neg = false;
    if (s[p] === '+' || s[p] === '-') { neg = s[p] === '-'; p++; }
    const start = p;
    let v = 0;
    while (p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) {
      v = Math.min(v * 10 + (s.charCodeAt(p) - 48), 2 ** 63);
      p++;
    }
    if (p === start) return 'EINVAL';
    // glibc converts through a long and stores the low 32 bits into the int
    const n = Number(BigInt.asIntN(32, BigInt(Math.min(v, 2 ** 63 - 1)) * (neg ? -1n : 1n)));
    if (n < 0) return 'EINVAL';
    if (out.length === MAX_SPEC_LEN) return 'E2BIG';
    out.push(n);
  }
  return out.length === 0 ? 'EINVAL' : out;
}

/**
 * Parse a record's access string against `btf` (the local BTF for local specs).
 * @throws {CoreRelocationError} with libbpf's errno name (EINVAL, E2BIG) when libbpf would fail.
 */
export function parseAccessSpec(btf: Btf, relo: SpecInput, where: { program?: string; reloIndex?: number } = {}): AccessSpec {
  const fail = (why: string, errno = 'EINVAL'): never => {
    throw new CoreRelocationError(`parsing [${relo.typeId}] access string "${relo.accessString}" failed: ${why}`, {
      ...where, kind: relo.kind, localType: relo.typeId, accessSpec: relo.accessString, errno,
    });
  };
  if (!btf.hasType(relo.typeId) || relo.typeId === 0) fail(`type id ${relo.typeId} does not exist`);
  const root = typeId(relo.typeId);
  if (isTypeKind(relo.kind)) {
    if (relo.accessString !== '0') fail('type-based relocations need access string "0"');
    return { btf, rootTypeId: root, kind: relo.kind, raw: [], accessors: [], bitOffset: 0 };
  }
  const raw = parseAccessIndices(relo.accessString);
  if (typeof raw === 'string') return fail('malformed access string', raw);
  let id = btf.skipModsAndTypedefs(root);
  const accessors: SpecAccessor[] = [{ typeId: id, idx: raw[0]!, name: undefined }];
  if (isEnumKind(relo.kind)) {
    const t = btf.type(id);
    if ((t.kind !== 'enum' && t.kind !== 'enum64') || raw.length > 1 || raw[0]! >= t.values.length) fail('not an enumerator of an enum');
    const e = (btf.type(id) as { values: readonly { name: string }[] }).values[raw[0]!]!;
    accessors[0] = { typeId: id, idx: raw[0]!, name: e.name };
    return { btf, rootTypeId: root, kind: relo.kind, raw, accessors, bitOffset: 0 };
  }
  if (!isFieldKind(relo.kind)) fail(`unknown relocation kind ${relo.kind}`);
  const sizeOf = (t: TypeId): number => {
    try {
      return btf.resolveSize(t);
    } catch {
      return fail(`cannot resolve the size of [${t}]`);
    }
  };
  let bitOffset = raw[0]! * sizeOf(id) * 8;
  for (let i = 1; i < raw.length; i++) {
    id = btf.skipModsAndTypedefs(id);
    const t = btf.type(id);
    const idx = raw[i]!;
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[idx];
      if (m === undefined) return fail(`member index ${idx} out of range for [${id}] (vlen ${t.members.length})`);
      bitOffset += m.bitOffset;
      if (btf.memberNameOffOf(id, idx) !== 0) {
        if (m.name === '') fail(`member #${idx} of [${id}] has an invalid name`);
        accessors.push({ typeId: id, idx, name: m.name });
      }
      id = m.type;
    } else if (t.kind === 'array') {
      const elem = btf.skipModsAndTypedefs(t.type);
      const prev = accessors[accessors.length - 1]!;
      const flex = prev.name !== undefined && t.nelems === 0 && isLastMember(btf, prev);
      if (!flex && idx >= t.nelems) fail(`array index ${idx} out of range (${t.nelems} elements)`);
      accessors.push({ typeId: elem, idx, name: undefined });
      bitOffset += idx * sizeOf(elem) * 8;
      id = elem;
    } else {
      fail(`relo for [${relo.typeId}] (at idx ${i}) captures type [${id}] of unexpected kind ${t.kind}`);
    }
  }
  return { btf, rootTypeId: root, kind: relo.kind, raw, accessors, bitOffset };
}

function isLastMember(btf: Btf, acc: SpecAccessor): boolean {
  const t = btf.type(acc.typeId);
  return (t.kind === 'struct' || t.kind === 'union') && acc.idx === t.members.length - 1;
}

/**
 * libbpf's text for a spec (`bpf_core_format_spec`), e.g. `<byte_off> [5] struct
 * task_struct.tgid (0:93 @ offset 1268)`. Like libbpf's 256-byte buffer, the text stops at
 * 255 bytes (of UTF-8).
 */
export function formatSpec(spec: AccessSpec): string {
  return truncateUtf8(`<${reloKindTag(spec.kind)}> ${formatSpecText(spec)}`, 255);
}

/** {@link formatSpec} without its `<kind> ` tag: `[5] struct task_struct.tgid (0:93 @ offset 1268)`. */
export function formatSpecBody(spec: AccessSpec): string {
  return formatSpec(spec).slice(reloKindTag(spec.kind).length + 3);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function truncateUtf8(s: string, max: number): string {
  if (s.length * 3 <= max) return s; // no UTF-16 unit takes more than 3 UTF-8 bytes
  const b = encoder.encode(s);
  if (b.length <= max) return s;
  // snprintf cuts bytes, possibly inside a character; a replacement character shows where
  return decoder.decode(b.subarray(0, max));
}

function formatSpecText(spec: AccessSpec): string {
  const { btf } = spec;
  const rootName = btf.nameOf(spec.rootTypeId);
  let s = `[${spec.rootTypeId}] ${btf.kindOf(spec.rootTypeId)} ${rootName === '' ? '<anon>' : rootName}`;
  if (isTypeKind(spec.kind)) return s;
  if (isEnumKind(spec.kind)) {
    const t = btf.type(btf.skipModsAndTypedefs(spec.rootTypeId));
    if (t.kind === 'enum' || t.kind === 'enum64') {
      const e = t.values[spec.raw[0] ?? 0];
      if (e !== undefined) s += `::${e.name} = ${e.value}`;
    }
    return s;
  }
  spec.accessors.forEach((a, i) => {
    if (a.name !== undefined) s += `.${a.name}`;
    else if (i > 0 || a.idx > 0) s += `[${a.idx}]`;
  });
  s += ` (${spec.raw.join(':')}`;
  s += spec.bitOffset % 8 !== 0 ? ` @ offset ${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8})` : ` @ offset ${spec.bitOffset / 8})`;
  return s;
}
