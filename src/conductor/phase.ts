/**
 * Run phases as data (Orquesta's state × event → state table) instead of branches spread
 * over the code: a signal a phase does not list leaves the phase unchanged.
 */
import type { RunPhase } from './state.js';

/** What can move a run between phases. */
export type PhaseSignal = 'drain' | 'finish' | 'fail' | 'complete' | 'continue' | 'notify' | 'failed' | 'cancel' | 'cancelled';

const TABLE: Record<RunPhase, Partial<Record<PhaseSignal, RunPhase>>> = {
  running: { drain: 'draining', finish: 'finishing', fail: 'failing', complete: 'completed', cancel: 'cancelling' },
  // A draining run that runs out of work completes rather than continuing-as-new.
  draining: { finish: 'finishing', fail: 'failing', complete: 'completed', continue: 'continued', cancel: 'cancelling' },
  // `do: [notify, fail]`: the other targets run, then the run fails; a deadline or a cancel comes first.
  finishing: { fail: 'failing', cancel: 'cancelling' },
  // A failing run with an `on_failure.notify` waits for that delivery before it fails.
  failing: { notify: 'notifying', failed: 'failed' },
  notifying: { failed: 'failed' },
  // A cancelled run waits until its activities out say they stopped (their processes are gone).
  cancelling: { cancelled: 'cancelled' },
  completed: {},
  failed: {},
  cancelled: {},
  continued: {},
};

/** Whether a phase may start new work (pause is a separate flag on top). */
const STARTS: Record<RunPhase, boolean> = {
  running: true,
  draining: false,
  // Only the runs it waits for (lifecycle.ts, mayStartRun).
  finishing: true,
  failing: false,
  notifying: false,
  cancelling: false,
  completed: false,
  failed: false,
  cancelled: false,
  continued: false,
};

/**
 * Whether a phase still follows transitions when a task ends. A draining run (about to
 * continue-as-new) does: the work it schedules is carried over; a failing run does not, nor
 * does a finishing one: what `notify` in `do: [notify, fail]` would lead to never runs.
 */
const FOLLOWS: Record<RunPhase, boolean> = {
  running: true,
  draining: true,
  finishing: false,
  failing: false,
  notifying: false,
  cancelling: false,
  completed: false,
  failed: false,
  cancelled: false,
  continued: false,
};

/** True if a task that ends in this phase still takes its transitions. */
export function followsTransitionsIn(phase: RunPhase): boolean {
  return FOLLOWS[phase];
}

/** The phase after `signal`, or the same phase if the table has no entry. */
export function nextPhase(phase: RunPhase, signal: PhaseSignal): RunPhase {
  return TABLE[phase][signal] ?? phase;
}

/** True if `signal` changes `phase`. */
export function accepts(phase: RunPhase, signal: PhaseSignal): boolean {
  return TABLE[phase][signal] !== undefined;
}

/** True if new tasks, items or activities may start in this phase. */
export function mayStartIn(phase: RunPhase): boolean {
  return STARTS[phase];
}

/** True once the run has ended (no more events change anything but receipts). */
export function isClosed(phase: RunPhase): boolean {
  return phase === 'completed' || phase === 'failed' || phase === 'cancelled' || phase === 'continued';
}
