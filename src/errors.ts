/**
 * One error hierarchy for all of btfkit (ARCHITECTURE.md rule 8).
 *
 * Every failure that comes from input data or from the kernel is a {@link BtfkitError} with a
 * stable string `code` from {@link ErrorCodes}. Check errors with {@link isBtfkitError}, which
 * looks at `name` and `code` rather than `instanceof`, so it works across bundles and realms.
 *
 * @packageDocumentation
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export const ErrorCodes = {
  /** The data is not BTF at all (bad magic, too short for a header). */
  BTF_BAD_MAGIC: 'BTF_BAD_MAGIC',
  /** The BTF header is inconsistent (lengths, offsets, alignment). */
  BTF_BAD_HEADER: 'BTF_BAD_HEADER',
  /** The string section is malformed (missing NUL, too long). */
  BTF_BAD_STRINGS: 'BTF_BAD_STRINGS',
  /** A type record is truncated or its kind cannot be sized. */
  BTF_BAD_TYPE: 'BTF_BAD_TYPE',
  /** A type refers to a string offset outside the string section. */
  BTF_BAD_STRING_OFFSET: 'BTF_BAD_STRING_OFFSET',
  /** A type refers to a type id that does not exist. */
  BTF_BAD_TYPE_ID: 'BTF_BAD_TYPE_ID',
  /** A query asked for something the BTF cannot answer (size of a FUNC, loop, ...). */
  BTF_BAD_QUERY: 'BTF_BAD_QUERY',
  /** The `.BTF.ext` section is malformed. */
  BTF_EXT_MALFORMED: 'BTF_EXT_MALFORMED',
  /** The `.BTF.ext` version or flags are not supported. */
  BTF_EXT_UNSUPPORTED: 'BTF_EXT_UNSUPPORTED',
  /** The encoder was given an inconsistent type. */
  BTF_ENCODE: 'BTF_ENCODE',
  /** The ELF container is malformed. */
  ELF_MALFORMED: 'ELF_MALFORMED',
  /** The ELF file has no section of the requested name. */
  ELF_NO_SECTION: 'ELF_NO_SECTION',
  /** A CO-RE relocation record cannot be parsed or applied. */
  CORE_BAD_RELO: 'CORE_BAD_RELO',
  /** Instruction bytes end inside an instruction, or an LD_IMM64 has no second slot. */
  INSN_TRUNCATED: 'INSN_TRUNCATED',
  /** An instruction field is out of range when building or encoding. */
  INSN_BAD_FIELD: 'INSN_BAD_FIELD',
  /** A BPF object is inconsistent at the BPF level (programs, maps, externs). */
  OBJECT_MALFORMED: 'OBJECT_MALFORMED',
  /** A program or object being built is inconsistent (an unplaced label, an unknown map, a bad access path). */
  EMIT: 'EMIT',
  /** Something requested is not supported by this build or this kernel. */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** Wrong command-line usage. */
  USAGE: 'USAGE',
} as const;

/** A stable btfkit error code. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every error btfkit throws on purpose. */
export class BtfkitError extends Error {
  override name = 'BtfkitError';
  /** Stable code, safe to branch on. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Where in a BTF blob a parse error happened. */
export interface BtfLocation {
  /** Section of the blob: `header`, `types`, `strings`, `layout` (or an ELF section name). */
  readonly section: string;
  /** Byte offset from the start of the blob, when known. */
  readonly offset?: number;
  /** Type id the error concerns, when known. */
  readonly typeId?: number;
}

/** Malformed BTF (or `.BTF.ext`) data. */
export class BtfParseError extends BtfkitError {
  override name = 'BtfParseError';
  readonly section: string;
  readonly offset: number | undefined;
  readonly typeId: number | undefined;

  constructor(code: ErrorCode, message: string, where: BtfLocation, options?: { cause?: unknown }) {
    super(code, `${message} (${describeLocation(where)})`, options);
    this.section = where.section;
    this.offset = where.offset;
    this.typeId = where.typeId;
  }
}

/** Malformed ELF data. */
export class ElfError extends BtfkitError {
  override name = 'ElfError';
  readonly section: string | undefined;
  readonly offset: number | undefined;

  constructor(code: ErrorCode, message: string, where: { section?: string; offset?: number } = {}) {
    const parts: string[] = [];
    if (where.section !== undefined) parts.push(`section ${where.section}`);
    if (where.offset !== undefined) parts.push(`offset ${where.offset}`);
    super(code, parts.length > 0 ? `${message} (${parts.join(', ')})` : message);
    this.section = where.section;
    this.offset = where.offset;
  }
}

/** A feature this build or this kernel does not support. */
export class NotSupportedError extends BtfkitError {
  override name = 'NotSupportedError';
  readonly feature: string;
  readonly minimumKernel: string | undefined;

  constructor(feature: string, minimumKernel?: string, detail?: string) {
    super(
      ErrorCodes.NOT_SUPPORTED,
      `${feature} is not supported${minimumKernel === undefined ? '' : ` (requires Linux ${minimumKernel})`}${detail === undefined ? '' : `: ${detail}`}`,
    );
    this.feature = feature;
    this.minimumKernel = minimumKernel;
  }
}

/** Where a CO-RE relocation error happened. */
export interface CoreRelocationLocation {
  /** Program (symbol) name, when known. */
  readonly program?: string;
  /** Index of the record within its `.BTF.ext` section group. */
  readonly reloIndex?: number;
  /** Program-relative instruction index. */
  readonly insn?: number;
  /** Relocation kind (ABI number). */
  readonly kind?: number;
  /** Local root type id. */
  readonly localType?: number;
  /** The access string. */
  readonly accessSpec?: string;
  /** libbpf's errno for the same failure, e.g. `EINVAL`. */
  readonly errno?: string;
}

/** A CO-RE relocation that cannot be parsed, computed or applied. */
export class CoreRelocationError extends BtfkitError {
  override name = 'CoreRelocationError';
  readonly program: string | undefined;
  readonly reloIndex: number | undefined;
  readonly insn: number | undefined;
  readonly kind: number | undefined;
  readonly localType: number | undefined;
  readonly accessSpec: string | undefined;
  readonly errno: string | undefined;

  constructor(message: string, where: CoreRelocationLocation, options?: { cause?: unknown }) {
    const prefix = [where.program === undefined ? undefined : `prog '${where.program}'`, where.reloIndex === undefined ? undefined : `relo #${where.reloIndex}`, where.insn === undefined ? undefined : `insn #${where.insn}`]
      .filter((x) => x !== undefined).join(': ');
    super(ErrorCodes.CORE_BAD_RELO, prefix === '' ? message : `${prefix}: ${message}`, options);
    this.program = where.program;
    this.reloIndex = where.reloIndex;
    this.insn = where.insn;
    this.kind = where.kind;
    this.localType = where.localType;
    this.accessSpec = where.accessSpec;
    this.errno = where.errno;
  }
}

function describeLocation(where: BtfLocation): string {
  const parts = [`section ${where.section}`];
  if (where.offset !== undefined) parts.push(`offset ${where.offset}`);
  if (where.typeId !== undefined) parts.push(`type [${where.typeId}]`);
  return parts.join(', ');
}

const ERROR_NAMES = new Set(['BtfkitError', 'BtfParseError', 'ElfError', 'NotSupportedError', 'CoreRelocationError', 'VerifierError', 'SyscallError', 'InsnError']);

/**
 * True when `e` is a btfkit error (optionally with the given code). Checks `name` and `code`,
 * not `instanceof`, so errors from another copy of the library are recognised too.
 */
export function isBtfkitError(e: unknown, code?: ErrorCode): e is BtfkitError {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code: c } = e as { name?: unknown; code?: unknown };
  if (typeof name !== 'string' || !ERROR_NAMES.has(name) || typeof c !== 'string') return false;
  return code === undefined || c === code;
}
