import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * Parses "30s", "2m", "1h30m", "500ms", "1.5h" or a bare millisecond count into milliseconds.
 * Returns undefined for anything else. The definition layer has its own parser; activities keep
 * this tiny one so that a `with` value rendered at run time is checked at the edge too.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) > 0 ? Number(text) : undefined;
  if (text === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  return consumed === text.length && total > 0 ? Math.round(total) : undefined;
}

/** zod schema for a positive duration ("30s", "1h30m" or milliseconds), parsed to milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a positive duration: ${JSON.stringify(value)} (use e.g. "30s", "2m", "1h30m" or milliseconds)` });
    return z.NEVER;
  }
  return ms;
});
