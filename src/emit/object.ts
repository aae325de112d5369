/**
 * Write a BPF object from TypeScript: programs, subprograms, BTF-defined maps, global data,
 * kfunc externs and a license, with `.BTF` (the local types, FUNC/VAR/DATASEC) and `.BTF.ext`
 * (func_info, line_info, CO-RE relocations), laid out as clang lays out its objects, so that
 * libbpf (and btfkit's own `parseObject`) read it as they read clang's.
 *
 * ```ts
 * const obj = new ObjectBuilder();
 * const t = obj.types;
 * const task = t.struct('task_struct', [['pid', t.int32], ['tgid', t.int32]]);
 * obj.global('.bss', 'tgid', t.int32);
 * const p = obj.program('read_tgid', 'raw_tracepoint/sys_enter');
 * p.call('get_current_task').mov(R6, R0);
 * // ... p.relocatableFieldRead(...), p.ldGlobal(R1, 'tgid'), ...
 * const bytes = obj.write();
 * ```
 */
import { encodeInsns } from '../asm/index.js';
import { btfExtStrings, encodeBtfExt, type CoreReloRecord, type ExtGroup, type FuncInfo, type LineInfo } from '../btf/ext.js';
import { writeElf, type WritableSection } from '../elf/write.js';
import { SHT } from '../elf/read.js';
import { typeId, type TypeId } from '../binary/units.js';
import { BtfkitError, ErrorCodes } from '../errors.js';
import { MAP_TYPES, type MapType } from '../object/section-defs.js';
import type { EmittedInsn } from './program.js';
import { Program } from './relocatable.js';
import { LocalTypes, type LocalTypeRef } from './types.js';

/** A BTF-defined map (`SEC(".maps")`). */
export interface MapOptions {
  readonly type: MapType | number;
  readonly maxEntries?: number;
  readonly key?: LocalTypeRef;
  readonly value?: LocalTypeRef;
  /** Instead of `key`/`value` types (as `__uint(key_size, 4)`). */
  readonly keySize?: number;
  readonly valueSize?: number;
  readonly flags?: number;
}

/** A global variable's place. */
export interface GlobalPlace {
  readonly section: DataSection;
  readonly offset: number;
  readonly type: LocalTypeRef;
}

/** Sections for global data. */
export type DataSection = '.data' | '.rodata' | '.bss';

/** A kfunc's prototype (defaults: returns u64, no parameters). */
export interface KfuncProto {
  readonly returns?: LocalTypeRef;
  readonly params?: readonly { readonly name: string; readonly type: LocalTypeRef }[];
}

const EM_BPF = 247;
const ET_REL = 1;
const SHF_WRITE = 1n;
const SHF_ALLOC = 2n;
const SHF_EXECINSTR = 4n;
const SHF_INFO_LINK = 0x40n;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const R_BPF_64_64 = 1;
const R_BPF_64_32 = 10;

function emitError(message: string): BtfkitError {
  return new BtfkitError(ErrorCodes.EMIT, message);
}

interface MapEntry { readonly name: string; readonly options: MapOptions }
interface GlobalEntry { readonly name: string; readonly place: GlobalPlace; readonly init: Uint8Array | undefined }
interface Symbol { readonly name: string; readonly bind: number; readonly type: number; readonly shndx: number; readonly value: number; readonly size: number }

/** Builds one BPF object. */
export class ObjectBuilder {
  /** The object's local BTF types. */
  readonly types: LocalTypes;
  readonly littleEndian: boolean;
  private readonly license: string;
  private readonly programs: Program[] = [];
  private readonly subprograms: Program[] = [];
  private readonly subprogramParams = new Map<Program, number>();
  private readonly maps: MapEntry[] = [];
  private readonly globals: GlobalEntry[] = [];
  private readonly kfuncs = new Map<string, KfuncProto>();
  private readonly dataSize: Record<DataSection, number> = { '.data': 0, '.rodata': 0, '.bss': 0 };

  constructor(options: { littleEndian?: boolean; license?: string } = {}) {
    this.littleEndian = options.littleEndian ?? true;
    this.license = options.license ?? 'GPL';
    this.types = new LocalTypes({ littleEndian: this.littleEndian });
  }

  /** A program in `section` (`raw_tracepoint/sys_enter`, `tp_btf/sched_switch`, `syscall`, ...). */
  program(name: string, section: string, file?: string): Program {
    if (section === '.text') throw emitError(`programs cannot live in .text; use subprogram() for ${name}`);
    this.checkName(name);
    const p = new Program(name, section, this.types, file);
    this.programs.push(p);
    return p;
  }

  /** A static subprogram in `.text`, called with `callSubprog(name)`; arguments in R1–R5. */
  subprogram(name: string, params = 0, file?: string): Program {
    if (params < 0 || params > 5) throw emitError(`subprogram ${name}: BPF functions take at most 5 arguments`);
    this.checkName(name);
    const p = new Program(name, '.text', this.types, file);
    this.subprogramParams.set(p, params);
    this.subprograms.push(p);
    return p;
  }

  /** Declare a BTF-defined map. */
  map(name: string, options: MapOptions): this {
    this.checkName(name);
    this.maps.push({ name, options });
    return this;
  }

  /** Declare a global variable; returns where it lives. `.bss` variables have no initial value. */
  global(section: DataSection, name: string, type: LocalTypeRef, init?: Uint8Array): GlobalPlace {
    this.checkName(name);
    if (type.size <= 0) throw emitError(`global ${name}: type ${type.cName} has no size`);
    if (section === '.bss' && init !== undefined && init.some((b) => b !== 0)) throw emitError(`global ${name}: .bss variables are zero; use .data for an initial value`);
    if (init !== undefined && init.length !== type.size) throw emitError(`global ${name}: ${init.length} initial bytes for a ${type.size}-byte ${type.cName}`);
    const offset = Math.ceil(this.dataSize[section] / type.align) * type.align;
    this.dataSize[section] = offset + type.size;
    const place = { section, offset, type };
    this.globals.push({ name, place, init: section === '.bss' ? undefined : init });
    return place;
  }

  /** Declare a kernel function (kfunc) to call with `callKfunc(name)`. */
  kfunc(name: string, proto: KfuncProto = {}): this {
    this.kfuncs.set(name, proto);
    return this;
  }

  private checkName(name: string): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw emitError(`'${name}' is not a C identifier`);
    const taken = [...this.programs, ...this.subprograms].some((p) => p.name === name) || this.maps.some((m) => m.name === name) || this.globals.some((g) => g.name === name);
    if (taken) throw emitError(`'${name}' is declared twice`);
  }

  /**
   * Write the ELF object.
   * @throws {BtfkitError} `EMIT` for unresolved labels, unknown maps/globals/subprograms/kfuncs, or no programs.
   */
  write(): Uint8Array {
    // Writing adds the FUNC, VAR and DATASEC types to the local BTF, so an object is written
    // once; asking again for an unchanged object gives the same bytes.
    if (this.written !== undefined) {
      if (this.written.state === this.state()) return this.written.bytes.slice();
      throw emitError('this object was written and has changed since: build changed objects with a new ObjectBuilder');
    }
    const bytes = this.writeOnce();
    this.written = { state: this.state(), bytes };
    return bytes.slice();
  }

  private written: { readonly state: string; readonly bytes: Uint8Array } | undefined;

  /** What the output depends on, as far as later calls can change it. */
  private state(): string {
    const fns = [...this.programs, ...this.subprograms].map((p) => `${p.name}:${p.slotCount}:${p.insns.length}`).join(',');
    return `${fns}|${this.maps.length}|${this.globals.length}|${this.kfuncs.size}|${this.types.builder.count}`;
  }

  private writeOnce(): Uint8Array {
    if (this.programs.length === 0) throw emitError('an object needs at least one program');
    const t = this.types;
    const b = t.builder;
    const le = this.littleEndian;

    // --- sections and their code ---
    const bySection = new Map<string, Program[]>();
    for (const p of [...this.programs, ...this.subprograms]) {
      const list = bySection.get(p.section) ?? [];
      list.push(p);
      bySection.set(p.section, list);
    }
    const codeSections = [...bySection.keys()].filter((s) => s !== '.text');
    if (bySection.has('.text')) codeSections.push('.text');
    const funcOffset = new Map<Program, number>(); // byte offset within its section
    const code = new Map<string, { insns: EmittedInsn[]; owner: Program[] }>();
    for (const sec of codeSections) {
      const insns: EmittedInsn[] = [];
      const owner: Program[] = [];
      let slots = 0;
      for (const p of bySection.get(sec)!) {
        funcOffset.set(p, slots * 8);
        for (const e of p.finish()) { insns.push({ ...e, slot: e.slot + slots }); owner.push(p); }
        slots += p.slotCount;
      }
      code.set(sec, { insns, owner });
    }

    // --- BTF: functions, maps, variables, datasecs ---
    const ctxPtr = t.ptr(t.void);
    const funcIds = new Map<Program, TypeId>();
    for (const p of this.programs) {
      const proto = b.addFuncProto(t.int32.id, [{ name: 'ctx', type: ctxPtr.id }]);
      funcIds.set(p, b.addFunc(p.name, proto, 'global'));
    }
    for (const p of this.subprograms) {
      const n = this.subprogramParams.get(p) ?? 0;
      const proto = b.addFuncProto(t.u64.id, Array.from({ length: n }, (_, i) => ({ name: `arg${i + 1}`, type: t.u64.id })));
      funcIds.set(p, b.addFunc(p.name, proto, 'static'));
    }
    const kfuncIds = new Map<string, TypeId>();
    for (const [name, proto] of this.kfuncs) {
      const fp = b.addFuncProto((proto.returns ?? t.u64).id, (proto.params ?? []).map((q) => ({ name: q.name, type: q.type.id })));
      kfuncIds.set(name, b.addFunc(name, fp, 'extern'));
    }
    if (kfuncIds.size > 0) b.addDatasec('.ksyms', 0, [...kfuncIds.values()].map((id) => ({ type: id, offset: 0, size: 0 })));

    const mapOffsets = new Map<string, number>();
    let mapsBytes = 0;
    if (this.maps.length > 0) {
      const intT = t.int32;
      const num = (n: number): number => t.ptr(t.array(intT, n)).id;
      const vars: { type: number; offset: number; size: number }[] = [];
      let off = 0;
      for (const m of this.maps) {
        const o = m.options;
        const typeNum = typeof o.type === 'number' ? o.type : MAP_TYPES.indexOf(o.type);
        if (typeNum < 0) throw emitError(`map ${m.name}: unknown map type ${String(o.type)}`);
        const members: { name: string; type: number }[] = [{ name: 'type', type: num(typeNum) }];
        if (o.maxEntries !== undefined) members.push({ name: 'max_entries', type: num(o.maxEntries) });
        if (o.key !== undefined) members.push({ name: 'key', type: t.ptr(o.key).id });
        else if (o.keySize !== undefined) members.push({ name: 'key_size', type: num(o.keySize) });
        if (o.value !== undefined) members.push({ name: 'value', type: t.ptr(o.value).id });
        else if (o.valueSize !== undefined) members.push({ name: 'value_size', type: num(o.valueSize) });
        if (o.flags !== undefined) members.push({ name: 'map_flags', type: num(o.flags) });
        const size = members.length * 8;
        const def = b.addStruct('', size, members.map((x, i) => ({ name: x.name, type: x.type, bitOffset: i * 64 })));
        const v = b.addVar(m.name, def, 'global');
        mapOffsets.set(m.name, off);
        vars.push({ type: v, offset: off, size });
        off += size;
      }
      b.addDatasec('.maps', off, vars);
      mapsBytes = off;
    }
    const dataSections = (['.data', '.rodata', '.bss'] as const).filter((s) => this.globals.some((g) => g.place.section === s));
    for (const s of dataSections) {
      const vars = this.globals.filter((g) => g.place.section === s).map((g) => ({ type: b.addVar(g.name, g.place.type.id, 'global'), offset: g.place.offset, size: g.place.type.size }));
      b.addDatasec(s, this.dataSize[s], vars);
    }

    // --- section indexes ---
    const names: string[] = ['', '.strtab'];
    for (const sec of codeSections) names.push(sec);
    const relocated = codeSections.filter((sec) => code.get(sec)!.insns.some((e) => e.symbol !== undefined));
    for (const sec of relocated) names.push(`.rel${sec}`);
    if (this.maps.length > 0) names.push('.maps');
    for (const s of dataSections) names.push(s);
    names.push('license', '.BTF', '.BTF.ext', '.symtab');
    const idx = (n: string): number => names.indexOf(n);

    // --- symbols: locals first ---
    const syms: Symbol[] = [{ name: '', bind: STB_LOCAL, type: STT_NOTYPE, shndx: 0, value: 0, size: 0 }];
    for (const p of this.subprograms) syms.push({ name: p.name, bind: STB_LOCAL, type: STT_FUNC, shndx: idx('.text'), value: funcOffset.get(p)!, size: p.slotCount * 8 });
    for (const s of codeSections) if (s !== '.text') syms.push({ name: s, bind: STB_LOCAL, type: STT_SECTION, shndx: idx(s), value: 0, size: 0 });
    const firstGlobal = syms.length;
    for (const p of this.programs) syms.push({ name: p.name, bind: STB_GLOBAL, type: STT_FUNC, shndx: idx(p.section), value: funcOffset.get(p)!, size: p.slotCount * 8 });
    for (const m of this.maps) syms.push({ name: m.name, bind: STB_GLOBAL, type: STT_OBJECT, shndx: idx('.maps'), value: mapOffsets.get(m.name)!, size: 0 });
    for (const g of this.globals) syms.push({ name: g.name, bind: STB_GLOBAL, type: STT_OBJECT, shndx: idx(g.place.section), value: g.place.offset, size: g.place.type.size });
    syms.push({ name: 'LICENSE', bind: STB_GLOBAL, type: STT_OBJECT, shndx: idx('license'), value: 0, size: this.license.length + 1 });
    for (const k of this.kfuncs.keys()) syms.push({ name: k, bind: STB_GLOBAL, type: STT_NOTYPE, shndx: 0, value: 0, size: 0 });
    const symIndex = (kind: string, name: string): number => {
      const i = syms.findIndex((s, n) => n > 0 && s.name === name && s.type !== STT_SECTION);
      if (i < 0) throw emitError(`reference to unknown ${kind} '${name}'`);
      return i;
    };
    for (const [, c] of code) {
      for (const e of c.insns) {
        const s = e.symbol;
        if (s === undefined) continue;
        const i = symIndex(s.kind, s.name);
        const sym = syms[i]!;
        const ok = s.kind === 'map' ? sym.shndx === idx('.maps')
          : s.kind === 'global' ? dataSections.some((d) => idx(d) === sym.shndx)
            : s.kind === 'subprog' ? sym.shndx === idx('.text') && sym.type === STT_FUNC
              : this.kfuncs.has(s.name);
        if (!ok) throw emitError(`'${s.name}' is not a ${s.kind}`);
      }
    }

    // --- .BTF.ext ---
    const funcInfo: ExtGroup<FuncInfo>[] = [];
    const lineInfo: ExtGroup<LineInfo>[] = [];
    const coreRelos: ExtGroup<CoreReloRecord>[] = [];
    for (const sec of codeSections) {
      const c = code.get(sec)!;
      funcInfo.push({ section: sec, records: bySection.get(sec)!.map((p) => ({ insnOffset: funcOffset.get(p)!, typeId: funcIds.get(p)! })) });
      const lines: LineInfo[] = [];
      const anyLines = c.insns.some((e) => e.source !== undefined);
      for (const [i, e] of c.insns.entries()) {
        const p = c.owner[i]!;
        const atStart = e.slot * 8 === funcOffset.get(p);
        // the kernel wants a line for each function's first instruction once any is given
        const src = e.source ?? (anyLines && atStart ? { file: p.file, line: '', lineNumber: 0, column: 0 } : undefined);
        if (src !== undefined) lines.push({ insnOffset: e.slot * 8, fileName: src.file, line: src.line, lineNumber: src.lineNumber, column: src.column });
      }
      lineInfo.push({ section: sec, records: lines });
      coreRelos.push({ section: sec, records: c.insns.filter((e) => e.core !== undefined).map((e) => ({ insnOffset: e.slot * 8, typeId: typeId(e.core!.type.id), accessString: e.core!.accessString, kind: e.core!.kind })) });
    }
    const ext = { funcInfo, lineInfo, coreRelos };
    const { bytes: btfBytes, stringOffsets } = b.encodeWithStrings(btfExtStrings(ext));
    const extBytes = encodeBtfExt(ext, (s) => stringOffsets.get(s), le);

    // --- string table and symbol table ---
    const enc = new TextEncoder();
    const strtab: number[] = [0];
    const strOff = new Map<string, number>([['', 0]]);
    const str = (s: string): number => {
      let o = strOff.get(s);
      if (o === undefined) { o = strtab.length; strtab.push(...enc.encode(s), 0); strOff.set(s, o); }
      return o;
    };
    const symtab = new Uint8Array(24 * syms.length);
    const sv = new DataView(symtab.buffer);
    syms.forEach((s, i) => {
      const o = i * 24;
      sv.setUint32(o, s.type === STT_SECTION ? 0 : str(s.name), le);
      symtab[o + 4] = (s.bind << 4) | s.type;
      sv.setUint16(o + 6, s.shndx, le);
      sv.setBigUint64(o + 8, BigInt(s.value), le);
      sv.setBigUint64(o + 16, BigInt(s.size), le);
    });

    // --- sections ---
    const sec = (name: string, type: number, flags: bigint, data: Uint8Array, extra: Partial<WritableSection> = {}): WritableSection => ({
      name, type, flags, addr: 0n, link: 0, info: 0, addralign: 8n, entsize: 0n, data, ...extra,
    });
    const sections: WritableSection[] = [sec('', SHT.NULL, 0n, new Uint8Array(0), { addralign: 0n })];
    sections.push(sec('.strtab', SHT.STRTAB, 0n, Uint8Array.from(strtab), { addralign: 1n }));
    for (const s of codeSections) sections.push(sec(s, SHT.PROGBITS, SHF_ALLOC | SHF_EXECINSTR, encodeInsns(code.get(s)!.insns.map((e) => e.insn), { littleEndian: le })));
    for (const s of relocated) {
      const recs = code.get(s)!.insns.filter((e) => e.symbol !== undefined);
      const data = new Uint8Array(16 * recs.length);
      const dv = new DataView(data.buffer);
      recs.forEach((e, i) => {
        const sym = symIndex(e.symbol!.kind, e.symbol!.name);
        const type = e.symbol!.kind === 'map' || e.symbol!.kind === 'global' ? R_BPF_64_64 : R_BPF_64_32;
        dv.setBigUint64(i * 16, BigInt(e.slot * 8), le);
        dv.setBigUint64(i * 16 + 8, (BigInt(sym) << 32n) | BigInt(type), le);
      });
      sections.push(sec(`.rel${s}`, SHT.REL, SHF_INFO_LINK, data, { link: idx('.symtab'), info: idx(s), entsize: 16n }));
    }
    if (this.maps.length > 0) sections.push(sec('.maps', SHT.PROGBITS, SHF_WRITE | SHF_ALLOC, new Uint8Array(mapsBytes)));
    for (const s of dataSections) {
      const size = this.dataSize[s];
      const flags = s === '.rodata' ? SHF_ALLOC : SHF_WRITE | SHF_ALLOC;
      if (s === '.bss') { sections.push(sec(s, SHT.NOBITS, flags, new Uint8Array(0), { size })); continue; }
      const data = new Uint8Array(size);
      for (const g of this.globals) if (g.place.section === s && g.init !== undefined) data.set(g.init, g.place.offset);
      sections.push(sec(s, SHT.PROGBITS, flags, data));
    }
    sections.push(sec('license', SHT.PROGBITS, SHF_WRITE | SHF_ALLOC, enc.encode(`${this.license}\0`), { addralign: 1n }));
    sections.push(sec('.BTF', SHT.PROGBITS, 0n, btfBytes, { addralign: 4n }));
    sections.push(sec('.BTF.ext', SHT.PROGBITS, 0n, extBytes, { addralign: 4n }));
    sections.push(sec('.symtab', SHT.SYMTAB, 0n, symtab, { link: idx('.strtab'), info: firstGlobal, entsize: 24n }));
    return writeElf({ littleEndian: le, type: ET_REL, machine: EM_BPF, flags: 0, sections, shstrndx: idx('.strtab') });
  }
}
