import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Address, Hex } from '@microraiden/protocol';
import { isClientError, type Client, type PaidFetchProgress } from '../src';
import type { TestGateway } from '../src/test/test-gateway';
import { deployClientFixture, type ClientFixture } from './support/client-fixture';

const PRICE = 1_000n;
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('paidFetch against a test gateway on anvil', () => {
  let fx: ClientFixture;
  let sender: Address;
  let gateway: TestGateway;
  let base: string;
  let client: Client;

  beforeAll(async () => {
    fx = await deployClientFixture(inject('rpcUrl'));
    sender = fx.sender.address as Address;
    await fx.mint(sender, 10n ** 9n);
  });
  afterAll(() => fx.dispose());

  beforeEach(async () => {
    gateway = fx.gateway(PRICE);
    base = await gateway.listen();
    client = await fx.client();
  });
  afterEach(() => gateway.stop());

  const weather = () => `${base}/api/weather`;
  const limits = { maxPricePerRequest: PRICE, maxDeposit: 10n * PRICE };

  it('answers a 402 by opening a channel, paying, and returning the 200 with its receipt', async () => {
    const startTokens = await fx.balanceOf(sender);
    const progress: PaidFetchProgress['stage'][] = [];
    const first = await client.fetch(weather(), undefined, {
      ...limits,
      onProgress: (e) => progress.push(e.stage),
    });
    expect(first.response.status).toBe(200);
    expect(await first.response.json()).toMatchObject({ city: 'Berlin' });
    expect(first.response.headers.get('RDN-Sender-Balance')).toBe(String(PRICE));
    expect(first.paid).toMatchObject({ amount: PRICE, balance: PRICE, price: PRICE });
    expect(progress).toEqual(['challenge', 'transaction', 'transaction', 'paying']);

    const second = await client.fetch(weather(), undefined, limits);
    expect(second.paid).toMatchObject({
      channelId: first.paid?.channelId,
      amount: PRICE,
      balance: 2n * PRICE,
    });
    expect(gateway.increments(first.paid!.channelId)).toBe(2);
    const [channel] = await client.channels();
    expect(channel?.toJSON()).toMatchObject({
      deposit: String(10n * PRICE),
      balance: String(2n * PRICE),
      acknowledgedBalance: String(2n * PRICE),
      gatewayUrl: `${base}/api/1`,
    });
    expect(await fx.balanceOf(sender)).toBe(startTokens - 10n * PRICE);
  });

  it('pays 20 sequential requests with 21 HTTP requests: one handshake, then the payment goes out right away', async () => {
    const sent: boolean[] = [];
    const counting: typeof fetch = (input, init) => {
      sent.push(new Headers(init?.headers).has('RDN-Balance'));
      return fetch(input, init);
    };
    client = await fx.client({ fetch: counting });
    const balances: bigint[] = [];
    const prepaid: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      const { response, paid } = await client.fetch(`${weather()}?i=${i}`, undefined, {
        ...limits,
        maxDeposit: 20n * PRICE,
      });
      expect(response.status).toBe(200);
      await response.text();
      balances.push(paid!.balance);
      prepaid.push(paid!.prepaid);
    }
    expect(sent).toHaveLength(21);
    expect(sent.filter((isPaid) => !isPaid)).toHaveLength(1);
    expect([gateway.challenges, gateway.payments.length]).toEqual([1, 20]);
    expect(balances).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 1) * PRICE));
    expect(prepaid).toEqual([false, ...Array<boolean>(19).fill(true)]);
    expect(gateway.payments.every((p) => p.outcome === 'accepted')).toBe(true);
  });

  it('refuses a price above the limit without opening a channel or signing', async () => {
    const nonce = await fx.provider.getTransactionCount(sender);
    const error = await errorOf(
      client.fetch(weather(), undefined, { ...limits, maxPricePerRequest: PRICE - 1n }),
    );
    expect(isClientError(error, 'PRICE_TOO_HIGH')).toBe(true);
    expect(await client.channels()).toEqual([]);
    expect(await fx.provider.getTransactionCount(sender)).toBe(nonce);
    expect(gateway.payments).toEqual([]);
  });

  it('re-sends the same balance after a dropped connection: the gateway sees one increment', async () => {
    const { paid } = await client.fetch(weather(), undefined, limits);
    gateway.dropBeforeAccepting = 1;
    const again = await client.fetch(weather(), undefined, limits);
    expect(again.response.status).toBe(200);
    const id = paid!.channelId;
    expect(gateway.payments.filter((p) => p.channelId === id).map((p) => [p.balance, p.outcome])).toEqual([
      [PRICE, 'accepted'],
      [2n * PRICE, 'dropped'],
      [2n * PRICE, 'accepted'],
    ]);
    expect(gateway.increments(id)).toBe(2);
  });

  it('does not pay twice when the gateway served the request but the connection dropped before the answer', async () => {
    const { paid } = await client.fetch(weather(), undefined, limits);
    gateway.dropAfterAccepting = 1;
    expect(
      isClientError(await errorOf(client.fetch(weather(), undefined, limits)), 'PAYMENT_RESPONSE_LOST'),
    ).toBe(true);
    expect(gateway.accepted.get(paid!.channelId)).toBe(2n * PRICE);
    expect((await client.fetch(weather(), undefined, limits)).paid?.balance).toBe(3n * PRICE);
  });

  it('re-syncs to the balance a BALANCE_STALE answer reports (another device paid on the channel)', async () => {
    const { paid } = await client.fetch(weather(), undefined, limits);
    gateway.accepted.set(paid!.channelId, 5n * PRICE);
    const { response, paid: after } = await client.fetch(weather(), undefined, limits);
    expect(response.status).toBe(200);
    expect(after).toMatchObject({ amount: PRICE, balance: 6n * PRICE });
    expect(gateway.payments.slice(-2).map((p) => [p.balance, p.outcome])).toEqual([
      [2n * PRICE, 'BALANCE_STALE'],
      [6n * PRICE, 'accepted'],
    ]);
  });

  it('recovers after the state file is lost: sync() restores the channel and the gateway re-syncs the balance', async () => {
    // A sender of its own: sync restores every channel of a sender, and this gateway knows none of account 5's.
    await fx.mint(fx.otherSender.address, 10n * PRICE);
    client = await fx.client({ key: fx.otherSender.privateKey as Hex });
    for (let i = 0; i < 3; i++) await client.fetch(weather(), undefined, limits);
    const [before] = await client.channels();
    await rm(await client.stateFile());

    const [restored, ...others] = await client.sync();
    expect(others).toEqual([]);
    expect(restored?.toJSON()).toMatchObject({ id: before?.id, deposit: String(10n * PRICE), state: 'open' });
    const { paid } = await client.fetch(weather(), undefined, limits);
    expect(paid).toMatchObject({ channelId: before?.id, amount: PRICE, balance: 4n * PRICE });
    expect(gateway.increments(before!.id)).toBe(4);
  });

  it('tops an exhausted channel up to maxDeposit, and opens a new one once it is at the cap', async () => {
    const small = { maxPricePerRequest: PRICE, maxDeposit: 2n * PRICE };
    const none = await errorOf(client.fetch(weather(), undefined, { ...small, maxDeposit: PRICE - 1n }));
    expect(isClientError(none, 'NO_SUITABLE_CHANNEL')).toBe(true);
    await client.fetch(weather(), undefined, small);
    await client.fetch(weather(), undefined, small);
    const toppedUp = await client.fetch(weather(), undefined, { ...small, maxDeposit: 3n * PRICE });
    expect(toppedUp.paid?.balance).toBe(3n * PRICE);
    const fresh = await client.fetch(weather(), undefined, small);
    expect(fresh.paid?.balance).toBe(PRICE);
    const channels = await client.channels();
    expect(channels.map((c) => [c.deposit, c.balance])).toEqual([
      [3n * PRICE, 3n * PRICE],
      [2n * PRICE, PRICE],
    ]);
  });

  it('sends a POST body on both the unpaid and the paid request', async () => {
    const body = JSON.stringify({ question: 'rain?' });
    const { response } = await client.fetch(weather(), { method: 'POST', body }, limits);
    expect(await response.json()).toMatchObject({ method: 'POST', echo: body });
  });

  it('closes cooperatively through the gateway it paid, at the balance the gateway accepted', async () => {
    for (let i = 0; i < 3; i++) await client.fetch(weather(), undefined, limits);
    // A fourth proof is signed but never accepted (the upstream failed): it is not paid at the close.
    gateway.upstreamStatus = 502;
    expect((await client.fetch(weather(), undefined, limits)).paid).toBeNull();
    const [channel] = await client.channels();
    expect(channel?.balance).toBe(4n * PRICE);
    const receiverStart = await fx.balanceOf(fx.receiver.address);
    const outcome = await channel!.close();
    expect(outcome).toMatchObject({
      kind: 'cooperative',
      balance: 3n * PRICE,
      receiverPaid: 3n * PRICE,
      senderRefund: 7n * PRICE,
    });
    expect(await fx.balanceOf(fx.receiver.address)).toBe(receiverStart + 3n * PRICE);
    // The gateway treats the channel as closing once it signed; a new request opens a new channel.
    gateway.upstreamStatus = 200;
    const next = await client.fetch(weather(), undefined, limits);
    expect(next.paid?.channelId).not.toBe(channel!.id);
  });

  it('asks again at the highest signed balance when the gateway holds more than it acknowledged', async () => {
    const { paid } = await client.fetch(weather(), undefined, limits);
    const [channel] = await client.channels();
    // A proof handed over out of band; the gateway's balance is now above the last receipt.
    const extra = await channel!.createTransfer(5n);
    await gateway.acceptProof({
      sender,
      channelId: paid!.channelId,
      balance: extra.balance,
      signature: extra.signature,
    });
    const outcome = await channel!.close();
    expect(outcome).toMatchObject({ kind: 'cooperative', balance: PRICE + 5n, receiverPaid: PRICE + 5n });
  });
});
