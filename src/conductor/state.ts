/**
 * The conductor's state: plain JSON, so the workflow can carry it through continue-as-new
 * and the `state` query can return it. Nothing here holds a function, a Date or a Map.
 */
import type { Definition } from '../definition/schema.js';
import type { Graph } from '../definition/index.js';
import type { Receipt } from '../activities/types.js';

/** The run identity expressions see as `workflow`. */
export interface WorkflowRef {
  id: string;
  runId: string;
  /** ISO-8601 instant the run (chain) started. */
  startTime: string;
}

/** Where the run is in its life; changes only through the table in phase.ts. */
export type RunPhase = 'running' | 'draining' | 'failing' | 'completed' | 'failed' | 'continued';

/** Where one task in the per-task summary stands. */
export type TaskStatus = 'not_run' | 'scheduled' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Per-task summary returned with the run result (SPEC §3 rule 6). */
export interface TaskSummary {
  status: TaskStatus;
  /** How many times the task has been scheduled to run (cycles raise it). */
  iterations: number;
  /** Activity attempts spent on the task, over every iteration and item. */
  attempts: number;
  lastError?: string;
}

/** Why a run failed; `type` becomes the ApplicationFailure type. */
export interface RunFailure {
  type: FailureType;
  message: string;
  task?: string;
  attempts?: number;
  /** Path in the definition the failure comes from (expressions, joins, `fail`). */
  path?: string;
}

/** Every way a run can fail inside the conductor. */
export type FailureType =
  | 'TaskFailed'
  | 'FailRequested'
  | 'JoinUnsatisfied'
  | 'MaxIterationsExceeded'
  | 'RunTimedOut'
  | 'ExpressionError';

/** A failed fan-out item, held until the other running items end (SPEC rule 9). */
export interface ItemFailure {
  index: number;
  message: string;
  type?: string;
  attempts: number;
}

/** Progress of a fan-out task run. */
export interface FanOut {
  items: unknown[];
  /** Item results by index; holes are items not yet done. */
  results: unknown[];
  /** Index of the next item to start. */
  next: number;
  running: number;
  done: number;
  limit: number;
  failure?: ItemFailure;
}

/** One execution (iteration) of a task, from being scheduled until it ends. */
export interface TaskRun {
  /** `task#iteration`, unique within the run chain. */
  id: string;
  task: string;
  iteration: number;
  /** delayed: waiting on its timer; ready: may start when allowed; active: activities out. */
  stage: 'delayed' | 'ready' | 'active';
  fanout?: FanOut;
}

/** One activity the workflow has been asked to run. */
export interface Execution {
  id: string;
  runId: string;
  task: string;
  iteration: number;
  index?: number;
}

/** A durable timer the workflow has been asked to start. */
export type Timer =
  | { id: string; dueAt: number; purpose: 'delay'; runId: string }
  | { id: string; dueAt: number; purpose: 'run-timeout' };

/** One round of a join: the distinct sources that arrived, and whether it has fired. */
export interface Barrier {
  task: string;
  round: number;
  arrived: string[];
  /** Sources that arrived after the barrier fired: recorded, run nothing. */
  late: string[];
  fired: boolean;
}

/** The whole conductor state. */
export interface ConductorState {
  format: 1;
  definition: Definition;
  graph: Graph;
  input: Record<string, unknown>;
  workflow: WorkflowRef;
  phase: RunPhase;
  paused: boolean;
  ctx: Record<string, unknown>;
  /** Last successful result of every task. */
  results: Record<string, unknown>;
  iterations: Record<string, number>;
  /** Source of execution ids; never reused across continue-as-new. */
  counter: number;
  runs: TaskRun[];
  executions: Execution[];
  timers: Timer[];
  /** Open barriers per join task, oldest first. */
  barriers: Record<string, Barrier[]>;
  /** Last round number used per join task. */
  rounds: Record<string, number>;
  tasks: Record<string, TaskSummary>;
  /** Receipts of finished attempts, newest last; capped (see RECEIPT_LIMIT). */
  receipts: Receipt[];
  receiptsDropped: number;
  /** How many times this run chain has continued-as-new. */
  generation: number;
  failure?: RunFailure;
  output?: unknown;
}

/**
 * Receipts travel through continue-as-new inside the state, so a loop that runs forever
 * would grow its payload forever; keep the newest and count the rest.
 */
export const RECEIPT_LIMIT = 200;
