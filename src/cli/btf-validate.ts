/** `btfkit btf validate FILE... [--base-btf BASE]` */
import { parse, readBytes, UsageError, type Command } from './command.js';

export const btfValidateCommand: Command = {
  path: ['btf', 'validate'],
  summary: "check BTF as the kernel's BTF verifier does",
  help: `usage: btfkit btf validate FILE... [--base-btf BASE] [--json]

Checks each FILE with the rules of the kernel's BTF verifier (kernel/bpf/btf.c) and prints
FILE<TAB>ok or FILE<TAB>error<TAB>message. Exit 0 when all are valid, 1 otherwise.`,
  async run(args) {
    const { values, positionals } = parse(args, { 'base-btf': { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length === 0) throw new UsageError('expected at least one FILE');
    const { validateFiles } = await import('./validate-impl.js');
    return validateFiles(positionals, values['base-btf'], values.json === true, readBytes);
  },
};
