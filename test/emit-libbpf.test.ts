// Objects written by btfkit/emit, relocated by libbpf (../shared/oracle/libbpf-oracle, Debian's
// libbpf 1.1) and by btfkit's engine against every kernel of the corpus: every CO-RE record's
// result, values, candidates, specs and patched instruction must be the same (the per-record
// comparison of test/core-libbpf.test.ts, test/helpers/oracle.ts).
//
// The objects use all thirteen intrinsics, relocatableFieldRead, coreRead and loadField on
// local types imported from a kernel (trimmed to a few members), and on hand-declared ones: a
// field no kernel has, the `task_struct___v5_8` flavor of a field renamed since, a bitfield one
// kernel has and another has not, an enum with an enumerator only newer kernels have, types that
// match (or exist) on some kernels only, a module's type, and loads whose size libbpf adjusts or
// refuses to adjust.
//
// Byte orders: libbpf opens only objects of the host's byte order, and computes the bitfield
// left shift with the host's formula (relo_core.c, `#if __BYTE_ORDER == __LITTLE_ENDIAN`). The
// big-endian object is the same build with `littleEndian: false`: btfkit's decisions on it must
// equal libbpf's on the little-endian object, instruction bytes compared decoded, and the left
// shifts by libbpf's big-endian formula from libbpf's own byte size and right shift of the field.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf } from 'btfkit/btf';
import { parseObject } from 'btfkit/object';
import { relocateObject, type RelocateResult } from 'btfkit/core';
import { decodeInsnAt, type InsnIndex } from 'btfkit/asm';
import { ObjectBuilder, R0, R1, R2, R6, R10, type LocalTypeRef, type Program } from 'btfkit/emit';
import { corpusTargets, kernelsForTests, readBtfFile, testdataKernels, type KernelFile } from './helpers/kernels.js';
import { libbpfDecisions, ourRecord, theirRecord, type OracleRecord } from './helpers/oracle.js';

const kernels = kernelsForTests();
const tmp = mkdtempSync(join(tmpdir(), 'btfkit-emit-libbpf-'));

const { targetsFor, rawPath } = corpusTargets(kernels, tmp);

// The kernels local types are imported from (committed, so always there).
const k61 = Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.1.0-56-amd64.btf.gz')));
const k612 = Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.12.117-amd64.btf.gz')));

/** The object, in one byte order. Both orders are built by the same calls, so ids and offsets are the same. */
function build(littleEndian: boolean): Uint8Array {
  const obj = new ObjectBuilder({ littleEndian });
  const t = obj.types;
  // imported from 6.1 and trimmed; in_user_fault is gone in 6.12
  const task = t.importType(k61, 'struct task_struct', { members: ['pid', 'tgid', 'real_parent', 'comm', 'flags', 'prio', 'mm', 'se', 'in_execve', 'in_user_fault'] });
  t.importType(k61, 'struct mm_struct', { members: [''] }); // everything is in an anonymous struct
  const netctx = t.importType(k612, 'struct bpf_net_context'); // 6.11 and later
  // hand-declared
  const none = t.struct('task_struct___btfkit', [['pid', t.int32], ['btfkit_no_such_field', t.u64]]);
  const v58 = t.struct('task_struct___v5_8', [['state', t.long], ['pid', t.int32]]); // state is __state since 5.14
  const v514 = t.struct('task_struct___v5_14', [['__state', t.u32]]);
  const rt = t.struct('task_struct___rt', [{ name: 'sched_rt_mutex', type: t.u32, bits: 1 }]); // 6.12 only: matches there
  const sizes = t.struct('task_struct___sizes', [['flags', t.u64], ['pid', t.s64]]); // kernel: unsigned int flags, int pid
  const progType = t.enum('bpf_prog_type', { BPF_PROG_TYPE_SYSCALL: 99, BPF_PROG_TYPE_NETFILTER: 32 }); // NETFILTER: 6.4 and later
  const progTypeNf = t.enum('bpf_prog_type___nf', { BPF_PROG_TYPE_NETFILTER: 32 });
  const bbr = t.struct('bbr', [['min_rtt_us', t.u32], { name: 'mode', type: t.u32, bits: 3 }]); // in the tcp_bbr module
  obj.global('.bss', 'out', t.array(t.u64, 64));

  let slot = 0;
  /** Store r1 into out[slot++]. */
  const keep = (p: Program): void => { p.ldGlobal(R2, 'out', 8 * (slot++ % 64)).store(8, R2, 0, R1); };
  const each = (p: Program, list: ((p: Program) => unknown)[]): void => { for (const f of list) { f(p); keep(p); } };
  const bitfield = (p: Program, ty: LocalTypeRef, path: string): void => each(p, [
    (q) => q.fieldByteOffset(R1, ty, path), (q) => q.fieldByteSize(R1, ty, path), (q) => q.fieldLShiftU64(R1, ty, path),
    (q) => q.fieldRShiftU64(R1, ty, path), (q) => q.fieldSigned(R1, ty, path), (q) => q.fieldExists(R1, ty, path),
  ]);

  const fields = obj.program('fields', 'raw_tp/sys_enter');
  each(fields, [
    (p) => p.fieldByteOffset(R1, task, 'tgid'), (p) => p.fieldByteOffset(R1, task, 'se.vruntime'), (p) => p.fieldByteOffset(R1, task, 'comm[2]'),
    (p) => p.fieldByteSize(R1, task, 'comm'), (p) => p.fieldByteSize(R1, task, 'flags'), (p) => p.fieldExists(R1, task, 'real_parent'),
    (p) => p.fieldSigned(R1, task, 'prio'), (p) => p.fieldSigned(R1, task, 'flags'),
    (p) => p.fieldLShiftU64(R1, task, 'pid'), (p) => p.fieldRShiftU64(R1, task, 'pid'), (p) => p.fieldByteSize(R1, task, 'pid'),
    (p) => p.fieldExists(R1, none, 'btfkit_no_such_field'), (p) => p.fieldByteOffset(R1, none, 'btfkit_no_such_field'), (p) => p.fieldByteOffset(R1, none, 'pid'),
    (p) => p.fieldExists(R1, v58, 'state'), (p) => p.fieldByteSize(R1, v58, 'state'), (p) => p.fieldByteOffset(R1, v58, 'pid'),
    (p) => p.fieldExists(R1, v514, '__state'), (p) => p.fieldByteSize(R1, v514, '__state'),
    (p) => p.fieldByteOffset(R1, bbr, 'min_rtt_us'),
  ]);
  fields.callSubprog('sub_offsets').ret(0);

  const bits = obj.program('bitfields', 'raw_tp/sys_enter');
  bitfield(bits, task, 'in_execve');
  bitfield(bits, task, 'in_user_fault');
  bitfield(bits, rt, 'sched_rt_mutex');
  bitfield(bits, bbr, 'mode');
  bits.ret(0);

  const types = obj.program('types', 'raw_tp/sys_enter');
  each(types, [
    (p) => p.typeIdLocal(R1, task), (p) => p.typeIdTarget(R1, task), (p) => p.typeExists(R1, task), (p) => p.typeSize(R1, task), (p) => p.typeMatches(R1, task),
    (p) => p.typeIdTarget(R1, netctx), (p) => p.typeExists(R1, netctx), (p) => p.typeSize(R1, netctx), (p) => p.typeMatches(R1, netctx),
    (p) => p.typeMatches(R1, rt), (p) => p.typeMatches(R1, v514), (p) => p.typeMatches(R1, v58), (p) => p.typeExists(R1, none),
    (p) => p.typeExists(R1, bbr), (p) => p.typeSize(R1, bbr), (p) => p.typeIdTarget(R1, bbr),
    (p) => p.typeMatches(R1, progTypeNf), (p) => p.typeExists(R1, progType), (p) => p.typeSize(R1, progType), (p) => p.typeIdLocal(R1, progType),
    (p) => p.enumValueExists(R1, progType, 'BPF_PROG_TYPE_NETFILTER'), (p) => p.enumValue(R1, progType, 'BPF_PROG_TYPE_NETFILTER'),
    (p) => p.enumValueExists(R1, progType, 'BPF_PROG_TYPE_SYSCALL'), (p) => p.enumValue(R1, progType, 'BPF_PROG_TYPE_SYSCALL'),
  ]);
  types.ret(0);

  const reads = obj.program('reads', 'raw_tp/sys_enter');
  reads.call('get_current_task').mov(R6, R0);
  for (const [ty, path, expectedSize] of [
    [task, 'real_parent.tgid'], [task, 'mm.arg_start'], [task, 'in_execve'], [task, 'in_user_fault'], [task, 'comm'], [task, 'pid', 8],
    [task, 'real_parent.real_parent.pid'], [task, 'se.vruntime'], [none, 'btfkit_no_such_field'], [v58, 'state'], [v514, '__state'], [bbr, 'mode'],
  ] as const) {
    reads.relocatableFieldRead({ base: R10, off: reads.stack(32) }, R6, ty, path, expectedSize === undefined ? {} : { expectedSize });
  }
  reads.ret(0);

  const chained = obj.program('core_reads', 'raw_tp/sys_enter');
  chained.call('get_current_task').mov(R6, R0);
  for (const path of ['real_parent.tgid', 'mm.arg_start', 'real_parent.comm', 'pid']) chained.coreRead({ base: R10, off: chained.stack(16) }, R6, task, path);
  chained.ret(0);

  // direct loads (what a tp_btf/fentry program does through its BTF pointers; libbpf relocates them the same in any program)
  const loads = obj.program('loads', 'raw_tp/sys_enter');
  loads.call('get_current_task').mov(R6, R0);
  each(loads, [
    (p) => p.loadField(R1, R6, task, 'pid'), (p) => p.loadField(R1, R6, task, 'real_parent'), (p) => p.loadField(R1, R6, task, 'se.vruntime'),
    (p) => p.loadField(R1, R6, sizes, 'flags'), (p) => p.loadField(R1, R6, sizes, 'pid'), (p) => p.loadField(R1, R6, v514, '__state'),
    (p) => p.loadField(R1, R6, none, 'btfkit_no_such_field'), (p) => p.loadField(R1, R6, task, 'comm[3]'),
  ]);
  loads.ret(0);

  const sub = obj.subprogram('sub_offsets');
  each(sub, [(p) => p.fieldByteOffset(R1, task, 'pid'), (p) => p.fieldExists(R1, none, 'btfkit_no_such_field'), (p) => p.typeExists(R1, netctx)]);
  sub.ret(0);
  return obj.write();
}

const le = build(true);
const be = build(false);
const lePath = join(tmp, 'emitted-bpfel.o');
writeFileSync(lePath, le);
const leSpec = parseObject(le);
const beSpec = parseObject(be);
const recordCount = leSpec.btfExt!.coreRelos.reduce((n, g) => n + g.records.length, 0);

const relocate = (spec: typeof leSpec, k: KernelFile): RelocateResult =>
  relocateObject(spec, { targets: targetsFor(k), includeNonAutoload: true, searchModulesTogether: k.base !== undefined });

const want = new Map<string, OracleRecord[]>();
function oracle(k: KernelFile): OracleRecord[] {
  let w = want.get(k.name);
  if (w === undefined) {
    const base = k.base === undefined ? undefined : rawPath(kernels.find((x) => x.name === k.base)!);
    w = libbpfDecisions(lePath, rawPath(k), base);
    want.set(k.name, w);
  }
  return w;
}

describe('an emitted object', () => {
  it('has records of every kind, in programs and a subprogram', () => {
    const kinds = new Set(leSpec.btfExt!.coreRelos.flatMap((g) => g.records.map((r) => r.kind)));
    expect([...kinds].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(leSpec.btfExt!.coreRelos.map((g) => g.section).sort()).toEqual(['.text', 'raw_tp/sys_enter']);
    // the same records in the same programs (a big-endian bitfield read takes three instructions more)
    const records = (spec: typeof leSpec) => spec.programs.map((p) => [p.name, p.coreRelos.map((r) => ({ ...r, insnOffset: undefined }))]);
    expect(records(beSpec)).toEqual(records(leSpec));
    expect(recordCount).toBeGreaterThan(130);
  });
});

const kernelCases = kernels.map((k) => [k.name, k] as const);

describe('little-endian: libbpf relocates it as btfkit does', () => {
  it.each(kernelCases)('against %s', (_name, k) => {
    const w = oracle(k);
    expect(w.length).toBe(recordCount);
    const res = relocate(leSpec, k);
    expect(w.map((o, i) => ourRecord(res.results[i]!, res.programs, o))).toEqual(w.map(theirRecord));
    // the decisions are not all alike: something resolves, something is poisoned, nothing fails
    expect(new Set(w.map((o) => o.result))).toEqual(new Set(['patched', 'poisoned']));
    // libbpf's last log line for each record is among ours, word for word (as test/core-libbpf.test.ts checks)
    expect(w.map((o, i) => ({ raw: o.raw, log: res.results[i]!.log })).filter((l) => l.raw !== '' && !l.log.some((x) => x.endsWith(l.raw)))).toEqual([]);
  });

  it('with decisions that differ between kernels where the types do', () => {
    const byKernel = new Map(kernels.filter((k) => k.base === undefined).map((k) => [k.name, oracle(k)]));
    // a record by program, kind and libbpf's local spec without its type id: 'struct task_struct.pid'
    const spec = (o: OracleRecord): string => (o.spec ?? '').replace(/^\[\d+\] /, '').split(' (')[0]!;
    const value = (kernel: string, prog: string, kind: string, what: string): string => {
      const o = byKernel.get(kernel)!.find((r) => r.prog === prog && r.kind === kind && spec(r) === what);
      if (o === undefined) throw new Error(`no ${kind} record on ${what} in ${prog}`);
      return o.result === 'patched' ? String(o.to) : o.result;
    };
    const k61name = 'linux-6.1.0-56-amd64.btf' + (byKernel.has('linux-6.1.0-56-amd64.btf') ? '' : '.gz');
    const k612name = 'linux-6.12.117-amd64.btf' + (byKernel.has('linux-6.12.117-amd64.btf') ? '' : '.gz');
    const both = (prog: string, kind: string, what: string): string[] => [value(k61name, prog, kind, what), value(k612name, prog, kind, what)];
    expect(both('types', 'type_exists', 'struct bpf_net_context')).toEqual(['0', '1']);
    expect(both('types', 'type_matches', 'struct task_struct___rt')).toEqual(['0', '1']);
    expect(both('types', 'type_matches', 'enum bpf_prog_type___nf')).toEqual(['0', '1']);
    expect(both('types', 'enumval_exists', 'enum bpf_prog_type::BPF_PROG_TYPE_NETFILTER = 32')).toEqual(['0', '1']);
    expect(both('types', 'enumval_value', 'enum bpf_prog_type::BPF_PROG_TYPE_NETFILTER = 32')).toEqual(['poisoned', '32']);
    expect(both('types', 'enumval_value', 'enum bpf_prog_type::BPF_PROG_TYPE_SYSCALL = 99')).toEqual(['31', '31']);
    expect(both('bitfields', 'field_exists', 'struct task_struct.in_user_fault')).toEqual(['1', '0']);
    expect(both('bitfields', 'lshift_u64', 'struct task_struct.in_user_fault')).toEqual([expect.stringMatching(/^\d+$/), 'poisoned']);
    expect(both('fields', 'field_exists', 'struct task_struct___btfkit.btfkit_no_such_field')).toEqual(['0', '0']);
    expect(both('fields', 'byte_off', 'struct task_struct___btfkit.btfkit_no_such_field')).toEqual(['poisoned', 'poisoned']);
    expect(both('fields', 'field_exists', 'struct task_struct___v5_8.state')).toEqual(['0', '0']);
    expect(both('fields', 'byte_sz', 'struct task_struct___v5_14.__state')).toEqual(['4', '4']);
    expect(both('types', 'type_exists', 'struct bbr')).toEqual(['0', '0']);
  });

  it('loads of another size are adjusted when libbpf may, poisoned when it may not', () => {
    const w = oracle(kernels.find((k) => k.base === undefined)!);
    const sizes = w.filter((o) => o.prog === 'loads' && o.spec?.includes('task_struct___sizes') === true);
    expect(sizes.map((o) => [o.access, o.result, o.mem_sz])).toEqual([['0:0', 'patched', { from: 8, to: 4 }], ['0:1', 'poisoned', null]]);
  });

  it('finds a module type in the module BTF', () => {
    const mod = kernels.find((k) => k.base !== undefined && k.name.includes('tcp_bbr'));
    if (mod === undefined) return;
    const exists = oracle(mod).find((o) => o.kind === 'type_exists' && o.spec?.includes('struct bbr') === true)!;
    expect([exists.result, exists.to]).toEqual(['patched', 1]);
  });
});

/** Instruction fields of hex bytes in one byte order (two slots for LD_IMM64). */
function fields(hex: string | null, littleEndian: boolean, kind: number, lshift?: number | string): unknown {
  if (hex === null) return null;
  const insn = decodeInsnAt(new Uint8Array(Buffer.from(hex, 'hex')), 0 as InsnIndex, { littleEndian });
  const f = { code: insn.code, dst: insn.dst, src: insn.src, off: insn.off, imm: insn.imm, ...(insn.kind === 'ld_imm64' ? { value: insn.value.toString() } : {}) };
  return kind === 4 && lshift !== undefined && insn.code !== 0x85 ? { ...f, imm: Number(lshift) } : f;
}

describe('big-endian: btfkit decides on it as libbpf does on its little-endian twin', () => {
  it.each(kernelCases)('against %s', (_name, k) => {
    const w = oracle(k);
    const res = relocate(beSpec, k);
    const key = (o: OracleRecord, kind: string): string => `${o.sec}|${o.prog}|${o.type_id}|${o.access}|${kind}`;
    const byKey = new Map(w.map((o) => [key(o, o.kind), o]));
    const origImm = (i: number): number => {
      const r = res.results[i]!;
      const p = beSpec.programs.find((x) => x.name === r.program)!;
      return decodeInsnAt(p.insns, r.insn as InsnIndex, { littleEndian: false }).imm;
    };
    const expected = w.map((o, i) => {
      const t = theirRecord(o);
      if (o.kind_id !== 4) return { ...t, new: fields(t.new, true, o.kind_id) };
      // libbpf's big-endian left shift: (8 - byte_sz) * 8 + (rshift - lshift_le), from its own decisions on the field
      const size = byKey.get(key(o, 'byte_sz'));
      const rshift = byKey.get(key(o, 'rshift_u64'));
      if (size === undefined || rshift === undefined) throw new Error(`record ${o.relo} of ${o.prog}: no byte_sz/rshift_u64 record on the same field`);
      const to = o.result === 'patched' ? String((8 - Number(size.to)) * 8 + Number(rshift.to) - Number(o.to)) : null;
      // the original immediate is ours (clang's value for the field, test/emit-twins.test.ts)
      const from = o.result === 'patched' ? String(origImm(i)) : null;
      return { ...t, from, to, new: fields(t.new, true, 4, to ?? undefined) };
    });
    // where the records are in the big-endian object
    const at = beSpec.btfExt!.coreRelos.flatMap((g) => g.records.map((r) => r.insnOffset));
    const got = w.map((o, i) => {
      const r = ourRecord(res.results[i]!, res.programs, o);
      return { ...r, new: fields(r.new, false, o.kind_id) };
    });
    expect(got.map((r) => r.insn_off)).toEqual(at);
    expect(got.map((r) => ({ ...r, insn_off: 0, insn: 0 }))).toEqual(expected.map((r) => ({ ...r, insn_off: 0, insn: 0 })));
  });
});
