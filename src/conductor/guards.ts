/**
 * Guards for cycles and time (SPEC §3 rule 7): `max_iterations` per task and the whole-run
 * `timeout`, measured from the start of the run chain and re-armed after continue-as-new.
 * The only writer of `state.guards`.
 */
import { formatDuration } from '../definition/core.js';
import { planOf } from './context.js';
import type { RunFailure } from './state.js';
import { emit, type Turn } from './turn.js';

/** Timer id of the whole-run timeout; one per run chain. */
export const RUN_TIMEOUT_TIMER = 'run-timeout';

/**
 * Counts one more iteration of `task` and returns its number, or the failure to fail the
 * run with when that would pass the task's `max_iterations`.
 */
export function claimIteration(turn: Turn, task: string): { iteration: number } | { failure: RunFailure } {
  const { state } = turn;
  const limit = planOf(turn.context, task).maxIterations;
  const used = state.guards.iterations[task] ?? 0;
  if (used >= limit) {
    const message = `task '${task}' reached max_iterations (${limit}): it was scheduled to run a ${ordinal(used + 1)} time`;
    return { failure: { type: 'MaxIterationsExceeded', message, task } };
  }
  state.guards = { ...state.guards, iterations: { ...state.guards.iterations, [task]: used + 1 } };
  return { iteration: used + 1 };
}

/** Arms the whole-run timeout at the start of a run chain. */
export function armDeadline(turn: Turn): void {
  const { timeoutMs } = turn.context;
  if (timeoutMs === undefined) return;
  const dueAt = Date.parse(turn.state.startedAt) + timeoutMs;
  turn.state.guards = { ...turn.state.guards, deadline: { timerId: RUN_TIMEOUT_TIMER, dueAt } };
  emit(turn, {
    kind: 'startTimer',
    timerId: RUN_TIMEOUT_TIMER,
    ms: Math.max(0, dueAt - turn.now),
    summary: timeoutSummary(timeoutMs),
  });
}

/**
 * After continue-as-new: the timer of the previous run is gone, so start it again for what is
 * left. When nothing is left (and the context says so: `failPastDeadline`), returns the
 * failure to fail the run with instead, the deadline disarmed.
 */
export function rearmDeadline(turn: Turn): RunFailure | undefined {
  const { deadline } = turn.state.guards;
  if (deadline === undefined) return undefined;
  if (turn.context.failPastDeadline === true && deadline.dueAt <= turn.now) return deadlinePassed(turn, deadline.timerId);
  emit(turn, {
    kind: 'startTimer',
    timerId: deadline.timerId,
    ms: Math.max(0, deadline.dueAt - turn.now),
    summary: timeoutSummary(turn.context.timeoutMs ?? 0),
  });
  return undefined;
}

/** If `timerId` is the deadline, disarms it and returns the failure to fail the run with. */
export function deadlinePassed(turn: Turn, timerId: string): RunFailure | undefined {
  if (turn.state.guards.deadline?.timerId !== timerId) return undefined;
  disarmDeadline(turn);
  const timeout = turn.context.definition.timeout ?? 'its timeout';
  return { type: 'RunTimedOut', message: `run exceeded its timeout of ${timeout}`, path: 'timeout' };
}

/** Disarms the deadline (the run is failing); returns its timer id to cancel, if armed. */
export function disarmDeadline(turn: Turn): string[] {
  const { deadline, ...rest } = turn.state.guards;
  if (deadline === undefined) return [];
  turn.state.guards = rest;
  return [deadline.timerId];
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** `run • timeout 10m`: the whole-run timeout's timer, as the Web UI labels it. */
function timeoutSummary(timeoutMs: number): string {
  return `run • timeout ${formatDuration(timeoutMs)}`;
}
