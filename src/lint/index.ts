/**
 * `btfkit lint` as a library: where a BPF object reads the wrong bytes on some kernel (a
 * probe read sized for the local field, a signedness the program does not know about, a
 * hard-coded offset into a kernel struct, a relocated store into program memory), reaches a
 * poisoned instruction, or fails to relocate. See docs/lint.md.
 *
 * @packageDocumentation
 */
export {
  lintObject, createLinter, mergeKernelFindings, LintCodes, LINT_SEVERITY,
  type LintCode, type LintSeverity, type LintKernel, type LintFinding, type LintRelocation, type LintOptions, type Linter,
} from './lint.js';
export { buildLintReport, formatLintText, formatLocation, LINT_EXIT, type LintReport, type ObjectFinding } from './report.js';
export { analyzeProgram, type Analysis, type Base, type FnCode, type InterpEnv, type KType, type Slot, type State, type Val, type Visitor } from './interp.js';
