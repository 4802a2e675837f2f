/**
 * Task runs and the work out for them (SPEC §3 rules 1, 3, 9, 10): creating a run (with its
 * `delay` timer), starting what may start — oldest run first, fan-out items up to their
 * limit — as `startExecution` commands, and taking back what the activities report. A
 * `noop` task completes inside the conductor, through the inbox, with its rendered `with`
 * as result. The only writer of `state.work`.
 */
import { formatDuration, keepLiterals, renderTemplate, splitTargets, type Scope } from '../definition/core.js';
import { overLimitText, oversize } from '../payloads.js';
import { baseScope, planOf, runsActivity, type ActivitySettings, type FailureHandling } from './context.js';
import { settled, type Work } from './evaluation.js';
import type { EventReceivedEvent, ExecutionCompletedEvent, ExecutionFailedEvent } from './events.js';
import { claimItems, evaluateItems, fanOutOutcome, newFanOut, recordItem, type RunOutcome } from './fanout.js';
import { claimIteration } from './guards.js';
import { failRun, mayStart, mayStartRun } from './lifecycle.js';
import type { Execution, TaskRun, Work as WorkSlice } from './state.js';
import { addAttempts, markScheduled, markStarted, markTask } from './summary.js';
import { endRun } from './transitions.js';
import { emit, type Turn } from './turn.js';
import { beginWait, dropWaits, takeWait, timeOutWait, timeoutText } from './waits.js';

/** Replaces the work slice with `change` applied. */
function change(turn: Turn, update: (work: WorkSlice) => Partial<WorkSlice>): void {
  turn.state.work = { ...turn.state.work, ...update(turn.state.work) };
}

/** A fresh id for an activity execution (`x`) or timer (`t`). */
function nextId(turn: Turn, prefix: 'x' | 't'): string {
  const counter = turn.state.work.counter + 1;
  change(turn, () => ({ counter }));
  return `${prefix}${counter}`;
}

/** Creates one run of `task` (guarded by max_iterations), delayed or ready to start. */
export function createRun(turn: Turn, task: string): void {
  const claim = claimIteration(turn, task);
  if ('failure' in claim) {
    failRun(turn, claim.failure, 'cancel');
    return;
  }
  const { iteration } = claim;
  markScheduled(turn, task);
  const run: TaskRun = { id: `${task}#${iteration}`, task, iteration, stage: 'ready' };
  const { delayMs } = planOf(turn.context, task);
  if (delayMs === undefined) {
    change(turn, (work) => ({ runs: [...work.runs, run] }));
    return;
  }
  const timerId = nextId(turn, 't');
  change(turn, (work) => ({
    runs: [...work.runs, { ...run, stage: 'delayed' }],
    timers: [...work.timers, { id: timerId, dueAt: turn.now + delayMs, runId: run.id }],
  }));
  emit(turn, { kind: 'startTimer', timerId, ms: delayMs, summary: delaySummary(run, delayMs) });
}

/** A delay timer fired: its run may start now (or once the run is resumed). False if it is not a delay timer. */
export function releaseDelayed(turn: Turn, timerId: string): boolean {
  const timer = turn.state.work.timers.find((candidate) => candidate.id === timerId);
  if (timer === undefined) return false;
  change(turn, (work) => ({
    timers: work.timers.filter((candidate) => candidate !== timer),
    runs: work.runs.map((run) => (run.id === timer.runId && run.stage === 'delayed' ? { ...run, stage: 'ready' } : run)),
  }));
  return true;
}

/** After continue-as-new: the delay timers of the previous run are gone, so start them again for what is left. */
export function rearmDelays(turn: Turn): void {
  for (const timer of turn.state.work.timers) {
    const run = findRun(turn, timer.runId);
    const summary = run === undefined ? `delay ${timer.runId}` : delaySummary(run, planOf(turn.context, run.task).delayMs ?? 0);
    emit(turn, { kind: 'startTimer', timerId: timer.id, ms: Math.max(0, timer.dueAt - turn.now), summary });
  }
}

/** `fetch • delay 5m` (`fetch #2 • delay 5m` from the second iteration): a delay timer, as the Web UI labels it. */
function delaySummary(run: TaskRun, delayMs: number): string {
  return `${run.task}${run.iteration > 1 ? ` #${run.iteration}` : ''} • delay ${formatDuration(delayMs)}`;
}

/**
 * Starts everything that may start now, oldest run first. Repeats until nothing more
 * starts, because a run that ends inside the conductor (an empty fan-out) schedules more.
 */
export function* pump(turn: Turn): Work<void> {
  let started = true;
  while (started && mayStart(turn)) {
    started = false;
    for (const { id } of turn.state.work.runs) {
      if (!mayStart(turn)) return;
      // Read afresh: starting an earlier run may have changed or ended this one.
      const run = findRun(turn, id);
      if (run?.stage === 'ready' && mayStartRun(turn, run.id)) {
        yield* beginRun(turn, run);
        started = true;
      } else if (run?.stage === 'active' && run.fanout !== undefined) {
        started = (yield* startItems(turn, run.id)) || started;
      }
    }
  }
}

function findRun(turn: Turn, id: string): TaskRun | undefined {
  return turn.state.work.runs.find((candidate) => candidate.id === id);
}

function replaceRun(turn: Turn, run: TaskRun): void {
  change(turn, (work) => ({ runs: work.runs.map((candidate) => (candidate.id === run.id ? run : candidate)) }));
}

function* beginRun(turn: Turn, ready: TaskRun): Work<void> {
  const plan = planOf(turn.context, ready.task);
  const run: TaskRun = { ...ready, stage: 'active' };
  replaceRun(turn, run);
  markStarted(turn, run.task, run.iteration);
  if (plan.task.items === undefined) {
    yield* startExecution(turn, run);
    return;
  }
  const items = yield* settled(evaluateItems(plan.task.items, runScope(turn, run), `${plan.path}.items`));
  const fanout = newFanOut(items, plan.task.concurrency);
  const fanning: TaskRun = { ...run, fanout };
  replaceRun(turn, fanning);
  const outcome = fanOutOutcome(fanout);
  // An empty list ends the task at once with an empty result.
  if (outcome !== undefined) yield* finishRun(turn, fanning, outcome);
  else yield* startItems(turn, fanning.id);
}

/** Starts the fan-out's next items up to its limit; true if any started. */
function* startItems(turn: Turn, runId: string): Work<boolean> {
  const run = findRun(turn, runId);
  if (run?.fanout === undefined) return false;
  const { fanout, claimed } = claimItems(run.fanout);
  const claiming: TaskRun = { ...run, fanout };
  replaceRun(turn, claiming);
  for (const index of claimed) yield* startExecution(turn, claiming, index);
  return claimed.length > 0;
}

function* startExecution(turn: Turn, run: TaskRun, index?: number): Work<void> {
  const plan = planOf(turn.context, run.task);
  if (plan.wait !== undefined) {
    // No activity: the run waits for its event (rule 17); its `with` is literal, never rendered.
    beginWait(turn, run, plan.wait, plan.wait.timeoutMs === undefined ? undefined : nextId(turn, 't'));
    return;
  }
  const scope = runScope(turn, run);
  if (index !== undefined) {
    scope.item = run.fanout?.items[index];
    scope.index = index;
  }
  const template = splitTargets(plan.task.action, plan.task.with ?? {});
  const rendered = yield* settled(renderTemplate(template, scope, `${plan.path}.with`));
  // Code and secret routes are never rendered (SPEC rule 15): they reach the activity as written.
  const input = keepLiterals(plan.task.action, template, rendered);
  const execution: Execution = {
    id: nextId(turn, 'x'),
    runId: run.id,
    task: run.task,
    iteration: run.iteration,
    ...(index === undefined ? {} : { index }),
  };
  change(turn, (work) => ({ executions: [...work.executions, execution] }));
  const { action } = plan.task;
  if (plan.graph !== undefined) {
    startChild(turn, run, execution, plan.graph, input, index);
    return;
  }
  if (!runsActivity(action)) {
    const result = plan.task.with === undefined ? null : input;
    turn.inbox.push({ kind: 'execution.completed', executionId: execution.id, result, now: turn.now });
    return;
  }
  // Measured once, here where it is built (SPEC rule 16): too large, the task fails without an
  // attempt, through the inbox like any failure, so its transitions may handle it.
  const bytes = oversize(input);
  if (bytes !== undefined) {
    // A fan-out item's failure is told as `item N failed: …` (fanout.ts).
    const error = { type: PAYLOAD_TOO_LARGE, message: `task \`${run.task}\`: ${overLimitText('input', bytes, input, 'with')}` };
    turn.inbox.push({ kind: 'execution.failed', executionId: execution.id, error, attempts: 0, now: turn.now });
    return;
  }
  emit(turn, {
    kind: 'startExecution',
    executionId: execution.id,
    task: run.task,
    action,
    with: input,
    iteration: run.iteration,
    ...(index === undefined ? {} : { index }),
    ...activityFields(plan.settings),
  });
}

/**
 * `action: graph` (rule 19): the child workflow runs the carried definition with the rendered
 * `with.input`; its id is the parent's, the task and iteration (and item), so it is the same
 * on every replay and unique in the chain.
 */
function startChild(
  turn: Turn,
  run: TaskRun,
  execution: Execution,
  graph: { file: string; definition: unknown },
  rendered: unknown,
  index: number | undefined,
): void {
  const input = (rendered as { input?: unknown } | null)?.input;
  const childInput =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const bytes = oversize({ definition: graph.definition, input: childInput });
  if (bytes !== undefined) {
    const error = {
      type: PAYLOAD_TOO_LARGE,
      message: `task \`${run.task}\`: ${overLimitText('child input', bytes, childInput, 'with.input')}`,
    };
    turn.inbox.push({ kind: 'execution.failed', executionId: execution.id, error, attempts: 0, now: turn.now });
    return;
  }
  emit(turn, {
    kind: 'startChild',
    executionId: execution.id,
    task: run.task,
    iteration: run.iteration,
    ...(index === undefined ? {} : { index }),
    workflowId: `${turn.context.workflow.id}/${run.task}-${run.iteration}${index === undefined ? '' : `-${index}`}`,
    source: graph.file,
    definition: graph.definition,
    input: childInput,
  });
}

/** The error type of a value too large to leave the workflow (SPEC rule 16). */
export const PAYLOAD_TOO_LARGE = 'PayloadTooLarge';

/** The `on_failure.notify` delivery: one `deliver` activity, not cancellable; returns its execution id. */
export function startNotification(
  turn: Turn,
  task: string,
  content: { to: string; content: unknown },
  settings: ActivitySettings,
): string {
  const executionId = nextId(turn, 'x');
  emit(turn, {
    kind: 'startExecution',
    executionId,
    task,
    action: 'deliver',
    with: content,
    iteration: 1,
    ...activityFields(settings),
    cancellable: false,
  });
  return executionId;
}

function activityFields(settings: ActivitySettings) {
  return { retry: settings.retry, timeoutMs: settings.timeoutMs, heartbeatMs: settings.heartbeatMs };
}

function runScope(turn: Turn, run: TaskRun): Scope {
  return { ...baseScope(turn.context, turn.state), task: { name: run.task, iteration: run.iteration } };
}

/** An activity (or a noop) of a task run ended: record it, and end the run once it is over. */
export function* executionEnded(turn: Turn, event: ExecutionCompletedEvent | ExecutionFailedEvent): Work<void> {
  const execution = turn.state.work.executions.find((candidate) => candidate.id === event.executionId);
  if (execution === undefined) return; // cancelled earlier, or reported twice
  change(turn, (work) => ({ executions: work.executions.filter((candidate) => candidate !== execution) }));
  const attempts = event.kind === 'execution.failed' ? event.attempts : (event.receipt?.attempt ?? 1);
  // noop completes inside the conductor and spends no activity attempt.
  if (event.receipt !== undefined || event.kind === 'execution.failed') addAttempts(turn, execution.task, attempts);
  const run = findRun(turn, execution.runId);
  if (run === undefined) return;
  if (run.fanout === undefined || execution.index === undefined) {
    const outcome: RunOutcome =
      event.kind === 'execution.completed'
        ? { status: 'succeeded', result: event.result, attempts }
        : { status: 'failed', error: event.error, attempts };
    yield* finishRun(turn, run, outcome);
    return;
  }
  const fanout = recordItem(
    run.fanout,
    execution.index,
    event.kind === 'execution.completed' ? { ok: true, result: event.result } : { ok: false, error: event.error, attempts },
  );
  const recorded: TaskRun = { ...run, fanout };
  replaceRun(turn, recorded);
  const outcome = fanOutOutcome(fanout);
  if (outcome !== undefined) yield* finishRun(turn, recorded, outcome);
}

/** An event arrived (rule 17): the oldest wait for it ends, its payload the task's result. */
export function* eventArrived(turn: Turn, event: EventReceivedEvent): Work<void> {
  const wait = takeWait(turn, event.event);
  const run = wait === undefined ? undefined : findRun(turn, wait.runId);
  if (run !== undefined) yield* finishRun(turn, run, { status: 'succeeded', result: event.data, attempts: 1 });
}

/** A timer fired: if it is a wait's timeout, the wait fails (transitions may handle it); false otherwise. */
export function* waitTimerFired(turn: Turn, timerId: string): Work<boolean> {
  const wait = timeOutWait(turn, timerId);
  if (wait === undefined) return false;
  const run = findRun(turn, wait.runId);
  const error = { type: WAIT_TIMED_OUT, message: timeoutText(wait, planOf(turn.context, wait.task).wait) };
  if (run !== undefined) yield* finishRun(turn, run, { status: 'failed', error, attempts: 1 });
  return true;
}

/** The error type of a wait whose timeout passed. */
export const WAIT_TIMED_OUT = 'WaitTimedOut';

/**
 * A race was won (rule 18): every task run of `tasks` — the losing branches — is cancelled:
 * its activities (the host stops them; a script's process group goes), delay timers and
 * waits. Returns the tasks that had a run cancelled.
 */
export function cancelBranches(turn: Turn, tasks: readonly string[]): Set<string> {
  const losing = new Set(tasks);
  const { runs, executions, timers } = turn.state.work;
  const cancelledRuns = runs.filter((run) => losing.has(run.task));
  const runIds = new Set(cancelledRuns.map((run) => run.id));
  const cancelledExecutions = executions.filter((execution) => runIds.has(execution.runId) && execution.cancelled !== true);
  const cancelledTimers = timers.filter((timer) => runIds.has(timer.runId));
  const cancelledWaits = dropWaits(turn, (wait) => runIds.has(wait.runId));
  change(turn, (work) => ({
    runs: work.runs.filter((run) => !runIds.has(run.id)),
    // Still out until they report back (their receipts say `cancelled`); their run is gone.
    executions: work.executions.map((execution) =>
      cancelledExecutions.includes(execution) ? { ...execution, cancelled: true as const } : execution,
    ),
    timers: work.timers.filter((timer) => !runIds.has(timer.runId)),
  }));
  const cancelled = new Set(cancelledRuns.map((run) => run.task));
  for (const task of cancelled) markTask(turn, task, 'cancelled');
  const executionIds = cancelledExecutions.map((execution) => execution.id);
  const timerIds = [...cancelledTimers.map((timer) => timer.id), ...waitTimers(cancelledWaits)];
  if (executionIds.length > 0 || timerIds.length > 0) emit(turn, { kind: 'cancel', executionIds, timerIds });
  return cancelled;
}

function waitTimers(waits: readonly { timer?: { id: string } }[]): string[] {
  return waits.flatMap((wait) => (wait.timer === undefined ? [] : [wait.timer.id]));
}

function* finishRun(turn: Turn, run: TaskRun, outcome: RunOutcome): Work<void> {
  change(turn, (work) => ({ runs: work.runs.filter((candidate) => candidate.id !== run.id) }));
  yield* endRun(turn, run, outcome);
}

/**
 * The run is failing: work that has not started never will, timers are dropped, and with
 * `cancel` the activities out are abandoned too — all but the task runs in `keep` (a finishing
 * run's, with their timers and activities). Returns what the host must cancel.
 */
export function abandonWork(
  turn: Turn,
  handling: FailureHandling,
  keep: ReadonlySet<string> = new Set(),
): { executionIds: string[]; timerIds: string[] } {
  const { executions, timers } = turn.state.work;
  const kept = <T extends { runId: string }>(item: T) => keep.has(item.runId);
  // A wait ends only by an event or its timeout: a failing or cancelled run waits for neither
  // (a kept run's wait stays: the run fails once it ended).
  const waits = dropWaits(turn, (wait) => !keep.has(wait.runId));
  const waiting = new Set(waits.map((wait) => wait.runId));
  const runs = turn.state.work.runs.filter((run) => !waiting.has(run.id));
  for (const wait of waits) markTask(turn, wait.task, 'cancelled');
  if (waiting.size > 0) change(turn, () => ({ runs }));
  for (const run of runs) if (run.stage !== 'active' && !keep.has(run.id)) markTask(turn, run.task, 'cancelled');
  const timerIds = [...timers.filter((timer) => !kept(timer)).map((timer) => timer.id), ...waitTimers(waits)];
  if (handling === 'drain') {
    change(turn, () => ({ runs: runs.filter((run) => run.stage === 'active' || keep.has(run.id)), timers: timers.filter(kept) }));
    return { executionIds: [], timerIds };
  }
  const abandoned = executions.filter((execution) => !kept(execution));
  for (const execution of abandoned) markTask(turn, execution.task, 'cancelled');
  change(turn, () => ({
    runs: runs.filter((run) => keep.has(run.id)),
    executions: executions.filter(kept),
    timers: timers.filter(kept),
  }));
  // A race already asked to cancel its losers' activities: once is enough.
  const executionIds = abandoned.filter((execution) => execution.cancelled !== true).map((execution) => execution.id);
  return { executionIds, timerIds };
}

/** A cancelled run closes: a fan-out whose items never all started ends here, cancelled. */
export function closeWork(turn: Turn): void {
  dropWaits(turn, () => true);
  for (const run of turn.state.work.runs) markTask(turn, run.task, 'cancelled');
  change(turn, () => ({ runs: [], executions: [], timers: [] }));
}

/** Activities out for task runs. */
export function hasExecutionsOut(turn: Turn): boolean {
  return turn.state.work.executions.length > 0;
}

/** Work that is scheduled or waiting: task runs not yet ended (waits among them), or delay timers. */
export function hasPendingWork(turn: Turn): boolean {
  return turn.state.work.runs.length > 0 || turn.state.work.timers.length > 0;
}
