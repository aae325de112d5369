// The CO-RE engine against libbpf itself: for every fixture with CO-RE records and every
// kernel BTF, each record's result, values, candidates, specs and patched instruction equal
// libbpf's (../shared/oracle/libbpf-oracle, Debian's libbpf 1.1).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf } from 'btfkit/btf';
import { parseObject } from 'btfkit/object';
import { relocateObject } from 'btfkit/core';
import { corpusTargets, kernelsForTests, repoRoot } from './helpers/kernels.js';
import { libbpfDecisions, ourRecord, theirRecord } from './helpers/oracle.js';

const fixtures = join(repoRoot, 'testdata/objects');
const objects = readdirSync(fixtures).filter((f) => f.endsWith('-bpfel.o')).sort()
  .filter((f) => (parseObject(new Uint8Array(readFileSync(join(fixtures, f)))).btfExt?.coreRelos.length ?? 0) > 0);
const kernels = kernelsForTests();
const tmp = mkdtempSync(join(tmpdir(), 'btfkit-core-'));

const { targetsFor, rawPath } = corpusTargets(kernels, tmp);

describe.each(objects)('%s', (obj) => {
  const spec = parseObject(new Uint8Array(readFileSync(join(fixtures, obj))));
  it.each(kernels.map((k) => [k.name, k] as const))('relocates against %s exactly as libbpf', (_name, k) => {
    const base = k.base === undefined ? undefined : rawPath(kernels.find((x) => x.name === k.base)!);
    const want = libbpfDecisions(join(fixtures, obj), rawPath(k), base);
    expect(want.length).toBe(spec.btfExt!.coreRelos.reduce((n, g) => n + g.records.length, 0));
    // the oracle flattens module + base into one target: search them together, as it does
    const res = relocateObject(spec, { targets: targetsFor(k), includeNonAutoload: true, searchModulesTogether: k.base !== undefined });
    const got = want.map((o, i) => ourRecord(res.results[i]!, res.programs, o));
    expect(got).toEqual(want.map(theirRecord));
    // libbpf's last log line for each record is among ours, word for word, except that we
    // print errors as current libbpf does (-EINVAL; 1.1 printed -22)
    const ERRNO: Record<string, string> = { EINVAL: '22', E2BIG: '7', ERANGE: '34', EOPNOTSUPP: '95', ENOENT: '2' };
    const as11 = (line: string): string => line.replace(/-(E[A-Z0-9]+)$/, (m, e: string) => (ERRNO[e] === undefined ? m : `-${ERRNO[e]}`));
    const lines = want.map((o, i) => ({ raw: o.raw, log: res.results[i]!.log.map(as11) }));
    expect(lines.filter((l) => l.raw !== '' && !l.log.some((x) => x.endsWith(l.raw)))).toEqual([]);
  });
});

describe('relocating a fixture against its own BTF', () => {
  it.each(objects)('%s keeps every patched value, and fails where libbpf fails', (obj) => {
    const spec = parseObject(new Uint8Array(readFileSync(join(fixtures, obj))));
    const own = join(tmp, `${obj}.btf`);
    writeFileSync(own, spec.elf.data(spec.elf.section('.BTF')!));
    const want = libbpfDecisions(join(fixtures, obj), own);
    const res = relocateObject(spec, { targets: [{ name: 'vmlinux', btf: Btf.parse(new Uint8Array(readFileSync(own))) }], includeNonAutoload: true });
    expect(want.map((o, i) => ourRecord(res.results[i]!, res.programs, o))).toEqual(want.map(theirRecord));
    // TYPE_ID_TARGET may name a flavor's id; every other patched value is the compiler's own
    const changed = res.results.filter((r) => r.outcome === 'patched' && r.kind !== 7 && r.calc !== undefined && r.calc.origVal !== r.calc.newVal);
    expect(changed.map((r) => `${r.section} #${r.reloIndex} ${r.explanation}`)).toEqual([]);
  });
});
