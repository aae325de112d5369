/**
 * Disassembly in the syntax of `llvm-objdump-19 -d`.
 *
 * The text of each instruction is what llvm-objdump 19 prints after the raw bytes, character
 * for character, including its quirks:
 *
 * - Immediates and offsets are hex with a sign: `r1 += -0x5`, `*(u64 *)(r10 - 0x8)`,
 *   `goto +0x3`, `r1 = -0x1 ll`.
 * - Jumps get ` <sym+0xN>` for the nearest symbol at or before the target byte address, as
 *   llvm-objdump does for a relocatable object: the target is `(index + 1 + offset) * 8`
 *   modulo 2^64, the symbol is the last one in (address, name) order whose address is not
 *   above it, and a target before every symbol gets no annotation. Symbols are given by the
 *   caller ({@link DisasmOptions.symbols}); llvm-objdump uses every named symbol of the section
 *   except section and file symbols, plus, when no symbol is at offset 0, one named after the
 *   section at offset 0.
 * - By default 32-bit loads and stores print 64-bit register names (`r1 = *(u32 *)...`) and
 *   only `lock *(u32 *)(...) += rN` is known among the 32-bit atomics, whatever the low bits
 *   of the operation (a 32-bit fetch-add prints as a `lock` add), as llvm-objdump does without
 *   `--mattr=+alu32`; the other 32-bit atomics print `<unknown>`. {@link DisasmOptions.alu32}
 *   gives the output of `llvm-objdump -d --mattr=+alu32` instead (`w1 = *(u32 *)...`,
 *   `w1 = atomic_fetch_or((u32 *)...)`, `xchg32_32`, `cmpxchg32_32`).
 * - What LLVM cannot decode prints `<unknown>`: undefined opcodes, registers 12..15 in an
 *   operand LLVM decodes, `exit` with a non-zero imm, an LD_IMM64 with a non-zero offset.
 *   LLVM ignores the fields an instruction does not use, and so does this printer.
 * - An LD_IMM64 with a non-zero `src` prints LLVM's `ld_pseudo\trN, src, imm` form.
 *
 * Deliberate differences: load-acquire and store-release (Linux 6.15) are newer than LLVM 19,
 * which prints them as `lock` adds or `<unknown>`; they print in the syntax of LLVM 21:
 * `r0 = load_acquire((u64 *)(r1 + 0x0))`, `store_release((u64 *)(r1 + 0x0), r2)` (w registers
 * for 8-, 16- and 32-bit accesses with `alu32`). An LD_IMM64 LLVM cannot decode is one
 * `<unknown>` line here, where llvm-objdump goes on to decode its second slot on its own.
 * llvm-objdump also prints `...` for a run of 8 or more zero bytes where an instruction
 * would start; this printer prints an all-zero slot as `<unknown>`.
 *
 * @packageDocumentation
 */
import { decodeInsns, insnIndexes, type ByteOrderOptions } from './decode.js';
import { jumpOffset, type Insn } from './insn.js';
import { BPF_ATOMIC, BPF_STX, type AluOp, type AtomicOp, type JumpOp } from './opcodes.js';
import { insnIndex, type InsnByteOffset, type InsnIndex } from './units.js';

/** A symbol of the section being disassembled, at a byte offset into it. */
export interface DisasmSymbol {
  readonly name: string;
  readonly offset: InsnByteOffset;
}

/** Options of {@link disassemble} and {@link formatInsn}. */
export interface DisasmOptions {
  /** Print as `llvm-objdump --mattr=+alu32` does (32-bit registers for 32-bit memory accesses). Default false. */
  readonly alu32?: boolean;
  /** Symbols for jump-target annotations, at byte offsets from the start of the section. */
  readonly symbols?: readonly DisasmSymbol[];
  /**
   * Slot index of the first instruction within its section, when disassembling a part of one
   * (a function of a multi-function section). Line indexes and jump targets count from the
   * section start, as llvm-objdump's do. Default 0.
   */
  readonly startIndex?: InsnIndex;
}

/** One line of disassembly. */
export interface DisasmLine {
  /** Slot index of the instruction in its section. */
  readonly index: InsnIndex;
  readonly insn: Insn;
  /** The instruction text, as llvm-objdump prints it after the raw bytes. */
  readonly text: string;
}

const UNKNOWN = '<unknown>';

const ALU_SYNTAX: Readonly<Record<Exclude<AluOp, 'neg'>, string>> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=',
  mod: '%=', smod: 's%=', xor: '^=', mov: '=', arsh: 's>>=',
};

const JUMP_SYNTAX: Readonly<Record<JumpOp, string>> = {
  jeq: '==', jgt: '>', jge: '>=', jset: '&', jne: '!=', jsgt: 's>', jsge: 's>=', jlt: '<', jle: '<=', jslt: 's<', jsle: 's<=',
};

/** LLVM's `formatImm` in hex mode for a signed number. */
function hex(v: number): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

function hex64(v: bigint): string {
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** A branch offset: `+0x5`, `-0x3`. */
function branch(v: number): string {
  return v >= 0 ? `+${hex(v)}` : hex(v);
}

/** LLVM decodes registers 0..11 (r11 is its internal stack register) and nothing above. */
const reg = (n: number): boolean => n <= 11;

/** `r2 + 0x8`, `r10 - 0x8`. */
function mem(base: number, off: number): string {
  return off >= 0 ? `r${base} + ${hex(off)}` : `r${base} - ${hex(-off)}`;
}

const SIZE_NAMES: Readonly<Record<number, string>> = { 1: '8', 2: '16', 4: '32', 8: '64' };

function atomicSyntax(op: number): { name: string; lock: string } | undefined {
  switch (op) {
    case 0x0: return { name: 'add', lock: '+=' };
    case 0x4: return { name: 'or', lock: '|=' };
    case 0x5: return { name: 'and', lock: '&=' };
    case 0xa: return { name: 'xor', lock: '^=' };
    default: return undefined;
  }
}

/**
 * A `BPF_STX | BPF_ATOMIC` instruction as LLVM 19 decodes it: by bits 7-4 of imm (the
 * operation) and bit 0 (fetch), ignoring the rest of imm.
 */
function formatAtomicLlvm(insn: Insn, alu32: boolean): string | undefined {
  const { dst, src, off, imm } = insn;
  if (!reg(dst) || !reg(src)) return undefined;
  const size = (insn.code >> 3) & 3;
  if (size !== 0 && size !== 3) return undefined; // no 8- or 16-bit atomics in LLVM 19
  const wide = size === 3;
  const op = (imm >> 4) & 0xf;
  const fetch = (imm & 0xf) === 1;
  const m = mem(dst, off);
  if (!wide && !alu32) {
    // Only XADDW: bits 7-4 must be ADD; bits 3-0 are not looked at.
    return op === 0 ? `lock *(u32 *)(${m}) += r${src}` : undefined;
  }
  const r = wide ? 'r' : 'w';
  const bits = wide ? '64' : '32';
  const a = atomicSyntax(op);
  if (a !== undefined) {
    return fetch ? `${r}${src} = atomic_fetch_${a.name}((u${bits} *)(${m}), ${r}${src})` : `lock *(u${bits} *)(${m}) ${a.lock} ${r}${src}`;
  }
  if (!fetch) return undefined;
  if (op === 0xe) return `${r}${src} = xchg${wide ? '' : '32'}_${bits}(${m}, ${r}${src})`;
  if (op === 0xf) return `${r}0 = cmpxchg${wide ? '' : '32'}_${bits}(${m}, ${r}0, ${r}${src})`;
  return undefined;
}

function formatAcqRel(op: AtomicOp, insn: Insn, alu32: boolean): string | undefined {
  const { dst, src, off } = insn;
  if (!reg(dst) || !reg(src)) return undefined;
  const size = [4, 2, 1, 8][(insn.code >> 3) & 3]!;
  const r = alu32 && size !== 8 ? 'w' : 'r';
  const t = `u${SIZE_NAMES[size]!}`;
  return op === 'load_acquire' ? `${r}${dst} = load_acquire((${t} *)(${mem(src, off)}))` : `store_release((${t} *)(${mem(dst, off)}), ${r}${src})`;
}

/** The text of one instruction, without a jump-target annotation, or undefined where LLVM prints `<unknown>`. */
function formatBody(insn: Insn, alu32: boolean): string | undefined {
  const { dst, src, off, imm } = insn;
  switch (insn.kind) {
    case 'alu': {
      const r = insn.class === 'alu' ? 'w' : 'r';
      if (!reg(dst)) return undefined;
      if (insn.op === 'neg') return `${r}${dst} = -${r}${dst}`;
      if (insn.source === 'k') return `${r}${dst} ${ALU_SYNTAX[insn.op]} ${hex(imm)}`;
      return reg(src) ? `${r}${dst} ${ALU_SYNTAX[insn.op]} ${r}${src}` : undefined;
    }
    case 'movsx': {
      const r = insn.class === 'alu' ? 'w' : 'r';
      return reg(dst) && reg(src) ? `${r}${dst} = (s${insn.bits})${r}${src}` : undefined;
    }
    case 'addr_space_cast':
      return reg(dst) && reg(src) ? `r${dst} = addr_space_cast(r${src}, ${hex(insn.dstAddrSpace)}, ${hex(insn.srcAddrSpace)})` : undefined;
    case 'endian':
      return reg(dst) ? `r${dst} = ${insn.order}${insn.bits} r${dst}` : undefined;
    case 'jump': {
      const r = insn.class === 'jmp32' ? 'w' : 'r';
      if (!reg(dst)) return undefined;
      const rhs = insn.source === 'k' ? hex(imm) : reg(src) ? `${r}${src}` : undefined;
      return rhs === undefined ? undefined : `if ${r}${dst} ${JUMP_SYNTAX[insn.op]} ${rhs} goto ${branch(off)}`;
    }
    case 'ja':
      return insn.class === 'jmp32' ? `gotol ${branch(imm)}` : `goto ${branch(off)}`;
    case 'may_goto':
      return `may_goto ${branch(off)}`;
    case 'call':
      return `call ${hex(imm)}`;
    case 'callx':
      return reg(dst) ? `callx r${dst}` : undefined;
    case 'exit':
      return imm === 0 ? 'exit' : undefined;
    case 'ld_imm64':
      if (off !== 0 || !reg(dst)) return undefined;
      if (src === 0) return `r${dst} = ${hex64(BigInt.asIntN(64, insn.value))} ll`;
      // LD_pseudo: LLVM prints the pseudo operand (src, widened with the high imm and cut to 32 bits) and the low imm, unsigned.
      return `ld_pseudo\tr${dst}, ${hex(src)}, ${hex(imm >>> 0)}`;
    case 'ld_abs':
      return `r0 = *(u${SIZE_NAMES[insn.size]!} *)skb[${hex(imm)}]`;
    case 'ld_ind':
      return reg(src) ? `r0 = *(u${SIZE_NAMES[insn.size]!} *)skb[r${src}]` : undefined;
    case 'load': {
      if (!reg(dst) || !reg(src)) return undefined;
      const r = alu32 && !insn.signed && insn.size !== 8 ? 'w' : 'r';
      return `${r}${dst} = *(${insn.signed ? 's' : 'u'}${SIZE_NAMES[insn.size]!} *)(${mem(src, off)})`;
    }
    case 'store_imm':
      return reg(dst) ? `*(u${SIZE_NAMES[insn.size]!} *)(${mem(dst, off)}) = ${hex(imm)}` : undefined;
    case 'store': {
      if (!reg(dst) || !reg(src)) return undefined;
      const r = alu32 && insn.size !== 8 ? 'w' : 'r';
      return `*(u${SIZE_NAMES[insn.size]!} *)(${mem(dst, off)}) = ${r}${src}`;
    }
    case 'atomic':
      if (insn.op === 'load_acquire' || insn.op === 'store_release') return formatAcqRel(insn.op, insn, alu32);
      return formatAtomicLlvm(insn, alu32);
    case 'unknown':
      // LLVM is looser than the ISA about the imm of atomics.
      if ((insn.code & 0x07) === BPF_STX && (insn.code & 0xe0) === BPF_ATOMIC) return formatAtomicLlvm(insn, alu32);
      return undefined;
  }
}

interface SymbolTable {
  /** Sorted by (offset, name). */
  readonly offsets: readonly number[];
  readonly names: readonly string[];
}

function symbolTable(symbols: readonly DisasmSymbol[]): SymbolTable {
  const sorted = [...symbols].sort((a, b) => a.offset - b.offset || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { offsets: sorted.map((s) => s.offset), names: sorted.map((s) => s.name) };
}

const TWO64 = 1n << 64n;

/** ` <sym+0xN>` for a jump at slot `index` going `delta` slots past the next one. */
function targetAnnotation(table: SymbolTable, index: number, delta: number): string {
  const n = table.offsets.length;
  if (n === 0) return '';
  const target = (index + 1 + delta) * 8;
  if (target < 0) {
    // LLVM computes the address in uint64_t: a target before 0 wraps to a huge address, after every symbol.
    const t = BigInt(target) + TWO64;
    const d = t - BigInt(table.offsets[n - 1]!);
    return ` <${table.names[n - 1]!}${d === 0n ? '' : `+0x${d.toString(16)}`}>`;
  }
  // Last symbol whose offset is <= target.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table.offsets[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return '';
  const d = target - table.offsets[lo - 1]!;
  return ` <${table.names[lo - 1]!}${d === 0 ? '' : `+0x${d.toString(16)}`}>`;
}

function formatWith(insn: Insn, alu32: boolean, table: SymbolTable | undefined, index: number | undefined): string {
  const body = formatBody(insn, alu32);
  if (body === undefined) return UNKNOWN;
  if (table === undefined || index === undefined) return body;
  const delta = jumpOffset(insn);
  return delta === undefined ? body : body + targetAnnotation(table, index, delta);
}

/**
 * The llvm-objdump text of one instruction. With `index` and `symbols`, jumps get their target
 * annotation.
 */
export function formatInsn(insn: Insn, opts: DisasmOptions & { readonly index?: InsnIndex } = {}): string {
  const table = opts.symbols === undefined ? undefined : symbolTable(opts.symbols);
  return formatWith(insn, opts.alu32 ?? false, table, opts.index);
}

/** Disassemble decoded instructions (slot 0 first), one line per instruction. */
export function disassemble(insns: readonly Insn[], opts: DisasmOptions = {}): DisasmLine[] {
  const alu32 = opts.alu32 ?? false;
  const table = symbolTable(opts.symbols ?? []);
  const start = opts.startIndex ?? 0;
  const indexes = insnIndexes(insns);
  return insns.map((insn, i) => {
    const index = insnIndex(start + indexes[i]!);
    return { index, insn, text: formatWith(insn, alu32, table, index) };
  });
}

/**
 * Decode and disassemble instruction bytes in llvm-objdump's layout: for each instruction
 * `%8d:\t<raw bytes>\t<text>` (the slot index, then the bytes as lower-case hex pairs, in
 * file order). Symbol header lines are not printed.
 * @throws {InsnError} `INSN_TRUNCATED` as {@link decodeInsns}.
 */
export function disassembleBytes(bytes: Uint8Array, opts: DisasmOptions & ByteOrderOptions): string[] {
  const lines = disassemble(decodeInsns(bytes, opts), opts);
  const first = opts.startIndex ?? 0;
  return lines.map((l) => {
    const start = (l.index - first) * 8;
    const len = l.insn.kind === 'ld_imm64' ? 16 : 8;
    const raw = Array.from(bytes.subarray(start, start + len), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return `${String(l.index).padStart(8)}:\t${raw}\t${l.text}`;
  });
}
