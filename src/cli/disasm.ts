/** `btfkit disasm OBJ [--prog NAME] [--no-source]` */
import { parseObject } from '../object/spec.js';
import { disassembleObject } from '../object/disasm.js';
import { parse, readBytes, UsageError, writeStdout, type Command } from './command.js';

export const disasmCommand: Command = {
  path: ['disasm'],
  summary: 'disassemble programs (llvm-objdump syntax) with source lines and CO-RE relocations',
  help: `usage: btfkit disasm OBJ [--prog NAME] [--no-source]

Prints each program's instructions as llvm-objdump-19 -d does, with the source lines from
.BTF.ext line_info before their instructions and each CO-RE relocation after its instruction
in libbpf's spec syntax.`,
  async run(args) {
    const { values, positionals } = parse(args, { prog: { type: 'string' }, 'no-source': { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected one OBJ');
    const obj = parseObject(readBytes(positionals[0]!));
    if (values.prog !== undefined && !obj.programs.some((p) => p.name === values.prog)) throw new UsageError(`no program '${values.prog}' (have: ${obj.programs.map((p) => p.name).join(', ')})`);
    writeStdout(disassembleObject(obj, { ...(values.prog === undefined ? {} : { program: values.prog }), noSource: values['no-source'] === true }).join('\n') + '\n');
    return 0;
  },
};
