// The chaos bench: the local stack (deploy/stack's services, on its own ports, anvil, Kafka and Postgres
// cluster) under bounded loopback load from the client SDK, one fault per scenario, then ONE table: requests,
// 2xx, lost / double / charged-without-2xx (the clients' records against the gateways' rows, the ledger and
// the balance-proof.accepted events, to the token unit), cheats and disputes, time to recover, process deaths.
// Run: npm run bench:chaos   (CHAOS_SCENARIOS=a,c  CHAOS_CLIENTS  CHAOS_MAX_REQUESTS; see bench/README.md)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { microTokenAt } from '@microraiden/contracts';
import { ChaosStack } from './chaos-stack';
import { formatTable, rowFailures, type ScenarioRow } from './chaos-table';
import { runScenario, type LoadLimits } from './scenario';
import { SCENARIOS } from './scenarios';

const repo = path.resolve(__dirname, '../..');
const log = (line: string) =>
  process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function fortunePrice(): bigint {
  const routes = JSON.parse(readFileSync(path.join(repo, 'deploy/stack/routes.json'), 'utf8')) as {
    routes: Array<{ path: string; price?: string }>;
  };
  return BigInt(routes.routes.find((route) => route.path === '/api/fortune')!.price!);
}

function crashedRow(id: string, title: string, cheats: number, err: Error): ScenarioRow {
  const none = { count: 0, amount: 0n };
  return {
    id,
    title,
    requests: 0,
    ok: 0,
    reconciliation: { lost: none, double: none, chargedWithout2xx: none, findings: [] },
    cheats,
    disputes: 0,
    recoverSeconds: 0,
    recovered: false,
    deaths: [],
    notes: [`the scenario did not complete: ${err.message.split('\n')[0]}`],
  };
}

async function main(): Promise<number> {
  const wanted = (process.env.CHAOS_SCENARIOS ?? SCENARIOS.map((s) => s.id).join(','))
    .split(',')
    .map((id) => id.trim());
  const scenarios = SCENARIOS.filter((s) => wanted.includes(s.id));
  const stack = new ChaosStack(repo, log);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log('interrupted: stopping the chaos stack');
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const rows: ScenarioRow[] = [];
  const started = Date.now();
  try {
    await stack.start();
    const limits: LoadLimits = {
      clients: Number(process.env.CHAOS_CLIENTS ?? 8),
      maxRequests: Number(process.env.CHAOS_MAX_REQUESTS ?? 3000),
      url: `${stack.frontUrl}/api/fortune`,
      price: fortunePrice(),
    };
    for (const scenario of scenarios) {
      const row = await runScenario(stack, scenario, limits, log).catch((err: Error) =>
        crashedRow(scenario.id, scenario.title, scenario.cheats, err),
      );
      rows.push(row);
      for (const finding of row.reconciliation.findings.slice(0, 20)) log(`(${row.id}) finding: ${finding}`);
      for (const death of row.deaths)
        log(`(${row.id}) death: ${death.service} exit ${death.exitCode}: ${death.cause}`);
      log(`(${row.id}) ${rowFailures(row).join('; ') || 'PASS'}`);
    }
    const token = microTokenAt(stack.deployment.token, stack.provider);
    const table = formatTable(rows, {
      decimals: Number(await token.decimals()),
      symbol: await token.symbol(),
    });
    const heading =
      `Chaos run ${new Date().toISOString()} on ${os.hostname()} (${os.cpus().length} cores, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}), ${((Date.now() - started) / 60_000).toFixed(1)} min, ` +
      `${limits.clients} clients per scenario, at most ${limits.maxRequests} requests each`;
    process.stdout.write(`\n${heading}\n\n${table}\n`);
    mkdirSync(stack.runDir, { recursive: true });
    writeFileSync(path.join(stack.runDir, 'table.md'), `${heading}\n\n${table}\n`);
    return rows.every((row) => rowFailures(row).length === 0) ? 0 : 1;
  } finally {
    if (!stopping) await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[chaos] ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
