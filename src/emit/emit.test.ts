// The emitter's own contract: builder mistakes are BtfkitErrors with code EMIT and a message
// that says what is wrong, and a written object reads back through parseObject as it was built
// (programs, maps, globals, license, func_info/line_info, calls, kfunc externs, CO-RE records).
// That clang-19 writes the same CO-RE records and lays out the same structs is
// test/emit-twins.test.ts; that libbpf relocates our objects as btfkit does, test/emit-libbpf.test.ts.
import { describe, expect, it } from 'vitest';
import { BtfkitError, ErrorCodes } from '../errors.js';
import { decodeInsns } from '../asm/index.js';
import { parseObject } from '../object/spec.js';
import { validateBtf } from '../btf/validate.js';
import { RELO_KIND } from '../core/kinds.js';
import { HELPERS, LocalTypes, ObjectBuilder, R0, R1, R2, R3, R6, R10, imm, type Helper } from './index.js';

/** `f` throws a BtfkitError with code EMIT whose message matches `message`. */
function expectEmitError(f: () => unknown, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(BtfkitError);
  expect((err as BtfkitError).code).toBe(ErrorCodes.EMIT);
  expect((err as Error).message).toMatch(message);
}

/** An object with one program `p` (body given) and what it needs. */
function one(body: (obj: ObjectBuilder, p: ReturnType<ObjectBuilder['program']>) => void): ObjectBuilder {
  const obj = new ObjectBuilder();
  const p = obj.program('p', 'raw_tp/sys_enter');
  body(obj, p);
  return obj;
}

describe('builder errors', () => {
  it('labels: never placed, placed twice, placed after the last instruction', () => {
    expectEmitError(() => one((_o, p) => { p.goto(p.label('nowhere')).ret(0); }).write(), /p: label nowhere is never placed/);
    expectEmitError(() => one((_o, p) => { const l = p.label('twice'); p.place(l).mov(R0, imm(0)).place(l); }), /label twice placed twice/);
    expectEmitError(() => one((_o, p) => { const l = p.label('end'); p.jump('jeq', R1, imm(0), l).ret(0).place(l); }).write(), /label end is placed after the last instruction/);
  });

  it('a jump out of 16-bit range', () => {
    expectEmitError(() => one((_o, p) => {
      const far = p.label('far');
      p.goto(far);
      for (let i = 0; i < 33000; i++) p.mov(R1, imm(i));
      p.place(far).ret(0);
    }).write(), /p: jump to far \(33000 slots\) does not fit 16 bits/);
    // 32767 is the farthest forward jump
    const ok = one((_o, p) => {
      const far = p.label('far');
      p.goto(far);
      for (let i = 0; i < 32767; i++) p.mov(R1, imm(0));
      p.place(far).ret(0);
    });
    expect(parseObject(ok.write()).programs[0]!.insnCount).toBe(32770);
  });

  it('functions that do not end in exit or goto, or are empty', () => {
    expectEmitError(() => one((_o, p) => { p.mov(R0, imm(0)); }).write(), /p: the last instruction must be exit or goto/);
    expectEmitError(() => one(() => {}).write(), /p: no instructions/);
    expectEmitError(() => new ObjectBuilder().write(), /an object needs at least one program/);
  });

  it('unknown maps, globals, subprograms, kfuncs and helpers', () => {
    expectEmitError(() => one((_o, p) => { p.ldMap(R1, 'events').ret(0); }).write(), /reference to unknown map 'events'/);
    expectEmitError(() => one((_o, p) => { p.ldGlobal(R1, 'counter').ret(0); }).write(), /reference to unknown global 'counter'/);
    expectEmitError(() => one((_o, p) => { p.callSubprog('helper').ret(0); }).write(), /reference to unknown subprog 'helper'/);
    expectEmitError(() => one((_o, p) => { p.callKfunc('bpf_task_acquire').ret(0); }).write(), /reference to unknown kfunc 'bpf_task_acquire'/);
    expectEmitError(() => one((_o, p) => { p.call('no_such_helper' as Helper); }), /unknown helper no_such_helper/);
    // a name of the wrong kind
    expectEmitError(() => one((o, p) => { o.global('.bss', 'counter', o.types.u64); p.ldMap(R1, 'counter').ret(0); }).write(), /'counter' is not a map/);
    expectEmitError(() => one((o, p) => { o.map('events', { type: 'ringbuf', maxEntries: 4096 }); p.ldGlobal(R1, 'events').ret(0); }).write(), /'events' is not a global/);
    expectEmitError(() => one((o, p) => { o.map('m', { type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 }); p.callSubprog('m').ret(0); }).write(), /'m' is not a subprog/);
    expectEmitError(() => one((o, p) => { o.map('m', { type: 'no_such_map_type' as 'array' }); p.ret(0); }).write(), /map m: unknown map type no_such_map_type/);
  });

  it('names declared twice, or not C identifiers', () => {
    expectEmitError(() => one((o) => { o.map('p', { type: 'array', keySize: 4, valueSize: 4, maxEntries: 1 }); }), /'p' is declared twice/);
    expectEmitError(() => one((o) => { o.global('.data', 'x', o.types.u32); o.global('.bss', 'x', o.types.u32); }), /'x' is declared twice/);
    expectEmitError(() => one((o) => { o.subprogram('p'); }), /'p' is declared twice/);
    expectEmitError(() => one((o) => { o.program('p', 'kprobe/x'); }), /'p' is declared twice/);
    expectEmitError(() => one((o) => { o.map('my-map', { type: 'array' }); }), /'my-map' is not a C identifier/);
    expectEmitError(() => new ObjectBuilder().program('t', '.text'), /programs cannot live in \.text; use subprogram\(\) for t/);
    expectEmitError(() => new ObjectBuilder().subprogram('s', 6), /subprogram s: BPF functions take at most 5 arguments/);
  });

  it('globals that cannot be placed', () => {
    const o = new ObjectBuilder();
    expectEmitError(() => o.global('.bss', 'b', o.types.u32, new Uint8Array([1, 0, 0, 0])), /\.bss variables are zero; use \.data/);
    expectEmitError(() => o.global('.data', 'd', o.types.u32, new Uint8Array(3)), /global d: 3 initial bytes for a 4-byte unsigned int/);
    expectEmitError(() => o.global('.data', 'v', o.types.void), /global v: type void has no size/);
  });

  it('a stack over 512 bytes', () => {
    expectEmitError(() => one((_o, p) => { p.stack(520); }), /p: stack of 520 bytes exceeds the 512 the kernel allows/);
    one((_o, p) => {
      expect(p.stack(256)).toBe(-256);
      expect(p.stack(250)).toBe(-512); // aligned to 8: exactly 512
      expectEmitError(() => p.stack(1), /stack of 520 bytes/);
    });
  });

  describe('CO-RE accessors', () => {
    const obj = new ObjectBuilder();
    const t = obj.types;
    const opaque = t.fwd('opaque');
    const inner = t.struct('inner', [['x', t.int32]]);
    const s = t.struct('s', [
      ['ip', t.ptr(t.int32)], ['op', t.ptr(opaque)], ['inner', t.ptr(inner)], ['arr', t.array(t.u16, 4)], { name: 'bits', type: t.u32, bits: 3 }, ['big', t.array(t.u8, 24)],
    ]);
    const e = t.enum('e', { A: 1 });
    const p = obj.program('reads', 'raw_tp/sys_enter');
    const slot = { base: R10, off: p.stack(48) };

    it('outcome records go to the stack or behind R6-R9', () => {
      expectEmitError(() => p.relocatableFieldRead({ base: R3, off: 0 }, R6, s, 'arr'), /outcome records go to the stack \(R10\) or behind R6–R9 \(calls clobber R0–R5\), not R3/);
      expectEmitError(() => p.coreRead({ base: R0, off: 0 }, R6, s, 'arr'), /not R0/);
      expectEmitError(() => p.relocatableFieldRead({ base: R10, off: 8 }, R6, s, 'arr'), /stack offsets are negative \(got 8\)/);
    });

    it('paths continue only through struct and union pointers with a local definition', () => {
      expectEmitError(() => p.relocatableFieldRead(slot, R6, s, 'ip.x'), /ip points to a int; paths continue only through struct and union pointers/);
      expectEmitError(() => p.coreRead(slot, R6, s, 'op.x'), /op points to struct opaque, which has no local definition: declare or import it first/);
      expectEmitError(() => p.relocatableFieldRead(slot, R6, s, 'arr.x'), /arr/);
      expectEmitError(() => p.relocatableFieldRead(slot, R6, s, ''), /empty access path on struct s/);
    });

    it('bad paths, kinds that do not apply, and reads that cannot be emitted', () => {
      expectEmitError(() => p.fieldByteOffset(R1, s, 'nope'), /no member 'nope' in struct s/);
      expectEmitError(() => p.relocatableFieldRead(slot, R6, s, 'inner.nope'), /no member 'nope' in struct inner/);
      expectEmitError(() => p.fieldLShiftU64(R1, s, 'arr[1]'), /lshift_u64 of struct s \(0:3:1\): lshift_u64 can't be applied to an array element/);
      expectEmitError(() => p.fieldByteOffset(R1, s, [0, 9]), /byte_off of struct s \(0:9\)/);
      expectEmitError(() => p.enumValue(R1, e, 'B'), /enum e has no enumerator B/);
      expectEmitError(() => p.loadField(R1, R6, s, 'inner.x'), /loadField inner.x: a direct load cannot cross a pointer/);
      expectEmitError(() => p.loadField(R1, R6, s, 'bits'), /loadField bits: bitfields need relocatableFieldRead/);
      expectEmitError(() => p.loadField(R1, R6, s, 'big'), /loadField big: a 24-byte field cannot be loaded into a register/);
      expectEmitError(() => p.relocatableFieldRead(slot, R6, s, 'bits', { expectedSize: 4 }), /bits: a bitfield is read into a u64 \(expected size 8\)/);
    });
  });

  it('local types that cannot be laid out', () => {
    const t = new LocalTypes();
    expectEmitError(() => t.struct('s', [{ name: 'b', type: t.u8, bits: 9 }]), /bitfield s\.b: 9 bits do not fit unsigned char/);
    const k = new LocalTypes();
    const inner = k.struct('task_struct', [['pid', k.int32]]);
    expectEmitError(() => t.importType(k.view(), inner.id, { members: ['tgid'] }), /struct task_struct has no member tgid/);
  });
});

/** The object of the read-back tests (built twice to check the writer is deterministic). */
function build() {
  const obj = new ObjectBuilder({ license: 'Dual MIT/GPL' });
  const t = obj.types;
  const task = t.struct('task_struct', [['pid', t.int32], ['tgid', t.int32], ['comm', t.array(t.char, 16)]]);
  const value = t.struct('value', [['count', t.u64], ['comm', t.array(t.char, 16)]]);
  obj.map('counts', { type: 'hash', key: t.u32, value, maxEntries: 1024 });
  obj.map('events', { type: 'ringbuf', maxEntries: 1 << 16 });
  obj.map('slots', { type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 });
  obj.global('.data', 'seen', t.u64, new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]));
  obj.global('.data', 'tag', t.u8, new Uint8Array([0x2a]));
  obj.global('.data', 'after', t.u32, new Uint8Array([1, 2, 3, 4]));
  obj.global('.rodata', 'limit', t.u32, new Uint8Array([0x10, 0, 0, 0]));
  obj.global('.bss', 'last_pid', t.int32);
  obj.kfunc('bpf_task_acquire', { returns: t.ptr(task), params: [{ name: 'p', type: t.ptr(task) }] });

  const main = obj.program('count_exec', 'raw_tp/sched_process_exec', 'count.ts');
  main.line('task = bpf_get_current_task();', 10, 3).call('get_current_task').mov(R6, R0);
  main.line('pid = task->pid;', 11, 5).fieldByteOffset(R1, task, 'pid');
  main.ldMap(R1, 'counts').ldGlobal(R2, 'seen').ldGlobal(R3, 'after', 2).callSubprog('add_one').callKfunc('bpf_task_acquire');
  main.line('return 0;', 12).ret(0);
  const other = obj.program('other', 'kprobe/do_exit');
  other.typeSize(R1, task).ldGlobal(R2, 'last_pid').ldGlobal(R3, 'limit').callSubprog('add_one').ret(0);
  const sub = obj.subprogram('add_one', 1);
  sub.mov(R0, R1).add(R0, imm(1)).exit();

  return { main, other, bytes: obj.write() };
}

describe('a written object reads back', () => {
  const { main, other, bytes } = build();
  const spec = parseObject(bytes);

  it('programs and subprograms, with their instructions', () => {
    expect(spec.warnings).toEqual([]);
    expect(spec.littleEndian).toBe(true);
    expect(spec.programs.map((p) => [p.name, p.section, p.isSubprogram, p.progType ?? null, p.insnCount])).toEqual([
      ['count_exec', 'raw_tp/sched_process_exec', false, 'raw_tracepoint', main.slotCount],
      ['other', 'kprobe/do_exit', false, 'kprobe', other.slotCount],
      ['add_one', '.text', true, null, 3],
    ]);
    const insns = decodeInsns(spec.programs.find((p) => p.name === 'add_one')!.insns, { littleEndian: true });
    expect(insns.map((i) => [i.kind, i.code, i.dst, i.src, i.imm])).toEqual([['alu', 0xbf, 0, 1, 0], ['alu', 0x07, 0, 0, 1], ['exit', 0x95, 0, 0, 0]]);
    expect(decodeInsns(spec.programs[0]!.insns, { littleEndian: true })[0]).toMatchObject({ kind: 'call', imm: HELPERS.get_current_task });
  });

  it('calls to subprograms resolve, kfuncs are externs', () => {
    expect(spec.programs.find((p) => p.name === 'count_exec')!.calls).toEqual(['add_one']);
    expect(spec.programs.find((p) => p.name === 'other')!.calls).toEqual(['add_one']);
    expect(spec.externs.map((e) => [e.name, e.kind, e.weak, e.typeId === undefined ? undefined : spec.btf!.kindOf(e.typeId)])).toEqual([['bpf_task_acquire', 'ksym-func', false, 'func']]);
    const relocs = spec.programs.find((p) => p.name === 'count_exec')!.relocations;
    expect(relocs.map((r) => [r.kind, r.symbol, r.section ?? null, r.offset ?? null])).toEqual([
      ['map', 'counts', '.maps', null], ['global-data', 'seen', '.data', 0], ['global-data', 'after', '.data', 14], ['subprog', 'add_one', '.text', null], ['extern', 'bpf_task_acquire', null, null],
    ]);
  });

  it('BTF-defined maps with their types and sizes', () => {
    const btf = spec.btf!;
    const maps = spec.maps.filter((m) => m.section === '.maps');
    expect(maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags])).toEqual([
      ['counts', 'hash', 4, 24, 1024, 0], ['events', 'ringbuf', 0, 0, 65536, 0], ['slots', 'percpu_array', 4, 8, 4, 0],
    ]);
    const counts = maps[0]!;
    expect([btf.nameOf(counts.keyType!), btf.nameOf(counts.valueType!)]).toEqual(['unsigned int', 'value']);
  });

  it('globals in .data, .rodata and .bss with their initial values', () => {
    const data = spec.maps.filter((m) => m.section !== '.maps');
    expect(data.map((m) => [m.name, m.valueSize, m.readOnly, m.initialValue === undefined ? null : [...m.initialValue]])).toEqual([
      ['.data', 16, false, [7, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0, 0, 0, 1, 2, 3, 4]],
      ['.rodata', 4, true, [0x10, 0, 0, 0]],
      ['.bss', 4, false, null],
    ]);
    const btf = spec.btf!;
    const vars = (sec: string): string[] => {
      const ds = btf.type(btf.findByNameKind(sec, 'datasec')!);
      return ds.kind === 'datasec' ? ds.vars.map((v) => `${btf.nameOf(v.type)}@${v.offset}+${v.size}`) : [];
    };
    expect([vars('.data'), vars('.rodata'), vars('.bss')]).toEqual([['seen@0+8', 'tag@8+1', 'after@12+4'], ['limit@0+4'], ['last_pid@0+4']]);
  });

  it('license, func_info, line_info and CO-RE records', () => {
    expect(spec.license).toBe('Dual MIT/GPL');
    const btf = spec.btf!;
    expect(spec.programs.map((p) => p.funcInfo.map((f) => [f.insnOffset, btf.kindOf(f.typeId), btf.nameOf(f.typeId)]))).toEqual([
      [[0, 'func', 'count_exec']], [[0, 'func', 'other']], [[0, 'func', 'add_one']],
    ]);
    const lines = spec.programs[0]!.lineInfo.map((l) => [l.insnOffset, l.fileName, l.line, l.lineNumber, l.column]);
    expect(lines).toEqual([[0, 'count.ts', 'task = bpf_get_current_task();', 10, 3], [16, 'count.ts', 'pid = task->pid;', 11, 5], [88, 'count.ts', 'return 0;', 12, 0]]);
    // functions without lines get one at their first instruction (the kernel wants it once any is given): none here
    expect(spec.programs[1]!.lineInfo).toEqual([]);
    const core = spec.programs.flatMap((p) => p.coreRelos.map((r) => [p.name, r.insnOffset, btf.nameOf(r.typeId), r.accessString, r.kind]));
    expect(core).toEqual([['count_exec', 16, 'task_struct', '0:0', RELO_KIND.FIELD_BYTE_OFFSET], ['other', 0, 'task_struct', '0', RELO_KIND.TYPE_SIZE]]);
  });

  it('BTF the kernel accepts, and the same bytes each time', () => {
    // the kernel takes no extern FUNC (libbpf rewrites kfunc externs before loading, as for clang's objects)
    const raw = spec.elf.data(spec.elf.section('.BTF')!);
    expect(validateBtf(raw)).toMatchObject({ ok: false, error: { message: 'Invalid func linkage', kernelLog: expect.stringMatching(/FUNC bpf_task_acquire .*Invalid func linkage/) } });
    const plain = new ObjectBuilder();
    plain.types.struct('s', [['a', plain.types.int32], { name: 'b', type: plain.types.u8, bits: 3 }, ['c', plain.types.array(plain.types.char, 3)]]);
    plain.map('m', { type: 'hash', key: plain.types.u32, value: plain.types.u64, maxEntries: 8 });
    plain.global('.rodata', 'r', plain.types.u32, new Uint8Array(4));
    plain.program('q', 'kprobe/f').ldGlobal(R1, 'r').ldMap(R2, 'm').callSubprog('s2').ret(0);
    plain.subprogram('s2', 2).ret(0);
    const p = parseObject(plain.write());
    expect(validateBtf(p.elf.data(p.elf.section('.BTF')!))).toMatchObject({ ok: true });
    expect(build().bytes).toEqual(bytes);
  });

  it('writes an object once: again gives the same bytes, a change after writing is an error', () => {
    const o = new ObjectBuilder();
    const p = o.program('q', 'kprobe/f').ret(0);
    const first = o.write();
    expect(o.write()).toEqual(first);
    p.mov(R1, imm(1));
    expectEmitError(() => o.write(), /was written and has changed since/);
  });

  it('in big-endian too', () => {
    const b = new ObjectBuilder({ littleEndian: false });
    const s = b.types.struct('s', [['a', b.types.int32], { name: 'f', type: b.types.u32, bits: 5 }]);
    b.global('.data', 'x', b.types.u32, new Uint8Array([0, 0, 0, 9]));
    b.program('q', 'raw_tp/sys_enter').fieldLShiftU64(R1, s, 'f').ldGlobal(R2, 'x').store(8, R2, 0, R1).ret(0);
    const o = parseObject(b.write());
    expect(o.littleEndian).toBe(false);
    expect(o.btf!.littleEndian).toBe(false);
    const insn = decodeInsns(o.programs[0]!.insns, { littleEndian: false })[0]!;
    // clang's big-endian shift for a 5-bit field at bit 32 of a 4-byte-aligned struct: 32 + 64 - 64
    expect([insn.code, insn.dst, insn.imm]).toEqual([0xb7, 1, 32]);
    expect(o.maps.map((m) => [m.name, [...m.initialValue!]])).toEqual([['.data', [0, 0, 0, 9]]]);
    expect(o.programs[0]!.coreRelos.map((r) => [r.accessString, r.kind])).toEqual([['0:1', RELO_KIND.FIELD_LSHIFT_U64]]);
  });
});
