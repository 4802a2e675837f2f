/**
 * Durations in an activity's `with` (`timeout` of script, agent and deliver). Text goes through
 * the definition language's one parser, so `with: { timeout: 2m }` means what `timeout: 2m` on
 * the task means and a bare "500" is refused the same way. A JSON number is taken as
 * milliseconds: it is what a template such as `{{ input.timeout_ms }}` renders to, and the
 * unit ambiguity the parser refuses is one of text, not of a number the caller computed.
 */
import { z } from 'zod';
import { parseDuration } from '../../definition/duration.js';

/** Milliseconds of a positive duration; throws an Error saying what is wrong. */
function durationMs(value: number | string): number {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`not a positive duration: ${JSON.stringify(value)}`);
  return ms;
}

/** zod schema for a positive duration ("30s", "1h30m", or a number of milliseconds), parsed to milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return durationMs(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});
