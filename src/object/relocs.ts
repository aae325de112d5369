/**
 * Every CO-RE relocation record of an object, located and described: its `.BTF.ext` section
 * group and index there (libbpf's `relo #N`), the (sub)program and program-relative
 * instruction it belongs to, its kind, local root type and access string, and the local spec
 * in libbpf's text (`bpf_core_format_spec`). Nothing is relocated here; this is the
 * object-side half of CO-RE, as libbpf logs it before it looks at any kernel.
 *
 * Records are listed in `.BTF.ext` order. A record whose spec cannot be parsed, or whose
 * instruction lies in no program, is still listed, with the problem in `error`: one bad
 * record does not hide the others. Locating follows libbpf's `bpf_object__relocate_core` and
 * `find_prog_by_sec_insn` (https://github.com/libbpf/libbpf/blob/master/src/libbpf.c): the
 * group's name is the ELF section name (with a leading `?` for non-autoload programs), the
 * record's `insn_off` is a byte offset from the start of that section and must be a multiple
 * of 8, and the program is the function symbol whose instruction range contains it.
 */
import { isBtfkitError } from '../errors.js';
import { formatSpec, parseAccessSpec, type AccessSpec } from '../core/spec.js';
import { reloKindName, reloKindTag } from '../core/kinds.js';
import type { ObjectSpec, ProgramSpec } from './spec.js';

/** Size of one BPF instruction slot in bytes. */
const INSN_SIZE = 8;

/** One CO-RE relocation record of an object. */
export interface CoreReloListing {
  /** Name of the record's `.BTF.ext` group: the ELF section, `?` prefix included. */
  readonly section: string;
  /** 0-based index of the record within its group (libbpf's `relo #N`). */
  readonly reloIndex: number;
  /** The (sub)program whose instructions contain the record's; undefined when none does. */
  readonly program: string | undefined;
  /** Instruction index relative to the start of {@link program} (8-byte slots). */
  readonly insn: number | undefined;
  /** Byte offset of the instruction from the start of the ELF section, as in the record. */
  readonly insnOffset: number;
  /** `enum bpf_core_relo_kind` (ABI number, kept raw). */
  readonly kind: number;
  /** `FIELD_BYTE_OFFSET`, ... or `UNKNOWN(n)`. */
  readonly kindName: string;
  /** libbpf's log tag: `byte_off`, ... or `unknown`. */
  readonly kindTag: string;
  /** Local root type id (not modifier-stripped). */
  readonly typeId: number;
  /** Name of the local root type ('' for anonymous types); undefined if the id does not exist. */
  readonly typeName: string | undefined;
  /** The raw access string. */
  readonly accessString: string;
  /** The parsed local spec; undefined when it cannot be parsed. */
  readonly spec: AccessSpec | undefined;
  /** libbpf's spec text without the `<kind>` tag, e.g. `[5] struct task_struct.tgid (0:93 @ offset 1268)`. */
  readonly specText: string | undefined;
  /** Why libbpf would reject the record (bad spec, misaligned or unowned instruction). */
  readonly error: string | undefined;
}

/** Raw ELF section name of a program (its `section` has the `?` stripped). */
const rawSection = (p: ProgramSpec): string => (p.autoload ? p.section : `?${p.section}`);

function nameOrUndefined(obj: ObjectSpec, id: number): string | undefined {
  try {
    return obj.btf?.hasType(id) === true ? obj.btf.nameOf(id) : undefined;
  } catch (e) {
    if (isBtfkitError(e)) return undefined;
    throw e;
  }
}

/**
 * List every CO-RE record of `obj` in `.BTF.ext` order. Never throws for a bad record; errors
 * other than btfkit's own (bugs) propagate.
 */
export function listCoreRelos(obj: ObjectSpec): CoreReloListing[] {
  const ext = obj.btfExt;
  const btf = obj.btf;
  if (ext === undefined || btf === undefined) return [];
  const bySection = new Map<string, ProgramSpec[]>();
  for (const p of obj.programs) {
    const key = rawSection(p);
    const list = bySection.get(key);
    if (list === undefined) bySection.set(key, [p]);
    else list.push(p);
  }
  const out: CoreReloListing[] = [];
  for (const group of ext.coreRelos) {
    const progs = bySection.get(group.section) ?? [];
    group.records.forEach((r, reloIndex) => {
      const problems: string[] = [];
      let program: ProgramSpec | undefined;
      if (r.insnOffset % INSN_SIZE !== 0) {
        problems.push(`insn_off ${r.insnOffset} is not a multiple of ${INSN_SIZE}`);
      } else {
        program = progs.find((p) => r.insnOffset >= p.sectionInsnOffset * INSN_SIZE && r.insnOffset < (p.sectionInsnOffset + p.insnCount) * INSN_SIZE);
        if (program === undefined) problems.push(`no program of section '${group.section}' contains insn #${r.insnOffset / INSN_SIZE}`);
      }
      const typeName = nameOrUndefined(obj, r.typeId);
      let spec: AccessSpec | undefined;
      let specText: string | undefined;
      try {
        spec = parseAccessSpec(btf, r);
        // libbpf's whole text (its 256-byte buffer holds the tag too) less the `<kind> ` tag
        const full = formatSpec(spec);
        const tag = `<${reloKindTag(r.kind)}> `;
        specText = full.startsWith(tag) ? full.slice(tag.length) : full;
      } catch (e) {
        if (!isBtfkitError(e)) throw e;
        spec = undefined;
        const errno = (e as { errno?: unknown }).errno;
        problems.unshift(typeof errno === 'string' ? `${e.message} (-${errno})` : e.message);
      }
      out.push({
        section: group.section, reloIndex,
        program: program?.name, insn: program === undefined ? undefined : r.insnOffset / INSN_SIZE - program.sectionInsnOffset,
        insnOffset: r.insnOffset, kind: r.kind, kindName: reloKindName(r.kind), kindTag: reloKindTag(r.kind),
        typeId: r.typeId, typeName, accessString: r.accessString, spec, specText,
        error: problems.length === 0 ? undefined : problems.join('; '),
      });
    });
  }
  return out;
}

/** The JSON form of a record (one object per line in `btfkit relocs --json`). Absent values are null. */
export interface CoreReloJson {
  readonly sec: string;
  readonly relo: number;
  readonly prog: string | null;
  readonly insn: number | null;
  readonly insn_off: number;
  readonly kind: number;
  readonly kind_name: string;
  readonly type_id: number;
  readonly type_name: string | null;
  readonly access: string;
  readonly spec: string | null;
  readonly error: string | null;
}

/** A record as {@link CoreReloJson}; field names follow the libbpf oracle's where they mean the same. */
export function coreReloToJson(r: CoreReloListing): CoreReloJson {
  return {
    sec: r.section, relo: r.reloIndex, prog: r.program ?? null, insn: r.insn ?? null, insn_off: r.insnOffset,
    kind: r.kind, kind_name: r.kindName, type_id: r.typeId, type_name: r.typeName ?? null, access: r.accessString,
    spec: r.specText ?? null, error: r.error ?? null,
  };
}

/** Lines of `btfkit relocs --json`: one JSON object per record, each ending in a newline. */
export function formatCoreRelosJson(relos: readonly CoreReloListing[]): string {
  return relos.map((r) => JSON.stringify(coreReloToJson(r)) + '\n').join('');
}

/**
 * The table of `btfkit relocs`: one row per record with its kind (number and libbpf tag) and
 * the local spec as libbpf logs it (`[5] struct task_struct.tgid (0:93 @ offset 1268)`), or the error.
 */
export function formatCoreRelosTable(relos: readonly CoreReloListing[]): string {
  if (relos.length === 0) return 'no CO-RE relocations\n';
  const rows = relos.map((r) => [
    r.section, `#${r.reloIndex}`, r.program ?? '-', r.insn === undefined ? '-' : `#${r.insn}`, String(r.insnOffset),
    `${r.kind} ${r.kindTag}`,
    r.specText === undefined ? `[${r.typeId}] ${r.typeName ?? '?'} "${r.accessString}"  error: ${r.error ?? ''}`
      : `${r.specText}${r.error === undefined ? '' : `  error: ${r.error}`}`,
  ]);
  return formatTable(['SECTION', 'RELO', 'PROG', 'INSN', 'OFF', 'KIND', 'SPEC'], rows, [1, 3, 4]);
}

/**
 * Columns padded to their widest cell, separated by two spaces; the last column is not padded.
 * Columns listed in `right` are right-aligned.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((cell, c) => (c === r.length - 1 ? cell : right.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return all.map(line).join('\n') + '\n';
}
