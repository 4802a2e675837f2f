/**
 * Conductor work that may have to wait for an expression. JSONata evaluates asynchronously,
 * but most events (a `succeeded` transition into a task whose `with` is literal, a pause, a
 * timer) need no expression at all — and inside a workflow every promise costs a recorded
 * stack trace. So the conductor is written as generators that `yield` a promise only when an
 * expression really runs; {@link finish} completes them synchronously when nothing was
 * yielded, and asynchronously only from the first expression on.
 */

/** A piece of conductor work: yields the promises it waits on, returns `T`. */
export type Work<T> = Generator<Promise<unknown>, T, unknown>;

/** Waits for `value` if it is a promise; a plain value costs nothing. */
export function* settled<T>(value: T | Promise<T>): Work<T> {
  if (!(value instanceof Promise)) return value;
  // finish() resumes the generator with exactly what this promise resolved to.
  return (yield value) as T;
}

/** Runs `work` to its end: synchronously if it never waits, else as a promise. */
export function finish<T>(work: Work<T>): T | Promise<T> {
  const first = work.next();
  return first.done === true ? first.value : resume(work, first.value);
}

async function resume<T>(work: Work<T>, waiting: Promise<unknown>): Promise<T> {
  let pending = waiting;
  for (;;) {
    const outcome = await pending.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    // A rejected expression is rethrown where the work waited, so its own try/catch sees it.
    const next = outcome.ok ? work.next(outcome.value) : work.throw(outcome.error);
    if (next.done === true) return next.value;
    pending = next.value;
  }
}
