import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aChannelStream } from './support/channel-stream';
import {
  createLedgerFixture,
  getJson,
  startLedger,
  waitUntilCaughtUp,
  type LedgerFixture,
} from './support/ledger-harness';

type Item = Record<string, string>;

const TOKEN = 'ledger-operator-token-0123456789';
const BEARER = { authorization: `Bearer ${TOKEN}` };
// What a browser sends after its Basic prompt: any user name, the token as password.
const BASIC = { authorization: `Basic ${Buffer.from(`operator:${TOKEN}`).toString('base64')}` };

let fixture: LedgerFixture;
let ledger: Awaited<ReturnType<typeof startLedger>> | undefined;

beforeAll(async () => {
  fixture = await createLedgerFixture('ledger_operator', 3);
});
afterAll(async () => {
  await ledger?.app.close();
  await fixture?.close();
});

/** The exact base units of the cell `data-field="<field>"` inside `html`. */
function baseUnits(html: string, field: string): bigint {
  const match = new RegExp(`data-field="${field}" data-base-units="(\\d+)"`).exec(html);
  if (!match) throw new Error(`no ${field} amount on the page`);
  return BigInt(match[1]!);
}

/** The `<tr>` of one channel. */
function channelRow(html: string, channelId: string): string {
  const match = new RegExp(`<tr data-channel-id="${channelId}">([\\s\\S]*?)</tr>`).exec(html);
  if (!match) throw new Error(`channel ${channelId} is not on the page`);
  return match[1]!;
}

const statusOf = (row: string) => /data-field="status">(\w+)</.exec(row)?.[1];

describe('GET /operator (real Kafka and Postgres)', () => {
  const stream = aChannelStream('operator');

  it('shows the projection: totals, routes, every channel and the lag, in exact amounts', async () => {
    ledger = await startLedger(fixture, { TOKEN_SYMBOL: 'MTK', TOKEN_DECIMALS: '18', OPERATOR_TOKEN: TOKEN });
    await fixture.publish([...stream.chain, ...stream.proofs, ...stream.metered]);
    await waitUntilCaughtUp(ledger.runtime);

    const response = await fetch(`${ledger.url}/operator`, { headers: BASIC });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();

    // Against what the events imply (computed from the stream, not from the ledger) ...
    const { expected } = stream;
    const revenue = [...expected.byRoute.values()].reduce((sum, v) => sum + v, 0n);
    expect(baseUnits(html, 'accepted-revenue')).toBe(revenue);
    expect(baseUnits(html, 'funds-at-risk')).toBe(expected.fundsAtRisk);
    const received = [...expected.channels.values()].reduce(
      (sum, c) => sum + c.withdrawn + (c.status === 'settled' ? c.balance - c.withdrawn : 0n),
      0n,
    );
    expect(received).toBeGreaterThan(0n);
    expect(baseUnits(html, 'received-on-chain')).toBe(received);
    for (const [channelId, want] of expected.channels) {
      const row = channelRow(html, channelId);
      expect(statusOf(row), channelId).toBe(want.status);
      expect(baseUnits(row, 'deposit')).toBe(want.deposit);
      expect(baseUnits(row, 'balance')).toBe(want.balance);
      expect(baseUnits(row, 'charged')).toBe(want.chargedBalance);
      expect(baseUnits(row, 'withdrawn')).toBe(want.withdrawn);
      expect(row).toContain(`data-field="proof-count">${want.proofs}<`);
    }
    for (const [route, amount] of expected.byRoute) {
      const row = new RegExp(`<tr data-route="${route}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
      expect(baseUnits(row, 'route-revenue'), route).toBe(amount);
    }
    expect(html).toMatch(/data-field="projection-lag" data-max-lag="0">0 total/);
    expect(html.match(/<tr><td><code>[^<]+<\/code><\/td><td class="num">\d+<\/td>/g)).toHaveLength(6);

    // ... and against the ledger's own JSON API.
    const risk = await getJson<{ total: string; channels: Item[] }>(
      ledger.url,
      '/api/1/funds-at-risk',
      BEARER,
    );
    expect(baseUnits(html, 'funds-at-risk').toString()).toBe(risk.body.total);
    for (const entry of risk.body.channels)
      expect(baseUnits(channelRow(html, entry.channelId!), 'at-risk').toString()).toBe(entry.atRisk);
    const routes = await getJson<{ items: Item[] }>(ledger.url, '/api/1/revenue/routes', BEARER);
    expect(routes.body.items.reduce((sum, r) => sum + BigInt(r.amount!), 0n)).toBe(
      baseUnits(html, 'accepted-revenue'),
    );

    // Token units are exact decimals of the base units (18 decimals here: every amount is far below 1 MTK).
    const units = /data-field="accepted-revenue" data-base-units="\d+">([^<]+) MTK</.exec(html)?.[1];
    expect(units).toBe(`0.${revenue.toString().padStart(18, '0').replace(/0+$/, '')}`);
  });

  it('with OPERATOR_TOKEN set, answers 401 without it and asks a browser for it (Basic)', async () => {
    for (const path of ['/operator', '/api/1/operator/view', '/api/1/channels', '/api/1/revenue/routes']) {
      for (const headers of [{}, { authorization: 'Bearer not-the-token-0123456789' }] as Record<
        string,
        string
      >[]) {
        const res = await fetch(`${ledger!.url}${path}`, { headers });
        expect(res.status, path).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="microraiden ledger"/);
        expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      }
      expect((await fetch(`${ledger!.url}${path}`, { headers: BASIC })).status, path).toBe(200);
      expect((await fetch(`${ledger!.url}${path}`, { headers: BEARER })).status, path).toBe(200);
    }
    // Health, metrics and the API description stay open for probes and tooling.
    for (const path of ['/health/live', '/metrics', '/docs/openapi.json'])
      expect((await fetch(`${ledger!.url}${path}`)).status, path).toBe(200);
  });

  it('without OPERATOR_TOKEN, answers 503 OPERATOR_TOKEN_UNSET: never open', async () => {
    const open = await startLedger(
      { ...fixture, groupId: `${fixture.groupId}-unset` },
      { OPERATOR_TOKEN: '' },
    );
    try {
      for (const path of ['/operator', '/api/1/channels', '/api/1/revenue/routes']) {
        const res = await fetch(`${open.url}${path}`, { headers: BEARER });
        expect(res.status, path).toBe(503);
        expect(await res.json()).toMatchObject({ error: { code: 'OPERATOR_TOKEN_UNSET' } });
      }
      expect((await fetch(`${open.url}/health/live`)).status).toBe(200);
    } finally {
      await open.app.close();
    }
  });

  it('is documented in the OpenAPI document as an HTML page', async () => {
    const doc = await getJson<{ paths: Record<string, { get?: { responses?: Record<string, unknown> } }> }>(
      ledger!.url,
      '/docs/openapi.json',
    );
    expect(doc.body.paths['/operator']?.get?.responses?.['200']).toMatchObject({
      content: { 'text/html': expect.anything() },
    });
    expect(doc.body.paths['/api/1/operator/view']?.get?.responses?.['200']).toMatchObject({
      content: { 'application/json': expect.anything() },
    });
  });

  it("refreshes from JSON with the page's own sections, and serves its scripts itself", async () => {
    const view = await getJson<{ sections: Record<string, string>; charts: { days: number[] } }>(
      ledger!.url,
      '/api/1/operator/view',
      BEARER,
    );
    expect(view.status).toBe(200);
    const html = await (await fetch(`${ledger!.url}/operator`, { headers: BEARER })).text();
    // The totals agree with the page's (generated a moment apart, from the same caught-up projection).
    expect(baseUnits(view.body.sections['section-totals']!, 'accepted-revenue')).toBe(
      baseUnits(html, 'accepted-revenue'),
    );
    for (const id of Object.keys(view.body.sections)) expect(html).toContain(`id="${id}"`);
    expect(view.body.charts.days).toHaveLength(30);
    for (const asset of ['uplot.iife.min.js', 'uplot.min.css', 'operator-page.js']) {
      const res = await fetch(`${ledger!.url}/operator/assets/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type')).toMatch(
        asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
    }
    expect((await fetch(`${ledger!.url}/operator/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});
