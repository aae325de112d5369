/**
 * A small byte-output buffer shared by the dumpers.
 *
 * Text is produced straight into one reused buffer (64 KiB by default) and handed to a
 * {@link ByteSink} whenever it fills up, so a dump of a 12 MB text never builds a string:
 * names are copied byte for byte from string tables and numbers are formatted digit by digit.
 *
 * Two levels of API:
 * - {@link ByteWriter}'s methods (`bytes`, `ascii`, `utf8`, `u32`, `s64`, ...) make room for what
 *   they write, so callers never think about capacity.
 * - The `put*` functions write at a position of a buffer and return the new position, without
 *   any check. Hot loops keep the position in a local, call {@link ByteWriter.drain} when it passes
 *   a limit of their choosing, and stay below {@link ByteWriter.slack} bytes between two checks.
 *
 * @packageDocumentation
 */

/** Sink for output bytes; a chunk is only valid during the call (buffers are reused). */
export type ByteSink = (chunk: Uint8Array) => void;

/** Default chunk size of a {@link ByteWriter}. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

/** Bytes kept free past the chunk size, for the unchecked `put*` writes of a hot loop. */
const SLACK = 1024;

const utf8Encoder = new TextEncoder();

/** `"00" "01" ... "99"`: two ASCII digits per value. */
const DIGIT_PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[2 * i] = 48 + Math.floor(i / 10);
    t[2 * i + 1] = 48 + (i % 10);
  }
  return t;
})();

/** The bytes of an ASCII literal, for writing with {@link ByteWriter.bytes} or {@link putBytes}. */
export function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0x7f;
  return b;
}

/** Write `src` at `pos`; returns the new position. No capacity check. */
export function putBytes(buf: Uint8Array, pos: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 64) {
    buf.set(src, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) buf[pos + i] = src[i]!;
  return pos + n;
}

/**
 * Write an unsigned 32-bit integer in decimal (`%u`, at most 10 bytes). No capacity check.
 *
 * Straight-line code for each number of digits, two digits per table lookup, and divisions
 * by constants on small integers (which compile to multiplications). It is one out-of-line
 * function on purpose: it is too big for TurboFan to inline into each of its many call sites,
 * so it is compiled once, which matters for a dump that runs once per process.
 */
export function putU32(buf: Uint8Array, pos: number, n: number): number {
  const D = DIGIT_PAIRS;
  if (n < 100) {
    if (n < 10) {
      buf[pos] = 48 + n;
      return pos + 1;
    }
    buf[pos] = D[2 * n]!;
    buf[pos + 1] = D[2 * n + 1]!;
    return pos + 2;
  }
  if (n < 10000) {
    const hi = (n / 100) | 0;
    const lo = 2 * (n - hi * 100);
    if (hi < 10) {
      buf[pos] = 48 + hi;
      pos += 1;
    } else {
      buf[pos] = D[2 * hi]!;
      buf[pos + 1] = D[2 * hi + 1]!;
      pos += 2;
    }
    buf[pos] = D[lo]!;
    buf[pos + 1] = D[lo + 1]!;
    return pos + 2;
  }
  if (n < 100000000) {
    // 5 to 8 digits: the high part (1 to 4 digits), then four digits.
    const hi = (n / 10000) | 0;
    const lo = n - hi * 10000;
    if (hi < 100) {
      if (hi < 10) {
        buf[pos] = 48 + hi;
        pos += 1;
      } else {
        buf[pos] = D[2 * hi]!;
        buf[pos + 1] = D[2 * hi + 1]!;
        pos += 2;
      }
    } else {
      const h1 = (hi / 100) | 0;
      const h2 = 2 * (hi - h1 * 100);
      if (h1 < 10) {
        buf[pos] = 48 + h1;
        pos += 1;
      } else {
        buf[pos] = D[2 * h1]!;
        buf[pos + 1] = D[2 * h1 + 1]!;
        pos += 2;
      }
      buf[pos] = D[h2]!;
      buf[pos + 1] = D[h2 + 1]!;
      pos += 2;
    }
    const l1 = (lo / 100) | 0;
    const l2 = 2 * (lo - l1 * 100);
    buf[pos] = D[2 * l1]!;
    buf[pos + 1] = D[2 * l1 + 1]!;
    buf[pos + 2] = D[l2]!;
    buf[pos + 3] = D[l2 + 1]!;
    return pos + 4;
  }
  // 9 or 10 digits: the high part (1 to 42), then eight digits. (`| 0` truncates: n < 2^32.)
  const hi = (n / 100000000) | 0;
  let lo = n - hi * 100000000;
  if (hi < 10) {
    buf[pos] = 48 + hi;
    pos += 1;
  } else {
    buf[pos] = D[2 * hi]!;
    buf[pos + 1] = D[2 * hi + 1]!;
    pos += 2;
  }
  for (let p = pos + 6; p >= pos; p -= 2) {
    const q = (lo / 100) | 0;
    const r = 2 * (lo - q * 100);
    buf[p] = D[r]!;
    buf[p + 1] = D[r + 1]!;
    lo = q;
  }
  return pos + 8;
}

/** Write a signed 32-bit integer in decimal (`%d`, at most 11 bytes). No capacity check. */
export function putS32(buf: Uint8Array, pos: number, n: number): number {
  if (n >= 0) return putU32(buf, pos, n);
  buf[pos] = 0x2d;
  return putU32(buf, pos + 1, -n);
}

/**
 * Write an unsigned 64-bit integer given as two u32 halves, in decimal (`%llu`, at most 20
 * bytes). No capacity check.
 */
export function putU64(buf: Uint8Array, pos: number, hi: number, lo: number): number {
  if (hi === 0) return putU32(buf, pos, lo);
  // Long division by 10^4 over four 16-bit limbs; every intermediate stays below 2^30.
  let l3 = hi >>> 16;
  let l2 = hi & 0xffff;
  let l1 = lo >>> 16;
  let l0 = lo & 0xffff;
  const groups: number[] = [];
  while (l3 !== 0 || l2 !== 0 || l1 !== 0 || l0 !== 0) {
    let r = l3;
    l3 = Math.floor(r / 10000); r -= l3 * 10000;
    r = r * 65536 + l2;
    l2 = Math.floor(r / 10000); r -= l2 * 10000;
    r = r * 65536 + l1;
    l1 = Math.floor(r / 10000); r -= l1 * 10000;
    r = r * 65536 + l0;
    l0 = Math.floor(r / 10000); r -= l0 * 10000;
    groups.push(r);
  }
  // The most significant group without leading zeros, the others as four digits each.
  let p = putU32(buf, pos, groups[groups.length - 1]!);
  for (let i = groups.length - 2; i >= 0; i--) {
    const v = groups[i]!;
    const hi2 = Math.floor(v / 100) * 2;
    const lo2 = (v % 100) * 2;
    buf[p] = DIGIT_PAIRS[hi2]!;
    buf[p + 1] = DIGIT_PAIRS[hi2 + 1]!;
    buf[p + 2] = DIGIT_PAIRS[lo2]!;
    buf[p + 3] = DIGIT_PAIRS[lo2 + 1]!;
    p += 4;
  }
  return p;
}

/**
 * Write a signed 64-bit integer given as two u32 halves of its two's complement, in decimal
 * (`%lld`, at most 20 bytes). No capacity check.
 */
export function putS64(buf: Uint8Array, pos: number, hi: number, lo: number): number {
  if ((hi & 0x80000000) === 0) return putU64(buf, pos, hi, lo);
  // Negate: ~x + 1 over the two halves.
  let nlo = (~lo >>> 0) + 1;
  let nhi = ~hi >>> 0;
  if (nlo > 0xffffffff) {
    nlo = 0;
    nhi = (nhi + 1) >>> 0;
  }
  buf[pos] = 0x2d;
  return putU64(buf, pos + 1, nhi, nlo);
}

/**
 * Appends bytes to a reused buffer and hands full chunks to a sink. Call {@link flush} at the
 * end.
 */
export class ByteWriter {
  /**
   * The buffer: {@link chunkSize} bytes plus {@link slack} bytes of headroom. Bytes `[0, pos)`
   * are pending.
   */
  readonly buf: Uint8Array;
  /** Pending bytes. Code that writes with the `put*` functions keeps this up to date. */
  pos = 0;
  /** A chunk is handed to the sink once this many bytes are pending. */
  readonly chunkSize: number;
  /** Headroom past {@link chunkSize}: unchecked writes may go this far past a check. */
  readonly slack = SLACK;
  private written = 0;

  constructor(private readonly sink: ByteSink, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.chunkSize = Math.max(64, Math.floor(chunkSize) || 0);
    this.buf = new Uint8Array(this.chunkSize + SLACK);
  }

  /** Bytes written so far, flushed or not. */
  get length(): number {
    return this.written + this.pos;
  }

  /** Hand the pending bytes to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    const n = this.pos;
    this.pos = 0;
    this.written += n;
    this.sink(this.buf.subarray(0, n));
  }

  /**
   * For `put*` writers: hand bytes `[0, pos)` to the sink and return the new position (0).
   * Use as `if (pos > limit) pos = w.drain(pos)`.
   */
  drain(pos: number): number {
    this.pos = pos;
    this.flush();
    return 0;
  }

  /** Make sure `n` more bytes fit (`n` at most {@link slack}). */
  private room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }

  /** One byte. */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.flush();
    this.buf[this.pos++] = c;
  }

  /** A whole byte array (usually a constant made by {@link asciiBytes}). */
  bytes(b: Uint8Array): void {
    this.range(b, 0, b.length);
  }

  /** Bytes `[start, end)` of `src`, in several chunks if needed. */
  range(src: Uint8Array, start: number, end: number): void {
    while (start < end) {
      if (this.pos >= this.chunkSize) this.flush();
      const n = Math.min(end - start, this.buf.length - this.pos);
      this.buf.set(src.subarray(start, start + n), this.pos);
      this.pos += n;
      start += n;
    }
  }

  /**
   * The NUL-terminated string at `start` in `src` (without the NUL), reading no further than
   * `end`. Returns the number of bytes copied.
   */
  cString(src: Uint8Array, start: number, end: number): number {
    let e = start;
    while (e < end && src[e] !== 0) e++;
    this.range(src, start, e);
    return e - start;
  }

  /** An ASCII string (each UTF-16 code unit below 0x80 written as one byte; use {@link utf8} otherwise). */
  ascii(s: string): void {
    const n = s.length;
    let i = 0;
    while (i < n) {
      if (this.pos >= this.chunkSize) this.flush();
      const buf = this.buf;
      let p = this.pos;
      const stop = Math.min(n, i + (buf.length - p));
      for (; i < stop; i++) buf[p++] = s.charCodeAt(i) & 0x7f;
      this.pos = p;
    }
  }

  /** Any string, UTF-8 encoded (lone surrogates become U+FFFD, as with TextEncoder). */
  utf8(s: string): void {
    const n = s.length;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      if (this.pos >= this.buf.length) this.flush();
      this.buf[this.pos++] = c;
    }
    if (i === n) return;
    const rest = utf8Encoder.encode(s.slice(i));
    this.range(rest, 0, rest.length);
  }

  /** An unsigned 32-bit integer in decimal (`%u`). */
  u32(n: number): void {
    this.room(10);
    this.pos = putU32(this.buf, this.pos, n);
  }

  /** A signed 32-bit integer in decimal (`%d`). */
  s32(n: number): void {
    this.room(11);
    this.pos = putS32(this.buf, this.pos, n);
  }

  /** An unsigned 64-bit integer given as two u32 halves, in decimal (`%llu`). */
  u64(hi: number, lo: number): void {
    this.room(20);
    this.pos = putU64(this.buf, this.pos, hi, lo);
  }

  /** A signed 64-bit integer given as two u32 halves (two's complement), in decimal (`%lld`). */
  s64(hi: number, lo: number): void {
    this.room(20);
    this.pos = putS64(this.buf, this.pos, hi, lo);
  }

  /**
   * Any JavaScript number: integers in `[-2^32, 2^32)` digit by digit, others as `String(n)`
   * prints them (exponent form for very large values, as JSON.stringify does).
   */
  number(n: number): void {
    if (Number.isInteger(n) && n >= 0 && n <= 0xffffffff) this.u32(n);
    else if (Number.isInteger(n) && n < 0 && n >= -0xffffffff) {
      this.byte(0x2d);
      this.u32(-n);
    } else this.ascii(String(n));
  }

  /** A bigint in decimal. */
  bigint(n: bigint): void {
    this.ascii(n.toString());
  }
}
