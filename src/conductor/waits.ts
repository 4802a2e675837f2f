/**
 * Waits for events (SPEC §3 rule 17): a task run of `action: wait` waits, without an
 * activity, until an event of its name arrives (the host's Update handler has validated the
 * payload) or its `timeout` timer fires. An event ends the oldest wait for it. Waits travel
 * through continue-as-new in the state, and their timers are armed again from `dueAt`.
 * The only writer of `state.waits`; runs.ts ends the task runs they belong to.
 */
import { formatDuration } from '../definition/core.js';
import type { WaitPlan } from './context.js';
import type { RunState, TaskRun, Wait } from './state.js';
import { emit, type Turn } from './turn.js';

/** The waits of a state, oldest first (none in states carried before waits existed). */
export function openWaits(state: Pick<RunState, 'waits'>): readonly Wait[] {
  return state.waits ?? [];
}

function replace(turn: Turn, waits: readonly Wait[]): void {
  turn.state.waits = waits;
}

/** `run` begins to wait; `timerId` is its timeout timer's id, when the plan has a timeout. */
export function beginWait(turn: Turn, run: TaskRun, plan: WaitPlan, timerId: string | undefined): void {
  const wait: Wait = {
    runId: run.id,
    task: run.task,
    iteration: run.iteration,
    event: plan.event,
    since: turn.now,
    ...(timerId === undefined || plan.timeoutMs === undefined
      ? {}
      : { timer: { id: timerId, dueAt: turn.now + plan.timeoutMs } }),
  };
  replace(turn, [...openWaits(turn.state), wait]);
  if (wait.timer !== undefined)
    emit(turn, {
      kind: 'startTimer',
      timerId: wait.timer.id,
      ms: plan.timeoutMs ?? 0,
      summary: timerSummary(wait, plan.timeoutMs ?? 0),
    });
}

/** An event arrived: the oldest wait for it ends (its timer is cancelled); undefined if none waits. */
export function takeWait(turn: Turn, event: string): Wait | undefined {
  const wait = openWaits(turn.state).find((candidate) => candidate.event === event);
  if (wait === undefined) return undefined;
  replace(
    turn,
    openWaits(turn.state).filter((candidate) => candidate !== wait),
  );
  if (wait.timer !== undefined) emit(turn, { kind: 'cancel', executionIds: [], timerIds: [wait.timer.id] });
  return wait;
}

/** A timer fired: the wait it times out ends; undefined if it is no wait's timer. */
export function timeOutWait(turn: Turn, timerId: string): Wait | undefined {
  const wait = openWaits(turn.state).find((candidate) => candidate.timer?.id === timerId);
  if (wait === undefined) return undefined;
  replace(
    turn,
    openWaits(turn.state).filter((candidate) => candidate !== wait),
  );
  return wait;
}

/**
 * Drops the waits of the task runs `drop` picks (a failing or cancelled run, a race's losing
 * branch) and returns them; the caller cancels their timers.
 */
export function dropWaits(turn: Turn, drop: (wait: Wait) => boolean): Wait[] {
  const waits = openWaits(turn.state);
  const dropped = waits.filter(drop);
  if (dropped.length > 0)
    replace(
      turn,
      waits.filter((wait) => !dropped.includes(wait)),
    );
  return dropped;
}

/** After continue-as-new: the timeout timers of the previous run are gone, so arm them again for what is left. */
export function rearmWaits(turn: Turn): void {
  for (const wait of openWaits(turn.state)) {
    const { timer } = wait;
    if (timer === undefined) continue;
    const ms = Math.max(0, timer.dueAt - turn.now);
    emit(turn, { kind: 'startTimer', timerId: timer.id, ms, summary: timerSummary(wait, ms) });
  }
}

/** What the Web UI shows for a wait's timeout timer: `approval • wait for approve 1h`. */
function timerSummary(wait: Wait, ms: number): string {
  return `${wait.task}${wait.iteration > 1 ? ` #${wait.iteration}` : ''} • wait for ${wait.event} ${formatDuration(ms)}`;
}

/** `no event 'approve' arrived within 1h` — the error of a wait that timed out. */
export function timeoutText(wait: Wait, plan: WaitPlan | undefined): string {
  const waited = plan?.timeoutMs === undefined ? '' : ` within ${formatDuration(plan.timeoutMs)}`;
  return `no event '${wait.event}' arrived${waited}`;
}
