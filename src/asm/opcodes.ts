/**
 * Opcode numbers of the BPF instruction set, as in the kernel's
 * `Documentation/bpf/standardization/instruction-set.rst` (RFC 9669) and `include/uapi/linux/bpf.h`.
 *
 * The opcode byte is `class` in the low 3 bits; for ALU/JMP classes the top 4 bits are the
 * operation and bit 3 the source (K: immediate, X: register); for load/store classes the top
 * 3 bits are the mode and bits 3-4 the access size.
 *
 * @packageDocumentation
 */

/** Instruction classes (low 3 bits of the opcode). */
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
/** Added in Linux 5.1. */
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

/** Source bit of ALU/JMP opcodes. */
export const BPF_K = 0x00;
export const BPF_X = 0x08;

/** Access sizes of load/store opcodes (bits 3-4). */
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

/** Modes of load/store opcodes (top 3 bits). */
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
/** Sign-extending load. Added in Linux 6.6 (cpu v4). */
export const BPF_MEMSX = 0x80;
/** Atomic operations; `BPF_XADD` is the same value. */
export const BPF_ATOMIC = 0xc0;

/** ALU operations (top 4 bits). */
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

/** Byte-swap direction of `BPF_ALU | BPF_END` (the source bit). */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

/** JMP operations (top 4 bits). */
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
/** `may_goto` (with src_reg BPF_MAY_GOTO = 0). Added in Linux 6.9. */
export const BPF_JCOND = 0xe0;

/** Atomic operations, in the imm field of `BPF_STX | BPF_ATOMIC`. */
export const BPF_ATOMIC_ADD = 0x00;
export const BPF_ATOMIC_OR = 0x40;
export const BPF_ATOMIC_AND = 0x50;
export const BPF_ATOMIC_XOR = 0xa0;
/** Flag: return the old value in the source register. Added in Linux 5.12. */
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;
/** Added in Linux 6.15. */
export const BPF_LOAD_ACQ = 0x100;
/** Added in Linux 6.15. */
export const BPF_STORE_REL = 0x110;

/** `src_reg` of an LD_IMM64: what the 64-bit immediate means to the loader. */
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;

/** `src_reg` of a call: helper (0), BPF-to-BPF call (1), kfunc (2). */
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

/** `off` of `BPF_ALU64 | BPF_MOV | BPF_X` that makes it an address-space cast. Added in Linux 6.9. */
export const BPF_ADDR_SPACE_CAST = 1;

/** The opcode of LD_IMM64 (`BPF_LD | BPF_IMM | BPF_DW`). */
export const BPF_LD_IMM64 = BPF_LD | BPF_IMM | BPF_DW;

/** Instruction class names, indexed by the class bits. */
export const CLASS_NAMES = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'] as const;
/** An instruction class. */
export type InsnClass = (typeof CLASS_NAMES)[number];

/** A memory access size in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;
/** Access size in bytes, indexed by the size bits (`(code >> 3) & 3`). */
export const SIZE_BYTES: readonly AccessSize[] = [4, 2, 1, 8];
/** The size bits of an access size in bytes. */
export function sizeCode(size: AccessSize): number {
  switch (size) {
    case 1: return BPF_B;
    case 2: return BPF_H;
    case 4: return BPF_W;
    case 8: return BPF_DW;
  }
}

/** An ALU operation, as named by the ISA (sdiv/smod are DIV/MOD with offset 1). */
export type AluOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh' | 'neg' | 'mod' | 'smod' | 'xor' | 'mov' | 'arsh';

/** Opcode bits of each ALU operation, and the offset field it needs. */
export const ALU_OPS: Readonly<Record<AluOp, { readonly code: number; readonly off: number }>> = {
  add: { code: BPF_ADD, off: 0 },
  sub: { code: BPF_SUB, off: 0 },
  mul: { code: BPF_MUL, off: 0 },
  div: { code: BPF_DIV, off: 0 },
  sdiv: { code: BPF_DIV, off: 1 },
  or: { code: BPF_OR, off: 0 },
  and: { code: BPF_AND, off: 0 },
  lsh: { code: BPF_LSH, off: 0 },
  rsh: { code: BPF_RSH, off: 0 },
  neg: { code: BPF_NEG, off: 0 },
  mod: { code: BPF_MOD, off: 0 },
  smod: { code: BPF_MOD, off: 1 },
  xor: { code: BPF_XOR, off: 0 },
  mov: { code: BPF_MOV, off: 0 },
  arsh: { code: BPF_ARSH, off: 0 },
};

/** A conditional jump operation. */
export type JumpOp = 'jeq' | 'jgt' | 'jge' | 'jset' | 'jne' | 'jsgt' | 'jsge' | 'jlt' | 'jle' | 'jslt' | 'jsle';

/** Opcode bits of each conditional jump. */
export const JUMP_OPS: Readonly<Record<JumpOp, number>> = {
  jeq: BPF_JEQ, jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET, jne: BPF_JNE, jsgt: BPF_JSGT,
  jsge: BPF_JSGE, jlt: BPF_JLT, jle: BPF_JLE, jslt: BPF_JSLT, jsle: BPF_JSLE,
};

/** An atomic operation. `add`/`or`/`and`/`xor` come with and without fetch. */
export type AtomicOp = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg' | 'load_acquire' | 'store_release';

/** The imm value of an atomic operation. */
export function atomicImm(op: AtomicOp, fetch: boolean): number {
  switch (op) {
    case 'add': return BPF_ATOMIC_ADD | (fetch ? BPF_FETCH : 0);
    case 'or': return BPF_ATOMIC_OR | (fetch ? BPF_FETCH : 0);
    case 'and': return BPF_ATOMIC_AND | (fetch ? BPF_FETCH : 0);
    case 'xor': return BPF_ATOMIC_XOR | (fetch ? BPF_FETCH : 0);
    case 'xchg': return BPF_XCHG;
    case 'cmpxchg': return BPF_CMPXCHG;
    case 'load_acquire': return BPF_LOAD_ACQ;
    case 'store_release': return BPF_STORE_REL;
  }
}

/** What the 64-bit immediate of an LD_IMM64 is, from its `src_reg`; `other` for values the ISA does not define. */
export type PseudoSource = 'none' | 'map_fd' | 'map_value' | 'btf_id' | 'func' | 'map_idx' | 'map_idx_value' | 'other';
/** Pseudo sources indexed by `src_reg` 0..6. */
export const PSEUDO_SOURCES: readonly PseudoSource[] = ['none', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'];

/** What a call calls, from its `src_reg`; `other` for values the ISA does not define. */
export type Callee = 'helper' | 'subprog' | 'kfunc' | 'other';
/** Callees indexed by `src_reg` 0..2. */
export const CALLEES: readonly Callee[] = ['helper', 'subprog', 'kfunc'];
