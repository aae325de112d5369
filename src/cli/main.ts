/**
 * The `btfkit` command line: parse argv, read files, call pure functions, print, map errors to
 * exit codes (ARCHITECTURE.md rule 11). Each command lives in its own module.
 */
import { isBtfkitError, ErrorCodes } from '../errors.js';
import { UsageError, type Command } from './command.js';

/** Exit codes: 0 ok, 1 the input was rejected or the check failed, 2 usage, 3 internal error. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERNAL: 3 } as const;

/**
 * Commands, loaded on use: a `btf dump` should not pay for compiling the CO-RE engine, the
 * check matrix and the disassembler (about 30 ms of start-up together).
 */
interface LazyCommand {
  readonly path: readonly string[];
  readonly summary: string;
  load(): Promise<Command>;
}

const COMMANDS: readonly LazyCommand[] = [
  { path: ['check'], summary: 'objects x kernels: what loads, what is poisoned, what fails, where values differ', load: async () => (await import('./check.js')).checkCommand },
  { path: ['lint'], summary: 'warn where an object reads the wrong bytes on some kernel, or reaches poisoned code', load: async () => (await import('./lint.js')).lintCommand },
  { path: ['relocate'], summary: 'apply CO-RE relocations to an object as libbpf would, and explain each', load: async () => (await import('./relocate.js')).relocateCommand },
  { path: ['inject'], summary: 'fill .rodata constants with field/type facts of a target kernel', load: async () => (await import('./inject.js')).injectCommand },
  { path: ['relocs'], summary: "list an object's CO-RE records with libbpf's spec text", load: async () => (await import('./relocs.js')).relocsCommand },
  { path: ['obj'], summary: 'summarise a BPF object: programs, maps, globals, externs, BTF', load: async () => (await import('./obj.js')).objCommand },
  { path: ['disasm'], summary: 'disassemble programs with source lines and CO-RE relocations', load: async () => (await import('./disasm.js')).disasmCommand },
  { path: ['gen', 'c'], summary: 'write a minimal C header (vmlinux.h subset) for named kernel types', load: async () => (await import('./gen.js')).genCommand },
  { path: ['gen', 'ts'], summary: 'write a TypeScript module of typed relocatable getters for named kernel structs', load: async () => (await import('./gen.js')).genTsCommand },
  { path: ['btf', 'dump'], summary: 'print BTF as bpftool does (raw), as a C header (c) or as JSON', load: async () => (await import('./btf-dump.js')).btfDumpCommand },
  { path: ['btf', 'validate'], summary: "check BTF as the kernel's BTF verifier does", load: async () => (await import('./btf-validate.js')).btfValidateCommand },
];

function usage(): string {
  const lines = ['usage: btfkit <command> [options]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.path.join(' ').padEnd(16)} ${c.summary}`);
  lines.push('', "run 'btfkit <command> --help' for a command's options");
  return lines.join('\n') + '\n';
}

/** Run the CLI with `argv` (without node and script). Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage());
    return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
  }
  if (argv[0] === '--version') {
    process.stdout.write('btfkit 0.1.0\n');
    return EXIT.OK;
  }
  const entry = COMMANDS.find((c) => c.path.every((p, i) => argv[i] === p));
  if (entry === undefined) {
    process.stderr.write(`btfkit: unknown command '${argv.slice(0, 2).join(' ')}'\n\n${usage()}`);
    return EXIT.USAGE;
  }
  const cmd = await entry.load();
  const rest = argv.slice(cmd.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help + '\n');
    return EXIT.OK;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError || isBtfkitError(e, ErrorCodes.USAGE)) {
      process.stderr.write(`btfkit ${cmd.path.join(' ')}: ${(e as Error).message}\n\n${cmd.help}\n`);
      return EXIT.USAGE;
    }
    if (isBtfkitError(e)) {
      process.stderr.write(`btfkit: error: ${e.message} [${e.code}]\n`);
      return EXIT.FAILED;
    }
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && 'path' in e) {
      process.stderr.write(`btfkit: ${e.message}\n`);
      return EXIT.FAILED;
    }
    throw e;
  }
}
