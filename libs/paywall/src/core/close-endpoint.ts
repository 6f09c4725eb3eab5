import type { ChannelCloser } from './channel-closer';
import type { Paywall } from './paywall';
import type { PaywallResponse } from './paywall-response';

/**
 * What the adapters (`paywallMiddleware`, `paywallFetchHandler`) mount: a bare Paywall charges for routes; a
 * PaywallRuntime (or anything with its `paywall` and `closeEndpoint`) also answers the close endpoint.
 */
export type PaywallSource = Paywall | { readonly paywall: Paywall; readonly closeEndpoint?: CloseEndpoint };

/** The paywall of a {@link PaywallSource} and its close endpoint, if it has one. */
export function paywallPartsOf(source: PaywallSource): { paywall: Paywall; closeEndpoint?: CloseEndpoint } {
  return 'paywall' in source ? source : { paywall: source };
}

/** The path parameters of a close request: `DELETE {gatewayPath}/channels/{sender}/{channelId}`. */
export interface ClosePathParams {
  readonly sender: string;
  readonly channelId: string;
}

/** A close request as any HTTP adapter sees it. */
export interface CloseHttpRequest {
  readonly params: ClosePathParams;
  /** The parsed JSON body (an object), or undefined when there is none. */
  readonly body?: unknown;
  /** The query string without `?`, or its already parsed parameters. */
  readonly query?: string | Readonly<Record<string, unknown>>;
  readonly resourceUrl: string;
  readonly accept?: string | readonly string[];
}

/**
 * Whether `method` and the canonical `path` (parseRequestTarget's) name the close endpoint under `gatewayPath`;
 * the segments are validated by the closer (a malformed one is PAYMENT_MALFORMED, as on the gateway's own route).
 */
export function matchClosePath(
  gatewayPath: string,
  method: string,
  path: string,
): ClosePathParams | undefined {
  if (method.toUpperCase() !== 'DELETE') return undefined;
  const prefix = `${gatewayPath.replace(/\/+$/, '')}/channels/`;
  if (!path.startsWith(prefix)) return undefined;
  const segments = path.slice(prefix.length).split('/');
  const [sender, channelId] = segments;
  if (segments.length !== 2 || !sender || !channelId) return undefined;
  return { sender, channelId };
}

function queryValues(query: CloseHttpRequest['query']): Readonly<Record<string, unknown>> {
  if (query === undefined) return {};
  if (typeof query !== 'string') return query;
  const params = new URLSearchParams(query);
  return {
    balance: params.get('balance') ?? undefined,
    balanceSignature: params.get('balanceSignature') ?? undefined,
  };
}

/**
 * The close endpoint of docs/protocol.md section 10, the same for every adapter: the embedded middleware and
 * fetch handler answer it themselves, and the gateway service's management API delegates to it. The RDN-Gateway-Path
 * every 402 advertises is where a client asks, so whoever serves the paid routes serves this too; without it a
 * client could only close uncooperatively and wait out the challenge period.
 */
export class CloseEndpoint {
  constructor(
    private readonly closer: ChannelCloser,
    private readonly paywall: Paywall,
  ) {}

  /** The close request's path parameters, or undefined when the request is not one. */
  match(method: string, path: string): ClosePathParams | undefined {
    return matchClosePath(this.paywall.identity.gatewayPath, method, path);
  }

  /**
   * 200 with the closing signature, or the protocol error with the challenge (like every 402 and 409, section 8.3).
   * `balance` and `balanceSignature` come from the body, else from the query. Throws only on database failure.
   */
  async answer(request: CloseHttpRequest): Promise<PaywallResponse> {
    const body =
      typeof request.body === 'object' && request.body !== null
        ? (request.body as Record<string, unknown>)
        : {};
    const query = queryValues(request.query);
    const result = await this.closer.close({
      sender: request.params.sender,
      channelId: request.params.channelId,
      balance: body.balance ?? query.balance,
      balanceSignature: body.balanceSignature ?? query.balanceSignature,
    });
    if (result.ok)
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(result.value),
      };
    return this.paywall.refusal(result.error, {
      resourceUrl: request.resourceUrl,
      ...(request.accept === undefined ? {} : { accept: request.accept }),
    });
  }
}
