import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/definition/duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1.5h', 5_400_000],
    [' 10s ', 10_000],
    ['0s', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses a bare number and says which unit to write', () => {
    expect(() => parseDuration('90')).toThrow(/write a unit, e\.g\. 90s/);
  });

  it.each(['', 'forever', '5x', '1 h', '-5s', 's', '1s1s', '30m1h', '5S'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(Error);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [5_000, '5s'],
    [5_400_000, '1h30m'],
    [86_400_000 + 1, '1d1ms'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 61_000, 3_723_004, 172_800_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('refuses negative and non-finite values', () => {
    expect(() => formatDuration(-1)).toThrow();
    expect(() => formatDuration(Number.NaN)).toThrow();
  });
});
