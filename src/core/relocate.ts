/**
 * CO-RE relocation of a whole object against target BTFs, in libbpf's order and with libbpf's
 * decisions: `bpf_object__relocate_core`, `bpf_core_resolve_relo`, `bpf_core_find_cands` and
 * `bpf_core_add_cands` (libbpf.c), `bpf_core_calc_relo_insn` (relo_core.c);
 * https://github.com/libbpf/libbpf/blob/master/src/.
 *
 * Stages with plain-data seams (ARCHITECTURE.md rule 4): {@link findCandidates} →
 * {@link parseAccessSpec} → {@link calcRelocation} → {@link patchInstruction}. `results[i]`
 * belongs to the i-th CO-RE record of the object (in `.BTF.ext` order). Candidate lists are
 * cached per local type and pruned to the matching ones, as libbpf does.
 */
import type { Btf } from '../btf/btf.js';
import type { BtfKind } from '../btf/types.js';
import type { TypeId } from '../binary/units.js';
import type { ObjectSpec } from '../object/spec.js';
import { CalcError, calcRelocation, type CalcResult } from './calc.js';
import { reloKindName, reloKindTag, RELO_KIND } from './kinds.js';
import { MatchError, matchCandidate } from './match.js';
import { patchInstruction, type PatchOutcome } from './patch.js';
import { formatSpec, formatSpecBody, parseAccessSpec, type AccessSpec } from './spec.js';
import { CoreRelocationError, isBtfkitError } from '../errors.js';

/** A target BTF: vmlinux (or a custom target) first, then module BTFs split on it. */
export interface TargetBtf {
  /** `vmlinux` or the module name, as libbpf logs it. */
  readonly name: string;
  readonly btf: Btf;
}

/** Options of {@link relocateObject}. */
export interface RelocateOptions {
  /**
   * The target BTFs. The first is searched first; the others (module BTFs) only when it has
   * no candidate, as libbpf does, unless {@link searchModulesTogether}.
   */
  readonly targets: readonly TargetBtf[];
  /** Search vmlinux and all modules together (cilium/ebpf's policy). Default false. */
  readonly searchModulesTogether?: boolean;
  /** Relocate programs that `SEC("?...")` marks as not autoloaded too. Default false (libbpf skips them). */
  readonly includeNonAutoload?: boolean;
}

/** A candidate type in a target. */
export interface Candidate {
  readonly btf: Btf;
  readonly btfName: string;
  readonly id: TypeId;
}

/** One candidate as tried for one relocation. */
export interface CandidateTrial {
  readonly btfName: string;
  readonly id: TypeId;
  readonly kind: BtfKind;
  readonly name: string;
  readonly matched: boolean;
  /** libbpf's spec text for the candidate (what was matched before failing, for non-matches). */
  readonly spec: string;
  /** Why it did not match (our explanation; libbpf has none). */
  readonly reason?: string;
  /** Near misses: the field on another path, or a similar field that may be its new name. */
  readonly hints?: readonly string[];
}

/** What happened to one relocation. */
export type RelocationOutcome = 'patched' | 'poisoned' | 'error' | 'skipped' | 'not_reached';

/** The decision for one CO-RE record, with everything needed to explain it. */
export interface RelocationResult {
  readonly section: string;
  /** Index of the record within its section's `.BTF.ext` group (libbpf's `relo #N`). */
  readonly reloIndex: number;
  readonly program: string | undefined;
  /** Program-relative instruction index. */
  readonly insn: number;
  /** Byte offset in the ELF section (as in the record). */
  readonly insnOffset: number;
  readonly kind: number;
  readonly kindName: string;
  readonly localTypeId: TypeId;
  readonly accessString: string;
  /** The local spec in libbpf's text without the kind tag, when it parsed. */
  readonly localSpec: string | undefined;
  readonly candidates: readonly CandidateTrial[];
  /** Spec of the first matching candidate (the one whose values are used). */
  readonly targetSpec: string | undefined;
  readonly outcome: RelocationOutcome;
  readonly calc: CalcResult | undefined;
  readonly patch: PatchOutcome | undefined;
  /** libbpf's errno name on error, e.g. `EINVAL`. */
  readonly errno: string | undefined;
  /** A sentence saying what was decided and why. */
  readonly explanation: string;
  /** libbpf's log lines for this record, in order, without the `libbpf: ` prefix. */
  readonly log: readonly string[];
}

/** The result of relocating an object. */
export interface RelocateResult {
  /** One per CO-RE record of the object, in `.BTF.ext` order. */
  readonly results: readonly RelocationResult[];
  /** Patched instructions per program name (copies; the ObjectSpec is not modified). */
  readonly programs: ReadonlyMap<string, Uint8Array>;
  /** Set when libbpf would fail the whole object. */
  readonly error: CoreRelocationError | undefined;
  /** The whole libbpf-format log. */
  readonly log: readonly string[];
}

const ENUM_KINDS: readonly BtfKind[] = ['enum', 'enum64'];

/**
 * Candidates for a local type in the targets (libbpf's `bpf_core_find_cands`): same kind (or
 * any enum for an enum), non-empty name, same essential name; ascending ids; vmlinux first
 * and modules only when vmlinux has none (unless `together`).
 */
export function findCandidates(local: Btf, localId: number, targets: readonly TargetBtf[], together = false, log?: string[]): Candidate[] {
  const t = local.type(localId);
  const name = t.name;
  const kinds: readonly BtfKind[] = t.kind === 'enum' || t.kind === 'enum64' ? ENUM_KINDS : [t.kind];
  const out: Candidate[] = [];
  targets.forEach((target, i) => {
    if (i > 0 && out.length > 0 && !together) return;
    const ids = kinds.length === 1 ? target.btf.findByEssentialName(name, kinds[0]) : mergeSorted(kinds.map((k) => target.btf.findByEssentialName(name, k)));
    for (const id of ids) {
      log?.push(`CO-RE relocating [${localId}] ${t.kind} ${name}: found target candidate [${id}] ${target.btf.kindOf(id)} ${target.btf.nameOf(id)} in [${target.name}]`);
      out.push({ btf: target.btf, btfName: target.name, id });
    }
  });
  return out;
}

function mergeSorted(lists: TypeId[][]): TypeId[] {
  return lists.flat().sort((a, b) => a - b);
}

const errstr = (errno: string): string => `-${errno}`;

/**
 * Relocate every CO-RE record of `obj` against the targets. Never throws for bad records:
 * an error that makes libbpf fail the object is returned in `error`, with the results of the
 * records after it marked `not_reached`.
 */
export function relocateObject(obj: ObjectSpec, options: RelocateOptions): RelocateResult {
  const results: RelocationResult[] = [];
  const log: string[] = [];
  const programs = new Map<string, Uint8Array>();
  const cache = new Map<number, Candidate[]>();
  const local = obj.btf;
  let error: CoreRelocationError | undefined;
  const groups = obj.btfExt?.coreRelos ?? [];
  for (const group of groups) {
    if (error === undefined) log.push(`sec '${group.section}': found ${group.records.length} CO-RE relocations`);
    group.records.forEach((rec, reloIndex) => {
      const base = {
        section: group.section, reloIndex, insnOffset: rec.insnOffset, kind: rec.kind, kindName: reloKindName(rec.kind),
        localTypeId: rec.typeId, accessString: rec.accessString,
      };
      if (error !== undefined || local === undefined) {
        const sectionInsn = Math.floor(rec.insnOffset / 8);
        const prog = programAt(obj, group.section, sectionInsn);
        results.push({ ...base, program: prog?.name, insn: prog === undefined ? sectionInsn : sectionInsn - prog.sectionInsnOffset, localSpec: undefined, candidates: [], targetSpec: undefined, outcome: 'not_reached', calc: undefined, patch: undefined, errno: undefined, explanation: 'not reached: an earlier relocation failed the object', log: [] });
        return;
      }
      const r = relocateOne(obj, local, group.section, reloIndex, rec, options, cache, programs);
      results.push({ ...base, ...r.result });
      log.push(...r.result.log);
      if (r.fatal !== undefined) {
        error = r.fatal;
        log.push(`failed to perform CO-RE relocations: ${errstr(r.fatal.errno ?? 'EINVAL')}`);
      }
    });
  }
  return { results, programs, error, log };
}

type Partial = Omit<RelocationResult, 'section' | 'reloIndex' | 'insnOffset' | 'kind' | 'kindName' | 'localTypeId' | 'accessString'>;

function relocateOne(
  obj: ObjectSpec, local: Btf, section: string, reloIndex: number,
  rec: { insnOffset: number; typeId: TypeId; accessString: string; kind: number },
  options: RelocateOptions, cache: Map<number, Candidate[]>, programs: Map<string, Uint8Array>,
): { result: Partial; fatal?: CoreRelocationError } {
  const lines: string[] = [];
  const sectionInsn = Math.floor(rec.insnOffset / 8);
  const empty = { localSpec: undefined, candidates: [], targetSpec: undefined, calc: undefined, patch: undefined };
  let targetSpec: AccessSpec | undefined;
  const fatal = (program: string | undefined, insn: number, errno: string, message: string, extra: Partial['candidates'] = [], localSpec?: string): { result: Partial; fatal: CoreRelocationError } => ({
    result: { ...empty, program, insn, candidates: extra, localSpec, targetSpec: targetSpec === undefined ? undefined : formatSpecBody(targetSpec), outcome: 'error', errno, explanation: message, log: lines },
    fatal: new CoreRelocationError(message, { ...(program === undefined ? {} : { program }), reloIndex, insn, kind: rec.kind, localType: rec.typeId, accessSpec: rec.accessString, errno }),
  });
  if (rec.insnOffset % 8 !== 0) return fatal(undefined, sectionInsn, 'EINVAL', `instruction offset ${rec.insnOffset} is not a multiple of 8`);
  // The program (or subprogram) that holds the instruction.
  const prog = programAt(obj, section, sectionInsn);
  if (prog === undefined) {
    lines.push(`sec '${section}': skipping CO-RE relocation #${reloIndex} for insn #${sectionInsn} belonging to eliminated weak subprogram`);
    return { result: { ...empty, program: undefined, insn: sectionInsn, outcome: 'skipped', errno: undefined, explanation: 'no program contains this instruction (an eliminated weak subprogram)', log: lines } };
  }
  const insn = sectionInsn - prog.sectionInsnOffset;
  if (!prog.autoload && options.includeNonAutoload !== true) {
    return { result: { ...empty, program: prog.name, insn, outcome: 'skipped', errno: undefined, explanation: `program '${prog.name}' is not autoloaded (SEC("?..."))`, log: lines } };
  }
  const prefix = `prog '${prog.name}': relo #${reloIndex}: `;
  if (!local.hasType(rec.typeId) || rec.typeId === 0) {
    lines.push(`${prefix}failed to relocate: ${errstr('EINVAL')}`);
    return fatal(prog.name, insn, 'EINVAL', `local type id ${rec.typeId} does not exist`);
  }
  const localType = local.type(rec.typeId);
  const localName = localType.name;
  // Candidate search happens before spec parsing (so its lines come first), once per type.
  let cands: Candidate[] | undefined;
  if (rec.kind !== RELO_KIND.TYPE_ID_LOCAL) {
    cands = cache.get(rec.typeId);
    if (cands === undefined) {
      if (localName === '') {
        lines.push(`${prefix}target candidate search failed for [${rec.typeId}] ${localType.kind} ${localName}: -22`);
        lines.push(`${prefix}failed to relocate: ${errstr('EINVAL')}`);
        return fatal(prog.name, insn, 'EINVAL', `the local type [${rec.typeId}] is anonymous; CO-RE needs a named root type`);
      }
      cands = findCandidates(local, rec.typeId, options.targets, options.searchModulesTogether === true, lines);
      cache.set(rec.typeId, cands);
    }
  }
  let spec: AccessSpec;
  try {
    spec = parseAccessSpec(local, rec, { program: prog.name, reloIndex });
  } catch (e) {
    const errno = isBtfkitError(e) && e instanceof CoreRelocationError ? (e.errno ?? 'EINVAL') : 'EINVAL';
    lines.push(`${prefix}parsing [${rec.typeId}] ${localType.kind} ${localName === '' ? '<anon>' : localName} + ${rec.accessString} failed: -${errno === 'E2BIG' ? 7 : 22}`);
    lines.push(`${prefix}failed to relocate: ${errstr('EINVAL')}`);
    return fatal(prog.name, insn, 'EINVAL', (e as Error).message);
  }
  const localSpec = formatSpecBody(spec);
  lines.push(`${prefix}${formatSpec(spec)}`);
  const insns = programInsns(programs, prog.name, prog.insns);
  const ctx = { program: prog.name, sectionInsn, reloIndex };
  const le = obj.littleEndian;
  let calc: CalcResult;
  const trials: CandidateTrial[] = [];
  if (rec.kind === RELO_KIND.TYPE_ID_LOCAL) {
    calc = { origVal: BigInt(spec.rootTypeId), newVal: BigInt(spec.rootTypeId), poison: false, validate: false, origSize: 0, newSize: 0, origTypeId: 0, newTypeId: 0, failMemszAdjust: false };
  } else {
    if (localName === '') {
      lines.push(`${prefix}<${reloKindTag(rec.kind)}> (${rec.kind}) relocation doesn't support anonymous types`);
      lines.push(`${prefix}failed to relocate: ${errstr('EOPNOTSUPP')}`);
      return fatal(prog.name, insn, 'EOPNOTSUPP', 'anonymous root type', [], localSpec);
    }
    const list = cands!;
    let first: CalcResult | undefined;
    const kept: Candidate[] = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      let m;
      try {
        m = matchCandidate(spec, c.btf, c.id);
      } catch (e) {
        const errno = e instanceof MatchError ? e.errno : 'EINVAL';
        lines.push(`${prefix}error matching candidate #${i} <${reloKindTag(rec.kind)}> [${c.id}] ${c.btf.kindOf(c.id)} ${c.btf.nameOf(c.id)}: -${errno === 'E2BIG' ? 7 : 22}`);
        lines.push(`${prefix}failed to relocate: ${errstr(errno)}`);
        return fatal(prog.name, insn, errno, `error matching candidate #${i}: ${(e as Error).message}`, trials, localSpec);
      }
      const text = formatSpecBody(m.spec);
      lines.push(`${prefix}${m.matched ? 'matching' : 'non-matching'} candidate #${i} ${formatSpec(m.spec)}`);
      trials.push({ btfName: c.btfName, id: c.id, kind: c.btf.kindOf(c.id), name: c.btf.nameOf(c.id), matched: m.matched, spec: text, ...(m.matched ? {} : { reason: m.reason, ...(m.hints === undefined ? {} : { hints: m.hints }) }) });
      if (!m.matched) continue;
      // libbpf reports the first matching candidate as the target even when computing fails
      if (first === undefined) targetSpec = m.spec;
      let r: CalcResult;
      try {
        r = calcRelocation(rec.kind, spec, m.spec, ctx, le);
      } catch (e) {
        return calcFailure(e, prefix, lines, (errno, msg) => fatal(prog.name, insn, errno, msg, trials, localSpec));
      }
      if (first === undefined) {
        first = r;
      } else if (m.spec.bitOffset !== targetSpec!.bitOffset) {
        lines.push(`${prefix}field offset ambiguity: ${m.spec.bitOffset} != ${targetSpec!.bitOffset}`);
        lines.push(`${prefix}failed to relocate: ${errstr('EINVAL')}`);
        return fatal(prog.name, insn, 'EINVAL', `ambiguous: candidates [${targetSpec!.rootTypeId}] and [${c.id}] put the field at bit offsets ${targetSpec!.bitOffset} and ${m.spec.bitOffset}`, trials, localSpec);
      } else if (r.poison !== first.poison || r.newVal !== first.newVal) {
        lines.push(`${prefix}relocation decision ambiguity: ${r.poison ? 'failure' : 'success'} ${r.newVal} != ${first.poison ? 'failure' : 'success'} ${first.newVal}`);
        lines.push(`${prefix}failed to relocate: ${errstr('EINVAL')}`);
        return fatal(prog.name, insn, 'EINVAL', `ambiguous: candidates [${targetSpec!.rootTypeId}] and [${c.id}] give ${first.newVal} and ${r.newVal}`, trials, localSpec);
      }
      kept.push(c);
    }
    if (kept.length > 0) {
      // libbpf keeps only the matching candidates for later relocations of the same type
      list.splice(0, list.length, ...kept);
      calc = first!;
    } else {
      lines.push(`${prefix}no matching targets found`);
      try {
        calc = calcRelocation(rec.kind, spec, undefined, ctx, le);
      } catch (e) {
        return calcFailure(e, prefix, lines, (errno, msg) => fatal(prog.name, insn, errno, msg, trials, localSpec));
      }
    }
  }
  if (insn * 8 + 8 > insns.length) {
    lines.push(`${prefix}failed to patch insn #${insn}: ${errstr('EINVAL')}`);
    return fatal(prog.name, insn, 'EINVAL', `instruction #${insn} is outside program '${prog.name}'`, trials, localSpec);
  }
  const patch = patchInstruction(insns, insn, calc, le, prefix);
  lines.push(...patch.log);
  const targetText = targetSpec === undefined ? undefined : formatSpecBody(targetSpec);
  if (!patch.ok) {
    lines.push(`${prefix}failed to patch insn #${insn}: ${errstr(patch.errno ?? 'EINVAL')}`);
    const r = fatal(prog.name, insn, patch.errno ?? 'EINVAL', patch.log[patch.log.length - 1] ?? `cannot patch instruction #${insn}`, trials, localSpec);
    return { result: { ...r.result, calc, patch, targetSpec: targetText }, fatal: r.fatal };
  }
  return {
    result: {
      program: prog.name, insn, localSpec, candidates: trials, targetSpec: targetText,
      outcome: patch.poisoned ? 'poisoned' : 'patched', calc, patch, errno: undefined,
      explanation: explain(rec.kind, localSpec, targetText, calc, patch, trials), log: lines,
    },
  };
}

function calcFailure<T>(e: unknown, prefix: string, lines: string[], fatal: (errno: string, msg: string) => T): T {
  if (e instanceof CalcError) {
    if (e.logLine !== undefined) lines.push(e.logLine);
    lines.push(`${prefix}failed to relocate: ${errstr(e.errno)}`);
    return fatal(e.errno, e.message);
  }
  lines.push(`${prefix}failed to relocate: ${errstr('EINVAL')}`);
  return fatal('EINVAL', (e as Error).message);
}

/** The (sub)program holding instruction `sectionInsn` of ELF section `section` (libbpf's find_prog_by_sec_insn). */
function programAt(obj: ObjectSpec, section: string, sectionInsn: number): ObjectSpec['programs'][number] | undefined {
  return obj.programs.find((p) => sectionOf(p) === section && sectionInsn >= p.sectionInsnOffset && sectionInsn < p.sectionInsnOffset + p.insnCount);
}

/** The ELF section name a program came from (with its `?`, as `.BTF.ext` groups name it). */
function sectionOf(p: { section: string; autoload: boolean; isSubprogram: boolean }): string {
  return p.isSubprogram ? '.text' : p.autoload ? p.section : `?${p.section}`;
}

function programInsns(programs: Map<string, Uint8Array>, name: string, original: Uint8Array): Uint8Array {
  let insns = programs.get(name);
  if (insns === undefined) {
    insns = original.slice();
    programs.set(name, insns);
  }
  return insns;
}

function explain(kind: number, local: string, target: string | undefined, calc: CalcResult, patch: PatchOutcome, trials: readonly CandidateTrial[]): string {
  const hints = trials.flatMap((t) => t.hints ?? []);
  const text = explainDecision(kind, local, target, calc, patch, trials);
  return hints.length === 0 ? text : `${text}. Hint: ${hints.join('; ')}`;
}

function explainDecision(kind: number, local: string, target: string | undefined, calc: CalcResult, patch: PatchOutcome, trials: readonly CandidateTrial[]): string {
  const what = reloKindName(kind);
  if (patch.poisoned) {
    if (calc.failMemszAdjust) return `${what} ${local}: the field's size changed (${calc.origSize} -> ${calc.newSize} bytes) and it is not an unsigned integer or pointer, so the load was poisoned instead of reading the wrong bytes`;
    const tried = trials.length === 0 ? 'no candidate type with this name in the target' : `no candidate matched (${trials.map((t) => t.reason ?? `[${t.id}] ${t.kind} ${t.name}: no match`).join('; ')})`;
    return `${what} ${local}: ${tried}; the instruction was poisoned and fails verification only if reached`;
  }
  if (target === undefined && kind !== RELO_KIND.TYPE_ID_LOCAL) {
    const tried = trials.length === 0 ? 'no candidate type with this name' : `no matching candidate (${trials.map((t) => t.reason ?? `[${t.id}] no match`).join('; ')})`;
    return `${what} ${local}: ${tried}, so the value is ${calc.newVal}`;
  }
  const change = calc.origVal === calc.newVal ? `unchanged (${calc.newVal})` : `${calc.origVal} -> ${calc.newVal}`;
  const mem = patch.memSize === undefined ? '' : `; load/store size ${patch.memSize.from} -> ${patch.memSize.to} bytes`;
  return `${what} ${local}${target === undefined ? '' : ` => ${target}`}: ${change}${mem}`;
}
