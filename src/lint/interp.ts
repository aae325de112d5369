/**
 * A small forward abstract interpreter over BPF instructions, for `btfkit lint`.
 *
 * It follows one program (an entry function and the subprograms and callbacks it reaches) on
 * one kernel's *patched* instructions, so CO-RE constants are that kernel's values: a
 * relocated `bpf_core_field_exists()` is `r1 = 0` or `r1 = 1`, and `if r1 == 0 goto` with a
 * known `r1` takes one edge only. What it tracks per register and per 8-byte-or-smaller stack
 * slot:
 *
 * - scalars: a known 64-bit value or unknown, and the CO-RE record that produced it
 *   (`r1 = <offset>` carrying a FIELD_BYTE_OFFSET record, `w2 = <size>` carrying a FIELD_BYTE_SIZE);
 * - pointers: into the context, the stack (of which frame), program memory (map values, ring
 *   buffer records, global variables) or a kernel struct (`struct task_struct *` from
 *   bpf_get_current_task(), typed tracing arguments, pointer fields read through CO-RE), with
 *   the constant offset added when it is known and the CO-RE record of the relocated offset
 *   added to it, if any.
 *
 * The lattice is flat per register (a known value joins with a different one to "unknown"),
 * so the fixpoint over a function's control flow graph terminates; a step budget guards
 * against hostile input anyway. Subprograms are analysed per distinct argument state
 * (memoised), to the kernel's call depth limit. The interpreter knows nothing about findings:
 * the caller's visitor sees every reachable instruction with the state before it.
 *
 * Pure (no Node APIs).
 */
import type { Insn } from '../asm/insn.js';
import type { AluOp, JumpOp } from '../asm/opcodes.js';

/** A kernel struct or union, by kind and essential name (`task_struct`). */
export interface KType {
  readonly kind: 'struct' | 'union';
  readonly name: string;
}

/** What a pointer points into. */
export type Base =
  | { readonly b: 'ctx' }
  | { readonly b: 'stack'; readonly frame: number }
  | { readonly b: 'mem'; readonly what: string }
  | { readonly b: 'kernel'; readonly type: KType }
  | { readonly b: 'unknown' };

/** An abstract value. */
export type Val =
  | { readonly t: 'top' }
  /** A scalar: `v` (u64) when known; `rec` the CO-RE record whose instruction produced it. */
  | { readonly t: 'num'; readonly v: bigint | undefined; readonly rec: number | undefined }
  /**
   * A pointer: `off` bytes from its base when known; `rec` the CO-RE record of a relocated
   * offset added to it, and `extra` the constant bytes added after that offset (when known).
   */
  | { readonly t: 'ptr'; readonly base: Base; readonly off: number | undefined; readonly rec: number | undefined; readonly extra: number | undefined };

/** A stack slot: `size` bytes at its offset hold `val`. */
export interface Slot {
  readonly size: number;
  readonly val: Val;
}

/** The state before an instruction: r0..r10 and the current frame's stack (offsets from r10, negative). */
export interface State {
  readonly regs: readonly Val[];
  readonly stack: ReadonlyMap<number, Slot>;
}

/** One function's code, indexed by 8-byte slot (the second slot of an LD_IMM64 is undefined). */
export interface FnCode {
  readonly name: string;
  readonly section: string;
  readonly insns: readonly (Insn | undefined)[];
}

/** What the interpreter asks of its caller. */
export interface InterpEnv {
  /** A function by name. */
  fn(name: string): FnCode | undefined;
  /** The callee of a BPF-to-BPF call (or the function an LD_IMM64 refers to) at a slot. */
  calleeAt(fn: FnCode, slot: number): string | undefined;
  /** The CO-RE record at a slot (an id the caller understands), if any. */
  recordAt(fn: FnCode, slot: number): number | undefined;
  /** For a FIELD_BYTE_OFFSET record whose field is a pointer to a struct or union: that type. */
  recordPointee(rec: number): KType | undefined;
  /** True when the record is a FIELD_BYTE_OFFSET one (an offset that can be added to a pointer). */
  isOffsetRecord(rec: number): boolean;
  /** The value of context argument `index` (tracing programs: `ctx[index]`), if typed. */
  ctxArg(index: number): Val | undefined;
  /** What an LD_IMM64 at this slot refers to: global data (a pointer into program memory) or a map. */
  ldImm64At(fn: FnCode, slot: number): 'global' | 'map' | undefined;
  /** The return type of a kfunc call at this slot, when it is a pointer to a struct. */
  kfuncReturn(fn: FnCode, slot: number): KType | undefined;
}

/** Called once per reachable instruction of every analysed function invocation, with the state before it. */
export type Visitor = (fn: FnCode, slot: number, insn: Insn, state: State, frame: number) => void;

/** The outcome of analysing one program. */
export interface Analysis {
  /** Reachable slots per function name. */
  readonly reachable: ReadonlyMap<string, ReadonlySet<number>>;
  /** False when the step budget ran out (the result is then partial). */
  readonly complete: boolean;
}

/** Helper ids (include/uapi/linux/bpf.h `__BPF_FUNC_MAPPER`). */
export const HELPER = {
  map_lookup_elem: 1,
  probe_read: 4,
  get_current_task: 35,
  probe_read_str: 45,
  sk_storage_get: 107,
  probe_read_user: 112,
  probe_read_kernel: 113,
  probe_read_user_str: 114,
  probe_read_kernel_str: 115,
  ringbuf_reserve: 131,
  inode_storage_get: 145,
  task_storage_get: 156,
  get_current_task_btf: 158,
  map_lookup_percpu_elem: 195,
  cgrp_storage_get: 210,
} as const;

/** The probe-read helpers: `(void *dst, u32 size, const void *src)`. */
export const PROBE_READS: ReadonlyMap<number, string> = new Map([
  [HELPER.probe_read, 'bpf_probe_read'],
  [HELPER.probe_read_str, 'bpf_probe_read_str'],
  [HELPER.probe_read_user, 'bpf_probe_read_user'],
  [HELPER.probe_read_kernel, 'bpf_probe_read_kernel'],
  [HELPER.probe_read_user_str, 'bpf_probe_read_user_str'],
  [HELPER.probe_read_kernel_str, 'bpf_probe_read_kernel_str'],
]);

/** Helpers returning a pointer into program memory (or NULL). */
const MEM_RETURNING: ReadonlyMap<number, string> = new Map([
  [HELPER.map_lookup_elem, 'a map value'],
  [HELPER.map_lookup_percpu_elem, 'a map value'],
  [HELPER.sk_storage_get, 'a map value'],
  [HELPER.inode_storage_get, 'a map value'],
  [HELPER.task_storage_get, 'a map value'],
  [HELPER.cgrp_storage_get, 'a map value'],
  [HELPER.ringbuf_reserve, 'a ring buffer record'],
]);

const TASK_STRUCT: KType = { kind: 'struct', name: 'task_struct' };

export const TOP: Val = { t: 'top' };
const UNKNOWN_NUM: Val = { t: 'num', v: undefined, rec: undefined };
const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
/** The kernel's MAX_CALL_FRAMES. */
const MAX_FRAMES = 8;
/** Visits of one instruction (per function invocation) before its state is widened to unknown. */
const MAX_VISITS = 64;

/** A known scalar. */
export const num = (v: bigint | number, rec?: number): Val => ({ t: 'num', v: BigInt.asUintN(64, BigInt(v)), rec });
const ptr = (base: Base, off: number | undefined, rec?: number, extra?: number): Val => ({ t: 'ptr', base, off, rec, extra: rec === undefined ? undefined : extra });
/** A pointer to a kernel struct. */
export const kernelPtr = (type: KType): Val => ptr({ b: 'kernel', type }, 0);

function sameBase(a: Base, b: Base): boolean {
  switch (a.b) {
    case 'ctx': case 'unknown': return b.b === a.b;
    case 'stack': return b.b === 'stack' && b.frame === a.frame;
    case 'mem': return b.b === 'mem' && b.what === a.what;
    case 'kernel': return b.b === 'kernel' && b.type.kind === a.type.kind && b.type.name === a.type.name;
  }
}

function sameVal(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a.t === 'top' || b.t === 'top') return a.t === b.t;
  if (a.t === 'num') return b.t === 'num' && a.v === b.v && a.rec === b.rec;
  return b.t === 'ptr' && sameBase(a.base, b.base) && a.off === b.off && a.rec === b.rec && a.extra === b.extra;
}

function joinVal(a: Val, b: Val): Val {
  if (sameVal(a, b)) return a;
  if (a.t === 'num' && b.t === 'num') return { t: 'num', v: a.v === b.v ? a.v : undefined, rec: a.rec === b.rec ? a.rec : undefined };
  if (a.t === 'ptr' && b.t === 'ptr' && sameBase(a.base, b.base)) {
    const rec = a.rec === b.rec ? a.rec : undefined;
    return { t: 'ptr', base: a.base, off: a.off === b.off ? a.off : undefined, rec, extra: rec !== undefined && a.extra === b.extra ? a.extra : undefined };
  }
  return TOP;
}

function joinState(a: State, b: State): State {
  const regs = a.regs.map((r, i) => joinVal(r, b.regs[i]!));
  const stack = new Map<number, Slot>();
  for (const [off, s] of a.stack) {
    const o = b.stack.get(off);
    if (o !== undefined && o.size === s.size) stack.set(off, { size: s.size, val: joinVal(s.val, o.val) });
  }
  return { regs, stack };
}

function sameState(a: State, b: State): boolean {
  if (a.stack.size !== b.stack.size) return false;
  for (let i = 0; i < a.regs.length; i++) if (!sameVal(a.regs[i]!, b.regs[i]!)) return false;
  for (const [off, s] of a.stack) {
    const o = b.stack.get(off);
    if (o === undefined || o.size !== s.size || !sameVal(o.val, s.val)) return false;
  }
  return true;
}

const keyOf = (v: Val): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

/** Mutable working copy of a state. */
class Work {
  regs: Val[];
  stack: Map<number, Slot>;
  constructor(s: State) {
    this.regs = [...s.regs];
    this.stack = new Map(s.stack);
  }
  get(r: number): Val {
    return r <= 10 ? this.regs[r]! : TOP;
  }
  set(r: number, v: Val): void {
    if (r < 10) this.regs[r] = v;
  }
  /** Forget the stack bytes [from, to). */
  clear(from: number, to: number): void {
    for (const [off, s] of this.stack) if (off < to && off + s.size > from) this.stack.delete(off);
  }
  write(off: number, size: number, val: Val): void {
    this.clear(off, off + size);
    this.stack.set(off, { size, val });
  }
  read(off: number, size: number): Val {
    const s = this.stack.get(off);
    if (s === undefined || s.size !== size) return TOP;
    return s.val;
  }
  freeze(): State {
    return { regs: this.regs, stack: this.stack };
  }
}

/** Truncate a value stored with `size` bytes (then read back zero-extended). */
function truncated(v: Val, size: number): Val {
  if (size === 8) return v;
  if (v.t === 'num') return v.v === undefined ? v : { t: 'num', v: v.v & ((1n << BigInt(size * 8)) - 1n), rec: v.rec };
  return UNKNOWN_NUM;
}

function evalAlu(op: AluOp, a: bigint, b: bigint, wide: boolean): bigint | undefined {
  const bits = wide ? 64 : 32;
  const mask = wide ? M64 : M32;
  a &= mask;
  b &= mask;
  const s = (x: bigint): bigint => BigInt.asIntN(bits, x);
  switch (op) {
    case 'add': return (a + b) & mask;
    case 'sub': return (a - b) & mask;
    case 'mul': return (a * b) & mask;
    case 'div': return b === 0n ? 0n : a / b;
    case 'sdiv': return b === 0n ? 0n : BigInt.asUintN(bits, s(a) / s(b));
    case 'mod': return b === 0n ? a : a % b;
    case 'smod': return b === 0n ? a : BigInt.asUintN(bits, s(a) % s(b));
    case 'or': return a | b;
    case 'and': return a & b;
    case 'xor': return a ^ b;
    case 'lsh': return (a << (b & BigInt(bits - 1))) & mask;
    case 'rsh': return a >> (b & BigInt(bits - 1));
    case 'arsh': return BigInt.asUintN(bits, s(a) >> (b & BigInt(bits - 1)));
    case 'neg': return (-a) & mask;
    case 'mov': return b;
  }
}

function evalJump(op: JumpOp, a: bigint, b: bigint, wide: boolean): boolean {
  const bits = wide ? 64 : 32;
  const mask = wide ? M64 : M32;
  const ua = a & mask, ub = b & mask;
  const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  switch (op) {
    case 'jeq': return ua === ub;
    case 'jne': return ua !== ub;
    case 'jgt': return ua > ub;
    case 'jge': return ua >= ub;
    case 'jlt': return ua < ub;
    case 'jle': return ua <= ub;
    case 'jset': return (ua & ub) !== 0n;
    case 'jsgt': return sa > sb;
    case 'jsge': return sa >= sb;
    case 'jslt': return sa < sb;
    case 'jsle': return sa <= sb;
  }
}

/** The value of an ALU instruction, pointers included. */
function aluValue(insn: Insn & { kind: 'alu' }, dst: Val, srcVal: Val): Val {
  const wide = insn.class === 'alu64';
  const opnd: Val = insn.source === 'k' ? num(insn.imm) : srcVal;
  if (insn.op === 'mov') {
    if (wide) return opnd;
    return opnd.t === 'num' ? { t: 'num', v: opnd.v === undefined ? undefined : opnd.v & M32, rec: opnd.rec } : UNKNOWN_NUM;
  }
  if (wide && (insn.op === 'add' || insn.op === 'sub')) {
    const sign = insn.op === 'add' ? 1 : -1;
    if (dst.t === 'ptr' && opnd.t === 'num') return addToPtr(dst, opnd, sign);
    if (insn.op === 'add' && dst.t === 'num' && opnd.t === 'ptr') return addToPtr(opnd, dst, 1);
    // an unknown pointer plus a relocated offset: still worth knowing which field it points at
    if (insn.op === 'add' && dst.t === 'top' && opnd.t === 'num' && opnd.rec !== undefined) return ptr({ b: 'unknown' }, undefined, opnd.rec, 0);
    if (insn.op === 'add' && opnd.t === 'top' && dst.t === 'num' && dst.rec !== undefined) return ptr({ b: 'unknown' }, undefined, dst.rec, 0);
    if (insn.op === 'sub' && dst.t === 'ptr' && opnd.t === 'ptr' && sameBase(dst.base, opnd.base)) return UNKNOWN_NUM;
  }
  if (dst.t === 'num' && opnd.t === 'num') {
    const rec = dst.rec ?? opnd.rec;
    if (insn.op === 'neg') return { t: 'num', v: dst.v === undefined ? undefined : evalAlu('neg', dst.v, 0n, wide), rec };
    if (dst.v === undefined || opnd.v === undefined) return { t: 'num', v: undefined, rec };
    return { t: 'num', v: evalAlu(insn.op, dst.v, opnd.v, wide), rec };
  }
  if (dst.t === 'ptr' || opnd.t === 'ptr') return TOP;
  return dst.t === 'num' || opnd.t === 'num' ? UNKNOWN_NUM : TOP;
}

function addToPtr(p: Val & { t: 'ptr' }, n: Val & { t: 'num' }, sign: number): Val {
  const delta = n.v === undefined ? undefined : Number(BigInt.asIntN(64, n.v)) * sign;
  const off = p.off === undefined || delta === undefined ? undefined : p.off + delta;
  if (n.rec !== undefined && sign > 0) return ptr(p.base, off, n.rec, 0);
  return ptr(p.base, off, p.rec, p.extra === undefined || delta === undefined ? undefined : p.extra + delta);
}

/**
 * Analyse the program whose entry function is `entry`, with `r1` = `ctx` at entry. `visit`
 * sees every reachable instruction once per analysed invocation, with the fixpoint state.
 */
export function analyzeProgram(entry: string, env: InterpEnv, visit: Visitor, options: { readonly maxSteps?: number } = {}): Analysis {
  const maxSteps = options.maxSteps ?? 200_000;
  let steps = 0;
  let complete = true;
  const reachable = new Map<string, Set<number>>();
  const memo = new Map<string, Val>();

  const run = (fn: FnCode, args: readonly Val[], frame: number): Val => {
    const key = `${fn.name}\u0000${frame}\u0000${args.map(keyOf).join('\u0000')}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, TOP); // a recursive call (the verifier rejects those) sees "unknown"
    const n = fn.insns.length;
    const states: (State | undefined)[] = new Array<State | undefined>(n).fill(undefined);
    const visits = new Uint16Array(n);
    const regs: Val[] = [TOP, ...[0, 1, 2, 3, 4].map((i) => args[i] ?? TOP), TOP, TOP, TOP, TOP, ptr({ b: 'stack', frame }, 0)];
    const work: number[] = [];
    const arrive = (slot: number, s: State): void => {
      if (slot < 0 || slot >= n || fn.insns[slot] === undefined) return; // the verifier rejects such jumps
      const old = states[slot];
      let next = old === undefined ? s : joinState(old, s);
      if (old !== undefined && sameState(old, next)) return;
      if (++visits[slot]! > MAX_VISITS) next = { regs: next.regs.map((r, i) => (i === 10 ? r : TOP)), stack: new Map() };
      if (old !== undefined && sameState(old, next)) return;
      states[slot] = next;
      work.push(slot);
    };
    let ret: Val | undefined;
    const step = (slot: number, s: State): void => {
      const insn = fn.insns[slot]!;
      const w = new Work(s);
      const next = (to: number): void => arrive(to, w.freeze());
      switch (insn.kind) {
        case 'alu': {
          let v = aluValue(insn, w.get(insn.dst), w.get(insn.src));
          const rec = insn.source === 'k' ? env.recordAt(fn, slot) : undefined;
          // `r1 = <offset>` (or `r6 += <offset>`) carrying a CO-RE record
          if (rec !== undefined && v.t === 'num') v = { ...v, rec };
          else if (rec !== undefined && v.t === 'ptr' && insn.op === 'add') v = ptr(v.base, v.off, rec, 0);
          w.set(insn.dst, v);
          return next(slot + 1);
        }
        case 'movsx': {
          const v = w.get(insn.src);
          const wide = insn.class === 'alu64';
          const sx = v.t === 'num' && v.v !== undefined ? BigInt.asUintN(wide ? 64 : 32, BigInt.asIntN(insn.bits, v.v)) : undefined;
          w.set(insn.dst, { t: 'num', v: sx, rec: undefined });
          return next(slot + 1);
        }
        case 'endian':
        case 'addr_space_cast':
          w.set(insn.dst, w.get(insn.dst).t === 'num' ? UNKNOWN_NUM : TOP);
          return next(slot + 1);
        case 'ja': {
          const off = insn.class === 'jmp32' ? insn.imm : insn.off;
          return next(slot + 1 + off);
        }
        case 'may_goto':
          next(slot + 1);
          return next(slot + 1 + insn.off);
        case 'jump': {
          const a = w.get(insn.dst);
          const b = insn.source === 'k' ? num(insn.imm) : w.get(insn.src);
          if (a.t === 'num' && b.t === 'num' && a.v !== undefined && b.v !== undefined) {
            return next(evalJump(insn.op, a.v, b.v, insn.class === 'jmp') ? slot + 1 + insn.off : slot + 1);
          }
          next(slot + 1);
          return next(slot + 1 + insn.off);
        }
        case 'exit':
          ret = ret === undefined ? w.get(0) : joinVal(ret, w.get(0));
          return;
        case 'call':
          call(fn, slot, insn, w, frame);
          return next(slot + 1);
        case 'callx':
          clobber(w, frame);
          w.set(0, TOP);
          return next(slot + 1);
        case 'ld_imm64': {
          const what = env.ldImm64At(fn, slot);
          const callee = insn.pseudo === 'func' || what === undefined ? env.calleeAt(fn, slot) : undefined;
          if (callee !== undefined) {
            // a callback (bpf_loop, bpf_for_each_map_elem, timers): reachable with unknown arguments
            const cf = env.fn(callee);
            if (cf !== undefined && frame + 1 < MAX_FRAMES) run(cf, [TOP, TOP, TOP, TOP, TOP], frame + 1);
            w.set(insn.dst, TOP);
          } else if (what === 'global' || insn.pseudo === 'map_value' || insn.pseudo === 'map_idx_value') {
            w.set(insn.dst, ptr({ b: 'mem', what: 'a global variable' }, undefined));
          } else if (what === 'map' || insn.pseudo !== 'none') {
            w.set(insn.dst, TOP);
          } else {
            w.set(insn.dst, num(insn.value, env.recordAt(fn, slot)));
          }
          return next(slot + 2);
        }
        case 'ld_abs':
        case 'ld_ind':
          clobber(w, frame);
          w.set(0, UNKNOWN_NUM);
          return next(slot + 1);
        case 'load':
          w.set(insn.dst, load(fn, slot, insn, w, frame));
          return next(slot + 1);
        case 'store':
        case 'store_imm': {
          const base = w.get(insn.dst);
          if (base.t === 'ptr' && base.base.b === 'stack' && base.base.frame === frame) {
            if (base.off === undefined) w.stack.clear();
            else w.write(base.off + insn.off, insn.size, truncated(insn.kind === 'store' ? w.get(insn.src) : num(insn.imm), insn.size));
          }
          return next(slot + 1);
        }
        case 'atomic': {
          const base = w.get(insn.dst);
          if (base.t === 'ptr' && base.base.b === 'stack' && base.base.frame === frame) {
            if (base.off === undefined) w.stack.clear();
            else w.clear(base.off + insn.off, base.off + insn.off + insn.size);
          }
          if (insn.op === 'cmpxchg') w.set(0, TOP);
          else if (insn.fetch || insn.op === 'load_acquire') w.set(insn.src, TOP);
          return next(slot + 1);
        }
        case 'unknown':
          return next(slot + 1);
      }
    };

    const call = (fn: FnCode, slot: number, insn: Insn & { kind: 'call' }, w: Work, frame: number): void => {
      if (insn.callee === 'subprog') {
        const callee = env.calleeAt(fn, slot);
        const cf = callee === undefined ? undefined : env.fn(callee);
        let r0: Val = TOP;
        if (cf !== undefined && frame + 1 < MAX_FRAMES) r0 = run(cf, w.regs.slice(1, 6), frame + 1);
        clobber(w, frame);
        w.set(0, r0.t === 'ptr' && r0.base.b === 'stack' && r0.base.frame > frame ? TOP : r0);
        return;
      }
      if (insn.callee === 'kfunc') {
        const t = env.kfuncReturn(fn, slot);
        clobber(w, frame);
        w.set(0, t === undefined ? TOP : kernelPtr(t));
        return;
      }
      const id = insn.imm;
      const dst = w.get(1), size = w.get(2), src = w.get(3);
      let r0: Val = UNKNOWN_NUM;
      if (PROBE_READS.has(id)) {
        if (dst.t === 'ptr' && dst.base.b === 'stack' && dst.base.frame === frame && dst.off !== undefined) {
          const n = size.t === 'num' && size.v !== undefined && size.v <= 512n ? Number(size.v) : undefined;
          w.clear(dst.off, n === undefined ? 0 : dst.off + n);
          // a pointer field read through CO-RE: the stack now holds a pointer of the field's type
          if (n === 8 && src.t === 'ptr' && src.rec !== undefined && src.extra === 0 && env.isOffsetRecord(src.rec)) {
            const t = env.recordPointee(src.rec);
            if (t !== undefined) w.write(dst.off, 8, kernelPtr(t));
          }
          for (let r = 1; r <= 5; r++) w.set(r, TOP);
        } else clobber(w, frame);
      } else {
        if (id === HELPER.get_current_task || id === HELPER.get_current_task_btf) r0 = kernelPtr(TASK_STRUCT);
        const mem = MEM_RETURNING.get(id);
        if (mem !== undefined) r0 = ptr({ b: 'mem', what: mem }, 0);
        clobber(w, frame);
      }
      w.set(0, r0);
    };

    /** After a call: r1..r5 are gone, and stack the callee could write (through a pointer argument) is forgotten. */
    const clobber = (w: Work, frame: number): void => {
      for (let r = 1; r <= 5; r++) {
        const v = w.get(r);
        if (v.t === 'ptr' && v.base.b === 'stack' && v.base.frame === frame) {
          if (v.off === undefined) w.stack.clear();
          else w.clear(v.off, 0);
        }
      }
      for (let r = 1; r <= 5; r++) w.set(r, TOP);
    };

    const load = (fn: FnCode, slot: number, insn: Insn & { kind: 'load' }, w: Work, frame: number): Val => {
      const base = w.get(insn.src);
      if (base.t !== 'ptr') return TOP;
      if (base.base.b === 'stack') {
        if (base.base.frame !== frame || base.off === undefined) return TOP;
        const v = w.read(base.off + insn.off, insn.size);
        return insn.signed ? (v.t === 'num' ? UNKNOWN_NUM : TOP) : v;
      }
      if (base.base.b === 'ctx') {
        if (base.off === undefined || insn.size !== 8) return TOP;
        const at = base.off + insn.off;
        return at % 8 === 0 ? (env.ctxArg(at / 8) ?? TOP) : TOP;
      }
      // a CO-RE relocated load of a pointer field, or a load through a relocated address
      const rec = env.recordAt(fn, slot) ?? (base.rec !== undefined && base.extra !== undefined && base.extra + insn.off === 0 ? base.rec : undefined);
      if (rec !== undefined && insn.size === 8 && env.isOffsetRecord(rec)) {
        const t = env.recordPointee(rec);
        if (t !== undefined) return kernelPtr(t);
      }
      return TOP;
    };

    const entryState: State = { regs, stack: new Map() };
    arrive(0, entryState);
    while (work.length > 0) {
      if (++steps > maxSteps) {
        complete = false;
        break;
      }
      const slot = work.pop()!;
      step(slot, states[slot]!);
    }
    const seen = reachable.get(fn.name) ?? new Set<number>();
    reachable.set(fn.name, seen);
    for (let i = 0; i < n; i++) {
      const s = states[i];
      if (s === undefined) continue;
      seen.add(i);
      visit(fn, i, fn.insns[i]!, s, frame);
    }
    const out = ret ?? TOP;
    memo.set(key, out);
    return out;
  };

  const fn = env.fn(entry);
  if (fn !== undefined) run(fn, [ptr({ b: 'ctx' }, 0), TOP, TOP, TOP, TOP], 0);
  return { reachable, complete };
}
