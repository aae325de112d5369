/** Instruction units live with the other branded units; re-exported for src/asm. */
export { INSN_SIZE, insnIndex, insnByteOffset, insnIndexToByteOffset, byteOffsetToInsnIndexFloor, isInsnBoundary, type InsnIndex, type InsnByteOffset } from '../binary/units.js';
