// The committed kernel BTFs are the ones their README describes (sha256 of the raw bytes).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBtfFile, testdataKernels } from './helpers/kernels.js';

describe('testdata/kernels', () => {
  const readme = readFileSync(join(testdataKernels, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `([^`]+\.btf\.gz)` \|.*\| (\d+) \| `([0-9a-f]{64})` \| `([0-9a-f]{64})` \|$/gm)];

  it('lists five files', () => {
    expect(rows.map((r) => r[1])).toHaveLength(5);
  });

  it.each(rows.map((r) => [r[1]!, Number(r[2]), r[3]!, r[4]!]))('%s matches its sha256', (name, size, raw, gz) => {
    const path = join(testdataKernels, name);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(gz);
    const data = readBtfFile(path);
    expect(data.length).toBe(size);
    expect(createHash('sha256').update(data).digest('hex')).toBe(raw);
  });
});
