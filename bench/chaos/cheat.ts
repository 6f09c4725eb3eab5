import { setTimeout as sleep } from 'node:timers/promises';
import { ZeroAddress, type EventLog, type JsonRpcProvider } from 'ethers';
import { channelManagerAt, type Deployment } from '@microraiden/contracts';
import { watcherProofBalance } from './books';
import type { PayingClient } from './paying-client';

/** A sender that paid, then asks the chain to close its channel at a stale balance. */
export interface Cheat {
  readonly channelId: string;
  /** The highest balance the receiver holds a proof for: what a dispute must settle at. */
  readonly owed: bigint;
  closedAt?: number;
  closeBlock?: number;
}

/** What became of a cheat by the time it was checked. */
export interface CheatOutcome {
  readonly cheat: Cheat;
  /** Settled at `owed` (the receiver's dispute landed); undefined while still closing. */
  readonly disputedAt?: number;
  readonly settledBalance?: bigint;
  /** The block of the ChannelSettled event. */
  readonly settledBlock?: number;
}

/**
 * Pays `requests` requests with `client`, then waits until the chain-watcher holds a proof for everything paid,
 * as an operator would before trusting its defence. Returns the cheat to spring later.
 */
export async function prepareCheat(
  client: PayingClient,
  databaseUrl: string,
  requests: number,
): Promise<Cheat> {
  for (let i = 0; i < requests; i++) await client.pay();
  const paid = client.records.filter((record) => record.paid).map((record) => record.paid!);
  const last = paid[paid.length - 1];
  if (!last)
    throw new Error(`cheater ${client.name} could not pay: ${JSON.stringify(client.records.at(-1))}`);
  const channelId = last.channelId.toLowerCase();
  const deadline = Date.now() + 60_000;
  while ((await watcherProofBalance(databaseUrl, channelId).catch(() => undefined)) !== last.balance) {
    if (Date.now() > deadline) throw new Error(`the chain-watcher never held ${channelId}'s latest proof`);
    await sleep(250);
  }
  return { channelId, owed: last.balance };
}

/** The uncooperative close at one price unit (far below what was paid), sent by the sender; waits until mined. */
export async function springCheat(
  cheat: Cheat,
  client: PayingClient,
  provider: JsonRpcProvider,
  deployment: Deployment,
  staleBalance: bigint,
): Promise<void> {
  const manager = channelManagerAt(deployment.channelManager, client.wallet.connect(provider));
  const receipt = await (await manager.uncooperativeClose(cheat.channelId, staleBalance)).wait();
  cheat.closedAt = Date.now();
  cheat.closeBlock = receipt!.blockNumber;
}

/** Whether the cheat's channel settled at what the receiver was owed (disputed), and when this was seen. */
export async function cheatOutcome(
  cheat: Cheat,
  provider: JsonRpcProvider,
  deployment: Deployment,
): Promise<CheatOutcome> {
  const manager = channelManagerAt(deployment.channelManager, provider);
  const [sender] = await manager.getChannel(cheat.channelId);
  if (sender !== ZeroAddress) return { cheat };
  const settled = await manager.queryFilter(
    manager.filters.ChannelSettled!(cheat.channelId),
    cheat.closeBlock,
  );
  const event = settled[0] as EventLog | undefined;
  const balance = event?.args.balance as bigint | undefined;
  return {
    cheat,
    settledBalance: balance,
    settledBlock: event?.blockNumber,
    disputedAt: balance === cheat.owed ? Date.now() : undefined,
  };
}

/** Polls every cheat until all are disputed or `deadline` (epoch ms) passes. */
export async function watchCheats(
  cheats: readonly Cheat[],
  provider: JsonRpcProvider,
  deployment: Deployment,
  deadline: number,
): Promise<CheatOutcome[]> {
  const outcomes = new Map<Cheat, CheatOutcome>();
  for (;;) {
    for (const cheat of cheats) {
      if (outcomes.get(cheat)?.settledBalance !== undefined) continue;
      outcomes.set(cheat, await cheatOutcome(cheat, provider, deployment).catch(() => ({ cheat })));
    }
    const open = cheats.filter((cheat) => outcomes.get(cheat)?.settledBalance === undefined);
    if (open.length === 0 || Date.now() > deadline) return cheats.map((cheat) => outcomes.get(cheat)!);
    await sleep(250);
  }
}
