import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { MicroraidenError } from '@microraiden/errors';
import type { FastifyReply } from 'fastify';
import { httpStatusOf } from './http-status';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** The one place where errors become HTTP answers: `{ error: { code, message, details } }`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const [status, body] = this.toHttp(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    void reply.status(status).send(body);
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
