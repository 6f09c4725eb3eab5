import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deployClientFixture, type ClientFixture } from '../../libs/client/test/support/client-fixture';
import { runM2mClient } from './m2m-client';

describe('the m2m client example', () => {
  let fx: ClientFixture;

  beforeAll(async () => {
    fx = await deployClientFixture(inject('rpcUrl'));
    await fx.mint(fx.sender.address, 10_000n);
  });
  afterAll(() => fx.dispose());

  it('pays for three requests over one channel', async () => {
    const gateway = fx.gateway(100n);
    const base = await gateway.listen();
    try {
      const lines: string[] = [];
      const paid = await runM2mClient({
        client: await fx.client(),
        url: `${base}/api/weather`,
        requests: 3,
        maxPricePerRequest: 100n,
        maxDeposit: 1_000n,
        log: (line) => lines.push(line),
      });
      expect(paid.map((p) => p?.balance)).toEqual([100n, 200n, 300n]);
      expect(new Set(paid.map((p) => p?.channelId)).size).toBe(1);
      expect(lines[0]).toMatch(/^#1 HTTP 200 \{"city":"Berlin"/);
    } finally {
      await gateway.stop();
    }
  });
});
