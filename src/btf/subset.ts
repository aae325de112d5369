/**
 * A self-contained subset of a BTF: the named root types, every type they contain by value,
 * and forward declarations for structs and unions reached only through pointers. This is what
 * a minimal `vmlinux.h` for a few kernel types needs (`btfkit gen c`): everything clang must
 * know to lay out the roots, and nothing more.
 */
import type { Btf } from './btf.js';
import { BtfBuilder, type BtfTypeInput } from './encode.js';
import type { BtfType } from './types.js';
import { typeId, type TypeId } from '../binary/units.js';
import { BtfkitError, ErrorCodes } from '../errors.js';

/** Find types by C-ish name: `struct task_struct`, `union x`, `enum x`, `typedef x` or a plain name. */
export function findTypeByCName(btf: Btf, name: string): TypeId {
  const m = /^(struct|union|enum|typedef)\s+(\S+)$/.exec(name.trim());
  const ids = m === null ? btf.findByName(name.trim()) : btf.findByName(m[2]!, m[1] as 'struct' | 'union' | 'enum' | 'typedef');
  if (m?.[1] === 'enum' && ids.length === 0) ids.push(...btf.findByName(m[2]!, 'enum64'));
  const id = ids.find((i) => btf.kindOf(i) !== 'fwd') ?? ids[0];
  if (id === undefined) throw new BtfkitError(ErrorCodes.BTF_BAD_QUERY, `no type named '${name}'`);
  return id;
}

/** Encode the subset of `btf` that `roots` need (see the module comment). */
export function subsetBtf(btf: Btf, roots: readonly number[]): Uint8Array {
  const full = new Set<number>(); // walked by value: kept with everything it contains
  const structural = new Set<number>(); // reached behind a pointer: kept, contents behind the pointer too
  const fwd = new Set<number>(); // named structs/unions reached only behind a pointer
  const valueQueue: number[] = [...roots];
  const pointeeQueue: number[] = [];
  const refs = (t: BtfType): number[] => {
    switch (t.kind) {
      case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': return [t.type];
      case 'array': return [t.type, t.indexType];
      case 'struct': case 'union': return t.members.map((m) => m.type);
      case 'func_proto': return [t.returnType, ...t.params.map((p) => p.type)];
      default: return [];
    }
  };
  // Iterative walks (kernel types nest deeply); each id is visited at most once per mode.
  while (valueQueue.length > 0 || pointeeQueue.length > 0) {
    const v = valueQueue.pop();
    if (v !== undefined) {
      if (v === 0 || full.has(v)) continue;
      full.add(v);
      const t = btf.type(v);
      // what a pointer or a prototype names is only needed behind the pointer
      if (t.kind === 'ptr' || t.kind === 'func_proto') pointeeQueue.push(...refs(t));
      else valueQueue.push(...refs(t));
      continue;
    }
    const p = pointeeQueue.pop()!;
    if (p === 0 || full.has(p) || structural.has(p) || fwd.has(p)) continue;
    const t = btf.type(p);
    if ((t.kind === 'struct' || t.kind === 'union') && t.name !== '') fwd.add(p);
    else if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'int' || t.kind === 'enum' || t.kind === 'enum64' || t.kind === 'float' || t.kind === 'fwd') {
      valueQueue.push(p); // anonymous composites cannot be forward-declared; leaves are cheap
    } else {
      structural.add(p); // typedefs, modifiers, pointers, arrays, prototypes
      pointeeQueue.push(...refs(t));
    }
  }
  for (const id of full) {
    fwd.delete(id);
    structural.delete(id);
  }
  const kept = [...new Set([...full, ...structural, ...fwd])].sort((a, b) => a - b);
  const newId = new Map<number, number>(kept.map((id, i) => [id, i + 1]));
  const map = (id: number): TypeId => typeId(id === 0 ? 0 : newId.get(id)!);
  const b = new BtfBuilder({ littleEndian: btf.littleEndian });
  for (const id of kept) {
    const t = btf.type(id);
    if (fwd.has(id)) {
      b.addFwd(t.name, t.kind === 'union' ? 'union' : 'struct');
      continue;
    }
    b.add(remap(t, map));
  }
  return b.encode();
}

function remap(t: BtfType, map: (id: number) => TypeId): BtfTypeInput {
  const { id: _id, ...rest } = t as BtfType & { id: number };
  switch (t.kind) {
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'func': case 'var': case 'decl_tag':
      return { ...rest, type: map(t.type) } as BtfTypeInput;
    case 'array':
      return { ...rest, type: map(t.type), indexType: map(t.indexType) } as BtfTypeInput;
    case 'struct': case 'union':
      return { ...rest, members: t.members.map((m) => ({ ...m, type: map(m.type) })) } as BtfTypeInput;
    case 'func_proto':
      return { ...rest, returnType: map(t.returnType), params: t.params.map((p) => ({ ...p, type: map(p.type) })) } as BtfTypeInput;
    case 'datasec':
      return { ...rest, vars: t.vars.map((v) => ({ ...v, type: map(v.type) })) } as BtfTypeInput;
    default:
      return rest as BtfTypeInput;
  }
}
