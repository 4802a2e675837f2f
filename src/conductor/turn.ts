/**
 * One conductor step (a "turn"): the fixed context, the state being worked on, the commands
 * to return and an inbox of internal events (a `noop` task completes through it, so it
 * follows exactly the path an activity result would).
 *
 * `state` starts as a shallow copy of the state the step was given. Its slices are never
 * changed in place: each is replaced, and only by the module that owns it.
 */
import type { RunContext } from './context.js';
import type { ConductorCommand, ConductorEvent, TraceRecord } from './events.js';
import type { RunState } from './state.js';

/** The working set of one step. */
export interface Turn {
  readonly context: RunContext;
  readonly state: RunState;
  readonly commands: ConductorCommand[];
  readonly inbox: ConductorEvent[];
  readonly now: number;
  /** Only with a traced context. */
  readonly trace?: TraceRecord[];
}

/** Opens a turn on a shallow copy of `state`. */
export function openTurn(context: RunContext, state: RunState, now: number, inbox: ConductorEvent[] = []): Turn {
  return { context, state: { ...state }, commands: [], inbox, now, ...(context.traced === true ? { trace: [] } : {}) };
}

/** Records what the step decided, when the context is traced. */
export function note(turn: Turn, record: TraceRecord): void {
  turn.trace?.push(record);
}

/** Appends a command. */
export function emit(turn: Turn, command: ConductorCommand): void {
  turn.commands.push(command);
}
