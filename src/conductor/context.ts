/**
 * The run context: everything a run needs that never changes while it goes on — the
 * definition, its graph, the merged input, who the run is, and each task's settings
 * resolved once (durations to milliseconds, retry policies, join sources). Built once per
 * run and once per continue-as-new, never cloned and never carried in the state.
 * Expressions are compiled once by the definition's cache (compile.ts); validation has
 * already compiled every one of them.
 */
import type { ActionKind } from '../activities/types.js';
import {
  DEFAULTS,
  parseDuration,
  RACE_JOIN,
  taskPath,
  type Definition,
  type Graph,
  type Scope,
  type Task,
  subgraphKey,
} from '../definition/core.js';
import type { RetrySettings } from './events.js';
import type { RunState } from './state.js';

/** How running work is treated when the run fails. */
export type FailureHandling = 'cancel' | 'drain';

/** The activity settings of one task (SPEC §3 rule 10), resolved to milliseconds. */
export interface ActivitySettings {
  readonly retry: RetrySettings;
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
}

/** One task, with everything about it that never changes. */
export interface TaskPlan {
  readonly name: string;
  readonly task: Task;
  /** `tasks.fetch`: where the task sits in the definition, for error paths. */
  readonly path: string;
  readonly settings: ActivitySettings;
  readonly maxIterations: number;
  readonly delayMs?: number;
  /**
   * For tasks with `join`: the distinct inbound sources and how many must arrive. A race
   * (`join: first`, rule 18) also knows, per source, the tasks of its branch: the tasks the
   * source is reached from without passing through the join.
   */
  readonly join?: {
    readonly sources: readonly string[];
    readonly requirement: number;
    readonly race?: Readonly<Record<string, readonly string[]>>;
  };
  /** For `action: wait` (rule 17): the event, its payload schema and how long to wait. */
  readonly wait?: WaitPlan;
  /** For `action: graph` (rule 19): the child definition, carried in this definition's `graphs`. */
  readonly graph?: { readonly file: string; readonly definition: unknown };
}

/** What an `action: wait` task waits for. */
export interface WaitPlan {
  readonly event: string;
  readonly schema?: unknown;
  /** The task's `timeout`; without one the wait has no limit but the run's. */
  readonly timeoutMs?: number;
}

/** The `on_failure.notify` delivery, when the definition asks for one. */
export interface NotifyPlan {
  readonly to: string;
  readonly content?: string;
  readonly settings: ActivitySettings;
}

/** The fixed part of a run. */
export interface RunContext {
  readonly definition: Definition;
  readonly graph: Graph;
  /** The definition's `input` defaults overridden by the run input. */
  readonly input: Readonly<Record<string, unknown>>;
  /** This run's workflow id and run id (the run id changes with continue-as-new). */
  readonly workflow: { readonly id: string; readonly runId: string };
  readonly tasks: Readonly<Record<string, TaskPlan>>;
  /** How an unhandled task failure treats running work (SPEC §3 rule 5). */
  readonly failureHandling: FailureHandling;
  /** The whole-run `timeout`, if any. */
  readonly timeoutMs?: number;
  /**
   * A continued run whose deadline has already passed fails at once instead of arming a
   * timer for 0 ms, which a run that continues-as-new again before it fires never sees (so
   * frequent continue-as-new would outrun the timeout). Set by the workflow behind a patch.
   */
  readonly failPastDeadline?: boolean;
  /**
   * `do: [notify, fail]` runs `notify` first and then fails the run (lifecycle.ts, failAfter).
   * Before, `fail` took effect where it was listed. Set by the workflow behind a patch.
   */
  readonly failAfterTargets?: boolean;
  /** Record what each step decides (TraceRecord); set when the run's history is replayed to read it. */
  readonly traced?: boolean;
  readonly notify?: NotifyPlan;
}

/** What a context is built from. */
export interface ContextSource {
  definition: Definition;
  graph: Graph;
  input?: Readonly<Record<string, unknown>> | undefined;
  workflow: { id: string; runId: string };
  failPastDeadline?: boolean;
  failAfterTargets?: boolean;
  traced?: boolean;
}

/** Builds the context of a run; the definition must have passed validation. */
export function buildContext(source: ContextSource): RunContext {
  const { definition, graph } = source;
  const tasks: Record<string, TaskPlan> = {};
  for (const [name, task] of Object.entries(definition.tasks)) tasks[name] = planTask(definition, graph, name, task);
  const setting = definition.on_failure;
  const mode = typeof setting === 'string' ? setting : (setting?.mode ?? DEFAULTS.failureMode);
  const notify = typeof setting === 'object' ? setting.notify : undefined;
  return {
    definition,
    graph,
    input: { ...definition.input, ...source.input },
    workflow: { id: source.workflow.id, runId: source.workflow.runId },
    tasks,
    failureHandling: mode === 'drain' ? 'drain' : 'cancel',
    ...(definition.timeout === undefined ? {} : { timeoutMs: parseDuration(definition.timeout) }),
    ...(source.failPastDeadline ? { failPastDeadline: true } : {}),
    ...(source.failAfterTargets ? { failAfterTargets: true } : {}),
    ...(source.traced ? { traced: true } : {}),
    ...(notify === undefined
      ? {}
      : {
          notify: {
            to: notify.to,
            ...(notify.content === undefined ? {} : { content: notify.content }),
            settings: activitySettings({}),
          },
        }),
  };
}

function planTask(definition: Definition, graph: Graph, name: string, task: Task): TaskPlan {
  const requirement = graph.joinRequirement[name];
  const sources = graph.inboundSources[name] ?? [];
  return {
    name,
    task,
    path: taskPath(name),
    settings: activitySettings(task),
    maxIterations: task.max_iterations ?? definition.max_iterations ?? DEFAULTS.maxIterations,
    ...(task.delay === undefined ? {} : { delayMs: parseDuration(task.delay) }),
    ...(requirement === undefined
      ? {}
      : {
          join: {
            sources,
            requirement,
            ...(task.join === RACE_JOIN ? { race: raceBranches(graph, name, sources) } : {}),
          },
        }),
    ...(task.action === 'wait' ? { wait: waitPlan(task) } : {}),
    ...(task.action === 'graph' ? { graph: graphPlan(definition, task) } : {}),
  };
}

function graphPlan(definition: Definition, task: Task): { file: string; definition: unknown } {
  const key = subgraphKey(task.with) ?? '';
  return { file: key, definition: definition.graphs?.[key] };
}

function waitPlan(task: Task): WaitPlan {
  const spec = task.with ?? {};
  return {
    event: String(spec.event),
    ...(spec.schema === undefined ? {} : { schema: spec.schema }),
    ...(task.timeout === undefined ? {} : { timeoutMs: parseDuration(task.timeout) }),
  };
}

/**
 * Per source of race `join`, the tasks of its branch: the source and every task it is reached
 * from without passing through the join, less those that also lead to another source (shared
 * upstream work is no one branch's to cancel).
 */
function raceBranches(graph: Graph, join: string, sources: readonly string[]): Record<string, string[]> {
  const inbound = new Map<string, string[]>();
  for (const [from, edges] of Object.entries(graph.outbound))
    for (const edge of edges) inbound.set(edge.to, [...(inbound.get(edge.to) ?? []), from]);
  const upstream = (source: string): Set<string> => {
    const seen = new Set<string>();
    const queue = [source];
    for (let at = 0; at < queue.length; at++) {
      const name = queue[at] as string;
      if (name === join || seen.has(name)) continue;
      seen.add(name);
      queue.push(...(inbound.get(name) ?? []));
    }
    return seen;
  };
  const reach = new Map(sources.map((source) => [source, upstream(source)]));
  const branches: Record<string, string[]> = {};
  for (const source of sources) {
    const others = sources.filter((other) => other !== source).map((other) => reach.get(other) ?? new Set<string>());
    branches[source] = [...(reach.get(source) ?? [])].filter((task) => !others.some((other) => other.has(task)));
  }
  return branches;
}

/** The Temporal settings of a task's activity; DEFAULTS fill what it leaves out. */
export function activitySettings(task: Pick<Task, 'retry' | 'timeout' | 'heartbeat'>): ActivitySettings {
  const retry = task.retry ?? {};
  const settings: RetrySettings = {
    initialIntervalMs: parseDuration(retry.initial_interval ?? DEFAULTS.retry.initial_interval),
    backoffCoefficient: retry.backoff ?? DEFAULTS.retry.backoff,
    maximumAttempts: retry.maximum_attempts ?? DEFAULTS.retry.maximum_attempts,
    nonRetryableErrorTypes: retry.non_retryable_errors ?? [],
    ...(retry.maximum_interval === undefined ? {} : { maximumIntervalMs: parseDuration(retry.maximum_interval) }),
  };
  return {
    retry: settings,
    timeoutMs: parseDuration(task.timeout ?? DEFAULTS.timeout),
    heartbeatMs: parseDuration(task.heartbeat ?? DEFAULTS.heartbeat),
  };
}

/** The plan of a task the graph names; a missing one is a bug in the conductor, not in the definition. */
export function planOf(context: RunContext, task: string): TaskPlan {
  const plan = context.tasks[task];
  if (plan === undefined) throw new Error(`conductor: unknown task '${task}'`);
  return plan;
}

/** True for actions that run an activity (`noop` and `wait` complete inside the conductor, `graph` as a child workflow). */
export function runsActivity(action: Task['action']): action is ActionKind {
  return action !== 'noop' && action !== 'wait' && action !== 'graph';
}

/** The part of a scope every expression sees: input, ctx, results, workflow. */
export function baseScope(context: RunContext, state: RunState): Scope {
  return {
    input: context.input,
    ctx: state.data.ctx,
    results: state.data.results,
    workflow: { ...context.workflow, startTime: state.startedAt },
  };
}
