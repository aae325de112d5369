/**
 * The outcome of a relocatable read, in the proposal's terms:
 * `Result<Option<T>, SizeMismatch { expected, actual } | ProbeRead(errno)>`.
 *
 * - `Ok(Some(value))`: the field exists on this kernel, has the size the reader expected, and
 *   was read;
 * - `Ok(None)`: the field does not exist on this kernel (a normal answer, not an error);
 * - `Err(SizeMismatch)`: the field exists but its size differs from the expected one, so
 *   reading it with the expected width would return the wrong bytes: nothing was read;
 * - `Err(ProbeRead)`: the memory read itself failed (`bpf_probe_read_kernel` returned `-errno`).
 *
 * Programs built with `btfkit/emit` write this outcome into memory as a {@link READ_OUTCOME_LAYOUT}
 * record; {@link decodeReadOutcome} turns those bytes back into a {@link ReadOutcome}. Host-side
 * views return the same shape.
 */
import { BtfkitError, ErrorCodes } from '../errors.js';

/** `Err(SizeMismatch { expected, actual })`. */
export interface SizeMismatch {
  readonly kind: 'SizeMismatch';
  /** The size the reader was written for, in bytes. */
  readonly expected: number;
  /** The field's size on the target kernel, in bytes. */
  readonly actual: number;
}

/** `Err(ProbeRead(errno))`. */
export interface ProbeRead {
  readonly kind: 'ProbeRead';
  /** Positive errno (the helper returned its negation). */
  readonly errno: number;
}

/** Why a relocatable read returned no value. */
export type ReadError = SizeMismatch | ProbeRead;

/** `Ok(Some(value))` or `Ok(None)`. */
export interface ReadOk<T> {
  readonly ok: true;
  /** `undefined` is `None`: the field does not exist on the target kernel. */
  readonly value: T | undefined;
}

/** `Err(error)`. */
export interface ReadErr {
  readonly ok: false;
  readonly error: ReadError;
}

/** `Result<Option<T>, ReadError>`. */
export type ReadOutcome<T> = ReadOk<T> | ReadErr;

/** `Ok(Some(value))`. */
export function some<T>(value: T): ReadOk<T> {
  return { ok: true, value };
}

/** `Ok(None)`. */
export const none: ReadOk<never> = Object.freeze({ ok: true, value: undefined });

/** `Err(SizeMismatch { expected, actual })`. */
export function sizeMismatch(expected: number, actual: number): ReadErr {
  return { ok: false, error: { kind: 'SizeMismatch', expected, actual } };
}

/** `Err(ProbeRead(errno))`. */
export function probeReadError(errno: number): ReadErr {
  return { ok: false, error: { kind: 'ProbeRead', errno } };
}

/** Status word values of the in-memory outcome record. */
export const READ_STATUS = {
  /** Not written yet (the program did not reach the read). */
  NOT_RUN: 0,
  SOME: 1,
  NONE: 2,
  SIZE_MISMATCH: 3,
  PROBE_READ: 4,
} as const;

/**
 * The in-memory outcome record a program writes (all fields in the object's byte order):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | status ({@link READ_STATUS}) |
 * | 4 | 4 | detail: actual size for SizeMismatch, errno for ProbeRead, else 0 |
 * | 8 | n | value bytes (n = the expected size, rounded up to 8) |
 */
export const READ_OUTCOME_LAYOUT = { status: 0, detail: 4, value: 8 } as const;

/** Bytes an outcome record takes for a value of `valueSize` bytes. */
export function readOutcomeSize(valueSize: number): number {
  return READ_OUTCOME_LAYOUT.value + Math.ceil(valueSize / 8) * 8;
}

/**
 * Decode an outcome record written by a program.
 * @param expected  the expected value size the read was emitted with
 * @param decode    turns the value bytes (exactly `expected` of them) into a value
 * @returns `undefined` when the status is {@link READ_STATUS.NOT_RUN}
 */
export function decodeReadOutcome<T>(bytes: Uint8Array, expected: number, decode: (value: Uint8Array) => T, littleEndian = true): ReadOutcome<T> | undefined {
  if (bytes.length < READ_OUTCOME_LAYOUT.value + expected) {
    throw new BtfkitError(ErrorCodes.OBJECT_MALFORMED, `outcome record of ${bytes.length} bytes is shorter than ${READ_OUTCOME_LAYOUT.value + expected}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const status = v.getUint32(READ_OUTCOME_LAYOUT.status, littleEndian);
  const detail = v.getInt32(READ_OUTCOME_LAYOUT.detail, littleEndian);
  switch (status) {
    case READ_STATUS.NOT_RUN: return undefined;
    case READ_STATUS.SOME: return some(decode(bytes.subarray(READ_OUTCOME_LAYOUT.value, READ_OUTCOME_LAYOUT.value + expected)));
    case READ_STATUS.NONE: return none;
    case READ_STATUS.SIZE_MISMATCH: return sizeMismatch(expected, detail);
    case READ_STATUS.PROBE_READ: return probeReadError(Math.abs(detail));
    default: throw new BtfkitError(ErrorCodes.OBJECT_MALFORMED, `unknown outcome status ${status}`);
  }
}

/** Text of an outcome, as the proposal writes it: `Ok(Some(42))`, `Err(SizeMismatch { expected: 4, actual: 8 })`. */
export function formatReadOutcome<T>(o: ReadOutcome<T>, show: (v: T) => string = String): string {
  if (o.ok) return o.value === undefined ? 'Ok(None)' : `Ok(Some(${show(o.value)}))`;
  const e = o.error;
  return e.kind === 'SizeMismatch' ? `Err(SizeMismatch { expected: ${e.expected}, actual: ${e.actual} })` : `Err(ProbeRead(${e.errno}))`;
}
