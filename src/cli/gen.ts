/** `btfkit gen c [--btf FILE] TYPE...` and `btfkit gen ts [--btf FILE] TYPE...` */
import { writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { basename } from 'node:path';
import { Btf } from '../btf/btf.js';
import { dumpC } from '../btf/dump-c.js';
import { findTypeByCName, subsetBtf } from '../btf/subset.js';
import { generateTs, type GenTsFlavor } from '../gen/ts.js';
import { RUNNING_KERNEL_BTF, openBtfFile, parse, UsageError, writeStdout, type Command } from './command.js';

export const genCommand: Command = {
  path: ['gen', 'c'],
  summary: 'write a minimal C header (vmlinux.h subset) for named kernel types',
  help: `usage: btfkit gen c [--btf FILE] [--base-btf BASE] [--no-helper-types] TYPE...

Writes a C header with the named types (e.g. 'struct task_struct'), everything they contain by
value, and forward declarations for structs reached only through pointers, as bpftool would
print them, with preserve_access_index so clang-19 emits CO-RE records. The typedefs that
<bpf/bpf_helper_defs.h> expects (__u32, __be16, __wsum, ...) are included unless
--no-helper-types, so the header replaces vmlinux.h. FILE defaults to the running kernel's BTF.`,
  async run(args) {
    const { values, positionals } = parse(args, { btf: { type: 'string' }, 'base-btf': { type: 'string' }, 'no-helper-types': { type: 'boolean' } });
    if (positionals.length === 0) throw new UsageError('expected at least one TYPE, e.g. "struct task_struct"');
    const btf = openBtfFile(values.btf ?? RUNNING_KERNEL_BTF, values['base-btf']);
    // The typedefs <bpf/bpf_helper_defs.h> expects from vmlinux.h, so the header can replace it.
    const helperTypes = ['__s8', '__u8', '__s16', '__u16', '__s32', '__u32', '__s64', '__u64', '__be16', '__be32', '__be64', '__le16', '__le32', '__le64', '__wsum', '__sum16']
      .flatMap((n) => btf.findByName(n, 'typedef').slice(0, 1));
    const roots = [...positionals.map((n) => findTypeByCName(btf, n)), ...(values['no-helper-types'] === true ? [] : helperTypes)];
    dumpC(Btf.parse(subsetBtf(btf, roots)), (chunk) => writeStdout(chunk));
    return 0;
  },
};

/** How a BTF file is named in generated comments: its file name, or the running kernel's release. */
function sourceLabel(path: string | undefined): string {
  return path === undefined ? `the running kernel (${release()})` : basename(path);
}

export const genTsCommand: Command = {
  path: ['gen', 'ts'],
  summary: 'write a TypeScript module of typed relocatable getters for named kernel structs',
  help: `usage: btfkit gen ts [--btf FILE] [--base-btf BASE] [--deep] [--flavor SUFFIX=FILE]...
                    [--import MODULE] [-o OUT.ts] TYPE...

Writes a TypeScript module with a typed getter per field of the named structs and unions and of
everything they contain by value (nested structs, anonymous unions, arrays, bitfields), for
programs built with btfkit/emit: task_struct.pid(p, task, out) emits the relocatable read and
returns a Read<number> whose decode() gives Ok(Some)/Ok(None)/Err(SizeMismatch)/Err(ProbeRead).
Pointer fields to a generated type give a KernelPtr in a register and read through the pointer
(task_struct.real_parent.tgid). The module declares the local BTF types it needs; using it needs
no kernel BTF. See docs/gen-ts.md.

TYPE is NAME, 'struct NAME' or 'union NAME'; NAME___SUFFIX is a flavor (a local variant that
relocates to the kernel's NAME); a trailing :FIELD,FIELD keeps only those members.

  --btf FILE            BTF to generate from (default: the running kernel, ${RUNNING_KERNEL_BTF})
  --base-btf BASE       base BTF of a split (module) BTF
  --deep                also every struct and union reached through pointers, transitively
  --flavor SUFFIX=FILE  generate NAME___SUFFIX types from FILE (another kernel's BTF)
  --import MODULE       module to import the builder from (default btfkit/emit)
  -o OUT                write to OUT instead of stdout`,
  async run(args) {
    const { values, positionals } = parse(args, {
      btf: { type: 'string' }, 'base-btf': { type: 'string' }, deep: { type: 'boolean' },
      flavor: { type: 'string', multiple: true }, import: { type: 'string' }, output: { type: 'string', short: 'o' },
    });
    if (positionals.length === 0) throw new UsageError('expected at least one TYPE, e.g. task_struct');
    const btf = openBtfFile(values.btf ?? RUNNING_KERNEL_BTF, values['base-btf']);
    const flavors: Record<string, GenTsFlavor> = {};
    for (const f of values.flavor ?? []) {
      const m = /^([A-Za-z0-9_]+)=(.+)$/.exec(f);
      if (m === null) throw new UsageError(`--flavor ${f}: expected SUFFIX=FILE, e.g. v6_1=linux-6.1.btf`);
      flavors[m[1]!] = { btf: openBtfFile(m[2]!, values['base-btf']), source: sourceLabel(m[2]!) };
    }
    const text = generateTs(btf, positionals, {
      deep: values.deep === true, source: sourceLabel(values.btf), flavors,
      ...(values.import !== undefined ? { importFrom: values.import } : {}),
    });
    if (values.output !== undefined) writeFileSync(values.output, text);
    else writeStdout(text);
    return 0;
  },
};
