/**
 * The vocabulary of Rust's BTF relocations (rust-lang/rfcs#3966, tracking issue
 * rust-lang/rust#160616), so a program reads the same in both designs:
 *
 * | Rust | btfkit |
 * |---|---|
 * | `#[btf_relocatable] struct task_struct { pid: i32 }` | `btfRelocatable(types, 'task_struct', [['pid', types.int32]])` |
 * | `core::btf::field_byte_offset!(task_struct, pid)` → `Option<usize>` | `field_byte_offset(p, task, 'pid', { value: R1, present: R2 })` |
 * | `core::btf::field_byte_size!(task_struct, comm)` → `Option<usize>` | `field_byte_size(p, task, 'comm', { value: R1, present: R2 })` |
 *
 * A carrier type is opaque: ordinary field access on it is rejected in Rust, and in TypeScript a
 * {@link BtfCarrier} is only accepted by these queries and the relocatable reads of
 * {@link Program}. An `Option<usize>` lives in two registers: `present` (1 or 0) and `value`
 * (the relocated number, 0 when absent). The relocated instruction sits behind the existence
 * test, because the loader poisons it on a kernel without the field, and a poisoned instruction
 * must not be reachable.
 */
import { RELO_KIND } from '../core/kinds.js';
import { imm, type Reg } from './program.js';
import type { FieldPath, Program } from './relocatable.js';
import type { LocalTypeRef, LocalTypes, MemberSpec } from './types.js';

declare const carrierBrand: unique symbol;

/** A `#[btf_relocatable]` type: a local struct whose fields are reached only through relocations. */
export type BtfCarrier<Name extends string = string> = LocalTypeRef & { readonly [carrierBrand]: Name };

/** Where an `Option<usize>` goes. */
export interface OptionRegs {
  /** The number (0 when the field is absent). */
  readonly value: Reg;
  /** 1 when the field exists on the target kernel, else 0. */
  readonly present: Reg;
}

/** Declare a `#[btf_relocatable]` carrier struct (laid out as C, relocated at load time). */
export function btfRelocatable<Name extends string>(types: LocalTypes, name: Name, members: readonly MemberSpec[]): BtfCarrier<Name> {
  return types.struct(name, members) as BtfCarrier<Name>;
}

/** Mark an existing local type (for example one imported from a kernel BTF) as a carrier. */
export function asCarrier<Name extends string = string>(type: LocalTypeRef): BtfCarrier<Name> {
  return type as BtfCarrier<Name>;
}

function optionOf(p: Program, carrier: BtfCarrier, path: FieldPath, regs: OptionRegs, kind: number): Program {
  const absent = p.label('none');
  const access = p.accessString(carrier, path);
  p.coreInstruction(regs.present, carrier, access, RELO_KIND.FIELD_EXISTS);
  p.mov(regs.value, imm(0)).jump('jeq', regs.present, imm(0), absent);
  p.coreInstruction(regs.value, carrier, access, kind);
  return p.place(absent);
}

/** `core::btf::field_byte_offset!(Carrier, path)`: `Option<usize>` in two registers. */
export function field_byte_offset(p: Program, carrier: BtfCarrier, path: FieldPath, regs: OptionRegs): Program {
  return optionOf(p, carrier, path, regs, RELO_KIND.FIELD_BYTE_OFFSET);
}

/** `core::btf::field_byte_size!(Carrier, path)`: `Option<usize>` in two registers. */
export function field_byte_size(p: Program, carrier: BtfCarrier, path: FieldPath, regs: OptionRegs): Program {
  return optionOf(p, carrier, path, regs, RELO_KIND.FIELD_BYTE_SIZE);
}
