/**
 * Branded units (ARCHITECTURE.md rule 7). A `TypeId` cannot be passed where a `StrOffset` is
 * expected, and bits never mix with bytes without a named conversion.
 *
 * @packageDocumentation
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A BTF type id. 0 is `void`. */
export type TypeId = Brand<number, 'TypeId'>;
/** An offset into a BTF string section (global across split BTF). */
export type StrOffset = Brand<number, 'StrOffset'>;
/** A quantity in bits. */
export type Bits = Brand<number, 'Bits'>;
/** A quantity in bytes. */
export type Bytes = Brand<number, 'Bytes'>;

/** Mark a number as a type id. */
export const typeId = (n: number): TypeId => n as TypeId;
/** Mark a number as a string offset. */
export const strOffset = (n: number): StrOffset => n as StrOffset;
/** Mark a number as bits. */
export const bits = (n: number): Bits => n as Bits;
/** Mark a number as bytes. */
export const bytes = (n: number): Bytes => n as Bytes;
/** Whole bytes to bits. */
export const bytesToBits = (n: Bytes): Bits => (n * 8) as Bits;
/** Bits to bytes, rounding down (a bit offset inside a byte stays in that byte). */
export const bitsToBytesFloor = (n: Bits): Bytes => Math.floor(n / 8) as Bytes;

/** Index of an 8-byte instruction slot. The second half of an LD_IMM64 is a slot of its own. */
export type InsnIndex = Brand<number, 'InsnIndex'>;
/** A byte offset into an instruction stream (a multiple of 8 for instruction boundaries). */
export type InsnByteOffset = Brand<number, 'InsnByteOffset'>;

/** Size of one instruction slot in bytes. */
export const INSN_SIZE = 8;

/** Mark a number as an instruction slot index. */
export const insnIndex = (n: number): InsnIndex => n as InsnIndex;
/** Mark a number as a byte offset into an instruction stream. */
export const insnByteOffset = (n: number): InsnByteOffset => n as InsnByteOffset;
/** The byte offset at which slot `i` starts. */
export const insnIndexToByteOffset = (i: InsnIndex): InsnByteOffset => (i * INSN_SIZE) as InsnByteOffset;
/** The slot that contains byte `o` (rounding down when `o` is inside a slot). */
export const byteOffsetToInsnIndexFloor = (o: InsnByteOffset): InsnIndex => Math.floor(o / INSN_SIZE) as InsnIndex;
/** True when `o` is on an instruction slot boundary. */
export const isInsnBoundary = (o: InsnByteOffset): boolean => o % INSN_SIZE === 0;
