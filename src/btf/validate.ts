/**
 * The kernel's BTF verifier, in the pure core: {@link validateBtf} says whether `BPF_BTF_LOAD`
 * would accept a blob, and if not, why, in the words of the kernel's verifier log.
 *
 * This follows kernel/bpf/btf.c (Linux 6.12 as read, adjusted to what Linux 6.18 does,
 * checked differentially against the running kernel by test/validate-kernel.test.ts):
 *
 * 1. `btf_parse_hdr` / `btf_check_sec_info`: header and section layout. The kernel copies at
 *    most 24 header bytes (the rest must be zero), reads everything in its own byte order,
 *    and wants the type and string sections to tile the data after the header exactly.
 * 2. `btf_parse_str_sec`: strings end the blob, start and end with NUL, at most 16 MiB.
 * 3. `btf_check_all_metas`: one pass over the records, per-kind `check_meta` (vlen, kind_flag,
 *    names, INT encoding, member offsets, DATASEC entries, ...). Kind and vlen are the classic
 *    5 and 16 bits: any other `info` bit is "Invalid btf_info".
 * 4. `btf_check_all_types`: the resolve pass, a depth-first walk (depth at most 32) that
 *    detects reference loops not broken by a pointer, computes sizes, and runs the member
 *    checks (`check_member` / `check_kflag_member`); then `btf_func_proto_check`.
 * 5. `btf_check_type_tags`: type tags must come before other modifiers in a chain.
 * 6. `btf_parse_struct_metas`: structs holding BPF special fields (`bpf_spin_lock`,
 *    `bpf_list_head`, ..., kptrs) must lay them out as the BPF runtime needs.
 *
 * Split BTF (`options.base`) is checked as the kernel checks module BTF (`btf_parse_module`):
 * steps 1-3 and 5, but no resolve pass, exactly like the kernel.
 *
 * Byte order: the kernel accepts only its own byte order ("Invalid magic" otherwise). By
 * default a blob in either order is checked in its own order; pass `byteOrder` ('little' or
 * 'big', the target kernel's order) to get the kernel's verdict for foreign-order blobs.
 *
 * Not modelled (they need facts of the running kernel, which the pure core is not given): a
 * referenced kptr (`btf_type_tag("kptr")`) to a struct that also exists in the kernel's own
 * BTF is accepted by the kernel only if a destructor kfunc is registered for that struct
 * (e.g. `task_struct`, `cgroup`; not `inode`: ENOENT). We accept every such kptr.
 *
 * Quirks kept on purpose because the kernel has them: at most 0xffffe types are kept, later
 * records are checked and then silently dropped (`btf_add_type`'s failure is ignored); the
 * section sort compares offsets as `int` differences; identifier checks use the kernel's
 * Latin-1 `ctype` table (so `é` is a letter) and allow `.` anywhere, at most 512 bytes.
 *
 * Any input gives a verdict: nothing here throws on malformed bytes, and every loop is
 * bounded by the bytes of the blob.
 *
 * @packageDocumentation
 */
import { KIND } from './wire.js';
import type { Btf } from './btf.js';

/** Where a validation error was found. */
export type ValidationSection = 'header' | 'strings' | 'types';

/** Why the kernel would reject a blob. */
export interface ValidationError {
  /** The verifier's reason, in the kernel's log wording ("Invalid name", "Loop detected", ...). */
  readonly message: string;
  /** Section the error is in. */
  readonly section: ValidationSection;
  /** Byte offset from the start of the blob of the offending header field or record. */
  readonly offset?: number;
  /** Type id the error concerns. */
  readonly typeId?: number;
  /** The errno `BPF_BTF_LOAD` would fail with (EINVAL 22, E2BIG 7, ENOTSUPP 524, ELOOP 40, ...). */
  readonly errno: number;
  /**
   * The last line the kernel's verifier would write to its log (log_level 1) for this error,
   * when it writes one for it (e.g. `"[5] STRUCT foo size=4 vlen=2 Invalid name"`).
   */
  readonly kernelLog?: string;
}

/** The verdict of {@link validateBtf}. */
export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly error: ValidationError };

/** Options for {@link validateBtf}. */
export interface ValidateOptions {
  /** Base BTF: validate `data` as split BTF on it, as the kernel validates module BTF. */
  readonly base?: Btf;
  /**
   * Byte order the kernel wants (its own). `'either'` (default): check the blob in the order
   * its magic says. `'little'`/`'big'`: a blob in the other order is rejected ("Invalid magic").
   */
  readonly byteOrder?: 'either' | 'little' | 'big';
  /**
   * Check the layout of BPF special fields (`bpf_spin_lock`, `bpf_list_head`, kptrs, ...) as
   * `BPF_BTF_LOAD` does (default true; not done for split BTF, as for kernel modules).
   */
  readonly specialFields?: boolean;
}

// ---- kernel constants (include/uapi/linux/btf.h, kernel/bpf/btf.c) ----

const BTF_MAGIC = 0xeb9f;
const BTF_VERSION = 1;
/** Largest blob BPF_BTF_LOAD takes. */
const BTF_MAX_SIZE = 16 * 1024 * 1024;
const BTF_MAX_TYPE = 0xfffff;
const BTF_MAX_NAME_OFFSET = 0xffffff;
/** kind_flag, 5 kind bits, 16 vlen bits. */
const BTF_INFO_MASK = 0x9f00ffff;
const BTF_INT_MASK = 0x0fffffff;
const BTF_KIND_MAX = KIND.ENUM64;
const MAX_RESOLVE_DEPTH = 32;
const KSYM_NAME_LEN = 512;
const BITS_PER_U128 = 128;
/** sizeof(void *) in the kernel (64-bit kernels). */
const PTR_SIZE = 8;
const HDR_SIZE = 24;

const EINVAL = 22;
const E2BIG = 7;
const EEXIST = 17;
const ELOOP = 40;
const ENOENT = 2;
const EFAULT = 14;
const ENOTSUPP = 524;

const NOT_VISITED = 0;
const VISITED = 1;
const RESOLVED = 2;

const RESOLVE_TBD = 0;
const RESOLVE_PTR = 1;
const RESOLVE_STRUCT_OR_ARRAY = 2;

const KIND_STR = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST',
  'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
];

/**
 * Character classes of the kernel's `_ctype` table (lib/ctype.c), which is Latin-1: bytes
 * 0xC0-0xFF (but 0xD7, 0xF7) are letters, 0xA0-0xFF printable. Bit 1: isalpha, 2: isdigit,
 * 4: isprint.
 */
const CTYPE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  let f = 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 192 && c !== 215 && c !== 247)) f |= 1;
  if (c >= 48 && c <= 57) f |= 2;
  if ((c >= 32 && c <= 126) || c >= 160) f |= 4;
  CTYPE[c] = f;
}

/**
 * Check a BTF blob with the kernel's BTF verifier rules. Never throws on bad input.
 *
 * @example
 * const r = validateBtf(bytes);
 * if (!r.ok) console.log(`${r.error.message} (type [${r.error.typeId}])`);
 */
export function validateBtf(data: Uint8Array, options: ValidateOptions = {}): ValidationResult {
  let baseEnv: Env | undefined;
  if (options.base !== undefined) {
    const b = baseLayer(options.base);
    if ('error' in b) return { ok: false, error: b.error };
    baseEnv = b.env;
  }
  const env = new Env(data, baseEnv, options.byteOrder ?? 'either');
  const err = env.parse(options.specialFields ?? true);
  if (err === 0) return { ok: true };
  return { ok: false, error: env.errorFor(err) };
}

const baseLayers = new WeakMap<Btf, { env: Env } | { error: ValidationError }>();

/** The verifier state of a base BTF (checked once per Btf object). */
function baseLayer(base: Btf): { env: Env } | { error: ValidationError } {
  const cached = baseLayers.get(base);
  if (cached !== undefined) return cached;
  let parent: Env | undefined;
  let result: { env: Env } | { error: ValidationError } | undefined;
  if (base.base !== undefined) {
    const p = baseLayer(base.base);
    if ('error' in p) result = p;
    else parent = p.env;
  }
  if (result === undefined) {
    const env = new Env(base.bytes, parent, base.littleEndian ? 'little' : 'big');
    const err = env.parse(false);
    result = err === 0 ? { env } : { error: { ...env.errorFor(err), message: `base BTF: ${env.errorFor(err).message}` } };
  }
  baseLayers.set(base, result);
  return result;
}

/** A logged verifier message (the kernel's `btf_verifier_log*`). */
interface LogEntry {
  readonly message: string;
  readonly section: ValidationSection;
  readonly offset: number | undefined;
  readonly typeId: number | undefined;
  readonly line: string | undefined;
}

/** One frame of the resolve stack (`struct resolve_vertex`). */
interface Vertex {
  id: number;
  nextMember: number;
}

/** A special field found in a struct (`struct btf_field_info`). */
interface FieldInfo {
  type: number;
  off: number;
  kptrTypeId: number;
  rootValueId: number;
  rootNodeName: number; // string position (absolute) of the node name
  rootNodeEnd: number;
}

/**
 * The verifier environment (`struct btf_verifier_env` + `struct btf`). Type ids are global:
 * for base BTF id 0 is void and own types start at 1; for split BTF own types start at the
 * base's type count. Per-type state for own types is indexed by `id - startId`.
 */
class Env {
  readonly data: Uint8Array;
  readonly view: DataView;
  le = true;
  readonly base: Env | undefined;
  readonly byteOrder: 'either' | 'little' | 'big';

  // header copy (at most 24 bytes, zero filled)
  magic = 0;
  version = 0;
  flags = 0;
  hdrLen = 0;
  typeOff = 0;
  typeLen = 0;
  strOff = 0;
  strLen = 0;

  /** Absolute start of the string section. */
  strStart = 0;
  /** Id of the first own record (kernel start_id; base BTF: 0 is void, so records start at 1). */
  startId: number;
  /** First global string offset of this layer. */
  readonly startStrOff: number;
  /** Types in this layer, void included for base BTF (kernel nr_types). */
  nrTypes = 0;
  /** Absolute record offset of each own type, by `id - startId` (void: -1). */
  offsets: Int32Array = new Int32Array(0);
  resolvedIds: Uint32Array = new Uint32Array(0);
  resolvedSizes: Uint32Array = new Uint32Array(0);
  visit: Uint8Array = new Uint8Array(0);

  private readonly stack: Vertex[] = [];
  private resolveMode = RESOLVE_TBD;
  private logTypeId = 0;
  private last: LogEntry | undefined;

  constructor(data: Uint8Array, base: Env | undefined, byteOrder: 'either' | 'little' | 'big') {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.base = base;
    this.byteOrder = byteOrder;
    this.startId = base === undefined ? 0 : base.totalTypes();
    this.startStrOff = base === undefined ? 0 : base.startStrOff + base.strLen;
  }

  /** `btf_nr_types`: all types of this BTF and its bases, void included. */
  totalTypes(): number {
    return this.startId + this.nrTypes;
  }

  // ---- logging ----

  /** Record a verifier message; `line` is the kernel's log line (default: the message; null: none). */
  private log(message: string, section: ValidationSection, offset?: number, typeId?: number, line?: string | null): void {
    let l = line === null ? undefined : line ?? message;
    if (this.dropPending && l !== undefined) {
      l = `Exceeded max num of types${l}`;
      this.dropPending = false;
    }
    this.last = { message, section, offset, typeId, line: l };
  }

  /** A record was dropped at the type limit and the kernel's log line for it has no newline. */
  private dropPending = false;

  errorFor(err: number): ValidationError {
    const e = this.last;
    const msg = e?.message ?? `BTF rejected (errno ${err})`;
    const out: { -readonly [K in keyof ValidationError]: ValidationError[K] } = { message: msg, section: e?.section ?? 'types', errno: err };
    if (e?.offset !== undefined) out.offset = e.offset;
    if (e?.typeId !== undefined) out.typeId = e.typeId;
    if (e?.line !== undefined) out.kernelLog = e.line;
    return out;
  }

  /** `btf_verifier_log_type` (details) / `btf_verifier_log_basic` (no details). */
  private logType(id: number, msg: string, details = true): void {
    const prefix = this.typePrefix(id, details);
    this.log(msg, 'types', this.recOff(id), this.logTypeId, `${prefix} ${msg}`);
  }

  private typePrefix(id: number, details: boolean): string {
    const k = this.kind(id);
    let s = `[${this.logTypeId}] ${KIND_STR[k] ?? 'UNKNOWN'} ${this.nameForLog(this.nameOff(id))}`;
    if (details) s += ` ${this.details(id)}`;
    return s;
  }

  /** `btf_verifier_log_member`. */
  private logMember(structId: number, idx: number, msg: string, memberType?: number): void {
    const p = this.recOff(structId) + 12 + idx * 12;
    const nameOff = this.u32(p);
    const type = memberType ?? this.u32(p + 4);
    const off = this.u32(p + 8);
    const line = this.kflag(structId)
      ? `\t${this.nameForLog(nameOff)} type_id=${type} bitfield_size=${off >>> 24} bits_offset=${off & 0xffffff} ${msg}`
      : `\t${this.nameForLog(nameOff)} type_id=${type} bits_offset=${off} ${msg}`;
    const name = nameOff === 0 ? '' : ` '${this.nameForLog(nameOff)}'`;
    this.log(`${msg} (member #${idx}${name})`, 'types', p, this.logTypeId, line);
  }

  /** `btf_verifier_log_vsi`. */
  private logVsi(secId: number, idx: number, msg: string): void {
    const p = this.recOff(secId) + 12 + idx * 12;
    const line = `\t type_id=${this.u32(p)} offset=${this.u32(p + 4)} size=${this.u32(p + 8)} ${msg}`;
    this.log(`${msg} (variable #${idx})`, 'types', p, this.logTypeId, line);
  }

  private details(id: number): string {
    const k = this.kind(id);
    const sot = this.sizeOrType(id);
    const o = this.recOff(id) + 12;
    switch (k) {
      case KIND.INT: {
        const d = this.u32(o);
        const enc = (d >>> 24) & 0x0f;
        const encStr = enc === 0 ? '(none)' : enc === 1 ? 'SIGNED' : enc === 2 ? 'CHAR' : enc === 4 ? 'BOOL' : 'UNKN';
        return `size=${sot} bits_offset=${(d >>> 16) & 0xff} nr_bits=${d & 0xff} encoding=${encStr}`;
      }
      case KIND.PTR: case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT:
      case KIND.TYPE_TAG: case KIND.FUNC:
        return `type_id=${sot}`;
      case KIND.FWD:
        return this.kflag(id) ? 'union' : 'struct';
      case KIND.ARRAY:
        return `type_id=${this.u32(o)} index_type_id=${this.u32(o + 4)} nr_elems=${this.u32(o + 8)}`;
      case KIND.STRUCT: case KIND.UNION: case KIND.ENUM: case KIND.ENUM64: case KIND.DATASEC:
        return `size=${sot} vlen=${this.vlen(id)}`;
      case KIND.FUNC_PROTO: {
        const n = this.vlen(id);
        let s = `return=${sot} args=(`;
        if (n === 0) s += 'void';
        else if (n === 1 && this.u32(o + 4) === 0) s += 'vararg';
        else {
          s += `${this.u32(o + 4)} ${this.nameForLog(this.u32(o))}`;
          for (let i = 1; i < n - 1; i++) s += `, ${this.u32(o + i * 8 + 4)} ${this.nameForLog(this.u32(o + i * 8))}`;
          if (n > 1) {
            const lt = this.u32(o + (n - 1) * 8 + 4);
            s += lt !== 0 ? `, ${lt} ${this.nameForLog(this.u32(o + (n - 1) * 8))}` : ', vararg';
          }
        }
        return `${s})`;
      }
      case KIND.VAR:
        return `type_id=${sot} linkage=${this.u32(o)}`;
      case KIND.FLOAT:
        return `size=${sot}`;
      case KIND.DECL_TAG:
        return `type=${sot} component_idx=${this.view.getInt32(o, this.le)}`;
      default:
        return '';
    }
  }

  /** `__btf_name_by_offset`, decoded for a log line. */
  private nameForLog(off: number): string {
    if (off === 0) return '(anon)';
    const s = this.strPos(off);
    if (s < 0) return '(invalid-name-offset)';
    const bytes = this.strBytes(off);
    let e = s;
    while (e < bytes.length && bytes[e] !== 0 && e - s < 1024) e++;
    let out = '';
    for (let i = s; i < e; i++) out += String.fromCharCode(bytes[i]!);
    return out;
  }

  // ---- raw access ----

  private u32(off: number): number {
    return this.view.getUint32(off, this.le);
  }

  /** Layer that holds type `id`. */
  private layerOf(id: number): Env {
    let e: Env = this;
    while (id < e.startId && e.base !== undefined) e = e.base;
    return e;
  }

  /** `btf_type_by_id` != NULL. */
  exists(id: number): boolean {
    return id >= 0 && id < this.totalTypes();
  }

  /** Absolute record offset of type `id` in its layer (-1: void). */
  recOff(id: number): number {
    const e = this.layerOf(id);
    return e.offsets[id - e.startId] ?? -1;
  }

  private rd(id: number, k: number): number {
    const e = this.layerOf(id);
    const o = e.offsets[id - e.startId] ?? -1;
    if (o < 0) return 0; // void: all zero
    return e.view.getUint32(o + k, e.le);
  }

  info(id: number): number {
    return this.rd(id, 4);
  }
  kind(id: number): number {
    return (this.rd(id, 4) >>> 24) & 0x1f;
  }
  vlen(id: number): number {
    return this.rd(id, 4) & 0xffff;
  }
  kflag(id: number): boolean {
    return this.rd(id, 4) >>> 31 === 1;
  }
  nameOff(id: number): number {
    return this.rd(id, 0);
  }
  sizeOrType(id: number): number {
    return this.rd(id, 8);
  }
  /** u32 `k` bytes into the record's trailing data. */
  extra(id: number, k: number): number {
    return this.rd(id, 12 + k);
  }

  // ---- kind predicates (on kinds of existing types; void is kind 0) ----

  private isVoid(id: number): boolean {
    return id === 0;
  }
  private isModifier(id: number): boolean {
    const k = this.kind(id);
    return k === KIND.TYPEDEF || k === KIND.VOLATILE || k === KIND.CONST || k === KIND.RESTRICT || k === KIND.TYPE_TAG;
  }
  private isStruct(id: number): boolean {
    const k = this.kind(id);
    return k === KIND.STRUCT || k === KIND.UNION;
  }
  private isKind(id: number, k: number): boolean {
    return this.kind(id) === k && id !== 0;
  }
  private nosize(id: number): boolean {
    const k = this.kind(id);
    return id === 0 || k === KIND.FWD || k === KIND.FUNC || k === KIND.FUNC_PROTO;
  }
  private nosizeOrNull(id: number): boolean {
    return !this.exists(id) || this.nosize(id);
  }
  private isResolveSourceOnly(id: number): boolean {
    const k = this.kind(id);
    return k === KIND.VAR || k === KIND.DECL_TAG || k === KIND.DATASEC;
  }
  private needsResolve(id: number): boolean {
    if (id === 0) return false;
    const k = this.kind(id);
    return this.isModifier(id) || k === KIND.PTR || k === KIND.STRUCT || k === KIND.UNION || k === KIND.ARRAY ||
      k === KIND.VAR || k === KIND.FUNC || k === KIND.DECL_TAG || k === KIND.DATASEC;
  }
  private hasSize(id: number): boolean {
    const k = this.kind(id);
    return k === KIND.INT || k === KIND.STRUCT || k === KIND.UNION || k === KIND.ENUM || k === KIND.DATASEC ||
      k === KIND.FLOAT || k === KIND.ENUM64;
  }

  /** `btf_type_int_is_regular`. */
  private intIsRegular(id: number): boolean {
    const d = this.extra(id, 0);
    const nrBits = d & 0xff;
    const nrBytes = bitsRoundupBytes(nrBits);
    return (nrBits & 7) === 0 && ((d >>> 16) & 0xff) === 0 &&
      (nrBytes === 1 || nrBytes === 2 || nrBytes === 4 || nrBytes === 8 || nrBytes === 16);
  }

  // ---- strings ----

  /** Layer that holds global string offset `off`. */
  private strLayer(off: number): Env {
    let e: Env = this;
    while (off < e.startStrOff && e.base !== undefined) e = e.base;
    return e;
  }

  /** `btf_name_offset_valid`. */
  private nameOffsetValid(off: number): boolean {
    if (off > BTF_MAX_NAME_OFFSET) return false;
    const e = this.strLayer(off);
    return off - e.startStrOff < e.strLen;
  }

  /** Absolute position of a valid string offset in its layer's bytes (-1: invalid). */
  private strPos(off: number): number {
    const e = this.strLayer(off);
    const local = off - e.startStrOff;
    return local >= 0 && local < e.strLen ? e.strStart + local : -1;
  }

  private strBytes(off: number): Uint8Array {
    return this.strLayer(off).data;
  }

  /** The byte at string offset `off` + `i` (0 past the end). */
  private strByte(bytes: Uint8Array, pos: number): number {
    return bytes[pos] ?? 0;
  }

  /** `btf_name_valid_identifier` (offset already valid). */
  private nameValidIdentifier(off: number): boolean {
    const p = this.strPos(off);
    if (p < 0) return false;
    const b = this.strBytes(off);
    const c0 = this.strByte(b, p);
    if (!nameCharOk(c0, true)) return false;
    const limit = p + KSYM_NAME_LEN;
    let s = p + 1;
    let c = this.strByte(b, s);
    while (c !== 0 && s < limit) {
      if (!nameCharOk(c, false)) return false;
      s++;
      c = this.strByte(b, s);
    }
    return c === 0;
  }

  /** `btf_name_valid_section`: any printable character. */
  private nameValidSection(off: number): boolean {
    const p = this.strPos(off);
    if (p < 0) return false;
    const b = this.strBytes(off);
    let s = p;
    let c = this.strByte(b, s);
    if (c === 0) return false;
    const limit = p + KSYM_NAME_LEN;
    while (c !== 0 && s < limit) {
      if ((CTYPE[c]! & 4) === 0) return false;
      s++;
      c = this.strByte(b, s);
    }
    return c === 0;
  }

  /** The string at `off` is empty or invalid (`!value || !value[0]`). */
  private nameEmpty(off: number): boolean {
    const p = this.strPos(off);
    return p < 0 || this.strByte(this.strBytes(off), p) === 0;
  }

  /** `strcmp(name(off), s) == 0` with `(anon)` / `(invalid-name-offset)` for 0 / bad offsets. */
  private nameEquals(off: number, s: string): boolean {
    if (off === 0) return s === '(anon)';
    const p = this.strPos(off);
    if (p < 0) return s === '(invalid-name-offset)';
    const b = this.strBytes(off);
    for (let i = 0; i < s.length; i++) if (b[p + i] !== s.charCodeAt(i)) return false;
    return (b[p + s.length] ?? 0) === 0;
  }

  // ---- 1. header ----

  parse(specialFields: boolean): number {
    let err = this.parseHdr();
    if (err !== 0) return err;
    err = this.parseStrSec();
    if (err !== 0) return err;
    if (this.base === undefined) {
      err = this.parseTypeSec();
      if (err !== 0) return err;
      err = this.checkTypeTags(1);
      if (err !== 0) return err;
      if (specialFields) {
        err = this.checkStructMetas();
        if (err !== 0) return err;
      }
    } else {
      err = this.checkAllMetas();
      if (err !== 0) return err;
      err = this.checkTypeTags(this.startId);
      if (err !== 0) return err;
    }
    return 0;
  }

  private parseHdr(): number {
    const size = this.data.length;
    if (size > BTF_MAX_SIZE) {
      // BPF_BTF_LOAD fails with E2BIG before looking at the data, without a log.
      this.log(`BTF data too large (${size} bytes, the kernel takes at most ${BTF_MAX_SIZE})`, 'header', 0, undefined, null);
      return E2BIG;
    }
    if (size < 8) {
      this.log('hdr_len not found', 'header', 0);
      return EINVAL;
    }
    const v = this.view;
    if (this.byteOrder === 'either') {
      this.le = v.getUint16(0, true) === BTF_MAGIC || v.getUint16(0, false) !== BTF_MAGIC;
    } else {
      this.le = this.byteOrder === 'little';
    }
    const hdrLen = v.getUint32(4, this.le);
    if (size < hdrLen) {
      this.log('btf_header not found', 'header', 4);
      return EINVAL;
    }
    if (hdrLen > HDR_SIZE) {
      for (let p = HDR_SIZE; p < hdrLen; p++) {
        if (this.data[p] !== 0) {
          this.log('Unsupported btf_header', 'header', p);
          return E2BIG;
        }
      }
    }
    // memcpy(&btf->hdr, data, min(hdr_len, sizeof(hdr))) into a zeroed header.
    const copy = Math.min(hdrLen, HDR_SIZE);
    const h = new Uint8Array(HDR_SIZE);
    h.set(this.data.subarray(0, copy));
    const hv = new DataView(h.buffer);
    this.magic = hv.getUint16(0, this.le);
    this.version = h[2]!;
    this.flags = h[3]!;
    this.hdrLen = hv.getUint32(4, this.le);
    this.typeOff = hv.getUint32(8, this.le);
    this.typeLen = hv.getUint32(12, this.le);
    this.strOff = hv.getUint32(16, this.le);
    this.strLen = hv.getUint32(20, this.le);

    if (this.magic !== BTF_MAGIC) {
      this.log('Invalid magic', 'header', 0);
      return EINVAL;
    }
    if (this.version !== BTF_VERSION) {
      this.log('Unsupported version', 'header', 2);
      return ENOTSUPP;
    }
    if (this.flags !== 0) {
      this.log('Unsupported flags', 'header', 3);
      return ENOTSUPP;
    }
    if (this.base === undefined && size === this.hdrLen) {
      this.log('No data', 'header', 4);
      return EINVAL;
    }
    return this.checkSecInfo(size);
  }

  /** `btf_check_sec_info`: the type and string sections tile the data exactly. */
  private checkSecInfo(size: number): number {
    let secs = [
      { off: this.typeOff, len: this.typeLen, at: 8 },
      { off: this.strOff, len: this.strLen, at: 16 },
    ];
    // The kernel sorts with `(int)(x->off - y->off) ?: (int)(x->len - y->len)`; for two
    // entries its heap sort keeps the order exactly when that compares below zero.
    const cmp = ((secs[0]!.off - secs[1]!.off) | 0) || ((secs[0]!.len - secs[1]!.len) | 0);
    if (cmp >= 0) secs = [secs[1]!, secs[0]!];
    let total = 0;
    const expected = size - this.hdrLen;
    for (const s of secs) {
      if (expected < s.off) {
        this.log('Invalid section offset', 'header', s.at);
        return EINVAL;
      }
      if (total < s.off) {
        this.log('Unsupported section found', 'header', s.at);
        return EINVAL;
      }
      if (total > s.off) {
        this.log('Section overlap found', 'header', s.at);
        return EINVAL;
      }
      if (expected - total < s.len) {
        this.log('Total section length too long', 'header', s.at + 4);
        return EINVAL;
      }
      total += s.len;
    }
    if (expected !== total) {
      this.log('Unsupported section found', 'header', 8);
      return EINVAL;
    }
    return 0;
  }

  // ---- 2. strings ----

  private parseStrSec(): number {
    const start = this.hdrLen + this.strOff;
    this.strStart = start;
    if (start + this.strLen !== this.data.length) {
      this.log('String section is not at the end', 'strings', start);
      return EINVAL;
    }
    if (this.base !== undefined && this.strLen === 0) return 0;
    if (this.strLen === 0 || this.strLen - 1 > BTF_MAX_NAME_OFFSET || this.data[start + this.strLen - 1] !== 0) {
      this.log('Invalid string section', 'strings', start);
      return EINVAL;
    }
    if (this.base === undefined && this.data[start] !== 0) {
      this.log('Invalid string section', 'strings', start);
      return EINVAL;
    }
    return 0;
  }

  // ---- 3. per-type meta checks ----

  private parseTypeSec(): number {
    if ((this.typeOff & 3) !== 0) {
      this.log('Unaligned type_off', 'header', 8);
      return EINVAL;
    }
    if (this.base === undefined && this.typeLen === 0) {
      this.log('No type found', 'header', 12);
      return EINVAL;
    }
    const err = this.checkAllMetas();
    if (err !== 0) return err;
    return this.checkAllTypes();
  }

  private checkAllMetas(): number {
    const start = this.hdrLen + this.typeOff;
    const end = start + this.typeLen;
    // At most one record per 12 bytes.
    const offsets = new Int32Array(Math.floor(this.typeLen / 12) + 1);
    let n = 0;
    if (this.base === undefined) offsets[n++] = -1; // void
    this.offsets = offsets;
    this.nrTypes = n;
    this.logTypeId = this.base !== undefined ? this.startId : 1;
    let cur = start;
    while (cur < end) {
      const metaSize = this.checkMeta(cur, end - cur, n);
      if (metaSize < 0) return -metaSize;
      this.dropPending = false;
      if (this.startId + n === BTF_MAX_TYPE) {
        // btf_add_type fails ("Exceeded max num of types", logged without a newline) and the
        // kernel ignores that: the record was checked but is dropped, its id does not exist.
        this.dropPending = true;
        this.nrTypes = n;
      } else {
        offsets[n++] = cur;
        this.nrTypes = n;
      }
      cur += metaSize;
      this.logTypeId++;
    }
    this.offsets = offsets.subarray(0, n);
    return 0;
  }

  /** `btf_check_meta`: returns the record size, or -errno. `idx` is the record's local index. */
  private checkMeta(off: number, metaLeft: number, idx: number): number {
    const id = this.logTypeId;
    if (metaLeft < 12) {
      this.log(`[${id}] meta_left:${metaLeft} meta_needed:12`, 'types', off, id);
      return -EINVAL;
    }
    // Make the record visible for the accessors while it is checked.
    this.offsets[idx] = off;
    this.nrTypes = idx + 1;
    const tid = this.startId + idx;
    const info = this.u32(off + 4);
    if ((info & ~BTF_INFO_MASK) !== 0) {
      this.log(`[${id}] Invalid btf_info:${(info >>> 0).toString(16)}`, 'types', off, id);
      return -EINVAL;
    }
    const kind = (info >>> 24) & 0x1f;
    if (kind > BTF_KIND_MAX || kind === KIND.UNKN) {
      this.log(`[${id}] Invalid kind:${kind}`, 'types', off, id);
      return -EINVAL;
    }
    const nameOff = this.u32(off);
    if (!this.nameOffsetValid(nameOff)) {
      this.log(`[${id}] Invalid name_offset:${nameOff}`, 'types', off, id);
      return -EINVAL;
    }
    const r = this.kindCheckMeta(tid, kind, metaLeft - 12);
    if (r < 0) return r;
    return 12 + r;
  }

  private kindCheckMeta(t: number, kind: number, metaLeft: number): number {
    switch (kind) {
      case KIND.INT: return this.intCheckMeta(t, metaLeft);
      case KIND.PTR: case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.TYPE_TAG:
        return this.refTypeCheckMeta(t);
      case KIND.ARRAY: return this.arrayCheckMeta(t, metaLeft);
      case KIND.STRUCT: case KIND.UNION: return this.structCheckMeta(t, metaLeft);
      case KIND.ENUM: return this.enumCheckMeta(t, metaLeft, 8);
      case KIND.ENUM64: return this.enumCheckMeta(t, metaLeft, 12);
      case KIND.FWD: return this.fwdCheckMeta(t);
      case KIND.FUNC: return this.funcCheckMeta(t);
      case KIND.FUNC_PROTO: return this.funcProtoCheckMeta(t, metaLeft);
      case KIND.VAR: return this.varCheckMeta(t, metaLeft);
      case KIND.DATASEC: return this.datasecCheckMeta(t, metaLeft);
      case KIND.FLOAT: return this.floatCheckMeta(t);
      case KIND.DECL_TAG: return this.declTagCheckMeta(t, metaLeft);
      default: return -EINVAL;
    }
  }

  private metaShort(t: number, left: number, needed: number): number {
    this.logType(t, `meta_left:${left} meta_needed:${needed}`, false);
    return -EINVAL;
  }

  private fail(t: number, msg: string, err = EINVAL): number {
    this.logType(t, msg);
    return -err;
  }

  private intCheckMeta(t: number, metaLeft: number): number {
    if (metaLeft < 4) return this.metaShort(t, metaLeft, 4);
    if (this.vlen(t) !== 0) return this.fail(t, 'vlen != 0');
    if (this.kflag(t)) return this.fail(t, 'Invalid btf_info kind_flag');
    const d = this.extra(t, 0);
    if ((d & ~BTF_INT_MASK) !== 0) {
      this.logType(t, `Invalid int_data:${(d >>> 0).toString(16)}`, false);
      return -EINVAL;
    }
    const nrBits = (d & 0xff) + ((d >>> 16) & 0xff);
    if (nrBits > BITS_PER_U128) return this.fail(t, `nr_bits exceeds ${BITS_PER_U128}`);
    if (bitsRoundupBytes(nrBits) > this.sizeOrType(t)) return this.fail(t, 'nr_bits exceeds type_size');
    const enc = (d >>> 24) & 0x0f;
    if (enc !== 0 && enc !== 1 && enc !== 2 && enc !== 4) return this.fail(t, 'Unsupported encoding', ENOTSUPP);
    return 4;
  }

  private refTypeCheckMeta(t: number): number {
    const kind = this.kind(t);
    if (this.vlen(t) !== 0) return this.fail(t, 'vlen != 0');
    // Linux 6.14+: type tags may set kind_flag (the tag is then a plain attribute).
    if (this.kflag(t) && kind !== KIND.TYPE_TAG) return this.fail(t, 'Invalid btf_info kind_flag');
    if (this.sizeOrType(t) > BTF_MAX_TYPE) return this.fail(t, 'Invalid type_id');
    const nameOff = this.nameOff(t);
    if (kind === KIND.TYPEDEF) {
      if (nameOff === 0 || !this.nameValidIdentifier(nameOff)) return this.fail(t, 'Invalid name');
    } else if (kind === KIND.TYPE_TAG) {
      if (this.nameEmpty(nameOff)) return this.fail(t, 'Invalid name');
    } else if (nameOff !== 0) {
      return this.fail(t, 'Invalid name');
    }
    return 0;
  }

  private fwdCheckMeta(t: number): number {
    if (this.vlen(t) !== 0) return this.fail(t, 'vlen != 0');
    if (this.sizeOrType(t) !== 0) return this.fail(t, 'type != 0');
    const nameOff = this.nameOff(t);
    if (nameOff === 0 || !this.nameValidIdentifier(nameOff)) return this.fail(t, 'Invalid name');
    return 0;
  }

  private arrayCheckMeta(t: number, metaLeft: number): number {
    if (metaLeft < 12) return this.metaShort(t, metaLeft, 12);
    if (this.nameOff(t) !== 0) return this.fail(t, 'Invalid name');
    if (this.vlen(t) !== 0) return this.fail(t, 'vlen != 0');
    if (this.kflag(t)) return this.fail(t, 'Invalid btf_info kind_flag');
    if (this.sizeOrType(t) !== 0) return this.fail(t, 'size != 0');
    const elem = this.extra(t, 0);
    if (elem === 0 || elem > BTF_MAX_TYPE) return this.fail(t, 'Invalid elem');
    const index = this.extra(t, 4);
    if (index === 0 || index > BTF_MAX_TYPE) return this.fail(t, 'Invalid index');
    return 12;
  }

  private structCheckMeta(t: number, metaLeft: number): number {
    const isUnion = this.kind(t) === KIND.UNION;
    const vlen = this.vlen(t);
    const needed = vlen * 12;
    if (metaLeft < needed) return this.metaShort(t, metaLeft, needed);
    const nameOff = this.nameOff(t);
    if (nameOff !== 0 && !this.nameValidIdentifier(nameOff)) return this.fail(t, 'Invalid name');
    const structSize = this.sizeOrType(t);
    const kflag = this.kflag(t);
    const base = this.recOff(t) + 12;
    let lastOffset = 0;
    for (let i = 0; i < vlen; i++) {
      const p = base + i * 12;
      const mName = this.u32(p);
      const mType = this.u32(p + 4);
      const mOff = this.u32(p + 8);
      if (!this.nameOffsetValid(mName)) {
        this.logMember(t, i, `Invalid member name_offset:${mName}`);
        return -EINVAL;
      }
      if (mName !== 0 && !this.nameValidIdentifier(mName)) {
        this.logMember(t, i, 'Invalid name');
        return -EINVAL;
      }
      if (mType === 0 || mType > BTF_MAX_TYPE) {
        this.logMember(t, i, 'Invalid type_id');
        return -EINVAL;
      }
      const offset = kflag ? mOff & 0xffffff : mOff;
      if (isUnion && offset !== 0) {
        this.logMember(t, i, 'Invalid member bits_offset');
        return -EINVAL;
      }
      if (lastOffset > offset) {
        this.logMember(t, i, 'Invalid member bits_offset');
        return -EINVAL;
      }
      if (bitsRoundupBytes(offset) > structSize) {
        this.logMember(t, i, 'Member bits_offset exceeds its struct size');
        return -EINVAL;
      }
      lastOffset = offset;
    }
    return needed;
  }

  private enumCheckMeta(t: number, metaLeft: number, elemSize: number): number {
    const n = this.vlen(t);
    const needed = n * elemSize;
    if (metaLeft < needed) return this.metaShort(t, metaLeft, needed);
    const size = this.sizeOrType(t);
    if (size > 8 || size === 0 || (size & (size - 1)) !== 0) return this.fail(t, 'Unexpected size');
    const nameOff = this.nameOff(t);
    if (nameOff !== 0 && !this.nameValidIdentifier(nameOff)) return this.fail(t, 'Invalid name');
    const base = this.recOff(t) + 12;
    for (let i = 0; i < n; i++) {
      const p = base + i * elemSize;
      const eName = this.u32(p);
      if (!this.nameOffsetValid(eName)) {
        const msg = `\tInvalid name_offset:${eName}`;
        this.log(`Invalid name_offset:${eName} (enumerator #${i})`, 'types', p, this.logTypeId, msg);
        return -EINVAL;
      }
      if (eName === 0 || !this.nameValidIdentifier(eName)) {
        this.logType(t, 'Invalid name');
        this.last = { ...this.last!, message: `Invalid name (enumerator #${i})`, offset: p };
        return -EINVAL;
      }
    }
    return needed;
  }

  private funcProtoCheckMeta(t: number, metaLeft: number): number {
    const needed = this.vlen(t) * 8;
    if (metaLeft < needed) return this.metaShort(t, metaLeft, needed);
    if (this.nameOff(t) !== 0) return this.fail(t, 'Invalid name');
    if (this.kflag(t)) return this.fail(t, 'Invalid btf_info kind_flag');
    return needed;
  }

  private funcCheckMeta(t: number): number {
    const nameOff = this.nameOff(t);
    if (nameOff === 0 || !this.nameValidIdentifier(nameOff)) return this.fail(t, 'Invalid name');
    if (this.vlen(t) > 1) return this.fail(t, 'Invalid func linkage');
    if (this.kflag(t)) return this.fail(t, 'Invalid btf_info kind_flag');
    return 0;
  }

  private varCheckMeta(t: number, metaLeft: number): number {
    if (metaLeft < 4) return this.metaShort(t, metaLeft, 4);
    if (this.vlen(t) !== 0) return this.fail(t, 'vlen != 0');
    if (this.kflag(t)) return this.fail(t, 'Invalid btf_info kind_flag');
    const nameOff = this.nameOff(t);
    if (nameOff === 0 || !this.nameValidIdentifier(nameOff)) return this.fail(t, 'Invalid name');
    const type = this.sizeOrType(t);
    if (type === 0 || type > BTF_MAX_TYPE) return this.fail(t, 'Invalid type_id');
    const linkage = this.extra(t, 0);
    if (linkage !== 0 && linkage !== 1) return this.fail(t, 'Linkage not supported');
    return 4;
  }

  private datasecCheckMeta(t: number, metaLeft: number): number {
    const n = this.vlen(t);
    const needed = n * 12;
    if (metaLeft < needed) return this.metaShort(t, metaLeft, needed);
    const size = this.sizeOrType(t);
    if (size === 0) return this.fail(t, 'size == 0');
    if (this.kflag(t)) return this.fail(t, 'Invalid btf_info kind_flag');
    const nameOff = this.nameOff(t);
    if (nameOff === 0 || !this.nameValidSection(nameOff)) return this.fail(t, 'Invalid name');
    const base = this.recOff(t) + 12;
    let lastEnd = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = base + i * 12;
      const vType = this.u32(p);
      const vOff = this.u32(p + 4);
      const vSize = this.u32(p + 8);
      if (vType === 0 || vType > BTF_MAX_TYPE) {
        this.logVsi(t, i, 'Invalid type_id');
        return -EINVAL;
      }
      if (vOff < lastEnd || vOff >= size) {
        this.logVsi(t, i, 'Invalid offset');
        return -EINVAL;
      }
      if (vSize === 0 || vSize > size) {
        this.logVsi(t, i, 'Invalid size');
        return -EINVAL;
      }
      lastEnd = vOff + vSize;
      if (lastEnd > size) {
        this.logVsi(t, i, 'Invalid offset+size');
        return -EINVAL;
      }
      sum += vSize;
    }
    if (size < sum) return this.fail(t, 'Invalid btf_info size');
    return needed;
  }

  private floatCheckMeta(t: number): number {
    if (this.vlen(t) !== 0) return this.fail(t, 'vlen != 0');
    if (this.kflag(t)) return this.fail(t, 'Invalid btf_info kind_flag');
    const s = this.sizeOrType(t);
    if (s !== 2 && s !== 4 && s !== 8 && s !== 12 && s !== 16) return this.fail(t, 'Invalid type_size');
    return 0;
  }

  private declTagCheckMeta(t: number, metaLeft: number): number {
    if (metaLeft < 4) return this.metaShort(t, metaLeft, 4);
    if (this.nameEmpty(this.nameOff(t))) return this.fail(t, 'Invalid value');
    if (this.vlen(t) !== 0) return this.fail(t, 'vlen != 0');
    // Linux 6.14+: kind_flag allowed (the tag is then a plain attribute).
    if (this.view.getInt32(this.recOff(t) + 12, this.le) < -1) return this.fail(t, 'Invalid component_idx');
    return 4;
  }

  // ---- 4. resolve ----

  private checkAllTypes(): number {
    const n = this.nrTypes;
    this.resolvedIds = new Uint32Array(n);
    this.resolvedSizes = new Uint32Array(n);
    this.visit = new Uint8Array(n);
    for (let i = this.base !== undefined ? 0 : 1; i < n; i++) {
      const id = this.startId + i;
      this.logTypeId = id;
      if (this.needsResolve(id) && !this.isResolved(id)) {
        const err = this.resolve(id);
        if (err !== 0) return err;
      }
      if (this.kind(id) === KIND.FUNC_PROTO) {
        const err = this.funcProtoCheck(id);
        if (err !== 0) return Math.abs(err);
      }
    }
    return 0;
  }

  private isResolved(id: number): boolean {
    if (id < this.startId) return true;
    return this.visit[id - this.startId] === RESOLVED;
  }

  private resolvedId(id: number): number {
    const e = this.layerOf(id);
    return e.resolvedIds[id - e.startId] ?? 0;
  }

  private resolvedSize(id: number): number {
    const e = this.layerOf(id);
    return e.resolvedSizes[id - e.startId] ?? 0;
  }

  /** `env_type_is_resolve_sink`. */
  private isSink(id: number): boolean {
    switch (this.resolveMode) {
      case RESOLVE_TBD:
        return !this.needsResolve(id);
      case RESOLVE_PTR:
        return id === 0 || (!this.isModifier(id) && this.kind(id) !== KIND.PTR);
      default:
        return id === 0 || (!this.isModifier(id) && this.kind(id) !== KIND.ARRAY && !this.isStruct(id));
    }
  }

  private push(id: number): number {
    if (this.stack.length === MAX_RESOLVE_DEPTH) return -E2BIG;
    if (id < this.startId || this.visit[id - this.startId] !== NOT_VISITED) return -EEXIST;
    this.visit[id - this.startId] = VISITED;
    this.stack.push({ id, nextMember: 0 });
    if (this.resolveMode === RESOLVE_TBD) {
      const k = this.kind(id);
      if (k === KIND.PTR) this.resolveMode = RESOLVE_PTR;
      else if (k === KIND.STRUCT || k === KIND.UNION || k === KIND.ARRAY) this.resolveMode = RESOLVE_STRUCT_OR_ARRAY;
    }
    return 0;
  }

  private setNextMember(n: number): void {
    this.stack[this.stack.length - 1]!.nextMember = n;
  }

  private popResolved(resolvedId: number, resolvedSize: number): void {
    const v = this.stack.pop()!;
    const i = v.id - this.startId;
    this.resolvedSizes[i] = resolvedSize >>> 0;
    this.resolvedIds[i] = resolvedId >>> 0;
    this.visit[i] = RESOLVED;
  }

  /** `btf_resolve`. */
  private resolve(id: number): number {
    const saved = this.logTypeId;
    this.resolveMode = RESOLVE_TBD;
    this.push(id);
    let err = 0;
    while (err === 0 && this.stack.length > 0) {
      const v = this.stack[this.stack.length - 1]!;
      this.logTypeId = v.id;
      err = -this.resolveOne(v);
    }
    this.logTypeId = id;
    if (err === E2BIG) this.logType(id, `Exceeded max resolving depth:${MAX_RESOLVE_DEPTH}`);
    else if (err === EEXIST) this.logType(id, 'Loop detected');
    if (err === 0 && !this.resolveValid(id)) {
      this.logType(id, 'Invalid resolve state');
      err = EINVAL;
    }
    if (err !== 0) this.stack.length = 0;
    this.logTypeId = saved;
    return err;
  }

  private resolveOne(v: Vertex): number {
    const k = this.kind(v.id);
    switch (k) {
      case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.TYPE_TAG:
        return this.modifierResolve(v);
      case KIND.PTR: return this.ptrResolve(v);
      case KIND.VAR: return this.varResolve(v);
      case KIND.ARRAY: return this.arrayResolve(v);
      case KIND.STRUCT: case KIND.UNION: return this.structResolve(v);
      case KIND.DATASEC: return this.datasecResolve(v);
      case KIND.FUNC: return this.funcResolve(v);
      case KIND.DECL_TAG: return this.declTagResolve(v);
      default:
        this.logType(v.id, 'Unsupported resolve', false);
        return -EINVAL;
    }
  }

  /** `btf_resolve_valid`. */
  private resolveValid(id: number): boolean {
    if (!this.isResolved(id)) return false;
    const k = this.kind(id);
    if (k === KIND.STRUCT || k === KIND.UNION || k === KIND.DATASEC) {
      return this.resolvedId(id) === 0 && this.resolvedSize(id) === 0;
    }
    if (k === KIND.DECL_TAG || k === KIND.FUNC) {
      return this.resolvedId(id) !== 0 && this.resolvedSize(id) === 0;
    }
    if (this.isModifier(id) || k === KIND.PTR || k === KIND.VAR) {
      const r = this.resolvedId(id);
      return this.exists(r) && !this.isModifier(r) && this.kind(r) !== KIND.VAR && this.kind(r) !== KIND.DATASEC;
    }
    if (k === KIND.ARRAY) {
      const elem = this.typeIdSize(this.extra(id, 0));
      if (elem < 0 || this.isModifier(elem)) return false;
      return Math.imul(this.extra(id, 8), this.sizeOut) >>> 0 === this.resolvedSize(id);
    }
    return false;
  }

  /** Size reported by the last successful {@link typeIdSize}. */
  private sizeOut = 0;

  /**
   * `btf_type_id_size`: the type that gives `id` its size (following modifiers and VARs through
   * their resolved ids) or -1 when it has none; the size is left in {@link sizeOut}.
   */
  private typeIdSize(id: number): number {
    if (this.nosizeOrNull(id)) return -1;
    let size: number;
    let sid = id;
    if (this.hasSize(sid)) size = this.sizeOrType(sid);
    else if (this.kind(sid) === KIND.ARRAY) size = this.resolvedSize(sid);
    else if (this.kind(sid) === KIND.PTR) size = PTR_SIZE;
    else {
      if (!this.isModifier(sid) && this.kind(sid) !== KIND.VAR) return -1;
      sid = this.resolvedId(sid);
      if (this.nosizeOrNull(sid)) return -1;
      if (this.hasSize(sid)) size = this.sizeOrType(sid);
      else if (this.kind(sid) === KIND.ARRAY) size = this.resolvedSize(sid);
      else if (this.kind(sid) === KIND.PTR) size = PTR_SIZE;
      else return -1;
    }
    this.sizeOut = size;
    return sid;
  }

  private modifierResolve(v: Vertex): number {
    const t = v.id;
    let next = this.sizeOrType(t);
    if (!this.exists(next) || this.isResolveSourceOnly(next)) return this.fail(t, 'Invalid type_id');
    if (!this.isSink(next) && !this.isResolved(next)) return this.push(next);
    const sized = this.typeIdSize(next);
    if (sized < 0) {
      if (this.isResolved(next)) next = this.resolvedId(next);
      // "typedef void new_void", "const void", ...
      if (!this.isVoid(next) && this.kind(next) !== KIND.FWD && this.kind(next) !== KIND.FUNC_PROTO) {
        return this.fail(t, 'Invalid type_id');
      }
    } else {
      next = sized;
    }
    this.popResolved(next, 0);
    return 0;
  }

  private varResolve(v: Vertex): number {
    const t = v.id;
    const next = this.sizeOrType(t);
    if (!this.exists(next) || this.isResolveSourceOnly(next)) return this.fail(t, 'Invalid type_id');
    if (!this.isSink(next) && !this.isResolved(next)) return this.push(next);
    if (this.isModifier(next)) {
      const r = this.resolvedId(next);
      if (this.isKind(r, KIND.PTR) && !this.isSink(r) && !this.isResolved(r)) return this.push(r);
    }
    const sized = this.typeIdSize(next);
    if (sized < 0) return this.fail(t, 'Invalid type_id');
    this.popResolved(sized, 0);
    return 0;
  }

  private ptrResolve(v: Vertex): number {
    const t = v.id;
    let next = this.sizeOrType(t);
    if (!this.exists(next) || this.isResolveSourceOnly(next)) return this.fail(t, 'Invalid type_id');
    if (!this.isSink(next) && !this.isResolved(next)) return this.push(next);
    if (this.isModifier(next)) {
      const r = this.resolvedId(next);
      if (this.isKind(r, KIND.PTR) && !this.isSink(r) && !this.isResolved(r)) return this.push(r);
    }
    const sized = this.typeIdSize(next);
    if (sized < 0) {
      if (this.isResolved(next)) next = this.resolvedId(next);
      if (!this.isVoid(next) && this.kind(next) !== KIND.FWD && this.kind(next) !== KIND.FUNC_PROTO) {
        return this.fail(t, 'Invalid type_id');
      }
    } else {
      next = sized;
    }
    this.popResolved(next, 0);
    return 0;
  }

  private arrayResolve(v: Vertex): number {
    const t = v.id;
    let index = this.extra(t, 4);
    if (this.nosizeOrNull(index) || this.isResolveSourceOnly(index)) return this.fail(t, 'Invalid index');
    if (!this.isSink(index) && !this.isResolved(index)) return this.push(index);
    index = this.typeIdSize(index);
    if (index < 0 || !this.isKind(index, KIND.INT) || !this.intIsRegular(index)) return this.fail(t, 'Invalid index');

    let elem = this.extra(t, 0);
    if (this.nosizeOrNull(elem) || this.isResolveSourceOnly(elem)) return this.fail(t, 'Invalid elem');
    if (!this.isSink(elem) && !this.isResolved(elem)) return this.push(elem);
    elem = this.typeIdSize(elem);
    if (elem < 0) return this.fail(t, 'Invalid elem');
    const elemSize = this.sizeOut;
    if (this.isKind(elem, KIND.INT) && !this.intIsRegular(elem)) return this.fail(t, 'Invalid array of int');
    const nelems = this.extra(t, 8);
    if (nelems !== 0 && elemSize > Math.floor(0xffffffff / nelems)) return this.fail(t, 'Array size overflows U32_MAX');
    this.popResolved(elem, elemSize * nelems);
    return 0;
  }

  private structResolve(v: Vertex): number {
    const t = v.id;
    const kflag = this.kflag(t);
    const base = this.recOff(t) + 12;
    if (v.nextMember !== 0) {
      const i = v.nextMember - 1;
      const mType = this.u32(base + i * 12 + 4);
      if (!this.isResolved(mType)) return -EINVAL; // WARN_ON_ONCE in the kernel
      const err = this.checkMember(t, i, mType, mType, kflag);
      if (err !== 0) return err;
    }
    const n = this.vlen(t);
    for (let i = v.nextMember; i < n; i++) {
      const mType = this.u32(base + i * 12 + 4);
      if (this.nosizeOrNull(mType) || this.isResolveSourceOnly(mType)) {
        this.logMember(t, i, 'Invalid member');
        return -EINVAL;
      }
      if (!this.isSink(mType) && !this.isResolved(mType)) {
        this.setNextMember(i + 1);
        return this.push(mType);
      }
      const err = this.checkMember(t, i, mType, mType, kflag);
      if (err !== 0) return err;
    }
    this.popResolved(0, 0);
    return 0;
  }

  private datasecResolve(v: Vertex): number {
    const t = v.id;
    const base = this.recOff(t) + 12;
    this.resolveMode = RESOLVE_TBD;
    const n = this.vlen(t);
    for (let i = v.nextMember; i < n; i++) {
      const p = base + i * 12;
      const varId = this.u32(p);
      if (!this.exists(varId) || !this.isKind(varId, KIND.VAR)) {
        this.logVsi(t, i, 'Not a VAR kind member');
        return -EINVAL;
      }
      if (!this.isSink(varId) && !this.isResolved(varId)) {
        this.setNextMember(i + 1);
        return this.push(varId);
      }
      const sized = this.typeIdSize(this.sizeOrType(varId));
      if (sized < 0) {
        this.logVsi(t, i, 'Invalid type');
        return -EINVAL;
      }
      if (this.u32(p + 8) < this.sizeOut) {
        this.logVsi(t, i, 'Invalid size');
        return -EINVAL;
      }
    }
    this.popResolved(0, 0);
    return 0;
  }

  private funcResolve(v: Vertex): number {
    const err = this.funcCheck(v.id);
    if (err !== 0) return err;
    this.popResolved(this.sizeOrType(v.id), 0);
    return 0;
  }

  private declTagResolve(v: Vertex): number {
    const t = v.id;
    let next = this.sizeOrType(t);
    const isTarget = (id: number): boolean => {
      const k = this.kind(id);
      return id !== 0 && (k === KIND.FUNC || k === KIND.STRUCT || k === KIND.UNION || k === KIND.VAR || k === KIND.TYPEDEF);
    };
    if (!this.exists(next) || !isTarget(next)) return this.fail(t, 'Invalid type_id');
    if (!this.isSink(next) && !this.isResolved(next)) return this.push(next);
    const comp = this.view.getInt32(this.recOff(t) + 12, this.le);
    if (comp !== -1) {
      const k = this.kind(next);
      if (k === KIND.VAR || k === KIND.TYPEDEF) return this.fail(t, 'Invalid component_idx');
      let vlen: number;
      if (k === KIND.STRUCT || k === KIND.UNION) vlen = this.vlen(next);
      else {
        const proto = this.sizeOrType(next);
        vlen = this.exists(proto) ? this.vlen(proto) : 0;
      }
      if (comp >>> 0 >= vlen) return this.fail(t, 'Invalid component_idx');
    }
    next = this.sizeOrType(t);
    this.popResolved(next, 0);
    return 0;
  }

  /** `btf_func_check`. */
  private funcCheck(t: number): number {
    const proto = this.sizeOrType(t);
    if (!this.exists(proto) || !this.isKind(proto, KIND.FUNC_PROTO)) return this.fail(t, 'Invalid type_id');
    const n = this.vlen(proto);
    const base = this.recOff(proto) + 12;
    const layer = this.layerOf(proto);
    for (let i = 0; i < n; i++) {
      const nameOff = layer.view.getUint32(base + i * 8, layer.le);
      const type = layer.view.getUint32(base + i * 8 + 4, layer.le);
      if (nameOff === 0 && type !== 0) return this.fail(t, `Invalid arg#${i + 1}`);
    }
    return 0;
  }

  /** `btf_func_proto_check`. */
  private funcProtoCheck(t: number): number {
    const ret = this.sizeOrType(t);
    if (ret !== 0) {
      if (!this.exists(ret) || this.isResolveSourceOnly(ret)) return this.fail(t, 'Invalid return type');
      if (this.needsResolve(ret) && !this.isResolved(ret)) {
        const err = this.resolve(ret);
        if (err !== 0) return err;
      }
      if (this.typeIdSize(ret) < 0) return this.fail(t, 'Invalid return type');
    }
    let n = this.vlen(t);
    if (n === 0) return 0;
    const base = this.recOff(t) + 12;
    if (this.u32(base + (n - 1) * 8 + 4) === 0) {
      if (this.u32(base + (n - 1) * 8) !== 0) return this.fail(t, `Invalid arg#${n}`);
      n--;
    }
    for (let i = 0; i < n; i++) {
      const nameOff = this.u32(base + i * 8);
      const type = this.u32(base + i * 8 + 4);
      if (!this.exists(type) || this.isResolveSourceOnly(type)) return this.fail(t, `Invalid arg#${i + 1}`);
      if (nameOff !== 0 && (!this.nameOffsetValid(nameOff) || !this.nameValidIdentifier(nameOff))) {
        return this.fail(t, `Invalid arg#${i + 1}`);
      }
      if (this.needsResolve(type) && !this.isResolved(type)) {
        const err = this.resolve(type);
        if (err !== 0) return err;
      }
      if (this.typeIdSize(type) < 0) return this.fail(t, `Invalid arg#${i + 1}`);
    }
    return 0;
  }

  // ---- member checks (check_member / check_kflag_member) ----

  /**
   * Check member `idx` of struct `s` whose (possibly modifier-resolved) type is `mt`; `logType`
   * is the type id the kernel prints for the member (the resolved one after modifiers).
   */
  private checkMember(s: number, idx: number, mt: number, logTypeArg: number, kflag: boolean): number {
    const p = this.recOff(s) + 12 + idx * 12;
    const rawOff = this.u32(p + 8);
    const k = mt === 0 ? 0 : this.kind(mt);
    const structSize = this.sizeOrType(s);
    const failM = (msg: string): number => {
      this.logMember(s, idx, msg, logTypeArg);
      return -EINVAL;
    };
    switch (k) {
      case KIND.INT:
        return kflag ? this.intCheckKflagMember(s, mt, rawOff, structSize, failM) : this.intCheckMember(mt, rawOff, structSize, failM);
      case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.TYPE_TAG: {
        const r = this.typeIdSize(mt);
        if (r < 0) return failM('Invalid member');
        return this.checkMember(s, idx, r, r, kflag);
      }
      case KIND.PTR: case KIND.ARRAY: case KIND.STRUCT: case KIND.UNION: case KIND.FLOAT: {
        if (kflag && rawOff >>> 24 !== 0) return failM('Invalid member bitfield_size');
        return this.sizedCheckMember(k, mt, rawOff, structSize, failM);
      }
      case KIND.ENUM: case KIND.ENUM64:
        return kflag ? this.enumCheckKflagMember(rawOff, structSize, failM) : this.sizedCheckMember(k, mt, rawOff, structSize, failM);
      default:
        this.logType(s, kflag ? 'Unsupported check_kflag_member' : 'Unsupported check_member', false);
        return -EINVAL;
    }
  }

  private intCheckMember(mt: number, off: number, structSize: number, failM: (m: string) => number): number {
    const d = this.extra(mt, 0);
    const intOff = (d >>> 16) & 0xff;
    if (0xffffffff - off < intOff) return failM('bits_offset exceeds U32_MAX');
    const bitsOff = off + intOff;
    const bytesOffset = Math.floor(bitsOff / 8);
    const nrCopyBits = (d & 0xff) + (bitsOff & 7);
    if (nrCopyBits > BITS_PER_U128) return failM('nr_copy_bits exceeds 128');
    if (structSize < bytesOffset || structSize - bytesOffset < bitsRoundupBytes(nrCopyBits)) return failM('Member exceeds struct_size');
    return 0;
  }

  private intCheckKflagMember(_s: number, mt: number, off: number, structSize: number, failM: (m: string) => number): number {
    if (!this.intIsRegular(mt)) return failM('Invalid member base type');
    let nrBits = off >>> 24;
    const bitsOff = off & 0xffffff;
    const nrIntBits = this.extra(mt, 0) & 0xff;
    if (nrBits === 0) {
      if ((bitsOff & 7) !== 0) return failM('Invalid member offset');
      nrBits = nrIntBits;
    } else if (nrBits > nrIntBits) {
      return failM('Invalid member bitfield_size');
    }
    const bytesOffset = bitsOff >>> 3;
    const nrCopyBits = nrBits + (bitsOff & 7);
    if (nrCopyBits > BITS_PER_U128) return failM('nr_copy_bits exceeds 128');
    if (structSize < bytesOffset || structSize - bytesOffset < bitsRoundupBytes(nrCopyBits)) return failM('Member exceeds struct_size');
    return 0;
  }

  private enumCheckKflagMember(off: number, structSize: number, failM: (m: string) => number): number {
    const bitsOff = off & 0xffffff;
    let nrBits = off >>> 24;
    if (nrBits === 0) {
      if ((bitsOff & 7) !== 0) return failM('Member is not byte aligned');
      nrBits = 32;
    } else if (nrBits > 32) {
      return failM('Invalid member bitfield_size');
    }
    if (structSize < bitsRoundupBytes(bitsOff + nrBits)) return failM('Member exceeds struct_size');
    return 0;
  }

  /** check_member of PTR, ARRAY, STRUCT/UNION, ENUM/ENUM64 and FLOAT (offset is a plain bit offset). */
  private sizedCheckMember(k: number, mt: number, off: number, structSize: number, failM: (m: string) => number): number {
    if (k === KIND.FLOAT) {
      const size = this.sizeOrType(mt);
      const alignBits = Math.min(PTR_SIZE, size) * 8;
      if (off % alignBits !== 0) return failM('Member is not properly aligned');
      if (Math.floor(off / 8) + size > structSize) return failM('Member exceeds struct_size');
      return 0;
    }
    if ((off & 7) !== 0) return failM('Member is not byte aligned');
    const bytesOffset = off >>> 3;
    let need: number;
    if (k === KIND.PTR) need = PTR_SIZE;
    else if (k === KIND.ARRAY) {
      need = this.typeIdSize(mt) < 0 ? 0 : this.sizeOut;
    } else need = this.sizeOrType(mt);
    if (((structSize - bytesOffset) >>> 0) < need) return failM('Member exceeds struct_size');
    return 0;
  }

  // ---- 5. type tags ----

  /** `btf_check_type_tags`. */
  private checkTypeTags(startId: number): number {
    const n = this.totalTypes();
    let goodId = startId - 1;
    for (let i = startId; i < n; i++) {
      if (!this.isModifier(i)) continue;
      let t = i;
      let chainLimit = 32;
      let inTags = this.kind(t) === KIND.TYPE_TAG;
      while (this.isModifier(t) && t !== 0) {
        if (chainLimit-- === 0) {
          this.log('Max chain length or cycle detected', 'types', this.recOff(i), i);
          return ELOOP;
        }
        if (this.kind(t) === KIND.TYPE_TAG) {
          if (!inTags) {
            this.log("Type tags don't precede modifiers", 'types', this.recOff(i), i);
            return EINVAL;
          }
        } else if (inTags) {
          inTags = false;
        }
        if (t <= goodId) break;
        t = this.sizeOrType(t);
        if (!this.exists(t)) {
          this.log('Invalid type_id in a modifier chain', 'types', this.recOff(i), i, null);
          return EINVAL;
        }
      }
      goodId = i;
    }
    return 0;
  }

  // ---- 6. BPF special fields (btf_parse_struct_metas) ----

  private checkStructMetas(): number {
    const r = new SpecialFields(this).check();
    if (r === 0) return 0;
    return r;
  }

  /** @internal Used by {@link SpecialFields}. */
  fieldFail(err: number, id: number, why: string): number {
    this.log(why, 'types', this.recOff(id), id, null);
    return err;
  }

  /** @internal */
  nameIs(off: number, s: string): boolean {
    return this.nameEquals(off, s);
  }

  /** @internal */
  nameStart(off: number): { bytes: Uint8Array; pos: number } | undefined {
    const p = this.strPos(off);
    return p < 0 ? undefined : { bytes: this.strBytes(off), pos: p };
  }

  /** @internal `btf_find_by_name_kind` (anonymous types have the name ""). */
  findByNameKind(name: string, kind: number): number {
    const n = this.totalTypes();
    for (let i = 1; i < n; i++) {
      if (this.kind(i) !== kind) continue;
      const off = this.nameOff(i);
      if (off === 0 ? name === '' : this.nameEquals(off, name)) return i;
    }
    return -ENOENT;
  }

  /** @internal `btf_type_skip_modifiers`. */
  skipModifiers(id: number): number {
    let cur = id;
    for (let i = 0; i < 64 && this.isModifier(cur) && cur !== 0; i++) cur = this.sizeOrType(cur);
    return cur;
  }
}

const BPF_SPIN_LOCK = 1 << 0;
const BPF_KPTR_UNREF = 1 << 2;
const BPF_KPTR_REF = 1 << 3;
const BPF_KPTR_PERCPU = 1 << 4;
const BPF_LIST_HEAD = 1 << 5;
const BPF_LIST_NODE = 1 << 6;
const BPF_RB_ROOT = 1 << 7;
const BPF_RB_NODE = 1 << 8;
const BPF_REFCOUNT = 1 << 9;
const BPF_UPTR = 1 << 11;
const BPF_RES_SPIN_LOCK = 1 << 12;
const BPF_KPTR = BPF_KPTR_UNREF | BPF_KPTR_REF | BPF_KPTR_PERCPU;
const BPF_GRAPH_ROOT = BPF_LIST_HEAD | BPF_RB_ROOT;
const BTF_FIELDS_MAX = 11;
const BTF_MAX_OWNERSHIP_DEPTH = 8;

/** Size and alignment of each special field (x86-64 layout of the UAPI structs). */
function fieldSizeAlign(type: number): { size: number; align: number } {
  switch (type) {
    case BPF_SPIN_LOCK: return { size: 4, align: 4 };
    case BPF_RES_SPIN_LOCK: return { size: 4, align: 4 };
    case BPF_KPTR_UNREF: case BPF_KPTR_REF: case BPF_KPTR_PERCPU: case BPF_UPTR: return { size: 8, align: 8 };
    case BPF_LIST_HEAD: return { size: 16, align: 8 };
    case BPF_LIST_NODE: return { size: 24, align: 8 };
    case BPF_RB_ROOT: return { size: 16, align: 8 };
    case BPF_RB_NODE: return { size: 32, align: 8 };
    case BPF_REFCOUNT: return { size: 4, align: 4 };
    default: return { size: 0, align: 1 };
  }
}

const ALLOC_OBJ_FIELDS = ['bpf_spin_lock', 'bpf_res_spin_lock', 'bpf_list_head', 'bpf_list_node', 'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount'];
const UNIQUE_FIELDS: readonly [number, string][] = [
  [BPF_SPIN_LOCK, 'bpf_spin_lock'], [BPF_RES_SPIN_LOCK, 'bpf_res_spin_lock'],
];
const GRAPH_FIELDS: readonly [number, string, boolean][] = [
  [BPF_LIST_HEAD, 'bpf_list_head', false], [BPF_LIST_NODE, 'bpf_list_node', false], [BPF_RB_ROOT, 'bpf_rb_root', false],
  [BPF_RB_NODE, 'bpf_rb_node', false], [BPF_REFCOUNT, 'bpf_refcount', true],
];
const META_MASK = BPF_SPIN_LOCK | BPF_RES_SPIN_LOCK | BPF_LIST_HEAD | BPF_LIST_NODE | BPF_RB_ROOT | BPF_RB_NODE |
  BPF_REFCOUNT | BPF_KPTR;

/** A struct's record of special fields (`struct btf_record`), enough for the load-time checks. */
interface FieldRecord {
  readonly id: number;
  readonly fields: FieldInfo[];
}

/**
 * The load-time checks of `btf_parse_struct_metas`: every struct with a member whose type is
 * one of the special structs (or a kptr-tagged pointer) gets its special fields parsed. Kptrs
 * to kernel types are checked against the kernel's own BTF by the kernel (a destructor must be
 * registered); that part needs the running kernel and is not modelled here.
 */
class SpecialFields {
  constructor(private readonly env: Env) {}

  check(): number {
    const env = this.env;
    const n = env.totalTypes();
    const aof = new Set<number>();
    for (const name of ALLOC_OBJ_FIELDS) {
      const id = env.findByNameKind(name, KIND.STRUCT);
      if (id > 0) aof.add(id);
    }
    for (let i = 1; i < n; i++) {
      const r = this.findKptr(i, 0, BPF_KPTR);
      if (r === 1) aof.add(i);
    }
    if (aof.size === 0) return 0;
    const records: FieldRecord[] = [];
    for (let i = 1; i < n; i++) {
      if (env.kind(i) !== KIND.STRUCT) continue;
      const vlen = env.vlen(i);
      let hit = false;
      for (let j = 0; j < vlen && !hit; j++) hit = aof.has(env.extra(i, j * 12 + 4));
      if (!hit) continue;
      const rec = this.parseFields(i);
      if (typeof rec === 'number') return rec;
      if (rec === undefined) return env.fieldFail(EFAULT, i, 'special fields: record cannot be unset');
      records.push(rec);
    }
    // btf_check_and_fixup_fields: every graph root's value type must have a record.
    const byId = new Map(records.map((r, idx) => [r.id, idx]));
    for (const rec of records) {
      for (const f of rec.fields) {
        if ((f.type & BPF_GRAPH_ROOT) !== 0 && !byId.has(f.rootValueId)) {
          return env.fieldFail(EFAULT, rec.id, 'special fields: graph root value type has no special fields');
        }
      }
    }
    // btf_check_ownership_depth
    const depth = new Uint8Array(records.length);
    const ownershipDepth = (idx: number, left: number): number => {
      if (left === 0) return -ELOOP;
      if (depth[idx] === 0) {
        let max = 0;
        for (const f of records[idx]!.fields) {
          let owned: number | undefined;
          if ((f.type & BPF_GRAPH_ROOT) !== 0) owned = byId.get(f.rootValueId);
          else if (f.type === BPF_KPTR_REF || f.type === BPF_KPTR_PERCPU) owned = byId.get(f.kptrTypeId);
          if (owned === undefined) continue;
          const r = ownershipDepth(owned, left - 1);
          if (r < 0) return r;
          max = Math.max(max, r);
        }
        depth[idx] = max + 1;
      }
      return depth[idx]! > left ? -ELOOP : depth[idx]!;
    };
    for (let i = 0; i < records.length; i++) {
      const r = ownershipDepth(i, BTF_MAX_OWNERSHIP_DEPTH);
      if (r < 0) return this.env.fieldFail(-r, records[i]!.id, 'special fields: ownership chain too deep or cyclic');
    }
    return 0;
  }

  /** `btf_find_kptr` on type `t`: 1 found, 0 ignore, <0 error. */
  private findKptr(t: number, off: number, mask: number, info?: FieldInfo): number {
    const env = this.env;
    let cur = t;
    if (env.kind(cur) === KIND.VOLATILE && cur !== 0) cur = env.sizeOrType(cur);
    if (!env.exists(cur) || cur === 0 || env.kind(cur) !== KIND.PTR) return 0;
    cur = env.sizeOrType(cur);
    if (!env.exists(cur) || cur === 0 || env.kind(cur) !== KIND.TYPE_TAG || env.kflag(cur)) return 0;
    const inner = env.sizeOrType(cur);
    if (env.exists(inner) && inner !== 0 && env.kind(inner) === KIND.TYPE_TAG) return -EINVAL;
    const nameOff = env.nameOff(cur);
    let type: number;
    if (env.nameIs(nameOff, 'kptr_untrusted')) type = BPF_KPTR_UNREF;
    else if (env.nameIs(nameOff, 'kptr')) type = BPF_KPTR_REF;
    else if (env.nameIs(nameOff, 'percpu_kptr')) type = BPF_KPTR_PERCPU;
    else if (env.nameIs(nameOff, 'uptr')) type = BPF_UPTR;
    else return -EINVAL;
    if ((type & mask) === 0) return 0;
    const target = env.skipModifiers(inner);
    if (!env.exists(target) || target === 0 || env.kind(target) !== KIND.STRUCT) return -EINVAL;
    if (info !== undefined) {
      info.type = type;
      info.off = off;
      info.kptrTypeId = target;
    }
    return 1;
  }

  /** `btf_parse_fields(btf, t, META_MASK, t->size)`: record, undefined (none), or errno. */
  private parseFields(t: number): FieldRecord | number | undefined {
    const env = this.env;
    const info: FieldInfo[] = [];
    const seen = { mask: 0 };
    const ret = this.findStructField(t, info, BTF_FIELDS_MAX, 0, seen);
    if (ret < 0) return env.fieldFail(-ret, t, `special fields of this struct are invalid (errno ${-ret})`);
    if (ret === 0) return undefined;
    const fields = info.slice(0, ret);
    const valueSize = env.sizeOrType(t);
    let nextOff = 0;
    let mask = 0;
    for (const f of fields) {
      const sz = fieldSizeAlign(f.type).size;
      if (f.off + sz > valueSize) return env.fieldFail(EFAULT, t, 'special field beyond the struct');
      if (f.off < nextOff) return env.fieldFail(EEXIST, t, 'special fields overlap');
      nextOff = f.off + sz;
      mask |= f.type;
      if ((f.type & BPF_GRAPH_ROOT) !== 0) {
        const r = this.parseGraphRoot(f, f.type === BPF_LIST_HEAD ? 'bpf_list_node' : 'bpf_rb_node');
        if (r < 0) return env.fieldFail(-r, t, `invalid ${f.type === BPF_LIST_HEAD ? 'bpf_list_head' : 'bpf_rb_root'} field`);
      }
    }
    if ((mask & BPF_GRAPH_ROOT) !== 0 && (mask & BPF_SPIN_LOCK) === 0) {
      return env.fieldFail(EINVAL, t, 'bpf_list_head/bpf_rb_root need a bpf_spin_lock in the same struct');
    }
    if ((mask & BPF_REFCOUNT) === 0 && (mask & BPF_LIST_NODE) !== 0 && (mask & BPF_RB_NODE) !== 0) {
      return env.fieldFail(EINVAL, t, 'bpf_list_node with bpf_rb_node needs a bpf_refcount');
    }
    return { id: t, fields };
  }

  private findStructField(t: number, info: FieldInfo[], infoCnt: number, level: number, seen: { mask: number }): number {
    const env = this.env;
    const vlen = env.vlen(t);
    const kflag = env.kflag(t);
    let idx = 0;
    for (let i = 0; i < vlen; i++) {
      const mType = env.extra(t, i * 12 + 4);
      const raw = env.extra(t, i * 12 + 8);
      let off = kflag ? raw & 0xffffff : raw;
      if (off % 8 !== 0) return -EINVAL;
      off = Math.floor(off / 8);
      const sub: FieldInfo[] = [];
      const r = this.findFieldOne(t, mType, i, off, 0, seen, sub, infoCnt - idx, level);
      if (r < 0) return r;
      for (let k = 0; k < r; k++) info[idx + k] = sub[k]!;
      idx += r;
    }
    return idx;
  }

  private findFieldOne(
    varId: number, varType: number, varIdx: number, off: number, expectedSize: number,
    seen: { mask: number }, info: FieldInfo[], infoCnt: number, level: number,
  ): number {
    const env = this.env;
    let nelems = 1;
    let vt = varType;
    let i = 0;
    for (; i < MAX_RESOLVE_DEPTH && env.exists(vt) && vt !== 0 && env.kind(vt) === KIND.ARRAY; i++) {
      nelems = Math.imul(nelems, env.extra(vt, 8)) >>> 0;
      vt = env.extra(vt, 0);
    }
    if (i === MAX_RESOLVE_DEPTH) return -E2BIG;
    if (nelems === 0) return 0;
    if (!env.exists(vt)) return 0;
    const ft = this.getFieldType(vt, seen);
    if (ft < 0) return ft;
    if (ft === 0 && vt !== 0 && env.kind(vt) === KIND.STRUCT) {
      const sz = env.sizeOrType(vt);
      if (expectedSize !== 0 && expectedSize !== sz * nelems) return 0;
      return this.findNestedStruct(vt, off, nelems, info, infoCnt, level, seen);
    }
    if (ft === 0) return 0;
    const { size: sz, align } = fieldSizeAlign(ft);
    if (expectedSize !== 0 && expectedSize !== sz * nelems) return 0;
    if (off % align !== 0) return 0;
    const f: FieldInfo = { type: ft, off, kptrTypeId: 0, rootValueId: 0, rootNodeName: -1, rootNodeEnd: -1 };
    let ret: number;
    if (ft === BPF_KPTR_REF) {
      ret = this.findKptr(vt, off, META_MASK, f);
    } else if ((ft & BPF_GRAPH_ROOT) !== 0) {
      ret = this.findGraphRoot(varId, vt, varIdx, off, sz, f);
    } else {
      ret = vt !== 0 && env.kind(vt) === KIND.STRUCT && env.sizeOrType(vt) === sz ? 1 : 0;
    }
    if (ret < 0) return ret;
    if (ret === 0) return 0;
    if (infoCnt === 0) return -E2BIG;
    info[0] = f;
    if (nelems > 1) {
      const r = repeatFields(info, infoCnt, 1, nelems - 1, sz);
      if (r < 0) return r;
    }
    return nelems;
  }

  private findNestedStruct(t: number, off: number, nelems: number, info: FieldInfo[], infoCnt: number, level: number, seen: { mask: number }): number {
    level++;
    if (level >= MAX_RESOLVE_DEPTH) return -E2BIG;
    let ret = this.findStructField(t, info, infoCnt, level, seen);
    if (ret <= 0) return ret;
    for (let i = 0; i < ret; i++) info[i]!.off += off;
    if (nelems > 1) {
      const err = repeatFields(info, infoCnt, ret, nelems - 1, this.env.sizeOrType(t));
      ret = err === 0 ? ret * nelems : err;
    }
    return ret;
  }

  /** `btf_get_field_type`. */
  private getFieldType(vt: number, seen: { mask: number }): number {
    const env = this.env;
    const nameOff = vt === 0 ? 0 : env.nameOff(vt);
    for (const [type, name] of UNIQUE_FIELDS) {
      if ((META_MASK & type) !== 0 && env.nameIs(nameOff, name)) {
        if ((seen.mask & type) !== 0) return -E2BIG;
        seen.mask |= type;
        return type;
      }
    }
    for (const [type, name, unique] of GRAPH_FIELDS) {
      if ((META_MASK & type) !== 0 && env.nameIs(nameOff, name)) {
        if (unique) {
          if ((seen.mask & type) !== 0) return -E2BIG;
          seen.mask |= type;
        }
        return type;
      }
    }
    if (vt === 0 || env.kind(vt) !== KIND.STRUCT) return BPF_KPTR_REF;
    return 0;
  }

  /** `btf_find_graph_root` with `btf_find_decl_tag_value(..., "contains:")`. */
  private findGraphRoot(pt: number, t: number, compIdx: number, off: number, sz: number, f: FieldInfo): number {
    const env = this.env;
    if (t === 0 || env.kind(t) !== KIND.STRUCT || env.sizeOrType(t) !== sz) return 0;
    const n = env.totalTypes();
    let found = -1;
    for (let i = 1; i < n; i++) {
      if (env.kind(i) !== KIND.DECL_TAG) continue;
      if (env.sizeOrType(i) !== pt) continue;
      if ((env.extra(i, 0) | 0) !== compIdx) continue;
      const s = env.nameStart(env.nameOff(i));
      if (s === undefined || !startsWith(s.bytes, s.pos, 'contains:')) continue;
      if (found >= 0) return -EINVAL; // duplicate
      found = i;
    }
    if (found < 0) return -EINVAL;
    const s = env.nameStart(env.nameOff(found))!;
    const value = s.pos + 'contains:'.length;
    let colon = -1;
    let end = value;
    while (end < s.bytes.length && s.bytes[end] !== 0) {
      if (colon < 0 && s.bytes[end] === 0x3a) colon = end;
      end++;
    }
    if (colon < 0) return -EINVAL;
    let typeName = '';
    for (let i = value; i < colon; i++) typeName += String.fromCharCode(s.bytes[i]!);
    const id = env.findByNameKind(typeName, KIND.STRUCT);
    if (id < 0) return id;
    if (colon + 1 >= end) return -EINVAL;
    f.rootValueId = id;
    f.rootNodeName = colon + 1;
    f.rootNodeEnd = end;
    // keep the bytes for parseGraphRoot
    this.rootNameBytes.set(f, s.bytes);
    return 1;
  }

  private readonly rootNameBytes = new Map<FieldInfo, Uint8Array>();

  /** `btf_parse_graph_root`. */
  private parseGraphRoot(f: FieldInfo, nodeTypeName: string): number {
    const env = this.env;
    const t = f.rootValueId;
    const bytes = this.rootNameBytes.get(f);
    let nodeName = '';
    if (bytes !== undefined) for (let i = f.rootNodeName; i < f.rootNodeEnd; i++) nodeName += String.fromCharCode(bytes[i]!);
    const vlen = env.vlen(t);
    let n = -1;
    for (let i = 0; i < vlen; i++) {
      if (!env.nameIs(env.extra(t, i * 12), nodeName)) continue;
      if (n >= 0) return -EINVAL;
      n = env.extra(t, i * 12 + 4);
      if (!env.exists(n) || n === 0 || env.kind(n) !== KIND.STRUCT) return -EINVAL;
      if (!env.nameIs(env.nameOff(n), nodeTypeName)) return -EINVAL;
      const raw = env.extra(t, i * 12 + 8);
      // The kernel takes the bit offset with the *node* type's kind_flag.
      let offset = env.kflag(n) ? raw & 0xffffff : raw;
      if (offset % 8 !== 0) return -EINVAL;
      offset = Math.floor(offset / 8);
      if (offset % 8 !== 0) return -EINVAL;
    }
    if (n < 0) return -ENOENT;
    return 0;
  }
}

function repeatFields(info: FieldInfo[], infoCnt: number, fieldCnt: number, repeatCnt: number, elemSize: number): number {
  for (let i = 0; i < fieldCnt; i++) {
    const t = info[i]!.type;
    if (t !== BPF_KPTR_UNREF && t !== BPF_KPTR_REF && t !== BPF_KPTR_PERCPU && t !== BPF_UPTR && t !== BPF_LIST_HEAD && t !== BPF_RB_ROOT) {
      return -EINVAL;
    }
  }
  if (fieldCnt * (repeatCnt + 1) > infoCnt) return -E2BIG;
  let cur = fieldCnt;
  for (let i = 0; i < repeatCnt; i++) {
    for (let j = 0; j < fieldCnt; j++) {
      info[cur++] = { ...info[j]!, off: (info[j]!.off + (i + 1) * elemSize) >>> 0 };
    }
  }
  return 0;
}

function startsWith(b: Uint8Array, pos: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[pos + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** `BITS_ROUNDUP_BYTES`. */
function bitsRoundupBytes(bits: number): number {
  return (bits >>> 3) + ((bits & 7) !== 0 ? 1 : 0);
}

/** `__btf_name_char_ok`: letters, `_` and `.` first; then also digits (kernel Latin-1 ctype). */
function nameCharOk(c: number, first: boolean): boolean {
  const f = CTYPE[c]!;
  if (c === 0x5f || c === 0x2e) return true;
  return first ? (f & 1) !== 0 : (f & 3) !== 0;
}
