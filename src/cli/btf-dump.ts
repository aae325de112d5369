/** `btfkit btf dump [FILE] [--base-btf BASE] [--format raw|c|json]` */
import { setFlagsFromString } from 'node:v8';
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
    // A dump runs once per process, and most of it runs before TurboFan has optimized the
    // dumper: what matters is how soon optimized code arrives, not how good it is. Without
    // inlining, optimizing jobs are 2 to 3 times smaller, so they finish sooner and take less CPU
    // from the main thread (on 2 cores, V8's 4 compiler threads compete with it). Whole process,
    // kernel BTF, 2 cores: -40 to -60 ms of ~270 for `--format c`, about -50 for raw and json.
    // This affects only this process, and only what is optimized from here on.
    setFlagsFromString('--no-turbo-inlining');
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
