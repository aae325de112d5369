/** `btfkit btf dump [FILE] [--base-btf BASE] [--format raw|c|json] [--engine auto|wasm|js]` */
import { parse, openBtfFile, RUNNING_KERNEL_BTF, UsageError, writeStdout, type Command } from './command.js';

export const btfDumpCommand: Command = {
  path: ['btf', 'dump'],
  summary: 'print BTF as bpftool does (raw), as a C header (c) or as JSON',
  help: `usage: btfkit btf dump [FILE] [--base-btf BASE] [--format raw|c|json] [--engine auto|wasm|js]

FILE defaults to the running kernel's BTF (${RUNNING_KERNEL_BTF}). FILE may be raw BTF or an ELF
object with a .BTF section. --base-btf opens FILE as split BTF (kernel module BTF) on BASE.
  --format raw   bpftool's 'btf dump file FILE' text (default)
  --format c     bpftool's 'btf dump file FILE format c' header
  --format json  one JSON document, see docs/btf-json.md
  --engine E     for --format c: wasm (WebAssembly), js (JavaScript) or auto (the default:
                 wasm where available); both print the same bytes`,
  async run(args) {
    const { values, positionals } = parse(args, {
      'base-btf': { type: 'string' },
      format: { type: 'string', short: 'f', default: 'raw' },
      engine: { type: 'string', default: 'auto' },
    });
    const engine = values.engine;
    if (engine !== 'auto' && engine !== 'wasm' && engine !== 'js') throw new UsageError(`unknown engine '${engine}' (auto, wasm or js)`);
    if (engine !== 'auto' && values.format !== 'c') throw new UsageError('--engine applies to --format c only');
    if (positionals.length > 1) throw new UsageError('expected at most one FILE');
    const file = positionals[0] ?? RUNNING_KERNEL_BTF;
    const btf = openBtfFile(file, values['base-btf']);
    const format = values.format;
    switch (format) {
      case 'raw': {
        await oneShotJit();
        const { dumpRaw } = await import('../btf/dump-raw.js');
        dumpRaw(btf, writeStdout);
        return 0;
      }
      case 'c': {
        // WebAssembly is compiled before it runs: no JIT tuning (see src/btf/dump-c.ts)
        if (engine === 'js') await oneShotJit();
        const { dumpC } = await import('../btf/dump-c.js');
        dumpC(btf, writeStdout, { engine });
        return 0;
      }
      case 'json': {
        await oneShotJit();
        const { dumpJson } = await import('../btf/dump-json.js');
        dumpJson(btf, writeStdout);
        return 0;
      }
      default:
        throw new UsageError(`unknown format '${format}' (raw, c or json)`);
    }
  },
};

/**
 * Tune V8 for a JavaScript dumper that runs once per process (raw and json). Most of such a
 * run happens before TurboFan has optimized the dumper: what matters is how soon optimized code
 * arrives, not how good it is. Without inlining, optimizing jobs are 2 to 3 times smaller, so
 * they finish sooner and take less CPU from the main thread (on 2 cores, V8's compiler threads
 * compete with it): about -50 ms of a whole process for a kernel's BTF. This affects only this
 * process, and only what is optimized from here on. node:v8 is loaded only here: it pulls in
 * Node's streams (a few ms of start-up) that a C dump does not need.
 */
async function oneShotJit(): Promise<void> {
  (await import('node:v8')).setFlagsFromString('--no-turbo-inlining');
}
