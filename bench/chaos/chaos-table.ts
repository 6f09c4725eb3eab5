import { formatUnits } from 'ethers';
import type { Reconciliation, Tally } from './reconcile';
import type { ProcessDeath } from './supervised-service';

/** One scenario's line of the chaos table and the facts behind its verdict. */
export interface ScenarioRow {
  readonly id: string;
  readonly title: string;
  readonly requests: number;
  /** Answers with a 2xx status. */
  readonly ok: number;
  readonly reconciliation: Reconciliation;
  readonly cheats: number;
  /** Cheats settled at the balance the receiver was owed, within the scenario's deadline. */
  readonly disputes: number;
  /** From the fault's start to the end of the last failed request. */
  readonly recoverSeconds: number;
  /** The last requests of the run all got a 2xx. */
  readonly recovered: boolean;
  /** Processes that ended without the bench killing them. */
  readonly deaths: readonly ProcessDeath[];
  /** Scenario-specific failures. */
  readonly notes: readonly string[];
}

/** Why a row fails; empty: it passes. Nothing is waived: every column must be clean. */
export function rowFailures(row: ScenarioRow): string[] {
  const { lost, double, chargedWithout2xx } = row.reconciliation;
  return [
    ...(lost.count > 0 || lost.amount > 0n ? ['lost'] : []),
    ...(double.count > 0 || double.amount > 0n ? ['double'] : []),
    ...(chargedWithout2xx.count > 0 ? ['charged without 2xx'] : []),
    ...(row.disputes < row.cheats ? [`${row.cheats - row.disputes} cheats not disputed`] : []),
    ...(row.deaths.length > 0 ? [`${row.deaths.length} process deaths`] : []),
    ...(row.recovered ? [] : ['not recovered']),
    ...row.notes,
  ];
}

function tally(t: Tally, decimals: number, symbol: string): string {
  if (t.count === 0 && t.amount === 0n) return '0';
  return `${t.count} (${formatUnits(t.amount, decimals)} ${symbol})`;
}

/** The chaos table, as Markdown: one row per scenario, every count a number a reader can check. */
export function formatTable(
  rows: readonly ScenarioRow[],
  token: { decimals: number; symbol: string },
): string {
  const header = [
    'scenario',
    'requests',
    '2xx',
    'lost',
    'double',
    'charged w/o 2xx',
    'cheats',
    'disputes',
    'time to recover',
    'process deaths',
    'verdict',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) {
    const { lost, double, chargedWithout2xx } = row.reconciliation;
    const failures = rowFailures(row);
    const deaths = row.deaths.map((d) => d.service).join(', ');
    lines.push(
      `| ${[
        `(${row.id}) ${row.title}`,
        row.requests.toLocaleString('en-US'),
        row.ok.toLocaleString('en-US'),
        tally(lost, token.decimals, token.symbol),
        tally(double, token.decimals, token.symbol),
        tally(chargedWithout2xx, token.decimals, token.symbol),
        String(row.cheats),
        String(row.disputes),
        row.recovered ? `${row.recoverSeconds.toFixed(1)} s` : 'not recovered',
        row.deaths.length === 0 ? '0' : `${row.deaths.length} (${deaths})`,
        failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
