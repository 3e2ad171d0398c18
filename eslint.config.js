// Lint: typescript-eslint's recommended rules and the layer rules; formatting left to prettier. Not
// type-aware: without type information ESLint already takes about 34 s of the 60 s lint budget on 2 cores.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'bench-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // domain/ is pure: no AWS, no network, no adapters.
    files: ['layers/core/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@aws-lambda-powertools/*', 'telegraf', 'telegraf/*'],
              message: 'domain/ stays pure',
            },
            {
              group: ['**/adapters/**', 'node:http', 'node:https', 'node:net'],
              message: 'domain/ stays pure',
            },
          ],
        },
      ],
    },
  },
  {
    // Use cases reach the world through ports/; only each area's composition root (compose.ts) picks
    // the adapters, so a use case runs unchanged against in-memory ports in tests.
    files: [
      'layers/core/copy/**/*.ts',
      'layers/core/indexer/**/*.ts',
      'layers/core/analytics/**/*.ts',
      'layers/core/digest/**/*.ts',
      'layers/core/admin/**/*.ts',
    ],
    ignores: ['layers/core/*/compose.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**'],
              message: 'use cases import ports/, not adapters/ (only compose.ts wires adapters)',
            },
          ],
        },
      ],
    },
  },
  {
    // lib/ (CDK) never imports runtime code, except the shared resource definitions and the config
    // schema (synth validates operator settings with the schema the functions use).
    files: ['lib/**/*.ts', 'bin/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(functions|local)/|(layers/core|#core)/(?!resources|config)',
              message: 'lib/ imports only layers/core/resources and layers/core/config from runtime code',
            },
          ],
        },
      ],
    },
  },
);
