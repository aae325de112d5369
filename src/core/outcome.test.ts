import { describe, expect, it } from 'vitest';
import { isBtfkitError } from '../errors.js';
import { decodeReadOutcome, formatReadOutcome, READ_STATUS, readOutcomeSize } from './outcome.js';

function record(status: number, detail: number, value: number[], littleEndian = true): Uint8Array {
  const b = new Uint8Array(readOutcomeSize(value.length));
  const v = new DataView(b.buffer);
  v.setUint32(0, status, littleEndian);
  v.setInt32(4, detail, littleEndian);
  b.set(value, 8);
  return b;
}
const u32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

describe('read outcome records', () => {
  it('decodes each status into the proposal\'s Result<Option<T>>', () => {
    const show = (b: Uint8Array): string => {
      const o = decodeReadOutcome(b, 4, u32);
      return o === undefined ? 'not run' : formatReadOutcome(o);
    };
    expect(show(record(READ_STATUS.SOME, 0, [42, 0, 0, 0]))).toBe('Ok(Some(42))');
    expect(show(record(READ_STATUS.NONE, 0, [0, 0, 0, 0]))).toBe('Ok(None)');
    expect(show(record(READ_STATUS.SIZE_MISMATCH, 8, [0, 0, 0, 0]))).toBe('Err(SizeMismatch { expected: 4, actual: 8 })');
    expect(show(record(READ_STATUS.PROBE_READ, -14, [0, 0, 0, 0]))).toBe('Err(ProbeRead(14))');
    expect(show(record(READ_STATUS.NOT_RUN, 0, [0, 0, 0, 0]))).toBe('not run');
  });

  it('reads big-endian records', () => {
    const o = decodeReadOutcome(record(READ_STATUS.SIZE_MISMATCH, 2, [0, 0, 0, 0], false), 4, u32, false);
    expect(o).toEqual({ ok: false, error: { kind: 'SizeMismatch', expected: 4, actual: 2 } });
  });

  it('rejects short records and unknown statuses with a BtfkitError', () => {
    const short = (): unknown => decodeReadOutcome(new Uint8Array(6), 4, u32);
    expect(short).toThrow(/shorter/);
    try { short(); } catch (e) { expect(isBtfkitError(e, 'OBJECT_MALFORMED')).toBe(true); }
    expect(() => decodeReadOutcome(record(9, 0, [0, 0, 0, 0]), 4, u32)).toThrow(/unknown outcome status 9/);
  });

  it('sizes records in 8-byte steps after the 8-byte header', () => {
    expect([1, 4, 8, 9, 16].map(readOutcomeSize)).toEqual([16, 16, 16, 24, 24]);
  });
});
