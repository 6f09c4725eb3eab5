// Flat config: typescript-eslint's recommended rules plus the architecture rule that libs never import services.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.cache/**',
      '.run/**',
      'libs/contracts/src/generated/**',
      'coverage/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Dependencies point inward: services -> libs, never libs -> services, never service -> service.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/services/**', '@microraiden/gateway*', '@microraiden/ledger*'],
              message: 'libs must not import services',
            },
          ],
        },
      ],
    },
  },
  ...['gateway', 'ledger', 'chain-watcher'].map((service) => ({
    files: [`services/${service}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['gateway', 'ledger', 'chain-watcher']
                .filter((other) => other !== service)
                .map((other) => `**/services/${other}/**`),
              message: 'a service never imports another service; share code through libs/',
            },
          ],
        },
      ],
    },
  })),
);
