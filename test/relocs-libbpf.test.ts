// `btfkit relocs --json` against libbpf: for every little-endian object fixture with CO-RE
// records, libbpf-oracle (Debian's libbpf 1.1, ../shared/oracle) relocates the object against
// one kernel and prints each record as libbpf saw it; our listing of the same object must
// agree on every record's section, index, program, instruction, offset, kind, root type,
// access string and local spec text (libbpf's `bpf_core_format_spec`). The local spec does
// not depend on the kernel, so one kernel suffices. The big-endian build of each fixture must
// list the same records. The oracle is built here; the test fails when it cannot be.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readBtfFile, repoRoot, testdataKernels } from './helpers/kernels.js';

const fixtures = join(repoRoot, 'testdata/objects');
const cli = join(repoRoot, 'bin/btfkit.js');
const KERNEL = 'linux-6.1.0-56-amd64.btf.gz';

interface OracleRecord {
  sec: string; relo: number; prog: string | null; insn: number; insn_off: number; kind_id: number;
  type_id: number; access: string; spec: string | null; result: 'patched' | 'poisoned' | 'error' | 'not_reached';
}
interface OurRecord {
  sec: string; relo: number; prog: string | null; insn: number | null; insn_off: number; kind: number; kind_name: string;
  type_id: number; type_name: string | null; access: string; spec: string | null; error: string | null;
}

function ours(file: string): OurRecord[] {
  const out = execFileSync(process.execPath, [cli, 'relocs', join(fixtures, file), '--json'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as OurRecord);
}

let oracle = '';
let kernel = '';
beforeAll(() => {
  const tmp = mkdtempSync(join(tmpdir(), 'btfkit-relocs-libbpf-'));
  // Fails (and so fails the suite) when the oracle cannot be built.
  execFileSync('sh', [resolve(repoRoot, '../shared/oracle/build.sh')], { env: { ...process.env, OUT: tmp }, stdio: 'pipe' });
  oracle = join(tmp, 'libbpf-oracle');
  kernel = join(tmp, KERNEL.replace(/\.gz$/, ''));
  writeFileSync(kernel, readBtfFile(join(testdataKernels, KERNEL)));
});

/** libbpf's records; exit 0 (CO-RE done) and 2 (a CO-RE error, reported per record) both give every record. */
function libbpf(file: string): OracleRecord[] {
  const r = spawnSync(oracle, ['--fake-bpf', join(fixtures, file), kernel], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 2) throw new Error(`libbpf-oracle ${file}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as OracleRecord);
}

const withCore = readdirSync(fixtures).filter((f) => f.endsWith('-bpfel.o')).sort().filter((f) => ours(f).length > 0);

it('has fixtures with CO-RE records', () => {
  expect(withCore.length).toBeGreaterThan(0);
});

describe.each(withCore)('%s', (file) => {
  it('lists every record as libbpf does', () => {
    const theirs = libbpf(file);
    const mine = ours(file);
    expect(mine.length).toBe(theirs.length);
    theirs.forEach((t, i) => {
      const m = mine[i]!;
      const where = `${file} ${t.sec} relo #${t.relo}`;
      expect({ sec: m.sec, relo: m.relo, insn: m.insn, insn_off: m.insn_off, kind_id: m.kind, type_id: m.type_id, access: m.access }, where)
        .toEqual({ sec: t.sec, relo: t.relo, insn: t.insn, insn_off: t.insn_off, kind_id: t.kind_id, type_id: t.type_id, access: t.access });
      // The oracle names the program from libbpf's log, or computes it for main programs.
      if (t.prog !== null) expect(m.prog, where).toBe(t.prog);
      // libbpf prints the local spec for every record it reaches; a record it never reached
      // (an earlier CO-RE error stopped it) has none to compare.
      if (t.result !== 'not_reached') {
        expect(t.spec, `${where}: libbpf printed no spec`).not.toBeNull();
        expect(m.spec, where).toBe(t.spec);
        expect(m.error, where).toBeNull();
      }
    });
    // The fixtures are laid out so that libbpf reaches every record on this kernel.
    expect(theirs.filter((t) => t.result === 'not_reached').map((t) => `${t.sec} #${t.relo}`)).toEqual([]);
  });

  it('lists the same records for the big-endian build', () => {
    const el = ours(file);
    const eb = ours(file.replace('-bpfel.o', '-bpfeb.o'));
    // Every distinct record of one build is one of the other.
    const distinct = (rs: OurRecord[]): string[] => [...new Set(rs.map(({ relo: _r, insn: _i, insn_off: _o, ...rest }) => JSON.stringify(rest)))].sort();
    expect(distinct(eb)).toEqual(distinct(el));
    // And record for record, except where bpf_core_read.h's code differs by byte order: on
    // big-endian targets BPF_CORE_READ_BITFIELD_PROBED reads into the low-order bytes of a u64
    // and so uses the field's BYTE_SIZE twice (__CORE_BITFIELD_PROBE_READ).
    const source = readFileSync(join(fixtures, file.replace('-bpfel.o', '.c')), 'utf8');
    if (!source.includes('BPF_CORE_READ_BITFIELD_PROBED')) expect(eb).toEqual(el);
  });
});

// libbpf formats a spec into a 256-byte buffer (bpf_core_format_spec), so its text, kind tag
// included, stops at 255 bytes; so does formatSpec.
it('truncates long specs at 255 bytes, kind tag included, as libbpf does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btfkit-long-spec-'));
  const a = 'a'.repeat(120);
  writeFileSync(join(dir, 'long.c'), `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct in1 { int ${a}_x; } __attribute__((preserve_access_index));
struct task_struct___${a} { int pid; struct in1 ${a}_y; } __attribute__((preserve_access_index));
SEC("kprobe/x") int p(struct task_struct___${a} *t) { return bpf_core_field_exists(t->${a}_y.${a}_x); }
char LICENSE[] SEC("license") = "GPL";
`);
  const obj = join(dir, 'long.o');
  execFileSync('clang-19', ['-g', '-O2', '-target', 'bpfel', `-I/usr/include/${execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim()}-linux-gnu`, '-c', join(dir, 'long.c'), '-o', obj]);
  const r = spawnSync(oracle, ['--fake-bpf', obj, kernel], { encoding: 'utf8' });
  const theirs = JSON.parse(r.stdout.split('\n')[0]!) as OracleRecord;
  expect(theirs.spec!.length).toBe(255 - '<field_exists> '.length);
  const mine = JSON.parse(execFileSync(process.execPath, [cli, 'relocs', obj, '--json'], { encoding: 'utf8' }).split('\n')[0]!) as OurRecord;
  expect(mine.spec).toBe(theirs.spec);
});
