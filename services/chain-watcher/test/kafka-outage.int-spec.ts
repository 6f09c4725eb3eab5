import { freePort, startLocalKafka, type PausableKafka } from '@microraiden/testing';
import { ZeroAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture, type TestChannel } from './support/watcher-fixture';

/**
 * The receiver's defence depends only on the chain, the watcher's Postgres and the proofs it holds: a broker
 * outage must not delay a dispute (issue 10, item 2). The watcher talks to a private Kafka of this file that the
 * test stops and starts again (the shared broker is never touched).
 */
describe('chain-watcher with Kafka down', () => {
  let f: WatcherFixture;
  let kafka: PausableKafka | undefined;
  const channels: TestChannel[] = [];

  beforeAll(async () => {
    const port = await freePort();
    kafka = await startLocalKafka({ port, partitions: 3 });
    f = await WatcherFixture.start({ KAFKA_BROKERS: kafka.brokers, CONFIRMATIONS: '2' });
    await f.startApp();
  }, 120_000);
  afterAll(async () => {
    await f?.stop();
    await kafka?.stop();
  });

  const settled = async (channel: TestChannel) =>
    (await f.manager.getChannel(channel.channelId))[0] === ZeroAddress;
  const status = async (channel: TestChannel) =>
    (await f.taskStatuses()).get(channel.channelId.toLowerCase());
  const cheat = async (channel: TestChannel) => {
    await (await f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 1n)).wait();
  };
  const unpublished = async () => {
    const { rows } = await f.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM cw_outbox WHERE published_at IS NULL',
    );
    return Number(rows[0]!.n);
  };

  it('disputes every cheating close while the broker is dead', async () => {
    for (let i = 0; i < 5; i++) channels.push(await f.openChannel(await f.fundedSender(10_000n), 1_000n));
    await f.publishProofs(channels.map((channel) => ({ channel, balance: 600n })));
    for (const channel of channels)
      await f.until('proof kept', async () => (await f.storedProof(channel.channelId)) === 600n);

    await kafka!.pause();
    const cheated = channels.slice(0, 4);
    for (const channel of cheated) await cheat(channel);
    await f.mine(2);
    for (const channel of cheated)
      await f.until('cheating close disputed on chain', () => settled(channel), 60_000);
    for (const channel of cheated) {
      await f.until('task won', async () => (await status(channel)) === 'won');
      expect(await f.token.balanceOf(channel.sender.address)).toBe(10_000n - 600n);
    }

    // The outage is visible: not ready because of Kafka (only), and the events wait in the outbox.
    const res = await fetch(`${f.url}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      info?: Record<string, { status: string; role?: string }>;
      error?: Record<string, { status: string }>;
    };
    expect(Object.keys(body.error ?? {})).toEqual(['kafka']);
    expect(body.info?.startup).toMatchObject({ status: 'up', role: 'leading' });
    await f.mine(2); // buries the last settlement under the confirmations
    // Close requested + settled, per channel.
    await f.until('events recorded', async () => (await unpublished()) >= 8);
    expect(await f.metric('microraiden_chain_watcher_outbox_unpublished')).toBe(await unpublished());
  }, 180_000);

  it('starts and disputes with the broker still dead', async () => {
    await f.stopApp();
    await f.startApp();
    const channel = channels[4]!;
    await cheat(channel);
    await f.mine(2);
    await f.until('cheating close disputed on chain', () => settled(channel), 60_000);
    expect(await f.token.balanceOf(channel.sender.address)).toBe(10_000n - 600n);
    // Acting, yet not ready: it has not joined Kafka, so it could not learn new proofs.
    await f.until('readiness says why', async () => {
      const res = await fetch(`${f.url}/health/ready`);
      const body = (await res.json()) as { error?: Record<string, { message?: string }> };
      return res.status === 503 && /^Kafka topics failed: /.test(body.error?.startup?.message ?? '');
    });
    await f.mine(2);
    await f.until('events recorded', async () => (await unpublished()) >= 10);
  }, 120_000);

  it('publishes what it recorded meanwhile, once per id, when the broker is back', async () => {
    await kafka!.resume();
    await f.collectChannelEvents();
    const closeIds = new Set(channels.map((c) => c.channelId.toLowerCase()));
    const ofType = (type: string) =>
      f.events.filter((e) => e.event.type === type && closeIds.has(e.event.data.channelId.toLowerCase()));
    await f.until(
      'every close and settlement published',
      () => ofType('channel.close-requested').length >= 5 && ofType('channel.settled').length >= 5,
      90_000,
    );
    await f.until('outbox drained', async () => (await unpublished()) === 0, 30_000);
    await f.until('ready again', async () => (await fetch(`${f.url}/health/ready`)).status === 200, 120_000);
    const ids = f.events.map((e) => e.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      ofType('channel.close-requested')
        .map((e) => e.event.data.channelId.toLowerCase())
        .sort(),
    ).toEqual([...closeIds].sort());

    // Proofs flow again too. The consumer of the watcher stopped during the outage could not leave the group:
    // the new one joins once the broker expires that member (session timeout, 30 s).
    const late = await f.openChannel(await f.fundedSender(10_000n), 1_000n);
    await f.publishProofs([{ channel: late, balance: 70n }]);
    await f.until(
      'proof kept after the outage',
      async () => (await f.storedProof(late.channelId)) === 70n,
      120_000,
    );
  }, 240_000);
});
