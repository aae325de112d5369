// The Linux kernel's own CO-RE selftest suite (tools/testing/selftests/bpf/prog_tests/core_reloc.c)
// as a conformance test, built at test time from Debian's linux-source package (see
// test/helpers/selftests.ts and docs/conformance.md). For every case of the selftest's table:
//   (a) btfkit's decision for every CO-RE record equals libbpf's (libbpf-oracle; the fields of
//       test/core-libbpf.test.ts), against the case's target BTF and against its btfgen
//       (`bpftool gen min_core_btf`) minimization;
//   (b) the case's `.fails` equals whether loading the relocated object fails: a CO-RE error,
//       or a poisoned instruction that the verifier reaches (most `*_err_*` cases fail that way:
//       libbpf poisons, the kernel rejects);
//   (c) where BPF is available, the btfkit-relocated object runs in the kernel as the selftest
//       runs it, and its output bytes equal the case's expected output (or its load fails).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBtf, type Btf } from 'btfkit/btf';
import { relocateObject, type RelocateResult } from 'btfkit/core';
import { parseObject, type ObjectSpec } from 'btfkit/object';
import { libbpfDecisions, ourRecord, theirRecord } from './helpers/oracle.js';
import {
  caseTarget, caseUnavailable, kernelRunUnavailable, loadVerdict, prepareSelftests, runInKernel,
  type CoreRelocCase,
} from './helpers/selftests.js';

/** Objects of the 6.1 tree that clang-19 cannot build, and why (none so far). */
const KNOWN_BUILD_FAILURES: Record<string, string> = {};

/**
 * Cases where libbpf 1.1 disagrees with the case's expectation (a libbpf bug fixed upstream;
 * btfkit follows current libbpf): case name → explanation. None so far.
 */
const LIBBPF_11_DEVIATIONS: Record<string, string> = {};


const t0 = Date.now();
const setup = await prepareSelftests();

if (setup.status === 'skip') {
  describe('kernel CO-RE selftests (prog_tests/core_reloc.c)', () => {
    it.skip(`skipped: ${setup.reason}`, () => {});
  });
} else {
  const st = setup.st;
  const tmp = mkdtempSync(join(tmpdir(), 'btfkit-selftests-run-'));
  const objects = new Map<string, ObjectSpec>();
  const targets = new Map<string, Btf>();
  const object = (file: string): ObjectSpec => {
    let o = objects.get(file);
    if (o === undefined) {
      o = parseObject(new Uint8Array(readFileSync(join(st.buildDir, file))));
      objects.set(file, o);
    }
    return o;
  };
  const target = (path: string): Btf => {
    let b = targets.get(path);
    if (b === undefined) {
      b = openBtf(new Uint8Array(readFileSync(path)));
      targets.set(path, b);
    }
    return b;
  };
  const relocated = new Map<string, RelocateResult>();
  const relocate = (c: CoreRelocCase, path: string): RelocateResult => {
    const key = `${c.bpf_obj_file}\0${path}`;
    let r = relocated.get(key);
    if (r === undefined) {
      r = relocateObject(object(c.bpf_obj_file), { targets: [{ name: 'vmlinux', btf: target(path) }], includeNonAutoload: true });
      relocated.set(key, r);
    }
    return r;
  };
  const buildFailure = (c: CoreRelocCase): string | undefined => {
    const f = st.buildFailures.find((b) => b.object === c.bpf_obj_file || b.object === c.btf_src_file);
    return f === undefined ? undefined : `${f.source} does not build: ${KNOWN_BUILD_FAILURES[f.source] ?? f.reason}`;
  };
  const skipReason = (c: CoreRelocCase): string | undefined => caseUnavailable(c) ?? buildFailure(c);

  const stats = { cases: st.cases.length, run: 0, passed: 0, records: 0, btfgenRun: 0, btfgenPassed: 0, kernelRun: 0, kernelPassed: 0 };
  const skipped: string[] = [];
  const verdicts: string[] = [];

  /** (a) + (b) for one case against one target file. */
  const check = (c: CoreRelocCase, path: string, label: string): void => {
    const objPath = join(st.buildDir, c.bpf_obj_file);
    const want = libbpfDecisions(objPath, path);
    const spec = object(c.bpf_obj_file);
    expect(want.length, 'libbpf-oracle printed one line per CO-RE record').toBe(spec.btfExt?.coreRelos.reduce((n, g) => n + g.records.length, 0));
    const res = relocate(c, path);
    expect(res.results.length).toBe(want.length);
    // (a) every record as libbpf decides it
    const got = want.map((o, i) => ourRecord(res.results[i]!, res.programs, o));
    const expected = want.map(theirRecord);
    expect(got).toEqual(expected);
    if (label === 'target') stats.records += want.length;
    // (b) fails as the case says; libbpf's verdict is the same by (a), except for CO-RE errors
    const verdict = loadVerdict(spec, res);
    const libbpfCoreError = want.some((o) => o.result === 'error');
    expect(libbpfCoreError, 'libbpf and btfkit agree on a CO-RE error').toBe(verdict.why === 'core');
    if (label === 'target') verdicts.push(`${c.case_name}: ${verdict.fails ? `fails (${verdict.why}: ${verdict.detail})` : 'loads'}`);
    const fails = LIBBPF_11_DEVIATIONS[c.case_name] === undefined ? c.fails : !c.fails;
    expect(verdict.fails, `.fails = ${c.fails}; ${verdict.detail}`).toBe(fails);
  };

  describe(`kernel CO-RE selftests from ${st.tarball} (prog_tests/core_reloc.c)`, () => {
    it('builds every program and target object and reads the case table', () => {
      expect(st.cases.length).toBeGreaterThan(50);
      expect(st.buildFailures.map((f) => f.source).sort()).toEqual(Object.keys(KNOWN_BUILD_FAILURES).sort());
      for (const c of st.cases) {
        expect(c.setup_error, `${c.case_name}: setup`).toBe(0);
        if (buildFailure(c) !== undefined) continue;
        expect(st.built, c.case_name).toContain(c.bpf_obj_file);
        if (c.btf_src_file !== null) expect(st.built, c.case_name).toContain(c.btf_src_file);
      }
    });

    describe('against the case\'s target BTF: every record as libbpf, and .fails', () => {
      for (const c of st.cases) {
        const why = skipReason(c);
        if (why !== undefined) {
          skipped.push(`${c.case_name}: ${why}`);
          it.skip(`${c.case_name} (${why})`, () => {});
          continue;
        }
        it(`${c.case_name}${c.fails ? ' (fails)' : ''} vs ${c.btf_src_file ?? 'the running kernel'}`, () => {
          stats.run++;
          check(c, caseTarget(st, c), 'target');
          stats.passed++;
        });
      }
    });

    describe('against the btfgen-minimized target (bpftool gen min_core_btf), as test_core_reloc_btfgen', () => {
      for (const c of st.cases) {
        if (skipReason(c) !== undefined || c.btf_src_file === null || c.run_btfgen_fails) continue;
        const g = st.btfgen.find((b) => b.case_name === c.case_name);
        it(`${c.case_name}${c.fails ? ' (fails)' : ''}`, () => {
          expect(g?.error, 'bpftool gen min_core_btf').toBeUndefined();
          stats.btfgenRun++;
          check(c, g!.path!, 'btfgen');
          stats.btfgenPassed++;
        });
      }
    });

    const unavailable = kernelRunUnavailable(st);
    describe(unavailable === undefined ? 'in the running kernel: btfkit-relocated objects give the expected output'
      : `in the running kernel (skipped: ${unavailable})`, () => {
      for (const c of st.cases) {
        if (skipReason(c) !== undefined) continue;
        it.skipIf(unavailable !== undefined)(`${c.case_name}${c.fails ? ' (must not load)' : ''}`, () => {
          const res = relocate(c, caseTarget(st, c));
          stats.kernelRun++;
          if (res.error !== undefined) {
            // nothing to load: libbpf fails the object before the kernel sees it
            expect(c.fails).toBe(true);
            stats.kernelPassed++;
            return;
          }
          const got = runInKernel(st, object(c.bpf_obj_file), res, c, tmp);
          if (c.fails) {
            expect(got.loaded, 'the verifier rejects the object').toBe(false);
            expect(got.log, 'it rejects a poisoned instruction').toMatch(/invalid func unknown#195896080|invalid CO-RE relocation/);
          } else {
            expect(got.loaded, got.log).toBe(true);
            expect(got.attached, got.log).toBe(true);
            expect(got.skip).toBe(false);
            expect(got.out).toBe(c.output);
          }
          stats.kernelPassed++;
        });
      }
    });
  });

  afterAll(() => {
    const lines = [
      `kernel CO-RE selftests: ${st.tarball} (sha256 ${st.sha256.slice(0, 12)}), ${st.compiler}`,
      ...st.steps.map((s) => `  ${s}`),
      `  cases: ${stats.cases}; against target: ${stats.passed}/${stats.run} passed (${stats.records} records); btfgen: ${stats.btfgenPassed}/${stats.btfgenRun}; kernel runs: ${stats.kernelPassed}/${stats.kernelRun}`,
      `  skipped: ${skipped.length}${skipped.map((s) => `\n    ${s}`).join('')}`,
      ...(st.buildWarnings.length === 0 ? [] : [`  built only without -Werror: ${st.buildWarnings.map((w) => w.source).join(', ')}`]),
      ...(process.env['BTFKIT_SELFTESTS_VERBOSE'] === undefined ? [] : verdicts.map((v) => `  ${v}`)),
      `  ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    ];
    console.log(lines.join('\n'));
  });
}
