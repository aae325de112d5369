/**
 * `btfkit lint`: where a BPF object would silently read the wrong bytes on some kernel, or
 * reach code that libbpf poisoned there. For each kernel, the object is relocated as libbpf
 * would ({@link relocateObject}); then every autoloaded program is followed on that kernel's
 * patched instructions by the abstract interpreter of `interp.ts` (so relocated
 * `bpf_core_field_exists()` guards are constants and only the live branch is walked), and each
 * reachable instruction is checked:
 *
 * - a probe read (`bpf_probe_read_kernel(dst, N, base + relocated offset)`, what BPF_CORE_READ
 *   compiles to) whose N is the local field size when the kernel's differs, with no
 *   FIELD_BYTE_SIZE record for that access ({@link LintCodes.SIZE_CHANGED}); the same for a
 *   load through a relocated address, whose width libbpf does not adjust (the record is on
 *   another instruction);
 * - a relocated read of an integer whose signedness differs on the kernel, with no
 *   FIELD_SIGNED record for that access ({@link LintCodes.SIGNEDNESS_CHANGED});
 * - a load, or probe read, from a pointer known to point at a kernel struct at a constant
 *   offset no CO-RE record produced ({@link LintCodes.HARDCODED_OFFSET});
 * - a reachable poisoned instruction ({@link LintCodes.POISON_REACHABLE}; a load libbpf
 *   poisoned because it cannot adjust its width: {@link LintCodes.SIZE_UNADJUSTABLE});
 * - a relocated store into the stack or program memory ({@link LintCodes.RELOCATED_STORE}).
 *
 * A relocation libbpf fails on outright is {@link LintCodes.RELO_FAILED}; nothing else is
 * checked on that kernel (the object does not load there).
 *
 * Pure: kernels and objects are given, nothing is read here.
 */
import type { Btf } from '../btf/btf.js';
import { essentialName } from '../btf/btf.js';
import type { BtfType } from '../btf/types.js';
import type { ObjectSpec, ProgramSpec } from '../object/spec.js';
import { relocateObject, type RelocationResult, type TargetBtf } from '../core/relocate.js';
import { parseAccessSpec } from '../core/spec.js';
import { RELO_KIND } from '../core/kinds.js';
import { POISON_IMM } from '../core/patch.js';
import { decodeInsnAt } from '../asm/decode.js';
import { insnIndex } from '../asm/units.js';
import type { Insn } from '../asm/insn.js';
import { analyzeProgram, kernelPtr, PROBE_READS, HELPER, TOP, type FnCode, type InterpEnv, type KType, type State, type Val } from './interp.js';

/** Stable warning and error codes of `btfkit lint`. */
export const LintCodes = {
  /** A read whose width is the program's idea of the field's size, where the kernel's differs. */
  SIZE_CHANGED: 'LINT_SIZE_CHANGED',
  /** A read of an integer whose signedness differs on the kernel, with no FIELD_SIGNED record to tell the program. */
  SIGNEDNESS_CHANGED: 'LINT_SIGNEDNESS_CHANGED',
  /** A read of a kernel struct at a constant offset that no CO-RE record produced. */
  HARDCODED_OFFSET: 'LINT_HARDCODED_OFFSET',
  /** A CO-RE relocated store into the stack or program memory (map value, ring buffer record, global). */
  RELOCATED_STORE: 'LINT_RELOCATED_STORE',
  /** A poisoned instruction (an access that does not resolve on the kernel) is reachable: the verifier rejects the program. */
  POISON_REACHABLE: 'LINT_POISON_REACHABLE',
  /** A load libbpf poisoned because the field changed size and is not an unsigned integer or pointer, reachable. */
  SIZE_UNADJUSTABLE: 'LINT_SIZE_UNADJUSTABLE',
  /** libbpf fails the CO-RE relocation, so the whole object fails to load on the kernel. */
  RELO_FAILED: 'LINT_RELO_FAILED',
  /** The analysis of a program ran out of its step budget; its findings may be incomplete. */
  ANALYSIS_LIMIT: 'LINT_ANALYSIS_LIMIT',
} as const;

/** A lint code. */
export type LintCode = (typeof LintCodes)[keyof typeof LintCodes];

/** Severity of a finding: errors stop the object from loading (or running) on the kernel. */
export type LintSeverity = 'warning' | 'error';

/** The severity of each code. */
export const LINT_SEVERITY: Readonly<Record<LintCode, LintSeverity>> = {
  LINT_SIZE_CHANGED: 'warning',
  LINT_SIGNEDNESS_CHANGED: 'warning',
  LINT_HARDCODED_OFFSET: 'warning',
  LINT_RELOCATED_STORE: 'warning',
  LINT_POISON_REACHABLE: 'error',
  LINT_SIZE_UNADJUSTABLE: 'error',
  LINT_RELO_FAILED: 'error',
  LINT_ANALYSIS_LIMIT: 'warning',
};

/** A kernel to lint against: vmlinux first, then its module BTFs (like `btfkit check`). */
export interface LintKernel {
  readonly name: string;
  readonly targets: readonly TargetBtf[];
}

/** The CO-RE record a finding is about (libbpf's `sec 'S': relo #N`, at instruction `insn` of `function`). */
export interface LintRelocation {
  readonly section: string;
  readonly index: number;
  readonly function: string;
  readonly insn: number;
}

/** One finding on one kernel. */
export interface LintFinding {
  readonly code: LintCode;
  readonly severity: LintSeverity;
  readonly kernel: string;
  /** The autoloaded program (entry point) in which the instruction is reached. */
  readonly program: string;
  /** The function holding the instruction: the program itself or a `.text` subprogram. */
  readonly function: string;
  /** ELF section of that function (without `?`). */
  readonly section: string;
  /** Instruction (8-byte slot) index within the function, as libbpf's log counts (`insn #N`). */
  readonly insn: number;
  /** The same instruction's index within its ELF section, as `btfkit disasm` and `llvm-objdump -d` count. */
  readonly sectionInsn: number;
  /** The field, as libbpf's spec text (`[7] struct task_struct.pid (0:59 @ offset 8)`), or `struct X + OFF` for hard-coded offsets. */
  readonly field: string | undefined;
  /** What differs on this kernel, e.g. `size 8 -> 4`. */
  readonly change: string;
  /** The whole story in one or two sentences. */
  readonly message: string;
  /** The CO-RE record involved, when there is one. */
  readonly relocation: LintRelocation | undefined;
}

/** Options of {@link lintObject} and {@link createLinter}. */
export interface LintOptions {
  /** Instructions the interpreter may process per program before giving up (default 200,000). */
  readonly maxSteps?: number;
}

/** What lints one object, kernel by kernel (so a caller can hold one kernel in memory at a time). */
export interface Linter {
  /** Findings on one kernel (hard-coded offsets without the cross-kernel note; see {@link mergeKernelFindings}). */
  kernel(kernel: LintKernel): LintFinding[];
}

/** Lint `obj` against every kernel. */
export function lintObject(obj: ObjectSpec, kernels: readonly LintKernel[], options: LintOptions = {}): LintFinding[] {
  const linter = createLinter(obj, options);
  return mergeKernelFindings(kernels.map((k) => linter.kernel(k)));
}

/**
 * Join the findings of the kernels (in kernel order), noting for each hard-coded offset which
 * field sits there on every kernel when they do not agree.
 */
export function mergeKernelFindings(perKernel: readonly (readonly LintFinding[])[]): LintFinding[] {
  const all = perKernel.flat();
  const groups = new Map<string, LintFinding[]>();
  for (const f of all) {
    if (f.code !== LintCodes.HARDCODED_OFFSET) continue;
    const key = `${f.program}\u0000${f.function}\u0000${f.insn}\u0000${f.field ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return all.map((f) => {
    if (f.code !== LintCodes.HARDCODED_OFFSET) return f;
    const g = groups.get(`${f.program}\u0000${f.function}\u0000${f.insn}\u0000${f.field ?? ''}`)!;
    if (new Set(g.map((x) => x.change)).size <= 1) return f;
    return { ...f, message: `${f.message}, and the kernels do not agree on which field is there` };
  });
}

/** Facts about the field of a CO-RE record in one BTF. */
interface FieldInfo {
  readonly typeId: number;
  readonly size: number | undefined;
  /** For integers; undefined for other kinds (enums included). */
  readonly signed: boolean | undefined;
  /** C-ish type name for messages. */
  readonly typeName: string;
  readonly bitfield: boolean;
  /** For pointers to a named struct or union: that type. */
  readonly pointee: KType | undefined;
  /** Plain `char` (its signedness is a compiler setting, not a kernel change). */
  readonly plainChar: boolean;
}

function describeType(btf: Btf, id: number): Omit<FieldInfo, 'typeId' | 'bitfield'> {
  const stripped = btf.skipModsAndTypedefs(id);
  const t = btf.type(stripped);
  let size: number | undefined;
  try {
    size = btf.resolveSize(stripped);
  } catch {
    size = undefined;
  }
  // enums are left out: their signedness bit depends on the pahole that made the kernel BTF
  const signed = t.kind === 'int' ? t.signed : undefined;
  let pointee: KType | undefined;
  if (t.kind === 'ptr') {
    const p = btf.type(btf.skipModsAndTypedefs(t.type));
    if ((p.kind === 'struct' || p.kind === 'union') && p.name !== '') pointee = { kind: p.kind, name: essentialName(p.name) };
  }
  return { size, signed, typeName: typeName(btf, id), pointee, plainChar: t.kind === 'int' && t.name === 'char' };
}

/** A short C spelling of a type: `int`, `pid_t`, `struct task_struct *`, `char[16]`. */
function typeName(btf: Btf, id: number, depth = 0): string {
  if (depth > 8) return '...';
  const t: BtfType = btf.type(id);
  switch (t.kind) {
    case 'void': return 'void';
    case 'int': case 'typedef': case 'float': return t.name;
    case 'struct': case 'union': case 'enum': case 'enum64': return `${t.kind === 'enum64' ? 'enum' : t.kind} ${t.name === '' ? '(anon)' : t.name}`;
    case 'ptr': return `${typeName(btf, t.type, depth + 1)} *`;
    case 'array': return `${typeName(btf, t.type, depth + 1)}[${t.nelems}]`;
    case 'const': case 'volatile': case 'restrict': case 'type_tag': return typeName(btf, t.type, depth + 1);
    default: return t.kind;
  }
}

/** The field a FIELD_* record designates in the local BTF. */
function localField(obj: ObjectSpec, r: RelocationResult): FieldInfo | undefined {
  const btf = obj.btf;
  if (btf === undefined || r.kind > RELO_KIND.FIELD_RSHIFT_U64) return undefined;
  try {
    const spec = parseAccessSpec(btf, { typeId: r.localTypeId, accessString: r.accessString, kind: r.kind });
    const acc = spec.accessors[spec.accessors.length - 1]!;
    let id: number = acc.typeId;
    let bitfield = false;
    if (acc.name !== undefined) {
      const c = btf.type(acc.typeId);
      if (c.kind !== 'struct' && c.kind !== 'union') return undefined;
      const m = c.members[acc.idx]!;
      id = m.type;
      bitfield = m.bitfieldSize > 0;
    }
    return { typeId: btf.skipModsAndTypedefs(id), bitfield, ...describeType(btf, id) };
  } catch {
    return undefined;
  }
}

/** The field a patched FIELD_BYTE_OFFSET record resolved to on the kernel. */
function targetField(r: RelocationResult, kernel: LintKernel): (FieldInfo & { btf: Btf }) | undefined {
  const c = r.candidates.find((x) => x.matched);
  const calc = r.calc;
  if (c === undefined || calc === undefined || calc.newTypeId === 0) return undefined;
  const btf = kernel.targets.find((t) => t.name === c.btfName)?.btf;
  if (btf === undefined) return undefined;
  try {
    return { btf, typeId: calc.newTypeId, bitfield: false, ...describeType(btf, calc.newTypeId) };
  } catch {
    return undefined;
  }
}

/** A kernel struct or union by kind and name: vmlinux first, then the modules. */
function findKernelType(targets: readonly TargetBtf[], t: KType): { btf: Btf; id: number } | undefined {
  for (const target of targets) {
    const ids = target.btf.findByEssentialName(t.name, t.kind);
    const exact = ids.find((id) => target.btf.nameOf(id) === t.name) ?? ids[0];
    if (exact !== undefined) return { btf: target.btf, id: exact };
  }
  return undefined;
}

/** What is at byte `off` of a composite: `pid`, `restart_block.futex.uaddr`, `comm[3]`, `se+8`. */
function memberAt(btf: Btf, id: number, off: number, depth = 0): { path: string; rest: number; type: number } | undefined {
  if (depth > 16) return undefined;
  const tid = btf.skipModsAndTypedefs(id);
  const t = btf.type(tid);
  if (t.kind === 'struct' || t.kind === 'union') {
    for (const m of t.members) {
      const start = Math.floor(m.bitOffset / 8);
      let size: number;
      if (m.bitfieldSize > 0) size = Math.floor((m.bitOffset + m.bitfieldSize - 1) / 8) - start + 1;
      else {
        try {
          size = btf.resolveSize(m.type);
        } catch {
          size = 0;
        }
      }
      if (off < start || off >= start + size) continue;
      const sub = m.bitfieldSize > 0 ? undefined : memberAt(btf, m.type, off - start, depth + 1);
      if (m.name === '') {
        if (sub !== undefined) return sub;
        continue;
      }
      if (sub === undefined) return { path: m.name, rest: off - start, type: m.type };
      return { path: sub.path.startsWith('[') ? `${m.name}${sub.path}` : `${m.name}.${sub.path}`, rest: sub.rest, type: sub.type };
    }
    return undefined;
  }
  if (t.kind === 'array') {
    let es: number;
    try {
      es = btf.resolveSize(t.type);
    } catch {
      return undefined;
    }
    if (es === 0 || (t.nelems !== 0 && off >= es * t.nelems)) return undefined;
    const idx = Math.floor(off / es);
    const sub = memberAt(btf, t.type, off - idx * es, depth + 1);
    if (sub === undefined) return { path: `[${idx}]`, rest: off - idx * es, type: t.type };
    return { path: sub.path.startsWith('[') ? `[${idx}]${sub.path}` : `[${idx}].${sub.path}`, rest: sub.rest, type: sub.type };
  }
  return undefined;
}

/** The field at a hard-coded offset of a kernel struct, on one kernel, for messages. */
function fieldThere(targets: readonly TargetBtf[], t: KType, off: number): string {
  const found = findKernelType(targets, t);
  if (found === undefined) return `no ${t.kind} ${t.name}`;
  const { btf, id } = found;
  const size = btf.resolveSize(id);
  if (off >= size) return `past the end (${t.kind} ${t.name} is ${size} bytes)`;
  const m = memberAt(btf, id, off);
  if (m === undefined) return 'padding';
  let msize = '';
  try {
    msize = `, ${btf.resolveSize(m.type)} bytes`;
  } catch {
    msize = '';
  }
  return `${m.path}${m.rest === 0 ? '' : `+${m.rest}`} (${typeName(btf, m.type)}${msize})`;
}

/** The typed arguments of a tracing program's context, from the kernel's BTF of its attach target. */
function ctxArgsOf(p: ProgramSpec, targets: readonly TargetBtf[]): Val[] | undefined {
  const at = p.attachTarget;
  if (at === undefined) return undefined;
  const name = at.includes(':') ? at.slice(at.lastIndexOf(':') + 1) : at;
  let protoName: { name: string; kind: 'typedef' | 'func' } | undefined;
  let skip = 0;
  let withReturn = false;
  switch (p.expectedAttachType) {
    case 'trace_raw_tp': protoName = { name: `btf_trace_${name}`, kind: 'typedef' }; skip = 1; break;
    case 'trace_fentry': protoName = { name, kind: 'func' }; break;
    case 'trace_fexit': case 'modify_return': protoName = { name, kind: 'func' }; withReturn = true; break;
    case 'lsm_mac': case 'lsm_cgroup': protoName = { name: `bpf_lsm_${name}`, kind: 'func' }; withReturn = true; break;
    default: return undefined;
  }
  for (const target of targets) {
    const btf = target.btf;
    const id = btf.findByNameKind(protoName.name, protoName.kind);
    if (id === undefined) continue;
    try {
      let cur = btf.type(id);
      if (cur.kind === 'func') cur = btf.type(cur.type);
      if (cur.kind === 'typedef') {
        const ptr = btf.type(btf.skipModsAndTypedefs(cur.type));
        if (ptr.kind !== 'ptr') return undefined;
        cur = btf.type(btf.skipModsAndTypedefs(ptr.type));
      }
      if (cur.kind !== 'func_proto') return undefined;
      const types = cur.params.slice(skip).map((x) => x.type);
      if (withReturn) types.push(cur.returnType);
      return types.map((tid) => {
        if (tid === 0) return TOP;
        const d = describeType(btf, tid);
        return d.pointee !== undefined ? kernelPtr(d.pointee) : d.signed !== undefined ? { t: 'num', v: undefined, rec: undefined } : TOP;
      });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `struct task_struct` for a local root type (its essential name: what CO-RE looks for in the kernel). */
function rootName(btf: Btf, id: number): string {
  try {
    const t = btf.type(btf.skipModsAndTypedefs(id));
    return t.kind === 'struct' || t.kind === 'union' ? `${t.kind} ${essentialName(t.name)}` : 'type';
  } catch {
    return 'type';
  }
}

const kindLabel = (r: RelocationResult): string => r.localSpec ?? `[${r.localTypeId}] ${r.accessString}`;
const signText = (s: boolean | undefined): string => (s === true ? 'signed' : 'unsigned');

/** Lint one object kernel by kernel. */
export function createLinter(obj: ObjectSpec, options: LintOptions = {}): Linter {
  const programs = new Map(obj.programs.map((p) => [p.name, p]));
  const code = new Map<string, FnCode>();
  const locals = new Map<number, FieldInfo | undefined>();

  // Which functions a program can reach through direct calls, for "the program has a
  // FIELD_BYTE_SIZE / FIELD_SIGNED record for this access".
  const closure = (name: string): Set<string> => {
    const out = new Set<string>();
    const todo = [name];
    while (todo.length > 0) {
      const n = todo.pop()!;
      if (out.has(n)) continue;
      out.add(n);
      const p = programs.get(n);
      if (p === undefined) continue;
      todo.push(...p.calls);
      for (const r of p.relocations) if (r.kind === 'subprog') todo.push(r.symbol);
    }
    return out;
  };

  const relocAt = (p: ProgramSpec, slot: number): ProgramSpec['relocations'][number] | undefined => p.relocations.find((r) => r.insn === slot);

  return {
    kernel(kernel: LintKernel): LintFinding[] {
      const res = relocateObject(obj, { targets: kernel.targets });
      const findings: LintFinding[] = [];
      const seen = new Set<string>();
      const add = (f: Omit<LintFinding, 'severity' | 'kernel'>): void => {
        const key = `${f.code}\u0000${f.program}\u0000${f.function}\u0000${f.insn}\u0000${f.field ?? ''}\u0000${f.change}`;
        if (seen.has(key)) return;
        seen.add(key);
        findings.push({ code: f.code, severity: LINT_SEVERITY[f.code], kernel: kernel.name, program: f.program, function: f.function, section: f.section, insn: f.insn, sectionInsn: f.sectionInsn, field: f.field, change: f.change, message: f.message, relocation: f.relocation });
      };
      const relocationOf = (i: number): LintRelocation => {
        const r = res.results[i]!;
        return { section: r.section, index: r.reloIndex, function: r.program ?? '?', insn: r.insn };
      };

      if (res.error !== undefined) {
        res.results.forEach((r, i) => {
          if (r.outcome !== 'error') return;
          const p = r.program === undefined ? undefined : programs.get(r.program);
          add({
            code: LintCodes.RELO_FAILED, program: r.program ?? '?', function: r.program ?? '?', section: p?.section ?? r.section, insn: r.insn, sectionInsn: Math.floor(r.insnOffset / 8),
            field: kindLabel(r), change: `${r.kindName} fails (-${r.errno ?? 'EINVAL'}): ${r.explanation}`,
            message: 'libbpf refuses the relocation and, with it, the whole object: it does not load on this kernel', relocation: relocationOf(i),
          });
        });
        return findings;
      }

      // Records by function and instruction.
      const byInsn = new Map<string, number[]>();
      res.results.forEach((r, i) => {
        if (r.program === undefined) return;
        const k = `${r.program}\u0000${r.insn}`;
        byInsn.set(k, [...(byInsn.get(k) ?? []), i]);
      });
      const recordsAt = (fn: string, slot: number): readonly number[] => byInsn.get(`${fn}\u0000${slot}`) ?? [];
      const patchedAt = (fn: string, slot: number): number | undefined => recordsAt(fn, slot).find((i) => res.results[i]!.outcome === 'patched');
      const local = (i: number): FieldInfo | undefined => {
        if (!locals.has(i)) locals.set(i, localField(obj, res.results[i]!));
        return locals.get(i);
      };

      // The patched code of every function on this kernel.
      code.clear();
      for (const p of obj.programs) code.set(p.name, { name: p.name, section: p.isSubprogram ? '.text' : p.section, insns: decodeSlots(res.programs.get(p.name) ?? p.insns, obj.littleEndian) });

      for (const p of obj.programs) {
        if (p.isSubprogram || !p.autoload) continue;
        const ctxArgs = ctxArgsOf(p, kernel.targets);
        const fns = closure(p.name);
        const covered = new Set<string>();
        for (const r of res.results) {
          if (r.program !== undefined && fns.has(r.program)) covered.add(`${r.kind}\u0000${r.localTypeId}\u0000${r.accessString}`);
        }
        const has = (kind: number, r: RelocationResult): boolean => covered.has(`${kind}\u0000${r.localTypeId}\u0000${r.accessString}`);

        const env: InterpEnv = {
          fn: (name) => code.get(name),
          calleeAt: (fn, slot) => {
            const spec = programs.get(fn.name);
            if (spec === undefined) return undefined;
            const rel = relocAt(spec, slot);
            if (rel !== undefined) return rel.kind === 'subprog' ? rel.symbol : undefined;
            const insn = fn.insns[slot];
            if (insn?.kind !== 'call') return undefined;
            const target = spec.sectionInsnOffset + slot + 1 + insn.imm;
            const sec = spec.isSubprogram ? '.text' : spec.section;
            return obj.programs.find((q) => (q.isSubprogram ? '.text' : q.section) === sec && q.autoload === spec.autoload && q.sectionInsnOffset === target)?.name;
          },
          recordAt: (fn, slot) => patchedAt(fn.name, slot),
          recordPointee: (i) => local(i)?.pointee,
          isOffsetRecord: (i) => res.results[i]!.kind === RELO_KIND.FIELD_BYTE_OFFSET,
          ctxArg: (i) => ctxArgs?.[i],
          ldImm64At: (fn, slot) => {
            const spec = programs.get(fn.name);
            const rel = spec === undefined ? undefined : relocAt(spec, slot);
            if (rel === undefined || rel.kind === 'subprog') return undefined;
            return rel.kind === 'global-data' ? 'global' : 'map';
          },
          kfuncReturn: (fn, slot) => {
            const spec = programs.get(fn.name);
            const rel = spec === undefined ? undefined : relocAt(spec, slot);
            const btf = obj.btf;
            if (rel?.kind !== 'extern' || btf === undefined) return undefined;
            try {
              const f = btf.findByNameKind(rel.symbol, 'func');
              if (f === undefined) return undefined;
              const fn2 = btf.type(f);
              if (fn2.kind !== 'func') return undefined;
              const proto = btf.type(fn2.type);
              return proto.kind === 'func_proto' ? describeType(btf, proto.returnType).pointee : undefined;
            } catch {
              return undefined;
            }
          },
        };

        const at = (fn: FnCode, slot: number): Pick<LintFinding, 'program' | 'function' | 'section' | 'insn' | 'sectionInsn'> => ({
          program: p.name, function: fn.name, section: fn.section, insn: slot, sectionInsn: (programs.get(fn.name)?.sectionInsnOffset ?? 0) + slot,
        });

        /** A read of `width` bytes (when known) of the field of patched FIELD_BYTE_OFFSET record `i`. */
        const relocatedRead = (fn: FnCode, slot: number, i: number, width: number | undefined, how: string, checkSize: boolean): void => {
          const r = res.results[i]!;
          if (r.outcome !== 'patched') return;
          const lf = local(i);
          const tf = targetField(r, kernel);
          if (lf === undefined || tf === undefined || lf.bitfield) return;
          const where = { ...at(fn, slot), field: kindLabel(r), relocation: relocationOf(i) };
          if (checkSize && width !== undefined && lf.size !== undefined && tf.size !== undefined && lf.size > 0 && lf.size !== tf.size &&
              (width === lf.size || width > tf.size) && !has(RELO_KIND.FIELD_BYTE_SIZE, r)) {
            const effect = width > tf.size ? `the ${width - tf.size} bytes after it come along` : `only the first ${width} of its ${tf.size} bytes are read`;
            add({
              code: LintCodes.SIZE_CHANGED, ...where, change: `size ${lf.size} -> ${tf.size}`,
              message: `${how} reads ${width} bytes, the field's size in the program (${lf.typeName}), but on this kernel it is ${tf.typeName}, ${tf.size} bytes: ${effect}. Read bpf_core_field_size() bytes (BPF_CORE_READ_BITFIELD_PROBED) or fix the local type`,
            });
          }
          // plain char: the kernel is built with -funsigned-char since 6.2 (and s390x always was)
          if (lf.signed !== undefined && tf.signed !== undefined && lf.signed !== tf.signed && !(lf.plainChar && tf.plainChar) && !has(RELO_KIND.FIELD_SIGNED, r)) {
            add({
              code: LintCodes.SIGNEDNESS_CHANGED, ...where, change: `${signText(lf.signed)} -> ${signText(tf.signed)} (${lf.typeName} -> ${tf.typeName})`,
              message: `${how} reads a field the program treats as ${signText(lf.signed)} (${lf.typeName}) that is ${signText(tf.signed)} on this kernel (${tf.typeName}), and no FIELD_SIGNED relocation (bpf_core_field_signed(), BPF_CORE_READ_BITFIELD*) tells the program`,
            });
          }
        };

        const hardcoded = (fn: FnCode, slot: number, t: KType, off: number, width: number | undefined, how: string): void => {
          const there = fieldThere(kernel.targets, t, off);
          add({
            ...at(fn, slot), code: LintCodes.HARDCODED_OFFSET, field: `${t.kind} ${t.name} + ${off}`, change: there, relocation: undefined,
            message: `${how} reads ${width === undefined ? 'from' : `${width} bytes at`} ${t.kind} ${t.name} + ${off}, an offset no CO-RE relocation produced: it is the same on every kernel`,
          });
        };

        const visit = (fn: FnCode, slot: number, insn: Insn, st: State): void => {
          const reg = (r: number): Val => st.regs[r] ?? TOP;
          if (insn.kind === 'call' && insn.callee === 'helper' && insn.imm === POISON_IMM) {
            const recs = recordsAt(fn.name, slot).filter((i) => res.results[i]!.outcome === 'poisoned');
            // the second slot of a poisoned LD_IMM64 belongs to the record of the first
            if (recs.length === 0 && recordsAt(fn.name, slot - 1).some((i) => res.results[i]!.outcome === 'poisoned')) return;
            if (recs.length === 0) {
              add({ ...at(fn, slot), code: LintCodes.POISON_REACHABLE, field: undefined, change: 'poisoned in the object', relocation: undefined, message: 'the object itself holds libbpf\'s poison call (call 0xbad2310) here, and it is reachable: the verifier rejects the program' });
              return;
            }
            for (const i of recs) {
              const r = res.results[i]!;
              const where = { ...at(fn, slot), field: kindLabel(r), relocation: relocationOf(i) };
              if (r.calc?.failMemszAdjust === true) {
                const lf = local(i);
                const tf = targetField(r, kernel);
                add({
                  ...where, code: LintCodes.SIZE_UNADJUSTABLE, change: `size ${r.calc.origSize} -> ${r.calc.newSize}${lf !== undefined && tf !== undefined ? ` (${lf.typeName} -> ${tf.typeName})` : ''}`,
                  message: 'libbpf adjusts the width of a relocated load only for unsigned integers and pointers; this field changed size, so libbpf poisons the load ("accesses field incorrectly") and the verifier rejects the program when it reaches it. Use BPF_CORE_READ_BITFIELD_PROBED or a local type that matches',
                });
              } else {
                const reasons = r.candidates.filter((c) => !c.matched).map((c) => c.reason ?? `[${c.id}] ${c.kind} ${c.name} does not match`);
                add({
                  ...where, code: LintCodes.POISON_REACHABLE, change: r.candidates.length === 0 ? 'no such type on this kernel' : `does not resolve: ${reasons.join('; ')}`,
                  message: 'the relocation does not resolve on this kernel, so libbpf poisons the instruction, and no guard (bpf_core_field_exists(), bpf_core_type_exists(), ...) keeps the program from reaching it: the verifier rejects the program',
                });
              }
            }
            return;
          }
          if (insn.kind === 'call' && insn.callee === 'helper' && PROBE_READS.has(insn.imm)) {
            const id = insn.imm;
            if (id === HELPER.probe_read_user || id === HELPER.probe_read_user_str) return;
            const how = `${PROBE_READS.get(id)!}()`;
            const size = reg(2), src = reg(3);
            const width = size.t === 'num' && size.v !== undefined && size.v < 1n << 31n ? Number(size.v) : undefined;
            const str = id === HELPER.probe_read_str || id === HELPER.probe_read_kernel_str;
            if (src.t !== 'ptr') return;
            if (src.rec !== undefined) {
              if (src.extra === 0 && res.results[src.rec]!.kind === RELO_KIND.FIELD_BYTE_OFFSET) {
                // a size taken from a FIELD_BYTE_SIZE record is the kernel's
                const sized = size.t === 'num' && size.rec !== undefined && res.results[size.rec]!.kind === RELO_KIND.FIELD_BYTE_SIZE;
                relocatedRead(fn, slot, src.rec, width, how, !str && !sized);
              }
              return;
            }
            if (src.base.b === 'kernel' && src.off !== undefined) hardcoded(fn, slot, src.base.type, src.off, str ? undefined : width, how);
            return;
          }
          if (insn.kind === 'load') {
            const base = reg(insn.src);
            const own = patchedAt(fn.name, slot);
            if (own !== undefined && res.results[own]!.kind === RELO_KIND.FIELD_BYTE_OFFSET) {
              // libbpf adjusted the width of this load; only the signedness can still be off
              relocatedRead(fn, slot, own, insn.size, 'the load', false);
              return;
            }
            if (base.t !== 'ptr' || base.base.b === 'stack' || base.base.b === 'mem' || base.base.b === 'ctx') return;
            if (base.rec !== undefined) {
              if (base.extra !== undefined && base.extra + insn.off === 0 && res.results[base.rec]!.kind === RELO_KIND.FIELD_BYTE_OFFSET) {
                const r = res.results[base.rec]!;
                relocatedRead(fn, slot, base.rec, insn.size, `the load (its CO-RE record is on insn #${r.insn}, which computes the address, so libbpf does not adjust its width)`, true);
              }
              return;
            }
            if (base.base.b === 'kernel' && base.off !== undefined) hardcoded(fn, slot, base.base.type, base.off + insn.off, insn.size, 'the load');
            return;
          }
          if (insn.kind === 'store' || insn.kind === 'store_imm' || insn.kind === 'atomic') {
            const base = reg(insn.dst);
            if (base.t !== 'ptr' || (base.base.b !== 'stack' && base.base.b !== 'mem')) return;
            const own = patchedAt(fn.name, slot);
            const i = own !== undefined && res.results[own]!.kind === RELO_KIND.FIELD_BYTE_OFFSET ? own
              : base.rec !== undefined && res.results[base.rec]!.kind === RELO_KIND.FIELD_BYTE_OFFSET ? base.rec : undefined;
            if (i === undefined) return;
            const r = res.results[i]!;
            const into = base.base.b === 'stack' ? 'the stack' : base.base.what;
            const value = r.calc === undefined ? '' : r.calc.origVal === r.calc.newVal ? `offset ${r.calc.newVal} (the same on this kernel)` : `offset ${r.calc.origVal} -> ${r.calc.newVal}`;
            const root = obj.btf === undefined ? 'type' : rootName(obj.btf, r.localTypeId);
            add({
              ...at(fn, slot), code: LintCodes.RELOCATED_STORE, field: kindLabel(r), change: value, relocation: relocationOf(i),
              message: `a CO-RE relocated store into ${into}: the layout it was written with (the kernel's ${root}) is not the layout it will be read with (the program's own). Memory the program owns wants a type without preserve_access_index`,
            });
          }
        };

        const a = analyzeProgram(p.name, env, visit, options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps });
        if (!a.complete) {
          add({ program: p.name, function: p.name, section: p.section, insn: 0, sectionInsn: p.sectionInsnOffset, code: LintCodes.ANALYSIS_LIMIT, field: undefined, change: 'analysis stopped', relocation: undefined, message: 'the analysis of this program ran out of its step budget; its findings may be incomplete' });
        }
      }
      return findings;
    },
  };
}

/** Decode instructions by slot; an LD_IMM64's second slot is undefined, undecodable bytes are `unknown`. */
function decodeSlots(bytes: Uint8Array, littleEndian: boolean): (Insn | undefined)[] {
  const n = Math.floor(bytes.length / 8);
  const out: (Insn | undefined)[] = new Array<Insn | undefined>(n).fill(undefined);
  for (let i = 0; i < n; i++) {
    try {
      const insn = decodeInsnAt(bytes, insnIndex(i), { littleEndian });
      out[i] = insn;
      if (insn.kind === 'ld_imm64') i++;
    } catch {
      // an LD_IMM64 without its second slot: the verifier rejects it; nothing to follow
      out[i] = undefined;
    }
  }
  return out;
}
