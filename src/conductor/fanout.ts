/**
 * Fan-out (SPEC §3 rule 9): a task with `items` runs its action once per item, at most
 * `concurrency` at a time. Its result is the item results in item order. The first failed
 * item stops new items from starting; the task fails once the running ones have ended.
 * Pure functions over one {@link FanOut}, each returning a new value.
 */
import { compileExpression, parseTemplate, type Scope } from '../definition/core.js';
import type { ReportedError } from './events.js';
import type { FanOut } from './state.js';

/** A task run's outcome: how it ended, with what, after how many attempts. */
export type RunOutcome =
  { status: 'succeeded'; result: unknown; attempts: number } | { status: 'failed'; error: ReportedError; attempts: number };

/** Evaluates a task's `items` (braces optional) into a list; a single value is a list of one. */
export async function evaluateItems(source: string, scope: Scope, path: string): Promise<unknown[]> {
  const expression = parseTemplate(source, path).single ?? source.trim();
  const value = await compileExpression(expression, path).evaluate(scope, path);
  // JSONata yields a lone value for a one-element sequence and undefined for an empty one.
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}

/** A fresh fan-out over `items`. */
export function newFanOut(items: readonly unknown[], concurrency: number | undefined): FanOut {
  return { items, results: [], next: 0, running: 0, done: 0, limit: concurrency ?? Math.max(1, items.length) };
}

/** The item indexes that may start now, and the fan-out with them counted as running. */
export function claimItems(fanout: FanOut): { fanout: FanOut; claimed: number[] } {
  const claimed: number[] = [];
  if (fanout.failure === undefined) {
    const free = Math.max(0, Math.min(fanout.limit - fanout.running, fanout.items.length - fanout.next));
    for (let index = fanout.next; index < fanout.next + free; index++) claimed.push(index);
  }
  return { fanout: { ...fanout, next: fanout.next + claimed.length, running: fanout.running + claimed.length }, claimed };
}

/** Records an item's end; the first failure is kept. */
export function recordItem(
  fanout: FanOut,
  index: number,
  outcome: { ok: true; result: unknown } | { ok: false; error: ReportedError; attempts: number },
): FanOut {
  const ended = { ...fanout, running: fanout.running - 1, done: fanout.done + 1 };
  if (outcome.ok) {
    const results = [...fanout.results];
    results[index] = outcome.result;
    return { ...ended, results };
  }
  if (fanout.failure !== undefined) return ended;
  const { message, type } = outcome.error;
  return { ...ended, failure: { index, message, attempts: outcome.attempts, ...(type === undefined ? {} : { type }) } };
}

/** The task's outcome once the fan-out is over, else undefined (items still running or to start). */
export function fanOutOutcome(fanout: FanOut): RunOutcome | undefined {
  if (fanout.running > 0) return undefined;
  const { failure } = fanout;
  if (failure !== undefined) {
    const error: ReportedError = { message: `item ${failure.index} failed: ${failure.message}` };
    if (failure.type !== undefined) error.type = failure.type;
    return { status: 'failed', error, attempts: failure.attempts };
  }
  if (fanout.done < fanout.items.length) return undefined;
  // JSON has no holes; an item whose activity returned nothing reads as null.
  const result = fanout.items.map((_, index) => fanout.results[index] ?? null);
  return { status: 'succeeded', result, attempts: 1 };
}
