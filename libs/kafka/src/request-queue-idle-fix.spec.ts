import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fixKafkajsIdleLoop } from './request-queue-idle-fix';

interface Queue {
  pending: Array<{ send(): void; expectResponse: boolean }>;
  throttledUntil: number;
  checkPendingRequests(): void;
  destroy(): void;
}

const load = createRequire(require.resolve('kafkajs'));
const RequestQueue = load('./src/network/requestQueue/index.js') as new (options: object) => Queue;
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function countedQueue(): { queue: Queue; checks: () => number } {
  const queue = new RequestQueue({ clientId: 'spec', broker: 'spec:9092', logger, requestTimeout: 1000 });
  let checks = 0;
  const check = queue.checkPendingRequests.bind(queue);
  queue.checkPendingRequests = () => {
    checks++;
    check();
  };
  return { queue, checks: () => checks };
}

describe('kafkajs request queue idle fix', () => {
  it('is installed by loading libs/kafka, once', () => {
    expect(fixKafkajsIdleLoop()).toBe(true);
    expect(fixKafkajsIdleLoop()).toBe(true);
  });

  it('schedules no check while nothing is pending (kafkajs 2.2.4 ran one every millisecond)', async () => {
    fixKafkajsIdleLoop();
    const { queue, checks } = countedQueue();
    queue.checkPendingRequests();
    await sleep(100);
    queue.destroy();
    expect(checks()).toBe(1);
  });

  it('still sends a request queued while throttled, once the throttle ends', async () => {
    fixKafkajsIdleLoop();
    const { queue } = countedQueue();
    let sentAt = 0;
    const throttledAt = Date.now();
    queue.throttledUntil = throttledAt + 30;
    queue.pending.push({ send: () => (sentAt = Date.now()), expectResponse: true });
    queue.checkPendingRequests();
    await sleep(80);
    queue.destroy();
    expect(sentAt).toBeGreaterThanOrEqual(throttledAt + 29);
    expect(queue.pending).toHaveLength(0);
  });
});
