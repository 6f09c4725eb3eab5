import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  channelManagerAt,
  computeChannelId,
  deployContracts,
  microTokenAt,
  writeDeploymentFile,
  type ChannelManagerContract,
  type Deployment,
  type MicroTokenContract,
} from '@microraiden/contracts';
import { createBalanceProofAccepted, isChannelEvent, type ChannelEvent } from '@microraiden/events';
import {
  createEventConsumer,
  createEventProducer,
  ensureTopics,
  type EventProducer,
} from '@microraiden/kafka';
import { channelDomain, signBalanceProof } from '@microraiden/protocol';
import { bootstrapService } from '@microraiden/service-kit';
import {
  ANVIL_MNEMONIC,
  createTestDatabase,
  startAnvil,
  uniqueTopic,
  waitFor,
  type RunningAnvil,
  type TestDatabase,
} from '@microraiden/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HDNodeWallet, hexlify, JsonRpcProvider, parseEther, randomBytes, toBeHex, Wallet } from 'ethers';
import { Pool } from 'pg';
import { inject } from 'vitest';
import { AppModule } from '../../src/app.module';
import { loadChainWatcherConfig } from '../../src/chain-watcher-config';

/** A channel opened by the fixture. */
export interface TestChannel {
  channelId: string;
  sender: Wallet;
  deposit: bigint;
}

/** A channel event read back from Kafka with where it was read. */
export interface ReadEvent {
  event: ChannelEvent;
  partition: number;
  offset: bigint;
  key: string | null;
}

/**
 * A private anvil with fresh contracts, a fresh database, unique topics and a funded receiver whose key the
 * watcher app holds; plus builders for channels, proofs and chain time.
 */
export class WatcherFixture {
  app: NestFastifyApplication | undefined;
  url = '';
  readonly events: ReadEvent[] = [];
  private producer: EventProducer | undefined;
  private stopCollector: (() => Promise<void>) | undefined;

  private constructor(
    readonly anvil: RunningAnvil,
    readonly provider: JsonRpcProvider,
    readonly deployer: Wallet,
    readonly deployment: Deployment,
    readonly manager: ChannelManagerContract,
    readonly token: MicroTokenContract,
    readonly receiver: Wallet,
    readonly db: TestDatabase,
    readonly pool: Pool,
    readonly env: Record<string, string>,
    private readonly dir: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<WatcherFixture> {
    const anvil = await startAnvil();
    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    provider.pollingInterval = 50;
    const deployer = new Wallet(HDNodeWallet.fromPhrase(ANVIL_MNEMONIC).privateKey, provider);
    const deployment = await deployContracts(deployer, { challengePeriod: 3600 });
    const dir = mkdtempSync(path.join(tmpdir(), 'chain-watcher-'));
    const deploymentFile = path.join(dir, 'deployment.json');
    await writeDeploymentFile(deploymentFile, deployment);
    const receiver = new Wallet(hexlify(randomBytes(32)), provider);
    await provider.send('anvil_setBalance', [receiver.address, toBeHex(parseEther('100'))]);
    const db = await createTestDatabase({ prefix: 'chain_watcher' });
    const channelsTopic = uniqueTopic('cw-channels');
    const proofsTopic = uniqueTopic('cw-proofs');
    const brokers = inject('kafkaBrokers');
    await ensureTopics({ brokers: brokers.split(','), clientId: 'test' }, [
      { name: channelsTopic, partitions: 3 },
      { name: proofsTopic, partitions: 3 },
    ]);
    const fullEnv = {
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers,
      RPC_URL: anvil.rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      MICRORAIDEN_DEV: '1',
      RECEIVER_PRIVATE_KEY: receiver.privateKey,
      CHANNELS_TOPIC: channelsTopic,
      BALANCE_PROOFS_TOPIC: proofsTopic,
      KAFKA_GROUP_ID: `cw-${randomHex(4)}`,
      POLL_INTERVAL_MS: '100',
      CONFIRMATIONS: '2',
      ...env,
    };
    return new WatcherFixture(
      anvil,
      provider,
      deployer,
      deployment,
      channelManagerAt(deployment.channelManager, deployer),
      microTokenAt(deployment.token, deployer),
      receiver,
      db,
      new Pool({ connectionString: db.url, max: 2 }),
      fullEnv,
      dir,
    );
  }

  /** Start (or restart) the watcher app. */
  async startApp(): Promise<void> {
    const config = loadChainWatcherConfig(this.env);
    this.app = await bootstrapService(AppModule.register(config), {
      name: 'chain-watcher',
      port: 0,
      listen: false,
    });
    await this.app.listen(0, '127.0.0.1');
    this.url = await this.app.getUrl();
  }

  /** Stop the watcher app (as a crash or deploy would). */
  async stopApp(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  /** Read the channels topic from the beginning into {@link events} (a throwaway group). */
  async collectChannelEvents(): Promise<void> {
    const consumer = createEventConsumer({
      client: { brokers: this.env.KAFKA_BROKERS!.split(','), clientId: 'test-reader' },
      groupId: `reader-${randomHex(4)}`,
      topics: [this.env.CHANNELS_TOPIC!],
      fromBeginning: true,
      maxWaitTimeMs: 100,
    });
    await consumer.run(async ({ event, partition, offset, key }) => {
      if (isChannelEvent(event)) this.events.push({ event, partition, offset, key });
    });
    this.stopCollector = () => consumer.stop();
  }

  /** A fresh account with ETH and `tokens` MicroTokens, the manager approved for all of them. */
  async fundedSender(tokens = 1_000_000n): Promise<Wallet> {
    const sender = new Wallet(hexlify(randomBytes(32)), this.provider);
    await this.provider.send('anvil_setBalance', [sender.address, toBeHex(parseEther('100'))]);
    await (await this.token.mint(sender.address, tokens)).wait();
    await (await this.token.connect(sender).approve(this.deployment.channelManager, tokens)).wait();
    return sender;
  }

  /** Open a channel from `sender` to the watcher's receiver. */
  async openChannel(sender: Wallet, deposit = 1_000n): Promise<TestChannel> {
    const nonce = await this.manager.channelNonce(sender.address);
    await (await this.manager.connect(sender).createChannel(this.receiver.address, deposit)).wait();
    return { channelId: this.channelIdOf(sender, nonce), sender, deposit };
  }

  /** Open `count` channels from `sender` in a single block (automine paused). */
  async openChannelsInOneBlock(sender: Wallet, count: number, deposit: bigint): Promise<TestChannel[]> {
    const first = await this.manager.channelNonce(sender.address);
    let txNonce = await this.provider.getTransactionCount(sender.address, 'pending');
    await this.provider.send('evm_setAutomine', [false]);
    try {
      for (let i = 0; i < count; i++)
        await this.manager
          .connect(sender)
          .createChannel(this.receiver.address, deposit, { nonce: txNonce++, gasLimit: 200_000n });
      await this.provider.send('evm_mine', []);
    } finally {
      await this.provider.send('evm_setAutomine', [true]);
    }
    return Array.from({ length: count }, (_, i) => ({
      channelId: this.channelIdOf(sender, first + BigInt(i)),
      sender,
      deposit,
    }));
  }

  /** The sender's real EIP-712 signature of `balance` on `channel`. */
  signProof(channel: TestChannel, balance: bigint): string {
    return signBalanceProof(
      channel.sender.privateKey,
      channelDomain(31337n, this.deployment.channelManager),
      {
        channelId: channel.channelId as `0x${string}`,
        receiver: this.receiver.address as `0x${string}`,
        balance,
      },
    );
  }

  /** Publish `balance-proof.accepted` events as the gateway would (real signatures). */
  async publishProofs(
    proofs: ReadonlyArray<{
      channel: TestChannel;
      balance: bigint;
      previousBalance?: bigint;
      /** Sign this balance instead (a forged proof). */
      signedBalance?: bigint;
    }>,
  ) {
    this.producer ??= createEventProducer({
      brokers: this.env.KAFKA_BROKERS!.split(','),
      clientId: 'test-gateway',
    });
    const events = proofs.map(({ channel, balance, previousBalance = 0n, signedBalance = balance }) =>
      createBalanceProofAccepted(
        {
          channelId: channel.channelId as `0x${string}`,
          sender: channel.sender.address as `0x${string}`,
          receiver: this.receiver.address as `0x${string}`,
          channelManager: this.deployment.channelManager as `0x${string}`,
          chainId: 31337,
          balance,
          previousBalance,
          increment: balance - previousBalance,
          price: balance - previousBalance,
          signature: this.signProof(channel, signedBalance) as `0x${string}`,
          route: '/paid',
          method: 'GET',
          gatewayId: 'test-gateway',
          acceptedAt: new Date().toISOString(),
        },
        { source: 'gateway' },
      ),
    );
    await this.producer.publish(events, { topic: this.env.BALANCE_PROOFS_TOPIC! });
  }

  /** The stored proof balance of a channel (what the watcher would dispute with). */
  async storedProof(channelId: string): Promise<bigint | undefined> {
    const { rows } = await this.pool
      .query<{ balance: string }>(
        'SELECT balance::text AS balance FROM cw_balance_proofs WHERE channel_id = $1',
        [channelId.toLowerCase()],
      )
      .catch(() => ({ rows: [] as { balance: string }[] }));
    return rows[0] ? BigInt(rows[0].balance) : undefined;
  }

  /** Dispute task status per channel id. */
  async taskStatuses(): Promise<Map<string, string>> {
    const { rows } = await this.pool
      .query<{ channel_id: string; status: string }>('SELECT channel_id, status FROM cw_dispute_tasks')
      .catch(() => ({ rows: [] as { channel_id: string; status: string }[] }));
    return new Map(rows.map((r) => [r.channel_id, r.status]));
  }

  /** Mine `count` empty blocks. */
  async mine(count = 1): Promise<void> {
    await this.provider.send('anvil_mine', [toBeHex(count)]);
  }

  /** The value of a metric line (first match of `name{labels}`), or undefined. */
  async metric(name: string, labels = ''): Promise<number | undefined> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      if (labels && !line.includes(labels)) continue;
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return undefined;
  }

  /** Wait until `probe` holds. */
  until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
    return waitFor(what, async () => probe(), { timeoutMs, intervalMs: 100 });
  }

  async stop(): Promise<void> {
    await this.stopApp().catch(() => undefined);
    await this.stopCollector?.().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    this.provider.destroy();
    await this.anvil.stop();
    await this.db.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private channelIdOf(sender: Wallet, nonce: bigint): string {
    return computeChannelId({
      chainId: 31337n,
      channelManager: this.deployment.channelManager,
      sender: sender.address,
      receiver: this.receiver.address,
      nonce,
    });
  }
}

function randomHex(bytes: number): string {
  return hexlify(randomBytes(bytes)).slice(2);
}
