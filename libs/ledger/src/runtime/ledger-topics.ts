import { TOPICS } from '@microraiden/events';

/** The topics the ledger reads, and where it dead-letters what it cannot decode. */
export interface LedgerTopics {
  balanceProofs: string;
  channels: string;
  deadLetter: string;
}

/** The catalogue's topics (tests and benches pass unique ones instead). */
export const DEFAULT_LEDGER_TOPICS: LedgerTopics = {
  balanceProofs: TOPICS.balanceProofs.name,
  channels: TOPICS.channels.name,
  deadLetter: TOPICS.deadLetter.name,
};
