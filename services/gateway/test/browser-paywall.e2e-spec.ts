import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { channelManagerAt, microTokenAt } from '@microraiden/contracts';
import type { BalanceProofAcceptedV1 } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { privateKeyToAddress } from '@microraiden/protocol';
import { createTestDatabase, repoRoot, type TestDatabase } from '@microraiden/testing';
import { Wallet, id } from 'ethers';
import { Pool } from 'pg';
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

const PRICE = 1_000_000_000_000_000n; // 0.001 MTK
const DEPOSIT = 10n * PRICE;
/** A paid article of the site: its number, and a link to the next one (relative, as sites write them). */
const article = (n: number) =>
  '<!doctype html><html><head><title>Article ' +
  n +
  '</title></head><body>' +
  '<h1>Paid article ' +
  n +
  '</h1><p>Text only paying readers see.</p>' +
  (n < 3 ? '<p><a id="next" href="/articles/' + (n + 1) + '">Next article</a></p>' : '') +
  '<p id="state">static</p><script>document.getElementById("state").textContent = "site script ran";</script>' +
  '</body></html>';
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

  /** The typed-data JSON the page asked the wallet to sign, in order. */
  function typedData(w: TestWallet): string[] {
    return w.calls.filter((c) => c.method === 'eth_signTypedData_v4').map((c) => c.params[1] as string);
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase({ prefix: 'gateway_browser', serverUrl: inject('databaseUrl') });
    chain = await deployChain(inject('rpcUrl'));
    topics = await createTestTopics(client);
    upstream = await startUpstream((req, res) => {
      const match = /^\/articles\/([1-3])$/.exec(req.url ?? '');
      if (match) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(article(Number(match[1])));
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
        { prefix: '/articles/', price: PRICE.toString() },
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
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
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

  /** The session key the page stored in its localStorage for this sender (docs/protocol.md 8.5), if any. */
  async function storedSessionKey(page: Page): Promise<string | null> {
    const key = ['microraiden:session-key:31337', chain.deployment.channelManager, receiver, sender.address]
      .join(':')
      .toLowerCase();
    return page.evaluate((k) => window.localStorage.getItem(k), key);
  }

  it('pays three articles of the site with one budget approval and one permit, proofs signed by a session key', async () => {
    const opened = await openPage(31337n, '/articles/1');
    const page = opened.page;
    wallet = opened.wallet;
    await expect.poll(() => status(page).textContent()).toContain('Connect a wallet');
    // Token units from the token itself (symbol, decimals), base units beside.
    expect(await page.locator('.mr-price').textContent()).toBe(
      `This page costs 0.001 MTK (${PRICE} base units).`,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, '1-paywall.png'), fullPage: true });

    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('No open channel');
    expect(await page.locator('#mr-sender').textContent()).toBe(sender.address);
    expect(await page.inputValue('#mr-deposit')).toBe('0.01');
    expect(await page.inputValue('#mr-budget')).toBe('0.01');
    expect(await page.locator('#mr-pay').textContent()).toBe('Open channel and pay 0.001 MTK');
    await page.fill('#mr-budget', '0.005');
    await page.screenshot({ path: path.join(SCREENSHOTS, '2-connected.png'), fullPage: true });

    await page.click('#mr-pay');
    // The paid article is the page now: its own heading at the top, its script ran, the paywall is gone.
    await page.locator('h1', { hasText: 'Paid article 1' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#microraiden-wallet').count()).toBe(0);
    expect(await page.locator('#state').textContent()).toBe('site script ran');
    expect(page.url()).toBe(`${gateway.url}/articles/1`);
    const bar = page.locator('#mr-budget-text');
    expect(await bar.textContent()).toBe(
      'microraiden: Paid 0.001 MTK for this page. 0.001 MTK of your 0.005 MTK budget spent in this tab.',
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, '3-article-1.png'), fullPage: true });

    // One permit signature and ONE transaction (createChannelWithPermitAndSigner) opened the channel, naming
    // the session key the page made and stored as its balance signer.
    const sent = wallet.calls.filter((c) => c.method === 'eth_sendTransaction');
    expect(sent.map((c) => (c.params[0] as { to: string; data: string }).to)).toEqual([
      chain.deployment.channelManager,
    ]);
    expect((sent[0]!.params[0] as { data: string }).data.slice(0, 10)).toBe(
      id('createChannelWithPermitAndSigner(address,uint256,address,uint256,uint8,bytes32,bytes32)').slice(
        0,
        10,
      ),
    );
    const permit = JSON.parse(typedData(wallet)[0]!);
    expect([permit.primaryType, permit.domain.name, permit.message.value]).toEqual([
      'Permit',
      'MicroToken',
      DEPOSIT.toString(),
    ]);
    channelId = relay.relayed[0]!.toLowerCase();
    const sessionKey = await storedSessionKey(page);
    expect(sessionKey).toMatch(/^0x[0-9a-f]{64}$/);
    const session = privateKeyToAddress(sessionKey!);
    expect(
      await channelManagerAt(chain.deployment.channelManager, chain.provider).balanceSignerOf(channelId),
    ).toBe(session);
    expect(relay.signers.get(channelId)).toBe(session);

    // In-site links keep paying from the budget: no connect prompt, no transaction, no wallet signature.
    await page.click('#next');
    await page.locator('h1', { hasText: 'Paid article 2' }).waitFor({ timeout: 30_000 });
    expect(await bar.textContent()).toContain('0.002 MTK of your 0.005 MTK budget spent');
    await page.screenshot({ path: path.join(SCREENSHOTS, '4-article-2.png'), fullPage: true });
    await page.click('#next');
    await page.locator('h1', { hasText: 'Paid article 3' }).waitFor({ timeout: 30_000 });
    expect(await bar.textContent()).toContain('0.003 MTK of your 0.005 MTK budget spent');
    await page.screenshot({ path: path.join(SCREENSHOTS, '5-article-3.png'), fullPage: true });

    // Three pages: 1 account prompt, 1 permit signature, 1 transaction, 0 balance proofs by the wallet.
    expect(wallet.calls.filter((c) => c.method === 'eth_requestAccounts')).toHaveLength(1);
    expect(wallet.calls.filter((c) => c.method === 'eth_sendTransaction')).toHaveLength(1);
    expect(typedData(wallet).map((json) => JSON.parse(json).primaryType)).toEqual(['Permit']);
    // The gateway accepted the session key's proofs, each page charged once: P, 2P, 3P.
    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 3);
    expect(
      (events as BalanceProofAcceptedV1[]).map((e) => [e.data.balance, e.data.sender, e.data.signer]),
    ).toEqual([
      [PRICE, sender.address, session],
      [2n * PRICE, sender.address, session],
      [3n * PRICE, sender.address, session],
    ]);
    const pool = new Pool({ connectionString: db.url });
    try {
      const { rows } = await pool.query<Record<string, string>>(
        'SELECT accepted_balance, charged_balance, paid_requests, signer FROM gateway_channels WHERE channel_id = $1',
        [channelId],
      );
      expect(rows).toEqual([
        {
          accepted_balance: (3n * PRICE).toString(),
          charged_balance: (3n * PRICE).toString(),
          paid_requests: '3',
          signer: session,
        },
      ]);
    } finally {
      await pool.end();
    }

    // Stop: the next paid page shows the paywall again and pays nothing.
    await page.click('#mr-budget-stop');
    expect(await bar.textContent()).toBe('microraiden: stopped. Paid pages show the paywall again.');
    await page.goto(`${gateway.url}/articles/1`);
    await expect.poll(() => status(page).textContent()).toContain('Connect a wallet');
    expect(typedData(wallet)).toHaveLength(1);
  });

  it('finds its session key again in a new tab of the same browser: a budget approval, no wallet signature', async () => {
    const context = contexts[0]!;
    const page = await context.newPage();
    const calls = wallet.calls.length;
    await page.goto(`${gateway.url}/articles/2`);
    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('Channel found');
    expect(await page.locator('#mr-channel-id').textContent()).toBe(channelId);
    await page.fill('#mr-budget', '0.001');
    await page.screenshot({ path: path.join(SCREENSHOTS, '8-new-tab-channel-found.png'), fullPage: true });
    await page.click('#mr-pay');
    await page.locator('h1', { hasText: 'Paid article 2' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#mr-budget-text').textContent()).toBe(
      'microraiden: Paid 0.001 MTK for this page. 0.001 MTK of your 0.001 MTK budget spent in this tab.',
    );
    const since = wallet.calls.slice(calls).map((c) => c.method);
    expect(since.filter((m) => m === 'eth_signTypedData_v4' || m === 'eth_sendTransaction')).toEqual([]);
    const events = await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (all) => all.length >= 4);
    expect((events as BalanceProofAcceptedV1[])[3]!.data).toMatchObject({
      balance: 4n * PRICE,
      signer: relay.signers.get(channelId),
    });
  });

  it('stops at the budget: the page that would exceed it asks instead of paying', async () => {
    const { page, wallet: w } = await openPage(31337n, '/articles/1');
    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('Channel found');
    await page.fill('#mr-budget', '0.001');
    await page.click('#mr-pay');
    await page.locator('h1', { hasText: 'Paid article 1' }).waitFor({ timeout: 30_000 });
    await page.click('#next');
    await expect
      .poll(() => status(page).textContent(), { timeout: 30_000 })
      .toContain('Your budget has 0 MTK left, less than this page');
    expect(await page.locator('#mr-stop').isVisible()).toBe(true);
    // Raising is suggested at ten more pages than the budget that ran out.
    expect(await page.inputValue('#mr-budget')).toBe('0.011');
    expect(await page.locator('#mr-deposit-field').isVisible()).toBe(false);
    // A fresh browser: the first proof was stale and re-signed once; nothing was signed for article 2.
    expect(typedData(w).filter((t) => t.includes('BalanceProof'))).toHaveLength(2);
    await page.screenshot({ path: path.join(SCREENSHOTS, '6-budget-used-up.png'), fullPage: true });
  });

  it("finds the channel on chain in a fresh browser, adopts the gateway's balance and shows JSON as text", async () => {
    const { page, wallet: fresh } = await openPage();
    await page.click('#mr-connect');
    await expect.poll(() => status(page).textContent()).toContain('Channel found');
    expect(await page.locator('#mr-channel-id').textContent()).toBe(channelId);
    expect(await page.locator('#mr-balance').textContent()).toBe('0 MTK');
    await page.click('#mr-pay');
    await page.locator('pre#mr-content').waitFor({ timeout: 30_000 });
    const content = JSON.parse((await page.locator('pre#mr-content').textContent()) ?? '');
    expect(content).toEqual({ fortune: 'A paid request is a happy request.', path: '/api/fortune?lang=en' });
    // No session key in this browser: the wallet signs. The first proof (0 + price) was stale; the page re-signed
    // once at the gateway's balance + price.
    const balances = typedData(fresh).map((json) => JSON.parse(json).message.balance);
    expect(balances).toEqual([PRICE.toString(), (6n * PRICE).toString()]);
    expect(fresh.calls.some((c) => c.method === 'eth_sendTransaction')).toBe(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, '7-json.png'), fullPage: true });
  });

  it('tells a wallet on another chain to switch, and does nothing else', async () => {
    const { page, wallet: wrong } = await openPage(1n);
    await page.click('#mr-connect');
    await expect
      .poll(() => status(page).textContent())
      .toContain('Wrong network: the wallet is on chain 1 but this paywall takes payments on chain 31337');
    expect(await page.locator('#mr-status').getAttribute('class')).toBe('mr-error');
    expect(await page.locator('#mr-form').isHidden()).toBe(true);
    // Only reads besides: the token's decimals and symbol (eth_call).
    expect(wrong.calls.map((c) => c.method).filter((m) => m !== 'eth_call')).toEqual([
      'eth_requestAccounts',
      'eth_chainId',
    ]);
  });
});
