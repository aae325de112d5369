/** Placeholder: being written. */
import type { Btf } from './btf.js';
import { NotSupportedError } from '../errors.js';

/** Sink for output bytes; a chunk is only valid during the call (buffers are reused). */
export type ByteSink = (chunk: Uint8Array) => void;

/** Dump `btf`. */
export function dumpC(_btf: Btf, _out: ByteSink): void {
  throw new NotSupportedError('btf dump c');
}
