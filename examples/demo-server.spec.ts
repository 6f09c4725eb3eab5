import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LINKS } from './demo-links';
import { createDemoServer } from './demo-server';

// The upstream alone, no gateway: what each demo answers once a request has been let through.
describe('the demo upstream', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createDemoServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it('lists the demos at / as JSON, or as HTML for a browser', async () => {
    const json = (await (await fetch(`${base}/`)).json()) as { demos: unknown };
    expect(json.demos).toEqual(DEMO_LINKS);
    const html = await (await fetch(`${base}/`, { headers: { accept: 'text/html' } })).text();
    for (const link of DEMO_LINKS) expect(html).toContain(`href="${link.path}"`);
  });

  it('routes each path to its demo and answers 404 for the rest', async () => {
    const fortune = (await (await fetch(`${base}/api/fortune`)).json()) as { number: number };
    expect(fortune.number).toBe(1);
    const page = await fetch(`${base}/fortune`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('Fortune cookie #2');
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/echoes`)).status).toBe(404);
  });

  it('redirects /wiki to the index and answers 404 for an unknown article', async () => {
    const bare = await fetch(`${base}/wiki`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/wiki/');
    const missing = await fetch(`${base}/wiki/No_such_page`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('No_such_page');
  });

  it('echoes JSON bodies and refuses malformed JSON with 400', async () => {
    const ok = await fetch(`${base}/echo/x?a=1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
    });
    expect(await ok.json()).toEqual({ method: 'PUT', path: '/echo/x', query: { a: '1' }, body: [1, 2] });
    const bad = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'BODY_INVALID_JSON' } });
  });
});
