import path from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Nest needs decorator metadata, which esbuild does not emit: swc transpiles instead.
const plugins = [swc.vite({ module: { type: 'es6' } })];
const alias = [
  // The package's subpath entry points (libs/paywall/package.json exports).
  {
    find: /^@microraiden\/paywall\/(fastify|nest)$/,
    replacement: path.resolve(__dirname, 'libs/paywall/src/adapters/$1/index.ts'),
  },
  {
    find: /^@microraiden\/paywall\/(testing|x402)$/,
    replacement: path.resolve(__dirname, 'libs/paywall/src/$1/index.ts'),
  },
  {
    find: /^@microraiden\/client\/browser$/,
    replacement: path.resolve(__dirname, 'libs/client/src/browser.ts'),
  },
  { find: /^@microraiden\/([\w-]+)$/, replacement: path.resolve(__dirname, 'libs/$1/src/index.ts') },
];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{libs,services,contracts,bench,examples,deploy}/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{libs,services,contracts,examples,deploy}/**/*.{int,e2e}-spec.ts'],
          environment: 'node',
          // One shared Kafka, Postgres and anvil: files run one after another so chain time warps,
          // nonces and topic offsets of one file never leak into another.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ['libs/testing/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
