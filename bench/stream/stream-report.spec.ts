import { describe, expect, it } from 'vitest';
import type { ClientResult } from './stream-client';
import { formatStreamTables, type MeasuredRun } from './stream-report';

const result = (over: Partial<ClientResult>): ClientResult => ({
  ok: 0,
  failed: 0,
  topUps: 0,
  units: 0,
  cost: '0',
  spent: '0',
  seconds: 1,
  cpuSeconds: 0,
  ...over,
});

const run = (over: Partial<MeasuredRun>): MeasuredRun => ({
  name: 'run',
  mode: 'fixed',
  result: result({}),
  cpu: {},
  commits: 0,
  commitSeconds: 1,
  channels: [],
  ...over,
});

const numbers = (line: string) =>
  line
    .trim()
    .split(/\s{2,}/)
    .slice(1);

describe('formatStreamTables', () => {
  const idle = run({
    name: 'idle',
    mode: 'idle',
    result: result({ seconds: 2 }),
    cpu: { paywall: 0.002, postgres: 0, kafka: 0.002, 'pg other': 0.1 },
    commits: 8,
    commitSeconds: 4,
  });
  const stream = run({
    name: 'stream, top-up every 10',
    mode: 'stream',
    // 1,000 tokens in 2 s: 1 first proof + 99 top-ups.
    result: result({ ok: 1000, topUps: 99, seconds: 2, cpuSeconds: 0.1 }),
    cpu: { paywall: 0.2, postgres: 0.05, kafka: 0.05, 'pg other': 0.01 },
    // Counted over 12 s (start-up, run, the stats' flush): 24 idle commits subtracted.
    commits: 224,
    commitSeconds: 12,
  });
  const lines = formatStreamTables([idle, stream]);

  it('divides each party by the tokens, and nets the idle background out over the run', () => {
    const perToken = lines.filter((l) => l.startsWith('stream'))[0]!;
    // count, per s, paywall, postgres, kafka, sum, net (0.3 s less 2 s x 2 ms/s idle), pg other, client, commits
    expect(numbers(perToken)).toEqual(['1000', '500', '200', '50', '50', '300', '296', '10', '100', '0.20']);
  });

  it('divides by the accepted proofs per step', () => {
    const perProof = lines.filter((l) => l.startsWith('stream'))[1]!;
    expect(numbers(perProof)).toEqual(['100', '1000', '3000', '2960', '2.00']);
  });

  it('states the idle background it subtracted', () => {
    expect(lines.find((l) => l.startsWith('idle background'))).toContain('2.0 commits/s');
  });
});
