import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Btf, essentialName } from './btf.js';
import type { BtfComposite } from './types.js';
import { isBtfkitError } from '../errors.js';
import { readBtfFile, testdataKernels } from '../../test/helpers/kernels.js';

const load = (name: string, base?: Btf): Btf => Btf.parse(readBtfFile(join(testdataKernels, name)), base === undefined ? {} : { base });
const amd64 = load('linux-6.1.0-56-amd64.btf.gz');
const k612 = load('linux-6.12.117-amd64.btf.gz');
const s390x = load('linux-6.1.0-50-s390x.btf.gz');

/** Brute force: decode every name once, the oracle for the index. */
const allNames = new Map<Btf, string[]>();
function scanAll(btf: Btf, name: string, kind?: string): number[] {
  let names = allNames.get(btf);
  if (names === undefined) {
    names = [''];
    for (let id = 1; id <= btf.lastId; id++) names.push(btf.nameOf(id));
    allNames.set(btf, names);
  }
  const out: number[] = [];
  names.forEach((n, id) => {
    if (id > 0 && n === name && (kind === undefined || btf.kindOf(id) === kind)) out.push(id);
  });
  return out;
}

describe('Btf.parse', () => {
  it('counts the types bpftool prints (testdata README)', () => {
    expect(amd64.lastId).toBe(100750);
    expect(k612.lastId).toBe(112768);
    expect(s390x.lastId).toBe(77303);
    expect(amd64.littleEndian).toBe(true);
    expect(s390x.littleEndian).toBe(false);
  });

  it('decodes structs the way bpftool shows them, in both byte orders', () => {
    const t = amd64.type(193) as BtfComposite;
    expect(t).toMatchObject({ kind: 'struct', name: 'task_struct', size: 9792 });
    expect(t.members).toHaveLength(252);
    const s = s390x.type(245) as BtfComposite;
    expect(s).toMatchObject({ kind: 'struct', name: 'task_struct', size: 4608 });
    expect(s.members).toHaveLength(208);
    const lh = s390x.type(93) as BtfComposite;
    expect(lh.members.map((m) => [m.name, m.bitOffset])).toEqual([['next', 0], ['prev', 64]]);
  });

  it('parses module BTF split on its base: ids and strings continue the base', () => {
    const mod = load('linux-6.1.0-56-amd64.nf_conntrack.btf.gz', amd64);
    expect(mod.startId).toBe(100751);
    expect(mod.lastId).toBe(101384);
    const t = mod.type(100751) as BtfComposite;
    expect(t.name).toBe('file_system_type');
    expect(t.members[0]).toMatchObject({ name: 'name', type: 11, bitOffset: 0 });
    // base types are reachable through the split container
    expect(mod.type(193).name).toBe('task_struct');
    expect(mod.findByNameKind('task_struct', 'struct')).toBe(193);
    const bbr = load('linux-6.1.0-56-amd64.tcp_bbr.btf.gz', amd64);
    expect(bbr.lastId).toBe(100780);
  });

  it('decodes every type of every committed kernel', () => {
    for (const btf of [amd64, k612, s390x]) {
      let n = 0;
      let misnumbered = 0;
      for (const t of btf.types()) {
        if (t.id !== n + 1) misnumbered++;
        n++;
      }
      expect(misnumbered).toBe(0);
      expect(n).toBe(btf.lastId);
    }
  });
});

describe('name lookups', () => {
  const names = ['task_struct', 'list_head', 'sk_buff', 'pid_t', 'nf_conn', 'nf_conn___init', 'bpf_map_type', 'no_such_type_xyz', 'int', 'u8'];

  it('agree with a brute-force scan, first (scan) and later (index) lookups alike', () => {
    for (const round of [0, 1, 2]) {
      for (const name of names) {
        expect(amd64.findByName(name), `${name} round ${round}`).toEqual(scanAll(amd64, name));
        for (const kind of ['struct', 'typedef', 'enum'] as const) {
          const want = scanAll(amd64, name, kind);
          expect(amd64.findByName(name, kind)).toEqual(want);
          expect(amd64.findByNameKind(name, kind)).toBe(want[0]);
        }
      }
    }
  });

  it('finds flavors by essential name', () => {
    expect(amd64.findByEssentialName('nf_conn', 'struct')).toEqual([...scanAll(amd64, 'nf_conn', 'struct'), ...scanAll(amd64, 'nf_conn___init', 'struct')].sort((a, b) => a - b));
    expect(amd64.findByEssentialName('nf_conn___whatever', 'struct').length).toBe(2);
    // an exact lookup never matches a flavor
    expect(amd64.findByName('nf_conn', 'struct')).toEqual(scanAll(amd64, 'nf_conn', 'struct'));
  });

  it('cuts flavors as libbpf does', () => {
    expect(essentialName('task_struct___old')).toBe('task_struct');
    expect(essentialName('a___b___c')).toBe('a___b');
    expect(essentialName('foo___')).toBe('foo___');
    expect(essentialName('foo____bar')).toBe('foo____bar');
    expect(essentialName('___x')).toBe('___x');
    expect(essentialName('plain')).toBe('plain');
  });
});

describe('queries', () => {
  it('resolves sizes, alignment and modifiers', () => {
    const task = amd64.findByNameKind('task_struct', 'struct')!;
    expect(amd64.resolveSize(task)).toBe(9792);
    // BTF carries no alignment attributes: like libbpf, the natural alignment of the members
    expect(amd64.alignment(task)).toBe(8);
    expect(amd64.pointerSize()).toBe(8);
    const pid = amd64.findByNameKind('pid_t', 'typedef')!;
    expect(amd64.resolveSize(pid)).toBe(4);
    expect(amd64.kindOf(amd64.skipModsAndTypedefs(pid))).toBe('int');
    // arrays multiply: the 16-byte comm
    const comm = (amd64.type(task) as BtfComposite).members.find((m) => m.name === 'comm')!;
    expect(amd64.resolveSize(comm.type)).toBe(16);
  });

  it('refuses sizes that do not exist with a BtfkitError', () => {
    const func = amd64.findByName('do_exit', 'func')[0]!;
    expect(() => amd64.resolveSize(func)).toThrow(expect.objectContaining({ code: 'BTF_BAD_QUERY' }));
    expect(() => amd64.resolveSize(0)).toThrow(expect.objectContaining({ code: 'BTF_BAD_QUERY' }));
    expect(() => amd64.type(amd64.lastId + 1)).toThrow(expect.objectContaining({ code: 'BTF_BAD_TYPE_ID' }));
  });
});

describe('bad input', () => {
  const good = readBtfFile(join(testdataKernels, 'linux-6.1.0-56-amd64.tcp_bbr.btf.gz'));
  const expectCode = (f: () => unknown, code: string) => {
    try {
      f();
    } catch (e) {
      expect(isBtfkitError(e)).toBe(true);
      expect((e as { code: string }).code).toBe(code);
      return;
    }
    throw new Error('expected an error');
  };

  it('rejects a bad magic, a short header and bad lengths with stable codes', () => {
    expectCode(() => Btf.parse(new Uint8Array(10)), 'BTF_BAD_MAGIC');
    expectCode(() => Btf.parse(new Uint8Array(24)), 'BTF_BAD_MAGIC');
    const b = good.slice();
    new DataView(b.buffer).setUint32(20, 0xffffff00, true); // str_len far too long
    expectCode(() => Btf.parse(b, { base: amd64 }), 'BTF_BAD_HEADER');
  });

  it('demands base BTF for split data', () => {
    expectCode(() => Btf.parse(good), 'BTF_BAD_STRINGS');
  });

  it('reports a truncated type record with its id and offset', () => {
    const b = good.slice();
    const v = new DataView(b.buffer);
    // first type: set vlen of a bogus STRUCT to something huge
    v.setUint32(24 + 4, (4 << 24) | 0xffff, true);
    try {
      Btf.parse(b, { base: amd64 });
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toMatchObject({ code: 'BTF_BAD_TYPE', typeId: 100751, offset: 24, section: 'types' });
    }
  });
});
