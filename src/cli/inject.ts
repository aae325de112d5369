/** `btfkit inject OBJ --manifest M [--target BTF]... [--base-btf B] -o OUT.o [--json]` */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseObject } from '../object/spec.js';
import { checkManifest, injectConstants } from '../object/inject.js';
import { BtfkitError, ErrorCodes } from '../errors.js';
import { openTargets } from './relocate.js';
import { parse, readBytes, UsageError, writeStdout, type Command } from './command.js';

export const injectCommand: Command = {
  path: ['inject'],
  summary: 'fill .rodata constants with field/type facts of a target kernel (CO-RE without CO-RE records)',
  help: `usage: btfkit inject OBJ --manifest M.json [--target BTF]... [--base-btf B] [-o OUT.o] [--json]

For objects from compilers that cannot emit CO-RE records: each constant named in the manifest
(a const volatile global) gets the fact it stands for (field offset, size, existence, type size,
enum value, ...) as the target kernel's BTF decides it, with the CO-RE engine's rules and
explanations. Manifest format: docs/inject.md. Without --target: the running kernel.
Exit: 0 all constants filled, 1 some constant could not be (nothing is written), 2 usage.`,
  async run(args) {
    const { values, positionals } = parse(args, {
      manifest: { type: 'string', short: 'm' },
      target: { type: 'string', multiple: true },
      'base-btf': { type: 'string' },
      output: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected one OBJ');
    if (values.manifest === undefined) throw new UsageError('--manifest is required');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(values.manifest, 'utf8'));
    } catch (e) {
      throw new BtfkitError(ErrorCodes.USAGE, `manifest ${values.manifest}: ${(e as Error).message}`);
    }
    const manifest = checkManifest(json);
    const obj = parseObject(readBytes(positionals[0]!));
    const { bytes, results } = injectConstants(obj, openTargets(values.target ?? [], values['base-btf']), manifest);
    for (const r of results) {
      if (values.json === true) {
        writeStdout(JSON.stringify({ symbol: r.constant.symbol, kind: r.constant.kind, type: r.constant.type, field: r.constant.field ?? null, enumerator: r.constant.enumerator ?? null, section: r.section, offset: r.offset, size: r.size, value: r.value === undefined ? null : r.value.toString(), defaulted: r.defaulted, error: r.error ?? null, explanation: r.explanation }) + '\n');
      } else {
        writeStdout(`${r.constant.symbol} (${r.section}+${r.offset}, ${r.size} bytes) ${r.constant.kind} ${r.constant.type}${r.constant.field === undefined ? '' : `.${r.constant.field}`}${r.constant.enumerator === undefined ? '' : `::${r.constant.enumerator}`}: ${r.error === undefined ? `${r.value}${r.defaulted ? ' (default)' : ''}` : `ERROR ${r.error}`}\n    ${r.explanation}\n`);
      }
    }
    if (bytes === undefined) return 1;
    if (values.output !== undefined) writeFileSync(values.output, bytes);
    return 0;
  },
};
