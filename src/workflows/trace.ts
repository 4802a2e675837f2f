/**
 * The trace sink: how `switchyard events --transitions` reads what the conductor decided
 * (transitions taken, join arrivals) from a run's history. The client replays the history
 * with the workflow code and this sink collecting; a worker registers it as a no-op that is
 * not called during replay, so running workflows pay nothing and a worker never logs it.
 */
import type { Sinks } from '@temporalio/workflow';
import type { TraceRecord } from '../conductor/index.js';

/** The sink the interpreter calls with each step's trace, at the step's workflow time. */
export interface TraceSinks extends Sinks {
  switchyardTrace: { record(at: number, records: TraceRecord[]): void };
}

/** What a worker registers: nothing happens, and nothing is called while replaying. */
export const IGNORED_TRACE_SINK = {
  switchyardTrace: { record: { fn: (): void => undefined, callDuringReplay: false } },
};
