import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from './transient-database-error';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isTransientDatabaseError', () => {
  it.each([
    ['lock_timeout expired', pgError('55P03', 'canceling statement due to lock timeout')],
    ['statement_timeout expired', pgError('57014', 'canceling statement due to statement timeout')],
    ['backend terminated', pgError('57P01', 'terminating connection due to administrator command')],
    ['server starting up', pgError('57P03')],
    ['connection exception class', pgError('08006')],
    ['too many connections', pgError('53300')],
    ['deadlock', pgError('40P01')],
    ['socket refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['socket reset', pgError('ECONNRESET')],
    ['connection lost (pg)', new Error('Connection terminated unexpectedly')],
    ['connect timeout (pg-pool)', new Error('timeout exceeded when trying to connect')],
    ['refused on every address', Object.assign(new AggregateError([pgError('ECONNREFUSED')]), {})],
  ])('%s is transient', (_, err) => {
    expect(isTransientDatabaseError(err)).toBe(true);
  });

  it.each([
    ['unique violation', pgError('23505', 'duplicate key value')],
    ['syntax error', pgError('42601')],
    ['undefined table', pgError('42P01')],
    ['check violation', pgError('23514')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'Connection terminated'],
    ['nothing', undefined],
  ])('%s is not', (_, err) => {
    expect(isTransientDatabaseError(err)).toBe(false);
  });
});
