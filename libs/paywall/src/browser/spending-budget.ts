// The visitor's budget for paying as they browse: set once, spent page by page, stopped at any time. Pure
// decisions here; the page keeps the record in sessionStorage (this tab only, gone when it closes).

/** What the visitor allowed in this tab, and what was spent of it. */
export interface SpendingBudget {
  /** The account the budget was given for (a different wallet account never inherits it). */
  readonly sender: string;
  readonly limit: bigint;
  readonly spent: bigint;
}

/** What to do with a price when a budget may be active. */
export type BudgetDecision =
  | { readonly kind: 'ask' } // no budget (or another account's): the visitor decides
  | { readonly kind: 'pay' } // within the budget: pay without asking
  | { readonly kind: 'exhausted'; readonly left: bigint }; // the next page would exceed it

/** Pays automatically only for the budget's own account and only while `spent + price <= limit`. */
export function decideWithBudget(
  budget: SpendingBudget | undefined,
  sender: string | undefined,
  price: bigint,
): BudgetDecision {
  if (!budget || !sender || budget.sender.toLowerCase() !== sender.toLowerCase()) return { kind: 'ask' };
  if (budget.spent + price > budget.limit) return { kind: 'exhausted', left: budget.limit - budget.spent };
  return { kind: 'pay' };
}

/** The budget after a charge of `cost` (0 when the gateway did not charge). */
export function spend(budget: SpendingBudget, cost: bigint): SpendingBudget {
  return { ...budget, spent: budget.spent + cost };
}

/** The budget as stored (amounts as decimal strings). */
export function serializeBudget(budget: SpendingBudget): string {
  return JSON.stringify({ sender: budget.sender, limit: `${budget.limit}`, spent: `${budget.spent}` });
}

/** A stored budget, or undefined when absent or not well-formed. */
export function parseBudget(text: string | null): SpendingBudget | undefined {
  if (text === null) return undefined;
  try {
    const raw = JSON.parse(text) as { sender?: unknown; limit?: unknown; spent?: unknown };
    const amount = /^(0|[1-9][0-9]{0,77})$/;
    if (typeof raw.sender !== 'string' || typeof raw.limit !== 'string' || typeof raw.spent !== 'string')
      return undefined;
    if (!amount.test(raw.limit) || !amount.test(raw.spent)) return undefined;
    return { sender: raw.sender, limit: BigInt(raw.limit), spent: BigInt(raw.spent) };
  } catch {
    return undefined;
  }
}
