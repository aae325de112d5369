// btfkit gen c: a minimal header for a few kernel types that clang-19 compiles, with which
// clang lays the types out exactly as the kernel does (relocating against that kernel changes
// no value), and that is a small fraction of the full vmlinux.h.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf } from 'btfkit/btf';
import { parseObject } from 'btfkit/object';
import { relocateObject } from 'btfkit/core';
import { readBtfFile, repoRoot, testdataKernels } from './helpers/kernels.js';

const bin = join(repoRoot, 'bin/btfkit.js');
const prog = `#include "types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
long out[8];
SEC("raw_tp/sys_enter") int p(void *ctx) {
  struct task_struct *t = (void *)bpf_get_current_task();
  out[0] = BPF_CORE_READ(t, pid);
  out[1] = BPF_CORE_READ(t, real_parent, tgid);
  out[2] = BPF_CORE_READ(t, mm, arg_start);
  out[3] = bpf_core_field_size(t->comm);
  out[4] = BPF_CORE_READ(t, nsproxy, pid_ns_for_children, level);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

describe.each(['linux-6.1.0-56-amd64.btf.gz', 'linux-6.12.117-amd64.btf.gz', 'linux-6.1.0-50-s390x.btf.gz'])('gen c from %s', (kernel) => {
  const dir = mkdtempSync(join(tmpdir(), 'btfkit-gen-c-'));
  const btfPath = join(testdataKernels, kernel);
  const header = execFileSync(process.execPath, [bin, 'gen', 'c', '--btf', btfPath, 'struct task_struct', 'struct mm_struct', 'struct pid_namespace', 'struct nsproxy'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  writeFileSync(join(dir, 'types.h'), header);
  writeFileSync(join(dir, 'p.c'), prog);
  const target = Btf.parse(readBtfFile(btfPath)).littleEndian ? 'bpfel' : 'bpfeb';
  execFileSync('clang-19', ['-g', '-O2', '-target', target, '-I', dir, '-c', join(dir, 'p.c'), '-o', join(dir, 'p.o')]);

  it('compiles, and relocating against the same kernel changes nothing', () => {
    const obj = parseObject(new Uint8Array(readFileSync(join(dir, 'p.o'))));
    const res = relocateObject(obj, { targets: [{ name: 'vmlinux', btf: Btf.parse(readBtfFile(btfPath)) }] });
    expect(res.error).toBeUndefined();
    expect(res.results.length).toBeGreaterThanOrEqual(7);
    expect(res.results.filter((r) => r.outcome !== 'patched' || r.calc!.origVal !== r.calc!.newVal).map((r) => r.explanation)).toEqual([]);
  });

  it('is a small part of the full header', () => {
    const full = execFileSync(process.execPath, [bin, 'btf', 'dump', btfPath, '--format', 'c'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(header).toContain('#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)');
    expect(header).toMatch(/^struct task_struct \{$/m);
    expect(header.length).toBeLessThan(full.length / 20);
  });
});
