/**
 * The `state` query's answer (SPEC §3 rule 14): what a person wants to see of a live or
 * closed run, derived from the conductor state (never stored separately).
 */
import type { Receipt } from '../activities/types.js';
import { oversize, PAYLOAD_LIMIT_TEXT } from '../payloads.js';
import { missingSources } from './barriers.js';
import type { RunContext } from './context.js';
import { openWaits } from './waits.js';
import type { NotificationReport, RunFailure, RunPhase, RunState, TaskSummary } from './state.js';

/** What a rerun needs of a run's final state (the `carried` query's answer): ctx, results, iterations, how it ended. */
export interface CarriedView {
  ctx: Readonly<Record<string, unknown>>;
  results: Readonly<Record<string, unknown>>;
  iterations: Readonly<Record<string, number>>;
  tasks: Readonly<Record<string, TaskSummary>>;
  failure?: RunFailure;
}

/** The part of a state a rerun starts from. */
export function carriedOf(state: RunState): CarriedView {
  const view: CarriedView = {
    ctx: state.data.ctx,
    results: state.data.results,
    iterations: state.guards.iterations,
    tasks: state.tasks,
  };
  if (state.lifecycle.failure !== undefined) view.failure = state.lifecycle.failure;
  return view;
}

/** One activity out right now. */
export interface RunningView {
  executionId: string;
  task: string;
  iteration: number;
  index?: number;
  /** Cancelled by a lost race (rule 18): out until its activity reports that it stopped. */
  cancelled?: true;
}

/** One task waiting for an event (rule 17). */
export interface WaitingView {
  task: string;
  iteration: number;
  event: string;
  /** ISO-8601: when it began to wait. */
  since: string;
  /** ISO-8601: when it times out, if it has a timeout. */
  until?: string;
}

/** One open join barrier. */
export interface BarrierView {
  task: string;
  round: number;
  fired: boolean;
  arrived: string[];
  missing: string[];
  late: string[];
}

/** The live view of a run. */
export interface StateView {
  /** The phase, or `paused` while a running run is paused. */
  status: RunPhase | 'paused';
  paused: boolean;
  running: RunningView[];
  /** Task runs not yet started: waiting to start (ready) or on their delay timer. */
  scheduled: { task: string; iteration: number; stage: 'ready' | 'delayed' }[];
  /** Tasks waiting for an event sent to the run, oldest first. */
  waiting: WaitingView[];
  barriers: BarrierView[];
  iterations: Readonly<Record<string, number>>;
  ctx: Readonly<Record<string, unknown>>;
  tasks: Readonly<Record<string, TaskSummary>>;
  receipts: readonly Receipt[];
  receiptsDropped: number;
  generation: number;
  failure?: RunFailure;
  output?: unknown;
  notification?: NotificationReport;
  /**
   * Set when the whole view would be over the payload limit (SPEC rule 16): `ctx` and
   * `output` (and, if that is not enough, `receipts`) are left out and this says so.
   */
  tooLarge?: string;
}

/**
 * The view of a state, small enough to be a query's answer: a view over the payload limit
 * (a query answer is a payload too) drops ctx and output, then receipts, and says so.
 */
export function viewOf(context: RunContext, state: RunState): StateView {
  const view = fullView(context, state);
  const bytes = oversize(view);
  if (bytes === undefined) return view;
  const { output: _output, ...rest } = view;
  const notice = `state too large (${bytes} bytes, over the ${PAYLOAD_LIMIT_TEXT} payload limit)`;
  const small: StateView = { ...rest, ctx: {}, tooLarge: `${notice}: ctx and output left out` };
  if (oversize(small) === undefined) return small;
  return { ...small, receipts: [], tooLarge: `${notice}: ctx, output and receipts left out` };
}

function fullView(context: RunContext, state: RunState): StateView {
  const { lifecycle, work } = state;
  const view: StateView = {
    status: lifecycle.paused && lifecycle.phase === 'running' ? 'paused' : lifecycle.phase,
    paused: lifecycle.paused,
    running: work.executions.map(({ id, task, iteration, index, cancelled }) => ({
      executionId: id,
      task,
      iteration,
      ...(index === undefined ? {} : { index }),
      ...(cancelled === true ? { cancelled } : {}),
    })),
    scheduled: work.runs.flatMap((run) =>
      run.stage === 'active' ? [] : [{ task: run.task, iteration: run.iteration, stage: run.stage }],
    ),
    waiting: openWaits(state).map((wait) => ({
      task: wait.task,
      iteration: wait.iteration,
      event: wait.event,
      since: new Date(wait.since).toISOString(),
      ...(wait.timer === undefined ? {} : { until: new Date(wait.timer.dueAt).toISOString() }),
    })),
    barriers: Object.values(state.joins.barriers).flatMap((barriers) =>
      barriers.map((barrier) => ({
        task: barrier.task,
        round: barrier.round,
        fired: barrier.fired,
        arrived: [...barrier.arrived],
        missing: missingSources(barrier, context.graph.inboundSources[barrier.task] ?? []),
        late: [...barrier.late],
      })),
    ),
    iterations: state.guards.iterations,
    ctx: state.data.ctx,
    tasks: state.tasks,
    receipts: state.receipts.kept,
    receiptsDropped: state.receipts.dropped,
    generation: state.generation,
  };
  if (lifecycle.failure !== undefined) view.failure = lifecycle.failure;
  if (lifecycle.output !== undefined) view.output = lifecycle.output;
  if (lifecycle.notification?.report !== undefined) view.notification = lifecycle.notification.report;
  return view;
}
