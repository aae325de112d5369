/** `btfkit obj OBJ`: a summary of a BPF object. */
import { parse, UsageError, writeStdout, type Command } from './command.js';
import { readObject } from './relocs.js';

export const objCommand: Command = {
  path: ['obj'],
  summary: 'summarize a BPF object: programs, maps, global data, externs, BTF',
  help: `usage: btfkit obj OBJ

Prints what OBJ (a BPF ELF object, clang -target bpf) contains, as libbpf reads it before
loading: programs with their section, program type, expected attach type, instruction count
and CO-RE record count; maps with type, key and value size, max entries, flags and inner map;
global data sections and their sizes; externs; license and kernel version; statistics of .BTF
(types, string bytes) and .BTF.ext (func_info, line_info and CO-RE records and record sizes).
Exit 1 when OBJ is not a well-formed BPF object.`,
  async run(args) {
    const { positionals } = parse(args, {});
    if (positionals.length !== 1) throw new UsageError('expected one OBJ');
    const obj = await readObject(positionals[0]!);
    if (obj === undefined) return 1;
    const { formatObjectSummary } = await import('../object/summary.js');
    writeStdout(formatObjectSummary(obj));
    return 0;
  },
};
