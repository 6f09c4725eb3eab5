import type { OutgoingHttpHeaders } from 'node:http';
import { GatewayError } from '../core/gateway-error';
import { gatewayErrorResponse, type PaywallResponse } from '../core/paywall-response';
import type { StreamPricing } from '../core/stream-meter';

/**
 * Whether a 2xx answer of a streamed route cannot be metered: its unit is the SSE event (no `unitBytes`) but the
 * answer does not say `Content-Type: text/event-stream`. Cut as SSE, a body without events would go out free (no
 * event, no unit) or end as malformed; so it is refused before anything is delivered (docs/protocol.md 7.3).
 */
export function notEventStream(pricing: StreamPricing, contentType: unknown): boolean {
  if (pricing.unitBytes !== undefined) return false;
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  if (typeof value !== 'string') return true;
  return value.split(';')[0]!.trim().toLowerCase() !== 'text/event-stream';
}

/** The answer instead: 502 STREAM_NOT_EVENT_STREAM with the first acceptance's receipt (RDN-Cost: 0). */
export function notEventStreamAnswer(receipt: OutgoingHttpHeaders): PaywallResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(receipt))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return gatewayErrorResponse(new GatewayError('STREAM_NOT_EVENT_STREAM'), headers);
}
