/**
 * The `state` query's answer (SPEC §3 rule 14): what a person wants to see of a live or
 * closed run, derived from the conductor state (never stored separately).
 */
import type { Receipt } from '../activities/types.js';
import { missingSources } from './barriers.js';
import type { ConductorState, RunFailure, RunPhase, TaskSummary } from './state.js';

/** One activity out right now. */
export interface RunningView {
  executionId: string;
  task: string;
  iteration: number;
  index?: number;
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
  barriers: BarrierView[];
  iterations: Record<string, number>;
  ctx: Record<string, unknown>;
  tasks: Record<string, TaskSummary>;
  receipts: Receipt[];
  receiptsDropped: number;
  generation: number;
  failure?: RunFailure;
  output?: unknown;
}

/** Builds the view of a state. */
export function viewOf(state: ConductorState): StateView {
  const view: StateView = {
    status: state.paused && state.phase === 'running' ? 'paused' : state.phase,
    paused: state.paused,
    running: state.executions.map(({ id, task, iteration, index }) => ({
      executionId: id,
      task,
      iteration,
      ...(index === undefined ? {} : { index }),
    })),
    scheduled: state.runs.flatMap((run) =>
      run.stage === 'active' ? [] : [{ task: run.task, iteration: run.iteration, stage: run.stage }],
    ),
    barriers: Object.values(state.barriers).flatMap((barriers) =>
      barriers.map((barrier) => ({
        task: barrier.task,
        round: barrier.round,
        fired: barrier.fired,
        arrived: barrier.arrived,
        missing: missingSources(barrier, state.graph.inboundSources[barrier.task] ?? []),
        late: barrier.late,
      })),
    ),
    iterations: state.iterations,
    ctx: state.ctx,
    tasks: state.tasks,
    receipts: state.receipts,
    receiptsDropped: state.receiptsDropped,
    generation: state.generation,
  };
  if (state.failure !== undefined) view.failure = state.failure;
  if (state.output !== undefined) view.output = state.output;
  return view;
}
