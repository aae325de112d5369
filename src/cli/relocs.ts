/** `btfkit relocs OBJ [--json]`: every CO-RE relocation record of a BPF object. */
import { isBtfkitError } from '../errors.js';
import type { ObjectSpec } from '../object/spec.js';
import { parse, readBytes, UsageError, writeStdout, type Command } from './command.js';

/**
 * Read and parse a BPF object. On malformed input prints `btfkit: FILE: message [CODE]` to
 * stderr and returns undefined (the caller exits 1); file system errors propagate.
 */
export async function readObject(file: string): Promise<ObjectSpec | undefined> {
  const bytes = readBytes(file);
  const { parseObject } = await import('../object/spec.js');
  try {
    return parseObject(bytes);
  } catch (e) {
    if (!isBtfkitError(e)) throw e;
    process.stderr.write(`btfkit: ${file}: not a valid BPF object: ${e.message} [${e.code}]\n`);
    return undefined;
  }
}

export const relocsCommand: Command = {
  path: ['relocs'],
  summary: 'list the CO-RE relocation records of a BPF object',
  help: `usage: btfkit relocs OBJ [--json]

Lists every CO-RE relocation record of OBJ's .BTF.ext in order: ELF section, record index in
that section (libbpf's "relo #N"), program and program-relative instruction, instruction byte
offset in the section, kind, and the local spec as libbpf logs it, e.g.
  [5] struct task_struct.tgid (0:93 @ offset 1268)
A record libbpf would reject (bad access string, instruction in no program) is listed with
the reason. Nothing is relocated: no kernel BTF is read.
  --json   one JSON object per line: sec, relo, prog, insn, insn_off, kind, kind_name,
           type_id, type_name, access, spec (libbpf's text without the <kind> tag), error
Exit 1 when OBJ is not a well-formed BPF object (a bad record is not an error).`,
  async run(args) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected one OBJ');
    const obj = await readObject(positionals[0]!);
    if (obj === undefined) return 1;
    const { formatCoreRelosJson, formatCoreRelosTable, listCoreRelos } = await import('../object/relocs.js');
    const relos = listCoreRelos(obj);
    writeStdout(values.json === true ? formatCoreRelosJson(relos) : formatCoreRelosTable(relos));
    return 0;
  },
};
