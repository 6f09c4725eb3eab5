// Issue 14's targets, printed by each bench beside what it measured in the same run. One formatter for every bench,
// so every target line reads alike and its verdict is computed in one place (and tested: bench/target.spec.ts).

/** One target: what was measured, the bound it must meet, and which side of the bound passes. */
export interface Target {
  /** Issue 14's number for it (1 to 5). */
  readonly issue: number;
  /** What is measured, e.g. "payment work, reverse proxy". */
  readonly what: string;
  /** The measured value; NaN when this run could not measure it. */
  readonly measured: number;
  /** "at most" (the measured value must not exceed the bound) or "at least". */
  readonly bound: 'at most' | 'at least';
  readonly target: number;
  /** Unit printed after both numbers, e.g. "µs CPU per paid request" or "events/s". */
  readonly unit: string;
  /** Decimal places for both numbers (0 when not given). */
  readonly digits?: number;
  /** How the measured value was computed, printed after the verdict. */
  readonly detail?: string;
}

export type Verdict = 'MET' | 'NOT MET' | 'NOT MEASURED';

export function targetVerdict(t: Pick<Target, 'measured' | 'bound' | 'target'>): Verdict {
  if (!Number.isFinite(t.measured)) return 'NOT MEASURED';
  const met = t.bound === 'at most' ? t.measured <= t.target : t.measured >= t.target;
  return met ? 'MET' : 'NOT MET';
}

function formatNumber(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * "target 1, payment work, reverse proxy: 412 µs CPU per paid request (target ≤ 250): NOT MET (detail)".
 * The verdict is computed from the unrounded value, so a printed 250 can read NOT MET when it was 250.4.
 */
export function formatTarget(t: Target): string {
  const digits = t.digits ?? 0;
  const sign = t.bound === 'at most' ? '≤' : '≥';
  const measured = Number.isFinite(t.measured) ? formatNumber(t.measured, digits) : 'not measured';
  const line =
    `target ${t.issue}, ${t.what}: ${measured} ${t.unit} ` +
    `(target ${sign} ${formatNumber(t.target, digits)}): ${targetVerdict(t)}`;
  return t.detail === undefined ? line : `${line} (${t.detail})`;
}
