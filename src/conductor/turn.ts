/**
 * One conductor step works on a private copy of the state (a "turn"): it collects the
 * commands to return and an inbox of internal events (a `noop` task completes through it,
 * so it follows exactly the path an activity result would).
 */
import type { Scope } from '../definition/index.js';
import type { ConductorCommand, ConductorEvent } from './events.js';
import { nextPhase, type PhaseSignal } from './phase.js';
import { readState } from './restore.js';
import type { ConductorState, TaskStatus, TaskSummary } from './state.js';

/** The working set of one step. */
export interface Turn {
  state: ConductorState;
  commands: ConductorCommand[];
  inbox: ConductorEvent[];
  now: number;
}

/** Deep copy through JSON: the state must survive exactly this when it continues-as-new. */
export function cloneState(state: ConductorState): ConductorState {
  return readState(JSON.parse(JSON.stringify(state)));
}

/** Appends a command. */
export function emit(turn: Turn, command: ConductorCommand): void {
  turn.commands.push(command);
}

/** Moves the run through the phase table. */
export function signal(turn: Turn, what: PhaseSignal): void {
  turn.state.phase = nextPhase(turn.state.phase, what);
}

/** A fresh id for an activity execution or timer. */
export function nextId(turn: Turn, prefix: string): string {
  turn.state.counter += 1;
  return `${prefix}${turn.state.counter}`;
}

/** The summary entry of a task (created on first use so every task is listed). */
export function summaryOf(turn: Turn, task: string): TaskSummary {
  const existing = turn.state.tasks[task];
  if (existing !== undefined) return existing;
  const created: TaskSummary = { status: 'not_run', iterations: 0, attempts: 0 };
  turn.state.tasks[task] = created;
  return created;
}

/** Records a task status change in the summary. */
export function markTask(turn: Turn, task: string, status: TaskStatus): void {
  summaryOf(turn, task).status = status;
}

/** The part of a scope every expression sees: input, ctx, results, workflow. */
export function baseScope(state: ConductorState): Scope {
  return { input: state.input, ctx: state.ctx, results: state.results, workflow: state.workflow };
}
