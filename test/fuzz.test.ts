/**
 * Hostile input (ARCHITECTURE.md, tests layer 4): mutated and random BTF must give a valid
 * model or a BtfkitError, never another exception and never a hang.
 *
 * Seeds: small self-contained BTFs cut from real kernels (both byte orders), builder-made BTF
 * of every kind (with and without a layout section), tiny BPF programs compiled by clang, and
 * real module split BTF on its real base. BTFKIT_FUZZ_SEED sets the fast-check seed
 * (`random` for a fresh one), BTFKIT_FUZZ_RUNS the size of the main run.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Btf } from 'btfkit';
import { BtfBuilder } from 'btfkit';
import { kernelsForTests, readBtfFile, type KernelFile } from './helpers/kernels.js';
import {
  allKindsBtf, applyMutations, compiledBpfBtf, exerciseBtf, makeSeed, smallSeedsFrom, writeRandomBtf,
  type ExerciseOptions, type ExerciseReport, type Mutation, type RandomBtf, type RandomRecord, type Seed,
} from './helpers/fuzz.js';

const seedEnv = process.env['BTFKIT_FUZZ_SEED'];
const FC_SEED = seedEnv === 'random' ? Date.now() : seedEnv !== undefined ? Number(seedEnv) : 0x5eed_b7f;
const MAIN_RUNS = Number(process.env['BTFKIT_FUZZ_RUNS'] ?? 100_000);

const kernels = kernelsForTests();
const kernelByPrefix = (prefix: string): KernelFile => {
  const k = kernels.find((f) => f.name.startsWith(prefix) && (f.name.endsWith('.btf') || f.name.endsWith('.btf.gz')));
  if (k === undefined) throw new Error(`no kernel ${prefix} in the test corpus`);
  return k;
};
const amd64 = Btf.parse(readBtfFile(kernelByPrefix('linux-6.1.0-56-amd64.btf').path));
const s390x = Btf.parse(readBtfFile(kernelByPrefix('linux-6.1.0-50-s390x.btf').path));
const tcpBbr = readBtfFile(kernelByPrefix('linux-6.1.0-56-amd64.tcp_bbr.btf').path);
const nfConntrack = readBtfFile(kernelByPrefix('linux-6.1.0-56-amd64.nf_conntrack.btf').path);

function buildSeeds(): Seed[] {
  const seeds: Seed[] = [];
  smallSeedsFrom(amd64, 3).forEach((b, i) => seeds.push(makeSeed(`amd64-cut-${i}`, b)));
  smallSeedsFrom(s390x, 3).forEach((b, i) => seeds.push(makeSeed(`s390x-cut-${i}`, b)));
  seeds.push(makeSeed('all-kinds-le', allKindsBtf()));
  seeds.push(makeSeed('all-kinds-be', allKindsBtf({ littleEndian: false })));
  seeds.push(makeSeed('all-kinds-layout-le', allKindsBtf({ layout: true })));
  seeds.push(makeSeed('all-kinds-layout-be', allKindsBtf({ layout: true, littleEndian: false })));
  seeds.push(makeSeed('all-kinds-split', allKindsBtf({ base: amd64 }), amd64));
  for (const target of ['bpfel', 'bpfeb'] as const) {
    const b = compiledBpfBtf(target);
    if (b !== undefined) seeds.push(makeSeed(`clang-${target}`, b));
  }
  seeds.push(makeSeed('tcp_bbr-split', tcpBbr, amd64));
  return seeds;
}

const seeds = buildSeeds();

// ---- arbitraries ----

const u32 = fc.nat({ max: 0xffffffff });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  // Three flips and writes in four land before the strings: in the string section they mostly just rename.
  { weight: 3, arbitrary: fc.record({ op: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 1, maxLength: 6 }), meta: fc.nat(3).map((n) => n !== 0) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('bytes' as const), writes: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), meta: fc.nat(3).map((n) => n !== 0) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('word' as const), writes: fc.array(fc.tuple(fc.nat(), fc.nat(45), u32), { minLength: 1, maxLength: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('info' as const), record: fc.nat(),
      kind: fc.oneof({ weight: 4, arbitrary: fc.nat(21) }, { weight: 1, arbitrary: fc.nat(127) }),
      vlen: fc.oneof({ weight: 4, arbitrary: fc.nat(6) }, { weight: 1, arbitrary: fc.constantFrom(0xffff, 0x10000, 0xffffff) }),
      kflag: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('splice' as const), donor: fc.nat(), length: fc.constantFrom(4, 8, 24, 32, 64) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'swap-order' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('header' as const), field: fc.nat(6), value: fc.oneof(u32, fc.constantFrom(0, 1, 24, 32, 0x7fffffff, 0xffffffff)) }) },
);

const smallWord = fc.oneof(
  { weight: 6, arbitrary: fc.nat(48) },
  { weight: 2, arbitrary: u32 },
  { weight: 2, arbitrary: fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0x01000000, 0xff000000, 0x00ffffff, 0x01000008) },
);
const recordArb: fc.Arbitrary<RandomRecord> = fc.record({
  kind: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 19 }) }, { weight: 1, arbitrary: fc.nat(127) }),
  kflag: fc.boolean(),
  vlen: fc.oneof({ weight: 10, arbitrary: fc.nat(4) }, { weight: 1, arbitrary: fc.constantFrom(0xffff, 0x10000, 0xffffff) }),
  nameOff: fc.oneof({ weight: 5, arbitrary: fc.nat(64) }, { weight: 1, arbitrary: u32 }),
  sizeOrType: smallWord,
  words: fc.array(smallWord, { maxLength: 8 }),
});
const randomBtfArb: fc.Arbitrary<RandomBtf> = fc.record({
  littleEndian: fc.boolean(),
  records: fc.array(recordArb, { maxLength: 40 }),
  strings: fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('int', 'long', 'a___b', 'x')), { maxLength: 10 }),
  layout: fc.option(fc.array(fc.tuple(fc.constantFrom(0, 4, 8, 12, 3), fc.constantFrom(0, 4, 8, 6)), { maxLength: 26 }), { nil: undefined }),
  unknownWords: fc.nat(3),
});

type FuzzInput =
  | { readonly seed: number; readonly mutations: readonly Mutation[]; readonly thorough: boolean }
  | { readonly random: RandomBtf; readonly thorough: boolean };

/** One input in eight gets every check; the others a cheaper pass (same contract, fewer queries). */
const thoroughArb = fc.nat(7).map((n) => n === 0);
const inputArb: fc.Arbitrary<FuzzInput> = fc.oneof(
  { weight: 85, arbitrary: fc.record({ seed: fc.nat(), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }), thorough: thoroughArb }) },
  { weight: 15, arbitrary: fc.record({ random: randomBtfArb, thorough: thoroughArb }) },
);
const QUICK = { maxQueryIds: 24, maxNames: 3, maxProbes: 2, maxLookupKinds: 3, oddIds: false, verifyEncoding: false, encodeModes: ['preserve'] } as const;

// ---- statistics ----

interface Stats { inputs: number; parsed: number; fullyDecoded: number; encoded: number; verified: number; ms: number }
const stats = new Map<string, Stats>();
function record(name: string, r: ExerciseReport): void {
  let s = stats.get(name);
  if (s === undefined) stats.set(name, (s = { inputs: 0, parsed: 0, fullyDecoded: 0, encoded: 0, verified: 0, ms: 0 }));
  s.inputs++;
  if (r.parsed) s.parsed++;
  if (r.parsed && r.decodeErrors === 0) s.fullyDecoded++;
  s.encoded += r.encoded;
  s.verified += r.verified;
}
afterAll(() => {
  for (const [name, s] of stats) console.log(`fuzz ${name}: ${JSON.stringify(s)}`);
});

/**
 * Run one input, failing on slow inputs too (a hang shows up as a very slow input first).
 * Stack traces are off while fuzzing (most inputs throw many BtfkitErrors, and capturing
 * stacks dominated the run time); a failing input is run again with them on.
 */
function run(name: string, bytes: Uint8Array, base: Btf | undefined, limitMs: number, options: Omit<ExerciseOptions, 'base'> = {}): void {
  const t = performance.now();
  const opts = { ...options, ...(base === undefined ? {} : { base }) };
  const limit = Error.stackTraceLimit;
  let r: ExerciseReport;
  Error.stackTraceLimit = 0;
  try {
    r = exerciseBtf(bytes, opts);
  } catch {
    Error.stackTraceLimit = limit;
    r = exerciseBtf(bytes, opts); // throws again, with a stack
  } finally {
    Error.stackTraceLimit = limit;
  }
  const ms = performance.now() - t;
  record(name, r);
  stats.get(name)!.ms += ms;
  if (ms > limitMs) throw new Error(`${name}: one input took ${ms.toFixed(0)} ms (limit ${limitMs} ms)`);
}

describe('fuzz: hostile BTF input', () => {
  it('seeds are valid, decode fully and re-encode byte for byte', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(12);
    for (const s of seeds) {
      const r = exerciseBtf(s.bytes, s.base === undefined ? {} : { base: s.base });
      expect(r, s.name).toMatchObject({ parsed: true, decodeErrors: 0, encoded: 2 });
      expect(r.verified, s.name).toBe(2);
      expect(r.types, s.name).toBeGreaterThan(10);
    }
  });

  it(`${MAIN_RUNS} mutated and random small BTFs give a model or a BtfkitError`, async () => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const property = fc.property(inputArb, (input) => {
      const opts = input.thorough ? {} : QUICK;
      if ('random' in input) {
        run('random', writeRandomBtf(input.random), undefined, 2_000, opts);
      } else {
        const seed = seeds[input.seed % seeds.length]!;
        run('mutated-small', applyMutations(seed, seeds, input.mutations), seed.base, 2_000, opts);
      }
    });
    // In chunks, yielding in between so the worker stays responsive to the test runner.
    const chunk = 10_000;
    for (let done = 0, i = 0; done < MAIN_RUNS; done += chunk, i++) {
      fc.assert(property, { numRuns: Math.min(chunk, MAIN_RUNS - done), seed: FC_SEED + i });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const n = (stats.get('mutated-small')?.inputs ?? 0) + (stats.get('random')?.inputs ?? 0);
    expect(n).toBeGreaterThanOrEqual(MAIN_RUNS);
    const used = process.cpuUsage(cpu);
    console.log(`fuzz main: ${n} inputs in ${((performance.now() - t) / 1000).toFixed(1)} s (cpu ${((used.user + used.system) / 1e6).toFixed(1)} s, seeds ${FC_SEED}+i)`);
  });

  it('mutated real module BTF (split on the real vmlinux)', () => {
    const modSeeds = [makeSeed('tcp_bbr', tcpBbr, amd64), makeSeed('nf_conntrack', nfConntrack, amd64)];
    fc.assert(
      fc.property(fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (i, mutations) => {
        const seed = modSeeds[i % modSeeds.length]!;
        run('mutated-module', applyMutations(seed, modSeeds, mutations), amd64, 5_000);
      }),
      { numRuns: 1_000, seed: FC_SEED },
    );
  });

  it('mutated full vmlinux BTF', () => {
    const full = makeSeed('vmlinux', amd64.bytes);
    // Only mutations that keep the blob big: word and info writes, bit flips, header fields.
    const bigMutation = mutationArb.filter((m) => m.op === 'word' || m.op === 'info' || m.op === 'flip' || m.op === 'bytes' || m.op === 'header');
    fc.assert(
      fc.property(fc.array(bigMutation, { minLength: 1, maxLength: 2 }), (mutations) => {
        run('mutated-vmlinux', applyMutations(full, [full], mutations), undefined, 30_000,
          { verifyEncoding: false, maxQueryIds: 128, maxNames: 8, maxLookupKinds: 4, encodeModes: ['preserve'] });
      }),
      { numRuns: 4, seed: FC_SEED },
    );
  });

  it('words of a small seed set to every boundary value, one at a time', () => {
    // Exhaustive over (word, boundary) for a small seed of every kind, big-endian, with a layout
    // section: a deterministic complement to the random runs.
    const seed = seeds.find((s) => s.name === 'all-kinds-layout-be')!;
    for (let w = 0; w < seed.words.length; w++) {
      for (let v = 0; v < seed.boundaries.length; v++) {
        run('boundary-words', applyMutations(seed, seeds, [{ op: 'word', writes: [[w, v, 0]] }]), seed.base, 2_000,
          { ...QUICK, verifyEncoding: true });
      }
    }
  });
});

describe('fuzz: the harness', () => {
  it('reports an exception that is not a BtfkitError', () => {
    const seed = seeds.find((s) => s.name === 'all-kinds-le')!;
    const spy = vi.spyOn(Btf.prototype, 'resolveSize').mockImplementation(() => { throw new TypeError('boom'); });
    try {
      expect(() => exerciseBtf(seed.bytes)).toThrow(/resolveSize: TypeError escaped: boom/);
    } finally {
      spy.mockRestore();
    }
    expect(exerciseBtf(seed.bytes).verified).toBe(2);
  });
});

describe('fuzz: regressions', () => {
  // Btf.alignment once recursed into every member with no memoisation: a chain of structs that
  // each use the previous one twice took 2^depth calls (found by this fuzzer).
  it('alignment() is linear in the number of types', () => {
    const b = new BtfBuilder();
    let prev = b.addInt('int', 4, { signed: true });
    for (let k = 0; k < 14; k++) prev = b.addStruct(`s${k}`, 8, [{ name: 'a', type: prev, bitOffset: 0 }, { name: 'b', type: prev, bitOffset: 0 }]);
    const btf = Btf.parse(b.encode());
    const spy = vi.spyOn(btf, 'alignment');
    expect(btf.alignment(prev)).toBe(4);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(4 * 15);
  });
});
