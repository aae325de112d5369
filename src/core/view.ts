/**
 * Host-side relocatable views: read the fields of raw kernel memory (struct bytes a BPF program
 * copied into a ring-buffer event, a map value, a core dump) with the layout of the kernel the
 * bytes came from, and get the same {@link ReadOutcome} the in-kernel safe read returns.
 *
 * ```ts
 * const task = relocatableView(vmlinux, 'struct task_struct', eventBytes);
 * task.read('pid');                            // Ok(Some(1234n))
 * task.read('comm', { as: 'string' });         // Ok(Some('bash'))
 * task.read('in_user_fault');                  // Ok(None) on 6.12: the bitfield is gone
 * task.read('pid', { expectedSize: 8 });       // Err(SizeMismatch { expected: 8, actual: 4 })
 * task.sub('se').read('vruntime');             // the same as task.read('se.vruntime')
 * ```
 *
 * Every fact comes from the CO-RE engine (spec → match → calc, the pipeline of {@link query}):
 * the offset is FIELD_BYTE_OFFSET, the size FIELD_BYTE_SIZE, presence FIELD_EXISTS, and integers
 * are decoded as BPF_CORE_READ_BITFIELD decodes them (the FIELD_BYTE_SIZE bytes at
 * FIELD_BYTE_OFFSET as an unsigned integer in the kernel's byte order, `<< FIELD_LSHIFT_U64`,
 * then `>> FIELD_RSHIFT_U64`, arithmetic when FIELD_SIGNED). With a `local` type the paths are
 * those of the local type and each answer is what libbpf patches into a program that was
 * compiled with that type; without one the target type is its own local type.
 *
 * The one difference from {@link query}: the target type is the one the bytes are of (the
 * `type` argument), so the local type is matched against that type only, not against every
 * type of the same essential name (libbpf's candidate search, which could pick another type or
 * find two that disagree). When libbpf's candidate is that type, the answers are the same.
 *
 * @packageDocumentation
 */
import type { Btf } from '../btf/btf.js';
import { essentialName } from '../btf/btf.js';
import type { BtfKind, BtfType } from '../btf/types.js';
import type { TypeId } from '../binary/units.js';
import { BtfkitError, CoreRelocationError, ErrorCodes } from '../errors.js';
import { calcRelocation, CalcError } from './calc.js';
import { RELO_KIND } from './kinds.js';
import { matchCandidate, MatchError } from './match.js';
import { none, probeReadError, sizeMismatch, some, type ReadOutcome } from './outcome.js';
import { resolveLocalType, type LocalType } from './query.js';
import { formatSpecBody, MAX_SPEC_LEN, parseAccessSpec, type AccessSpec } from './spec.js';

/** EFAULT: what `bpf_probe_read_kernel` returns (negated) for memory it cannot read. */
const EFAULT = 14;

/** Options of {@link relocatableView}. */
export interface ViewOptions {
  /**
   * The type the reader was written against (an object's `.BTF`, or one built with
   * `BtfBuilder`). Paths are resolved on it and matched to the target as CO-RE matches; a path
   * the local type lacks is an error, a field the target lacks is `Ok(None)`.
   */
  readonly local?: LocalType;
  /** Byte order of the bytes (default: the target BTF's, `Btf.littleEndian`). */
  readonly littleEndian?: boolean;
}

/** How {@link RelocatableView.read} returns a value. */
export type ReadAs = 'bigint' | 'number' | 'string' | 'bytes';

/** Options of {@link RelocatableView.read}. */
export interface ReadOptions {
  /**
   * The size the reader was written for, compared with FIELD_BYTE_SIZE: a different size is
   * `Err(SizeMismatch)`, nothing is read. A bitfield (of the local type) is read into a u64
   * whatever the load that holds it, as in an emitted program's safe read: its expected size is
   * 8, and another one is an error.
   */
  readonly expectedSize?: number;
  /**
   * - `bigint` (the default for integers, enums and pointers);
   * - `number`: integers whose width on the target is at most 53 bits (so every value is exact;
   *   wider fields are an error whatever their value), and floats (their default);
   * - `string`: an array of 1-byte integers (`char comm[16]`), up to its first NUL, as UTF-8;
   * - `bytes` (the default for arrays, structs and unions): the field's bytes, a subarray of the
   *   view's bytes (no copy). Not for bitfields.
   */
  readonly as?: ReadAs;
}

/** What a read returns by default: integers, enums and pointers as bigint, floats as number, the rest as bytes. */
export type ViewValue = bigint | number | Uint8Array;

/** What CO-RE says about one field of the target, relative to a view. */
export interface ViewField {
  /** FIELD_BYTE_OFFSET from the start of the view (for a bitfield: of the load that holds it). */
  readonly offset: number;
  /** FIELD_BYTE_SIZE (for a bitfield: the size of the load that holds it). */
  readonly size: number;
  /** FIELD_SIGNED (for an array element or the view itself: the signedness of its type). */
  readonly signed: boolean;
  /** The field is a bitfield (a member with a bitfield size). */
  readonly bitfield: boolean;
  /**
   * FIELD_LSHIFT_U64, for integers, enums and pointers of at most 8 bytes. libbpf computes the
   * shifts for struct and union members only; for an array element (`comm[3]`) or the view
   * itself they are those of a whole-width load (`64 - 8 * size`).
   */
  readonly lshift: number | undefined;
  /** FIELD_RSHIFT_U64, likewise. `64 - rshift` is the number of value bits. */
  readonly rshift: number | undefined;
  /** Kind of the field's type on the target, typedefs and modifiers skipped. */
  readonly kind: BtfKind;
  /** The field's type in the target BTF, typedefs and modifiers skipped. */
  readonly typeId: TypeId;
  /** The CO-RE access string on the local type (`0:61:3`). */
  readonly accessString: string;
  /** libbpf's text for the target spec, e.g. `[193] struct task_struct.pid (0:83 @ offset 2416)`. */
  readonly targetSpec: string;
}

/**
 * A view of the bytes of one object of a target kernel's type. Paths are C-like: `pid`,
 * `se.vruntime`, `comm[3]`, members of anonymous structs and unions by their own names (as
 * clang finds them), `''` for the object itself. A path never crosses a pointer (the pointee is
 * not in the bytes): that is an error, as is a path the local type does not have.
 */
export interface RelocatableView {
  /** The target BTF. */
  readonly btf: Btf;
  /** The target type the bytes are of (the root's, for a view made by {@link sub}). */
  readonly typeId: TypeId;
  /** The local type paths are resolved on (the target type itself when none was given). */
  readonly local: { readonly btf: Btf; readonly type: TypeId };
  /** Byte order the bytes are decoded in. */
  readonly littleEndian: boolean;
  /** Path of this view from the root view (`''` for the root). */
  readonly path: string;

  /**
   * Read a field: `Ok(None)` when the target does not have it, `Err(SizeMismatch)` when its
   * size differs from `expectedSize`, `Err(ProbeRead(14))` (EFAULT) when it does not lie
   * within the bytes, else `Ok(Some(value))`.
   * @throws {BtfkitError} for a path that is malformed, crosses a pointer or is not in the
   * local type (`CORE_BAD_RELO`), or an `as` the field's type cannot give (`BTF_BAD_QUERY`).
   */
  read(path: string, options: ReadOptions & { readonly as: 'bigint' }): ReadOutcome<bigint>;
  read(path: string, options: ReadOptions & { readonly as: 'number' }): ReadOutcome<number>;
  read(path: string, options: ReadOptions & { readonly as: 'string' }): ReadOutcome<string>;
  read(path: string, options: ReadOptions & { readonly as: 'bytes' }): ReadOutcome<Uint8Array>;
  read(path: string, options?: ReadOptions): ReadOutcome<ViewValue>;
  /** FIELD_EXISTS. */
  exists(path: string): boolean;
  /** FIELD_BYTE_OFFSET from the start of this view, `undefined` when the target lacks the field. */
  offsetOf(path: string): number | undefined;
  /** FIELD_BYTE_SIZE, `undefined` when the target lacks the field. */
  sizeOf(path: string): number | undefined;
  /** Every CO-RE fact about a field, `undefined` when the target lacks it. */
  field(path: string): ViewField | undefined;
  /**
   * A view of a struct, union or array member: `view.sub('se').read('vruntime')` is
   * `view.read('se.vruntime')`. When the target lacks the member, every read of the sub-view
   * is `Ok(None)`.
   * @throws {BtfkitError} like {@link read}, and for a member of another kind.
   */
  sub(path: string): RelocatableView;
}

/**
 * A view of `bytes` as an object of `type` of the `target` kernel.
 *
 * @param type  a type id of `target`, or a C name (`struct task_struct`, `union x`, `enum x`,
 *              `typedef x`, or a plain name), found by its essential name as CO-RE finds
 *              candidates: `struct task_struct___v5_8` is the target's `struct task_struct`.
 * @throws {BtfkitError} `BTF_BAD_QUERY` for a name with no (or more than one) such type, an
 * id the target does not have, or `bytes` that are not a Uint8Array; `CORE_BAD_RELO` for a
 * local type that CO-RE would never match with the target type.
 */
export function relocatableView(target: Btf, type: string | number, bytes: Uint8Array, options: ViewOptions = {}): RelocatableView {
  const bad = (what: string, v: unknown): never => {
    throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `relocatableView: ${what}, not ${describeValue(v)}`);
  };
  if (!isBtf(target)) bad('the target must be a Btf', target);
  if (!(bytes instanceof Uint8Array)) bad('the bytes must be a Uint8Array', bytes);
  if (options.littleEndian !== undefined && typeof options.littleEndian !== 'boolean') bad('littleEndian must be a boolean', options.littleEndian);
  if (options.local !== undefined && (typeof options.local !== 'object' || options.local === null || !isBtf(options.local.btf))) bad('local must be { btf, type }', options.local);
  const root = resolveTargetType(target, type);
  const le = options.littleEndian ?? target.littleEndian;
  let local: { btf: Btf; type: TypeId };
  if (options.local !== undefined) {
    const lt = resolveLocalType(options.local);
    if (lt === 0 || !options.local.btf.hasType(lt)) throw new CoreRelocationError(`no local type [${lt}]`, { localType: lt, errno: 'ENOENT' });
    checkCandidate(options.local.btf, lt, target, root);
    local = { btf: options.local.btf, type: lt };
  } else {
    local = { btf: target, type: root };
  }
  return new View(new Layout(target, root, local, options.local !== undefined, le), bytes, []);
}

// ---- paths ----

type Step = { readonly member: string } | { readonly index: number };

function stepsText(steps: readonly Step[]): string {
  let s = '';
  for (const st of steps) s += 'member' in st ? (s === '' ? st.member : `.${st.member}`) : `[${st.index}]`;
  return s;
}

function parsePath(path: string): Step[] {
  if (typeof path !== 'string') throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `a view path must be a string, not ${describeValue(path)}`);
  const steps: Step[] = [];
  let rest = path.trim();
  if (rest.startsWith('.')) rest = rest.slice(1);
  const bad = (why: string): never => {
    throw new CoreRelocationError(`access path '${path}': ${why}`, { accessSpec: path, errno: 'EINVAL' });
  };
  while (rest.length > 0) {
    if (rest.startsWith('->')) {
      bad('\'->\' dereferences a pointer, and a view holds the bytes of one object only: read the pointer, copy what it points to, and view that');
    }
    const member = (steps.length === 0 ? /^([A-Za-z_][A-Za-z0-9_]*)/ : /^\.([A-Za-z_][A-Za-z0-9_]*)/).exec(rest);
    const index = /^\[\s*(\d+)\s*\]/.exec(rest);
    if (member !== null) {
      steps.push({ member: member[1]! });
      rest = rest.slice(member[0].length);
    } else if (index !== null) {
      const n = Number(index[1]);
      if (!Number.isSafeInteger(n) || n > 0x7fffffff) bad(`index [${index[1]}] is too large`);
      steps.push({ index: n });
      rest = rest.slice(index[0].length);
    } else {
      bad(`cannot parse '${rest}'`);
    }
  }
  return steps;
}

/** The member `name` of a struct/union, searched inside anonymous members as clang does. */
function findMember(btf: Btf, id: number, name: string, depth = 0): { path: number[]; type: number } | undefined {
  // a struct cannot contain itself, but hostile BTF can say it does
  if (depth > MAX_SPEC_LEN) throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `type [${id}]: anonymous members nested deeper than ${MAX_SPEC_LEN}`);
  const t = btf.type(btf.skipModsAndTypedefs(id));
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (m.name === name) return { path: [i], type: m.type };
    if (m.name === '') {
      const inner = findMember(btf, m.type, name, depth + 1);
      if (inner !== undefined) return { path: [i, ...inner.path], type: inner.type };
    }
  }
  return undefined;
}

const describeType = (t: BtfType): string => `${t.kind} ${t.name === '' ? '<anon>' : t.name} [${t.id}]`;

/**
 * The CO-RE access string of `steps` on `rootId` (the same string as {@link accessStringFor}),
 * or why the type does not have the path. Steps the type cannot take at all (through a pointer,
 * a member of an integer, an index on a struct) throw.
 */
function accessFor(btf: Btf, rootId: TypeId, steps: readonly Step[], path: string): { access: string } | { missing: string } {
  const indices: number[] = [];
  let i = 0;
  const first = steps[0];
  if (first !== undefined && 'index' in first) {
    indices.push(first.index);
    i = 1;
  } else indices.push(0);
  let cur: number = rootId;
  const fail = (why: string): never => {
    throw new CoreRelocationError(`access path '${path}' on ${describeType(btf.type(rootId))}: ${why}`, { localType: rootId, accessSpec: path, errno: 'EINVAL' });
  };
  for (; i < steps.length; i++) {
    const step = steps[i]!;
    const t = btf.type(btf.skipModsAndTypedefs(cur));
    const here = stepsText(steps.slice(0, i));
    if (t.kind === 'ptr') {
      fail(`'${here}' is a pointer, and a view holds the bytes of one object only (the pointee is not in them): read '${here}', copy what it points to, and view that`);
    }
    if ('member' in step) {
      if (t.kind !== 'struct' && t.kind !== 'union') fail(`'${here || '<root>'}' is ${describeType(t)}, not a struct or union, so it has no member '${step.member}'`);
      const found = findMember(btf, t.id, step.member);
      if (found === undefined) return { missing: `${describeType(t)} has no member '${step.member}'` };
      indices.push(...found.path);
      cur = found.type;
    } else {
      if (t.kind !== 'array') fail(`[${step.index}] applied to '${here}', ${describeType(t)}, not an array`);
      if (t.kind === 'array') {
        if (t.nelems !== 0 && step.index >= t.nelems) return { missing: `index [${step.index}] is out of range of '${here}' (${t.nelems} elements)` };
        indices.push(step.index);
        cur = t.type;
      }
    }
  }
  return { access: indices.join(':') };
}

// ---- type names ----

const NAMED = /^(struct|union|enum|typedef)\s+([A-Za-z_][A-Za-z0-9_]*)$/;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function resolveTargetType(btf: Btf, type: string | number): TypeId {
  if (typeof type === 'number') {
    if (!Number.isInteger(type) || type <= 0 || !btf.hasType(type)) throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `relocatableView: the target BTF has no type [${type}]`);
    return type as TypeId;
  }
  if (typeof type !== 'string') throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `relocatableView: the type must be a type id or a name such as 'struct task_struct', not ${describeValue(type)}`);
  const text = type.trim();
  const m = NAMED.exec(text);
  if (m === null && !PLAIN.test(text)) throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `relocatableView: '${type}' is not a type name such as 'struct task_struct'`);
  const name = m === null ? text : m[2]!;
  const kinds: readonly BtfKind[] = m === null ? ['struct', 'union', 'typedef', 'enum', 'enum64'] : m[1] === 'enum' ? ['enum', 'enum64'] : [m[1] as BtfKind];
  const essential = essentialName(name);
  const ids: TypeId[] = [];
  for (let b: Btf | undefined = btf; b !== undefined; b = b.base) {
    for (const k of kinds) ids.push(...b.findByEssentialName(name, k));
  }
  ids.sort((a, b) => a - b);
  // the exact name first, then the type without a flavor, then the only one
  const exact = ids.filter((id) => btf.nameOf(id) === name);
  const plain = ids.filter((id) => btf.nameOf(id) === essential);
  const pick = exact.length > 0 ? exact : plain.length > 0 ? plain : ids;
  const what = m === null ? `type named '${name}'` : `${m[1]} named '${name}'`;
  const flavor = essential === name ? '' : ` (essential name '${essential}')`;
  if (pick.length === 0) throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `relocatableView: no ${what}${flavor} in the target BTF`);
  if (pick.length > 1) {
    throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `relocatableView: ${pick.length} types match '${type}' in the target BTF (${pick.slice(0, 8).map((id) => describeType(btf.type(id))).join(', ')}${pick.length > 8 ? ', ...' : ''}): pass a type id`);
  }
  return pick[0]!;
}

const kindGroup = (k: BtfKind): string => (k === 'enum64' ? 'enum' : k);

/** libbpf only tries target types of the local type's kind and essential name. */
function checkCandidate(local: Btf, localId: TypeId, target: Btf, targetId: TypeId): void {
  const l = local.type(localId);
  const t = target.type(targetId);
  if (kindGroup(l.kind) !== kindGroup(t.kind) || essentialName(l.name) !== essentialName(t.name)) {
    throw new CoreRelocationError(
      `local ${describeType(l)} is not a CO-RE candidate for the target's ${describeType(t)}: CO-RE only matches a type of the same kind and essential name`,
      { localType: localId, errno: 'EINVAL' },
    );
  }
}

// ---- resolution ----

/** A field resolved on the target, offsets from the root view (not from a sub-view, as {@link ViewField}'s). */
interface Facts extends ViewField {
  /** An array of 1-byte integers (readable `as: 'string'`). */
  readonly elem1: boolean;
}

/** What the local type says about a path (what the reader expects), for checking `as`. */
interface LocalShape {
  readonly kind: BtfKind;
  readonly bitfield: boolean;
  /** An array of 1-byte integers. */
  readonly elem1: boolean;
  readonly bits: number;
}

type Resolved =
  | { readonly present: true; readonly facts: Facts; readonly shape: LocalShape }
  | { readonly present: false; readonly reason: string; readonly shape: LocalShape | undefined };

const SCALAR = new Set<BtfKind>(['int', 'enum', 'enum64', 'ptr']);
const CTX = { program: '<view>', sectionInsn: 0, reloIndex: 0 };

/** The type of the field the last accessor of `spec` names, with what decoding it needs. */
function fieldOf(spec: AccessSpec): { type: BtfType; bitfield: boolean; bits: number | undefined } {
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) return { type: btf.type(acc.typeId), bitfield: false, bits: undefined };
  const composite = btf.type(acc.typeId);
  const member = composite.kind === 'struct' || composite.kind === 'union' ? composite.members[acc.idx] : undefined;
  if (member === undefined) throw new CoreRelocationError(`accessor [${acc.typeId}] #${acc.idx} is not a member`, { localType: spec.rootTypeId, errno: 'EINVAL' });
  return { type: btf.type(btf.skipModsAndTypedefs(member.type)), bitfield: member.bitfieldSize > 0, bits: member.bitfieldSize > 0 ? member.bitfieldSize : undefined };
}

function isElem1(btf: Btf, t: BtfType): boolean {
  if (t.kind !== 'array') return false;
  const e = btf.type(btf.skipModsAndTypedefs(t.type));
  return e.kind === 'int' && e.size === 1;
}

function shapeOf(spec: AccessSpec): LocalShape {
  const f = fieldOf(spec);
  let bits = 0;
  if (f.bits !== undefined) bits = f.bits;
  else if ('size' in f.type) bits = Number(f.type.size) * 8;
  else if (f.type.kind === 'ptr') bits = spec.btf.pointerSize() * 8;
  return { kind: f.type.kind, bitfield: f.bitfield, elem1: isElem1(spec.btf, f.type), bits };
}

/** Everything a view needs from CO-RE, shared by a view and its sub-views, cached per path. */
class Layout {
  private readonly cache = new Map<string, Resolved>();

  constructor(
    readonly target: Btf, readonly root: TypeId, readonly local: { btf: Btf; type: TypeId },
    readonly hasLocal: boolean, readonly le: boolean,
  ) {}

  resolve(steps: readonly Step[]): Resolved {
    const key = stepsText(steps);
    let r = this.cache.get(key);
    if (r === undefined) {
      r = this.compute(steps, key);
      this.cache.set(key, r);
    }
    return r;
  }

  private compute(steps: readonly Step[], path: string): Resolved {
    const { btf: lbtf, type: lroot } = this.local;
    const a = accessFor(lbtf, lroot, steps, path);
    if ('missing' in a) {
      // without a local type the target is the local type: what it lacks, this kernel lacks
      if (!this.hasLocal) return { present: false, reason: a.missing, shape: undefined };
      throw new CoreRelocationError(`access path '${path}' on the local type: ${a.missing}`, { localType: lroot, accessSpec: path, errno: 'EINVAL' });
    }
    const access = a.access;
    const spec = parseAccessSpec(lbtf, { typeId: lroot, accessString: access, kind: RELO_KIND.FIELD_BYTE_OFFSET });
    const shape = shapeOf(spec);
    const where = { localType: lroot, accessSpec: access };
    let m;
    try {
      m = matchCandidate(spec, this.target, this.root);
    } catch (e) {
      if (e instanceof MatchError) throw new CoreRelocationError(e.message, { ...where, errno: e.errno });
      throw e;
    }
    if (!m.matched) return { present: false, reason: m.reason, shape };
    const tspec = m.spec;
    const calc = (kind: number): number => {
      try {
        return Number(calcRelocation(kind, spec, tspec, CTX, this.le).newVal);
      } catch (e) {
        if (e instanceof CalcError) throw new CoreRelocationError(`access path '${path}': ${e.message}`, { ...where, kind, errno: e.errno });
        throw e;
      }
    };
    const offset = calc(RELO_KIND.FIELD_BYTE_OFFSET);
    const size = calc(RELO_KIND.FIELD_BYTE_SIZE);
    const f = fieldOf(tspec);
    const t = f.type;
    const named = tspec.accessors[tspec.accessors.length - 1]!.name !== undefined;
    let signed = false;
    let lshift: number | undefined;
    let rshift: number | undefined;
    if (SCALAR.has(t.kind) && size <= 8) {
      if (named) {
        // the relocations BPF_CORE_READ_BITFIELD uses
        signed = calc(RELO_KIND.FIELD_SIGNED) === 1;
        lshift = calc(RELO_KIND.FIELD_LSHIFT_U64);
        rshift = calc(RELO_KIND.FIELD_RSHIFT_U64);
      } else {
        // an array element (libbpf computes only offset and size for those): a whole-width load
        signed = (t.kind === 'int' || t.kind === 'enum' || t.kind === 'enum64') && t.signed;
        lshift = rshift = 64 - size * 8;
      }
    } else if (t.kind === 'int' || t.kind === 'enum' || t.kind === 'enum64') {
      signed = t.signed;
    }
    const facts: Facts = {
      offset, size, signed, bitfield: f.bitfield, lshift, rshift, kind: t.kind, typeId: t.id,
      elem1: isElem1(this.target, t), accessString: access, targetSpec: formatSpecBody(tspec),
    };
    return { present: true, facts, shape };
  }
}

// ---- decoding ----

function readUint(bytes: Uint8Array, dv: DataView, start: number, size: number, le: boolean): bigint {
  switch (size) {
    case 1: return BigInt(bytes[start]!);
    case 2: return BigInt(dv.getUint16(start, le));
    case 4: return BigInt(dv.getUint32(start, le));
    case 8: return dv.getBigUint64(start, le);
    default: {
      let v = 0n;
      for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(bytes[start + (le ? size - 1 - i : i)]!);
      return v;
    }
  }
}

const utf8 = new TextDecoder('utf-8');

function badAs(path: string, as: ReadAs, why: string): BtfkitError {
  return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `read('${path}', { as: '${as}' }): ${why}`);
}

/** Can a field of this shape be read `as`? (checked on the local type and on the target's.) */
function checkAs(path: string, as: ReadAs | undefined, s: LocalShape): void {
  if (as === undefined) return;
  const integer = SCALAR.has(s.kind);
  switch (as) {
    case 'bigint':
      if (!integer) throw badAs(path, as, `the field is ${s.kind === 'float' ? 'a float (read it as a number)' : `${article(s.kind)}, not an integer, enum or pointer`}`);
      return;
    case 'number':
      if (s.kind === 'float' && (s.bits === 32 || s.bits === 64)) return;
      if (!integer) throw badAs(path, as, `the field is ${article(s.kind)}, not an integer, enum, pointer or float`);
      if (s.bits > 53) throw badAs(path, as, `the field has ${s.bits} bits, more than a number holds exactly (read it as a bigint)`);
      return;
    case 'string':
      if (!s.elem1) throw badAs(path, as, `the field is ${article(s.kind)}, not an array of 1-byte integers`);
      return;
    case 'bytes':
      if (s.bitfield) throw badAs(path, as, 'a bitfield has no bytes of its own (read it as an integer)');
      return;
    default:
      throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `read('${path}'): unknown 'as' ${describeValue(as)} (bigint, number, string or bytes)`);
  }
}

const article = (k: BtfKind): string => (/^[aeiou]/.test(k) ? `an ${k}` : `a ${k}`);

function shapeOfFacts(f: Facts): LocalShape {
  return { kind: f.kind, bitfield: f.bitfield, elem1: f.elem1, bits: f.rshift !== undefined ? 64 - f.rshift : f.size * 8 };
}

class View implements RelocatableView {
  readonly btf: Btf;
  readonly typeId: TypeId;
  readonly local: { readonly btf: Btf; readonly type: TypeId };
  readonly littleEndian: boolean;
  readonly path: string;
  private readonly dv: DataView;

  constructor(private readonly layout: Layout, private readonly bytes: Uint8Array, private readonly prefix: readonly Step[], dv?: DataView) {
    this.btf = layout.target;
    this.typeId = layout.root;
    this.local = layout.local;
    this.littleEndian = layout.le;
    this.path = stepsText(prefix);
    this.dv = dv ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private resolve(path: string): Resolved {
    const steps = parsePath(path);
    return this.layout.resolve(this.prefix.length === 0 ? steps : [...this.prefix, ...steps]);
  }

  /** Offset of this view from the root's start (0 for the root; a sub-view exists when its fields do). */
  private base(): number {
    if (this.prefix.length === 0) return 0;
    const r = this.layout.resolve(this.prefix);
    return r.present ? r.facts.offset : 0;
  }

  read(path: string, options: ReadOptions & { readonly as: 'bigint' }): ReadOutcome<bigint>;
  read(path: string, options: ReadOptions & { readonly as: 'number' }): ReadOutcome<number>;
  read(path: string, options: ReadOptions & { readonly as: 'string' }): ReadOutcome<string>;
  read(path: string, options: ReadOptions & { readonly as: 'bytes' }): ReadOutcome<Uint8Array>;
  read(path: string, options?: ReadOptions): ReadOutcome<ViewValue>;
  read(path: string, options: ReadOptions = {}): ReadOutcome<ViewValue | string> {
    const { expectedSize, as } = options;
    if (expectedSize !== undefined && (typeof expectedSize !== 'number' || !Number.isSafeInteger(expectedSize) || expectedSize < 0)) {
      throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `read('${path}'): expectedSize must be a byte count, not ${describeValue(expectedSize)}`);
    }
    const r = this.resolve(path);
    // the local type decides, whatever the kernel has (as in an emitted program)
    const bitfield = r.shape?.bitfield === true;
    if (r.shape !== undefined) {
      checkAs(path, as, r.shape);
      if (bitfield && expectedSize !== undefined && expectedSize !== 8) {
        throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `read('${path}'): a bitfield is read into a u64, so its expected size is 8 (or none), not ${expectedSize}`);
      }
    }
    if (!r.present) return none;
    const f = r.facts;
    // a bitfield's value is a u64 whatever the load that holds it (BPF_CORE_READ_BITFIELD)
    if (expectedSize !== undefined && !bitfield && f.size !== expectedSize) return sizeMismatch(expectedSize, f.size);
    checkAs(path, as, shapeOfFacts(f));
    const start = f.offset;
    if (start + f.size > this.bytes.length) return probeReadError(EFAULT);
    const end = start + f.size;
    if (as === 'string') {
      const b = this.bytes.subarray(start, end);
      const nul = b.indexOf(0);
      return some(utf8.decode(nul < 0 ? b : b.subarray(0, nul)));
    }
    if (as === 'bytes' || (f.kind !== 'float' && !SCALAR.has(f.kind)) || (f.kind === 'float' && f.size !== 4 && f.size !== 8)) {
      return some(this.bytes.subarray(start, end));
    }
    if (f.kind === 'float') return some(f.size === 4 ? this.dv.getFloat32(start, this.layout.le) : this.dv.getFloat64(start, this.layout.le));
    const raw = readUint(this.bytes, this.dv, start, f.size, this.layout.le);
    let v: bigint;
    if (f.lshift !== undefined && f.rshift !== undefined) {
      // BPF_CORE_READ_BITFIELD: val <<= LSHIFT_U64; val = SIGNED ? (s64)val >> RSHIFT_U64 : val >> RSHIFT_U64
      const shifted = BigInt.asUintN(64, raw << BigInt(f.lshift));
      v = f.signed ? BigInt.asIntN(64, shifted) >> BigInt(f.rshift) : shifted >> BigInt(f.rshift);
    } else {
      // wider than a u64 (__int128): the whole value
      v = f.signed ? BigInt.asIntN(f.size * 8, raw) : raw;
    }
    return some(as === 'number' ? Number(v) : v);
  }

  exists(path: string): boolean {
    return this.resolve(path).present;
  }

  offsetOf(path: string): number | undefined {
    const r = this.resolve(path);
    return r.present ? r.facts.offset - this.base() : undefined;
  }

  sizeOf(path: string): number | undefined {
    const r = this.resolve(path);
    return r.present ? r.facts.size : undefined;
  }

  field(path: string): ViewField | undefined {
    const r = this.resolve(path);
    if (!r.present) return undefined;
    const { elem1: _elem1, ...field } = r.facts;
    return { ...field, offset: field.offset - this.base() };
  }

  sub(path: string): RelocatableView {
    const steps = [...this.prefix, ...parsePath(path)];
    const r = this.layout.resolve(steps);
    const kind = r.present ? r.facts.kind : r.shape?.kind;
    if (kind === 'ptr') {
      const here = stepsText(steps);
      throw new CoreRelocationError(`sub('${path}'): '${here}' is a pointer, and a view holds the bytes of one object only (the pointee is not in them): read '${here}', copy what it points to, and view that`, { accessSpec: here, errno: 'EINVAL' });
    }
    if (kind !== undefined && kind !== 'struct' && kind !== 'union' && kind !== 'array') {
      throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `sub('${path}'): the field is ${article(kind)}, not a struct, union or array (read it instead)`);
    }
    return new View(this.layout, this.bytes, steps, this.dv);
  }
}

const isBtf = (b: unknown): b is Btf => typeof b === 'object' && b !== null && typeof (b as { type?: unknown }).type === 'function' && typeof (b as { hasType?: unknown }).hasType === 'function';

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'object') return v === null ? 'null' : Object.prototype.toString.call(v);
  return `${typeof v} ${String(v)}`;
}
