import {
  decideClose,
  encodeCloseResponse,
  fail,
  ok,
  parseCloseRequest,
  ProtocolError,
  type CloseResponse,
  type Result,
} from '@microraiden/protocol';
import { channelViewOf } from './channel-snapshot';
import type { ChannelStore } from './channel-store';
import type { PaywallIdentity } from './paywall';
import type { ReceiverKey } from './receiver-key';

/** The raw parts of a close request: path parameters plus body or query. */
export interface CloseRequestInput {
  readonly sender?: unknown;
  readonly channelId?: unknown;
  readonly balance?: unknown;
  readonly balanceSignature?: unknown;
}

/**
 * Cooperative close (docs/protocol.md section 10): the sender proves it holds its own proof of the last accepted
 * balance and receives the receiver's ClosingProof signature. Before signing, the channel is marked closing with a
 * compare-and-set on that balance, so no payment accepted by any replica can slip in after the signature.
 */
export class ChannelCloser {
  constructor(
    private readonly store: ChannelStore,
    private readonly identity: Pick<PaywallIdentity, 'receiver' | 'domain'>,
    private readonly key: ReceiverKey,
  ) {}

  /** The close answer's JSON body, or the protocol error to answer with. Throws only on database failure. */
  async close(input: CloseRequestInput): Promise<Result<Record<keyof CloseResponse, string>>> {
    const parsed = parseCloseRequest(input);
    if (!parsed.ok) return parsed;
    const request = parsed.value;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const snapshot = await this.store.snapshot(request.channelId);
      // A channel whose creation is not final cannot be closed on chain yet: it is not (yet) known.
      const channel = snapshot?.confirmed ? channelViewOf(snapshot) : undefined;
      const decision = decideClose({
        request,
        gateway: { receiver: this.identity.receiver, domain: this.identity.domain },
        channel,
        lastAcceptedBalance: snapshot?.acceptedBalance ?? 0n,
      });
      if (!decision.approved) return fail(decision.error);
      // Lost against a payment accepted meanwhile: decide again on the new balance (CLOSE_BALANCE_MISMATCH).
      if (!(await this.store.markClosing(request.channelId, request.balance))) continue;
      const closingSignature = this.key.signClosingProof(this.identity.domain, decision.proof);
      return ok(
        encodeCloseResponse({
          channelId: request.channelId,
          sender: decision.proof.sender,
          receiver: this.identity.receiver,
          balance: request.balance,
          closingSignature,
        }),
      );
    }
    // The balance moved under us twice in a row: the client is still paying; it must settle on one balance.
    return fail(new ProtocolError('CLOSE_BALANCE_MISMATCH'));
  }
}
