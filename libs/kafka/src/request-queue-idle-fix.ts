import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 (its last release) reschedules its pending-request check with a negative delay when nothing is
 * pending, so every broker connection runs a 1 ms timer loop for its whole life (tulios/kafkajs#1556, #1704; the fix,
 * #1667, never shipped). Measured here: an idle producer costs 30-40 ms of CPU per second, a service with a few
 * connections several times that, and the loop also runs between requests under load. This replaces the method with
 * the fixed one: a check is scheduled only while requests wait, at the throttle's end or in 10 ms. A request is never
 * left waiting: push() schedules a check after queueing, and every response runs the check again.
 *
 * Applied once, when libs/kafka is loaded; a kafkajs other than 2.2.x is left alone (its queue may differ).
 */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const PATCHED = Symbol.for('microraiden.kafkajs.requestQueueIdleFix');

function scheduleWhilePending(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const throttled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttled > 0 ? throttled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

/** Installs the fix on kafkajs' RequestQueue; true when it is in place (now or before). */
export function fixKafkajsIdleLoop(): boolean {
  const load = createRequire(require.resolve('kafkajs'));
  const version = (load('./package.json') as { version: string }).version;
  if (!/^2\.2\.\d+$/.test(version)) return false;
  const RequestQueue = load('./src/network/requestQueue/index.js') as { prototype: RequestQueueLike };
  const proto = RequestQueue.prototype as RequestQueueLike & { [PATCHED]?: true };
  if (proto[PATCHED]) return true;
  if (typeof proto.scheduleCheckPendingRequests !== 'function') return false;
  proto.scheduleCheckPendingRequests = scheduleWhilePending;
  proto[PATCHED] = true;
  return true;
}
