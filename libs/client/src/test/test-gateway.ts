// A minimal receiver gateway for tests, written only with the protocol lib: 402 challenges, payment
// verification, receipts, error headers and the close endpoint. Serves through an injected fetch (unit
// tests) or node:http (integration tests). Knobs simulate lost connections and a receiver that already
// holds a higher balance. Not the real gateway service.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  channelDomain,
  decideClose,
  encodeChallenge,
  isChargeableStatus,
  encodeCloseResponse,
  encodeErrorHeaders,
  encodeReceipt,
  parseCloseRequest,
  parsePayment,
  privateKeyToAddress,
  ProtocolError,
  renderError,
  signClosingProof,
  verifyPayment,
  type Address,
  type ChannelView,
  type Hex,
  type Hex32,
  type Payment,
} from '@microraiden/protocol';

/** What a TestGateway answers with. */
export interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How a TestGateway is set up. */
export interface TestGatewayOptions {
  receiverKey: Hex;
  chainId: bigint;
  channelManager: Address;
  token: Address;
  price: bigint;
  /** Looks a channel up (from the chain in integration tests). */
  channelView: (channelId: Hex32) => Promise<ChannelView | undefined>;
  gatewayPath?: string;
  requiredConfirmations?: number;
}

/** One paid request as the gateway saw it. */
export interface SeenPayment {
  channelId: Hex32;
  balance: bigint;
  outcome: 'accepted' | string;
}

/** A protocol-conformant test receiver. */
export class TestGateway {
  readonly receiver: Address;
  readonly gatewayPath: string;
  /** Last accepted balance per channel (the gateway's L). */
  readonly accepted = new Map<Hex32, bigint>();
  readonly closing = new Set<Hex32>();
  /** Every paid request received, in order. */
  readonly payments: SeenPayment[] = [];
  /** Unpaid requests that got a 402. */
  challenges = 0;
  price: bigint;
  /** Drop the connection of the next N paid requests before looking at them. */
  dropBeforeAccepting = 0;
  /** Accept the next N paid requests, then drop the connection instead of answering. */
  dropAfterAccepting = 0;
  /** Refuse close requests (an uncooperative receiver). */
  refuseClose = false;
  /** Answer paid requests with this upstream status (not 2xx/3xx: not charged). */
  upstreamStatus = 200;
  private server?: Server;

  constructor(private readonly options: TestGatewayOptions) {
    this.receiver = privateKeyToAddress(options.receiverKey);
    this.gatewayPath = options.gatewayPath ?? '/api/1';
    this.price = options.price;
  }

  get domain() {
    return channelDomain(this.options.chainId, this.options.channelManager);
  }

  /** Accepted increments on a channel (the number of requests it charged). */
  increments(channelId: Hex32): number {
    return this.payments.filter((p) => p.channelId === channelId && p.outcome === 'accepted').length;
  }

  /** Takes a proof delivered out of band (the seed lifecycle's "let the receiver know"), as a paid request would. */
  async acceptProof(payment: Payment): Promise<void> {
    const decision = verifyPayment({
      payment,
      gateway: { receiver: this.receiver, domain: this.domain },
      channel: await this.options.channelView(payment.channelId),
      requiredConfirmations: 0,
      lastAcceptedBalance: this.accepted.get(payment.channelId) ?? 0n,
      price: 1n,
    });
    if (!decision.accepted) throw decision.error;
    this.accepted.set(payment.channelId, decision.balance);
  }

  /** Answers one request; `drop` is returned when the connection must be cut instead. */
  async handle(method: string, url: URL, headers: Headers, body: string): Promise<GatewayAnswer | 'drop'> {
    if (method === 'DELETE' && url.pathname.startsWith(`${this.gatewayPath}/channels/`)) {
      return this.handleClose(url, body);
    }
    const challenge = encodeChallenge({
      gatewayPath: this.gatewayPath,
      receiver: this.receiver,
      channelManager: this.options.channelManager,
      token: this.options.token,
      price: this.price,
      chainId: this.options.chainId,
    });
    const parsed = parsePayment(headers);
    if (!parsed.ok) {
      if (parsed.error.code === 'PAYMENT_REQUIRED') this.challenges++;
      return this.error(parsed.error, challenge);
    }
    const payment = parsed.value;
    if (this.dropBeforeAccepting > 0) {
      this.dropBeforeAccepting--;
      this.payments.push({ channelId: payment.channelId, balance: payment.balance, outcome: 'dropped' });
      return 'drop';
    }
    const view = await this.options.channelView(payment.channelId);
    const last = this.accepted.get(payment.channelId) ?? 0n;
    const decision = verifyPayment({
      payment,
      gateway: { receiver: this.receiver, domain: this.domain },
      channel: view && this.closing.has(payment.channelId) ? { ...view, state: 'closing' } : view,
      requiredConfirmations: this.options.requiredConfirmations ?? 0,
      lastAcceptedBalance: last,
      price: this.price,
    });
    if (!decision.accepted) {
      this.payments.push({
        channelId: payment.channelId,
        balance: payment.balance,
        outcome: decision.error.code,
      });
      const withReceipt =
        decision.error.code === 'BALANCE_STALE' || decision.error.code === 'INCREMENT_BELOW_PRICE'
          ? encodeReceipt({ channelId: payment.channelId, senderBalance: last, cost: 0n })
          : {};
      return this.error(decision.error, { ...challenge, ...withReceipt });
    }
    if (!isChargeableStatus(this.upstreamStatus)) {
      this.payments.push({
        channelId: payment.channelId,
        balance: payment.balance,
        outcome: 'upstream failed',
      });
      return {
        status: this.upstreamStatus,
        headers: {
          ...challenge,
          ...encodeReceipt({ channelId: payment.channelId, senderBalance: last, cost: 0n }),
        },
        body: 'upstream failed',
      };
    }
    this.accepted.set(payment.channelId, decision.balance);
    this.payments.push({ channelId: payment.channelId, balance: payment.balance, outcome: 'accepted' });
    if (this.dropAfterAccepting > 0) {
      this.dropAfterAccepting--;
      return 'drop';
    }
    const receipt = encodeReceipt({
      channelId: payment.channelId,
      senderBalance: decision.balance,
      cost: decision.increment,
    });
    return {
      status: this.upstreamStatus,
      headers: { ...challenge, ...receipt, 'content-type': 'application/json' },
      body: JSON.stringify({ city: 'Berlin', tempC: 21, method, echo: body }),
    };
  }

  /** This gateway as a fetch function (no sockets); a dropped connection rejects like undici does. */
  asFetch(): typeof fetch {
    return async (input, init) => {
      const request = new Request(input, init);
      const answer = await this.handle(
        request.method,
        new URL(request.url),
        request.headers,
        await request.text(),
      );
      if (answer === 'drop') throw new TypeError('fetch failed', { cause: new Error('other side closed') });
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    };
  }

  /** Serves over node:http on a free loopback port; returns the base URL. */
  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.readBody(req).then(async (body) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === 'string') headers.set(name, value);
          else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        }
        const answer = await this.handle(req.method ?? 'GET', url, headers, body);
        if (answer === 'drop') {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops the HTTP server. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async handleClose(url: URL, body: string): Promise<GatewayAnswer> {
    const [sender, channelId] = url.pathname.slice(`${this.gatewayPath}/channels/`.length).split('/');
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // parseCloseRequest reports the missing fields.
    }
    const request = parseCloseRequest({ sender, channelId, ...json });
    if (!request.ok) return this.error(request.error, {});
    if (this.refuseClose) return this.error(new ProtocolError('GATEWAY_UNAVAILABLE'), {});
    const decision = decideClose({
      request: request.value,
      gateway: { receiver: this.receiver, domain: this.domain },
      channel: await this.options.channelView(request.value.channelId),
      lastAcceptedBalance: this.accepted.get(request.value.channelId) ?? 0n,
    });
    if (!decision.approved) return this.error(decision.error, {});
    this.closing.add(request.value.channelId);
    const closingSignature = signClosingProof(this.options.receiverKey, this.domain, decision.proof);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        encodeCloseResponse({
          channelId: request.value.channelId,
          sender: request.value.sender,
          receiver: this.receiver,
          balance: request.value.balance,
          closingSignature,
        }),
      ),
    };
  }

  private error(error: ProtocolError, extra: Record<string, string>): GatewayAnswer {
    const rendered = renderError(error, 'application/json');
    return {
      status: rendered.status,
      headers: {
        ...extra,
        ...encodeErrorHeaders(error, { retryAfterSeconds: 0 }),
        'content-type': rendered.contentType,
      },
      body: rendered.body,
    };
  }
}
