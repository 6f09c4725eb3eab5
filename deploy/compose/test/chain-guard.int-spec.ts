import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deployContracts, writeDeploymentFile, type Deployment } from '@microraiden/contracts';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilPrivateKey } from '../../stack/anvil-accounts';
import { currentIdentity, guardDatabase, isDeployed } from '../chain-guard';

let provider: JsonRpcProvider;
let db: TestDatabase;
let first: Deployment;
let firstFile: string;
const brokers = () => inject('kafkaBrokers').split(',');

async function deploy(): Promise<{ deployment: Deployment; file: string }> {
  const deployer = new NonceManager(new Wallet(anvilPrivateKey(0), provider));
  const deployment = await deployContracts(deployer, { challengePeriod: 3600 });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'chain-guard-')), 'local.json');
  await writeDeploymentFile(file, deployment);
  return { deployment, file };
}

beforeAll(async () => {
  provider = new JsonRpcProvider(inject('rpcUrl'), undefined, { cacheTimeout: -1 });
  db = await createTestDatabase({ prefix: 'chain_guard' });
  ({ deployment: first, file: firstFile } = await deploy());
});

afterAll(async () => {
  await db?.drop();
  provider?.destroy();
});

describe("compose's chain guard (real Postgres, Kafka and anvil)", () => {
  it('reuses a deployment whose contracts exist on the chain, not one whose do not', async () => {
    expect(await isDeployed(provider, firstFile)).toBe(true);
    expect(await isDeployed(provider, path.join(tmpdir(), 'no-such-deployment.json'))).toBe(false);
    const gone = path.join(mkdtempSync(path.join(tmpdir(), 'chain-guard-')), 'local.json');
    await writeDeploymentFile(gone, { ...first, channelManager: Wallet.createRandom().address });
    expect(await isDeployed(provider, gone)).toBe(false);
  });

  it('records the chain and Kafka cluster once, then passes them', async () => {
    const identity = await currentIdentity(provider, first, brokers());
    expect(await guardDatabase(db.url, identity)).toBe('recorded');
    expect(await guardDatabase(db.url, await currentIdentity(provider, first, brokers()))).toBe('match');
  });

  it('refuses a database that holds the state of another deployment, naming it', async () => {
    const { deployment: second } = await deploy();
    const identity = await currentIdentity(provider, second, brokers());
    await expect(guardDatabase(db.url, identity)).rejects.toThrow(
      /Postgres holds the state of another chain .*changed: channelManager, deployBlockHash.*docker compose down -v/,
    );
    await expect(
      guardDatabase(db.url, {
        ...identity,
        ...(await currentIdentity(provider, first, brokers())),
        kafkaClusterId: 'other',
      }),
    ).rejects.toThrow(/another Kafka cluster/);
  });
});
