/**
 * JSONata compilation and evaluation over a {@link Scope}. Every expression is compiled once
 * and cached by its source, because a loop may evaluate the same `when` thousands of times.
 *
 * Scope decision: an expression is evaluated with the scope object itself as the input
 * document, so `ctx.news` and `results.fetch.stdout` work as plain paths, and every scope
 * field is also bound as a variable (`$ctx`, `$input`, `$result`, ...) so that the names
 * still work inside nested paths where the context item has moved, e.g.
 * `items[$ctx.min < price]`.
 */
import jsonata from 'jsonata';

/** What an expression can see (SPEC §3): run input, context, results, the task, fan-out item, workflow. */
export interface Scope {
  input: unknown;
  ctx: Record<string, unknown>;
  /** The result of the task whose transition or output is being evaluated. */
  result?: unknown;
  /** The last result of every task that has ended, by task name. */
  results: Record<string, unknown>;
  task?: {
    name: string;
    status?: string;
    attempt?: number;
    iteration?: number;
    error?: { message: string; type?: string; attempts?: number };
  };
  /** The current element inside a fan-out (`items:`). */
  item?: unknown;
  /** The index of {@link Scope.item}. */
  index?: number;
  workflow?: { id: string; runId: string; startTime: string };
}

/** An expression that does not compile or fails to evaluate; names where it sits in the definition. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  /** Where the expression sits, e.g. `tasks.fetch.with.command[1]`. */
  readonly path: string;
  /** The JSONata source that failed. */
  readonly expression: string;

  constructor(path: string, expression: string, reason: string, options?: { cause?: unknown }) {
    super(`${path}: ${reason} in expression '${expression}'`, options);
    this.path = path;
    this.expression = expression;
  }
}

/** A compiled expression, shareable between every place that writes the same source. */
export interface CompiledExpression {
  readonly source: string;
  /**
   * Evaluates over the scope; `path` only labels errors. `extra` adds names beside the scope's
   * (`when` adds `succeeded`/`failed`). Rejects with an {@link ExpressionError}.
   */
  evaluate(scope: Scope, path: string, extra?: Readonly<Record<string, unknown>>): Promise<unknown>;
}

// Bounded so that a long-lived worker interpreting many definitions does not grow forever;
// Map keeps insertion order, so deleting the first key evicts the oldest entry.
const CACHE_LIMIT = 2_000;
const cache = new Map<string, CompiledExpression>();

/** Compiles a JSONata expression once (cached by source); throws {@link ExpressionError} on a syntax error. */
export function compileExpression(source: string, path: string): CompiledExpression {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  if (source.trim() === '') throw new ExpressionError(path, source, 'empty expression');
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(source);
  } catch (error) {
    throw new ExpressionError(path, source, describeJsonataError(error), { cause: error });
  }
  const expression: CompiledExpression = {
    source,
    async evaluate(scope, errorPath, extra) {
      try {
        if (extra === undefined) return await compiled.evaluate(scope, bindingsOf(scope));
        return await compiled.evaluate({ ...scope, ...extra }, { ...bindingsOf(scope), ...extra });
      } catch (error) {
        throw new ExpressionError(errorPath, source, describeJsonataError(error), { cause: error });
      }
    },
  };
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(source, expression);
  return expression;
}

/** How many compiled expressions are cached (for tests and diagnostics). */
export function compiledExpressionCount(): number {
  return cache.size;
}

function bindingsOf(scope: Scope): Record<string, unknown> {
  return {
    input: scope.input,
    ctx: scope.ctx,
    result: scope.result,
    results: scope.results,
    task: scope.task,
    item: scope.item,
    index: scope.index,
    workflow: scope.workflow,
  };
}

/** JSONata throws plain objects `{ code, position, token, message }`, not Errors. */
function describeJsonataError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const message = 'message' in error && typeof error.message === 'string' ? error.message : 'invalid expression';
  const code = 'code' in error && typeof error.code === 'string' ? ` (${error.code}` : '';
  const position = 'position' in error && typeof error.position === 'number' ? ` at ${error.position}` : '';
  return code === '' ? message : `${message}${code}${position})`;
}

/**
 * JSONata's boolean casting, the `$boolean()` rules: empty strings, 0, null, empty arrays and
 * objects, functions and undefined are false; an array is true if any member casts to true.
 */
export function jsonataBoolean(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'function') return false;
  if (Array.isArray(value)) return value.some((member) => jsonataBoolean(member));
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}
