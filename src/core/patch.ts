/**
 * Patching one instruction with a computed relocation, as libbpf's `bpf_core_patch_insn` and
 * `bpf_core_poison_insn` (https://github.com/libbpf/libbpf/blob/master/src/relo_core.c):
 * check the original value first, then write; poison both halves of an LD_IMM64; adjust the
 * load/store width when the field size changed (and refuse where that would read garbage).
 * Every outcome comes with libbpf's log lines.
 */
import type { CalcResult } from './calc.js';

/** `call 0xbad2310`: libbpf's poison, "invalid func unknown#195896080" in the verifier log. */
export const POISON_IMM = 195896080;

/** What patching did. */
export interface PatchOutcome {
  readonly ok: boolean;
  readonly poisoned: boolean;
  /** libbpf's errno name when not ok. */
  readonly errno?: 'EINVAL' | 'ERANGE';
  /** Instruction class as libbpf's log names it. */
  readonly insnClass: 'ALU/ALU64' | 'LDX/ST/STX' | 'LDIMM64' | 'other';
  /** The value in the instruction before patching (imm, off or imm64, as u64). */
  readonly from?: bigint;
  readonly to?: bigint;
  /** Load/store size change, when one was made. */
  readonly memSize?: { readonly from: number; readonly to: number };
  /** libbpf's log lines (debug and warnings), without the `libbpf: ` prefix. */
  readonly log: readonly string[];
}

const SIZE_BYTES: Record<number, number> = { 0x18: 8, 0x00: 4, 0x08: 2, 0x10: 1 };
const BYTES_SIZE: Record<number, number> = { 8: 0x18, 4: 0x00, 2: 0x08, 1: 0x10 };
const u64 = (n: number | bigint): bigint => BigInt.asUintN(64, BigInt(n));

/**
 * Patch instruction `insnIdx` of `insns` (a program's instructions, 8 bytes each, modified in
 * place) with `res`. `prefix` is `prog 'x': relo #N: ` for log lines.
 */
export function patchInstruction(insns: Uint8Array, insnIdx: number, res: CalcResult, littleEndian: boolean, prefix: string): PatchOutcome {
  const v = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const log: string[] = [];
  const o = insnIdx * 8;
  const code = insns[o]!;
  const cls = code & 0x07;
  const isLdImm64 = code === 0x18;
  const insnClass = cls === 4 || cls === 7 ? 'ALU/ALU64' : cls === 1 || cls === 2 || cls === 3 ? 'LDX/ST/STX' : cls === 0 ? 'LDIMM64' : 'other';
  const regs = (slot: number): { dst: number; src: number } => {
    const b = insns[slot * 8 + 1]!;
    return littleEndian ? { dst: b & 0xf, src: b >> 4 } : { dst: b >> 4, src: b & 0xf };
  };
  const poisonSlot = (slot: number): void => {
    log.push(`${prefix}substituting insn #${slot} w/ invalid insn`);
    const p = slot * 8;
    insns[p] = 0x85; // BPF_JMP | BPF_CALL
    insns[p + 1] = 0;
    v.setInt16(p + 2, 0, littleEndian);
    v.setInt32(p + 4, POISON_IMM, littleEndian);
  };
  const poison = (): PatchOutcome => {
    if (isLdImm64 && o + 16 <= insns.length) poisonSlot(insnIdx + 1);
    poisonSlot(insnIdx);
    return { ok: true, poisoned: true, insnClass, log };
  };
  if (res.poison) return poison();
  const orig = res.origVal;
  const next = res.newVal;
  switch (cls) {
    case 4: // ALU
    case 7: { // ALU64
      if ((code & 0x08) !== 0) return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
      const imm = v.getInt32(o + 4, littleEndian);
      if (res.validate && u64(imm) !== orig) {
        log.push(`${prefix}unexpected insn #${insnIdx} (ALU/ALU64) value: got ${imm}, exp ${orig} -> ${next}`);
        return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
      }
      v.setInt32(o + 4, Number(BigInt.asIntN(32, next)), littleEndian);
      log.push(`${prefix}patched insn #${insnIdx} (ALU/ALU64) imm ${u64(imm)} -> ${next}`);
      return { ok: true, poisoned: false, insnClass, from: u64(imm), to: next, log };
    }
    case 1: // LDX
    case 2: // ST
    case 3: { // STX
      const off = v.getInt16(o + 2, littleEndian);
      if (res.validate && u64(off) !== orig) {
        log.push(`${prefix}unexpected insn #${insnIdx} (LDX/ST/STX) value: got ${off}, exp ${orig} -> ${next}`);
        return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
      }
      if (next > 32767n) {
        log.push(`${prefix}insn #${insnIdx} (LDX/ST/STX) value too big: ${next}`);
        return { ok: false, poisoned: false, errno: 'ERANGE', insnClass, log };
      }
      if (res.failMemszAdjust) {
        log.push(`${prefix}insn #${insnIdx} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.`);
        return poison();
      }
      v.setInt16(o + 2, Number(next), littleEndian);
      log.push(`${prefix}patched insn #${insnIdx} (LDX/ST/STX) off ${u64(off)} -> ${next}`);
      let memSize: { from: number; to: number } | undefined;
      if (res.newSize !== res.origSize) {
        const have = SIZE_BYTES[code & 0x18] ?? -1;
        if (have !== res.origSize) {
          log.push(`${prefix}insn #${insnIdx} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSize}`);
          return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
        }
        const sz = BYTES_SIZE[res.newSize];
        if (sz === undefined) {
          log.push(`${prefix}insn #${insnIdx} (LDX/ST/STX) invalid new mem size: ${res.newSize}`);
          return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
        }
        insns[o] = (code & 0xe0) | sz | cls;
        log.push(`${prefix}patched insn #${insnIdx} (LDX/ST/STX) mem_sz ${res.origSize} -> ${res.newSize}`);
        memSize = { from: res.origSize, to: res.newSize };
      }
      return memSize === undefined
        ? { ok: true, poisoned: false, insnClass, from: u64(off), to: next, log }
        : { ok: true, poisoned: false, insnClass, from: u64(off), to: next, memSize, log };
    }
    case 0: { // LD
      const r0 = regs(insnIdx);
      const hasSecond = o + 16 <= insns.length;
      const r1 = hasSecond ? regs(insnIdx + 1) : { dst: 1, src: 1 };
      if (!isLdImm64 || r0.src !== 0 || v.getInt16(o + 2, littleEndian) !== 0 || !hasSecond ||
          insns[o + 8] !== 0 || r1.dst !== 0 || r1.src !== 0 || v.getInt16(o + 10, littleEndian) !== 0) {
        log.push(`${prefix}insn #${insnIdx} (LDIMM64) has unexpected form`);
        return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
      }
      const imm = BigInt(v.getUint32(o + 4, littleEndian)) | (BigInt(v.getUint32(o + 12, littleEndian)) << 32n);
      if (res.validate && imm !== orig) {
        log.push(`${prefix}unexpected insn #${insnIdx} (LDIMM64) value: got ${imm}, exp ${orig} -> ${next}`);
        return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
      }
      v.setUint32(o + 4, Number(next & 0xffffffffn), littleEndian);
      v.setUint32(o + 12, Number(next >> 32n), littleEndian);
      log.push(`${prefix}patched insn #${insnIdx} (LDIMM64) imm64 ${imm} -> ${next}`);
      return { ok: true, poisoned: false, insnClass, from: imm, to: next, log };
    }
    default: {
      const r = regs(insnIdx);
      const off = v.getUint16(o + 2, littleEndian);
      const imm = v.getUint32(o + 4, littleEndian);
      log.push(`${prefix}trying to relocate unrecognized insn #${insnIdx}, code:0x${code.toString(16)}, src:0x${r.src.toString(16)}, dst:0x${r.dst.toString(16)}, off:0x${(off >= 0x8000 ? off + 0xffff0000 : off).toString(16)}, imm:0x${imm.toString(16)}`);
      return { ok: false, poisoned: false, errno: 'EINVAL', insnClass, log };
    }
  }
}
