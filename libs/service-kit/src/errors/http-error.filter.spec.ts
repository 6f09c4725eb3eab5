import type { ArgumentsHost } from '@nestjs/common';
import { Logger, NotFoundException } from '@nestjs/common';
import { MicroraidenError } from '@microraiden/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpErrorFilter } from './http-error.filter';

function answer(exception: unknown) {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return sent;
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('HttpErrorFilter', () => {
  it.each([
    ['a lock wait past lock_timeout', pgError('55P03', 'canceling statement due to lock timeout')],
    ['a statement past statement_timeout', pgError('57014', 'canceling statement due to statement timeout')],
    ['a terminated backend', pgError('57P01', 'terminating connection due to administrator command')],
    ['a refused connection', pgError('ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:5432')],
  ])('answers %s with 503 DATABASE_UNAVAILABLE and Retry-After, revealing nothing internal', (_, err) => {
    const sent = answer(err);
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('2');
    expect(sent.body).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE', details: {} } });
    expect(JSON.stringify(sent.body)).not.toMatch(/10\.1\.2\.3|timeout|administrator/);
  });

  it('still answers other errors as before', () => {
    expect(answer(new NotFoundException()).status).toBe(404);
    const bug = answer(pgError('42601', 'syntax error at or near "SELEC"'));
    expect(bug.status).toBe(500);
    expect(bug.body).toMatchObject({ error: { code: 'INTERNAL' } });
  });

  describe('logging of 5xx answers', () => {
    afterEach(() => vi.restoreAllMocks());

    it('logs an expected, typed 5xx as one warning with its code and no stack trace', () => {
      const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const unset = Object.assign(
        new MicroraidenError('OPERATOR_TOKEN_UNSET', 'no operator token is configured'),
        {
          httpStatus: 503,
        },
      );
      expect(answer(unset).status).toBe(503);
      expect(error).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledWith({ code: 'OPERATOR_TOKEN_UNSET' }, 'no operator token is configured');
    });

    it('logs an untyped error as an unhandled error with the error itself (its stack)', () => {
      const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const bug = new Error('boom');
      answer(bug);
      expect(error).toHaveBeenCalledWith({ err: bug }, 'unhandled error');
    });
  });
});
