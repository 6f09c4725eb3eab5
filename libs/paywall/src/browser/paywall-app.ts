/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The paywall page's behaviour (docs/protocol.md 8.5): connect a wallet, find or open a channel, let the
// visitor set a spending budget once, then pay this page and every further paid page of the site in this
// tab without asking again, replacing the paywall with the content and showing a running total. A channel the
// page opens names a session key kept in localStorage as its balance signer (protocol 3.1), so its balance
// proofs are signed here with no wallet prompt; on a channel without one the wallet signs each proof. The chain,
// the typed data, the payment headers, the receipt and token units come from the client's browser entry.
import {
  balanceProofRequest,
  channelDomain,
  createSessionKey,
  Eip1193Chain,
  eip1193TypedDataSigner,
  encodePayment,
  formatTokenAmount as formatAmount,
  formatTokenAmountWithBase as formatAmountWithBase,
  formatUnits,
  parseReceipt,
  parseUnits,
  sessionKeyFrom,
  sessionKeysAvailable,
  signBalanceProofWithSessionKey,
  type Address,
  type Eip1193Provider,
  type Hex,
  type Hex32,
  type Receipt,
  type SessionKey,
  type TokenUnits,
  type WalletStep,
} from '@microraiden/client/browser';
import {
  decideWithBudget,
  parseBudget,
  serializeBudget,
  spend,
  type SpendingBudget,
} from './spending-budget';
import { showPaidContent } from './paid-content';

const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
// Budget suggested on the first paid page: ten pages' worth.
const SUGGESTED_PAGES = 10n;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The challenge as the page reads it from its data attributes (the price may be raised by the gateway). */
export interface PageChallenge {
  price: bigint;
  readonly chainId: bigint;
  readonly token: Address;
  readonly receiver: Address;
  readonly channelManager: Address;
  readonly gatewayPath: string;
}

/** A channel the page can pay on: its id, the balance last accepted, the deposit on chain, its session key. */
export interface PageChannel {
  readonly id: Hex32;
  balance: bigint;
  readonly deposit: bigint;
  /** The key the channel names as its balance signer, kept in this browser; without it the wallet signs. */
  readonly sessionKey?: SessionKey;
}

const isAddress = (v: string) => ADDRESS.test(v);

/** The challenge the page carries in data-* attributes. */
export function readChallenge(element: HTMLElement): PageChallenge {
  const d = element.dataset;
  const field = (name: string, value: string | undefined, ok: (v: string) => boolean): string => {
    if (value === undefined || !ok(value)) throw new Error(`The page's ${name} is malformed.`);
    return value;
  };
  return {
    price: BigInt(field('price', d.price, (v) => AMOUNT.test(v))),
    chainId: BigInt(field('chain id', d.chainId, (v) => AMOUNT.test(v))),
    token: field('token', d.token, isAddress) as Address,
    receiver: field('receiver', d.receiver, isAddress) as Address,
    channelManager: field('channel manager', d.channelManager, isAddress) as Address,
    gatewayPath: field('gateway path', d.gatewayPath, (v) => v.startsWith('/')),
  };
}

/**
 * Where things are remembered: the channel and its session key (localStorage, per sender) and this tab's budget
 * (sessionStorage).
 */
export function storageKey(
  kind: 'channel' | 'session-key' | 'budget',
  challenge: PageChallenge,
  sender?: string,
): string {
  const parts = [
    'microraiden',
    kind,
    challenge.chainId.toString(),
    challenge.channelManager,
    challenge.receiver,
  ];
  return (sender ? [...parts, sender] : parts).join(':').toLowerCase();
}

/** One paywall page: its elements, the wallet, and what this tab knows. */
export class PaywallApp {
  private readonly challenge: PageChallenge;
  private readonly wallet: Eip1193Chain;
  private token: TokenUnits | undefined;
  private sender: Address | undefined;
  private channel: PageChannel | undefined;
  private budget: SpendingBudget | undefined;
  private busy = false;
  /** The visitor clicked Connect: the start-up no longer owns the status line. */
  private connectClicked = false;

  constructor(
    private readonly doc: Document,
    private readonly win: Window & { ethereum?: Eip1193Provider },
    private readonly root: HTMLElement,
  ) {
    this.challenge = readChallenge(root);
    const { chainId, channelManager, token } = this.challenge;
    this.wallet = new Eip1193Chain(win.ethereum as Eip1193Provider, { chainId, channelManager, token });
    this.budget = parseBudget(this.session('get'));
  }

  private $(id: string): HTMLElement {
    return this.doc.getElementById(id) as HTMLElement;
  }

  private status(text: string, isError = false): void {
    const el = this.$('mr-status');
    el.textContent = text;
    el.className = isError ? 'mr-error' : '';
  }

  private show(id: string, visible: boolean): void {
    this.$(id).hidden = !visible;
  }

  private session(op: 'get' | 'set' | 'remove'): string | null {
    const key = storageKey('budget', this.challenge);
    try {
      if (op === 'get') return this.win.sessionStorage.getItem(key);
      if (op === 'set' && this.budget) this.win.sessionStorage.setItem(key, serializeBudget(this.budget));
      if (op === 'remove') this.win.sessionStorage.removeItem(key);
    } catch {
      /* storage disabled: the budget lasts for this page only */
    }
    return null;
  }

  private rememberChannel(): void {
    if (!this.sender || !this.channel) return;
    const key = storageKey('channel', this.challenge, this.sender);
    const value = JSON.stringify({ channelId: this.channel.id, balance: this.channel.balance.toString() });
    try {
      this.win.localStorage.setItem(key, value);
    } catch {
      /* storage disabled: the gateway re-syncs the balance (BALANCE_STALE) */
    }
  }

  private forgetChannel(): void {
    try {
      for (const kind of ['channel', 'session-key'] as const) {
        if (this.sender) this.win.localStorage.removeItem(storageKey(kind, this.challenge, this.sender));
      }
    } catch {
      /* see rememberChannel */
    }
    this.channel = undefined;
  }

  /**
   * The session key stored for this sender, receiver and channel manager. Only the key is kept: the channel it
   * signs for is the one whose balanceSignerOf names its address, so a key stored before its channel's
   * transaction was mined (the page may be closed meanwhile) is still found with that channel.
   */
  private storedSessionKey(sender: Address): SessionKey | undefined {
    try {
      return sessionKeyFrom(this.win.localStorage.getItem(storageKey('session-key', this.challenge, sender)));
    } catch {
      return undefined;
    }
  }

  /** A new session key, stored before the channel naming it is opened; undefined where keys cannot be made. */
  private newSessionKey(sender: Address): SessionKey | undefined {
    if (!sessionKeysAvailable()) return undefined;
    const key = createSessionKey();
    try {
      this.win.localStorage.setItem(storageKey('session-key', this.challenge, sender), key.privateKey);
    } catch {
      // Without storage the key would die with this page and every later page would need the wallet anyway.
      return undefined;
    }
    return key;
  }

  /** Runs one user action at a time, showing its failure as the status. */
  private async guard(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.root.setAttribute('aria-busy', 'true');
    try {
      await action();
    } catch (e) {
      this.status(e instanceof Error ? e.message : String(e), true);
    } finally {
      this.busy = false;
      this.root.removeAttribute('aria-busy');
    }
  }

  /** Shows the price and the suggested amounts in token units once the token has told its decimals. */
  private renderAmounts(): void {
    const { price } = this.challenge;
    for (const el of Array.from(this.doc.querySelectorAll<HTMLElement>('[data-mr-amount="price"]'))) {
      el.textContent = formatAmountWithBase(price, this.token);
    }
    this.$('mr-pay').textContent = this.channel
      ? `Pay ${formatAmount(price, this.token)} and view`
      : `Open channel and pay ${formatAmount(price, this.token)}`;
    const unit = this.token ? this.token.symbol : 'base units';
    for (const id of ['mr-budget-unit', 'mr-deposit-unit']) this.$(id).textContent = unit;
    const suggested = price * SUGGESTED_PAGES;
    const text = (amount: bigint) => (this.token ? formatUnits(amount, this.token.decimals) : `${amount}`);
    const budget = this.$('mr-budget') as HTMLInputElement;
    const deposit = this.$('mr-deposit') as HTMLInputElement;
    // A budget already set (and used up) is suggested raised by ten more pages.
    if (budget.value === '') budget.value = text((this.budget?.limit ?? 0n) + suggested);
    if (deposit.value === '') deposit.value = text(suggested);
  }

  private readAmount(id: string, what: string): bigint {
    const text = (this.$(id) as HTMLInputElement).value;
    try {
      return this.token ? parseUnits(text, this.token.decimals) : BigInt(text.trim());
    } catch {
      throw new Error(
        `The ${what} must be an amount in ${this.token?.symbol ?? 'token base units'}, not "${text}".`,
      );
    }
  }

  private renderChannel(): void {
    const c = this.channel;
    this.show('mr-channel', c !== undefined);
    this.show('mr-deposit-field', c === undefined);
    if (c) {
      this.$('mr-channel-id').textContent = c.id;
      this.$('mr-balance').textContent = formatAmount(c.balance, this.token);
      this.$('mr-deposit-total').textContent = formatAmount(c.deposit, this.token);
    }
    this.renderAmounts();
  }

  /** Starts the page: amounts in token units, then either the budget's automatic payment or a connect button. */
  async start(): Promise<void> {
    this.root.hidden = false;
    this.$('mr-connect').addEventListener('click', () => {
      this.connectClicked = true;
      void this.guard(async () => void (await this.connect(true)));
    });
    this.$('mr-pay').addEventListener('click', () => void this.guard(() => this.payClicked()));
    this.$('mr-stop').addEventListener('click', () => this.stop());
    if (!this.win.ethereum || typeof this.win.ethereum.request !== 'function') {
      this.status(
        'No Ethereum wallet found in this browser (window.ethereum). Install one, or pay with the RDN-* headers described above.',
        true,
      );
      this.show('mr-connect', false);
      return;
    }
    this.token = await this.wallet.tokenUnits();
    this.renderAmounts();
    const decision = decideWithBudget(this.budget, this.budget?.sender, this.challenge.price);
    if (decision.kind === 'ask') {
      // The token's reads may finish after a quick visitor clicked Connect: keep what that said.
      if (!this.connectClicked) this.status('Connect a wallet to pay in this browser.');
      return;
    }
    await this.guard(async () => {
      if (!(await this.connect(false))) return;
      if (decision.kind === 'exhausted') {
        this.status(
          `Your budget has ${formatAmount(decision.left, this.token)} left, less than this page's price: raise it to keep paying, or stop.`,
        );
        return;
      }
      if (!this.channel) {
        this.status("The budget's channel is gone (closed or used up): open a new one.");
        return;
      }
      await this.pay();
    });
  }

  /** Connects (with a prompt, or silently for a budget already given) and finds a channel. */
  private async connect(prompt: boolean): Promise<boolean> {
    const account = await this.wallet.account(prompt);
    if (!account) {
      if (prompt) throw new Error('The wallet returned no account.');
      this.status('Connect a wallet to pay in this browser.');
      return false;
    }
    if (!prompt && this.budget && this.budget.sender.toLowerCase() !== account.toLowerCase()) {
      this.status('The wallet account changed since the budget was set: connect to set a budget for it.');
      return false;
    }
    const chainId = await this.wallet.chainId();
    if (chainId !== this.challenge.chainId) {
      this.status(
        `Wrong network: the wallet is on chain ${chainId} but this paywall takes payments on chain ${this.challenge.chainId}. Switch the wallet to chain ${this.challenge.chainId} and connect again.`,
        true,
      );
      return false;
    }
    this.sender = account;
    this.$('mr-sender').textContent = account;
    this.show('mr-connect', false);
    this.show('mr-connected', true);
    this.show('mr-form', true);
    this.show('mr-stop', this.budget !== undefined);
    this.status('Looking for a channel to the receiver...');
    this.channel = await this.findChannel(account);
    this.renderChannel();
    this.show('mr-session-note', sessionKeysAvailable());
    this.status(
      this.channel
        ? `Channel found. Set how much this tab may spend on this site, then pay ${formatAmount(this.challenge.price, this.token)} to view.`
        : 'No open channel to this receiver yet: choose a deposit and a budget, then open one.',
    );
    return true;
  }

  private async findChannel(sender: Address): Promise<PageChannel | undefined> {
    const want = { sender, receiver: this.challenge.receiver, minDeposit: this.challenge.price };
    let stored: { channelId?: unknown; balance?: unknown } | null = null;
    try {
      stored = JSON.parse(
        this.win.localStorage.getItem(storageKey('channel', this.challenge, sender)) ?? 'null',
      );
    } catch {
      stored = null;
    }
    const id = stored?.channelId;
    const balance = stored?.balance;
    if (typeof id === 'string' && BYTES32.test(id) && typeof balance === 'string' && AMOUNT.test(balance)) {
      const found = await this.wallet.usableChannel(id, want);
      if (found) {
        const channelId = id.toLowerCase() as Hex32;
        return {
          id: channelId,
          balance: BigInt(balance),
          deposit: found.deposit,
          ...(await this.keyOf(channelId)),
        };
      }
    }
    // Not remembered here (another browser, cleared storage): the gateway corrects the balance (BALANCE_STALE).
    const found = await this.wallet.findChannel(want);
    return (
      found && {
        id: found.channelId,
        balance: 0n,
        deposit: found.channel.deposit,
        ...(await this.keyOf(found.channelId)),
      }
    );
  }

  /** The stored session key when the chain names it as the channel's balance signer (else the wallet signs). */
  private async keyOf(channelId: Hex32): Promise<{ sessionKey?: SessionKey }> {
    const key = this.storedSessionKey(this.sender as Address);
    if (!key || !sessionKeysAvailable()) return {};
    const signer = await this.wallet.balanceSignerOf(channelId);
    return signer?.toLowerCase() === key.address.toLowerCase() ? { sessionKey: key } : {};
  }

  /** The one approval: the budget (and a new channel's deposit), then the payment. */
  private async payClicked(): Promise<void> {
    const sender = this.sender as Address;
    const limit = this.readAmount('mr-budget', 'budget');
    if (limit < this.challenge.price)
      throw new Error(
        `The budget must be at least the price (${formatAmount(this.challenge.price, this.token)}).`,
      );
    if (!this.channel) {
      const deposit = this.readAmount('mr-deposit', 'deposit');
      if (deposit < this.challenge.price)
        throw new Error(
          `The deposit must be at least the price (${formatAmount(this.challenge.price, this.token)}).`,
        );
      const held = await this.wallet.tokenBalance(sender);
      if (held < deposit)
        throw new Error(`The account holds only ${formatAmount(held, this.token)}, less than the deposit.`);
      const sessionKey = this.newSessionKey(sender);
      const opened = await this.wallet.openChannel(
        sender,
        this.challenge.receiver,
        deposit,
        (step) => this.walletStep(step),
        sessionKey?.address,
      );
      this.channel = { id: opened.channelId, balance: 0n, deposit, ...(sessionKey ? { sessionKey } : {}) };
      this.rememberChannel();
      this.renderChannel();
    }
    this.budget = { sender, limit, spent: this.budget?.sender === sender ? this.budget.spent : 0n };
    this.session('set');
    await this.pay();
  }

  /** Stops paying in this tab: the budget is dropped; paid pages show the paywall again. */
  private stop(): void {
    this.budget = undefined;
    this.session('remove');
    // From the budget bar of a paid page the paywall's elements are gone: nothing more to update.
    if (!this.doc.getElementById('mr-stop')) return;
    this.show('mr-stop', false);
    this.status('Stopped: this tab pays nothing more until you set a budget again.');
  }

  /** What the wallet is asked while a channel opens, as the status. */
  private walletStep(step: WalletStep): void {
    if (step.stage === 'sign-permit') {
      this.status('Sign the permit for the deposit in your wallet (no transaction yet)...');
      return;
    }
    const label = step.action === 'approve' ? 'Approve' : 'Open channel';
    if (step.stage === 'confirm') this.status(`${label}: confirm the transaction in your wallet...`);
    if (step.stage === 'sent') this.status(`${label}: waiting for transaction ${step.txHash} to be mined...`);
  }

  /**
   * The payment headers of `balance` on the channel (a balance proof, protocol 4): signed here with the channel's
   * session key when this browser holds it, else by the wallet (a prompt).
   */
  private async paymentFor(balance: bigint): Promise<Record<string, string>> {
    const { chainId, channelManager, receiver, price } = this.challenge;
    const sender = this.sender as Address;
    const { id: channelId, sessionKey } = this.channel as PageChannel;
    const domain = channelDomain(chainId, channelManager);
    const proof = { channelId, receiver, balance };
    const amounts = `${formatAmount(price, this.token)} (cumulative ${formatAmount(balance, this.token)})`;
    let signature: Hex;
    if (sessionKey) {
      this.status(`Paying ${amounts} with this browser's session key...`);
      signature = await signBalanceProofWithSessionKey(sessionKey, domain, proof);
    } else {
      this.status(`Sign the payment of ${amounts} in your wallet...`);
      const request = balanceProofRequest(domain, proof);
      signature = (await eip1193TypedDataSigner(
        this.win.ethereum as Eip1193Provider,
        sender,
      )(request)) as Hex;
    }
    return encodePayment({ sender, channelId, balance, signature, receiver, channelManager, chainId });
  }

  /** Pays for this page's URL and, when accepted, replaces the paywall with the content. */
  private async pay(): Promise<void> {
    const channel = this.channel as PageChannel;
    let payment = await this.paymentFor(channel.balance + this.challenge.price);
    let resynced = false;
    for (let attempt = 0; attempt < 120; attempt++) {
      const res = await this.win.fetch(this.win.location.href, {
        headers: {
          Accept: 'text/html, application/json;q=0.9, */*;q=0.8',
          ...payment,
        },
        cache: 'no-store',
      });
      const code = res.headers.get('RDN-Error');
      const parsed = parseReceipt(res.headers);
      const receipt = parsed.ok ? parsed.value : undefined;
      if (code === null && res.status < 500) return this.paid(res, receipt);
      if (code === 'CHANNEL_NOT_FOUND' || code === 'CHANNEL_INSUFFICIENT_CONFIRMATIONS') {
        // A channel just opened: the gateway accepts it only after enough confirmations.
        const wait = Math.min(Math.max(Number(res.headers.get('Retry-After')) || 1, 1), 15);
        this.status(`Waiting for the gateway to accept the new channel (${code}, retrying in ${wait} s)...`);
        await sleep(wait * 1000);
        continue;
      }
      if ((code === 'BALANCE_STALE' || code === 'INCREMENT_BELOW_PRICE') && receipt && !resynced) {
        // The gateway knows a higher balance (paid elsewhere, storage lost): adopt it and re-sign once.
        resynced = true;
        const price = res.headers.get('RDN-Price');
        if (price !== null && AMOUNT.test(price.trim())) this.challenge.price = BigInt(price.trim());
        channel.balance = receipt.senderBalance;
        this.rememberChannel();
        payment = await this.paymentFor(channel.balance + this.challenge.price);
        continue;
      }
      if (code === 'CHANNEL_CLOSING' || code === 'BALANCE_EXCEEDS_DEPOSIT') {
        this.forgetChannel();
        this.renderChannel();
        throw new Error(
          `${code === 'CHANNEL_CLOSING' ? 'The channel is closing' : 'The channel deposit is used up'}: open a new channel.`,
        );
      }
      throw new Error(`The gateway refused the payment: ${code ?? res.status}`);
    }
    throw new Error('The gateway did not accept the channel in time; try again later.');
  }

  /** Records what was charged and replaces the page with the content and the budget bar. */
  private async paid(res: Response, receipt: Receipt | undefined): Promise<void> {
    const channel = this.channel as PageChannel;
    if (receipt && receipt.channelId.toLowerCase() === channel.id) channel.balance = receipt.senderBalance;
    this.rememberChannel();
    const cost = receipt?.cost ?? 0n;
    if (this.budget) {
      this.budget = spend(this.budget, cost);
      this.session('set');
    }
    await showPaidContent(this.doc, res, {
      paid:
        cost === 0n
          ? `Not charged (HTTP ${res.status})`
          : `Paid ${formatAmount(cost, this.token)} for this page`,
      total: this.budget
        ? `${formatAmount(this.budget.spent, this.token)} of your ${formatAmount(this.budget.limit, this.token)} budget spent in this tab`
        : '',
      onStop: () => this.stop(),
    });
  }
}
