/**
 * What the host tells the conductor (events) and what the conductor asks of the host
 * (commands). Every event carries `now` (ms since epoch, from the workflow clock), the only
 * time the conductor ever sees.
 */
import type { ActionKind, Receipt } from '../activities/types.js';
import type { NotificationReport, RunFailure, RunState, TaskSummary } from './state.js';

/** An error reported by an activity (or the host), as expressions see it in `task.error`. */
export interface ReportedError {
  message: string;
  type?: string;
}

/** A new run begins; the definition, graph and input are in the RunContext. */
export interface RunStartedEvent {
  kind: 'run.started';
  /** ISO-8601 start of the run chain: the whole-run timeout counts from here. */
  startTime: string;
  now: number;
  /** A rerun of an earlier run: the state it starts from and the tasks it starts at (instead of the entry points). */
  seed?: RunSeed;
}

/** What a rerun (`switchyard rerun`) carries over from the run it reruns. */
export interface RunSeed {
  ctx: Record<string, unknown>;
  results: Record<string, unknown>;
  /** Iterations per task, as the rerun starts (the client takes back the iteration it redoes). */
  iterations: Record<string, number>;
  /** The tasks the rerun starts at. */
  from: string[];
}

/** The run continued-as-new and picks up its carried state under a new run id. */
export interface RunContinuedEvent {
  kind: 'run.continued';
  now: number;
}

/** An activity (one task execution or one fan-out item) returned a result. */
export interface ExecutionCompletedEvent {
  kind: 'execution.completed';
  executionId: string;
  result: unknown;
  receipt?: Receipt;
  now: number;
}

/** An activity failed for good (retries exhausted or non-retryable). */
export interface ExecutionFailedEvent {
  kind: 'execution.failed';
  executionId: string;
  error: ReportedError;
  attempts: number;
  receipt?: Receipt;
  now: number;
}

/**
 * Events with no payload but the time. `run.cancelled`: the run was cancelled (Temporal's
 * cancel); the host has already asked every activity and timer out to stop.
 */
export interface SimpleEvent {
  kind: 'run.paused' | 'run.resumed' | 'drain.requested' | 'run.cancelled';
  now: number;
}

/** A timer the conductor asked for has fired. */
export interface TimerFiredEvent {
  kind: 'timer.fired';
  timerId: string;
  now: number;
}

/**
 * An event sent to the run (a Temporal Update named `event`), already validated against the
 * waiting task's payload schema: it ends the oldest wait for it (SPEC §3 rule 17).
 */
export interface EventReceivedEvent {
  kind: 'event.received';
  event: string;
  data: unknown;
  now: number;
}

/** Everything the host can tell the conductor after the run started. */
export type ConductorEvent =
  RunContinuedEvent | ExecutionCompletedEvent | ExecutionFailedEvent | TimerFiredEvent | EventReceivedEvent | SimpleEvent;

/** A Temporal RetryPolicy, already resolved to milliseconds. */
export interface RetrySettings {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs?: number;
  /** 0 means unlimited. */
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
}

/** Run one activity: a task execution, or one item of a fan-out. */
export interface StartExecutionCommand {
  kind: 'startExecution';
  executionId: string;
  task: string;
  action: ActionKind;
  with: unknown;
  iteration: number;
  index?: number;
  retry: RetrySettings;
  timeoutMs: number;
  heartbeatMs?: number;
  /** False for the `on_failure.notify` delivery: it must go out while the run is torn down. */
  cancellable?: boolean;
}

/**
 * Run a child workflow (`action: graph`, rule 19): the interpreter on `definition` with
 * `input`, as `workflowId`; report it like an activity (`execution.*`, result = its output).
 */
export interface StartChildCommand {
  kind: 'startChild';
  executionId: string;
  task: string;
  iteration: number;
  index?: number;
  workflowId: string;
  /** The `with.file` the definition was read from, for the child's error messages. */
  source: string;
  definition: unknown;
  input: Record<string, unknown>;
}

/** Start a durable timer (task `delay`, whole-run `timeout`); report it with `timer.fired`. */
export interface StartTimerCommand {
  kind: 'startTimer';
  timerId: string;
  ms: number;
  /** What the timer is for, as the Web UI shows it: `fetch • delay 5m`, `run • timeout 10m`. */
  summary: string;
}

/** Cancel activities (fail-fast) or timers; no event comes back for them. */
export interface CancelCommand {
  kind: 'cancel';
  executionIds: string[];
  timerIds: string[];
}

/** The run is done; return `output` and the per-task summary. */
export interface CompleteRunCommand {
  kind: 'completeRun';
  output: unknown;
  tasks: Readonly<Record<string, TaskSummary>>;
}

/** The run failed; fail the workflow with `failure.type` as the ApplicationFailure type. */
export interface FailRunCommand {
  kind: 'failRun';
  failure: RunFailure;
  tasks: Readonly<Record<string, TaskSummary>>;
  /** The `on_failure.notify` delivery, when the definition asks for one. */
  notification?: NotificationReport;
}

/** The cancelled run's activities have all reported back: close the run as cancelled. */
export interface CancelRunCommand {
  kind: 'cancelRun';
  tasks: Readonly<Record<string, TaskSummary>>;
}

/** Nothing is running any more: continue-as-new carrying this state. */
export interface ContinueAsNewCommand {
  kind: 'continueAsNew';
  state: RunState;
}

/** Everything the conductor can ask of its host. */
export type ConductorCommand =
  | StartExecutionCommand
  | StartTimerCommand
  | StartChildCommand
  | CancelCommand
  | CompleteRunCommand
  | FailRunCommand
  | CancelRunCommand
  | ContinueAsNewCommand;

/**
 * What the conductor decided that the history does not show (it is the conductor's own
 * state): a transition taken, with its `when`, what it published and scheduled; a source
 * arriving at a join. Recorded only when the context asks (`traced`: `switchyard events
 * --transitions` replays a run's history to read them); never a command.
 */
export type TraceRecord =
  | {
      kind: 'transition';
      task: string;
      iteration: number;
      /** Index in the task's `next`. */
      transition: number;
      when: string;
      publish: string[];
      do: string[];
    }
  | { kind: 'join.arrived'; task: string; source: string; round: number; fired: boolean };

/** The result of one conductor step. */
export interface StepResult {
  state: RunState;
  commands: ConductorCommand[];
  /** With a traced context: what the step decided (see {@link TraceRecord}). */
  trace?: TraceRecord[];
}
