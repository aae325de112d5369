/** Shared shapes for CLI commands. */
import { writeSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openBtf } from '../btf/load.js';
import type { Btf } from '../btf/btf.js';
import { readBytes } from '../kernel/files.js';

export { readBytes };

/** One CLI command. */
export interface Command {
  /** Words that select the command, e.g. ['btf', 'dump']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly help: string;
  run(args: string[]): Promise<number>;
}

/** Wrong usage: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** util.parseArgs with errors turned into UsageError. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Path of the running kernel's BTF. */
export const RUNNING_KERNEL_BTF = '/sys/kernel/btf/vmlinux';

/** Open a BTF file (raw or ELF), optionally split on a base file. */
export function openBtfFile(path: string, basePath?: string): Btf {
  const base = basePath === undefined ? undefined : openBtf(readBytes(basePath));
  return openBtf(readBytes(path), base === undefined ? {} : { base });
}

/** Write bytes to stdout synchronously, tolerating a closed pipe (`| head`). */
export function writeStdout(chunk: Uint8Array | string): void {
  try {
    const data = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(1, data, off, data.length - off);
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') continue;
        throw e;
      }
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'EPIPE') process.exit(0);
    throw e;
  }
}
