/**
 * A task's `with` checked by `validate` against the very zod schema its activity parses it
 * with (SPEC §4), so a typo (`comand:`), a bad duration, an `ftp:` target, empty content or
 * an inline `api_key` is reported before a run starts — and before the value lands in
 * history — instead of failing the task at run time.
 *
 * Only what is known before the run is judged: a value holding a template is rendered at run
 * time (the activity checks it then), so problems at or inside it are left out. Client-side
 * only, like the trust checks: the interpreter keeps accepting what it accepted before.
 */
import type { z } from 'zod';
import { agentInputSchema, deliverInputSchema, httpInputSchema, scriptInputSchema } from '../activities/inputs.js';
import { taskPath } from './graph.js';
import type { Action } from './language.js';
import type { Problem } from './problems.js';
import type { LooseDefinition } from './structure.js';
import { hasTemplates, isPlainObject } from './templates.js';
import { zodProblems } from './zod-problems.js';

const SCHEMAS: Readonly<Record<Action, z.ZodType | undefined>> = {
  script: scriptInputSchema,
  agent: agentInputSchema,
  deliver: deliverInputSchema,
  http: httpInputSchema,
  noop: undefined,
  // Checked by checks.ts (event name, payload schema), which the interpreter runs too.
  wait: undefined,
  // Checked by checks.ts (file, input), which the interpreter runs too.
  graph: undefined,
};

/** Duration fields of a `with`: a literal number there is refused, as everywhere in a definition. */
const DURATION_FIELDS = ['timeout'] as const;

/** Whether the value at `path` inside `root`, or one on the way to it, is rendered at run time. */
function rendered(root: unknown, path: readonly PropertyKey[]): boolean {
  let value = root;
  for (const key of path) {
    if (hasTemplates(value) && typeof value === 'string') return true;
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isPlainObject(value) && typeof key === 'string') value = Object.hasOwn(value, key) ? value[key] : undefined;
    else return false;
  }
  return typeof value === 'string' && hasTemplates(value);
}

/** Every problem of every task's literal `with`, at `tasks.<name>.with.…`. */
export function withProblems(definition: LooseDefinition): Problem[] {
  return Object.entries(definition.tasks ?? {}).flatMap(([name, task]) => {
    const schema = task.action === undefined ? undefined : SCHEMAS[task.action];
    const value = task.with ?? {};
    if (schema === undefined || !isPlainObject(value)) return [];
    const base = `${taskPath(name)}.with`;
    const problems: Problem[] = [];
    for (const field of DURATION_FIELDS) {
      const v = value[field];
      // A template may render a number of milliseconds; a number written in the text has no unit.
      if (typeof v === 'number')
        problems.push({ path: `${base}.${field}`, message: `duration ${v} has no unit: write a unit, e.g. ${v}s` });
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return problems;
    for (const issue of parsed.error.issues) {
      if (rendered(value, issue.path)) continue;
      if (DURATION_FIELDS.some((field) => issue.path[0] === field && typeof value[field] === 'number')) continue;
      // A refused field (an inline api_key) gets its own message and never echoes the value.
      if (issue.code === 'invalid_type' && issue.expected === 'never') {
        problems.push({ path: `${base}.${issue.path.map(String).join('.')}`, message: issue.message });
        continue;
      }
      // A comma list is one text to its author: point at `to`, not at a piece of it.
      const pointed = issue.path[0] === 'to' && typeof value.to === 'string' ? { ...issue, path: ['to'] } : issue;
      for (const problem of zodProblems([pointed], value, schema))
        problems.push({ path: problem.path ? `${base}.${problem.path}` : base, message: problem.message });
    }
    return problems;
  });
}
