/**
 * Decoding instruction bytes, in either byte order.
 *
 * An 8-byte slot is `code:8 regs:8 off:16 imm:32`, with `off` and `imm` in the object's byte
 * order. The register byte holds `dst` in its low nibble for little-endian objects and in its
 * high nibble for big-endian ones (the kernel's `struct bpf_insn` bitfields).
 *
 * @packageDocumentation
 */
import { InsnError, InsnErrorCodes } from './errors.js';
import { classify, type Insn, type InsnFields } from './insn.js';
import { BPF_LD_IMM64 } from './opcodes.js';
import { INSN_SIZE, insnIndex, type InsnIndex } from './units.js';

/** Byte order of instruction bytes (from the ELF header: `ElfFile.littleEndian`). */
export interface ByteOrderOptions {
  readonly littleEndian: boolean;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readFields(v: DataView, at: number, le: boolean): InsnFields {
  const regs = v.getUint8(at + 1);
  return {
    code: v.getUint8(at),
    dst: le ? regs & 0x0f : regs >> 4,
    src: le ? regs >> 4 : regs & 0x0f,
    off: v.getInt16(at + 2, le),
    imm: v.getInt32(at + 4, le),
  };
}

/**
 * Decode the instruction that starts at slot `index`.
 * @throws {InsnError} `INSN_TRUNCATED` when the bytes end inside it.
 */
export function decodeInsnAt(bytes: Uint8Array, index: InsnIndex, opts: ByteOrderOptions): Insn {
  const at = index * INSN_SIZE;
  if (!Number.isInteger(index) || index < 0 || at + INSN_SIZE > bytes.length) {
    throw new InsnError(InsnErrorCodes.INSN_TRUNCATED, `no instruction at byte offset ${at} of ${bytes.length}`, { index });
  }
  const v = view(bytes);
  const lo = readFields(v, at, opts.littleEndian);
  if (lo.code !== BPF_LD_IMM64) return classify(lo, undefined);
  if (at + 2 * INSN_SIZE > bytes.length) {
    throw new InsnError(InsnErrorCodes.INSN_TRUNCATED, 'LD_IMM64 without its second slot at the end of the instructions', { index });
  }
  return classify(lo, readFields(v, at + INSN_SIZE, opts.littleEndian));
}

/**
 * Decode a whole instruction stream (a program section). Every opcode decodes; those the ISA
 * does not define give `kind: 'unknown'`. The result has one entry per instruction, so an
 * LD_IMM64 is one entry covering two slots (see {@link insnIndexes}).
 * @throws {InsnError} `INSN_TRUNCATED` when the length is not a multiple of 8 or the last
 *   instruction is an LD_IMM64 without its second slot (the error's `index` says which slot).
 */
export function decodeInsns(bytes: Uint8Array, opts: ByteOrderOptions): Insn[] {
  const le = opts.littleEndian;
  const n = Math.floor(bytes.length / INSN_SIZE);
  if (bytes.length % INSN_SIZE !== 0) {
    throw new InsnError(InsnErrorCodes.INSN_TRUNCATED, `instruction bytes end inside a slot (length ${bytes.length} is not a multiple of 8)`, { index: insnIndex(n) });
  }
  const v = view(bytes);
  const out: Insn[] = [];
  for (let i = 0; i < n; i++) {
    const lo = readFields(v, i * INSN_SIZE, le);
    if (lo.code !== BPF_LD_IMM64) {
      out.push(classify(lo, undefined));
      continue;
    }
    if (i + 1 >= n) {
      throw new InsnError(InsnErrorCodes.INSN_TRUNCATED, 'LD_IMM64 without its second slot at the end of the instructions', { index: insnIndex(i) });
    }
    out.push(classify(lo, readFields(v, (i + 1) * INSN_SIZE, le)));
    i++;
  }
  return out;
}

/** The slot index of each instruction of a decoded stream (an LD_IMM64 advances by two). */
export function insnIndexes(insns: readonly Insn[]): InsnIndex[] {
  const out: InsnIndex[] = [];
  let at = 0;
  for (const insn of insns) {
    out.push(insnIndex(at));
    at += insn.kind === 'ld_imm64' ? 2 : 1;
  }
  return out;
}
