/**
 * The run commands: `run` starts a run of a definition (now or queued), `status`, `result`
 * and `list` look at runs. The Temporal work itself is in ./runs.ts, shared with the demo.
 */
import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { GRAPH_KEY, TASK_QUEUE } from '../constants.js';
import { stateQuery, type FailureReport, type interpretGraph, type InterpretResult } from '../workflows/index.js';
import { emit, withClient, type CommandGroup, type GlobalOptions } from './context.js';
import { formatList, formatProgress, formatResult, formatStatus, uiLink, type ListRow } from './format.js';
import { dueTime, existingRun, listQuery, parseInputPairs, prepareRun, runStatus, startDelayMs, startRun } from './runs.js';

/** Waits for a run's result, printing its running tasks to stderr while it waits. */
async function waitForResult(client: Client, workflowId: string, options: GlobalOptions): Promise<InterpretResult> {
  const handle = client.workflow.getHandle<typeof interpretGraph>(workflowId);
  const progress =
    options.json || !process.stderr.isTTY
      ? undefined
      : setInterval(() => {
          handle
            .query(stateQuery)
            .then((state) => {
              if (state !== undefined) process.stderr.write(`\r\x1b[K${formatProgress(state)}`);
            })
            .catch(() => undefined);
        }, 1_000);
  try {
    return await handle.result();
  } finally {
    if (progress) {
      clearInterval(progress);
      process.stderr.write('\r\x1b[K');
    }
  }
}

/** What `--json` prints for a run that did not complete: the failure, and the run's report when it carries one. */
export interface RunFailureJson {
  status: 'failed';
  /** The failure's type (the run's failure type, `InvalidDefinition`, or Temporal's: cancelled, terminated, timed out). */
  type: string;
  message: string;
  /** The failure report the interpreter attached (tasks, receipts, notification). */
  report?: FailureReport | unknown;
}

/** The `--json` shape of a run's failure. */
export function failureJson(err: WorkflowFailedError): RunFailureJson {
  const cause = err.cause;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : (cause?.name ?? 'WorkflowFailed');
  const report = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return { status: 'failed', type, message: cause?.message ?? err.message, ...(report === undefined ? {} : { report }) };
}

/**
 * Waits for the result; with --json a failed run's failure is printed on stdout too (the exit
 * code is still 1), so a script reading stdout always gets one JSON document.
 */
async function waitAndEmit(
  client: Client,
  workflowId: string,
  options: GlobalOptions,
  shape: (outcome: { result: InterpretResult } | { failure: RunFailureJson }) => unknown,
): Promise<void> {
  let result: InterpretResult;
  try {
    result = await waitForResult(client, workflowId, options);
  } catch (err) {
    if (!options.json || !(err instanceof WorkflowFailedError)) throw err;
    emit(options, shape({ failure: failureJson(err) }), () => '');
    process.exitCode = 1;
    return;
  }
  emit(options, shape({ result }), () => formatResult(result));
}

/** Adds `run`, `status`, `result` and `list` to the program. */
export const addRunCommands: CommandGroup = (program, globals) => {
  program
    .command('run')
    .description('validate a definition and start a run of it')
    .argument('<file>', 'YAML definition file')
    .option('-i, --input <key=value>', 'run input (repeatable; JSON values are parsed)', collect, [])
    .option('--id <workflowId>', 'workflow id (default: <graph name>-<uuid>)')
    .option('--wait', 'wait for the result and print it')
    .option('--at <time>', 'queue the run to start at this ISO 8601 instant')
    .option('--delay <duration>', 'queue the run to start after this duration (e.g. 10m)')
    .option('--task-queue <name>', 'task queue', TASK_QUEUE)
    .action(
      async (
        file: string,
        opts: { input: string[]; id?: string; wait?: boolean; at?: string; delay?: string; taskQueue: string },
      ) => {
        const input = parseInputPairs(opts.input);
        const delay = startDelayMs(opts);
        // Everything that can be refused is refused before connecting.
        const prepared = await prepareRun(file, input);
        await withClient(globals(), async (client, target) => {
          const handle = await startRun(client, {
            file,
            prepared,
            workflowId: opts.id,
            taskQueue: opts.taskQueue,
            startDelayMs: delay,
          });
          const started = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, startDelayMs: delay };
          if (!opts.wait) {
            emit(
              globals(),
              started,
              () => `started ${handle.workflowId}${delay ? ` (starts in ${Math.round(delay / 1000)} s)` : ''}`,
            );
            return;
          }
          // Said first, on stderr (stdout is the result): which run to look at, and where.
          if (!globals().json) {
            process.stderr.write(`run ${handle.workflowId}\n`);
            if (target.uiUrl !== undefined)
              process.stderr.write(`ui  ${uiLink(target.uiUrl, target.namespace, handle.workflowId)}\n`);
          }
          await waitAndEmit(client, handle.workflowId, globals(), (outcome) => ({ ...started, ...outcome }));
        });
      },
    );

  program
    .command('status')
    .description("a run's status and live graph state (running tasks, barriers, ctx, receipts)")
    .argument('<id>', 'workflow id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        const status = await runStatus(client, await existingRun(client, id));
        emit(globals(), status, () => formatStatus(status, Date.now()));
      }),
    );

  program
    .command('result')
    .description("wait for a run's result")
    .argument('<id>', 'workflow id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        await existingRun(client, id);
        await waitAndEmit(client, id, globals(), (outcome) => ('result' in outcome ? outcome.result : outcome.failure));
      }),
    );

  program
    .command('list')
    .description('list runs, newest first')
    .option('--status <status>', 'running, completed, failed, cancelled, terminated, timedout, continued')
    .option('--graph <name>', 'only runs of this graph')
    .option('--limit <n>', 'at most this many', (value) => Number.parseInt(value, 10), 50)
    .action(async (opts: { status?: string; graph?: string; limit: number }) =>
      withClient(globals(), async (client) => {
        const rows: (ListRow & { runId: string })[] = [];
        for await (const run of client.workflow.list({ query: listQuery(opts) })) {
          const queuedUntil = dueTime(run, Date.now());
          rows.push({
            workflowId: run.workflowId,
            runId: run.runId,
            status: run.status.name,
            graph: run.typedSearchAttributes.get(GRAPH_KEY),
            startTime: run.startTime.toISOString(),
            closeTime: run.closeTime?.toISOString(),
            ...(queuedUntil === undefined ? {} : { queuedUntil }),
          });
          if (rows.length >= opts.limit) break;
        }
        emit(globals(), rows, () => formatList(rows, Date.now()));
      }),
    );
};

/** Commander's way to take a repeatable option (`-i a=1 -i b=2`) as a list. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
