/**
 * The conductor (Orquesta's idea): the host reports "this happened" and asks "what next?".
 * `startRun` and `step` are deterministic — no I/O, no clock but the events' `now` — and
 * never change the state they are given; async only because JSONata evaluation is.
 */
import type { Receipt } from '../activities/types.js';
import type {
  ConductorEvent,
  ExecutionCompletedEvent,
  ExecutionFailedEvent,
  RunContinuedEvent,
  RunStartedEvent,
  StepResult,
  TimerFiredEvent,
} from './events.js';
import { recordItem, fanOutOutcome } from './fanout.js';
import { failRun, failureFromError } from './failure.js';
import { armRunTimeout, timeOutRun } from './guards.js';
import { pump } from './launch.js';
import { isClosed } from './phase.js';
import { releaseDelayed, scheduleTask } from './schedule.js';
import { settle } from './settle.js';
import { RECEIPT_LIMIT, type ConductorState } from './state.js';
import { endRun, type RunOutcome } from './transitions.js';
import { cloneState, emit, signal, summaryOf, type Turn } from './turn.js';

/** Creates the state of a new run and starts its entry points (SPEC §3 rule 1). */
export async function startRun(event: RunStartedEvent): Promise<StepResult> {
  const { definition, graph } = event;
  const state: ConductorState = {
    format: 1,
    definition,
    graph,
    input: { ...definition.input, ...event.input },
    workflow: event.workflow,
    phase: 'running',
    paused: false,
    ctx: { ...definition.vars },
    results: {},
    iterations: {},
    counter: 0,
    runs: [],
    executions: [],
    timers: [],
    barriers: {},
    rounds: {},
    tasks: Object.fromEntries(graph.tasks.map((task) => [task, { status: 'not_run', iterations: 0, attempts: 0 }])),
    receipts: [],
    receiptsDropped: 0,
    generation: 0,
  };
  const turn: Turn = { state: cloneState(state), commands: [], inbox: [], now: event.now };
  armRunTimeout(turn);
  for (const entry of graph.entryPoints) scheduleTask(turn, entry);
  await conduct(turn);
  return { state: turn.state, commands: turn.commands };
}

/** Applies one event to a copy of `state` and returns the new state and the commands. */
export async function step(state: ConductorState, event: ConductorEvent): Promise<StepResult> {
  const turn: Turn = { state: cloneState(state), commands: [], inbox: [event], now: event.now };
  await conduct(turn);
  return { state: turn.state, commands: turn.commands };
}

function dispatch(turn: Turn, event: ConductorEvent): Promise<void> | void {
  switch (event.kind) {
    case 'run.continued':
      return continueRun(turn, event);
    case 'execution.completed':
    case 'execution.failed':
      return executionEnded(turn, event);
    case 'timer.fired':
      return timerFired(turn, event);
    case 'run.paused':
      turn.state.paused = true;
      return;
    case 'run.resumed':
      turn.state.paused = false;
      return;
    case 'drain.requested':
      return signal(turn, 'drain');
    case 'run.timedOut':
      return timeOutRun(turn);
  }
}

/** Drains the inbox (events, then the noop completions they cause), starting what may start, then settles. */
async function conduct(turn: Turn): Promise<void> {
  do {
    for (let event = turn.inbox.shift(); event !== undefined; event = turn.inbox.shift()) {
      const current = event;
      // A closed run only keeps receipts; `run.continued` is what reopens a continued one.
      if (isClosed(turn.state.phase) && current.kind !== 'run.continued') {
        if (current.kind === 'execution.completed' || current.kind === 'execution.failed') keepReceipt(turn, current.receipt);
        continue;
      }
      await guarded(turn, () => dispatch(turn, current));
      await guarded(turn, () => pump(turn));
    }
    await guarded(turn, () => pump(turn));
    await guarded(turn, () => settle(turn));
  } while (turn.inbox.length > 0);
}

/** Expression errors at run time fail the run with the expression's path. */
async function guarded(turn: Turn, work: () => Promise<void> | void): Promise<void> {
  try {
    await work();
  } catch (error) {
    failRun(turn, failureFromError(error), 'cancel');
  }
}

async function executionEnded(turn: Turn, event: ExecutionCompletedEvent | ExecutionFailedEvent): Promise<void> {
  const { state } = turn;
  keepReceipt(turn, event.receipt);
  const execution = state.executions.find((candidate) => candidate.id === event.executionId);
  if (execution === undefined) return; // cancelled earlier, or reported twice
  state.executions = state.executions.filter((candidate) => candidate !== execution);
  const attempts = event.kind === 'execution.failed' ? event.attempts : (event.receipt?.attempt ?? 1);
  // noop completes inside the conductor and spends no activity attempt.
  if (event.receipt !== undefined || event.kind === 'execution.failed') summaryOf(turn, execution.task).attempts += attempts;
  const run = state.runs.find((candidate) => candidate.id === execution.runId);
  if (run === undefined) return;
  if (run.fanout === undefined || execution.index === undefined) {
    const outcome: RunOutcome =
      event.kind === 'execution.completed'
        ? { status: 'succeeded', result: event.result, attempts }
        : { status: 'failed', error: event.error, attempts };
    await endRun(turn, run, outcome);
    return;
  }
  recordItem(
    run.fanout,
    execution.index,
    event.kind === 'execution.completed' ? { ok: true, result: event.result } : { ok: false, error: event.error, attempts },
  );
  const outcome = fanOutOutcome(run.fanout);
  if (outcome !== undefined) await endRun(turn, run, outcome);
}

function timerFired(turn: Turn, event: TimerFiredEvent): void {
  const { state } = turn;
  const timer = state.timers.find((candidate) => candidate.id === event.timerId);
  if (timer === undefined) return;
  state.timers = state.timers.filter((candidate) => candidate !== timer);
  if (timer.purpose === 'run-timeout') timeOutRun(turn);
  else releaseDelayed(turn, timer.runId);
}

/** A new run of the chain: same start time (the run timeout spans the chain), timers re-armed. */
function continueRun(turn: Turn, event: RunContinuedEvent): void {
  const { state } = turn;
  state.workflow = { ...event.workflow, startTime: state.workflow.startTime };
  state.phase = 'running';
  state.generation += 1;
  for (const timer of state.timers) emit(turn, { kind: 'startTimer', timerId: timer.id, ms: Math.max(0, timer.dueAt - turn.now) });
}

function keepReceipt(turn: Turn, receipt: Receipt | undefined): void {
  if (receipt === undefined) return;
  const { state } = turn;
  state.receipts.push(receipt);
  const excess = state.receipts.length - RECEIPT_LIMIT;
  if (excess > 0) {
    state.receipts.splice(0, excess);
    state.receiptsDropped += excess;
  }
}
