/**
 * A forgiving, zod-free read of a definition: every field with the wrong shape becomes
 * `undefined` (and a problem) instead of failing the whole read, so that a typo in one task
 * does not hide the graph problems of every other task.
 *
 * Two readers use it. The client's full validation (validate.ts) runs zod for the exact
 * shape and this for the static checks. The interpreter workflow, which re-evaluates its
 * modules on every run and so must not build zod schemas, uses it as its cheap check of
 * what it received: the shape of every field it reads, then the same static checks.
 */
import {
  ACTIONS,
  DEFINITION_NAME_PATTERN,
  DEFINITION_NAME_RULE,
  FAILURE_MODES,
  type Action,
  type FailureMode,
} from './language.js';
import { joinPath } from './paths.js';
import type { Problem } from './problems.js';
import { didYouMean } from './suggest.js';

/**
 * The keys each level of a definition may hold; any other key is a problem, as it is for
 * the zod schema (test/unit/definition/received.test.ts keeps the two lists equal).
 */
export const KNOWN_KEYS = {
  definition: [
    'version',
    'name',
    'description',
    'input',
    'input_schema',
    'vars',
    'start',
    'timeout',
    'max_iterations',
    'on_failure',
    'tasks',
    'output',
    'graphs',
    'schedule',
  ],
  task: [
    'action',
    'description',
    'with',
    'next',
    'join',
    'items',
    'concurrency',
    'delay',
    'retry',
    'timeout',
    'heartbeat',
    'max_iterations',
  ],
  transition: ['when', 'publish', 'do'],
  retry: ['maximum_attempts', 'initial_interval', 'backoff', 'maximum_interval', 'non_retryable_errors'],
  onFailure: ['mode', 'notify'],
  notify: ['to', 'content'],
} as const;

/** One transition, read leniently. */
export interface LooseTransition {
  when?: string | undefined;
  publish?: Record<string, unknown> | undefined;
  do?: string | string[] | undefined;
}

/** One retry policy, read leniently. */
export interface LooseRetry {
  maximum_attempts?: number | undefined;
  initial_interval?: string | undefined;
  backoff?: number | undefined;
  maximum_interval?: string | undefined;
  non_retryable_errors?: string[] | undefined;
}

/** One task, read leniently. */
export interface LooseTask {
  action?: Action | undefined;
  description?: string | undefined;
  with?: Record<string, unknown> | undefined;
  next?: LooseTransition[] | undefined;
  join?: 'all' | 'first' | number | undefined;
  items?: string | undefined;
  concurrency?: number | undefined;
  delay?: string | undefined;
  retry?: LooseRetry | undefined;
  timeout?: string | undefined;
  heartbeat?: string | undefined;
  max_iterations?: number | undefined;
}

/** `on_failure`, read leniently. */
export type LooseOnFailure =
  | FailureMode
  | { mode?: FailureMode | undefined; notify?: { to?: string | undefined; content?: string | undefined } | undefined };

/** A whole definition, read leniently. */
export interface LooseDefinition {
  version?: 1 | undefined;
  name?: string | undefined;
  description?: string | undefined;
  input?: Record<string, unknown> | undefined;
  /** The input's type (input-schema.ts), checked by staticChecks. */
  input_schema?: Record<string, unknown> | undefined;
  vars?: Record<string, unknown> | undefined;
  /** Subgraph definitions by the `with.file` of the graph tasks that run them (rule 19). */
  graphs?: Record<string, unknown> | undefined;
  start?: string[] | undefined;
  timeout?: string | undefined;
  max_iterations?: number | undefined;
  on_failure?: LooseOnFailure | undefined;
  tasks?: Record<string, LooseTask> | undefined;
  output?: unknown;
  /** Client-side metadata (a Temporal Schedule's settings): carried as it is, never read here. */
  schedule?: unknown;
}

/** What a lenient read found: the readable parts, and what was wrong with the rest. */
export interface StructureRead {
  definition: LooseDefinition;
  problems: Problem[];
}

/** Reads one value at `path`; reports a problem and yields undefined when it has the wrong shape. */
type Reader<T> = (value: unknown, path: string, problems: Problem[]) => T | undefined;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function expecting<T>(what: string, accepts: (value: unknown) => value is T): Reader<T> {
  return (value, path, problems) => {
    if (accepts(value)) return value;
    problems.push({ path, message: `expected ${what}, got ${describe(value)}` });
    return undefined;
  };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = expecting('a string', (value): value is string => typeof value === 'string');
const mapping = expecting('a mapping', isMapping);
const texts = expecting(
  'a list of strings',
  (value): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string'),
);
const textOrTexts = expecting(
  'a task name or a list of them',
  (value): value is string | string[] =>
    typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')),
);
const positive = expecting(
  'a whole number of at least 1',
  (value): value is number => Number.isInteger(value) && Number(value) >= 1,
);
const count = expecting(
  'a whole number of at least 0',
  (value): value is number => Number.isInteger(value) && Number(value) >= 0,
);
const factor = expecting('a number of at least 1', (value): value is number => typeof value === 'number' && value >= 1);
const join = expecting(
  "'all', 'first' or a whole number of at least 1",
  (value): value is 'all' | 'first' | number =>
    value === 'all' || value === 'first' || (Number.isInteger(value) && Number(value) >= 1),
);
const action = expecting(`one of ${ACTIONS.join(', ')}`, (value): value is Action => ACTIONS.some((known) => known === value));
const failureMode = expecting(`one of ${FAILURE_MODES.join(', ')}`, (value): value is FailureMode =>
  FAILURE_MODES.some((known) => known === value),
);

/** Reports every key of `holder` that `known` does not list, with a "did you mean" where one is close. */
function unknownKeys(holder: Record<string, unknown>, known: readonly string[], path: string, problems: Problem[]): void {
  for (const key of Object.keys(holder)) {
    if (!known.includes(key))
      problems.push({ path: joinPath(path, key), message: `unknown key '${key}'${didYouMean(key, known)}` });
  }
}

/** Reads `holder[key]` with `read` if it is there. */
function field<T>(
  holder: Record<string, unknown>,
  key: string,
  read: Reader<T>,
  path: string,
  problems: Problem[],
): T | undefined {
  const value = holder[key];
  return value === undefined ? undefined : read(value, joinPath(path, key), problems);
}

function readTransition(value: unknown, path: string, problems: Problem[]): LooseTransition {
  // A broken transition keeps its index so that later paths stay right.
  const holder = mapping(value, path, problems) ?? {};
  unknownKeys(holder, KNOWN_KEYS.transition, path, problems);
  return {
    when: field(holder, 'when', text, path, problems),
    publish: field(holder, 'publish', mapping, path, problems),
    do: field(holder, 'do', textOrTexts, path, problems),
  };
}

function readRetry(value: unknown, path: string, problems: Problem[]): LooseRetry | undefined {
  const holder = mapping(value, path, problems);
  if (holder === undefined) return undefined;
  unknownKeys(holder, KNOWN_KEYS.retry, path, problems);
  return {
    maximum_attempts: field(holder, 'maximum_attempts', count, path, problems),
    initial_interval: field(holder, 'initial_interval', text, path, problems),
    backoff: field(holder, 'backoff', factor, path, problems),
    maximum_interval: field(holder, 'maximum_interval', text, path, problems),
    non_retryable_errors: field(holder, 'non_retryable_errors', texts, path, problems),
  };
}

function readTask(value: unknown, path: string, problems: Problem[]): LooseTask {
  const holder = mapping(value, path, problems) ?? {};
  unknownKeys(holder, KNOWN_KEYS.task, path, problems);
  const next = field(holder, 'next', expecting('a list of transitions', Array.isArray), path, problems);
  const task: LooseTask = {
    action: holder.action === undefined ? undefined : action(holder.action, joinPath(path, 'action'), problems),
    description: field(holder, 'description', text, path, problems),
    with: field(holder, 'with', mapping, path, problems),
    next: next?.map((transition, index) => readTransition(transition, joinPath(joinPath(path, 'next'), index), problems)),
    join: field(holder, 'join', join, path, problems),
    items: field(holder, 'items', text, path, problems),
    concurrency: field(holder, 'concurrency', positive, path, problems),
    delay: field(holder, 'delay', text, path, problems),
    retry: field(holder, 'retry', readRetry, path, problems),
    timeout: field(holder, 'timeout', text, path, problems),
    heartbeat: field(holder, 'heartbeat', text, path, problems),
    max_iterations: field(holder, 'max_iterations', positive, path, problems),
  };
  if (holder.action === undefined && isMapping(value))
    problems.push({ path: joinPath(path, 'action'), message: `missing: one of ${ACTIONS.join(', ')}` });
  return task;
}

function readOnFailure(value: unknown, path: string, problems: Problem[]): LooseOnFailure | undefined {
  if (typeof value === 'string') return failureMode(value, path, problems);
  const holder = mapping(value, path, problems);
  if (holder === undefined) return undefined;
  unknownKeys(holder, KNOWN_KEYS.onFailure, path, problems);
  const notifyPath = joinPath(path, 'notify');
  const notify = field(holder, 'notify', mapping, path, problems);
  if (notify !== undefined) unknownKeys(notify, KNOWN_KEYS.notify, notifyPath, problems);
  if (notify !== undefined && notify.to === undefined)
    problems.push({ path: joinPath(notifyPath, 'to'), message: 'missing: the delivery target' });
  return {
    mode: field(holder, 'mode', failureMode, path, problems),
    notify:
      notify === undefined
        ? undefined
        : { to: field(notify, 'to', text, notifyPath, problems), content: field(notify, 'content', text, notifyPath, problems) },
  };
}

function readTasks(value: unknown, path: string, problems: Problem[]): Record<string, LooseTask> | undefined {
  const holder = mapping(value, path, problems);
  if (holder === undefined) return undefined;
  return Object.fromEntries(Object.entries(holder).map(([name, task]) => [name, readTask(task, joinPath(path, name), problems)]));
}

/** Reads a parsed definition leniently; `problems` lists every field whose shape is wrong. */
export function readStructure(value: unknown): StructureRead {
  const problems: Problem[] = [];
  const holder = mapping(value, '', problems) ?? {};
  unknownKeys(holder, KNOWN_KEYS.definition, '', problems);
  const name = field(holder, 'name', text, '', problems);
  if (name !== undefined && !DEFINITION_NAME_PATTERN.test(name)) problems.push({ path: 'name', message: DEFINITION_NAME_RULE });
  if (holder.version !== 1) problems.push({ path: 'version', message: `expected 1, got ${describe(holder.version)}` });
  if (isMapping(value) && holder.name === undefined) problems.push({ path: 'name', message: 'missing: the graph name' });
  if (isMapping(value) && holder.tasks === undefined)
    problems.push({ path: 'tasks', message: 'missing: the tasks of the graph' });
  const definition: LooseDefinition = {
    version: holder.version === 1 ? 1 : undefined,
    name,
    description: field(holder, 'description', text, '', problems),
    input: field(holder, 'input', mapping, '', problems),
    input_schema: field(holder, 'input_schema', mapping, '', problems),
    vars: field(holder, 'vars', mapping, '', problems),
    graphs: field(holder, 'graphs', mapping, '', problems),
    start: field(holder, 'start', texts, '', problems),
    timeout: field(holder, 'timeout', text, '', problems),
    max_iterations: field(holder, 'max_iterations', positive, '', problems),
    on_failure: field(holder, 'on_failure', readOnFailure, '', problems),
    tasks: field(holder, 'tasks', readTasks, '', problems),
    output: holder.output,
    // The interpreter ignores it; the client's validation checks it (validate.ts).
    schedule: holder.schedule,
  };
  return { definition, problems };
}
