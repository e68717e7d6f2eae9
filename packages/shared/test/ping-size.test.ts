import { describe, expect, it } from 'vitest';
import { MAX_PING_SIZE, MeasureRequest, PingSize } from '../src/index.js';

describe('a ping size (ICMP payload bytes)', () => {
  it('takes a whole number from 0 to the largest IPv4 payload', () => {
    for (const n of [0, 56, 1472, 1473, MAX_PING_SIZE]) expect(PingSize.parse(n)).toBe(n);
  });

  it('refuses anything else with a reason in words', () => {
    for (const bad of [-1, 1.5, MAX_PING_SIZE + 1, Number.NaN, '1400', null]) {
      const r = PingSize.safeParse(bad);
      expect(r.success, String(bad)).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/ping size is/);
    }
  });

  it('is optional in a Measure request, and nothing else is taken', () => {
    expect(MeasureRequest.parse({})).toEqual({});
    expect(MeasureRequest.parse({ size: 1400 })).toEqual({ size: 1400 });
    expect(MeasureRequest.safeParse({ size: 1400, count: 3 }).success).toBe(false);
  });
});
