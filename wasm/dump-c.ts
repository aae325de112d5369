// AssemblyScript source of the WebAssembly C dumper (see wasm/README.md). Build with
// `npm run build:wasm`; the result is embedded in src/btf/dump-c-wasm.ts.
//
// This is src/btf/dump-c-js.ts, line for line, in AssemblyScript: the same algorithm (libbpf's
// BTF-to-C converter, https://github.com/libbpf/libbpf/blob/master/src/btf_dump.c, as Debian's
// bpftool 7.1 prints it), the same state and the same names, so that a change to one is easy to
// carry to the other. The TypeScript file has the explanations; the comments here are about
// what differs. A test requires both to print the same bytes for every kernel and fixture.
//
// Why it exists: `btfkit btf dump -f c` runs once per process, and a JavaScript dumper spends
// most of such a run in V8's unoptimized tiers (about 90 ms cold against 30 ms warm for a
// vmlinux). WebAssembly is compiled before it runs, so a cold dump runs at compiled speed.
//
// Memory: one linear memory, grown by a bump allocator that never frees (an instance lives for
// one dump). The host copies the type words (little-endian), the record index and the strings
// into the regions `prepare` returns, then calls `dump`. Output goes through the imported
// `flush(ptr, len)`; errors through the imported `fail(code, id, arg)`, which throws in the host
// and so never returns here.

@external("env", "flush") declare function hostFlush(ptr: usize, len: i32): void;
@external("env", "fail") declare function hostFail(code: i32, id: u32, arg: f64): void;

// Error codes passed to `fail` (the host turns them into BtfkitErrors).
const E_BAD_STRING_OFFSET: i32 = 1;
const E_BAD_TYPE_ID: i32 = 2;
const E_BAD_KIND: i32 = 3;
const E_CYCLE: i32 = 4;
const E_TOO_DEEP: i32 = 5;
const E_TOO_LARGE: i32 = 6;
const E_NO_ALIGN: i32 = 7;

const BUFFER_SIZE: i32 = 1 << 18;
const DECL_ROOM: i32 = 4096;
const MAX_INDENT: i32 = 13;
const MAX_RESOLVE_DEPTH: i32 = 32;
const MAX_NESTING: i32 = 600;
const MAX_DUP_NAME: i32 = 255;
const FNV_OFFSET: u32 = 0x811c9dc5;
/** Kinds whose own name the header prints (INT, STRUCT, UNION, ENUM, FWD, TYPEDEF, FLOAT, TYPE_TAG, ENUM64). */
const PRINTED_NAME_KINDS: u32 = 0xd01f2;
const FNV_PRIME: u32 = 0x01000193;

// ---- memory ----

/**
 * `n` zeroed bytes. The stub runtime's allocator never frees, so what it hands out is fresh
 * memory, which is zero; objects (`new NameCounter`) come from the same allocator.
 */
function alloc(n: usize): usize {
  return heap.alloc(n);
}

/** A copy of `old` (`oldBytes` long) in a new block of `newBytes`. */
function realloc(old: usize, oldBytes: usize, newBytes: usize): usize {
  const p = alloc(newBytes);
  memory.copy(p, old, oldBytes);
  return p;
}

// ---- input ----

let w: usize = 0;
let rec: usize = 0;
let s: usize = 0;
let strLen: u32 = 0;
let lastId: u32 = 0;
let ptrSize: u32 = 0;

@inline function W(i: u32): u32 { return load<u32>(w + (<usize>i << 2)); }
@inline function REC(id: u32): u32 { return load<u32>(rec + (<usize>id << 2)); }
@inline function S(off: u32): u32 { return <u32>load<u8>(s + <usize>off); }

// ---- per-type state ----

let orderState: usize = 0; // u8
let emitState: usize = 0; // u8
let flags: usize = 0; // u8
let dupNumber: usize = 0; // u32
let alignCache: usize = 0; // u8
let sizeCache: usize = 0; // i32
let skipMemo: usize = 0; // i32
let tplA: usize = 0; // i32
let tplB: usize = 0;
let tplC: usize = 0;
let tplUA: usize = 0;
let tplUC: usize = 0;
let tpl: usize = 0;
let tplCap: i32 = 1 << 16;
let tplLen: i32 = 0;

@inline function getU8(a: usize, i: u32): u32 { return <u32>load<u8>(a + <usize>i); }
@inline function setU8(a: usize, i: u32, v: u32): void { store<u8>(a + <usize>i, <u8>v); }
@inline function getI32(a: usize, i: u32): i32 { return load<i32>(a + (<usize>i << 2)); }
@inline function setI32(a: usize, i: u32, v: i32): void { store<i32>(a + (<usize>i << 2), v); }

// ---- walk state ----

let todo: usize = 0;
let todoLen: u32 = 0;
let curId: u32 = 0;
let queue: usize = 0;
let queueCap: u32 = 256;
let queueLen: u32 = 0;
let declStack: usize = 0;
let declCap: u32 = 256;
let declLen: u32 = 0;
let frameStart: usize = 0;
let frameCnt: usize = 0;
let frameName: usize = 0;
let frameNameEnd: usize = 0;
let frameCap: i32 = 64;
let frameTop: i32 = -1;
let nesting: i32 = 0;
let anonDefs: i32 = 0;
let budget: i64 = 0;

// ---- output ----

let buf: usize = 0;
let pos: i32 = 0;
let flushes: i32 = 0;
let digits: usize = 0;

// ---- name counters (NameCounter of the TypeScript dumper: open addressing over string offsets) ----

class NameCounter {
  keys: usize = 0; // i32, -1 empty
  counts: usize = 0;
  hashes: usize = 0;
  cap: u32 = 64;
  size: u32 = 0;

  constructor(expected: u32) {
    let cap: u32 = 64;
    while (cap < expected * 2) cap <<= 1;
    this.cap = cap;
    this.keys = alloc(<usize>cap << 2);
    memory.fill(this.keys, 0xff, <usize>cap << 2);
    this.counts = alloc(<usize>cap << 2);
    this.hashes = alloc(<usize>cap << 2);
  }

  /** Count one more use of the name at `off` (hash `h`); returns the new count. */
  bump(off: u32, h: u32): u32 {
    const keys = this.keys;
    const mask = this.cap - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = getI32(keys, i);
      if (k === -1) {
        setI32(keys, i, <i32>off);
        setI32(this.hashes, i, <i32>h);
        setI32(this.counts, i, 1);
        if (++this.size * 2 > this.cap) this.grow();
        return 1;
      }
      if (<u32>getI32(this.hashes, i) === h && (<u32>k === off || sameString(<u32>k, off))) {
        const c = getI32(this.counts, i) + 1;
        setI32(this.counts, i, c);
        return <u32>c;
      }
    }
    return 0; // not reached: the table always has a free slot
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldHashes = this.hashes;
    const oldCap = this.cap;
    const n = oldCap * 2;
    const keys = alloc(<usize>n << 2);
    memory.fill(keys, 0xff, <usize>n << 2);
    const counts = alloc(<usize>n << 2);
    const hashes = alloc(<usize>n << 2);
    const mask = n - 1;
    for (let j: u32 = 0; j < oldCap; j++) {
      const k = getI32(oldKeys, j);
      if (k === -1) continue;
      const h = <u32>getI32(oldHashes, j);
      let i = h & mask;
      while (getI32(keys, i) !== -1) i = (i + 1) & mask;
      setI32(keys, i, k);
      setI32(hashes, i, <i32>h);
      setI32(counts, i, getI32(oldCounts, j));
    }
    this.keys = keys;
    this.counts = counts;
    this.hashes = hashes;
    this.cap = n;
  }
}

let typeNames: NameCounter | null = null;
let identNames: NameCounter | null = null;

/** A byte of the string table, -1 past its end (the TypeScript version's `undefined`). */
@inline function strByte(off: u32): i32 { return off < strLen ? <i32>S(off) : -1; }

function sameString(a: u32, b: u32): bool {
  for (;;) {
    const x = strByte(a++);
    if (x !== strByte(b++)) return false;
    if (x === 0 || x === -1) return true;
  }
  return true; // not reached
}

function strEnd(off: u32): u32 {
  while (off < strLen && S(off) !== 0) off++;
  return off;
}

function hashRange(a: u32, b: u32): u32 {
  let h = FNV_OFFSET;
  for (let i = a; i < b; i++) h = (h ^ S(i)) * FNV_PRIME;
  return h;
}

/** C's roundup on the dumper's bit offsets (wide enough for any u32 sum). */
function roundUp(x: i64, y: i64): i64 {
  return (x + y - 1) / y * y;
}

// ---- set-up ----

/**
 * Allocate everything for a dump of types 1..`last` (`words` type words, `strBytes` string
 * bytes, pointers of `ptrBytes`) and return the address of three words: where the host puts the
 * type words, the record index (by id) and the strings.
 */
export function prepare(last: u32, words: u32, strBytes: u32, ptrBytes: u32): usize {
  lastId = last;
  strLen = strBytes;
  ptrSize = ptrBytes;
  const n = <usize>last + 1;
  w = alloc(<usize>words << 2);
  rec = alloc(n << 2);
  s = alloc(<usize>strBytes + 1);
  orderState = alloc(n);
  emitState = alloc(n);
  flags = alloc(n);
  dupNumber = alloc(n << 2);
  alignCache = alloc(n);
  sizeCache = alloc(n << 2);
  skipMemo = alloc(n << 2);
  tplA = alloc(n << 2);
  tplB = alloc(n << 2);
  tplC = alloc(n << 2);
  tplUA = alloc(n << 2);
  tplUC = alloc(n << 2);
  tpl = alloc(<usize>tplCap);
  queue = alloc(<usize>queueCap << 2);
  declStack = alloc(<usize>declCap << 2);
  frameStart = alloc(<usize>frameCap << 2);
  frameCnt = alloc(<usize>frameCap << 2);
  frameName = alloc(<usize>frameCap << 2);
  frameNameEnd = alloc(<usize>frameCap << 2);
  buf = alloc(<usize>BUFFER_SIZE);
  digits = alloc(24);
  todo = alloc(n << 2);
  setU8(orderState, 0, 2 /* ORDERED */);
  setU8(emitState, 0, 2 /* EMITTED */);
  const layout = alloc(12);
  store<u32>(layout, <u32>w);
  store<u32>(layout, <u32>rec, 4);
  store<u32>(layout, <u32>s, 8);
  return layout;
}

/**
 * Turn the byte offsets the host copied into the record index for ids `firstId` ..
 * `firstId + count - 1` (the offsets of one BTF of the chain, each from the start of its
 * bytes) into word indexes in the type words: `baseWord + (offset - typeStart) / 4`.
 */
export function rebase(firstId: u32, count: u32, typeStart: u32, baseWord: u32): void {
  for (let id = firstId, end = firstId + count; id < end; id++) {
    const p = rec + (<usize>id << 2);
    store<u32>(p, baseWord + ((load<u32>(p) - typeStart) >>> 2));
  }
}

/** Byte-swap `count` type words from word `from` (big-endian BTF). */
export function swapWords(from: u32, count: u32): void {
  for (let i = from, end = from + count; i < end; i++) {
    const p = w + (<usize>i << 2);
    store<u32>(p, bswap<u32>(load<u32>(p)));
  }
}

/** bpftool's `dump_btf_c`: framing, then `btf_dump__dump_type` for every id in order. */
export function dump(): void {
  checkAndMarkReferenced();
  litStr(HEADER);
  for (let i: u32 = 0; i < todoLen; i++) {
    const id = load<u32>(todo + (<usize>i << 2));
    if (getU8(orderState, id) === 2 /* ORDERED */) continue;
    curId = id;
    queueLen = 0;
    orderType(id, false);
    for (let j: u32 = 0; j < queueLen; j++) {
      const q = load<u32>(queue + (<usize>j << 2));
      if (getU8(emitState, q) !== 2 /* EMITTED */) emitType(q, 0);
    }
  }
  litStr(FOOTER);
  flush();
}

// ---- validation and referenced marks ----

function markReferenced(t: u32): void {
  setU8(flags, t, getU8(flags, t) | 4 /* F_REFERENCED */);
}

function checkAndMarkReferenced(): void {
  let typeNameCount: u32 = 0;
  let identNameCount: u32 = 0;
  let members: i64 = 0;
  let count: u32 = 0;
  for (let id: u32 = 1; id <= lastId; id++) {
    const r = REC(id);
    const info = W(r + 1);
    const kind = (info >>> 24) & 0x7f;
    const vlen = info & 0xffffff;
    if (W(r) >= strLen && ((PRINTED_NAME_KINDS >>> kind) & 1) !== 0 && kind < 32) hostFail(E_BAD_STRING_OFFSET, id, <f64>W(r));
    if (kind !== 12 && kind !== 14 && kind !== 15 && kind !== 17) store<u32>(todo + (<usize>(count++) << 2), id);
    switch (kind) {
      case 1: case 16: case 7:
        typeNameCount++;
        break;
      case 6: case 19: {
        const step: u32 = kind === 6 ? 2 : 3;
        for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += step) if (W(p) >= strLen) hostFail(E_BAD_STRING_OFFSET, id, <f64>W(p));
        typeNameCount++;
        identNameCount += vlen;
        members += vlen;
        break;
      }
      // references never followed (array index, FUNC's prototype, DATASEC's variables): marked when in range
      case 8: case 9: case 10: case 11: case 2: case 14: case 17: case 18: {
        if (kind === 8) identNameCount++;
        const t = W(r + 2);
        if (t > lastId) hostFail(E_BAD_TYPE_ID, id, <f64>t);
        markReferenced(t);
        break;
      }
      case 12: {
        const t = W(r + 2);
        if (t <= lastId) markReferenced(t);
        break;
      }
      case 3: {
        const t = W(r + 3);
        const x = W(r + 4);
        if (t > lastId) hostFail(E_BAD_TYPE_ID, id, <f64>t);
        markReferenced(t);
        if (x <= lastId) markReferenced(x);
        break;
      }
      case 4: case 5:
        for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += 3) {
          if (W(p) >= strLen) hostFail(E_BAD_STRING_OFFSET, id, <f64>W(p));
          const t = W(p + 1);
          if (t > lastId) hostFail(E_BAD_TYPE_ID, id, <f64>t);
          markReferenced(t);
        }
        typeNameCount++;
        members += vlen;
        break;
      case 13: {
        const t = W(r + 2);
        if (t > lastId) hostFail(E_BAD_TYPE_ID, id, <f64>t);
        markReferenced(t);
        for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += 2) {
          if (W(p) >= strLen) hostFail(E_BAD_STRING_OFFSET, id, <f64>W(p));
          const pt = W(p + 1);
          if (pt > lastId) hostFail(E_BAD_TYPE_ID, id, <f64>pt);
          markReferenced(pt);
        }
        break;
      }
      case 15:
        for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += 3) {
          const t = W(p);
          if (t <= lastId) markReferenced(t);
        }
        break;
      default:
        hostFail(E_BAD_KIND, id, <f64>kind);
    }
  }
  todoLen = count;
  typeNames = new NameCounter(typeNameCount);
  identNames = new NameCounter(identNameCount);
  budget = 16 * (members + <i64>lastId) + (1 << 20);
}

// ---- output primitives ----

function flush(): void {
  if (pos > 0) hostFlush(buf, pos);
  pos = 0;
  flushes++;
}

function room(n: i32): void {
  if (pos + n > BUFFER_SIZE) flush();
}

function byte(c: u32): void {
  if (pos === BUFFER_SIZE) flush();
  store<u8>(buf + <usize>(pos++), <u8>c);
}

/** Bytes `[start, end)` at address `src`. */
function range(src: usize, start: u32, end: u32): void {
  const n = <i32>(end - start);
  if (pos + n > BUFFER_SIZE) {
    flush();
    if (n > BUFFER_SIZE) { hostFlush(src + <usize>start, n); return; }
  }
  memory.copy(buf + <usize>pos, src + <usize>start, <usize>n);
  pos += n;
}

/** An ASCII literal (AssemblyScript strings are UTF-16). */
function litStr(t: string): void {
  const n = t.length;
  room(n);
  const p = changetype<usize>(t);
  for (let i = 0; i < n; i++) store<u8>(buf + <usize>(pos + i), <u8>load<u16>(p + (<usize>i << 1)));
  pos += n;
}

function newline(lvl: i32): void {
  if (lvl > MAX_INDENT) lvl = MAX_INDENT;
  if (pos + lvl + 1 > BUFFER_SIZE) flush();
  let p = pos;
  store<u8>(buf + <usize>(p++), 0x0a);
  for (let i = 0; i < lvl; i++) store<u8>(buf + <usize>(p++), 0x09);
  pos = p;
}

function uint(v: u64): void {
  if (v < 10) { byte(0x30 + <u32>v); return; }
  let i: i32 = 24;
  while (v > 0) {
    const q = v / 10;
    store<u8>(digits + <usize>(--i), <u8>(0x30 + (v - q * 10)));
    v = q;
  }
  range(digits, <u32>i, 24);
}

function int(v: i64): void {
  if (v < 0) { byte(0x2d); uint(<u64>(-v)); } else uint(<u64>v);
}

function str(off: u32): void {
  range(s, off, strEnd(off));
}

function name(off: u32, dup: u32): void {
  const end = strEnd(off);
  if (dup <= 1) { range(s, off, end); return; }
  room(<i32>(end - off) + 24);
  const start = pos;
  range(s, off, end);
  byte(0x5f); byte(0x5f); byte(0x5f);
  uint(dup);
  if (pos - start > MAX_DUP_NAME) pos = start + MAX_DUP_NAME;
}

function spend(lines: u32): void {
  budget -= lines;
  if (budget < 0) hostFail(E_TOO_LARGE, 0, 0);
}

function tooDeep(id: u32): void {
  hostFail(E_TOO_DEEP, id, 0);
}

// ---- ordering ----

function enqueue(id: u32): void {
  if (queueLen === queueCap) {
    queue = realloc(queue, <usize>queueCap << 2, <usize>queueCap << 3);
    queueCap *= 2;
  }
  store<u32>(queue + (<usize>(queueLen++) << 2), id);
}

function orderType(id: u32, throughPtr: bool): i32 {
  const state = getU8(orderState, id);
  if (state === 2) return 1;
  const r = REC(id);
  const info = W(r + 1);
  const kind = (info >>> 24) & 0x7f;
  if (state === 1) {
    if ((kind === 4 || kind === 5) && throughPtr && W(r) !== 0) return 0;
    hostFail(E_CYCLE, id, 0);
  }
  if (++nesting > MAX_NESTING) tooDeep(id);
  let result: i32 = 0;
  switch (kind) {
    case 1: case 16:
      setU8(orderState, id, 2);
      break;
    case 2: {
      const t = W(r + 2);
      result = getU8(orderState, t) === 2 ? 1 : orderType(t, true);
      setU8(orderState, id, 2);
      break;
    }
    case 3: {
      const t = W(r + 3);
      result = getU8(orderState, t) === 2 ? 1 : orderType(t, false);
      break;
    }
    case 4: case 5: {
      if (throughPtr && W(r) !== 0) break;
      setU8(orderState, id, 1);
      const end = r + 3 + 3 * (info & 0xffffff);
      for (let p = r + 4; p < end; p += 3) {
        const t = W(p);
        if (getU8(orderState, t) !== 2) orderType(t, false);
      }
      if (W(r) !== 0) enqueue(id);
      setU8(orderState, id, 2);
      result = 1;
      break;
    }
    case 6: case 19: case 7:
      if (W(r) !== 0 || (getU8(flags, id) & 4) === 0) enqueue(id);
      setU8(orderState, id, 2);
      result = 1;
      break;
    case 8: {
      const t = W(r + 2);
      const strong = getU8(orderState, t) === 2 ? 1 : orderType(t, throughPtr);
      if (throughPtr && strong === 0) break;
      enqueue(id);
      setU8(orderState, id, 2);
      result = 1;
      break;
    }
    case 9: case 10: case 11: case 18: {
      const t = W(r + 2);
      result = getU8(orderState, t) === 2 ? 1 : orderType(t, throughPtr);
      break;
    }
    case 13: {
      const t = W(r + 2);
      result = getU8(orderState, t) === 2 ? 1 : orderType(t, throughPtr);
      const end = r + 3 + 2 * (info & 0xffffff);
      for (let p = r + 4; p < end; p += 2) {
        const pt = W(p);
        if ((getU8(orderState, pt) === 2 ? 1 : orderType(pt, throughPtr)) > 0) result = 1;
      }
      break;
    }
    default:
      setU8(orderState, id, 2);
      result = id < curId ? 1 : 0;
      break;
  }
  nesting--;
  return result;
}

// ---- emitting ----

function skipToEmittable(id: u32): u32 {
  const start = id;
  for (let hops = 0; hops < 64 && id !== 0; hops++) {
    const r = REC(id);
    const kind = (W(r + 1) >>> 24) & 0x7f;
    if (kind === 2 || kind === 10 || kind === 9 || kind === 11 || kind === 18) {
      id = W(r + 2);
    } else if (kind === 3) {
      id = W(r + 3);
    } else {
      break;
    }
  }
  setI32(skipMemo, start, <i32>id + 1);
  return id;
}

function emitType(id: u32, contId: u32): void {
  const state = getU8(emitState, id);
  if (state === 2) return;
  const r = REC(id);
  const info = W(r + 1);
  const kind = (info >>> 24) & 0x7f;

  if (state === 1) {
    if ((getU8(flags, id) & 1) !== 0) return;
    if (kind === 4 || kind === 5) {
      if (id === contId) return;
      if (W(r) === 0) return;
      emitStructFwd(id, kind);
      litStr(";\n\n");
      setU8(flags, id, getU8(flags, id) | 1);
    } else if (kind === 8) {
      if (!isBlacklisted(id)) {
        emitTypedefDef(id, 0);
        litStr(";\n\n");
      }
      setU8(flags, id, getU8(flags, id) | 1);
    }
    return;
  }

  if (++nesting > MAX_NESTING) tooDeep(id);
  switch (kind) {
    case 1:
      emitMissingAliases(id);
      setU8(emitState, id, 2);
      break;
    case 6: case 19:
      if (contId === 0) {
        emitEnumDef(id, 0);
        litStr(";\n\n");
      }
      setU8(emitState, id, 2);
      break;
    case 2: case 9: case 10: case 11: case 18:
      emitType(W(r + 2), contId);
      break;
    case 3:
      emitType(W(r + 3), contId);
      break;
    case 7:
      emitFwdDef(id);
      litStr(";\n\n");
      setU8(emitState, id, 2);
      break;
    case 8: {
      setU8(emitState, id, 1);
      const t = skipToEmittable(W(r + 2));
      if (getU8(emitState, t) !== 2) emitType(t, id);
      if ((getU8(flags, id) & 1) === 0 && !isBlacklisted(id)) {
        emitTypedefDef(id, 0);
        litStr(";\n\n");
      }
      setU8(emitState, id, 2);
      break;
    }
    case 4: case 5: {
      setU8(emitState, id, 1);
      const named = W(r) !== 0;
      if (contId === 0 || !named) {
        const newCont = named ? id : contId;
        spend(info & 0xffffff);
        const end = r + 3 + 3 * (info & 0xffffff);
        for (let p = r + 4; p < end; p += 3) {
          let t = W(p);
          const m = getI32(skipMemo, t);
          t = m !== 0 ? <u32>(m - 1) : skipToEmittable(t);
          if (getU8(emitState, t) !== 2) emitType(t, newCont);
        }
      } else if ((getU8(flags, id) & 1) === 0 && id !== contId) {
        emitStructFwd(id, kind);
        litStr(";\n\n");
        setU8(flags, id, getU8(flags, id) | 1);
      }
      if (contId === 0) {
        emitStructDef(id, 0);
        litStr(";\n\n");
        setU8(emitState, id, 2);
      } else {
        setU8(emitState, id, 0);
      }
      break;
    }
    case 13: {
      let t = skipToEmittable(W(r + 2));
      if (getU8(emitState, t) !== 2) emitType(t, contId);
      const end = r + 3 + 2 * (info & 0xffffff);
      for (let p = r + 4; p < end; p += 2) {
        t = skipToEmittable(W(p));
        if (getU8(emitState, t) !== 2) emitType(t, contId);
      }
      break;
    }
    default:
      break;
  }
  nesting--;
}

function isBlacklisted(id: u32): bool {
  const off = W(REC(id));
  return off !== 0 && nameEquals(off, "__builtin_va_list");
}

/** Is the string at `off` exactly the ASCII `t`? */
function nameEquals(off: u32, t: string): bool {
  const n = t.length;
  const p = changetype<usize>(t);
  for (let i = 0; i < n; i++) if (strByte(off + <u32>i) !== <i32>load<u16>(p + (<usize>i << 1))) return false;
  return strByte(off + <u32>n) === 0;
}

// ---- names ----

function resolveName(id: u32, names: NameCounter): u32 {
  if ((getU8(flags, id) & 2) !== 0) return load<u32>(dupNumber + (<usize>id << 2));
  const r = REC(id);
  const info = W(r + 1);
  const kind = (info >>> 24) & 0x7f;
  let n: u32 = 0;
  if (!(kind === 7 || (kind === 6 && (info & 0xffffff) === 0))) {
    const off = W(r);
    n = names.bump(off, hashRange(off, strEnd(off)));
  }
  store<u32>(dupNumber + (<usize>id << 2), n);
  setU8(flags, id, getU8(flags, id) | 2);
  return n;
}

function typeName(id: u32): void {
  const off = W(REC(id));
  if (off === 0) return;
  name(off, resolveName(id, changetype<NameCounter>(typeNames)));
}

// ---- definitions ----

function emitStructFwd(id: u32, kind: u32): void {
  if (W(REC(id)) !== 0) {
    litStr(kind === 4 ? "struct " : "union ");
    typeName(id);
  } else {
    litStr(kind === 4 ? "struct" : "union");
  }
}

function emitFwdDef(id: u32): void {
  litStr(W(REC(id) + 1) >>> 31 !== 0 ? "union " : "struct ");
  typeName(id);
}

function emitMissingAlias(off: u32, gccName: string, alias: string): bool {
  if (!nameEquals(off, gccName)) return false;
  litStr("typedef ");
  litStr(alias);
  byte(0x20);
  litStr(gccName);
  litStr(";\n\n");
  return true;
}

function emitMissingAliases(id: u32): void {
  const off = W(REC(id));
  if (off === 0) return;
  const dup = resolveName(id, changetype<NameCounter>(typeNames));
  if (dup > 1) return;
  if (emitMissingAlias(off, "__Poly8_t", "unsigned char")) return;
  if (emitMissingAlias(off, "__Poly16_t", "unsigned short")) return;
  if (emitMissingAlias(off, "__Poly64_t", "unsigned long long")) return;
  emitMissingAlias(off, "__Poly128_t", "unsigned __int128");
}

function emitTypedefDef(id: u32, lvl: i32): void {
  const r = REC(id);
  const off = W(r);
  const dup = off === 0 ? 0 : resolveName(id, changetype<NameCounter>(identNames));
  if (W(r + 2) === 0 && dup <= 1 && off !== 0 && nameEquals(off, "__gnuc_va_list")) {
    litStr("typedef __builtin_va_list __gnuc_va_list");
    return;
  }
  litStr("typedef ");
  emitTypeDecl(W(r + 2), off, dup, lvl);
}

function emitEnumDef(id: u32, lvl: i32): void {
  const r = REC(id);
  const info = W(r + 1);
  const vlen = info & 0xffffff;
  if (W(r) !== 0) {
    litStr("enum ");
    typeName(id);
  } else {
    litStr("enum");
  }
  if (vlen === 0) return;
  byte(0x20);
  byte(0x7b);
  spend(vlen);
  const signed = info >>> 31 !== 0;
  const idents = changetype<NameCounter>(identNames);
  const is64 = ((info >>> 24) & 0x7f) === 19;
  for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += is64 ? 3 : 2) {
    const off = W(p);
    const end = strEnd(off);
    const h = hashRange(off, end);
    newline(lvl + 1);
    range(s, off, end);
    const dup = idents.bump(off, h);
    if (dup > 1) {
      byte(0x5f); byte(0x5f); byte(0x5f);
      uint(dup);
    }
    litStr(" = ");
    if (!is64) {
      int(signed ? <i64><i32>W(p + 1) : <i64>W(p + 1));
      byte(0x2c);
    } else {
      const v = (<u64>W(p + 2) << 32) | <u64>W(p + 1);
      if (signed) int(<i64>v); else uint(v);
      litStr(signed ? "LL," : "ULL,");
    }
  }
  newline(lvl);
  byte(0x7d);
}

function isStructPacked(r: u32, vlen: u32, kflag: bool): bool {
  let maxAlign: u32 = 1;
  for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += 3) {
    const t = W(p + 1);
    const c = getU8(alignCache, t);
    const align = c !== 0 ? <i32>c - 1 : alignOf(t);
    const raw = W(p + 2);
    if (align !== 0 && (kflag ? raw >>> 24 : 0) === 0 && raw % (8 * <u32>align) !== 0) return true;
    if (<u32>align > maxAlign) maxAlign = <u32>align;
  }
  return W(r + 2) % maxAlign !== 0;
}

function emitStructDef(id: u32, lvl: i32): void {
  if (++nesting > MAX_NESTING) tooDeep(id);
  const r = REC(id);
  const info = W(r + 1);
  const kind = (info >>> 24) & 0x7f;
  const isStruct = kind === 4;
  const vlen = info & 0xffffff;
  const kflag = info >>> 31 !== 0;
  const size = W(r + 2);
  const packed = isStruct ? isStructPacked(r, vlen, kflag) : false;
  spend(vlen + 2);

  emitStructFwd(id, kind);
  byte(0x20);
  byte(0x7b);
  const indent = min(lvl + 1, MAX_INDENT);
  let off: i32 = 0;
  let prevBitfield = false;
  for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += 3) {
    const mType = W(p + 1);
    const raw = W(p + 2);
    const mBits = kflag ? raw >>> 24 : 0;
    const mOff = <i32>(kflag ? raw & 0xffffff : raw);
    if (off < mOff) {
      let mAlign: i32 = 1;
      if (!packed) {
        const c = getU8(alignCache, mType);
        mAlign = c !== 0 ? <i32>c - 1 : alignOf(mType);
      }
      emitBitPadding(off, mOff, mAlign, prevBitfield && mBits !== 0, lvl + 1);
    }
    const nameOff = W(p);
    const a = getI32(tplA, mType);
    const nameEnd = a > 0 ? strEnd(nameOff) : nameOff;
    if (nameEnd !== nameOff && <i32>(nameEnd - nameOff) < DECL_ROOM) {
      const b = getI32(tplB, mType);
      const c = getI32(tplC, mType);
      room(indent + (c - a) + <i32>(nameEnd - nameOff) + 32);
      let q = pos;
      store<u8>(buf + <usize>(q++), 0x0a);
      for (let k = 0; k < indent; k++) store<u8>(buf + <usize>(q++), 0x09);
      memory.copy(buf + <usize>q, tpl + <usize>(a - 1), <usize>(b - (a - 1)));
      q += b - (a - 1);
      memory.copy(buf + <usize>q, s + <usize>nameOff, <usize>(nameEnd - nameOff));
      q += <i32>(nameEnd - nameOff);
      memory.copy(buf + <usize>q, tpl + <usize>b, <usize>(c - b));
      pos = q + (c - b);
    } else {
      newline(lvl + 1);
      emitTypeDecl(mType, nameOff, 0, lvl + 1);
      room(32);
    }
    if (mBits !== 0) {
      store<u8>(buf + <usize>(pos++), 0x3a);
      store<u8>(buf + <usize>(pos++), 0x20);
      if (mBits < 10) store<u8>(buf + <usize>(pos++), <u8>(0x30 + mBits));
      else uint(mBits);
      off = mOff + <i32>mBits;
      prevBitfield = true;
    } else {
      const sc = getI32(sizeCache, mType);
      const mSize = <i32>max<i64>(0, sc !== 0 ? <i64>(sc - 2) : resolveSize(mType));
      off = mOff + mSize * 8;
      prevBitfield = false;
    }
    store<u8>(buf + <usize>(pos++), 0x3b);
  }
  if (isStruct) {
    const end = <i32>size * 8;
    if (off < end) {
      const c = getU8(alignCache, id);
      emitBitPadding(off, end, c !== 0 ? <i32>c - 1 : alignOf(id), false, lvl + 1);
    }
  }
  if (vlen !== 0 || size !== 0) newline(lvl);
  byte(0x7d);
  if (packed) litStr(" __attribute__((packed))");
  nesting--;
}

function padBitsOf(i: i32, longBits: i64): i64 {
  return i === 0 ? longBits : <i64>(32 >> (i - 1));
}

function emitBitPadding(cur32: i32, next32: i32, nextAlign: i32, inBitfield: bool, lvl: i32): void {
  let cur = <i64>cur32;
  const next = <i64>next32;
  if (cur >= next) return;
  const longBits = <i64>ptrSize * 8;
  let pad: i32 = 3;
  let padBits: i64 = 8;
  let newOff: i64 = 0;
  for (let i = 0; i < 4; i++) {
    pad = i;
    padBits = padBitsOf(i, longBits);
    newOff = roundUp(cur, padBits);
    if (newOff <= next) break;
  }
  if (newOff > cur && newOff <= next) {
    let marker = inBitfield;
    if (!marker && newOff === next) {
      if (nextAlign === 0) hostFail(E_NO_ALIGN, 0, 0);
      marker = roundUp(cur, <i64>nextAlign * 8) !== newOff;
    }
    if (!marker && newOff !== next) marker = next - newOff <= newOff - cur;
    if (marker) emitPad(pad, inBitfield ? newOff - cur : 0, lvl);
    cur = newOff;
  }
  while (cur !== next) {
    const bits = min<i64>(next - cur, padBits);
    if (bits === padBits) {
      emitPad(pad, padBits, lvl);
      cur += bits;
      continue;
    }
    for (let i = 3; i >= 0; i--) {
      pad = i;
      padBits = padBitsOf(i, longBits);
      if (padBits < bits) continue;
      emitPad(pad, bits, lvl);
      cur += bits;
      break;
    }
  }
}

function emitPad(pad: i32, bits: i64, lvl: i32): void {
  spend(1);
  newline(lvl);
  litStr(pad === 0 ? "long" : pad === 1 ? "int" : pad === 2 ? "short" : "char");
  byte(0x3a);
  byte(0x20);
  int(bits);
  byte(0x3b);
}

// ---- sizes and alignment ----

/** Size in bytes, or -1 when libbpf's btf__resolve_size fails. Memoized. */
function resolveSize(id: u32): i64 {
  const start = id;
  let nelems: u64 = 1;
  let size: i64 = -1;
  for (let i = 0; i < MAX_RESOLVE_DEPTH && id !== 0; i++) {
    const r = REC(id);
    const kind = (W(r + 1) >>> 24) & 0x7f;
    if (kind === 1 || kind === 4 || kind === 5 || kind === 6 || kind === 19 || kind === 15 || kind === 16) {
      size = <i64>W(r + 2);
      break;
    }
    if (kind === 2) { size = <i64>ptrSize; break; }
    if (kind === 8 || kind === 9 || kind === 10 || kind === 11 || kind === 14 || kind === 17 || kind === 18) {
      id = W(r + 2);
    } else if (kind === 3) {
      const n = <u64>W(r + 5);
      if (nelems !== 0 && n > 0xffffffff / nelems) { size = -1; nelems = 1; break; }
      nelems *= n;
      id = W(r + 3);
    } else {
      break;
    }
  }
  let result: i64 = -1;
  if (size >= 0 && !(nelems !== 0 && <u64>size > 0xffffffff / nelems)) result = <i64>nelems * size;
  if (result <= 0x7ffffffd) setI32(sizeCache, start, <i32>(result + 2));
  return result;
}

/** Alignment in bytes, 0 where libbpf's btf__align_of fails. Memoized. */
function alignOf(id: u32): i32 {
  if (id === 0) return 0;
  const cached = getU8(alignCache, id);
  if (cached !== 0) return <i32>cached - 1;
  if (++nesting > MAX_NESTING) tooDeep(id);
  const r = REC(id);
  const info = W(r + 1);
  let align: i32;
  switch ((info >>> 24) & 0x7f) {
    case 1: case 6: case 19: case 16:
      align = <i32>min<u32>(ptrSize, W(r + 2));
      break;
    case 2:
      align = <i32>ptrSize;
      break;
    case 8: case 9: case 10: case 11: case 18:
      align = alignOf(W(r + 2));
      break;
    case 3:
      align = alignOf(W(r + 3));
      break;
    case 4: case 5: {
      const vlen = info & 0xffffff;
      const kflag = info >>> 31 !== 0;
      let maxAlign: i32 = 1;
      align = -1;
      for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += 3) {
        const a = alignOf(W(p + 1));
        if (a <= 0) { align = a; break; }
        if (a > maxAlign) maxAlign = a;
        const raw = W(p + 2);
        if ((kflag ? raw >>> 24 : 0) === 0 && raw % (8 * <u32>a) !== 0) { align = 1; break; }
      }
      if (align < 0) align = W(r + 2) % <u32>maxAlign !== 0 ? 1 : maxAlign;
      break;
    }
    default:
      align = 0;
      break;
  }
  nesting--;
  setU8(alignCache, id, <u32>(align + 1));
  return align;
}

// ---- declarations ----

function emitTypeDecl(id: u32, fnameOff: u32, fdup: u32, lvl: i32): void {
  const named = strByte(fnameOff) !== 0;
  const a = named ? getI32(tplA, id) : getI32(tplUA, id);
  if (a > 0) {
    if (named) {
      const b = getI32(tplB, id);
      range(tpl, <u32>(a - 1), <u32>b);
      name(fnameOff, fdup);
      range(tpl, <u32>b, <u32>getI32(tplC, id));
    } else {
      range(tpl, <u32>(a - 1), <u32>getI32(tplUC, id));
    }
  } else if (a < 0) {
    renderTypeDecl(id, fnameOff, fdup, lvl);
  } else {
    firstTypeDecl(id, fnameOff, fdup, lvl, named);
  }
}

function firstTypeDecl(id: u32, fnameOff: u32, fdup: u32, lvl: i32, named: bool): void {
  room(DECL_ROOM);
  const start = pos;
  const flushesBefore = flushes;
  const anonDefsBefore = anonDefs;
  let nameStart: i32;
  let nameEnd: i32;
  const simple = named ? simpleDecl(id) : -1;
  if (simple >= 0) {
    emitNamedType(<u32>simple);
    if (<u32>simple !== id) {
      byte(0x20);
      byte(0x2a);
    } else {
      byte(0x20);
    }
    nameStart = pos;
    name(fnameOff, fdup);
    nameEnd = pos;
  } else {
    const f = renderTypeDecl(id, fnameOff, fdup, lvl);
    if (anonDefs !== anonDefsBefore) {
      if (named) setI32(tplA, id, -1);
      else setI32(tplUA, id, -1);
      return;
    }
    nameStart = getI32(frameName, f);
    nameEnd = getI32(frameNameEnd, f);
    if (named && nameStart < 0) return;
  }
  if (flushes !== flushesBefore) return;
  const end = pos;
  const len = named ? end - start - (nameEnd - nameStart) : end - start;
  if (tplLen + len > tplCap) {
    const cap = max(tplCap * 2, tplLen + len);
    tpl = realloc(tpl, <usize>tplLen, <usize>cap);
    tplCap = cap;
  }
  let q = tplLen;
  if (named) {
    setI32(tplA, id, q + 1);
    memory.copy(tpl + <usize>q, buf + <usize>start, <usize>(nameStart - start));
    q += nameStart - start;
    setI32(tplB, id, q);
    memory.copy(tpl + <usize>q, buf + <usize>nameEnd, <usize>(end - nameEnd));
    q += end - nameEnd;
    setI32(tplC, id, q);
  } else {
    setI32(tplUA, id, q + 1);
    memory.copy(tpl + <usize>q, buf + <usize>start, <usize>(end - start));
    q += end - start;
    setI32(tplUC, id, q);
  }
  tplLen = q;
}

function simpleDecl(id: u32): i32 {
  if (id === 0) return -1;
  let r = REC(id);
  let kind = (W(r + 1) >>> 24) & 0x7f;
  let t = id;
  if (kind === 2) {
    t = W(r + 2);
    if (t === 0) return 0;
    r = REC(t);
    kind = (W(r + 1) >>> 24) & 0x7f;
  }
  switch (kind) {
    case 1: case 16: case 8: case 7:
      return <i32>t;
    case 4: case 5: case 6: case 19:
      return W(r) !== 0 ? <i32>t : -1;
    default:
      return -1;
  }
}

function emitNamedType(id: u32): void {
  if (id === 0) { litStr("void"); return; }
  const r = REC(id);
  const kind = (W(r + 1) >>> 24) & 0x7f;
  switch (kind) {
    case 1: case 16:
      str(W(r));
      break;
    case 4: case 5:
      emitStructFwd(id, kind);
      break;
    case 6: case 19:
      litStr("enum ");
      typeName(id);
      break;
    case 7:
      emitFwdDef(id);
      break;
    default: {
      const off = W(r);
      if (off !== 0) name(off, resolveName(id, changetype<NameCounter>(identNames)));
    }
  }
}

function renderTypeDecl(id: u32, fnameOff: u32, fdup: u32, lvl: i32): i32 {
  if (++nesting > MAX_NESTING) tooDeep(id);
  const start = declLen;
  for (let hops = 0; ; hops++) {
    if (hops > MAX_NESTING) tooDeep(id);
    if (declLen === declCap) {
      declStack = realloc(declStack, <usize>declCap << 2, <usize>declCap << 3);
      declCap *= 2;
    }
    store<u32>(declStack + (<usize>(declLen++) << 2), id);
    if (id === 0) break;
    const r = REC(id);
    const kind = (W(r + 1) >>> 24) & 0x7f;
    if (kind === 2 || kind === 9 || kind === 10 || kind === 11 || kind === 13 || kind === 18) {
      id = W(r + 2);
    } else if (kind === 3) {
      id = W(r + 3);
    } else {
      break;
    }
  }
  const f = ++frameTop;
  if (f === frameCap) growFrames();
  setI32(frameStart, f, <i32>start);
  setI32(frameCnt, f, <i32>(declLen - start));
  setI32(frameName, f, -1);
  emitTypeChain(f, fnameOff, fdup, lvl);
  frameTop--;
  declLen = start;
  nesting--;
  return f;
}

function growFrames(): void {
  const old = <usize>frameCap << 2;
  frameStart = realloc(frameStart, old, old * 2);
  frameCnt = realloc(frameCnt, old, old * 2);
  frameName = realloc(frameName, old, old * 2);
  frameNameEnd = realloc(frameNameEnd, old, old * 2);
  frameCap *= 2;
}

function peek(f: i32): i64 {
  const cnt = getI32(frameCnt, f);
  return cnt === 0 ? -1 : <i64>load<u32>(declStack + (<usize>(getI32(frameStart, f) + cnt - 1) << 2));
}

function emitMods(f: i32): void {
  for (;;) {
    const id = peek(f);
    if (id <= 0) return;
    const kind = (W(REC(<u32>id) + 1) >>> 24) & 0x7f;
    if (kind === 9) litStr("volatile ");
    else if (kind === 10) litStr("const ");
    else if (kind === 11) litStr("restrict ");
    else return;
    setI32(frameCnt, f, getI32(frameCnt, f) - 1);
  }
}

function dropMods(f: i32): void {
  for (;;) {
    const id = peek(f);
    if (id <= 0) return;
    const kind = (W(REC(<u32>id) + 1) >>> 24) & 0x7f;
    if (kind !== 9 && kind !== 10 && kind !== 11 && kind !== 18) return;
    setI32(frameCnt, f, getI32(frameCnt, f) - 1);
  }
}

function emitDeclName(f: i32, fnameOff: u32, fdup: u32, lastWasPtr: bool): void {
  if (strByte(fnameOff) === 0) return;
  if (!lastWasPtr) byte(0x20);
  setI32(frameName, f, pos);
  name(fnameOff, fdup);
  setI32(frameNameEnd, f, pos);
}

function emitTypeChain(f: i32, fnameOff: u32, fdup: u32, lvl: i32): void {
  let lastWasPtr = true;
  while (getI32(frameCnt, f) > 0) {
    const cnt = getI32(frameCnt, f) - 1;
    setI32(frameCnt, f, cnt);
    const id = load<u32>(declStack + (<usize>(getI32(frameStart, f) + cnt) << 2));
    if (id === 0) {
      emitMods(f);
      litStr("void");
      lastWasPtr = false;
      continue;
    }
    const r = REC(id);
    const info = W(r + 1);
    const kind = (info >>> 24) & 0x7f;
    switch (kind) {
      case 1: case 16:
        emitMods(f);
        str(W(r));
        break;
      case 4: case 5:
        emitMods(f);
        if (W(r) === 0) {
          anonDefs++;
          emitStructDef(id, lvl);
        } else {
          emitStructFwd(id, kind);
        }
        break;
      case 6: case 19:
        emitMods(f);
        if (W(r) === 0) {
          anonDefs++;
          emitEnumDef(id, lvl);
        } else {
          litStr("enum ");
          typeName(id);
        }
        break;
      case 7:
        emitMods(f);
        emitFwdDef(id);
        break;
      case 8: {
        emitMods(f);
        const off = W(r);
        if (off !== 0) name(off, resolveName(id, changetype<NameCounter>(identNames)));
        break;
      }
      case 2:
        if (!lastWasPtr) byte(0x20);
        byte(0x2a);
        break;
      case 9:
        litStr(" volatile");
        break;
      case 10:
        litStr(" const");
        break;
      case 11:
        litStr(" restrict");
        break;
      case 18:
        emitMods(f);
        litStr(" __attribute__((btf_type_tag(\"");
        str(W(r));
        litStr("\")))");
        break;
      case 3: {
        const nelems = W(r + 5);
        dropMods(f);
        if (getI32(frameCnt, f) === 0) {
          emitDeclName(f, fnameOff, fdup, lastWasPtr);
          emitDim(nelems);
          return;
        }
        const next = peek(f);
        const multidim = next > 0 && ((W(REC(<u32>next) + 1) >>> 24) & 0x7f) === 3;
        if (strByte(fnameOff) !== 0 && !lastWasPtr) byte(0x20);
        if (!multidim) byte(0x28);
        emitTypeChain(f, fnameOff, fdup, lvl);
        if (!multidim) byte(0x29);
        emitDim(nelems);
        return;
      }
      case 13: {
        dropMods(f);
        if (getI32(frameCnt, f) > 0) {
          byte(0x20);
          byte(0x28);
          emitTypeChain(f, fnameOff, fdup, lvl);
          byte(0x29);
        } else {
          emitDeclName(f, fnameOff, fdup, lastWasPtr);
        }
        emitParams(r, info & 0xffffff, lvl);
        return;
      }
      default:
        return;
    }
    lastWasPtr = kind === 2;
  }
  emitDeclName(f, fnameOff, fdup, lastWasPtr);
}

function emitParams(r: u32, vlen: u32, lvl: i32): void {
  byte(0x28);
  if (vlen === 0 || (vlen === 1 && W(r + 4) === 0)) {
    litStr("void)");
    return;
  }
  for (let i: u32 = 0, p = r + 3; i < vlen; i++, p += 2) {
    if (i > 0) { byte(0x2c); byte(0x20); }
    if (i === vlen - 1 && W(p + 1) === 0) {
      litStr("...");
      break;
    }
    emitTypeDecl(W(p + 1), W(p), 0, lvl);
  }
  byte(0x29);
}

function emitDim(nelems: u32): void {
  byte(0x5b);
  uint(nelems);
  byte(0x5d);
}

const HEADER = "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n";
const FOOTER = "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n";
