/**
 * Candidate matching and type compatibility, as libbpf decides them: `bpf_core_spec_match`,
 * `bpf_core_match_member`, `bpf_core_fields_are_compat`, `__bpf_core_types_are_compat` and
 * `__bpf_core_types_match` in relo_core.c
 * (https://github.com/libbpf/libbpf/blob/master/src/relo_core.c). Each non-match also says
 * why, so the explanation of a decision is data (ARCHITECTURE.md rule 4).
 *
 * Errors that abort relocation in libbpf (negative returns) are thrown as {@link MatchError}
 * with libbpf's errno name.
 */
import type { Btf } from '../btf/btf.js';
import { essentialName } from '../btf/btf.js';
import type { BtfType } from '../btf/types.js';
import { typeId, type TypeId } from '../binary/units.js';
import { isEnumKind, isFieldKind, isTypeKind, RELO_KIND } from './kinds.js';
import { MAX_SPEC_LEN, type AccessSpec, type SpecAccessor } from './spec.js';

/** A libbpf error (negative errno) during matching. */
export class MatchError extends Error {
  override name = 'MatchError';
  constructor(readonly errno: 'EINVAL' | 'E2BIG', message: string) {
    super(message);
  }
}

/** Outcome of matching one candidate. */
export type MatchResult =
  | { readonly matched: true; readonly spec: AccessSpec }
  | { readonly matched: false; readonly spec: AccessSpec; readonly reason: string; readonly hints?: readonly string[] };

const COMPOSITE = new Set(['struct', 'union']);
const isAnyEnum = (t: BtfType): boolean => t.kind === 'enum' || t.kind === 'enum64';

/** libbpf's `btf_kind_core_compat`: same kind, or both enums. */
export function kindsCoreCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

function strip(btf: Btf, id: number): { id: TypeId; t: BtfType } {
  let sid: TypeId;
  try {
    sid = btf.skipModsAndTypedefs(id);
  } catch {
    throw new MatchError('EINVAL', `type [${id}]: modifier loop`);
  }
  return { id: sid, t: btf.type(sid) };
}

const intOffset = (t: BtfType): number => (t.kind === 'int' ? t.bitOffset : 0);

/** libbpf's `bpf_core_fields_are_compat`: 1 / 0 with a reason. */
export function fieldsAreCompat(local: Btf, localId: number, targ: Btf, targId: number): { ok: boolean; reason?: string } {
  for (let depth = 0; depth < 64; depth++) {
    const l = strip(local, localId);
    const t = strip(targ, targId);
    if (COMPOSITE.has(l.t.kind) && COMPOSITE.has(t.t.kind)) return { ok: true };
    if (!kindsCoreCompat(l.t, t.t)) return { ok: false, reason: `field type kind changed: local ${l.t.kind}, target ${t.t.kind}` };
    switch (l.t.kind) {
      case 'ptr':
      case 'float':
        return { ok: true };
      case 'fwd':
      case 'enum':
      case 'enum64': {
        const ln = essentialName(l.t.name);
        const tn = essentialName(t.t.name);
        return ln === '' || tn === '' || ln === tn ? { ok: true } : { ok: false, reason: `${l.t.kind} name changed: ${l.t.name} vs ${t.t.name}` };
      }
      case 'int':
        return intOffset(l.t) === 0 && intOffset(t.t) === 0 ? { ok: true } : { ok: false, reason: 'integer with a non-zero bit offset (old-style bitfield)' };
      case 'array':
        localId = (l.t as { type: TypeId }).type;
        targId = (t.t as { type: TypeId }).type;
        continue;
      default:
        return { ok: false, reason: `field of kind ${l.t.kind} cannot be relocated` };
    }
  }
  throw new MatchError('EINVAL', 'array nesting too deep');
}

interface MutableSpec {
  btf: Btf;
  rootTypeId: TypeId;
  kind: number;
  raw: number[];
  accessors: SpecAccessor[];
  bitOffset: number;
}

function freeze(s: MutableSpec): AccessSpec {
  return { btf: s.btf, rootTypeId: s.rootTypeId, kind: s.kind, raw: [...s.raw], accessors: [...s.accessors], bitOffset: s.bitOffset };
}

function isFlexArr(btf: Btf, acc: SpecAccessor | undefined, nelems: number): boolean {
  if (acc === undefined || acc.name === undefined || nelems > 0) return false;
  const t = btf.type(acc.typeId);
  return (t.kind === 'struct' || t.kind === 'union') && acc.idx === t.members.length - 1;
}

/** Name of a member by raw name offset rules: '' for anonymous or invalid offsets (libbpf's str_is_empty). */
function memberName(btf: Btf, compositeId: number, idx: number): string {
  const off = btf.memberNameOffOf(compositeId, idx);
  if (off === 0 || !btf.isValidStrOffset(off)) return '';
  return btf.str(off);
}

/** `bpf_core_match_member`: depth-first search for the local member's name in `targId`. */
function matchMember(local: Btf, localAcc: SpecAccessor, targ: Btf, targIdIn: number, spec: MutableSpec, out: { next: TypeId }, missing: string[]): number {
  const { id: targId, t } = strip(targ, targIdIn);
  if (t.kind !== 'struct' && t.kind !== 'union') return 0;
  const localT = local.type(localAcc.typeId);
  if (localT.kind !== 'struct' && localT.kind !== 'union') return 0;
  const localMember = localT.members[localAcc.idx]!;
  const localName = memberName(local, localAcc.typeId, localAcc.idx);
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (spec.raw.length === MAX_SPEC_LEN) throw new MatchError('E2BIG', 'access path too deep');
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    const name = memberName(targ, targId, i);
    if (name === '') {
      const found = matchMember(local, localAcc, targ, m.type, spec, out, missing);
      if (found !== 0) return found;
    } else if (name === localName) {
      spec.accessors.push({ typeId: targId, idx: i, name });
      out.next = m.type;
      const compat = fieldsAreCompat(local, localMember.type, targ, m.type);
      if (!compat.ok) {
        spec.accessors.pop();
        missing.push(`field '${localName}' of ${t.kind} ${t.name || '<anon>'} [${targId}] has an incompatible type: ${compat.reason ?? ''}`);
      }
      return compat.ok ? 1 : 0;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return 0;
}

/**
 * Match the local spec against candidate `candId` of `targ` (libbpf's `bpf_core_spec_match`).
 * @throws {MatchError} where libbpf returns an error (aborting the object).
 */
export function matchCandidate(localSpec: AccessSpec, targ: Btf, candId: number): MatchResult {
  const local = localSpec.btf;
  const spec: MutableSpec = { btf: targ, rootTypeId: typeId(candId), kind: localSpec.kind, raw: [], accessors: [], bitOffset: 0 };
  const no = (reason: string): MatchResult => ({ matched: false, spec: freeze(spec), reason });
  if (isTypeKind(localSpec.kind)) {
    const r = localSpec.kind === RELO_KIND.TYPE_MATCHES
      ? typesMatch(local, localSpec.rootTypeId, targ, candId)
      : typesAreCompat(local, localSpec.rootTypeId, targ, candId);
    return r.ok ? { matched: true, spec: freeze(spec) } : no(r.reason ?? 'types differ');
  }
  const localAcc = localSpec.accessors[0]!;
  if (isEnumKind(localSpec.kind)) {
    const { id, t } = strip(targ, candId);
    if (t.kind !== 'enum' && t.kind !== 'enum64') return no(`target is ${t.kind}, not an enum`);
    const want = essentialName(localAcc.name ?? '');
    for (let i = 0; i < t.values.length; i++) {
      const name = t.values[i]!.name;
      if (essentialName(name) === want) {
        spec.accessors.push({ typeId: id, idx: i, name });
        spec.raw.push(i);
        return { matched: true, spec: freeze(spec) };
      }
    }
    return no(`enumerator ${localAcc.name ?? ''} not found in ${t.kind} ${t.name || '<anon>'} [${id}]`);
  }
  if (!isFieldKind(localSpec.kind)) throw new MatchError('EINVAL', `unknown relocation kind ${localSpec.kind}`);
  let targId: number = candId;
  const missing: string[] = [];
  for (let i = 0; i < localSpec.accessors.length; i++) {
    const acc = localSpec.accessors[i]!;
    const s = strip(targ, targId);
    targId = s.id;
    if (acc.name !== undefined) {
      const out = { next: typeId(0) };
      const r = matchMember(local, acc, targ, targId, spec, out, missing);
      if (r <= 0) {
        const composite = s.t.kind === 'struct' || s.t.kind === 'union';
        const where = composite ? `${s.t.kind} ${s.t.name || '<anon>'} [${s.id}]` : `${s.t.kind} [${s.id}]`;
        const reason = missing[0] ?? (composite ? `${where} has no field '${acc.name}'` : `${where} is not a struct or union, so it has no field '${acc.name}'`);
        const hints = composite ? nearMisses(local, acc, targ, s.id) : [];
        return hints.length > 0 ? { matched: false, spec: freeze(spec), reason, hints } : no(reason);
      }
      targId = out.next;
    } else {
      if (i > 0) {
        if (s.t.kind !== 'array') return no(`expected an array at [${acc.idx}], target has ${s.t.kind} [${s.id}]`);
        const flex = isFlexArr(targ, spec.accessors[spec.accessors.length - 1], s.t.nelems);
        if (!flex && acc.idx >= s.t.nelems) return no(`array index ${acc.idx} out of range: target array [${s.id}] has ${s.t.nelems} elements`);
        targId = strip(targ, s.t.type).id;
      }
      if (spec.raw.length === MAX_SPEC_LEN) throw new MatchError('E2BIG', 'access path too deep');
      spec.accessors.push({ typeId: typeId(targId), idx: acc.idx, name: undefined });
      spec.raw.push(acc.idx);
      let sz: number;
      try {
        sz = targ.resolveSize(targId);
      } catch {
        throw new MatchError('EINVAL', `cannot resolve the size of target [${targId}]`);
      }
      spec.bitOffset += acc.idx * sz * 8;
    }
  }
  return { matched: true, spec: freeze(spec) };
}

/**
 * Why a missing field might be missing: the same name on another path (moved into a nested
 * struct), or a field of the same kind and size under a similar name (renamed, e.g.
 * `state` -> `__state`). Explanations only; never used for decisions.
 */
export function nearMisses(local: Btf, acc: SpecAccessor, targ: Btf, targId: number): string[] {
  const lt = local.type(acc.typeId);
  if (lt.kind !== 'struct' && lt.kind !== 'union') return [];
  const lm = lt.members[acc.idx];
  if (lm === undefined) return [];
  const want = acc.name ?? '';
  const describe = (btf: Btf, id: number): string => {
    try {
      const sid = btf.skipModsAndTypedefs(id);
      const n = btf.nameOf(sid);
      const k = btf.kindOf(sid);
      return `${k === 'int' || k === 'float' ? n : n === '' ? k : `${k} ${n}`}, ${k === 'func_proto' ? '?' : btf.resolveSize(sid)} bytes`;
    } catch {
      return '?';
    }
  };
  const hints: string[] = [];
  // One named level down: `sk_daddr` -> `__sk_common.skc_daddr`-style moves.
  const walk = (id: number, path: string, depth: number): void => {
    if (depth > 1 || hints.length >= 3) return;
    const t = targ.type(targ.skipModsAndTypedefs(id));
    if (t.kind !== 'struct' && t.kind !== 'union') return;
    for (const m of t.members) {
      const p = m.name === '' ? path : path === '' ? m.name : `${path}.${m.name}`;
      if (hints.length >= 3) return;
      if (depth === 1 && m.name === want) hints.push(`'${want}' is now at '${p}' (a different path: the access string must change)`);
      else if (depth === 0 && m.name !== '' && m.name !== want && similar(m.name, want)) {
        hints.push(`'${m.name}' (${describe(targ, m.type)}) looks like '${want}' (${describe(local, lm.type)}): renamed? a ___flavor of the local type with '${m.name}' would match`);
      }
      if (m.name !== want) walk(m.type, p, m.name === '' ? depth : depth + 1);
    }
  };
  try {
    walk(targId, '', 0);
  } catch {
    // hints are best effort on malformed target BTF
  }
  return hints;
}

/** Names equal but for leading/trailing underscores (`state` and `__state`). */
function similar(a: string, b: string): boolean {
  const strip = (x: string): string => x.replace(/^_+|_+$/g, '');
  return strip(a) === strip(b);
}

/** `__bpf_core_types_are_compat` (TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE). */
export function typesAreCompat(local: Btf, localId: number, targ: Btf, targId: number, level = 32): { ok: boolean; reason?: string } {
  if (!kindsCoreCompat(local.type(localId), targ.type(targId))) return { ok: false, reason: `kind mismatch: local ${local.kindOf(localId)}, target ${targ.kindOf(targId)}` };
  for (let depth = 32; ; ) {
    depth--;
    if (depth < 0) throw new MatchError('EINVAL', 'type chain too deep');
    const l = strip(local, localId);
    const t = strip(targ, targId);
    if (!kindsCoreCompat(l.t, t.t)) return { ok: false, reason: `kind mismatch: local ${l.t.kind} [${l.id}], target ${t.t.kind} [${t.id}]` };
    switch (l.t.kind) {
      case 'void': case 'struct': case 'union': case 'enum': case 'fwd': case 'enum64':
        return { ok: true };
      case 'int':
        return intOffset(l.t) === 0 && intOffset(t.t) === 0 ? { ok: true } : { ok: false, reason: 'integer with a non-zero bit offset' };
      case 'ptr':
        localId = l.t.type;
        targId = (t.t as { type: TypeId }).type;
        continue;
      case 'array':
        localId = l.t.type;
        targId = (t.t as { type: TypeId }).type;
        continue;
      case 'func_proto': {
        const tp = t.t as typeof l.t;
        if (l.t.params.length !== tp.params.length) return { ok: false, reason: `function takes ${l.t.params.length} parameters locally, ${tp.params.length} in the target` };
        for (let i = 0; i < l.t.params.length; i++) {
          if (level <= 0) throw new MatchError('EINVAL', 'function prototypes nested too deep');
          const r = typesAreCompat(local, strip(local, l.t.params[i]!.type).id, targ, strip(targ, tp.params[i]!.type).id, level - 1);
          if (!r.ok) return { ok: false, reason: `parameter #${i}: ${r.reason ?? ''}` };
        }
        localId = strip(local, l.t.returnType).id;
        targId = strip(targ, tp.returnType).id;
        continue;
      }
      default:
        return { ok: false, reason: `unexpected kind ${l.t.kind} relocated, local [${l.id}], target [${t.id}]` };
    }
  }
}

function namesMatch(local: string, targ: string): boolean {
  if (targ === '') return local === '';
  return essentialName(local) === essentialName(targ);
}

/** Name of type `id` as libbpf's str_is_empty sees it. */
function typeName(btf: Btf, id: number): string {
  const off = btf.nameOffOf(id);
  return off === 0 || !btf.isValidStrOffset(off) ? '' : btf.str(off);
}

/** `__bpf_core_types_match` (TYPE_MATCHES). */
export function typesMatch(local: Btf, localId: number, targ: Btf, targId: number, behindPtr = false, level = 32): { ok: boolean; reason?: string } {
  if (level <= 0) throw new MatchError('EINVAL', 'types nested too deep');
  for (let depth = 32; ; ) {
    depth--;
    if (depth < 0) throw new MatchError('EINVAL', 'type chain too deep');
    const l = strip(local, localId);
    const t = strip(targ, targId);
    const ln = typeName(local, l.id);
    const tn = typeName(targ, t.id);
    if (!namesMatch(ln, tn)) return { ok: false, reason: `name differs: local ${l.t.kind} '${ln}', target ${t.t.kind} '${tn}'` };
    const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });
    switch (l.t.kind) {
      case 'void':
        return t.t.kind === 'void' ? { ok: true } : fail(`local void, target ${t.t.kind}`);
      case 'fwd': {
        const lu = l.t.fwdKind === 'union';
        if (behindPtr) {
          if (t.t.kind === 'fwd') return t.t.fwdKind === l.t.fwdKind ? { ok: true } : fail('forward declarations of different kinds');
          return (t.t.kind === 'struct' && !lu) || (t.t.kind === 'union' && lu) ? { ok: true } : fail(`forward ${l.t.fwdKind} vs ${t.t.kind}`);
        }
        return t.t.kind === 'fwd' && t.t.fwdKind === l.t.fwdKind ? { ok: true } : fail(`forward ${l.t.fwdKind} vs ${t.t.kind}`);
      }
      case 'enum': case 'enum64': {
        if (t.t.kind !== 'enum' && t.t.kind !== 'enum64') return fail(`local ${l.t.kind}, target ${t.t.kind}`);
        if (l.t.size !== t.t.size) return fail(`enum size changed: ${l.t.size} -> ${t.t.size}`);
        if (l.t.values.length > t.t.values.length) return fail(`local enum has ${l.t.values.length} values, target ${t.t.values.length}`);
        const tv = t.t.values;
        for (const v of l.t.values) {
          if (!tv.some((x) => namesMatch(v.name, x.name))) return fail(`enumerator ${v.name} missing in the target`);
        }
        return { ok: true };
      }
      case 'struct': case 'union': {
        if (behindPtr) {
          if (l.t.kind === t.t.kind) return { ok: true };
          if (t.t.kind !== 'fwd') return fail(`local ${l.t.kind}, target ${t.t.kind}`);
          return (l.t.kind === 'union') === (t.t.fwdKind === 'union') ? { ok: true } : fail(`local ${l.t.kind}, target forward ${t.t.fwdKind}`);
        }
        if (l.t.kind !== t.t.kind) return fail(`local ${l.t.kind}, target ${t.t.kind}`);
        const tt = t.t as typeof l.t;
        if (l.t.members.length > tt.members.length) return fail(`local ${l.t.kind} has ${l.t.members.length} members, target ${tt.members.length}`);
        for (let i = 0; i < l.t.members.length; i++) {
          const lm = l.t.members[i]!;
          const lmName = memberName(local, l.id, i);
          let matched = false;
          for (let j = 0; j < tt.members.length; j++) {
            if (!namesMatch(lmName, memberName(targ, t.id, j))) continue;
            const r = typesMatch(local, lm.type, targ, tt.members[j]!.type, behindPtr, level - 1);
            if (r.ok) { matched = true; break; }
          }
          if (!matched) return fail(`member '${lmName}' has no matching member in the target`);
        }
        return { ok: true };
      }
      case 'int': {
        if (t.t.kind !== 'int') return fail(`local int, target ${t.t.kind}`);
        if (l.t.size !== t.t.size) return fail(`int size changed: ${l.t.size} -> ${t.t.size}`);
        return l.t.signed === t.t.signed ? { ok: true } : fail('int signedness changed');
      }
      case 'ptr':
        if (t.t.kind !== 'ptr') return fail(`local ptr, target ${t.t.kind}`);
        behindPtr = true;
        localId = l.t.type;
        targId = t.t.type;
        continue;
      case 'array':
        if (t.t.kind !== 'array') return fail(`local array, target ${t.t.kind}`);
        if (l.t.nelems !== t.t.nelems) return fail(`array length changed: ${l.t.nelems} -> ${t.t.nelems}`);
        localId = l.t.type;
        targId = t.t.type;
        continue;
      case 'func_proto': {
        if (t.t.kind !== 'func_proto') return fail(`local func_proto, target ${t.t.kind}`);
        if (l.t.params.length !== t.t.params.length) return fail('parameter count changed');
        for (let i = 0; i < l.t.params.length; i++) {
          const r = typesMatch(local, l.t.params[i]!.type, targ, t.t.params[i]!.type, behindPtr, level - 1);
          if (!r.ok) return fail(`parameter #${i}: ${r.reason ?? ''}`);
        }
        localId = l.t.returnType;
        targId = t.t.returnType;
        continue;
      }
      default:
        return fail(`unexpected kind ${l.t.kind} relocated, local [${l.id}], target [${t.id}]`);
    }
  }
}
