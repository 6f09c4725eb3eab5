import { paymentLogFields, PaymentLogSampler, type AnsweredRequest } from '@microraiden/paywall';
import { formatTokenAmount, type TokenUnits } from '@microraiden/protocol';
import { Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import type { GatewayConfig } from './gateway-config';

/**
 * The gateway's payment log: one line per paid, refused or 402 request (libs/paywall payment-log.ts), sampled at
 * PAYMENT_LOG_SAMPLE_PER_SECOND; charges in token units too when the token was read. The proxy's hot path has no request-logging middleware: this is its request log.
 */
export function paymentLogOf(
  config: GatewayConfig,
  token: TokenUnits | undefined,
): (answered: AnsweredRequest) => void {
  const logger = new Logger('Payment');
  const sampler = new PaymentLogSampler(config.PAYMENT_LOG_SAMPLE_PER_SECOND);
  // The token's own symbol and decimals, read once at start-up (with RPC_URL), as the 402's x402 requirement has.
  const tokenUnits = token !== undefined ? (base: bigint) => formatTokenAmount(base, token) : undefined;
  return (answered) => {
    const fields = paymentLogFields(answered, tokenUnits);
    if (fields === undefined) return;
    const taken = sampler.take();
    if (!taken.log) return;
    const line = taken.unlogged > 0 ? { ...fields, unlogged: taken.unlogged } : fields;
    logger.log(line, `${fields.method} ${fields.path} ${fields.status} ${fields.outcome}`);
  };
}

/**
 * Runs `work` with the request's id bound to every log line written meanwhile (through Nest's Logger), as the
 * logging middleware does for Nest's own routes.
 */
export function withRequestId<T>(requestId: string, work: () => Promise<T>): Promise<T> {
  return storage.run(new Store(PinoLogger.root.child({ requestId })), work);
}
