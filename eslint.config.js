// ESLint flat config. The rule that matters most: the pure core (everything in src/ except
// src/cli and src/kernel) must not import node: modules (ARCHITECTURE.md rule 1).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'wasm/dump-c.ts', 'examples/*/dist/**', 'examples/ts-only/kernel.ts', 'node_modules/**', 'testdata/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // Walking a chain of split BTFs starts from this one.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/kernel/**', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'The pure core must not import Node modules.' }] }],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'console'],
    },
  },
);
