/**
 * A BPF program under construction: instructions with symbolic jumps, helper/kfunc/subprogram
 * calls, map and global references, source lines, and CO-RE relocations. {@link ObjectBuilder}
 * turns programs into an ELF object; this file knows nothing about ELF.
 *
 * Registers are `R0`..`R10` (R10 is the read-only frame pointer); calls clobber R0–R5.
 * Instruction forms follow clang-19 (`-O2 -target bpf -mcpu=v3`) so that what we emit reads like
 * what clang emits: see the intrinsics in {@link ProgramBuilder.fieldByteOffset} and onwards.
 */
import {
  aluImm, aluReg, call, exit, ja, jumpImm, jumpReg, ldImm64, load, store, storeImm, insnSlots, withFields,
  type AccessSize, type AluOp, type Insn, type JumpOp,
} from '../asm/index.js';
import { BtfkitError, ErrorCodes } from '../errors.js';
import type { LocalTypeRef } from './types.js';

/** A register number, 0..10. */
export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export const R0: Reg = 0;
export const R1: Reg = 1;
export const R2: Reg = 2;
export const R3: Reg = 3;
export const R4: Reg = 4;
export const R5: Reg = 5;
export const R6: Reg = 6;
export const R7: Reg = 7;
export const R8: Reg = 8;
export const R9: Reg = 9;
/** The frame pointer (read-only; the stack grows down from it, 512 bytes). */
export const R10: Reg = 10;

/** Helper function ids (`enum bpf_func_id`) used most; any other id can be passed as a number. */
export const HELPERS = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  probe_read: 4,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_smp_processor_id: 8,
  get_current_pid_tgid: 14,
  get_current_uid_gid: 15,
  get_current_comm: 16,
  perf_event_output: 25,
  get_current_task: 35,
  probe_read_str: 45,
  probe_read_user: 112,
  probe_read_kernel: 113,
  probe_read_user_str: 114,
  probe_read_kernel_str: 115,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  get_current_task_btf: 158,
} as const;

/** A helper by name or by id. */
export type Helper = keyof typeof HELPERS | number;

/** A jump target. Create with {@link ProgramBuilder.label}, place with {@link ProgramBuilder.place}. */
export class Label {
  /** Slot index once placed. */
  slot: number | undefined;
  constructor(readonly name: string) {}
}

/** An ELF relocation an instruction needs (resolved by the object writer). */
export interface SymbolRef {
  /** `map`: a `.maps` entry; `global`: a variable in .data/.rodata/.bss; `subprog`: a function in .text; `kfunc`: an extern kernel function. */
  readonly kind: 'map' | 'global' | 'subprog' | 'kfunc';
  readonly name: string;
}

/** A CO-RE record an instruction carries. */
export interface CoreRecord {
  readonly type: LocalTypeRef;
  readonly accessString: string;
  readonly kind: number;
}

/** Source position for line info. */
export interface SourceLine {
  readonly file: string;
  readonly line: string;
  readonly lineNumber: number;
  readonly column: number;
}

/** One instruction of a program and what the writer must attach to it. */
export interface EmittedInsn {
  insn: Insn;
  /** Slot index (an LD_IMM64 takes two). */
  readonly slot: number;
  readonly jumpTo?: Label;
  readonly symbol?: SymbolRef;
  readonly core?: CoreRecord;
  readonly source?: SourceLine;
}

/** An immediate or a register operand. */
export type Operand = Reg | { readonly imm: number };

/** `{ imm: n }`: an immediate operand. */
export const imm = (n: number): { readonly imm: number } => ({ imm: n });

const isImm = (o: Operand): o is { readonly imm: number } => typeof o === 'object';

function emitError(message: string): BtfkitError {
  return new BtfkitError(ErrorCodes.EMIT, message);
}

/**
 * Instructions of one function (a program or a subprogram). Methods append and return `this`
 * so programs read top to bottom:
 *
 * ```ts
 * p.call('get_current_pid_tgid').rsh(R0, imm(32)).mov(R0, imm(0)).exit();
 * ```
 */
export class ProgramBuilder {
  private readonly out: EmittedInsn[] = [];
  private slots = 0;
  private pendingLine: SourceLine | undefined;
  private stackUsed = 0;
  private labelCount = 0;
  private readonly placed: Label[] = [];

  /**
   * @param name     function name (the ELF symbol and BTF FUNC)
   * @param section  ELF section (`raw_tracepoint/sys_enter`, `syscall`, `.text` for subprograms)
   */
  constructor(readonly name: string, readonly section: string, readonly file = `${name}.ts`) {}

  /** Instructions so far (the writer resolves jumps and symbols). */
  get insns(): readonly EmittedInsn[] { return this.out; }
  /** Number of 8-byte slots so far. */
  get slotCount(): number { return this.slots; }

  /** Append a raw instruction. */
  emit(insn: Insn, extra: { jumpTo?: Label; symbol?: SymbolRef; core?: CoreRecord } = {}): this {
    const e: EmittedInsn = { insn, slot: this.slots, ...extra, ...(this.pendingLine !== undefined ? { source: this.pendingLine } : {}) };
    this.pendingLine = undefined;
    this.out.push(e);
    this.slots += insnSlots(insn);
    return this;
  }

  /** Attach a source line to the next instruction (a line_info record). */
  line(text: string, lineNumber: number, column = 0, file = this.file): this {
    this.pendingLine = { file, line: text, lineNumber, column };
    return this;
  }

  // --- ALU ---------------------------------------------------------------------------------

  /** `dst op= src` (64-bit). */
  alu(op: AluOp, dst: Reg, src: Operand): this {
    if (op === 'neg') return this.emit(aluImm('alu64', 'neg', dst, 0));
    return this.emit(isImm(src) ? aluImm('alu64', op, dst, src.imm) : aluReg('alu64', op, dst, src));
  }

  /** `wdst op= wsrc` (32-bit, zero-extending). */
  alu32(op: AluOp, dst: Reg, src: Operand): this {
    if (op === 'neg') return this.emit(aluImm('alu', 'neg', dst, 0));
    return this.emit(isImm(src) ? aluImm('alu', op, dst, src.imm) : aluReg('alu', op, dst, src));
  }

  mov(dst: Reg, src: Operand): this { return this.alu('mov', dst, src); }
  mov32(dst: Reg, src: Operand): this { return this.alu32('mov', dst, src); }
  add(dst: Reg, src: Operand): this { return this.alu('add', dst, src); }
  sub(dst: Reg, src: Operand): this { return this.alu('sub', dst, src); }
  mul(dst: Reg, src: Operand): this { return this.alu('mul', dst, src); }
  and(dst: Reg, src: Operand): this { return this.alu('and', dst, src); }
  or(dst: Reg, src: Operand): this { return this.alu('or', dst, src); }
  lsh(dst: Reg, src: Operand): this { return this.alu('lsh', dst, src); }
  rsh(dst: Reg, src: Operand): this { return this.alu('rsh', dst, src); }
  arsh(dst: Reg, src: Operand): this { return this.alu('arsh', dst, src); }

  /** `dst = value ll`. */
  ldImm64(dst: Reg, value: bigint | number): this {
    return this.emit(ldImm64(dst, BigInt.asUintN(64, BigInt(value))));
  }

  // --- memory ------------------------------------------------------------------------------

  /** `dst = *(size *)(src + off)`. */
  load(size: AccessSize, dst: Reg, src: Reg, off: number, signed = false): this {
    return this.emit(load(size, dst, src, off, signed));
  }

  /** `*(size *)(dst + off) = src` (register or immediate). */
  store(size: AccessSize, dst: Reg, off: number, src: Operand): this {
    return this.emit(isImm(src) ? storeImm(size, dst, off, src.imm) : store(size, dst, off, src));
  }

  /**
   * Reserve `size` bytes of stack (aligned to `align`) and return their offset from R10
   * (negative). Slots are never reused; the kernel allows 512 bytes per frame.
   */
  stack(size: number, align = 8): number {
    this.stackUsed = Math.ceil((this.stackUsed + size) / align) * align;
    if (this.stackUsed > 512) throw emitError(`${this.name}: stack of ${this.stackUsed} bytes exceeds the 512 the kernel allows`);
    return -this.stackUsed;
  }

  /** `dst = &map` (an LD_IMM64 the loader turns into the map's fd). */
  ldMap(dst: Reg, map: string): this {
    return this.emit(ldImm64(dst, 0n), { symbol: { kind: 'map', name: map } });
  }

  /** `dst = &global + off` (a pointer into .data/.rodata/.bss). */
  ldGlobal(dst: Reg, variable: string, off = 0): this {
    return this.emit(ldImm64(dst, BigInt.asUintN(64, BigInt(off))), { symbol: { kind: 'global', name: variable } });
  }

  // --- control flow ------------------------------------------------------------------------

  /** A new, unplaced label. */
  label(name = `L${this.labelCount++}`): Label {
    return new Label(name);
  }

  /** Place `label` before the next instruction. */
  place(label: Label): this {
    if (label.slot !== undefined) throw emitError(`${this.name}: label ${label.name} placed twice`);
    label.slot = this.slots;
    this.placed.push(label);
    return this;
  }

  /** `if dst op src goto label` (64-bit compare). */
  jump(op: JumpOp, dst: Reg, src: Operand, to: Label): this {
    return this.emit(isImm(src) ? jumpImm('jmp', op, dst, src.imm, 0) : jumpReg('jmp', op, dst, src, 0), { jumpTo: to });
  }

  /** `if wdst op wsrc goto label` (32-bit compare). */
  jump32(op: JumpOp, dst: Reg, src: Operand, to: Label): this {
    return this.emit(isImm(src) ? jumpImm('jmp32', op, dst, src.imm, 0) : jumpReg('jmp32', op, dst, src, 0), { jumpTo: to });
  }

  /** `goto label`. */
  goto(to: Label): this {
    return this.emit(ja(0), { jumpTo: to });
  }

  /** Call a helper by name or id. */
  call(helper: Helper): this {
    const id = typeof helper === 'number' ? helper : HELPERS[helper];
    if (id === undefined) throw emitError(`unknown helper ${String(helper)}`);
    return this.emit(call('helper', id));
  }

  /** Call a subprogram of the same object (a `.text` function). */
  callSubprog(name: string): this {
    return this.emit(call('subprog', -1), { symbol: { kind: 'subprog', name } });
  }

  /** Call a kernel function (kfunc) declared with `ObjectBuilder.kfunc`. */
  callKfunc(name: string): this {
    return this.emit(call('kfunc', -1), { symbol: { kind: 'kfunc', name } });
  }

  /** `exit` (returns R0). */
  exit(): this { return this.emit(exit()); }

  /** `r0 = value; exit`. */
  ret(value: number): this { return this.mov(R0, imm(value)).exit(); }

  /**
   * Resolve jumps to slot offsets and check the function is complete.
   * @throws {BtfkitError} `EMIT` for an unplaced label, a jump out of range, or a function that does not end in exit/goto.
   */
  finish(): EmittedInsn[] {
    const last = this.out[this.out.length - 1];
    if (last === undefined) throw emitError(`${this.name}: no instructions`);
    if (last.insn.kind !== 'exit' && last.insn.kind !== 'ja') throw emitError(`${this.name}: the last instruction must be exit or goto (the verifier rejects falling off the end)`);
    for (const l of this.placed) if (l.slot! >= this.slots) throw emitError(`${this.name}: label ${l.name} is placed after the last instruction`);
    for (const e of this.out) {
      if (e.jumpTo === undefined) continue;
      if (e.jumpTo.slot === undefined) throw emitError(`${this.name}: label ${e.jumpTo.name} is never placed`);
      const off = e.jumpTo.slot - (e.slot + 1);
      if (off < -32768 || off > 32767) throw emitError(`${this.name}: jump to ${e.jumpTo.name} (${off} slots) does not fit 16 bits`);
      e.insn = withFields(e.insn, { off });
    }
    return this.out;
  }
}
