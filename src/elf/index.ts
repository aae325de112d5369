/**
 * ELF64 reading (either byte order). Knows nothing of BPF.
 *
 * @packageDocumentation
 */
export { readElf, isElf, type ElfFile, type ElfSection } from './read.js';
