import path from 'node:path';
import { Wallet, type JsonRpcProvider } from 'ethers';
import { Client, isClientError, type PaidAmount } from '@microraiden/client';
import { microTokenAt, type Deployment } from '@microraiden/contracts';
import { RDN_HEADERS } from '@microraiden/protocol';

/** One paid request as its client saw it. */
export interface RequestRecord {
  readonly client: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status of the final answer; undefined when the SDK threw (network, refusal). */
  readonly status?: number;
  /** The receipt of a charged answer (RDN-Cost > 0). */
  readonly paid?: PaidAmount;
  /** The gateway's RDN-Error (or the SDK's code when it threw). */
  readonly code?: string;
  /** Every balance this request signed or re-sent (and on which channel), in order. */
  readonly signed: ReadonlyArray<{ readonly channelId: string; readonly balance: bigint }>;
}

/** Where the paying clients pay and how much they may escrow. */
export interface PayingSetup {
  readonly provider: JsonRpcProvider;
  readonly rpcUrl: string;
  readonly deployment: Deployment;
  readonly stateRoot: string;
  readonly url: string;
  readonly maxPrice: bigint;
  readonly maxDeposit: bigint;
}

const TEN_ETH = '0x8AC7230489E80000';

/** The stable code of an error body (`{ error: { code } }` or `{ code }`), if it has one. */
function bodyCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; error?: { code?: unknown } };
    const code = parsed.error?.code ?? parsed.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A sender with its own key, ETH, tokens and state directory, paying through the SDK's `Client.fetch`
 * (libs/client) one request at a time, recording what it signed and what each answer said.
 */
export class PayingClient {
  readonly records: RequestRecord[] = [];
  readonly wallet = Wallet.createRandom();
  private readonly client: Client;

  private constructor(
    readonly name: string,
    private readonly setup: PayingSetup,
  ) {
    this.client = new Client(
      { privateKey: this.wallet.privateKey },
      {
        rpcUrl: setup.rpcUrl,
        deployment: setup.deployment,
        stateDir: path.join(setup.stateRoot, name),
        pollingIntervalMs: 250,
      },
    );
  }

  /** A funded client: 10 ETH (anvil_setBalance) and tokens minted by itself from MicroToken's local faucet. */
  static async create(name: string, setup: PayingSetup): Promise<PayingClient> {
    const paying = new PayingClient(name, setup);
    await setup.provider.send('anvil_setBalance', [paying.wallet.address, TEN_ETH]);
    const token = microTokenAt(setup.deployment.token, paying.wallet.connect(setup.provider));
    await (await token.mint(paying.wallet.address, setup.maxDeposit * 2n)).wait();
    return paying;
  }

  get address(): string {
    return this.wallet.address;
  }

  /** One paid request; never throws: the outcome is the record. */
  async pay(): Promise<RequestRecord> {
    const startedAt = Date.now();
    const signed: Array<{ channelId: string; balance: bigint }> = [];
    let record: RequestRecord;
    try {
      const { response, paid } = await this.client.fetch(this.setup.url, undefined, {
        maxPricePerRequest: this.setup.maxPrice,
        maxDeposit: this.setup.maxDeposit,
        channelWaitMs: 60_000,
        networkRetries: 2,
        onProgress: (event) => {
          if (event.stage === 'paying')
            signed.push({ channelId: event.channelId.toLowerCase(), balance: event.balance });
        },
      });
      const body = await response.text().catch(() => '');
      record = {
        client: this.name,
        startedAt,
        endedAt: Date.now(),
        status: response.status,
        paid: paid ?? undefined,
        code: response.headers.get(RDN_HEADERS.error) ?? (response.ok ? undefined : bodyCode(body)),
        signed,
      };
    } catch (err) {
      const details = isClientError(err) ? (err.details as { gatewayCode?: unknown; status?: unknown }) : {};
      const code = isClientError(err) ? String(details.gatewayCode ?? err.code) : (err as Error).name;
      const status = typeof details.status === 'number' ? details.status : undefined;
      record = { client: this.name, startedAt, endedAt: Date.now(), status, code, signed };
    }
    this.records.push(record);
    return record;
  }

  /** The channels this client opened (lower-case ids), from its own state file. */
  async channelIds(): Promise<string[]> {
    return (await this.client.channels()).map((channel) => channel.id.toLowerCase());
  }

  /** Closes the SDK client (its RPC connection). */
  close(): Promise<void> {
    return this.client.close();
  }
}
