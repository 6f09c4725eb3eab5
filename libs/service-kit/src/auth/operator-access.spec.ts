import { describe, expect, it } from 'vitest';
import { httpStatusOf } from '../errors/http-status';
import { assertOperatorAccess, operatorAccess } from './operator-access';

const TOKEN = 'a-long-operator-token';

describe('operatorAccess', () => {
  it('is never open: without a configured token every request is refused with 503 OPERATOR_TOKEN_UNSET', () => {
    for (const header of [undefined, '', 'Bearer ', 'Bearer anything'])
      expect(operatorAccess(header, undefined)).toBe('token-unset');
    expect(operatorAccess('Bearer x', '')).toBe('token-unset');
    const error = (() => {
      try {
        assertOperatorAccess('token-unset');
      } catch (err) {
        return err;
      }
    })();
    expect(error).toMatchObject({ code: 'OPERATOR_TOKEN_UNSET' });
    expect(httpStatusOf(error)).toBe(503);
  });

  it('grants the token and answers 401 UNAUTHORIZED to anything else', () => {
    expect(operatorAccess(`Bearer ${TOKEN}`, TOKEN)).toBe('granted');
    expect(operatorAccess('Bearer wrong', TOKEN)).toBe('denied');
    expect(operatorAccess(undefined, TOKEN)).toBe('denied');
    expect(() => assertOperatorAccess('granted')).not.toThrow();
    const error = (() => {
      try {
        assertOperatorAccess('denied');
      } catch (err) {
        return err;
      }
    })();
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(httpStatusOf(error)).toBe(401);
  });
});
