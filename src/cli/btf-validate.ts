/** `btfkit btf validate FILE... [--base-btf BASE] [--json] [--any-byte-order]` */
import { parse, readBytes, UsageError, type Command } from './command.js';

export const btfValidateCommand: Command = {
  path: ['btf', 'validate'],
  summary: "check BTF as the kernel's BTF verifier does",
  help: `usage: btfkit btf validate FILE... [--base-btf BASE] [--json] [--any-byte-order]

Checks each FILE (raw BTF, or the .BTF section of an ELF object) with the rules of the
kernel's BTF verifier (kernel/bpf/btf.c) and prints FILE<TAB>ok or FILE<TAB>error<TAB>message.
With --base-btf, FILE is split BTF checked as the kernel checks module BTF. The kernel takes
only its own byte order; --any-byte-order checks a foreign-order blob in its own order.
--json prints one JSON object per file. Exit 0 when all are valid, 1 otherwise.`,
  async run(args) {
    const { values, positionals } = parse(args, { 'base-btf': { type: 'string' }, json: { type: 'boolean' }, 'any-byte-order': { type: 'boolean' } });
    if (positionals.length === 0) throw new UsageError('expected at least one FILE');
    const { validateFiles } = await import('./validate-impl.js');
    return validateFiles(positionals, values['base-btf'], values.json === true, readBytes, { anyByteOrder: values['any-byte-order'] === true });
  },
};
