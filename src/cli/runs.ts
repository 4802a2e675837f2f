/**
 * Run operations over Temporal: start a validated definition, find a run, read its status
 * and build the `list` query. Shared by the command-line client's commands and the demo, so
 * both start runs the same way (validation first, search attributes, one task queue).
 */
import { graphLoadOptions } from './graph-files.js';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { DefinitionError, loadDefinitionText, parseDuration, type Definition } from '../definition/index.js';
import { declaredInputs, runInputProblems } from '../definition/input-schema.js';
import { GRAPH_KEY, JOB_KEY, TASK_QUEUE } from '../constants.js';
import { overLimitText, oversize, PAYLOAD_LIMIT_TEXT } from '../payloads.js';
import type { StateView } from '../conductor/index.js';
import type { SearchAttributePair } from '@temporalio/common';
import { interpretGraph, stateQuery, type InterpretInput } from '../workflows/index.js';
import { activityIdOf } from '../workflows/activity-options.js';
import { NotFoundError, UsageError } from './errors.js';
import { runMetadata, type RunMetadata, type Trigger } from './run-metadata.js';

/** Reads and validates a definition file; throws DefinitionError with every problem. */
export async function loadDefinitionFile(file: string): Promise<{ definition: Definition; name: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    throw new DefinitionError([{ path: '', message: `cannot read ${file}: ${code ?? String(err)}` }], file);
  }
  const report = loadDefinitionText(text, file, graphLoadOptions(file));
  if (!report.ok) throw new DefinitionError(report.problems, file);
  // The validated definition is plain JSON; it travels as workflow input (SPEC rule 12).
  return { definition: report.definition, name: report.definition.name };
}

/**
 * Parses `--input k=v` pairs. A value that parses as JSON (number, boolean, object, quoted
 * string) is taken as that JSON; anything else is the literal text.
 */
export function parseInputPairs(pairs: readonly string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input ${pair}: expected key=value`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    try {
      input[key] = JSON.parse(raw) as unknown;
    } catch {
      input[key] = raw;
    }
  }
  return input;
}

/**
 * Refuses run input the definition does not declare under `input:` or its input_schema's
 * properties (a misspelt key would otherwise be dropped silently and the default used),
 * naming the keys it knows; then input that breaks its input_schema (SPEC rule 20), naming
 * every bad field.
 */
export function checkRunInput(definition: Definition, input: Readonly<Record<string, unknown>>): void {
  const known = declaredInputs(definition);
  const unknown = known === undefined ? [] : Object.keys(input).filter((key) => !known.includes(key));
  if (known !== undefined && unknown.length > 0) {
    const knows = known.length === 0 ? 'it declares no input' : `its inputs are ${known.join(', ')}`;
    const where =
      definition.input_schema === undefined ? 'under input: with a default' : 'under input: or input_schema.properties';
    throw new UsageError(`--input ${unknown.join(', ')}: not an input of '${definition.name}' (${knows}); declare it ${where}`);
  }
  const problems = runInputProblems(definition, { ...definition.input, ...input });
  if (problems.length === 0) return;
  throw new UsageError(
    `--input: the run input does not match the input_schema of '${definition.name}': ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
  );
}

/** When a queued run should start: `--at` (an instant) or `--delay` (a duration). */
export function startDelayMs(options: { at?: string; delay?: string }, now = Date.now()): number | undefined {
  if (options.at && options.delay) throw new UsageError('use --at or --delay, not both');
  if (options.delay) {
    try {
      return parseDuration(options.delay);
    } catch (err) {
      throw new UsageError(`--delay ${options.delay}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (options.at) {
    const at = Date.parse(options.at);
    if (Number.isNaN(at)) throw new UsageError(`--at ${options.at}: not a date-time (use ISO 8601, e.g. 2026-11-22T07:00:00Z)`);
    return Math.max(0, at - now);
  }
  return undefined;
}

/**
 * Refuses run input whose JSON is over Temporal's payload limit (SPEC rule 16) before anything
 * is sent: the server would refuse the start, after retries, with its cause hidden.
 */
export function checkInputSize(input: Readonly<Record<string, unknown>>): void {
  const bytes = oversize(input);
  if (bytes === undefined) return;
  throw new UsageError(
    `--input: ${overLimitText('the run input', bytes, input, 'input')}; pass large data by reference (a path or URL a task reads)`,
  );
}

/** A run ready to start: its definition validated, its input checked, the start's argument built. */
export interface PreparedRun {
  name: string;
  definition: Definition;
  args: InterpretInput;
}

/**
 * Validates the file and the input and builds the start's argument, refusing one over the
 * payload limit (definition and input travel together as the workflow's input). No RPC.
 */
export async function prepareRun(file: string, input: Record<string, unknown> = {}): Promise<PreparedRun> {
  checkInputSize(input);
  const { definition, name } = await loadDefinitionFile(file);
  checkRunInput(definition, input);
  const args: InterpretInput = { definition, input, source: resolve(file) };
  checkStartSize(file, args);
  return { name, definition, args };
}

/** Refuses a start (a run's, or a schedule's every fire) whose workflow input is over the payload limit. No RPC. */
export function checkStartSize(file: string, args: InterpretInput): void {
  const bytes = oversize(args);
  if (bytes !== undefined)
    throw new UsageError(
      `${file}: ${overLimitText("the run's start (definition and input)", bytes)}; Temporal refuses a workflow input over ${PAYLOAD_LIMIT_TEXT}`,
    );
}

/** Options for {@link startRun}. */
export interface StartRunOptions {
  file: string;
  input?: Record<string, unknown>;
  /** The file and input already prepared (the client prepares them before it connects). */
  prepared?: PreparedRun;
  workflowId?: string;
  taskQueue?: string;
  startDelayMs?: number;
  job?: string;
}

/** Validates the file and starts an interpreter run on it. */
export async function startRun(
  client: Client,
  options: StartRunOptions,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof interpretGraph>> {
  const { name, definition, args } = options.prepared ?? (await prepareRun(options.file, options.input));
  const workflowId = options.workflowId ?? `${name}-${randomUUID()}`;
  return client.workflow.start(interpretGraph, {
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowId,
    ...runStart(definition, args.input ?? {}, args.source, options.job),
    ...(options.startDelayMs ? { startDelay: options.startDelayMs } : {}),
  });
}

/**
 * What a run of `definition` is started with, by `run` and by a schedule's action alike: the
 * validated definition itself as workflow input (SPEC rule 12), the run input, and the
 * search attributes (the graph's name; the job, when it runs for one), and what the Web UI
 * shows before the run has done anything (run-metadata.ts).
 */
export function runStart(
  definition: Definition,
  input: Record<string, unknown>,
  source: string | undefined,
  job?: string,
  trigger: Trigger = { kind: 'run' },
): { args: [InterpretInput]; typedSearchAttributes: SearchAttributePair[] } & RunMetadata {
  return {
    args: [{ definition, input, ...(source === undefined ? {} : { source }) }],
    typedSearchAttributes: [{ key: GRAPH_KEY, value: definition.name }, ...(job ? [{ key: JOB_KEY, value: job }] : [])],
    ...runMetadata(definition, input, source, trigger),
  };
}

/** A run's handle, or a clear not-found error. */
export async function existingRun(client: Client, workflowId: string): Promise<WorkflowHandle<typeof interpretGraph>> {
  const handle = client.workflow.getHandle<typeof interpretGraph>(workflowId);
  try {
    await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${workflowId}`);
    throw err;
  }
  return handle;
}

/**
 * What `status` reports: the run's description and the state query's answer, or why there is
 * none (`unavailable`), or only `tooLarge` when the server refused the answer's size.
 */
export interface RunStatus {
  workflowId: string;
  runId: string | undefined;
  status: string;
  graph: string | undefined;
  startTime: string;
  closeTime: string | undefined;
  /** Set while the run is queued (`run --delay`/`--at`): when it is due to start. */
  queuedUntil?: string;
  historyLength: number;
  /** The run this one reruns (`switchyard rerun`), from its memo. */
  rerunOf?: unknown;
  state: StateView | undefined | { unavailable: string } | { tooLarge: string };
}

/** How long `status` waits for a worker to answer the state query. */
const STATE_QUERY_DEADLINE_MS = 5_000;

/**
 * Status plus, when a worker answers it, the live graph state (SPEC rule 14). A query needs a
 * worker, even for a closed run; without one the server would hold the call for its own
 * timeout, so the wait is bounded and the answer says what is missing.
 */
export async function runStatus(client: Client, handle: WorkflowHandle<typeof interpretGraph>): Promise<RunStatus> {
  const description = await handle.describe();
  const queuedUntil = dueTime(description, Date.now());
  const state =
    queuedUntil !== undefined
      ? { unavailable: `queued: the run starts at ${queuedUntil}; it has no state before then` }
      : await client
          .withDeadline(Date.now() + STATE_QUERY_DEADLINE_MS, () => handle.query(stateQuery))
          .catch((err: unknown) => {
            const reason = err instanceof Error ? err.message : String(err);
            // The worker did answer: the server refused the answer (a worker from before the payload budget).
            if (/blob data size exceeds limit/i.test(reason))
              return {
                tooLarge: `state too large: the worker's answer is over the ${PAYLOAD_LIMIT_TEXT} payload limit (${reason})`,
              };
            return {
              unavailable: `no worker answered the state query within ${STATE_QUERY_DEADLINE_MS / 1000} s on task queue ${description.taskQueue} (${reason})`,
            };
          });
  const pending = (description.raw.pendingActivities ?? []).map((activity) => ({
    activityId: activity.activityId ?? '',
    attempt: activity.attempt ?? 0,
    ...(activity.lastFailure?.message ? { lastError: activity.lastFailure.message } : {}),
  }));
  return {
    workflowId: description.workflowId,
    runId: description.runId,
    status: description.status.name,
    graph: description.typedSearchAttributes.get(GRAPH_KEY),
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString(),
    ...(queuedUntil === undefined ? {} : { queuedUntil }),
    historyLength: description.historyLength,
    ...(description.memo?.switchyardRerunOf === undefined ? {} : { rerunOf: description.memo.switchyardRerunOf }),
    state: state !== undefined && 'tasks' in state ? withPendingAttempts(state, pending) : state,
  };
}

/** An activity Temporal has scheduled and not closed: its id (`task#iteration[index]`) and current attempt. */
export interface PendingAttempt {
  activityId: string;
  attempt: number;
  lastError?: string;
}

/**
 * The state with the attempts of activities still out added to their tasks' counts, as
 * Temporal counts them. The workflow learns an execution's attempts only when it ends (from
 * its receipt), so a task on its second attempt would otherwise show the attempts of its
 * ended executions only (0 for its first execution); its last error is the pending one's.
 */
export function withPendingAttempts(state: StateView, pending: readonly PendingAttempt[]): StateView {
  // Only executions the state still has running: one that ended between the describe and
  // the query is counted in its task's summary already.
  const running = new Map(
    state.running.map((execution) => [activityIdOf(execution.task, execution.iteration, execution.index), execution.task]),
  );
  const tasks = { ...state.tasks };
  for (const activity of pending) {
    const task = running.get(activity.activityId);
    const summary = task === undefined ? undefined : tasks[task];
    if (task === undefined || summary === undefined) continue;
    tasks[task] = {
      ...summary,
      attempts: summary.attempts + activity.attempt,
      ...(activity.lastError === undefined ? {} : { lastError: activity.lastError }),
    };
  }
  return { ...state, tasks };
}

/**
 * When a queued run (a Temporal start delay) is due, or undefined for a run that has started
 * or closed: a queued run is RUNNING with an execution time still ahead.
 */
export function dueTime(run: { status: { name: string }; executionTime?: Date | undefined }, now: number): string | undefined {
  if (run.status.name !== 'RUNNING' || run.executionTime === undefined) return undefined;
  return run.executionTime.getTime() > now ? run.executionTime.toISOString() : undefined;
}

/** Visibility query for `list`: by status and graph name, newest first. */
export function listQuery(options: { status?: string; graph?: string }): string {
  const clauses = [`WorkflowType = '${interpretGraph.name}'`];
  if (options.status) {
    const statuses: Record<string, string> = {
      running: 'Running',
      completed: 'Completed',
      failed: 'Failed',
      cancelled: 'Canceled',
      canceled: 'Canceled',
      terminated: 'Terminated',
      timedout: 'TimedOut',
      continued: 'ContinuedAsNew',
    };
    const status = statuses[options.status.toLowerCase()];
    if (!status) throw new UsageError(`--status ${options.status}: one of ${Object.keys(statuses).join(', ')}`);
    clauses.push(`ExecutionStatus = '${status}'`);
  }
  if (options.graph) clauses.push(`${GRAPH_KEY.name} = '${options.graph.replaceAll("'", "\\'")}'`);
  return clauses.join(' AND ');
}
