/**
 * btfkit: BTF and CO-RE for JavaScript.
 *
 * @packageDocumentation
 */
export * from './btf/index.js';
export * from './errors.js';
export * from './elf/index.js';
export * from './binary/units.js';
