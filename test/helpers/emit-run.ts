/**
 * Run objects built with btfkit's emitter in the running kernel through libbpf
 * (test/harness/emit-run.c): load, BPF_PROG_TEST_RUN once, read back .bss/.data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElf } from 'btfkit/elf';
import { parseObject, writePatchedObject } from 'btfkit/object';
import { relocateObject } from 'btfkit/core';
import type { Btf } from 'btfkit/btf';
import { repoRoot } from './kernels.js';

/** What the harness printed. */
export interface EmitRun {
  readonly loaded: boolean;
  readonly error: number;
  readonly log?: string;
  readonly retval?: number;
  readonly pid?: number;
  readonly tid?: number;
  readonly ppid?: number;
  /** fcntl(1, F_GETFL) */
  readonly fd1_flags?: number;
  readonly comm?: string;
  readonly bss?: string;
  readonly data?: string;
}

let runner: string | undefined;
let dir: string | undefined;

/** Build the harness (once per process) and return its path. */
export function emitRunner(): string {
  if (runner === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'btfkit-emit-'));
    runner = join(dir, 'emit-run');
    execFileSync('gcc', ['-O2', '-Wall', '-o', runner, join(repoRoot, 'test/harness/emit-run.c'), '-lbpf'], { stdio: 'pipe' });
  }
  return runner;
}

/** Why programs cannot run in this kernel here, or undefined when they can. */
export function kernelRunUnavailable(): string | undefined {
  if (!existsSync('/sys/kernel/btf/vmlinux')) return '/sys/kernel/btf/vmlinux is missing (kernel without BTF)';
  try {
    execFileSync(emitRunner(), ['--probe'], { stdio: 'pipe', encoding: 'utf8' });
    return undefined;
  } catch (e) {
    return `no BPF in this environment: ${((e as { stdout?: string }).stdout ?? String(e)).trim()}`;
  }
}

/**
 * A copy of an object with its CO-RE records removed (the record-size word kept), so that
 * libbpf only loads it: every CO-RE decision in it is then whoever patched the instructions.
 */
export function withoutCoreRecords(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const elf = readElf(out);
  const ext = elf.section('.BTF.ext');
  if (ext === undefined) throw new Error('object has no .BTF.ext');
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const le = elf.littleEndian;
  if (dv.getUint32(ext.offset + 4, le) >= 32 && dv.getUint32(ext.offset + 28, le) > 4) dv.setUint32(ext.offset + 28, 4, le);
  return out;
}

/** The object relocated by btfkit's engine against `kernel`, ready for libbpf to load without relocating. */
export function relocatedByBtfkit(bytes: Uint8Array, kernel: Btf): Uint8Array {
  const obj = parseObject(bytes);
  const res = relocateObject(obj, { targets: [{ name: 'vmlinux', btf: kernel }] });
  return withoutCoreRecords(writePatchedObject(obj, res.programs));
}

/** Load `bytes` and run program `prog` once. */
export function runEmitted(bytes: Uint8Array, prog: string, name = prog): EmitRun {
  const r = emitRunner();
  mkdirSync(dir!, { recursive: true });
  const path = join(dir!, `${name}.o`);
  writeFileSync(path, bytes);
  return JSON.parse(execFileSync(r, [path, prog], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()) as EmitRun;
}
