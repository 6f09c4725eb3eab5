import { createBalanceProofCloseSigned, type BalanceProofCloseSignedV1 } from '@microraiden/events';
import {
  decideClose,
  encodeCloseResponse,
  fail,
  ok,
  parseCloseRequest,
  ProtocolError,
  type ClosingProof,
  type CloseResponse,
  type Hex,
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

/** Who signs, for the `balance-proof.close-signed` events of {@link ChannelCloser}. */
export interface ChannelCloserOptions {
  /** Identifies this replica in the events (default `gateway`); pass the GATEWAY_ID the paywall uses. */
  readonly gatewayId?: string;
  readonly clock?: () => Date;
}

const EVENT_SOURCE = 'gateway';

/**
 * Cooperative close (docs/protocol.md section 10): the sender proves it holds its own proof of the channel's charged
 * balance (the last accepted one, on a channel of fixed prices) and receives the receiver's ClosingProof signature.
 * The signature goes out only after the channel was marked closing with a compare-and-set on that charged balance, so no payment accepted by any replica can slip in after
 * it; the same transaction enqueues `balance-proof.close-signed`, so the ledger learns of every signature given.
 */
export class ChannelCloser {
  private readonly gatewayId: string;
  private readonly clock: () => Date;

  constructor(
    private readonly store: ChannelStore,
    private readonly identity: Pick<PaywallIdentity, 'receiver' | 'domain'>,
    private readonly key: ReceiverKey,
    options: ChannelCloserOptions = {},
  ) {
    this.gatewayId = options.gatewayId ?? EVENT_SOURCE;
    this.clock = options.clock ?? (() => new Date());
  }

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
        // A close is for what was charged (docs/protocol.md 10): equal to the accepted balance under fixed prices.
        chargedBalance: snapshot?.chargedBalance ?? 0n,
      });
      if (!decision.approved) return fail(decision.error);
      // Signed before the mark because the event carries it; it leaves this process only once the mark committed.
      const closingSignature = this.key.signClosingProof(this.identity.domain, decision.proof);
      const event = this.closeSignedEvent(decision.proof, closingSignature);
      // Lost against a payment accepted meanwhile: decide again on the new balance (CLOSE_BALANCE_MISMATCH).
      if (!(await this.store.markClosing(request.channelId, request.balance, event))) continue;
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

  private closeSignedEvent(proof: ClosingProof, closingSignature: Hex): BalanceProofCloseSignedV1 {
    const { receiver, domain } = this.identity;
    return createBalanceProofCloseSigned(
      {
        channelId: proof.channelId,
        sender: proof.sender,
        receiver,
        channelManager: domain.verifyingContract,
        chainId: Number(domain.chainId),
        balance: proof.balance,
        closingSignature,
        gatewayId: this.gatewayId,
        signedAt: this.clock().toISOString(),
      },
      { source: EVENT_SOURCE },
    );
  }
}
