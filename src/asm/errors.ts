/**
 * The error family of the instruction layer.
 *
 * @packageDocumentation
 */
import { BtfkitError } from '../errors.js';
import type { InsnIndex } from './units.js';

/**
 * Codes of {@link InsnError}. They are meant for `ErrorCodes` in `src/errors.ts`; until they
 * are there, they are passed to {@link BtfkitError} with a cast.
 */
export const InsnErrorCodes = {
  /** The bytes end inside an instruction: a length that is not a multiple of 8, or an LD_IMM64 without its second slot. */
  INSN_TRUNCATED: 'INSN_TRUNCATED',
  /** An instruction field is out of range (register above 15, offset beyond 16 bits, immediate beyond 32 bits, ...). */
  INSN_BAD_FIELD: 'INSN_BAD_FIELD',
} as const;

/** A code of {@link InsnError}. */
export type InsnErrorCode = (typeof InsnErrorCodes)[keyof typeof InsnErrorCodes];

/** Malformed instruction bytes, or an instruction that cannot be encoded. */
export class InsnError extends BtfkitError {
  override name = 'InsnError';
  /** The instruction slot the error concerns, when known. */
  readonly index: InsnIndex | undefined;

  constructor(code: InsnErrorCode, message: string, where: { index?: InsnIndex } = {}, options?: { cause?: unknown }) {
    super(code, where.index === undefined ? message : `insn #${where.index}: ${message}`, options);
    this.index = where.index;
  }
}
