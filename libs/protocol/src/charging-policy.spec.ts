import { describe, expect, it } from 'vitest';
import { isChargeableStatus } from './charging-policy';

describe('isChargeableStatus', () => {
  it('charges successes and redirects only', () => {
    expect([200, 201, 204, 206, 301, 304, 399].map(isChargeableStatus)).toEqual(Array(7).fill(true));
    expect([100, 199, 400, 402, 404, 429, 499, 500, 502, 504].map(isChargeableStatus)).toEqual(
      Array(10).fill(false),
    );
  });
});
