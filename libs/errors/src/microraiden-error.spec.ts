import { describe, expect, it } from 'vitest';
import { MicroraidenError, isMicroraidenError } from './microraiden-error';

describe('MicroraidenError', () => {
  it('keeps a stable code and serialises without the stack', () => {
    const err = new MicroraidenError('CHANNEL_NOT_FOUND', 'no such channel', { channelId: '0x01' });
    expect(err.toJSON()).toEqual({
      code: 'CHANNEL_NOT_FOUND',
      message: 'no such channel',
      details: { channelId: '0x01' },
    });
    expect(isMicroraidenError(err, 'CHANNEL_NOT_FOUND')).toBe(true);
    expect(isMicroraidenError(err, 'OTHER')).toBe(false);
    expect(isMicroraidenError(new Error('x'))).toBe(false);
  });
});
