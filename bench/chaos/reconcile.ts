// The chaos bench's verdict on money: what each client saw (its 2xx answers and their receipts) against the
// three books the receiver keeps (the gateways' rows in Postgres, the ledger's projection, the
// `balance-proof.accepted` events on Kafka), to the token base unit. Pure: the shell (books.ts) reads the
// evidence, this decides.

/** One 2xx answer to a paid request, as the client recorded it from the receipt. */
export interface PaidAnswer {
  /** RDN-Sender-Balance: the cumulative balance the receiver holds after this request. */
  readonly balance: bigint;
  /** RDN-Cost: what this request was charged. */
  readonly cost: bigint;
}

/** One `balance-proof.accepted` event read back from Kafka (possibly delivered more than once). */
export interface AcceptedEvent {
  readonly id: string;
  readonly previousBalance: bigint;
  readonly balance: bigint;
  /** Which replica accepted it and when (evidence for the findings). */
  readonly acceptedBy?: string;
}

/** Everything known about one channel at the end of a scenario. */
export interface ChannelEvidence {
  readonly channelId: string;
  /** The client's 2xx answers that carried a charge (RDN-Cost > 0). */
  readonly paid: readonly PaidAnswer[];
  /** gateway_channels: the accepted cumulative balance and the count of accepted proofs; undefined: no row. */
  readonly gateway?: { readonly acceptedBalance: bigint; readonly paidRequests: number };
  /** ledger_channels (balance, proof count) and the sum of the increments it applied (its revenue). */
  readonly ledger?: { readonly balance: bigint; readonly proofCount: number; readonly revenue: bigint };
  readonly events: readonly AcceptedEvent[];
  /** What the client's requests that signed a given balance were answered (evidence for the findings). */
  readonly attempts?: ReadonlyMap<bigint, readonly string[]>;
}

/** A count of requests (or proofs) and the token base units they carry. */
export interface Tally {
  readonly count: number;
  readonly amount: bigint;
}

/** The reconciliation of a set of channels. */
export interface Reconciliation {
  /** A 2xx the client was charged for that some book does not hold. */
  readonly lost: Tally;
  /** An increment served or counted twice: two 2xx for one balance, overlapping events, a book above the events. */
  readonly double: Tally;
  /** An accepted proof (an event the receiver will claim) without a 2xx answer to the client. */
  readonly chargedWithout2xx: Tally;
  /** Human-readable findings, one per disagreement, naming the channel and the book. */
  readonly findings: readonly string[];
}

const ZERO: Tally = { count: 0, amount: 0n };
const add = (a: Tally, count: number, amount: bigint): Tally => ({
  count: a.count + count,
  amount: a.amount + amount,
});

/** Distinct events (at-least-once delivery repeats ids: a repeat is not a second acceptance), by balance. */
function distinctEvents(events: readonly AcceptedEvent[]): AcceptedEvent[] {
  const byId = new Map(events.map((event) => [event.id, event]));
  return [...byId.values()].sort((a, b) => (a.balance < b.balance ? -1 : a.balance > b.balance ? 1 : 0));
}

/** The client's charged 2xx answers against the books: answered twice (double) or missing from a book (lost). */
function checkAnswers(evidence: ChannelEvidence, eventBalances: ReadonlySet<bigint>) {
  const { paid, gateway, ledger } = evidence;
  const short = evidence.channelId.slice(0, 10);
  let lost = ZERO;
  let double = ZERO;
  const findings: string[] = [];
  const answered = new Map<bigint, number>();
  for (const answer of paid) {
    const seen = answered.get(answer.balance) ?? 0;
    answered.set(answer.balance, seen + 1);
    if (seen > 0) {
      double = add(double, 1, answer.cost);
      findings.push(`${short}: balance ${answer.balance} answered 2xx ${seen + 1} times`);
      continue;
    }
    const missing = [
      eventBalances.has(answer.balance) ? undefined : 'no balance-proof.accepted event',
      (gateway?.acceptedBalance ?? 0n) >= answer.balance ? undefined : 'gateway row below it',
      (ledger?.balance ?? 0n) >= answer.balance ? undefined : 'ledger below it',
    ].filter((why): why is string => why !== undefined);
    if (missing.length > 0) {
      lost = add(lost, 1, answer.cost);
      findings.push(`${short}: 2xx at balance ${answer.balance} lost (${missing.join(', ')})`);
    }
  }
  return { lost, double, findings, answered };
}

/** The accepted events: overlapping acceptances (double) and acceptances no 2xx answered (charged). */
function checkEvents(
  short: string,
  events: readonly AcceptedEvent[],
  answered: ReadonlyMap<bigint, number>,
  attempts: ReadonlyMap<bigint, readonly string[]> = new Map(),
) {
  let double = ZERO;
  let chargedWithout2xx = ZERO;
  const findings: string[] = [];
  let covered = 0n;
  for (const event of events) {
    if (event.previousBalance < covered) {
      const overlap = (event.balance < covered ? event.balance : covered) - event.previousBalance;
      double = add(double, 1, overlap);
      findings.push(`${short}: event ${event.id.slice(0, 10)} re-accepts ${overlap} below ${covered}`);
    }
    if (event.balance > covered) covered = event.balance;
    if (!answered.has(event.balance)) {
      chargedWithout2xx = add(chargedWithout2xx, 1, event.balance - event.previousBalance);
      const seen = attempts.get(event.balance)?.join(', ') ?? 'never signed by a recorded request';
      const by = event.acceptedBy ? ` by ${event.acceptedBy}` : '';
      findings.push(`${short}: accepted balance ${event.balance}${by} without a 2xx to the client (${seen})`);
    }
  }
  return { double, chargedWithout2xx, findings, covered };
}

/**
 * The books against the events' total: a book below it (or a book missing) is a gap of lost units, a book
 * above it counted something twice. Returns the largest gap and the excess.
 */
function checkBooks(evidence: ChannelEvidence, covered: bigint, eventCount: number) {
  const { gateway, ledger } = evidence;
  const short = evidence.channelId.slice(0, 10);
  const findings: string[] = [];
  let gap = 0n;
  let excess = ZERO;
  const compare = (what: string, held: bigint, expected: bigint, units: boolean) => {
    if (held === expected) return;
    findings.push(`${short}: ${what} ${held}, events ${expected}`);
    if (held > expected)
      excess = add(excess, units ? 0 : Number(held - expected), units ? held - expected : 0n);
    else if (units && expected - held > gap) gap = expected - held;
  };
  if (gateway) {
    // The gateway row and its event are one statement: a row above the events means events went missing.
    if (gateway.acceptedBalance > covered) {
      findings.push(`${short}: gateway holds ${gateway.acceptedBalance}, events only ${covered}`);
      if (gateway.acceptedBalance - covered > gap) gap = gateway.acceptedBalance - covered;
    }
    compare('gateway proof count', BigInt(gateway.paidRequests), BigInt(eventCount), false);
  }
  if (ledger) {
    compare('ledger revenue', ledger.revenue, covered, true);
    compare('ledger balance', ledger.balance, covered, true);
    compare('ledger proof count', BigInt(ledger.proofCount), BigInt(eventCount), false);
  } else if (eventCount > 0) {
    findings.push(`${short}: no ledger row for ${eventCount} accepted proofs`);
    if (covered > gap) gap = covered;
  }
  return { gap, excess, findings };
}

/** Reconciles one channel; see {@link reconcile}. */
export function reconcileChannel(evidence: ChannelEvidence): Reconciliation {
  const events = distinctEvents(evidence.events);
  const answers = checkAnswers(evidence, new Set(events.map((event) => event.balance)));
  const accepted = checkEvents(evidence.channelId.slice(0, 10), events, answers.answered, evidence.attempts);
  const books = checkBooks(evidence, accepted.covered, events.length);
  // A missing event shows both as a lost answer and as a book gap: count its units once.
  const lostAmount = answers.lost.amount > books.gap ? answers.lost.amount : books.gap;
  return {
    lost: { count: answers.lost.count, amount: lostAmount },
    double: add(
      add(answers.double, accepted.double.count, accepted.double.amount),
      books.excess.count,
      books.excess.amount,
    ),
    chargedWithout2xx: accepted.chargedWithout2xx,
    findings: [...answers.findings, ...accepted.findings, ...books.findings],
  };
}

/**
 * Reconciles every channel of a scenario. `lost`: a charged 2xx that is missing from a book (or a book below
 * another); `double`: an increment answered, accepted or counted twice; `chargedWithout2xx`: an accepted proof
 * the client never got a 2xx for. All zero is the only passing result.
 */
export function reconcile(channels: readonly ChannelEvidence[]): Reconciliation {
  let lost = ZERO;
  let double = ZERO;
  let chargedWithout2xx = ZERO;
  const findings: string[] = [];
  for (const channel of channels) {
    const one = reconcileChannel(channel);
    lost = add(lost, one.lost.count, one.lost.amount);
    double = add(double, one.double.count, one.double.amount);
    chargedWithout2xx = add(chargedWithout2xx, one.chargedWithout2xx.count, one.chargedWithout2xx.amount);
    findings.push(...one.findings);
  }
  return { lost, double, chargedWithout2xx, findings };
}
