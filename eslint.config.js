// Lint = typescript-eslint's recommended type-aware rules, plus the few that catch real bugs in
// async server code (floating promises, misused promises). Formatting is not linted.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.services/**', '.tools/**', 'coverage/**', 'dashboard/test-results/**', 'server/src/gen/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The dashboard runs in browsers (its own tsconfig: DOM, JSX); its end-to-end test in Node.
    files: ['dashboard/src/**/*.{ts,tsx}'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Kysely's convention: migrations take Kysely<any>, frozen in time, never typed by today's schema.
    files: ['migrations/**', 'server/src/infra/db/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CLIs, scripts and benchmarks talk to a terminal.
    files: ['scripts/**', 'bench/**', 'server/bin/**', '**/cli.ts', 'sdk/examples/**'],
    rules: { 'no-console': 'off' },
  },
);
