/**
 * BTF to C: the header `bpftool btf dump file FILE format c` prints, byte for byte.
 *
 * Two engines run the same algorithm (libbpf's BTF-to-C converter, described in
 * dump-c-js.ts) and print the same bytes:
 * - a WebAssembly module, built from wasm/dump-c.ts (AssemblyScript) and embedded in
 *   dump-c-wasm.ts, used wherever WebAssembly is available;
 * - the JavaScript reference implementation in dump-c-js.ts, used everywhere else
 *   (`node --jitless`, a page whose Content-Security-Policy forbids WebAssembly, a big-endian
 *   host).
 *
 * Why two: a C dump runs once per process, and a JavaScript dumper spends most of such a run
 * in V8's unoptimized tiers: a vmlinux header (2.8 MB) takes about 90 ms cold against 30 ms
 * warm. WebAssembly is compiled before it runs (V8 compiles this 14 KB module in well under a
 * millisecond), so a cold dump runs at compiled speed: about 30 ms. The tests require both
 * engines to print the same bytes as bpftool for every kernel, and the same bytes and errors
 * as each other for every fixture and malformed input.
 *
 * @packageDocumentation
 */
import type { Btf } from './btf.js';
import { BtfkitError, ErrorCodes } from '../errors.js';
import type { ByteSink } from './out.js';
import { HOST_LITTLE_ENDIAN } from './wire.js';
import { DUMP_C_WASM_BASE64 } from './dump-c-wasm.js';
import { dumpCFailure, dumpCJs, nestedTooDeeply } from './dump-c-js.js';

export type { ByteSink } from './out.js';

/** Options of {@link dumpC}. */
export interface DumpCOptions {
  /**
   * Which engine prints: `'wasm'` (fails with `NOT_SUPPORTED` where WebAssembly is not
   * available), `'js'`, or `'auto'` (the default: WebAssembly where available). Both print
   * the same bytes; the choice exists for tests and for measuring.
   */
  readonly engine?: 'auto' | 'wasm' | 'js';
}

/**
 * Write `btf` as a C header, exactly as `bpftool btf dump file FILE format c` does (for split
 * BTF, as with `--base-btf BASE`: every base type is printed too). Output is handed to `out` in
 * chunks of at most 256 KiB, each valid only during the call.
 *
 * @throws {BtfkitError} for malformed BTF (`BTF_BAD_TYPE_ID`, `BTF_BAD_STRING_OFFSET`,
 *   `BTF_BAD_TYPE` for unknown kinds) and for type graphs C cannot express (`BTF_BAD_QUERY`:
 *   an unsatisfiable cycle, a loop of modifiers or typedefs, absurdly large output). Output
 *   written before the error has already gone to `out`.
 */
export function dumpC(btf: Btf, out: ByteSink, options: DumpCOptions = {}): void {
  const engine = options.engine ?? 'auto';
  if (engine !== 'js') {
    const module = wasmModule();
    if (module !== undefined) {
      dumpCWasm(module, btf, out);
      return;
    }
    if (engine === 'wasm') {
      throw new BtfkitError(ErrorCodes.NOT_SUPPORTED, 'btf dump c: WebAssembly is not available here (or the host is big-endian)');
    }
  }
  dumpCJs(btf, out);
}

// ---- the WebAssembly engine ----

/** The part of the WebAssembly API used here (not in lib ES2022; absent in some runtimes). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  RuntimeError: new () => Error;
}

/** What the module exports (wasm/dump-c.ts). */
interface DumperExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  prepare(lastId: number, words: number, strBytes: number, ptrBytes: number): number;
  rebase(firstId: number, count: number, typeStart: number, baseWord: number): void;
  swapWords(from: number, count: number): void;
  dump(): void;
}

/** The compiled module: undefined until first use, null where it cannot be used. */
let compiled: { api: WasmApi; module: object } | null | undefined;

function wasmModule(): { api: WasmApi; module: object } | undefined {
  if (compiled === undefined) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    compiled = null;
    // The host writes record offsets through a Uint32Array into little-endian wasm memory.
    if (api !== undefined && HOST_LITTLE_ENDIAN) {
      try {
        compiled = { api, module: new api.Module(base64Bytes(DUMP_C_WASM_BASE64)) };
      } catch {
        // WebAssembly present but compiling refused (a Content-Security-Policy, a browser limit
        // on synchronous compilation on its main thread): the JavaScript engine prints
      }
    }
  }
  return compiled ?? undefined;
}

function dumpCWasm({ api, module }: { api: WasmApi; module: object }, btf: Btf, out: ByteSink): void {
  const env = {
    flush(ptr: number, len: number): void {
      // the buffer is taken at each flush: growing the memory replaces it
      out(new Uint8Array(memory.buffer, ptr, len));
    },
    fail(code: number, id: number, arg: number): never {
      throw dumpCFailure(code, id, arg);
    },
    abort(): never {
      throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, 'btf dump c: the WebAssembly dumper stopped (out of memory?)');
    },
  };
  // One instance per dump: its memory is the dump's state, freed with it.
  const x = new api.Instance(module, { env }).exports as unknown as DumperExports;
  const memory = x.memory;

  const chain: Btf[] = [];
  for (let b: Btf | undefined = btf; b !== undefined; b = b.base) chain.unshift(b);
  let words = 0;
  let strBytes = 0;
  for (const b of chain) {
    words += b.header.typeLen >>> 2;
    strBytes += b.strLen;
  }
  const layout = x.prepare(btf.lastId, words, strBytes, btf.pointerSize());
  // prepare grew the memory: views are taken after it
  const mem = new Uint8Array(memory.buffer);
  const where = new Uint32Array(memory.buffer, layout, 3);
  const wPtr = where[0]!;
  const recPtr = where[1]!;
  const sPtr = where[2]!;
  let baseWord = 0;
  for (const b of chain) {
    const typeStart = b.header.hdrLen + b.header.typeOff;
    const n = b.header.typeLen >>> 2;
    mem.set(b.bytes.subarray(typeStart, typeStart + n * 4), wPtr + baseWord * 4);
    if (!b.littleEndian) x.swapWords(baseWord, n);
    new Uint32Array(memory.buffer, recPtr + b.startId * 4, b.offsets.length).set(b.offsets);
    x.rebase(b.startId, b.offsets.length, typeStart, baseWord);
    mem.set(b.bytes.subarray(b.strStart, b.strStart + b.strLen), sPtr + b.startStrOff);
    baseWord += n;
  }
  try {
    x.dump();
  } catch (e) {
    if (e instanceof RangeError) throw nestedTooDeeply(e);
    if (e instanceof api.RuntimeError) {
      throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `btf dump c: the WebAssembly dumper stopped: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/** Decode base64 (no `atob`: it is not in every runtime the core targets). */
function base64Bytes(b64: string): Uint8Array {
  const value = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) value[alphabet.charCodeAt(i)] = i;
  let len = b64.length;
  while (len > 0 && b64.charCodeAt(len - 1) === 0x3d /* = */) len--;
  const out = new Uint8Array((len * 3) >>> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    acc = ((acc << 6) | value[b64.charCodeAt(i)]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}
