/**
 * Fan-out (SPEC §3 rule 9): a task with `items` runs its action once per item, at most
 * `concurrency` at a time. Its result is the item results in item order. The first failed
 * item stops new items from starting; the task fails once the running ones have ended.
 */
import { compileExpression, parseTemplate, taskPath, type Scope } from '../definition/index.js';
import type { ReportedError } from './events.js';
import type { FanOut } from './state.js';
import type { RunOutcome } from './transitions.js';

/** Evaluates a task's `items` (braces optional) into a list; a single value is a list of one. */
export async function evaluateItems(task: string, source: string, scope: Scope): Promise<unknown[]> {
  const path = `${taskPath(task)}.items`;
  const expression = parseTemplate(source, path).single ?? source.trim();
  const value = await compileExpression(expression, path).evaluate(scope, path);
  // JSONata yields a lone value for a one-element sequence and undefined for an empty one.
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}

/** A fresh fan-out over `items`. */
export function newFanOut(items: unknown[], concurrency: number | undefined): FanOut {
  return { items, results: [], next: 0, running: 0, done: 0, limit: concurrency ?? Math.max(1, items.length) };
}

/** The item indexes that may start now, claimed (counted as running). */
export function claimItems(fanout: FanOut): number[] {
  const claimed: number[] = [];
  while (fanout.failure === undefined && fanout.running < fanout.limit && fanout.next < fanout.items.length) {
    claimed.push(fanout.next);
    fanout.next += 1;
    fanout.running += 1;
  }
  return claimed;
}

/** Records an item's end; the first failure is kept. */
export function recordItem(
  fanout: FanOut,
  index: number,
  outcome: { ok: true; result: unknown } | { ok: false; error: ReportedError; attempts: number },
): void {
  fanout.running -= 1;
  fanout.done += 1;
  if (outcome.ok) fanout.results[index] = outcome.result;
  else if (fanout.failure === undefined) {
    fanout.failure = { index, message: outcome.error.message, attempts: outcome.attempts };
    if (outcome.error.type !== undefined) fanout.failure.type = outcome.error.type;
  }
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
