import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  aBalanceProofAccepted,
  aChannelCloseRequested,
  aChannelCreated,
  aChannelId,
  aChannelSettled,
  type Address,
  type MicroraidenEvent,
} from '@microraiden/events';
import { repoRoot } from '@microraiden/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLedgerFixture,
  startLedger,
  waitUntilCaughtUp,
  type LedgerFixture,
} from './support/ledger-harness';

// CI installs Debian's chromium (.ci/run); the test needs no browser download.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`operator-page: skipped because ${CHROMIUM} is missing (apt-get install chromium)`);

const SCREENSHOTS = path.join(repoRoot(), 'test-results', 'screenshots');
const TOKEN = 'ledger-operator-token-0123456789';
const MTK = 10n ** 18n;
const SENDERS: Address[] = [
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
];
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const daysAgo = (n: number, minute = 0) =>
  new Date(Date.now() - n * 86_400_000 - minute * 60_000).toISOString().replace(/\.\d{3}Z$/, '.000Z');

/** Three senders paying over the last 9 days, one close to dispute, one disputed and settled. */
function someTraffic(): MicroraidenEvent[] {
  const events: MicroraidenEvent[] = [];
  SENDERS.forEach((sender, i) => {
    const channelId = aChannelId(`operator-ui-${i}-${Date.now()}`);
    events.push(aChannelCreated({ channelId, sender, deposit: 50n * MTK, blockNumber: 100 + i * 10 }));
    let balance = 0n;
    for (let k = 0; k < 12 * (i + 1); k++) {
      const price = (MTK / 1000n) * BigInt(1 + (k % 4));
      events.push(
        aBalanceProofAccepted({
          channelId,
          sender,
          balance: balance + price,
          previousBalance: balance,
          price,
          route: ['/api/fortune', '/wiki/Ethereum', '/echo'][k % 3]!,
          acceptedAt: daysAgo(k % 9, k),
        }),
      );
      balance += price;
    }
    if (i === 1)
      events.push(
        aChannelCloseRequested({
          channelId,
          sender,
          balance: balance / 4n,
          settleAt: BigInt(Math.floor(Date.now() / 1000) + 3000),
          blockNumber: 100 + i * 10 + 5,
        }),
      );
    if (i === 2) {
      events.push(aChannelCloseRequested({ channelId, sender, balance: 0n, blockNumber: 100 + i * 10 + 5 }));
      events.push(
        aChannelSettled({
          channelId,
          sender,
          balance,
          receiverPaid: balance,
          senderRefund: 50n * MTK - balance,
          blockNumber: 100 + i * 10 + 6,
        }),
      );
    }
  });
  return events;
}

/** A chain-watcher's readiness as the real one answers it; the ledger must show its facts, never its address. */
async function fakeWatcher(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/health/ready' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: 'ok',
        details: {
          postgres: { status: 'up', latencyMs: 2 },
          chain: { status: 'up', blockNumber: 4321 },
          startup: { status: 'up', role: 'leading' },
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** How many pixels of the chart's canvas are painted (the test compiles without DOM types: the browser runs text). */
const paintedPixels = (page: Page, selector: string): Promise<number> =>
  page.evaluate(`(() => {
    const c = document.querySelector(${JSON.stringify(selector)});
    const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
    return painted;
  })()`);

describe.skipIf(!hasChromium)('operator page in Chromium', () => {
  let fixture: LedgerFixture;
  let ledger: Awaited<ReturnType<typeof startLedger>>;
  let watcher: { url: string; server: Server };
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    fixture = await createLedgerFixture('ledger_operator_ui', 3);
    watcher = await fakeWatcher();
    ledger = await startLedger(fixture, {
      TOKEN_SYMBOL: 'MTK',
      TOKEN_DECIMALS: '18',
      OPERATOR_TOKEN: TOKEN,
      CHAIN_WATCHER_URL: watcher.url,
    });
    await fixture.publish(someTraffic());
    await waitUntilCaughtUp(ledger.runtime);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.app.close();
    await new Promise((resolve) => watcher?.server.close(resolve));
    await fixture?.close();
  });

  for (const viewport of VIEWPORTS)
    it(`fits a ${viewport.width} px ${viewport.name}, draws both charts and shows every section`, async () => {
      const context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        httpCredentials: { username: 'operator', password: TOKEN },
      });
      const errors: string[] = [];
      try {
        const page = await context.newPage();
        page.on('pageerror', (err) => errors.push(err.message));
        page.on('console', (msg) => {
          if (msg.type() === 'error') errors.push(msg.text());
        });
        await page.goto(`${ledger.url}/operator`);
        await page.waitForSelector('#chart-revenue canvas');
        await page.waitForSelector('#chart-requests canvas');
        expect(await paintedPixels(page, '#chart-revenue canvas')).toBeGreaterThan(500);
        expect(await paintedPixels(page, '#chart-requests canvas')).toBeGreaterThan(500);
        const widths = await page.evaluate<{ scroll: number; viewport: number }>(
          '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
        );
        expect(widths.scroll).toBeLessThanOrEqual(widths.viewport);
        if (viewport.width >= 1280) {
          // On a desktop the channels table fits its box: no sideways scrolling to reach the last columns.
          const box = await page.evaluate<{ scroll: number; client: number }>(
            '(() => { const box = document.getElementById("channels").parentElement; return { scroll: box.scrollWidth, client: box.clientWidth }; })()',
          );
          expect(box.scroll).toBeLessThanOrEqual(box.client);
        }
        const text = await page.locator('body').innerText();
        expect(text).toContain('ready: following the chain');
        expect(text).toContain('blockNumber 4321');
        expect(text).toContain('dispute due');
        expect(text).toContain('disputed: receiver paid');
        expect(await page.locator('#senders tr[data-sender]').count()).toBe(3);
        expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
        const html = await page.content();
        expect(html).not.toContain(watcher.url.slice('http://'.length));
        await page.screenshot({
          path: path.join(SCREENSHOTS, `operator-${viewport.width}.png`),
          fullPage: true,
        });
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });

  it('updates in place from its JSON, without reloading', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      httpCredentials: { username: 'operator', password: TOKEN },
    });
    try {
      const page = await context.newPage();
      await page.goto(`${ledger.url}/operator`);
      const revenue = () => page.getAttribute('[data-field="accepted-revenue"]', 'data-base-units');
      const before = BigInt((await revenue())!);
      await page.evaluate('window.stillTheSamePage = true');
      const more = someTraffic();
      await fixture.publish(more);
      await waitUntilCaughtUp(ledger.runtime);
      await expect
        .poll(async () => BigInt((await revenue())!), { timeout: 25_000, interval: 500 })
        .toBeGreaterThan(before);
      expect(await page.evaluate('window.stillTheSamePage')).toBe(true);
      expect(await page.locator('#senders tr[data-sender]').count()).toBe(3);
    } finally {
      await context.close();
    }
  });
});
