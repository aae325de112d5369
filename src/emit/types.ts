/**
 * Local types for emitted programs: the BTF an object carries for the types its CO-RE records
 * name. Types are described with a small C-like builder (laid out as clang lays out C on BPF:
 * natural alignment, System V bitfield packing) or imported from a kernel BTF, optionally
 * trimmed to the members a program uses and renamed to a `___flavor`.
 *
 * ```ts
 * const t = new LocalTypes();
 * const task = t.struct('task_struct', [['pid', t.int32], ['tgid', t.int32], ['comm', t.array(t.char, 16)]]);
 * const old = t.importType(vmlinux, 'struct task_struct', { rename: 'task_struct___old', members: ['pid', 'state'] });
 * ```
 */
import { openBtf } from '../btf/load.js';
import type { Btf } from '../btf/btf.js';
import { BtfBuilder, type MemberInput } from '../btf/encode.js';
import { findTypeByCName } from '../btf/subset.js';
import { typeId, type TypeId } from '../binary/units.js';
import { BtfkitError, ErrorCodes } from '../errors.js';

/** A type in an object's local BTF. */
export interface LocalTypeRef {
  readonly id: TypeId;
  /** C spelling, e.g. `struct task_struct`, `int`, `char[16]`. */
  readonly cName: string;
  readonly size: number;
  readonly align: number;
}

/** A member of {@link LocalTypes.struct}: `[name, type]`, or with a bitfield width. */
export type MemberSpec = readonly [name: string, type: LocalTypeRef] | { readonly name: string; readonly type: LocalTypeRef; readonly bits?: number };

/** Options of {@link LocalTypes.importType}. */
export interface ImportOptions {
  /** New name of the imported struct/union/enum (a flavor: `task_struct___v5_8`). */
  readonly rename?: string;
  /** Keep only these members (by name) of the root struct/union; offsets stay the kernel's. */
  readonly members?: readonly string[];
}

const VOID: LocalTypeRef = Object.freeze({ id: typeId(0), cName: 'void', size: 0, align: 1 });

function emitError(message: string): BtfkitError {
  return new BtfkitError(ErrorCodes.EMIT, message);
}

/**
 * The local BTF of an object under construction. Scalars and pointers are interned (asking
 * twice for `u32` gives the same id); structs, unions and enums are added as declared.
 */
export class LocalTypes {
  /** The underlying builder (the object writer adds FUNC, VAR and DATASEC types to it). */
  readonly builder: BtfBuilder;
  private readonly interned = new Map<string, LocalTypeRef>();
  private readonly imported = new Map<string, Map<number, LocalTypeRef>>();
  private readonly byId = new Map<number, LocalTypeRef>();
  private cachedView: { count: number; btf: Btf } | undefined;

  constructor(options: { littleEndian?: boolean } = {}) {
    this.builder = new BtfBuilder({ littleEndian: options.littleEndian ?? true });
  }

  /** `void` (id 0). */
  get void(): LocalTypeRef { return VOID; }
  /** `char` as clang and pahole encode it (SIGNED, without BTF_INT_CHAR). */
  get char(): LocalTypeRef { return this.int('char', 1, { signed: true }); }
  get bool(): LocalTypeRef { return this.int('_Bool', 1, { bool: true }); }
  get int32(): LocalTypeRef { return this.int('int', 4, { signed: true }); }
  get u8(): LocalTypeRef { return this.int('unsigned char', 1); }
  get u16(): LocalTypeRef { return this.int('unsigned short', 2); }
  get u32(): LocalTypeRef { return this.int('unsigned int', 4); }
  get u64(): LocalTypeRef { return this.int('unsigned long long', 8); }
  get s8(): LocalTypeRef { return this.int('signed char', 1, { signed: true }); }
  get s16(): LocalTypeRef { return this.int('short', 2, { signed: true }); }
  get s64(): LocalTypeRef { return this.int('long long', 8, { signed: true }); }
  get long(): LocalTypeRef { return this.int('long', 8, { signed: true }); }
  get ulong(): LocalTypeRef { return this.int('unsigned long', 8); }

  /** An integer type (interned by name, size and encoding). */
  int(name: string, size: 1 | 2 | 4 | 8 | 16, enc: { signed?: boolean; char?: boolean; bool?: boolean } = {}): LocalTypeRef {
    const key = `int:${name}:${size}:${enc.signed === true}:${enc.char === true}:${enc.bool === true}`;
    return this.intern(key, () => ({ id: this.builder.addInt(name, size, enc), cName: name, size, align: Math.min(size, 8) }));
  }

  /** A pointer (interned). */
  ptr(to: LocalTypeRef): LocalTypeRef {
    return this.intern(`ptr:${to.id}`, () => ({ id: this.builder.addPtr(to.id), cName: `${to.cName} *`, size: 8, align: 8 }));
  }

  /** An array of `n` elements (interned). */
  array(elem: LocalTypeRef, n: number): LocalTypeRef {
    const index = this.int('__ARRAY_SIZE_TYPE__', 4);
    return this.intern(`array:${elem.id}:${n}`, () => ({ id: this.builder.addArray(elem.id, index.id, n), cName: `${elem.cName}[${n}]`, size: elem.size * n, align: elem.align }));
  }

  /** A typedef. */
  typedef(name: string, type: LocalTypeRef): LocalTypeRef {
    return this.intern(`typedef:${name}:${type.id}`, () => ({ id: this.builder.addTypedef(name, type.id), cName: name, size: type.size, align: type.align }));
  }

  /** `const`/`volatile` (interned). */
  qualified(qualifier: 'const' | 'volatile', type: LocalTypeRef): LocalTypeRef {
    return this.intern(`${qualifier}:${type.id}`, () => ({
      id: qualifier === 'const' ? this.builder.addConst(type.id) : this.builder.addVolatile(type.id),
      cName: `${qualifier} ${type.cName}`, size: type.size, align: type.align,
    }));
  }

  /**
   * A struct laid out as clang lays out the same C declaration for BPF: members at their
   * natural alignment, bitfields packed into the storage unit of their declared type unless
   * they would straddle it, size rounded up to the largest alignment. Unnamed bitfields (name
   * `''`, zero-width or not) take their place but, as in C, neither count for the struct's
   * alignment nor appear in its BTF.
   */
  struct(name: string, members: readonly MemberSpec[], options: { union?: boolean } = {}): LocalTypeRef {
    const ms = members.map(memberOf);
    const union = options.union === true;
    let bit = 0;
    let end = 0;
    let align = 1;
    const out: MemberInput[] = [];
    for (const m of ms) {
      const a = Math.max(1, m.type.align);
      const unnamedBitfield = m.bits !== undefined && m.name === '';
      if (!unnamedBitfield) align = Math.max(align, a);
      const unitBits = m.type.size * 8;
      let at: number;
      if (m.bits !== undefined) {
        if (m.bits < 0 || m.bits > unitBits) throw emitError(`bitfield ${name}.${m.name}: ${m.bits} bits do not fit ${m.type.cName}`);
        at = union ? 0 : bit;
        // a bitfield that would cross a boundary of its type's alignment starts at the next one
        if (m.bits > 0 && Math.floor(at / (a * 8)) !== Math.floor((at + m.bits - 1) / (a * 8))) at = Math.ceil(at / (a * 8)) * a * 8;
        if (m.bits === 0) at = Math.ceil(at / (a * 8)) * a * 8;
        bit = at + m.bits;
      } else {
        at = union ? 0 : Math.ceil(Math.ceil(bit / 8) / a) * a * 8;
        bit = at + m.type.size * 8;
      }
      end = Math.max(end, bit);
      if (m.bits === 0 || unnamedBitfield) continue; // unnamed bitfields only pad
      out.push(m.bits !== undefined ? { name: m.name, type: m.type.id, bitOffset: at, bitfieldSize: m.bits } : { name: m.name, type: m.type.id, bitOffset: at });
    }
    const size = Math.ceil(Math.ceil(end / 8) / align) * align;
    const hasBitfields = out.some((m) => m.bitfieldSize !== undefined);
    const id = union
      ? this.builder.addUnion(name, size, out, { kindFlag: hasBitfields })
      : this.builder.addStruct(name, size, out, { kindFlag: hasBitfields });
    return this.remember({ id, cName: `${union ? 'union' : 'struct'} ${name}`.trimEnd(), size, align });
  }

  /**
   * A struct or union with members at given bit offsets (as a kernel BTF lays them out): what
   * generated code uses to declare a kernel type without the kernel's BTF at hand.
   */
  structAt(name: string, size: number, members: readonly { readonly name: string; readonly type: LocalTypeRef; readonly bitOffset: number; readonly bits?: number }[], options: { union?: boolean; align?: number } = {}): LocalTypeRef {
    const kindFlag = members.some((m) => m.bits !== undefined);
    const ms: MemberInput[] = members.map((m) => (m.bits !== undefined ? { name: m.name, type: m.type.id, bitOffset: m.bitOffset, bitfieldSize: m.bits } : { name: m.name, type: m.type.id, bitOffset: m.bitOffset }));
    const union = options.union === true;
    const id = union ? this.builder.addUnion(name, size, ms, { kindFlag }) : this.builder.addStruct(name, size, ms, { kindFlag });
    const align = options.align ?? members.reduce((a, m) => Math.max(a, m.type.align), 1);
    return this.remember({ id, cName: `${union ? 'union' : 'struct'} ${name}`.trimEnd(), size, align });
  }

  /** A union (see {@link struct}). */
  union(name: string, members: readonly MemberSpec[]): LocalTypeRef {
    return this.struct(name, members, { union: true });
  }

  /**
   * An enum of 4 bytes (or 8: ENUM64 when a value needs it). `size` gives another storage size
   * (1, 2, 4 or 8 bytes, as a kernel's packed or 64-bit enums have; 8 is an ENUM64).
   */
  enum(name: string, values: Readonly<Record<string, number | bigint>>, options: { signed?: boolean; size?: 1 | 2 | 4 | 8 } = {}): LocalTypeRef {
    const entries = Object.entries(values);
    const wide = options.size === 8 || (options.size === undefined && entries.some(([, v]) => BigInt(v) > 0xffffffffn || BigInt(v) < -0x80000000n));
    const size = options.size ?? (wide ? 8 : 4);
    const enc = options.signed === undefined ? {} : { signed: options.signed };
    const id = wide
      ? this.builder.addEnum64(name, size, entries.map(([n, v]) => ({ name: n, value: BigInt(v) })), enc)
      : this.builder.addEnum(name, size, entries.map(([n, v]) => ({ name: n, value: Number(v) })), enc);
    return this.remember({ id, cName: `enum ${name}`.trimEnd(), size, align: size });
  }

  /** A function prototype (interned), the pointee of a function pointer member. A trailing `void` parameter marks varargs. */
  funcProto(returns: LocalTypeRef, params: readonly { readonly name?: string; readonly type: LocalTypeRef }[]): LocalTypeRef {
    const key = `fn:${returns.id}(${params.map((p) => `${p.name ?? ''}:${p.type.id}`).join(',')})`;
    return this.intern(key, () => ({ id: this.builder.addFuncProto(returns.id, params.map((p) => ({ name: p.name ?? '', type: p.type.id }))), cName: 'fn', size: 0, align: 1 }));
  }

  /** A forward declaration. */
  fwd(name: string, kind: 'struct' | 'union' = 'struct'): LocalTypeRef {
    return this.intern(`fwd:${kind}:${name}`, () => ({ id: this.builder.addFwd(name, kind), cName: `${kind} ${name}`, size: 0, align: 1 }));
  }

  /**
   * Copy a type from a (kernel) BTF: the type and everything it contains by value; structs and
   * unions reached through a pointer become forward declarations (a CO-RE relocation never
   * crosses a pointer, so their layout is not needed). `members` trims the root to the fields a
   * program uses, keeping the kernel's offsets, as hand-written local definitions do.
   */
  importType(btf: Btf, cName: string | number, options: ImportOptions = {}): LocalTypeRef {
    const rootId = typeof cName === 'number' ? cName : findTypeByCName(btf, cName);
    const key = btfKey(btf);
    let memo = this.imported.get(key);
    if (memo === undefined) { memo = new Map(); this.imported.set(key, memo); }
    if (options.rename === undefined && options.members === undefined) {
      const known = memo.get(rootId);
      if (known !== undefined) return known;
    }
    return this.copy(btf, rootId, memo, options, new Set());
  }

  private copy(btf: Btf, id: number, memo: Map<number, LocalTypeRef>, root: ImportOptions | undefined, active: Set<number>): LocalTypeRef {
    if (id === 0) return VOID;
    if (root === undefined) {
      const known = memo.get(id);
      if (known !== undefined) return known;
    }
    if (active.has(id)) throw emitError(`type [${id}] contains itself by value`);
    const t = btf.type(id);
    const sized = (tid: TypeId, cn: string): LocalTypeRef => {
      let size = 0;
      let align = 1;
      try { size = btf.resolveSize(id); align = btf.alignment(id); } catch { /* functions, void */ }
      return { id: tid, cName: cn, size, align };
    };
    const pointee = (target: number): LocalTypeRef => {
      const p = btf.type(target);
      if ((p.kind === 'struct' || p.kind === 'union') && p.name !== '') {
        const full = memo.get(target);
        return full ?? this.fwd(p.name, p.kind);
      }
      if (p.kind === 'fwd') return this.fwd(p.name, p.fwdKind);
      return this.copy(btf, target, memo, undefined, new Set());
    };
    /** A pointer keeps its pointee behind a forward declaration; anything else is copied. */
    const valueOrPointer = (tid: number, seen: Set<number>): LocalTypeRef => {
      const inner = btf.type(tid);
      return inner.kind === 'ptr' ? this.ptr(pointee(inner.type)) : this.copy(btf, tid, memo, undefined, seen);
    };
    let out: LocalTypeRef;
    active.add(id);
    switch (t.kind) {
      case 'int':
        out = this.int(t.name, t.size as 1 | 2 | 4 | 8 | 16, { signed: (t.encodingBits & 1) !== 0, char: (t.encodingBits & 2) !== 0, bool: (t.encodingBits & 4) !== 0 });
        break;
      case 'ptr': out = this.ptr(pointee(t.type)); break;
      case 'array': {
        const elem = this.copy(btf, t.type, memo, undefined, active);
        out = this.array(elem, t.nelems);
        break;
      }
      case 'typedef': out = this.typedef(t.name, valueOrPointer(t.type, active)); break;
      case 'const': case 'volatile': out = this.qualified(t.kind, this.copy(btf, t.type, memo, undefined, active)); break;
      case 'restrict': case 'type_tag': out = this.copy(btf, t.type, memo, undefined, active); break;
      case 'struct': case 'union': {
        const keep = root?.members;
        if (keep !== undefined) {
          const missing = keep.filter((n) => !t.members.some((m) => m.name === n));
          if (missing.length > 0) throw emitError(`${t.kind} ${t.name} has no member ${missing.join(', ')}`);
        }
        const members: MemberInput[] = [];
        for (const m of t.members) {
          if (keep !== undefined && !keep.includes(m.name)) continue;
          const mt = this.copy(btf, m.type, memo, undefined, active);
          members.push(m.bitfieldSize > 0 ? { name: m.name, type: mt.id, bitOffset: m.bitOffset, bitfieldSize: m.bitfieldSize } : { name: m.name, type: mt.id, bitOffset: m.bitOffset });
        }
        const name = root?.rename ?? t.name;
        const kindFlag = members.some((m) => m.bitfieldSize !== undefined);
        const tid = t.kind === 'struct' ? this.builder.addStruct(name, t.size, members, { kindFlag }) : this.builder.addUnion(name, t.size, members, { kindFlag });
        out = this.remember(sized(tid, `${t.kind} ${name}`.trimEnd()));
        break;
      }
      case 'enum': {
        const tid = this.builder.addEnum(root?.rename ?? t.name, t.size, t.values, { signed: t.signed });
        out = this.remember(sized(tid, `enum ${root?.rename ?? t.name}`.trimEnd()));
        break;
      }
      case 'enum64': {
        const tid = this.builder.addEnum64(root?.rename ?? t.name, t.size, t.values, { signed: t.signed });
        out = this.remember(sized(tid, `enum ${root?.rename ?? t.name}`.trimEnd()));
        break;
      }
      case 'fwd': out = this.fwd(t.name, t.fwdKind); break;
      case 'float': out = this.intern(`float:${t.name}`, () => ({ id: this.builder.addFloat(t.name, t.size), cName: t.name, size: t.size, align: t.size })); break;
      case 'func_proto': {
        // a prototype's types are not contained by value in whatever points to it
        const ret = t.returnType === 0 ? VOID : valueOrPointer(t.returnType, new Set());
        const params = t.params.map((p) => ({ name: p.name, type: p.type === 0 ? 0 : valueOrPointer(p.type, new Set()).id }));
        out = { id: this.builder.addFuncProto(ret.id, params), cName: 'fn', size: 0, align: 1 };
        break;
      }
      default:
        throw emitError(`cannot import a ${t.kind} ([${id}] ${t.name}) as a local type`);
    }
    active.delete(id);
    if (root === undefined || (root.rename === undefined && root.members === undefined)) memo.set(id, out);
    return out;
  }

  /** The local types so far as a BTF (re-encoded only when types were added since the last call). */
  view(): Btf {
    const count = this.builder.count;
    if (this.cachedView?.count !== count) this.cachedView = { count, btf: openBtf(this.builder.encode()) };
    return this.cachedView.btf;
  }

  /** The reference for an id added through this builder. */
  ref(id: number): LocalTypeRef | undefined {
    return id === 0 ? VOID : this.byId.get(id);
  }

  private intern(key: string, make: () => LocalTypeRef): LocalTypeRef {
    let r = this.interned.get(key);
    if (r === undefined) {
      r = this.remember(make());
      this.interned.set(key, r);
    }
    return r;
  }

  private remember(r: LocalTypeRef): LocalTypeRef {
    const frozen = Object.freeze(r);
    this.byId.set(r.id, frozen);
    return frozen;
  }
}

function memberOf(m: MemberSpec): { name: string; type: LocalTypeRef; bits: number | undefined } {
  if ('type' in m) return { name: m.name, type: m.type, bits: m.bits };
  const [name, type] = m as readonly [string, LocalTypeRef];
  return { name, type, bits: undefined };
}

// Imports from the same Btf share a memo; a WeakMap keeps no Btf alive.
const btfKeys = new WeakMap<Btf, string>();
let nextBtfKey = 0;
function btfKey(btf: Btf): string {
  let k = btfKeys.get(btf);
  if (k === undefined) { k = `btf${nextBtfKey++}`; btfKeys.set(btf, k); }
  return k;
}
