#!/usr/bin/env node
// `npm run bench`: btfkit's BTF reader and dumpers side by side with libbpf (in-process, a C
// harness linked with Debian's libbpf-dev) and bpftool (whole process), in one run.
// Usage: node bench/btf.mjs [BTF_FILE] (default: the running kernel's /sys/kernel/btf/vmlinux)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Btf } from '../dist/btf/index.js';
import { readBytes } from '../dist/cli/command.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const file = process.argv[2] ?? '/sys/kernel/btf/vmlinux';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const PROCESS_RUNS = Number(process.env.BENCH_PROCESS_RUNS ?? 15);
const work = mkdtempSync(join(tmpdir(), 'btfkit-bench-'));

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us < 10 ? 2 : 1)} us`);

// 100 struct names spread evenly over the type table (one object's candidate search touches
// types all over vmlinux), plus task_struct for the single lookup.
const probe = Btf.parse(readBytes(file));
const structNames = [];
const seen = new Set();
for (let id = 1; id <= probe.lastId; id++) {
  if (probe.kindOf(id) !== 'struct') continue;
  const n = probe.nameOf(id);
  if (n !== '' && !seen.has(n)) { seen.add(n); structNames.push(n); }
}
const names = Array.from({ length: 100 }, (_, i) => structNames[Math.floor((i * structNames.length) / 100)]);
const namesFile = join(work, 'names.txt');
writeFileSync(namesFile, ['task_struct', ...names].join('\n') + '\n');

// ---- libbpf, in-process ----
const harness = join(work, 'libbpf-btf');
execFileSync('gcc', ['-O2', '-o', harness, join(here, 'libbpf-btf.c'), '-lbpf'], { stdio: 'inherit' });
const libbpf = JSON.parse(execFileSync(harness, [file, namesFile, String(ROUNDS)], { encoding: 'utf8' }));

// ---- btfkit, in-process ----
function timeBtfkit() {
  const open = [], first = [], hundred = [], read = [];
  let cold;
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    const bytes = readBytes(file);
    const tr = performance.now();
    let btf = Btf.parse(bytes);
    const t1 = performance.now();
    read.push((tr - t0) * 1000);
    btf.findByNameKind('task_struct', 'struct');
    const t2 = performance.now();
    open.push((t1 - t0) * 1000);
    first.push((t2 - t0) * 1000);
    t0 = performance.now();
    btf = Btf.parse(readBytes(file));
    for (const n of names) btf.findByNameKind(n, 'struct');
    const t3 = performance.now();
    hundred.push((t3 - t0) * 1000);
    if (r === 0) cold = { open: open[0], first: first[0], hundred: hundred[0] };
  }
  // later lookups: the index exists; average over many lookups of the 100 names
  const btf = Btf.parse(readBytes(file));
  for (const n of names) btf.findByNameKind(n, 'struct');
  for (const n of names) btf.findByNameKind(n, 'struct');
  const reps = 2000;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) for (const n of names) btf.findByNameKind(n, 'struct');
  const later = ((performance.now() - t0) * 1000) / (reps * names.length);
  return { open: median(open), first: median(first), hundred: median(hundred), later, cold, read: median(read) };
}
const ours = timeBtfkit();

// ---- memory: a fresh process, open + full name index ----
const memScript = `
import { readFileSync } from 'node:fs';
import { Btf } from ${JSON.stringify(join(root, 'dist/btf/index.js'))};
const m = () => { for (let i = 0; i < 6; i++) globalThis.gc(); const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };
const data = new Uint8Array(readFileSync(${JSON.stringify(file)}));
// Several containers over the same input, all kept alive: their average is the cost of one,
// and noise (code flushed by GC, pools) is spread over them.
const N = 8;
const keep = [];
const before = m();
for (let i = 0; i < N; i++) {
  const btf = Btf.parse(data);
  btf.findByName('task_struct'); btf.findByName('task_struct');                          // all-kinds index
  btf.findByNameKind('task_struct', 'struct'); btf.findByNameKind('mm_struct', 'struct'); // struct index
  keep.push(btf);
}
const after = m();
console.log(JSON.stringify({ extra: (after - before) / N, input: data.length, keep: keep.length }));`;
const memFile = join(work, 'mem.mjs');
writeFileSync(memFile, memScript);
const mem = JSON.parse(execFileSync(process.execPath, ['--expose-gc', memFile], { encoding: 'utf8' }));

// ---- whole processes ----
// Interleaved: each round runs every command once, so that load from other processes (two
// shared cores) falls on all of them alike; two warm-up rounds fill the page cache.
function timeProcesses(cmds) {
  const runs = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  const failed = new Set();
  for (let i = 0; i < PROCESS_RUNS + 2; i++) {
    for (const [k, [cmd, args]] of Object.entries(cmds)) {
      const t0 = performance.now();
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
      const t = (performance.now() - t0) * 1000;
      if (r.status !== 0) { console.error(`bench: ${cmd} ${args.join(' ')} exited ${r.status}`); failed.add(k); }
      else if (i >= 2) runs[k].push(t);
    }
  }
  for (const k of failed) runs[k] = [NaN];
  return runs;
}
const btfkitBin = join(root, 'bin/btfkit.js');
const procRuns = timeProcesses({
  nodeBare: [process.execPath, ['-e', '0']],
  oursRaw: [process.execPath, [btfkitBin, 'btf', 'dump', file]],
  bpftoolRaw: ['bpftool', ['btf', 'dump', 'file', file]],
  oursC: [process.execPath, [btfkitBin, 'btf', 'dump', file, '--format', 'c']],
  oursCJs: [process.execPath, [btfkitBin, 'btf', 'dump', file, '--format', 'c', '--engine', 'js']],
  bpftoolC: ['bpftool', ['btf', 'dump', 'file', file, 'format', 'c']],
});
const proc = Object.fromEntries(Object.entries(procRuns).map(([k, xs]) => [k, median(xs)]));
/** Median and interquartile range of a process's runs, for the noise. */
const spread = (k) => `${fmt(proc[k])} (IQR ${fmt(quantile(procRuns[k], 0.25))} to ${fmt(quantile(procRuns[k], 0.75))})`;

// ---- report ----
const rows = [];
// ratio: btfkit time / reference time (below 1: btfkit is faster)
const row = (what, us, them, target, pass) => rows.push({ what, btfkit: fmt(us), reference: fmt(them), 'btfkit/ref': us / them >= 0.1 ? `${(us / them).toFixed(2)}x` : `1/${(them / us).toFixed(0)}`, target, ok: pass ? 'yes' : 'NO' });
row('open (read + header + offsets)', ours.open, libbpf.open_us, '<= 2x libbpf', ours.open <= 2 * libbpf.open_us);
row('open + first lookup task_struct', ours.first, libbpf.open_first_us, '<= 2x libbpf', ours.first <= 2 * libbpf.open_first_us);
row('one later lookup (mean of 100 names)', ours.later, libbpf.later_lookup_us, '>= 300x faster', libbpf.later_lookup_us / ours.later >= 300);
row('open + 100 lookups', ours.hundred, libbpf.open_100_us, '>= 3x faster', libbpf.open_100_us / ours.hundred >= 3);
const dumpRaw = proc.oursRaw - proc.nodeBare;
row('btf dump raw, process - node -e 0', dumpRaw, proc.bpftoolRaw, 'faster than bpftool', dumpRaw < proc.bpftoolRaw);
const dumpC = proc.oursC - proc.nodeBare;
row('btf dump c, process - node -e 0', dumpC, proc.bpftoolC, 'faster than bpftool', dumpC < proc.bpftoolC);
// the whole process, Node's own start-up included: what a user waits for (no target)
row('btf dump c, whole process', proc.oursC, proc.bpftoolC, '(for information)', true);

const st = readFileSync(file).length;
console.log(`btfkit bench: ${file} (${(st / 1e6).toFixed(1)} MB, ${probe.lastId} types), ${ROUNDS} rounds in-process, ${PROCESS_RUNS} process runs; medians`);
console.log('reference = libbpf in-process (btf__parse, btf__find_by_name_kind) or bpftool whole process\n');
console.table(rows);
console.log(`of the open, reading the file takes ${fmt(ours.read)}`);
console.log(`first (cold JIT) round: open ${fmt(ours.cold.open)}, open + first lookup ${fmt(ours.cold.first)}, open + 100 lookups ${fmt(ours.cold.hundred)}`);
console.log(`memory after open + full name index: ${(mem.extra / 1048576).toFixed(2)} MiB beyond the ${(mem.input / 1048576).toFixed(2)} MiB input (target <= 2.5 MiB): ${mem.extra <= 2.5 * 1048576 ? 'yes' : 'NO'}`);
console.log(`whole processes, median (interquartile range) of ${PROCESS_RUNS} interleaved rounds:`);
console.log(`  node -e 0 ${spread('nodeBare')}`);
console.log(`  btfkit raw ${spread('oursRaw')}, bpftool raw ${spread('bpftoolRaw')}`);
console.log(`  btfkit c ${spread('oursC')} (WebAssembly engine), bpftool c ${spread('bpftoolC')}`);
console.log(`  btfkit c --engine js ${spread('oursCJs')}: ${fmt(proc.oursCJs - proc.nodeBare)} beyond node -e 0, ${(((proc.oursCJs - proc.nodeBare) / proc.bpftoolC)).toFixed(2)}x bpftool`);
if (process.env.NODE_EXTRA_CA_CERTS) {
  // Node reads and parses these certificates before running any JavaScript (Node 20 does it at
  // start-up, not on first TLS use): about 50 ms per process with Debian's bundle.
  console.log(`  note: NODE_EXTRA_CA_CERTS is set, so every node process above loads ${process.env.NODE_EXTRA_CA_CERTS} at start-up`);
}
