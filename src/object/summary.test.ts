import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseObject } from './spec.js';
import { formatObjectSummary } from './summary.js';

const fixtures = resolve(fileURLToPath(import.meta.url), '../../../testdata/objects');
const summary = (name: string): string => formatObjectSummary(parseObject(new Uint8Array(readFileSync(join(fixtures, name)))));
const section = (text: string, title: string): string[] => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start, end === -1 ? undefined : end);
};

describe('formatObjectSummary', () => {
  it('lists programs with section, type, attach type, instruction and CO-RE record counts', () => {
    const progs = section(summary('core_fields-bpfel.o'), 'programs');
    expect(progs[0]).toBe('programs (6):');
    expect(progs[1]).toMatch(/^ {2}NAME +SECTION +TYPE +ATTACH TYPE +INSNS +CO-RE +NOTES$/);
    expect(progs.find((l) => l.includes('old_state'))).toMatch(/old_state +\.text +subprog +- +12 +2$/);
    expect(progs.find((l) => l.includes(' state '))).toMatch(/state +kprobe\/schedule +kprobe +- +7 +2 +calls old_state$/);
    expect(summary('progs-bpfel.o')).toMatch(/kp_no_autoload +\?kprobe\/vfs_read +kprobe +- +2 +0 +no autoload\n/);
    expect(summary('progs-bpfel.o')).toMatch(/xdp_pass +xdp +xdp +xdp +2 +0\n/);
  });

  it('lists maps with their attributes and inner map', () => {
    const maps = section(summary('maps-bpfel.o'), 'maps');
    expect(maps[0]).toBe('maps (10):');
    expect(maps.find((l) => l.includes('hash_map'))).toMatch(/hash_map +\.maps +hash +12 +24 +128 +0x1 +none +-$/);
    expect(maps.find((l) => l.includes('pinned_array'))).toMatch(/by_name/);
    expect(maps.find((l) => l.includes('outer_hash'))).toMatch(/hash_of_maps +4 +4 +3 +0x0 +none +hash key 4 value 8 max 8$/);
  });

  it('lists global data, externs, license and kernel version', () => {
    const text = summary('globals-bpfel.o');
    expect(text).toContain('license: "GPL"\nkernel version: 0x60100 (6.1.0)\n');
    const data = section(text, 'global data');
    expect(data.find((l) => l.includes('.rodata.custom'))).toMatch(/\.rodata\.custom +8 +0x480 +read-only +initialized$/);
    expect(data.find((l) => l.includes('.bss'))).toMatch(/\.bss +16 +0x400 +read-write +zero$/);
    const externs = section(text, 'externs');
    expect(externs[0]).toBe('externs (4):');
    expect(externs.find((l) => l.includes('CONFIG_BPF_SYSCALL'))).toMatch(/kconfig +weak +\[\d+\] +offset 4 size 1 align 1$/);
    expect(externs.find((l) => l.includes('bpf_task_acquire'))).toMatch(/ksym-func +weak/);
  });

  it('gives BTF and .BTF.ext statistics', () => {
    const text = summary('core_enums-bpfel.o');
    expect(text).toMatch(/\nBTF: \d+ types, \d+ type bytes, \d+ string bytes\n/);
    expect(text).toMatch(/\nBTF\.ext:\n {2}func_info: +4 records of 8 bytes in 3 sections\n {2}line_info: +\d+ records of 16 bytes in 3 sections\n {2}core_relo: +12 records of 16 bytes in 3 sections\n/);
  });

  it('is the same for both byte orders but for the byte order line', () => {
    for (const f of ['maps', 'globals', 'progs', 'core_types']) {
      const el = summary(`${f}-bpfel.o`);
      const eb = summary(`${f}-bpfeb.o`);
      expect(el.startsWith('byte order: little-endian\n')).toBe(true);
      expect(eb.replace('byte order: big-endian', 'byte order: little-endian')).toBe(el);
    }
  });
});
