/**
 * The conductor (Orquesta's idea): the host reports "this happened" and asks "what next?".
 * `startRun` and `step` are deterministic — no I/O, no clock but the events' `now` — and
 * never change the state they are given. They return synchronously unless an expression
 * had to be evaluated (evaluation.ts says why that matters).
 * Writer of `state.generation`; every other slice has its own module (ARCHITECTURE.md).
 */
import type { RunContext } from './context.js';
import { finish, type Work } from './evaluation.js';
import type { ConductorEvent, RunStartedEvent, StepResult } from './events.js';
import { armDeadline, deadlinePassed, rearmDeadline } from './guards.js';
import {
  cancelRun,
  drain,
  failRun,
  failureFromError,
  isNotification,
  notificationEnded,
  reopen,
  runClosed,
  setPaused,
  settle,
} from './lifecycle.js';
import { keepReceipt } from './receipts.js';
import { settleData } from './transitions.js';
import { createRun, eventArrived, executionEnded, pump, rearmDelays, releaseDelayed, waitTimerFired } from './runs.js';
import { STATE_FORMAT, type RunPhase, type RunState } from './state.js';
import { initialSummaries } from './summary.js';
import { openTurn, type Turn } from './turn.js';
import { rearmWaits } from './waits.js';

/**
 * Creates the state of a new run and starts its entry points (SPEC §3 rule 1) — or, for a
 * rerun, starts from the seed's ctx, results and iterations at the seed's tasks.
 */
export function startRun(context: RunContext, event: RunStartedEvent): StepResult | Promise<StepResult> {
  const { seed } = event;
  const state: RunState = {
    format: STATE_FORMAT,
    generation: 0,
    startedAt: event.startTime,
    lifecycle: { phase: 'running', paused: false },
    data: seed === undefined ? { ctx: { ...context.definition.vars }, results: {} } : { ctx: seed.ctx, results: seed.results },
    work: { counter: 0, runs: [], executions: [], timers: [] },
    joins: { barriers: {}, rounds: {} },
    guards: { iterations: seed === undefined ? {} : seed.iterations },
    tasks: initialSummaries(context.graph),
    receipts: { kept: [], dropped: 0 },
  };
  const turn = openTurn(context, state, event.now);
  armDeadline(turn);
  for (const entry of seed === undefined ? context.graph.entryPoints : seed.from) createRun(turn, entry);
  return conclude(turn);
}

/** Applies one event to `state` and returns the new state and the commands; `state` itself is left as it was. */
export function step(context: RunContext, state: RunState, event: ConductorEvent): StepResult | Promise<StepResult> {
  return conclude(openTurn(context, state, event.now, [event]));
}

function conclude(turn: Turn): StepResult | Promise<StepResult> {
  const before = turn.state.data;
  const done = finish(conduct(turn));
  const result = (): StepResult => {
    settleData(turn, before);
    return { state: turn.state, commands: turn.commands, ...(turn.trace === undefined ? {} : { trace: turn.trace }) };
  };
  return done instanceof Promise ? done.then(result) : result();
}

/** Drains the inbox (events, then the noop completions they cause), starting what may start, then settles. */
function* conduct(turn: Turn): Work<void> {
  do {
    for (let event = turn.inbox.shift(); event !== undefined; event = turn.inbox.shift()) {
      const current = event;
      // A closed run only keeps receipts; `run.continued` is what reopens a continued one.
      if (runClosed(turn) && current.kind !== 'run.continued') {
        if (current.kind === 'execution.completed' || current.kind === 'execution.failed') keepReceipt(turn, current.receipt);
        continue;
      }
      yield* guarded(turn, () => dispatch(turn, current));
      yield* guarded(turn, () => pump(turn));
    }
    yield* guarded(turn, () => pump(turn));
    // Settle until the phase stops changing: a failure settling finds is failed by the next pass.
    let before: RunPhase | undefined;
    while (before !== turn.state.lifecycle.phase) {
      before = turn.state.lifecycle.phase;
      yield* guarded(turn, () => settle(turn));
    }
  } while (turn.inbox.length > 0);
}

/** Expression errors at run time fail the run with the expression's path. */
function* guarded(turn: Turn, work: () => Work<void> | void): Work<void> {
  try {
    const started = work();
    if (started !== undefined) yield* started;
  } catch (error) {
    failRun(turn, failureFromError(error), 'cancel');
  }
}

function dispatch(turn: Turn, event: ConductorEvent): Work<void> | void {
  switch (event.kind) {
    case 'run.continued':
      return continueRun(turn);
    case 'execution.completed':
    case 'execution.failed':
      if (isNotification(turn, event.executionId)) return notificationEnded(turn, event);
      keepReceipt(turn, event.receipt);
      return executionEnded(turn, event);
    case 'timer.fired':
      return timerFired(turn, event.timerId);
    case 'event.received':
      return eventArrived(turn, event);
    case 'run.paused':
      return setPaused(turn, true);
    case 'run.resumed':
      return setPaused(turn, false);
    case 'drain.requested':
      return drain(turn);
    case 'run.cancelled':
      return cancelRun(turn);
  }
}

/** A delay ends, a wait times out, or the whole-run deadline passes. */
function* timerFired(turn: Turn, timerId: string): Work<void> {
  if (releaseDelayed(turn, timerId)) return;
  if (yield* waitTimerFired(turn, timerId)) return;
  const timedOut = deadlinePassed(turn, timerId);
  if (timedOut !== undefined) failRun(turn, timedOut, 'cancel');
}

/** A new run of the chain: timers re-armed for what is left of them (deadline first, as it was armed first). */
function continueRun(turn: Turn): void {
  turn.state.generation += 1;
  reopen(turn);
  const late = rearmDeadline(turn);
  // Delays are re-armed even then: failing cancels the timers the state names, so they must exist.
  rearmDelays(turn);
  rearmWaits(turn);
  if (late !== undefined) failRun(turn, late, 'cancel');
}
