// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'dns', 'process', 'timers'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.data/', 'test-results/', 'admin-web/', 'worker-app/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
      'object-shorthand': 'error',
      'no-restricted-syntax': [
        'error',
        // One env schema (api/config.ts) reads the environment; everything else gets a typed Config.
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through api/config.ts' },
      ],
    },
  },
  {
    // The config module and the tooling scripts are the places that may read the process environment.
    files: ['api/config.ts', 'scripts/**/*.ts', 'test/global-setup.ts', 'test/global-teardown.ts', 'test/helpers/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O packages, and activities by type only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`), 'pg', 'knex', 'ioredis', 'socket.io', 'fastify'],
          patterns: [
            { group: ['../api/db/*', '../api/services/*', '../api/routes/*', '../api/plugins/*'], message: 'Workflows are deterministic: no I/O.' },
            { group: ['../activities/*'], allowImportNames: [], message: 'Import activity types only (import type).', },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
