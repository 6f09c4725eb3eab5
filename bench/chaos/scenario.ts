import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBooks, waitForQuiescence } from './books';
import { prepareCheat, springCheat, watchCheats, type Cheat } from './cheat';
import type { ChaosStack } from './chaos-stack';
import { PayingClient, type RequestRecord } from './paying-client';
import { reconcile, type ChannelEvidence } from './reconcile';
import type { ScenarioRow } from './chaos-table';

/** What a scenario's fault can do and must report. */
export interface FaultContext {
  readonly stack: ChaosStack;
  readonly log: (line: string) => void;
  /** Springs the `index`th prepared cheat (an uncooperative close at a stale balance); waits until mined. */
  cheat(index: number): Promise<void>;
  /** The requests recorded so far (for checks that look at answers during the fault). */
  records(): RequestRecord[];
}

/** One fault scenario: the fault itself, run under load, and what else must hold. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Cheating senders prepared before the load (paid, proofs held by the chain-watcher). */
  readonly cheats: number;
  /** Load before the fault starts, and after it healed (seconds). */
  readonly leadSeconds: number;
  readonly tailSeconds: number;
  /** Runs the fault from its start until it is healed. */
  fault(context: FaultContext): Promise<FaultReport | void>;
  /** Scenario-specific failures (e.g. answers slower than a bound during the fault). */
  check?(records: readonly RequestRecord[], window: { faultStart: number; faultEnd: number }): string[];
}

/** What a fault observed while it ran. */
export interface FaultReport {
  /** A dispute counts only if it settled by this block (e.g. while the broker was still down). */
  readonly disputeByBlock?: number;
  /** Failures the fault itself saw (e.g. no backoff while the receiver had no gas). */
  readonly failures?: readonly string[];
}

/** Load shape shared by every scenario: bounded in clients, requests and time. */
export interface LoadLimits {
  readonly clients: number;
  readonly maxRequests: number;
  readonly url: string;
  readonly price: bigint;
}

const is2xx = (record: RequestRecord) =>
  record.status !== undefined && record.status >= 200 && record.status < 300;

async function makeClients(
  stack: ChaosStack,
  scenario: Scenario,
  limits: LoadLimits,
  count: number,
  role: string,
) {
  const setup = {
    provider: stack.provider,
    rpcUrl: stack.rpcUrl,
    deployment: stack.deployment,
    stateRoot: path.join(stack.runDir, 'clients', scenario.id),
    url: limits.url,
    maxPrice: limits.price,
    maxDeposit: limits.price * BigInt(limits.maxRequests + 100),
  };
  // Each client is its own sender with its own nonces: they fund themselves in parallel.
  return Promise.all(Array.from({ length: count }, (_, i) => PayingClient.create(`${role}-${i}`, setup)));
}

/**
 * Each client pays one request after another until `stop()` or the shared request budget runs out. The
 * budget bounds the load during the fault; `extend()` adds the requests that show recovery after it.
 */
function startLoad(clients: PayingClient[], maxRequests: number) {
  let stopped = false;
  let sent = 0;
  let budget = maxRequests;
  const loops = clients.map(async (client) => {
    while (!stopped) {
      if (sent >= budget) {
        await sleep(100);
        continue;
      }
      sent++;
      const record = await client.pay();
      // A refusal comes back at once: do not spin on it.
      if (!is2xx(record)) await sleep(100);
    }
  });
  return {
    extend: (requests: number) => (budget = Math.max(budget, sent) + requests),
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** What each signed balance of a channel was answered, e.g. `502 REPLICA_UNAVAILABLE`. */
function attemptsOn(channelId: string, records: readonly RequestRecord[]): Map<bigint, string[]> {
  const attempts = new Map<bigint, string[]>();
  for (const record of records) {
    const outcome = `${record.status ?? 'no answer'}${record.code ? ` ${record.code}` : ''}`;
    for (const { balance } of record.signed.filter((s) => s.channelId === channelId)) {
      attempts.set(balance, [...(attempts.get(balance) ?? []), outcome]);
    }
  }
  return attempts;
}

/** `200 x 950, 502 REPLICA_UNAVAILABLE x 12, ...`: the answers, grouped. */
function answerCounts(records: readonly RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = `${r.status ?? 'no answer'}${r.code ? ` ${r.code}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} x ${n}`)
    .join(', ');
}

/** Runs one scenario end to end and returns its row of the table. */
export async function runScenario(
  stack: ChaosStack,
  scenario: Scenario,
  limits: LoadLimits,
  log: (line: string) => void,
): Promise<ScenarioRow> {
  const started = Date.now();
  log(`(${scenario.id}) ${scenario.title}: preparing ${limits.clients} clients, ${scenario.cheats} cheats`);
  const clients = await makeClients(stack, scenario, limits, limits.clients, 'client');
  const cheaters = await makeClients(stack, scenario, limits, scenario.cheats, 'cheater');
  await Promise.all(clients.map((client) => client.pay()));
  const cheats: Cheat[] = await Promise.all(cheaters.map((c) => prepareCheat(c, stack.databaseUrl, 3)));
  const all = [...clients, ...cheaters];
  const records = () => all.flatMap((client) => client.records);

  const load = startLoad(clients, limits.maxRequests);
  await sleep(scenario.leadSeconds * 1000);
  const faultStart = Date.now();
  log(`(${scenario.id}) fault starts`);
  const context: FaultContext = {
    stack,
    log: (line) => log(`(${scenario.id}) ${line}`),
    cheat: (index) =>
      springCheat(cheats[index]!, cheaters[index]!, stack.provider, stack.deployment, limits.price),
    records,
  };
  const report: FaultReport = await scenario
    .fault(context)
    .then((facts) => facts ?? {})
    .catch((err: Error) => ({ failures: [`the fault itself failed: ${err.message}`] }));
  const faultEnd = Date.now();
  log(`(${scenario.id}) fault healed after ${((faultEnd - faultStart) / 1000).toFixed(1)} s`);
  load.extend(Math.ceil(limits.maxRequests / 5));
  await sleep(scenario.tailSeconds * 1000);
  await load.stop();

  const window = { faultStart, faultEnd };
  const outcomes = await watchCheats(cheats, stack.provider, stack.deployment, faultEnd + 30_000);
  const byBlock = report.disputeByBlock;
  const disputed = outcomes.filter(
    (o) => o.disputedAt !== undefined && (byBlock === undefined || o.settledBlock! <= byBlock),
  );
  const channelIds = [...new Set((await Promise.all(all.map((c) => c.channelIds()))).flat())];
  const quiet = await waitForQuiescence(stack.databaseUrl, channelIds, 60_000);
  const books = await readBooks(stack.databaseUrl, stack.kafkaBrokers, channelIds);
  const evidence: ChannelEvidence[] = channelIds.map((channelId) => ({
    ...books.get(channelId)!,
    paid: records()
      .filter((r) => is2xx(r) && r.paid && r.paid.channelId.toLowerCase() === channelId)
      .map((r) => ({ balance: r.paid!.balance, cost: r.paid!.amount })),
    attempts: attemptsOn(channelId, records()),
  }));
  log(
    `(${scenario.id}) answers since the fault: ${answerCounts(records().filter((r) => r.endedAt >= faultStart))}`,
  );
  await Promise.all(all.map((client) => client.close()));
  return scenarioRow(scenario, records(), {
    window,
    reconciliation: reconcile(evidence),
    disputes: disputed.length,
    deaths: stack.deaths().filter((death) => death.at >= started),
    notes: [
      ...(report.failures ?? []),
      ...(quiet ? [] : ['the ledger did not catch up with the gateways within 60 s']),
      ...(scenario.check?.(records(), window) ?? []),
    ],
  });
}

function scenarioRow(
  scenario: Scenario,
  records: RequestRecord[],
  facts: Omit<ScenarioRow, 'id' | 'title' | 'requests' | 'ok' | 'cheats' | 'recoverSeconds' | 'recovered'> & {
    window: { faultStart: number; faultEnd: number };
  },
): ScenarioRow {
  const { window, ...rest } = facts;
  const sorted = [...records].sort((a, b) => a.endedAt - b.endedAt);
  const failures = sorted.filter((r) => r.endedAt >= window.faultStart && !is2xx(r));
  const lastFailure = failures[failures.length - 1];
  const after = sorted.filter((r) => r.startedAt >= window.faultEnd);
  const recovered = after.length >= 20 && after.slice(-20).every(is2xx);
  return {
    id: scenario.id,
    title: scenario.title,
    requests: records.length,
    ok: records.filter(is2xx).length,
    cheats: scenario.cheats,
    recoverSeconds: lastFailure ? (lastFailure.endedAt - window.faultStart) / 1000 : 0,
    recovered,
    ...rest,
  };
}
