/**
 * Which `with` fields are code or decide where secrets go, and so are never rendered
 * (SPEC §3 rule 15). Run input, script output and API answers are untrusted: they may fill
 * argv items after the program, env values, stdin and message content, but never the
 * program, shell text, the folder a script runs in, where a secret is read from or the API
 * it is sent to. Those come from the definition's own text (or the worker's settings).
 *
 * `validate` refuses a template in these fields. The interpreter, which must keep replaying
 * runs started before this rule, passes them to the activity as the literal text they are:
 * `echo {{ input.topic }}` as shell text echoes the braces, it never runs the input.
 */
import type { Action } from './language.js';
import { formatPath, type PathSegment } from './paths.js';
import type { Problem } from './problems.js';
import { hasTemplates, isPlainObject } from './templates.js';

/** One literal-only place in a task's `with`, and why. */
interface LiteralField {
  path: readonly PathSegment[];
  why: string;
}

const SECRET_ROUTE =
  'where a secret is read and where it is sent come from the definition text or the worker, never from a run: write it literally';

/** The literal-only fields of each action's `with`. */
export const LITERAL_FIELDS: Readonly<Record<Action, readonly LiteralField[]>> = {
  script: [
    { path: ['command', 0], why: 'the program is never rendered: values may fill the arguments after it' },
    { path: ['shell'], why: 'shell text is never rendered: pass values as env (env:) or positional args (args:, $1, $2, …)' },
    { path: ['cwd'], why: 'the folder a script runs in is never rendered: a relative program would run from it' },
  ],
  agent: [
    { path: ['base_url'], why: SECRET_ROUTE },
    { path: ['api_key_env'], why: SECRET_ROUTE },
  ],
  deliver: [{ path: ['secret_env'], why: SECRET_ROUTE }],
  noop: [],
};

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') current = Array.isArray(current) ? current[segment] : undefined;
    else current = isPlainObject(current) ? current[segment] : undefined;
  }
  return current;
}

/** A template in a literal-only field of a task's `with`: one problem each, at `base.with.…`. */
export function literalFieldProblems(action: Action, withValue: unknown, base: string): Problem[] {
  return LITERAL_FIELDS[action].flatMap(({ path, why }) =>
    hasTemplates(valueAt(withValue, path)) ? [{ path: `${base}.${formatPath(['with', ...path])}`, message: why }] : [],
  );
}

/**
 * `rendered` (a task's rendered `with`) with every literal-only field put back as `original`
 * wrote it. Returns `rendered` itself when no such field held a template.
 */
export function keepLiterals(action: Action, original: unknown, rendered: unknown): unknown {
  const fields = LITERAL_FIELDS[action].filter(({ path }) => hasTemplates(valueAt(original, path)));
  if (fields.length === 0 || !isPlainObject(rendered)) return rendered;
  const kept: Record<string, unknown> = { ...rendered };
  for (const { path } of fields) {
    const [head, index] = path;
    if (typeof head !== 'string') continue;
    if (index === undefined) kept[head] = valueAt(original, path);
    else {
      const current = kept[head];
      if (typeof index !== 'number' || !Array.isArray(current)) continue;
      const list: unknown[] = [...current];
      list[index] = valueAt(original, path);
      kept[head] = list;
    }
  }
  return kept;
}
