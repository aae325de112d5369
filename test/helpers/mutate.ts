import { Btf, kindNumber } from 'btfkit/btf';
/**
 * Raw BTF helpers for validator tests: a tiny blob builder (independent of src/btf/encode.ts),
 * a subset extractor (a self-contained piece of a real kernel's BTF) and a seeded mutator that
 * produces malformed variants of a blob.
 */

// ---- builder ----

/** `info` word: kind_flag, kind, vlen (raw, not masked, so tests can set bad bits). */
export const info = (kind: number, vlen = 0, kflag = false): number => ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;

/** Header fields to override when building. */
export interface HeaderOverrides {
  magic?: number;
  version?: number;
  flags?: number;
  hdrLen?: number;
  typeOff?: number;
  typeLen?: number;
  strOff?: number;
  strLen?: number;
}

/**
 * Builds BTF blobs word by word. Types get ids in the order they are added (first is 1).
 *
 * @example
 * const b = new BlobBuilder();
 * const int = b.int('int', 4, 32, 1);
 * b.struct('s', 4, [['x', int, 0]]);
 * const blob = b.build();
 */
export class BlobBuilder {
  private readonly strings: number[] = [0];
  private readonly strIndex = new Map<string, number>([['', 0]]);
  private readonly words: number[] = [];
  /** Number of types added so far. */
  count = 0;

  /** Offset of `s` in the string section (added once). */
  str(s: string): number {
    const known = this.strIndex.get(s);
    if (known !== undefined) return known;
    const off = this.strings.length;
    for (let i = 0; i < s.length; i++) this.strings.push(s.charCodeAt(i) & 0xff);
    this.strings.push(0);
    this.strIndex.set(s, off);
    return off;
  }

  /** Append raw bytes to the string section (no NUL added); returns their offset. */
  rawStr(bytes: number[]): number {
    const off = this.strings.length;
    this.strings.push(...bytes);
    return off;
  }

  private name(n: string | number): number {
    return typeof n === 'number' ? n : this.str(n);
  }

  /** A raw record: name, info, size_or_type, then trailing u32 words. Returns its id. */
  type(name: string | number, infoWord: number, sizeOrType: number, ...extra: number[]): number {
    this.words.push(this.name(name), infoWord >>> 0, sizeOrType >>> 0, ...extra.map((w) => w >>> 0));
    return ++this.count;
  }

  int(name: string | number, size: number, bitsN: number, encoding = 0, bitOffset = 0): number {
    return this.type(name, info(kindNumber('int')), size, ((encoding << 24) | (bitOffset << 16) | bitsN) >>> 0);
  }
  ptr(type: number): number { return this.type(0, info(kindNumber('ptr')), type); }
  typedef(name: string | number, type: number): number { return this.type(name, info(kindNumber('typedef')), type); }
  const_(type: number): number { return this.type(0, info(kindNumber('const')), type); }
  volatile(type: number): number { return this.type(0, info(kindNumber('volatile')), type); }
  restrict(type: number): number { return this.type(0, info(kindNumber('restrict')), type); }
  typeTag(name: string | number, type: number, kflag = false): number { return this.type(name, info(kindNumber('type_tag'), 0, kflag), type); }
  array(elem: number, index: number, nelems: number): number { return this.type(0, info(kindNumber('array')), 0, elem, index, nelems); }
  fwd(name: string | number, union = false): number { return this.type(name, info(kindNumber('fwd'), 0, union), 0); }
  float(name: string | number, size: number): number { return this.type(name, info(kindNumber('float')), size); }

  /** Members: [name, type, offset] (offset raw: bit offset, or bitfield<<24|bit offset with kflag). */
  struct(name: string | number, size: number, members: [string | number, number, number][], kflag = false, union = false): number {
    const extra: number[] = [];
    for (const [n, t, o] of members) extra.push(this.name(n), t, o);
    return this.type(name, info(union ? kindNumber('union') : kindNumber('struct'), members.length, kflag), size, ...extra);
  }
  union(name: string | number, size: number, members: [string | number, number, number][], kflag = false): number {
    return this.struct(name, size, members, kflag, true);
  }
  enum(name: string | number, size: number, values: [string | number, number][], signed = false): number {
    const extra: number[] = [];
    for (const [n, v] of values) extra.push(this.name(n), v);
    return this.type(name, info(kindNumber('enum'), values.length, signed), size, ...extra);
  }
  enum64(name: string | number, size: number, values: [string | number, bigint][], signed = false): number {
    const extra: number[] = [];
    for (const [n, v] of values) extra.push(this.name(n), Number(BigInt.asUintN(64, v) & 0xffffffffn), Number(BigInt.asUintN(64, v) >> 32n));
    return this.type(name, info(kindNumber('enum64'), values.length, signed), size, ...extra);
  }
  funcProto(ret: number, params: [string | number, number][]): number {
    const extra: number[] = [];
    for (const [n, t] of params) extra.push(this.name(n), t);
    return this.type(0, info(kindNumber('func_proto'), params.length), ret, ...extra);
  }
  func(name: string | number, proto: number, linkage = 1): number { return this.type(name, info(kindNumber('func'), linkage), proto); }
  variable(name: string | number, type: number, linkage = 1): number { return this.type(name, info(kindNumber('var')), type, linkage); }
  /** Vars: [var id, offset, size]. */
  datasec(name: string | number, size: number, vars: [number, number, number][]): number {
    return this.type(name, info(kindNumber('datasec'), vars.length), size, ...vars.flat());
  }
  declTag(name: string | number, type: number, componentIdx = -1, kflag = false): number {
    return this.type(name, info(kindNumber('decl_tag'), 0, kflag), type, componentIdx);
  }

  /** The blob: header (24 bytes unless overridden), types, strings. */
  build(o: { le?: boolean; header?: HeaderOverrides; headerExtra?: number[] } = {}): Uint8Array {
    const le = o.le ?? true;
    const extra = o.headerExtra ?? [];
    const hdrLen = 24 + extra.length;
    const typeLen = this.words.length * 4;
    const strLen = this.strings.length;
    const h = o.header ?? {};
    const out = new Uint8Array(hdrLen + typeLen + strLen);
    const v = new DataView(out.buffer);
    v.setUint16(0, h.magic ?? 0xeb9f, le);
    out[2] = h.version ?? 1;
    out[3] = h.flags ?? 0;
    v.setUint32(4, h.hdrLen ?? hdrLen, le);
    v.setUint32(8, h.typeOff ?? 0, le);
    v.setUint32(12, h.typeLen ?? typeLen, le);
    v.setUint32(16, h.strOff ?? typeLen, le);
    v.setUint32(20, h.strLen ?? strLen, le);
    out.set(extra, 24);
    for (let i = 0; i < this.words.length; i++) v.setUint32(hdrLen + i * 4, this.words[i]!, le);
    out.set(this.strings, hdrLen + typeLen);
    return out;
  }
}

// ---- record layout of a (valid) blob ----

/** Where things are in a blob, for targeted mutations. */
export interface BlobLayout {
  readonly le: boolean;
  readonly hdrLen: number;
  readonly typeStart: number;
  readonly typeLen: number;
  readonly strStart: number;
  readonly strLen: number;
  /** Records in id order (id = index + 1). */
  readonly records: readonly { readonly off: number; readonly kind: number; readonly vlen: number; readonly kflag: boolean }[];
  /** String offsets where a string starts. */
  readonly strStarts: readonly number[];
}

/** The layout of a blob that `Btf.parse` accepts. */
export function layoutOf(blob: Uint8Array): BlobLayout {
  const btf = Btf.parse(blob);
  const records = Array.from(btf.offsets, (off) => {
    const i = btf.u32(off + 4);
    return { off, kind: (i >>> 24) & 0x1f, vlen: i & 0xffff, kflag: i >>> 31 === 1 };
  });
  const strStarts: number[] = [0];
  for (let i = 1; i < btf.strLen; i++) if (blob[btf.strStart + i - 1] === 0) strStarts.push(i);
  return {
    le: btf.littleEndian, hdrLen: btf.header.hdrLen, typeStart: btf.header.hdrLen + btf.header.typeOff,
    typeLen: btf.header.typeLen, strStart: btf.strStart, strLen: btf.strLen, records, strStarts,
  };
}

// ---- subset of a real BTF ----

/** Type ids referenced by a record, with the byte positions (in the record) holding them. */
function refPositions(btf: Btf, id: number): number[] {
  const o = btf.recordOffset(id);
  const i = btf.u32(o + 4);
  const kind = (i >>> 24) & 0x1f;
  const vlen = i & 0xffff;
  switch (kind) {
    case kindNumber('ptr'): case kindNumber('typedef'): case kindNumber('volatile'): case kindNumber('const'): case kindNumber('restrict'): case kindNumber('func'):
    case kindNumber('func_proto'): case kindNumber('var'): case kindNumber('decl_tag'): case kindNumber('type_tag'): {
      const pos = [8];
      if (kind === kindNumber('func_proto')) for (let k = 0; k < vlen; k++) pos.push(12 + k * 8 + 4);
      return pos;
    }
    case kindNumber('array'): return [12, 16];
    case kindNumber('struct'): case kindNumber('union'): return Array.from({ length: vlen }, (_, k) => 12 + k * 12 + 4);
    case kindNumber('datasec'): return Array.from({ length: vlen }, (_, k) => 12 + k * 12);
    default: return [];
  }
}

/** Byte positions (in the record) holding string offsets. */
function strPositions(btf: Btf, id: number): number[] {
  const o = btf.recordOffset(id);
  const i = btf.u32(o + 4);
  const kind = (i >>> 24) & 0x1f;
  const vlen = i & 0xffff;
  const pos = [0];
  const elem = kind === kindNumber('struct') || kind === kindNumber('union') || kind === kindNumber('enum64') ? 12
    : kind === kindNumber('enum') || kind === kindNumber('func_proto') ? 8 : 0;
  if (elem !== 0) for (let k = 0; k < vlen; k++) pos.push(12 + k * elem);
  return pos;
}

function recordSize(btf: Btf, id: number): number {
  const o = btf.recordOffset(id);
  return id < btf.lastId ? btf.recordOffset(id + 1) - o : btf.header.hdrLen + btf.header.typeOff + btf.header.typeLen - o;
}

/**
 * The closure of `roots` (every type they reference, transitively, plus DECL_TAGs on them), or
 * undefined when it has more than `limit` types.
 */
export function closureOf(btf: Btf, roots: readonly number[], limit: number, tagsByTarget?: Map<number, number[]>): number[] | undefined {
  const seen = new Set<number>();
  const work = [...roots];
  while (work.length > 0) {
    const id = work.pop()!;
    if (id === 0 || seen.has(id) || id > btf.lastId) continue;
    seen.add(id);
    if (seen.size > limit) return undefined;
    const o = btf.recordOffset(id);
    for (const p of refPositions(btf, id)) work.push(btf.u32(o + p));
    for (const t of tagsByTarget?.get(id) ?? []) work.push(t);
  }
  return [...seen].sort((a, b) => a - b);
}

/** DECL_TAG ids by the id they tag. */
export function declTagsByTarget(btf: Btf): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let id = 1; id <= btf.lastId; id++) {
    if (btf.kindNumberOf(id) !== kindNumber('decl_tag')) continue;
    const t = btf.sizeOrTypeOf(id);
    const l = m.get(t);
    if (l === undefined) m.set(t, [id]);
    else l.push(id);
  }
  return m;
}

/**
 * A new blob holding only types `ids` (a closed set, in id order) of `btf`, renumbered from 1,
 * with its own string section. The result is what the kernel's verifier accepted in the
 * original, restricted to these types.
 */
export function subsetBlob(btf: Btf, ids: readonly number[]): Uint8Array {
  const map = new Map<number, number>([[0, 0]]);
  ids.forEach((id, i) => map.set(id, i + 1));
  const strings: number[] = [0];
  const strMap = new Map<number, number>([[0, 0]]);
  const strOf = (off: number): number => {
    const known = strMap.get(off);
    if (known !== undefined) return known;
    const loc = btf.locateString(off);
    const at = strings.length;
    if (loc !== undefined) {
      for (let p = loc.start; btf.bytes[p] !== 0; p++) strings.push(btf.bytes[p]!);
    }
    strings.push(0);
    strMap.set(off, at);
    return at;
  };
  const chunks: Uint8Array[] = [];
  let typeLen = 0;
  for (const id of ids) {
    const o = btf.recordOffset(id);
    const rec = btf.bytes.slice(o, o + recordSize(btf, id));
    const v = new DataView(rec.buffer);
    const le = btf.littleEndian;
    for (const p of refPositions(btf, id)) v.setUint32(p, map.get(v.getUint32(p, le)) ?? 0, le);
    for (const p of strPositions(btf, id)) v.setUint32(p, strOf(v.getUint32(p, le)), le);
    chunks.push(rec);
    typeLen += rec.length;
  }
  const out = new Uint8Array(24 + typeLen + strings.length);
  const v = new DataView(out.buffer);
  const le = btf.littleEndian;
  v.setUint16(0, 0xeb9f, le);
  out[2] = 1;
  v.setUint32(4, 24, le);
  v.setUint32(12, typeLen, le);
  v.setUint32(16, typeLen, le);
  v.setUint32(20, strings.length, le);
  let p = 24;
  for (const c of chunks) { out.set(c, p); p += c.length; }
  out.set(strings, p);
  return out;
}

// ---- seeded randomness ----

/** A small seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

// ---- mutations ----

/** Strings to point names at: valid and invalid identifiers, section names, special names. */
export const NAME_SAMPLES: readonly (string | number[])[] = [
  '', 'x', '_', '.', '.x', 'a.b', '1abc', 'a1', 'a-b', 'a b', 'a$', 'foo bar', '.data', '.bss', '.rodata.str1.1',
  'license', 'ok_name', 'int', 'kptr', 'user', 'rcu', 'bpf_spin_lock', 'bpf_list_head', 'contains:foo:bar',
  'a'.repeat(511), 'a'.repeat(512), 'a'.repeat(513), '.'.repeat(600), 'x'.repeat(100) + '-',
  [0xe9], [0xc0, 0x41], [0x80], [0x9f, 0x61], [0xa0], [0xd7], [0xf7], [0xff], [0x61, 0xd7], [0x61, 0x7f], [0x61, 0x09], [0x7e], [0x20],
];

const SIZES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17, 24, 32, 64, 128, 256, 0x7fffffff, 0x80000000, 0xffffffff];

/** One mutated blob and a description of what was done. */
export interface Mutant {
  readonly what: string;
  readonly data: Uint8Array;
}

/**
 * Produce a mutant of `seed` (a blob `Btf.parse` accepts, little- or big-endian, described
 * by `layout`). Most mutations target one field the kernel checks; some are blind byte flips.
 */
export function mutate(seed: Uint8Array, layout: BlobLayout, rng: Rng): Mutant {
  const ops = MUTATIONS;
  const n = rng.chance(0.15) ? 2 : 1;
  let data = seed;
  let lay = layout;
  const what: string[] = [];
  for (let k = 0; k < n; k++) {
    const op = rng.pick(ops);
    let m: Mutant;
    try {
      m = op(data, lay, rng);
    } catch (e) {
      // A second mutation may meet a layout the first one broke (a record that no longer
      // fits); skip it.
      if (!(e instanceof RangeError) || k === 0) throw e;
      break;
    }
    what.push(m.what);
    data = m.data;
    if (k + 1 < n) {
      try {
        lay = layoutOf(data);
      } catch {
        break;
      }
      if (lay.records.length === 0) break;
    }
  }
  return { what: what.join(' + '), data };
}

type Op = (seed: Uint8Array, l: BlobLayout, rng: Rng) => Mutant;

function copy(seed: Uint8Array): { d: Uint8Array; v: DataView } {
  const d = seed.slice();
  return { d, v: new DataView(d.buffer) };
}

function typeIdSample(l: BlobLayout, rng: Rng, self: number): number {
  const n = l.records.length;
  return rng.pick([0, 1, self, self - 1, self + 1, n, n + 1, n + 2, 0xfffff, 0x100000, 0xffffffff, 1 + rng.int(n), 1 + rng.int(n), 1 + rng.int(n)]) >>> 0;
}

/** Append `bytes` + NUL to the string section (strings end the blob); returns its offset. */
function appendString(seed: Uint8Array, l: BlobLayout, s: string | number[]): { d: Uint8Array; v: DataView; off: number } {
  const bytes = typeof s === 'string' ? Array.from(s, (c) => c.charCodeAt(0) & 0xff) : s;
  const end = l.strStart + l.strLen;
  const d = new Uint8Array(seed.length + bytes.length + 1);
  d.set(seed.subarray(0, end));
  d.set(bytes, end);
  d.set(seed.subarray(end), end + bytes.length + 1);
  const v = new DataView(d.buffer);
  v.setUint32(20, l.strLen + bytes.length + 1, l.le);
  return { d, v, off: l.strLen };
}

function pickRecord(l: BlobLayout, rng: Rng, kinds?: readonly number[]): number {
  if (kinds !== undefined) {
    const c: number[] = [];
    l.records.forEach((r, i) => { if (kinds.includes(r.kind)) c.push(i); });
    if (c.length > 0) return rng.pick(c);
  }
  return rng.int(l.records.length);
}

/** A string offset sample: 0, a real start, the middle of a string, the end, out of range. */
function strOffSample(l: BlobLayout, rng: Rng): number {
  return rng.pick([0, rng.pick(l.strStarts), rng.pick(l.strStarts), 1 + rng.int(Math.max(1, l.strLen - 1)), l.strLen - 1, l.strLen, l.strLen + 1, 0xffffff, 0x1000000, 0xffffffff]) >>> 0;
}

const HEADER_OPS: Op[] = [
  (s, l, r) => { const { d } = copy(s); const which = r.int(2); d[which] = r.pick([0, 0x9e, 0xeb, 0x9f, 0xff]); return { what: `magic byte ${which}`, data: d }; },
  (s, _l, r) => { const { d } = copy(s); d[2] = r.pick([0, 2, 0xff]); return { what: 'version', data: d }; },
  (s, _l, r) => { const { d } = copy(s); d[3] = r.pick([1, 0x80]); return { what: 'flags', data: d }; },
  (s, l, r) => { const { d, v } = copy(s); v.setUint32(4, r.pick([0, 4, 8, 12, 16, 20, 23, 25, 28, 32, 0xffffffff]), l.le); return { what: 'hdr_len', data: d }; },
  (s, l, r) => {
    // Longer header: insert zero (or non-zero) bytes after the 24 known ones.
    const extra = r.pick([4, 8, 16]);
    const d = new Uint8Array(s.length + extra);
    d.set(s.subarray(0, 24));
    d.set(s.subarray(24), 24 + extra);
    new DataView(d.buffer).setUint32(4, 24 + extra, l.le);
    const dirty = r.chance(0.4);
    if (dirty) d[24 + r.int(extra)] = 1;
    return { what: `hdr_len ${24 + extra}${dirty ? ' dirty' : ''}`, data: d };
  },
  (s, l, r) => {
    const { d, v } = copy(s);
    const field = r.pick([8, 12, 16, 20]);
    const old = v.getUint32(field, l.le);
    v.setUint32(field, r.pick([0, old + 1, old - 1, old + 4, old - 4, old + 12, old - 12, 0xffffffff, old * 2]) >>> 0, l.le);
    return { what: `header field ${field}`, data: d };
  },
  (s, l) => {
    // Strings before types (legal for the kernel when the sections tile the data).
    const types = s.subarray(l.typeStart, l.typeStart + l.typeLen);
    const strs = s.subarray(l.strStart, l.strStart + l.strLen);
    const pad = (4 - (l.strLen % 4)) % 4;
    const d = new Uint8Array(l.hdrLen + l.strLen + pad + l.typeLen);
    d.set(s.subarray(0, l.hdrLen));
    d.set(strs, l.hdrLen);
    d.set(types, l.hdrLen + l.strLen + pad);
    const v = new DataView(d.buffer);
    v.setUint32(8, l.strLen + pad, l.le);
    v.setUint32(16, 0, l.le);
    return { what: `strings first (pad ${pad})`, data: d };
  },
  (s, l, r) => {
    // A gap between types and strings.
    const gap = r.pick([1, 4]);
    const d = new Uint8Array(s.length + gap);
    d.set(s.subarray(0, l.strStart));
    d.set(s.subarray(l.strStart), l.strStart + gap);
    new DataView(d.buffer).setUint32(16, l.typeLen + gap, l.le);
    return { what: `gap ${gap}`, data: d };
  },
  (s, _l, r) => { const cut = r.pick([1, 2, 4, 12, 13]); return { what: `truncate ${cut}`, data: s.slice(0, Math.max(0, s.length - cut)) }; },
  (s, _l, r) => { const d = new Uint8Array(s.length + r.pick([1, 4])); d.set(s); return { what: 'trailing bytes', data: d }; },
  (s, _l, r) => ({ what: 'tiny', data: s.slice(0, r.pick([0, 4, 7, 8, 12, 23, 24, 25])) }),
  (s, l) => { const { d, v } = copy(s); v.setUint32(12, 0, l.le); v.setUint32(16, 0, l.le); const out = new Uint8Array(l.hdrLen + l.strLen); out.set(d.subarray(0, l.hdrLen)); out.set(d.subarray(l.strStart, l.strStart + l.strLen), l.hdrLen); return { what: 'no types', data: out }; },
];

const INFO_OPS: Op[] = [
  (s, l, r) => { const i = pickRecord(l, r); const { d, v } = copy(s); const o = l.records[i]!.off + 4; v.setUint32(o, ((v.getUint32(o, l.le) & 0x80ffffff) | (r.int(32) << 24)) >>> 0, l.le); return { what: `[${i + 1}] kind`, data: d }; },
  (s, l, r) => { const i = pickRecord(l, r); const { d, v } = copy(s); const o = l.records[i]!.off + 4; v.setUint32(o, (v.getUint32(o, l.le) ^ 0x80000000) >>> 0, l.le); return { what: `[${i + 1}] kflag`, data: d }; },
  (s, l, r) => {
    const i = pickRecord(l, r); const { d, v } = copy(s); const o = l.records[i]!.off + 4; const w = v.getUint32(o, l.le);
    const vl = w & 0xffff; const nv = r.pick([0, 1, vl + 1, vl - 1, vl + 2, 0xffff]) & 0xffff;
    v.setUint32(o, ((w & 0xffff0000) | nv) >>> 0, l.le); return { what: `[${i + 1}] vlen ${vl}->${nv}`, data: d };
  },
  (s, l, r) => { const i = pickRecord(l, r); const { d, v } = copy(s); const o = l.records[i]!.off + 4; v.setUint32(o, (v.getUint32(o, l.le) | (1 << r.pick([16, 20, 23, 29, 30]))) >>> 0, l.le); return { what: `[${i + 1}] info bit`, data: d }; },
];

const NAMED_ELEM_KINDS: readonly number[] = [kindNumber('struct'), kindNumber('union'), kindNumber('enum'), kindNumber('enum64'), kindNumber('func_proto')];
const MOD_KINDS: readonly number[] = [kindNumber('const'), kindNumber('volatile'), kindNumber('typedef'), kindNumber('restrict')];
const REF_KINDS = [kindNumber('ptr'), kindNumber('typedef'), kindNumber('volatile'), kindNumber('const'), kindNumber('restrict'), kindNumber('func'), kindNumber('func_proto'), kindNumber('var'), kindNumber('decl_tag'), kindNumber('type_tag')];
const SIZE_KINDS = [kindNumber('int'), kindNumber('struct'), kindNumber('union'), kindNumber('enum'), kindNumber('enum64'), kindNumber('float'), kindNumber('datasec'), kindNumber('fwd'), kindNumber('array')];

const FIELD_OPS: Op[] = [
  (s, l, r) => { const i = pickRecord(l, r, REF_KINDS); const { d, v } = copy(s); v.setUint32(l.records[i]!.off + 8, typeIdSample(l, r, i + 1), l.le); return { what: `[${i + 1}] type`, data: d }; },
  (s, l, r) => { const i = pickRecord(l, r, SIZE_KINDS); const { d, v } = copy(s); const o = l.records[i]!.off + 8; const old = v.getUint32(o, l.le); v.setUint32(o, r.chance(0.5) ? r.pick(SIZES) : (old + r.pick([-8, -4, -1, 1, 4, 8])) >>> 0, l.le); return { what: `[${i + 1}] size`, data: d }; },
  (s, l, r) => { const i = pickRecord(l, r); const { d, v } = copy(s); v.setUint32(l.records[i]!.off, strOffSample(l, r), l.le); return { what: `[${i + 1}] name_off`, data: d }; },
  (s, l, r) => {
    const i = pickRecord(l, r); const name = r.pick(NAME_SAMPLES);
    const { d, v, off } = appendString(s, l, name); v.setUint32(l.records[i]!.off, off, l.le);
    return { what: `[${i + 1}] name ${JSON.stringify(typeof name === 'string' ? name.slice(0, 20) : name)}`, data: d };
  },
  (s, l, r) => {
    // Member / param / enumerator / vsi name.
    const i = pickRecord(l, r, NAMED_ELEM_KINDS); const rec = l.records[i]!;
    if (rec.vlen === 0 || !NAMED_ELEM_KINDS.includes(rec.kind)) return { what: 'noop', data: s };
    const elem = rec.kind === kindNumber('enum') || rec.kind === kindNumber('func_proto') ? 8 : 12; const k = r.int(rec.vlen);
    if (r.chance(0.5)) { const { d, v } = copy(s); v.setUint32(rec.off + 12 + k * elem, strOffSample(l, r), l.le); return { what: `[${i + 1}] elem ${k} name_off`, data: d }; }
    const name = r.pick(NAME_SAMPLES); const { d, v, off } = appendString(s, l, name); v.setUint32(rec.off + 12 + k * elem, off, l.le);
    return { what: `[${i + 1}] elem ${k} name`, data: d };
  },
];

const MEMBER_OPS: Op[] = [
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('struct'), kindNumber('union')]); const rec = l.records[i]!;
    if (rec.vlen === 0 || (rec.kind !== kindNumber('struct') && rec.kind !== kindNumber('union'))) return { what: 'noop', data: s };
    const k = r.int(rec.vlen); const { d, v } = copy(s); v.setUint32(rec.off + 12 + k * 12 + 4, typeIdSample(l, r, i + 1), l.le);
    return { what: `[${i + 1}] member ${k} type`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('struct'), kindNumber('union')]); const rec = l.records[i]!;
    if (rec.vlen === 0 || (rec.kind !== kindNumber('struct') && rec.kind !== kindNumber('union'))) return { what: 'noop', data: s };
    const k = r.int(rec.vlen); const { d, v } = copy(s); const o = rec.off + 12 + k * 12 + 8; const old = v.getUint32(o, l.le);
    const nv = r.pick([0, old + 1, old - 1, old + 8, old - 8, old + 32, old + 64, old * 2, (old & 0xffffff) | (r.pick([1, 3, 7, 8, 9, 16, 31, 32, 33, 64, 65, 129]) << 24), 0xffffffff, v.getUint32(rec.off + 8, l.le) * 8]) >>> 0;
    v.setUint32(o, nv, l.le); return { what: `[${i + 1}] member ${k} offset ${old}->${nv}`, data: d };
  },
  (s, l, r) => {
    // Make a struct contain itself (loop) or a pointer to itself (fine).
    const i = pickRecord(l, r, [kindNumber('struct'), kindNumber('union')]); const rec = l.records[i]!;
    if (rec.vlen === 0 || (rec.kind !== kindNumber('struct') && rec.kind !== kindNumber('union'))) return { what: 'noop', data: s };
    const k = r.int(rec.vlen); const { d, v } = copy(s); v.setUint32(rec.off + 12 + k * 12 + 4, i + 1, l.le);
    return { what: `[${i + 1}] member ${k} = self`, data: d };
  },
];

const KIND_OPS: Op[] = [
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('array')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('array')) return { what: 'noop', data: s };
    const { d, v } = copy(s); const f = r.int(3); const o = rec.off + 12 + f * 4;
    v.setUint32(o, f === 2 ? r.pick([0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, 0x1000000]) : typeIdSample(l, r, i + 1), l.le);
    return { what: `[${i + 1}] array field ${f}`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('int')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('int')) return { what: 'noop', data: s };
    const { d, v } = copy(s); const o = rec.off + 12; const w = v.getUint32(o, l.le);
    const part = r.int(4);
    let nw = w;
    if (part === 0) nw = (w & 0xf0ffffff) | (r.pick([0, 1, 2, 3, 4, 5, 8]) << 24);
    else if (part === 1) nw = (w & 0xff00ffff) | (r.pick([0, 1, 7, 8, 64, 120, 128]) << 16);
    else if (part === 2) nw = (w & 0xffffff00) | r.pick([0, 1, 7, 8, 9, 16, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255]);
    else nw = w | (1 << r.pick([28, 29, 30, 31]));
    v.setUint32(o, nw >>> 0, l.le); return { what: `[${i + 1}] int data ${w.toString(16)}->${(nw >>> 0).toString(16)}`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('func')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('func')) return { what: 'noop', data: s };
    const { d, v } = copy(s); const o = rec.off + 4; v.setUint32(o, ((v.getUint32(o, l.le) & 0xffff0000) | r.pick([0, 1, 2, 3])) >>> 0, l.le);
    return { what: `[${i + 1}] func linkage`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('func_proto')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('func_proto') || rec.vlen === 0) return { what: 'noop', data: s };
    const { d, v } = copy(s); const k = r.int(rec.vlen); const o = rec.off + 12 + k * 8;
    if (r.chance(0.5)) v.setUint32(o + 4, typeIdSample(l, r, i + 1), l.le);
    else { v.setUint32(o + 4, 0, l.le); if (r.chance(0.5)) v.setUint32(o, 0, l.le); }
    return { what: `[${i + 1}] param ${k}`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('var')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('var')) return { what: 'noop', data: s };
    const { d, v } = copy(s); v.setUint32(rec.off + 12, r.pick([0, 1, 2, 3, 0xffffffff]), l.le); return { what: `[${i + 1}] var linkage`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('datasec')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('datasec') || rec.vlen === 0) return { what: 'noop', data: s };
    const { d, v } = copy(s); const k = r.int(rec.vlen); const f = r.int(3); const o = rec.off + 12 + k * 12 + f * 4; const old = v.getUint32(o, l.le);
    v.setUint32(o, f === 0 ? typeIdSample(l, r, i + 1) : r.pick([0, old + 1, old - 1, old + 8, old * 2, 0xffffffff, v.getUint32(rec.off + 8, l.le)]) >>> 0, l.le);
    return { what: `[${i + 1}] vsi ${k} field ${f}`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('decl_tag')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('decl_tag')) return { what: 'noop', data: s };
    const { d, v } = copy(s); v.setInt32(rec.off + 12, r.pick([-2, -1, 0, 1, 2, 5, 100, 0x7fffffff]), l.le); return { what: `[${i + 1}] component_idx`, data: d };
  },
  (s, l, r) => {
    // Point a modifier at a type tag (tag after modifier), or a tag at a modifier.
    const mods: number[] = []; const tags: number[] = [];
    l.records.forEach((x, i) => { if (MOD_KINDS.includes(x.kind)) mods.push(i); if (x.kind === kindNumber('type_tag')) tags.push(i); });
    if (mods.length === 0) return { what: 'noop', data: s };
    const { d, v } = copy(s);
    if (tags.length > 0 && r.chance(0.6)) { const m = r.pick(mods); const t = r.pick(tags); v.setUint32(l.records[m]!.off + 8, t + 1, l.le); return { what: `[${m + 1}] -> tag [${t + 1}]`, data: d }; }
    const a = r.pick(mods); const b = r.pick(mods); v.setUint32(l.records[a]!.off + 8, b + 1, l.le); return { what: `[${a + 1}] -> mod [${b + 1}]`, data: d };
  },
  (s, l, r) => {
    const i = pickRecord(l, r, [kindNumber('enum'), kindNumber('enum64')]); const rec = l.records[i]!; if (rec.kind !== kindNumber('enum') && rec.kind !== kindNumber('enum64')) return { what: 'noop', data: s };
    const { d, v } = copy(s); v.setUint32(rec.off + 8, r.pick([0, 1, 2, 3, 4, 5, 8, 16]), l.le); return { what: `[${i + 1}] enum size`, data: d };
  },
];

const STRING_OPS: Op[] = [
  (s, l, r) => {
    if (l.strLen < 2) return { what: 'noop', data: s };
    const { d } = copy(s); const p = l.strStart + 1 + r.int(l.strLen - 1);
    d[p] = r.pick([0, 0x20, 0x2d, 0x2e, 0x30, 0x5f, 0x41, 0x7f, 0x80, 0x9f, 0xa0, 0xc0, 0xd7, 0xe9, 0xff, 0x24, 0x3a]);
    return { what: `string byte ${p - l.strStart}`, data: d };
  },
  (s, l, r) => { const { d } = copy(s); d[l.strStart] = r.pick([0x41, 0x2e, 0x01]); return { what: 'first string byte', data: d }; },
  (s, l) => { const { d } = copy(s); d[l.strStart + l.strLen - 1] = 0x41; return { what: 'last string byte', data: d }; },
  (s, l, r) => {
    // First byte of a name: digit, dash, dot, underscore, latin-1.
    const st = r.pick(l.strStarts.filter((x) => x > 0).concat([1]));
    const { d } = copy(s); if (st < l.strLen) d[l.strStart + st] = r.pick([0x31, 0x2d, 0x2e, 0x5f, 0xc9, 0x20, 0x7e]);
    return { what: `name start ${st}`, data: d };
  },
];

const BLIND_OPS: Op[] = [
  (s, _l, r) => { const { d } = copy(s); const k = 1 + r.int(3); for (let j = 0; j < k; j++) { const p = r.int(d.length); d[p] = d[p]! ^ (1 << r.int(8)); } return { what: `bit flips ${k}`, data: d }; },
  (s, l, r) => { const { d } = copy(s); const p = l.typeStart + r.int(Math.max(1, l.typeLen)); d[p] = r.int(256); return { what: `type byte ${p}`, data: d }; },
];

/** All mutation operators, weighted by repetition. */
const MUTATIONS: Op[] = [
  ...HEADER_OPS, ...INFO_OPS, ...INFO_OPS, ...FIELD_OPS, ...FIELD_OPS, ...MEMBER_OPS, ...MEMBER_OPS, ...MEMBER_OPS,
  ...KIND_OPS, ...KIND_OPS, ...STRING_OPS, ...BLIND_OPS,
];
