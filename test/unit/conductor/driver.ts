/**
 * A pure, deterministic host for the conductor: it plays the part of the workflow, feeding
 * commands back as events from a fixture's scripted outcomes on a virtual clock. Each
 * activity ends `after` ms after it starts (default 1); ties go in start order, and the
 * fixture's `order` can pick which running activity ends next.
 */
import { z } from 'zod';
import type { Receipt } from '../../../src/activities/types.js';
import {
  buildContext,
  readState,
  startRun,
  step,
  viewOf,
  type ConductorCommand,
  type ConductorEvent,
  type RunContext,
  type RunFailure,
  type RunState,
  type StepResult,
} from '../../../src/conductor/index.js';
import { checkReceived, formatProblems } from '../../../src/definition/index.js';

const OutcomeSchema = z.union([
  z.enum(['succeeded', 'failed']),
  z.object({ result: z.unknown(), after: z.number().optional() }).strict(),
  z
    .object({
      error: z.string(),
      type: z.string().optional(),
      attempts: z.number().int().positive().optional(),
      after: z.number().optional(),
    })
    .strict(),
]);
/** One scripted activity outcome. */
export type Outcome = z.infer<typeof OutcomeSchema>;

const SignalSchema = z
  .object({
    /** `event`: an event sent to the run (rule 17), named by `event`, with `data` as payload. */
    send: z.enum(['pause', 'resume', 'drain', 'event']),
    event: z.string().optional(),
    data: z.unknown().optional(),
    /** Deliver at this virtual time (ms after the start), unless something else is due earlier. */
    at: z.number().int().min(0).optional(),
    /** Deliver once this many activities have ended; without it, when nothing else can happen. */
    after: z.number().int().min(0).optional(),
  })
  .strict();

/** One fixture case. */
export const CaseSchema = z
  .object({
    name: z.string(),
    rules: z.array(z.number().int()).min(1),
    definition: z.unknown(),
    input: z.record(z.string(), z.unknown()).optional(),
    outcomes: z.record(z.string(), z.array(OutcomeSchema)).optional(),
    order: z.array(z.string()).optional(),
    signals: z.array(SignalSchema).optional(),
    expect: z
      .object({
        status: z.enum(['completed', 'failed']),
        starts: z.array(z.string()).optional(),
        ctx: z.record(z.string(), z.unknown()).optional(),
        output: z.unknown().optional(),
        error: z.string().optional(),
        error_type: z.string().optional(),
        timers: z.array(z.number()).optional(),
        iterations: z.record(z.string(), z.number()).optional(),
        /** Per-task summary: the status and how many iterations started (state.tasks). */
        tasks: z.record(z.string(), z.object({ status: z.string(), iterations: z.number() }).strict()).optional(),
        max_running: z.number().optional(),
        continued: z.number().optional(),
      })
      .strict(),
  })
  .strict();
export type Case = z.infer<typeof CaseSchema>;

/** A fixture file: cases sharing one theme. */
export const FixtureSchema = z.object({ description: z.string().optional(), cases: z.array(CaseSchema).min(1) }).strict();

/** What a driven run produced. */
export interface RunRecord {
  status: 'completed' | 'failed';
  /** Activity starts (`task` or `task[index]`) interleaved with `(signal)` and `(cancel …)` marks. */
  starts: string[];
  timers: number[];
  ctx: Readonly<Record<string, unknown>>;
  output?: unknown;
  failure?: RunFailure;
  iterations: Readonly<Record<string, number>>;
  maxRunning: number;
  continued: number;
  state: RunState;
}

interface InFlight {
  id: string;
  label: string;
  task: string;
  iteration: number;
  index?: number;
  outcome: Outcome;
  at: number;
  seq: number;
}

const WORKFLOW = { id: 'wf-test', runId: 'run-1', startTime: '2026-01-01T00:00:00.000Z' };
const MAX_STEPS = 5_000;

/** Options: round-trip the state through JSON after every step (what continue-as-new does). */
export interface DriveOptions {
  roundTrip?: boolean;
}

/** Runs a fixture case to its end. */
export async function drive(fixture: Case, options: DriveOptions = {}): Promise<RunRecord> {
  // What the interpreter accepts: the fixtures' tasks are abstract, their `with` is not an activity's.
  const valid = checkReceived(fixture.definition);
  if (!valid.ok) throw new Error(`fixture '${fixture.name}' has an invalid definition:\n${formatProblems(valid.problems)}`);
  const start = Date.parse(WORKFLOW.startTime);
  let now = start;
  let seq = 0;
  let completions = 0;
  let continued = 0;
  let maxRunning = 0;
  const used: Record<string, number> = {};
  const inFlight: InFlight[] = [];
  const timers: { id: string; at: number; seq: number }[] = [];
  const starts: string[] = [];
  const timerLog: number[] = [];
  const order = [...(fixture.order ?? [])];
  const signals = [...(fixture.signals ?? [])];
  let terminal: ConductorCommand | undefined;

  // Built once per run, like the workflow does, and again for each continued run.
  // As a run started by this release: `do: [notify, fail]` runs notify first (the workflow's patch).
  const contextFor = (runId: string): RunContext =>
    buildContext({ ...valid, input: fixture.input ?? {}, workflow: { id: WORKFLOW.id, runId }, failAfterTargets: true });
  let context = contextFor(WORKFLOW.runId);
  let result: StepResult = await startRun(context, { kind: 'run.started', startTime: WORKFLOW.startTime, now });
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    let state = result.state;
    let nextEvent: ConductorEvent | undefined;
    for (const command of result.commands) {
      switch (command.kind) {
        case 'startExecution': {
          const label = command.index === undefined ? command.task : `${command.task}[${command.index}]`;
          const script = fixture.outcomes?.[command.task] ?? [];
          const position = used[command.task] ?? 0;
          used[command.task] = position + 1;
          const outcome: Outcome = script[position] ?? { result: label };
          const after = typeof outcome === 'string' ? 1 : (outcome.after ?? 1);
          inFlight.push({
            id: command.executionId,
            label,
            task: command.task,
            iteration: command.iteration,
            ...(command.index === undefined ? {} : { index: command.index }),
            outcome,
            at: now + after,
            seq: seq++,
          });
          starts.push(label);
          break;
        }
        case 'startChild': {
          // A child workflow reports back like an activity: scripted by its task's outcomes.
          const label = command.index === undefined ? command.task : `${command.task}[${command.index}]`;
          const script = fixture.outcomes?.[command.task] ?? [];
          const position = used[command.task] ?? 0;
          used[command.task] = position + 1;
          const outcome: Outcome = script[position] ?? { result: command.input };
          const after = typeof outcome === 'string' ? 1 : (outcome.after ?? 1);
          inFlight.push({
            id: command.executionId,
            label,
            task: command.task,
            iteration: command.iteration,
            ...(command.index === undefined ? {} : { index: command.index }),
            outcome,
            at: now + after,
            seq: seq++,
          });
          starts.push(`child ${command.workflowId}`);
          break;
        }
        case 'startTimer':
          timers.push({ id: command.timerId, at: now + command.ms, seq: seq++ });
          timerLog.push(command.ms);
          break;
        case 'cancel': {
          const cancelled = inFlight.filter((flight) => command.executionIds.includes(flight.id));
          if (cancelled.length > 0) starts.push(`(cancel ${cancelled.map((flight) => flight.label).join(', ')})`);
          remove(inFlight, (flight) => command.executionIds.includes(flight.id));
          // Like the host, a cancelled activity reports back once it stopped: a failure, at once.
          for (const flight of cancelled)
            inFlight.push({ ...flight, outcome: { error: 'cancelled', type: 'CancelledFailure' }, at: now, seq: seq++ });
          remove(timers, (timer) => command.timerIds.includes(timer.id));
          break;
        }
        case 'continueAsNew':
          continued += 1;
          starts.push('(continue-as-new)');
          // Exactly what Temporal does to workflow input: serialise it.
          state = readState(JSON.parse(JSON.stringify(command.state)));
          timers.length = 0;
          context = contextFor(`run-${continued + 1}`);
          nextEvent = { kind: 'run.continued', now };
          break;
        case 'completeRun':
        case 'failRun':
          terminal = command;
          break;
      }
    }
    maxRunning = Math.max(maxRunning, inFlight.length);
    if (terminal !== undefined) return record(terminal, state, { starts, timers: timerLog, maxRunning, continued });
    if (options.roundTrip === true) state = readState(JSON.parse(JSON.stringify(state)));
    nextEvent ??= pickEvent();
    if (nextEvent === undefined)
      throw new Error(`fixture '${fixture.name}': the run is stuck: ${JSON.stringify(viewOf(context, state))}`);
    result = await step(context, state, nextEvent);
  }
  throw new Error(`fixture '${fixture.name}': no end after ${MAX_STEPS} steps`);

  function pickEvent(): ConductorEvent | undefined {
    const dueSignal = signals.findIndex((signal) => signal.after !== undefined && signal.after <= completions);
    if (dueSignal === 0) return deliver();
    const timed = signals[0]?.at;
    if (timed !== undefined) {
      const at = start + timed;
      const nextFlight = Math.min(...inFlight.map((flight) => flight.at), ...timers.map((timer) => timer.at));
      if (at <= nextFlight) {
        now = Math.max(now, at);
        return deliver();
      }
    }
    const wanted = order[0] === undefined ? undefined : inFlight.find((flight) => flight.label === order[0]);
    if (wanted !== undefined) order.shift();
    const flight = wanted ?? [...inFlight].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
    const timer = [...timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
    if (timer !== undefined && (flight === undefined || (wanted === undefined && timer.at < flight.at))) {
      remove(timers, (candidate) => candidate === timer);
      now = Math.max(now, timer.at);
      return { kind: 'timer.fired', timerId: timer.id, now };
    }
    if (flight !== undefined) {
      remove(inFlight, (candidate) => candidate === flight);
      now = Math.max(now, flight.at);
      completions += 1;
      return outcomeEvent(flight, now);
    }
    return signals.length > 0 ? deliver() : undefined;
  }

  function deliver(): ConductorEvent | undefined {
    const signal = signals.shift();
    if (signal === undefined) return undefined;
    if (signal.send === 'event') {
      const event = signal.event ?? '';
      starts.push(`(event ${event})`);
      return { kind: 'event.received', event, data: signal.data ?? null, now };
    }
    starts.push(`(${signal.send})`);
    const kinds = { pause: 'run.paused', resume: 'run.resumed', drain: 'drain.requested' } as const;
    return { kind: kinds[signal.send], now };
  }
}

function outcomeEvent(flight: InFlight, now: number): ConductorEvent {
  const { outcome } = flight;
  const failed = outcome === 'failed' || (typeof outcome === 'object' && 'error' in outcome);
  const attempts = typeof outcome === 'object' && 'error' in outcome ? (outcome.attempts ?? 1) : 1;
  const receipt = fakeReceipt(flight, failed ? 'failed' : 'succeeded', attempts, now);
  if (failed) {
    const error =
      typeof outcome === 'object' && 'error' in outcome
        ? { message: outcome.error, ...(outcome.type === undefined ? {} : { type: outcome.type }) }
        : { message: `${flight.label} failed` };
    return { kind: 'execution.failed', executionId: flight.id, error, attempts, receipt, now };
  }
  const result = typeof outcome === 'object' && 'result' in outcome ? outcome.result : flight.label;
  return { kind: 'execution.completed', executionId: flight.id, result, receipt, now };
}

function fakeReceipt(flight: InFlight, outcome: 'succeeded' | 'failed', attempt: number, now: number): Receipt {
  const at = new Date(now).toISOString();
  return {
    task: flight.task,
    iteration: flight.iteration,
    ...(flight.index === undefined ? {} : { index: flight.index }),
    attempt,
    kind: 'script',
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    outcome,
    workerIdentity: 'driver',
    inputDigest: '',
    inputBytes: 0,
    outputDigest: '',
    outputBytes: 0,
  };
}

function record(
  terminal: ConductorCommand,
  state: RunState,
  extra: Pick<RunRecord, 'starts' | 'timers' | 'maxRunning' | 'continued'>,
): RunRecord {
  const base = { ...extra, ctx: state.data.ctx, iterations: state.guards.iterations, state };
  if (terminal.kind === 'completeRun') return { ...base, status: 'completed', output: terminal.output };
  if (terminal.kind === 'failRun') return { ...base, status: 'failed', failure: terminal.failure };
  throw new Error(`not a terminal command: ${terminal.kind}`);
}

function remove<T>(list: T[], predicate: (item: T) => boolean): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i];
    if (item !== undefined && predicate(item)) list.splice(i, 1);
  }
}
