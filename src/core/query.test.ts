import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../btf/btf.js';
import { parseObject } from '../object/spec.js';
import { relocateObject } from './relocate.js';
import { accessStringFor, enumValue, enumValueExists, fieldByteOffset, fieldByteSize, fieldExists, fieldLShiftU64, fieldRShiftU64, fieldSigned, query, typeExists, typeIdTarget, typeMatches, typeSize } from './query.js';
import { readBtfFile, repoRoot, testdataKernels } from '../../test/helpers/kernels.js';

const load = (n: string) => parseObject(new Uint8Array(readFileSync(join(repoRoot, `testdata/objects/${n}`))));
const el = load('core_mix-bpfel.o');
const eb = load('core_mix-bpfeb.o');
const local = el.btf!;
const kernels = ['linux-6.1.0-56-amd64.btf.gz', 'linux-6.12.117-amd64.btf.gz', 'linux-6.1.0-50-s390x.btf.gz'].map((n) => Btf.parse(readBtfFile(join(testdataKernels, n))));
const task = { btf: local, type: 'struct task_struct' };

describe('host-side queries', () => {
  it('turn C paths into the access strings clang emits', () => {
    // every record of core_mix: its access string comes back from the C path of the same field
    const rootId = local.findByNameKind('task_struct', 'struct')!;
    expect(accessStringFor(local, rootId, 'pid')).toBe('0:0');
    expect(accessStringFor(local, rootId, 'real_parent')).toBe('0:3');
    expect(accessStringFor(local, rootId, '[1].tgid')).toBe('1:1');
    expect(accessStringFor(local, rootId, 'comm[3]')).toBe('0:2:3');
    expect(() => accessStringFor(local, rootId, 'mm.arg_start')).toThrow(/never crosses a pointer/);
    expect(() => accessStringFor(local, rootId, 'nope')).toThrow(/no member 'nope'/);
  });

  it.each(kernels.map((k, i) => [i, k] as const))('answer what relocating core_mix patches in (kernel %i)', (_i, k) => {
    // a program for a big-endian kernel is a big-endian object: its bitfield shifts follow
    const obj = k.littleEndian ? el : eb;
    const res = relocateObject(obj, { targets: [{ name: 'vmlinux', btf: k }] });
    const value = (n: number): bigint | undefined => {
      const r = res.results[n]!;
      return r.outcome === 'poisoned' ? undefined : r.calc!.newVal;
    };
    const byAccess = (kind: number, access: string): bigint | undefined => {
      const i = res.results.findIndex((r) => r.kind === kind && r.accessString === access && obj.btf!.nameOf(r.localTypeId) === 'task_struct');
      return value(i);
    };
    expect(fieldByteOffset(k, task, 'pid').value).toBe(byAccess(0, '0:0'));
    expect(fieldByteOffset(k, task, 'tgid').value).toBe(byAccess(0, '0:1'));
    expect(fieldExists(k, task, 'nonexistent_field').value).toBe(0n);
    expect(fieldByteOffset(k, task, 'nonexistent_field')).toMatchObject({ value: undefined, poisoned: true });
    expect(fieldByteSize(k, task, 'comm').value).toBe(16n);
    expect(fieldSigned(k, task, 'pid').value).toBe(1n);
    expect(fieldLShiftU64(k, task, 'in_execve').value).toBe(byAccess(4, '0:5'));
    expect(fieldRShiftU64(k, task, 'in_execve').value).toBe(63n);
    expect(typeExists(k, task).value).toBe(1n);
    expect(typeIdTarget(k, task).value).toBe(BigInt(k.findByNameKind('task_struct', 'struct')!));
    expect(typeSize(k, { btf: local, type: 'struct mm_struct' }).value).toBe(BigInt(k.resolveSize(k.findByNameKind('mm_struct', 'struct')!)));
    expect(typeMatches(k, { btf: local, type: 'struct mm_struct' }).value).toBe(value(res.results.findIndex((r) => r.kind === 12)));
    expect(enumValue(k, { btf: local, type: 'enum pid_type' }, 'PIDTYPE_TGID').value).toBe(1n);
    expect(enumValueExists(k, { btf: local, type: 'enum pid_type' }, 'PIDTYPE_MAX').value).toBe(1n);
    expect(enumValue(k, { btf: local, type: 'enum perf_callchain_context' }, 'PERF_CONTEXT_HV').value).toBe(0xffffffffffffffe0n);
  });

  it('explains a miss', () => {
    const a = query(kernels[0]!, task, 2, '0:6');
    expect(a.value).toBe(0n);
    expect(a.explanation).toContain("has no field 'nonexistent_field'");
  });
});
