#!/usr/bin/env node
// `npm run bench` (CO-RE part): btfkit's CO-RE engine side by side with libbpf, in one run.
// 1. One relocation pass: btfkit with an already-parsed kernel vs libbpf's CO-RE pass
//    in-process (a C harness; libbpf re-parses the target BTF on every load, it cannot share it).
// 2. The whole matrix: `btfkit check` of many objects x all kernels vs libbpf run once per
//    pair (libbpf-oracle --fake-bpf, the way one checks an object against many kernels today).
// 3. check time as kernels grow (3, 6, 12), and its peak memory.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Btf } from '../dist/btf/index.js';
import { parseObject } from '../dist/object/index.js';
import { relocateObject } from '../dist/core/index.js';
import { readBytes } from '../dist/cli/command.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const kernelsDir = process.env.BTFKIT_KERNELS ?? join(root, '../shared/kernels');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const work = mkdtempSync(join(tmpdir(), 'btfkit-bench-core-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (us) => `${(us / 1000).toFixed(2)} ms`;

const objects = [
  ...readdirSync(join(root, 'testdata/objects')).filter((f) => f.endsWith('-bpfel.o')).map((f) => join(root, 'testdata/objects', f)),
  ...readdirSync(join(root, 'examples/objects')).filter((f) => f.endsWith('.o')).map((f) => join(root, 'examples/objects', f)),
].filter((f) => (parseObject(readBytes(f)).btfExt?.coreRelos.length ?? 0) > 0).sort();
// The matrix is measured with about 50 objects (the scenario): the fixture set is
// copied under new names until there are that many. libbpf gains nothing from repeats (it
// shares nothing between runs); btfkit shares the parsed kernel, as it would for distinct objects.
const matrixObjects = [];
for (let round = 0; matrixObjects.length < 50; round++) {
  for (const o of objects) {
    const copy = join(work, `r${round}-${o.split('/').pop()}`);
    copyFileSync(o, copy);
    matrixObjects.push(copy);
  }
}
const allKernels = readdirSync(kernelsDir).filter((f) => f.endsWith('.btf')).sort();
const vmlinuxes = allKernels.filter((f) => !allKernels.some((b) => b !== f && f.startsWith(b.replace(/\.btf$/, '.'))));
const kernel = join(kernelsDir, vmlinuxes.includes('linux-6.1.0-56-amd64.btf') ? 'linux-6.1.0-56-amd64.btf' : vmlinuxes[0]);
const heaviest = objects.reduce((a, b) => (parseObject(readBytes(a)).btfExt.coreRelos.flatMap((g) => g.records).length >= parseObject(readBytes(b)).btfExt.coreRelos.flatMap((g) => g.records).length ? a : b));
const nRelos = parseObject(readBytes(heaviest)).btfExt.coreRelos.flatMap((g) => g.records).length;

// 1. one pass
const harness = join(work, 'libbpf-core');
execFileSync('gcc', ['-O2', '-rdynamic', '-o', harness, join(here, 'libbpf-core.c'), '-lbpf', '-ldl']);
const libbpf = JSON.parse(execFileSync(harness, [heaviest, kernel, String(ROUNDS)], { encoding: 'utf8' }));
const target = Btf.parse(readBytes(kernel));
const objBytes = readBytes(heaviest);
const passes = [];
for (let r = 0; r < ROUNDS * 5; r++) {
  const t0 = performance.now();
  relocateObject(parseObject(objBytes), { targets: [{ name: 'vmlinux', btf: target }], includeNonAutoload: true });
  passes.push((performance.now() - t0) * 1000);
}
const oursPass = median(passes);

// 2. the matrix
const oracleDir = join(work, 'oracle');
execFileSync('sh', [join(root, '../shared/oracle/build.sh')], { env: { ...process.env, OUT: oracleDir }, stdio: 'ignore' });
const oracle = join(oracleDir, 'libbpf-oracle');
// every kernel file, modules on their base, as libbpf-oracle takes them
const targetsForLibbpf = allKernels.map((k) => {
  const base = vmlinuxes.find((b) => b !== k && k.startsWith(b.replace(/\.btf$/, '.')));
  return base === undefined ? [join(kernelsDir, k)] : ['--base', join(kernelsDir, base), join(kernelsDir, k)];
});
let t0 = performance.now();
for (const o of matrixObjects) for (const t of targetsForLibbpf) {
  const args = t.length === 1 ? ['--fake-bpf', o, t[0]] : ['--fake-bpf', t[0], t[1], o, t[2]];
  spawnSync(oracle, args, { stdio: 'ignore' });
}
const libbpfMatrix = (performance.now() - t0) * 1000;
const pairs = matrixObjects.length * targetsForLibbpf.length;

function timeCheck(kernelFiles) {
  // a kernel's module files go with it (check folds <kernel>.<module>.btf into <kernel>)
  const withModules = kernelFiles.flatMap((k) => allKernels.filter((f) => f === k || f.startsWith(k.replace(/\.btf$/, '.'))));
  const args = [join(root, 'bin/btfkit.js'), 'check', ...matrixObjects, ...withModules.flatMap((k) => ['--kernels', join(kernelsDir, k)])];
  const runs = [];
  let rss = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' });
    runs.push((performance.now() - t) * 1000);
    rss = Math.max(rss, Number(r.stderr.trim().split('\n').pop()));
  }
  return { us: median(runs), rssMiB: rss / 1024 };
}
const sizes = [...new Set([3, 6, vmlinuxes.length])].filter((n) => n <= vmlinuxes.length);
const growth = sizes.map((n) => ({ n, ...timeCheck(vmlinuxes.slice(0, n)) }));
const full = growth[growth.length - 1];

// A BTFHub-sized run: the kernels again and again (symlinks), ~100 kernels, to show that time
// grows linearly and memory stays flat.
const many = join(work, 'many-kernels');
mkdirSync(many);
let nMany = 0;
for (let r = 0; nMany < 99; r++) for (const k of vmlinuxes) if (nMany < 99) { symlinkSync(join(kernelsDir, k), join(many, `r${r}-${k}`)); nMany++; }
const manyRun = (() => {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'bin/btfkit.js'), 'check', ...objects, '--kernels', many], { encoding: 'utf8' });
  return { us: (performance.now() - t) * 1000, rssMiB: Number(r.stderr.trim().split('\n').pop()) / 1024 };
})();

console.log(`btfkit CO-RE bench: ${objects.length} objects with CO-RE records (${matrixObjects.length} for the matrix), ${vmlinuxes.length} kernels + ${allKernels.length - vmlinuxes.length} module BTFs from ${kernelsDir}`);
console.table([
  { what: `one CO-RE pass (${heaviest.split('/').pop()}, ${nRelos} relocations, kernel parsed once)`, btfkit: ms(oursPass), libbpf: ms(libbpf.pass_us), 'libbpf/btfkit': `${(libbpf.pass_us / oursPass).toFixed(1)}x`, target: '>= 5x', ok: libbpf.pass_us / oursPass >= 5 ? 'yes' : 'NO' },
  { what: `whole matrix, ${matrixObjects.length} objects x ${allKernels.length} kernel BTFs (${pairs} pairs; btfkit: one process)`, btfkit: ms(full.us), libbpf: ms(libbpfMatrix), 'libbpf/btfkit': `${(libbpfMatrix / full.us).toFixed(1)}x`, target: '>= 10x', ok: libbpfMatrix / full.us >= 10 ? 'yes' : 'NO' },
]);
console.log(`libbpf per pass: ${ms(libbpf.parse_us)} of it is parsing the target BTF; libbpf per pair as a process: ${ms(libbpfMatrix / pairs)}`);
console.log('btfkit check as kernels grow (whole process, median of 3; peak RSS):');
for (const g of growth) console.log(`  ${String(g.n).padStart(2)} kernels: ${ms(g.us)}  (${ms(g.us / g.n)} per kernel), peak RSS ${g.rssMiB.toFixed(0)} MiB`);
console.log(`  ${nMany} kernels (${objects.length} objects, the corpus repeated): ${ms(manyRun.us)}  (${ms(manyRun.us / nMany)} per kernel), peak RSS ${manyRun.rssMiB.toFixed(0)} MiB`);
