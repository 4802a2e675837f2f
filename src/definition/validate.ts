/**
 * Validation of a definition value: all problems at once, each with its path.
 *
 * - {@link validateDefinition} is the full check the client runs before anything starts:
 *   the exact shape (zod) plus every static check.
 * - {@link checkReceived} is the interpreter's own check of what it was handed: the shape of
 *   every field it reads (structure.ts) plus the same static checks, without zod, because a
 *   workflow re-evaluates its modules on every run and building the schemas costs more than
 *   the rest of a short run. It lives in received.ts, which the workflow imports.
 */
import { staticChecks } from './checks.js';
import { buildGraph, type Graph } from './graph.js';
import { orderProblems } from './problems.js';
import type { ValidationResult } from './received.js';
import { DefinitionSchema } from './schema.js';
import { readStructure, type LooseDefinition } from './structure.js';
import { taskPath } from './graph.js';
import { formatDuration, parseDuration } from './duration.js';
import { DEFAULTS } from './language.js';
import { isPlainObject } from './templates.js';
import { literalFieldProblems } from './trust.js';
import { withProblems } from './with.js';
import { inputSchemaProblems, runInputProblems } from './input-schema.js';
import { zodProblems } from './zod-problems.js';
import { optionsFromBlock, underPath, validateScheduleOptions } from '../schedules/options.js';
import { joinPath } from './paths.js';
import type { Problem } from './problems.js';

export { checkReceived, type ValidationResult, type ValidDefinition } from './received.js';

/**
 * Validates a parsed definition. Shape problems come from zod; the static checks then run on
 * whatever could be read, even where the shape is wrong, so that one pass reports everything.
 */
export function validateDefinition(value: unknown): ValidationResult {
  const strict = DefinitionSchema.safeParse(value);
  const problems = strict.success ? [] : zodProblems(strict.error.issues, value, DefinitionSchema);
  const built: { graph?: Graph } = {};
  // Nothing to check structurally in a document that is not a mapping; zod has said so.
  if (isPlainObject(value)) {
    const loose = readStructure(value).definition;
    problems.push(
      ...sizeProblems(loose),
      ...staticChecks(loose, built),
      ...trustProblems(loose),
      ...timeoutProblems(loose),
      ...withProblems(loose),
      ...scheduleProblems(loose),
    );
  }
  if (strict.success && problems.length === 0)
    return { ok: true, definition: strict.data, graph: built.graph ?? buildGraph(strict.data) };
  return { ok: false, problems: orderProblems(problems) };
}

/**
 * How many tasks a run takes. The whole definition travels as workflow input, is checked and
 * compiled at each start and continue-as-new inside one workflow task, and is carried beside
 * the state: 10,000 chained tasks (1.1 MB) start and finish in about 3 s on two busy cores,
 * within the SDK's 5 s limit per workflow task, so this leaves room. Client-side: the
 * interpreter keeps accepting what it accepted before. (The payload size itself is checked
 * where the run is started, with its input.)
 */
export const MAX_TASKS = 10_000;

function sizeProblems(definition: LooseDefinition) {
  const count = Object.keys(definition.tasks ?? {}).length;
  if (count <= MAX_TASKS) return [];
  return [
    {
      path: 'tasks',
      message: `${count.toLocaleString('en')} tasks: a run takes at most ${MAX_TASKS.toLocaleString('en')} (the whole definition is checked inside one workflow task at each start and continue-as-new); split it into smaller graphs`,
    },
  ];
}

/**
 * Templates in fields that are code or route secrets (trust.ts). Checked here, before a run
 * starts; the interpreter does not refuse them (runs started earlier must still replay) but
 * passes them on as literal text.
 */
function trustProblems(definition: LooseDefinition) {
  return Object.entries(definition.tasks ?? {}).flatMap(([name, task]) =>
    task.action === undefined ? [] : literalFieldProblems(task.action, task.with, taskPath(name)),
  );
}

/**
 * A `with.timeout` (the activity's own limit) longer than the task's `timeout` (the attempt's
 * start-to-close timeout, default 10m) would never apply: Temporal stops the attempt first,
 * with a less precise error. Client-side like trustProblems, for the same reason.
 */
function timeoutProblems(definition: LooseDefinition) {
  return Object.entries(definition.tasks ?? {}).flatMap(([name, task]) => {
    const own = isPlainObject(task.with) ? task.with.timeout : undefined;
    const ownMs =
      typeof own === 'number' ? own : typeof own === 'string' && !own.includes('{{') ? durationOrUndefined(own) : undefined;
    const taskMs = durationOrUndefined(task.timeout ?? DEFAULTS.timeout);
    if (ownMs === undefined || taskMs === undefined || ownMs <= taskMs) return [];
    return [
      {
        path: `${taskPath(name)}.with.timeout`,
        message: `${formatDuration(ownMs)} is longer than the task's timeout (${formatDuration(taskMs)}), which would stop the attempt first: raise the task's timeout or lower this one`,
      },
    ];
  });
}

/**
 * A `schedule:` block gets the checks `switchyard schedule create` gives its flags (cron
 * syntax, time zone, durations, one of cron/every/at), and its `input` the check of `--input`:
 * only keys the definition declares, matching its input_schema when it has one.
 */
function scheduleProblems(definition: LooseDefinition): Problem[] {
  const block = definition.schedule;
  if (!isPlainObject(block)) return [];
  const problems = validateScheduleOptions(optionsFromBlock(block), { label: underPath('schedule') });
  if (definition.input_schema !== undefined) {
    // A broken declaration is reported by the static checks; nothing to check against.
    if (inputSchemaProblems(definition.input_schema).length > 0) return problems;
    // Every fired run gets this input: it must match the input_schema whole (SPEC rule 20).
    const input = isPlainObject(block.input) ? block.input : {};
    const bad = runInputProblems(definition, { ...definition.input, ...input }, { path: 'schedule.input' });
    return [...problems, ...bad];
  }
  if (isPlainObject(block.input)) {
    const known = Object.keys(definition.input ?? {});
    for (const key of Object.keys(block.input).filter((name) => !known.includes(name))) {
      problems.push({
        path: joinPath('schedule.input', key),
        message: `not an input of this definition (${known.length === 0 ? 'it declares no input' : `its inputs are ${known.join(', ')}`}); declare it under input: with a default`,
      });
    }
  }
  return problems;
}

/** A duration's milliseconds, or undefined where it does not parse (reported elsewhere). */
function durationOrUndefined(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}
