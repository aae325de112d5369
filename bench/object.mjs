#!/usr/bin/env node
// `npm run bench` (objects part): open a large BPF object (64 programs, ~1000 CO-RE records)
// and list its relocations, next to `bpftool btf dump file OBJ` and `llvm-objdump-19 -d OBJ`
// (whole processes, in the same run), plus btfkit in-process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseObject, listCoreRelos } from '../dist/object/index.js';
import { readBytes } from '../dist/cli/command.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'btfkit-bench-obj-'));
const N = 64;
const fields = ['pid', 'tgid', 'flags', 'prio', 'static_prio', 'normal_prio', 'rt_priority', 'exit_code', 'exit_signal', 'pdeath_signal', 'personality', 'start_time', 'utime', 'stime'];
let src = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct mm_struct { unsigned long arg_start, arg_end, env_start, env_end; } __attribute__((preserve_access_index));
struct task_struct { ${fields.map((f) => `long ${f};`).join(' ')} struct task_struct *real_parent; struct mm_struct *mm; char comm[16]; } __attribute__((preserve_access_index));
long out[${N}][${fields.length + 6}];
`;
for (let p = 0; p < N; p++) {
  src += `SEC("kprobe/f${p}") int prog${p}(void *ctx) {
  struct task_struct *t = (void *)bpf_get_current_task();
${fields.map((f, i) => `  out[${p}][${i}] = BPF_CORE_READ(t, ${f});`).join('\n')}
  out[${p}][${fields.length}] = BPF_CORE_READ(t, real_parent, tgid);
  out[${p}][${fields.length + 1}] = BPF_CORE_READ(t, mm, arg_start);
  out[${p}][${fields.length + 2}] = bpf_core_field_exists(t->comm);
  out[${p}][${fields.length + 3}] = bpf_core_type_exists(struct mm_struct);
  return 0;
}
`;
}
src += 'char LICENSE[] SEC("license") = "GPL";\n';
writeFileSync(join(work, 'big.c'), src);
const obj = join(work, 'big.o');
execFileSync('clang-19', ['-g', '-O2', '-target', 'bpfel', `-I/usr/include/${execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim()}-linux-gnu`, '-c', join(work, 'big.c'), '-o', obj]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timeProcess = (cmd, args, runs = 11) => {
  const ts = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
    if (i >= 2) ts.push(performance.now() - t);
  }
  return median(ts);
};

const bytes = readBytes(obj);
const spec = parseObject(bytes);
const records = listCoreRelos(spec).length;
const inproc = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  listCoreRelos(parseObject(readBytes(obj)));
  inproc.push(performance.now() - t);
}
const nodeBare = timeProcess(process.execPath, ['-e', '0']);
const ours = timeProcess(process.execPath, [join(root, 'bin/btfkit.js'), 'relocs', obj, '--json']);
const bpftool = timeProcess('bpftool', ['btf', 'dump', 'file', obj]);
const objdump = timeProcess('llvm-objdump-19', ['-d', obj]);
console.log(`btfkit object bench: ${N} programs, ${spec.programs.reduce((n, p) => n + p.insnCount, 0)} instructions, ${records} CO-RE records, ${bytes.length} bytes`);
console.table([
  { what: 'btfkit relocs --json (whole process)', ms: ours.toFixed(1) },
  { what: '  of which node -e 0', ms: nodeBare.toFixed(1) },
  { what: 'btfkit parse + list relocations (in-process, warm)', ms: median(inproc).toFixed(2) },
  { what: 'bpftool btf dump file OBJ', ms: bpftool.toFixed(1) },
  { what: 'llvm-objdump-19 -d OBJ', ms: objdump.toFixed(1) },
]);
