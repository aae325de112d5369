/**
 * Encoding instructions to bytes, in either byte order. Only the raw fields are written, so
 * encoding what was decoded reproduces the input exactly.
 *
 * @packageDocumentation
 */
import type { ByteOrderOptions } from './decode.js';
import { InsnError, InsnErrorCodes } from './errors.js';
import { checkInsnFields, insnSlots, type Insn, type InsnFields } from './insn.js';
import { INSN_SIZE, insnIndex } from './units.js';

function writeFields(v: DataView, at: number, f: InsnFields, le: boolean): void {
  v.setUint8(at, f.code);
  v.setUint8(at + 1, le ? (f.src << 4) | f.dst : (f.dst << 4) | f.src);
  v.setInt16(at + 2, f.off, le);
  v.setInt32(at + 4, f.imm, le);
}

function checked(f: InsnFields, slot: number): void {
  try {
    checkInsnFields(f);
  } catch (e) {
    if (e instanceof InsnError) throw new InsnError(InsnErrorCodes.INSN_BAD_FIELD, e.message, { index: insnIndex(slot) }, { cause: e });
    throw e;
  }
}

/** Number of bytes the instructions take. */
export function encodedLength(insns: readonly Insn[]): number {
  let n = 0;
  for (const insn of insns) n += insnSlots(insn) * INSN_SIZE;
  return n;
}

/**
 * Encode instructions.
 * @throws {InsnError} `INSN_BAD_FIELD` (with the slot index) for a field out of range.
 */
export function encodeInsns(insns: readonly Insn[], opts: ByteOrderOptions): Uint8Array {
  const out = new Uint8Array(encodedLength(insns));
  const v = new DataView(out.buffer);
  let slot = 0;
  for (const insn of insns) {
    checked(insn, slot);
    writeFields(v, slot * INSN_SIZE, insn, opts.littleEndian);
    slot++;
    if (insn.kind === 'ld_imm64') {
      checked(insn.hi, slot);
      writeFields(v, slot * INSN_SIZE, insn.hi, opts.littleEndian);
      slot++;
    }
  }
  return out;
}

/** Encode one instruction (8 bytes, or 16 for an LD_IMM64). */
export function encodeInsn(insn: Insn, opts: ByteOrderOptions): Uint8Array {
  return encodeInsns([insn], opts);
}
