/**
 * The instruction model.
 *
 * An {@link Insn} is plain, immutable data: the raw fields of the 8-byte slot ({@link InsnFields}:
 * opcode byte, registers, signed 16-bit offset, signed 32-bit immediate), plus a `kind` and
 * the meaning the opcode gives them (class, operation, size, source, ...). The raw fields
 * are the truth: encoding writes them and nothing else, so `encode(decode(bytes))` gives the
 * bytes back exactly. The meaning is computed from them in one place, {@link makeInsn}, which
 * both the decoder and the builders go through; change an instruction with {@link withFields}.
 *
 * Classification goes by the opcode and by the fields that select an operation (`off` for
 * sdiv/smod, movsx and address-space casts; `imm` for byte swaps and atomics). An opcode or
 * selector the ISA does not define gives `kind: 'unknown'`. Fields an instruction does not use
 * are kept as they are and do not change its kind (the ISA says they must be zero and the
 * kernel rejects them otherwise; {@link reservedFields} lists them).
 *
 * @packageDocumentation
 */
import { InsnError, InsnErrorCodes } from './errors.js';
import {
  ALU_OPS, BPF_ABS, BPF_ADDR_SPACE_CAST, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_DIV, BPF_DW, BPF_END,
  BPF_EXIT, BPF_IMM, BPF_IND, BPF_JA, BPF_JCOND, BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LD_IMM64, BPF_LDX, BPF_MEM,
  BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG, BPF_ST, BPF_STX, BPF_X, CALLEES, CLASS_NAMES, JUMP_OPS, PSEUDO_SOURCES,
  SIZE_BYTES, atomicImm, sizeCode,
  type AccessSize, type AluOp, type AtomicOp, type Callee, type InsnClass, type JumpOp, type PseudoSource,
} from './opcodes.js';

/** The raw fields of one 8-byte instruction slot. */
export interface InsnFields {
  /** The opcode byte, 0..255. */
  readonly code: number;
  /** Destination register nibble, 0..15 (r0..r10 are defined). */
  readonly dst: number;
  /** Source register nibble, 0..15. */
  readonly src: number;
  /** Signed 16-bit offset. */
  readonly off: number;
  /** Signed 32-bit immediate. */
  readonly imm: number;
}

interface Base extends InsnFields {
  /** The instruction class, from the low 3 bits of `code`. */
  readonly class: InsnClass;
}

/** `dst op= src` / `dst op= imm` in 32-bit (`alu`) or 64-bit (`alu64`) arithmetic, and `dst = -dst`. */
export interface AluInsn extends Base {
  readonly kind: 'alu';
  readonly class: 'alu' | 'alu64';
  readonly op: AluOp;
  /** `k`: the operand is `imm`; `x`: the operand is register `src`. `neg` is always `k` and has no operand. */
  readonly source: 'k' | 'x';
}

/** `dst = (s8/s16/s32) src`: a move that sign-extends the low `bits` of `src` (cpu v4). */
export interface MovsxInsn extends Base {
  readonly kind: 'movsx';
  readonly class: 'alu' | 'alu64';
  readonly bits: 8 | 16 | 32;
}

/** `dst = addr_space_cast(src, dstAddrSpace, srcAddrSpace)` (BPF arena pointers). */
export interface AddrSpaceCastInsn extends Base {
  readonly kind: 'addr_space_cast';
  readonly class: 'alu64';
  /** High 16 bits of imm. */
  readonly dstAddrSpace: number;
  /** Low 16 bits of imm. */
  readonly srcAddrSpace: number;
}

/** Byte swap: `le`/`be` convert to that byte order (`alu` class), `bswap` swaps unconditionally (`alu64`, cpu v4). */
export interface EndianInsn extends Base {
  readonly kind: 'endian';
  readonly class: 'alu' | 'alu64';
  readonly order: 'le' | 'be' | 'bswap';
  readonly bits: 16 | 32 | 64;
}

/** A conditional jump comparing `dst` with `src` or `imm`, 64-bit (`jmp`) or 32-bit (`jmp32`); the target is `off` slots after the next one. */
export interface JumpInsn extends Base {
  readonly kind: 'jump';
  readonly class: 'jmp' | 'jmp32';
  readonly op: JumpOp;
  readonly source: 'k' | 'x';
}

/** Unconditional jump: `goto off` (`jmp`) or `gotol imm` (`jmp32`, 32-bit range, cpu v4). */
export interface JaInsn extends Base {
  readonly kind: 'ja';
  readonly class: 'jmp' | 'jmp32';
}

/** `may_goto off`: a jump the kernel takes once a loop budget runs out. */
export interface MayGotoInsn extends Base {
  readonly kind: 'may_goto';
  readonly class: 'jmp';
}

/** `call imm`: a helper (imm is its id), a subprogram (imm is the slot offset) or a kfunc (imm is its BTF id, off the BTF fd index). */
export interface CallInsn extends Base {
  readonly kind: 'call';
  readonly class: 'jmp';
  readonly callee: Callee;
}

/** `callx dst`: an indirect call. LLVM emits it; the ISA and the kernel do not define it. */
export interface CallxInsn extends Base {
  readonly kind: 'callx';
  readonly class: 'jmp';
}

/** `exit`. */
export interface ExitInsn extends Base {
  readonly kind: 'exit';
  readonly class: 'jmp';
}

/** `dst = value ll`: a 64-bit immediate in two slots. `imm` holds the low half, `hi.imm` the high half. */
export interface LdImm64Insn extends Base {
  readonly kind: 'ld_imm64';
  readonly class: 'ld';
  /** What the loader makes of the value, from `src`. */
  readonly pseudo: PseudoSource;
  /** The 64-bit immediate, unsigned (0 .. 2^64-1). */
  readonly value: bigint;
  /** The raw fields of the second slot (all but `imm` must be zero). */
  readonly hi: InsnFields;
}

/** Legacy packet load `r0 = *(size *)skb[imm]`. */
export interface LdAbsInsn extends Base {
  readonly kind: 'ld_abs';
  readonly class: 'ld';
  readonly size: 1 | 2 | 4;
}

/** Legacy packet load `r0 = *(size *)skb[src + imm]`. */
export interface LdIndInsn extends Base {
  readonly kind: 'ld_ind';
  readonly class: 'ld';
  readonly size: 1 | 2 | 4;
}

/** `dst = *(size *)(src + off)`, zero- or (cpu v4, sizes 1, 2, 4) sign-extending. */
export interface LoadInsn extends Base {
  readonly kind: 'load';
  readonly class: 'ldx';
  readonly size: AccessSize;
  readonly signed: boolean;
}

/** `*(size *)(dst + off) = imm`. */
export interface StoreImmInsn extends Base {
  readonly kind: 'store_imm';
  readonly class: 'st';
  readonly size: AccessSize;
}

/** `*(size *)(dst + off) = src`. */
export interface StoreInsn extends Base {
  readonly kind: 'store';
  readonly class: 'stx';
  readonly size: AccessSize;
}

/** An atomic operation on `*(size *)(dst + off)` with register `src` (and r0 for cmpxchg). */
export interface AtomicInsn extends Base {
  readonly kind: 'atomic';
  readonly class: 'stx';
  /** 4 or 8; load_acquire and store_release also 1 and 2. */
  readonly size: AccessSize;
  readonly op: AtomicOp;
  /** True when the old value is returned (always for xchg and cmpxchg; never for load_acquire/store_release). */
  readonly fetch: boolean;
}

/** An opcode (or operation selector) the ISA does not define. */
export interface UnknownInsn extends Base {
  readonly kind: 'unknown';
}

/** One BPF instruction. */
export type Insn =
  | AluInsn | MovsxInsn | AddrSpaceCastInsn | EndianInsn
  | JumpInsn | JaInsn | MayGotoInsn | CallInsn | CallxInsn | ExitInsn
  | LdImm64Insn | LdAbsInsn | LdIndInsn | LoadInsn | StoreImmInsn | StoreInsn | AtomicInsn
  | UnknownInsn;

/** The `kind` of an instruction. */
export type InsnKind = Insn['kind'];

/** Number of 8-byte slots an instruction takes (2 for LD_IMM64, else 1). */
export function insnSlots(insn: Insn): 1 | 2 {
  return insn.kind === 'ld_imm64' ? 2 : 1;
}

const ALU_BY_CODE: readonly (AluOp | undefined)[] = (() => {
  const t: (AluOp | undefined)[] = new Array<AluOp | undefined>(16).fill(undefined);
  for (const [op, { code, off }] of Object.entries(ALU_OPS) as [AluOp, { code: number; off: number }][]) {
    if (off === 0) t[code >> 4] = op;
  }
  return t;
})();

const JUMP_BY_CODE: readonly (JumpOp | undefined)[] = (() => {
  const t: (JumpOp | undefined)[] = new Array<JumpOp | undefined>(16).fill(undefined);
  for (const [op, code] of Object.entries(JUMP_OPS) as [JumpOp, number][]) t[code >> 4] = op;
  return t;
})();

const MASK64 = (1n << 64n) - 1n;

function checkFields(f: InsnFields, what: string): void {
  const bad = (field: string, v: number, range: string): never => {
    throw new InsnError(InsnErrorCodes.INSN_BAD_FIELD, `${what}${field} ${v} is not in ${range}`);
  };
  if (!Number.isInteger(f.code) || f.code < 0 || f.code > 0xff) bad('code', f.code, '0..255');
  if (!Number.isInteger(f.dst) || f.dst < 0 || f.dst > 15) bad('dst', f.dst, '0..15');
  if (!Number.isInteger(f.src) || f.src < 0 || f.src > 15) bad('src', f.src, '0..15');
  if (!Number.isInteger(f.off) || f.off < -0x8000 || f.off > 0x7fff) bad('off', f.off, '-32768..32767');
  if (!Number.isInteger(f.imm) || f.imm < -0x80000000 || f.imm > 0x7fffffff) bad('imm', f.imm, '-2^31..2^31-1');
}

/**
 * Check that the raw fields are in range (registers 0..15, 16-bit offset, signed 32-bit imm).
 * @throws {InsnError} `INSN_BAD_FIELD`
 */
export function checkInsnFields(f: InsnFields): void {
  checkFields(f, '');
}

/**
 * The instruction with these raw fields. `hi` is the second slot and is required for LD_IMM64
 * (opcode 0x18) and ignored otherwise. The fields are checked with {@link checkInsnFields}.
 * @throws {InsnError} `INSN_BAD_FIELD` for a field out of range or an LD_IMM64 without `hi`.
 */
export function makeInsn(fields: InsnFields, hi?: InsnFields): Insn {
  checkFields(fields, '');
  if (fields.code === BPF_LD_IMM64) {
    if (hi === undefined) throw new InsnError(InsnErrorCodes.INSN_BAD_FIELD, 'LD_IMM64 needs its second slot');
    checkFields(hi, 'second slot ');
  }
  return classify(fields, hi);
}

/**
 * Classify already range-checked fields. The decoder calls this directly; everything else goes
 * through {@link makeInsn}.
 * @internal
 */
export function classify(f: InsnFields, hi: InsnFields | undefined): Insn {
  const { code, dst, src, off, imm } = f;
  const cls = code & 0x07;
  const unknown = (): UnknownInsn => ({ kind: 'unknown', class: CLASS_NAMES[cls]!, code, dst, src, off, imm });
  switch (cls) {
    case BPF_LD: {
      const mode = code & 0xe0;
      const sizeBits = code & 0x18;
      if (mode === BPF_IMM && sizeBits === BPF_DW && hi !== undefined) {
        const h = { code: hi.code, dst: hi.dst, src: hi.src, off: hi.off, imm: hi.imm };
        const value = ((BigInt(hi.imm) << 32n) | BigInt(imm >>> 0)) & MASK64;
        return { kind: 'ld_imm64', class: 'ld', code, dst, src, off, imm, pseudo: PSEUDO_SOURCES[src] ?? 'other', value, hi: h };
      }
      if (sizeBits === BPF_DW) return unknown();
      const size = SIZE_BYTES[sizeBits >> 3] as 1 | 2 | 4;
      if (mode === BPF_ABS) return { kind: 'ld_abs', class: 'ld', code, dst, src, off, imm, size };
      if (mode === BPF_IND) return { kind: 'ld_ind', class: 'ld', code, dst, src, off, imm, size };
      return unknown();
    }
    case BPF_LDX: {
      const mode = code & 0xe0;
      const size = SIZE_BYTES[(code >> 3) & 3]!;
      if (mode === BPF_MEM) return { kind: 'load', class: 'ldx', code, dst, src, off, imm, size, signed: false };
      if (mode === BPF_MEMSX && size !== 8) return { kind: 'load', class: 'ldx', code, dst, src, off, imm, size, signed: true };
      return unknown();
    }
    case BPF_ST: {
      const size = SIZE_BYTES[(code >> 3) & 3]!;
      if ((code & 0xe0) === BPF_MEM) return { kind: 'store_imm', class: 'st', code, dst, src, off, imm, size };
      return unknown();
    }
    case BPF_STX: {
      const mode = code & 0xe0;
      const size = SIZE_BYTES[(code >> 3) & 3]!;
      if (mode === BPF_MEM) return { kind: 'store', class: 'stx', code, dst, src, off, imm, size };
      if (mode === BPF_ATOMIC) {
        const a = atomicOf(imm, size);
        return a === undefined ? unknown() : { kind: 'atomic', class: 'stx', code, dst, src, off, imm, size, op: a.op, fetch: a.fetch };
      }
      return unknown();
    }
    case BPF_ALU:
    case BPF_ALU64: {
      const klass = cls === BPF_ALU ? 'alu' : 'alu64';
      const opBits = code & 0xf0;
      const source = (code & BPF_X) === BPF_X ? 'x' : 'k';
      if (opBits === BPF_END) {
        if (imm !== 16 && imm !== 32 && imm !== 64) return unknown();
        if (klass === 'alu64' && source === 'x') return unknown();
        const order = klass === 'alu64' ? 'bswap' : source === 'x' ? 'be' : 'le';
        return { kind: 'endian', class: klass, code, dst, src, off, imm, order, bits: imm as 16 | 32 | 64 };
      }
      if (opBits === BPF_NEG) {
        return source === 'k' ? { kind: 'alu', class: klass, code, dst, src, off, imm, op: 'neg', source } : unknown();
      }
      if (opBits === BPF_MOV && source === 'x' && off !== 0) {
        if (off === 8 || off === 16 || (off === 32 && klass === 'alu64')) return { kind: 'movsx', class: klass, code, dst, src, off, imm, bits: off as 8 | 16 | 32 };
        if (off === BPF_ADDR_SPACE_CAST && klass === 'alu64') {
          return { kind: 'addr_space_cast', class: 'alu64', code, dst, src, off, imm, dstAddrSpace: (imm >>> 16) & 0xffff, srcAddrSpace: imm & 0xffff };
        }
        return unknown();
      }
      if (off === 1 && (opBits === BPF_DIV || opBits === BPF_MOD)) {
        return { kind: 'alu', class: klass, code, dst, src, off, imm, op: opBits === BPF_DIV ? 'sdiv' : 'smod', source };
      }
      const op = ALU_BY_CODE[opBits >> 4];
      if (op === undefined || off !== 0) return unknown();
      return { kind: 'alu', class: klass, code, dst, src, off, imm, op, source };
    }
    default: {
      // BPF_JMP, BPF_JMP32
      const klass = cls === BPF_JMP ? 'jmp' : 'jmp32';
      const opBits = code & 0xf0;
      const source = (code & BPF_X) === BPF_X ? 'x' : 'k';
      switch (opBits) {
        case BPF_JA:
          return source === 'k' ? { kind: 'ja', class: klass, code, dst, src, off, imm } : unknown();
        case BPF_CALL:
          if (klass !== 'jmp') return unknown();
          return source === 'k' ? { kind: 'call', class: 'jmp', code, dst, src, off, imm, callee: CALLEES[src] ?? 'other' } : { kind: 'callx', class: 'jmp', code, dst, src, off, imm };
        case BPF_EXIT:
          return klass === 'jmp' && source === 'k' ? { kind: 'exit', class: 'jmp', code, dst, src, off, imm } : unknown();
        case BPF_JCOND:
          return klass === 'jmp' && source === 'k' ? { kind: 'may_goto', class: 'jmp', code, dst, src, off, imm } : unknown();
        default: {
          const op = JUMP_BY_CODE[opBits >> 4];
          return op === undefined ? unknown() : { kind: 'jump', class: klass, code, dst, src, off, imm, op, source };
        }
      }
    }
  }
}

function atomicOf(imm: number, size: AccessSize): { op: AtomicOp; fetch: boolean } | undefined {
  const wide = size === 4 || size === 8;
  switch (imm) {
    case 0x00: return wide ? { op: 'add', fetch: false } : undefined;
    case 0x01: return wide ? { op: 'add', fetch: true } : undefined;
    case 0x40: return wide ? { op: 'or', fetch: false } : undefined;
    case 0x41: return wide ? { op: 'or', fetch: true } : undefined;
    case 0x50: return wide ? { op: 'and', fetch: false } : undefined;
    case 0x51: return wide ? { op: 'and', fetch: true } : undefined;
    case 0xa0: return wide ? { op: 'xor', fetch: false } : undefined;
    case 0xa1: return wide ? { op: 'xor', fetch: true } : undefined;
    case 0xe1: return wide ? { op: 'xchg', fetch: true } : undefined;
    case 0xf1: return wide ? { op: 'cmpxchg', fetch: true } : undefined;
    case 0x100: return { op: 'load_acquire', fetch: false };
    case 0x110: return { op: 'store_release', fetch: false };
    default: return undefined;
  }
}

/** The raw fields of an instruction (without its kind and meaning). */
export function insnFields(insn: InsnFields): InsnFields {
  return { code: insn.code, dst: insn.dst, src: insn.src, off: insn.off, imm: insn.imm };
}

/**
 * A copy of `insn` with some raw fields replaced, classified again. For an LD_IMM64, `value`
 * replaces both halves of the immediate.
 * @throws {InsnError} `INSN_BAD_FIELD` for a field out of range.
 */
export function withFields(insn: Insn, patch: Partial<InsnFields> & { readonly value?: bigint }): Insn {
  const { value, ...fields } = patch;
  let f: InsnFields = { ...insnFields(insn), ...fields };
  let hi = insn.kind === 'ld_imm64' ? insn.hi : undefined;
  if (value !== undefined) {
    if (value < -(1n << 63n) || value > MASK64) throw new InsnError(InsnErrorCodes.INSN_BAD_FIELD, `value ${value} does not fit in 64 bits`);
    const v = value & MASK64;
    f = { ...f, imm: Number(BigInt.asIntN(32, v)) };
    hi = { ...(hi ?? { code: 0, dst: 0, src: 0, off: 0, imm: 0 }), imm: Number(BigInt.asIntN(32, v >> 32n)) };
  }
  return makeInsn(f, hi);
}

/**
 * Where a jump goes, in slots relative to the slot after it: `off` for conditional jumps,
 * `goto` and `may_goto`, `imm` for `gotol`. `undefined` for anything that is not a jump.
 */
export function jumpOffset(insn: Insn): number | undefined {
  switch (insn.kind) {
    case 'jump':
    case 'may_goto':
      return insn.off;
    case 'ja':
      return insn.class === 'jmp32' ? insn.imm : insn.off;
    default:
      return undefined;
  }
}

/**
 * The fields the ISA says must be zero for this instruction but are not (the kernel rejects
 * such instructions). Empty for a clean instruction; `unknown` instructions report nothing.
 */
export function reservedFields(insn: Insn): readonly string[] {
  const out: string[] = [];
  const zero = (...names: (keyof InsnFields)[]): void => {
    for (const n of names) if (insn[n] !== 0) out.push(n);
  };
  switch (insn.kind) {
    case 'alu':
      if (insn.op === 'neg') zero('src', 'off', 'imm');
      else zero(insn.source === 'k' ? 'src' : 'imm');
      break;
    case 'movsx':
      zero('imm');
      break;
    case 'endian':
      zero('src', 'off');
      break;
    case 'jump':
      zero(insn.source === 'k' ? 'src' : 'imm');
      break;
    case 'ja':
      zero('dst', 'src', insn.class === 'jmp' ? 'imm' : 'off');
      break;
    case 'may_goto':
      zero('dst', 'src', 'imm');
      break;
    case 'call':
      zero('dst');
      if (insn.callee !== 'kfunc') zero('off');
      if (insn.callee === 'other') out.push('src');
      break;
    case 'callx':
      zero('src', 'off', 'imm');
      break;
    case 'exit':
      zero('dst', 'src', 'off', 'imm');
      break;
    case 'ld_imm64':
      zero('off');
      if (insn.pseudo === 'other') out.push('src');
      if (insn.hi.code !== 0 || insn.hi.dst !== 0 || insn.hi.src !== 0 || insn.hi.off !== 0) out.push('hi');
      break;
    case 'ld_abs':
      zero('dst', 'src', 'off');
      break;
    case 'ld_ind':
      zero('dst', 'off');
      break;
    case 'load':
    case 'store':
      zero('imm');
      break;
    case 'store_imm':
      zero('src');
      break;
    case 'addr_space_cast':
    case 'atomic':
    case 'unknown':
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Builders. Registers are numbers 0..10 (r10 is the read-only frame pointer).

const f = (code: number, dst: number, src: number, off: number, imm: number): Insn => makeInsn({ code, dst, src, off, imm });

/** `dst op= imm` (or `dst = -dst` for `neg`), 64-bit unless `klass` is `alu`. */
export function aluImm(klass: 'alu' | 'alu64', op: AluOp, dst: number, imm: number): Insn {
  const o = ALU_OPS[op];
  return f((klass === 'alu' ? BPF_ALU : BPF_ALU64) | o.code | BPF_K, dst, 0, o.off, op === 'neg' ? 0 : imm);
}

/** `dst op= src`, 64-bit unless `klass` is `alu`. */
export function aluReg(klass: 'alu' | 'alu64', op: Exclude<AluOp, 'neg'>, dst: number, src: number): Insn {
  const o = ALU_OPS[op];
  return f((klass === 'alu' ? BPF_ALU : BPF_ALU64) | o.code | BPF_X, dst, src, o.off, 0);
}

/** `dst = (sN) src`. */
export function movsx(klass: 'alu' | 'alu64', bits: 8 | 16 | 32, dst: number, src: number): Insn {
  return f((klass === 'alu' ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_X, dst, src, bits, 0);
}

/** `dst = le16/be32/bswap64 dst` and the like. */
export function endian(order: 'le' | 'be' | 'bswap', bits: 16 | 32 | 64, dst: number): Insn {
  const code = order === 'bswap' ? BPF_ALU64 | BPF_END : BPF_ALU | BPF_END | (order === 'be' ? BPF_X : BPF_K);
  return f(code, dst, 0, 0, bits);
}

/** `if dst op imm goto off`. */
export function jumpImm(klass: 'jmp' | 'jmp32', op: JumpOp, dst: number, imm: number, off: number): Insn {
  return f((klass === 'jmp' ? BPF_JMP : BPF_JMP32) | JUMP_OPS[op] | BPF_K, dst, 0, off, imm);
}

/** `if dst op src goto off`. */
export function jumpReg(klass: 'jmp' | 'jmp32', op: JumpOp, dst: number, src: number, off: number): Insn {
  return f((klass === 'jmp' ? BPF_JMP : BPF_JMP32) | JUMP_OPS[op] | BPF_X, dst, src, off, 0);
}

/** `goto off` (16-bit), or with `long`, `gotol off` (32-bit). */
export function ja(off: number, long = false): Insn {
  return long ? f(BPF_JMP32 | BPF_JA, 0, 0, 0, off) : f(BPF_JMP | BPF_JA, 0, 0, off, 0);
}

/** `may_goto off`. */
export function mayGoto(off: number): Insn {
  return f(BPF_JMP | BPF_JCOND, 0, 0, off, 0);
}

/** A call: a helper by id, a subprogram by slot offset, a kfunc by BTF id (and `off`, the BTF fd index). */
export function call(callee: Exclude<Callee, 'other'>, imm: number, off = 0): Insn {
  return f(BPF_JMP | BPF_CALL, 0, CALLEES.indexOf(callee), callee === 'kfunc' ? off : 0, imm);
}

/** `exit`. */
export function exit(): Insn {
  return f(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/** `dst = value ll`, with the pseudo source telling the loader what `value` is. */
export function ldImm64(dst: number, value: bigint, pseudo: Exclude<PseudoSource, 'other'> = 'none'): Insn {
  const lo = { code: BPF_LD_IMM64, dst, src: PSEUDO_SOURCES.indexOf(pseudo), off: 0, imm: 0 };
  return withFields(makeInsn(lo, { code: 0, dst: 0, src: 0, off: 0, imm: 0 }), { value });
}

/** `dst = *(size *)(src + off)`, sign-extending when `signed`. */
export function load(size: AccessSize, dst: number, src: number, off: number, signed = false): Insn {
  return f(BPF_LDX | (signed ? BPF_MEMSX : BPF_MEM) | sizeCode(size), dst, src, off, 0);
}

/** `*(size *)(dst + off) = src`. */
export function store(size: AccessSize, dst: number, off: number, src: number): Insn {
  return f(BPF_STX | BPF_MEM | sizeCode(size), dst, src, off, 0);
}

/** `*(size *)(dst + off) = imm`. */
export function storeImm(size: AccessSize, dst: number, off: number, imm: number): Insn {
  return f(BPF_ST | BPF_MEM | sizeCode(size), dst, 0, off, imm);
}

/** An atomic operation on `*(size *)(dst + off)` with `src`. */
export function atomic(size: AccessSize, op: AtomicOp, dst: number, off: number, src: number, fetch = false): Insn {
  return f(BPF_STX | BPF_ATOMIC | sizeCode(size), dst, src, off, atomicImm(op, fetch));
}
