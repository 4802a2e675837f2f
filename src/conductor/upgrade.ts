/**
 * Reading a carried run state back (continue-as-new input, test round trips), including
 * the shapes older Switchyard versions carried: a monitoring loop runs for months, so a run
 * that continued-as-new under an older version must resume on this one (README, "Upgrades").
 *
 * Format 1 (up to the conductor regrouping) kept the definition, graph and input inside
 * the state and every field flat; format 2 keeps only what changes, in owned slices.
 * The state is our own output, so a check of its top level is enough to catch a wrong
 * value passed by hand, with a clear message.
 */
import type { Receipt } from '../activities/types.js';
import {
  STATE_FORMAT,
  type Barrier,
  type DelayTimer,
  type Execution,
  type RunFailure,
  type RunPhase,
  type RunState,
  type TaskRun,
  type TaskSummary,
} from './state.js';

/** A carried state that cannot be read; names what is off. */
export class CarriedStateError extends Error {
  override readonly name = 'CarriedStateError';
}

/** The state as format 1 carried it (only the fields the upgrade reads). */
interface StateV1 {
  format: 1;
  workflow: { startTime: string };
  phase: RunPhase;
  paused: boolean;
  ctx: Record<string, unknown>;
  results: Record<string, unknown>;
  iterations: Record<string, number>;
  counter: number;
  runs: TaskRun[];
  executions: Execution[];
  timers: (
    { id: string; dueAt: number; purpose: 'delay'; runId: string } | { id: string; dueAt: number; purpose: 'run-timeout' }
  )[];
  barriers: Record<string, Barrier[]>;
  rounds: Record<string, number>;
  tasks: Record<string, TaskSummary>;
  receipts: Receipt[];
  receiptsDropped: number;
  generation: number;
  failure?: RunFailure;
  output?: unknown;
}

const V1_RECORDS = ['workflow', 'ctx', 'results', 'iterations', 'barriers', 'rounds', 'tasks'] as const;
const V1_LISTS = ['runs', 'executions', 'timers', 'receipts'] as const;
const V2_RECORDS = ['lifecycle', 'data', 'work', 'joins', 'guards', 'tasks', 'receipts'] as const;
const PHASES = new Set(['running', 'draining', 'finishing', 'failing', 'notifying', 'completed', 'failed', 'continued']);

/** Reads a carried state of any known format as today's {@link RunState}; throws {@link CarriedStateError}. */
export function readState(value: unknown): RunState {
  if (typeof value !== 'object' || value === null) throw new CarriedStateError('not a Switchyard run state: not an object');
  const fields: Record<string, unknown> = { ...value };
  if (fields.format === 1) return upgradeV1(value, fields);
  if (fields.format !== STATE_FORMAT) {
    throw new CarriedStateError(
      `not a Switchyard run state: format is ${JSON.stringify(fields.format)}, expected 1 or ${STATE_FORMAT}`,
    );
  }
  const problem = firstProblem(fields, V2_RECORDS, [], ['generation']) ?? phaseProblem(fields.lifecycle);
  if (problem !== undefined) throw new CarriedStateError(`not a Switchyard run state (format ${STATE_FORMAT}): ${problem}`);
  // Our own output, checked at the top level above: a full parse per continue-as-new would cost more than it could catch.
  return value as RunState;
}

function upgradeV1(value: object, fields: Record<string, unknown>): RunState {
  const problem =
    firstProblem(fields, V1_RECORDS, V1_LISTS, ['counter', 'receiptsDropped', 'generation']) ??
    (typeof fields.paused === 'boolean' ? undefined : 'paused is not a boolean') ??
    phaseProblem(fields);
  if (problem !== undefined) throw new CarriedStateError(`not a Switchyard run state (format 1): ${problem}`);
  // Written by the previous release and checked at the top level above (see the header).
  const old = value as StateV1;
  const delays: DelayTimer[] = [];
  let deadline: RunState['guards']['deadline'];
  for (const timer of old.timers) {
    if (timer.purpose === 'delay') delays.push({ id: timer.id, dueAt: timer.dueAt, runId: timer.runId });
    else deadline = { timerId: timer.id, dueAt: timer.dueAt };
  }
  return {
    format: STATE_FORMAT,
    generation: old.generation,
    startedAt: old.workflow.startTime,
    lifecycle: {
      phase: old.phase,
      paused: old.paused,
      ...(old.failure === undefined ? {} : { failure: old.failure }),
      ...(old.output === undefined ? {} : { output: old.output }),
    },
    data: { ctx: old.ctx, results: old.results },
    work: { counter: old.counter, runs: old.runs, executions: old.executions, timers: delays },
    joins: { barriers: old.barriers, rounds: old.rounds },
    guards: { iterations: old.iterations, ...(deadline === undefined ? {} : { deadline }) },
    tasks: old.tasks,
    receipts: { kept: old.receipts, dropped: old.receiptsDropped },
  };
}

function firstProblem(
  fields: Record<string, unknown>,
  records: readonly string[],
  lists: readonly string[],
  numbers: readonly string[],
): string | undefined {
  for (const name of records) {
    const field = fields[name];
    if (typeof field !== 'object' || field === null || Array.isArray(field)) return `${name} is not an object`;
  }
  for (const name of lists) if (!Array.isArray(fields[name])) return `${name} is not a list`;
  for (const name of numbers) if (typeof fields[name] !== 'number') return `${name} is not a number`;
  return undefined;
}

function phaseProblem(holder: unknown): string | undefined {
  const phase = typeof holder === 'object' && holder !== null && 'phase' in holder ? holder.phase : undefined;
  return typeof phase === 'string' && PHASES.has(phase) ? undefined : `phase ${JSON.stringify(phase)} is unknown`;
}
