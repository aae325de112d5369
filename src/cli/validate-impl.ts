/**
 * `btfkit btf validate`: check files with the kernel's BTF verifier rules (src/btf/validate.ts).
 *
 * Each FILE is raw BTF or an ELF object whose `.BTF` section is checked. Output, one line per
 * file: `FILE<TAB>ok` or `FILE<TAB>error<TAB>message (type [id], offset N)`; with `--json`
 * one JSON object per line. Exit 0 when every file is valid, 1 otherwise.
 */
import { endianness } from 'node:os';
import { openBtf } from '../btf/load.js';
import { validateBtf, type ValidateOptions, type ValidationError } from '../btf/validate.js';
import type { Btf } from '../btf/btf.js';
import { isElf, readElf } from '../elf/read.js';
import { isBtfkitError } from '../errors.js';
import { writeStdout } from './command.js';

/** Extra options of {@link validateFiles}. */
export interface ValidateFilesOptions {
  /**
   * Accept blobs in either byte order (default: only the host's, as the kernel does: a
   * foreign-order blob is rejected with "Invalid magic").
   */
  readonly anyByteOrder?: boolean;
}

/** One file's outcome. */
type FileResult =
  | { readonly file: string; readonly ok: true }
  | { readonly file: string; readonly ok: false; readonly error: ValidationError | { readonly message: string; readonly section: string } };

/**
 * Validate `files` (optionally as split BTF on `base`), print one line per file and return the
 * exit code: 0 when all are valid, 1 otherwise.
 */
export async function validateFiles(
  files: string[], base: string | undefined, json: boolean, read: (p: string) => Uint8Array,
  options: ValidateFilesOptions = {},
): Promise<number> {
  const byteOrder: ValidateOptions['byteOrder'] = options.anyByteOrder === true ? 'either' : endianness() === 'LE' ? 'little' : 'big';
  let baseBtf: Btf | undefined;
  if (base !== undefined) baseBtf = openBtf(read(base));
  let failed = 0;
  for (const file of files) {
    const r = validateOne(file, read, baseBtf, byteOrder);
    if (!r.ok) failed++;
    writeStdout(json ? `${JSON.stringify(r)}\n` : `${formatLine(r)}\n`);
  }
  return failed === 0 ? 0 : 1;
}

function validateOne(file: string, read: (p: string) => Uint8Array, base: Btf | undefined, byteOrder: ValidateOptions['byteOrder']): FileResult {
  let data: Uint8Array;
  try {
    data = btfBytes(read(file));
  } catch (e) {
    if (isBtfkitError(e) || isNodeError(e)) return { file, ok: false, error: { message: (e as Error).message, section: 'file' } };
    throw e;
  }
  const options: { -readonly [K in keyof ValidateOptions]: ValidateOptions[K] } = { byteOrder: byteOrder ?? 'either' };
  if (base !== undefined) options.base = base;
  const r = validateBtf(data, options);
  return r.ok ? { file, ok: true } : { file, ok: false, error: r.error };
}

/** The raw BTF of a file: the file itself, or the `.BTF` section of an ELF object. */
function btfBytes(bytes: Uint8Array): Uint8Array {
  if (!isElf(bytes)) return bytes;
  const elf = readElf(bytes);
  const sec = elf.section('.BTF');
  if (sec === undefined) throw new Error('ELF file has no .BTF section');
  return elf.data(sec);
}

function formatLine(r: FileResult): string {
  if (r.ok) return `${r.file}\tok`;
  const e = r.error;
  const where: string[] = [];
  if ('typeId' in e && e.typeId !== undefined) where.push(`type [${e.typeId}]`);
  if ('offset' in e && e.offset !== undefined) where.push(`offset ${e.offset}`);
  return `${r.file}\terror\t${e.message}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

function isNodeError(e: unknown): boolean {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && (e as { syscall?: unknown }).syscall !== undefined;
}
