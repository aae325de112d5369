// btfkit inject: constants filled with what CO-RE relocation decides for the same facts, and
// nothing else in the object changes.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf, readElf } from 'btfkit';
import { parseObject, injectConstants, checkManifest } from 'btfkit/object';
import { relocateObject } from 'btfkit/core';
import { kernelsForTests, readBtfFile, repoRoot } from './helpers/kernels.js';

const dir = join(repoRoot, 'testdata/objects');
const manifest = checkManifest(JSON.parse(readFileSync(join(dir, 'inject.manifest.json'), 'utf8')));
const kernels = kernelsForTests().filter((k) => k.base === undefined);
const mix = parseObject(new Uint8Array(readFileSync(join(dir, 'core_mix-bpfel.o'))));

function constant(bytes: Uint8Array, symbol: string): bigint {
  const elf = readElf(bytes);
  const s = elf.symbols().find((x) => x.name === symbol)!;
  const sec = elf.sections[s.shndx]!;
  const v = new DataView(bytes.buffer, bytes.byteOffset + sec.offset + Number(s.value));
  const size = Number(s.size);
  return size === 1 ? BigInt(v.getUint8(0)) : size === 2 ? BigInt(v.getUint16(0, elf.littleEndian)) : size === 4 ? BigInt(v.getUint32(0, elf.littleEndian)) : v.getBigUint64(0, elf.littleEndian);
}

describe.each(['inject-bpfel.o', 'inject-bpfeb.o'])('inject %s', (file) => {
  const original = new Uint8Array(readFileSync(join(dir, file)));
  const obj = parseObject(original);
  it.each(kernels.map((k) => [k.name, k] as const))('against %s: the values CO-RE relocation gives', (_n, k) => {
    const btf = Btf.parse(readBtfFile(k.path));
    const { bytes, results } = injectConstants(obj, [{ name: 'vmlinux', btf }], manifest);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    const out = bytes!;
    // the same facts through the engine, verified against libbpf elsewhere (core_mix)
    const res = relocateObject(mix, { targets: [{ name: 'vmlinux', btf }] });
    const reloValue = (spec: string): bigint => res.results.find((r) => r.localSpec?.startsWith(spec))!.calc!.newVal;
    expect(constant(out, 'task_pid_off')).toBe(reloValue('[5] struct task_struct.pid'));
    expect(constant(out, 'task_tgid_off')).toBe(reloValue('[5] struct task_struct.tgid'));
    expect(constant(out, 'task_comm_size')).toBe(16n);
    const task = btf.type(btf.findByNameKind('task_struct', 'struct')!) as unknown as { members: { name: string }[] };
    expect(constant(out, 'has_state_field')).toBe(task.members.some((m) => m.name === 'state') ? 1n : 0n);
    expect(constant(out, 'has_dunder_state_field')).toBe(task.members.some((m) => m.name === '__state') ? 1n : 0n);
    expect(constant(out, 'mm_struct_size')).toBe(BigInt(btf.resolveSize(btf.findByNameKind('mm_struct', 'struct')!)));
    expect(constant(out, 'pidtype_tgid')).toBe(1n);
    expect(constant(out, 'missing_field_off')).toBe(0xffffffffn);
    expect(results.find((r) => r.constant.symbol === 'missing_field_off')!.defaulted).toBe(true);
    // only .rodata changed
    const a = readElf(original);
    const b = readElf(out);
    for (const s of a.sections) if (s.name !== '.rodata') expect(b.data(b.sections[s.index]!)).toEqual(a.data(s));
    expect(out.length).toBe(original.length);
  });
});

describe('btfkit inject (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'btfkit-inject-'));
  const bin = join(repoRoot, 'bin/btfkit.js');
  const obj = join(dir, 'inject-bpfel.o');
  const kernel = kernels[0]!.path;
  it('writes the object and explains each constant', () => {
    const out = join(tmp, 'out.o');
    const r = spawnSync(process.execPath, [bin, 'inject', obj, '--manifest', join(dir, 'inject.manifest.json'), '--target', kernel, '-o', out, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { symbol: string; value: string; explanation: string });
    expect(lines.map((l) => l.symbol)).toEqual(manifest.constants.map((c) => c.symbol));
    expect(constant(new Uint8Array(readFileSync(out)), 'task_pid_off').toString()).toBe(lines[0]!.value);
  });
  it('refuses, writing nothing, when a fact does not resolve and has no default', () => {
    const m = join(tmp, 'm.json');
    writeFileSync(m, JSON.stringify({ constants: [{ symbol: 'task_pid_off', kind: 'field_byte_offset', type: 'struct task_struct', field: 'no_such_field' }, { symbol: 'nope', kind: 'type_size', type: 'struct task_struct' }] }));
    const out = join(tmp, 'never.o');
    const r = spawnSync(process.execPath, [bin, 'inject', obj, '--manifest', m, '--target', kernel, '-o', out], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('does not resolve on this target and no "default" is given');
    expect(r.stdout).toContain("no symbol 'nope'");
    expect(() => readFileSync(out)).toThrow();
  });
  it('rejects a malformed manifest with a usage error', () => {
    const m = join(tmp, 'bad.json');
    writeFileSync(m, JSON.stringify({ constants: [{ symbol: 'x', kind: 'offset_of' }] }));
    const r = spawnSync(process.execPath, [bin, 'inject', obj, '--manifest', m, '--target', kernel], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('kind must be one of');
  });
});
