/**
 * Code generation from kernel BTF: `btfkit gen ts` as a library (typed relocatable getters
 * for programs built with `btfkit/emit`). See docs/gen-ts.md.
 *
 * @packageDocumentation
 */
export { generateTs, type GenTsOptions, type GenTsFlavor } from './ts.js';
