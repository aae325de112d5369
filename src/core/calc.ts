/**
 * Computing relocation values from a spec, as libbpf's `bpf_core_calc_relo`,
 * `bpf_core_calc_field_relo`, `bpf_core_calc_type_relo` and `bpf_core_calc_enumval_relo`
 * (https://github.com/libbpf/libbpf/blob/master/src/relo_core.c). Values are u64, kept as
 * bigint.
 */
import type { TypeId } from '../binary/units.js';
import { isEnumKind, isFieldKind, isTypeKind, reloKindTag, RELO_KIND } from './kinds.js';
import type { AccessSpec } from './spec.js';

/** One side of a computation (local or target). */
interface SideValue {
  value: bigint;
  /** Memory size for LDX/ST/STX adjustment (BYTE_OFFSET of a non-bitfield), else 0. */
  size: number;
  /** Type the size belongs to (modifier-stripped), else 0. */
  typeId: number;
}

/** A value computed from a local spec and a target spec (or none). libbpf's `bpf_core_relo_res`. */
export interface CalcResult {
  readonly origVal: bigint;
  readonly newVal: bigint;
  /** Replace the instruction with an invalid call (no target, or a rejected size change). */
  readonly poison: boolean;
  /** Check the instruction holds `origVal` before patching. */
  readonly validate: boolean;
  readonly origSize: number;
  readonly newSize: number;
  readonly origTypeId: TypeId | 0;
  readonly newTypeId: TypeId | 0;
  /** Sizes differ in a way a load/store width change cannot fix (acted on for LDX/ST/STX only). */
  readonly failMemszAdjust: boolean;
}

/** A libbpf error while computing (it aborts the object). */
export class CalcError extends Error {
  override name = 'CalcError';
  constructor(readonly errno: 'EINVAL' | 'E2BIG' | 'EOPNOTSUPP', message: string, readonly logLine?: string) {
    super(message);
  }
}

const POISON = Symbol('poison');
const U64 = (n: number | bigint): bigint => BigInt.asUintN(64, BigInt(n));

function sizeOf(spec: AccessSpec, id: number): number {
  try {
    return spec.btf.resolveSize(id);
  } catch {
    throw new CalcError('EINVAL', `cannot resolve the size of [${id}]`);
  }
}

/** Element type id after peeling nested arrays (for the memory size of array fields). */
function peelArrays(spec: AccessSpec, id: number): number {
  let cur = spec.btf.skipModsAndTypedefs(id);
  for (let i = 0; i < 64; i++) {
    const t = spec.btf.type(cur);
    if (t.kind !== 'array') return cur;
    cur = spec.btf.skipModsAndTypedefs(t.type);
  }
  throw new CalcError('EINVAL', 'arrays nested too deep');
}

function calcField(kind: number, spec: AccessSpec | undefined, ctx: { program: string; sectionInsn: number; reloIndex: number }, littleEndian: boolean, local: boolean): SideValue & { validate: boolean } | typeof POISON {
  const out = { value: 0n, size: 0, typeId: 0, validate: true };
  if (kind === RELO_KIND.FIELD_EXISTS) {
    out.value = spec === undefined ? 0n : 1n;
    return out;
  }
  if (spec === undefined) return POISON;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) {
    if (kind === RELO_KIND.FIELD_BYTE_OFFSET) {
      out.value = U64(Math.floor(spec.bitOffset / 8));
      out.size = sizeOf(spec, peelArrays(spec, acc.typeId));
      out.typeId = acc.typeId;
    } else if (kind === RELO_KIND.FIELD_BYTE_SIZE) {
      out.value = U64(sizeOf(spec, acc.typeId));
    } else {
      const line = `prog '${ctx.program}': relo ${kind} at insn #${ctx.sectionInsn} can't be applied to array access`;
      throw new CalcError('EINVAL', `${reloKindTag(kind)} can't be applied to an array element`, line);
    }
    out.validate = true;
    return out;
  }
  const composite = spec.btf.type(acc.typeId);
  if (composite.kind !== 'struct' && composite.kind !== 'union') throw new CalcError('EINVAL', `accessor [${acc.typeId}] is not a composite`);
  const member = composite.members[acc.idx]!;
  const fieldTypeId = spec.btf.skipModsAndTypedefs(member.type);
  const mt = spec.btf.type(fieldTypeId);
  const bitOff = spec.bitOffset;
  let bitSz = member.bitfieldSize as number;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = 'size' in mt ? (mt.size as number) : 0;
    if (byteSz === 0) throw new CalcError('EINVAL', `bitfield of kind ${mt.kind} has no size`);
    byteOff = Math.floor(Math.floor(bitOff / 8) / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) {
        const line = `prog '${ctx.program}': relo ${kind} at insn #${ctx.sectionInsn} can't be satisfied for bitfield`;
        throw new CalcError('E2BIG', 'the bitfield cannot be read with a 64-bit load', line);
      }
      byteSz *= 2;
      byteOff = Math.floor(Math.floor(bitOff / 8) / byteSz) * byteSz;
    }
  } else {
    byteSz = sizeOf(spec, fieldTypeId);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  out.validate = !bitfield;
  switch (kind) {
    case RELO_KIND.FIELD_BYTE_OFFSET:
      out.value = U64(byteOff);
      if (!bitfield) {
        out.size = sizeOf(spec, peelArrays(spec, fieldTypeId));
        out.typeId = fieldTypeId;
      }
      break;
    case RELO_KIND.FIELD_BYTE_SIZE:
      out.value = U64(byteSz);
      break;
    case RELO_KIND.FIELD_SIGNED:
      out.value = ((mt.kind === 'enum' || mt.kind === 'enum64') && mt.signed) || (mt.kind === 'int' && mt.signed) ? 1n : 0n;
      out.validate = true;
      break;
    case RELO_KIND.FIELD_LSHIFT_U64:
      out.value = U64(littleEndian ? 64 - (bitOff + bitSz - byteOff * 8) : (8 - byteSz) * 8 + (bitOff - byteOff * 8));
      break;
    case RELO_KIND.FIELD_RSHIFT_U64:
      out.value = U64(64 - bitSz);
      out.validate = true;
      break;
    default:
      throw new CalcError('EOPNOTSUPP', `unsupported field kind ${kind}`);
  }
  void local;
  return out;
}

function calcType(kind: number, spec: AccessSpec | undefined): { value: bigint; validate: boolean } {
  if (spec === undefined) return { value: 0n, validate: true };
  switch (kind) {
    case RELO_KIND.TYPE_ID_TARGET:
      return { value: U64(spec.rootTypeId), validate: false };
    case RELO_KIND.TYPE_EXISTS:
    case RELO_KIND.TYPE_MATCHES:
      return { value: 1n, validate: true };
    case RELO_KIND.TYPE_SIZE:
      return { value: U64(sizeOf(spec, spec.rootTypeId)), validate: true };
    default:
      throw new CalcError('EOPNOTSUPP', `unsupported type kind ${kind}`);
  }
}

function calcEnum(kind: number, spec: AccessSpec | undefined): bigint | typeof POISON {
  if (kind === RELO_KIND.ENUMVAL_EXISTS) return spec === undefined ? 0n : 1n;
  if (kind !== RELO_KIND.ENUMVAL_VALUE) throw new CalcError('EOPNOTSUPP', `unsupported enum kind ${kind}`);
  if (spec === undefined) return POISON;
  const acc = spec.accessors[0]!;
  const t = spec.btf.type(acc.typeId);
  if (t.kind === 'enum') {
    // the s32 is sign-extended to 64 bits whatever the enum's signedness (libbpf does this)
    return U64(BigInt.asIntN(32, BigInt(t.values[acc.idx]!.value)));
  }
  if (t.kind === 'enum64') return U64(t.values[acc.idx]!.value);
  throw new CalcError('EINVAL', `accessor [${acc.typeId}] is not an enum`);
}

/**
 * Compute original (local) and new (target) values. `targetSpec` undefined means no
 * candidate matched.
 * @throws {CalcError} where libbpf fails the relocation.
 */
export function calcRelocation(kind: number, localSpec: AccessSpec, targetSpec: AccessSpec | undefined, ctx: { program: string; sectionInsn: number; reloIndex: number }, littleEndian: boolean): CalcResult {
  if (isFieldKind(kind)) {
    const l = calcField(kind, localSpec, ctx, littleEndian, true);
    if (l === POISON) throw new CalcError('EINVAL', 'local spec cannot be poisoned');
    const t = calcField(kind, targetSpec, ctx, littleEndian, false);
    if (t === POISON) {
      return { origVal: l.value, newVal: 0n, poison: true, validate: l.validate, origSize: l.size, newSize: 0, origTypeId: l.typeId as TypeId | 0, newTypeId: 0, failMemszAdjust: false };
    }
    let failMemszAdjust = false;
    if (l.size !== t.size) {
      const ot = localSpec.btf.type(l.typeId);
      const nt = targetSpec!.btf.type(t.typeId);
      const ok = (ot.kind === 'ptr' && nt.kind === 'ptr') ||
        (ot.kind === 'int' && nt.kind === 'int' && ot.encodingBits !== 1 && nt.encodingBits !== 1);
      failMemszAdjust = !ok;
    }
    return { origVal: l.value, newVal: t.value, poison: false, validate: l.validate, origSize: l.size, newSize: t.size, origTypeId: l.typeId as TypeId | 0, newTypeId: t.typeId as TypeId | 0, failMemszAdjust };
  }
  if (isTypeKind(kind)) {
    const l = calcType(kind, localSpec);
    const t = calcType(kind, targetSpec);
    return { origVal: l.value, newVal: t.value, poison: false, validate: l.validate, origSize: 0, newSize: 0, origTypeId: 0, newTypeId: 0, failMemszAdjust: false };
  }
  if (isEnumKind(kind)) {
    const l = calcEnum(kind, localSpec);
    if (l === POISON) throw new CalcError('EINVAL', 'local spec cannot be poisoned');
    const t = calcEnum(kind, targetSpec);
    return { origVal: l, newVal: t === POISON ? 0n : t, poison: t === POISON, validate: true, origSize: 0, newSize: 0, origTypeId: 0, newTypeId: 0, failMemszAdjust: false };
  }
  const line = `prog '${ctx.program}': relo #${ctx.reloIndex}: unrecognized CO-RE relocation ${reloKindTag(kind)} (${kind}) at insn #${ctx.sectionInsn}`;
  throw new CalcError('EOPNOTSUPP', `unrecognized CO-RE relocation kind ${kind}`, line);
}
