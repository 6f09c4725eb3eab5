import {
  aBalanceProofAccepted,
  aBalanceProofCharged,
  aChannelCloseRequested,
  aChannelCreated,
  aChannelId,
  aChannelSettled,
  aChannelToppedUp,
  aChannelWithdrawn,
  TEST_SENDER,
  type Address,
  type BalanceProofAcceptedV1,
  type BalanceProofEvent,
  type ChannelLogEvent,
  type Hex,
} from '@microraiden/events';

/** A second sender (anvil account 2) so revenue by sender has more than one row. */
export const OTHER_SENDER: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

const ROUTES = ['/api/weather', '/api/quotes', '/api/maps'] as const;

/** What a stream should project to, computed from the events themselves (not from the ledger). */
export interface ExpectedLedger {
  channels: Map<
    Hex,
    {
      status: string;
      deposit: bigint;
      balance: bigint;
      chargedBalance: bigint;
      withdrawn: bigint;
      proofs: number;
      sender: Address;
    }
  >;
  byRoute: Map<string, bigint>;
  bySender: Map<string, bigint>;
  byDay: Map<string, bigint>;
  fundsAtRisk: bigint;
  ignored: Array<{ channelId: Hex; reason: string }>;
}

/**
 * A realistic stream over `channelCount` channels (>= 5): every channel created (except one that only ever sees
 * proofs), even ones topped up, channel 1 withdrawn, channel 2 closed and settled, `proofsPerChannel` accepted
 * proofs each over three routes and two days, plus a stale proof and a top-up of an unknown channel.
 */
export function aChannelStream(seed: string, channelCount = 6, proofsPerChannel = 25) {
  const chain: ChannelLogEvent[] = [];
  const proofs: BalanceProofAcceptedV1[] = [];
  const expected: ExpectedLedger = {
    channels: new Map(),
    byRoute: new Map(),
    bySender: new Map(),
    byDay: new Map(),
    fundsAtRisk: 0n,
    ignored: [],
  };
  const add = (map: Map<string, bigint>, key: string, amount: bigint) =>
    map.set(key, (map.get(key) ?? 0n) + amount);

  for (let i = 0; i < channelCount; i++) {
    const channelId = aChannelId(`${seed}-${i}`);
    const sender = i % 2 === 0 ? TEST_SENDER : OTHER_SENDER;
    const block = 1_000 + i * 100;
    const neverCreated = i === 4;
    let deposit = 0n;
    if (!neverCreated) {
      chain.push(aChannelCreated({ channelId, sender, deposit: 10_000n, blockNumber: block }));
      deposit = 10_000n;
      if (i % 2 === 0) {
        chain.push(
          aChannelToppedUp({ channelId, sender, added: 5_000n, deposit: 15_000n, blockNumber: block + 1 }),
        );
        deposit = 15_000n;
      }
    }
    let balance = 0n;
    for (let k = 0; k < proofsPerChannel; k++) {
      const price = 10n * BigInt(1 + (k % 3));
      const route = ROUTES[k % 3]!;
      const acceptedAt = `2025-01-0${1 + (k % 2)}T10:00:${String(k % 60).padStart(2, '0')}.000Z`;
      proofs.push(
        aBalanceProofAccepted({
          channelId,
          sender,
          balance: balance + price,
          previousBalance: balance,
          price,
          route,
          acceptedAt,
        }),
      );
      balance += price;
      add(expected.byRoute, `GET ${route}`, price);
      add(expected.bySender, sender, price);
      add(expected.byDay, acceptedAt.slice(0, 10), price);
    }
    let withdrawn = 0n;
    let status = neverCreated ? 'pending' : 'open';
    if (i === 1) {
      chain.push(
        aChannelWithdrawn({ channelId, sender, amount: 100n, withdrawn: 100n, blockNumber: block + 5 }),
      );
      withdrawn = 100n;
    }
    if (i === 2) {
      chain.push(
        aChannelCloseRequested({
          channelId,
          sender,
          balance,
          settleAt: 1_800_000_000n,
          blockNumber: block + 6,
        }),
      );
      chain.push(
        aChannelSettled({
          channelId,
          sender,
          balance,
          receiverPaid: balance,
          senderRefund: deposit - balance,
          blockNumber: block + 7,
        }),
      );
      status = 'settled';
    }
    if (i === 0) {
      // Stale: below the channel's accepted balance (a distinct fact, hence a distinct id).
      proofs.push(aBalanceProofAccepted({ channelId, sender, balance: 5n, previousBalance: 0n, price: 5n }));
      expected.ignored.push({ channelId, reason: 'BALANCE_NOT_INCREASING' });
    }
    if (status !== 'settled') expected.fundsAtRisk += balance - withdrawn;
    expected.channels.set(channelId, {
      status,
      deposit,
      balance,
      chargedBalance: balance,
      withdrawn,
      proofs: proofsPerChannel,
      sender,
    });
  }
  const ghost = aChannelId(`${seed}-ghost`);
  chain.push(aChannelToppedUp({ channelId: ghost, blockNumber: 50 }));
  expected.ignored.push({ channelId: ghost, reason: 'CHANNEL_UNKNOWN' });
  const metered = aMeteredChannel(seed, chain, expected, add);
  return { chain, proofs, metered, expected };
}

/**
 * A channel of metered and streamed requests: proofs signing C + a ceiling of 50 that charge 1..50 (charged balance
 * C below the signed S), a stream's first acceptance charging 0, and charge-only commits (`balance-proof.charged`)
 * between proofs. Its events, in publish order (the ledger reads them in this order, one partition).
 */
function aMeteredChannel(
  seed: string,
  chain: ChannelLogEvent[],
  expected: ExpectedLedger,
  add: (map: Map<string, bigint>, key: string, amount: bigint) => void,
): BalanceProofEvent[] {
  const channelId = aChannelId(`${seed}-metered`);
  const events: BalanceProofEvent[] = [];
  chain.push(aChannelCreated({ channelId, deposit: 10_000n, blockNumber: 900 }));
  let balance = 0n;
  let charged = 0n;
  let proofs = 0;
  const day = '2025-01-03';
  for (let k = 0; k < 20; k++) {
    const stream = k % 5 === 4;
    const route = stream ? '/api/stream' : '/api/metered';
    // The client's rule: max(S + 1, C + price); a stream's first acceptance charges nothing.
    const signed = balance + 1n > charged + 50n ? balance + 1n : charged + 50n;
    const charge = stream ? 0n : BigInt(1 + ((k * 17) % 50));
    events.push(
      aBalanceProofAccepted({
        channelId,
        balance: signed,
        previousBalance: balance,
        price: 50n,
        charge,
        chargedBalance: charged + charge,
        route,
        acceptedAt: `${day}T11:00:${String(k).padStart(2, '0')}.000Z`,
      }),
    );
    proofs += 1;
    balance = signed;
    charged += charge;
    add(expected.byRoute, `GET ${route}`, charge);
    if (stream) {
      // Two charge-only commits of the units the stream then delivered, within what is authorised.
      for (const units of [20n, 30n]) {
        charged += units;
        events.push(
          aBalanceProofCharged({
            channelId,
            balance,
            charge: units,
            chargedBalance: charged,
            route,
            chargedAt: `${day}T11:01:${String(k).padStart(2, '0')}.000Z`,
          }),
        );
        add(expected.byRoute, `GET ${route}`, units);
      }
    }
  }
  add(expected.bySender, TEST_SENDER, charged);
  add(expected.byDay, day, charged);
  expected.fundsAtRisk += balance;
  expected.channels.set(channelId, {
    status: 'open',
    deposit: 10_000n,
    balance,
    chargedBalance: charged,
    withdrawn: 0n,
    proofs,
    sender: TEST_SENDER,
  });
  return events;
}
