/**
 * The expression API the interpreter uses: compile, render templates, decide `when`.
 * JSONata (SPEC §3); see compile.ts for what the scope looks like to an expression.
 */
import { compileExpression, jsonataBoolean, type Scope } from './compile.js';
import { parseTemplate } from './templates.js';
import { WHEN_KEYWORDS, type WhenKeyword } from './language.js';

export {
  compileExpression,
  compiledExpressionCount,
  ExpressionError,
  jsonataBoolean,
  type CompiledExpression,
  type Scope,
} from './compile.js';
export { checkTemplates, hasTemplates, parseTemplate, renderTemplate } from './templates.js';

/** The outcome of a task, as `when` sees it. */
export type TaskOutcome = 'succeeded' | 'failed';

/** True if `text` is one of the words `succeeded`, `failed`, `completed`. */
export function isWhenKeyword(text: string): text is WhenKeyword {
  return WHEN_KEYWORDS.some((keyword) => keyword === text.trim());
}

/**
 * The JSONata source of a non-keyword `when`. Authors write both `ctx.n > 3` and
 * `{{ ctx.n > 3 }}`; both mean the same, so the braces are optional.
 */
export function whenExpressionSource(when: string, path: string): string {
  const template = parseTemplate(when, path);
  return template.single ?? when.trim();
}

/**
 * Decides whether a transition's `when` holds for a task that ended with `status`.
 * Missing means `succeeded`; the keywords match the outcome (`completed` matches both) and
 * are decided synchronously. An expression is evaluated whatever the outcome, so it can
 * also route failures; it sees the booleans `succeeded` and `failed` (also `$succeeded`,
 * `$failed`) to say which, as in `failed and ctx.tries < 3`, and its value is cast with
 * JSONata's `$boolean` rules.
 */
export function evaluateWhen(
  when: string | undefined,
  status: TaskOutcome,
  scope: Scope,
  path: string,
): boolean | Promise<boolean> {
  const word = when?.trim() ?? 'succeeded';
  if (word === 'completed') return true;
  if (word === 'succeeded' || word === 'failed') return word === status;
  const source = whenExpressionSource(word, path);
  const task = scope.task === undefined ? undefined : { ...scope.task, status };
  const outcome = { succeeded: status === 'succeeded', failed: status === 'failed' };
  return compileExpression(source, path)
    .evaluate({ ...scope, task }, path, outcome)
    .then((value) => jsonataBoolean(value));
}
