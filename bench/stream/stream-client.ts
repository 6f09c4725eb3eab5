// The stream bench's client, in its own process so its CPU is not the paywall's: either fixed-price paid requests
// (one serial loop per channel, proofs signed before the run) or one streamed completion read with the client SDK's
// `paidStream` (top-ups signed as the gateway asks). Prints `ready` once set up, starts on a line on stdin (so the
// measured window holds no start-up), then prints one JSON line with the result and its own CPU seconds.
// usage: node -r @swc-node/register bench/stream/stream-client.ts <plan.json>
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { nodeStreamTransport, paidStream } from '@microraiden/client';
import { channelDomain, encodePayment, signBalanceProof, type Address } from '@microraiden/protocol';
import type { BenchChannel } from '../gateway/bench-channels';
import { BenchWallet } from './bench-wallet';

/** What the orchestrator (stream.ts) asks for. */
export interface ClientPlan {
  readonly mode: 'fixed' | 'stream';
  readonly url: string;
  readonly chainId: string;
  readonly channelManager: string;
  readonly receiver: Address;
  readonly token: Address;
  readonly channels: readonly BenchChannel[];
  /** fixed: requests per channel; stream: tokens asked for. */
  readonly count: number;
  /** fixed: the route's price. */
  readonly price: string;
  /** stream: the budget in base units. */
  readonly budget: string;
}

/** What one run did, as printed. */
export interface ClientResult {
  /** fixed: 200 answers; stream: tokens received. */
  readonly ok: number;
  readonly failed: number;
  /** stream: top-up lines sent; the receipt's units and cost; what was signed. */
  readonly topUps: number;
  readonly units: number;
  readonly cost: string;
  readonly spent: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ClientPlan;
const domain = channelDomain(BigInt(plan.chainId), plan.channelManager);

async function fixed(headers: Array<Array<Record<string, string>>>): Promise<Partial<ClientResult>> {
  let ok = 0;
  let failed = 0;
  await Promise.all(
    headers.map(async (list) => {
      for (const h of list) {
        const res = await fetch(plan.url, { headers: h }).catch(() => undefined);
        await res?.arrayBuffer();
        if (res?.status === 200) ok++;
        else failed++;
      }
    }),
  );
  return { ok, failed };
}

async function stream(): Promise<Partial<ClientResult>> {
  const channel = plan.channels[0]!;
  let topUps = 0;
  const paid = await paidStream(plan.url, {
    wallet: new BenchWallet(channel, domain, plan.receiver, plan.token),
    budget: BigInt(plan.budget),
    transport: nodeStreamTransport(),
    method: 'POST',
    onProgress: (event) => {
      if (event.stage === 'top-up') topUps++;
    },
  });
  let ok = 0;
  for await (const event of paid) if (event.event === 'token') ok++;
  const receipt = await paid.receipt;
  return {
    ok,
    failed: receipt === null ? 1 : 0,
    topUps,
    units: receipt?.units ?? 0,
    cost: (receipt?.cost ?? 0n).toString(),
    spent: paid.spent.toString(),
  };
}

function presign(): Array<Array<Record<string, string>>> {
  return plan.channels.map((c) =>
    Array.from({ length: plan.count }, (_, k) => {
      const balance = BigInt(k + 1) * BigInt(plan.price);
      const signature = signBalanceProof(c.senderKey, domain, {
        channelId: c.channelId,
        receiver: plan.receiver,
        balance,
      });
      return encodePayment({
        sender: c.sender,
        channelId: c.channelId,
        balance,
        signature,
        receiver: plan.receiver,
        channelManager: domain.verifyingContract,
        chainId: domain.chainId,
      });
    }),
  );
}

async function main(): Promise<void> {
  const headers = plan.mode === 'fixed' ? presign() : [];
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once('line', resolve));
  lines.close();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = plan.mode === 'fixed' ? await fixed(headers) : await stream();
  const cpu = process.cpuUsage(cpuBefore);
  const out: ClientResult = {
    ok: 0,
    failed: 0,
    topUps: 0,
    units: 0,
    cost: '0',
    spent: '0',
    ...result,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
