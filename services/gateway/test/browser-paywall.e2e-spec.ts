import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { microTokenAt } from '@microraiden/contracts';
import type { BalanceProofAcceptedV1 } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { privateKeyToAddress } from '@microraiden/protocol';
import { createTestDatabase, repoRoot, type TestDatabase } from '@microraiden/testing';
import { Wallet } from 'ethers';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import { startChannelRelay, type ChannelRelay } from './support/channel-relay';
import {
  createTestTopics,
  startGateway,
  type InProcessGateway,
  type TestTopics,
} from './support/gateway-fixture';
import { readEvents } from './support/read-events';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';
import { testWallet, type TestWallet } from './support/test-wallet';

// CI installs Debian's chromium (.ci/run); the test needs no browser download.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`browser-paywall: skipped because ${CHROMIUM} is missing (apt-get install chromium)`);

const PRICE = 1_000_000_000_000_000n;
const DEPOSIT = 10n * PRICE;
// Paid HTML whose script must not run: the page shows it in a sandboxed frame.
const ARTICLE =
  '<h1>Paid article</h1><p id="state">static</p>' +
  "<script>document.getElementById('state').textContent = 'script ran';</script>";
const SCREENSHOTS = path.join(repoRoot(), 'test-results', 'screenshots');
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'gateway-browser',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
// A fresh sender per run: no other test shares its nonces, and its channel is the only one it finds.
const sender = Wallet.createRandom();

describe.skipIf(!hasChromium)('browser paywall (Chromium, EIP-1193 test wallet)', () => {
  let db: TestDatabase;
  let chain: ChainFixture;
  let topics: TestTopics;
  let upstream: TestUpstream;
  let gateway: InProcessGateway;
  let relay: ChannelRelay;
  let browser: Browser;
  let wallet: TestWallet;
  const contexts: BrowserContext[] = [];

  async function openPage(
    chainId = 31337n,
    resource = '/api/fortune?lang=en',
  ): Promise<{ page: Page; wallet: TestWallet }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    contexts.push(context);
    const pageWallet = testWallet(new Wallet(sender.privateKey), chain.provider, chainId);
    await pageWallet.install(context);
    const page = await context.newPage();
    const response = await page.goto(`${gateway.url}${resource}`);
    expect(response?.status()).toBe(402);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    return { page, wallet: pageWallet };
  }

  function status(page: Page) {
    return page.locator('#mr-status');
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase({ prefix: 'gateway_browser', serverUrl: inject('databaseUrl') });
    chain = await deployChain(inject('rpcUrl'));
    topics = await createTestTopics(client);
    upstream = await startUpstream((req, res) => {
      if (req.url === '/api/article') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(ARTICLE);
      }
      json(res, 200, { fortune: 'A paid request is a happy request.', path: req.url });
    });
    gateway = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      DEPLOYMENT_FILE: chain.deploymentFile,
      UPSTREAM_URL: upstream.url,
      ROUTES_FILE: writeRoutesFile([
        { path: '/api/fortune', price: PRICE.toString() },
        { path: '/api/article', price: PRICE.toString() },
      ]),
      MICRORAIDEN_DEV: '1',
      RECEIVER_PRIVATE_KEY: receiverKey,
      GATEWAY_ID: 'gateway-browser-1',
      RETRY_AFTER_CONFIRMATIONS_S: '1',
      ...topics,
    });
    // Gas and tokens for the fresh sender, without touching any shared account's nonce.
    await chain.provider.send('anvil_setBalance', [sender.address, '0x56bc75e2d63100000']);
    const minter = new Wallet(sender.privateKey, chain.provider);
    await (await microTokenAt(chain.deployment.token, minter).mint(sender.address, 3n * DEPOSIT)).wait();
    relay = startChannelRelay({
      provider: chain.provider,
      deployment: chain.deployment,
      client,
      topic: topics.CHANNELS_TOPIC,
      fromBlock: await chain.provider.getBlockNumber(),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await relay?.stop();
    await gateway?.close();
    await upstream?.close();
    await db?.drop();
    chain?.close();
  });

  let channelId: string;
  let rememberingPage: Page;

  it('shows the paywall, opens a channel from the wallet, pays and shows the content', async () => {
    const opened = await openPage();
    const page = opened.page;
    wallet = opened.wallet;
    await expect.poll(() => status(page).textContent()).toContain('Connect a wallet');
    expect(await page.locator('dl').textContent()).toContain(PRICE.toString());
    await page.screenshot({ path: path.join(SCREENSHOTS, 'paywall.png'), fullPage: true });

    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('No open channel');
    expect(await page.locator('#mr-sender').textContent()).toBe(sender.address);
    expect(await page.inputValue('#mr-deposit')).toBe(DEPOSIT.toString());

    await page.click('#mr-open');
    await page.locator('#mr-content pre').waitFor({ timeout: 60_000 });
    const content = JSON.parse((await page.locator('#mr-content pre').textContent()) ?? '');
    expect(content).toEqual({ fortune: 'A paid request is a happy request.', path: '/api/fortune?lang=en' });
    expect(await status(page).textContent()).toContain(`balance is now ${PRICE}`);
    channelId = (await page.locator('#mr-channel-id').textContent()) ?? '';
    expect(relay.relayed.map((id) => id.toLowerCase())).toEqual([channelId]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'paid.png'), fullPage: true });

    // approve, then createChannel, both from the wallet's account; proofs signed as typed data v4.
    const sent = wallet.calls.filter((c) => c.method === 'eth_sendTransaction');
    expect(sent.map((c) => (c.params[0] as { to: string }).to)).toEqual([
      chain.deployment.token,
      chain.deployment.channelManager,
    ]);
    const signed = wallet.calls.filter((c) => c.method === 'eth_signTypedData_v4');
    expect(signed).toHaveLength(1);
    const typed = JSON.parse(signed[0]!.params[1] as string);
    expect(typed.domain).toEqual({
      name: 'MicroTransferChannels',
      version: '1',
      chainId: 31337,
      verifyingContract: chain.deployment.channelManager,
    });
    expect(typed.message).toEqual({ channelId, receiver, balance: PRICE.toString() });

    // A second paid request on the same channel, then the channel is remembered across a reload.
    await page.click('#mr-pay');
    await expect.poll(() => status(page).textContent()).toContain(`balance is now ${2n * PRICE}`);
    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 2);
    expect(
      (events as BalanceProofAcceptedV1[]).map((e) => [e.data.channelId, e.data.balance, e.data.increment]),
    ).toEqual([
      [channelId, PRICE, PRICE],
      [channelId, 2n * PRICE, PRICE],
    ]);

    await page.reload();
    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('Channel found');
    expect(await page.locator('#mr-balance').textContent()).toBe((2n * PRICE).toString());
    expect(await page.locator('#mr-channel-id').textContent()).toBe(channelId);
    rememberingPage = page;
  });

  it('finds the channel on chain in a fresh browser and adopts the balance the gateway reports', async () => {
    const { page, wallet: fresh } = await openPage();
    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('Channel found');
    expect(await page.locator('#mr-channel-id').textContent()).toBe(channelId);
    expect(await page.locator('#mr-balance').textContent()).toBe('0');

    await page.click('#mr-pay');
    await expect
      .poll(() => status(page).textContent(), { timeout: 30_000 })
      .toContain(`balance is now ${3n * PRICE}`);
    // First proof (0 + price) was stale; the page re-signed once at the gateway's balance + price.
    const balances = fresh.calls
      .filter((c) => c.method === 'eth_signTypedData_v4')
      .map((c) => JSON.parse(c.params[1] as string).message.balance);
    expect(balances).toEqual([PRICE.toString(), (3n * PRICE).toString()]);
    expect(fresh.calls.some((c) => c.method === 'eth_sendTransaction')).toBe(false);
    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 3);
    expect((events.at(-1) as BalanceProofAcceptedV1).data).toMatchObject({
      balance: 3n * PRICE,
      increment: PRICE,
    });
  });

  it('shows paid HTML in a sandboxed frame, re-syncing the remembered balance the gateway outgrew', async () => {
    const page = rememberingPage;
    expect((await page.goto(`${gateway.url}/api/article`))?.status()).toBe(402);
    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('Channel found');
    // Remembered 2x price; the other browser has since paid up to 3x.
    expect(await page.locator('#mr-balance').textContent()).toBe((2n * PRICE).toString());
    await page.click('#mr-pay');
    await expect
      .poll(() => status(page).textContent(), { timeout: 30_000 })
      .toContain(`balance is now ${4n * PRICE}`);
    const frame = page.locator('#mr-content iframe');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await page.frameLocator('#mr-content iframe').locator('h1').textContent()).toBe('Paid article');
    expect(await page.frameLocator('#mr-content iframe').locator('#state').textContent()).toBe('static');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'paid-html.png'), fullPage: true });
  });

  it('tells a wallet on another chain to switch, and does nothing else', async () => {
    const { page, wallet: wrong } = await openPage(1n);
    await page.click('#mr-connect');
    await expect
      .poll(() => status(page).textContent())
      .toContain('Wrong network: the wallet is on chain 1 but this paywall takes payments on chain 31337');
    expect(await page.locator('#mr-status').getAttribute('class')).toBe('mr-error');
    expect(await page.locator('#mr-open-form').isHidden()).toBe(true);
    expect(wrong.calls.map((c) => c.method)).toEqual(['eth_requestAccounts', 'eth_chainId']);
  });
});
