import type { Hex } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue';
import type { SseBlock } from './sse-splitter';
import { startStreamMeter, type StreamSettlement } from '../core/stream-meter';
import { pumpStream, type StreamPort, type TopUpCommit } from './stream-pump';
import type { TopUpLine } from './top-up-lines';

const signature = `0x${'ab'.repeat(65)}` as Hex;
const unit = (n: number): SseBlock => ({ text: `data: ${n}\n\n`, unit: true });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function harness(options: { timeoutMs?: number; refuse?: boolean } = {}) {
  const upstream = new AsyncQueue<SseBlock>();
  const topUps = new AsyncQueue<TopUpLine>();
  const written: string[] = [];
  const commits: TopUpCommit[] = [];
  const settlements: StreamSettlement[] = [];
  const gone = new AbortController();
  let ended = false;
  const port: StreamPort = {
    verifyTopUp: async () =>
      options.refuse ? { ok: false, code: 'INVALID_SIGNATURE', message: 'bad' } : { ok: true },
    commitTopUp: async (commit) => {
      commits.push(commit);
      return true;
    },
    settle: async (settlement) => {
      settlements.push(settlement);
      return {
        channelId: '0x01',
        balance: settlement.balance,
        chargedBalance: settlement.chargedBalance,
        cost: settlement.cost,
        units: settlement.units,
      };
    },
  };
  const done = pumpStream({
    meter: startStreamMeter({ unitPrice: 5n, unitsPerStep: 2 }, 50n, 60n),
    port,
    upstream,
    topUps,
    client: {
      write: async (text) => void written.push(text),
      end: () => (ended = true),
      gone: gone.signal,
    },
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  return { upstream, topUps, written, commits, settlements, gone, done, ended: () => ended };
}

describe('pumpStream', () => {
  it('writes the authorised units, pauses, takes a top-up line, resumes, and ends with the receipt', async () => {
    const h = harness();
    for (const n of [1, 2, 3]) h.upstream.push(unit(n));
    h.upstream.push({ text: ': ping\n\n', unit: false });
    await tick();
    expect(h.written).toEqual([
      'data: 1\n\n',
      'data: 2\n\n',
      'event: rdn-authorize\ndata: {"balance":"60","chargedBalance":"60","delivered":2,"needed":"70"}\n\n',
    ]);
    h.topUps.push({ kind: 'proof', balance: 70n, signature });
    await tick();
    expect(h.commits).toEqual([
      { kind: 'commit-top-up', expectedBalance: 60n, balance: 70n, expectedCharged: 50n, charge: 10n },
    ]);
    h.upstream.close();
    const outcome = await h.done;
    expect(h.written.slice(3)).toEqual([
      'data: 3\n\n',
      ': ping\n\n',
      'event: rdn-receipt\ndata: {"channelId":"0x01","balance":"70","chargedBalance":"65","cost":"15","units":3}\n\n',
    ]);
    expect(outcome.settlement).toMatchObject({ expectedCharged: 60n, charge: 5n, cost: 15n, units: 3 });
    expect(h.ended()).toBe(true);
  });

  it('tells the client about a malformed or refused line and keeps the stream going', async () => {
    const h = harness({ refuse: true });
    h.topUps.push({ kind: 'malformed', reason: 'not JSON' });
    h.topUps.push({ kind: 'proof', balance: 70n, signature });
    await tick();
    expect(h.written).toEqual([
      'event: rdn-error\ndata: {"code":"TOP_UP_MALFORMED","message":"not JSON"}\n\n',
      'event: rdn-error\ndata: {"code":"INVALID_SIGNATURE","message":"bad"}\n\n',
    ]);
    h.upstream.push(unit(1));
    h.upstream.close();
    expect((await h.done).settlement.units).toBe(1);
  });

  it('ends a pause that no top-up answers within the timeout, charging what was written', async () => {
    const h = harness({ timeoutMs: 20 });
    for (const n of [1, 2, 3, 4]) h.upstream.push(unit(n));
    const outcome = await h.done;
    expect(outcome.settlement).toMatchObject({ reason: 'timeout', units: 2, charge: 10n });
    expect(h.written.at(-1)).toMatch(/^event: rdn-receipt\n/);
  });

  it('charges a client that went away the units written before, and writes nothing more', async () => {
    const h = harness();
    h.upstream.push(unit(1));
    await tick();
    h.gone.abort();
    h.upstream.push(unit(2));
    const outcome = await h.done;
    expect(outcome.settlement).toMatchObject({ reason: 'client-gone', units: 1, charge: 5n });
    expect(h.written).toEqual(['data: 1\n\n']);
    expect(h.ended()).toBe(false);
  });

  it('ends at once when the client closed its side and the authorisation is spent', async () => {
    const h = harness();
    h.topUps.close();
    for (const n of [1, 2, 3]) h.upstream.push(unit(n));
    const outcome = await h.done;
    expect(outcome.settlement).toMatchObject({ reason: 'authorisation-spent', units: 2 });
  });
});
