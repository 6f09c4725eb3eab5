import type { PaywallResponse } from '../../core/paywall-response';

/** Carries a complete paywall answer (402 challenge, error, 409 with receipt) out of the interceptor to the filter. */
export class PaywallResponseException extends Error {
  constructor(readonly response: PaywallResponse) {
    super(`paywall answered ${response.status}`);
  }
}
