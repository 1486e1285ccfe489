// ESLint (flat config) with typescript-eslint. The workflows/ block is the determinism fence:
// workflow code runs in Temporal's sandbox and is replayed, so it may not reach Node built-ins,
// the database, HTTP, XML parsing, or activity implementations (types only).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'generated/', '.tools/', '.data/', 'coverage/', 'dist/', 'deploy/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
  {
    files: ['**/__tests__/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/__tests__/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Workflows are deterministic: no Node built-ins (use an activity).' })),
            ...['@prisma/client', 'pg', '@electric-sql/pglite', 'pglite-prisma-adapter', '@prisma/adapter-pg'].map((name) => ({
              name,
              message: 'Workflows never touch the database: call an activity.',
            })),
            ...['express', 'axios', 'undici', 'node-fetch', 'got', 'supertest'].map((name) => ({
              name,
              message: 'Workflows make no HTTP calls: call an activity.',
            })),
            { name: 'fast-xml-parser', message: 'XML is parsed in adapters, called from activities.' },
            ...['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'].map((name) => ({
              name,
              message: 'Workflow code imports only @temporalio/workflow and @temporalio/common.',
            })),
            { name: 'pino', message: 'Use log from @temporalio/workflow (replay-safe).' },
            { name: 'decimal.js', message: 'Workflow state is plain JSON: call domain functions that return strings.', allowTypeImports: true },
          ],
          patterns: [
            { group: ['**/activities', '**/activities/**'], message: 'Only type imports from activities/.', allowTypeImports: true },
            { group: ['**/generated/**', '**/infra/**', '**/api/**', '**/workers/**', '**/adapters/**'], message: 'Not reachable from workflows.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'fetch', message: 'Workflows make no HTTP calls: call an activity.' },
        { name: 'process', message: 'No process access in workflows.' },
      ],
    },
  },
);
