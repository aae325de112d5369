/**
 * Hostile-input testing of the BTF parsers: one fuzz target ({@link exerciseBtf}), seed blobs
 * (small BTFs cut from real kernels, builder-made BTF of every kind, clang-compiled BPF
 * programs) and mutations described as small plain objects, so fast-check can generate and
 * shrink them cheaply and a failure prints a readable recipe.
 *
 * The contract (ARCHITECTURE.md rule 8): every input gives a valid model or a BtfkitError;
 * any other exception, and any input that takes unreasonably long, is a bug.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf, BtfBuilder, encodeBtf, isBtfkitError, knownKindLayout, readElf, typeId, type BtfKind, type BtfType, type BtfTypeInput, type TypeId } from 'btfkit';
// The mutators need the wire layout, which is deliberately not public API (ARCHITECTURE.md rule 5).
import { BTF_HEADER_LEN, KIND_LAYOUT, makeInfo } from '../../src/btf/wire.js';

// ---------------------------------------------------------------------------------------------
// The fuzz target

/** Options for {@link exerciseBtf}. */
export interface ExerciseOptions {
  /** Base BTF when the input is split BTF. */
  readonly base?: Btf;
  /** Ids queried (resolveSize, alignment, ...) at most; all own ids when there are fewer. */
  readonly maxQueryIds?: number;
  /** Re-parse what `encodeBtf` wrote and compare it to the decoded types (default true). */
  readonly verifyEncoding?: boolean;
  /** String modes `encodeBtf` is run with (default both). */
  readonly encodeModes?: readonly ('preserve' | 'rebuild')[];
  /** Names of the input's types looked up at most (default 24), besides the probe names. */
  readonly maxNames?: number;
  /** Probe names (`int`, `a___b`, ...) looked up, and kinds the lookups are restricted to (defaults: all). */
  readonly maxProbes?: number;
  readonly maxLookupKinds?: number;
  /** Query odd ids too (-1, 1.5, NaN, 2^32, the base's last id...; default true). */
  readonly oddIds?: boolean;
}

/** What happened to one input (for statistics; failures throw). */
export interface ExerciseReport {
  /** `Btf.parse` accepted the input. */
  parsed: boolean;
  /** Own types of the parsed input. */
  types: number;
  /** Types whose decoding threw a BtfkitError. */
  decodeErrors: number;
  /** Queries (lookups, sizes, alignment, ...) that threw a BtfkitError. */
  queryErrors: number;
  /** encodeBtf calls that succeeded (0..2). */
  encoded: number;
  /** Re-encodings that were re-parsed and compared equal to the decoded types. */
  verified: number;
}



const FAILED = Symbol('btfkit error');

/** A non-btfkit exception escaped from the code under test. */
export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

/** Run `fn`: its value, or FAILED for a BtfkitError; anything else is a FuzzFailure. */
function attempt<T>(stage: string, fn: () => T): T | typeof FAILED {
  try {
    return fn();
  } catch (e) {
    if (isBtfkitError(e)) return FAILED;
    const err = e instanceof Error ? e : new Error(String(e));
    throw new FuzzFailure(`${stage}: ${err.name} escaped: ${err.message}`, { cause: e });
  }
}

const PROBE_NAMES = ['int', 'a___b', 'long', 'task_struct', 'é', '___', 'x___y___z', '\uFFFD', 'char', 'list_head', 'x'.repeat(300)];
/** Kinds the name lookups are restricted to, in turn (each builds its own name index). */
const LOOKUP_KINDS: readonly BtfKind[] = ['struct', 'int', 'typedef', 'func', 'enum', 'union', 'var', 'enum64', 'fwd', 'datasec', 'ptr', 'type_tag', 'decl_tag', 'float'];

/**
 * The fuzz target: parse `bytes`, decode every type, look names up, run the size, alignment
 * and modifier queries on a sample of ids, and re-encode (checking that the re-encoding
 * decodes to the same types). Throws FuzzFailure for anything that is neither a result nor a
 * BtfkitError. New parsers and dumpers of BTF belong here too.
 */
export function exerciseBtf(bytes: Uint8Array, options: ExerciseOptions = {}): ExerciseReport {
  const report: ExerciseReport = { parsed: false, types: 0, decodeErrors: 0, queryErrors: 0, encoded: 0, verified: 0 };
  const base = options.base;
  const btf = attempt('parse', () => Btf.parse(bytes, base === undefined ? {} : { base }));
  if (btf === FAILED) return report;
  report.parsed = true;
  report.types = btf.ownTypeCount;
  if (btf.lastId !== btf.startId + btf.ownTypeCount - 1) throw new FuzzFailure('lastId disagrees with ownTypeCount');

  // Decode: through the iterator (stops at the first bad type), then type by type.
  const q = <T>(stage: string, fn: () => T): T | typeof FAILED => {
    const r = attempt(stage, fn);
    if (r === FAILED) report.queryErrors++;
    return r;
  };
  let iterated = 0;
  attempt('types()', () => { for (const t of btf.types()) { checkModel(btf, t, t.id); iterated++; } });
  const decoded: BtfType[] = [];
  for (let id = btf.startId; id <= btf.lastId; id++) {
    const t = attempt(`type(${id})`, () => btf.type(id));
    if (t === FAILED) { report.decodeErrors++; continue; }
    checkModel(btf, t, id);
    decoded.push(t);
  }
  if ((report.decodeErrors === 0) !== (iterated === btf.ownTypeCount)) throw new FuzzFailure('types() and type(id) disagree');

  // Names: probes plus names that occur in the input.
  const names = new Set(PROBE_NAMES.slice(0, options.maxProbes ?? PROBE_NAMES.length));
  const kinds = LOOKUP_KINDS.slice(0, options.maxLookupKinds ?? LOOKUP_KINDS.length);
  for (const t of decoded.slice(0, options.maxNames ?? 24)) {
    names.add(t.name);
    if (t.kind === 'struct' || t.kind === 'union') for (const m of t.members.slice(0, 3)) names.add(m.name);
  }
  let k = 0;
  for (const name of names) {
    const kind = kinds[k++ % kinds.length]!;
    const all = q('findByName', () => btf.findByName(name));
    if (all !== FAILED) for (const id of all) if (!btf.hasType(id)) throw new FuzzFailure(`findByName(${name}) returned bad id ${id}`);
    q('findByName/kind', () => btf.findByName(name, kind));
    q('findByNameKind', () => btf.findByNameKind(name, kind));
    q('findByEssentialName', () => btf.findByEssentialName(name));
  }

  // Queries on a sample of ids, including out-of-range ones.
  const ids = sampleIds(btf, options.maxQueryIds ?? 512, options.oddIds ?? true);
  q('pointerSize', () => btf.pointerSize());
  for (const id of ids) {
    q('hasType', () => btf.hasType(id));
    q('kindOf', () => btf.kindOf(id));
    q('nameOf', () => btf.nameOf(id));
    q('resolveSize', () => btf.resolveSize(id));
    q('skipModsAndTypedefs', () => btf.skipModsAndTypedefs(id));
    q('skipMods', () => btf.skipMods(id));
    q('alignment', () => btf.alignment(id));
  }
  for (const off of [0, 1, btf.startStrOff, btf.startStrOff + btf.strLen - 1, btf.startStrOff + btf.strLen, 0x7fffffff, -1]) {
    q('str', () => btf.str(off));
    q('isValidStrOffset', () => btf.isValidStrOffset(off));
  }

  // Re-encode, both string modes; when everything decoded, the output must decode the same.
  for (const strings of options.encodeModes ?? ['preserve', 'rebuild'] as const) {
    const out = attempt(`encodeBtf(${strings})`, () => encodeBtf(btf, { strings }));
    if (out === FAILED) continue;
    report.encoded++;
    if (report.decodeErrors !== 0 || options.verifyEncoding === false) continue;
    const again = attempt(`reparse(${strings})`, () => Btf.parse(out, base === undefined ? {} : { base }));
    if (again === FAILED) throw new FuzzFailure(`encodeBtf(${strings}) wrote BTF that does not parse`);
    if (again.ownTypeCount !== btf.ownTypeCount) throw new FuzzFailure(`encodeBtf(${strings}) changed the type count`);
    for (let id = btf.startId; id <= btf.lastId; id++) {
      const t2 = attempt(`reparse type(${id})`, () => again.type(id));
      if (t2 === FAILED) throw new FuzzFailure(`encodeBtf(${strings}): type [${id}] no longer decodes`);
      const t1 = btf.type(id);
      if (!sameType(t1, t2)) throw new FuzzFailure(`encodeBtf(${strings}): type [${id}] changed: ${modelDiff(t1, t2) ?? '?'}`);
    }
    if (strings === 'preserve' && !sameBytes(out, bytes) && isCanonical(btf)) {
      throw new FuzzFailure('encodeBtf(preserve) did not reproduce canonical input');
    }
    report.verified++;
  }
  return report;
}

/** Own ids (all, or an even sample) plus void and out-of-range ids. */
function sampleIds(btf: Btf, max: number, oddIds: boolean): number[] {
  const out = oddIds ? [0, -1, btf.startId - 1, btf.lastId + 1, 0x7fffffff, 0x100000000, 1.5, Number.NaN] : [0, btf.lastId + 1];
  const n = btf.ownTypeCount;
  if (n <= max) for (let id = btf.startId; id <= btf.lastId; id++) out.push(id);
  else for (let i = 0; i < max; i++) out.push(btf.startId + Math.floor((i * n) / max));
  return out;
}

/** Structural checks of a decoded type: the model must be valid, not merely returned. */
function checkModel(btf: Btf, t: BtfType, id: number): void {
  const bad = (why: string): never => { throw new FuzzFailure(`type [${id}] ${t.kind}: ${why}`); };
  if (t.id !== id) bad(`has id ${t.id}`);
  if (typeof t.name !== 'string') bad('name is not a string');
  const ref = (x: number, what: string): void => {
    if (!Number.isInteger(x) || x < 0 || x > btf.lastId) bad(`${what} ${x} is not a type id`);
  };
  switch (t.kind) {
    case 'void': bad('void decoded for an own id'); break;
    case 'int': if (t.bits > 255 || t.bitOffset > 255 || t.encodingBits > 15) bad('int fields out of range'); break;
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'func': case 'var': case 'decl_tag':
      ref(t.type, 'type'); break;
    case 'array': ref(t.type, 'type'); ref(t.indexType, 'index type'); break;
    case 'struct': case 'union': for (const m of t.members) { ref(m.type, 'member type'); if (typeof m.name !== 'string') bad('member name'); } break;
    case 'func_proto': ref(t.returnType, 'return type'); for (const p of t.params) ref(p.type, 'param type'); break;
    case 'datasec': for (const v of t.vars) ref(v.type, 'var type'); break;
    case 'enum': for (const v of t.values) if (!Number.isInteger(v.value)) bad('enum value'); break;
    case 'enum64': for (const v of t.values) if (typeof v.value !== 'bigint') bad('enum64 value'); break;
    case 'fwd': case 'float': break;
    case 'unknown': if (!(t.data instanceof Uint8Array)) bad('unknown data'); break;
    default: bad('unexpected kind');
  }
}



/** True when the blob is laid out as the encoder writes it (see src/btf/encode.ts). */
function isCanonical(btf: Btf): boolean {
  const h = btf.header;
  if (h.typeOff !== 0) return false;
  const layoutEnd = h.layoutLen === 0 ? h.typeLen : h.layoutOff + h.layoutLen;
  if (h.layoutLen !== 0 ? h.layoutOff !== h.typeLen : h.layoutOff !== 0) return false;
  if (h.strOff !== layoutEnd || h.hdrLen + h.strOff + h.strLen !== btf.bytes.length) return false;
  for (let id = btf.startId; id <= btf.lastId; id++) {
    const o = btf.offsets[id - btf.startId]!;
    const info = btf.u32(o + 4);
    const kind = (info >>> 24) & 0x7f;
    const kflag = info >>> 31 === 1;
    const vlen = info & 0xffffff;
    const hasKflag = kind === 4 || kind === 5 || kind === 6 || kind === 7 || kind === 17 || kind === 18 || kind === 19 || kind > 19;
    const hasVlen = kind === 4 || kind === 5 || kind === 6 || kind === 12 || kind === 13 || kind === 15 || kind === 19 || kind > 19;
    if ((kflag && !hasKflag) || (vlen !== 0 && !hasVlen)) return false;
    if ((kind === 3 || kind === 7) && btf.u32(o + 8) !== 0) return false;
    if (kind === 1 && (btf.u32(o + 12) & 0xf000ff00) !== 0) return false; // unused INT bits
  }
  // Name offsets must point at the first occurrence of their string (base first for split).
  return namesCanonical(btf);
}

/** First offsets of the strings of one container's own section (cached for bases). */
const firstOffsets = new WeakMap<Btf, Map<string, number>>();
function firstOffsetsOf(btf: Btf, cache: boolean): Map<string, number> {
  const cached = firstOffsets.get(btf);
  if (cached !== undefined) return cached;
  const first = new Map<string, number>();
  const end = btf.strStart + btf.strLen;
  for (let p = btf.strStart; p < end;) {
    let e = p;
    while (e < end && btf.bytes[e] !== 0) e++;
    const s = btf.str(btf.startStrOff + p - btf.strStart);
    if (!first.has(s)) first.set(s, btf.startStrOff + p - btf.strStart);
    p = e + 1;
  }
  if (cache) firstOffsets.set(btf, first);
  return first;
}

/** Every name offset is the first offset (base chain first) whose string decodes equal. */
function namesCanonical(btf: Btf): boolean {
  const chain: Map<string, number>[] = [];
  for (let b = btf.base; b !== undefined; b = b.base) chain.unshift(firstOffsetsOf(b, true));
  chain.push(firstOffsetsOf(btf, false));
  const firstOffset = (s: string): number | undefined => {
    if (s === '') return 0;
    for (const m of chain) {
      const off = m.get(s);
      if (off !== undefined) return off;
    }
    return undefined;
  };
  const ok = (off: number): boolean => firstOffset(btf.str(off)) === off;
  for (let id = btf.startId; id <= btf.lastId; id++) {
    const o = btf.offsets[id - btf.startId]!;
    if (!ok(btf.u32(o))) return false;
    const info = btf.u32(o + 4);
    const kind = (info >>> 24) & 0x7f;
    const vlen = info & 0xffffff;
    const stride = kind === 4 || kind === 5 || kind === 19 ? 12 : kind === 6 || kind === 13 ? 8 : 0;
    for (let i = 0; stride !== 0 && i < vlen; i++) if (!ok(btf.u32(o + 12 + stride * i))) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Fast equality of two decoded types (modelDiff explains a difference). */
export function sameType(a: BtfType, b: BtfType): boolean {
  if (a.kind !== b.kind || a.id !== b.id || a.name !== b.name) return false;
  switch (a.kind) {
    case 'void': return true;
    case 'int': { const o = b as typeof a; return a.size === o.size && a.encodingBits === o.encodingBits && a.signed === o.signed && a.bitOffset === o.bitOffset && a.bits === o.bits; }
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': return a.type === (b as typeof a).type;
    case 'type_tag': { const o = b as typeof a; return a.type === o.type && a.attribute === o.attribute; }
    case 'array': { const o = b as typeof a; return a.type === o.type && a.indexType === o.indexType && a.nelems === o.nelems; }
    case 'struct': case 'union': {
      const o = b as typeof a;
      if (a.size !== o.size || a.kindFlag !== o.kindFlag || a.members.length !== o.members.length) return false;
      for (let i = 0; i < a.members.length; i++) {
        const x = a.members[i]!;
        const y = o.members[i]!;
        if (x.name !== y.name || x.type !== y.type || x.bitOffset !== y.bitOffset || x.bitfieldSize !== y.bitfieldSize) return false;
      }
      return true;
    }
    case 'enum': case 'enum64': {
      const o = b as typeof a;
      if (a.size !== o.size || a.signed !== o.signed || a.values.length !== o.values.length) return false;
      for (let i = 0; i < a.values.length; i++) if (a.values[i]!.name !== o.values[i]!.name || a.values[i]!.value !== o.values[i]!.value) return false;
      return true;
    }
    case 'fwd': return a.fwdKind === (b as typeof a).fwdKind;
    case 'func': { const o = b as typeof a; return a.type === o.type && a.linkage === o.linkage; }
    case 'var': { const o = b as typeof a; return a.type === o.type && a.linkage === o.linkage; }
    case 'func_proto': {
      const o = b as typeof a;
      if (a.returnType !== o.returnType || a.params.length !== o.params.length) return false;
      for (let i = 0; i < a.params.length; i++) if (a.params[i]!.name !== o.params[i]!.name || a.params[i]!.type !== o.params[i]!.type) return false;
      return true;
    }
    case 'datasec': {
      const o = b as typeof a;
      if (a.size !== o.size || a.vars.length !== o.vars.length) return false;
      for (let i = 0; i < a.vars.length; i++) {
        const x = a.vars[i]!;
        const y = o.vars[i]!;
        if (x.type !== y.type || x.offset !== y.offset || x.size !== y.size) return false;
      }
      return true;
    }
    case 'float': return a.size === (b as typeof a).size;
    case 'decl_tag': { const o = b as typeof a; return a.type === o.type && a.componentIdx === o.componentIdx && a.attribute === o.attribute; }
    case 'unknown': {
      const o = b as typeof a;
      return a.kindNumber === o.kindNumber && a.vlen === o.vlen && a.kindFlag === o.kindFlag && a.sizeOrType === o.sizeOrType && sameBytes(a.data, o.data);
    }
    default: return modelDiff(a, b) === undefined;
  }
}

/** First difference between two decoded types, or undefined when they are equal. */
export function modelDiff(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return undefined;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return sameBytes(a, b) ? undefined : `${path}: bytes differ`;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${String(a)} != ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return `${path}: keys ${ka.join(',')} != ${kb.join(',')}`;
  for (const key of ka) {
    const d = modelDiff((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Seeds

/** Type ids a type refers to. */
export function typeRefs(t: BtfType | BtfTypeInput): number[] {
  switch (t.kind) {
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'func': case 'var': case 'decl_tag':
      return [t.type];
    case 'array': return [t.type, t.indexType];
    case 'struct': case 'union': return t.members.map((m) => m.type);
    case 'func_proto': return [t.returnType, ...t.params.map((p) => p.type)];
    case 'datasec': return t.vars.map((v) => v.type);
    default: return [];
  }
}

/** The type with every reference mapped through `f` (and without its id). */
export function mapRefs(t: BtfType | BtfTypeInput, f: (id: number) => number): BtfTypeInput {
  const m = (x: number): TypeId => typeId(f(x));
  const { id: _id, ...rest } = t as BtfType;
  const u = rest as BtfTypeInput;
  switch (u.kind) {
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'func': case 'var': case 'decl_tag':
      return { ...u, type: m(u.type) };
    case 'array': return { ...u, type: m(u.type), indexType: m(u.indexType) };
    case 'struct': case 'union': return { ...u, members: u.members.map((x) => ({ ...x, type: m(x.type) })) };
    case 'func_proto': return { ...u, returnType: m(u.returnType), params: u.params.map((p) => ({ ...p, type: m(p.type) })) };
    case 'datasec': return { ...u, vars: u.vars.map((v) => ({ ...v, type: m(v.type) })) };
    default: return u;
  }
}

/** Ids reachable from `roots` (roots included), or undefined when more than `max`. */
export function closure(btf: Btf, roots: readonly number[], max: number): Set<number> | undefined {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === 0 || seen.has(id)) continue;
    seen.add(id);
    if (seen.size > max) return undefined;
    for (const r of typeRefs(btf.type(id))) stack.push(r);
  }
  return seen;
}

/**
 * A self-contained BTF of the types reachable from `roots` (ids renumbered in their original
 * order), in the source's byte order. `extra` types are appended after the closure, with
 * references given in the source's ids.
 */
export function cutBtf(btf: Btf, ids: ReadonlySet<number>, extra: readonly BtfTypeInput[] = []): Uint8Array {
  const order = [...ids].sort((a, b) => a - b);
  const map = new Map<number, number>();
  order.forEach((id, i) => map.set(id, i + 1));
  const f = (id: number): number => (id === 0 ? 0 : map.get(id) ?? 0);
  const b = new BtfBuilder({ littleEndian: btf.littleEndian });
  for (const id of order) b.add(mapRefs(btf.type(id), f));
  for (const t of extra) b.add(mapRefs(t, f));
  return b.encode();
}

/**
 * Small self-contained BTFs cut from a kernel: each holds a few roots of several kinds
 * (structs, unions, enums, enum64s, typedefs, funcs, floats, vars, a cut-down datasec) with
 * everything they refer to, about `target` types in all.
 */
export function smallSeedsFrom(btf: Btf, count: number, target = 60): Uint8Array[] {
  const byKind = new Map<string, number[]>();
  for (let id = btf.startId; id <= btf.lastId; id++) {
    const k = btf.kindOf(id);
    let list = byKind.get(k);
    if (list === undefined) byKind.set(k, (list = []));
    list.push(id);
  }
  const wanted = ['func', 'struct', 'union', 'enum', 'enum64', 'typedef', 'float', 'var', 'struct', 'func'];
  const seeds: Uint8Array[] = [];
  for (let s = 0; s < count; s++) {
    const ids = new Set<number>();
    let step = 0;
    for (let round = 0; ids.size < target && round < 400; round++) {
      const kind = wanted[round % wanted.length]!;
      const list = byKind.get(kind) ?? [];
      if (list.length === 0) continue;
      const pick = list[(s * 7919 + (step++) * 104729) % list.length]!;
      const c = closure(btf, [pick], 30);
      if (c === undefined || ids.size + c.size > target * 1.3) continue;
      for (const id of c) ids.add(id);
    }
    // A datasec of the vars in the seed.
    const vars = [...ids].filter((id) => btf.kindOf(id) === 'var').slice(0, 8);
    const extra: BtfTypeInput[] = vars.length === 0 ? [] : [{
      kind: 'datasec', name: '.data..fuzz', size: typed(8 * vars.length),
      vars: vars.map((v, i) => ({ type: typeId(v), offset: typed(8 * i), size: typed(8) })),
    }];
    seeds.push(cutBtf(btf, ids, extra));
  }
  return seeds;
}

function typed<T extends number>(n: number): T {
  return n as T;
}

/**
 * BTF with every kind, including an unknown kind described by a layout section
 * (`layout: true`), in either byte order, optionally split on `base`.
 */
export function allKindsBtf(options: { littleEndian?: boolean; layout?: boolean; base?: Btf } = {}): Uint8Array {
  const layout = options.layout === true ? [...knownKindLayout(), { info: 0, elem: 0 }, { info: 4, elem: 8, flags: 1 }] : undefined;
  const b = new BtfBuilder({
    littleEndian: options.littleEndian ?? true,
    ...(options.base === undefined ? {} : { base: options.base }),
    ...(layout === undefined ? {} : { layout }),
  });
  const int = b.addInt('int', 4, { signed: true });
  const uchar = b.addInt('unsigned char', 1, { char: true });
  const bool = b.addInt('_Bool', 1, { bool: true, bits: 1 });
  const long = b.addInt('long', 8, { signed: true });
  const ptr = b.addPtr(0);
  const arr = b.addArray(uchar, int, 16);
  const fwd = b.addFwd('later', 'union');
  const s = b.addStruct('pair', 24, [
    { name: 'a', type: int, bitOffset: 0 },
    { name: 'flag', type: bool, bitOffset: 32, bitfieldSize: 1 },
    { name: '', type: uchar, bitOffset: 33, bitfieldSize: 7 },
    { name: 'p', type: ptr, bitOffset: 64 },
    { name: 'name', type: arr, bitOffset: 128 },
  ]);
  b.addUnion('u', 8, [{ name: 'l', type: long, bitOffset: 0 }, { name: 'i', type: int, bitOffset: 0 }]);
  b.addEnum('e', 4, [{ name: 'E_NEG', value: -1 }, { name: 'E_MAX', value: 0x7fffffff }]);
  b.addEnum('ue', 4, [{ name: 'U_MAX', value: 0xffffffff }]);
  b.addEnum64('e64', 8, [{ name: 'BIG', value: 0xffffffffffffffffn }, { name: 'ONE', value: 1n }]);
  b.addEnum64('se64', 8, [{ name: 'MIN', value: -(2n ** 63n) }]);
  const td = b.addTypedef('pair_t', s);
  const v = b.addVolatile(td);
  const c = b.addConst(v);
  const r = b.addRestrict(b.addPtr(c));
  const tt = b.addTypeTag('user', int);
  b.addTypeTag('raw', tt, { attribute: true });
  const proto = b.addFuncProto(int, [{ name: 'x', type: r }, { name: '', type: 0 }]);
  const fn = b.addFunc('f', proto, 'global');
  b.addFunc('g', proto, 'static');
  b.addFunc('h', proto, 'extern');
  const gv = b.addVar('gv', s, 'global');
  const sv = b.addVar('sv', int, 'static');
  b.addDatasec('.data', 28, [{ type: gv, offset: 0, size: 24 }, { type: sv, offset: 24, size: 4 }]);
  b.addFloat('double', 8);
  b.addDeclTag('tag', fn, -1);
  b.addDeclTag('ptag', fn, 0, { attribute: true });
  b.addDeclTag('mtag', s, 1);
  b.addTypedef('later_t', fwd);
  if (layout !== undefined) {
    b.add({ kind: 'unknown', name: 'future', kindNumber: 21, vlen: 2, kindFlag: true, sizeOrType: int, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]) });
    b.add({ kind: 'unknown', name: '', kindNumber: 20, vlen: 0, kindFlag: false, sizeOrType: 0, data: new Uint8Array(0) });
  }
  return b.encode();
}

const BPF_PROGRAM = `
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))
typedef unsigned long long u64;
struct S { int a __tag("m"); unsigned b:3, c:5; int __ttag("user") *p; const volatile char name[8]; union { u64 x; float f; }; } __tag("s");
enum E { A = -1, B = 2 };
enum E64 { C = 0x100000000ULL, D = 1 };
int g __tag("v") = 1;
static volatile enum E e;
enum E64 e64 __attribute__((section(".maps")));
extern int ext __attribute__((weak));
__attribute__((noinline)) static int f(struct S *restrict s, int x __tag("p")) __tag("f") { return s->a + x + e + ext; }
__attribute__((section("tc"))) int prog(struct S *s) { return f(s, g) + (int)e64 + s->b; }
`;

/**
 * The .BTF of a tiny BPF C program compiled with clang (`-target bpfel` / `bpfeb`), or
 * undefined when there is no clang (`$CLANG`, default clang-19).
 */
export function compiledBpfBtf(target: 'bpfel' | 'bpfeb', clang = process.env['CLANG'] ?? 'clang-19'): Uint8Array | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'btfkit-fuzz-'));
  try {
    writeFileSync(join(dir, 'p.c'), BPF_PROGRAM);
    execFileSync(clang, ['-g', '-O2', '-target', target, '-c', 'p.c', '-o', 'p.o'], { cwd: dir, stdio: 'pipe' });
    const elf = readElf(new Uint8Array(readFileSync(join(dir, 'p.o'))));
    const sec = elf.section('.BTF');
    if (sec === undefined) throw new Error(`${clang} wrote no .BTF section`);
    return elf.data(sec).slice();
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return undefined; // no clang here
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** A seed blob with what the mutators need to know about it. */
export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly base?: Btf;
  readonly littleEndian: boolean;
  /** Byte offsets of the u32 fields of the header and of the type records. */
  readonly words: readonly number[];
  /** Byte offsets of the type records' info words. */
  readonly infoWords: readonly number[];
  /** Values worth writing into a u32 field of this blob. */
  readonly boundaries: readonly number[];
  /** Bytes before the string section (header, types, layout): where `meta` mutations land. */
  readonly metaLen: number;
}

/** Describe a (valid) seed blob for the mutators. */
export function makeSeed(name: string, bytes: Uint8Array, base?: Btf): Seed {
  const btf = Btf.parse(bytes, base === undefined ? {} : { base });
  const h = btf.header;
  const words: number[] = [];
  for (let o = 4; o + 4 <= h.hdrLen; o += 4) words.push(o);
  const typeStart = h.hdrLen + h.typeOff;
  for (let o = typeStart; o + 4 <= typeStart + h.typeLen; o += 4) words.push(o);
  const infoWords = Array.from(btf.offsets, (o) => o + 4);
  const lastId = btf.lastId;
  const boundaries = [0, 1, 2, 4, 8, 12, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000,
    0xfffffffe, 0xffffffff, lastId, lastId + 1, lastId - 1, btf.startId - 1, btf.startId, h.strLen, h.strLen - 1, h.strLen + 1,
    btf.startStrOff + h.strLen, btf.startStrOff + h.strLen - 1, h.typeLen, h.typeLen + 4, h.strOff, bytes.length, bytes.length - h.hdrLen,
    makeInfo(4, 0xffff, true), makeInfo(19, 1, true), makeInfo(20, 1, false)].map((x) => x >>> 0);
  return { name, bytes, ...(base === undefined ? {} : { base }), littleEndian: btf.littleEndian, words, infoWords, boundaries, metaLen: btf.strStart };
}

/** One mutation, as plain data (printed by fast-check when a property fails). */
export type Mutation =
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'flip'; readonly flips: readonly (readonly [number, number])[]; readonly meta?: boolean }
  | { readonly op: 'bytes'; readonly writes: readonly (readonly [number, number])[]; readonly meta?: boolean }
  | { readonly op: 'word'; readonly writes: readonly (readonly [number, number, number])[] }
  | { readonly op: 'info'; readonly record: number; readonly kind: number; readonly vlen: number; readonly kflag: boolean }
  | { readonly op: 'splice'; readonly donor: number; readonly length: number }
  | { readonly op: 'insert'; readonly at: number; readonly data: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly count: number }
  | { readonly op: 'swap-order' }
  | { readonly op: 'header'; readonly field: number; readonly value: number };

/**
 * Apply mutations to a copy of `seed.bytes`. Positions are taken modulo the current length
 * (or, for `meta` flips and writes, modulo the part before the strings), indexes modulo their
 * lists, so any generated numbers make a valid recipe.
 */
export function applyMutations(seed: Seed, seeds: readonly Seed[], mutations: readonly Mutation[]): Uint8Array {
  let b = seed.bytes.slice();
  for (const m of mutations) {
    const len = b.length;
    switch (m.op) {
      case 'truncate': b = b.slice(0, len === 0 ? 0 : m.at % len); break;
      case 'flip': {
        const n = m.meta === true ? Math.min(len, seed.metaLen) : len;
        for (const [p, bit] of m.flips) if (n > 0) b[p % n]! ^= 1 << (bit & 7);
        break;
      }
      case 'bytes': {
        const n = m.meta === true ? Math.min(len, seed.metaLen) : len;
        for (const [p, v] of m.writes) if (n > 0) b[p % n] = v & 0xff;
        break;
      }
      case 'word':
        for (const [w, which, random] of m.writes) {
          const o = seed.words[w % seed.words.length]!;
          const value = which < seed.boundaries.length ? seed.boundaries[which]! : random >>> 0;
          if (o + 4 <= len) new DataView(b.buffer).setUint32(o, value, seed.littleEndian);
        }
        break;
      case 'info': {
        if (seed.infoWords.length === 0) break;
        const o = seed.infoWords[m.record % seed.infoWords.length]!;
        if (o + 4 <= len) new DataView(b.buffer).setUint32(o, makeInfo(m.kind, m.vlen, m.kflag), seed.littleEndian);
        break;
      }
      case 'splice': {
        const donor = seeds[m.donor % seeds.length]!.bytes;
        const n = Math.min(m.length, donor.length, len);
        b.set(donor.subarray(0, n), 0);
        break;
      }
      case 'insert': {
        const at = len === 0 ? 0 : m.at % (len + 1);
        const next = new Uint8Array(len + m.data.length);
        next.set(b.subarray(0, at), 0);
        next.set(m.data, at);
        next.set(b.subarray(at), at + m.data.length);
        b = next;
        break;
      }
      case 'delete': {
        if (len === 0) break;
        const at = m.at % len;
        const next = new Uint8Array(len - Math.min(m.count, len - at));
        next.set(b.subarray(0, at), 0);
        next.set(b.subarray(at + Math.min(m.count, len - at)), at);
        b = next;
        break;
      }
      case 'swap-order':
        if (len >= 2) { const t = b[0]!; b[0] = b[1]!; b[1] = t; }
        break;
      case 'header': {
        const o = 4 + 4 * (m.field % 7);
        if (o + 4 <= len) new DataView(b.buffer).setUint32(o, m.value >>> 0, seed.littleEndian);
        break;
      }
    }
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Random BTF

/** A random type record: kind, flags, vlen and raw words, written with the right length. */
export interface RandomRecord {
  readonly kind: number;
  readonly kflag: boolean;
  readonly vlen: number;
  readonly nameOff: number;
  readonly sizeOrType: number;
  /** Words of the fixed part and the vlen elements, cycled as needed. */
  readonly words: readonly number[];
}

/** A random BTF blob: plausible header and sections, random record contents. */
export interface RandomBtf {
  readonly littleEndian: boolean;
  readonly records: readonly RandomRecord[];
  readonly strings: readonly string[];
  /** Layout entries (info, elem) for a 32-byte header, or none. */
  readonly layout: readonly (readonly [number, number])[] | undefined;
  /** Extra bytes for unknown kinds (how many words an unknown-kind record gets). */
  readonly unknownWords: number;
}

/** Write a {@link RandomBtf}. Record sizes follow the kind table, so most inputs parse. */
export function writeRandomBtf(r: RandomBtf): Uint8Array {
  const le = r.littleEndian;
  const enc = new TextEncoder();
  const strParts = [new Uint8Array(1), ...r.strings.map((s) => enc.encode(`${s}\0`))];
  const strLen = strParts.reduce((n, p) => n + p.length, 0);
  const layoutLen = r.layout === undefined ? 0 : 4 * r.layout.length;
  const hdrLen = r.layout === undefined ? BTF_HEADER_LEN : 32;
  const recWords = r.records.map((rec) => {
    // What Btf.parse expects: the kind table for kinds 1..19, the layout section for others.
    const known = rec.kind >= 1 && rec.kind <= 19 ? KIND_LAYOUT[rec.kind] : undefined;
    const entry = r.layout?.[rec.kind];
    let n = r.unknownWords;
    if (known !== undefined) n = known.info / 4 + rec.vlen * (known.elem / 4);
    else if (entry !== undefined) n = Math.floor(entry[0] / 4) + rec.vlen * Math.floor(entry[1] / 4);
    return Math.min(n, 4096);
  });
  const typeLen = recWords.reduce((n, w) => n + 12 + 4 * w, 0);
  const out = new Uint8Array(hdrLen + typeLen + layoutLen + strLen);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, le);
  out[2] = 1;
  v.setUint32(4, hdrLen, le);
  v.setUint32(8, 0, le);
  v.setUint32(12, typeLen, le);
  v.setUint32(16, typeLen + layoutLen, le);
  v.setUint32(20, strLen, le);
  if (r.layout !== undefined) {
    v.setUint32(24, typeLen, le);
    v.setUint32(28, layoutLen, le);
  }
  let p = hdrLen;
  r.records.forEach((rec, i) => {
    v.setUint32(p, rec.nameOff >>> 0, le);
    v.setUint32(p + 4, makeInfo(rec.kind, rec.vlen, rec.kflag), le);
    v.setUint32(p + 8, rec.sizeOrType >>> 0, le);
    p += 12;
    for (let w = 0; w < recWords[i]!; w++) {
      v.setUint32(p, (rec.words.length === 0 ? 0 : rec.words[w % rec.words.length]!) >>> 0, le);
      p += 4;
    }
  });
  for (const [info, elem] of r.layout ?? []) {
    out[p] = info;
    out[p + 1] = elem;
    p += 4;
  }
  for (const part of strParts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
