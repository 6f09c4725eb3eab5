import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelDomain, recoverBalanceProofSigner } from '@microraiden/protocol';
import { buildBrowserBundle } from '../scripts/build-browser';
import { aChannelId, CHAIN_ID, CHANNEL_MANAGER, RECEIVER, SENDER, SENDER_KEY } from '../src/test/builders';

const run = promisify(execFile);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => existsSync(file));
const BUILT_INS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

// A page that loads the bundle as an ES module, signs a balance proof, keeps a channel in localStorage
// through the SDK's store and writes what it got into the DOM for --dump-dom.
const PAGE = `<!doctype html><html><body><pre id="out">pending</pre><script type="module">
import * as sdk from './client.mjs';
const out = document.getElementById('out');
try {
  const key = new sdk.SenderKey(${JSON.stringify(SENDER_KEY)});
  const proof = { channelId: ${JSON.stringify(aChannelId())}, receiver: ${JSON.stringify(RECEIVER)}, balance: 7n };
  // A domain built by hand: the protocol library derives its separator from chainId and contract.
  const domain = { name: 'MicroTransferChannels', version: '1', chainId: ${CHAIN_ID}n, verifyingContract: ${JSON.stringify(CHANNEL_MANAGER)} };
  const identity = { chainId: ${CHAIN_ID}n, channelManager: ${JSON.stringify(CHANNEL_MANAGER)}, sender: key.address };
  // Headless Chromium never grants Web Locks to a --dump-dom page: serialise within the page only.
  const store = sdk.localStorageStateStore({ locks: null })(identity);
  await store.update((state) => ({ state: { ...state, channels: {} }, result: undefined }));
  out.textContent = JSON.stringify({
    address: key.address,
    exports: Object.keys(sdk).length,
    client: typeof sdk.Client,
    stored: localStorage.getItem(store.location.slice('localStorage:'.length)) !== null,
    location: store.location,
    signature: await key.signBalanceProof(domain, proof),
  });
} catch (error) {
  out.textContent = 'error: ' + (error && error.stack || error);
}
</script></body></html>`;

describe('the browser build (@microraiden/client/browser)', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'microraiden-browser-'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('imports no Node built-in, and only the declared dependencies when they are left external', async () => {
    const { imports } = await buildBrowserBundle({ outfile: path.join(work, 'package.mjs') });
    expect(imports.filter((name) => BUILT_INS.has(name) || name.startsWith('node:'))).toEqual([]);
    expect(new Set(imports.map((name) => name.replace(/^(@[^/]+\/[^/]+|[^@/][^/]*).*$/, '$1')))).toEqual(
      new Set(['ethers', 'zod', '@noble/hashes', '@noble/curves']),
    );
    const text = await readFile(path.join(work, 'package.mjs'), 'utf8');
    expect(text).not.toMatch(/from\s*["']node:|import\(["']node:|require\(["'](node:|fs|path|crypto|os)["']/);
    expect(text).not.toContain('proper-lockfile');
  });

  it('bundles with its dependencies into a file that imports nothing', async () => {
    const { imports } = await buildBrowserBundle({
      outfile: path.join(work, 'client.mjs'),
      bundleDependencies: true,
    });
    expect(imports).toEqual([]);
  });

  describe.skipIf(CHROMIUM === undefined)('in Chromium', () => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      await buildBrowserBundle({ outfile: path.join(work, 'client.mjs'), bundleDependencies: true });
      const bundle = await readFile(path.join(work, 'client.mjs'));
      server = createServer((req, res) => {
        if (req.url === '/client.mjs') {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
        } else {
          res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    it('loads, signs a balance proof and keeps state in localStorage', async () => {
      const { stdout } = await run(
        CHROMIUM as string,
        [
          '--headless=new',
          '--no-sandbox',
          '--disable-gpu',
          `--user-data-dir=${path.join(work, 'profile')}`,
          '--virtual-time-budget=10000',
          '--dump-dom',
          url,
        ],
        { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
      );
      const text = /<pre id="out">([^<]*)<\/pre>/.exec(stdout)?.[1] ?? stdout;
      expect(text).not.toMatch(/^(pending|error)/);
      const result = JSON.parse(text.replace(/&quot;/g, '"')) as Record<string, unknown>;
      expect(result).toMatchObject({
        address: SENDER,
        client: 'function',
        stored: true,
        location: expect.stringMatching(/^localStorage:microraiden:31337-/),
      });
      const signer = recoverBalanceProofSigner(
        channelDomain(CHAIN_ID, CHANNEL_MANAGER),
        { channelId: aChannelId(), receiver: RECEIVER, balance: 7n },
        result.signature as string,
      );
      expect(signer).toEqual({ ok: true, value: SENDER });
    });
  });
});
