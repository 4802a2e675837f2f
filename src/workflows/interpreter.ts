/**
 * `interpretGraph`: the one workflow that runs any Switchyard definition. It validates the
 * definition it was given (SPEC §3 rule 12: the definition travels as input), then feeds
 * the pure conductor events and carries out its commands — nothing else. Everything that
 * decides lives in src/conductor.
 */
import {
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  log,
  metricMeter,
  patched,
  proxySinks,
  setCurrentDetails,
  setDefaultSignalHandler,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { GRAPH_KEY } from '../constants.js';
import type { Receipt } from '../activities/types.js';
import {
  buildContext,
  carriedOf,
  detailsOf,
  type CarriedView,
  type RunSeed,
  readState,
  type ConductorEvent,
  startRun,
  step,
  viewOf,
  type ConductorCommand,
  type RunContext,
  type RunState,
  type StateView,
  type StepResult,
  type TaskSummary,
} from '../conductor/index.js';
import { checkReceived, doList, FAIL_TARGET, runInputProblems, type Definition } from '../definition/core.js';
import { EventDesk, type PendingEvent } from './events.js';
import { asRunFailure, invalidDefinition, invalidRunInput, runFailure } from './failures.js';
import { Host } from './host.js';
import type { TraceSinks } from './trace.js';

/** Pause the run: no new task starts; running ones finish (SPEC §3 rule 13). Kept for runs and clients from before the update. */
export const pauseSignal = defineSignal('pause');
/** Resume a paused run. Kept for runs and clients from before the update. */
export const resumeSignal = defineSignal('resume');

/** What a pause or resume update answers: whether the run is paused now, and whether this request changed it. */
export interface PauseAnswer {
  paused: boolean;
  changed: boolean;
}

/**
 * Pause as an Update: the sender learns at once whether it was accepted. A run that has
 * ended (or is failing or being cancelled) rejects it, and a misspelt name is rejected by
 * Temporal — a signal would have "succeeded" and done nothing.
 */
export const pauseUpdate = defineUpdate<PauseAnswer>('pause');
/** Resume as an Update (see {@link pauseUpdate}). */
export const resumeUpdate = defineUpdate<PauseAnswer>('resume');
/** The live state of the run (SPEC §3 rule 14); undefined before the definition is validated. */
export const stateQuery = defineQuery<StateView | undefined>('state');
/** What a rerun starts from: the run's ctx, results, iterations and failure (answers on closed runs too). */
export const carriedQuery = defineQuery<CarriedView | undefined>('carried');

/** The search attribute that lets `temporal workflow list` filter runs by graph name. */
export const GRAPH_ATTRIBUTE = GRAPH_KEY;

/**
 * The `patched()` id of a cancel that waits for the run's activities to stop (issue 9, no
 * orphans). Histories without it — runs cancelled by earlier releases — closed at once.
 */
export const CANCEL_WAITS_PATCH = 'switchyard-cancel-waits-for-activities';

/**
 * The `patched()` id of a continued run that fails at once when its whole-run deadline has
 * passed (issue 16): before it, such a run armed a 0 ms timer that a run continuing-as-new
 * again never saw fire, so frequent continue-as-new could outrun the timeout.
 */
export const DEADLINE_AT_CONTINUE_PATCH = 'switchyard-deadline-at-continue';

/**
 * The `patched()` id of `do: [notify, fail]` running `notify` before the run fails (issue 16).
 * Histories without it — runs recorded earlier — failed where `fail` was listed. Only a
 * definition that lists `fail` with other targets asks, so other runs' histories stay as they were.
 */
export const FAIL_AFTER_TARGETS_PATCH = 'switchyard-fail-after-targets';

/**
 * The `patched()` id of the start-time check of a run's input against the definition's
 * `input_schema` (SPEC rule 20, issue 15): a run started around the client (`temporal
 * workflow start`) with bad input fails at once, naming the field. Only definitions with
 * an input_schema ask, so every other run's history is as it was.
 */
export const TYPED_INPUT_PATCH = 'switchyard-typed-input';

const traceSinks = proxySinks<TraceSinks>();

/** History length after which a run drains and continues-as-new, unless Temporal suggests it earlier. */
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/** The interpreter's input. */
export interface InterpretInput {
  /** The definition as parsed YAML/JSON; the client validated it, the workflow checks it again (checkReceived). */
  definition: unknown;
  /** Run input; overrides the definition's `input` defaults. */
  input?: Record<string, unknown>;
  /** Where the definition came from (file name), used in error messages. */
  source?: string;
  /**
   * The run state carried over by continue-as-new: today's format, or one an older
   * Switchyard carried (conductor/upgrade.ts reads both; the definition travels once, above).
   */
  resume?: RunState | Record<string, unknown>;
  /** Drain and continue-as-new once the history has this many events. */
  continueAsNewAfterEvents?: number;
  /** A rerun (`switchyard rerun`): start from this state at these tasks instead of the entry points. */
  rerun?: RunSeed;
  /** Events (rule 17) the previous run of the chain accepted but had not applied when it continued-as-new. */
  events?: PendingEvent[];
}

/** The interpreter's result. */
export interface InterpretResult {
  status: 'completed';
  output: unknown;
  tasks: Readonly<Record<string, TaskSummary>>;
  receipts: readonly Receipt[];
}

/** Interprets a Switchyard definition as a durable run. */
export async function interpretGraph(args: InterpretInput): Promise<InterpretResult> {
  let context: RunContext | undefined;
  let state: RunState | undefined;
  // Registered first so that it also answers on closed runs (queries replay the history).
  setHandler(stateQuery, () => (context === undefined || state === undefined ? undefined : viewOf(context, state)), {
    description: 'The live run: phase, running and scheduled tasks, open barriers, ctx, per-task summary, receipts.',
  });
  setHandler(carriedQuery, () => (state === undefined ? undefined : carriedOf(state)), {
    description: 'What `switchyard rerun` starts from: ctx, results, iterations and how the run ended.',
  });
  const host = new Host();
  setHandler(pauseSignal, () => host.push({ kind: 'run.paused', now: Date.now() }), {
    description: 'Pause (no reply; prefer the `pause` update, which says whether it was accepted).',
  });
  setHandler(resumeSignal, () => host.push({ kind: 'run.resumed', now: Date.now() }), {
    description: 'Resume (no reply; prefer the `resume` update).',
  });
  let pending: boolean | undefined;
  const pauseHandler = (paused: boolean) => (): PauseAnswer => {
    const before = pending ?? state?.lifecycle.paused ?? false;
    pending = paused;
    host.push({ kind: paused ? 'run.paused' : 'run.resumed', now: Date.now() });
    return { paused, changed: before !== paused };
  };
  setHandler(pauseUpdate, pauseHandler(true), {
    validator: () => acceptsPause(state, 'pause'),
    description: 'Pause the run: no new task starts until resumed; running tasks finish. Rejected once the run is ending.',
  });
  setHandler(resumeUpdate, pauseHandler(false), {
    validator: () => acceptsPause(state, 'resume'),
    description: 'Resume a paused run. Rejected once the run is ending.',
  });
  setDefaultSignalHandler((name) => {
    log.warn(`ignored signal '${name}': this run understands the updates pause and resume (and their signals)`, { signal: name });
  });
  // Events for `action: wait` tasks (rule 17): one Update per event name, registered once the definition is read.
  const events = new EventDesk(
    () => (context === undefined || state === undefined ? undefined : { context, state }),
    (event) => host.push(event),
  );
  try {
    // The client validated it fully; this is the workflow's cheap check of what it received.
    const valid = checkReceived(args.definition);
    if (!valid.ok) throw invalidDefinition(valid.problems, args.source);
    tagGraph(valid.definition.name);
    events.listen(valid.definition);

    const info = workflowInfo();
    // Only a continued run with a timeout asks, so other runs' commands stay as they were.
    const failPastDeadline =
      args.resume !== undefined && valid.definition.timeout !== undefined && patched(DEADLINE_AT_CONTINUE_PATCH);
    const failAfterTargets = listsFailWithTargets(valid.definition) && patched(FAIL_AFTER_TARGETS_PATCH);
    // Replaying from the start (`events --transitions` reads the trace; a worker ignores it).
    const traced = info.unsafe.isReplaying;
    const run = buildContext({
      ...valid,
      input: args.input,
      workflow: { id: info.workflowId, runId: info.runId },
      failPastDeadline,
      failAfterTargets,
      traced,
    });
    context = run;
    // A continued run's input was checked when its chain started.
    if (args.resume === undefined && valid.definition.input_schema !== undefined && patched(TYPED_INPUT_PATCH)) {
      const problems = runInputProblems(valid.definition, run.input);
      if (problems.length > 0) throw invalidRunInput(problems, valid.definition.name);
    }
    let result: StepResult =
      args.resume === undefined
        ? await startRun(run, {
            kind: 'run.started',
            startTime: info.startTime.toISOString(),
            now: Date.now(),
            ...(args.rerun === undefined ? {} : { seed: args.rerun }),
          })
        : await step(run, readState(args.resume), { kind: 'run.continued', now: Date.now() });
    events.resume(args.events);
    const drainAfter = args.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
    let drainRequested = false;
    const cancel: CancelRequest = {};
    const details = new DetailsWriter();
    let applied: ConductorEvent | undefined;
    for (;;) {
      state = result.state;
      pending = undefined;
      // Only while replaying: a worker that replayed a run from its start (a cache miss) stops calling the sink once it has caught up.
      if (result.trace !== undefined && result.trace.length > 0 && workflowInfo().unsafe.isReplaying)
        traceSinks.switchyardTrace.record(Date.now(), result.trace);
      if (applied !== undefined) events.applied(applied);
      details.show(run, state);
      const end = carryOut(host, result.commands);
      if (end !== undefined) return await finish(end, args, state, cancel, host);
      if (!drainRequested && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= drainAfter)) {
        drainRequested = true;
        host.push({ kind: 'drain.requested', now: Date.now() });
      }
      applied = await nextEvent(host, cancel);
      const next = step(run, state, applied);
      // Most steps need no expression and return at once: awaiting only a real promise saves one per event.
      result = next instanceof Promise ? await next : next;
    }
  } catch (error) {
    throw asRunFailure(error);
  }
}

/** Why a pause or resume is refused: nothing to pause before the graph started, or once the run is ending. */
function acceptsPause(state: RunState | undefined, what: 'pause' | 'resume'): void {
  if (state === undefined) throw new Error(`cannot ${what}: the run has not started its graph`);
  const { phase } = state.lifecycle;
  if (phase !== 'running' && phase !== 'draining' && phase !== 'finishing')
    throw new Error(`cannot ${what}: the run is ${phase}`);
}

/**
 * Keeps the Web UI's current details (detailsOf) up to date. The state's slices are replaced,
 * never changed in place, so a step that touched none of those shown renders nothing.
 */
class DetailsWriter {
  private shown: readonly unknown[] = [];

  show(context: RunContext, state: RunState): void {
    const slices = [state.tasks, state.lifecycle, state.joins, state.work, state.waits, state.generation];
    if (slices.length === this.shown.length && slices.every((slice, index) => slice === this.shown[index])) return;
    this.shown = slices;
    setCurrentDetails(detailsOf(context, state));
  }
}

type EndCommand = Extract<ConductorCommand, { kind: 'completeRun' | 'failRun' | 'cancelRun' | 'continueAsNew' }>;

const OUTCOMES = { completeRun: 'completed', failRun: 'failed', cancelRun: 'cancelled', continueAsNew: 'continued' } as const;

/** The cancellation of the run, once it arrived and the conductor was told. */
interface CancelRequest {
  error?: unknown;
}

/**
 * The next event for the conductor. A cancellation of the run becomes `run.cancelled`: the
 * root scope's cancel has already asked every activity and timer to stop, and the run goes
 * on waiting — unshielded no more — until the activities report back, so it closes only
 * after its scripts' processes are gone. Runs recorded before CANCEL_WAITS_PATCH closed at
 * once; their replay does the same.
 */
async function nextEvent(host: Host, cancel: CancelRequest): Promise<ConductorEvent> {
  try {
    return await host.nextEvent();
  } catch (error) {
    if (!isCancellation(error) || cancel.error !== undefined || !patched(CANCEL_WAITS_PATCH)) throw error;
    cancel.error = error;
    host.outliveCancel();
    return { kind: 'run.cancelled', now: Date.now() };
  }
}

/** Carries out the commands in order; returns the terminal one, if any. */
function carryOut(host: Host, commands: readonly ConductorCommand[]): EndCommand | undefined {
  let end: EndCommand | undefined;
  for (const command of commands) {
    switch (command.kind) {
      case 'startExecution':
        host.startExecution(command);
        break;
      case 'startTimer':
        host.startTimer(command);
        break;
      case 'startChild':
        host.startChild(command);
        break;
      case 'cancel':
        host.cancel([...command.executionIds, ...command.timerIds]);
        break;
      default:
        end = command;
    }
  }
  return end;
}

/** Run outcomes by graph (`switchyard_runs`); the SDK skips it while replaying, so each outcome counts once. */
function countRun(graph: string, outcome: 'completed' | 'failed' | 'cancelled' | 'continued'): void {
  metricMeter.createCounter('switchyard_runs', 'runs', 'Runs by graph and how they ended').add(1, { graph, outcome });
}

async function finish(
  end: EndCommand,
  args: InterpretInput,
  state: RunState,
  cancel: CancelRequest,
  host: Host,
): Promise<InterpretResult> {
  const graph = (args.definition as { name?: unknown }).name;
  countRun(typeof graph === 'string' ? graph : '?', OUTCOMES[end.kind]);
  switch (end.kind) {
    case 'cancelRun':
      // Closes the run as cancelled (the SDK turns the run's own cancellation into that).
      throw cancel.error;
    case 'completeRun':
      return { status: 'completed', output: end.output, tasks: end.tasks, receipts: state.receipts.kept };
    case 'failRun':
      throw runFailure({
        failure: end.failure,
        tasks: end.tasks,
        receipts: state.receipts.kept,
        ...(end.notification === undefined ? {} : { notification: end.notification }),
      });
    case 'continueAsNew': {
      const next: InterpretInput = { definition: args.definition, resume: end.state };
      if (args.input !== undefined) next.input = args.input;
      if (args.source !== undefined) next.source = args.source;
      if (args.continueAsNewAfterEvents !== undefined) next.continueAsNewAfterEvents = args.continueAsNewAfterEvents;
      // Accepted events not applied yet must not be lost with this run's inbox.
      const pending = EventDesk.pendingIn(host.inbox);
      if (pending.length > 0) next.events = pending;
      return await continueAsNew<typeof interpretGraph>(next);
    }
  }
}

/** True if a transition lists `fail` together with other targets (`do: [notify, fail]`). */
function listsFailWithTargets(definition: Definition): boolean {
  return Object.values(definition.tasks).some((task) =>
    (task.next ?? []).some((transition) => {
      const targets = doList(transition);
      return targets.length > 1 && targets.includes(FAIL_TARGET);
    }),
  );
}

/**
 * Sets SwitchyardGraph once per run, and only if the client has not already set it at
 * start: an upsert is a history event, and the interpreter should add none per run.
 */
function tagGraph(name: string): void {
  if (workflowInfo().typedSearchAttributes.get(GRAPH_ATTRIBUTE) === name) return;
  upsertSearchAttributes([{ key: GRAPH_ATTRIBUTE, value: name }]);
}
