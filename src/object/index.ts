/**
 * BPF objects: read a compiled object into an immutable {@link ObjectSpec}.
 *
 * @packageDocumentation
 */
export { parseObject, findSectionDef, type ObjectSpec, type ProgramSpec, type MapSpec, type ExternSpec, type InsnReloc, type ObjectWarning } from './spec.js';
export { PROG_TYPES, ATTACH_TYPES, MAP_TYPES, SECTION_DEFS, type ProgType, type AttachType, type MapType, type SectionDef } from './section-defs.js';
export { listCoreRelos, coreReloToJson, formatCoreRelosJson, formatCoreRelosTable, type CoreReloListing, type CoreReloJson } from './relocs.js';
export { formatObjectSummary } from './summary.js';
export { writePatchedObject } from './patch.js';
export { disassembleObject, type ObjectDisasmOptions } from './disasm.js';
export { injectConstants, checkManifest, INJECT_KINDS, type InjectConstant, type InjectManifest, type InjectResult } from './inject.js';
