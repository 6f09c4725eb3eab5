import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeDeploymentFile } from '@microraiden/contracts';
import { createChannelEvent } from '@microraiden/events';
import type { Address, Hex32 } from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { ChannelEventProjector, migrateGatewaySchema } from '../../src';
import { deployClientFixture, type ClientFixture } from '../../../client/test/support/client-fixture';
import {
  CLIENT_SCRIPTS,
  compileConsumerTs,
  consumerEnv,
  DENO_RUN,
  readmeExamples,
  repoRoot,
  sh,
  startConsumerApp,
  stopConsumerApp,
  type AppRuntime,
  type ConsumerApp,
} from './packed-consumer';

const PRICE = 7n;

/**
 * What a user of each adapter installs beside the two tarballs (versions of the monorepo's lock file, so the npm
 * cache has most of them; @nestjs/platform-express is the one the monorepo does not use).
 */
export const ADAPTER_PACKAGES = [
  'pg@8.23.1',
  'express@5.3.0',
  'fastify@5.11.3',
  '@nestjs/common@11.2.10',
  '@nestjs/core@11.2.10',
  '@nestjs/platform-express@11.2.10',
  '@nestjs/platform-fastify@11.2.8',
  'reflect-metadata@0.2.2',
  'rxjs@7.8.2',
  // The fetch handler's other runtimes, from npm like the rest (the binary is in each one's platform package).
  'bun@1.4.5',
  'deno@2.9.6',
];

/** The README's adapter examples the tests run, in order; bun and deno are the fetch handler on those runtimes. */
const EXAMPLE_APPS = ['express', 'fetch', 'bun', 'deno', 'fastify', 'nest', 'nest-fastify'];

/** The README's Nest example on Nest's Fastify platform: the one change the README names. */
function onFastify(nest: string): string {
  const variant = nest
    .replace('NestFactory.create(AppModule)', 'NestFactory.create(AppModule, new FastifyAdapter())')
    .replace(
      "import { NestFactory } from '@nestjs/core';",
      "import { NestFactory } from '@nestjs/core';\nimport { FastifyAdapter } from '@nestjs/platform-fastify';",
    );
  if (!variant.includes('new FastifyAdapter()'))
    throw new Error('the Nest example has no NestFactory.create(AppModule)');
  return variant;
}

/**
 * Every adapter of the package, each the README's example (libs/paywall/README.md), run from the installed tarball
 * in `consumerDir()` (which has {@link ADAPTER_PACKAGES}): one channel for all, each app paid by @microraiden/client
 * from its tarball; the fetch handler also on Bun (`Bun.serve`) and Deno (`Deno.serve`), installed from npm into the
 * same project. Registers its describe block where it is called (package.int-spec.ts: the scratch install is shared
 * with the package's other tests).
 */
export function describeAdapterExamples(consumerDir: () => string): void {
  describe('the adapters, each the README example, paid by @microraiden/client', () => {
    let fx: ClientFixture;
    let db: TestDatabase;
    let pool: Pool;
    let env: NodeJS.ProcessEnv;
    const apps: Record<string, { script: string; runtime: AppRuntime }> = {};

    beforeAll(async () => {
      const readme = path.join(repoRoot, 'libs/paywall/README.md');
      const examples = await readmeExamples(readme);
      // The Deno example runs with the permissions the README names.
      expect(await readFile(readme, 'utf8')).toContain(`deno ${DENO_RUN.join(' ')} app.js`);
      const root = await readmeExamples(path.join(repoRoot, 'README.md'));
      // The root README shows two of them: the same text.
      expect(root.get('express')).toBe(examples.get('express'));
      expect(root.get('nest')).toBe(examples.get('nest'));
      const example = (name: string): string => {
        const text = examples.get(name);
        if (text === undefined) throw new Error(`libs/paywall/README.md has no example ${name}`);
        return text;
      };

      const dir = consumerDir();
      for (const [file, text] of Object.entries(CLIENT_SCRIPTS)) await writeFile(path.join(dir, file), text);
      for (const name of ['express', 'fetch', 'fastify']) {
        await writeFile(path.join(dir, `${name}.js`), example(name));
        apps[name] = { script: `${name}.js`, runtime: 'node' };
      }
      // ES modules with top-level await: both runtimes take them in a .js file of a package without "type".
      for (const runtime of ['bun', 'deno'] as const) {
        await writeFile(path.join(dir, `${runtime}.js`), example(runtime));
        apps[runtime] = { script: `${runtime}.js`, runtime };
      }
      await writeFile(path.join(dir, 'nest.ts'), example('nest'));
      await writeFile(path.join(dir, 'nest-fastify.ts'), onFastify(example('nest')));
      // What a new Nest project's tsconfig has (strict, decorators, skipLibCheck, Nest's default): the package's
      // declarations must type the example.
      await compileConsumerTs(
        dir,
        ['nest.ts', 'nest-fastify.ts'],
        [
          '--module',
          'node16',
          '--moduleResolution',
          'node16',
          '--experimentalDecorators',
          '--emitDecoratorMetadata',
          '--skipLibCheck',
        ],
      );
      apps.nest = { script: 'nest.js', runtime: 'node' };
      apps['nest-fastify'] = { script: 'nest-fastify.js', runtime: 'node' };

      fx = await deployClientFixture(inject('rpcUrl'));
      await fx.mint(fx.sender.address, 1_000_000n);
      await writeDeploymentFile(path.join(dir, 'deployment.json'), fx.deployment);
      db = await createTestDatabase({ prefix: 'h12_paywall_adapters', serverUrl: inject('databaseUrl') });
      pool = new Pool({ connectionString: db.url, max: 2 });
      const state = await fx.stateDir();
      env = consumerEnv({
        DATABASE_URL: db.url,
        DEPLOYMENT_FILE: path.join(dir, 'deployment.json'),
        RECEIVER: fx.receiver.address,
        KEY: fx.senderKey,
        RPC: inject('rpcUrl'),
        STATE: path.join(state, 'state'),
      });
      await migrateGatewaySchema(pool);
      await openProjectedChannel();
    }, 400_000);

    afterAll(async () => {
      await pool?.end();
      await db?.drop();
      await fx?.dispose();
    });

    /** Opens the sender's channel and projects its creation, as a gateway's projector would (not in these apps). */
    async function openProjectedChannel(): Promise<void> {
      const opened = await sh(process.execPath, ['open.js'], { cwd: consumerDir(), env });
      const { id } = JSON.parse(opened.stdout) as { id: Hex32 };
      const [, , deposit] = await fx.manager.getChannel(id);
      const hash = () => `0x${randomBytes(32).toString('hex')}`;
      const data = {
        channelId: id,
        sender: fx.sender.address as Address,
        receiver: fx.receiver.address as Address,
        deposit,
        chainId: fx.deployment.chainId,
        channelManager: fx.deployment.channelManager as Address,
        blockNumber: 1,
        blockHash: hash(),
        transactionHash: hash(),
        logIndex: 0,
      } as unknown as Parameters<typeof createChannelEvent<'channel.created'>>[1];
      const event = createChannelEvent('channel.created', data, {
        source: 'chain-watcher',
        occurredAt: new Date().toISOString(),
      });
      const projector = new ChannelEventProjector(pool, {
        chainId: fx.deployment.chainId,
        channelManager: fx.deployment.channelManager as Address,
      });
      expect(await projector.apply(event)).toBe('applied');
    }

    async function channelRow() {
      const { rows } = await pool.query<{ id: Hex32; accepted: string; paid: number; outbox: number }>(
        `SELECT channel_id AS id, accepted_balance::text AS accepted, paid_requests::int AS paid,
              (SELECT count(*)::int FROM outbox) AS outbox
         FROM gateway_channels`,
      );
      expect(rows).toHaveLength(1);
      return rows[0]!;
    }

    describe.each(EXAMPLE_APPS)('the %s example', (name) => {
      let app: ConsumerApp | undefined;
      afterAll(() => stopConsumerApp(app));

      it('answers 402, then serves the paid request once with a receipt and charges it once', async () => {
        const { script, runtime } = apps[name]!;
        app = await startConsumerApp(consumerDir(), script, env, runtime);
        const before = await channelRow();
        const balance = BigInt(before.accepted) + PRICE;
        const { stdout } = await sh(process.execPath, ['pay.js'], {
          cwd: consumerDir(),
          env: { ...env, URL: `${app.url}/weather` },
        });
        expect(JSON.parse(stdout)).toEqual({
          unpaid: { status: 402, error: 'PAYMENT_REQUIRED', price: `${PRICE}` },
          status: 200,
          body: { city: 'Berlin' },
          receipt: { cost: `${PRICE}`, balance: `${balance}` },
          paid: { channelId: before.id, amount: `${PRICE}`, balance: `${balance}` },
        });
        expect(await channelRow()).toEqual({
          id: before.id,
          accepted: `${balance}`,
          paid: before.paid + 1,
          outbox: before.outbox + 1,
        });
      });

      it('answers a CORS preflight for the payment headers and exposes them to other origins', async () => {
        const origin = 'https://app.example';
        const preflight = await fetch(`${app!.url}/weather`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'payment-signature',
          },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-headers')).toMatch(/PAYMENT-SIGNATURE/);
        const unpaid = await fetch(`${app!.url}/weather`, { headers: { origin } });
        expect(unpaid.status).toBe(402);
        expect(unpaid.headers.get('access-control-allow-origin')).toBe('*');
        expect(unpaid.headers.get('access-control-expose-headers')).toMatch(/PAYMENT-REQUIRED/);
      });
    });
  });
}
