/**
 * Failing a run (SPEC §3 rule 5): the first failure wins. Fail-fast cancels everything
 * still out and fails at once; drain lets running activities end first. Either way nothing
 * new starts from here on; settle.ts emits `failRun` once nothing is out.
 */
import { ExpressionError } from '../definition/index.js';
import { DEFAULTS } from '../definition/schema.js';
import { accepts } from './phase.js';
import type { ConductorState, RunFailure } from './state.js';
import { emit, markTask, signal, type Turn } from './turn.js';

/** How running work is treated when the run fails. */
export type FailureHandling = 'cancel' | 'drain';

/** The definition's `on_failure` mode for unhandled task failures. */
export function unhandledFailureHandling(state: ConductorState): FailureHandling {
  const setting = state.definition.on_failure;
  const mode = typeof setting === 'string' ? setting : (setting?.mode ?? DEFAULTS.failureMode);
  return mode === 'drain' ? 'drain' : 'cancel';
}

/** Starts failing the run, unless it is already failing or closed. */
export function failRun(turn: Turn, failure: RunFailure, handling: FailureHandling): void {
  const { state } = turn;
  if (!accepts(state.phase, 'fail')) return;
  signal(turn, 'fail');
  state.failure = failure;
  // Work that has not started never will.
  for (const run of state.runs) if (run.stage !== 'active') markTask(turn, run.task, 'cancelled');
  state.runs = state.runs.filter((run) => run.stage === 'active');
  const timerIds = state.timers.map((timer) => timer.id);
  state.timers = [];
  let executionIds: string[] = [];
  if (handling === 'cancel') {
    executionIds = state.executions.map((execution) => execution.id);
    for (const execution of state.executions) markTask(turn, execution.task, 'cancelled');
    state.executions = [];
    state.runs = [];
  }
  if (executionIds.length > 0 || timerIds.length > 0) emit(turn, { kind: 'cancel', executionIds, timerIds });
}

/** Turns an error thrown while conducting into a run failure; rethrows anything unexpected. */
export function failureFromError(error: unknown): RunFailure {
  if (error instanceof ExpressionError) {
    return { type: 'ExpressionError', message: `expression failed at ${error.message}`, path: error.path };
  }
  throw error;
}

/** `1 attempt`, `3 attempts`. */
export function attemptsText(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}
