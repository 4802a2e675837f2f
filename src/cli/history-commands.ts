/**
 * Dead letters (SPEC §5): `failed` lists failed runs with the task and cause they failed
 * with; `rerun` starts a new run from a closed run's final state (ctx, results, iterations)
 * at the task that failed, or at the one named, with the definition the old run carried,
 * linked to it by the memo `switchyardRerunOf`.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import proto from '@temporalio/proto';
import { checkReceived, parseDuration, type Definition } from '../definition/index.js';
import { runInputProblems } from '../definition/input-schema.js';
import { GRAPH_KEY, JOB_KEY } from '../constants.js';
import type { CarriedView, RunSeed } from '../conductor/index.js';
import { carriedQuery, interpretGraph, type InterpretInput } from '../workflows/index.js';
import { emit, withClient, type CommandGroup } from './context.js';
import { eventLine, readEvents, type RunEvent } from './events.js';
import { mergeEvents, traceEvents } from './transitions.js';
import { UsageError } from './errors.js';
import { existingRun, listQuery } from './runs.js';
import { runMetadata, type RunMetadata } from './run-metadata.js';

/** The memo key that links a rerun to the run it reruns. */
export const RERUN_OF_MEMO = 'switchyardRerunOf';

/** What the memo `switchyardRerunOf` holds. */
export interface RerunOf {
  workflowId: string;
  runId: string;
  from: string[];
}

/** One failed run, as `failed` lists it. */
export interface FailedRun {
  workflowId: string;
  runId: string;
  graph: string | undefined;
  closeTime: string | undefined;
  /** The task the run failed at, when the failure names one. */
  task: string | undefined;
  /** The failure's type (TaskFailed, JoinUnsatisfied, …). */
  type: string | undefined;
  cause: string;
}

/** The statuses a run can be rerun from. */
const RERUNNABLE = new Set(['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

const { HistoryEventFilterType } = proto.temporal.api.enums.v1;

/** Visibility query for failed runs of a graph, closed within `since`. */
export function failedQuery(options: { graph?: string; since?: string }, now = Date.now()): string {
  const clauses = [listQuery({ status: 'failed', ...(options.graph === undefined ? {} : { graph: options.graph }) })];
  if (options.since !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(options.since);
    } catch (err) {
      throw new UsageError(`--since ${options.since}: ${err instanceof Error ? err.message : String(err)}`);
    }
    clauses.push(`CloseTime > '${new Date(now - ms).toISOString()}'`);
  }
  return clauses.join(' AND ');
}

/** The failure a closed run ended with, read from its close event (no worker needed). */
async function closeFailure(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<{ task?: string; type?: string; cause: string }> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const failure = response.history?.events?.[0]?.workflowExecutionFailedEventAttributes?.failure;
  if (!failure) return { cause: 'unknown (no failure in the close event)' };
  const type = failure.applicationFailureInfo?.type ?? undefined;
  const payload = failure.applicationFailureInfo?.details?.payloads?.[0];
  let task: string | undefined;
  if (payload) {
    const report = client.options.loadedDataConverter.payloadConverter.fromPayload<{ failure?: { task?: string } }>(payload);
    task = report?.failure?.task;
  }
  return { ...(task === undefined ? {} : { task }), ...(type ? { type } : {}), cause: failure.message ?? '' };
}

/** Failed runs, newest first. */
export async function failedRuns(
  client: Client,
  options: { graph?: string; since?: string; limit?: number },
): Promise<FailedRun[]> {
  const rows: FailedRun[] = [];
  for await (const run of client.workflow.list({ query: failedQuery(options) })) {
    const failure = await closeFailure(client, run.workflowId, run.runId);
    rows.push({
      workflowId: run.workflowId,
      runId: run.runId,
      graph: run.typedSearchAttributes.get(GRAPH_KEY),
      closeTime: run.closeTime?.toISOString(),
      task: failure.task,
      type: failure.type,
      cause: failure.cause,
    });
    if (options.limit !== undefined && rows.length >= options.limit) break;
  }
  return rows;
}

/** The input the run's latest execution started with (the definition it carries). */
async function startInput(client: Client, workflowId: string, runId: string): Promise<InterpretInput> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const payload = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`run ${workflowId} (${runId}): no input in its start event`);
  return client.options.loadedDataConverter.payloadConverter.fromPayload<InterpretInput>(payload);
}

/** How long `rerun` waits for a worker to answer the `carried` query. */
const CARRIED_QUERY_DEADLINE_MS = 10_000;

/** The tasks a rerun starts at: the named one, else the failed one, else those cut short. */
export function rerunStart(carried: CarriedView, tasks: readonly string[], from: string | undefined): string[] {
  if (from !== undefined) {
    if (!tasks.includes(from)) throw new UsageError(`--from ${from}: no such task (the tasks are ${tasks.join(', ')})`);
    return [from];
  }
  if (carried.failure?.task !== undefined) return [carried.failure.task];
  const cut = Object.entries(carried.tasks)
    .filter(([, summary]) => ['failed', 'cancelled', 'running', 'scheduled'].includes(summary.status))
    .map(([task]) => task);
  if (cut.length === 0) throw new UsageError('the run names no task it stopped at; say where to start with --from TASK');
  return cut;
}

/** The seed of a rerun: the old run's data, its iterations less the one each start task redoes. */
export function rerunSeed(carried: CarriedView, from: readonly string[]): RunSeed {
  const iterations: Record<string, number> = { ...carried.iterations };
  for (const task of from) iterations[task] = Math.max(0, (iterations[task] ?? 0) - 1);
  return { ctx: { ...carried.ctx }, results: { ...carried.results }, iterations, from: [...from] };
}

/** What `rerun` reports for one run. */
export interface RerunStarted {
  rerunOf: RerunOf;
  workflowId: string;
  runId: string;
  /** Set instead of a new run when this run was already rerun. */
  alreadyRerun?: boolean;
}

/**
 * A rerun carries the failed run's input: refused here, naming the fields, when it breaks
 * the definition's input_schema (SPEC rule 20), as the workflow would refuse it at start.
 */
function refuseUntypedInput(workflowId: string, start: InterpretInput): void {
  const received = checkReceived(start.definition);
  if (!received.ok) return;
  const { definition } = received;
  const problems = runInputProblems(definition, { ...definition.input, ...start.input });
  if (problems.length === 0) return;
  throw new UsageError(
    `run ${workflowId}: its input does not match the input_schema of '${definition.name}': ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
  );
}

/**
 * Starts a new run from a closed run's final state. Its workflow id is derived from the old
 * run's, so rerunning the same run twice starts nothing new (the second answer says so).
 */
export async function rerun(client: Client, handle: WorkflowHandle<typeof interpretGraph>, from?: string): Promise<RerunStarted> {
  const description = await handle.describe();
  if (!RERUNNABLE.has(description.status.name))
    throw new UsageError(
      `run ${handle.workflowId} is ${description.status.name}: only a failed, cancelled, terminated or timed-out run can be rerun`,
    );
  const input = await startInput(client, description.workflowId, description.runId);
  refuseUntypedInput(handle.workflowId, input);
  const carried = await client
    .withDeadline(Date.now() + CARRIED_QUERY_DEADLINE_MS, () =>
      client.workflow.getHandle<typeof interpretGraph>(description.workflowId, description.runId).query(carriedQuery),
    )
    .catch((err: unknown) => {
      throw new Error(
        `no worker answered the carried query within ${CARRIED_QUERY_DEADLINE_MS / 1000} s on task queue ${description.taskQueue} (${err instanceof Error ? err.message : String(err)}); start a worker`,
      );
    });
  if (carried === undefined)
    throw new UsageError(`run ${handle.workflowId} never started its graph (invalid definition?): nothing to rerun from`);
  const tasks = Object.keys((input.definition as { tasks?: Record<string, unknown> }).tasks ?? {});
  const start = rerunStart(carried, tasks, from);
  const rerunOf: RerunOf = { workflowId: description.workflowId, runId: description.runId, from: start };
  const workflowId = `${description.workflowId}.rerun-${description.runId.slice(0, 8)}${from === undefined ? '' : `-${from}`}`;
  const graph = description.typedSearchAttributes.get(GRAPH_KEY);
  const job = description.typedSearchAttributes.get(JOB_KEY);
  const args: InterpretInput = { definition: input.definition, rerun: rerunSeed(carried, start) };
  if (input.input !== undefined) args.input = input.input;
  if (input.source !== undefined) args.source = input.source;
  if (input.continueAsNewAfterEvents !== undefined) args.continueAsNewAfterEvents = input.continueAsNewAfterEvents;
  try {
    const started = await client.workflow.start(interpretGraph, {
      taskQueue: description.taskQueue,
      workflowId,
      args: [args],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { [RERUN_OF_MEMO]: rerunOf },
      ...rerunMetadata(input, description.workflowId, start),
      typedSearchAttributes: [
        ...(graph === undefined ? [] : [{ key: GRAPH_KEY, value: graph }]),
        ...(job === undefined ? [] : [{ key: JOB_KEY, value: job }]),
      ],
    });
    return { rerunOf, workflowId, runId: started.firstExecutionRunId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const existing = await client.workflow.getHandle(workflowId).describe();
    return { rerunOf, workflowId, runId: existing.runId, alreadyRerun: true };
  }
}

/** The Web UI's summary and details of a rerun; the old run's definition came from its history, so it is checked first. */
function rerunMetadata(input: InterpretInput, of: string, from: readonly string[]): RunMetadata | Record<string, never> {
  const definition = input.definition as Partial<Definition> | undefined;
  if (typeof definition?.name !== 'string' || typeof definition.tasks !== 'object' || definition.tasks === null) return {};
  return runMetadata(definition as Definition, input.input ?? {}, input.source, { kind: 'rerun', of, from });
}

function rerunLine(started: RerunStarted): string {
  const { rerunOf } = started;
  const verb = started.alreadyRerun ? 'already rerun as' : 'rerun as';
  return `${rerunOf.workflowId}: ${verb} ${started.workflowId} (from ${rerunOf.from.join(', ')})`;
}

/** Adds `events`, `failed` and `rerun` to the program. */
export const addHistoryCommands: CommandGroup = (program, globals) => {
  program
    .command('events')
    .description("a run's transitions from its history, across continue-as-new (JSON Lines with --json)")
    .argument('<id>', 'workflow id')
    .option('--follow', 'keep printing new events until the run closes')
    .option('--transitions', 'also the transitions taken (when, publish, do) and join arrivals, by replaying the history')
    .action(async (id: string, opts: { follow?: boolean; transitions?: boolean }) => {
      if (opts.follow === true && opts.transitions === true)
        throw new UsageError('--transitions replays what has happened so far: use it without --follow');
      await withClient(globals(), async (client) => {
        const description = await (await existingRun(client, id)).describe();
        const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
        const print = (event: RunEvent): void => console.log(globals().json ? JSON.stringify(event) : eventLine(event));
        if (opts.transitions !== true) {
          await readEvents(client, description.workflowId, firstRunId, opts.follow === true, print);
          return;
        }
        const history: RunEvent[] = [];
        await readEvents(client, description.workflowId, firstRunId, false, (event) => history.push(event));
        const runIds = [...new Set(history.map((event) => event.runId))];
        const trace = await traceEvents(client, description.workflowId, runIds);
        for (const event of mergeEvents(history, trace)) print(event);
      });
    });

  program
    .command('failed')
    .description('list failed runs (dead letters) with the task and cause they failed with, newest first')
    .option('--graph <name>', 'only runs of this graph')
    .option('--since <duration>', 'only runs that failed within this duration (e.g. 24h)')
    .option('--limit <n>', 'at most this many', (value) => Number.parseInt(value, 10), 50)
    .action(async (opts: { graph?: string; since?: string; limit: number }) => {
      failedQuery(opts); // refuses a bad --since before connecting
      await withClient(globals(), async (client) => {
        const rows = await failedRuns(client, opts);
        emit(globals(), rows, () =>
          rows.length === 0
            ? 'no failed runs'
            : [
                `${'WORKFLOW ID'.padEnd(44)} ${'GRAPH'.padEnd(16)} ${'FAILED AT'.padEnd(24)} ${'TASK'.padEnd(12)} CAUSE`,
                ...rows.map(
                  (row) =>
                    `${row.workflowId.padEnd(44)} ${(row.graph ?? '').padEnd(16)} ${(row.closeTime ?? '').padEnd(24)} ${(row.task ?? '—').padEnd(12)} ${row.type ? `${row.type}: ` : ''}${row.cause.replace(/\s+/g, ' ')}`,
                ),
              ].join('\n'),
        );
      });
    });

  program
    .command('rerun')
    .description("start a new run from a failed (or cancelled) run's final state, at the failed task or --from TASK")
    .argument('[id]', 'workflow id of the run to rerun')
    .option('--from <task>', 'start at this task instead of the one that failed')
    .option('--all-failed', 'rerun every failed run of --graph')
    .option('--graph <name>', 'with --all-failed: the graph whose failed runs to rerun')
    .option('--since <duration>', 'with --all-failed: only runs that failed within this duration')
    .action(async (id: string | undefined, opts: { from?: string; allFailed?: boolean; graph?: string; since?: string }) => {
      if (opts.allFailed) {
        if (id !== undefined) throw new UsageError('give a run id or --all-failed, not both');
        if (opts.graph === undefined) throw new UsageError('--all-failed needs --graph G');
        failedQuery(opts);
      } else if (id === undefined) throw new UsageError('give the id of the run to rerun, or --all-failed --graph G');
      await withClient(globals(), async (client) => {
        if (!opts.allFailed || id !== undefined) {
          const started = await rerun(client, await existingRun(client, id ?? ''), opts.from);
          emit(globals(), started, () => rerunLine(started));
          return;
        }
        const results: RerunStarted[] = [];
        for (const failedRun of await failedRuns(client, opts)) {
          const handle = client.workflow.getHandle<typeof interpretGraph>(failedRun.workflowId);
          results.push(await rerun(client, handle, opts.from));
        }
        emit(globals(), results, () => (results.length === 0 ? 'no failed runs' : results.map(rerunLine).join('\n')));
      });
    });
};
