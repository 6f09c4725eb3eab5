import { ZeroAddress } from 'ethers';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture, type TestChannel } from './support/watcher-fixture';

// Issue 10 item 1: the watcher's Postgres sessions (store, readiness probe, receiver lock) terminated every 0.2 s
// while channels are closed with stale balances: the process keeps running (an unhandled 'error' event on a pg
// client fails this file), reports not ready while it cannot reach its database, and recovers by itself to
// dispute every cheat.
const FAULT_MS = 12_000;
const KILL_EVERY_MS = 200;

describe('chain-watcher under database faults', () => {
  let f: WatcherFixture;
  let admin: Client;

  beforeAll(async () => {
    f = await WatcherFixture.start({
      CONFIRMATIONS: '2',
      MIN_RECEIVER_ETH: '1',
      TX_REPLACE_AFTER_MS: '1000',
    });
    await f.startApp();
    admin = new Client({ connectionString: f.db.url });
    await admin.connect();
    // The fixture's helper pool loses its sessions too; its queries already tolerate failures.
    f.pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await admin?.end();
    await f?.stop();
  });

  const settled = async (channel: TestChannel) =>
    (await f.manager.getChannel(channel.channelId))[0] === ZeroAddress;

  /** Every session of the watcher's database but the test's own. */
  const terminateWatcherSessions = async () => {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [f.db.name],
    );
    return rows[0]?.n ?? 0;
  };

  it('stays up, reports not ready meanwhile, recovers, and disputes every cheat', async () => {
    const channels: TestChannel[] = [];
    for (let i = 0; i < 3; i++) channels.push(await f.openChannel(await f.fundedSender(10_000n), 2_000n));
    await f.publishProofs(channels.map((channel) => ({ channel, balance: 1_500n })));
    await f.until('proofs stored', async () => {
      const stored = await Promise.all(channels.map((c) => f.storedProof(c.channelId)));
      return stored.every((balance) => balance === 1_500n);
    });

    let killed = 0;
    let notReady = 0;
    const deadline = Date.now() + FAULT_MS;
    const killer = (async () => {
      while (Date.now() < deadline) {
        killed += await terminateWatcherSessions();
        const ready = await fetch(`${f.url}/health/ready`).catch(() => undefined);
        if (ready?.status === 503) notReady += 1;
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
      }
    })();
    // Every sender cheats while the watcher's database sessions keep dying.
    for (const channel of channels) {
      await (await f.manager.connect(channel.sender).uncooperativeClose(channel.channelId, 10n)).wait();
      await f.mine(2);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await killer;
    expect(killed).toBeGreaterThan(20);
    expect(notReady).toBeGreaterThan(0);

    const recoveredFrom = Date.now();
    await f.until(
      'ready again',
      async () => (await fetch(`${f.url}/health/ready`).catch(() => undefined))?.status === 200,
    );
    const recoveryMs = Date.now() - recoveredFrom;
    await f.mine(1);
    for (const channel of channels)
      await f.until(`${channel.channelId} disputed and settled`, () => settled(channel));
    for (const channel of channels)
      expect(await f.token.balanceOf(channel.sender.address)).toBe(10_000n - 1_500n);
    console.log(`watcher database faults: ${JSON.stringify({ killed, notReady, recoveryMs })}`);
  });
});
