// The emitter against clang-19: every CO-RE intrinsic of btfkit/emit, loadField and coreRead,
// next to its C twin (test/twins/intrinsics.c, compiled here at test time with
// `clang-19 -g -O2 -target bpfel|bpfeb -mcpu=v3`). For each program, record by record: the
// kind, the access string, the local type (by kind, name and shape: ids differ between the two
// BTFs) and the instruction the record is on (opcode, offset, immediate or 64-bit value; the
// destination register may differ, so it is compared only through the instruction that next
// uses it). Also: LocalTypes.struct lays out C structs, bitfields included, exactly as clang
// does (test/twins/layouts.c).
//
// clang-19 is required where CI runs (CI installs it; .ci/run): without it the suite fails
// when $CI is set and is skipped, with the reason, otherwise.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Btf } from 'btfkit/btf';
import { parseObject, type ObjectSpec, type ProgramSpec } from 'btfkit/object';
import { decodeInsnAt, type Insn, type InsnIndex } from 'btfkit/asm';
import { ObjectBuilder, R0, R1, R2, R10, type LocalTypeRef, type LocalTypes, type Program } from 'btfkit/emit';
import { repoRoot } from './helpers/kernels.js';

const clang = process.env['BTFKIT_CLANG'] ?? 'clang-19';
const twins = join(repoRoot, 'test/twins');
/** `-I/usr/include/$(uname -m)-linux-gnu`, for <asm/types.h> under <linux/types.h>. */
const multiarch = `/usr/include/${execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim()}-linux-gnu`;

function clangMissing(): string | undefined {
  try {
    execFileSync(clang, ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${clang} is not on PATH (apt-get install clang-19; CI installs it)`;
  }
}
const missing = clangMissing();
if (missing !== undefined && process.env['CI'] !== undefined) throw new Error(`emit twins: ${missing}, and $CI is set: CI must have it`);
if (missing !== undefined) console.warn(`emit twins skipped: ${missing}`);

const tmp = mkdtempSync(join(tmpdir(), 'btfkit-emit-twins-'));
const compiled = new Map<string, ObjectSpec>();
/** Compile test/twins/<file>.c for one byte order (once per run). */
function compile(file: string, le: boolean): ObjectSpec {
  const key = `${file}-${le ? 'bpfel' : 'bpfeb'}`;
  let spec = compiled.get(key);
  if (spec === undefined) {
    const out = join(tmp, `${key}.o`);
    try {
      execFileSync(clang, ['-g', '-O2', '-target', le ? 'bpfel' : 'bpfeb', '-mcpu=v3', `-I${multiarch}`, '-c', join(twins, `${file}.c`), '-o', out], { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`${clang} ${file}.c failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}`);
    }
    spec = parseObject(new Uint8Array(readFileSync(out)));
    compiled.set(key, spec);
  }
  return spec;
}

// ---- the local types of intrinsics.c, built with LocalTypes ----

interface Types {
  readonly task: LocalTypeRef;
  readonly taskT: LocalTypeRef;
  readonly u: LocalTypeRef;
  readonly state: LocalTypeRef;
  readonly wide: LocalTypeRef;
  readonly neg: LocalTypeRef;
}

function declare(t: LocalTypes): Types {
  const inner = t.struct('inner', [['a', t.int32], ['b', t.long]]);
  const nbits = t.struct('nbits', [['pad', t.long], ['w', t.int32], { name: 'v', type: t.u32, bits: 7 }]);
  const task = t.struct('task_struct', [
    ['pid', t.int32], ['tgid', t.int32], ['real_parent', t.ptr(t.fwd('task_struct'))], ['comm', t.array(t.char, 16)],
    { name: 'flags', type: t.u32, bits: 3 }, { name: 'prio', type: t.int32, bits: 5 }, { name: 'big', type: t.u64, bits: 40 },
    ['in', inner], ['arr', t.array(t.s16, 4)], ['gap', t.int32], { name: 'late', type: t.int32, bits: 4 }, ['nb', nbits],
  ]);
  return {
    task,
    taskT: t.typedef('task_t', task),
    u: t.union('u', [['i', t.int32], ['bytes', t.array(t.u8, 4)], { name: 'lo', type: t.u16, bits: 9 }]),
    state: t.enum('state', { S_RUN: 0, S_SLEEP: 1, S_DEAD: 7 }),
    wide: t.enum('wide', { W_SMALL: 1, W_BIG: 0x1234567890n }),
    neg: t.enum('neg', { N_NEG: -5, N_POS: 3 }, { signed: true }),
  };
}

// ---- the programs of intrinsics.c, built with Program ----

type Body = (p: Program, ty: Types) => void;
/** `out[0] = <intrinsic into r1>; return 0`, as clang compiles the C twin. */
const stored = (f: Body): Body => (p, ty) => { f(p, ty); p.ldGlobal(R2, 'out').store(8, R2, 0, R1).ret(0); };
/** `t = ctx[1]; out[0] = t-><path>` in a tp_btf program. */
const loaded = (path: string): Body => (p, ty) => { p.load(8, R1, R1, 8).loadField(R1, R1, ty.task, path); p.ldGlobal(R2, 'out').store(8, R2, 0, R1).ret(0); };
/** `out[0] = BPF_CORE_READ(bpf_get_current_task(), <path>)`. */
const coreRead = (path: string): Body => (p, ty) => {
  const slot = p.stack(8);
  p.call('get_current_task').coreRead({ base: R10, off: slot }, R0, ty.task, path);
  p.load(8, R1, R10, slot).ldGlobal(R2, 'out').store(8, R2, 0, R1).ret(0);
};

const PROGRAMS: Readonly<Record<string, Body>> = {
  field_byte_offset: stored((p, ty) => p.fieldByteOffset(R1, ty.task, 'tgid')),
  field_byte_offset_nested: stored((p, ty) => p.fieldByteOffset(R1, ty.task, 'in.b')),
  field_byte_offset_elem: stored((p, ty) => p.fieldByteOffset(R1, ty.task, 'comm[3]')),
  field_byte_offset_bitfield: stored((p, ty) => p.fieldByteOffset(R1, ty.task, 'big')),
  field_byte_offset_late: stored((p, ty) => p.fieldByteOffset(R1, ty.task, 'late')),
  field_byte_size_late: stored((p, ty) => p.fieldByteSize(R1, ty.task, 'late')),
  field_lshift_u64_late: stored((p, ty) => p.fieldLShiftU64(R1, ty.task, 'late')),
  field_rshift_u64_late: stored((p, ty) => p.fieldRShiftU64(R1, ty.task, 'late')),
  field_byte_offset_nested_bitfield: stored((p, ty) => p.fieldByteOffset(R1, ty.task, 'nb.v')),
  field_byte_size_nested_bitfield: stored((p, ty) => p.fieldByteSize(R1, ty.task, 'nb.v')),
  field_lshift_u64_nested_bitfield: stored((p, ty) => p.fieldLShiftU64(R1, ty.task, 'nb.v')),
  field_byte_size: stored((p, ty) => p.fieldByteSize(R1, ty.task, 'comm')),
  field_byte_size_bitfield: stored((p, ty) => p.fieldByteSize(R1, ty.task, 'prio')),
  field_byte_size_union: stored((p, ty) => p.fieldByteSize(R1, ty.u, 'bytes')),
  field_exists: stored((p, ty) => p.fieldExists(R1, ty.task, 'real_parent')),
  field_signed: stored((p, ty) => p.fieldSigned(R1, ty.task, 'prio')),
  field_signed_unsigned: stored((p, ty) => p.fieldSigned(R1, ty.task, 'flags')),
  field_lshift_u64: stored((p, ty) => p.fieldLShiftU64(R1, ty.task, 'prio')),
  field_lshift_u64_wide: stored((p, ty) => p.fieldLShiftU64(R1, ty.task, 'big')),
  field_lshift_u64_plain: stored((p, ty) => p.fieldLShiftU64(R1, ty.task, 'tgid')),
  field_lshift_u64_union: stored((p, ty) => p.fieldLShiftU64(R1, ty.u, 'lo')),
  field_rshift_u64: stored((p, ty) => p.fieldRShiftU64(R1, ty.task, 'flags')),
  field_rshift_u64_wide: stored((p, ty) => p.fieldRShiftU64(R1, ty.task, 'big')),
  field_rshift_u64_plain: stored((p, ty) => p.fieldRShiftU64(R1, ty.task, 'in.a')),
  type_id_local: stored((p, ty) => p.typeIdLocal(R1, ty.task)),
  type_id_local_typedef: stored((p, ty) => p.typeIdLocal(R1, ty.taskT)),
  type_id_target: stored((p, ty) => p.typeIdTarget(R1, ty.task)),
  type_exists: stored((p, ty) => p.typeExists(R1, ty.task)),
  type_exists_union: stored((p, ty) => p.typeExists(R1, ty.u)),
  type_size: stored((p, ty) => p.typeSize(R1, ty.task)),
  type_size_typedef: stored((p, ty) => p.typeSize(R1, ty.taskT)),
  type_matches: stored((p, ty) => p.typeMatches(R1, ty.task)),
  type_matches_enum: stored((p, ty) => p.typeMatches(R1, ty.state)),
  enum_value_exists: stored((p, ty) => p.enumValueExists(R1, ty.state, 'S_DEAD')),
  enum_value: stored((p, ty) => p.enumValue(R1, ty.state, 'S_DEAD')),
  enum_value_wide: stored((p, ty) => p.enumValue(R1, ty.wide, 'W_BIG')),
  enum_value_neg: stored((p, ty) => p.enumValue(R1, ty.neg, 'N_NEG')),
  core_read: coreRead('real_parent.tgid'),
  core_read_nested: coreRead('real_parent.in.b'),
  load_field: loaded('pid'),
  load_field_nested: loaded('in.b'),
  load_field_elem: loaded('arr[2]'),
  load_field_ptr: loaded('real_parent'),
};

/** The emitted twin of intrinsics.c. */
function emitted(le: boolean): ObjectSpec {
  const obj = new ObjectBuilder({ littleEndian: le });
  const ty = declare(obj.types);
  obj.global('.bss', 'out', obj.types.array(obj.types.long, 4));
  for (const [name, body] of Object.entries(PROGRAMS)) body(obj.program(name, name.startsWith('load_field') ? 'tp_btf/sched_switch' : 'raw_tp/sys_enter'), ty);
  return parseObject(obj.write());
}

// ---- comparing ----

/** A type by structure: names, sizes, members and offsets, encodings, values; pointers by their pointee's kind and name. */
function shape(btf: Btf, id: number): unknown {
  const t = btf.type(id);
  switch (t.kind) {
    case 'void': return 'void';
    case 'int': return { int: t.name, size: t.size, enc: t.encodingBits, bits: t.bits, at: t.bitOffset };
    case 'float': return { float: t.name, size: t.size };
    case 'ptr': {
      const p = btf.type(t.type);
      // a pointer to a struct by name: clang points at the definition, we may point at a forward declaration
      return { ptr: p.kind === 'struct' || p.kind === 'union' ? `${p.kind} ${p.name}` : p.kind === 'fwd' ? `${p.fwdKind} ${p.name}` : shape(btf, t.type) };
    }
    case 'array': return { array: shape(btf, t.type), n: t.nelems, index: shape(btf, t.indexType) };
    case 'struct': case 'union':
      return { [t.kind]: t.name, size: t.size, kindFlag: t.kindFlag, members: t.members.map((m) => ({ name: m.name, at: m.bitOffset, bits: m.bitfieldSize, type: shape(btf, m.type) })) };
    case 'enum': case 'enum64':
      return { [t.kind]: t.name, size: t.size, signed: t.signed, values: t.values.map((v) => `${v.name}=${String(v.value)}`) };
    case 'fwd': return { fwd: `${t.fwdKind} ${t.name}` };
    case 'typedef': case 'const': case 'volatile': case 'restrict': return { [t.kind]: t.name, type: shape(btf, t.type) };
    default: return { [t.kind]: t.name };
  }
}

/** Whether `insn` reads register `r` (as an operand, a base or a store source). */
function reads(insn: Insn, r: number): 'src' | 'dst' | undefined {
  if (insn.kind === 'call') return r >= 1 && r <= 5 ? 'src' : undefined;
  if (insn.kind === 'exit') return r === 0 ? 'src' : undefined;
  if ((insn.kind === 'alu' && insn.source === 'x') || insn.kind === 'load' || insn.kind === 'store' || (insn.kind === 'jump' && insn.source === 'x')) {
    if (insn.src === r) return 'src';
  }
  if (insn.kind === 'alu' && insn.op === 'mov') return undefined;
  if (insn.kind === 'ld_imm64' || insn.kind === 'load') return undefined;
  return insn.dst === r ? 'dst' : undefined;
}

/** Each CO-RE record of a program with its type and instruction, register numbers left out. */
function records(obj: ObjectSpec, p: ProgramSpec) {
  const btf = obj.btf!;
  const le = obj.littleEndian;
  const at = (i: number): Insn => decodeInsnAt(p.insns, i as InsnIndex, { littleEndian: le });
  return p.coreRelos.map((r) => {
    const i = r.insnOffset / 8;
    const insn = at(i);
    const local = insn.kind === 'ld_imm64' ? insn.value : BigInt(insn.imm);
    // TYPE_ID_LOCAL/TARGET carry the local type id: equal to the record's own type, whatever its number
    const value = (r.kind === 6 || r.kind === 7) && local === BigInt(r.typeId) ? 'the record type id' : local.toString();
    // the next instruction that reads the register the record's instruction writes
    let use: { code: number; as: string } | undefined;
    if (insn.kind !== 'load') {
      for (let j = i + (insn.kind === 'ld_imm64' ? 2 : 1); j < p.insnCount && use === undefined; j++) {
        const next = at(j);
        const how = reads(next, insn.dst);
        if (how !== undefined) use = { code: next.code, as: how };
        if (next.kind === 'ld_imm64') j++;
      }
    }
    return {
      kind: r.kind, access: r.accessString,
      type: `${btf.kindOf(r.typeId)} ${btf.nameOf(r.typeId)}`, shape: shape(btf, r.typeId),
      insn: { code: insn.code, off: insn.off, value, ...(insn.kind === 'ld_imm64' ? { pseudo: insn.src } : {}) },
      use,
    };
  });
}

const programOf = (obj: ObjectSpec, name: string): ProgramSpec => {
  const p = obj.programs.find((x) => x.name === name);
  if (p === undefined) throw new Error(`no program ${name}`);
  return p;
};

const ORDERS = [['bpfel', true], ['bpfeb', false]] as const;

describe.skipIf(missing !== undefined).each(ORDERS)('%s: the emitter writes what clang-19 writes', (_order, le) => {
  const c = (): ObjectSpec => compile('intrinsics', le);
  const ours = emitted(le);

  it('for the same programs, each with CO-RE records', () => {
    const named = (o: ObjectSpec): string[] => o.programs.filter((p) => p.coreRelos.length > 0).map((p) => p.name).sort();
    expect(named(ours)).toEqual(Object.keys(PROGRAMS).sort());
    expect(named(c())).toEqual(Object.keys(PROGRAMS).sort());
  });

  it.each(Object.keys(PROGRAMS))('%s', (name) => {
    const theirs = records(c(), programOf(c(), name));
    expect(theirs.length).toBeGreaterThan(0);
    expect(records(ours, programOf(ours, name))).toEqual(theirs);
  });

  it('clang uses the instruction forms the emitter assumes', () => {
    // mov64 imm for field facts and TYPE_EXISTS/SIZE/MATCHES, ld_imm64 for type ids and enum
    // values, the load itself for a direct access, mov + add for an offset used as an address
    const forms = new Map<number, Set<string>>();
    for (const p of c().programs) {
      for (const r of records(c(), p)) {
        const form = r.insn.code === 0xb7 ? `mov64${r.use?.code === 0x0f ? '+add' : ''}` : r.insn.code === 0x18 ? 'ld_imm64' : (r.insn.code & 7) === 1 ? 'ldx' : `0x${r.insn.code.toString(16)}`;
        if (!forms.has(r.kind)) forms.set(r.kind, new Set());
        forms.get(r.kind)!.add(form);
      }
    }
    const got = Object.fromEntries([...forms].sort(([a], [b]) => a - b).map(([k, s]) => [k, [...s].sort()]));
    expect(got).toEqual({
      0: ['ldx', 'mov64', 'mov64+add'], 1: ['mov64'], 2: ['mov64'], 3: ['mov64'], 4: ['mov64'], 5: ['mov64'],
      6: ['ld_imm64'], 7: ['ld_imm64'], 8: ['mov64'], 9: ['mov64'], 10: ['ld_imm64'], 11: ['ld_imm64'], 12: ['mov64'],
    });
  });

  it('with the same local types', () => {
    const names = ['struct task_struct', 'struct inner', 'struct nbits', 'union u', 'typedef task_t', 'enum state', 'enum64 wide', 'enum neg'];
    const find = (o: ObjectSpec, n: string): unknown => {
      const [kind, name] = n.split(' ') as [Parameters<Btf['findByNameKind']>[1], string];
      const id = o.btf!.findByNameKind(name, kind);
      return id === undefined ? `no ${n}` : shape(o.btf!, id);
    };
    expect(names.map((n) => find(ours, n))).toEqual(names.map((n) => find(c(), n)));
  });
});

// ---- layouts ----

/** The types of layouts.c, declared with LocalTypes.struct. */
function layouts(t: LocalTypes): void {
  const plain = t.struct('l_plain', [['c', t.char], ['l', t.long], ['s', t.s16], ['i', t.int32]]);
  t.struct('l_straddle', [{ name: 'a', type: t.u16, bits: 9 }, { name: 'b', type: t.u16, bits: 9 }]);
  t.struct('l_zero', [['a', t.char], { name: '', type: t.int32, bits: 0 }, ['b', t.char]]);
  t.struct('l_char_bits', [{ name: 'a', type: t.char, bits: 3 }, { name: 'b', type: t.char, bits: 6 }, ['c', t.char]]);
  t.struct('l_mixed', [['c', t.char], { name: 'x', type: t.s64, bits: 20 }, { name: 'y', type: t.int32, bits: 15 }]);
  t.struct('l_tail', [['a', t.int32], { name: 'b', type: t.char, bits: 1 }]);
  t.struct('l_bool', [{ name: 'a', type: t.bool, bits: 1 }, { name: 'b', type: t.bool, bits: 1 }, { name: 'c', type: t.u8, bits: 7 }]);
  t.struct('l_wide_bits', [{ name: 'a', type: t.u64, bits: 60 }, { name: 'b', type: t.u64, bits: 10 }]);
  t.struct('l_after', [{ name: 'a', type: t.int32, bits: 4 }, ['b', t.int32]]);
  t.struct('l_full', [{ name: 'a', type: t.u32, bits: 32 }, { name: 'b', type: t.u32, bits: 1 }]);
  t.union('l_ub', [{ name: 'a', type: t.u32, bits: 3 }, { name: 'b', type: t.u64, bits: 40 }, ['c', t.char]]);
  t.struct('l_arr', [['x', t.array(plain, 2)], ['c', t.char]]);
  t.struct('l_anon', [['kind', t.int32], ['', t.union('', [['i', t.int32], ['l', t.long]])], ['tail', t.char]]);
  t.struct('l_unnamed', [{ name: 'a', type: t.int32, bits: 3 }, { name: '', type: t.int32, bits: 5 }, { name: 'b', type: t.int32, bits: 4 }]);
  t.struct('l_unnamed_wide', [['a', t.char], { name: '', type: t.s64, bits: 3 }, ['b', t.char]]);
  t.struct('l_zero_wide', [['a', t.char], { name: '', type: t.s64, bits: 0 }, ['b', t.char]]);
  t.struct('l_zero_tail', [['a', t.char], { name: '', type: t.int32, bits: 0 }]);
  t.struct('l_zero_bits', [{ name: 'a', type: t.char, bits: 2 }, { name: '', type: t.int32, bits: 0 }, { name: 'b', type: t.char, bits: 2 }]);
  t.struct('l_pad_bits', [['a', t.s16], { name: '', type: t.char, bits: 7 }, { name: '', type: t.char, bits: 2 }, ['b', t.char]]);
  t.struct('l_named_wide', [['a', t.char], { name: 'b', type: t.s64, bits: 3 }]);
}

describe.skipIf(missing !== undefined).each(ORDERS)('%s: LocalTypes.struct lays out as clang-19', (_order, le) => {
  it.each(['l_plain', 'l_straddle', 'l_zero', 'l_char_bits', 'l_mixed', 'l_tail', 'l_bool', 'l_wide_bits', 'l_after', 'l_full', 'l_ub', 'l_arr', 'l_anon',
    'l_unnamed', 'l_unnamed_wide', 'l_zero_wide', 'l_zero_tail', 'l_zero_bits', 'l_pad_bits', 'l_named_wide'])('%s', (name) => {
    const theirs = compile('layouts', le).btf!;
    const obj = new ObjectBuilder({ littleEndian: le });
    layouts(obj.types);
    const ours = obj.types.view();
    const find = (btf: Btf): number => btf.findByNameKind(name, 'struct') ?? btf.findByNameKind(name, 'union')!;
    expect(shape(ours, find(ours))).toEqual(shape(theirs, find(theirs)));
    // the size and alignment the builder reports are the ones its members were placed with
    const ref = obj.types.ref(find(ours))!;
    expect([ref.size, ref.align]).toEqual([theirs.resolveSize(find(theirs)), theirs.alignment(find(theirs))]);
  });
});
