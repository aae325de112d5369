import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Btf } from '../btf/btf.js';
import { BtfBuilder } from '../btf/encode.js';
import type { BtfType } from '../btf/types.js';
import { isBtfkitError } from '../errors.js';
import { formatReadOutcome } from './outcome.js';
import { accessStringFor, fieldByteOffset, fieldByteSize, fieldExists, fieldLShiftU64, fieldRShiftU64, fieldSigned } from './query.js';
import { relocatableView, type RelocatableView } from './view.js';
import { readBtfFile, testdataKernels } from '../../test/helpers/kernels.js';

const load = (n: string): Btf => Btf.parse(readBtfFile(join(testdataKernels, `${n}.btf.gz`)));
const k61 = load('linux-6.1.0-56-amd64');
const k612 = load('linux-6.12.117-amd64');
const s390 = load('linux-6.1.0-50-s390x');
const kernels = [['6.1 amd64', k61], ['6.12 amd64', k612], ['6.1 s390x (big-endian)', s390]] as const;

// ---- the expected layout, from the BTF member lists (not through the code under test) ----

interface Placed { readonly bitOffset: number; readonly bitfieldSize: number; readonly type: BtfType }

/** A member by dotted names, looking into anonymous members; undefined when the kernel lacks it. */
function locate(btf: Btf, rootId: number, dotted: string): Placed | undefined {
  let cur = btf.skipModsAndTypedefs(rootId);
  let base = 0;
  let last: Placed | undefined;
  for (const name of dotted.split('.')) {
    const hit = search(btf, cur, name);
    if (hit === undefined) return undefined;
    base += hit.bitOffset;
    last = { bitOffset: base, bitfieldSize: hit.bitfieldSize, type: btf.type(btf.skipModsAndTypedefs(hit.type)) };
    cur = last.type.id;
  }
  return last;
}

function search(btf: Btf, id: number, name: string): { bitOffset: number; bitfieldSize: number; type: number } | undefined {
  const t = btf.type(id);
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  for (const m of t.members) {
    if (m.name === name) return { bitOffset: m.bitOffset, bitfieldSize: m.bitfieldSize, type: m.type };
    if (m.name === '') {
      const inner = search(btf, btf.skipModsAndTypedefs(m.type), name);
      if (inner !== undefined) return { ...inner, bitOffset: m.bitOffset + inner.bitOffset };
    }
  }
  return undefined;
}

const taskId = (k: Btf): number => k.findByNameKind('task_struct', 'struct')!;
const byteOff = (k: Btf, path: string): number => {
  const p = locate(k, taskId(k), path)!;
  expect(p.bitOffset % 8).toBe(0);
  return p.bitOffset / 8;
};

/** Write `value` as the bitfield at `bitOffset` of `width` bits, as the C compilers lay them out. */
function setBits(buf: Uint8Array, bitOffset: number, width: number, value: bigint, littleEndian: boolean): void {
  const v = BigInt.asUintN(width, value);
  for (let j = 0; j < width; j++) {
    const b = bitOffset + j;
    // little-endian: the value's bits from its least significant one, each byte from bit 0;
    // big-endian: from its most significant one, each byte from bit 7
    const bit = littleEndian ? (v >> BigInt(j)) & 1n : (v >> BigInt(width - 1 - j)) & 1n;
    const mask = littleEndian ? 1 << (b % 8) : 0x80 >> (b % 8);
    const i = Math.floor(b / 8);
    buf[i] = bit === 1n ? buf[i]! | mask : buf[i]! & ~mask;
  }
}

const ok = <T>(value: T) => ({ ok: true, value });
const NONE = { ok: true, value: undefined };

/** `fn` throws a btfkit error (never a TypeError or RangeError) with this code and text. */
function expectBtfkitError(fn: () => unknown, code: string, text: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeDefined();
  expect(isBtfkitError(err), String(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  expect((err as Error).message).toMatch(text);
}

// ---- a task_struct image per kernel, values at the offsets the BTF gives ----

const PID = 4242;
const TGID = 4241;
const VRUNTIME = 0x123456789abcdef0n;
const FLAGS = 0x8000000000000101n; // unsigned long with the top bit set
const POINTER = 0xffff888012345678n;

function taskImage(k: Btf): Uint8Array {
  const le = k.littleEndian;
  const buf = new Uint8Array(k.resolveSize(taskId(k)));
  const dv = new DataView(buf.buffer);
  dv.setInt32(byteOff(k, 'pid'), PID, le);
  dv.setInt32(byteOff(k, 'tgid'), TGID, le);
  dv.setInt32(byteOff(k, 'prio'), -7, le);
  dv.setInt32(byteOff(k, 'exit_code'), -1, le);
  dv.setBigUint64(byteOff(k, 'se.vruntime'), VRUNTIME, le);
  dv.setBigUint64(byteOff(k, 'thread_info.flags'), FLAGS, le);
  dv.setBigUint64(byteOff(k, 'mm'), POINTER, le);
  dv.setInt32(byteOff(k, 'rcu_users.refs.counter'), 3, le);
  const comm = byteOff(k, 'comm');
  buf.set(new TextEncoder().encode('bash'), comm);
  buf[comm + 15] = 0xff;
  for (const [name, value] of [['sched_reset_on_fork', 1n], ['sched_contributes_to_load', 0n], ['sched_migrated', 1n], ['in_user_fault', 1n]] as const) {
    const p = locate(k, taskId(k), name);
    if (p !== undefined) setBits(buf, p.bitOffset, p.bitfieldSize, value, le);
  }
  // amd64: a 62-bit bitfield after two 1-bit ones in one u64
  const mce = locate(k, taskId(k), '__mce_reserved');
  if (mce !== undefined) {
    setBits(buf, mce.bitOffset, mce.bitfieldSize, 0x2aaaaaaaaaaaaaabn, le);
    const ripv = locate(k, taskId(k), 'mce_ripv')!;
    setBits(buf, ripv.bitOffset, ripv.bitfieldSize, 1n, le);
  }
  return buf;
}

describe('relocatable views of task_struct', () => {
  it.each(kernels)('read integers, strings, pointers and nested members (%s)', (_name, k) => {
    const bytes = taskImage(k);
    const v = relocatableView(k, 'struct task_struct', bytes);
    expect(v.typeId).toBe(taskId(k));
    expect(v.littleEndian).toBe(k.littleEndian);
    expect(v.read('pid')).toEqual(ok(BigInt(PID)));
    expect(v.read('tgid', { as: 'number' })).toEqual(ok(TGID));
    expect(v.read('pid', { expectedSize: 4, as: 'number' })).toEqual(ok(PID));
    // signed per the target: int is signed
    expect(v.read('prio')).toEqual(ok(-7n));
    expect(v.read('exit_code', { as: 'number' })).toEqual(ok(-1));
    // unsigned long with the top bit set stays positive; too wide for an exact number
    expect(v.read('thread_info.flags')).toEqual(ok(FLAGS));
    expectBtfkitError(() => v.read('thread_info.flags', { as: 'number' }), 'BTF_BAD_QUERY', /64 bits/);
    expect(v.read('mm')).toEqual(ok(POINTER));
    expect(v.read('comm', { as: 'string' })).toEqual(ok('bash'));
    expect(v.read('comm[1]')).toEqual(ok(BigInt('a'.charCodeAt(0))));
    // char is signed in the 6.1 amd64 BTF, unsigned in the others
    const ch = k.type(k.skipModsAndTypedefs((locate(k, taskId(k), 'comm')!.type as { type: number }).type));
    expect(v.read('comm[15]')).toEqual(ok(ch.kind === 'int' && ch.signed ? -1n : 255n));
    // arrays and structs: the bytes themselves, no copy
    const comm = v.read('comm');
    expect(comm.ok && comm.value instanceof Uint8Array).toBe(true);
    const commBytes = (comm as { value: Uint8Array }).value;
    expect(commBytes.buffer).toBe(bytes.buffer);
    expect(commBytes.byteOffset).toBe(byteOff(k, 'comm'));
    expect(commBytes.length).toBe(16);
    const whole = v.read('') as { value: Uint8Array };
    expect(whole.value.length).toBe(bytes.length);
    // nested members, and a sub-view of one
    expect(v.read('se.vruntime')).toEqual(ok(VRUNTIME));
    const se = v.sub('se');
    expect(se.path).toBe('se');
    expect(se.read('vruntime')).toEqual(ok(VRUNTIME));
    expect(se.offsetOf('vruntime')).toBe(byteOff(k, 'se.vruntime') - byteOff(k, 'se'));
    expect(se.sizeOf('')).toBe(k.resolveSize(locate(k, taskId(k), 'se')!.type.id));
    expect(v.offsetOf('se.vruntime')).toBe(byteOff(k, 'se.vruntime'));
    expect(v.sub('comm').read('[1]')).toEqual(v.read('comm[1]'));
    expect(v.sub('thread_info').read('flags')).toEqual(ok(FLAGS));
    // inside an anonymous union on 6.1, a direct member on 6.12: found by name as clang does
    expect(v.read('rcu_users.refs.counter')).toEqual(ok(3n));
    expect(v.offsetOf('rcu_users')).toBe(byteOff(k, 'rcu_users'));
    expect(v.field('rcu_users.refs.counter')!.accessString).toBe(accessStringFor(k, taskId(k), 'rcu_users.refs.counter'));
    for (const p of ['pid', 'comm[3]', 'se.vruntime', '[1].tgid', 'thread_info.flags']) expect(v.field(p)!.accessString).toBe(accessStringFor(k, taskId(k), p));
    expect(v.exists('pid')).toBe(true);
    expect(v.sizeOf('comm')).toBe(16);
    expect(v.sizeOf('thread_info.flags')).toBe(8);
    expect(formatReadOutcome(v.read('pid'))).toBe(`Ok(Some(${PID}))`);
  });

  it.each(kernels)('decode bitfields as BPF_CORE_READ_BITFIELD (%s)', (_name, k) => {
    const v = relocatableView(k, 'struct task_struct', taskImage(k));
    expect(v.read('sched_reset_on_fork')).toEqual(ok(1n));
    expect(v.read('sched_contributes_to_load')).toEqual(ok(0n));
    expect(v.read('sched_migrated', { as: 'number' })).toEqual(ok(1));
    const f = v.field('sched_reset_on_fork')!;
    const p = locate(k, taskId(k), 'sched_reset_on_fork')!;
    expect(f.bitfield).toBe(true);
    // the load that holds it: its unsigned int, aligned
    expect(f.size).toBe(4);
    expect(f.offset).toBe(Math.floor(p.bitOffset / 32) * 4);
    expect(f.rshift).toBe(63);
    expectBtfkitError(() => v.read('sched_reset_on_fork', { as: 'bytes' }), 'BTF_BAD_QUERY', /bitfield/);
    // read into a u64, as the emitted safe read does: expected size 8, whatever the load
    expect(v.read('sched_reset_on_fork', { expectedSize: 8 })).toEqual(ok(1n));
    expectBtfkitError(() => v.read('sched_reset_on_fork', { expectedSize: 4 }), 'BTF_BAD_QUERY', /bitfield is read into a u64/);
    if (locate(k, taskId(k), '__mce_reserved') !== undefined) {
      expect(v.read('__mce_reserved')).toEqual(ok(0x2aaaaaaaaaaaaaabn));
      expect(v.read('mce_ripv')).toEqual(ok(1n));
      expect(v.read('mce_whole_page')).toEqual(ok(0n));
      expect(v.sizeOf('__mce_reserved')).toBe(8);
      expectBtfkitError(() => v.read('__mce_reserved', { as: 'number' }), 'BTF_BAD_QUERY', /62 bits/);
    }
  });

  it('give Ok(None) for a field this kernel does not have', () => {
    // in_user_fault: a bitfield of 6.1, gone in 6.12; mm_cid: new in 6.12
    const v61 = relocatableView(k61, 'struct task_struct', taskImage(k61));
    const v612 = relocatableView(k612, 'struct task_struct', taskImage(k612));
    expect(locate(k61, taskId(k61), 'in_user_fault')).toBeDefined();
    expect(locate(k612, taskId(k612), 'in_user_fault')).toBeUndefined();
    expect(v61.read('in_user_fault')).toEqual(ok(1n));
    expect(v612.read('in_user_fault')).toEqual(NONE);
    expect(v612.read('in_user_fault', { expectedSize: 4 })).toEqual(NONE);
    expect(v612.exists('in_user_fault')).toBe(false);
    expect(v612.offsetOf('in_user_fault')).toBeUndefined();
    expect(v612.sizeOf('in_user_fault')).toBeUndefined();
    expect(v612.field('in_user_fault')).toBeUndefined();
    expect(locate(k61, taskId(k61), 'mm_cid')).toBeUndefined();
    expect(v61.read('mm_cid', { as: 'number' })).toEqual(NONE);
    expect(v612.read('mm_cid', { as: 'number' })).toEqual(ok(0));
    expect(formatReadOutcome(v612.read('in_user_fault'))).toBe('Ok(None)');
    // a missing struct member: its sub-view reads Ok(None) throughout
    const rss61 = v61.sub('rss_stat');
    const rss612 = v612.sub('rss_stat');
    expect(rss61.exists('')).toBe(true);
    expect(rss61.read('events')).toEqual(ok(0n));
    expect(rss612.exists('')).toBe(false);
    expect(rss612.read('events')).toEqual(NONE);
    expect(rss612.offsetOf('events')).toBeUndefined();
  });

  it.each(kernels)('report a size mismatch and a read beyond the bytes (%s)', (_name, k) => {
    const bytes = taskImage(k);
    const v = relocatableView(k, 'struct task_struct', bytes);
    expect(v.read('pid', { expectedSize: 8 })).toEqual({ ok: false, error: { kind: 'SizeMismatch', expected: 8, actual: 4 } });
    expect(v.read('thread_info.flags', { expectedSize: 4 })).toEqual({ ok: false, error: { kind: 'SizeMismatch', expected: 4, actual: 8 } });
    expect(formatReadOutcome(v.read('pid', { expectedSize: 2 }))).toBe('Err(SizeMismatch { expected: 2, actual: 4 })');
    // only the first bytes of the task were copied
    const cut = byteOff(k, 'pid') + 2;
    const t = relocatableView(k, 'struct task_struct', bytes.subarray(0, cut));
    expect(t.read('pid')).toEqual({ ok: false, error: { kind: 'ProbeRead', errno: 14 } });
    expect(t.read('comm', { as: 'string' })).toEqual({ ok: false, error: { kind: 'ProbeRead', errno: 14 } });
    expect(t.sub('se').read('vruntime')).toEqual(ok(VRUNTIME)); // se lies before pid
    expect(t.read('prio')).toEqual(ok(-7n));
    // size is checked before the read, presence before both
    expect(t.read('pid', { expectedSize: 8 })).toEqual({ ok: false, error: { kind: 'SizeMismatch', expected: 8, actual: 4 } });
    expect(t.read('no_such_field', { expectedSize: 8 })).toEqual(NONE);
    expect(formatReadOutcome(t.read('pid'))).toBe('Err(ProbeRead(14))');
    expect(relocatableView(k, 'struct task_struct', new Uint8Array(0)).read('thread_info.flags')).toEqual({ ok: false, error: { kind: 'ProbeRead', errno: 14 } });
    // [1] is the next task of an array of them: beyond one task's bytes
    expect(v.read('[1].pid')).toEqual({ ok: false, error: { kind: 'ProbeRead', errno: 14 } });
    expect(v.offsetOf('[1].pid')).toBe(bytes.length + byteOff(k, 'pid'));
  });

  it('find the target type by its essential name, as CO-RE finds candidates', () => {
    const bytes = taskImage(k612);
    for (const name of ['struct task_struct___v5_8', 'task_struct', 'task_struct___old', ' struct  task_struct ']) {
      const v = relocatableView(k612, name, bytes);
      expect(v.typeId, name).toBe(taskId(k612));
      expect(v.read('pid'), name).toEqual(ok(BigInt(PID)));
    }
    expect(relocatableView(k612, taskId(k612), bytes).read('pid')).toEqual(ok(BigInt(PID)));
    // only the last ___ suffix is a flavor (libbpf's bpf_core_essential_name_len)
    expectBtfkitError(() => relocatableView(k612, 'struct task_struct___x___y', bytes), 'BTF_BAD_QUERY', /essential name 'task_struct___x'/);
    // a typedef view skips to its struct
    const pidT = k612.findByNameKind('pid_t', 'typedef')!;
    const b4 = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
    expect(relocatableView(k612, 'typedef pid_t', b4).read('')).toEqual(ok(-1n));
    expect(relocatableView(k612, pidT, b4).read('')).toEqual(ok(-1n));
  });

  it('decode big-endian kernel memory in its own byte order', () => {
    const bytes = taskImage(s390);
    const pid = byteOff(s390, 'pid');
    expect([...bytes.subarray(pid, pid + 4)]).toEqual([0x00, 0x00, 0x10, 0x92]); // 4242, most significant byte first
    const v = relocatableView(s390, 'struct task_struct', bytes);
    expect(v.littleEndian).toBe(false);
    expect(v.read('pid')).toEqual(ok(4242n));
    expect(v.read('prio')).toEqual(ok(-7n));
    // the bitfield shifts follow the byte order: bit 0 of the word is its most significant bit
    const f = v.field('sched_reset_on_fork')!;
    const p = locate(s390, taskId(s390), 'sched_reset_on_fork')!;
    expect(f.lshift).toBe(p.bitOffset - f.offset * 8 + 32);
    expect(v.read('sched_reset_on_fork')).toEqual(ok(1n));
    expect(v.read('sched_migrated')).toEqual(ok(1n));
    expect(v.read('sched_contributes_to_load')).toEqual(ok(0n));
    // the same bytes decoded as little-endian: swapped
    const asLe = relocatableView(s390, 'struct task_struct', bytes, { littleEndian: true });
    expect(asLe.read('pid')).toEqual(ok(0x92100000n - 0x100000000n));
    expect(asLe.read('se.vruntime')).toEqual(ok(0xf0debc9a78563412n));
  });

  it('reject what cannot be read with btfkit errors, never TypeErrors', () => {
    const v = relocatableView(k61, 'struct task_struct', taskImage(k61));
    expectBtfkitError(() => relocatableView(k61, 'struct no_such_type___v2', new Uint8Array(8)), 'BTF_BAD_QUERY', /no struct named 'no_such_type___v2' \(essential name 'no_such_type'\)/);
    expectBtfkitError(() => relocatableView(k61, 'no_such_type', new Uint8Array(8)), 'BTF_BAD_QUERY', /no type named 'no_such_type'/);
    expectBtfkitError(() => relocatableView(k61, 'struct', new Uint8Array(8)), 'BTF_BAD_QUERY', /'struct'/);
    expectBtfkitError(() => relocatableView(k61, 'struct task_struct *', new Uint8Array(8)), 'BTF_BAD_QUERY', /'struct task_struct \*' is not a type name/);
    expectBtfkitError(() => relocatableView(k61, '', new Uint8Array(8)), 'BTF_BAD_QUERY', /not a type name/);
    expectBtfkitError(() => relocatableView(k61, 0, new Uint8Array(8)), 'BTF_BAD_QUERY', /no type \[0\]/);
    expectBtfkitError(() => relocatableView(k61, 1e9, new Uint8Array(8)), 'BTF_BAD_QUERY', /no type \[1000000000\]/);
    expectBtfkitError(() => relocatableView(k61, null as unknown as string, new Uint8Array(8)), 'BTF_BAD_QUERY', /not null/);
    expectBtfkitError(() => relocatableView(k61, 'struct task_struct', [1, 2] as unknown as Uint8Array), 'BTF_BAD_QUERY', /Uint8Array/);
    expectBtfkitError(() => relocatableView(undefined as unknown as Btf, 'struct task_struct', new Uint8Array(8)), 'BTF_BAD_QUERY', /target must be a Btf/);
    expectBtfkitError(() => relocatableView(k61, 'struct task_struct', new Uint8Array(8), { littleEndian: 'yes' as unknown as boolean }), 'BTF_BAD_QUERY', /littleEndian/);
    expectBtfkitError(() => relocatableView(k61, 'struct task_struct', new Uint8Array(8), { local: { type: 'struct task_struct' } as unknown as { btf: Btf; type: string } }), 'BTF_BAD_QUERY', /local must be/);
    // paths through pointers: the pointee is not in the bytes
    expectBtfkitError(() => v.read('mm.arg_start'), 'CORE_BAD_RELO', /'mm' is a pointer/);
    expectBtfkitError(() => v.read('mm->arg_start'), 'CORE_BAD_RELO', /'->' dereferences a pointer/);
    expectBtfkitError(() => v.read('real_parent[0]'), 'CORE_BAD_RELO', /'real_parent' is a pointer/);
    expectBtfkitError(() => v.sub('mm'), 'CORE_BAD_RELO', /pointer/);
    // structure errors, not absence
    expectBtfkitError(() => v.read('pid.x'), 'CORE_BAD_RELO', /not a struct or union/);
    expectBtfkitError(() => v.read('se[2]'), 'CORE_BAD_RELO', /not an array/);
    expectBtfkitError(() => v.read('comm['), 'CORE_BAD_RELO', /cannot parse/);
    expectBtfkitError(() => v.read('comm[99999999999999999999]'), 'CORE_BAD_RELO', /too large/);
    // what a field's type cannot give
    expectBtfkitError(() => v.read('comm', { as: 'number' }), 'BTF_BAD_QUERY', /array/);
    expectBtfkitError(() => v.read('pid', { as: 'string' }), 'BTF_BAD_QUERY', /not an array of 1-byte integers/);
    expectBtfkitError(() => v.read('se', { as: 'bigint' }), 'BTF_BAD_QUERY', /struct/);
    expectBtfkitError(() => v.read('pid', { as: 'text' as 'string' }), 'BTF_BAD_QUERY', /unknown 'as'/);
    expectBtfkitError(() => v.read('pid', { expectedSize: -1 }), 'BTF_BAD_QUERY', /expectedSize/);
    expectBtfkitError(() => v.read(7 as unknown as string), 'BTF_BAD_QUERY', /path must be a string/);
    expectBtfkitError(() => v.sub('pid'), 'BTF_BAD_QUERY', /not a struct, union or array/);
    // out of range of the target's array: this kernel has no such element
    expect(v.read('comm[16]')).toEqual(NONE);
  });

  it('answer any path with an outcome or a btfkit error', () => {
    const v = relocatableView(k612, 'struct task_struct', taskImage(k612));
    const paths = ['', '.', '..', '.pid', 'pid.', '[', ']', '[0]', '[0].pid', '[-1]', '[1e3]', 'comm[3][2]', 'comm[ 3 ]', 'se..vruntime', ' pid ', 'p id',
      '__proto__', 'constructor', 'toString', 'hasOwnProperty.x', '0', 'a-b', 'pid\0', 'é', 'comm[3].x', 'se.vruntime[0]', 'mm[', '->', 'x'.repeat(10000), '[0]'.repeat(100)];
    for (const p of paths) {
      for (const as of [undefined, 'bigint', 'number', 'string', 'bytes'] as const) {
        try {
          const r = v.read(p, as === undefined ? {} : { as });
          expect(typeof r.ok, p).toBe('boolean');
        } catch (e) {
          expect(isBtfkitError(e), `${p}: ${String(e)}`).toBe(true);
        }
      }
      for (const f of [() => v.exists(p), () => v.offsetOf(p), () => v.sub(p)]) {
        try {
          f();
        } catch (e) {
          expect(isBtfkitError(e), `${p}: ${String(e)}`).toBe(true);
        }
      }
    }
    expect(v.read('.pid')).toEqual(ok(BigInt(PID)));
    expect(v.read(' pid ')).toEqual(ok(BigInt(PID)));
    expect(v.read('comm[ 3 ]')).toEqual(ok(BigInt('h'.charCodeAt(0))));
    expect(v.read('__proto__')).toEqual(NONE);
  });

  it('stop on a struct that contains itself (hostile BTF)', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, { signed: true });
    b.addStruct('loop', 4, [{ name: '', type: 2, bitOffset: 0 }, { name: 'x', type: int, bitOffset: 0 }]);
    const btf = Btf.parse(b.encode());
    expectBtfkitError(() => relocatableView(btf, 'struct loop', new Uint8Array(4)).read('x'), 'BTF_BAD_QUERY', /nested deeper/);
  });
});

// ---- a local type: what a program compiled against it would read ----

/** `struct task_struct___local { int pid; int tgid; char comm[16]; unsigned in_user_fault:1; int no_such_field; struct sched_entity___local { u64 vruntime; } se; }` */
function localTask(): { btf: Btf; type: string } {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  const uint = b.addInt('unsigned int', 4);
  const char = b.addInt('char', 1, { char: true });
  const u64 = b.addInt('long long unsigned int', 8);
  const comm = b.addArray(char, int, 16);
  const se = b.addStruct('sched_entity___local', 8, [{ name: 'vruntime', type: u64, bitOffset: 0 }]);
  b.addStruct('task_struct___local', 48, [
    { name: 'pid', type: int, bitOffset: 0 },
    { name: 'tgid', type: int, bitOffset: 32 },
    { name: 'comm', type: comm, bitOffset: 64 },
    { name: 'in_user_fault', type: uint, bitOffset: 192, bitfieldSize: 1 },
    { name: 'no_such_field', type: int, bitOffset: 224 },
    { name: 'se', type: se, bitOffset: 256 },
  ]);
  b.addStruct('not_a_task', 4, [{ name: 'pid', type: int, bitOffset: 0 }]);
  return { btf: Btf.parse(b.encode()), type: 'struct task_struct___local' };
}

describe('relocatable views through a local type', () => {
  const local = localTask();

  it.each(kernels)('read what the target-typed view reads, and what libbpf would patch (%s)', (_name, k) => {
    const bytes = taskImage(k);
    const plain = relocatableView(k, 'struct task_struct', bytes);
    const v = relocatableView(k, 'struct task_struct', bytes, { local });
    expect(v.local.btf).toBe(local.btf);
    for (const p of ['pid', 'tgid', 'comm', 'comm[1]', 'se.vruntime', 'in_user_fault']) {
      expect(v.read(p), p).toEqual(plain.read(p));
      expect(v.offsetOf(p), p).toBe(plain.offsetOf(p));
    }
    expect(v.read('pid')).toEqual(ok(BigInt(PID)));
    expect(v.read('tgid', { as: 'number', expectedSize: 4 })).toEqual(ok(TGID));
    expect(v.read('comm', { as: 'string' })).toEqual(ok('bash'));
    expect(v.sub('se').read('vruntime')).toEqual(ok(VRUNTIME));
    // a field of the local type the kernel does not have
    expect(v.read('no_such_field')).toEqual(NONE);
    expect(v.exists('no_such_field')).toBe(false);
    expect(v.read('in_user_fault')).toEqual(k === k612 ? NONE : ok(1n));
    // the values query() (and so libbpf) computes for the same local type
    for (const p of ['pid', 'tgid', 'comm', 'in_user_fault', 'no_such_field', 'se.vruntime']) {
      const f = v.field(p);
      expect(f !== undefined, p).toBe(fieldExists(k, local, p).value === 1n);
      if (f === undefined) continue;
      expect(BigInt(f.offset), p).toBe(fieldByteOffset(k, local, p).value);
      expect(BigInt(f.size), p).toBe(fieldByteSize(k, local, p).value);
      expect(f.signed ? 1n : 0n, p).toBe(fieldSigned(k, local, p).value);
      if (p !== 'comm') {
        expect(BigInt(f.lshift!), p).toBe(fieldLShiftU64(k, local, p).value);
        expect(BigInt(f.rshift!), p).toBe(fieldRShiftU64(k, local, p).value);
      }
    }
    // the local type decides the paths: what it lacks is an error, whatever the kernel has
    expectBtfkitError(() => v.read('prio'), 'CORE_BAD_RELO', /no member 'prio'/);
    expectBtfkitError(() => v.read('comm[16]'), 'CORE_BAD_RELO', /out of range/);
    expectBtfkitError(() => v.read('no_such_field', { as: 'string' }), 'BTF_BAD_QUERY', /not an array/);
    expectBtfkitError(() => v.read('in_user_fault', { expectedSize: 4 }), 'BTF_BAD_QUERY', /bitfield/);
    expect(v.read('in_user_fault', { expectedSize: 8 })).toEqual(k === k612 ? NONE : ok(1n));
  });

  it('match only a type CO-RE would match', () => {
    const bytes = taskImage(k61);
    expectBtfkitError(() => relocatableView(k61, 'struct task_struct', bytes, { local: { btf: local.btf, type: 'struct not_a_task' } }), 'CORE_BAD_RELO', /not a CO-RE candidate/);
    expectBtfkitError(() => relocatableView(k61, 'struct task_struct', bytes, { local: { btf: local.btf, type: 'struct nope' } }), 'CORE_BAD_RELO', /no local type 'struct nope'/);
    expectBtfkitError(() => relocatableView(k61, 'struct task_struct', bytes, { local: { btf: local.btf, type: 999 } }), 'CORE_BAD_RELO', /no local type \[999\]/);
    // the flavored local name finds the target by itself
    expect(relocatableView(k61, local.type, bytes, { local }).read('pid')).toEqual(ok(BigInt(PID)));
  });
});

// ---- bitfields of every shape, in both byte orders (a synthetic struct) ----

function bitsBtf(littleEndian: boolean): Btf {
  const b = new BtfBuilder({ littleEndian });
  const int = b.addInt('int', 4, { signed: true });
  const uint = b.addInt('unsigned int', 4);
  const s64 = b.addInt('long long int', 8, { signed: true });
  const s128 = b.addInt('__int128', 16, { signed: true });
  const float = b.addFloat('float', 4);
  const double = b.addFloat('double', 8);
  const e = b.addEnum('delta', 4, [{ name: 'DOWN', value: -2 }, { name: 'UP', value: 1 }]);
  const ints = b.addArray(int, int, 2);
  const bool = b.addInt('_Bool', 1, { bool: true });
  b.addStruct('bits', 64, [
    { name: 'a', type: int, bitOffset: 0, bitfieldSize: 3 },
    { name: 'b', type: int, bitOffset: 3, bitfieldSize: 13 },
    { name: 'c', type: uint, bitOffset: 16, bitfieldSize: 16 },
    { name: 'd', type: s64, bitOffset: 64, bitfieldSize: 40 },
    { name: 'straddle', type: s64, bitOffset: 120, bitfieldSize: 16 },
    { name: 'e', type: e, bitOffset: 160 },
    { name: 'f', type: float, bitOffset: 192 },
    { name: 'arr', type: ints, bitOffset: 224 },
    { name: 'wide', type: s128, bitOffset: 384 },
    { name: 'g', type: double, bitOffset: 288 },
    { name: 'flag', type: bool, bitOffset: 352 },
  ]);
  return Btf.parse(b.encode());
}

describe('relocatable views of a synthetic struct', () => {
  it.each([true, false])('decode signed and unsigned bitfields, enums, floats and wide integers (little-endian: %s)', (le) => {
    const btf = bitsBtf(le);
    const buf = new Uint8Array(64);
    const dv = new DataView(buf.buffer);
    setBits(buf, 0, 3, -3n, le);
    setBits(buf, 3, 13, -1000n, le);
    setBits(buf, 16, 16, 0xbeefn, le);
    setBits(buf, 64, 40, -(2n ** 39n) + 5n, le);
    dv.setInt32(20, -2, le);
    dv.setFloat32(24, 1.5, le);
    dv.setInt32(32, -9, le);
    dv.setFloat64(36, -0.25, le);
    buf[44] = 1;
    const wide = -(2n ** 100n) - 5n;
    const w = BigInt.asUintN(128, wide);
    dv.setBigUint64(48 + (le ? 0 : 8), BigInt.asUintN(64, w), le);
    dv.setBigUint64(48 + (le ? 8 : 0), w >> 64n, le);
    const v: RelocatableView = relocatableView(btf, 'struct bits', buf);
    expect(v.read('a')).toEqual(ok(-3n));
    expect(v.read('b', { as: 'number' })).toEqual(ok(-1000));
    expect(v.read('c')).toEqual(ok(0xbeefn));
    expect(v.read('d')).toEqual(ok(-(2n ** 39n) + 5n));
    expect(v.field('d')).toMatchObject({ offset: 8, size: 8, signed: true, bitfield: true, rshift: 24 });
    expect(v.read('e')).toEqual(ok(-2n));
    expect(v.read('f')).toEqual(ok(1.5));
    expect(v.read('g', { as: 'number' })).toEqual(ok(-0.25));
    expect(v.read('arr[1]')).toEqual(ok(-9n));
    expect(v.read('arr[0]', { as: 'number' })).toEqual(ok(0));
    expect(v.read('flag')).toEqual(ok(1n));
    expect(v.read('wide')).toEqual(ok(wide));
    expect(v.field('wide')).toMatchObject({ size: 16, signed: true, lshift: undefined, rshift: undefined });
    expectBtfkitError(() => v.read('f', { as: 'bigint' }), 'BTF_BAD_QUERY', /float/);
    // no 64-bit load holds a bitfield that crosses its 8-byte unit: libbpf refuses it too (E2BIG)
    let err: unknown;
    try {
      v.read('straddle');
    } catch (e) {
      err = e;
    }
    expect(isBtfkitError(err, 'CORE_BAD_RELO')).toBe(true);
    expect((err as { errno: string }).errno).toBe('E2BIG');
  });
});

describe('the package', () => {
  it('exports views and outcomes from btfkit/core', async () => {
    const core = await import('btfkit/core');
    expect(typeof core.relocatableView).toBe('function');
    expect(core.formatReadOutcome(relocatableView(k61, 'struct task_struct', taskImage(k61)).read('tgid'))).toBe(`Ok(Some(${TGID}))`);
    expect(core.none).toEqual(NONE);
  });
});
