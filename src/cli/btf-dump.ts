/** `btfkit btf dump [FILE] [--base-btf BASE] [--format raw|c|json]` */
import { parse, openBtfFile, RUNNING_KERNEL_BTF, UsageError, writeStdout, type Command } from './command.js';

export const btfDumpCommand: Command = {
  path: ['btf', 'dump'],
  summary: 'print BTF as bpftool does (raw), as a C header (c) or as JSON',
  help: `usage: btfkit btf dump [FILE] [--base-btf BASE] [--format raw|c|json]

FILE defaults to the running kernel's BTF (${RUNNING_KERNEL_BTF}). FILE may be raw BTF or an ELF
object with a .BTF section. --base-btf opens FILE as split BTF (kernel module BTF) on BASE.
  --format raw   bpftool's 'btf dump file FILE' text (default)
  --format c     bpftool's 'btf dump file FILE format c' header
  --format json  one JSON document, see docs/btf-json.md`,
  async run(args) {
    const { values, positionals } = parse(args, {
      'base-btf': { type: 'string' },
      format: { type: 'string', short: 'f', default: 'raw' },
    });
    if (positionals.length > 1) throw new UsageError('expected at most one FILE');
    const file = positionals[0] ?? RUNNING_KERNEL_BTF;
    const btf = openBtfFile(file, values['base-btf']);
    const format = values.format;
    switch (format) {
      case 'raw': {
        const { dumpRaw } = await import('../btf/dump-raw.js');
        dumpRaw(btf, writeStdout);
        return 0;
      }
      case 'c': {
        const { dumpC } = await import('../btf/dump-c.js');
        dumpC(btf, writeStdout);
        return 0;
      }
      case 'json': {
        const { dumpJson } = await import('../btf/dump-json.js');
        dumpJson(btf, writeStdout);
        return 0;
      }
      default:
        throw new UsageError(`unknown format '${format}' (raw, c or json)`);
    }
  },
};
