#!/usr/bin/env node
// `npm run bench` (emit part): build and write an object with 1,000 relocatable reads of
// task_struct fields with btfkit's emitter, next to clang-19 compiling the equivalent C (the
// same guarded read: field exists? size as expected? bpf_probe_read_kernel at the relocated
// offset) in the same run; and `btfkit gen ts` for task_struct and everything it reaches.
// Both objects are parsed back and their CO-RE record counts printed, so the work is the same.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { openBtf } from '../dist/btf/index.js';
import { ObjectBuilder, R0, R6, R7 } from '../dist/emit/index.js';
import { listCoreRelos, parseObject } from '../dist/object/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kernelFile = join(root, 'testdata/kernels/linux-6.1.0-56-amd64.btf.gz');
const kernel = openBtf(gunzipSync(readFileSync(kernelFile)));
const READS = 1000;
const PROGRAMS = 10;

// the scalar (integer) members of task_struct on this kernel: what the reads cycle through
const taskId = kernel.findByName('task_struct', 'struct')[0];
const task = kernel.type(taskId);
const fields = task.members.filter((m) => m.name !== '' && m.bitfieldSize === 0 && kernel.type(kernel.skipModsAndTypedefs(m.type)).kind === 'int').map((m) => m.name);
const fieldAt = (i) => fields[i % fields.length];

function buildWithBtfkit() {
  const obj = new ObjectBuilder();
  const t = obj.types;
  const local = t.importType(kernel, 'struct task_struct', { members: fields });
  for (let prog = 0; prog < PROGRAMS; prog++) {
    const per = READS / PROGRAMS;
    obj.global('.bss', `out${prog}`, t.array(t.u8, per * 16));
    const p = obj.program(`reads${prog}`, `kprobe/f${prog}`);
    p.call('get_current_task').mov(R6, R0).ldGlobal(R7, `out${prog}`);
    for (let i = 0; i < per; i++) p.relocatableFieldRead({ base: R7, off: i * 16 }, R6, local, fieldAt(prog * per + i));
    p.ret(0);
  }
  return obj.write();
}

// `node bench/emit.mjs --build-once OUT.o`: one build in a fresh process (what a build step pays)
if (process.argv[2] === '--build-once') {
  writeFileSync(process.argv[3], buildWithBtfkit());
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'btfkit-bench-emit-'));

function cSource() {
  let src = `#include "task.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct rec { unsigned int status, detail; unsigned long long value; };
#define SAFE_READ(r, t, f) do { \\
  if (!bpf_core_field_exists(t->f)) { (r)->status = 2; break; } \\
  if (bpf_core_field_size(t->f) != sizeof(t->f)) { (r)->status = 3; (r)->detail = bpf_core_field_size(t->f); break; } \\
  long err = bpf_probe_read_kernel(&(r)->value, sizeof(t->f), (void *)t + bpf_core_field_offset(t->f)); \\
  if (err) { (r)->status = 4; (r)->detail = err; break; } \\
  (r)->status = 1; } while (0)
`;
  const per = READS / PROGRAMS;
  for (let prog = 0; prog < PROGRAMS; prog++) {
    src += `struct rec out${prog}[${per}];\nSEC("kprobe/f${prog}") int reads${prog}(void *ctx) {\n  struct task_struct *t = (void *)bpf_get_current_task();\n`;
    for (let i = 0; i < per; i++) src += `  SAFE_READ(&out${prog}[${i}], t, ${fieldAt(prog * per + i)});\n`;
    src += '  return 0;\n}\n';
  }
  return `${src}char LICENSE[] SEC("license") = "GPL";\n`;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timeProcess = (cmd, args, runs = 7) => {
  const ts = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: work });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
    if (i >= 1) ts.push(performance.now() - t0);
  }
  return median(ts);
};

// in process (warm) and as a whole process (what a build step pays)
const inproc = [];
let ours;
for (let i = 0; i < 15; i++) {
  const t0 = performance.now();
  ours = buildWithBtfkit();
  inproc.push(performance.now() - t0);
}
writeFileSync(join(work, 'ours.o'), ours);
const oursProcess = timeProcess('node', [fileURLToPath(import.meta.url), '--build-once', join(work, 'ours-process.o')]);

writeFileSync(join(work, 'task.h'), execFileSync(join(root, 'bin/btfkit.js'), ['gen', 'c', '--btf', kernelFile, 'struct task_struct'], { maxBuffer: 1 << 26 }));
writeFileSync(join(work, 'reads.c'), cSource());
const arch = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();
const clangArgs = ['-g', '-O2', '-target', 'bpfel', '-mcpu=v3', `-I/usr/include/${arch}-linux-gnu`, '-c', 'reads.c', '-o', 'clang.o'];
const clang = timeProcess('clang-19', clangArgs, 3);

const count = (file) => listCoreRelos(parseObject(readFileSync(join(work, file)))).length;
const kinds = (file) => {
  const by = {};
  for (const r of listCoreRelos(parseObject(readFileSync(join(work, file))))) by[r.kind] = (by[r.kind] ?? 0) + 1;
  return by;
};

// gen ts for task_struct and everything it reaches, when the command exists
let genTs;
const probe = spawnSync(join(root, 'bin/btfkit.js'), ['gen', 'ts', '--help'], { stdio: 'pipe' });
if (probe.status === 0) {
  const help = probe.stdout.toString() + probe.stderr.toString();
  const deep = help.includes('--deep') ? ['--deep'] : help.includes('--closure') ? ['--closure'] : [];
  const args = ['gen', 'ts', '--btf', kernelFile, ...deep, 'struct task_struct'];
  const ms = timeProcess(join(root, 'bin/btfkit.js'), args, 5);
  const bytes = execFileSync(join(root, 'bin/btfkit.js'), args, { maxBuffer: 1 << 28 }).length;
  const cms = timeProcess('clang-19', ['-fsyntax-only', '-target', 'bpfel', '-x', 'c', 'task.h'], 5);
  genTs = { ms, bytes, deep: deep.join(' ') || '(roots only)', cms };
}

const f = (x) => x.toFixed(1);
console.log(`\n## emit: ${READS} relocatable reads of task_struct (${fields.length} integer fields, ${PROGRAMS} programs), 6.1 amd64 BTF\n`);
console.log('| what | time | CO-RE records |');
console.log('|---|---|---|');
console.log(`| btfkit emitter, build + write, in process (median of 15) | ${f(median(inproc))} ms | ${count('ours.o')} ${JSON.stringify(kinds('ours.o'))} |`);
console.log(`| btfkit emitter, whole \`node\` process | ${f(oursProcess)} ms | |`);
console.log(`| clang-19 -O2 on the equivalent C (whole process, gen c header) | ${f(clang)} ms | ${count('clang.o')} ${JSON.stringify(kinds('clang.o'))} |`);
console.log(`| ratio clang / btfkit (whole process) | ${f(clang / oursProcess)}x | |`);
if (genTs !== undefined) {
  console.log(`| \`btfkit gen ts ${genTs.deep} struct task_struct\` (whole process) | ${f(genTs.ms)} ms | ${(genTs.bytes / 1024).toFixed(0)} KiB of TypeScript |`);
  console.log(`| clang-19 -fsyntax-only on the gen c header for the same type | ${f(genTs.cms)} ms | |`);
} else {
  console.log('| `btfkit gen ts` | not available in this build | |');
}
