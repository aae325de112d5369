/**
 * The compatibility matrix: objects × kernels. For every pair, relocate as libbpf would and
 * classify: the object loads, loads with poisoned code (an access that does not resolve on
 * that kernel; fine if guarded, fatal if reached), or fails to load. Then, per relocation,
 * where the resolved value differs between kernels.
 *
 * Pure: kernels and objects are given, nothing is read here. The CLI runs {@link checkPair}
 * in worker threads, one kernel at a time per worker, and merges with {@link buildReport}.
 */
import type { ObjectSpec } from '../object/spec.js';
import { relocateObject, type RelocationResult, type TargetBtf } from '../core/relocate.js';
import { injectConstants, type InjectManifest } from '../object/inject.js';

/** A kernel to check against: vmlinux first, then its modules. */
export interface KernelInput {
  readonly name: string;
  readonly targets: readonly TargetBtf[];
}

/** Verdict for one object on one kernel. */
export type Verdict = 'loads' | 'poisoned' | 'fails';

/** One relocation's outcome on one kernel, in a form small enough to send between threads. */
export interface CheckedRelocation {
  /** `sec #relo`, stable across kernels. */
  readonly key: string;
  readonly program: string | undefined;
  readonly kindName: string;
  readonly spec: string;
  readonly outcome: RelocationResult['outcome'];
  /** The value written into the instruction (decimal), or `poison` / `error`. */
  readonly value: string;
  readonly target: string | undefined;
  /** Why, for records that were not simply patched ('' for patched ones, to keep big matrices small). */
  readonly explanation: string;
}

/** One object on one kernel. */
export interface PairResult {
  readonly object: string;
  readonly kernel: string;
  readonly verdict: Verdict;
  readonly patched: number;
  readonly poisoned: number;
  readonly failed: number;
  /** Why loading fails, when it does. */
  readonly error: string | undefined;
  readonly relocations: readonly CheckedRelocation[];
}

/**
 * Check one object against one kernel. With a manifest, its constants (btfkit inject) are
 * checked too and appear as rows keyed `const <symbol>`: a constant that cannot be filled
 * makes the pair fail, as inject refuses to write the object.
 */
export function checkPair(objectName: string, obj: ObjectSpec, kernel: KernelInput, manifest?: InjectManifest): PairResult {
  const res = relocateObject(obj, { targets: kernel.targets });
  const relocations: CheckedRelocation[] = res.results.map((r): CheckedRelocation => ({
    key: `${r.section} #${r.reloIndex}`,
    program: r.program,
    kindName: r.kindName,
    spec: r.localSpec ?? `[${r.localTypeId}] ${r.accessString}`,
    outcome: r.outcome,
    value: r.outcome === 'poisoned' ? 'poison' : r.outcome === 'error' ? 'error' : r.outcome === 'patched' && r.calc !== undefined ? r.calc.newVal.toString() : r.outcome,
    target: r.targetSpec,
    explanation: r.outcome === 'patched' ? '' : r.explanation,
  }));
  const count = (o: string): number => res.results.filter((r) => r.outcome === o).length;
  const poisoned = count('poisoned');
  let constError: string | undefined;
  let constFailed = 0;
  if (manifest !== undefined) {
    const wanted = manifest.constants.filter((c) => obj.elf.symbols().some((s) => s.name === c.symbol));
    for (const r of injectConstants(obj, kernel.targets, { constants: wanted }).results) {
      const c = r.constant;
      if (r.error !== undefined) {
        constFailed++;
        constError ??= `constant ${c.symbol}: ${r.error}`;
      }
      relocations.push({
        key: `const ${c.symbol}`, program: undefined, kindName: c.kind.toUpperCase(),
        spec: `${c.type}${c.field === undefined ? '' : `.${c.field}`}${c.enumerator === undefined ? '' : `::${c.enumerator}`}`,
        outcome: r.error === undefined ? 'patched' : 'error',
        value: r.error !== undefined ? 'error' : `${r.value ?? ''}${r.defaulted ? ' (default)' : ''}`,
        target: r.answer?.targetSpec, explanation: r.error !== undefined || r.defaulted ? r.explanation : '',
      });
    }
  }
  const error = res.error?.message ?? constError;
  return {
    object: objectName, kernel: kernel.name,
    verdict: error !== undefined ? 'fails' : poisoned > 0 ? 'poisoned' : 'loads',
    patched: count('patched'), poisoned, failed: count('error') + constFailed, error, relocations,
  };
}

/** One relocation across all kernels, for the matrix. */
export interface MatrixRow {
  readonly object: string;
  readonly key: string;
  readonly program: string | undefined;
  readonly kindName: string;
  readonly spec: string;
  /** Value per kernel (same order as the report's kernels). */
  readonly values: readonly string[];
  /** True when not every kernel gives the same value. */
  readonly differs: boolean;
}

/** The whole check. */
export interface CheckReport {
  readonly objects: readonly string[];
  readonly kernels: readonly string[];
  /** pairs[o][k] for objects[o] on kernels[k]. */
  readonly pairs: readonly (readonly PairResult[])[];
  readonly rows: readonly MatrixRow[];
}

/**
 * Share the strings that repeat across kernels (record key, kind, spec, program) between the
 * pair results of one object, so memory grows with objects, not objects x kernels. Results
 * coming back from worker threads are fresh copies: run this on each as it arrives.
 */
export function internStrings(result: PairResult, pool: Map<string, string>): PairResult {
  const intern = (s: string): string => {
    const known = pool.get(s);
    if (known !== undefined) return known;
    pool.set(s, s);
    return s;
  };
  return {
    ...result,
    object: intern(result.object),
    relocations: result.relocations.map((r) => ({
      ...r, key: intern(r.key), kindName: intern(r.kindName), spec: intern(r.spec),
      program: r.program === undefined ? undefined : intern(r.program), value: intern(r.value),
      target: r.target === undefined ? undefined : intern(r.target),
    })),
  };
}

/** Arrange pair results (any order) into the report. */
export function buildReport(objects: readonly string[], kernels: readonly string[], results: readonly PairResult[]): CheckReport {
  const at = new Map(results.map((r) => [`${r.object}\u0000${r.kernel}`, r]));
  const pairs = objects.map((o) => kernels.map((k) => {
    const r = at.get(`${o}\u0000${k}`);
    if (r === undefined) throw new Error(`missing result for ${o} on ${k}`);
    return r;
  }));
  const rows: MatrixRow[] = [];
  objects.forEach((o, oi) => {
    const first = pairs[oi]![0];
    if (first === undefined) return;
    first.relocations.forEach((rel, ri) => {
      const values = pairs[oi]!.map((p) => p.relocations[ri]?.value ?? 'missing');
      rows.push({ object: o, key: rel.key, program: rel.program, kindName: rel.kindName, spec: rel.spec, values, differs: values.some((v) => v !== values[0]) });
    });
  });
  return { objects, kernels, pairs, rows };
}

const VERDICT_TEXT: Record<Verdict, string> = { loads: 'loads', poisoned: 'poisoned', fails: 'FAILS' };

/** Plain-text report: the summary table, then the relocations whose values differ. */
export function formatCheckText(report: CheckReport, options: { all?: boolean } = {}): string {
  const out: string[] = [];
  const kw = Math.max(6, ...report.kernels.map((k) => k.length));
  const ow = Math.max(6, ...report.objects.map((o) => o.length));
  out.push('Summary (loads = every relocation resolved; poisoned = loads, but code that does not resolve on this kernel fails verification if reached; FAILS = libbpf refuses the object)');
  out.push('');
  out.push(`${'kernel'.padEnd(kw)}  ${report.objects.map((o) => o.padEnd(ow)).join('  ')}`);
  report.kernels.forEach((k, ki) => {
    out.push(`${k.padEnd(kw)}  ${report.objects.map((_o, oi) => {
      const p = report.pairs[oi]![ki]!;
      const cell = p.verdict === 'poisoned' ? `poisoned(${p.poisoned})` : VERDICT_TEXT[p.verdict];
      return cell.padEnd(ow);
    }).join('  ')}`);
  });
  const failing = report.pairs.flat().filter((p) => p.verdict === 'fails');
  if (failing.length > 0) {
    out.push('', 'Failures:');
    for (const p of failing) out.push(`  ${p.object} on ${p.kernel}: ${p.error ?? ''}`);
  }
  const rows = options.all === true ? report.rows : report.rows.filter((r) => r.differs);
  out.push('', options.all === true ? 'Relocations:' : `Relocations whose value differs between kernels (${rows.length} of ${report.rows.length}):`);
  for (const r of rows) {
    out.push(`  ${r.object} ${r.key} ${r.program ?? '?'} ${r.kindName} ${r.spec}`);
    const groups = new Map<string, string[]>();
    r.values.forEach((v, i) => groups.set(v, [...(groups.get(v) ?? []), report.kernels[i]!]));
    for (const [v, ks] of groups) out.push(`      ${v.padEnd(12)} ${ks.join(', ')}`);
  }
  for (const p of report.pairs.flat()) {
    const poisoned = p.relocations.filter((r) => r.outcome === 'poisoned');
    if (poisoned.length === 0) continue;
    out.push('', `Poisoned on ${p.kernel} in ${p.object}:`);
    for (const r of poisoned) out.push(`  ${r.key} ${r.program ?? '?'}: ${r.explanation}`);
  }
  return out.join('\n') + '\n';
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A self-contained HTML page of the report. */
export function formatCheckHtml(report: CheckReport): string {
  const cls = (v: Verdict): string => (v === 'loads' ? 'ok' : v === 'poisoned' ? 'warn' : 'bad');
  const head = `<tr><th>kernel</th>${report.objects.map((o) => `<th>${esc(o)}</th>`).join('')}</tr>`;
  const body = report.kernels.map((k, ki) => `<tr><th>${esc(k)}</th>${report.objects.map((_o, oi) => {
    const p = report.pairs[oi]![ki]!;
    return `<td class="${cls(p.verdict)}" title="${esc(p.error ?? `${p.patched} patched, ${p.poisoned} poisoned`)}">${p.verdict}${p.poisoned > 0 ? ` (${p.poisoned})` : ''}</td>`;
  }).join('')}</tr>`).join('\n');
  const rows = report.rows.map((r) => `<tr class="${r.differs ? 'differs' : ''}"><td>${esc(r.object)}</td><td>${esc(r.key)}</td><td>${esc(r.kindName)}</td><td><code>${esc(r.spec)}</code></td>${r.values.map((v) => `<td class="${v === 'poison' ? 'warn' : v === 'error' ? 'bad' : ''}">${esc(v)}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>btfkit check</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.ok{background:#dfd}.warn{background:#ffd}.bad{background:#fdd}tr.differs td{font-weight:600}code{font-size:12px}</style></head>
<body><h1>btfkit check</h1>
<p>loads: every relocation resolved; poisoned: loads, but unresolved code fails verification if reached; fails: libbpf refuses the object.</p>
<table>${head}\n${body}</table>
<h2>Relocations (bold: value differs between kernels)</h2>
<table><tr><th>object</th><th>record</th><th>kind</th><th>local spec</th>${report.kernels.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>
${rows}</table></body></html>
`;
}
