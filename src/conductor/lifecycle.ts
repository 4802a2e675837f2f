/**
 * The run's life (SPEC §3 rules 5, 6, 8, 13, §5 dead letters): pause and drain, failing —
 * the first failure wins; fail-fast cancels everything out, drain lets running activities
 * end — cancelling, and settling: after every step, has the run reached its end? A
 * cancelled run closes once every activity out has reported back. A failing run notifies
 * (`on_failure.notify`) and then fails once nothing is out; a draining run continues-as-new
 * once nothing is out; a run with nothing running, scheduled or waiting completes, unless a
 * join barrier was left partly filled. The only writer of `state.lifecycle`.
 */
import { ExpressionError, renderTemplate, type Scope } from '../definition/core.js';
import { overLimitText, oversize } from '../payloads.js';
import { baseScope, type FailureHandling } from './context.js';
import { settled, type Work } from './evaluation.js';
import type { ExecutionCompletedEvent, ExecutionFailedEvent } from './events.js';
import { disarmDeadline } from './guards.js';
import { unsatisfiedJoins } from './joins.js';
import { accepts, followsTransitionsIn, isClosed, mayStartIn, nextPhase, type PhaseSignal } from './phase.js';
import { keepReceipt } from './receipts.js';
import { abandonWork, closeWork, hasExecutionsOut, hasPendingWork, PAYLOAD_TOO_LARGE, startNotification } from './runs.js';
import type { Lifecycle, NotificationReport, RunFailure } from './state.js';
import { emit, type Turn } from './turn.js';

/** The notification's task name in receipts and activity ids; the dot keeps it apart from every task name. */
export const NOTIFY_TASK = 'on_failure.notify';

function change(turn: Turn, update: Partial<Lifecycle>): void {
  turn.state.lifecycle = { ...turn.state.lifecycle, ...update };
}

/** Moves the run through the phase table (phase.ts). */
function signal(turn: Turn, what: PhaseSignal): void {
  change(turn, { phase: nextPhase(turn.state.lifecycle.phase, what) });
}

/** True if new work may start: the phase allows it and the run is not paused. */
export function mayStart(turn: Turn): boolean {
  return mayStartIn(turn.state.lifecycle.phase) && !turn.state.lifecycle.paused;
}

/** True if the task run `runId` may start now: a finishing run starts only the runs it waits for. */
export function mayStartRun(turn: Turn, runId: string): boolean {
  const { finishing, phase } = turn.state.lifecycle;
  return mayStart(turn) && (phase !== 'finishing' || (finishing ?? []).includes(runId));
}

/** True if a task that ends now still takes its transitions. */
export function followsTransitions(turn: Turn): boolean {
  return followsTransitionsIn(turn.state.lifecycle.phase);
}

/** True once the run has ended (no more events change anything but receipts). */
export function runClosed(turn: Turn): boolean {
  return isClosed(turn.state.lifecycle.phase);
}

/** Pause (true) or resume (false): only starts are affected (rule 13). */
export function setPaused(turn: Turn, paused: boolean): void {
  change(turn, { paused });
}

/** Temporal suggested continue-as-new: start nothing more, continue once nothing is out. */
export function drain(turn: Turn): void {
  signal(turn, 'drain');
}

/** A continued run picks up where its previous run stopped. */
export function reopen(turn: Turn): void {
  change(turn, { phase: 'running' });
}

/** Starts failing the run, unless it is already failing or closed. */
export function failRun(turn: Turn, failure: RunFailure, handling: FailureHandling): void {
  if (!accepts(turn.state.lifecycle.phase, 'fail')) return;
  signal(turn, 'fail');
  change(turn, { failure });
  const deadline = disarmDeadline(turn);
  const { executionIds, timerIds } = abandonWork(turn, handling);
  // The deadline was armed first, so it comes first: the order of cancel commands is history.
  const allTimers = [...deadline, ...timerIds];
  if (executionIds.length > 0 || allTimers.length > 0) emit(turn, { kind: 'cancel', executionIds, timerIds: allTimers });
}

/**
 * `do: [notify, fail]` (SPEC §3 rule 5): the run fails once the task runs the same transition
 * scheduled (`runIds`) have ended. Until then it finishes: every other piece of work is
 * abandoned as a failure would abandon it (fail-fast cancels it, drain lets it end), those
 * runs start and run to their end, and no transition is followed. With nothing to wait for —
 * the targets were joins that did not fire — it fails at once.
 */
export function failAfter(turn: Turn, failure: RunFailure, runIds: readonly string[], handling: FailureHandling): void {
  if (runIds.length === 0) {
    failRun(turn, failure, handling);
    return;
  }
  if (!accepts(turn.state.lifecycle.phase, 'finish')) return;
  signal(turn, 'finish');
  change(turn, { failure, finishing: runIds });
  const { executionIds, timerIds } = abandonWork(turn, handling, new Set(runIds));
  if (executionIds.length > 0 || timerIds.length > 0) emit(turn, { kind: 'cancel', executionIds, timerIds });
}

/**
 * The run was cancelled (Temporal's cancel, SPEC rule 13): nothing more starts and no
 * transition is followed; what had not started yet is dropped. The host has already asked
 * the activities and timers out to stop, so no cancel command goes out: the run waits for
 * the activities to report back — a script's only once its process group is gone — and
 * closes as cancelled after the last one (`settle`), keeping their receipts.
 */
export function cancelRun(turn: Turn): void {
  if (!accepts(turn.state.lifecycle.phase, 'cancel')) return;
  signal(turn, 'cancel');
  disarmDeadline(turn);
  abandonWork(turn, 'drain');
}

/** True while a cancelled run waits for its activities. */
export function cancelling(turn: Turn): boolean {
  return turn.state.lifecycle.phase === 'cancelling';
}

/** Turns an error thrown while conducting into a run failure; rethrows anything unexpected. */
export function failureFromError(error: unknown): RunFailure {
  if (error instanceof ExpressionError) {
    return { type: 'ExpressionError', message: `expression failed at ${error.message}`, path: error.path };
  }
  throw error;
}

/**
 * Emits the run's terminal command if it has reached its end. The conductor settles until
 * the phase stops changing, so a failure found here (a stuck join, an output expression
 * that throws) is failed by the next pass like any other.
 */
export function* settle(turn: Turn): Work<void> {
  const { state, context } = turn;
  const { phase } = state.lifecycle;
  if (hasExecutionsOut(turn)) return;
  if (phase === 'cancelling') {
    closeWork(turn);
    signal(turn, 'cancelled');
    emit(turn, { kind: 'cancelRun', tasks: turn.state.tasks });
    return;
  }
  if (phase === 'failing') {
    yield* notifyOrFail(turn);
    return;
  }
  if (phase === 'finishing') {
    if (!waitsForRuns(turn)) failRun(turn, failureOf(turn), context.failureHandling);
    return;
  }
  if (phase !== 'running' && phase !== 'draining') return;
  if (hasPendingWork(turn)) {
    if (phase === 'draining') {
      // The next run's input (interpreter.ts): the definition, the input and this state.
      const carried = { definition: context.definition, input: context.input, resume: turn.state };
      const bytes = oversize(carried);
      if (bytes !== undefined) {
        failRun(turn, tooLarge(overLimitText('the continue-as-new state', bytes, carried.resume.data, '')), 'cancel');
        return;
      }
      signal(turn, 'continue');
      emit(turn, { kind: 'continueAsNew', state: turn.state });
    }
    return;
  }
  const stuck = unsatisfiedJoins(context, state);
  if (stuck !== undefined) {
    failRun(turn, stuck, 'cancel');
    return;
  }
  const { output } = context.definition;
  const rendered =
    output === undefined ? state.data.ctx : yield* settled(renderTemplate(output, baseScope(context, state), 'output'));
  // The run's result as the interpreter returns it: measured once, when the run ends.
  const bytes = oversize({ status: 'completed', output: rendered, tasks: state.tasks, receipts: state.receipts.kept });
  if (bytes !== undefined) {
    failRun(turn, { ...tooLarge(overLimitText("the run's result", bytes, rendered, 'output')), path: 'output' }, 'cancel');
    return;
  }
  change(turn, { output: rendered });
  signal(turn, 'complete');
  emit(turn, { kind: 'completeRun', output: rendered, tasks: turn.state.tasks });
}

/** True while a finishing run still has one of the task runs it waits for. */
function waitsForRuns(turn: Turn): boolean {
  const waited = new Set(turn.state.lifecycle.finishing ?? []);
  return turn.state.work.runs.some((run) => waited.has(run.id));
}

/** A failing run with nothing out: send the dead-letter notification if asked for, else fail now. */
function* notifyOrFail(turn: Turn): Work<void> {
  const { notify } = turn.context;
  const failure = failureOf(turn);
  if (notify === undefined) {
    finishFailed(turn);
    return;
  }
  const scope = notifyScope(turn, failure);
  let to = notify.to;
  try {
    to = String(yield* settled(renderTemplate(notify.to, scope, 'on_failure.notify.to')));
    const content =
      notify.content === undefined
        ? `Switchyard run ${turn.context.workflow.id} of '${turn.context.definition.name}' failed: ${failure.message}`
        : // As rendered: deliver formats a value that is not text itself, and refuses an empty one.
          yield* settled(renderTemplate(notify.content, scope, 'on_failure.notify.content'));
    const bytes = oversize(content);
    if (bytes !== undefined) throw new Error(overLimitText('the notification content', bytes));
    const executionId = startNotification(turn, NOTIFY_TASK, { to, content }, notify.settings);
    signal(turn, 'notify');
    change(turn, { notification: { executionId, to } });
  } catch (error) {
    // The notification is best effort: it never hides the run's own failure.
    finishFailed(turn, { to, outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
  }
}

/** True if `executionId` is the notification's delivery. */
export function isNotification(turn: Turn, executionId: string): boolean {
  return turn.state.lifecycle.notification?.executionId === executionId;
}

/** The notification's delivery ended: the run fails now, with its report. */
export function notificationEnded(turn: Turn, event: ExecutionCompletedEvent | ExecutionFailedEvent): void {
  const to = turn.state.lifecycle.notification?.to ?? '';
  keepReceipt(turn, event.receipt);
  const receipt = event.receipt === undefined ? {} : { receipt: event.receipt };
  finishFailed(
    turn,
    event.kind === 'execution.completed'
      ? { to, outcome: 'delivered', ...receipt }
      : { to, outcome: 'failed', error: event.error.message, ...receipt },
  );
}

function finishFailed(turn: Turn, notification?: NotificationReport): void {
  const failure = failureOf(turn);
  if (notification !== undefined)
    change(turn, { notification: { ...turn.state.lifecycle.notification, to: notification.to, report: notification } });
  signal(turn, 'failed');
  emit(turn, { kind: 'failRun', failure, tasks: turn.state.tasks, ...(notification === undefined ? {} : { notification }) });
}

/** A run failure for a value too large to leave the workflow (SPEC rule 16). */
function tooLarge(message: string): RunFailure {
  return { type: PAYLOAD_TOO_LARGE, message };
}

function failureOf(turn: Turn): RunFailure {
  const { failure } = turn.state.lifecycle;
  if (failure === undefined) throw new Error('conductor: failing without a failure');
  return failure;
}

function notifyScope(turn: Turn, failure: RunFailure): Scope {
  const error = {
    message: failure.message,
    type: failure.type,
    ...(failure.attempts === undefined ? {} : { attempts: failure.attempts }),
  };
  return { ...baseScope(turn.context, turn.state), task: { name: failure.task ?? '', status: 'failed', error } };
}

/** `1 attempt`, `3 attempts`. */
export function attemptsText(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}
