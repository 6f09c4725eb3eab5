import { describe, expect, it } from 'vitest';
import { formatTarget, targetVerdict, type Target } from './target';

const paymentWork: Target = {
  issue: 1,
  what: 'payment work, reverse proxy',
  measured: 412.4,
  bound: 'at most',
  target: 250,
  unit: 'µs CPU per paid request',
};

describe('formatTarget', () => {
  it('prints the measured value beside the target with the verdict', () => {
    expect(formatTarget(paymentWork)).toBe(
      'target 1, payment work, reverse proxy: 412 µs CPU per paid request (target ≤ 250): NOT MET',
    );
    expect(formatTarget({ ...paymentWork, measured: 180 })).toBe(
      'target 1, payment work, reverse proxy: 180 µs CPU per paid request (target ≤ 250): MET',
    );
  });

  it('reads "at least" targets the other way, with grouping, digits and a detail', () => {
    const ledger: Target = {
      issue: 4,
      what: 'ledger throughput',
      measured: 9_830.25,
      bound: 'at least',
      target: 50_000,
      unit: 'events/s',
      digits: 1,
      detail: '50000 proofs',
    };
    expect(formatTarget(ledger)).toBe(
      'target 4, ledger throughput: 9,830.3 events/s (target ≥ 50,000.0): NOT MET (50000 proofs)',
    );
    expect(formatTarget({ ...ledger, measured: 50_000 })).toContain(': MET (50000 proofs)');
  });

  it('says NOT MEASURED when the run could not measure the value', () => {
    expect(formatTarget({ ...paymentWork, measured: Number.NaN })).toBe(
      'target 1, payment work, reverse proxy: not measured µs CPU per paid request (target ≤ 250): NOT MEASURED',
    );
  });
});

describe('targetVerdict', () => {
  it('meets a bound it equals and judges the unrounded value', () => {
    expect(targetVerdict({ measured: 250, bound: 'at most', target: 250 })).toBe('MET');
    expect(targetVerdict({ measured: 250.4, bound: 'at most', target: 250 })).toBe('NOT MET');
    expect(targetVerdict({ measured: 89.99, bound: 'at least', target: 90 })).toBe('NOT MET');
    expect(targetVerdict({ measured: Number.POSITIVE_INFINITY, bound: 'at least', target: 90 })).toBe(
      'NOT MEASURED',
    );
  });
});
