/**
 * CO-RE in emitted programs: the thirteen intrinsics (one instruction plus one relocation
 * record each, in the forms clang-19 emits for `__builtin_preserve_field_info`,
 * `__builtin_preserve_type_info`, `__builtin_btf_type_id` and `__builtin_preserve_enum_value`),
 * `BPF_CORE_READ`-style chained reads, direct loads through BTF pointers, and the safe
 * {@link Program.relocatableFieldRead} whose outcome is `Result<Option<T>, SizeMismatch |
 * ProbeRead>` (src/core/outcome.ts).
 *
 * The immediate each intrinsic carries is the value on the *local* type, as clang writes it;
 * the loader replaces it with the target kernel's value (or poisons the instruction).
 */
import type { Btf } from '../btf/btf.js';
import { CalcError, calcRelocation } from '../core/calc.js';
import { RELO_KIND, reloKindTag } from '../core/kinds.js';
import { READ_OUTCOME_LAYOUT, READ_STATUS, readOutcomeSize } from '../core/outcome.js';
import { accessStringFor } from '../core/query.js';
import { parseAccessSpec, type AccessSpec } from '../core/spec.js';
import { aluImm, ldImm64, load, type AccessSize } from '../asm/index.js';
import { BtfkitError, ErrorCodes } from '../errors.js';
import { imm, ProgramBuilder, R0, R1, R2, R3, R4, R10, type Reg } from './program.js';
import type { LocalTypeRef, LocalTypes } from './types.js';

/** A field path: C-like text (`'mm'`, `'comm[3]'`, `'se.vruntime'`) or raw access indices (`[0, 1, 2]`). */
export type FieldPath = string | readonly number[];

/** Where an outcome record goes: `base` is R10 (the stack) or a register holding a map value pointer (R6–R9). */
export interface OutcomeSlot {
  readonly base: Reg;
  readonly off: number;
}

/** What {@link Program.relocatableFieldRead} emitted: enough to decode the record. */
export interface EmittedRead {
  readonly type: LocalTypeRef;
  readonly path: string;
  /** Access strings of each hop (one per pointer dereference, the last is the field). */
  readonly accessStrings: readonly string[];
  /** Bytes read (the expected size), or 8 for bitfields (decoded into a u64). */
  readonly valueSize: number;
  /** Bytes the outcome record takes ({@link readOutcomeSize}). */
  readonly recordSize: number;
  readonly bitfield: boolean;
  /** Whether the local field is a signed integer. */
  readonly signed: boolean;
}

/** One step of a path: a relocated member access, or an index into what a pointer points to. */
type Hop =
  | { readonly kind: 'field'; readonly rootId: number; readonly accessString: string; readonly fieldType: number; readonly bitfield: boolean }
  /** `p[n]` where `p` points to a scalar or a pointer: plain arithmetic, nothing to relocate. */
  | { readonly kind: 'index'; readonly offset: number; readonly fieldType: number; readonly bitfield: false };

function emitError(message: string): BtfkitError {
  return new BtfkitError(ErrorCodes.EMIT, message);
}

/** A program or subprogram with the CO-RE intrinsics. Create through `ObjectBuilder.program`. */
export class Program extends ProgramBuilder {
  constructor(name: string, section: string, readonly types: LocalTypes, file?: string) {
    super(name, section, file);
  }

  // --- the thirteen intrinsics -------------------------------------------------------------

  /** `dst = offsetof(type, path)` relocated (FIELD_BYTE_OFFSET = 0). */
  fieldByteOffset(dst: Reg, type: LocalTypeRef, path: FieldPath): this { return this.fieldInfo(dst, type, path, RELO_KIND.FIELD_BYTE_OFFSET); }
  /** `dst = sizeof(field)` relocated (FIELD_BYTE_SIZE = 1). */
  fieldByteSize(dst: Reg, type: LocalTypeRef, path: FieldPath): this { return this.fieldInfo(dst, type, path, RELO_KIND.FIELD_BYTE_SIZE); }
  /** `dst = field exists ? 1 : 0` (FIELD_EXISTS = 2). */
  fieldExists(dst: Reg, type: LocalTypeRef, path: FieldPath): this { return this.fieldInfo(dst, type, path, RELO_KIND.FIELD_EXISTS); }
  /** `dst = field is signed ? 1 : 0` (FIELD_SIGNED = 3). */
  fieldSigned(dst: Reg, type: LocalTypeRef, path: FieldPath): this { return this.fieldInfo(dst, type, path, RELO_KIND.FIELD_SIGNED); }
  /** `dst = ` left shift that puts a bitfield at the top of a u64 (FIELD_LSHIFT_U64 = 4). */
  fieldLShiftU64(dst: Reg, type: LocalTypeRef, path: FieldPath): this { return this.fieldInfo(dst, type, path, RELO_KIND.FIELD_LSHIFT_U64); }
  /** `dst = ` right shift that brings it back down (FIELD_RSHIFT_U64 = 5). */
  fieldRShiftU64(dst: Reg, type: LocalTypeRef, path: FieldPath): this { return this.fieldInfo(dst, type, path, RELO_KIND.FIELD_RSHIFT_U64); }
  /** `dst = ` the local BTF id of `type` (TYPE_ID_LOCAL = 6), as `r = id ll`. */
  typeIdLocal(dst: Reg, type: LocalTypeRef): this { return this.typeInfo(dst, type, RELO_KIND.TYPE_ID_LOCAL); }
  /** `dst = ` the target kernel's id of `type` (TYPE_ID_TARGET = 7), as `r = id ll`. */
  typeIdTarget(dst: Reg, type: LocalTypeRef): this { return this.typeInfo(dst, type, RELO_KIND.TYPE_ID_TARGET); }
  /** `dst = type exists ? 1 : 0` (TYPE_EXISTS = 8). */
  typeExists(dst: Reg, type: LocalTypeRef): this { return this.typeInfo(dst, type, RELO_KIND.TYPE_EXISTS); }
  /** `dst = sizeof(type)` on the target (TYPE_SIZE = 9). */
  typeSize(dst: Reg, type: LocalTypeRef): this { return this.typeInfo(dst, type, RELO_KIND.TYPE_SIZE); }
  /** `dst = type matches ? 1 : 0` (TYPE_MATCHES = 12). */
  typeMatches(dst: Reg, type: LocalTypeRef): this { return this.typeInfo(dst, type, RELO_KIND.TYPE_MATCHES); }
  /** `dst = enumerator exists ? 1 : 0` (ENUMVAL_EXISTS = 10), as `r = v ll`. */
  enumValueExists(dst: Reg, type: LocalTypeRef, enumerator: string): this { return this.enumInfo(dst, type, enumerator, RELO_KIND.ENUMVAL_EXISTS); }
  /** `dst = ` the enumerator's value on the target (ENUMVAL_VALUE = 11), as `r = v ll`. */
  enumValue(dst: Reg, type: LocalTypeRef, enumerator: string): this { return this.enumInfo(dst, type, enumerator, RELO_KIND.ENUMVAL_VALUE); }

  /** Emit `kind` on `type` + access string as clang does (mov for field and type facts, LD_IMM64 for ids and enum values). */
  coreInstruction(dst: Reg, type: LocalTypeRef, accessString: string, kind: number): this {
    const local = this.localValue(type, accessString, kind);
    const wide = kind === RELO_KIND.TYPE_ID_LOCAL || kind === RELO_KIND.TYPE_ID_TARGET || kind === RELO_KIND.ENUMVAL_EXISTS || kind === RELO_KIND.ENUMVAL_VALUE;
    const insn = wide ? ldImm64(dst, BigInt.asUintN(64, local)) : aluImm('alu64', 'mov', dst, Number(BigInt.asIntN(32, local)));
    return this.emit(insn, { core: { type, accessString, kind } });
  }

  /** The CO-RE access string of a path on `type` (as clang computes it). */
  accessString(type: LocalTypeRef, path: FieldPath): string {
    return typeof path === 'string' ? asEmit(`${this.name}: ${type.cName}`, () => accessStringFor(this.types.view(), type.id, path)) : path.join(':');
  }

  private fieldInfo(dst: Reg, type: LocalTypeRef, path: FieldPath, kind: number): this {
    return this.coreInstruction(dst, type, this.accessString(type, path), kind);
  }

  private typeInfo(dst: Reg, type: LocalTypeRef, kind: number): this {
    return this.coreInstruction(dst, type, '0', kind);
  }

  private enumInfo(dst: Reg, type: LocalTypeRef, enumerator: string, kind: number): this {
    const btf = this.types.view();
    const t = btf.type(btf.skipModsAndTypedefs(type.id));
    const idx = t.kind === 'enum' || t.kind === 'enum64' ? t.values.findIndex((v) => v.name === enumerator) : -1;
    if (idx < 0) throw emitError(`${type.cName} has no enumerator ${enumerator}`);
    return this.coreInstruction(dst, type, String(idx), kind);
  }

  private localValue(type: LocalTypeRef, accessString: string, kind: number): bigint {
    if (kind === RELO_KIND.TYPE_ID_LOCAL || kind === RELO_KIND.TYPE_ID_TARGET) return BigInt(type.id);
    const btf = this.types.view();
    return asEmit(`${this.name}: ${reloKindTag(kind)} of ${type.cName} (${accessString})`, () => {
      const spec = parseAccessSpec(btf, { typeId: type.id, accessString, kind });
      return clangBitfieldValue(spec, kind) ?? calcRelocation(kind, spec, spec, { program: this.name, sectionInsn: this.slotCount, reloIndex: 0 }, btf.littleEndian).origVal;
    });
  }

  // --- reads -------------------------------------------------------------------------------

  /**
   * Direct load through a BTF pointer (`tp_btf`, `fentry`, ... programs): `dst = ptr->path`
   * with the FIELD_BYTE_OFFSET record on the load itself, so libbpf patches the offset and
   * adjusts the load width to the target's field size.
   */
  loadField(dst: Reg, ptr: Reg, type: LocalTypeRef, path: string): this {
    const hop = this.hops(type, path);
    if (hop.length !== 1) throw emitError(`loadField ${path}: a direct load cannot cross a pointer; load each pointer first`);
    const h = hop[0]!;
    if (h.kind !== 'field') throw emitError(`loadField ${path}: not a member access`);
    if (h.bitfield) throw emitError(`loadField ${path}: bitfields need relocatableFieldRead`);
    const btf = this.types.view();
    const size = btf.resolveSize(h.fieldType);
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw emitError(`loadField ${path}: a ${size}-byte field cannot be loaded into a register`);
    const off = Number(this.localValue(type, h.accessString, RELO_KIND.FIELD_BYTE_OFFSET));
    return this.emit(load(size as AccessSize, dst, ptr, off), { core: { type, accessString: h.accessString, kind: RELO_KIND.FIELD_BYTE_OFFSET } });
  }

  /**
   * `BPF_CORE_READ(ptr, a, b, c)`: follow pointers with relocated offsets and
   * `bpf_probe_read_kernel`, reading the last field with its *local* size into `out`.
   * Clobbers R0–R5; leaves the helper's return value in R0. The unsafe form kept for
   * comparison with C: a size change on the target goes unnoticed (see {@link relocatableFieldRead}).
   */
  coreRead(out: OutcomeSlot, ptr: Reg, type: LocalTypeRef, path: string): this {
    const hops = this.hops(type, path);
    checkOutcomeBase(out);
    const btf = this.types.view();
    this.mov(R3, ptr);
    for (const [i, h] of hops.entries()) {
      if (h.kind === 'index') this.add(R3, imm(h.offset));
      else this.coreInstruction(R1, this.refOf(h.rootId), h.accessString, RELO_KIND.FIELD_BYTE_OFFSET).add(R3, R1);
      const size = i === hops.length - 1 ? btf.resolveSize(h.fieldType) : 8;
      this.mov(R1, out.base).add(R1, imm(out.off)).mov32(R2, imm(size)).call('probe_read_kernel');
      if (i < hops.length - 1) this.load(8, R3, out.base, out.off);
    }
    return this;
  }

  /**
   * The safe read. For each pointer on the path, and then for the field: does it exist on
   * this kernel (else `Ok(None)`)? For the field: is its size the expected one (else
   * `Err(SizeMismatch { expected, actual })`)? Then `bpf_probe_read_kernel` at the relocated
   * offset (a failure is `Err(ProbeRead(errno))`). Bitfields are read as
   * `BPF_CORE_READ_BITFIELD_PROBED` does (relocated size, shifts and signedness) into a u64.
   *
   * Writes a {@link READ_OUTCOME_LAYOUT} record at `out` and leaves its status in R0.
   * Clobbers R0–R5. `out.base` must be R10 or R6–R9.
   */
  relocatableFieldRead(out: OutcomeSlot, ptr: Reg, type: LocalTypeRef, path: string, options: { expectedSize?: number } = {}): EmittedRead {
    checkOutcomeBase(out);
    const hops = this.hops(type, path);
    const btf = this.types.view();
    const last = hops[hops.length - 1]!;
    const localSize = last.bitfield ? 8 : btf.resolveSize(last.fieldType);
    const expected = options.expectedSize ?? localSize;
    if (last.kind === 'index' && expected !== localSize) {
      throw emitError(`${path}: an element behind a pointer has no relocation, so its size is the local ${localSize} bytes, not ${expected}`);
    }
    if (last.bitfield && options.expectedSize !== undefined && options.expectedSize !== 8) throw emitError(`${path}: a bitfield is read into a u64 (expected size 8)`);
    const signed = isSigned(btf, last.fieldType);
    const value = out.off + READ_OUTCOME_LAYOUT.value;
    const status = (s: number): this => this.store(4, out.base, out.off + READ_OUTCOME_LAYOUT.status, imm(s));
    const none = this.label(`${path}.none`);
    const mismatch = this.label(`${path}.size_mismatch`);
    const failed = this.label(`${path}.probe_read`);
    const done = this.label(`${path}.done`);
    this.store(4, out.base, out.off + READ_OUTCOME_LAYOUT.detail, imm(0));
    this.mov(R3, ptr);
    for (const [i, h] of hops.entries()) {
      const isLast = i === hops.length - 1;
      if (h.kind === 'index') {
        this.add(R3, imm(h.offset));
      } else {
        const root = this.refOf(h.rootId);
        this.coreInstruction(R1, root, h.accessString, RELO_KIND.FIELD_EXISTS).jump('jeq', R1, imm(0), none);
        if (isLast && !last.bitfield) {
          this.coreInstruction(R2, root, h.accessString, RELO_KIND.FIELD_BYTE_SIZE).jump('jne', R2, imm(expected), mismatch);
        }
        this.coreInstruction(R1, root, h.accessString, RELO_KIND.FIELD_BYTE_OFFSET).add(R3, R1);
      }
      if (isLast && h.kind === 'field' && h.bitfield) {
        const root = this.refOf(h.rootId);
        // the bytes holding the bitfield, into the low end of a zeroed u64 (the high end on big-endian)
        this.store(8, out.base, value, imm(0));
        this.coreInstruction(R2, root, h.accessString, RELO_KIND.FIELD_BYTE_SIZE);
        this.mov(R1, out.base).add(R1, imm(value));
        if (!btf.littleEndian) this.mov(R4, imm(8)).sub(R4, R2).add(R1, R4);
        this.call('probe_read_kernel').jump('jne', R0, imm(0), failed);
        this.load(8, R1, out.base, value);
        this.coreInstruction(R2, root, h.accessString, RELO_KIND.FIELD_LSHIFT_U64).lsh(R1, R2);
        this.coreInstruction(R2, root, h.accessString, RELO_KIND.FIELD_RSHIFT_U64);
        const unsigned = this.label(`${path}.unsigned`);
        const shifted = this.label(`${path}.shifted`);
        this.coreInstruction(R4, root, h.accessString, RELO_KIND.FIELD_SIGNED).jump('jeq', R4, imm(0), unsigned);
        this.arsh(R1, R2).goto(shifted).place(unsigned).rsh(R1, R2).place(shifted);
        this.store(8, out.base, value, R1);
      } else {
        // a pointer read by an earlier hop is still in the value bytes: clear what the field will not cover
        if (isLast && hops.length > 1) this.store(8, out.base, value, imm(0));
        this.mov(R1, out.base).add(R1, imm(value)).mov32(R2, imm(isLast ? expected : 8));
        this.call('probe_read_kernel').jump('jne', R0, imm(0), failed);
        if (!isLast) this.load(8, R3, out.base, value);
      }
    }
    status(READ_STATUS.SOME).mov(R0, imm(READ_STATUS.SOME)).goto(done);
    this.place(none).store(8, out.base, value, imm(0));
    status(READ_STATUS.NONE).mov(R0, imm(READ_STATUS.NONE)).goto(done);
    if (!last.bitfield && last.kind === 'field') {
      // (bitfields are read at whatever width the target has: no size check, and no block the
      // verifier would reject as unreachable)
      this.place(mismatch).store(4, out.base, out.off + READ_OUTCOME_LAYOUT.detail, R2);
      status(READ_STATUS.SIZE_MISMATCH).mov(R0, imm(READ_STATUS.SIZE_MISMATCH)).goto(done);
    }
    this.place(failed).store(4, out.base, out.off + READ_OUTCOME_LAYOUT.detail, R0);
    status(READ_STATUS.PROBE_READ).mov(R0, imm(READ_STATUS.PROBE_READ));
    this.place(done);
    return {
      type, path, accessStrings: hops.flatMap((h) => (h.kind === 'field' ? [h.accessString] : [])), valueSize: last.bitfield ? 8 : expected,
      recordSize: readOutcomeSize(last.bitfield ? 8 : expected), bitfield: last.bitfield, signed,
    };
  }

  /**
   * Split a C path at pointer dereferences (`files.fdt`, `real_parent.tgid`, `a->b`,
   * `fdt.fd[3]`): one relocation root per struct reached through a pointer, plain arithmetic
   * for an index into pointed-to scalars or pointers.
   */
  private hops(type: LocalTypeRef, path: string): Hop[] {
    const btf = this.types.view();
    const tokens: ({ kind: 'member'; name: string } | { kind: 'index'; n: number })[] = [];
    const re = /\s*(?:(?:\.|->)?\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(\d+)\s*\])/y;
    let m: RegExpExecArray | null;
    while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
      tokens.push(m[1] !== undefined ? { kind: 'member', name: m[1] } : { kind: 'index', n: Number(m[2]) });
    }
    if (re.lastIndex < path.length && path.slice(re.lastIndex).trim() !== '') throw emitError(`cannot parse access path '${path}' at '${path.slice(re.lastIndex)}'`);
    if (tokens.length === 0) throw emitError(`empty access path on ${type.cName}`);
    const hops: Hop[] = [];
    let root = type.id as number;
    let seg = '';
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i]!;
      seg += tok.kind === 'member' ? (seg === '' ? tok.name : `.${tok.name}`) : `[${tok.n}]`;
      const access = asEmit(`${this.name}: ${path} on ${type.cName}`, () => accessStringFor(btf, root, seg));
      const { fieldType, bitfield } = memberAt(btf, root, access);
      const stripped = btf.skipModsAndTypedefs(fieldType);
      const next = tokens[i + 1];
      if (next === undefined) {
        hops.push({ kind: 'field', rootId: root, accessString: access, fieldType, bitfield });
        break;
      }
      if (btf.kindOf(stripped) !== 'ptr') continue;
      hops.push({ kind: 'field', rootId: root, accessString: access, fieldType, bitfield });
      let ptr = stripped;
      let at = seg;
      // indexes into pointed-to scalars and pointers: arithmetic, then maybe another pointer
      while (tokens[i + 1]?.kind === 'index' && !this.pointsToComposite(btf, ptr)) {
        const idx = tokens[i + 1] as { kind: 'index'; n: number };
        const elem = (btf.type(ptr) as { type: number }).type;
        const size = btf.resolveSize(elem);
        hops.push({ kind: 'index', offset: idx.n * size, fieldType: elem, bitfield: false });
        i++;
        at += `[${idx.n}]`;
        if (tokens[i + 1] === undefined) return hops;
        ptr = btf.skipModsAndTypedefs(elem);
        if (btf.kindOf(ptr) !== 'ptr') throw emitError(`${at} is not a pointer: '${path}' cannot continue past it`);
      }
      root = this.pointee(btf, ptr, at);
      seg = '';
    }
    return hops;
  }

  private pointsToComposite(btf: Btf, ptr: number): boolean {
    const t = btf.type(btf.skipModsAndTypedefs((btf.type(ptr) as { type: number }).type));
    return t.kind === 'struct' || t.kind === 'union' || t.kind === 'fwd';
  }

  /** The local struct a pointer leads to (a forward declaration resolves to the struct of the same name, which must be declared or imported). */
  private pointee(btf: Btf, ptrId: number, at: string): number {
    const t = btf.type(ptrId);
    if (t.kind !== 'ptr') throw emitError(`${at} is not a pointer`);
    const target = btf.skipModsAndTypedefs(t.type);
    const tt = btf.type(target);
    if (tt.kind === 'struct' || tt.kind === 'union') return target;
    if (tt.kind === 'fwd') {
      const full = btf.findByName(tt.name, tt.fwdKind).find((id) => btf.kindOf(id) !== 'fwd');
      if (full === undefined) throw emitError(`${at} points to ${tt.fwdKind} ${tt.name}, which has no local definition: declare or import it first`);
      return full;
    }
    throw emitError(`${at} points to a ${tt.kind}; paths continue only through struct and union pointers`);
  }

  private refOf(id: number): LocalTypeRef {
    const r = this.types.ref(id);
    if (r === undefined) throw emitError(`type [${id}] was not created through this object's LocalTypes`);
    return r;
  }
}

/** Run `f`; a CO-RE error (a bad path, a kind that does not apply to the field) becomes an `EMIT` error. */
function asEmit<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CalcError || (e instanceof BtfkitError && e.code !== ErrorCodes.EMIT)) {
      throw new BtfkitError(ErrorCodes.EMIT, `${what}: ${(e as Error).message}`, { cause: e });
    }
    throw e;
  }
}

/**
 * clang's immediate for a bitfield's FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE and FIELD_LSHIFT_U64
 * (LLVM's BPFAbstractMemberAccess::GetFieldInfo): the storage unit is the containing struct's
 * alignment (at most 8 bytes), where libbpf's calculation takes the size of the field's type.
 * libbpf checks no such immediate for a bitfield (`validate` is false) and writes its own, so
 * both load the same; clang's values are written so that our objects read as clang's do.
 * Undefined (libbpf's value is used) for other kinds and fields, and where clang would refuse.
 */
function clangBitfieldValue(spec: AccessSpec, kind: number): bigint | undefined {
  if (kind !== RELO_KIND.FIELD_BYTE_OFFSET && kind !== RELO_KIND.FIELD_BYTE_SIZE && kind !== RELO_KIND.FIELD_LSHIFT_U64) return undefined;
  const acc = spec.accessors[spec.accessors.length - 1];
  if (acc === undefined || acc.name === undefined) return undefined;
  const btf = spec.btf;
  const c = btf.type(acc.typeId);
  if (c.kind !== 'struct' && c.kind !== 'union') return undefined;
  const m = c.members[acc.idx];
  if (m === undefined || m.bitfieldSize === 0) return undefined;
  const unit = Math.min(btf.alignment(acc.typeId), 8) * 8;
  const start = Math.floor(m.bitOffset / unit) * unit;
  const next = start + unit;
  if (next < m.bitOffset + m.bitfieldSize) return undefined;
  if (kind === RELO_KIND.FIELD_BYTE_OFFSET) return BigInt((spec.bitOffset - m.bitOffset + start) / 8);
  if (kind === RELO_KIND.FIELD_BYTE_SIZE) return BigInt(unit / 8);
  return BigInt(btf.littleEndian ? start + 64 - m.bitOffset - m.bitfieldSize : m.bitOffset + 64 - next);
}

function checkOutcomeBase(out: OutcomeSlot): void {
  if (out.base !== R10 && (out.base < 6 || out.base > 9)) {
    throw emitError(`outcome records go to the stack (R10) or behind R6–R9 (calls clobber R0–R5), not R${out.base}`);
  }
  if (out.base === R10 && out.off >= 0) throw emitError(`stack offsets are negative (got ${out.off}); reserve with stack()`);
}

/** The member an access string ends at. */
function memberAt(btf: Btf, root: number, access: string): { fieldType: number; bitfield: boolean } {
  const idx = access.split(':').map(Number);
  let cur = root;
  let bitfield = false;
  for (const [n, i] of idx.entries()) {
    if (n === 0) continue; // the root pointer as an array
    const t = btf.type(btf.skipModsAndTypedefs(cur));
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[i]!;
      cur = m.type;
      bitfield = m.bitfieldSize > 0;
    } else if (t.kind === 'array') {
      cur = t.type;
      bitfield = false;
    }
  }
  return { fieldType: cur, bitfield };
}

function isSigned(btf: Btf, id: number): boolean {
  const t = btf.type(btf.skipModsAndTypedefs(id));
  return (t.kind === 'int' && t.signed) || ((t.kind === 'enum' || t.kind === 'enum64') && t.signed);
}


