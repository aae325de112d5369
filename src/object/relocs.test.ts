import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readElf } from '../elf/read.js';
import { parseObject } from './spec.js';
import { coreReloToJson, formatCoreRelosJson, formatCoreRelosTable, formatTable, listCoreRelos } from './relocs.js';

const fixtures = resolve(fileURLToPath(import.meta.url), '../../../testdata/objects');
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, name)));

/** Byte offset (in the file) and byte order of the first CO-RE record of an object. */
function firstCoreRecord(bytes: Uint8Array): { at: number; le: boolean } {
  const elf = readElf(bytes);
  const ext = elf.section('.BTF.ext')!;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = elf.littleEndian;
  const hdrLen = v.getUint32(ext.offset + 4, le);
  const coreOff = v.getUint32(ext.offset + 24, le);
  // rec_size, then the first group's sec_name_off and num_info, then the records
  return { at: ext.offset + hdrLen + coreOff + 4 + 8, le };
}

/** Replace the first occurrence of `from` in `.BTF`'s string section by `to` (same length). */
function patchString(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const out = bytes.slice();
  const btf = readElf(out).section('.BTF')!;
  const hay = out.subarray(btf.offset, btf.offset + btf.size);
  const needle = new TextEncoder().encode(`\0${from}\0`);
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((b, j) => hay[i + j] === b)) {
      hay.set(new TextEncoder().encode(to), i + 1);
      return out;
    }
  }
  throw new Error(`string ${from} not found`);
}

describe('listCoreRelos', () => {
  const relos = listCoreRelos(parseObject(load('core_fields-bpfel.o')));

  it('lists records in .BTF.ext order, indexed per section, located in their programs', () => {
    expect(relos.map((r) => `${r.section} #${r.reloIndex} ${r.program} #${r.insn} @${r.insnOffset}`)).toEqual([
      'kprobe/do_exit #0 ids #1 @8',
      'kprobe/do_exit #1 ids #8 @64',
      'kprobe/do_exit #2 parent #1 @160',
      'kprobe/do_exit #3 parent #7 @208',
      'kprobe/do_execve #0 args #1 @8',
      'kprobe/do_execve #1 args #7 @56',
      'kprobe/do_execve #2 arrays #6 @176',
      'kprobe/do_execve #3 arrays #14 @240',
      'kprobe/do_execve #4 arrays #21 @296',
      'kprobe/do_execve #5 arrays #37 @424',
      'kprobe/do_execve #6 arrays #39 @440',
      'kprobe/schedule #0 state #1 @8',
      'kprobe/schedule #1 state #3 @24',
      '.text #0 old_state #2 @16',
      '.text #1 old_state #4 @32',
    ]);
  });

  it('describes each record with libbpf\'s spec text', () => {
    expect(coreReloToJson(relos[5]!)).toEqual({
      sec: 'kprobe/do_execve', relo: 1, prog: 'args', insn: 7, insn_off: 56, kind: 0, kind_name: 'FIELD_BYTE_OFFSET',
      type_id: 20, type_name: 'mm_struct', access: '0:0:1', spec: '[20] struct mm_struct.arg_start (0:0:1 @ offset 8)', error: null,
    });
    expect(relos.map((r) => r.specText)).toContain('[2] struct task_struct[1].pid (1:1 @ offset 116)');
    expect(relos.map((r) => r.specText)).toContain('[2] struct task_struct.pid_links[2].pprev (0:5:2:1 @ offset 72)');
    expect(relos.every((r) => r.error === undefined && r.spec !== undefined)).toBe(true);
  });

  it('prints enum values as libbpf does: signed for signed enums, unsigned otherwise, ENUM64 in 64 bits', () => {
    const specs = listCoreRelos(parseObject(load('core_enums-bpfel.o'))).map((r) => r.specText);
    expect(specs).toContain('[9] enum perf_event_state::PERF_EVENT_STATE_DEAD = -4');
    expect(specs).toContain('[10] enum e820_type::E820_TYPE_SOFT_RESERVED = 4026531839');
    expect(specs).toContain('[13] enum64 perf_callchain_context::PERF_CONTEXT_KERNEL = 18446744073709551488');
  });

  it('gives type-based records their root only', () => {
    const r = listCoreRelos(parseObject(load('core_types-bpfel.o')));
    expect(r.filter((x) => x.typeName === 'pid_t').map((x) => `${x.kindName} ${x.specText}`)).toEqual([
      'TYPE_EXISTS [7] typedef pid_t', 'TYPE_SIZE [7] typedef pid_t', 'TYPE_MATCHES [7] typedef pid_t',
      'TYPE_ID_TARGET [7] typedef pid_t', 'TYPE_ID_LOCAL [7] typedef pid_t',
    ]);
  });

  it('reports a bad access string on its record and keeps the others', () => {
    // "0:6:3" is task_struct.comm[3]; member #9 does not exist (vlen 7)
    const bad = listCoreRelos(parseObject(patchString(load('core_fields-bpfel.o'), '0:6:3', '0:9:3')));
    expect(bad).toHaveLength(relos.length);
    const r = bad[6]!;
    expect(r).toMatchObject({ section: 'kprobe/do_execve', reloIndex: 2, program: 'arrays', insn: 6, accessString: '0:9:3', spec: undefined, specText: undefined });
    expect(r.error).toMatch(/member index 9 out of range .*\(-EINVAL\)$/);
    expect(bad.filter((x) => x.error !== undefined)).toHaveLength(1);
    expect(formatCoreRelosTable(bad)).toContain('[2] task_struct "0:9:3"  error: ');
  });

  it('reports a misaligned instruction offset, an offset outside every program and an unknown kind', () => {
    const bytes = load('core_fields-bpfel.o');
    const { at, le } = firstCoreRecord(bytes);
    const mutate = (field: number, value: number): Uint8Array => {
      const b = bytes.slice();
      new DataView(b.buffer).setUint32(at + field, value, le);
      return b;
    };
    const misaligned = listCoreRelos(parseObject(mutate(0, 12)))[0]!;
    expect(misaligned).toMatchObject({ insnOffset: 12, program: undefined, insn: undefined, error: 'insn_off 12 is not a multiple of 8' });
    expect(misaligned.specText).toBe('[2] struct task_struct.pid (0:1 @ offset 4)');
    const outside = listCoreRelos(parseObject(mutate(0, 8 * 100000)))[0]!;
    expect(outside).toMatchObject({ program: undefined, error: "no program of section 'kprobe/do_exit' contains insn #100000" });
    const unknown = listCoreRelos(parseObject(mutate(12, 13)))[0]!;
    expect(unknown).toMatchObject({ kind: 13, kindName: 'UNKNOWN(13)', kindTag: 'unknown', specText: undefined });
    expect(unknown.error).toMatch(/unknown relocation kind 13/);
    const noType = listCoreRelos(parseObject(mutate(4, 9999)))[0]!;
    expect(noType).toMatchObject({ typeId: 9999, typeName: undefined, specText: undefined });
    expect(coreReloToJson(noType)).toMatchObject({ type_name: null, spec: null });
  });

  it('gives nothing for an object without CO-RE records', () => {
    expect(listCoreRelos(parseObject(load('maps-bpfel.o')))).toEqual([]);
    expect(formatCoreRelosJson([])).toBe('');
    expect(formatCoreRelosTable([])).toBe('no CO-RE relocations\n');
  });

  it('reads both byte orders to the same listing', () => {
    const json = (name: string) => listCoreRelos(parseObject(load(name))).map(coreReloToJson);
    for (const f of ['core_fields', 'core_bitfields', 'core_types', 'core_enums', 'core_flavors']) {
      expect(json(`${f}-bpfeb.o`)).toEqual(json(`${f}-bpfel.o`));
    }
  });
});

describe('formatCoreRelosJson / formatTable', () => {
  it('prints one JSON object per line with every field, absent ones as null', () => {
    const lines = formatCoreRelosJson(listCoreRelos(parseObject(load('core_flavors-bpfel.o')))).split('\n');
    expect(lines.at(-1)).toBe('');
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['sec', 'relo', 'prog', 'insn', 'insn_off', 'kind', 'kind_name', 'type_id', 'type_name', 'access', 'spec', 'error']);
    expect(first).toMatchObject({ kind: 2, kind_name: 'FIELD_EXISTS', spec: '[5] struct task_struct___v5_14.__state (0:0 @ offset 0)', error: null });
  });

  it('pads columns, right-aligns the ones asked for, and leaves the last unpadded', () => {
    expect(formatTable(['A', 'N', 'LAST'], [['xyz', '7', 'a'], ['q', '123', 'bb']], [1])).toBe(
      'A      N  LAST\nxyz    7  a\nq    123  bb\n',
    );
  });
});
