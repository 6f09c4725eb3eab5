import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { createPaywall } from './create-paywall';

// No query runs before a payment is presented: a pool that throws proves it.
const pool = {
  query: () => {
    throw new Error('no query expected');
  },
} as unknown as Pool;
const deployment = {
  chainId: 31337,
  channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  challengePeriod: 3600,
  deployBlock: 1,
};
const receiver = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const request = (path: string) => ({
  method: 'GET',
  path,
  query: '',
  headers: {},
  resourceUrl: `http://x${path}`,
});

describe('createPaywall', () => {
  it('prices the routes given as JSON and challenges for the receiver on the deployment', async () => {
    const paywall = createPaywall({ pool, deployment, receiver, routes: [{ path: '/weather', price: '7' }] });
    const admission = await paywall.admit(request('/weather'));
    expect(admission.kind).toBe('respond');
    if (admission.kind !== 'respond') return;
    expect(admission.response.status).toBe(402);
    expect(admission.response.headers).toMatchObject({
      'RDN-Price': '7',
      'RDN-Receiver-Address': receiver,
      'RDN-Contract-Address': deployment.channelManager,
    });
  });

  it('refuses bad routes, deployments and receivers at start-up', () => {
    expect(() => createPaywall({ pool, deployment, receiver, routes: [{ path: '/a', price: '0' }] })).toThrow(
      /routes/,
    );
    expect(() =>
      createPaywall({ pool, deployment: { ...deployment, token: 'x' }, receiver, routes: [] }),
    ).toThrow(/deployment is invalid/);
    expect(() =>
      createPaywall({ pool, deployment, receiver: '0x1234', routes: [{ path: '/a', price: '1' }] }),
    ).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'receiver' }) }));
  });
});
