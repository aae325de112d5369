// ObjectSpec against libbpf's own reading of the same objects (bpf_object__open, nothing
// loaded): programs with their inferred types and maps with all attributes.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseObject, PROG_TYPES, ATTACH_TYPES, MAP_TYPES, type MapSpec } from 'btfkit/object';
import { repoRoot } from './helpers/kernels.js';

const fixtures = join(repoRoot, 'testdata/objects');
const harness = join(mkdtempSync(join(tmpdir(), 'btfkit-objinfo-')), 'libbpf-objinfo');
execFileSync('gcc', ['-O2', '-o', harness, join(repoRoot, 'test/harness/libbpf-objinfo.c'), '-lbpf']);

interface LibbpfMap { name: string; type: number; key_size: number; value_size: number; max_entries: number; flags: number; numa_node: number; map_extra: number; inner?: LibbpfMap }
interface LibbpfInfo { programs: { name: string; section: string; type: number; attach_type: number; autoload: boolean; insns: number }[]; maps: LibbpfMap[] }

// Section kinds added to libbpf after Debian's 1.1 (which the harness links against).
const NEWER_THAN_LIBBPF_1_1 = /^(tcx|netkit)\//;

/**
 * libbpf's internal_map_name(): .data/.rodata/.bss/.kconfig maps get as much of the object
 * name (file name without .o, anything outside [A-Za-z0-9_.] made '_') as fits in 15
 * characters with at least 7 reserved for the section name; custom .data.x maps keep their
 * name, cut to 15.
 */
function libbpfMapName(file: string, m: MapSpec): string {
  if (m.section !== '.maps' && m.name.indexOf('.', 1) >= 0) return m.name.slice(0, 15);
  if (!['.data', '.rodata', '.bss', '.kconfig'].includes(m.name)) return m.name;
  const obj = file.replace(/\.o$/, '');
  const prefix = Math.min(15 - Math.max(7, m.name.length), obj.length);
  return `${obj.slice(0, prefix)}${m.name}`.replace(/[^A-Za-z0-9_.]/g, '_');
}
function toLibbpf(obj: string, m: MapSpec): LibbpfMap {
  const out: LibbpfMap = {
    name: libbpfMapName(obj, m), type: typeof m.type === 'number' ? m.type : MAP_TYPES.indexOf(m.type), key_size: m.keySize, value_size: m.valueSize,
    max_entries: m.maxEntries, flags: m.flags, numa_node: m.numaNode, map_extra: Number(m.mapExtra),
  };
  if (m.inner !== undefined) out.inner = toLibbpf(obj, m.inner);
  return out;
}

const files = readdirSync(fixtures).filter((f) => f.endsWith('-bpfel.o')).sort();

describe.each(files)('%s', (file) => {
  const spec = parseObject(new Uint8Array(readFileSync(join(fixtures, file))));
  const info = JSON.parse(execFileSync(harness, [join(fixtures, file)], { encoding: 'utf8' })) as LibbpfInfo;

  it('has the programs libbpf sees, with the same types, attach types, autoload and sizes', () => {
    const ours = spec.programs.filter((p) => !p.isSubprogram).map((p) => ({
      name: p.name, section: p.section,
      type: NEWER_THAN_LIBBPF_1_1.test(p.section) ? 0 : p.progType === undefined ? 0 : PROG_TYPES.indexOf(p.progType),
      attach_type: NEWER_THAN_LIBBPF_1_1.test(p.section) || p.expectedAttachType === undefined ? 0 : ATTACH_TYPES.indexOf(p.expectedAttachType),
      autoload: p.autoload, insns: p.insnCount,
    }));
    expect(ours).toEqual(info.programs);
  });

  it('has the maps libbpf sees, in the same order and with every attribute', () => {
    expect(spec.maps.map((m) => toLibbpf(file, m))).toEqual(info.maps);
  });

  it('reads the big-endian build to the same spec', () => {
    const eb = parseObject(new Uint8Array(readFileSync(join(fixtures, file.replace('-bpfel.o', '-bpfeb.o')))));
    const strip = (s: typeof spec) => ({
      programs: s.programs.map(({ insns: _i, ...p }) => p),
      maps: s.maps.map(({ initialValue, ...m }) => ({ ...m, initialValue: initialValue?.length })),
      externs: s.externs, license: s.license, kernelVersion: s.kernelVersion,
    });
    expect(eb.littleEndian).toBe(false);
    expect(strip(eb)).toEqual(strip(spec));
  });
});

describe('object details libbpf does not print', () => {
  const load = (n: string) => parseObject(new Uint8Array(readFileSync(join(fixtures, n))));
  it('finds subprograms and the calls between programs', () => {
    const progs = load('progs-bpfel.o').programs;
    const by = (n: string) => progs.find((p) => p.name === n)!;
    expect(by('add3').isSubprogram).toBe(true);
    expect(by('global_twice').calls).toEqual(['add3']);
    expect(by('kp').calls).toEqual(['global_twice']);
    expect(by('krp').calls).toEqual(['add3']);
    expect(by('up_sleepable')).toMatchObject({ sleepable: true, progType: 'kprobe', attachTarget: '/bin/true:main' });
    expect(by('tp')).toMatchObject({ attachTarget: 'syscalls/sys_enter_openat' });
    expect(load('progs-bpfel.o').license).toBe('Dual BSD/GPL');
  });
  it('collects externs and the kconfig layout', () => {
    const spec = load('globals-bpfel.o');
    expect(spec.externs.map((e) => [e.name, e.kind, e.weak, e.kconfig?.offset])).toEqual([
      ['LINUX_KERNEL_VERSION', 'kconfig', false, 0],
      ['CONFIG_BPF_SYSCALL', 'kconfig', true, 4],
      ['bpf_prog_active', 'ksym-var', false, undefined],
      ['bpf_task_acquire', 'ksym-func', true, undefined],
    ]);
    expect(spec.kernelVersion).toBe(0x60100);
    const data = spec.maps.find((m) => m.name === '.data')!;
    expect(Array.from(data.initialValue!)).toEqual([7, 0, 0, 0]);
    const prog = spec.programs[0]!;
    expect(prog.relocations.filter((r) => r.kind === 'global-data').map((r) => r.section).sort()).toEqual(expect.arrayContaining(['.bss', '.data', '.data.custom', '.rodata', '.rodata.custom']));
    expect(prog.relocations.filter((r) => r.kind === 'extern').map((r) => r.symbol).sort()).toEqual(['CONFIG_BPF_SYSCALL', 'LINUX_KERNEL_VERSION', 'bpf_prog_active', 'bpf_task_acquire']);
  });
  it('refers to maps from instructions', () => {
    const prog = load('maps-bpfel.o').programs.find((p) => p.name === 'use_maps')!;
    expect(new Set(prog.relocations.filter((r) => r.kind === 'map').map((r) => r.symbol))).toEqual(new Set(['hash_map', 'pinned_array', 'outer_array', 'jumps', 'lru', 'events', 'perf', 'bloom', 'percpu_sized', 'outer_hash']));
  });
});
