/**
 * The run state: only what changes while a run goes on (the fixed part — definition, graph,
 * input, workflow identity — is the RunContext, context.ts). Plain JSON, so continue-as-new
 * carries it and the `state` query returns a view of it.
 *
 * Every field is a slice with exactly one writer module (ARCHITECTURE.md has the map, and
 * test/unit/conductor/ownership.test.ts enforces it). Slices are replaced, never changed in
 * place — the `readonly` types make the compiler refuse an in-place write — so a step can
 * start from a shallow copy and still leave the state it was given untouched.
 */
import type { Receipt } from '../activities/types.js';

/** The version of this shape; upgrade.ts reads older ones. */
export const STATE_FORMAT = 2;

/** The run identity expressions see as `workflow`. */
export interface WorkflowRef {
  readonly id: string;
  readonly runId: string;
  /** ISO-8601 instant the run chain started (kept across continue-as-new). */
  readonly startTime: string;
}

/** Where the run is in its life; changes only through the table in phase.ts. */
export type RunPhase =
  | 'running'
  | 'draining'
  /** A `do: [notify, fail]` waits for the transition's other targets before it fails (SPEC §3 rule 5). */
  | 'finishing'
  | 'failing'
  | 'notifying'
  | 'cancelling'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'continued';

/** Where one task in the per-task summary stands. */
export type TaskStatus = 'not_run' | 'scheduled' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Per-task summary returned with the run result (SPEC §3 rule 6). */
export interface TaskSummary {
  readonly status: TaskStatus;
  /**
   * How many times the task has started (cycles raise it). A run that was scheduled but never
   * started — cancelled while it waited on its `delay`, say — does not count.
   */
  readonly iterations: number;
  /** Activity attempts spent on the task, over every iteration and item. */
  readonly attempts: number;
  readonly lastError?: string;
}

/** Every way a run can fail inside the conductor. */
export type FailureType =
  | 'TaskFailed'
  | 'FailRequested'
  | 'JoinUnsatisfied'
  | 'MaxIterationsExceeded'
  | 'RunTimedOut'
  | 'ExpressionError'
  /** The run's result or its continue-as-new state is over Temporal's payload limit (SPEC rule 16). */
  | 'PayloadTooLarge';

/** Why a run failed; `type` becomes the ApplicationFailure type. */
export interface RunFailure {
  readonly type: FailureType;
  readonly message: string;
  readonly task?: string;
  readonly attempts?: number;
  /** Path in the definition the failure comes from (expressions, joins, `fail`). */
  readonly path?: string;
}

/** What became of the `on_failure.notify` delivery (SPEC §5); travels in the failure's details. */
export interface NotificationReport {
  readonly to: string;
  readonly outcome: 'delivered' | 'failed';
  readonly receipt?: Receipt;
  readonly error?: string;
}

/** A failed fan-out item, held until the other running items end (SPEC rule 9). */
export interface ItemFailure {
  readonly index: number;
  readonly message: string;
  readonly type?: string;
  readonly attempts: number;
}

/** Progress of a fan-out task run. */
export interface FanOut {
  readonly items: readonly unknown[];
  /** Item results by index; holes are items not yet done. */
  readonly results: readonly unknown[];
  /** Index of the next item to start. */
  readonly next: number;
  readonly running: number;
  readonly done: number;
  readonly limit: number;
  readonly failure?: ItemFailure;
}

/** One execution (iteration) of a task, from being scheduled until it ends. */
export interface TaskRun {
  /** `task#iteration`, unique within the run chain. */
  readonly id: string;
  readonly task: string;
  readonly iteration: number;
  /** delayed: waiting on its timer; ready: may start when allowed; active: activities out. */
  readonly stage: 'delayed' | 'ready' | 'active';
  readonly fanout?: FanOut;
}

/** One activity the workflow has been asked to run for a task run. */
export interface Execution {
  readonly id: string;
  readonly runId: string;
  readonly task: string;
  readonly iteration: number;
  readonly index?: number;
  /**
   * Cancelled by a race its task lost (rule 18): its run is gone, but it stays out until the
   * activity reports back — a script only once its process group is gone — so its receipt
   * (outcome `cancelled`) is kept and the run does not end before it.
   */
  readonly cancelled?: true;
}

/** A task's `delay` timer. */
export interface DelayTimer {
  readonly id: string;
  readonly dueAt: number;
  readonly runId: string;
}

/** One round of a join: the distinct sources that arrived, and whether it has fired. */
export interface Barrier {
  readonly task: string;
  readonly round: number;
  readonly arrived: readonly string[];
  /** Sources that arrived after the barrier fired: recorded, run nothing. */
  readonly late: readonly string[];
  readonly fired: boolean;
}

/** Phase, pause and how the run ended. Writer: lifecycle.ts. */
export interface Lifecycle {
  readonly phase: RunPhase;
  readonly paused: boolean;
  readonly failure?: RunFailure;
  /** While `finishing`: the task runs the run waits for before it fails (`task#iteration`). */
  readonly finishing?: readonly string[];
  readonly output?: unknown;
  /** The `on_failure.notify` delivery: its execution while out, then its report. */
  readonly notification?: { readonly executionId?: string; readonly to: string; readonly report?: NotificationReport };
}

/** What tasks produced and published. Writer: transitions.ts. */
export interface RunData {
  readonly ctx: Readonly<Record<string, unknown>>;
  /** Last successful result of every task. */
  readonly results: Readonly<Record<string, unknown>>;
}

/** Task runs, the activities and delay timers out for them. Writer: runs.ts. */
export interface Work {
  /** Source of execution and timer ids; never reused across continue-as-new. */
  readonly counter: number;
  readonly runs: readonly TaskRun[];
  readonly executions: readonly Execution[];
  readonly timers: readonly DelayTimer[];
}

/** A task run of `action: wait` waiting for its event (SPEC §3 rule 17). */
export interface Wait {
  /** The task run (`task#iteration`) it belongs to. */
  readonly runId: string;
  readonly task: string;
  readonly iteration: number;
  readonly event: string;
  /** When the wait began (ms since epoch, workflow time). */
  readonly since: number;
  /** Its `timeout` timer, when the task has one. */
  readonly timer?: { readonly id: string; readonly dueAt: number };
}

/** Open join barriers. Writer: joins.ts. */
export interface Joins {
  /** Open barriers per join task, oldest first. */
  readonly barriers: Readonly<Record<string, readonly Barrier[]>>;
  /** Last round number used per join task. */
  readonly rounds: Readonly<Record<string, number>>;
}

/** Cycle and time guards. Writer: guards.ts. */
export interface Guards {
  readonly iterations: Readonly<Record<string, number>>;
  /** The whole-run timeout's timer, while armed. */
  readonly deadline?: { readonly timerId: string; readonly dueAt: number };
}

/** Receipts of finished attempts, newest last, capped at RECEIPT_LIMIT. Writer: receipts.ts. */
export interface ReceiptLog {
  readonly kept: readonly Receipt[];
  readonly dropped: number;
}

/** The whole run state. */
export interface RunState {
  readonly format: typeof STATE_FORMAT;
  /** How many times this run chain has continued-as-new. Writer: conductor.ts. */
  generation: number;
  /** When the run chain started (ISO-8601); the whole-run timeout counts from here. */
  readonly startedAt: string;
  lifecycle: Lifecycle;
  data: RunData;
  work: Work;
  joins: Joins;
  guards: Guards;
  /** Per-task summary. Writer: summary.ts. */
  tasks: Readonly<Record<string, TaskSummary>>;
  receipts: ReceiptLog;
  /**
   * Waits for events, oldest first. Writer: waits.ts. Absent in states carried by releases
   * before `action: wait`, and in runs that never waited.
   */
  waits?: readonly Wait[];
}

/**
 * Receipts travel through continue-as-new inside the state, so a loop that runs forever
 * would grow its payload forever; keep the newest and count the rest.
 */
export const RECEIPT_LIMIT = 200;
