// Flat config: typescript-eslint's recommended rules plus the architecture rule that libs never import services.
import tseslint from 'typescript-eslint';

const SERVICES = ['gateway', 'ledger', 'chain-watcher'];

// kafkajs is in maintenance mode: only libs/kafka (and the test infrastructure probing Kafka) may use it,
// so a librdkafka-based client can replace it in one place.
const KAFKAJS = { name: 'kafkajs', message: 'go through @microraiden/kafka' };

/** Dependencies point inward: services -> libs, never libs -> services, never service -> service. */
function restrictedImports() {
  const areas = [
    {
      files: ['libs/**/*.ts'],
      ignores: ['libs/kafka/**', 'libs/testing/**'],
      services: SERVICES,
      kafkajs: true,
    },
    { files: ['libs/testing/**/*.ts'], services: SERVICES, kafkajs: false },
    ...SERVICES.map((service) => ({
      files: [`services/${service}/**/*.ts`],
      services: SERVICES.filter((other) => other !== service),
      kafkajs: true,
    })),
  ];
  return areas.map(({ files, ignores, services, kafkajs }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: kafkajs ? [KAFKAJS] : [],
          patterns: [
            {
              group: services.flatMap((name) => [`**/services/${name}/**`, `**/${name}/src/**`]),
              message:
                'share code through libs/: libs never import services, services never import each other',
            },
          ],
        },
      ],
    },
  }));
}

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
  ...restrictedImports(),
  onePostgresDoor(),
);

/**
 * One way to Postgres: pools come from libs/persistence's createPgPool (lock and statement timeouts, error
 * listeners) and clients are checked out only through its withTransaction. A client from `pool.connect()` has no
 * 'error' listener while it is out, and a terminated backend then kills the process (issue 10).
 */
function onePostgresDoor() {
  const message =
    'go through @microraiden/persistence: createPgPool for pools, withTransaction for transactions';
  const connectOn = (object) => ({
    selector: `CallExpression[callee.property.name='connect'][callee.object${object}=/^pool$/i]`,
    message,
  });
  return {
    files: ['libs/**/*.ts', 'services/**/*.ts'],
    ignores: ['libs/persistence/**', 'libs/testing/**', '**/test/**', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'pg', importNames: ['Pool'], allowTypeImports: true, message }] },
      ],
      'no-restricted-syntax': ['error', connectOn('.name'), connectOn('.property.name')],
    },
  };
}
