/**
 * Test access to kernel BTF: the small committed set under testdata/kernels (always there) and
 * the full corpus in ../shared/kernels or $BTFKIT_KERNELS (used when present).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Btf } from 'btfkit/btf';
import type { TargetBtf } from 'btfkit/core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const testdataKernels = join(repoRoot, 'testdata/kernels');

/** Directory of the full corpus, or undefined when it is not beside the checkout. */
export function corpusDir(): string | undefined {
  const dir = process.env['BTFKIT_KERNELS'] ?? resolve(repoRoot, '../shared/kernels');
  return existsSync(dir) ? dir : undefined;
}

/** A kernel BTF file of the corpus. */
export interface KernelFile {
  /** File name, e.g. linux-6.1.0-56-amd64.btf */
  readonly name: string;
  readonly path: string;
  /** For split module BTF: the base file's name. */
  readonly base: string | undefined;
}

/** Module BTFs are named <base-kernel>.<module>.btf. */
export function listKernels(dir: string): KernelFile[] {
  const names = readdirSync(dir).filter((n) => n.endsWith('.btf') || n.endsWith('.btf.gz')).sort();
  return names.map((name) => {
    const stem = name.replace(/\.btf(\.gz)?$/, '');
    const base = names.find((b) => b !== name && stem.startsWith(b.replace(/\.btf(\.gz)?$/, '') + '.'));
    return { name, path: join(dir, name), base };
  });
}

/** The full corpus when present, else the committed set. */
export function kernelsForTests(): KernelFile[] {
  const dir = corpusDir();
  return listKernels(dir ?? testdataKernels);
}

/** Read a (possibly gzipped) BTF file into a Uint8Array. */
export function readBtfFile(path: string): Uint8Array {
  const raw = readFileSync(path);
  const data = path.endsWith('.gz') ? gunzipSync(raw) : raw;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A corpus as CO-RE targets: each kernel file parsed once (module BTF on its base), and its
 * raw (gunzipped) path for the C oracles, written once into `tmp`.
 */
export function corpusTargets(kernels: readonly KernelFile[], tmp: string): {
  targetsFor(k: KernelFile): TargetBtf[];
  rawPath(k: KernelFile): string;
} {
  const parsed = new Map<string, Btf>();
  const open = (kf: KernelFile, base?: Btf): Btf => {
    let b = parsed.get(kf.name);
    if (b === undefined) {
      b = Btf.parse(readBtfFile(kf.path), base === undefined ? {} : { base });
      parsed.set(kf.name, b);
    }
    return b;
  };
  return {
    targetsFor(k) {
      if (k.base === undefined) return [{ name: 'vmlinux', btf: open(k) }];
      const base = open(kernels.find((x) => x.name === k.base)!);
      return [{ name: 'vmlinux', btf: base }, { name: k.name, btf: open(k, base) }];
    },
    rawPath(k) {
      if (!k.path.endsWith('.gz')) return k.path;
      const p = join(tmp, k.name.replace(/\.gz$/, ''));
      if (!existsSync(p)) writeFileSync(p, readBtfFile(k.path));
      return p;
    },
  };
}
