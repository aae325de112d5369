/**
 * ObjectSpec: a compiled BPF object (`clang -target bpf`) read into deterministic, immutable
 * plain data: programs, subprograms and the calls between them, maps, global data, externs,
 * license and kernel version, with the object's BTF and `.BTF.ext` (ARCHITECTURE.md rule 3).
 * Nothing here talks to a kernel: the same bytes give the same spec on every host.
 *
 * Follows libbpf's object opening (`bpf_object_open`, `bpf_object__add_programs`,
 * `bpf_object__init_user_btf_maps`, `bpf_object__init_global_data_maps`,
 * `bpf_object__collect_externs`: https://github.com/libbpf/libbpf/blob/master/src/libbpf.c),
 * without creating anything.
 */
import { BtfkitError, ErrorCodes } from '../errors.js';
import type { TypeId } from '../binary/units.js';
import { readElf, SHT, type ElfFile, type ElfRelocation, type ElfSection, type ElfSymbol } from '../elf/read.js';
import { Btf } from '../btf/btf.js';
import { parseBtfExt, type BtfExt, type CoreReloRecord, type FuncInfo, type LineInfo } from '../btf/ext.js';
import type { BtfComposite, BtfDatasec, BtfMember } from '../btf/types.js';
import { MAP_TYPES, SECTION_DEFS, type AttachType, type MapType, type ProgType, type SectionDef } from './section-defs.js';

/** A problem found while reading an object (not fatal for the rest of the object). */
export interface ObjectWarning {
  readonly section?: string;
  readonly message: string;
}

/** A reference from an instruction to something outside the program (ELF relocation). */
export interface InsnReloc {
  /** Instruction index within the program. */
  readonly insn: number;
  readonly kind: 'map' | 'global-data' | 'subprog' | 'extern' | 'other';
  /** Symbol name (map name, variable, function, extern). */
  readonly symbol: string;
  /** For global data: the data section; for map refs: '.maps' or 'maps'. */
  readonly section?: string;
  /** For global data: byte offset in the section (from the symbol's value plus the instruction's immediate). */
  readonly offset?: number;
  /** ELF relocation type (R_BPF_*). */
  readonly elfType: number;
}

/** One BPF program (an STT_FUNC in an executable section) or `.text` subprogram. */
export interface ProgramSpec {
  readonly name: string;
  /** ELF section name without a leading `?`. */
  readonly section: string;
  /** False for `SEC("?...")` programs (libbpf: autoload off). */
  readonly autoload: boolean;
  /** Inferred from the section name as libbpf does; undefined for subprograms and unknown sections. */
  readonly progType: ProgType | undefined;
  readonly expectedAttachType: AttachType | undefined;
  /** Text after the matched prefix and `/` (kprobe function, tracepoint name, ...). */
  readonly attachTarget: string | undefined;
  readonly sleepable: boolean;
  /** True for functions in `.text`. */
  readonly isSubprogram: boolean;
  /** Index of the first instruction within its section (st_value / 8). */
  readonly sectionInsnOffset: number;
  /** The instructions, 8 bytes each, in the object's byte order (a view into the object). */
  readonly insns: Uint8Array;
  readonly insnCount: number;
  /** Subprograms this program calls directly (BPF-to-BPF calls), by name. */
  readonly calls: readonly string[];
  readonly relocations: readonly InsnReloc[];
  /** func_info / line_info / CO-RE records of this program (offsets relative to the program, in bytes). */
  readonly funcInfo: readonly FuncInfo[];
  readonly lineInfo: readonly LineInfo[];
  readonly coreRelos: readonly CoreReloRecord[];
}

/** A map definition. */
export interface MapSpec {
  readonly name: string;
  /** `.maps` (BTF-defined), `maps` (legacy) or a global data section. */
  readonly section: string;
  readonly type: MapType | number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly numaNode: number;
  readonly pinning: 'none' | 'by_name';
  readonly mapExtra: bigint;
  readonly keyType: TypeId | undefined;
  readonly valueType: TypeId | undefined;
  /** Inner map template for map-in-map. */
  readonly inner: MapSpec | undefined;
  /** For global data maps: initial contents (empty for .bss). */
  readonly initialValue: Uint8Array | undefined;
  /** For `.rodata*` and `.kconfig`: frozen read-only. */
  readonly readOnly: boolean;
}

/** An extern declared in `.kconfig` or `.ksyms`. */
export interface ExternSpec {
  readonly name: string;
  readonly kind: 'kconfig' | 'ksym-var' | 'ksym-func';
  readonly weak: boolean;
  /** BTF id of the VAR or FUNC in the object's BTF. */
  readonly typeId: TypeId | undefined;
  /** For kconfig externs: placement in the `.kconfig` map, as libbpf lays it out. */
  readonly kconfig?: { readonly size: number; readonly align: number; readonly offset: number };
}

/** A whole object. */
export interface ObjectSpec {
  readonly littleEndian: boolean;
  readonly programs: readonly ProgramSpec[];
  readonly maps: readonly MapSpec[];
  readonly externs: readonly ExternSpec[];
  readonly license: string | undefined;
  readonly kernelVersion: number | undefined;
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
  readonly elf: ElfFile;
  readonly warnings: readonly ObjectWarning[];
}

const SHF_EXECINSTR = 0x4n;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STB_WEAK = 2;
const BPF_PSEUDO_CALL = 1;
const BPF_F_RDONLY_PROG = 0x80;
const BPF_F_MMAPABLE = 0x400;

/**
 * Match a section name against libbpf's table (`sec_def_matches`): `x+` matches `x` and
 * `x/...`; `x/` matches any name starting with it; other entries match exactly.
 */
export function findSectionDef(section: string): SectionDef | undefined {
  const known = defCache.get(section);
  if (known !== undefined || defCache.has(section)) return known;
  const def = matchSectionDef(section);
  if (defCache.size < 4096) defCache.set(section, def);
  return def;
}

/** Section names seen so far (bounded: hostile objects can have any number of names). */
const defCache = new Map<string, SectionDef | undefined>();

function matchSectionDef(section: string): SectionDef | undefined {
  for (const d of SECTION_DEFS) {
    const s = d.sec;
    if (s.endsWith('/')) {
      if (section.startsWith(s)) return d;
    } else if (s.endsWith('+')) {
      const p = s.slice(0, -1);
      if (section.startsWith(p) && (section.length === p.length || section[p.length] === '/')) return d;
    } else if (section === s) return d;
  }
  return undefined;
}

function fail(message: string, section?: string): never {
  throw new BtfkitError(ErrorCodes.OBJECT_MALFORMED, section === undefined ? message : `${message} (section ${section})`);
}

/**
 * Read a BPF ELF object into an {@link ObjectSpec}.
 * @throws {ElfError} for a malformed ELF container, {@link BtfkitError} `OBJECT_MALFORMED` for
 * BPF-level inconsistencies that make the object unusable.
 */
export function parseObject(bytes: Uint8Array): ObjectSpec {
  const elf = readElf(bytes);
  if (elf.machine !== 247) fail(`not a BPF object (e_machine ${elf.machine}, expected EM_BPF 247)`);
  const warnings: ObjectWarning[] = [];
  const le = elf.littleEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const symbols = elf.symbols();

  // BTF and .BTF.ext: a malformed .BTF.ext is ignored with a warning, as libbpf does.
  let btf: Btf | undefined;
  let btfExt: BtfExt | undefined;
  const btfSec = elf.section('.BTF');
  if (btfSec !== undefined) {
    try {
      btf = Btf.parse(elf.data(btfSec));
      btf.setPointerSize(8);
    } catch (e) {
      // libbpf warns and goes on without BTF; what needs BTF (.maps, externs) fails later
      warnings.push({ section: '.BTF', message: `Error loading ELF section .BTF: ${(e as Error).message}. Ignored and continue.` });
    }
    const extSec = elf.section('.BTF.ext');
    if (extSec !== undefined && btf !== undefined) {
      try {
        btfExt = parseBtfExt(elf.data(extSec), btf);
      } catch (e) {
        warnings.push({ section: '.BTF.ext', message: `Error loading ELF section .BTF.ext: ${(e as Error).message}. Ignored and continue.` });
      }
    }
  } else if (elf.section('.BTF.ext') !== undefined) {
    warnings.push({ section: '.BTF.ext', message: 'Ignore ELF section .BTF.ext because its depending ELF section .BTF is not found.' });
  }

  // License and version.
  let license: string | undefined;
  const licSec = elf.section('license');
  if (licSec !== undefined) {
    const d = elf.data(licSec);
    let e = 0;
    while (e < d.length && d[e] !== 0) e++;
    license = new TextDecoder().decode(d.subarray(0, e));
  }
  let kernelVersion: number | undefined;
  const verSec = elf.section('version');
  if (verSec !== undefined) {
    if (verSec.size !== 4) fail(`invalid kver section size ${verSec.size}`, 'version');
    kernelVersion = view.getUint32(verSec.offset, le);
  }

  // Relocation sections by the section they apply to.
  const relocsFor = new Map<number, ElfRelocation[]>();
  for (const s of elf.sections) {
    if (s.type === SHT.REL || s.type === SHT.RELA) {
      const target = elf.sections[s.info];
      if (target === undefined) continue;
      relocsFor.set(s.info, [...(relocsFor.get(s.info) ?? []), ...elf.relocations(s)]);
    }
  }

  // Maps and global data first: program relocations refer to them.
  const maps: MapSpec[] = [];
  const externs: ExternSpec[] = [];
  const mapsSec = elf.section('.maps');
  if (mapsSec !== undefined) {
    if (btf === undefined) fail('.maps section needs .BTF', '.maps');
    maps.push(...parseBtfMaps(btf, mapsSec, symbols));
  }
  const legacy = elf.section('maps');
  if (legacy !== undefined) maps.push(...parseLegacyMaps(elf, legacy, symbols, view));
  for (const s of elf.sections) {
    const n = s.name;
    const isData = n === '.data' || n.startsWith('.data.') || n === '.bss' || n.startsWith('.bss.') || n === '.rodata' || n.startsWith('.rodata.');
    if (!isData || s.size === 0 && s.type !== SHT.NOBITS) continue;
    if (n.startsWith('.rodata.str') || n.startsWith('.rodata.cst')) continue; // string literals, merged into programs by libbpf
    const readOnly = n.startsWith('.rodata');
    maps.push({
      name: n, section: n, type: 'array', keySize: 4, valueSize: s.size, maxEntries: 1, flags: readOnly ? BPF_F_MMAPABLE | BPF_F_RDONLY_PROG : BPF_F_MMAPABLE,
      numaNode: 0, pinning: 'none', mapExtra: 0n, keyType: undefined, valueType: datasecId(btf, n), inner: undefined,
      initialValue: s.type === SHT.NOBITS ? undefined : elf.data(s), readOnly,
    });
  }
  if (btf !== undefined) externs.push(...collectExterns(btf, symbols));
  const kconfig = externs.filter((e) => e.kconfig !== undefined);
  if (kconfig.length > 0) {
    const last = kconfig[kconfig.length - 1]!.kconfig!;
    maps.push({
      name: '.kconfig', section: '.kconfig', type: 'array', keySize: 4, valueSize: last.offset + last.size, maxEntries: 1,
      flags: BPF_F_MMAPABLE | BPF_F_RDONLY_PROG, numaNode: 0, pinning: 'none', mapExtra: 0n, keyType: undefined,
      valueType: datasecId(btf, '.kconfig'), inner: undefined, initialValue: undefined, readOnly: true,
    });
  }

  // Programs: STT_FUNC symbols in executable sections.
  const programs: ProgramSpec[] = [];
  for (const sec of elf.sections) {
    if ((sec.flags & SHF_EXECINSTR) === 0n || sec.size === 0) continue;
    if (sec.size % 8 !== 0) fail(`corrupted program section, size ${sec.size} is not a multiple of 8`, sec.name);
    const funcs = symbols.filter((s) => s.shndx === sec.index && s.type === STT_FUNC).sort((a, b) => Number(a.value - b.value));
    const secRelocs = relocsFor.get(sec.index) ?? [];
    const relocAt = new Map<number, ElfRelocation>();
    for (const r of secRelocs) if (!relocAt.has(Number(r.offset))) relocAt.set(Number(r.offset), r);
    const ofSection = <R extends { insnOffset: number }>(groups: readonly { section: string; records: readonly R[] }[] | undefined): R[] =>
      (groups ?? []).filter((g) => g.section === sec.name).flatMap((g) => g.records);
    const secFuncInfo = ofSection(btfExt?.funcInfo);
    const secLineInfo = ofSection(btfExt?.lineInfo);
    const secCoreRelos = ofSection(btfExt?.coreRelos);
    const isText = sec.name === '.text';
    const autoload = !sec.name.startsWith('?');
    const secName = autoload ? sec.name : sec.name.slice(1);
    const def = isText ? undefined : findSectionDef(secName);
    for (const f of funcs) {
      const start = Number(f.value);
      const size = Number(f.size);
      if (start % 8 !== 0 || size % 8 !== 0 || start + size > sec.size) {
        fail(`program '${f.name}' (offset ${start}, size ${size}) does not fit its section`, sec.name);
      }
      const insns = elf.data(sec).subarray(start, start + size);
      const first = start / 8;
      const count = size / 8;
      const relocations: InsnReloc[] = [];
      for (const r of secRelocs) {
        const off = Number(r.offset);
        if (off < start || off >= start + size || off % 8 !== 0) continue;
        relocations.push(classifyReloc(r, (off - start) / 8, symbols, elf, insns, off - start, le));
      }
      const calls = new Set<string>();
      // Direct calls inside the same section (src_reg = BPF_PSEUDO_CALL and no relocation).
      for (let i = 0; i < count; i++) {
        const op = insns[i * 8]!;
        const regs = insns[i * 8 + 1]!;
        const src = le ? regs >> 4 : regs & 0xf;
        if (op === 0x85 && src === BPF_PSEUDO_CALL) {
          const imm = view.getInt32(sec.offset + start + i * 8 + 4, le);
          const rel = relocAt.get(start + i * 8);
          if (rel !== undefined) {
            // A call relocated against a function symbol names it; against a section symbol
            // the callee is the function at (symbol value / 8 + imm + 1) in that section.
            const callee = calleeOf(symbols, symbols[rel.symbol], imm);
            if (callee !== undefined) calls.add(callee);
            continue;
          }
          const target = first + i + 1 + imm;
          const callee = funcs.find((g) => Number(g.value) / 8 === target);
          if (callee !== undefined) calls.add(callee.name);
        }
      }
      const inProg = <R extends { insnOffset: number }>(records: readonly R[]): R[] =>
        records.filter((r) => r.insnOffset >= start && r.insnOffset < start + size).map((r) => ({ ...r, insnOffset: r.insnOffset - start }));
      const attach = def === undefined ? undefined : attachTargetOf(def, secName);
      programs.push({
        name: f.name, section: secName, autoload, isSubprogram: isText,
        progType: def?.progType, expectedAttachType: def?.attachType ?? undefined, attachTarget: attach,
        sleepable: def?.flags.includes('sleepable') ?? false,
        sectionInsnOffset: first, insns, insnCount: count, calls: [...calls], relocations,
        funcInfo: inProg(secFuncInfo), lineInfo: inProg(secLineInfo), coreRelos: inProg(secCoreRelos),
      });
    }
    if (!isText && def === undefined) warnings.push({ section: sec.name, message: `sec '${sec.name}': failed to guess program type from ELF section '${sec.name}'` });
  }
  return { littleEndian: le, programs, maps, externs, license, kernelVersion, btf, btfExt, elf, warnings };
}

/**
 * The function a call relocation reaches: the symbol itself, or for a section symbol the
 * function starting at instruction (value / 8 + imm + 1) of that section (libbpf's rule).
 */
function calleeOf(symbols: readonly ElfSymbol[], sym: ElfSymbol | undefined, imm: number): string | undefined {
  if (sym === undefined) return undefined;
  if (sym.type !== STT_SECTION) return sym.name;
  const idx = Number(sym.value) / 8 + imm + 1;
  return symbols.find((g) => g.shndx === sym.shndx && g.type === STT_FUNC && Number(g.value) / 8 === idx)?.name;
}

function attachTargetOf(def: SectionDef, section: string): string | undefined {
  const prefix = def.sec.replace(/[+/]$/, '');
  if (section.length > prefix.length && section[prefix.length] === '/') return section.slice(prefix.length + 1);
  return undefined;
}

function datasecId(btf: Btf | undefined, name: string): TypeId | undefined {
  return btf?.findByNameKind(name, 'datasec');
}

function classifyReloc(r: ElfRelocation, insn: number, symbols: readonly ElfSymbol[], elf: ElfFile, insns: Uint8Array, byteOff: number, le: boolean): InsnReloc {
  const sym = symbols[r.symbol];
  if (sym === undefined) fail(`relocation against missing symbol #${r.symbol}`);
  const target = elf.sections[sym.shndx];
  const op = insns[byteOff]!;
  if (sym.shndx === 0) return { insn, kind: 'extern', symbol: sym.name, elfType: r.type };
  const tname = target?.name ?? '';
  const imm = new DataView(insns.buffer, insns.byteOffset, insns.byteLength).getInt32(byteOff + 4, le);
  if (target !== undefined && (target.flags & SHF_EXECINSTR) !== 0n) {
    // calls (and ldimm64 of a function address) name the function, also when relocated
    // against the section symbol
    return { insn, kind: 'subprog', symbol: calleeOf(symbols, sym, op === 0x85 ? imm : imm / 8 - 1) ?? sym.name, section: tname, elfType: r.type };
  }
  if (tname === '.maps' || tname === 'maps') return { insn, kind: 'map', symbol: sym.name, section: tname, elfType: r.type };
  if (op === 0x18 && target !== undefined) {
    const offset = sym.type === STT_SECTION ? imm : Number(sym.value) + imm;
    return { insn, kind: 'global-data', symbol: sym.type === STT_SECTION ? tname : sym.name, section: tname, offset, elfType: r.type };
  }
  return { insn, kind: 'other', symbol: sym.name, section: tname, elfType: r.type };
}

/** `__uint(name, N)` is `int (*name)[N]`; libbpf's get_map_field_int. */
function mapFieldInt(btf: Btf, m: BtfMember, mapName: string): number {
  const t = btf.type(btf.skipModsAndTypedefs(m.type));
  if (t.kind !== 'ptr') fail(`map '${mapName}': attr '${m.name}': expected PTR, got ${t.kind}.`, '.maps');
  const arr = btf.type(t.type);
  if (arr.kind !== 'array') fail(`map '${mapName}': attr '${m.name}': expected ARRAY, got ${arr.kind}.`, '.maps');
  return arr.nelems;
}

function mapFieldLong(btf: Btf, m: BtfMember, mapName: string): bigint {
  const t = btf.type(btf.skipModsAndTypedefs(m.type));
  if (t.kind === 'ptr') return BigInt(mapFieldInt(btf, m, mapName));
  if ((t.kind === 'enum' || t.kind === 'enum64') && t.values.length === 1) return BigInt(t.values[0]!.value);
  return fail(`map '${mapName}': attr '${m.name}': expected ENUM or ENUM64, got ${t.kind}.`, '.maps');
}

const MAP_IN_MAP = new Set(['array_of_maps', 'hash_of_maps']);

function parseMapDef(btf: Btf, def: BtfComposite, name: string, section: string, isInner: boolean): MapSpec {
  let type: MapType | number = 'unspec';
  let keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, numaNode = 0;
  let pinning: 'none' | 'by_name' = 'none';
  let mapExtra = 0n;
  let keyType: TypeId | undefined, valueType: TypeId | undefined, inner: MapSpec | undefined;
  def.members.forEach((m, i) => {
    switch (m.name) {
      case 'type': { const n = mapFieldInt(btf, m, name); type = MAP_TYPES[n] ?? n; break; }
      case 'max_entries': maxEntries = mapFieldInt(btf, m, name); break;
      case 'map_flags': flags = mapFieldInt(btf, m, name); break;
      case 'numa_node': numaNode = mapFieldInt(btf, m, name); break;
      case 'key_size': case 'value_size': {
        const sz = mapFieldInt(btf, m, name);
        const cur = m.name === 'key_size' ? keySize : valueSize;
        if (cur !== 0 && cur !== sz) fail(`map '${name}': conflicting ${m.name === 'key_size' ? 'key' : 'value'} size ${cur} != ${sz}.`, section);
        if (m.name === 'key_size') keySize = sz; else valueSize = sz;
        break;
      }
      case 'key': case 'value': {
        const t = btf.type(m.type);
        if (t.kind !== 'ptr') fail(`map '${name}': ${m.name} spec is not PTR: ${t.kind}.`, section);
        const sz = btf.resolveSize(t.type);
        const cur = m.name === 'key' ? keySize : valueSize;
        if (cur !== 0 && cur !== sz) fail(`map '${name}': conflicting ${m.name} size ${cur} != ${sz}.`, section);
        if (m.name === 'key') { keySize = sz; keyType = t.type; } else { valueSize = sz; valueType = t.type; }
        break;
      }
      case 'values': {
        const isMapInMap = typeof type === 'string' && MAP_IN_MAP.has(type);
        const isProgArray = type === 'prog_array';
        if (isInner) fail(`map '${name}': multi-level inner maps not supported.`, section);
        if (i !== def.members.length - 1) fail(`map '${name}': 'values' member should be last.`, section);
        if (!isMapInMap && !isProgArray) fail(`map '${name}': should be map-in-map or prog-array.`, section);
        if (valueSize !== 0 && valueSize !== 4) fail(`map '${name}': conflicting value size ${valueSize} != 4.`, section);
        valueSize = 4;
        const arr = btf.type(m.type);
        if (arr.kind !== 'array' || arr.nelems !== 0) fail(`map '${name}': values spec is not a zero-sized array.`, section);
        const ptr = btf.type(btf.skipModsAndTypedefs(arr.type));
        if (ptr.kind !== 'ptr') fail(`map '${name}': values def is of unexpected kind ${ptr.kind}.`, section);
        const target = btf.type(btf.skipModsAndTypedefs(ptr.type));
        if (isProgArray) {
          if (target.kind !== 'func_proto') fail(`map '${name}': prog-array value def is of unexpected kind ${target.kind}.`, section);
          break;
        }
        if (target.kind !== 'struct') fail(`map '${name}': map-in-map inner def is of unexpected kind ${target.kind}.`, section);
        inner = parseMapDef(btf, target, `${name}.inner`, section, true);
        break;
      }
      case 'pinning': {
        if (isInner) fail(`map '${name}': inner def can't be pinned.`, section);
        const v = mapFieldInt(btf, m, name);
        if (v !== 0 && v !== 1) fail(`map '${name}': invalid pinning value ${v}.`, section);
        pinning = v === 1 ? 'by_name' : 'none';
        break;
      }
      case 'map_extra': mapExtra = mapFieldLong(btf, m, name); break;
      default: break; // libbpf ignores unknown fields unless strict
    }
  });
  if (type === 'unspec') fail(`map '${name}': map type isn't specified.`, section);
  return { name, section, type, keySize, valueSize, maxEntries, flags, numaNode, pinning, mapExtra, keyType, valueType, inner, initialValue: undefined, readOnly: false };
}

function parseBtfMaps(btf: Btf, sec: ElfSection, symbols: readonly ElfSymbol[]): MapSpec[] {
  const dsId = btf.findByNameKind('.maps', 'datasec');
  if (dsId === undefined) fail('DATASEC \'.maps\' not found.', '.maps');
  const ds = btf.type(dsId) as BtfDatasec;
  const out: MapSpec[] = [];
  for (const v of ds.vars) {
    const variable = btf.type(v.type);
    if (variable.kind !== 'var') fail(`map #${out.length}: unexpected var kind ${variable.kind}.`, '.maps');
    const name = variable.name;
    if (variable.linkage !== 'static' && variable.linkage !== 'global') fail(`map '${name}': unsupported map linkage ${variable.linkage}.`, '.maps');
    const def = btf.type(btf.skipModsAndTypedefs(variable.type));
    if (def.kind !== 'struct') fail(`map '${name}': unexpected def kind ${def.kind}.`, '.maps');
    if (def.size > v.size) fail(`map '${name}': invalid def size.`, '.maps');
    if (!symbols.some((s) => s.shndx === sec.index && s.name === name)) fail(`map '${name}': no symbol in .maps`, '.maps');
    out.push(parseMapDef(btf, def, name, '.maps', false));
  }
  return out;
}

function parseLegacyMaps(elf: ElfFile, sec: ElfSection, symbols: readonly ElfSymbol[], view: DataView): MapSpec[] {
  const syms = symbols.filter((s) => s.shndx === sec.index && s.type !== STT_SECTION && s.name !== '').sort((a, b) => Number(a.value - b.value));
  if (syms.length === 0) return [];
  const defSize = sec.size / syms.length;
  if (!Number.isInteger(defSize) || defSize < 20) fail(`unable to determine legacy map definition size in section 'maps', ${syms.length} maps in ${sec.size} bytes`, 'maps');
  const le = elf.littleEndian;
  return syms.map((s) => {
    const o = sec.offset + Number(s.value);
    if (Number(s.value) + 20 > sec.size) fail(`map '${s.name}' outside the maps section`, 'maps');
    const t = view.getUint32(o, le);
    return {
      name: s.name, section: 'maps', type: MAP_TYPES[t] ?? t, keySize: view.getUint32(o + 4, le), valueSize: view.getUint32(o + 8, le),
      maxEntries: view.getUint32(o + 12, le), flags: view.getUint32(o + 16, le), numaNode: 0, pinning: 'none', mapExtra: 0n,
      keyType: undefined, valueType: undefined, inner: undefined, initialValue: undefined, readOnly: false,
    } satisfies MapSpec;
  });
}

/**
 * Externs: undefined symbols with a VAR in the `.kconfig` or `.ksyms` DATASEC, or an extern
 * FUNC. Ordered and laid out as libbpf's `bpf_object__collect_externs` does: kconfig first
 * (by alignment descending, then size ascending, then name), then ksyms by name.
 */
function collectExterns(btf: Btf, symbols: readonly ElfSymbol[]): ExternSpec[] {
  const secVars = new Map<string, { sec: string; id: TypeId }>();
  for (const secName of ['.kconfig', '.ksyms']) {
    const dsId = btf.findByNameKind(secName, 'datasec');
    if (dsId === undefined) continue;
    for (const v of (btf.type(dsId) as BtfDatasec).vars) secVars.set(btf.nameOf(v.type), { sec: secName, id: v.type });
  }
  const kcfg: { e: Omit<ExternSpec, 'kconfig'>; size: number; align: number }[] = [];
  const ksyms: ExternSpec[] = [];
  for (const s of symbols) {
    if (s.shndx !== 0 || s.name === '' || s.index === 0) continue;
    const weak = s.bind === STB_WEAK;
    const sv = secVars.get(s.name);
    if (sv?.sec === '.kconfig') {
      const v = btf.type(sv.id);
      const t = v.kind === 'var' ? v.type : sv.id;
      kcfg.push({ e: { name: s.name, kind: 'kconfig', weak, typeId: sv.id }, size: btf.resolveSize(t), align: btf.alignment(t) });
    } else if (sv !== undefined) {
      ksyms.push({ name: s.name, kind: btf.kindOf(sv.id) === 'func' ? 'ksym-func' : 'ksym-var', weak, typeId: sv.id });
    } else {
      const f = btf.findByNameKind(s.name, 'func');
      if (f !== undefined) ksyms.push({ name: s.name, kind: 'ksym-func', weak, typeId: f });
    }
  }
  kcfg.sort((a, b) => b.align - a.align || a.size - b.size || (a.e.name < b.e.name ? -1 : a.e.name > b.e.name ? 1 : 0));
  let off = 0;
  const out: ExternSpec[] = kcfg.map(({ e, size, align }) => {
    const offset = Math.ceil(off / align) * align;
    off = offset + size;
    return { ...e, kconfig: { size, align, offset } };
  });
  ksyms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...out, ...ksyms];
}
