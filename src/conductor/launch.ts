/**
 * Starting work: ready task runs begin, fan-outs start their next items, and each start
 * becomes a `startExecution` command — or, for `action: noop`, an immediate completion
 * inside the conductor with the rendered `with` as its result (no activity, no history).
 */
import { renderTemplate, taskPath, type Scope } from '../definition/index.js';
import { claimItems, evaluateItems, fanOutOutcome, newFanOut } from './fanout.js';
import { heartbeatOf, retryOf, timeoutOf } from './guards.js';
import { mayStartIn } from './phase.js';
import type { Execution, TaskRun } from './state.js';
import { endRun } from './transitions.js';
import { baseScope, emit, markTask, nextId, type Turn } from './turn.js';

/** True if new work may start: the run is running and not paused. */
export function mayStart(turn: Turn): boolean {
  return mayStartIn(turn.state.phase) && !turn.state.paused;
}

/**
 * Starts everything that may start now, oldest run first. Repeats until nothing more
 * starts, because a run that ends inside the conductor (an empty fan-out) schedules more.
 */
export async function pump(turn: Turn): Promise<void> {
  let started = true;
  while (started && mayStart(turn)) {
    started = false;
    for (const run of [...turn.state.runs]) {
      if (!mayStart(turn)) return;
      if (run.stage === 'ready') {
        await beginRun(turn, run);
        started = true;
      } else if (run.stage === 'active' && run.fanout !== undefined) {
        started = (await startItems(turn, run)) || started;
      }
    }
  }
}

async function beginRun(turn: Turn, run: TaskRun): Promise<void> {
  const task = turn.state.definition.tasks[run.task];
  if (task === undefined) throw new Error(`conductor: unknown task '${run.task}'`);
  run.stage = 'active';
  markTask(turn, run.task, 'running');
  if (task.items === undefined) {
    await startExecution(turn, run);
    return;
  }
  const items = await evaluateItems(run.task, task.items, runScope(turn, run));
  run.fanout = newFanOut(items, task.concurrency);
  const outcome = fanOutOutcome(run.fanout);
  // An empty list ends the task at once with an empty result.
  if (outcome !== undefined) await endRun(turn, run, outcome);
  else await startItems(turn, run);
}

/** Starts the fan-out's next items up to its limit; true if any started. */
async function startItems(turn: Turn, run: TaskRun): Promise<boolean> {
  if (run.fanout === undefined) return false;
  const claimed = claimItems(run.fanout);
  for (const index of claimed) await startExecution(turn, run, index);
  return claimed.length > 0;
}

async function startExecution(turn: Turn, run: TaskRun, index?: number): Promise<void> {
  const { state } = turn;
  const task = state.definition.tasks[run.task];
  if (task === undefined) throw new Error(`conductor: unknown task '${run.task}'`);
  const scope = runScope(turn, run);
  if (index !== undefined) {
    scope.item = run.fanout?.items[index];
    scope.index = index;
  }
  const input = await renderTemplate(task.with ?? {}, scope, `${taskPath(run.task)}.with`);
  const execution: Execution = { id: nextId(turn, 'x'), runId: run.id, task: run.task, iteration: run.iteration };
  if (index !== undefined) execution.index = index;
  state.executions.push(execution);
  if (task.action === 'noop') {
    const result = task.with === undefined ? null : input;
    turn.inbox.push({ kind: 'execution.completed', executionId: execution.id, result, now: turn.now });
    return;
  }
  emit(turn, {
    kind: 'startExecution',
    executionId: execution.id,
    task: run.task,
    action: task.action,
    with: input,
    iteration: run.iteration,
    ...(index === undefined ? {} : { index }),
    retry: retryOf(task),
    timeoutMs: timeoutOf(task),
    heartbeatMs: heartbeatOf(task),
  });
}

function runScope(turn: Turn, run: TaskRun): Scope {
  return { ...baseScope(turn.state), task: { name: run.task, iteration: run.iteration } };
}
