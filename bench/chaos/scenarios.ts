import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Wallet } from 'ethers';
import { Client as Postgres } from 'pg';
import { anvilPrivateKey, STACK_ACCOUNTS } from '../../deploy/stack/anvil-accounts';
import type { RequestRecord } from './paying-client';
import type { Scenario } from './scenario';

/** An answer during a database fault must be a 2xx or a 503 with a stable code, and come in bounded time. */
const ANSWER_BOUND_MS = 10_000;

function boundedAnswers(
  records: readonly RequestRecord[],
  window: { faultStart: number; faultEnd: number },
): string[] {
  const during = records.filter((r) => r.endedAt >= window.faultStart && r.startedAt <= window.faultEnd);
  const slow = during.filter((r) => r.endedAt - r.startedAt > ANSWER_BOUND_MS);
  const wrong = during.filter(
    (r) => !(r.status !== undefined && r.status >= 200 && r.status < 300) && !(r.status === 503 && r.code),
  );
  const failures: string[] = [];
  if (slow.length > 0) {
    const worst = Math.max(...slow.map((r) => r.endedAt - r.startedAt));
    failures.push(
      `${slow.length} answers took over ${ANSWER_BOUND_MS / 1000} s (worst ${(worst / 1000).toFixed(1)} s)`,
    );
  }
  if (wrong.length > 0) {
    const kinds = new Map<string, number>();
    for (const r of wrong) {
      const kind = `${r.status ?? 'no answer'}${r.code ? ` ${r.code}` : ''}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const list = [...kinds].map(([kind, n]) => `${n}x ${kind}`).join(', ');
    failures.push(`${wrong.length} answers neither 2xx nor 503 with a code (${list})`);
  }
  return failures;
}

async function withSession<T>(url: string, work: (db: Postgres) => Promise<T>): Promise<T> {
  const db = new Postgres({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** (a) A gateway replica SIGKILLed under load; an orchestrator restarts it 2 s later. */
const gatewayKill: Scenario = {
  id: 'a',
  title: 'SIGKILL a gateway replica',
  cheats: 1,
  leadSeconds: 5,
  tailSeconds: 10,
  async fault({ stack, cheat, log }) {
    await stack.service('gateway-1').kill();
    log(`gateway-1 killed at ${new Date().toISOString().slice(11, 23)}; a cheating close meanwhile`);
    await cheat(0);
    await sleep(2_000);
    await stack.service('gateway-1').start();
  },
};

/** (b) The ledger and the chain-watcher SIGKILLed; the watcher right after cheating closes were mined. */
const ledgerWatcherKill: Scenario = {
  id: 'b',
  title: 'SIGKILL the ledger and the chain-watcher (mid-challenge)',
  cheats: 2,
  leadSeconds: 5,
  tailSeconds: 10,
  async fault({ stack, cheat, log }) {
    await stack.service('ledger').kill();
    await Promise.all([cheat(0), cheat(1)]);
    await stack.service('chain-watcher').kill();
    log('ledger killed; two cheating closes mined; chain-watcher killed');
    await sleep(5_000);
    await Promise.all([stack.service('ledger').start(), stack.service('chain-watcher').start()]);
  },
};

/** (c) Kafka down ~45 s with cheating closes during the outage: each must be disputed before it returns. */
const kafkaDown: Scenario = {
  id: 'c',
  title: 'Kafka down 45 s, 4 cheats during the outage',
  cheats: 4,
  leadSeconds: 5,
  tailSeconds: 10,
  async fault({ stack, cheat, log }) {
    const down = Date.now();
    await stack.kafka('stop');
    log('kafka stopped; four cheating closes');
    await Promise.all([0, 1, 2, 3].map((i) => cheat(i)));
    await sleep(Math.max(0, 45_000 - (Date.now() - down)));
    const lastBlockDown = await stack.provider.getBlockNumber();
    log(`restarting kafka (block ${lastBlockDown})`);
    await stack.kafka('start');
    // The defence must not depend on the broker: disputes count only if they landed while it was down.
    return { disputeByBlock: lastBlockDown };
  },
};

/** (d) Every gateway Postgres session terminated every 0.2 s for 25 s: no process may die. */
const terminateBackends: Scenario = {
  id: 'd',
  title: "terminate the gateways' Postgres sessions every 0.2 s for 25 s",
  cheats: 0,
  leadSeconds: 5,
  tailSeconds: 10,
  async fault({ stack, log }) {
    let terminated = 0;
    await withSession(stack.databaseUrl, async (db) => {
      const until = Date.now() + 25_000;
      while (Date.now() < until) {
        const { rowCount } = await db.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND application_name LIKE 'chaos-gateway-%' AND pid <> pg_backend_pid()`,
        );
        terminated += rowCount ?? 0;
        await sleep(200);
      }
    });
    log(`terminated ${terminated} gateway sessions`);
  },
  check: boundedAnswers,
};

/** (e) The acceptance table locked ACCESS EXCLUSIVE for 15 s: paid requests get a 503 with a code in bounded time. */
const lockTable: Scenario = {
  id: 'e',
  title: 'gateway_channels locked ACCESS EXCLUSIVE for 15 s',
  cheats: 0,
  leadSeconds: 5,
  tailSeconds: 10,
  async fault({ stack }) {
    await withSession(stack.databaseUrl, async (db) => {
      await db.query('BEGIN');
      await db.query('LOCK TABLE gateway_channels IN ACCESS EXCLUSIVE MODE');
      await sleep(15_000);
      await db.query('COMMIT');
    });
  },
  check: boundedAnswers,
};

/** (f) The stack's whole Postgres server stopped (fast shutdown) for 10 s and started again. */
const databaseDown: Scenario = {
  id: 'f',
  title: "the stack's Postgres server stopped for 10 s",
  cheats: 0,
  leadSeconds: 5,
  tailSeconds: 15,
  async fault({ stack, log }) {
    await stack.cluster.stop();
    log('postgres stopped');
    await sleep(10_000);
    await stack.cluster.start();
    log('postgres started');
  },
  check: boundedAnswers,
};

/** (g) The receiver's ETH drained while 3 cheats close, refilled 12 s later: disputes land after the refill. */
const gasDrained: Scenario = {
  id: 'g',
  title: "receiver's ETH drained 12 s during 3 cheats, then refilled",
  cheats: 3,
  leadSeconds: 3,
  tailSeconds: 5,
  async fault({ stack, cheat, log }) {
    const receiver = new Wallet(anvilPrivateKey(STACK_ACCOUNTS.receiver)).address;
    const held = await stack.provider.getBalance(receiver);
    const logFile = path.join(stack.runDir, 'logs', 'chain-watcher.log');
    const from = statSync(logFile).size;
    await stack.provider.send('anvil_setBalance', [receiver, '0x0']);
    await Promise.all([0, 1, 2].map((i) => cheat(i)));
    await sleep(12_000);
    const text = readFileSync(logFile, 'utf8').slice(from);
    const retries = text.split('\n').filter((line) => /insufficient funds/i.test(line)).length;
    log(`the chain-watcher logged ${retries} 'insufficient funds' lines in 12 s; refilling`);
    await stack.provider.send('anvil_setBalance', [receiver, `0x${held.toString(16)}`]);
    // Issue 10 item 5: about four attempts a second per channel before; backing off means well under one.
    const perChannelPerSecond = retries / 3 / 12;
    return {
      failures:
        perChannelPerSecond > 1
          ? [`no gas backoff: ${retries} 'insufficient funds' retries for 3 channels in 12 s`]
          : [],
    };
  },
};

/** Every scenario, in run order. */
export const SCENARIOS: readonly Scenario[] = [
  gatewayKill,
  ledgerWatcherKill,
  kafkaDown,
  terminateBackends,
  lockTable,
  databaseDown,
  gasDrained,
];
