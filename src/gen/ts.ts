/**
 * `btfkit gen ts`: a TypeScript module of typed, relocatable getters for named kernel structs
 * and unions (docs/gen-ts.md).
 *
 * For each struct or union asked for, and each one they contain by value (nested structs,
 * anonymous unions, array elements), the module has a getter per field that emits
 * {@link Program.relocatableFieldRead} through the `btfkit/emit` builder and returns a typed
 * `Read<T>` handle whose `decode(record)` gives `ReadOutcome<T>`. Pointer fields to a generated
 * type give a `KernelPtr<T>` in a register and, as a namespace, that type's getters through the
 * pointer (`task_struct.real_parent.tgid`, one chained read). The module carries the local
 * type declarations it needs (a table turned into `LocalTypes.structAt`/`int`/`ptr`/... calls,
 * once per `LocalTypes`), so using it needs no kernel BTF at build time.
 *
 * Pure: `(btf, typeNames, options) → module text`, deterministic (the same input gives the same
 * bytes).
 */
import type { Btf } from '../btf/btf.js';
import type { BtfComposite, BtfMember, BtfType } from '../btf/types.js';
import { BtfkitError, ErrorCodes } from '../errors.js';

/** Another kernel's BTF for a flavor (`task_struct___v6_1` from linux-6.1's BTF). */
export interface GenTsFlavor {
  readonly btf: Btf;
  /** Label of that BTF in comments (a file name). */
  readonly source?: string;
}

/** Options of {@link generateTs}. */
export interface GenTsOptions {
  /**
   * Follow pointers too: generate every struct and union the named types reach, by value or
   * through pointers (transitively), so every pointer field leads to its pointee's getters.
   */
  readonly deep?: boolean;
  /** Label of `btf` in comments (a file name, "running kernel 6.1.0-56-amd64"). */
  readonly source?: string;
  /** Types named `NAME___SUFFIX` are taken from `flavors[SUFFIX]` instead of `btf`. */
  readonly flavors?: Readonly<Record<string, GenTsFlavor>>;
  /** Module the generated code imports the builder from (default `btfkit/emit`). */
  readonly importFrom?: string;
}

function fail(message: string): never {
  throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, message);
}

// --- model -----------------------------------------------------------------------------------

const ALL = 'all' as const;
type Keep = ReadonlySet<string> | typeof ALL;

/** Types generated from one BTF under one flavor suffix ('' for none). */
interface Unit {
  readonly suffix: string;
  readonly btf: Btf;
  readonly source: string;
  /** Named structs/unions generated, by kernel id: which accessible members. */
  readonly keep: Map<number, Keep>;
  /** Their nodes once built. */
  readonly nodes: Map<string, Node>;
  readonly ptrMemo: Map<number, number>;
}

/** A struct or union the module declares (named, or anonymous inside one). */
interface Node {
  readonly unit: Unit;
  readonly kid: number;
  readonly t: BtfComposite;
  readonly keep: Keep;
  /** Name in the local BTF ('' when anonymous). */
  readonly localName: string;
  /** Entry in the type table. */
  readonly entry: number;
  /** TypeScript names: brand type (named only) and the `...Fields<R>` interface. */
  iface: string | undefined;
  /** Value name of the root namespace (named only). */
  valueName: string | undefined;
  /** What anonymous types under its members are named after. */
  readonly owner: string;
  /** Direct members kept (anonymous ones with their node). */
  members: { readonly m: BtfMember; readonly type: number; readonly anon: Node | undefined }[];
}

type Entry =
  | { readonly k: 'void' }
  | { readonly k: 'i'; readonly name: string; readonly size: number; readonly enc: number; readonly signed: boolean }
  | { readonly k: 'e'; readonly name: string; readonly size: number; readonly signed: boolean }
  | { readonly k: 'p'; readonly target: number; readonly root: number }
  | { readonly k: 'F'; readonly name: string; readonly union: boolean }
  | { readonly k: 'a'; readonly elem: number; readonly n: number }
  | { readonly k: 'q'; readonly ret: number; readonly params: readonly (readonly [string, number])[] }
  | { readonly k: 's' | 'u'; readonly node: Node | undefined; readonly name: string; readonly size: number; readonly align: number };

const JS_RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in '
  + 'instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected '
  + 'public await arguments eval undefined NaN Infinity').split(' '));
/** Names the module defines itself (values and types). */
const OWN_VALUES = new Set(['currentTask', 'unsafeFromRegister', 'stackSlot', 'declareAll', 'ROOTS']);
const OWN_TYPES = new Set(['KernelType', 'KernelPtr', 'Read', 'FieldBase', 'Field', 'ArrayField', 'PtrField', 'StructType', 'LocalTypes', 'LocalTypeRef',
  'Program', 'Reg', 'OutcomeSlot', 'ReadOutcome', 'EmittedRead', 'Uint8Array', 'Array', 'Object', 'String', 'Number', 'BigInt', 'Boolean', 'Symbol',
  'Function', 'Record', 'Readonly', 'ReadonlyMap', 'Map', 'WeakMap', 'DataView', 'Error', 'Promise', 'Date', 'Math', 'JSON']);

const pascal = (name: string): string => name.replace(/(^|_)([a-z0-9])/g, (_m, _u: string, c: string) => c.toUpperCase());

class Names {
  private readonly taken = new Set<string>();
  constructor(reserved: Iterable<string>) { for (const r of reserved) this.taken.add(r); }
  /** `base`, or `base$2`, `base$3`, ... (with `also(name)` free as well). */
  take(base: string, also: (n: string) => string = () => ''): string {
    for (let i = 1; ; i++) {
      const n = i === 1 ? base : `${base}$${i}`;
      const a = also(n);
      if (this.taken.has(n) || (a !== '' && this.taken.has(a))) continue;
      this.taken.add(n);
      if (a !== '') this.taken.add(a);
      return n;
    }
  }
}

class Generator {
  readonly units: Unit[] = [];
  readonly entries: Entry[] = [{ k: 'void' }];
  private readonly entryKeys = new Map<string, number>();
  readonly order: Node[] = [];
  private readonly ordered = new Set<Node>();
  private readonly filled = new Set<Node>();
  private readonly typeNames = new Names(OWN_TYPES);
  private readonly valueNames = new Names([...JS_RESERVED, ...OWN_VALUES]);

  constructor(readonly btf: Btf, readonly options: GenTsOptions) {}

  unit(suffix: string): Unit {
    let u = this.units.find((x) => x.suffix === suffix);
    if (u === undefined) {
      const f = suffix === '' ? undefined : this.options.flavors?.[suffix];
      const btf = f?.btf ?? this.btf;
      const source = f !== undefined ? f.source ?? `flavor ${suffix}` : this.options.source ?? 'the generation kernel';
      u = { suffix, btf, source, keep: new Map(), nodes: new Map(), ptrMemo: new Map() };
      this.units.push(u);
    }
    return u;
  }

  // --- phase 1: which named types, with which members -----------------------------------

  /** Parse `[struct |union ]name[___flavor][:a,b,c]` and record the request. */
  request(arg: string): void {
    const m = /^\s*(?:(struct|union)\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(.*))?$/.exec(arg);
    if (m === null) fail(`cannot parse type '${arg}': expected [struct |union ]NAME[___FLAVOR][:FIELD,...]`);
    const kindWord = m[1] as 'struct' | 'union' | undefined;
    const full = m[2]!;
    const cut = full.indexOf('___');
    const essential = cut > 0 ? full.slice(0, cut) : full;
    const suffix = cut > 0 ? full.slice(cut + 3) : '';
    const fields = m[3] === undefined ? undefined : m[3].split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (fields !== undefined && fields.some((f) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(f))) fail(`fields of '${arg}' must be member names separated by commas`);
    const u = this.unit(suffix);
    const id = this.findComposite(u.btf, essential, kindWord);
    if (id === undefined) fail(`no ${kindWord ?? 'struct or union'} named '${essential}' in ${u.source}`);
    const t = u.btf.type(id) as BtfComposite;
    if (fields !== undefined) {
      const missing = fields.filter((f) => !this.hasAccessible(u.btf, t, f));
      if (missing.length > 0) fail(`${t.kind} ${t.name} has no member ${missing.join(', ')} in ${u.source}`);
    }
    this.merge(u, id, fields === undefined ? ALL : new Set(fields));
  }

  private findComposite(btf: Btf, name: string, kind: 'struct' | 'union' | undefined): number | undefined {
    for (const k of kind === undefined ? (['struct', 'union'] as const) : [kind]) {
      const id = btf.findByName(name, k)[0];
      if (id !== undefined) return id;
    }
    if (kind !== undefined) return undefined;
    for (const td of btf.findByName(name, 'typedef')) {
      const s = btf.skipModsAndTypedefs(td);
      const k = btf.kindOf(s);
      if ((k === 'struct' || k === 'union') && btf.nameOf(s) !== '') return s;
    }
    return undefined;
  }

  private hasAccessible(btf: Btf, t: BtfComposite, name: string): boolean {
    return t.members.some((m) => {
      if (m.name === name) return true;
      if (m.name !== '') return false;
      const s = btf.type(btf.skipModsAndTypedefs(m.type));
      return (s.kind === 'struct' || s.kind === 'union') && this.hasAccessible(btf, s, name);
    });
  }

  private readonly pending: [Unit, number][] = [];

  private merge(u: Unit, id: number, keep: Keep): void {
    const old = u.keep.get(id);
    let next: Keep;
    if (old === undefined) next = keep;
    else if (old === ALL || keep === ALL) next = ALL;
    else next = new Set([...old, ...keep]);
    if (old !== undefined && (old === next || (old !== ALL && next !== ALL && old.size === next.size))) return;
    u.keep.set(id, next);
    this.pending.push([u, id]);
  }

  /** The by-value (and with `deep`, through-pointer) closure of the requests. */
  close(): void {
    for (let i = 0; i < this.pending.length; i++) {
      const [u, id] = this.pending[i]!;
      const keep = u.keep.get(id)!;
      this.walk(u, u.btf.type(id) as BtfComposite, keep);
    }
  }

  private walk(u: Unit, t: BtfComposite, keep: Keep): void {
    const btf = u.btf;
    for (const m of t.members) {
      let s = btf.skipModsAndTypedefs(m.type);
      let st = btf.type(s);
      if (m.name === '') {
        if ((st.kind === 'struct' || st.kind === 'union') && (keep === ALL || [...keep].some((n) => this.hasAccessible(btf, st as BtfComposite, n)))) this.walk(u, st, keep);
        continue;
      }
      if ((keep !== ALL && !keep.has(m.name)) || !this.generable(btf, m)) continue;
      while (st.kind === 'array') { s = btf.skipModsAndTypedefs(st.type); st = btf.type(s); }
      if (st.kind === 'struct' || st.kind === 'union') {
        if (st.name !== '') this.merge(u, s, ALL);
        else this.walk(u, st, ALL);
      } else if (st.kind === 'ptr' && this.options.deep === true) {
        const target = this.definition(btf, st.type);
        if (target !== undefined) this.merge(u, target, ALL);
      }
    }
  }

  /** The named struct/union a pointer leads to (a forward declaration resolved by name), if defined. */
  private definition(btf: Btf, id: number): number | undefined {
    const s = btf.skipModsAndTypedefs(id);
    const t = btf.type(s);
    if ((t.kind === 'struct' || t.kind === 'union') && t.name !== '') return s;
    if (t.kind === 'fwd') return btf.findByName(t.name, t.fwdKind).find((x) => btf.kindOf(x) !== 'fwd');
    return undefined;
  }

  // --- phase 2: nodes and the type table ------------------------------------------------

  build(): void {
    // named types in a deterministic order: requests first, then as their containers reach them
    const queue: Node[] = [];
    for (const u of this.units) {
      for (const id of u.keep.keys()) queue.push(this.node(u, id, u.keep.get(id)!));
    }
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      if (this.ordered.has(n)) continue;
      this.ordered.add(n);
      this.order.push(n);
      this.fill(n, queue);
    }
  }

  private node(u: Unit, kid: number, keep: Keep, anonName?: string, owner?: string): Node {
    const key = `${kid}|${keep === ALL ? '*' : [...keep].sort().join(',')}`;
    const known = u.nodes.get(key);
    if (known !== undefined) return known;
    const t = u.btf.type(kid) as BtfComposite;
    const localName = t.name === '' ? '' : u.suffix === '' ? t.name : `${t.name}___${u.suffix}`;
    let align = 1;
    try { align = u.btf.alignment(kid); } catch { /* leave 1 */ }
    const entry = this.entries.length;
    const n: Node = { unit: u, kid, t, keep, localName, entry, iface: undefined, valueName: undefined, owner: owner ?? anonName ?? 'Anon', members: [] };
    this.entries.push({ k: t.kind === 'union' ? 'u' : 's', node: n, name: localName, size: t.size, align });
    u.nodes.set(key, n);
    if (t.name !== '') {
      const base = u.suffix === '' ? pascal(t.name) : `${pascal(t.name)}___${u.suffix}`;
      n.iface = this.typeNames.take(base, (x) => `${x}Fields`);
      n.valueName = this.valueNames.take(localName);
      (n as { owner: string }).owner = n.iface;
    } else if (anonName !== undefined) {
      n.iface = this.typeNames.take(anonName, (x) => `${x}Fields`);
    }
    return n;
  }

  /** Members of a node, their table entries, and the nodes they lead to. */
  private fill(n: Node, queue: Node[]): void {
    // an anonymous type can be both an anonymous member and a named one's type (struct_group:
    // `union { struct { ... }; struct { ... } headers; }`, one type after BTF dedup)
    if (this.filled.has(n)) return;
    this.filled.add(n);
    const u = n.unit;
    const btf = u.btf;
    for (const m of n.t.members) {
      const s = btf.skipModsAndTypedefs(m.type);
      const st = btf.type(s);
      if (m.name === '') {
        if (st.kind !== 'struct' && st.kind !== 'union') continue;
        const keep = n.keep;
        if (keep !== ALL && ![...keep].some((x) => this.hasAccessible(btf, st, x))) continue;
        const inner = this.node(u, s, keep, undefined, n.iface ?? n.owner);
        n.members.push({ m, type: inner.entry, anon: inner });
        this.fill(inner, queue);
        continue;
      }
      if (n.keep !== ALL && !n.keep.has(m.name)) continue;
      if (!this.generable(btf, m)) continue;
      const type = this.valueEntry(u, m.type, queue, n, m.name);
      n.members.push({ m, type, anon: undefined });
    }
  }

  /** Whether a member gets a getter (and a place in the local declaration). */
  generable(btf: Btf, m: BtfMember): boolean {
    if (m.bitfieldSize > 0) return true;
    let s = btf.skipModsAndTypedefs(m.type);
    let t = btf.type(s);
    while (t.kind === 'array') {
      if (t.nelems === 0) return false; // flexible array
      s = btf.skipModsAndTypedefs(t.type);
      t = btf.type(s);
    }
    if (t.kind === 'float' || t.kind === 'func_proto' || t.kind === 'void' || t.kind === 'fwd') return false;
    try { return btf.resolveSize(m.type) > 0; } catch { return false; }
  }

  private add(key: string, make: () => Entry): number {
    const known = this.entryKeys.get(key);
    if (known !== undefined) return known;
    const e = make();
    const i = this.entries.length;
    this.entries.push(e);
    this.entryKeys.set(key, i);
    return i;
  }

  private scalar(t: BtfType): number | undefined {
    if (t.kind === 'int') {
      return this.add(`i:${t.name}:${t.size}:${t.encodingBits}`, () => ({ k: 'i', name: t.name, size: t.size, enc: t.encodingBits, signed: t.signed }));
    }
    if (t.kind === 'enum' || t.kind === 'enum64') {
      return this.add(`e:${t.name}:${t.size}:${t.signed}`, () => ({ k: 'e', name: t.name, size: t.size, signed: t.signed }));
    }
    return undefined;
  }

  /** The entry of a member's type, by value. */
  private valueEntry(u: Unit, id: number, queue: Node[], owner: Node, member: string): number {
    const btf = u.btf;
    const s = btf.skipModsAndTypedefs(id);
    const t = btf.type(s);
    const sc = this.scalar(t);
    if (sc !== undefined) return sc;
    switch (t.kind) {
      case 'ptr': {
        const target = this.pointee(u, t.type);
        const def = this.definition(btf, t.type);
        const root = def !== undefined && u.keep.has(def) ? this.node(u, def, u.keep.get(def)!) : undefined;
        if (root !== undefined) queue.push(root);
        return this.add(`p:${target}:${root?.entry ?? -1}`, () => ({ k: 'p', target, root: root?.entry ?? -1 }));
      }
      case 'array': {
        const elem = this.valueEntry(u, t.type, queue, owner, member);
        return this.add(`a:${elem}:${t.nelems}`, () => ({ k: 'a', elem, n: t.nelems }));
      }
      case 'struct': case 'union': {
        if (t.name !== '') {
          const n = this.node(u, s, u.keep.get(s) ?? ALL);
          queue.push(n);
          return n.entry;
        }
        // an anonymous type under a named member: named after its typedef, else after the member
        const td = typedefName(btf, id);
        const base = td !== undefined ? (u.suffix === '' ? pascal(td) : `${pascal(td)}___${u.suffix}`) : `${owner.iface ?? owner.owner}_${member}`;
        const n = this.node(u, s, ALL, base);
        if (n.iface === undefined) n.iface = this.typeNames.take(base, (x) => `${x}Fields`);
        if (!this.ordered.has(n)) { this.ordered.add(n); this.order.push(n); this.fill(n, queue); }
        return n.entry;
      }
      default:
        fail(`cannot declare a ${t.kind} member '${member}' of ${owner.t.kind} ${owner.t.name || '(anonymous)'}`);
    }
  }

  /** The entry of what a pointer points to: named structs/unions as forward declarations. */
  private pointee(u: Unit, id: number, depth = 0): number {
    if (depth > 32) return 0;
    const memo = u.ptrMemo.get(id);
    if (memo !== undefined) return memo;
    const btf = u.btf;
    const s = btf.skipModsAndTypedefs(id);
    const t = btf.type(s);
    let out: number;
    const sc = this.scalar(t);
    if (sc !== undefined) out = sc;
    else {
      switch (t.kind) {
        case 'struct': case 'union': case 'fwd': {
          const union = t.kind === 'fwd' ? t.fwdKind === 'union' : t.kind === 'union';
          if (t.name === '') { out = this.add(`anon:${union}`, () => ({ k: union ? 'u' : 's', node: undefined, name: '', size: 0, align: 1 })); break; }
          const def = this.definition(btf, s);
          const name = def !== undefined && u.keep.has(def) && u.suffix !== '' ? `${t.name}___${u.suffix}` : t.name;
          out = this.add(`F:${name}:${union}`, () => ({ k: 'F', name, union }));
          break;
        }
        case 'ptr': {
          const target = this.pointee(u, t.type, depth + 1);
          out = this.add(`p:${target}:-1`, () => ({ k: 'p', target, root: -1 }));
          break;
        }
        case 'array': {
          const elem = this.pointee(u, t.type, depth + 1);
          out = this.add(`a:${elem}:${t.nelems}`, () => ({ k: 'a', elem, n: t.nelems }));
          break;
        }
        case 'func_proto': {
          const ret = t.returnType === 0 ? 0 : this.pointee(u, t.returnType, depth + 1);
          const params = t.params.map((p): readonly [string, number] => [p.name, p.type === 0 ? 0 : this.pointee(u, p.type, depth + 1)]);
          out = this.add(`q:${ret}:${params.map((p) => `${p[0]}=${p[1]}`).join(',')}`, () => ({ k: 'q', ret, params }));
          break;
        }
        default:
          out = 0; // void, and floats (no local float type): void
      }
    }
    u.ptrMemo.set(id, out);
    return out;
  }
}

function typedefName(btf: Btf, id: number): string | undefined {
  let cur = id;
  let name: string | undefined;
  for (let i = 0; i < 32; i++) {
    const t = btf.type(cur);
    if (t.kind === 'typedef') name = t.name;
    else if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag') break;
    cur = (t as { type: number }).type;
  }
  return name;
}

// --- C declarations for the doc comments -----------------------------------------------------

function cDecl(btf: Btf, id: number, inner: string, depth = 0): string {
  const sp = (s: string): string => (s === '' ? '' : s.startsWith('[') || s.startsWith('(') ? s : ` ${s}`);
  if (depth > 16) return `...${sp(inner)}`;
  if (id === 0) return `void${sp(inner)}`;
  const t = btf.type(id);
  switch (t.kind) {
    case 'int': case 'float': case 'typedef': return `${t.name}${sp(inner)}`;
    case 'struct': case 'union': return `${t.kind} ${t.name === '' ? '{...}' : t.name}${sp(inner)}`;
    case 'enum': case 'enum64': return `enum ${t.name === '' ? '{...}' : t.name}${sp(inner)}`;
    case 'fwd': return `${t.fwdKind} ${t.name}${sp(inner)}`;
    case 'ptr': {
      const target = btf.kindOf(btf.skipMods(t.type));
      return cDecl(btf, t.type, target === 'array' || target === 'func_proto' ? `(*${inner})` : `*${inner}`, depth + 1);
    }
    case 'array': return cDecl(btf, t.type, `${inner}[${t.nelems}]`, depth + 1);
    case 'const': case 'volatile': case 'restrict': {
      if (btf.kindOf(t.type) === 'ptr') return cDecl(btf, t.type, `${t.kind === 'restrict' ? 'restrict' : t.kind} ${inner}`.trimEnd(), depth + 1);
      return `${t.kind} ${cDecl(btf, t.type, inner, depth + 1)}`;
    }
    case 'type_tag': return cDecl(btf, t.type, inner, depth + 1);
    case 'func_proto': {
      const ps = t.params.map((p) => (p.type === 0 ? '...' : cDecl(btf, p.type, '', depth + 1)));
      return cDecl(btf, t.returnType, `${inner}(${ps.length === 0 ? 'void' : ps.join(', ')})`, depth + 1);
    }
    default: return `${t.kind}${sp(inner)}`;
  }
}

// --- text ------------------------------------------------------------------------------------

const q = (s: string): string => `'${s}'`;
/** Doc-comment text must not close the comment. */
const doc = (s: string): string => s.replace(/\*\//g, '*\\/');

/** `items` joined with `, `, broken into lines of about 120 columns. */
function wrap(items: readonly string[], indent: string): string {
  if (items.length === 0) return '';
  const lines: string[] = [];
  let line = '';
  for (const it of items) {
    if (line !== '' && line.length + it.length > 116) { lines.push(line); line = ''; }
    line += line === '' ? it : ` ${it}`;
    line += ',';
  }
  lines.push(line);
  return lines.length === 1 ? lines[0]!.slice(0, -1) : `\n${lines.map((l) => indent + l).join('\n')}\n${indent.slice(2)}`;
}

function entryLiteral(e: Entry): string {
  switch (e.k) {
    case 'void': return '0';
    case 'i': return `['i', ${q(e.name)}, ${e.size}, ${e.enc}]`;
    case 'e': return `['e', ${q(e.name)}, ${e.size}, ${e.signed ? 1 : 0}]`;
    case 'p': return `['p', ${e.target}, ${e.root}]`;
    case 'F': return `['F', ${q(e.name)}, ${e.union ? 1 : 0}]`;
    case 'a': return `['a', ${e.elem}, ${e.n}]`;
    case 'q': return `['q', ${e.ret}, [${e.params.map(([n, t]) => `[${q(n)}, ${t}]`).join(', ')}]]`;
    case 's': case 'u': {
      const ms = e.node === undefined ? [] : e.node.members.map(({ m, type }) => (m.bitfieldSize > 0 ? `[${q(m.name)}, ${m.bitOffset}, ${type}, ${m.bitfieldSize}]` : `[${q(m.name)}, ${m.bitOffset}, ${type}]`));
      return `['${e.k}', ${q(e.name)}, ${e.size}, ${e.align}, [${wrap(ms, '    ')}]]`;
    }
  }
}

class Writer {
  private readonly g: Generator;
  constructor(g: Generator) { this.g = g; }

  /** The TypeScript type of a member's accessor. */
  accessorType(entry: number, bits: number, r: string): string {
    if (bits > 0) return `Field<${r}, ${bits <= 53 ? 'number' : 'bigint'}>`;
    const e = this.g.entries[entry]!;
    switch (e.k) {
      case 'i':
        if ((e.enc & 4) !== 0 && e.size === 1) return `Field<${r}, boolean>`;
        return `Field<${r}, ${e.size <= 4 ? 'number' : e.size === 8 ? 'bigint' : 'Uint8Array'}>`;
      case 'e': return `Field<${r}, ${e.size <= 4 ? 'number' : 'bigint'}>`;
      case 'p': {
        const root = e.root >= 0 ? (this.g.entries[e.root] as { node: Node | undefined }).node : undefined;
        if (root?.iface !== undefined) return `PtrField<${r}, ${root.iface}> & ${root.iface}Fields<${r}>`;
        return `Field<${r}, bigint>`;
      }
      case 'a': {
        const el = this.g.entries[e.elem]!;
        const isChar = el.k === 'i' && el.size === 1 && (el.name === 'char' || (el.enc & 2) !== 0);
        return `ArrayField<${r}, ${isChar ? 'string' : 'Uint8Array'}, ${this.accessorType(e.elem, 0, r)}>`;
      }
      case 's': case 'u': {
        const n = e.node;
        return n?.iface !== undefined ? `Field<${r}, Uint8Array> & ${n.iface}Fields<${r}>` : `Field<${r}, Uint8Array>`;
      }
      default: return `Field<${r}, Uint8Array>`;
    }
  }

  /** `readonly name: ...;` lines of a node's accessible members (anonymous members flattened). */
  fieldLines(n: Node, base: number, out: string[]): void {
    const btf = n.unit.btf;
    for (const { m, type, anon } of n.members) {
      if (anon !== undefined) { this.fieldLines(anon, base + m.bitOffset, out); continue; }
      const off = base + m.bitOffset;
      const decl = cDecl(btf, m.type, m.name);
      let where: string;
      if (m.bitfieldSize > 0) {
        where = `\`${doc(decl)}:${m.bitfieldSize};\` bit offset ${off} (byte ${Math.floor(off / 8)}, bit ${off % 8}), ${m.bitfieldSize} bit${m.bitfieldSize === 1 ? '' : 's'}`;
      } else {
        let size = 0;
        try { size = btf.resolveSize(m.type); } catch { /* unsized */ }
        where = `\`${doc(decl)};\` offset ${off / 8}, size ${size}`;
      }
      out.push(`  /** ${where} */`, `  readonly ${m.name}: ${this.accessorType(type, m.bitfieldSize, 'R')};`);
    }
  }

  text(): string {
    const g = this.g;
    const o: string[] = [];
    const from = g.options.importFrom ?? 'btfkit/emit';
    const sources = g.units.map((u) => (u.suffix === '' ? u.source : `${u.source} (flavor ___${u.suffix})`));
    const roots = g.order.filter((n) => n.valueName !== undefined);
    const task = roots.find((n) => n.t.name === 'task_struct' && n.unit.suffix === '') ?? roots.find((n) => n.t.name === 'task_struct');
    o.push(`// Generated by \`btfkit gen ts\` from ${[...new Set(sources)].join(', ')}. Do not edit.`);
    o.push(`// Offsets and sizes in comments are the generation kernel's; the loader relocates them (CO-RE).`);
    o.push('// STRUCT.FIELD(p, ptr, out) emits the relocatable read of FIELD through the KernelPtr `ptr`, its');
    o.push('// outcome record at `out`, and returns a Read<T>: read.decode(record) is Ok(Some(value)), Ok(None)');
    o.push('// (no such field on that kernel), Err(SizeMismatch) or Err(ProbeRead). btfkit: docs/gen-ts.md.');
    o.push(`import { decodeReadOutcome, imm, R0, R10, READ_OUTCOME_LAYOUT, READ_STATUS } from '${from}';`);
    o.push(`import type { EmittedRead, LocalTypeRef, LocalTypes, OutcomeSlot, Program, ReadOutcome, Reg } from '${from}';`);
    o.push('', PREAMBLE, '');
    // brand types and field interfaces
    for (const n of g.order) {
      if (n.iface === undefined) continue;
      const cname = `${n.t.kind} ${n.localName}`;
      if (n.valueName !== undefined) {
        o.push(`/** \`${cname}\` (size ${n.t.size} on ${doc(n.unit.source)}): a type for the checker only; programs hold {@link KernelPtr}s to it. */`);
        o.push(`export interface ${n.iface} extends KernelType<'${n.t.kind} ${n.t.name}', '${n.unit.suffix}'> {}`);
      }
      const what = n.t.name === '' ? `the anonymous ${n.t.kind} of ${n.iface}` : `\`${cname}\``;
      o.push(`/** Getters of the members of ${what}, reading from a \`KernelPtr<R>\` (offsets on ${doc(n.unit.source)}). */`);
      o.push(`export interface ${n.iface}Fields<R> {`);
      this.fieldLines(n, 0, o);
      o.push('}');
    }
    o.push('');
    o.push('// --- local types: [kind, ...] per entry; structs/unions as [s|u, name, size, align, [[member, bit offset, entry, bits?]...]]');
    o.push('const $T: readonly $Entry[] = [');
    g.entries.forEach((e, i) => o.push(`  /* ${i} */ ${entryLiteral(e)},`));
    o.push('];');
    o.push('');
    o.push(RUNTIME);
    o.push('');
    for (const n of roots) {
      o.push(`/** \`${n.t.kind} ${n.localName}\`: \`${n.valueName}.<field>(p, ptr, out)\` emits a relocatable read; \`$exists\`/\`$matches\` test the type on the running kernel. */`);
      o.push(`export const ${n.valueName} = $root<StructType<${n.iface!}> & ${n.iface!}Fields<${n.iface!}>>(${n.entry});`);
    }
    o.push('');
    o.push(`/** The generated structs and unions: local C name and table entry. */`);
    o.push(`const ROOTS: readonly (readonly [string, number])[] = [${wrap(roots.map((n) => `[${q(n.localName)}, ${n.entry}]`), '  ')}];`);
    o.push('');
    o.push('/** Declare every generated struct and union in `types` now, by local C name (getters declare what they use on first use). */');
    o.push('export function declareAll(types: LocalTypes): ReadonlyMap<string, LocalTypeRef> {');
    o.push('  return new Map(ROOTS.map(([name, i]) => [name, $decl(types, i)] as const));');
    o.push('}');
    if (task !== undefined) {
      o.push('');
      o.push(`/** \`reg = bpf_get_current_task()\`: the current \`${task.t.kind} ${task.localName}\` (reg: R6–R9, which calls leave alone). */`);
      o.push(`export function currentTask(p: Program, reg: Reg): KernelPtr<${task.iface!}> {`);
      o.push('  $checkReg(reg, \'currentTask\');');
      o.push("  p.call('get_current_task').mov(reg, R0);");
      o.push('  return $ptr(reg, undefined);');
      o.push('}');
    }
    o.push('');
    return o.join('\n');
  }
}

/** Types and helpers every generated module starts with. */
const PREAMBLE = `declare const brand: unique symbol;
declare const flavor: unique symbol;

/**
 * A kernel struct or union, for the type checker only: there is no constructor and no value
 * of it, in a BPF program or in TypeScript. Programs hold {@link KernelPtr}s to one.
 */
export interface KernelType<C extends string, F extends string> {
  readonly [brand]: C;
  readonly [flavor]: F;
}

/**
 * A pointer to a kernel \`T\` in a register (R6–R9: helper calls clobber R0–R5). Made only by
 * the generated helpers: {@link currentTask}, pointer getters (\`task_struct.real_parent(p,
 * task, R7, tmp)\`), \`$from\` (another flavor of the same kernel type) and the unchecked
 * {@link unsafeFromRegister}.
 */
export interface KernelPtr<T> {
  readonly [brand]: T;
  readonly reg: Reg;
  /**
   * The read that loaded the pointer, if a pointer getter made it. Unless that read was
   * \`Ok(Some)\` the register holds 0, and reads through it give \`Err(ProbeRead)\`.
   */
  readonly via: Read<bigint> | undefined;
}

/** A relocatable read the builder emitted, and how to decode the outcome record it writes. */
export interface Read<T> {
  readonly [brand]: 'read';
  /** Where the outcome record goes. */
  readonly out: OutcomeSlot;
  /** What \`Program.relocatableFieldRead\` emitted (path, access strings, sizes). */
  readonly emitted: EmittedRead;
  /** Bytes of the record at \`out\`. */
  readonly recordSize: number;
  /**
   * \`Ok(Some(value))\`, \`Ok(None)\` (no such field on the kernel), \`Err(SizeMismatch)\` or
   * \`Err(ProbeRead)\` from the record's bytes; \`undefined\` when the program did not reach the read.
   */
  decode(record: Uint8Array): ReadOutcome<T> | undefined;
}

/** What every field accessor has. */
export interface FieldBase {
  /** The C access path from the root pointer: \`'pid'\`, \`'se.vruntime'\`, \`'real_parent.tgid'\`. */
  readonly $path: string;
  /** \`dst = 1\` when the field (and each pointer on its path) exists on the running kernel, else 0 (FIELD_EXISTS; never poisoned). */
  $exists(p: Program, dst: Reg): void;
}

/**
 * A field of type \`T\`: \`field(p, ptr, out)\` emits the safe read of it through \`ptr\` and
 * writes the outcome record at \`out\` (the stack, R10 with a negative offset from \`p.stack\`,
 * or R6–R9 holding a map value pointer).
 */
export interface Field<R, T> extends FieldBase {
  (p: Program, ptr: KernelPtr<R>, out: OutcomeSlot): Read<T>;
  /** Bytes the outcome record takes. */
  readonly $recordSize: number;
}

/** An array field: read whole, or one element with \`$at(i)\`. */
export interface ArrayField<R, T, E> extends Field<R, T> {
  $at(index: number): E;
}

/**
 * A pointer to a generated type: \`field(p, ptr, dst, tmp)\` reads it (outcome record at \`tmp\`)
 * into register \`dst\` (R6–R9; 0 unless the read was \`Ok(Some)\`) as a {@link KernelPtr}; the
 * pointee's getters on the field itself read through the pointer in one chained read
 * (\`task_struct.real_parent.tgid(p, task, out)\`, path \`'real_parent.tgid'\`).
 */
export interface PtrField<R, T> extends FieldBase {
  (p: Program, ptr: KernelPtr<R>, dst: Reg, tmp: OutcomeSlot): KernelPtr<T>;
  /** The pointer's value (an address) as a read. */
  readonly $read: Field<R, bigint>;
  readonly $recordSize: number;
}

/** A generated struct or union: its local type and type-level CO-RE tests. */
export interface StructType<T> {
  readonly [brand]: T;
  /** The local C name (\`task_struct\`, \`task_struct___v6_1\`). */
  readonly $name: string;
  /** The local type in \`types\` (declared on first use, once per \`LocalTypes\`). */
  $declare(types: LocalTypes): LocalTypeRef;
  /** \`dst = 1\` when the running kernel has this type (TYPE_EXISTS), else 0. */
  $exists(p: Program, dst: Reg): void;
  /** \`dst = 1\` when the running kernel's type matches this layout member by member (TYPE_MATCHES), else 0. */
  $matches(p: Program, dst: Reg): void;
  /** The same kernel pointer seen as this flavor (any flavor of the same kernel type). */
  $from(ptr: KernelPtr<KernelType<T extends KernelType<infer C, string> ? C : never, string>>): KernelPtr<T>;
}

/**
 * A {@link KernelPtr} from a register the program filled itself (a BTF pointer argument, a
 * pointer read by hand). Unchecked: nothing verifies that \`reg\` points to a \`T\`.
 */
export function unsafeFromRegister<T>(type: StructType<T>, reg: Reg): KernelPtr<T> {
  $checkReg(reg, \`unsafeFromRegister(\${type.$name})\`);
  return $ptr(reg, undefined);
}

/** Reserve stack for the outcome record of \`field\`: \`task_struct.pid(p, task, stackSlot(p, task_struct.pid))\`. */
export function stackSlot(p: Program, field: { readonly $recordSize: number }): OutcomeSlot {
  return { base: R10, off: p.stack(field.$recordSize) };
}`;

/** The generic part: declarations from the table, accessor objects, decoders. */
const RUNTIME = `// --- runtime --------------------------------------------------------------------------------
type $Member = readonly [name: string, bitOffset: number, entry: number, bits?: number];
type $Composite = readonly [kind: 's' | 'u', name: string, size: number, align: number, members: readonly $Member[]];
type $Entry =
  | 0
  | readonly [kind: 'i', name: string, size: number, encoding: number]
  | readonly [kind: 'e', name: string, size: number, signed: number]
  | readonly [kind: 'p', target: number, root: number]
  | readonly [kind: 'F', name: string, union: number]
  | readonly [kind: 'a', elem: number, n: number]
  | readonly [kind: 'q', ret: number, params: readonly (readonly [name: string, type: number])[]]
  | $Composite;
interface $Hop { readonly root: number; readonly path: string }
type $Decode = (v: Uint8Array, le: boolean) => unknown;

function $entry(i: number): $Entry {
  const e = $T[i];
  if (e === undefined) throw new Error(\`btfkit gen ts: no type entry \${i}\`);
  return e;
}
function $composite(i: number): $Composite {
  const e = $entry(i);
  if (e === 0 || (e[0] !== 's' && e[0] !== 'u')) throw new Error(\`btfkit gen ts: entry \${i} is not a struct or union\`);
  return e as $Composite;
}

const $declared = new WeakMap<LocalTypes, (LocalTypeRef | undefined)[]>();
function $decl(t: LocalTypes, i: number): LocalTypeRef {
  let memo = $declared.get(t);
  if (memo === undefined) { memo = []; $declared.set(t, memo); }
  const known = memo[i];
  if (known !== undefined) return known;
  const e = $entry(i);
  let r: LocalTypeRef;
  if (e === 0) r = t.void;
  else {
    switch (e[0]) {
      case 'i': r = t.int(e[1], e[2] as 1 | 2 | 4 | 8 | 16, { signed: (e[3] & 1) !== 0, char: (e[3] & 2) !== 0, bool: (e[3] & 4) !== 0 }); break;
      case 'e': r = t.enum(e[1], {}, { signed: e[3] === 1, size: e[2] as 1 | 2 | 4 | 8 }); break;
      case 'p': r = t.ptr($decl(t, e[1])); break;
      case 'F': r = t.fwd(e[1], e[2] === 1 ? 'union' : 'struct'); break;
      case 'a': r = t.array($decl(t, e[1]), e[2]); break;
      case 'q': r = t.funcProto($decl(t, e[1]), e[2].map(([name, ty]) => ({ name, type: $decl(t, ty) }))); break;
      default: {
        const members = e[4].map(([name, bitOffset, ty, bits]) => (bits === undefined ? { name, type: $decl(t, ty), bitOffset } : { name, type: $decl(t, ty), bitOffset, bits }));
        r = t.structAt(e[1], e[2], members, { union: e[0] === 'u', align: e[3] });
      }
    }
  }
  memo[i] = r;
  return r;
}

function $size(i: number): number {
  const e = $entry(i);
  if (e === 0) return 0;
  switch (e[0]) {
    case 'i': case 'e': return e[2];
    case 'p': return 8;
    case 'a': return $size(e[1]) * e[2];
    case 'F': case 'q': return 0;
    default: return e[2];
  }
}

function $checkReg(reg: Reg, what: string): void {
  if (reg < 6 || reg > 9) throw new Error(\`\${what}: kernel pointers live in R6–R9 (helper calls clobber R0–R5), not R\${reg}\`);
}
function $ptr<T>(reg: Reg, via: Read<bigint> | undefined): KernelPtr<T> {
  return Object.freeze({ reg, via }) as unknown as KernelPtr<T>;
}

const $view = (v: Uint8Array): DataView => new DataView(v.buffer, v.byteOffset, v.byteLength);
const $u64: $Decode = (v, le) => $view(v).getBigUint64(0, le);
const $bytes: $Decode = (v) => v.slice();
function $cstring(v: Uint8Array): string {
  const end = v.indexOf(0);
  const b = end < 0 ? v : v.subarray(0, end);
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x80) { s += String.fromCharCode(c); continue; }
    const n = c >= 0xf0 && c < 0xf5 ? 3 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : 0;
    let cp = n === 3 ? c & 7 : n === 2 ? c & 15 : c & 31;
    let ok = n > 0;
    for (let k = 1; ok && k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    if (!ok || (n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff))) { s += '\\ufffd'; continue; }
    s += String.fromCodePoint(cp);
    i += n;
  }
  return s;
}
function $scalar(e: $Entry): $Decode {
  if (e === 0 || (e[0] !== 'i' && e[0] !== 'e')) return $bytes;
  const size = e[2];
  const signed = e[0] === 'i' ? (e[3] & 1) !== 0 : e[3] === 1;
  if (e[0] === 'i' && (e[3] & 4) !== 0 && size === 1) return (v) => v[0] !== 0;
  switch (size) {
    case 1: return signed ? (v) => $view(v).getInt8(0) : (v) => $view(v).getUint8(0);
    case 2: return signed ? (v, le) => $view(v).getInt16(0, le) : (v, le) => $view(v).getUint16(0, le);
    case 4: return signed ? (v, le) => $view(v).getInt32(0, le) : (v, le) => $view(v).getUint32(0, le);
    case 8: return signed ? (v, le) => $view(v).getBigInt64(0, le) : $u64;
    default: return $bytes;
  }
}
function $bitfield(e: $Entry, bits: number): $Decode {
  const signed = e !== 0 && ((e[0] === 'i' && (e[3] & 1) !== 0) || (e[0] === 'e' && e[3] === 1));
  const raw: $Decode = signed ? (v, le) => $view(v).getBigInt64(0, le) : $u64;
  return bits <= 53 ? (v, le) => Number(raw(v, le) as bigint) : raw;
}

function $path(hops: readonly $Hop[]): string {
  return hops.map((h) => h.path).join('.');
}
function $extend(hops: readonly $Hop[], step: string): readonly $Hop[] {
  const last = hops[hops.length - 1]!;
  const path = step.startsWith('[') || last.path === '' ? last.path + step : \`\${last.path}.\${step}\`;
  return [...hops.slice(0, -1), { root: last.root, path }];
}
function $root0(p: Program, hops: readonly $Hop[]): LocalTypeRef {
  for (const h of hops) $decl(p.types, h.root); // each hop's struct, for the chained read to find by name
  return $decl(p.types, hops[0]!.root);
}

function $read(p: Program, ptr: KernelPtr<unknown>, out: OutcomeSlot, hops: readonly $Hop[], size: number, decode: $Decode, bitfield: boolean): Read<unknown> {
  const emitted = p.relocatableFieldRead(out, ptr.reg, $root0(p, hops), $path(hops), bitfield ? {} : { expectedSize: size });
  const le = p.types.builder.littleEndian;
  const read = { out, emitted, recordSize: emitted.recordSize, decode: (record: Uint8Array) => decodeReadOutcome(record, emitted.valueSize, (v) => decode(v, le), le) };
  return Object.freeze(read) as unknown as Read<unknown>;
}

function $exists(hops: readonly $Hop[]): (p: Program, dst: Reg) => void {
  return (p, dst) => {
    const done = hops.length > 1 ? p.label('exists.done') : undefined;
    hops.forEach((h, i) => {
      if (i > 0 && done !== undefined) p.jump('jeq', dst, imm(0), done);
      p.fieldExists(dst, $decl(p.types, h.root), h.path);
    });
    if (done !== undefined) p.place(done);
  };
}

function $define(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: false, configurable: false });
}
function $meta(f: object, hops: readonly $Hop[], size: number): void {
  $define(f, '$path', $path(hops));
  $define(f, '$exists', $exists(hops));
  $define(f, '$recordSize', 8 + Math.ceil(size / 8) * 8);
}

function $field(hops: readonly $Hop[], size: number, decode: $Decode, bitfield = false): object {
  const f = (p: Program, ptr: KernelPtr<unknown>, out: OutcomeSlot): Read<unknown> => $read(p, ptr, out, hops, size, decode, bitfield);
  $meta(f, hops, size);
  return f;
}

function $pointer(hops: readonly $Hop[], target: number): object {
  const f = (p: Program, ptr: KernelPtr<unknown>, dst: Reg, tmp: OutcomeSlot): KernelPtr<unknown> => {
    $checkReg(dst, $path(hops));
    if (tmp.base === dst) throw new Error(\`\${$path(hops)}: the outcome record cannot live behind the destination register R\${dst}\`);
    const via = $read(p, ptr, tmp, hops, 8, $u64, false) as Read<bigint>;
    const isNull = p.label('ptr.null');
    const done = p.label('ptr.done');
    p.jump('jne', R0, imm(READ_STATUS.SOME), isNull).load(8, dst, tmp.base, tmp.off + READ_OUTCOME_LAYOUT.value).goto(done);
    p.place(isNull).mov(dst, imm(0)).place(done);
    return $ptr(dst, via);
  };
  $meta(f, hops, 8);
  $define(f, '$read', Object.freeze($field(hops, 8, $u64)));
  $fields(f, target, [...hops, { root: target, path: '' }]);
  return Object.freeze(f);
}

function $accessor(ty: number, bits: number | undefined, hops: readonly $Hop[]): object {
  const e = $entry(ty);
  if (bits !== undefined) return Object.freeze($field(hops, 8, $bitfield(e, bits), true));
  if (e !== 0 && e[0] === 'p') return e[2] >= 0 ? $pointer(hops, e[2]) : Object.freeze($field(hops, 8, $u64));
  if (e !== 0 && e[0] === 'a') {
    const elem = $entry(e[1]);
    const isChar = elem !== 0 && elem[0] === 'i' && elem[2] === 1 && (elem[1] === 'char' || (elem[3] & 2) !== 0);
    const f = $field(hops, $size(ty), isChar ? (v) => $cstring(v) : $bytes);
    const n = e[2];
    const elems: (object | undefined)[] = [];
    $define(f, '$at', (i: number): object => {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(\`\${$path(hops)}[\${i}]: index out of 0..\${n - 1}\`);
      return (elems[i] ??= $accessor(e[1], undefined, $extend(hops, \`[\${i}]\`)));
    });
    return Object.freeze(f);
  }
  if (e !== 0 && (e[0] === 's' || e[0] === 'u')) {
    const f = $field(hops, e[2], $bytes);
    $fields(f, ty, hops);
    return Object.freeze(f);
  }
  return Object.freeze($field(hops, $size(ty), $scalar(e)));
}

/** Lazy getters for the members of struct entry \`s\` (anonymous members' members in place, as C reaches them). */
function $fields(target: object, s: number, hops: readonly $Hop[]): void {
  for (const [name, , ty, bits] of $composite(s)[4]) {
    if (name === '') { $fields(target, ty, hops); continue; }
    let made: object | undefined;
    Object.defineProperty(target, name, { enumerable: true, configurable: false, get: () => (made ??= $accessor(ty, bits, $extend(hops, name))) });
  }
}

function $root<T>(s: number): T {
  const e = $composite(s);
  const ns: object = Object.create(null) as object;
  $define(ns, '$name', e[1]);
  $define(ns, '$declare', (t: LocalTypes) => $decl(t, s));
  $define(ns, '$exists', (p: Program, dst: Reg) => { p.typeExists(dst, $decl(p.types, s)); });
  $define(ns, '$matches', (p: Program, dst: Reg) => { p.typeMatches(dst, $decl(p.types, s)); });
  $define(ns, '$from', (ptr: KernelPtr<unknown>) => $ptr(ptr.reg, ptr.via));
  $fields(ns, s, [{ root: s, path: '' }]);
  return Object.freeze(ns) as T;
}`;

/**
 * Generate the module for `typeNames` (`task_struct`, `struct sk_buff`, `union bpf_attr`,
 * `task_struct___v6_1` for a flavor, `task_struct:pid,tgid,comm` for some fields only).
 * @throws {BtfkitError} `BTF_BAD_QUERY` for a type or member that does not exist.
 */
export function generateTs(btf: Btf, typeNames: readonly string[], options: GenTsOptions = {}): string {
  if (typeNames.length === 0) fail('expected at least one type name');
  const g = new Generator(btf, options);
  for (const name of typeNames) g.request(name);
  g.close();
  g.build();
  return new Writer(g).text();
}
