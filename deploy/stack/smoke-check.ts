import { JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { setTimeout as sleep } from 'node:timers/promises';
import { channelManagerAt, computeChannelId, microTokenAt, type Deployment } from '@microraiden/contracts';
import {
  channelDomain,
  encodePayment,
  formatTokenAmountWithBase,
  parseChallenge,
  RDN_HEADERS,
  signBalanceProof,
  type Address,
  type Hex32,
} from '@microraiden/protocol';
import { anvilPrivateKey, STACK_ACCOUNTS } from './anvil-accounts';
import { StackError } from './stack-error';

/** Where the check sends its requests. */
export interface SmokeTargets {
  readonly frontUrl: string;
  readonly ledgerUrl: string;
  /** The ledger's (and gateways') operator token. */
  readonly operatorToken: string;
  readonly deployment: Deployment;
  readonly provider: JsonRpcProvider;
}

type Log = (line: string) => void;

function fail(message: string): never {
  throw new StackError('STACK_CHECK_FAILED', message);
}

async function describe(response: Response): Promise<string> {
  const code = response.headers.get(RDN_HEADERS.error);
  return `HTTP ${response.status}${code ? ` ${code}` : ''}: ${(await response.text()).slice(0, 300)}`;
}

/**
 * The stack's end-to-end check: 402 -> open a channel on chain -> two requests paid with EIP-712 balance
 * proofs through the front (which rotates them, so both gateway replicas accept one) -> the ledger shows the balance.
 */
export async function runSmokeCheck(targets: SmokeTargets, log: Log): Promise<void> {
  const { frontUrl, ledgerUrl, operatorToken, deployment, provider } = targets;
  const fortuneUrl = `${frontUrl}/api/fortune`;
  const echoUrl = `${frontUrl}/api/echo?greeting=hello`;

  const free = await fetch(`${frontUrl}/`);
  if (free.status !== 200) fail(`GET / (free) answered ${await describe(free)}`);

  const unpaid = await fetch(fortuneUrl);
  if (unpaid.status !== 402)
    fail(`GET /api/fortune without payment answered ${await describe(unpaid)}, not 402`);
  await unpaid.arrayBuffer();
  const challenge = parseChallenge(unpaid.headers);
  if (!challenge.ok) fail(`the 402 challenge is malformed: ${JSON.stringify(challenge.error)}`);
  const { receiver, price, chainId, channelManager } = challenge.value;
  if (channelManager !== deployment.channelManager) fail(`402 names manager ${channelManager}, not ours`);
  const tokenContract = microTokenAt(deployment.token, provider);
  const token = { symbol: await tokenContract.symbol(), decimals: Number(await tokenContract.decimals()) };
  const amount = (base: bigint) => formatTokenAmountWithBase(base, token);
  log(`402 from the front: price ${amount(price)}, receiver ${receiver}`);
  // Asked now, so that the two paid requests below are consecutive at the front.
  const echoChallenge = await fetch(echoUrl);
  await echoChallenge.arrayBuffer();
  const echoPrice = parseChallenge(echoChallenge.headers);
  if (echoChallenge.status !== 402 || !echoPrice.ok)
    fail(`GET /api/echo unpaid answered ${echoChallenge.status}`);

  const senderKey = anvilPrivateKey(STACK_ACCOUNTS.demoSender);
  const signer = new NonceManager(new Wallet(senderKey, provider));
  const sender = (await signer.getAddress()) as Address;
  const manager = channelManagerAt(deployment.channelManager, signer);
  const deposit = price * 100n;
  const nonce = await manager.channelNonce(sender);
  await (await microTokenAt(deployment.token, signer).approve(deployment.channelManager, deposit)).wait();
  const created = await (await manager.createChannel(receiver, deposit)).wait();
  const channelId = computeChannelId({
    chainId,
    channelManager: deployment.channelManager,
    sender,
    receiver,
    nonce,
  }) as Hex32;
  log(`opened channel ${channelId} (deposit ${amount(deposit)}, block ${created?.blockNumber})`);

  const domain = channelDomain(chainId, deployment.channelManager);
  const pay = (url: string, balance: bigint) =>
    fetch(url, {
      headers: encodePayment({
        sender,
        channelId,
        balance,
        signature: signBalanceProof(senderKey, domain, { channelId, receiver, balance }),
        receiver,
        channelManager: deployment.channelManager as Address,
        chainId,
      }),
    });

  // The gateways learn of the channel once the chain-watcher publishes it at its confirmation depth.
  let first = await pay(fortuneUrl, price);
  const waitUntil = Date.now() + 60_000;
  while (first.status !== 200) {
    const code = first.headers.get(RDN_HEADERS.error);
    if (code !== 'CHANNEL_NOT_FOUND' && code !== 'CHANNEL_INSUFFICIENT_CONFIRMATIONS') {
      fail(`paid GET /api/fortune answered ${await describe(first)}`);
    }
    if (Date.now() > waitUntil) fail(`the gateways did not see channel ${channelId} within 60 s (${code})`);
    await first.arrayBuffer();
    await sleep(1000);
    first = await pay(fortuneUrl, price);
  }
  const fortune = (await first.json()) as { fortune?: string };
  const firstReplica = first.headers.get('x-stack-replica');
  log(`paid ${amount(price)} -> 200 from replica ${firstReplica}: "${fortune.fortune}"`);

  const total = price + echoPrice.value.price;
  const second = await pay(echoUrl, total);
  if (second.status !== 200) fail(`paid GET /api/echo answered ${await describe(second)}`);
  const echoed = (await second.json()) as { query?: Record<string, string> };
  if (echoed.query?.greeting !== 'hello') fail(`echo returned ${JSON.stringify(echoed)}`);
  const secondReplica = second.headers.get('x-stack-replica');
  log(
    `paid ${amount(echoPrice.value.price)} more (balance ${amount(total)}) -> 200 from replica ${secondReplica}`,
  );
  // Two consecutive paid requests from one client: the front's rotation must have used both replicas.
  if (!firstReplica || firstReplica === secondReplica) {
    fail(`both paid requests were served by replica ${firstReplica}: the front did not rotate`);
  }

  const ledgerChannel = `${ledgerUrl}/api/1/channels/${channelId}`;
  const ledgerDeadline = Date.now() + 30_000;
  let seen = 'not found';
  while (Date.now() < ledgerDeadline) {
    const response = await fetch(ledgerChannel, { headers: { authorization: `Bearer ${operatorToken}` } });
    if (response.status === 200) {
      const body = (await response.json()) as { balance?: string; status?: string; proofCount?: number };
      const balance = /^[0-9]+$/.test(body.balance ?? '')
        ? amount(BigInt(body.balance as string))
        : body.balance;
      seen = `status ${body.status}, balance ${balance}, proofs ${body.proofCount}`;
      if (body.balance === total.toString()) {
        log(`ledger ${ledgerChannel}: ${seen}`);
        return;
      }
    } else {
      await response.arrayBuffer();
    }
    await sleep(500);
  }
  fail(`the ledger did not show balance ${total} for ${channelId} within 30 s (last: ${seen})`);
}
