/**
 * A human-readable summary of an {@link ObjectSpec} (`btfkit obj`): programs, maps, global
 * data, externs, license and version, and statistics of `.BTF` and `.BTF.ext`. Deterministic:
 * the same object gives the same text on every host (no paths, no host facts).
 */
import type { BtfExt, ExtGroup } from '../btf/ext.js';
import { formatTable } from './relocs.js';
import type { MapSpec, ObjectSpec, ProgramSpec } from './spec.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

const count = <R>(groups: readonly ExtGroup<R>[]): number => groups.reduce((n, g) => n + g.records.length, 0);

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Global data maps (`.data*`, `.rodata*`, `.bss*`, `.kconfig`) as opposed to map definitions. */
const isGlobalData = (m: MapSpec): boolean => m.section !== '.maps' && m.section !== 'maps';

function mapType(m: MapSpec): string {
  return typeof m.type === 'number' ? `type#${m.type}` : m.type;
}

/** `array key 4 value 4 max 2` for an inner map template. */
function innerMap(m: MapSpec | undefined): string {
  if (m === undefined) return '-';
  return `${mapType(m)} key ${m.keySize} value ${m.valueSize} max ${m.maxEntries}${m.flags === 0 ? '' : ` flags ${hex(m.flags)}`}`;
}

function programType(p: ProgramSpec): string {
  if (p.isSubprogram) return 'subprog';
  return p.progType ?? '?';
}

function programNotes(p: ProgramSpec): string {
  const notes: string[] = [];
  if (!p.autoload) notes.push('no autoload');
  if (p.sleepable) notes.push('sleepable');
  if (p.calls.length > 0) notes.push(`calls ${p.calls.join(', ')}`);
  return notes.join('; ');
}

function extStats(ext: BtfExt): string[] {
  const rows: [string, readonly ExtGroup<unknown>[], number][] = [
    ['func_info', ext.funcInfo, ext.recordSizes.funcInfo],
    ['line_info', ext.lineInfo, ext.recordSizes.lineInfo],
    ['core_relo', ext.coreRelos, ext.recordSizes.coreRelo],
  ];
  const width = Math.max(...rows.map(([, g]) => String(count(g)).length));
  return rows.map(([what, groups, size]) =>
    `${what}: ${String(count(groups)).padStart(width)} ${count(groups) === 1 ? 'record ' : 'records'} of ${size} bytes in ${plural(groups.length, 'section')}`);
}

/** The summary text of `btfkit obj`, ending in a newline. */
export function formatObjectSummary(obj: ObjectSpec): string {
  const out: string[] = [];
  const indent = (lines: string): void => {
    for (const l of lines.trimEnd().split('\n')) out.push(l === '' ? '' : `  ${l}`);
  };

  out.push(`byte order: ${obj.littleEndian ? 'little-endian' : 'big-endian'}`);
  out.push(`license: ${obj.license === undefined ? '-' : JSON.stringify(obj.license)}`);
  out.push(`kernel version: ${obj.kernelVersion === undefined ? '-' : `${hex(obj.kernelVersion)} (${obj.kernelVersion >>> 16}.${(obj.kernelVersion >>> 8) & 0xff}.${obj.kernelVersion & 0xff})`}`);

  out.push('', `programs (${obj.programs.length}):`);
  if (obj.programs.length > 0) {
    indent(formatTable(['NAME', 'SECTION', 'TYPE', 'ATTACH TYPE', 'INSNS', 'CO-RE', 'NOTES'], obj.programs.map((p) => [
      p.name, p.autoload ? p.section : `?${p.section}`, programType(p), p.expectedAttachType ?? '-',
      String(p.insnCount), String(p.coreRelos.length), programNotes(p),
    ]), [4, 5]));
  }

  const defs = obj.maps.filter((m) => !isGlobalData(m));
  out.push('', `maps (${defs.length}):`);
  if (defs.length > 0) {
    indent(formatTable(['NAME', 'SECTION', 'TYPE', 'KEY', 'VALUE', 'MAX', 'FLAGS', 'PINNING', 'INNER'], defs.map((m) => [
      m.name, m.section, mapType(m), String(m.keySize), String(m.valueSize), String(m.maxEntries), hex(m.flags),
      m.pinning, innerMap(m.inner),
    ]), [3, 4, 5]));
  }

  const data = obj.maps.filter(isGlobalData);
  out.push('', `global data (${data.length}):`);
  if (data.length > 0) {
    indent(formatTable(['SECTION', 'SIZE', 'FLAGS', 'ACCESS', 'CONTENTS'], data.map((m) => [
      m.name, String(m.valueSize), hex(m.flags), m.readOnly ? 'read-only' : 'read-write',
      m.initialValue === undefined ? 'zero' : 'initialized',
    ]), [1]));
  }

  out.push('', `externs (${obj.externs.length}):`);
  if (obj.externs.length > 0) {
    indent(formatTable(['NAME', 'KIND', 'BIND', 'BTF', 'KCONFIG'], obj.externs.map((e) => [
      e.name, e.kind, e.weak ? 'weak' : 'strong', e.typeId === undefined ? '-' : `[${e.typeId}]`,
      e.kconfig === undefined ? '-' : `offset ${e.kconfig.offset} size ${e.kconfig.size} align ${e.kconfig.align}`,
    ])));
  }

  out.push('');
  if (obj.btf === undefined) out.push('BTF: none');
  else out.push(`BTF: ${plural(obj.btf.ownTypeCount, 'type')}, ${obj.btf.header.typeLen} type bytes, ${obj.btf.strLen} string bytes`);
  if (obj.btfExt === undefined) out.push('BTF.ext: none');
  else {
    out.push('BTF.ext:');
    for (const l of extStats(obj.btfExt)) out.push(`  ${l}`);
  }

  if (obj.warnings.length > 0) {
    out.push('', `warnings (${obj.warnings.length}):`);
    for (const w of obj.warnings) out.push(`  ${w.message}`);
  }
  return out.join('\n') + '\n';
}
