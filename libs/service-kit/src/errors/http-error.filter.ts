import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { MicroraidenError } from '@microraiden/errors';
import { isTransientDatabaseError } from '@microraiden/persistence';
import type { FastifyReply } from 'fastify';
import { httpStatusOf } from './http-status';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** Seconds a client waits before retrying a request whose database was unavailable, locked or too slow. */
export const DATABASE_RETRY_AFTER_S = 2;

/** The one place where errors become HTTP answers: `{ error: { code, message, details } }`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (isTransientDatabaseError(exception)) {
      // Not a bug: the database is down, locked past lock_timeout or slower than statement_timeout. The cause
      // stays in the log (it may name internal addresses); the client gets a stable code and when to retry.
      this.logger.warn({ err: exception }, 'database unavailable');
      void reply
        .status(503)
        .header('Retry-After', String(DATABASE_RETRY_AFTER_S))
        .send({
          error: {
            code: 'DATABASE_UNAVAILABLE',
            message: 'The database is unavailable or busy; retry after Retry-After seconds.',
            details: {},
          },
        });
      return;
    }
    const [status, body] = this.toHttp(exception);
    if (status >= 500) this.log5xx(exception);
    void reply.status(status).send(body);
  }

  // A typed error is a state the code expected (e.g. OPERATOR_TOKEN_UNSET): one line with its code, no stack trace.
  // Anything else is a bug and keeps its stack.
  private log5xx(exception: unknown): void {
    if (exception instanceof MicroraidenError) {
      this.logger.warn({ code: exception.code }, exception.message);
    } else {
      this.logger.error({ err: exception }, 'unhandled error');
    }
  }

  private toHttp(exception: unknown): [number, ErrorBody] {
    if (exception instanceof MicroraidenError) {
      return [httpStatusOf(exception), { error: exception.toJSON() }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
      return [status, { error: { code: httpCode(status), message, details: {} } }];
    }
    return [500, { error: { code: 'INTERNAL', message: 'internal error', details: {} } }];
  }
}

function httpCode(status: number): string {
  if (status === 404) return 'NOT_FOUND';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 400) return 'VALIDATION_FAILED';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  return status >= 500 ? 'INTERNAL' : 'HTTP_ERROR';
}
