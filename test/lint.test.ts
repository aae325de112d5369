// `btfkit lint`: each planted fixture in testdata/lint gives exactly its finding (code, kernel,
// field, program, instruction) and its exit code through the CLI; each clean fixture gives
// none; what lint says about the committed objects is listed and explained; bad input is a
// BtfkitError with a stable code, never a stack trace; the interpreter terminates on loops and
// hostile code.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf, isBtfkitError } from 'btfkit';
import { parseObject } from 'btfkit/object';
import { aluImm, call, exit, jumpImm, ja, load, store, type Insn } from 'btfkit/asm';
import { POISON_IMM } from 'btfkit/core';
import { analyzeProgram, createLinter, lintObject, LINT_EXIT, LintCodes, type FnCode, type InterpEnv, type LintFinding, type LintReport } from 'btfkit/lint';
import { readBtfFile, repoRoot, testdataKernels } from './helpers/kernels.js';
import { libbpfDecisions } from './helpers/oracle.js';

const bin = join(repoRoot, 'bin/btfkit.js');
const lintDir = join(repoRoot, 'testdata/lint');
const S390 = 'linux-6.1.0-50-s390x';
const K61 = 'linux-6.1.0-56-amd64';
const K612 = 'linux-6.12.117-amd64';
const ALL = [S390, K61, K612];

function lint(args: string[]): { status: number | null; report: LintReport; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'lint', ...args, '--kernels', testdataKernels, '--json'], { encoding: 'utf8' });
  return { status: r.status, report: (r.stdout === '' ? undefined : JSON.parse(r.stdout)) as LintReport, stderr: r.stderr };
}

/** A finding reduced to what the tests pin: code, kernel, program, section, instruction, field, change. */
type Pin = [code: string, kernel: string, program: string, section: string, insn: number, field: string | null, change: string];
const pin = (f: LintFinding): Pin => [f.code, f.kernel, f.program, f.section, f.insn, f.field ?? null, f.change];
const onKernels = (kernels: readonly string[], p: (k: string) => Pin): Pin[] => kernels.map(p);
const sorted = (pins: Pin[]): Pin[] => [...pins].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const HARDCODED_THERE: Record<string, string> = {
  [S390]: 'last_switch_time (long unsigned int, 8 bytes)',
  [K61]: 'pid (pid_t, 4 bytes)',
  [K612]: 'restart_block.futex.time (u64, 8 bytes)',
};
const TASK_ID: Record<string, number> = { [S390]: 245, [K61]: 193, [K612]: 112 };

/** Every planted fixture: its exit code and exactly the findings it gives (the same for bpfel and bpfeb). */
const PLANTED: Record<string, { exit: number; pins: Pin[] }> = {
  // inode.i_state: unsigned long in 6.1, unsigned int in 6.12; BPF_CORE_READ reads 8 bytes (insn #6 is the call)
  // ... and a load through &inode->i_state, whose width libbpf does not adjust (the record is on insn #0)
  size_changed: {
    exit: 1,
    pins: [
      ['LINT_SIZE_CHANGED', K612, 'state_on_iput', 'fentry/iput', 6, '[6] struct inode.i_state (0:0 @ offset 0)', 'size 8 -> 4'],
      ['LINT_SIZE_CHANGED', K612, 'state_through_pointer', 'fentry/iput', 3, '[6] struct inode.i_state (0:0 @ offset 0)', 'size 8 -> 4'],
    ],
  },
  // a local `long pid` where every kernel has a 4-byte pid
  size_flavor: { exit: 1, pins: onKernels(ALL, (k) => ['LINT_SIZE_CHANGED', k, 'wide_pid', 'kprobe/do_exit', 7, '[5] struct task_struct___mine.pid (0:0 @ offset 0)', 'size 8 -> 4']) },
  // net_device.napi_defer_hard_irqs: int in 6.1, unsigned int in 6.12; probe read and direct load
  signedness: {
    exit: 1,
    pins: [
      ['LINT_SIGNEDNESS_CHANGED', K612, 'probe_read_sign', 'kprobe/dev_get_stats', 6, '[5] struct net_device.napi_defer_hard_irqs (0:0 @ offset 0)', 'signed -> unsigned (int -> unsigned int)'],
      ['LINT_SIGNEDNESS_CHANGED', K612, 'direct_sign', 'fentry/dev_get_stats', 1, '[5] struct net_device.napi_defer_hard_irqs (0:0 @ offset 0)', 'signed -> unsigned (int -> unsigned int)'],
    ],
  },
  // task_struct + 2416 without CO-RE: a probe read of bpf_get_current_task() and a direct tp_btf load
  hardcoded: {
    exit: 1,
    pins: ALL.flatMap((k): Pin[] => [
      ['LINT_HARDCODED_OFFSET', k, 'current_pid', 'kprobe/do_exit', 8, 'struct task_struct + 2416', HARDCODED_THERE[k]!],
      ['LINT_HARDCODED_OFFSET', k, 'next_pid', 'tp_btf/sched_switch', 1, 'struct task_struct + 2416', HARDCODED_THERE[k]!],
    ]),
  },
  // an unguarded read of a field no kernel has: the poisoned `r1 = <offset>` (insn #1) is reached,
  // in the program, in the .text subprogram another program calls, in a bpf_loop() callback
  poison_reachable: {
    exit: 2,
    pins: ALL.flatMap((k): Pin[] => ([['unguarded', 'kprobe/do_exit'], ['through_subprog', '.text'], ['in_callback', '.text']] as const).map(([prog, sec]): Pin =>
      ['LINT_POISON_REACHABLE', k, prog, sec, 1, '[5] struct task_struct___x.no_such_field (0:0 @ offset 0)', `does not resolve: struct task_struct [${TASK_ID[k]!}] has no field 'no_such_field'`])),
  },
  // sock.sk_gso_type: int in 6.1, unsigned short in 6.12; the direct load is poisoned on 6.12
  size_unadjustable: { exit: 2, pins: [['LINT_SIZE_UNADJUSTABLE', K612, 'gso_type', 'fentry/tcp_close', 1, '[6] struct sock.sk_gso_type (0:0 @ offset 0)', 'size 4 -> 2 (int -> short unsigned int)']] },
  // two struct elf_thread_core_info with `notes` at different offsets: libbpf fails even bpf_core_field_exists()
  relo_failed: {
    exit: 2,
    pins: [
      ['LINT_RELO_FAILED', S390, 'notes_exist', 'kprobe/do_exit', 0, '[5] struct elf_thread_core_info.notes (0:0 @ offset 0)', 'FIELD_EXISTS fails (-EINVAL): ambiguous: candidates [34014] and [34062] put the field at bit offsets 2816 and 1920'],
      ['LINT_RELO_FAILED', K61, 'notes_exist', 'kprobe/do_exit', 0, '[5] struct elf_thread_core_info.notes (0:0 @ offset 0)', 'FIELD_EXISTS fails (-EINVAL): ambiguous: candidates [71842] and [87640] put the field at bit offsets 2496 and 2816'],
      ['LINT_RELO_FAILED', K612, 'notes_exist', 'kprobe/do_exit', 0, '[5] struct elf_thread_core_info.notes (0:0 @ offset 0)', 'FIELD_EXISTS fails (-EINVAL): ambiguous: candidates [48531] and [48577] put the field at bit offsets 2816 and 2496'],
    ],
  },
  // task_struct___rec stored into a map value (insn #10) and a stack record (insns #13, #15)
  relocated_store: {
    exit: 1,
    pins: ALL.flatMap((k): Pin[] => {
      const pid = { [S390]: 1928, [K61]: 2416, [K612]: 2432 }[k]!;
      return [
        ['LINT_RELOCATED_STORE', k, 'record', 'kprobe/do_exit', 10, '[9] struct task_struct___rec.pid (0:0 @ offset 0)', `offset 0 -> ${pid}`],
        ['LINT_RELOCATED_STORE', k, 'record', 'kprobe/do_exit', 13, '[9] struct task_struct___rec.pid (0:0 @ offset 0)', `offset 0 -> ${pid}`],
        ['LINT_RELOCATED_STORE', k, 'record', 'kprobe/do_exit', 15, '[9] struct task_struct___rec.tgid (0:1 @ offset 4)', `offset 4 -> ${pid + 4}`],
      ];
    }),
  },
};
const CLEAN = ['clean_guard', 'clean_core_read', 'clean_field_size', 'clean_btf_direct'];

describe('testdata/lint', () => {
  const sources = readdirSync(lintDir).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();

  it('has one entry here per fixture: planted or clean', () => {
    expect(sources).toEqual([...Object.keys(PLANTED), ...CLEAN].sort());
  });

  it.each(Object.entries(PLANTED))('%s gives exactly its findings, for both byte orders, and its exit code', (name, want) => {
    const objs = ['bpfel', 'bpfeb'].map((t) => join(lintDir, `${name}-${t}.o`));
    const { status, report, stderr } = lint(objs);
    expect(stderr).toBe('');
    expect(status).toBe(want.exit);
    expect(report.exitCode).toBe(want.exit);
    expect(report.kernels).toEqual(ALL);
    for (const t of ['bpfel', 'bpfeb']) {
      const mine = report.findings.filter((f) => f.object === `${name}-${t}.o`);
      expect(sorted(mine.map(pin)), `${name}-${t}`).toEqual(sorted(want.pins));
      for (const f of mine) {
        expect(f.severity).toBe(f.code === 'LINT_POISON_REACHABLE' || f.code === 'LINT_SIZE_UNADJUSTABLE' || f.code === 'LINT_RELO_FAILED' ? 'error' : 'warning');
        if (f.section !== '.text') expect(f.function).toBe(f.program);
        expect(f.message.length).toBeGreaterThan(20);
      }
    }
  });

  it('names the CO-RE record behind a finding: the `r2 = <offset>` of a probe read, the load itself for a direct load', () => {
    const { report } = lint([join(lintDir, 'size_changed-bpfel.o'), join(lintDir, 'signedness-bpfel.o')]);
    const size = report.findings.find((f) => f.code === LintCodes.SIZE_CHANGED)!;
    expect(size.relocation).toEqual({ section: 'fentry/iput', index: 0, function: 'state_on_iput', insn: 0 });
    const direct = report.findings.find((f) => f.program === 'direct_sign')!;
    expect(direct.relocation).toEqual({ section: 'fentry/dev_get_stats', index: 0, function: 'direct_sign', insn: 1 });
  });

  it('counts instructions in the function (as libbpf logs) and in the section (as btfkit disasm), and names the subprogram', () => {
    const { report } = lint([join(lintDir, 'size_changed-bpfel.o'), join(lintDir, 'poison_reachable-bpfel.o')]);
    const at = (program: string): string[] => [...new Set(report.findings.filter((f) => f.program === program).map((f) => `${f.function} ${f.section} #${f.insn} #${f.sectionInsn}`))];
    expect(at('state_through_pointer')).toEqual(['state_through_pointer fentry/iput #3 #16']);
    expect(at('through_subprog')).toEqual(['read_missing .text #1 #1']);
    expect(at('in_callback')).toEqual(['loop_body .text #1 #10']);
  });

  it('says when the kernels disagree on the field at a hard-coded offset', () => {
    const { report } = lint([join(lintDir, 'hardcoded-bpfel.o')]);
    for (const f of report.findings) expect(f.message).toContain('the kernels do not agree on which field is there');
  });

  it('reads objects without BTF too: hard-coded offsets need no CO-RE records', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'btfkit-lint-nobtf-'));
    const obj = join(tmp, 'hardcoded-nobtf.o');
    // the fixture's build without -g: no .BTF, no .BTF.ext
    spawnSync('clang-19', ['-O2', '-target', 'bpfel', '-mcpu=v3', `-I/usr/include/${spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout.trim()}-linux-gnu`, '-c', join(lintDir, 'hardcoded.c'), '-o', obj]);
    expect(parseObject(new Uint8Array(readFileSync(obj))).btf).toBeUndefined();
    const { status, report } = lint([obj]);
    expect(status).toBe(1);
    expect(sorted(report.findings.map(pin))).toEqual(sorted(PLANTED['hardcoded']!.pins));
  });

  it('finds nothing in the clean fixtures (exit 0)', () => {
    const { status, report, stderr } = lint(CLEAN.flatMap((c) => ['bpfel', 'bpfeb'].map((t) => join(lintDir, `${c}-${t}.o`))));
    expect(stderr).toBe('');
    expect(report.findings).toEqual([]);
    expect(status).toBe(LINT_EXIT.CLEAN);
  });

  it('prints text: per object, one entry per finding with what changed on which kernels', () => {
    const r = spawnSync(process.execPath, [bin, 'lint', join(lintDir, 'hardcoded-bpfel.o'), join(lintDir, 'clean_guard-bpfel.o'), '--kernels', testdataKernels], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('hardcoded-bpfel.o: 6 warnings');
    expect(lines[1]).toBe("  warning LINT_HARDCODED_OFFSET prog 'current_pid' insn #8 (sec kprobe/do_exit insn #8)");
    expect(lines[2]).toBe('      struct task_struct + 2416');
    expect(lines.slice(3, 6)).toEqual(ALL.map((k) => `      ${HARDCODED_THERE[k]!}  [${k}]`));
    expect(r.stdout).toContain('clean_guard-bpfel.o: clean\n');
    expect(r.stdout).toContain(`0 errors, 6 warnings (counted per kernel) in 1 of 2 objects, on 3 kernels: ${ALL.join(', ')}\n`);
  });

  it('agrees with libbpf on what each fixture relocation does on each kernel (poisoned, failed, patched)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'btfkit-lint-'));
    for (const k of ALL) {
      const raw = join(tmp, `${k}.btf`);
      writeFileSync(raw, readBtfFile(join(testdataKernels, `${k}.btf.gz`)));
      const btf = Btf.parse(readBtfFile(join(testdataKernels, `${k}.btf.gz`)));
      for (const name of ['poison_reachable', 'size_unadjustable', 'relo_failed', 'clean_guard', 'size_changed', 'signedness', 'clean_btf_direct']) {
        const obj = join(lintDir, `${name}-bpfel.o`);
        const records = libbpfDecisions(obj, raw);
        const theirs = records.map((o) => o.result);
        // the width of a load is adjusted only where the record is on the load (clean_btf_direct's
        // i_state on 6.12); signedness alone (signedness.c) and ALU records (size_changed.c) never are
        const adjusted = records.filter((o) => o.mem_sz !== null).map((o) => `${o.prog} #${o.insn} ${o.mem_sz!.from}->${o.mem_sz!.to}`);
        expect(adjusted, `${name} on ${k}`).toEqual(name === 'clean_btf_direct' && k === K612 ? ['direct_state #1 8->4'] : []);
        const findings = lintObject(parseObject(new Uint8Array(readFileSync(obj))), [{ name: k, targets: [{ name: 'vmlinux', btf }] }]);
        if (theirs.includes('error')) expect(findings.map((f) => f.code), `${name} on ${k}`).toContain(LintCodes.RELO_FAILED);
        else if (name === 'poison_reachable' || (name === 'size_unadjustable' && k === K612)) expect(theirs, `${name} on ${k}`).toContain('poisoned');
        else if (name === 'clean_guard') expect(theirs).toEqual(['patched', 'poisoned', 'patched']);
        else expect(theirs.every((t) => t === 'patched'), `${name} on ${k}`).toBe(true);
      }
    }
  });
});

describe('btfkit lint on the committed objects', () => {
  it('lists what it finds in testdata/objects and examples/objects, every finding explained', () => {
    const objects = [
      ...readdirSync(join(repoRoot, 'testdata/objects')).filter((f) => f.endsWith('.o')).sort().map((f) => join(repoRoot, 'testdata/objects', f)),
      ...readdirSync(join(repoRoot, 'examples/objects')).filter((f) => f.endsWith('.o')).sort().map((f) => join(repoRoot, 'examples/objects', f)),
    ];
    const { status, report } = lint(objects);
    expect(status).toBe(LINT_EXIT.ERRORS);
    const got = report.findings.map((f) => `${f.object} ${f.code} ${f.kernel} ${f.program}#${f.insn} ${f.field ?? ''}`);
    const both = (o: string, rest: string): string[] => ['bpfeb', 'bpfel'].map((t) => `${o}-${t}.o ${rest}`);
    expect(got.sort()).toEqual([
      // core_enums.c: "an unsigned enum with a value above INT_MAX (x86 only)": libbpf's sign
      // extension makes the ENUMVAL_VALUE check fail on amd64, so the object does not load there ...
      ...both('core_enums', `LINT_RELO_FAILED ${K61} e820#0 [10] enum e820_type::E820_TYPE_SOFT_RESERVED = 4026531839`),
      ...both('core_enums', `LINT_RELO_FAILED ${K612} e820#0 [10] enum e820_type::E820_TYPE_SOFT_RESERVED = 4026531839`),
      // ... and on s390x, which has no enum e820_type, its ENUMVAL_VALUE is poisoned and reached
      ...both('core_enums', `LINT_POISON_REACHABLE ${S390} e820#0 [10] enum e820_type::E820_TYPE_SOFT_RESERVED = 4026531839`),
      // the enumerator no kernel has is read unguarded (bpf_core_enum_value, no _exists check)
      ...both('core_enums', `LINT_POISON_REACHABLE ${S390} func_ids#11 [6] enum bpf_func_id___new::BPF_FUNC_btfkit_missing___new = 9999`),
      // core_mix.c reads the field no kernel has with an unguarded BPF_CORE_READ (out[14])
      ...ALL.flatMap((k) => both('core_mix', `LINT_POISON_REACHABLE ${k} prog#95 [5] struct task_struct.nonexistent_field (0:6 @ offset 48)`)),
      // tcpconnect.bpf.c is built for x86 (PT_REGS_PARM1 is pt_regs.di): s390x's pt_regs has no di
      `tcpconnect.bpf.o LINT_POISON_REACHABLE ${S390} count_connect#1 [16] struct pt_regs.di (0:0 @ offset 0)`,
    ].sort());
    // Not reported, on purpose: core_fields.c's task_struct___old.state and taskstate.bpf.c's
    // state are poisoned everywhere but behind bpf_core_field_exists(); core_fields.c's comm[3]
    // is a plain char (signed in the program, unsigned in 6.12 and on s390x: -funsigned-char).
  });
});

describe('kernel selection', () => {
  it('is the one of btfkit check: without --kernels, the running kernel (when it has BTF) and testdata/kernels', () => {
    const r = spawnSync(process.execPath, [bin, 'lint', join(lintDir, 'clean_core_read-bpfel.o'), '--json'], { encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as LintReport;
    expect(report.kernels).toEqual([...(existsSync('/sys/kernel/btf/vmlinux') ? ['running kernel'] : []), ...ALL]);
  });

  it('takes files and folds module BTFs into their kernel', () => {
    const r = spawnSync(process.execPath, [bin, 'lint', join(lintDir, 'clean_core_read-bpfel.o'), '--kernels', join(testdataKernels, `${K61}.btf.gz`), '--kernels', join(testdataKernels, `${K61}.tcp_bbr.btf.gz`), '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as LintReport).kernels).toEqual([K61]);
  });
});

describe('bad input', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'btfkit-lint-bad-'));
  const good = readFileSync(join(lintDir, 'size_changed-bpfel.o'));
  const cases: [string, Uint8Array, string][] = [
    ['not ELF', new TextEncoder().encode('not an object\n'), 'ELF_MALFORMED'],
    ['truncated', good.subarray(0, 600), 'ELF_MALFORMED'],
    ['an ELF for another machine', (() => { const b = new Uint8Array(good); new DataView(b.buffer).setUint16(18, 62, true); return b; })(), 'OBJECT_MALFORMED'],
  ];

  it.each(cases)('%s: a BtfkitError with a stable code, exit 2, no stack trace', (what, bytes, code) => {
    const file = join(tmp, `${what.replace(/ /g, '_')}.o`);
    writeFileSync(file, bytes);
    const r = spawnSync(process.execPath, [bin, 'lint', file, '--kernels', testdataKernels], { encoding: 'utf8' });
    expect(r.status).toBe(LINT_EXIT.ERRORS);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^btfkit lint: error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .* \\[${code}\\]\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    let thrown: unknown;
    try {
      lintObject(parseObject(bytes), []);
    } catch (e) {
      thrown = e;
    }
    expect(isBtfkitError(thrown, code as never)).toBe(true);
  });

  it('a kernel BTF that is not BTF: exit 2 with its code', () => {
    const file = join(tmp, 'bogus.btf');
    writeFileSync(file, 'nope');
    const r = spawnSync(process.execPath, [bin, 'lint', join(lintDir, 'clean_guard-bpfel.o'), '--kernels', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\[BTF_BAD_MAGIC\]\n$/);
  });

  it('usage errors exit 64 (2 means errors found), with the help', () => {
    for (const args of [[], ['--bogus', 'x.o']]) {
      const r = spawnSync(process.execPath, [bin, 'lint', ...args], { encoding: 'utf8' });
      expect(r.status).toBe(LINT_EXIT.USAGE);
      expect(r.stderr).toContain('usage: btfkit lint OBJ...');
    }
    const help = spawnSync(process.execPath, [bin, 'lint', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit: 0 no finding, 1 warnings only, 2 errors');
  });

  it('mutated objects give findings or a BtfkitError, never another exception or a hang', () => {
    const btf = Btf.parse(readBtfFile(join(testdataKernels, `${K61}.btf.gz`)));
    const kernels = [{ name: K61, targets: [{ name: 'vmlinux', btf }] }];
    const seeds = ['relocated_store-bpfel.o', 'clean_guard-bpfeb.o', 'hardcoded-bpfel.o'].map((f) => new Uint8Array(readFileSync(join(lintDir, f))));
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const tally = { ok: 0, rejected: 0 };
    const start = Date.now();
    for (let i = 0; i < 1500; i++) {
      const base = seeds[i % seeds.length]!;
      const obj0 = parseObject(base);
      const b = new Uint8Array(base);
      // aim most mutations at the instructions and the .BTF.ext records, the rest anywhere
      const text = obj0.elf.sections.filter((s) => (s.flags & 4n) !== 0n && s.size > 0);
      const ext = obj0.elf.section('.BTF.ext');
      const regions = [...text, ...(ext === undefined ? [] : [ext])].map((s) => [s.offset, s.size] as const);
      for (let m = 0; m < 1 + rand(4); m++) {
        const [off, size] = rand(4) === 0 ? [0, b.length] : regions[rand(regions.length)]!;
        b[off + rand(size)] = rand(256);
      }
      try {
        lintObject(parseObject(b), kernels, { maxSteps: 20_000 });
        tally.ok++;
      } catch (e) {
        if (!isBtfkitError(e)) throw e;
        tally.rejected++;
      }
    }
    expect(tally.ok).toBeGreaterThan(500);
    expect(Date.now() - start).toBeLessThan(60_000);
  });
});

describe('the interpreter', () => {
  /** A one-function program from instructions (an LD_IMM64 would take two slots; none here). */
  const program = (insns: Insn[]): { env: InterpEnv; fn: FnCode } => {
    const fn: FnCode = { name: 'f', section: 'kprobe/x', insns };
    const env: InterpEnv = {
      fn: (n) => (n === 'f' ? fn : undefined), calleeAt: () => undefined, recordAt: () => undefined, recordPointee: () => undefined,
      isOffsetRecord: () => false, ctxArg: () => undefined, ldImm64At: () => undefined, kfuncReturn: () => undefined,
    };
    return { env, fn };
  };
  const reachable = (insns: Insn[]): number[] => {
    const { env } = program(insns);
    const a = analyzeProgram('f', env, () => undefined);
    expect(a.complete).toBe(true);
    return [...(a.reachable.get('f') ?? [])].sort((x, y) => x - y);
  };
  const poison = call('helper', POISON_IMM);

  it('takes only the live edge of a branch on a known constant, also through a stack spill', () => {
    // r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = *(u64 *)(r10 - 8); if r2 == 0 goto +1; poison; exit
    expect(reachable([aluImm('alu64', 'mov', 1, 0), store(8, 10, -8, 1), load(8, 2, 10, -8), jumpImm('jmp', 'jeq', 2, 0, 1), poison, exit()])).toEqual([0, 1, 2, 3, 5]);
    // 32-bit compare of the low half: w1 = -1 (0xffffffff); if w1 == -1 goto +1
    expect(reachable([aluImm('alu', 'mov', 1, -1), jumpImm('jmp32', 'jeq', 1, -1, 1), poison, exit()])).toEqual([0, 1, 3]);
    // an unknown value (r1 at entry is the context pointer) takes both edges
    expect(reachable([jumpImm('jmp', 'jeq', 1, 0, 1), poison, exit()])).toEqual([0, 1, 2]);
  });

  it('terminates on loops: counted, infinite, and with a value that changes every iteration', () => {
    // r1 = 0; L: r1 += 1; if r1 < 10 goto L; exit
    expect(reachable([aluImm('alu64', 'mov', 1, 0), aluImm('alu64', 'add', 1, 1), jumpImm('jmp', 'jlt', 1, 10, -2), exit()])).toEqual([0, 1, 2, 3]);
    // goto -1 forever
    expect(reachable([ja(-1)])).toEqual([0]);
    // r1 = 1; L: r1 *= 3; *(u64 *)(r10 - 8) = r1; goto L
    expect(reachable([aluImm('alu64', 'mov', 1, 1), aluImm('alu64', 'mul', 1, 3), store(8, 10, -8, 1), ja(-3)])).toEqual([0, 1, 2, 3]);
  });

  it('tracks bpf_get_current_task() as a task_struct pointer through register moves and constant offsets', () => {
    const { env } = program([call('helper', 35), aluImm('alu64', 'add', 0, 16), load(4, 1, 0, 8), exit()]);
    const seen: string[] = [];
    analyzeProgram('f', env, (_fn, slot, insn, st) => {
      if (insn.kind === 'load') seen.push(`${slot} ${JSON.stringify(st.regs[0])}`);
    });
    expect(seen).toEqual(['2 {"t":"ptr","base":{"b":"kernel","type":{"kind":"struct","name":"task_struct"}},"off":16}']);
  });

  it('gives up within its step budget, and says so', () => {
    const insns: Insn[] = [];
    // a chain of 300 diamonds: both edges of each branch are live
    for (let i = 0; i < 300; i++) insns.push(jumpImm('jmp', 'jeq', 1, i, 1), aluImm('alu64', 'add', 2, 1));
    insns.push(exit());
    const { env } = program(insns);
    expect(analyzeProgram('f', env, () => undefined, { maxSteps: 100 }).complete).toBe(false);
    expect(analyzeProgram('f', env, () => undefined).complete).toBe(true);
  });

  it('reports the step budget as LINT_ANALYSIS_LIMIT', () => {
    const obj = parseObject(new Uint8Array(readFileSync(join(lintDir, 'clean_guard-bpfel.o'))));
    const btf = Btf.parse(readBtfFile(join(testdataKernels, `${K61}.btf.gz`)));
    const f = createLinter(obj, { maxSteps: 3 }).kernel({ name: K61, targets: [{ name: 'vmlinux', btf }] });
    expect(f.map((x) => x.code)).toEqual([LintCodes.ANALYSIS_LIMIT]);
  });
});
