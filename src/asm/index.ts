/**
 * BPF instructions: the instruction model, decoding and encoding in either byte order, and
 * disassembly in the syntax of `llvm-objdump -d`.
 *
 * The instruction set is the kernel's `Documentation/bpf/standardization/instruction-set.rst`
 * (RFC 9669), plus the later additions the kernel accepts (may_goto, address-space casts,
 * load-acquire/store-release) and LLVM's `callx`.
 *
 * @packageDocumentation
 */
export * from './opcodes.js';
export * from './units.js';
export { InsnError, InsnErrorCodes, type InsnErrorCode } from './errors.js';
export {
  makeInsn, withFields, insnFields, checkInsnFields, insnSlots, jumpOffset, reservedFields,
  aluImm, aluReg, movsx, endian, jumpImm, jumpReg, ja, mayGoto, call, exit, ldImm64, load, store, storeImm, atomic,
  type Insn, type InsnKind, type InsnFields,
  type AluInsn, type MovsxInsn, type AddrSpaceCastInsn, type EndianInsn, type JumpInsn, type JaInsn, type MayGotoInsn,
  type CallInsn, type CallxInsn, type ExitInsn, type LdImm64Insn, type LdAbsInsn, type LdIndInsn, type LoadInsn,
  type StoreImmInsn, type StoreInsn, type AtomicInsn, type UnknownInsn,
} from './insn.js';
export { decodeInsns, decodeInsnAt, insnIndexes, type ByteOrderOptions } from './decode.js';
export { encodeInsns, encodeInsn, encodedLength } from './encode.js';
export { disassemble, disassembleBytes, formatInsn, type DisasmLine, type DisasmOptions, type DisasmSymbol } from './disasm.js';
