/**
 * Host-side CO-RE queries with the vocabulary of the relocatable-accessor proposal: ask a
 * target kernel's BTF what a relocation would resolve to, without an object. The same
 * pipeline as {@link relocateObject} (candidates → spec → match → calc), so the answers are
 * the values libbpf would patch in.
 *
 * ```ts
 * const task = { btf: local, type: 'struct task_struct' };
 * fieldByteOffset(vmlinux, task, 'real_parent');        // 2432 on 6.1 amd64
 * fieldExists(vmlinux, task, 'mm.arg_start');           // path through a pointer: error (one relocation per dereference)
 * enumValue(vmlinux, { btf: local, type: 'enum pid_type' }, 'PIDTYPE_TGID');
 * ```
 */
import type { Btf } from '../btf/btf.js';
import { findTypeByCName } from '../btf/subset.js';
import type { TypeId } from '../binary/units.js';
import { CoreRelocationError } from '../errors.js';
import { calcRelocation, CalcError } from './calc.js';
import { RELO_KIND } from './kinds.js';
import { matchCandidate } from './match.js';
import { findCandidates, type TargetBtf } from './relocate.js';
import { formatSpecBody, parseAccessSpec } from './spec.js';

/** A local type: a BTF and a type in it (by id, or by `struct name` / `union name` / `enum name` / plain name). */
export interface LocalType {
  readonly btf: Btf;
  readonly type: TypeId | number | string;
}

/** The answer to a query, with what libbpf would log and why. */
export interface QueryAnswer {
  /** The value libbpf would patch in; undefined when the relocation would be poisoned. */
  readonly value: bigint | undefined;
  readonly poisoned: boolean;
  /** Local value (what the compiler would have emitted). */
  readonly localValue: bigint;
  readonly accessString: string;
  readonly localSpec: string;
  readonly targetSpec: string | undefined;
  readonly explanation: string;
}

/** Resolve a {@link LocalType} to an id. */
export function resolveLocalType(t: LocalType): TypeId {
  if (typeof t.type === 'number') return t.type as TypeId;
  try {
    return findTypeByCName(t.btf, t.type);
  } catch {
    throw new CoreRelocationError(`no local type '${t.type}'`, { errno: 'ENOENT' });
  }
}

/**
 * Turn a C-style access path (`mm`, `comm[3]`, `[1].pid`, `sk_common.skc_family`) into a
 * CO-RE access string (`0:61`, ...) on the local type, finding members inside anonymous
 * structs and unions as clang does. Indexes start with the implicit `0` (the root pointer
 * as an array); a leading `[n]` replaces it.
 * @throws {CoreRelocationError} for a member that does not exist or a step through a pointer.
 */
export function accessStringFor(btf: Btf, rootId: number, path: string): string {
  const indices: number[] = [];
  let rest = path.trim();
  const lead = /^\[(\d+)\]/.exec(rest);
  if (lead !== null) {
    indices.push(Number(lead[1]));
    rest = rest.slice(lead[0].length);
  } else indices.push(0);
  let cur: number = rootId;
  const fail = (why: string): never => {
    throw new CoreRelocationError(`access path '${path}' on [${rootId}] ${btf.nameOf(rootId)}: ${why}`, { localType: rootId, accessSpec: path, errno: 'EINVAL' });
  };
  while (rest.length > 0) {
    const member = /^\.?([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    if (member !== null && !(rest.startsWith('[') )) {
      const found = findMember(btf, cur, member[1]!);
      if (found === undefined) fail(`no member '${member[1]}' in ${btf.kindOf(btf.skipModsAndTypedefs(cur))} ${btf.nameOf(btf.skipModsAndTypedefs(cur)) || '<anon>'}`);
      indices.push(...found!.path);
      cur = found!.type;
      rest = rest.slice(member[0].length);
    } else if (index !== null) {
      const t = btf.type(btf.skipModsAndTypedefs(cur));
      if (t.kind !== 'array') fail(`[${index[1]}] applied to ${t.kind}${t.kind === 'ptr' ? ' (a path never crosses a pointer: read the pointer, then relocate from its type)' : ''}`);
      if (t.kind === 'array') {
        indices.push(Number(index[1]));
        cur = t.type;
      }
      rest = rest.slice(index[0].length);
    } else {
      fail(`cannot parse '${rest}'`);
    }
    if (rest.length > 0 && btf.kindOf(btf.skipModsAndTypedefs(cur)) === 'ptr' && rest.startsWith('.')) {
      fail('a path never crosses a pointer: each dereference is its own relocation');
    }
  }
  return indices.join(':');
}

function findMember(btf: Btf, id: number, name: string): { path: number[]; type: number } | undefined {
  const t = btf.type(btf.skipModsAndTypedefs(id));
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (m.name === name) return { path: [i], type: m.type };
    if (m.name === '') {
      const inner = findMember(btf, m.type, name);
      if (inner !== undefined) return { path: [i, ...inner.path], type: inner.type };
    }
  }
  return undefined;
}

/** Run one relocation of `kind` for `local` + `accessString` against the targets. */
export function query(targets: Btf | readonly TargetBtf[], local: LocalType, kind: number, accessString: string): QueryAnswer {
  const tlist: readonly TargetBtf[] = Array.isArray(targets) ? targets : [{ name: 'vmlinux', btf: targets as Btf }];
  const rootId = resolveLocalType(local);
  const spec = parseAccessSpec(local.btf, { typeId: rootId, accessString, kind });
  const localSpec = formatSpecBody(spec);
  const ctx = { program: '<query>', sectionInsn: 0, reloIndex: 0 };
  // bitfield shifts depend on the byte order of the kernel they are for
  const le = tlist[0]?.btf.littleEndian ?? true;
  if (kind === RELO_KIND.TYPE_ID_LOCAL) {
    return { value: BigInt(rootId), poisoned: false, localValue: BigInt(rootId), accessString, localSpec, targetSpec: undefined, explanation: 'local type id' };
  }
  const reasons: string[] = [];
  let found: QueryAnswer | undefined;
  for (const c of findCandidates(local.btf, rootId, tlist)) {
    const m = matchCandidate(spec, c.btf, c.id);
    if (!m.matched) {
      reasons.push(m.reason);
      continue;
    }
    let r;
    try {
      r = calcRelocation(kind, spec, m.spec, ctx, le);
    } catch (e) {
      if (e instanceof CalcError) throw new CoreRelocationError(e.message, { localType: rootId, accessSpec: accessString, kind, errno: e.errno });
      throw e;
    }
    const answer: QueryAnswer = { value: r.poison ? undefined : r.newVal, poisoned: r.poison, localValue: r.origVal, accessString, localSpec, targetSpec: formatSpecBody(m.spec), explanation: `${localSpec} => ${formatSpecBody(m.spec)}` };
    if (found === undefined) found = answer;
    else if (found.value !== answer.value || found.poisoned !== answer.poisoned) {
      // libbpf refuses ambiguous relocations (relocation decision ambiguity)
      throw new CoreRelocationError(`ambiguous: ${found.targetSpec ?? ''} gives ${found.value}, ${answer.targetSpec ?? ''} gives ${answer.value}`, { localType: rootId, accessSpec: accessString, kind, errno: 'EINVAL' });
    }
  }
  if (found !== undefined) return found;
  const r = calcRelocation(kind, spec, undefined, ctx, le);
  return {
    value: r.poison ? undefined : r.newVal, poisoned: r.poison, localValue: r.origVal, accessString, localSpec, targetSpec: undefined,
    explanation: reasons.length === 0 ? 'no type with this name in the target' : reasons.join('; '),
  };
}

const field = (kind: number) => (targets: Btf | readonly TargetBtf[], local: LocalType, path: string): QueryAnswer =>
  query(targets, local, kind, accessStringFor(local.btf, resolveLocalType(local), path));
const type = (kind: number) => (targets: Btf | readonly TargetBtf[], local: LocalType): QueryAnswer => query(targets, local, kind, '0');
const enumerator = (kind: number) => (targets: Btf | readonly TargetBtf[], local: LocalType, name: string): QueryAnswer => {
  const id = local.btf.skipModsAndTypedefs(resolveLocalType(local));
  const t = local.btf.type(id);
  const idx = t.kind === 'enum' || t.kind === 'enum64' ? t.values.findIndex((v) => v.name === name) : -1;
  if (idx < 0) throw new CoreRelocationError(`no enumerator '${name}' in local type [${id}]`, { localType: id, errno: 'EINVAL' });
  return query(targets, local, kind, String(idx));
};

/** Byte offset of a field (FIELD_BYTE_OFFSET). */
export const fieldByteOffset = field(RELO_KIND.FIELD_BYTE_OFFSET);
/** Byte size of a field (FIELD_BYTE_SIZE). */
export const fieldByteSize = field(RELO_KIND.FIELD_BYTE_SIZE);
/** 1 if the field exists on the target (FIELD_EXISTS). */
export const fieldExists = field(RELO_KIND.FIELD_EXISTS);
/** 1 if the field is signed (FIELD_SIGNED). */
export const fieldSigned = field(RELO_KIND.FIELD_SIGNED);
/** Left shift for a bitfield read through a u64 (FIELD_LSHIFT_U64). */
export const fieldLShiftU64 = field(RELO_KIND.FIELD_LSHIFT_U64);
/** Right shift for a bitfield read through a u64 (FIELD_RSHIFT_U64). */
export const fieldRShiftU64 = field(RELO_KIND.FIELD_RSHIFT_U64);
/** Target type id (TYPE_ID_TARGET); 0 when absent. */
export const typeIdTarget = type(RELO_KIND.TYPE_ID_TARGET);
/** 1 if a compatible type exists (TYPE_EXISTS). */
export const typeExists = type(RELO_KIND.TYPE_EXISTS);
/** Size of the target type (TYPE_SIZE); 0 when absent. */
export const typeSize = type(RELO_KIND.TYPE_SIZE);
/** 1 if the type matches structurally (TYPE_MATCHES). */
export const typeMatches = type(RELO_KIND.TYPE_MATCHES);
/** 1 if the enumerator exists (ENUMVAL_EXISTS). */
export const enumValueExists = enumerator(RELO_KIND.ENUMVAL_EXISTS);
/** The enumerator's value on the target (ENUMVAL_VALUE); undefined (poison) when absent. */
export const enumValue = enumerator(RELO_KIND.ENUMVAL_VALUE);
