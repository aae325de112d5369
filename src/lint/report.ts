/**
 * The report of `btfkit lint`: findings of several objects on several kernels, as text (one
 * entry per finding, kernels that share it folded together) or as JSON, and the exit code.
 */
import type { LintFinding } from './lint.js';

/**
 * Exit codes of `btfkit lint`: 0 no finding, 1 warnings only, 2 at least one error (or an
 * object or kernel BTF that cannot be read), 64 wrong usage (EX_USAGE: `btfkit lint` keeps 2
 * for errors, where other commands use it for usage).
 */
export const LINT_EXIT = { CLEAN: 0, WARNINGS: 1, ERRORS: 2, USAGE: 64 } as const;

/** A finding with the object it belongs to. */
export interface ObjectFinding extends LintFinding {
  readonly object: string;
}

/** The whole lint. */
export interface LintReport {
  readonly objects: readonly string[];
  readonly kernels: readonly string[];
  /** Per kernel: a finding on three kernels is three entries. In object, then kernel order. */
  readonly findings: readonly ObjectFinding[];
  readonly errors: number;
  readonly warnings: number;
  readonly exitCode: 0 | 1 | 2;
}

/** Put the findings of each object (in `objects` order) into a report. */
export function buildLintReport(objects: readonly string[], kernels: readonly string[], findings: readonly (readonly LintFinding[])[]): LintReport {
  const all: ObjectFinding[] = objects.flatMap((o, i) => (findings[i] ?? []).map((f) => ({ object: o, ...f })));
  const errors = all.filter((f) => f.severity === 'error').length;
  const warnings = all.length - errors;
  return { objects, kernels, findings: all, errors, warnings, exitCode: errors > 0 ? LINT_EXIT.ERRORS : warnings > 0 ? LINT_EXIT.WARNINGS : LINT_EXIT.CLEAN };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Where a finding is, in words: `prog 'x' insn #3 (sec fentry/iput insn #16)`: the index in
 * the function as libbpf's log counts, then in the ELF section as `btfkit disasm` and
 * `llvm-objdump -d` count.
 */
export function formatLocation(f: LintFinding): string {
  const sec = `(sec ${f.section} insn #${f.sectionInsn})`;
  return f.function === f.program
    ? `prog '${f.program}' insn #${f.insn} ${sec}`
    : `prog '${f.program}', subprogram '${f.function}' insn #${f.insn} ${sec}`;
}

/**
 * Plain text: per object its findings; a finding seen on several kernels is one entry, with
 * what changed on each kernel (kernels that agree on one line).
 */
export function formatLintText(report: LintReport): string {
  const out: string[] = [];
  for (const o of report.objects) {
    const mine = report.findings.filter((f) => f.object === o);
    const groups = new Map<string, { f: ObjectFinding; changes: Map<string, string[]> }>();
    for (const f of mine) {
      const key = [f.code, f.program, f.function, f.section, f.insn, f.field ?? '', f.message].join('\u0000');
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { f, changes: new Map() }));
      g.changes.set(f.change, [...(g.changes.get(f.change) ?? []), f.kernel]);
    }
    const e = mine.filter((f) => f.severity === 'error').length;
    out.push(`${o}: ${mine.length === 0 ? 'clean' : [e > 0 ? plural(e, 'error') : '', mine.length - e > 0 ? plural(mine.length - e, 'warning') : ''].filter((x) => x !== '').join(', ')}`);
    for (const { f, changes } of groups.values()) {
      out.push(`  ${f.severity} ${f.code} ${formatLocation(f)}`);
      if (f.field !== undefined) out.push(`      ${f.field}`);
      for (const [change, kernels] of changes) out.push(`      ${change}  [${kernels.join(', ')}]`);
      out.push(`      ${f.message}`);
    }
  }
  const dirty = new Set(report.findings.map((f) => f.object)).size;
  out.push('');
  out.push(`${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')} (counted per kernel) in ${dirty} of ${plural(report.objects.length, 'object')}, on ${plural(report.kernels.length, 'kernel')}: ${report.kernels.join(', ')}`);
  return out.join('\n') + '\n';
}
