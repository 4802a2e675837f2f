/**
 * Static checks beyond the shape: names, graph structure, joins, transitions, expressions and
 * durations (SPEC §3). They read the lenient model, so they run even where zod failed, and each
 * returns every problem it finds rather than stopping at the first.
 */
import { parseDuration } from './duration.js';
import { checkTemplates, compileExpression, ExpressionError, isWhenKeyword, whenExpressionSource } from './expressions.js';
import {
  buildGraph,
  doList,
  doPath,
  FAIL_TARGET,
  isBuiltinTarget,
  isReservedTaskName,
  NOOP_TARGET,
  reachableFrom,
  subgraphKey,
  taskPath,
  type Graph,
} from './graph.js';
import type { LooseDefinition, LooseTask, LooseTransition } from './structure.js';
import { formatPath, joinPath } from './paths.js';
import type { Problem } from './problems.js';
import { EVENT_NAME_PATTERN, RESERVED_EVENT_NAMES, RESERVED_TASK_NAMES, TASK_NAME_PATTERN } from './language.js';
import { payloadSchemaProblems } from './payload-schema.js';
import { hasTemplates, isPlainObject } from './templates.js';
import { didYouMean } from './suggest.js';
import { inputSchemaProblems, runInputProblems } from './input-schema.js';

/**
 * Runs every static check on a leniently read definition. The graph it builds on the way is
 * left in `built.graph`, so a caller whose definition passes need not build it again.
 */
export function staticChecks(def: LooseDefinition, built: { graph?: Graph } = {}): Problem[] {
  const tasks = def.tasks;
  if (tasks === undefined) return [];
  const names = Object.keys(tasks);
  const problems: Problem[] = [...checkNames(names), ...checkStart(def.start, names)];
  // A set: `includes` on the list would make the checks quadratic in the number of tasks.
  const known = new Set(names);
  for (const [name, task] of Object.entries(tasks)) problems.push(...checkTask(name, task, known, def.graphs));
  problems.push(...checkDuration(def.timeout, 'timeout'), ...checkInputSchema(def));
  problems.push(...expressionProblems(checkTemplates(def.output, 'output')));
  const notify = typeof def.on_failure === 'object' ? def.on_failure.notify : undefined;
  if (notify !== undefined) {
    problems.push(...expressionProblems(checkTemplates(notify.to, 'on_failure.notify.to')));
    problems.push(...expressionProblems(checkTemplates(notify.content, 'on_failure.notify.content')));
  }
  if (names.length === 0) return [...problems, { path: 'tasks', message: 'no tasks: a definition needs at least one' }];
  const graph = buildGraph({ start: def.start, tasks });
  built.graph = graph;
  return [...problems, ...checkGraph(graph, def.start, tasks)];
}

/** The input_schema declaration (SPEC rule 20), then the `input:` defaults against it. */
function checkInputSchema(def: LooseDefinition): Problem[] {
  if (def.input_schema === undefined) return [];
  const declaration = inputSchemaProblems(def.input_schema);
  if (declaration.length > 0) return declaration;
  return runInputProblems(def, def.input ?? {}, { partial: true });
}

function checkNames(names: readonly string[]): Problem[] {
  return names.flatMap((name): Problem[] => {
    if (isReservedTaskName(name)) {
      return [
        { path: taskPath(name), message: `'${name}' is a reserved name (${RESERVED_TASK_NAMES.join(', ')}); rename the task` },
      ];
    }
    if (Object.hasOwn(Object.prototype, name)) {
      // Task names are keys of plain objects (results, iterations, the summary): one that
      // every object already has would read as that inherited value.
      return [{ path: taskPath(name), message: `'${name}' is a name every JavaScript object already has; rename the task` }];
    }
    if (!TASK_NAME_PATTERN.test(name)) {
      return [
        {
          path: taskPath(name),
          message: `invalid task name '${name}': use letters, digits and _, not starting with a digit, so that expressions can say results.${name.replace(/[^A-Za-z0-9_]/g, '_')}`,
        },
      ];
    }
    return [];
  });
}

function checkStart(start: readonly string[] | undefined, names: readonly string[]): Problem[] {
  if (start === undefined) return [];
  if (start.length === 0) return [{ path: 'start', message: 'start lists no tasks: remove it or name the entry points' }];
  const known = new Set(names);
  const firstAt = new Map<string, number>();
  start.forEach((name, index) => firstAt.set(name, firstAt.get(name) ?? index));
  return start.flatMap((name, index): Problem[] => {
    const path = formatPath(['start', index]);
    if (firstAt.get(name) !== index) return [{ path, message: `'${name}' is listed twice` }];
    if (known.has(name)) return [];
    if (isBuiltinTarget(name)) return [{ path, message: `'${name}' cannot be an entry point` }];
    return [{ path, message: `unknown task '${name}'${didYouMean(name, names)}` }];
  });
}

function checkTask(
  name: string,
  task: LooseTask,
  names: ReadonlySet<string>,
  graphs: Readonly<Record<string, unknown>> | undefined,
): Problem[] {
  const problems: Problem[] = [];
  (task.next ?? []).forEach((transition, index) => problems.push(...checkTransition(name, index, transition, names)));
  problems.push(...checkDeadTransitions(name, task.next ?? []));
  if (task.action === 'wait') problems.push(...checkWait(name, task));
  else if (task.action === 'graph') problems.push(...checkGraphTask(name, task, graphs));
  else problems.push(...expressionProblems(checkTemplates(task.with, taskPath(name, 'with'))));
  if (task.items !== undefined) problems.push(...expressionProblems(compileProblems(task.items, taskPath(name, 'items'))));
  if (task.concurrency !== undefined && task.items === undefined) {
    problems.push({ path: taskPath(name, 'concurrency'), message: 'concurrency limits a fan-out: it needs items' });
  }
  for (const field of ['delay', 'timeout', 'heartbeat'] as const)
    problems.push(...checkDuration(task[field], taskPath(name, field)));
  const retry = task.retry;
  if (retry !== undefined) {
    const initial = checkDuration(retry.initial_interval, taskPath(name, 'retry', 'initial_interval'));
    const maximum = checkDuration(retry.maximum_interval, taskPath(name, 'retry', 'maximum_interval'));
    problems.push(...initial, ...maximum);
    if (initial.length === 0 && maximum.length === 0 && retry.maximum_interval !== undefined) {
      const lower = retry.initial_interval === undefined ? 1_000 : parseDuration(retry.initial_interval);
      if (parseDuration(retry.maximum_interval) < lower) {
        problems.push({
          path: taskPath(name, 'retry', 'maximum_interval'),
          message: 'maximum_interval is shorter than initial_interval',
        });
      }
    }
  }
  return problems;
}

/** The fields of a wait task's `with`. */
const WAIT_FIELDS = ['event', 'schema'] as const;
/** Task fields that configure an activity or a fan-out, which a wait does not run. */
const NOT_FOR_WAIT = ['items', 'concurrency', 'retry', 'heartbeat'] as const;

/**
 * `action: wait` (SPEC §3 rule 17): `with: { event, schema? }`, all literal — the event name
 * is the run's Update name and the schema judges untrusted payloads, so neither is ever
 * rendered from run data.
 */
function checkWait(name: string, task: LooseTask): Problem[] {
  const problems: Problem[] = [];
  for (const field of NOT_FOR_WAIT)
    if (task[field] !== undefined)
      problems.push({ path: taskPath(name, field), message: `a wait task runs no activity and no fan-out: remove ${field}` });
  const spec = task.with;
  const path = taskPath(name, 'with');
  if (!isPlainObject(spec)) return [...problems, { path, message: 'a wait task needs with: { event: NAME }' }];
  for (const key of Object.keys(spec))
    if (!WAIT_FIELDS.some((field) => field === key))
      problems.push({ path: joinPath(path, key), message: `unknown key '${key}'${didYouMean(key, [...WAIT_FIELDS])}` });
  if (hasTemplates(spec))
    problems.push({ path, message: "a wait's event and schema are never rendered from run data: write them literally" });
  const event = spec.event;
  if (typeof event !== 'string') problems.push({ path: joinPath(path, 'event'), message: 'missing: the event name to wait for' });
  else if (!EVENT_NAME_PATTERN.test(event))
    problems.push({
      path: joinPath(path, 'event'),
      message: `invalid event name '${event}': use letters, digits, _ and -, not starting with a digit or -`,
    });
  else if (RESERVED_EVENT_NAMES.some((reserved) => reserved === event))
    problems.push({
      path: joinPath(path, 'event'),
      message: `'${event}' is reserved for the run's own controls (${RESERVED_EVENT_NAMES.join(', ')}); rename the event`,
    });
  if (spec.schema !== undefined) problems.push(...payloadSchemaProblems(spec.schema, joinPath(path, 'schema')));
  return problems;
}

/** The fields of a graph task's `with`. */
const GRAPH_FIELDS = ['file', 'name', 'input'] as const;

/**
 * `action: graph` (SPEC §3 rule 19): `with: { file, input? }`. The file is literal and must
 * have been resolved into the definition's `graphs` when it was loaded (so the child
 * definition travels with the parent, rule 12); `input` may hold templates.
 */
function checkGraphTask(name: string, task: LooseTask, graphs: Readonly<Record<string, unknown>> | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const field of ['retry', 'heartbeat'] as const)
    if (task[field] !== undefined)
      problems.push({
        path: taskPath(name, field),
        message: `a graph task runs a child workflow, not an activity: remove ${field} (its tasks have their own)`,
      });
  const spec = task.with;
  const path = taskPath(name, 'with');
  if (!isPlainObject(spec))
    return [...problems, { path, message: 'a graph task needs with: { file: PATH } or with: { name: NAME }' }];
  for (const key of Object.keys(spec))
    if (!GRAPH_FIELDS.some((field) => field === key))
      problems.push({ path: joinPath(path, key), message: `unknown key '${key}'${didYouMean(key, [...GRAPH_FIELDS])}` });
  const field = spec.file === undefined && spec.name !== undefined ? 'name' : 'file';
  const ref = spec[field];
  if (spec.file !== undefined && spec.name !== undefined)
    problems.push({ path: joinPath(path, 'name'), message: 'a graph task names its definition by file or by name, not both' });
  else if (typeof ref !== 'string' || ref.trim() === '')
    problems.push({
      path: joinPath(path, field),
      message: 'missing: the definition to run: file (relative to this one) or name (its name:, in a file next to this one)',
    });
  else if (hasTemplates(ref))
    problems.push({
      path: joinPath(path, field),
      message: 'the definition a graph task runs is never rendered from run data: write it literally',
    });
  else if (graphs?.[subgraphKey(spec) ?? ''] === undefined)
    problems.push({
      path: joinPath(path, field),
      message: `'${ref}' is not resolved into this definition: load it from its file (switchyard validate/run FILE) so the subgraph travels with it`,
    });
  if (spec.input !== undefined && !isPlainObject(spec.input))
    problems.push({
      path: joinPath(path, 'input'),
      message: 'input is a mapping of the child run input; values may be templates',
    });
  else problems.push(...expressionProblems(checkTemplates(spec.input, joinPath(path, 'input'))));
  return problems;
}

function checkTransition(from: string, index: number, transition: LooseTransition, names: ReadonlySet<string>): Problem[] {
  const path = taskPath(from, 'next', index);
  const problems: Problem[] = [];
  if (transition.when !== undefined && !isWhenKeyword(transition.when)) {
    problems.push(...expressionProblems(compileProblems(transition.when, joinPath(path, 'when'))));
  }
  problems.push(...expressionProblems(checkTemplates(transition.publish, joinPath(path, 'publish'))));
  const targets = doList(transition);
  targets.forEach((target, position) => {
    const at = doPath(from, index, transition.do, position);
    const first = targets.indexOf(target);
    if (first !== position) problems.push({ path: at, message: `'${target}' is already listed at ${formatPath(['do', first])}` });
    else if (target === NOOP_TARGET && targets.length > 1) {
      problems.push({
        path: at,
        message: `'${NOOP_TARGET}' ends the branch, so it is listed alone: remove it or the other targets`,
      });
    } else if (target === 'continue') {
      problems.push({ path: at, message: `'continue' is not a target: '${NOOP_TARGET}' ends the branch, or leave 'do' out` });
    } else if (!isBuiltinTarget(target) && !names.has(target)) {
      problems.push({ path: at, message: `unknown task '${target}'${didYouMean(target, [...names, FAIL_TARGET, NOOP_TARGET])}` });
    }
  });
  return problems;
}

/**
 * The first transition whose `when` holds is taken (SPEC §3 rule 2), so a transition that only
 * matches outcomes already taken by an earlier one can never fire: almost always a mistake.
 */
function checkDeadTransitions(task: string, transitions: readonly LooseTransition[]): Problem[] {
  const takenBy: { succeeded?: number; failed?: number } = {};
  const problems: Problem[] = [];
  transitions.forEach((transition, index) => {
    const when = transition.when?.trim() ?? 'succeeded';
    const covers =
      when === 'completed'
        ? (['succeeded', 'failed'] as const)
        : when === 'succeeded' || when === 'failed'
          ? ([when] as const)
          : [];
    // An expression can hold on either outcome, so it is dead only once both are taken.
    const needs = covers.length > 0 ? covers : (['succeeded', 'failed'] as const);
    const earlier = needs.map((outcome) => takenBy[outcome]);
    if (earlier.every((at) => at !== undefined)) {
      const by = [...new Set(earlier)].map((at) => formatPath(['next', at]));
      const what = needs.length === 2 ? 'outcome' : needs[0] === 'succeeded' ? 'success' : 'failure';
      const verb = by.length === 1 ? 'takes' : 'take';
      problems.push({
        path: taskPath(task, 'next', index),
        message: `unreachable transition: ${by.join(' and ')} already ${verb} every ${what}`,
      });
    }
    for (const outcome of covers) takenBy[outcome] ??= index;
  });
  return problems;
}

function checkGraph(graph: Graph, start: readonly string[] | undefined, tasks: Readonly<Record<string, LooseTask>>): Problem[] {
  const problems: Problem[] = [];
  if (graph.entryPoints.length === 0 && start === undefined) {
    problems.push({
      path: 'tasks',
      message: 'no entry point: every task has an inbound transition; name where runs begin with start:',
    });
  }
  if (graph.entryPoints.length > 0) {
    const reachable = reachableFrom(graph);
    for (const name of graph.tasks) {
      if (!reachable.has(name)) {
        problems.push({
          path: taskPath(name),
          message: `unreachable: no transition path leads here from the entry points (${graph.entryPoints.join(', ')})`,
        });
      }
    }
  }
  for (const [name, task] of Object.entries(tasks)) {
    if (task.join === undefined) continue;
    const sources = graph.inboundSources[name] ?? [];
    const path = taskPath(name, 'join');
    if (sources.length === 0) problems.push({ path, message: `join on '${name}', which no task transitions into` });
    else if (typeof task.join === 'number' && task.join > sources.length) {
      problems.push({
        path,
        message: `join: ${task.join} waits for ${task.join} distinct sources, but only ${sources.length} (${sources.join(', ')}) transition into '${name}'`,
      });
    }
  }
  return problems;
}

function checkDuration(text: string | undefined, path: string): Problem[] {
  if (text === undefined) return [];
  try {
    parseDuration(text);
    return [];
  } catch (error) {
    return [{ path, message: error instanceof Error ? error.message : String(error) }];
  }
}

/** Compiles an expression field (`when`, `items`), whose `{{ }}` braces are optional. */
function compileProblems(text: string, path: string): ExpressionError[] {
  try {
    compileExpression(whenExpressionSource(text, path), path);
    return [];
  } catch (error) {
    if (error instanceof ExpressionError) return [error];
    throw error;
  }
}

function expressionProblems(errors: readonly ExpressionError[]): Problem[] {
  return errors.map((error) => ({ path: error.path, message: error.message.slice(error.path.length + 2) }));
}
