// Flat config: typescript-eslint's recommended rules plus the project's layering rule —
// engine code never imports Electron, and only the renderer's api/ folder knows the transport.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'release/', '.cache/', 'bench-results/', 'test-results/', 'electron/**/assembly/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/engine/**/*.ts', 'electron/cli/**/*.ts', 'electron/server/**/*.ts', 'electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Engine, CLI, server and shared code must run without Electron.' }] }],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    ignores: ['renderer/src/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer has no Electron or Node access.' }],
          patterns: [{ group: ['**/electron/engine/**', '**/electron/main/**', '**/electron/server/**'], message: 'The renderer reaches the engine only through src/api and the contract in electron/shared.' }],
        },
      ],
    },
  },
);
