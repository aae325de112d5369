/**
 * Worker thread of `btfkit check`: parses the objects once, then one kernel at a time (so
 * memory stays at a few kernels however many there are) and checks every object against it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Btf } from '../btf/btf.js';
import { openBtf } from '../btf/load.js';
import { parseObject, type ObjectSpec } from '../object/spec.js';
import { checkPair, type PairResult } from '../check/check.js';
import type { TargetBtf } from '../core/relocate.js';
import type { InjectManifest } from '../object/inject.js';
import { readBytes } from './command.js';

/** A kernel job: vmlinux and its module files. */
export interface KernelJob {
  readonly name: string;
  readonly vmlinux: string;
  readonly modules: readonly { readonly name: string; readonly path: string }[];
}

/** Messages to the worker. */
export type ToWorker = { readonly kernel: KernelJob } | { readonly done: true };
/** Messages from the worker. */
export type FromWorker = { readonly results: readonly PairResult[]; readonly kernel: string } | { readonly failed: string; readonly kernel: string; readonly error: string } | { readonly ready: true };

/** A kernel job's BTF as CO-RE targets: vmlinux first, its modules split on it. */
export function loadKernelJob(job: KernelJob): TargetBtf[] {
  const vmlinux: Btf = openBtf(readBytes(job.vmlinux));
  return [{ name: 'vmlinux', btf: vmlinux }, ...job.modules.map((m) => ({ name: m.name, btf: Btf.parse(readBytes(m.path), { base: vmlinux }) }))];
}

/** Check every object against one kernel (also used in-process for a single kernel). */
export function checkKernel(objects: readonly { name: string; spec: ObjectSpec }[], job: KernelJob, manifest?: InjectManifest): PairResult[] {
  const targets = loadKernelJob(job);
  return objects.map((o) => checkPair(o.name, o.spec, { name: job.name, targets }, manifest));
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'objects' in (workerData as object)) {
  const port = parentPort;
  const { objects: files, manifest } = workerData as { objects: { name: string; path: string }[]; manifest?: InjectManifest };
  const objects = files.map((f) => ({ name: f.name, spec: parseObject(readBytes(f.path)) }));
  port.on('message', (msg: ToWorker) => {
    if ('done' in msg) {
      port.close();
      return;
    }
    try {
      port.postMessage({ results: checkKernel(objects, msg.kernel, manifest), kernel: msg.kernel.name } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ failed: msg.kernel.name, kernel: msg.kernel.name, error: (e as Error).message } satisfies FromWorker);
    }
  });
  port.postMessage({ ready: true } satisfies FromWorker);
}
