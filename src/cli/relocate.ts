/** `btfkit relocate OBJ [--target BTF]... [--base-btf B] [--json] [-o OUT.o] [-v]` */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Btf } from '../btf/btf.js';
import { openBtf } from '../btf/load.js';
import { parseObject } from '../object/spec.js';
import { relocateObject, type RelocateResult, type RelocationResult, type TargetBtf } from '../core/relocate.js';
import { writePatchedObject } from '../object/patch.js';
import { loadKernelBtf } from '../kernel/btf.js';
import { parse, readBytes, UsageError, writeStdout, type Command } from './command.js';

export const relocateCommand: Command = {
  path: ['relocate'],
  summary: 'apply CO-RE relocations to an object as libbpf would, and explain each',
  help: `usage: btfkit relocate OBJ [--target BTF]... [--base-btf B] [--json] [-o OUT.o] [-v]

Relocates every CO-RE record of OBJ against the target BTF and prints one line per record.
Without --target: the running kernel's /sys/kernel/btf/vmlinux and its module BTFs (modules
are searched only when vmlinux has no candidate, as libbpf does).
  --target BTF     target BTF (raw or ELF); the first is vmlinux, later ones are module BTFs
  --base-btf B     B is vmlinux and every --target is a module split on it
  --all-programs   also relocate SEC("?...") programs that libbpf would not load
  --json           one JSON object per record (fields in docs/relocate-json.md)
  -o OUT.o         write the patched object
  -v               print libbpf's log lines
Exit: 0 all records patched or poisoned, 1 libbpf would fail the object, 2 usage.`,
  async run(args) {
    const { values, positionals } = parse(args, {
      target: { type: 'string', multiple: true },
      'base-btf': { type: 'string' },
      'all-programs': { type: 'boolean' },
      json: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
    });
    if (positionals.length !== 1) throw new UsageError('expected one OBJ');
    const objPath = positionals[0]!;
    const obj = parseObject(readBytes(objPath));
    const targets = openTargets(values.target ?? [], values['base-btf']);
    const res = relocateObject(obj, { targets, includeNonAutoload: values['all-programs'] === true });
    if (values.verbose === true) for (const l of res.log) process.stderr.write(`libbpf: ${l}\n`);
    if (values.json === true) {
      for (const r of res.results) writeStdout(JSON.stringify(relocationJson(r)) + '\n');
    } else {
      writeStdout(formatTable(res, targets));
    }
    if (values.output !== undefined) {
      if (res.error !== undefined) process.stderr.write(`btfkit: not writing ${values.output}: ${res.error.message}\n`);
      else writeFileSync(values.output, writePatchedObject(obj, res.programs));
    }
    return res.error === undefined ? 0 : 1;
  },
};

/** Open target BTFs: explicit files, or the running kernel. */
export function openTargets(files: readonly string[], basePath: string | undefined): TargetBtf[] {
  if (files.length === 0 && basePath === undefined) return loadKernelBtf();
  const targets: TargetBtf[] = [];
  let vmlinux: Btf | undefined;
  if (basePath !== undefined) {
    vmlinux = openBtf(readBytes(basePath));
    targets.push({ name: 'vmlinux', btf: vmlinux });
  }
  for (const f of files) {
    if (vmlinux === undefined) {
      vmlinux = openBtf(readBytes(f));
      targets.push({ name: 'vmlinux', btf: vmlinux });
    } else {
      targets.push({ name: basename(f).replace(/\.btf$/, ''), btf: openBtf(readBytes(f), { base: vmlinux }) });
    }
  }
  return targets;
}

const big = (x: bigint | undefined): number | string | null => (x === undefined ? null : x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString());

/** The --json form of one result. */
export function relocationJson(r: RelocationResult): Record<string, unknown> {
  const applied = r.patch?.ok === true && !r.patch.poisoned;
  return {
    sec: r.section, relo: r.reloIndex, prog: r.program ?? null, insn: r.insn, insn_off: r.insnOffset,
    kind: r.kind, kind_name: r.kindName, type_id: r.localTypeId, access: r.accessString,
    spec: r.localSpec ?? null, target: r.targetSpec ?? null, result: r.outcome,
    from: applied ? big(r.patch!.from) : null, to: applied ? big(r.patch!.to) : null,
    mem_sz: r.patch?.memSize ?? null, errno: r.errno ?? null,
    candidates: r.candidates.map((c) => ({ btf: c.btfName, id: c.id, name: c.name, match: c.matched, spec: c.spec, ...(c.reason === undefined ? {} : { reason: c.reason }) })),
    explanation: r.explanation, log: r.log[r.log.length - 1] ?? null,
  };
}

function formatTable(res: RelocateResult, targets: readonly TargetBtf[]): string {
  const lines: string[] = [];
  lines.push(`target: ${targets.map((t) => t.name).join(', ')}`);
  for (const r of res.results) {
    const value = r.patch?.ok === true && !r.patch.poisoned ? `${r.patch.from} -> ${r.patch.to}${r.patch.memSize === undefined ? '' : ` (size ${r.patch.memSize.from} -> ${r.patch.memSize.to})`}` : '';
    lines.push(`${r.section} #${r.reloIndex} ${r.program ?? '?'}+${r.insn} ${r.kindName} ${r.localSpec ?? `[${r.localTypeId}] ${r.accessString}`}: ${r.outcome.toUpperCase()}${value === '' ? '' : ` ${value}`}`);
    if (r.outcome !== 'patched' || r.targetSpec === undefined) lines.push(`    ${r.explanation}`);
    else lines.push(`    => ${r.targetSpec}`);
  }
  const count = (o: string): number => res.results.filter((r) => r.outcome === o).length;
  lines.push(`${res.results.length} relocations: ${count('patched')} patched, ${count('poisoned')} poisoned, ${count('error')} failed, ${count('skipped')} skipped, ${count('not_reached')} not reached`);
  if (res.error !== undefined) lines.push(`error: libbpf would fail loading this object: ${res.error.message}`);
  return lines.join('\n') + '\n';
}
