import { describe, expect, it } from 'vitest';
import { Client } from './client';
import { isClientError } from './client-error';
import { CHANNEL_MANAGER, SENDER, SENDER_KEY, TOKEN } from './test/builders';

const deployment = {
  chainId: 31337,
  channelManager: CHANNEL_MANAGER,
  token: TOKEN,
  challengePeriod: 3600,
  deployBlock: 1,
};

const codeOf = (build: () => unknown): string | undefined => {
  try {
    build();
    return undefined;
  } catch (error) {
    return isClientError(error) ? error.code : (error as { code?: string }).code;
  }
};

describe('new Client', () => {
  it('needs no chain to be constructed and knows its address at once', () => {
    const client = new Client({ privateKey: SENDER_KEY }, { rpcUrl: 'http://127.0.0.1:1', deployment });
    expect(client.address).toBe(SENDER);
  });

  it.each([
    ['no deployment nor channel manager', { rpcUrl: 'http://x' }, 'CONFIG_INVALID'],
    ['no RPC', { deployment }, 'CONFIG_INVALID'],
    ['a websocket RPC URL', { rpcUrl: 'ws://x', deployment }, 'CONFIG_INVALID'],
    ['a bad channel manager', { rpcUrl: 'http://x', channelManager: '0x1234' }, 'CONFIG_INVALID'],
    ['zero confirmations', { rpcUrl: 'http://x', deployment, confirmations: 0 }, 'CONFIG_INVALID'],
    [
      'an invalid deployment',
      { rpcUrl: 'http://x', deployment: { ...deployment, challengePeriod: 5 } },
      'DEPLOYMENT_FILE_INVALID',
    ],
  ])('refuses %s', (_, options, code) => {
    expect(codeOf(() => new Client({ privateKey: SENDER_KEY }, options as never))).toBe(code);
  });

  it('refuses a malformed key', () => {
    expect(codeOf(() => new Client({ privateKey: '0x12' }, { rpcUrl: 'http://x', deployment }))).toBe(
      'KEY_INVALID',
    );
  });
});
