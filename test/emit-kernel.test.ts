// Programs built with btfkit's emitter run in the running kernel (loaded by libbpf, run once
// with BPF_PROG_TEST_RUN by test/harness/emit-run.c) and read the current task: what they read
// must equal what user space knows (pid, tgid, parent, comm from the harness; offsets, sizes,
// ids and enum values from /sys/kernel/btf/vmlinux). Each program runs twice: relocated by
// libbpf, and relocated by btfkit's engine with the CO-RE records removed so libbpf only
// loads it. Both must write the same bytes.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openBtf, type Btf } from 'btfkit/btf';
import {
  ObjectBuilder, Program, R0, R1, R2, R3, R4, R6, R7, R8, R10, btfRelocatable, decodeReadOutcome, field_byte_offset, field_byte_size, formatReadOutcome, imm, readOutcomeSize,
  type EmittedRead, type GlobalPlace, type LocalTypeRef, type ReadOutcome,
} from 'btfkit/emit';
import { kernelRunUnavailable, relocatedByBtfkit, runEmitted, type EmitRun } from './helpers/emit-run.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const unavailable = kernelRunUnavailable();
const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const int = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(0, true);
const cstr = (b: Uint8Array): string => new TextDecoder().decode(b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)));

interface Slot { readonly place: GlobalPlace; readonly read: EmittedRead }

/** Read `path` of the struct at `ptr` into a fresh .bss record. */
function readInto(obj: ObjectBuilder, p: Program, name: string, ptr: typeof R6, type: LocalTypeRef, path: string, expectedSize?: number): Slot {
  const localSize = expectedSize ?? 8;
  const place = obj.global('.bss', name, obj.types.array(obj.types.u8, readOutcomeSize(Math.max(localSize, 16))));
  p.ldGlobal(R7, name);
  const read = p.relocatableFieldRead({ base: R7, off: 0 }, ptr, type, path, expectedSize === undefined ? {} : { expectedSize });
  return { place, read };
}

function outcome<T>(run: EmitRun, s: Slot, decode: (b: Uint8Array) => T): ReadOutcome<T> | undefined {
  const bss = hex(run.bss ?? '');
  return decodeReadOutcome(bss.subarray(s.place.offset, s.place.offset + s.read.recordSize), s.read.valueSize, decode);
}

describe.skipIf(unavailable !== undefined)(`emitted programs in the running kernel${unavailable !== undefined ? ` (skipped: ${unavailable})` : ''}`, () => {
  let kernel: Btf;
  beforeAll(() => { kernel = openBtf(readFileSync(VMLINUX)); });

  it('reads the current task with the safe read: pid, tgid, comm, parent tgid, Ok(None), SizeMismatch, bitfields', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    const task = t.struct('task_struct', [
      ['pid', t.int32], ['tgid', t.int32], ['comm', t.array(t.char, 16)], ['real_parent', t.ptr(t.fwd('task_struct'))],
      ['btfkit_no_such_field', t.u64],
      { name: 'sched_reset_on_fork', type: t.u32, bits: 1 }, { name: 'user_dumpable', type: t.u32, bits: 1 },
    ]);
    const p = obj.program('read_task', 'raw_tracepoint/sys_enter');
    p.line('struct task_struct *task = bpf_get_current_task();', 1).call('get_current_task').mov(R6, R0);
    const pid = readInto(obj, p, 'out_pid', R6, task, 'pid');
    const tgid = readInto(obj, p, 'out_tgid', R6, task, 'tgid');
    const comm = readInto(obj, p, 'out_comm', R6, task, 'comm');
    const ptgid = readInto(obj, p, 'out_ptgid', R6, task, 'real_parent.tgid');
    const absent = readInto(obj, p, 'out_absent', R6, task, 'btfkit_no_such_field');
    const wrong = readInto(obj, p, 'out_wrong', R6, task, 'pid', 8);
    const reset = readInto(obj, p, 'out_reset', R6, task, 'sched_reset_on_fork');
    const dumpable = readInto(obj, p, 'out_dumpable', R6, task, 'user_dumpable');
    // the same bitfields' storage read raw at the offsets the running kernel's BTF gives, for
    // an independent decoding on the host
    const kt = kernel.type(kernel.findByName('task_struct', 'struct')[0]!);
    const bitOf = (n: string): number | undefined => (kt.kind === 'struct' ? kt.members.find((m) => m.name === n)?.bitOffset : undefined);
    const raw = obj.global('.bss', 'out_raw', t.array(t.u64, 2));
    ['sched_reset_on_fork', 'user_dumpable'].forEach((n, i) => {
      const bit = bitOf(n) ?? 0;
      p.ldGlobal(R1, 'out_raw', i * 8).mov(R2, imm(8)).mov(R3, R6).add(R3, imm(Math.floor(bit / 64) * 8)).call('probe_read_kernel');
    });
    p.ret(0);
    const bytes = obj.write();
    const hasDumpable = kernel.findByName('task_struct', 'struct').some((id) => {
      const ty = kernel.type(id);
      return ty.kind === 'struct' && ty.members.some((m) => m.name === 'user_dumpable');
    });

    for (const [how, object] of [['libbpf', bytes], ['btfkit', relocatedByBtfkit(bytes, kernel)]] as const) {
      const run = runEmitted(object, 'read_task', `read_task-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      expect(run.error).toBe(0);
      const show = (o: ReadOutcome<unknown> | undefined): string => (o === undefined ? 'not run' : formatReadOutcome(o, (v) => JSON.stringify(typeof v === 'bigint' ? String(v) : v)));
      expect(show(outcome(run, pid, int)), how).toBe(`Ok(Some(${run.tid}))`);
      expect(show(outcome(run, tgid, int)), how).toBe(`Ok(Some(${run.pid}))`);
      expect(show(outcome(run, comm, cstr)), how).toBe(`Ok(Some("${run.comm}"))`);
      expect(show(outcome(run, ptgid, int)), how).toBe(`Ok(Some(${run.ppid}))`);
      expect(show(outcome(run, absent, int)), how).toBe('Ok(None)');
      expect(show(outcome(run, wrong, int)), how).toBe('Err(SizeMismatch { expected: 8, actual: 4 })');
      const u64 = (b: Uint8Array): number => Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
      const bss = hex(run.bss ?? '');
      const rawBit = (i: number, n: string): number => {
        const bit = bitOf(n)!;
        const word = new DataView(bss.buffer, bss.byteOffset + raw.offset + i * 8, 8).getBigUint64(0, true);
        return Number((word >> BigInt(bit - Math.floor(bit / 64) * 64)) & 1n);
      };
      expect(show(outcome(run, reset, u64)), how).toBe(`Ok(Some(${rawBit(0, 'sched_reset_on_fork')}))`);
      expect(show(outcome(run, dumpable, u64)), how).toBe(hasDumpable ? `Ok(Some(${rawBit(1, 'user_dumpable')}))` : 'Ok(None)');
    }
  });

  it('intrinsics give the running kernel\'s facts: offsets, sizes, existence, type ids, enum values', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    const task = t.importType(kernel, 'struct task_struct', { members: ['pid', 'tgid', 'comm', 'flags'] });
    const absent = t.struct('btfkit_no_such_struct', [['x', t.int32]]);
    const pidType = t.importType(kernel, 'enum pid_type');
    const out = obj.global('.bss', 'out_facts', t.array(t.u64, 12));
    const p = obj.program('facts', 'raw_tracepoint/sys_enter');
    p.ldGlobal(R8, 'out_facts');
    const facts: [string, (r: typeof R1) => void][] = [
      ['offset(tgid)', (r) => p.fieldByteOffset(r, task, 'tgid')],
      ['size(comm)', (r) => p.fieldByteSize(r, task, 'comm')],
      ['exists(flags)', (r) => p.fieldExists(r, task, 'flags')],
      ['signed(pid)', (r) => p.fieldSigned(r, task, 'pid')],
      ['type id target', (r) => p.typeIdTarget(r, task)],
      ['type exists', (r) => p.typeExists(r, task)],
      ['type size', (r) => p.typeSize(r, task)],
      ['type matches', (r) => p.typeMatches(r, task)],
      ['absent type exists', (r) => p.typeExists(r, absent)],
      ['enum exists', (r) => p.enumValueExists(r, pidType, 'PIDTYPE_TGID')],
      ['enum value', (r) => p.enumValue(r, pidType, 'PIDTYPE_SID')],
    ];
    facts.forEach(([, emit], i) => { emit(R1); p.store(8, R8, i * 8, R1); });
    p.ret(0);
    const bytes = obj.write();

    const taskId = kernel.findByName('task_struct', 'struct')[0]!;
    const taskT = kernel.type(taskId);
    if (taskT.kind !== 'struct') throw new Error('task_struct is not a struct');
    const member = (n: string) => taskT.members.find((m) => m.name === n)!;
    const pt = kernel.type(kernel.findByName('pid_type', 'enum')[0]!);
    const sid = pt.kind === 'enum' ? pt.values.find((v) => v.name === 'PIDTYPE_SID')!.value : -1;
    const expected = [
      member('tgid').bitOffset / 8, kernel.resolveSize(member('comm').type), 1, 1, taskId, 1, taskT.size, 1, 0, 1, sid,
    ];
    for (const [how, object] of [['libbpf', bytes], ['btfkit', relocatedByBtfkit(bytes, kernel)]] as const) {
      const run = runEmitted(object, 'facts', `facts-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const bss = hex(run.bss ?? '');
      const dv = new DataView(bss.buffer, bss.byteOffset + out.offset);
      const got = facts.map(([name], i) => [name, Number(dv.getBigUint64(i * 8, true))]);
      expect(Object.fromEntries(got), how).toEqual(Object.fromEntries(facts.map(([name], i) => [name, expected[i]])));
    }
  });

  it('direct loads through a BTF pointer (bpf_get_current_task_btf): the loader adjusts an unsigned width, and poisons a signed one', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    // flags is an unsigned int on the kernel, declared 8 bytes wide here: libbpf narrows the
    // load to 4 bytes (zero extension keeps the value)
    const task = t.structAt('task_struct', 16, [{ name: 'pid', type: t.int32, bitOffset: 0 }, { name: 'tgid', type: t.int32, bitOffset: 32 }, { name: 'flags', type: t.u64, bitOffset: 64 }]);
    obj.global('.bss', 'out_direct', t.array(t.u64, 3));
    const flagsRec = obj.global('.bss', 'out_flags', t.array(t.u8, readOutcomeSize(4)));
    const p = obj.program('direct', 'raw_tracepoint/sys_enter');
    p.call('get_current_task_btf').mov(R6, R0).ldGlobal(R8, 'out_direct');
    p.loadField(R1, R6, task, 'pid').store(8, R8, 0, R1);
    p.loadField(R1, R6, task, 'tgid').store(8, R8, 8, R1);
    p.loadField(R1, R6, task, 'flags').store(8, R8, 16, R1);
    p.ldGlobal(R7, 'out_flags');
    const safe = p.relocatableFieldRead({ base: R7, off: 0 }, R6, task, 'flags', { expectedSize: 4 });
    p.mov(R0, imm(0)).exit();
    const bytes = obj.write();
    for (const [how, object] of [['libbpf', bytes], ['btfkit', relocatedByBtfkit(bytes, kernel)]] as const) {
      const run = runEmitted(object, 'direct', `direct-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const bss = hex(run.bss ?? '');
      const dv = new DataView(bss.buffer, bss.byteOffset);
      const flags = decodeReadOutcome(bss.subarray(flagsRec.offset, flagsRec.offset + safe.recordSize), 4, int);
      expect(flags?.ok === true && flags.value !== undefined, how).toBe(true);
      expect([Number(dv.getBigUint64(0, true)), Number(dv.getBigUint64(8, true)), Number(dv.getBigUint64(16, true))], how)
        .toEqual([run.tid, run.pid, flags?.ok === true ? (flags.value ?? -1) >>> 0 : -1]);
    }

    // pid is a signed int on the kernel: declared 8 bytes wide, a narrowed load would lose the
    // sign extension, so the loader poisons the load and the verifier rejects the program
    const bad = new ObjectBuilder();
    const bt = bad.types.structAt('task_struct', 8, [{ name: 'pid', type: bad.types.s64, bitOffset: 0 }]);
    bad.global('.bss', 'out_pid', bad.types.u64);
    const q = bad.program('wide_pid', 'raw_tracepoint/sys_enter');
    q.call('get_current_task_btf').mov(R6, R0).ldGlobal(R8, 'out_pid').loadField(R1, R6, bt, 'pid').store(8, R8, 0, R1).mov(R0, imm(0)).exit();
    const run = runEmitted(bad.write(), 'wide_pid');
    expect(run.loaded).toBe(false);
    expect(run.log).toContain('failed to resolve CO-RE relocation <byte_off>');
  });

  it('flavors: the branch that matches the running kernel is taken (task_struct___new.__state vs ___old.state)', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    const fresh = t.struct('task_struct___new', [['__state', t.u32], ['pid', t.int32]]);
    const old = t.struct('task_struct___old', [['state', t.long], ['pid', t.int32]]);
    obj.global('.bss', 'out_branch', t.u64);
    const rec = obj.global('.bss', 'state', t.array(t.u8, readOutcomeSize(8)));
    const p = obj.program('flavors', 'raw_tracepoint/sys_enter');
    const useOld = p.label('old');
    const done = p.label('done');
    p.call('get_current_task').mov(R6, R0);
    p.fieldExists(R1, fresh, '__state').jump('jeq', R1, imm(0), useOld);
    p.ldGlobal(R8, 'out_branch').store(8, R8, 0, imm(1));
    p.ldGlobal(R7, 'state');
    const readNew = p.relocatableFieldRead({ base: R7, off: 0 }, R6, fresh, '__state');
    p.goto(done).place(useOld);
    p.ldGlobal(R8, 'out_branch').store(8, R8, 0, imm(2));
    p.ldGlobal(R7, 'state');
    p.relocatableFieldRead({ base: R7, off: 0 }, R6, old, 'state');
    p.place(done).ret(0);
    const bytes = obj.write();
    const taskT = kernel.type(kernel.findByName('task_struct', 'struct')[0]!);
    const hasNew = taskT.kind === 'struct' && taskT.members.some((m) => m.name === '__state');
    for (const [how, object] of [['libbpf', bytes], ['btfkit', relocatedByBtfkit(bytes, kernel)]] as const) {
      const run = runEmitted(object, 'flavors', `flavors-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const bss = hex(run.bss ?? '');
      expect(bss[0], how).toBe(hasNew ? 1 : 2);
      // the task is running the program: TASK_RUNNING (0)
      const o = decodeReadOutcome(bss.subarray(rec.offset, rec.offset + readNew.recordSize), readNew.valueSize, int);
      expect(o === undefined ? 'not run' : formatReadOutcome(o), how).toBe('Ok(Some(0))');
    }
  });

  it('the Rust vocabulary: field_byte_offset!/field_byte_size! on a #[btf_relocatable] carrier give Option<usize>', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    const task = btfRelocatable(t, 'task_struct', [['pid', t.int32], ['tgid', t.int32], ['comm', t.array(t.char, 16)], ['btfkit_no_such_field', t.u32]]);
    const out = obj.global('.bss', 'out_options', t.array(t.u64, 6));
    const p = obj.program('options', 'raw_tracepoint/sys_enter');
    p.ldGlobal(R8, 'out_options');
    field_byte_offset(p, task, 'tgid', { value: R1, present: R2 }).store(8, R8, 0, R2).store(8, R8, 8, R1);
    field_byte_size(p, task, 'comm', { value: R1, present: R2 }).store(8, R8, 16, R2).store(8, R8, 24, R1);
    field_byte_offset(p, task, 'btfkit_no_such_field', { value: R1, present: R2 }).store(8, R8, 32, R2).store(8, R8, 40, R1);
    p.ret(0);
    const bytes = obj.write();
    const kt = kernel.type(kernel.findByName('task_struct', 'struct')[0]!);
    const tgidOff = kt.kind === 'struct' ? kt.members.find((m) => m.name === 'tgid')!.bitOffset / 8 : -1;
    const option = (present: bigint, value: bigint): string => (present === 1n ? `Some(${value})` : present === 0n && value === 0n ? 'None' : `bad(${present}, ${value})`);
    for (const [how, object] of [['libbpf', bytes], ['btfkit', relocatedByBtfkit(bytes, kernel)]] as const) {
      const run = runEmitted(object, 'options', `options-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const bss = hex(run.bss ?? '');
      const dv = new DataView(bss.buffer, bss.byteOffset + out.offset);
      const w = (i: number): bigint => dv.getBigUint64(i * 8, true);
      expect([option(w(0), w(1)), option(w(2), w(3)), option(w(4), w(5))], how).toEqual([`Some(${tgidOff})`, 'Some(16)', 'None']);
    }
  });

  it('maps, .data/.rodata/.bss, stack slots, a subprogram and kfuncs load and run', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    obj.map('counts', { type: 'array', maxEntries: 4, key: t.u32, value: t.u64 });
    obj.global('.data', 'out_seed', t.u64, new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]));
    obj.global('.rodata', 'out_factor', t.u64, new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0]));
    obj.global('.bss', 'out_result', t.array(t.u64, 3));
    obj.kfunc('bpf_rcu_read_lock', { returns: t.void }).kfunc('bpf_rcu_read_unlock', { returns: t.void });
    // u64 triple(u64 x) { return x * factor; }  (factor from .rodata)
    const sub = obj.subprogram('scale', 1);
    sub.ldGlobal(R2, 'out_factor').load(8, R2, R2, 0).mov(R0, R1).mul(R0, R2).exit();
    const p = obj.program('misc', 'raw_tracepoint/sys_enter');
    const key = p.stack(4);
    const value = p.stack(8);
    const skip = p.label('skip');
    p.callKfunc('bpf_rcu_read_lock').callKfunc('bpf_rcu_read_unlock');
    p.ldGlobal(R1, 'out_seed').load(8, R1, R1, 0).callSubprog('scale').mov(R6, R0); // 7 * 3
    p.store(4, R10, key, imm(2)).store(8, R10, value, R6);
    p.ldMap(R1, 'counts').mov(R2, R10).add(R2, imm(key)).mov(R3, R10).add(R3, imm(value)).mov(R4, imm(0)).call('map_update_elem');
    p.ldGlobal(R7, 'out_result').store(8, R7, 0, R0);
    p.ldMap(R1, 'counts').mov(R2, R10).add(R2, imm(key)).call('map_lookup_elem');
    p.jump('jeq', R0, imm(0), skip).load(8, R1, R0, 0).store(8, R7, 8, R1);
    p.place(skip).store(8, R7, 16, R6).ret(0);
    const run = runEmitted(obj.write(), 'misc');
    expect(run.loaded, run.log ?? '').toBe(true);
    const bss = hex(run.bss ?? '');
    const dv = new DataView(bss.buffer, bss.byteOffset);
    // map_update_elem returned 0; the looked-up value and the subprogram's result are 21
    expect([0, 1, 2].map((i) => Number(dv.getBigUint64(i * 8, true)))).toEqual([0, 21, 21]);
    expect(run.data?.slice(0, 2)).toBe('07');
  });

  it("paths through several pointers, as in C: 'files.fdt.fd[1].f_flags'", () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    const task = t.importType(kernel, 'struct task_struct', { members: ['files'] });
    t.importType(kernel, 'struct files_struct', { members: ['fdt'] });
    t.importType(kernel, 'struct fdtable', { members: ['fd', 'max_fds'] });
    t.importType(kernel, 'struct file', { members: ['f_flags'] });
    const p = obj.program('fds', 'raw_tracepoint/sys_enter');
    p.call('get_current_task').mov(R6, R0);
    const slots = ['files.fdt.fd[1]', 'files->fdt->max_fds', 'files.fdt.fd[1].f_flags'].map((path, i) => readInto(obj, p, `out_path${i}`, R6, task, path));
    p.ret(0);
    const bytes = obj.write();
    for (const [how, object] of [['libbpf', bytes], ['btfkit', relocatedByBtfkit(bytes, kernel)]] as const) {
      const run = runEmitted(object, 'fds', `fds-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const u64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
      const [file, maxFds, flags] = slots.map((sl) => outcome(run, sl, (b) => (b.length >= 8 ? u64(b) : BigInt(int(b)))));
      // fd 1 is the harness's stdout, whose access mode fcntl(F_GETFL) reports; the table has at least 64 fds
      expect(file?.ok === true && typeof file.value === 'bigint' && file.value > 0xffff000000000000n, how).toBe(true);
      expect(maxFds?.ok === true && (maxFds.value ?? 0n) >= 64n, how).toBe(true);
      expect(flags?.ok === true ? Number(flags.value) & 3 : -1, how).toBe((run.fd1_flags ?? -1) & 3);
    }
  });

  it('a read the kernel refuses is Err(ProbeRead(errno))', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    const task = t.struct('task_struct', [['pid', t.int32]]);
    const p = obj.program('bad_pointer', 'raw_tracepoint/sys_enter');
    p.mov(R6, imm(0)); // a NULL task pointer: bpf_probe_read_kernel fails instead of faulting
    const slot = readInto(obj, p, 'out_bad', R6, task, 'pid');
    p.ret(0);
    const bytes = obj.write();
    for (const [how, object] of [['libbpf', bytes], ['btfkit', relocatedByBtfkit(bytes, kernel)]] as const) {
      const run = runEmitted(object, 'bad_pointer', `bad_pointer-${how}`);
      expect(run.loaded, `${how}: ${run.log ?? ''}`).toBe(true);
      const o = outcome(run, slot, int);
      // EFAULT, or ERANGE where the kernel refuses user addresses up front (x86 since 5.x)
      expect(o !== undefined && !o.ok && o.error.kind === 'ProbeRead' && [14, 34].includes(o.error.errno), `${how}: ${o === undefined ? 'not run' : formatReadOutcome(o)}`).toBe(true);
    }
  });
});
