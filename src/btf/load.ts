/**
 * Open BTF from whatever bytes a user has: a raw blob or an ELF object with a `.BTF` section.
 */
import { ErrorCodes, ElfError } from '../errors.js';
import { isElf, readElf } from '../elf/read.js';
import { Btf, type BtfParseOptions } from './btf.js';

/**
 * Parse BTF from raw BTF bytes or from the `.BTF` section of an ELF file.
 * @throws {ElfError} `ELF_NO_SECTION` when an ELF file has no `.BTF` section.
 */
export function openBtf(bytes: Uint8Array, options: BtfParseOptions = {}): Btf {
  if (isElf(bytes)) {
    const elf = readElf(bytes);
    const sec = elf.section('.BTF');
    if (sec === undefined) throw new ElfError(ErrorCodes.ELF_NO_SECTION, 'ELF file has no .BTF section', { section: '.BTF' });
    return Btf.parse(elf.data(sec), options);
  }
  return Btf.parse(bytes, options);
}
