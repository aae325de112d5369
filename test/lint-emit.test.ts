// The two failure modes on objects built with btfkit's emitter: the safe read is clean on
// every kernel (its size check and existence guards are what lint looks for), while the
// BPF_CORE_READ-style read of a field declared with the wrong width, an unguarded read of a
// field no kernel has, and a relocated store into a map value are each flagged.
import { describe, expect, it } from 'vitest';
import { openBtf } from 'btfkit/btf';
import { parseObject } from 'btfkit/object';
import { ObjectBuilder, R0, R6, R7, R10, imm } from 'btfkit/emit';
import { lintObject, type LintKernel } from 'btfkit/lint';
import { listKernels, readBtfFile, testdataKernels } from './helpers/kernels.js';

const kernels: LintKernel[] = listKernels(testdataKernels).filter((k) => k.base === undefined)
  .map((k) => ({ name: k.name.replace(/\.btf(\.gz)?$/, ''), targets: [{ name: 'vmlinux', btf: openBtf(readBtfFile(k.path)) }] }));

function object(build: (o: ObjectBuilder) => void): ReturnType<typeof parseObject> {
  const o = new ObjectBuilder();
  build(o);
  return parseObject(o.write());
}

describe('lint on emitted objects', () => {
  it('the safe read is clean on every kernel, even with a wrong local width and a missing field', () => {
    const obj = object((o) => {
      const t = o.types;
      const task = t.struct('task_struct___mine', [['pid', t.long], ['btfkit_no_such_field', t.u32], ['comm', t.array(t.char, 16)]]);
      const p = o.program('safe', 'raw_tracepoint/sys_enter');
      p.call('get_current_task').mov(R6, R0);
      for (const [i, path] of ['pid', 'btfkit_no_such_field', 'comm'].entries()) p.relocatableFieldRead({ base: R10, off: p.stack(24) }, R6, task, path, i === 0 ? { expectedSize: 4 } : {});
      p.ret(0);
    });
    expect(lintObject(obj, kernels)).toEqual([]);
  });

  it('flags what the safe read prevents: a wrong-width read, reachable poison, a relocated store', () => {
    const obj = object((o) => {
      const t = o.types;
      const task = t.struct('task_struct___mine', [['pid', t.long], ['btfkit_no_such_field', t.u32]]);
      o.map('out', { type: 'array', key: t.u32, value: task, maxEntries: 1 });
      const p = o.program('unsafe', 'raw_tracepoint/sys_enter');
      const key = p.stack(4);
      const done = p.label('done');
      p.call('get_current_task').mov(R6, R0);
      p.coreRead({ base: R10, off: p.stack(8) }, R6, task, 'pid'); // 8 bytes read; pid is 4 on every kernel
      p.coreRead({ base: R10, off: p.stack(8) }, R6, task, 'btfkit_no_such_field'); // poisoned, unguarded
      p.store(4, R10, key, imm(0)).ldMap(1, 'out').mov(2, R10).add(2, imm(key)).call('map_lookup_elem');
      p.jump('jeq', R0, imm(0), done).mov(R7, R0);
      p.fieldByteOffset(1, task, 'pid').add(R7, 1).store(8, R7, 0, imm(1)); // a relocated store into the map value
      p.place(done).ret(0);
    });
    const findings = lintObject(obj, kernels);
    const codes = (code: string): string[] => findings.filter((f) => f.code === code).map((f) => f.kernel).sort();
    const all = kernels.map((k) => k.name).sort();
    expect(codes('LINT_SIZE_CHANGED')).toEqual(all);
    expect(codes('LINT_POISON_REACHABLE')).toEqual(all);
    expect(codes('LINT_RELOCATED_STORE')).toEqual(all);
    const size = findings.find((f) => f.code === 'LINT_SIZE_CHANGED')!;
    expect(size.field).toContain('task_struct___mine.pid');
    expect(size.change).toBe('size 8 -> 4');
  });
});
