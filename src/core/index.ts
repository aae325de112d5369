/**
 * CO-RE: relocation kinds, access specs (parse and libbpf-format text).
 *
 * @packageDocumentation
 */
export { RELO_KIND, reloKindName, reloKindTag, isFieldKind, isTypeKind, isEnumKind, type ReloKindName } from './kinds.js';
export { parseAccessSpec, parseAccessIndices, formatSpec, formatSpecBody, MAX_SPEC_LEN, type AccessSpec, type SpecAccessor, type SpecInput } from './spec.js';
export { relocateObject, findCandidates, type TargetBtf, type RelocateOptions, type RelocateResult, type RelocationResult, type RelocationOutcome, type Candidate, type CandidateTrial } from './relocate.js';
export { calcRelocation, CalcError, type CalcResult } from './calc.js';
export { patchInstruction, POISON_IMM, type PatchOutcome } from './patch.js';
export { matchCandidate, fieldsAreCompat, typesAreCompat, typesMatch, kindsCoreCompat, MatchError, type MatchResult } from './match.js';
export {
  query, accessStringFor, resolveLocalType, fieldByteOffset, fieldByteSize, fieldExists, fieldSigned, fieldLShiftU64, fieldRShiftU64,
  typeIdTarget, typeExists, typeSize, typeMatches, enumValueExists, enumValue, type LocalType, type QueryAnswer,
} from './query.js';
export { relocatableView, type RelocatableView, type ViewOptions, type ReadOptions, type ReadAs, type ViewValue, type ViewField } from './view.js';
export {
  decodeReadOutcome, formatReadOutcome, readOutcomeSize, READ_OUTCOME_LAYOUT, READ_STATUS, some, none, sizeMismatch, probeReadError,
  type ReadOutcome, type ReadOk, type ReadErr, type ReadError, type SizeMismatch, type ProbeRead,
} from './outcome.js';
