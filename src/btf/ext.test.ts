import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElf } from '../elf/read.js';
import { Btf } from './btf.js';
import { parseBtfExt } from './ext.js';
import { isBtfkitError } from '../errors.js';

const src = `#define SEC(n) __attribute__((section(n), used))
struct task_struct { int pid; int tgid; } __attribute__((preserve_access_index));
static long (*bpf_probe_read_kernel)(void *dst, int size, const void *src) = (void *) 113;
static __attribute__((noinline)) int helper(int x) { return x * 3; }
SEC("tracepoint/x") int prog(struct task_struct *t) {
  int x;
  bpf_probe_read_kernel(&x, 4, &t->tgid);
  return helper(x) + __builtin_preserve_field_info(t->pid, 2);
}
char LICENSE[] SEC("license") = "GPL";
`;
const dir = mkdtempSync(join(tmpdir(), 'btfkit-ext-'));
writeFileSync(join(dir, 'a.c'), src);

describe.each(['bpfel', 'bpfeb'])('.BTF.ext (%s)', (target) => {
  execFileSync('clang-19', ['-g', '-O2', '-target', target, '-c', join(dir, 'a.c'), '-o', join(dir, `${target}.o`)]);
  const elf = readElf(new Uint8Array(readFileSync(join(dir, `${target}.o`))));
  const btf = Btf.parse(elf.data(elf.section('.BTF')!));
  const extBytes = elf.data(elf.section('.BTF.ext')!);
  const ext = parseBtfExt(extBytes, btf);

  it('maps func_info to the FUNC of each function', () => {
    const names = ext.funcInfo.flatMap((g) => g.records.map((r) => [g.section, r.insnOffset, btf.nameOf(r.typeId), btf.kindOf(r.typeId)]));
    expect(names).toEqual(expect.arrayContaining([['tracepoint/x', 0, 'prog', 'func'], ['.text', 0, 'helper', 'func']]));
  });

  it('gives line_info whose text and numbers agree with the source', () => {
    const lines = src.split('\n');
    const all = ext.lineInfo.flatMap((g) => g.records);
    expect(all.length).toBeGreaterThan(3);
    for (const r of all) {
      expect(r.fileName).toContain('a.c');
      expect(lines[r.lineNumber - 1]).toBe(r.line);
      expect(r.column).toBeLessThanOrEqual(r.line.length + 1);
    }
  });

  it('lists the CO-RE records with kind and access string', () => {
    const relos = ext.coreRelos.flatMap((g) => g.records.map((r) => ({ sec: g.section, kind: r.kind, access: r.accessString, type: btf.nameOf(r.typeId) })));
    expect(relos).toEqual(expect.arrayContaining([
      { sec: 'tracepoint/x', kind: 0, access: '0:1', type: 'task_struct' }, // FIELD_BYTE_OFFSET of tgid
      { sec: 'tracepoint/x', kind: 2, access: '0:0', type: 'task_struct' }, // FIELD_EXISTS of pid
    ]));
    expect(ext.recordSizes).toEqual({ funcInfo: 8, lineInfo: 16, coreRelo: 16 });
  });

  it('rejects every truncation and bad record size with a located BtfkitError', () => {
    for (let cut = 0; cut < extBytes.length; cut++) {
      try {
        parseBtfExt(extBytes.subarray(0, cut), btf);
      } catch (e) {
        expect(isBtfkitError(e)).toBe(true);
        expect((e as { section: string }).section).toBe('.BTF.ext');
        continue;
      }
      // a prefix can only parse if it cut inside trailing padding, which clang does not emit
      throw new Error(`prefix of ${cut} bytes parsed`);
    }
    const bad = extBytes.slice();
    const v = new DataView(bad.buffer);
    const le = target === 'bpfel';
    const hdrLen = v.getUint32(4, le);
    v.setUint32(hdrLen + v.getUint32(8, le), 4, le); // func_info rec_size 4 < 8
    expect(() => parseBtfExt(bad, btf)).toThrow(/func_info section in .BTF.ext has invalid record size 4/);
  });
});
