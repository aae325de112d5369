/**
 * ELF64 reading (either byte order). Knows nothing of BPF.
 *
 * @packageDocumentation
 */
export { readElf, isElf, SHT, type ElfFile, type ElfSection, type ElfSymbol, type ElfRelocation } from './read.js';
export { writeElf, elfToWritable, type WritableElf, type WritableSection } from './write.js';
