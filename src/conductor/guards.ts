/**
 * Guards for cycles (SPEC §3 rule 7) — `max_iterations` per task and the whole-run
 * `timeout` — and the per-task activity settings (rule 10), resolved to milliseconds.
 */
import { parseDuration } from '../definition/index.js';
import { DEFAULTS, type Task } from '../definition/schema.js';
import type { RetrySettings } from './events.js';
import { failRun } from './failure.js';
import type { ConductorState } from './state.js';
import { emit, type Turn } from './turn.js';

/** Timer id of the whole-run timeout; one per run chain. */
export const RUN_TIMEOUT_TIMER = 'run-timeout';

/** The cycle guard that applies to `task`. */
export function maxIterationsOf(state: ConductorState, task: string): number {
  return state.definition.tasks[task]?.max_iterations ?? state.definition.max_iterations ?? DEFAULTS.maxIterations;
}

/**
 * Counts one more iteration of `task` and returns it, or fails the run and returns
 * undefined when that would pass the task's `max_iterations`.
 */
export function claimIteration(turn: Turn, task: string): number | undefined {
  const { state } = turn;
  const limit = maxIterationsOf(state, task);
  const used = state.iterations[task] ?? 0;
  if (used >= limit) {
    failRun(
      turn,
      {
        type: 'MaxIterationsExceeded',
        message: `task '${task}' reached max_iterations (${limit}): it was scheduled to run a ${ordinal(used + 1)} time`,
        task,
      },
      'cancel',
    );
    return undefined;
  }
  state.iterations[task] = used + 1;
  return used + 1;
}

/** Arms the whole-run timeout, measured from the run chain's start time. */
export function armRunTimeout(turn: Turn): void {
  const { state } = turn;
  const timeout = state.definition.timeout;
  if (timeout === undefined) return;
  const dueAt = Date.parse(state.workflow.startTime) + parseDuration(timeout);
  state.timers.push({ id: RUN_TIMEOUT_TIMER, dueAt, purpose: 'run-timeout' });
  emit(turn, { kind: 'startTimer', timerId: RUN_TIMEOUT_TIMER, ms: Math.max(0, dueAt - turn.now) });
}

/** Fails the run because its whole-run timeout passed. */
export function timeOutRun(turn: Turn): void {
  const timeout = turn.state.definition.timeout ?? 'its timeout';
  failRun(turn, { type: 'RunTimedOut', message: `run exceeded its timeout of ${timeout}`, path: 'timeout' }, 'cancel');
}

/** The Temporal RetryPolicy of a task; DEFAULTS.retry fills what it leaves out. */
export function retryOf(task: Task): RetrySettings {
  const retry = task.retry ?? {};
  const initialIntervalMs = parseDuration(retry.initial_interval ?? DEFAULTS.retry.initial_interval);
  const settings: RetrySettings = {
    initialIntervalMs,
    backoffCoefficient: retry.backoff ?? DEFAULTS.retry.backoff,
    maximumAttempts: retry.maximum_attempts ?? DEFAULTS.retry.maximum_attempts,
    nonRetryableErrorTypes: retry.non_retryable_errors ?? [],
  };
  if (retry.maximum_interval !== undefined) settings.maximumIntervalMs = parseDuration(retry.maximum_interval);
  return settings;
}

/** Start-to-close timeout of one attempt. */
export function timeoutOf(task: Task): number {
  return parseDuration(task.timeout ?? DEFAULTS.timeout);
}

/** Heartbeat timeout of one attempt, in ms: silence this long hands the task to another worker. */
export function heartbeatOf(task: Task): number {
  return parseDuration(task.heartbeat ?? DEFAULTS.heartbeat);
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
