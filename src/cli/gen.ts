/** `btfkit gen c [--btf FILE] TYPE...` */
import { Btf } from '../btf/btf.js';
import { dumpC } from '../btf/dump-c.js';
import { findTypeByCName, subsetBtf } from '../btf/subset.js';
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
