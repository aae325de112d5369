/**
 * BTF to C: the header `bpftool btf dump file FILE format c` prints, byte for byte. This is
 * the JavaScript engine of `dumpC` (dump-c.ts) and the reference for its WebAssembly engine,
 * wasm/dump-c.ts, which follows this file line for line.
 *
 * The algorithm is libbpf's BTF-to-C converter, src/btf_dump.c
 * (https://github.com/libbpf/libbpf/blob/master/src/btf_dump.c, LGPL-2.1 OR BSD-2-Clause),
 * re-implemented here (no code or comments taken). The oracle is Debian's bpftool 7.1, built on
 * the libbpf of Linux 6.1 with some later fixes, which differs from libbpf master:
 * - padding between members and `__attribute__((packed))` detection are the libbpf 1.1 ones
 *   (upstream 0b80970c and b9f1a06c);
 * - a prototype without parameters prints as `(void)` (upstream 205e86de);
 * - enums of size 1 or 8 get no `__attribute__((mode(...)))` (upstream e6e0e3fd is not in it);
 * - a type tag always prints as `__attribute__((btf_type_tag("x")))`, whatever its kind_flag
 *   (upstream cc278ff7 is not in it);
 * - no sorting of types and no kfunc `extern` declarations (newer bpftool).
 *
 * How it works, in libbpf's terms. bpftool calls `btf_dump__dump_type(id)` for every id from 1 to
 * the last one (base types included for split BTF). Each call first *orders* the type
 * ({@link CDumper.orderType}): a depth-first walk that queues every named definition the type
 * needs, dependencies first. A by-value use (a member, an array element, a typedef target) is a
 * *strong* link: the definition has to come first. A use through a pointer of a named
 * struct/union is *weak*: a forward declaration (`struct x;`) will do. Anonymous types are
 * defined inline where they are used, so their own needs become their user's needs. Then each
 * queued type is *emitted* ({@link CDumper.emitType}); emit states detect the cases that need a
 * forward declaration (a type referring back to one being emitted). Declarations are printed
 * by pushing the chain of modifiers, pointers, arrays and prototypes on a stack and unwinding it
 * in C's inside-out order ({@link CDumper.emitTypeChain}).
 *
 * Worked example: `struct a { struct b *p; struct c c; }` with `struct c { struct a *back; }`.
 * Ordering `a` marks it ORDERING and walks its members: `struct b *` is weak (nothing queued),
 * `struct c` is strong, so `c` is ordered: its member `struct a *` is weak. `c` is queued,
 * then `a`. Emitting `c` walks its members: `a` is neither emitted nor being emitted, so
 * `struct a;` is printed, then `struct c {...}`. Emitting `a` prints `struct b;` (first use of
 * `b`) and then `struct a {...}`.
 *
 * Names: a struct, union or enum name used by several different types gets `___2`, `___3`...
 * in the order the names are first printed; typedef names and enumerators share a second
 * namespace. Forward declarations and empty enums never take a number.
 *
 * Speed (a vmlinux header is 2.8 MB, and most of a run is cold, interpreted code, so the point
 * is to execute few operations): the type records of the whole BTF chain are read as one
 * `Uint32Array` and the strings as one byte array; output goes into one reused buffer; names
 * are copied from the string table and counted in a hash table of string offsets, so no
 * JavaScript string is built. A declaration whose text depends only on its type (no anonymous
 * definition inside) is rendered once and then copied from a template, with the declared name
 * spliced in. Walks skip types already ordered or emitted before calling into them.
 *
 * Cold code also shapes the control flow. TurboFan compiles a function with the type feedback
 * gathered so far; the first time a path without feedback is taken, the optimized code is thrown
 * away and the function compiled again (for a large function, several milliseconds of compiler
 * time, which on a 2-core machine is taken from the dump). So the large functions keep uncommon
 * cases in small helpers called on every path (`room` for flushing, `dupSuffix`, `enumValue`,
 * `emitParams`), test STRUCT-or-UNION in one comparison, and let pointers, modifiers and arrays
 * be skipped before `emitType` rather than recursed through.
 *
 * @packageDocumentation
 */
import type { Btf } from './btf.js';
import { BtfkitError, BtfParseError, ErrorCodes } from '../errors.js';
import type { ByteSink } from './out.js';
import { HOST_LITTLE_ENDIAN } from './wire.js';

export type { ByteSink } from './out.js';

/**
 * The JavaScript engine of {@link dumpC}: the reference implementation, used where
 * WebAssembly is not available (and by the tests, which require both engines to agree).
 *
 * @throws {BtfkitError} as {@link dumpC} documents.
 */
export function dumpCJs(btf: Btf, out: ByteSink): void {
  const d = new CDumper(btf, out);
  try {
    d.run();
  } catch (e) {
    if (e instanceof RangeError) throw nestedTooDeeply(e);
    throw e;
  }
}

/**
 * Why a C dump stopped, by number: the WebAssembly engine (wasm/dump-c.ts) reports these
 * through its `fail(code, id, arg)` import, and both engines build the error with
 * {@link dumpCFailure}, so the two throw the same codes and messages.
 */
export const DUMP_C_FAILURE = {
  /** A string offset past the string table (`arg`: the offset). */
  BAD_STRING_OFFSET: 1,
  /** A type id past the last one (`arg`: the id). */
  BAD_TYPE_ID: 2,
  /** A kind the dumper does not know (`arg`: the kind). */
  BAD_KIND: 3,
  /** A cycle not broken by a pointer to a named struct or union. */
  CYCLE: 4,
  /** Nesting beyond {@link MAX_NESTING}: a loop of typedefs or modifiers. */
  TOO_DEEP: 5,
  /** Output past the budget (anonymous types or padding blow up). */
  TOO_LARGE: 6,
  /** Padding before a member whose type has no alignment. */
  NO_ALIGN: 7,
} as const;

/** The error for a {@link DUMP_C_FAILURE} at type `id` (0: none) with argument `arg`. */
export function dumpCFailure(failure: number, id: number, arg: number): BtfkitError {
  const at = { section: 'types', typeId: id };
  switch (failure) {
    case DUMP_C_FAILURE.BAD_STRING_OFFSET:
      return new BtfParseError(ErrorCodes.BTF_BAD_STRING_OFFSET, `btf dump c: type [${id}]: invalid string offset ${arg}`, at);
    case DUMP_C_FAILURE.BAD_TYPE_ID:
      return new BtfParseError(ErrorCodes.BTF_BAD_TYPE_ID, `btf dump c: type [${id}]: invalid referenced type ID ${arg}`, at);
    case DUMP_C_FAILURE.BAD_KIND:
      return new BtfParseError(ErrorCodes.BTF_BAD_TYPE, `btf dump c: type [${id}]: unsupported BTF kind ${arg}`, at);
    case DUMP_C_FAILURE.CYCLE:
      return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `btf dump c: unsatisfiable type cycle, id:[${id}]`);
    case DUMP_C_FAILURE.TOO_DEEP:
      return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `btf dump c: type [${id}]: type graph nested deeper than ${MAX_NESTING} (a loop?)`);
    case DUMP_C_FAILURE.TOO_LARGE:
      return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, 'btf dump c: output would be unreasonably large (anonymous types or padding blow up)');
    case DUMP_C_FAILURE.NO_ALIGN:
      return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, 'btf dump c: member type has no alignment');
    default:
      return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `btf dump c: failure ${failure} at type [${id}]`);
  }
}

/** The error for a stack overflow (a RangeError) during a dump. */
export function nestedTooDeeply(cause: unknown): BtfkitError {
  return new BtfkitError(ErrorCodes.BTF_BAD_QUERY, 'btf dump c: type graph nested too deeply', { cause });
}

/*
 * Kind numbers (`KIND` of wire.ts), states and characters are written as literals with their name
 * in a comment: the build keeps enums as objects, and unoptimized code (most of a cold run) would
 * pay a property load for each use; literal `case` labels also let V8 use jump tables.
 */

/**
 * Output buffer size; the sink sees chunks of at most this. Whatever checks for room does it
 * through {@link CDumper.room} (or the small byte, range and newline primitives), never inline:
 * the first flush comes after most of the dumper is optimized, and a flush path that had never
 * run before optimizing throws the optimized code away where it is taken (inline checks made
 * every large function deoptimize, and compile again, at the first flush).
 */
const BUFFER_SIZE = 1 << 18;
/** Room made before rendering a declaration, so that its template can be cut from the buffer. */
const DECL_ROOM = 4096;
/** libbpf prints at most 13 tabs of indentation. */
const MAX_INDENT = 13;
/** libbpf's `MAX_RESOLVE_DEPTH` for sizes. */
const MAX_RESOLVE_DEPTH = 32;
/**
 * Bound on the nesting of the recursive walks (ordering, emitting, declarations). Kernel BTF
 * stays far below; a loop in malformed BTF (typedefs or modifiers pointing back) hits it.
 */
const MAX_NESTING = 600;
/** libbpf formats a numbered type name into a 256-byte buffer. */
const MAX_DUP_NAME = 255;
const FNV_OFFSET = 0x811c9dc5;
/**
 * Kinds whose own name the header prints, as a bit set: INT, STRUCT, UNION, ENUM, FWD, TYPEDEF,
 * FLOAT, TYPE_TAG, ENUM64 (1, 4-8, 16, 18, 19).
 */
const PRINTED_NAME_KINDS = 0xd01f2;
const FNV_PRIME = 0x01000193;

// ---- constants ----

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0x7f;
  return b;
}

const HEADER = ascii(
  '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n' +
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n' +
  '#endif\n\n',
);
const FOOTER = ascii(
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n',
);
const L_STRUCT = ascii('struct');
const L_UNION = ascii('union');
const L_STRUCT_SP = ascii('struct ');
const L_UNION_SP = ascii('union ');
const L_ENUM = ascii('enum');
const L_ENUM_SP = ascii('enum ');
const L_END_DEF = ascii(';\n\n');
const L_PACKED = ascii(' __attribute__((packed))');
const L_TYPEDEF = ascii('typedef ');
const L_VA_LIST = ascii('typedef __builtin_va_list __gnuc_va_list');
const L_VOID = ascii('void');
const L_VOLATILE_SP = ascii('volatile ');
const L_CONST_SP = ascii('const ');
const L_RESTRICT_SP = ascii('restrict ');
const L_SP_VOLATILE = ascii(' volatile');
const L_SP_CONST = ascii(' const');
const L_SP_RESTRICT = ascii(' restrict');
const L_TAG_OPEN = ascii(' __attribute__((btf_type_tag("');
const L_TAG_CLOSE = ascii('")))');
const L_VOID_PAREN = ascii('void)');
const L_ELLIPSIS = ascii('...');
const L_LL = ascii('LL,');
const L_ULL = ascii('ULL,');
const PAD_NAMES = [ascii('long'), ascii('int'), ascii('short'), ascii('char')] as const;
const N_BUILTIN_VA_LIST = ascii('__builtin_va_list');
const N_GNUC_VA_LIST = ascii('__gnuc_va_list');

/** GCC's internal Arm SIMD base types and the standard types bpftool aliases them to. */
const MISSING_BASE_TYPES: readonly (readonly [Uint8Array, Uint8Array])[] = [
  [ascii('__Poly8_t'), ascii('unsigned char')],
  [ascii('__Poly16_t'), ascii('unsigned short')],
  [ascii('__Poly64_t'), ascii('unsigned long long')],
  [ascii('__Poly128_t'), ascii('unsigned __int128')],
];



/**
 * Counts how many different types have used each name so far (libbpf's `type_names` and
 * `ident_names` maps). Keys are names in the string table, compared by bytes, hashed by the
 * caller (FNV-1a); an open addressing table of string offsets, so counting allocates nothing.
 */
class NameCounter {
  private keys: Int32Array;
  private counts: Int32Array;
  private hashes: Int32Array;
  private size = 0;

  constructor(private readonly s: Uint8Array, expected: number) {
    let cap = 64;
    while (cap < expected * 2) cap <<= 1;
    this.keys = new Int32Array(cap).fill(-1);
    this.counts = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
  }

  /** Count one more use of the name at string offset `off` with FNV-1a hash `h`; returns the new count. */
  bump(off: number, h: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === -1) {
        keys[i] = off;
        this.hashes[i] = h;
        this.counts[i] = 1;
        if (++this.size * 2 > keys.length) this.grow();
        return 1;
      }
      if (this.hashes[i] === h && (k === off || sameString(this.s, k, off))) return ++this.counts[i]!;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldHashes = this.hashes;
    const n = oldKeys.length * 2;
    const keys = (this.keys = new Int32Array(n).fill(-1));
    const counts = (this.counts = new Int32Array(n));
    const hashes = (this.hashes = new Int32Array(n));
    const mask = n - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === -1) continue;
      const h = oldHashes[j]!;
      let i = h & mask;
      while (keys[i] !== -1) i = (i + 1) & mask;
      keys[i] = k;
      hashes[i] = h;
      counts[i] = oldCounts[j]!;
    }
  }
}

function sameString(s: Uint8Array, a: number, b: number): boolean {
  for (;;) {
    const x = s[a++];
    if (x !== s[b++]) return false;
    if (x === 0 || x === undefined) return true;
  }
}

// Tiny leaf helpers for the byte loops: small functions are optimized by V8 after very little
// use, while the big callers are still running unoptimized; keep them this small.

/** Copy `src[a, b)` to `dst` at `p`; returns the position after it. */
function copy(dst: Uint8Array, p: number, src: Uint8Array, a: number, b: number): number {
  for (let i = a; i < b; i++) dst[p++] = src[i]!;
  return p;
}

/** Offset of the NUL ending the string at `off` (the string table ends with one). */
function strEnd(s: Uint8Array, off: number): number {
  const n = s.length;
  while (off < n && s[off] !== 0) off++;
  return off;
}

/** FNV-1a of `s[a, b)`. */
function hashRange(s: Uint8Array, a: number, b: number): number {
  let h = FNV_OFFSET;
  for (let i = a; i < b; i++) h = Math.imul(h ^ s[i]!, FNV_PRIME);
  // as an int32, like every other hash here: the hash of the empty name is the offset basis,
  // which the Int32Array of hashes cannot hold, and empty names would never match each other
  // (libbpf counts them like any name: a second empty enumerator prints as `___2`)
  return h | 0;
}

/** FNV-1a of the NUL-terminated string at `off`. */
function hashStr(s: Uint8Array, off: number): number {
  return hashRange(s, off, strEnd(s, off));
}

/** C's `roundup(x, y)` on ints. */
function roundUp(x: number, y: number): number {
  return Math.trunc((x + y - 1) / y) * y;
}

const tooDeep = (id: number): BtfkitError => dumpCFailure(5 /* TOO_DEEP */, id, 0);

/** One C dump in progress: libbpf's `struct btf_dump` for one `dump_btf_c` run. */
class CDumper {
  // ---- input ----
  /** Type records of the whole chain (base first), host-order words. */
  private readonly w: Uint32Array;
  /** Word index in {@link w} of each type's record, by id. */
  private readonly rec: Uint32Array;
  /** String sections of the whole chain, concatenated: global string offset = index. */
  private readonly s: Uint8Array;
  private readonly lastId: number;
  private readonly ptrSize: number;

  // ---- per-type state ----
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly flags: Uint8Array;
  /** Number given to a type's name (0 or 1: printed as is; n: `name___n`). */
  private readonly dupNumber: Uint32Array;
  /**
   * Memoized alignment + 1 and size + 2 (0: not computed yet; sizes of 2 GiB and more, which
   * only hostile BTF has, are not memoized). Arrays by type id are kept as narrow as their
   * values: each page of them that is touched is a page fault (some microseconds each on a VM).
   */
  private readonly alignCache: Uint8Array;
  private readonly sizeCache: Int32Array;
  /** Memoized {@link CDumper.skipToEmittable} + 1. */
  private readonly skipMemo: Int32Array;
  private typeNames!: NameCounter;
  private identNames!: NameCounter;
  /**
   * Declaration templates, by type id. For a named declarator: bytes `[a-1, b)` of
   * {@link tpl} go before the name and `[b, c)` after it; for an unnamed one, `[ua-1, uc)`.
   * 0: not rendered yet; -1: has an anonymous definition inside, never templated.
   */
  private readonly tplA: Int32Array;
  private readonly tplB: Int32Array;
  private readonly tplC: Int32Array;
  private readonly tplUA: Int32Array;
  private readonly tplUC: Int32Array;
  private tpl = new Uint8Array(1 << 16);
  private tplLen = 0;

  // ---- walk state ----
  /** Ids bpftool's loop has to order (all but FUNC, VAR, DATASEC, DECL_TAG), and the current one. */
  private todo = new Uint32Array(0);
  private todoLen = 0;
  private curId = 0;
  private queue = new Uint32Array(256);
  private queueLen = 0;
  private declStack = new Uint32Array(256);
  private declLen = 0;
  /** Per declaration frame: start in {@link declStack}, entries left, and where the name went. */
  private frameStart = new Int32Array(64);
  private frameCnt = new Int32Array(64);
  private frameName = new Int32Array(64);
  private frameNameEnd = new Int32Array(64);
  private frameTop = -1;
  private nesting = 0;
  /** Anonymous struct/union/enum definitions printed inline so far (invalidates templates). */
  private anonDefs = 0;
  /**
   * Lines (and member visits) left before the output is declared absurd: crafted BTF can blow
   * up exponentially (anonymous types used many times, nested) or ask for gigabits of padding.
   */
  private budget = 0;

  // ---- output ----
  private readonly buf = new Uint8Array(BUFFER_SIZE);
  private pos = 0;
  private flushes = 0;
  private readonly digits = new Uint8Array(24);

  constructor(btf: Btf, private readonly sink: ByteSink) {
    const chain: Btf[] = [];
    for (let b: Btf | undefined = btf; b !== undefined; b = b.base) chain.unshift(b);
    const lastId = (this.lastId = btf.lastId);
    this.ptrSize = btf.pointerSize();

    // Strings: one array, indexed by global string offset.
    if (chain.length === 1) {
      this.s = btf.bytes.subarray(btf.strStart, btf.strStart + btf.strLen);
    } else {
      let total = 0;
      for (const b of chain) total += b.strLen;
      const s = (this.s = new Uint8Array(total));
      for (const b of chain) s.set(b.bytes.subarray(b.strStart, b.strStart + b.strLen), b.startStrOff);
    }

    // Type records: one host-order word array (no copy for a single host-order blob).
    const rec = (this.rec = new Uint32Array(lastId + 1));
    const first = chain[0]!;
    const firstStart = first.header.hdrLen + first.header.typeOff;
    if (chain.length === 1 && first.littleEndian === HOST_LITTLE_ENDIAN && (first.bytes.byteOffset + firstStart) % 4 === 0) {
      this.w = new Uint32Array(first.bytes.buffer, first.bytes.byteOffset + firstStart, first.header.typeLen >>> 2);
      const offs = first.offsets;
      for (let i = 0, n = offs.length; i < n; i++) rec[i + 1] = (offs[i]! - firstStart) >>> 2;
    } else {
      let words = 0;
      for (const b of chain) words += b.header.typeLen >>> 2;
      const w = (this.w = new Uint32Array(words));
      let base = 0;
      for (const b of chain) {
        const start = b.header.hdrLen + b.header.typeOff;
        const n = b.header.typeLen >>> 2;
        const view = b.view;
        const le = b.littleEndian;
        for (let i = 0; i < n; i++) w[base + i] = view.getUint32(start + i * 4, le);
        const offs = b.offsets;
        for (let i = 0; i < offs.length; i++) rec[b.startId + i] = base + ((offs[i]! - start) >>> 2);
        base += n;
      }
    }

    const n = lastId + 1;
    this.orderState = new Uint8Array(n);
    this.emitState = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.dupNumber = new Uint32Array(n);
    this.alignCache = new Uint8Array(n);
    this.sizeCache = new Int32Array(n);
    this.skipMemo = new Int32Array(n);
    this.tplA = new Int32Array(n);
    this.tplB = new Int32Array(n);
    this.tplC = new Int32Array(n);
    this.tplUA = new Int32Array(n);
    this.tplUC = new Int32Array(n);
    // void is always ordered and emitted
    this.orderState[0] = 2 /* ORDERED */;
    this.emitState[0] = 2 /* EMITTED */;
  }

  /** bpftool's `dump_btf_c`: framing, then `btf_dump__dump_type` for every id in order. */
  run(): void {
    this.checkAndMarkReferenced();
    this.lit(HEADER);
    const orderState = this.orderState;
    const emitState = this.emitState;
    // FUNC, VAR, DATASEC and DECL_TAG ids declare nothing and are not in the list
    const todo = this.todo;
    for (let i = 0, n = this.todoLen; i < n; i++) {
      const id = todo[i]!;
      if (orderState[id] === 2 /* ORDERED */) continue; // nothing left to queue
      this.curId = id;
      this.queueLen = 0;
      this.orderType(id, false);
      const queue = this.queue;
      for (let j = 0; j < this.queueLen; j++) {
        const q = queue[j]!;
        if (emitState[q] !== 2 /* EMITTED */) this.emitType(q, 0);
      }
    }
    this.lit(FOOTER);
    this.flush();
  }

  // ---- validation and referenced marks (libbpf's btf_dump_mark_referenced) ----

  /**
   * One pass over every type: check what the dumper will follow (type ids, string offsets,
   * kinds), and mark every type referenced by another. An anonymous enum nobody references is
   * a top-level definition of constants; a referenced one is printed inline where it is used.
   * Also sizes the name tables and the output budget.
   */
  private checkAndMarkReferenced(): void {
    const w = this.w;
    const rec = this.rec;
    const flags = this.flags;
    const lastId = this.lastId;
    const strLen = this.s.length;
    let typeNames = 0;
    let identNames = 0;
    let members = 0;
    const badStr = (id: number, off: number): never => {
      throw dumpCFailure(1 /* BAD_STRING_OFFSET */, id, off);
    };
    const badRef = (id: number, t: number): never => {
      throw dumpCFailure(2 /* BAD_TYPE_ID */, id, t);
    };
    const todo = (this.todo = new Uint32Array(lastId));
    let todoLen = 0;
    for (let id = 1; id <= lastId; id++) {
      const r = rec[id]!;
      const info = w[r + 1]!;
      const kind = (info >>> 24) & 0x7f;
      const vlen = info & 0xffffff;
      // Only names the header prints are checked: bpftool prints a pointer, array, modifier or
      // prototype whatever its (ignored) name offset says.
      if (w[r]! >= strLen && ((PRINTED_NAME_KINDS >>> kind) & 1) !== 0 && kind < 32) badStr(id, w[r]!);
      if (kind !== 12 /* FUNC */ && kind !== 14 /* VAR */ && kind !== 15 /* DATASEC */ && kind !== 17 /* DECL_TAG */) todo[todoLen++] = id;
      switch (kind) {
        case 1 /* INT */: case 16 /* FLOAT */: case 7 /* FWD */:
          typeNames++;
          break;
        case 6 /* ENUM */: case 19 /* ENUM64 */: {
          const step = kind === 6 /* ENUM */ ? 2 : 3;
          for (let i = 0, p = r + 3; i < vlen; i++, p += step) if (w[p]! >= strLen) badStr(id, w[p]!);
          typeNames++;
          identNames += vlen;
          members += vlen;
          break;
        }
        // References the dumper follows must be valid. Those it never follows (an array's index
        // type, a function's prototype, a section's variables) are only marked when in range:
        // bpftool prints the header whatever they say.
        case 8 /* TYPEDEF */: case 9 /* VOLATILE */: case 10 /* CONST */: case 11 /* RESTRICT */: case 2 /* PTR */:
        case 14 /* VAR */: case 17 /* DECL_TAG */: case 18 /* TYPE_TAG */: {
          if (kind === 8 /* TYPEDEF */) identNames++;
          const t = w[r + 2]!;
          if (t > lastId) badRef(id, t);
          flags[t]! |= 4 /* F_REFERENCED */;
          break;
        }
        case 12 /* FUNC */: {
          const t = w[r + 2]!;
          if (t <= lastId) flags[t]! |= 4 /* F_REFERENCED */;
          break;
        }
        case 3 /* ARRAY */: {
          const t = w[r + 3]!;
          const x = w[r + 4]!;
          if (t > lastId) badRef(id, t);
          flags[t]! |= 4 /* F_REFERENCED */;
          if (x <= lastId) flags[x]! |= 4 /* F_REFERENCED */;
          break;
        }
        case 4 /* STRUCT */: case 5 /* UNION */:
          for (let i = 0, p = r + 3; i < vlen; i++, p += 3) {
            if (w[p]! >= strLen) badStr(id, w[p]!);
            const t = w[p + 1]!;
            if (t > lastId) badRef(id, t);
            flags[t]! |= 4 /* F_REFERENCED */;
          }
          typeNames++;
          members += vlen;
          break;
        case 13 /* FUNC_PROTO */: {
          const t = w[r + 2]!;
          if (t > lastId) badRef(id, t);
          flags[t]! |= 4 /* F_REFERENCED */;
          for (let i = 0, p = r + 3; i < vlen; i++, p += 2) {
            if (w[p]! >= strLen) badStr(id, w[p]!);
            const pt = w[p + 1]!;
            if (pt > lastId) badRef(id, pt);
            flags[pt]! |= 4 /* F_REFERENCED */;
          }
          break;
        }
        case 15 /* DATASEC */:
          for (let i = 0, p = r + 3; i < vlen; i++, p += 3) {
            const t = w[p]!;
            if (t <= lastId) flags[t]! |= 4 /* F_REFERENCED */;
          }
          break;
        default:
          throw dumpCFailure(3 /* BAD_KIND */, id, kind);
      }
    }
    this.todoLen = todoLen;
    this.typeNames = new NameCounter(this.s, typeNames);
    this.identNames = new NameCounter(this.s, identNames);
    // A kernel header has about 1.3 lines per member; anything beyond this is a blow-up.
    this.budget = 16 * (members + lastId) + (1 << 20);
  }

  // ---- output primitives ----

  private flush(): void {
    if (this.pos > 0) this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
    this.flushes++;
  }

  /** Make room for `n` more bytes (n at most the buffer size). The one flush check of the large functions. */
  private room(n: number): void {
    if (this.pos + n > BUFFER_SIZE) this.flush();
  }

  private byte(c: number): void {
    if (this.pos === BUFFER_SIZE) this.flush();
    this.buf[this.pos++] = c;
  }

  /** Bytes `[start, end)` of `src` (a literal, the string table or the template buffer). */
  private range(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > BUFFER_SIZE) {
      this.flush();
      if (n > BUFFER_SIZE) { this.sink(src.subarray(start, end)); return; }
    }
    // always the byte loop: a second path for long copies is taken too rarely to have type
    // feedback when `range` is optimized, and deoptimized it the first time
    this.pos = copy(this.buf, this.pos, src, start, end);
  }

  private lit(b: Uint8Array): void {
    this.range(b, 0, b.length);
  }

  /** A newline and `lvl` tabs (at most 13). */
  private newline(lvl: number): void {
    if (lvl > MAX_INDENT) lvl = MAX_INDENT;
    if (this.pos + lvl + 1 > BUFFER_SIZE) this.flush();
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x0a /* NL */;
    for (let i = 0; i < lvl; i++) buf[p++] = 0x09 /* TAB */;
    this.pos = p;
  }

  /** A non-negative integer below 2^53, in decimal. */
  private uint(v: number): void {
    if (v < 10) { this.byte(0x30 + v); return; }
    const d = this.digits;
    let i = d.length;
    while (v > 0) {
      const q = Math.floor(v / 10);
      d[--i] = 0x30 + (v - q * 10);
      v = q;
    }
    this.range(d, i, d.length);
  }

  /** An integer of magnitude below 2^53, in decimal. */
  private int(v: number): void {
    if (v < 0) { this.byte(0x2d); this.uint(-v); } else this.uint(v);
  }

  /** The NUL-terminated string at `off`. */
  private str(off: number): void {
    this.range(this.s, off, strEnd(this.s, off));
  }

  /** A name with its duplicate number (`name___n`), cut at 255 bytes as libbpf does. */
  private name(off: number, dup: number): void {
    const s = this.s;
    const end = strEnd(s, off);
    if (dup <= 1) { this.range(s, off, end); return; }
    this.room(end - off + 24);
    const start = this.pos;
    this.range(s, off, end);
    this.byte(0x5f); this.byte(0x5f); this.byte(0x5f);
    this.uint(dup);
    if (this.pos - start > MAX_DUP_NAME) this.pos = start + MAX_DUP_NAME;
  }

  private spend(lines: number): void {
    this.budget -= lines;
    if (this.budget < 0) {
      throw dumpCFailure(6 /* TOO_LARGE */, 0, 0);
    }
  }

  // ---- ordering (libbpf's btf_dump_order_type) ----

  private enqueue(id: number): void {
    if (this.queueLen === this.queue.length) {
      const q = new Uint32Array(this.queue.length * 2);
      q.set(this.queue);
      this.queue = q;
    }
    this.queue[this.queueLen++] = id;
  }

  /**
   * Queue the definitions type `id` needs, dependencies first. Returns 1 when the link to `id`
   * is strong (it has to be fully defined first), 0 when a forward declaration suffices.
   */
  private orderType(id: number, throughPtr: boolean): number {
    const orderState = this.orderState;
    const state = orderState[id]!;
    if (state === 2 /* ORDERED */) return 1;
    const w = this.w;
    const r = this.rec[id]!;
    const info = w[r + 1]!;
    const kind = (info >>> 24) & 0x7f;
    if (state === 1 /* ORDERING */) {
      // a loop, fine when closed through a pointer to a named struct/union
      // `(kind | 1) === 5`: STRUCT (4) or UNION (5) in one comparison. With `kind === 4 ||
      // kind === 5`, the second comparison has no type feedback until the first loop through a
      // union, which then deoptimizes this (large, recursive) function.
      if ((kind | 1) === 5 && throughPtr && w[r] !== 0) return 0;
      throw dumpCFailure(4 /* CYCLE */, id, 0);
    }
    if (++this.nesting > MAX_NESTING) throw tooDeep(id);
    let result = 0;
    switch (kind) {
      case 1 /* INT */:
      case 16 /* FLOAT */:
        orderState[id] = 2 /* ORDERED */;
        break;
      case 2 /* PTR */: {
        const t = w[r + 2]!;
        result = orderState[t] === 2 /* ORDERED */ ? 1 : this.orderType(t, true);
        orderState[id] = 2 /* ORDERED */;
        break;
      }
      case 3 /* ARRAY */: {
        const t = w[r + 3]!;
        result = orderState[t] === 2 /* ORDERED */ ? 1 : this.orderType(t, false);
        break;
      }
      case 4 /* STRUCT */:
      case 5 /* UNION */: {
        // strong only when embedded, or anonymous (defined inline even behind a pointer)
        if (throughPtr && w[r] !== 0) break;
        orderState[id] = 1 /* ORDERING */;
        const end = r + 3 + 3 * (info & 0xffffff);
        for (let p = r + 4; p < end; p += 3) {
          const t = w[p]!;
          if (orderState[t] !== 2 /* ORDERED */) this.orderType(t, false);
        }
        if (w[r] !== 0) this.enqueue(id);
        orderState[id] = 2 /* ORDERED */;
        result = 1;
        break;
      }
      case 6 /* ENUM */:
      case 19 /* ENUM64 */:
      case 7 /* FWD */:
        // named ones, and anonymous enums nobody uses, are top-level declarations
        if (w[r] !== 0 || (this.flags[id]! & 4 /* F_REFERENCED */) === 0) this.enqueue(id);
        orderState[id] = 2 /* ORDERED */;
        result = 1;
        break;
      case 8 /* TYPEDEF */: {
        const t = w[r + 2]!;
        const strong = orderState[t] === 2 /* ORDERED */ ? 1 : this.orderType(t, throughPtr);
        if (throughPtr && strong === 0) break;
        this.enqueue(id);
        orderState[id] = 2 /* ORDERED */;
        result = 1;
        break;
      }
      case 9 /* VOLATILE */:
      case 10 /* CONST */:
      case 11 /* RESTRICT */:
      case 18 /* TYPE_TAG */: {
        const t = w[r + 2]!;
        result = orderState[t] === 2 /* ORDERED */ ? 1 : this.orderType(t, throughPtr);
        break;
      }
      case 13 /* FUNC_PROTO */: {
        const t = w[r + 2]!;
        result = orderState[t] === 2 /* ORDERED */ ? 1 : this.orderType(t, throughPtr);
        const end = r + 3 + 2 * (info & 0xffffff);
        for (let p = r + 4; p < end; p += 2) {
          const pt = w[p]!;
          if ((orderState[pt] === 2 /* ORDERED */ ? 1 : this.orderType(pt, throughPtr)) > 0) result = 1;
        }
        break;
      }
      default:
        // FUNC, VAR, DATASEC, DECL_TAG: nothing to declare. bpftool's loop has marked those
        // before the current id as ordered already (then libbpf returns 1), not the others.
        orderState[id] = 2 /* ORDERED */;
        result = id < this.curId ? 1 : 0;
        break;
    }
    this.nesting--;
    return result;
  }

  // ---- emitting (libbpf's btf_dump_emit_type) ----

  /**
   * The type emitting `id` really starts at: pointers, modifiers and arrays just pass the
   * call on to what they refer to, so skip them without recursing.
   */
  private skipToEmittable(id: number): number {
    const w = this.w;
    const rec = this.rec;
    const start = id;
    for (let hops = 0; hops < 64 && id !== 0; hops++) {
      const r = rec[id]!;
      const kind = (w[r + 1]! >>> 24) & 0x7f;
      if (kind === 2 /* PTR */ || kind === 10 /* CONST */ || kind === 9 /* VOLATILE */ || kind === 11 /* RESTRICT */ || kind === 18 /* TYPE_TAG */) {
        id = w[r + 2]!;
      } else if (kind === 3 /* ARRAY */) {
        id = w[r + 3]!;
      } else {
        break;
      }
    }
    this.skipMemo[start] = id + 1;
    return id;
  }

  /**
   * Emit type `id` and what it needs. `contId` is the struct/union being defined (0 at top
   * level): a reference back to it needs no forward declaration.
   */
  private emitType(id: number, contId: number): void {
    const emitState = this.emitState;
    const state = emitState[id]!;
    if (state === 2 /* EMITTED */) return;
    const w = this.w;
    const r = this.rec[id]!;
    const info = w[r + 1]!;
    const kind = (info >>> 24) & 0x7f;

    if (state === 1 /* EMITTING */) {
      // a loop: whoever refers back gets a forward declaration
      if ((this.flags[id]! & 1 /* F_FWD_EMITTED */) !== 0) return;
      if ((kind | 1) === 5 /* STRUCT or UNION, see orderType */) {
        if (id === contId) return;
        if (w[r] === 0) return; // anonymous struct/union loop: libbpf warns and goes on
        this.emitStructFwd(id, kind);
        this.lit(L_END_DEF);
        this.flags[id]! |= 1 /* F_FWD_EMITTED */;
      } else if (kind === 8 /* TYPEDEF */) {
        // the typedef itself serves as the forward declaration
        if (!this.isBlacklisted(id)) {
          this.emitTypedefDef(id, 0);
          this.lit(L_END_DEF);
        }
        this.flags[id]! |= 1 /* F_FWD_EMITTED */;
      }
      return;
    }

    if (++this.nesting > MAX_NESTING) throw tooDeep(id);
    switch (kind) {
      case 1 /* INT */:
        this.emitMissingAliases(id);
        emitState[id] = 2 /* EMITTED */;
        break;
      case 6 /* ENUM */:
      case 19 /* ENUM64 */:
        if (contId === 0) {
          this.emitEnumDef(id, 0);
          this.lit(L_END_DEF);
        }
        emitState[id] = 2 /* EMITTED */;
        break;
      case 2 /* PTR */:
      case 9 /* VOLATILE */:
      case 10 /* CONST */:
      case 11 /* RESTRICT */:
      case 18 /* TYPE_TAG */:
        this.emitType(w[r + 2]!, contId);
        break;
      case 3 /* ARRAY */:
        this.emitType(w[r + 3]!, contId);
        break;
      case 7 /* FWD */:
        this.emitFwdDef(id);
        this.lit(L_END_DEF);
        emitState[id] = 2 /* EMITTED */;
        break;
      case 8 /* TYPEDEF */: {
        emitState[id] = 1 /* EMITTING */;
        // skip pointers, modifiers and arrays here too, as for members: their cases above are
        // then (almost) never reached, so emitType is not deoptimized when one first is
        const t = this.skipToEmittable(w[r + 2]!);
        if (emitState[t] !== 2 /* EMITTED */) this.emitType(t, id);
        if ((this.flags[id]! & 1 /* F_FWD_EMITTED */) === 0 && !this.isBlacklisted(id)) {
          this.emitTypedefDef(id, 0);
          this.lit(L_END_DEF);
        }
        emitState[id] = 2 /* EMITTED */;
        break;
      }
      case 4 /* STRUCT */:
      case 5 /* UNION */: {
        emitState[id] = 1 /* EMITTING */;
        const named = w[r] !== 0;
        if (contId === 0 || !named) {
          // all members are printed: give them what they need first
          const newCont = named ? id : contId;
          this.spend(info & 0xffffff);
          const end = r + 3 + 3 * (info & 0xffffff);
          const skipMemo = this.skipMemo;
          for (let p = r + 4; p < end; p += 3) {
            let t = w[p]!;
            const m = skipMemo[t]!;
            t = m !== 0 ? m - 1 : this.skipToEmittable(t);
            if (emitState[t] !== 2 /* EMITTED */) this.emitType(t, newCont);
          }
        } else if ((this.flags[id]! & 1 /* F_FWD_EMITTED */) === 0 && id !== contId) {
          this.emitStructFwd(id, kind);
          this.lit(L_END_DEF);
          this.flags[id]! |= 1 /* F_FWD_EMITTED */;
        }
        if (contId === 0) {
          this.emitStructDef(id, 0);
          this.lit(L_END_DEF);
          emitState[id] = 2 /* EMITTED */;
        } else {
          emitState[id] = 0 /* NOT_EMITTED */;
        }
        break;
      }
      case 13 /* FUNC_PROTO */: {
        let t = this.skipToEmittable(w[r + 2]!);
        if (emitState[t] !== 2 /* EMITTED */) this.emitType(t, contId);
        const end = r + 3 + 2 * (info & 0xffffff);
        for (let p = r + 4; p < end; p += 2) {
          t = this.skipToEmittable(w[p]!);
          if (emitState[t] !== 2 /* EMITTED */) this.emitType(t, contId);
        }
        break;
      }
      default:
        break;
    }
    this.nesting--;
  }

  /** `__builtin_va_list` is the compiler's own; its typedef is never printed. */
  private isBlacklisted(id: number): boolean {
    const off = this.w[this.rec[id]!]!;
    return off !== 0 && this.nameEquals(off, N_BUILTIN_VA_LIST);
  }

  /** Is the string at `off` exactly `lit`? */
  private nameEquals(off: number, lit: Uint8Array): boolean {
    const s = this.s;
    for (let i = 0; i < lit.length; i++) if (s[off + i] !== lit[i]) return false;
    return s[off + lit.length] === 0;
  }

  // ---- names (libbpf's btf_dump_resolve_name) ----

  /**
   * Number the name of `id` on first use in `names`: 1 when first of its name, n for the n-th
   * type with it. Forward declarations and empty enums keep their name as is.
   */
  private resolveName(id: number, names: NameCounter): number {
    if ((this.flags[id]! & 2 /* F_NAME_RESOLVED */) !== 0) return this.dupNumber[id]!;
    const r = this.rec[id]!;
    const info = this.w[r + 1]!;
    const kind = (info >>> 24) & 0x7f;
    let n = 0;
    if (!(kind === 7 /* FWD */ || (kind === 6 /* ENUM */ && (info & 0xffffff) === 0))) {
      const off = this.w[r]!;
      n = names.bump(off, hashStr(this.s, off));
    }
    this.dupNumber[id] = n;
    this.flags[id]! |= 2 /* F_NAME_RESOLVED */;
    return n;
  }

  /** The struct/union/enum/fwd name of `id`, numbered. */
  private typeName(id: number): void {
    const off = this.w[this.rec[id]!]!;
    if (off === 0) return;
    this.name(off, this.resolveName(id, this.typeNames));
  }

  // ---- definitions ----

  private emitStructFwd(id: number, kind: number): void {
    if (this.w[this.rec[id]!] !== 0) {
      this.lit(kind === 4 /* STRUCT */ ? L_STRUCT_SP : L_UNION_SP);
      this.typeName(id);
    } else {
      this.lit(kind === 4 /* STRUCT */ ? L_STRUCT : L_UNION);
    }
  }

  private emitFwdDef(id: number): void {
    this.lit(this.w[this.rec[id]! + 1]! >>> 31 !== 0 ? L_UNION_SP : L_STRUCT_SP);
    this.typeName(id);
  }

  private emitMissingAliases(id: number): void {
    const off = this.w[this.rec[id]!]!;
    if (off === 0) return;
    const dup = this.resolveName(id, this.typeNames);
    if (dup > 1) return; // a numbered name never equals one of the GCC names
    for (let i = 0; i < MISSING_BASE_TYPES.length; i++) {
      const [name, alias] = MISSING_BASE_TYPES[i]!;
      if (this.nameEquals(off, name)) {
        this.lit(L_TYPEDEF);
        this.lit(alias);
        this.byte(0x20 /* SP */);
        this.lit(name);
        this.lit(L_END_DEF);
        break;
      }
    }
  }

  private emitTypedefDef(id: number, lvl: number): void {
    const r = this.rec[id]!;
    const off = this.w[r]!;
    const dup = off === 0 ? 0 : this.resolveName(id, this.identNames);
    // old GCC: typedef of void for __gnuc_va_list
    if (this.w[r + 2] === 0 && dup <= 1 && off !== 0 && this.nameEquals(off, N_GNUC_VA_LIST)) {
      this.lit(L_VA_LIST);
      return;
    }
    this.lit(L_TYPEDEF);
    this.emitTypeDecl(this.w[r + 2]!, off, dup, lvl);
  }

  private emitEnumDef(id: number, lvl: number): void {
    const w = this.w;
    const r = this.rec[id]!;
    const info = w[r + 1]!;
    const vlen = info & 0xffffff;
    if (w[r] !== 0) {
      this.lit(L_ENUM_SP);
      this.typeName(id);
    } else {
      this.lit(L_ENUM);
    }
    if (vlen === 0) return;
    this.byte(0x20 /* SP */);
    this.byte(0x7b /* LBRACE */);
    this.spend(vlen);
    const signed = info >>> 31 !== 0;
    const s = this.s;
    const idents = this.identNames;
    const is64 = ((info >>> 24) & 0x7f) === 19 /* ENUM64 */;
    const buf = this.buf;
    const indent = Math.min(lvl + 1, MAX_INDENT);
    for (let i = 0, p = r + 3; i < vlen; i++, p += is64 ? 3 : 2) {
      // newline, indent, then the name, hashed while copied: enumerators share the namespace
      // of typedef names
      const off = w[p]!;
      const end = strEnd(s, off);
      const h = hashRange(s, off, end);
      if (end - off < DECL_ROOM) {
        this.room(indent + 1 + (end - off));
        let q = this.pos;
        buf[q++] = 0x0a /* NL */;
        for (let k = 0; k < indent; k++) buf[q++] = 0x09 /* TAB */;
        this.pos = copy(buf, q, s, off, end);
      } else {
        this.newline(lvl + 1);
        this.range(s, off, end);
      }
      // The uncommon cases (a numbered name, a value that is not a small integer, ENUM64) are
      // left to helpers called for every enumerator: meeting one for the first time after this
      // loop was optimized then deoptimizes only the small helper (cheap to optimize again)
      // instead of this function, which is large, compiled three times before.
      this.dupSuffix(idents.bump(off, h));
      this.enumValue(p, is64, signed);
    }
    this.newline(lvl);
    this.byte(0x7d /* RBRACE */);
  }

  /** The `___n` of an enumerator that is the n-th identifier of its name (libbpf's "%s___%zd": no length limit). */
  private dupSuffix(dup: number): void {
    if (dup <= 1) return;
    this.byte(0x5f); this.byte(0x5f); this.byte(0x5f);
    this.uint(dup);
  }

  /** ` = value,` of the enumerator whose record is at word `p` (`LL,`/`ULL,` for ENUM64). */
  private enumValue(p: number, is64: boolean, signed: boolean): void {
    const w = this.w;
    this.room(48);
    const buf = this.buf;
    let q = this.pos;
    buf[q++] = 0x20 /* SP */;
    buf[q++] = 0x3d;
    buf[q++] = 0x20 /* SP */;
    if (!is64) {
      const v = signed ? w[p + 1]! | 0 : w[p + 1]!;
      if (v >= 0 && v < 10) {
        buf[q++] = 0x30 + v;
        buf[q++] = 0x2c /* COMMA */;
        this.pos = q;
      } else {
        this.pos = q;
        this.int(v);
        this.byte(0x2c /* COMMA */);
      }
      return;
    }
    this.pos = q;
    const lo = w[p + 1]!;
    const hi = w[p + 2]!;
    if (hi === 0) this.uint(lo);
    else if (signed && hi === 0xffffffff && lo >= 0x80000000) this.int(lo - 0x100000000);
    else {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      const t = (signed ? BigInt.asIntN(64, v) : v).toString();
      for (let k = 0; k < t.length; k++) this.byte(t.charCodeAt(k));
    }
    this.lit(signed ? L_LL : L_ULL);
  }

  /** libbpf's btf_is_struct_packed: a member off its alignment, or an odd total size. */
  private isStructPacked(r: number, vlen: number, kflag: boolean): boolean {
    const w = this.w;
    const cache = this.alignCache;
    let maxAlign = 1;
    for (let i = 0, p = r + 3; i < vlen; i++, p += 3) {
      const t = w[p + 1]!;
      const c = cache[t]!;
      const align = c !== 0 ? c - 1 : this.alignOf(t);
      const raw = w[p + 2]!;
      if (align !== 0 && (kflag ? raw >>> 24 : 0) === 0 && raw % (8 * align) !== 0) return true;
      if (align > maxAlign) maxAlign = align;
    }
    return w[r + 2]! % maxAlign !== 0;
  }

  private emitStructDef(id: number, lvl: number): void {
    if (++this.nesting > MAX_NESTING) throw tooDeep(id);
    const w = this.w;
    const r = this.rec[id]!;
    const info = w[r + 1]!;
    const kind = (info >>> 24) & 0x7f;
    const isStruct = kind === 4 /* STRUCT */;
    const vlen = info & 0xffffff;
    const kflag = info >>> 31 !== 0;
    const size = w[r + 2]!;
    const packed = isStruct ? this.isStructPacked(r, vlen, kflag) : false;
    this.spend(vlen + 2);

    this.emitStructFwd(id, kind);
    this.byte(0x20 /* SP */);
    this.byte(0x7b /* LBRACE */);
    const alignCache = this.alignCache;
    const sizeCache = this.sizeCache;
    const tplA = this.tplA;
    const tplB = this.tplB;
    const tplC = this.tplC;
    const strs = this.s;
    const buf = this.buf;
    const indent = Math.min(lvl + 1, MAX_INDENT);
    let off = 0;
    let prevBitfield = false;
    for (let i = 0, p = r + 3; i < vlen; i++, p += 3) {
      const mType = w[p + 1]!;
      const raw = w[p + 2]!;
      const mBits = kflag ? raw >>> 24 : 0;
      const mOff = (kflag ? raw & 0xffffff : raw) | 0;
      if (off < mOff) {
        let mAlign = 1;
        if (!packed) {
          const c = alignCache[mType]!;
          mAlign = c !== 0 ? c - 1 : this.alignOf(mType);
        }
        this.emitBitPadding(off, mOff, mAlign, prevBitfield && mBits !== 0, lvl + 1);
      }
      const nameOff = w[p]!;
      const a = tplA[mType]!;
      const nameEnd = a > 0 ? strEnd(strs, nameOff) : nameOff;
      if (nameEnd !== nameOff && nameEnd - nameOff < DECL_ROOM) {
        // the common case, inline: newline, indent, template, name, rest of the template
        const b = tplB[mType]!;
        const c = tplC[mType]!;
        const tpl = this.tpl;
        this.room(indent + (c - a) + (nameEnd - nameOff) + 32);
        let q = this.pos;
        buf[q++] = 0x0a /* NL */;
        for (let k = 0; k < indent; k++) buf[q++] = 0x09 /* TAB */;
        q = copy(buf, q, tpl, a - 1, b);
        q = copy(buf, q, strs, nameOff, nameEnd);
        this.pos = copy(buf, q, tpl, b, c);
      } else {
        this.newline(lvl + 1);
        this.emitTypeDecl(mType, nameOff, 0, lvl + 1);
        this.room(32);
      }
      // room for 32 bytes was made above
      if (mBits !== 0) {
        buf[this.pos++] = 0x3a;
        buf[this.pos++] = 0x20 /* SP */;
        if (mBits < 10) buf[this.pos++] = 0x30 + mBits;
        else this.uint(mBits);
        off = (mOff + mBits) | 0;
        prevBitfield = true;
      } else {
        const sc = sizeCache[mType]!;
        const mSize = Math.max(0, sc !== 0 ? sc - 2 : this.resolveSize(mType)) | 0;
        off = (mOff + Math.imul(mSize, 8)) | 0;
        prevBitfield = false;
      }
      buf[this.pos++] = 0x3b /* SEMI */;
    }
    if (isStruct) {
      const end = Math.imul(size, 8) | 0;
      if (off < end) {
        const c = alignCache[id]!;
        this.emitBitPadding(off, end, c !== 0 ? c - 1 : this.alignOf(id), false, lvl + 1);
      }
    }
    // `struct empty {}` stays on one line
    if (vlen !== 0 || size !== 0) this.newline(lvl);
    this.byte(0x7d /* RBRACE */);
    if (packed) this.lit(L_PACKED);
    this.nesting--;
  }

  /**
   * Fill the gap from bit `cur` to bit `next` with anonymous bitfields (libbpf 1.1's
   * btf_dump_emit_bit_padding): align to the largest of long/int/short/char that fits, using a
   * `type: 0` marker where the compiler would not get there by itself, then fill.
   */
  private emitBitPadding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (cur >= next) return;
    const longBits = this.ptrSize * 8;
    let pad = 3;
    let padBits = 8;
    let newOff = 0;
    for (let i = 0; i < 4; i++) {
      pad = i;
      padBits = i === 0 ? longBits : 32 >> (i - 1);
      newOff = roundUp(cur, padBits);
      if (newOff <= next) break;
    }
    if (newOff > cur && newOff <= next) {
      let marker = inBitfield;
      if (!marker && newOff === next) {
        if (nextAlign === 0) throw dumpCFailure(7 /* NO_ALIGN */, 0, 0);
        marker = roundUp(cur, nextAlign * 8) !== newOff;
      }
      if (!marker && newOff !== next) marker = next - newOff <= newOff - cur;
      if (marker) this.emitPad(pad, inBitfield ? newOff - cur : 0, lvl);
      cur = newOff;
    }
    while (cur !== next) {
      const bits = Math.min(next - cur, padBits);
      if (bits === padBits) {
        this.emitPad(pad, padBits, lvl);
        cur += bits;
        continue;
      }
      // the remainder gets the smallest type that holds it
      for (let i = 3; i >= 0; i--) {
        pad = i;
        padBits = i === 0 ? longBits : 32 >> (i - 1);
        if (padBits < bits) continue;
        this.emitPad(pad, bits, lvl);
        cur += bits;
        break;
      }
    }
  }

  private emitPad(pad: number, bits: number, lvl: number): void {
    this.spend(1);
    this.newline(lvl);
    this.lit(PAD_NAMES[pad]!);
    this.byte(0x3a);
    this.byte(0x20 /* SP */);
    this.int(bits);
    this.byte(0x3b /* SEMI */);
  }

  // ---- sizes and alignment (libbpf's btf__resolve_size and btf__align_of) ----

  /** Size in bytes, or -1 when libbpf's btf__resolve_size fails. Memoized. */
  private resolveSize(id: number): number {
    const w = this.w;
    const start = id;
    let nelems = 1;
    let size = -1;
    for (let i = 0; i < MAX_RESOLVE_DEPTH && id !== 0; i++) {
      const r = this.rec[id]!;
      const kind = (w[r + 1]! >>> 24) & 0x7f;
      if (kind === 1 /* INT */ || kind === 4 /* STRUCT */ || kind === 5 /* UNION */ || kind === 6 /* ENUM */ ||
          kind === 19 /* ENUM64 */ || kind === 15 /* DATASEC */ || kind === 16 /* FLOAT */) {
        size = w[r + 2]!;
        break;
      }
      if (kind === 2 /* PTR */) { size = this.ptrSize; break; }
      if (kind === 8 /* TYPEDEF */ || kind === 9 /* VOLATILE */ || kind === 10 /* CONST */ || kind === 11 /* RESTRICT */ ||
          kind === 14 /* VAR */ || kind === 17 /* DECL_TAG */ || kind === 18 /* TYPE_TAG */) {
        id = w[r + 2]!;
      } else if (kind === 3 /* ARRAY */) {
        const n = w[r + 5]!;
        if (nelems !== 0 && n > Math.floor(0xffffffff / nelems)) { size = -1; nelems = 1; break; }
        nelems *= n;
        id = w[r + 3]!;
      } else {
        break;
      }
    }
    let result = -1;
    if (size >= 0 && !(nelems !== 0 && size > Math.floor(0xffffffff / nelems))) result = nelems * size;
    if (result <= 0x7ffffffd) this.sizeCache[start] = result + 2;
    return result;
  }

  /** Alignment in bytes, 0 where libbpf's btf__align_of fails (void, fwd, prototypes...). Memoized. */
  private alignOf(id: number): number {
    if (id === 0) return 0;
    const cached = this.alignCache[id]!;
    if (cached !== 0) return cached - 1;
    if (++this.nesting > MAX_NESTING) throw tooDeep(id);
    const w = this.w;
    const r = this.rec[id]!;
    const info = w[r + 1]!;
    let align: number;
    switch ((info >>> 24) & 0x7f) {
      case 1 /* INT */: case 6 /* ENUM */: case 19 /* ENUM64 */: case 16 /* FLOAT */:
        align = Math.min(this.ptrSize, w[r + 2]!);
        break;
      case 2 /* PTR */:
        align = this.ptrSize;
        break;
      case 8 /* TYPEDEF */: case 9 /* VOLATILE */: case 10 /* CONST */: case 11 /* RESTRICT */: case 18 /* TYPE_TAG */:
        align = this.alignOf(w[r + 2]!);
        break;
      case 3 /* ARRAY */:
        align = this.alignOf(w[r + 3]!);
        break;
      case 4 /* STRUCT */: case 5 /* UNION */: {
        const vlen = info & 0xffffff;
        const kflag = info >>> 31 !== 0;
        let maxAlign = 1;
        align = -1;
        for (let i = 0, p = r + 3; i < vlen; i++, p += 3) {
          const a = this.alignOf(w[p + 1]!);
          if (a <= 0) { align = a; break; }
          if (a > maxAlign) maxAlign = a;
          const raw = w[p + 2]!;
          if ((kflag ? raw >>> 24 : 0) === 0 && raw % (8 * a) !== 0) { align = 1; break; }
        }
        if (align < 0) align = w[r + 2]! % maxAlign !== 0 ? 1 : maxAlign;
        break;
      }
      default:
        align = 0;
        break;
    }
    this.nesting--;
    this.alignCache[id] = align + 1;
    return align;
  }

  // ---- declarations (libbpf's btf_dump_emit_type_decl and btf_dump_emit_type_chain) ----

  /**
   * Declare `fnameOff` (string offset, with duplicate number `fdup`) of type `id`. The text is
   * copied from the type's template when there is one; otherwise the declaration chain is
   * rendered (and becomes the template when it had no anonymous definition inside).
   */
  private emitTypeDecl(id: number, fnameOff: number, fdup: number, lvl: number): void {
    const named = this.s[fnameOff] !== 0;
    const a = named ? this.tplA[id]! : this.tplUA[id]!;
    if (a > 0) {
      const tpl = this.tpl;
      if (named) {
        const b = this.tplB[id]!;
        this.range(tpl, a - 1, b);
        this.name(fnameOff, fdup);
        this.range(tpl, b, this.tplC[id]!);
      } else {
        this.range(tpl, a - 1, this.tplUC[id]!);
      }
    } else if (a < 0) {
      this.renderTypeDecl(id, fnameOff, fdup, lvl);
    } else {
      this.firstTypeDecl(id, fnameOff, fdup, lvl, named);
    }
  }

  /** First rendering of a declaration of type `id`: keep it in the buffer and cut a template. */
  private firstTypeDecl(id: number, fnameOff: number, fdup: number, lvl: number, named: boolean): void {
    this.room(DECL_ROOM);
    const start = this.pos;
    const flushes = this.flushes;
    const anonDefs = this.anonDefs;
    let nameStart: number;
    let nameEnd: number;
    const simple = named ? this.simpleDecl(id) : -1;
    if (simple >= 0) {
      // `T name` or `T *name` with T a named type (or void): no declaration stack needed
      this.emitNamedType(simple);
      if (simple !== id) {
        this.byte(0x20 /* SP */);
        this.byte(0x2a /* STAR */);
      } else {
        this.byte(0x20 /* SP */);
      }
      nameStart = this.pos;
      this.name(fnameOff, fdup);
      nameEnd = this.pos;
    } else {
      const f = this.renderTypeDecl(id, fnameOff, fdup, lvl);
      if (this.anonDefs !== anonDefs) {
        if (named) this.tplA[id] = -1;
        else this.tplUA[id] = -1;
        return;
      }
      nameStart = this.frameName[f]!;
      nameEnd = this.frameNameEnd[f]!;
      if (named && nameStart < 0) return; // malformed chain: the name was never printed
    }
    if (this.flushes !== flushes) return;
    const end = this.pos;
    const len = named ? end - start - (nameEnd - nameStart) : end - start;
    if (this.tplLen + len > this.tpl.length) {
      const t = new Uint8Array(Math.max(this.tpl.length * 2, this.tplLen + len));
      t.set(this.tpl.subarray(0, this.tplLen));
      this.tpl = t;
    }
    const tpl = this.tpl;
    const buf = this.buf;
    let q = this.tplLen;
    if (named) {
      this.tplA[id] = q + 1;
      q = copy(tpl, q, buf, start, nameStart);
      this.tplB[id] = q;
      q = copy(tpl, q, buf, nameEnd, end);
      this.tplC[id] = q;
    } else {
      this.tplUA[id] = q + 1;
      q = copy(tpl, q, buf, start, end);
      this.tplUC[id] = q;
    }
    this.tplLen = q;
  }

  /**
   * For the two most common declarations, `T name` and `T *name` with `T` a named (non
   * anonymous) type, the type to print as `T` (`id` itself for the first, the pointee for
   * the second, 0 for `void *`); -1 for anything else.
   */
  private simpleDecl(id: number): number {
    if (id === 0) return -1;
    const w = this.w;
    let r = this.rec[id]!;
    let kind = (w[r + 1]! >>> 24) & 0x7f;
    let t = id;
    if (kind === 2 /* PTR */) {
      t = w[r + 2]!;
      if (t === 0) return 0;
      r = this.rec[t]!;
      kind = (w[r + 1]! >>> 24) & 0x7f;
    }
    switch (kind) {
      case 1 /* INT */: case 16 /* FLOAT */: case 8 /* TYPEDEF */: case 7 /* FWD */:
        return t;
      case 4 /* STRUCT */: case 5 /* UNION */: case 6 /* ENUM */: case 19 /* ENUM64 */:
        return w[r] !== 0 ? t : -1;
      default:
        return -1;
    }
  }

  /** A named type as a declaration chain prints it (`int`, `struct x`, `enum e`, `t_t`, `void`). */
  private emitNamedType(id: number): void {
    if (id === 0) { this.lit(L_VOID); return; }
    const r = this.rec[id]!;
    const kind = (this.w[r + 1]! >>> 24) & 0x7f;
    switch (kind) {
      case 1 /* INT */: case 16 /* FLOAT */:
        this.str(this.w[r]!);
        break;
      case 4 /* STRUCT */: case 5 /* UNION */:
        this.emitStructFwd(id, kind);
        break;
      case 6 /* ENUM */: case 19 /* ENUM64 */:
        this.lit(L_ENUM_SP);
        this.typeName(id);
        break;
      case 7 /* FWD */:
        this.emitFwdDef(id);
        break;
      default: { // TYPEDEF
        const off = this.w[r]!;
        if (off !== 0) this.name(off, this.resolveName(id, this.identNames));
      }
    }
  }

  /**
   * Push the chain of modifiers, pointers, arrays and prototypes down to a named type, then
   * print it. Returns the frame used (its name position is read by the caller).
   */
  private renderTypeDecl(id: number, fnameOff: number, fdup: number, lvl: number): number {
    if (++this.nesting > MAX_NESTING) throw tooDeep(id);
    const w = this.w;
    const start = this.declLen;
    for (let hops = 0; ; hops++) {
      if (hops > MAX_NESTING) throw tooDeep(id);
      if (this.declLen === this.declStack.length) {
        const s = new Uint32Array(this.declStack.length * 2);
        s.set(this.declStack);
        this.declStack = s;
      }
      this.declStack[this.declLen++] = id;
      if (id === 0) break;
      const r = this.rec[id]!;
      const kind = (w[r + 1]! >>> 24) & 0x7f;
      if (kind === 2 /* PTR */ || kind === 9 /* VOLATILE */ || kind === 10 /* CONST */ || kind === 11 /* RESTRICT */ ||
          kind === 13 /* FUNC_PROTO */ || kind === 18 /* TYPE_TAG */) {
        id = w[r + 2]!;
      } else if (kind === 3 /* ARRAY */) {
        id = w[r + 3]!;
      } else {
        // INT, ENUM, ENUM64, FWD, STRUCT, UNION, TYPEDEF, FLOAT end the chain (others: libbpf
        // warns and stops there too)
        break;
      }
    }
    const f = ++this.frameTop;
    if (f === this.frameStart.length) this.growFrames();
    this.frameStart[f] = start;
    this.frameCnt[f] = this.declLen - start;
    this.frameName[f] = -1;
    this.emitTypeChain(f, fnameOff, fdup, lvl);
    this.frameTop--;
    this.declLen = start;
    this.nesting--;
    return f;
  }

  private growFrames(): void {
    const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.frameStart = grow(this.frameStart);
    this.frameCnt = grow(this.frameCnt);
    this.frameName = grow(this.frameName);
    this.frameNameEnd = grow(this.frameNameEnd);
  }

  /** Top of frame `f` (the next entry to print), or -1 when it is empty. */
  private peek(f: number): number {
    const cnt = this.frameCnt[f]!;
    return cnt === 0 ? -1 : this.declStack[this.frameStart[f]! + cnt - 1]!;
  }

  /** Print const/volatile/restrict on top of the frame, before the type they qualify. */
  private emitMods(f: number): void {
    for (;;) {
      const id = this.peek(f);
      if (id <= 0) return;
      const kind = (this.w[this.rec[id]! + 1]! >>> 24) & 0x7f;
      if (kind === 9 /* VOLATILE */) this.lit(L_VOLATILE_SP);
      else if (kind === 10 /* CONST */) this.lit(L_CONST_SP);
      else if (kind === 11 /* RESTRICT */) this.lit(L_RESTRICT_SP);
      else return;
      this.frameCnt[f]!--;
    }
  }

  /** Drop modifiers on top of the frame (qualified arrays and prototypes: GCC quirks). */
  private dropMods(f: number): void {
    for (;;) {
      const id = this.peek(f);
      if (id <= 0) return;
      const kind = (this.w[this.rec[id]! + 1]! >>> 24) & 0x7f;
      if (kind !== 9 /* VOLATILE */ && kind !== 10 /* CONST */ && kind !== 11 /* RESTRICT */ && kind !== 18 /* TYPE_TAG */) return;
      this.frameCnt[f]!--;
    }
  }

  /** The declared name, separated by a space unless it follows a `*`; remembers where it went. */
  private emitDeclName(f: number, fnameOff: number, fdup: number, lastWasPtr: boolean): void {
    if (this.s[fnameOff] === 0) return;
    if (!lastWasPtr) this.byte(0x20 /* SP */);
    this.frameName[f] = this.pos;
    this.name(fnameOff, fdup);
    this.frameNameEnd[f] = this.pos;
  }

  /**
   * Print the declaration chain of frame `f` from the innermost type out: `int`, then
   * pointers and qualifiers, wrapping in parentheses where arrays and prototypes need it.
   */
  private emitTypeChain(f: number, fnameOff: number, fdup: number, lvl: number): void {
    const w = this.w;
    // no space before a pointer star directly after another (`int **`), nor at the start
    let lastWasPtr = true;
    while (this.frameCnt[f]! > 0) {
      const id = this.declStack[this.frameStart[f]! + --this.frameCnt[f]!]!;
      if (id === 0) {
        this.emitMods(f);
        this.lit(L_VOID);
        lastWasPtr = false;
        continue;
      }
      const r = this.rec[id]!;
      const info = w[r + 1]!;
      const kind = (info >>> 24) & 0x7f;
      switch (kind) {
        case 1 /* INT */:
        case 16 /* FLOAT */:
          this.emitMods(f);
          this.str(w[r]!);
          break;
        case 4 /* STRUCT */:
        case 5 /* UNION */:
          this.emitMods(f);
          if (w[r] === 0) { // anonymous: defined inline
            this.anonDefs++;
            this.emitStructDef(id, lvl);
          } else {
            this.emitStructFwd(id, kind);
          }
          break;
        case 6 /* ENUM */:
        case 19 /* ENUM64 */:
          this.emitMods(f);
          if (w[r] === 0) {
            this.anonDefs++;
            this.emitEnumDef(id, lvl);
          } else {
            this.lit(L_ENUM_SP);
            this.typeName(id);
          }
          break;
        case 7 /* FWD */:
          this.emitMods(f);
          this.emitFwdDef(id);
          break;
        case 8 /* TYPEDEF */: {
          this.emitMods(f);
          const off = w[r]!;
          if (off !== 0) this.name(off, this.resolveName(id, this.identNames));
          break;
        }
        case 2 /* PTR */:
          if (!lastWasPtr) this.byte(0x20 /* SP */);
          this.byte(0x2a /* STAR */);
          break;
        case 9 /* VOLATILE */:
          this.lit(L_SP_VOLATILE);
          break;
        case 10 /* CONST */:
          this.lit(L_SP_CONST);
          break;
        case 11 /* RESTRICT */:
          this.lit(L_SP_RESTRICT);
          break;
        case 18 /* TYPE_TAG */:
          this.emitMods(f);
          this.lit(L_TAG_OPEN);
          this.str(w[r]!);
          this.lit(L_TAG_CLOSE);
          break;
        case 3 /* ARRAY */: {
          const nelems = w[r + 5]!;
          this.dropMods(f);
          if (this.frameCnt[f] === 0) {
            this.emitDeclName(f, fnameOff, fdup, lastWasPtr);
            this.emitDim(nelems);
            return;
          }
          const next = this.peek(f);
          const multidim = next > 0 && ((w[this.rec[next]! + 1]! >>> 24) & 0x7f) === 3 /* ARRAY */;
          if (this.s[fnameOff] !== 0 && !lastWasPtr) this.byte(0x20 /* SP */);
          if (!multidim) this.byte(0x28 /* LPAREN */);
          this.emitTypeChain(f, fnameOff, fdup, lvl);
          if (!multidim) this.byte(0x29 /* RPAREN */);
          this.emitDim(nelems);
          return;
        }
        case 13 /* FUNC_PROTO */: {
          this.dropMods(f);
          if (this.frameCnt[f]! > 0) {
            this.byte(0x20 /* SP */);
            this.byte(0x28 /* LPAREN */);
            this.emitTypeChain(f, fnameOff, fdup, lvl);
            this.byte(0x29 /* RPAREN */);
          } else {
            this.emitDeclName(f, fnameOff, fdup, lastWasPtr);
          }
          this.emitParams(r, info & 0xffffff, lvl);
          return;
        }
        default:
          // FUNC, VAR, DATASEC, DECL_TAG in a declaration: libbpf warns and stops
          return;
      }
      lastWasPtr = kind === 2 /* PTR */;
    }
    this.emitDeclName(f, fnameOff, fdup, lastWasPtr);
  }

  /**
   * `(params)` of the prototype whose record is at word `r`. A method of its own so that its
   * uncommon cases (varargs, `(void)`), met for the first time after it was optimized,
   * deoptimize only this small function rather than {@link emitTypeChain}.
   */
  private emitParams(r: number, vlen: number, lvl: number): void {
    const w = this.w;
    this.byte(0x28 /* LPAREN */);
    // no parameters, or clang's single void parameter: (void)
    if (vlen === 0 || (vlen === 1 && w[r + 4] === 0)) {
      this.lit(L_VOID_PAREN);
      return;
    }
    for (let i = 0, p = r + 3; i < vlen; i++, p += 2) {
      if (i > 0) { this.byte(0x2c /* COMMA */); this.byte(0x20 /* SP */); }
      // a last parameter of type void means varargs
      if (i === vlen - 1 && w[p + 1] === 0) {
        this.lit(L_ELLIPSIS);
        break;
      }
      this.emitTypeDecl(w[p + 1]!, w[p]!, 0, lvl);
    }
    this.byte(0x29 /* RPAREN */);
  }

  private emitDim(nelems: number): void {
    this.byte(0x5b /* LBRACKET */);
    this.uint(nelems);
    this.byte(0x5d /* RBRACKET */);
  }
}
