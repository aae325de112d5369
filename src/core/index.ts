/**
 * CO-RE: relocation kinds, access specs (parse and libbpf-format text).
 *
 * @packageDocumentation
 */
export { RELO_KIND, reloKindName, reloKindTag, isFieldKind, isTypeKind, isEnumKind, type ReloKindName } from './kinds.js';
export { parseAccessSpec, parseAccessIndices, formatSpec, formatSpecBody, MAX_SPEC_LEN, type AccessSpec, type SpecAccessor, type SpecInput } from './spec.js';
