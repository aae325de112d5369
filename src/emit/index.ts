/**
 * Emit BPF objects from TypeScript: a program builder whose relocatable accessors write real
 * CO-RE records, local BTF types, maps, globals, and an ELF writer libbpf loads.
 *
 * @packageDocumentation
 */
export { LocalTypes, type LocalTypeRef, type MemberSpec, type ImportOptions } from './types.js';
export {
  ProgramBuilder, Label, HELPERS, imm, R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10,
  type Reg, type Helper, type Operand, type SymbolRef, type CoreRecord, type SourceLine, type EmittedInsn,
} from './program.js';
export { Program, type FieldPath, type OutcomeSlot, type EmittedRead } from './relocatable.js';
export { ObjectBuilder, type MapOptions, type GlobalPlace, type DataSection, type KfuncProto } from './object.js';
export {
  decodeReadOutcome, formatReadOutcome, readOutcomeSize, READ_OUTCOME_LAYOUT, READ_STATUS, some, none, sizeMismatch, probeReadError,
  type ReadOutcome, type ReadOk, type ReadErr, type ReadError, type SizeMismatch, type ProbeRead,
} from '../core/outcome.js';
export { btfRelocatable, asCarrier, field_byte_offset, field_byte_size, type BtfCarrier, type OptionRegs } from './rust.js';
