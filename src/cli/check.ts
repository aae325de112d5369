/** `btfkit check [OBJ...] [--kernels DIR|FILE...] [--json | --html FILE] [--all]` */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildReport, formatCheckHtml, formatCheckText, internStrings, type PairResult } from '../check/check.js';
import { parseObject, type ObjectSpec } from '../object/spec.js';
import { checkManifest, type InjectManifest } from '../object/inject.js';
import { SYS_KERNEL_BTF, hasKernelBtf } from '../kernel/btf.js';
import { parse, readBytes, UsageError, writeStdout, type Command } from './command.js';
import { checkKernel, type FromWorker, type KernelJob } from './check-worker.js';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const checkCommand: Command = {
  path: ['check'],
  summary: 'check objects against many kernels: what loads, what is poisoned, what fails, and where values differ',
  help: `usage: btfkit check [OBJ...] [--kernels DIR|FILE]... [--manifest M.json] [--json | --html FILE] [--all] [--jobs N]

For each object and each kernel, relocates as libbpf would and reports whether the object
loads, loads with poisoned code (an access that does not resolve there: fine when guarded,
rejected by the verifier when reached) or fails; then the relocations whose values differ.
Defaults: the example objects shipped with btfkit (examples/objects), against the running
kernel and the kernels in testdata/kernels.
  --kernels DIR|FILE  kernel BTF files (raw or .gz); in a directory, <kernel>.<module>.btf files
                      are that kernel's module BTFs
  --json              the whole report as JSON
  --html FILE         write an HTML report
  --manifest M.json   also check the constants btfkit inject would fill (docs/inject.md)
  --all               list every relocation, not only those that differ
  --jobs N            worker threads (default: the number of CPUs)
Exit: 0 every pair loads (maybe with poisoned code), 1 some pair fails, 2 usage.`,
  async run(args) {
    const { values, positionals } = parse(args, {
      kernels: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      html: { type: 'string' },
      all: { type: 'boolean' },
      jobs: { type: 'string' },
      manifest: { type: 'string' },
    });
    const objectFiles = positionals.length > 0 ? positionals : defaultObjects();
    if (objectFiles.length === 0) throw new UsageError('no objects to check');
    const kernels = values.kernels !== undefined ? findKernels(values.kernels) : defaultKernels();
    if (kernels.length === 0) throw new UsageError('no kernel BTF found');
    const names = uniqueNames(objectFiles);
    const objects = objectFiles.map((path, i) => ({ name: names[i]!, path }));
    // Fail early, in this thread, on objects that do not parse; the specs serve --jobs 1.
    const specs = objects.map((o) => ({ name: o.name, spec: parseObject(readBytes(o.path)) }));
    const jobs = Math.max(1, Math.min(Number(values.jobs ?? availableParallelism()), kernels.length));
    const manifest = values.manifest === undefined ? undefined : checkManifest(JSON.parse(readFileSync(values.manifest, 'utf8')));
    const results = await runChecks(objects, specs, kernels, jobs, manifest);
    const report = buildReport(objects.map((o) => o.name), kernels.map((k) => k.name), results);
    if (values.html !== undefined) writeFileSync(values.html, formatCheckHtml(report));
    if (values.json === true) writeStdout(JSON.stringify(report, null, 1) + '\n');
    else writeStdout(formatCheckText(report, { all: values.all === true }));
    return report.pairs.flat().some((p) => p.verdict === 'fails') ? 1 : 0;
  },
};

function defaultObjects(): string[] {
  const dir = join(packageRoot, 'examples/objects');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.o')).sort().map((f) => join(dir, f));
}

/** The kernels `check` (and `lint`) use without --kernels: the running kernel and testdata/kernels. */
export function defaultKernels(): KernelJob[] {
  const out: KernelJob[] = [];
  if (hasKernelBtf()) {
    const modules = readdirSync(SYS_KERNEL_BTF).filter((n) => n !== 'vmlinux').sort().map((n) => ({ name: n, path: join(SYS_KERNEL_BTF, n) }));
    out.push({ name: 'running kernel', vmlinux: join(SYS_KERNEL_BTF, 'vmlinux'), modules });
  }
  const testdata = join(packageRoot, 'testdata/kernels');
  if (existsSync(testdata)) out.push(...findKernels([testdata]));
  return out;
}

const stem = (f: string): string => basename(f).replace(/\.btf(\.gz)?$/, '');

/** Kernel jobs from files and directories: `<kernel>.<module>.btf` beside `<kernel>.btf` is a module. */
export function findKernels(paths: readonly string[]): KernelJob[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const n of readdirSync(p).sort()) walk(join(p, n));
    } else if (/\.btf(\.gz)?$/.test(p) || paths.includes(p)) files.push(p);
  };
  for (const p of paths) walk(p);
  const stems = new Map(files.map((f) => [f, stem(f)]));
  const isModuleOf = (f: string): string | undefined => files.find((b) => b !== f && dirname(b) === dirname(f) && stems.get(f)!.startsWith(stems.get(b)! + '.'));
  const jobs: KernelJob[] = [];
  for (const f of files) {
    if (isModuleOf(f) !== undefined) continue;
    const modules = files.filter((m) => isModuleOf(m) === f).map((m) => ({ name: stems.get(m)!.slice(stems.get(f)!.length + 1), path: m }));
    jobs.push({ name: stems.get(f)!, vmlinux: f, modules });
  }
  return jobs;
}

function uniqueNames(paths: readonly string[]): string[] {
  const base = paths.map((p) => basename(p));
  return base.map((b, i) => (base.indexOf(b) === base.lastIndexOf(b) ? b : paths[i]!));
}

async function runChecks(objects: readonly { name: string; path: string }[], specs: readonly { name: string; spec: ObjectSpec }[], kernels: readonly KernelJob[], jobs: number, manifest: InjectManifest | undefined): Promise<PairResult[]> {
  const started = Date.now();
  let done = 0;
  let progressShown = false;
  const progress = (): void => {
    if (Date.now() - started < 1000 || !process.stderr.isTTY && process.env['BTFKIT_PROGRESS'] === undefined) return;
    progressShown = true;
    process.stderr.write(`\rbtfkit check: ${done}/${kernels.length} kernels, ${objects.length} objects`);
  };
  if (jobs === 1) {
    const out: PairResult[] = [];
    for (const k of kernels) {
      out.push(...checkKernel(specs, k, manifest));
      done++;
      progress();
    }
    if (progressShown) process.stderr.write('\n');
    return out;
  }
  const pool = new Map<string, string>();
  const workerUrl = new URL('./check-worker.js', import.meta.url);
  const queue = [...kernels];
  const out: PairResult[] = [];
  await new Promise<void>((resolvePromise, reject) => {
    let live = jobs;
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(workerUrl, { workerData: { objects, manifest } });
      const next = (): void => {
        const k = queue.shift();
        w.postMessage(k === undefined ? { done: true } : { kernel: k });
      };
      w.on('message', (m: FromWorker) => {
        if ('ready' in m) return next();
        if ('failed' in m) {
          w.terminate().catch(() => undefined);
          reject(new Error(`kernel ${m.kernel}: ${m.error}`));
          return;
        }
        for (const r of m.results) out.push(internStrings(r, pool));
        done++;
        progress();
        next();
      });
      w.on('error', reject);
      w.on('exit', () => {
        if (--live === 0) resolvePromise();
      });
    }
  });
  if (progressShown) process.stderr.write('\n');
  return out;
}
