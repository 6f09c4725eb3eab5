import { aBalanceProofAccepted, aChannelId, DEAD_LETTER_HEADERS, encodeEvent } from '@microraiden/events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createLedgerFixture,
  getJson,
  startLedger,
  waitUntilCaughtUp,
  type LedgerFixture,
} from './support/ledger-harness';
import { produceRaw, readTopic } from './support/read-topic';

let fixture: LedgerFixture;
let ledger: Awaited<ReturnType<typeof startLedger>> | undefined;

beforeAll(async () => {
  fixture = await createLedgerFixture('ledger_dead_letter', 1);
});
afterAll(async () => {
  await ledger?.app.close();
  await fixture?.close();
});

describe('poison messages', () => {
  it('go to the dead-letter topic with the reason; the projection keeps going', async () => {
    const channelId = aChannelId('poison');
    const before = aBalanceProofAccepted({ channelId, balance: 100n, previousBalance: 0n });
    const after = aBalanceProofAccepted({ channelId, balance: 200n, previousBalance: 100n });
    const futureVersion = JSON.stringify({ ...JSON.parse(encodeEvent(before).toString()), version: 9 });
    const floatAmount = JSON.parse(encodeEvent(after).toString());
    floatAmount.data.balance = 200.5;

    ledger = await startLedger(fixture);
    await fixture.publish([before]);
    await produceRaw(inject('kafkaBrokers'), fixture.topics.balanceProofs, [
      { key: 'not-json', value: 'this is not json' },
      { key: 'future', value: futureVersion },
      { key: 'float', value: JSON.stringify(floatAmount) },
    ]);
    await fixture.publish([after]);
    await waitUntilCaughtUp(ledger.runtime);

    const channel = await getJson(ledger.url, `/api/1/channels/${channelId}`);
    expect(channel.body).toMatchObject({ balance: '200', proofCount: 2 });

    const dead = await readTopic(inject('kafkaBrokers'), fixture.topics.deadLetter, 3);
    expect(dead.map((m) => [m.key, m.headers[DEAD_LETTER_HEADERS.errorCode]])).toEqual([
      ['not-json', 'EVENT_MALFORMED'],
      ['future', 'EVENT_UNKNOWN_VERSION'],
      ['float', 'EVENT_SCHEMA_MISMATCH'],
    ]);
    expect(dead[0]!.value!.toString()).toBe('this is not json');
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.originalTopic]).toBe(fixture.topics.balanceProofs);
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.consumerGroup]).toBe(fixture.groupId);

    const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
    expect(metrics).toMatch(/microraiden_ledger_dead_letters_total\{[^}]*code="EVENT_MALFORMED"[^}]*\} 1/);
    expect(metrics).toMatch(
      /microraiden_ledger_events_total\{[^}]*type="balance-proof.accepted",outcome="applied"[^}]*\} 2/,
    );

    // The dead-lettered offsets are stored too: a restart neither re-reads nor re-dead-letters them.
    await ledger.app.close();
    ledger = await startLedger(fixture);
    await waitUntilCaughtUp(ledger.runtime);
    const again = await (await fetch(`${ledger.url}/metrics`)).text();
    expect(again).not.toMatch(/microraiden_ledger_dead_letters_total\{/);
  });
});
