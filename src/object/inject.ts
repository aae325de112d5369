/**
 * CO-RE for compilers that cannot emit it: fill `.rodata` (or any data) constants of a
 * compiled object with facts from a target kernel's BTF (field offsets and sizes, existence,
 * type sizes, enum values), decided by the same engine and with the same explanations as
 * relocations. A manifest says which constant means which fact:
 *
 * ```json
 * { "constants": [
 *   { "symbol": "task_pid_off", "kind": "field_byte_offset", "type": "struct task_struct", "field": "pid" },
 *   { "symbol": "has_state",    "kind": "field_exists",      "type": "struct task_struct", "field": "__state" },
 *   { "symbol": "tgid_kind",    "kind": "enum_value",        "type": "enum pid_type", "enumerator": "PIDTYPE_TGID" },
 *   { "symbol": "mm_size",      "kind": "type_size",         "type": "struct mm_struct" }
 * ] }
 * ```
 *
 * The local type (what the program was written against) is taken from the object's `.BTF`
 * when it has a type of that name, else from the target itself (then the constant is simply
 * the target's fact).
 */
import type { Btf } from '../btf/btf.js';
import { BtfkitError, CoreRelocationError, ErrorCodes, isBtfkitError } from '../errors.js';
import type { TargetBtf } from '../core/relocate.js';
import { accessStringFor, query, resolveLocalType, type LocalType, type QueryAnswer } from '../core/query.js';
import { RELO_KIND } from '../core/kinds.js';
import { elfToWritable, writeElf } from '../elf/write.js';
import type { ObjectSpec } from './spec.js';

/** Facts a constant can hold, by relocation kind. */
export const INJECT_KINDS = {
  field_byte_offset: RELO_KIND.FIELD_BYTE_OFFSET,
  field_byte_size: RELO_KIND.FIELD_BYTE_SIZE,
  field_exists: RELO_KIND.FIELD_EXISTS,
  field_signed: RELO_KIND.FIELD_SIGNED,
  field_lshift_u64: RELO_KIND.FIELD_LSHIFT_U64,
  field_rshift_u64: RELO_KIND.FIELD_RSHIFT_U64,
  type_id_target: RELO_KIND.TYPE_ID_TARGET,
  type_exists: RELO_KIND.TYPE_EXISTS,
  type_size: RELO_KIND.TYPE_SIZE,
  type_matches: RELO_KIND.TYPE_MATCHES,
  enum_value_exists: RELO_KIND.ENUMVAL_EXISTS,
  enum_value: RELO_KIND.ENUMVAL_VALUE,
} as const;

/** One constant of a manifest. */
export interface InjectConstant {
  /** Symbol of the constant in the object (a `const volatile` global). */
  readonly symbol: string;
  readonly kind: keyof typeof INJECT_KINDS;
  /** `struct task_struct`, `enum pid_type`, `typedef pid_t`, ... */
  readonly type: string;
  /** C path for field kinds: `pid`, `mm`, `comm[3]`, `__sk_common.skc_family`. */
  readonly field?: string;
  /** Enumerator name for enum kinds. */
  readonly enumerator?: string;
  /** Written when the fact does not exist on the target (libbpf would poison); else it is an error. */
  readonly default?: number | string;
}

/** A manifest: which constants mean which facts. */
export interface InjectManifest {
  readonly constants: readonly InjectConstant[];
}

/** What was written for one constant. */
export interface InjectResult {
  readonly constant: InjectConstant;
  readonly section: string;
  /** Byte offset of the constant in its section. */
  readonly offset: number;
  readonly size: number;
  /** The value written; undefined when nothing could be written (see `error`). */
  readonly value: bigint | undefined;
  /** The fact was missing and `default` was written. */
  readonly defaulted: boolean;
  readonly answer: QueryAnswer | undefined;
  readonly error: string | undefined;
  readonly explanation: string;
}

/** Check a parsed JSON manifest. @throws {BtfkitError} `USAGE` naming the bad entry. */
export function checkManifest(json: unknown): InjectManifest {
  const bad = (why: string): never => {
    throw new BtfkitError(ErrorCodes.USAGE, `manifest: ${why}`);
  };
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { constants?: unknown }).constants)) bad('expected { "constants": [...] }');
  const constants = (json as { constants: unknown[] }).constants;
  constants.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) bad(`constants[${i}] is not an object`);
    const e = c as Record<string, unknown>;
    if (typeof e['symbol'] !== 'string') bad(`constants[${i}].symbol must be a string`);
    if (typeof e['kind'] !== 'string' || !(e['kind'] in INJECT_KINDS)) bad(`constants[${i}].kind must be one of ${Object.keys(INJECT_KINDS).join(', ')}`);
    if (typeof e['type'] !== 'string') bad(`constants[${i}].type must be a string such as "struct task_struct"`);
    const kind = e['kind'] as string;
    if (kind.startsWith('field_') && typeof e['field'] !== 'string') bad(`constants[${i}] (${kind}) needs "field"`);
    if (kind.startsWith('enum_') && typeof e['enumerator'] !== 'string') bad(`constants[${i}] (${kind}) needs "enumerator"`);
    if (e['default'] !== undefined && typeof e['default'] !== 'number' && typeof e['default'] !== 'string') bad(`constants[${i}].default must be a number or a decimal string`);
  });
  return json as InjectManifest;
}

function localFor(obj: ObjectSpec, target: Btf, typeName: string): LocalType {
  if (obj.btf !== undefined) {
    try {
      const local = { btf: obj.btf, type: typeName };
      resolveLocalType(local);
      return local;
    } catch {
      // not in the object: the target describes it
    }
  }
  return { btf: target, type: typeName };
}

function answerFor(targets: readonly TargetBtf[], local: LocalType, c: InjectConstant): QueryAnswer {
  const kind = INJECT_KINDS[c.kind];
  if (c.kind.startsWith('field_')) {
    let access: string;
    try {
      access = accessStringFor(local.btf, resolveLocalType(local), c.field!);
    } catch (e) {
      // the path does not exist in the type we describe it with: the field does not exist
      const why = (e as Error).message;
      return { value: c.kind === 'field_exists' ? 0n : undefined, poisoned: c.kind !== 'field_exists', localValue: 0n, accessString: '', localSpec: `${c.type}.${c.field!}`, targetSpec: undefined, explanation: why };
    }
    return query(targets, local, kind, access);
  }
  if (c.kind.startsWith('enum_')) {
    const id = local.btf.skipModsAndTypedefs(resolveLocalType(local));
    const t = local.btf.type(id);
    const idx = t.kind === 'enum' || t.kind === 'enum64' ? t.values.findIndex((v) => v.name === c.enumerator) : -1;
    if (idx < 0) {
      // an enumerator the local type lacks: look for it on the target's type directly
      throw new CoreRelocationError(`no enumerator '${c.enumerator ?? ''}' in ${c.type}`, { localType: id, errno: 'EINVAL' });
    }
    return query(targets, local, kind, String(idx));
  }
  return query(targets, local, kind, '0');
}

/**
 * Compute every constant of the manifest against the targets and return the patched object
 * bytes (or undefined when a constant could not be written) with one result per constant.
 */
export function injectConstants(obj: ObjectSpec, targets: readonly TargetBtf[], manifest: InjectManifest): { bytes: Uint8Array | undefined; results: InjectResult[] } {
  const target = targets[0]?.btf;
  if (target === undefined) throw new BtfkitError(ErrorCodes.USAGE, 'inject needs a target BTF');
  const symbols = obj.elf.symbols();
  const w = elfToWritable(obj.elf);
  const datas = w.sections.map((s) => s.data.slice());
  const le = obj.littleEndian;
  const results: InjectResult[] = manifest.constants.map((c): InjectResult => {
    const sym = symbols.find((s) => s.name === c.symbol && s.shndx !== 0 && s.shndx < obj.elf.sections.length);
    const base = { constant: c, section: '', offset: 0, size: 0, value: undefined, defaulted: false, answer: undefined };
    if (sym === undefined) return { ...base, error: `no symbol '${c.symbol}' in the object`, explanation: `no symbol '${c.symbol}'` };
    const sec = obj.elf.sections[sym.shndx]!;
    const offset = Number(sym.value);
    const size = Number(sym.size);
    const where = { ...base, section: sec.name, offset, size };
    if (![1, 2, 4, 8].includes(size) || offset + size > sec.size || sec.type === 8) {
      return { ...where, error: `'${c.symbol}' is ${size} bytes in ${sec.name}${sec.type === 8 ? ' (.bss has no bytes to fill)' : ''}; constants must be 1, 2, 4 or 8 bytes of initialised data`, explanation: 'not a fillable constant' };
    }
    let answer: QueryAnswer;
    try {
      answer = answerFor(targets, localFor(obj, target, c.type), c);
    } catch (e) {
      if (!isBtfkitError(e)) throw e;
      return { ...where, error: e.message, explanation: e.message };
    }
    let value = answer.value;
    let defaulted = false;
    if (value === undefined) {
      if (c.default === undefined) return { ...where, answer, error: `${c.kind} of ${c.type}${c.field === undefined ? '' : `.${c.field}`} does not resolve on this target and no "default" is given`, explanation: answer.explanation };
      value = BigInt(c.default);
      defaulted = true;
    }
    const bits = BigInt(size * 8);
    const fits = value >= -(1n << (bits - 1n)) && value < (1n << bits);
    if (!fits) return { ...where, answer, error: `value ${value} does not fit in ${size} bytes`, explanation: answer.explanation };
    const v = new DataView(datas[sym.shndx]!.buffer);
    const u = BigInt.asUintN(size * 8, value);
    if (size === 1) v.setUint8(offset, Number(u));
    else if (size === 2) v.setUint16(offset, Number(u), le);
    else if (size === 4) v.setUint32(offset, Number(u), le);
    else v.setBigUint64(offset, u, le);
    return { ...where, value, defaulted, answer, error: undefined, explanation: defaulted ? `${answer.explanation}; wrote the default ${value}` : answer.explanation };
  });
  if (results.some((r) => r.error !== undefined)) return { bytes: undefined, results };
  return { bytes: writeElf({ ...w, sections: w.sections.map((s, i) => ({ ...s, data: datas[i]! })) }), results };
}
