/**
 * BTF: decode, query, validate, encode and dump.
 *
 * See Documentation/bpf/btf.rst in the Linux tree for the format.
 *
 * @packageDocumentation
 */
export { Btf, essentialName, type BtfParseOptions } from './btf.js';
export { openBtf } from './load.js';
export { parseBtfExt, encodeBtfExt, btfExtStrings, type BtfExt, type BtfExtInput, type ExtGroup, type FuncInfo, type LineInfo, type CoreReloRecord } from './ext.js';
export * from './types.js';
export { validateBtf, type ValidateOptions, type ValidationResult, type ValidationError } from './validate.js';
export { BtfBuilder, encodeBtf, knownKindLayout, type BtfBuilderOptions, type BtfTypeInput, type BtfLayoutEntry, type BtfFormat, type EncodeBtfOptions } from './encode.js';
export { dumpRaw } from './dump-raw.js';
export { dumpC, type DumpCOptions } from './dump-c.js';
export { dumpJson } from './dump-json.js';
export type { ByteSink } from './out.js';
export { subsetBtf, findTypeByCName } from './subset.js';
