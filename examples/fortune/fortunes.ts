/** The fortune cookies the demo hands out, in order. */
export const FORTUNES = [
  'A penny signed off-chain is a penny earned on-chain.',
  'Your channel will stay open as long as your deposit lasts.',
  'The receiver who keeps the latest proof never loses a dispute.',
  'Cumulative balances forgive lost packets.',
  'One transaction to open, none per request.',
  'He who pays per request never pays for what he did not read.',
] as const;

/** A numbered fortune cookie. */
export interface Fortune {
  /** 1 for the first cookie served, 2 for the next... */
  readonly number: number;
  readonly fortune: string;
}

/** Hands out fortunes round the list; each cookie gets the next number. */
export class FortuneJar {
  private served = 0;

  /** The next cookie. */
  next(): Fortune {
    this.served += 1;
    return { number: this.served, fortune: FORTUNES[(this.served - 1) % FORTUNES.length]! };
  }
}
