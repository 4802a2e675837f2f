/**
 * The per-task summary (SPEC §3 rule 6): status, iterations, attempts and last error of
 * every task. The only writer of `state.tasks`.
 */
import type { Graph } from '../definition/core.js';
import type { TaskStatus, TaskSummary } from './state.js';
import type { Turn } from './turn.js';

const NOT_RUN: TaskSummary = { status: 'not_run', iterations: 0, attempts: 0 };

/** Every task of the graph, not run yet. */
export function initialSummaries(graph: Graph): Record<string, TaskSummary> {
  return Object.fromEntries(graph.tasks.map((task) => [task, NOT_RUN]));
}

/** Records a change of one task's summary. */
function update(turn: Turn, task: string, change: (summary: TaskSummary) => TaskSummary): void {
  const { state } = turn;
  state.tasks = { ...state.tasks, [task]: change(state.tasks[task] ?? NOT_RUN) };
}

/** The task moved to `status`. */
export function markTask(turn: Turn, task: string, status: TaskStatus): void {
  update(turn, task, (summary) => ({ ...summary, status }));
}

/** The task was scheduled to run again; it counts as an iteration once it starts (markStarted). */
export function markScheduled(turn: Turn, task: string): void {
  update(turn, task, (summary) => ({ ...summary, status: 'scheduled' }));
}

/** The task's `iteration`th run started: it is running, and that iteration counts. */
export function markStarted(turn: Turn, task: string, iteration: number): void {
  update(turn, task, (summary) => ({ ...summary, status: 'running', iterations: Math.max(summary.iterations, iteration) }));
}

/** Activity attempts spent on the task. */
export function addAttempts(turn: Turn, task: string, attempts: number): void {
  update(turn, task, (summary) => ({ ...summary, attempts: summary.attempts + attempts }));
}

/** The task ended with `status`; a failure keeps its message. */
export function markEnded(turn: Turn, task: string, status: 'succeeded' | 'failed', error?: string): void {
  update(turn, task, (summary) => ({ ...summary, status, ...(error === undefined ? {} : { lastError: error }) }));
}
