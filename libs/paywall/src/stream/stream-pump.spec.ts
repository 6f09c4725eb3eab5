import type { Hex } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue';
import { ByteUnitCutter } from './byte-units';
import type { SseBlock } from './sse-splitter';
import { startStreamMeter, type StreamSettlement } from '../core/stream-meter';
import { pumpStream, type StreamBlock, type StreamPort, type TopUpCommit } from './stream-pump';
import type { TopUpLine } from './top-up-lines';

const signature = `0x${'ab'.repeat(65)}` as Hex;
const unit = (n: number): SseBlock => ({ text: `data: ${n}\n\n`, unit: true });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function harness(
  options: { timeoutMs?: number; refuse?: boolean; unitBytes?: number; commitFails?: boolean } = {},
) {
  const upstream = new AsyncQueue<StreamBlock>();
  const topUps = new AsyncQueue<TopUpLine>();
  const written: (string | Uint8Array)[] = [];
  let trailers: Readonly<Record<string, string>> | undefined;
  const commits: TopUpCommit[] = [];
  const settlements: StreamSettlement[] = [];
  const gone = new AbortController();
  let ended = false;
  const port: StreamPort = {
    verifyTopUp: async () =>
      options.refuse ? { ok: false, code: 'INVALID_SIGNATURE', message: 'bad' } : { ok: true },
    commitTopUp: async (commit) => {
      commits.push(commit);
      return !options.commitFails;
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
    meter: startStreamMeter(
      {
        unitPrice: 5n,
        unitsPerStep: 2,
        ...(options.unitBytes === undefined ? {} : { unitBytes: options.unitBytes }),
      },
      50n,
      60n,
    ),
    port,
    upstream,
    topUps,
    client: {
      write: async (text) => void written.push(text),
      end: (sent) => {
        ended = true;
        trailers = sent;
      },
      gone: gone.signal,
    },
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  return {
    upstream,
    topUps,
    written,
    commits,
    settlements,
    gone,
    done,
    ended: () => ended,
    trailers: () => trailers,
  };
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

describe('pumpStream, byte-metered (unitBytes)', () => {
  // Units of 4 bytes at 5 base units, 2 a step; C = 50, S = 60: two units authorised.
  const cut = (text: string) => new ByteUnitCutter(4).push(text);
  const decoded = (written: readonly (string | Uint8Array)[]) =>
    written.map((chunk) => (typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)));

  it('writes whole units while authorised, pauses silently, resumes on a top-up, counts the short last unit', async () => {
    const h = harness({ unitBytes: 4 });
    for (const block of [...cut('aaaabbbbcccc'), { text: new TextEncoder().encode('dd'), unit: true }])
      h.upstream.push(block);
    await tick();
    // No rdn-authorize in a byte body: the client knows from the head when to top up.
    expect(decoded(h.written)).toEqual(['aaaa', 'bbbb']);
    h.topUps.push({ kind: 'proof', balance: 70n, signature });
    await tick();
    expect(h.commits).toEqual([
      { kind: 'commit-top-up', expectedBalance: 60n, balance: 70n, expectedCharged: 50n, charge: 10n },
    ]);
    h.upstream.close();
    const outcome = await h.done;
    expect(decoded(h.written)).toEqual(['aaaa', 'bbbb', 'cccc', 'dd']);
    expect(outcome.settlement).toMatchObject({ reason: 'upstream-end', units: 4, cost: 20n, charge: 10n });
    expect(h.trailers()).toEqual({
      'RDN-Receipt': '{"channelId":"0x01","balance":"70","chargedBalance":"70","cost":"20","units":4}',
    });
  });

  it('ends the stream on a refused top-up, charging what was written, the refusal in the trailers', async () => {
    const h = harness({ unitBytes: 4, refuse: true });
    for (const block of cut('aaaabbbbcccc')) h.upstream.push(block);
    await tick();
    h.topUps.push({ kind: 'proof', balance: 70n, signature });
    const outcome = await h.done;
    expect(outcome.settlement).toMatchObject({ reason: 'top-up-refused', units: 2, charge: 10n });
    expect(decoded(h.written)).toEqual(['aaaa', 'bbbb']);
    expect(h.trailers()).toMatchObject({ 'RDN-Error': 'INVALID_SIGNATURE', 'RDN-Error-Message': 'bad' });
    expect(h.trailers()!['RDN-Receipt']).toContain('"units":2');
  });

  it('ends on a malformed line and on a top-up below one step', async () => {
    const malformed = harness({ unitBytes: 4 });
    malformed.topUps.push({ kind: 'malformed', reason: 'not JSON' });
    expect((await malformed.done).settlement).toMatchObject({
      reason: 'top-up-refused',
      units: 0,
      charge: 0n,
    });
    expect(malformed.trailers()).toMatchObject({ 'RDN-Error': 'TOP_UP_MALFORMED' });
    const low = harness({ unitBytes: 4 });
    low.upstream.push(cut('aaaa')[0]!);
    await tick();
    low.topUps.push({ kind: 'proof', balance: 61n, signature });
    expect((await low.done).settlement).toMatchObject({ reason: 'top-up-refused', units: 1, charge: 5n });
    expect(low.trailers()).toMatchObject({ 'RDN-Error': 'INCREMENT_BELOW_PRICE' });
  });

  it('ends when a top-up commit fails, charging only what was written (once)', async () => {
    const h = harness({ unitBytes: 4, commitFails: true });
    for (const block of cut('aaaabbbbcccc')) h.upstream.push(block);
    await tick();
    h.topUps.push({ kind: 'proof', balance: 70n, signature });
    const outcome = await h.done;
    expect(outcome.settlement).toMatchObject({
      reason: 'top-up-refused',
      units: 2,
      expectedCharged: 50n,
      charge: 10n,
    });
    expect(h.settlements).toHaveLength(1);
    expect(h.trailers()).toMatchObject({ 'RDN-Error': 'TOP_UP_NOT_ACCEPTED' });
  });
});
