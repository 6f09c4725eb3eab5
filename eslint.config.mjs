// Flat config: typescript-eslint's recommended rules plus the architecture rule that libs never import services.
import tseslint from 'typescript-eslint';

const SERVICES = ['gateway', 'ledger', 'chain-watcher'];

// kafkajs is in maintenance mode: only libs/kafka (and the test infrastructure probing Kafka) may use it,
// so a librdkafka-based client can replace it in one place.
const KAFKAJS = { name: 'kafkajs', message: 'go through @microraiden/kafka' };

// Test code: unit and integration tests, test infrastructure and builders.
const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**', '**/testing/**'];

// One Ethereum stack per job (issue 15): addresses, hex, keccak and signatures come from @microraiden/protocol
// (the code the wire protocol is tested against); chain I/O and ABI from ethers. viem is a devDependency only:
// tests and benches compare against it.
const VIEM = {
  name: 'viem',
  message: 'addresses, hex, keccak, signatures: @microraiden/protocol; chain I/O: ethers',
};
const ETHERS_PRIMITIVES = {
  name: 'ethers',
  importNames: [
    'getAddress',
    'isAddress',
    'keccak256',
    'solidityPackedKeccak256',
    'hexlify',
    'Signature',
    'TypedDataEncoder',
    'verifyTypedData',
    'verifyMessage',
    'recoverAddress',
    'computeAddress',
  ],
  message:
    'addresses, hex, keccak and signatures come from @microraiden/protocol; ethers is for chain I/O and ABI',
};

/**
 * The libs each lib may import at runtime (its tests may import any lib, e.g. builders and @microraiden/testing).
 * Foundations first; a lib never imports one that lists it, nor a lib at its own level. Each lib's README says
 * the same in its "May import" line. Services may import every lib but @microraiden/testing.
 */
const LIB_DEPENDENCIES = {
  errors: [],
  chain: [],
  persistence: ['errors'],
  protocol: ['errors'],
  config: ['errors', 'protocol'],
  contracts: ['errors', 'protocol'],
  events: ['errors', 'protocol'],
  kafka: ['errors', 'events', 'persistence'],
  'service-kit': ['config', 'errors', 'persistence', 'chain', 'kafka'],
  testing: ['errors'],
  client: ['contracts', 'errors', 'protocol'],
  ledger: ['errors', 'events', 'kafka', 'persistence', 'protocol'],
  'chain-watcher': ['contracts', 'errors', 'events', 'kafka', 'persistence', 'protocol'],
  paywall: ['config', 'contracts', 'errors', 'events', 'kafka', 'persistence', 'protocol'],
};
// Libs that use kafkajs directly: libs/kafka wraps it, libs/testing probes the test Kafka.
const KAFKAJS_USERS = ['kafka', 'testing'];
// The paywall page's script runs in the visitor's browser as a sender: it builds on the client's browser entry
// (@microraiden/client/browser) and is bundled into a string by libs/paywall/scripts; the paywall's server code
// never imports the client.
const PAYWALL_PAGE = {
  files: ['libs/paywall/src/browser/**/*.ts', 'libs/paywall/scripts/**/*.ts'],
  libs: ['paywall', 'client', 'protocol'],
};

/**
 * Dependencies point inward: services -> libs, never libs -> services, never service -> service, and libs only
 * down LIB_DEPENDENCIES. Runtime code also keeps to one Ethereum stack per job; tests may use any (they compare
 * implementations).
 */
function restrictedImports() {
  const libs = Object.keys(LIB_DEPENDENCIES);
  const areas = [
    ...libs.map((lib) => ({
      files: [`libs/${lib}/**/*.ts`],
      services: SERVICES,
      kafkajs: !KAFKAJS_USERS.includes(lib),
      forbiddenLibs: libs.filter((other) => other !== lib && !LIB_DEPENDENCIES[lib].includes(other)),
    })),
    // After the paywall's own area, so that it wins for the page's files.
    {
      files: PAYWALL_PAGE.files,
      services: SERVICES,
      kafkajs: true,
      forbiddenLibs: libs.filter((lib) => !PAYWALL_PAGE.libs.includes(lib)),
    },
    ...SERVICES.map((service) => ({
      files: [`services/${service}/**/*.ts`],
      services: SERVICES.filter((other) => other !== service),
      kafkajs: true,
      forbiddenLibs: ['testing'],
    })),
  ];
  const servicePatterns = (services) => ({
    group: services.flatMap((name) => [`**/services/${name}/**`, `**/${name}/src/**`]),
    message: 'share code through libs/: libs never import services, services never import each other',
  });
  const libPatterns = (forbidden) => ({
    group: forbidden.flatMap((name) => [`@microraiden/${name}`, `@microraiden/${name}/**`]),
    message:
      'libs import only the libs below them (LIB_DEPENDENCIES, each lib README); services never import @microraiden/testing',
  });
  const rule = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });
  return areas.flatMap(({ files, services, kafkajs, forbiddenLibs }) => {
    const base = kafkajs ? [KAFKAJS] : [];
    return [
      {
        files,
        ignores: TEST_FILES,
        rules: rule(
          [...base, VIEM, ETHERS_PRIMITIVES],
          [servicePatterns(services), ...(forbiddenLibs.length ? [libPatterns(forbiddenLibs)] : [])],
        ),
      },
      // Tests: the dependency direction only. `[area, tests]` matches files in both.
      {
        files: files.flatMap((area) => TEST_FILES.map((test) => [area, test])),
        rules: rule(base, [servicePatterns(services)]),
      },
    ];
  });
}

/**
 * Short functions (issue 15): a function over ~80 lines does several things; split it into a pure decision and a
 * thin shell. Scripts, benches, generated code and tests are exempt (a test's describe block is a list).
 */
function shortFunctions() {
  return {
    files: ['**/*.ts'],
    ignores: [
      ...TEST_FILES,
      'bench/**',
      'contracts/scripts/**',
      'deploy/**',
      'libs/*/scripts/**',
      'libs/protocol/src/keccak-f1600.ts', // generated (libs/protocol/scripts/generate-keccak-f1600.ts)
    ],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  };
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
  shortFunctions(),
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
