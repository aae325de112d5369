/** `btfkit lint OBJ... [--kernels DIR|FILE]... [--json]` */
import { basename } from 'node:path';
import { ErrorCodes, isBtfkitError } from '../errors.js';
import { parseObject, type ObjectSpec } from '../object/spec.js';
import { createLinter, mergeKernelFindings, type LintFinding, type Linter } from '../lint/lint.js';
import { buildLintReport, formatLintText, LINT_EXIT } from '../lint/report.js';
import { parse, readBytes, UsageError, writeStdout, type Command } from './command.js';
import { defaultKernels, findKernels } from './check.js';
import { loadKernelJob } from './check-worker.js';

const help = `usage: btfkit lint OBJ... [--kernels DIR|FILE]... [--json]

Warns where a BPF object (clang-built or not) would read the wrong bytes on some kernel, and
errs where it would not load or not pass the verifier there. For each kernel the object is
relocated as libbpf would, then each program is followed on the patched instructions (a
bpf_core_field_exists() guard that is false there keeps its branch quiet):
  LINT_SIZE_CHANGED        warning  a probe read (BPF_CORE_READ) of the local field size, where the
                                    kernel's field has another size; also a load through a relocated
                                    address, whose width libbpf does not adjust
  LINT_SIGNEDNESS_CHANGED  warning  a relocated integer read whose signedness differs on the kernel,
                                    with no FIELD_SIGNED relocation for it
  LINT_HARDCODED_OFFSET    warning  a read of a kernel struct at an offset no CO-RE relocation produced
  LINT_RELOCATED_STORE     warning  a CO-RE relocated store into the stack, a map value, a ring
                                    buffer record or a global: written with the kernel's layout
  LINT_POISON_REACHABLE    error    an access that does not resolve on the kernel is reachable
  LINT_SIZE_UNADJUSTABLE   error    a relocated load libbpf poisons (a signed or non-integer field
                                    changed size), reachable
  LINT_RELO_FAILED         error    libbpf fails the relocation: the object does not load
  LINT_ANALYSIS_LIMIT      warning  a program too large to follow completely
Kernels: as btfkit check (default: the running kernel and the kernels in testdata/kernels).
  --kernels DIR|FILE  kernel BTF files (raw or .gz); in a directory, <kernel>.<module>.btf files
                      are that kernel's module BTFs
  --json              the findings as JSON (docs/lint.md)
Exit: 0 no finding, 1 warnings only, 2 errors (or an object or BTF that cannot be read), 64 usage.
See docs/lint.md.`;

export const lintCommand: Command = {
  path: ['lint'],
  summary: 'warn where an object reads the wrong bytes on some kernel, or reaches poisoned code',
  help,
  async run(args) {
    try {
      return runLint(args);
    } catch (e) {
      if (e instanceof UsageError || isBtfkitError(e, ErrorCodes.USAGE)) {
        process.stderr.write(`btfkit lint: ${(e as Error).message}\n\n${help}\n`);
        return LINT_EXIT.USAGE;
      }
      if (isBtfkitError(e)) {
        process.stderr.write(`btfkit lint: error: ${e.message} [${e.code}]\n`);
        return LINT_EXIT.ERRORS;
      }
      if (e instanceof Error && 'code' in e && typeof e.code === 'string' && 'path' in e) {
        process.stderr.write(`btfkit lint: ${e.message}\n`);
        return LINT_EXIT.ERRORS;
      }
      throw e;
    }
  },
};

function runLint(args: string[]): number {
  const { values, positionals } = parse(args, {
    kernels: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length === 0) throw new UsageError('no objects to lint');
  const kernels = values.kernels !== undefined ? findKernels(values.kernels) : defaultKernels();
  if (kernels.length === 0) throw new UsageError('no kernel BTF found');
  const names = positionals.map((p) => basename(p));
  const objectNames = names.map((b, i) => (names.indexOf(b) === names.lastIndexOf(b) ? b : positionals[i]!));
  const objects: { name: string; spec: ObjectSpec; linter: Linter }[] = positionals.map((path, i) => {
    const spec = withContext(path, () => parseObject(readBytes(path)));
    return { name: objectNames[i]!, spec, linter: createLinter(spec) };
  });
  // one kernel in memory at a time
  const perObject: LintFinding[][][] = objects.map(() => []);
  for (const job of kernels) {
    const targets = withContext(job.vmlinux, () => loadKernelJob(job));
    objects.forEach((o, i) => perObject[i]!.push(o.linter.kernel({ name: job.name, targets })));
  }
  const report = buildLintReport(objects.map((o) => o.name), kernels.map((k) => k.name), perObject.map((k) => mergeKernelFindings(k)));
  if (values.json === true) writeStdout(JSON.stringify(report, null, 1) + '\n');
  else writeStdout(formatLintText(report));
  return report.exitCode;
}

/** Run `f`, naming `path` in a BtfkitError's message. */
function withContext<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isBtfkitError(e)) e.message = `${path}: ${e.message}`;
    throw e;
  }
}
