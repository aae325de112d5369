import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../btf/btf.js';
import { parseObject } from '../object/spec.js';
import { relocateObject } from './relocate.js';
import { readBtfFile, repoRoot, testdataKernels } from '../../test/helpers/kernels.js';

describe('near-miss hints', () => {
  it("point from task_struct___old.state to 6.12's __state", () => {
    const k612 = Btf.parse(readBtfFile(join(testdataKernels, 'linux-6.12.117-amd64.btf.gz')));
    const obj = parseObject(new Uint8Array(readFileSync(join(repoRoot, 'examples/objects/taskstate.bpf.o'))));
    const res = relocateObject(obj, { targets: [{ name: 'vmlinux', btf: k612 }] });
    const r = res.results.find((x) => x.outcome === 'poisoned')!;
    expect(r.localSpec).toContain('task_struct___old.state');
    expect(r.candidates[0]!.hints).toContainEqual(expect.stringContaining("'__state' (unsigned int, 4 bytes) looks like 'state' (long, 8 bytes)"));
    expect(r.explanation).toContain('Hint:');
    // decisions do not depend on hints: the record is poisoned as libbpf poisons it
    expect(r.patch?.poisoned).toBe(true);
  });
});
