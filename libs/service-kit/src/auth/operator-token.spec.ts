import { describe, expect, it } from 'vitest';
import { isOperatorAuthorized } from './operator-token';

describe('isOperatorAuthorized', () => {
  const token = 'a-long-operator-token';
  it('accepts exactly Bearer <token>', () => {
    expect(isOperatorAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(isOperatorAuthorized(`bearer ${token}`, token)).toBe(true);
  });
  it('accepts HTTP Basic with the token as password, whatever the user name (browsers)', () => {
    expect(isOperatorAuthorized(`Basic ${Buffer.from(`operator:${token}`).toString('base64')}`, token)).toBe(
      true,
    );
    expect(isOperatorAuthorized(`Basic ${Buffer.from(`:${token}`).toString('base64')}`, token)).toBe(true);
  });
  it.each([
    undefined,
    '',
    token,
    `Bearer ${token}x`,
    `Bearer ${token.slice(1)}`,
    'Bearer ',
    `Basic ${token}`,
    `Basic ${Buffer.from(token).toString('base64')}`,
    `Basic ${Buffer.from(`operator:${token}x`).toString('base64')}`,
    `Basic ${Buffer.from('operator:').toString('base64')}`,
    'Basic !!!',
  ])('refuses %s', (header) => {
    expect(isOperatorAuthorized(header, token)).toBe(false);
  });
  it('refuses everything when no token is configured', () => {
    expect(isOperatorAuthorized('Bearer ', '')).toBe(false);
    expect(isOperatorAuthorized('Bearer x', '')).toBe(false);
  });
  it('refuses repeated headers', () => {
    expect(isOperatorAuthorized([`Bearer ${token}`], token)).toBe(false);
  });
});
