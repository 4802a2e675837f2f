/**
 * `switchyard` — the command-line client: validates and draws definitions, starts runs,
 * inspects, pauses, resumes and cancels them. Connects with Temporal's standard
 * environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key).
 *
 * Exit codes: 0 ok · 1 the thing asked about failed (invalid definition, failed run) ·
 * 2 usage error · 3 Temporal unreachable · 4 no such run.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { DefinitionError } from './definition/index.js';
import { renderGraph, validateFiles } from './cli/definition-commands.js';
import {
  existingRun,
  listQuery,
  NotFoundError,
  parseInputPairs,
  runStatus,
  startDelayMs,
  startRun,
  UsageError,
} from './cli/runs.js';
import { GRAPH_KEY, TASK_QUEUE } from './constants.js';
import { describeTarget, resolveConnectTarget } from './temporal/connection.js';

/** Exit codes; documented in --help and README. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, notFound: 4 } as const;

interface GlobalOptions {
  address?: string;
  namespace?: string;
  json?: boolean;
}

/** Writes a result for humans or, with --json, for scripts. */
function emit(options: GlobalOptions, value: unknown, human: () => string): void {
  console.log(options.json ? JSON.stringify(value, null, 2) : human());
}

/** Runs `fn` with a connected client; says where it connected (to stderr, so --json stays clean). */
async function withClient<T>(options: GlobalOptions, fn: (client: Client) => Promise<T>): Promise<T> {
  const target = resolveConnectTarget({ address: options.address, namespace: options.namespace });
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...target.config.connectionOptions, connectTimeout: 5_000 });
  } catch (err) {
    throw new UnreachableError(`cannot reach Temporal at ${target.address}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!options.json) console.error(`connected to ${describeTarget(target)}`);
  try {
    return await fn(new Client({ connection, namespace: target.namespace }));
  } finally {
    await connection.close();
  }
}

class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** Waits for a run's result, printing its running tasks to stderr while it waits. */
async function waitForResult(client: Client, workflowId: string, options: GlobalOptions): Promise<unknown> {
  const handle = client.workflow.getHandle(workflowId);
  const progress =
    options.json || !process.stderr.isTTY
      ? undefined
      : setInterval(() => {
          handle
            .query<{ running?: { task: string }[] }>('state')
            .then((state) => {
              const running = (state.running ?? []).map((r) => r.task).join(', ') || '—';
              process.stderr.write(`\r\x1b[K${workflowId}: running ${running}`);
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

/** Builds the commander program; exported so tests can run it in-process. */
export function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('Durable AI-agent jobs as YAML transition graphs on Temporal.')
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExit codes: 0 ok, 1 failed/invalid, 2 usage error, 3 Temporal unreachable, 4 no such run.')
    .showHelpAfterError()
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command('validate')
    .description('check definition files; every problem is listed with its path and line')
    .argument('<files...>', 'YAML definition files')
    .action(async (files: string[]) => {
      const { exitCode, output } = await validateFiles(files, { json: Boolean(globals().json) });
      console.log(output);
      process.exitCode = exitCode;
    });

  program
    .command('graph')
    .description('draw a definition as Mermaid or DOT')
    .argument('<file>', 'YAML definition file')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'))
    .action(async (file: string, opts: { format: 'mermaid' | 'dot' }) => {
      const { exitCode, output } = await renderGraph(file, opts.format);
      console.log(output);
      process.exitCode = exitCode;
    });

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
    .action(async (file: string, opts: { input: string[]; id?: string; wait?: boolean; at?: string; delay?: string; taskQueue: string }) => {
      const input = parseInputPairs(opts.input);
      const delay = startDelayMs(opts);
      await withClient(globals(), async (client) => {
        const handle = await startRun(client, { file, input, workflowId: opts.id, taskQueue: opts.taskQueue, startDelayMs: delay });
        const started = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, startDelayMs: delay };
        if (!opts.wait) {
          emit(globals(), started, () => `started ${handle.workflowId}${delay ? ` (starts in ${Math.round(delay / 1000)} s)` : ''}`);
          return;
        }
        const result = await waitForResult(client, handle.workflowId, globals());
        emit(globals(), { ...started, result }, () => JSON.stringify(result, null, 2));
      });
    });

  program
    .command('status')
    .description("a run's status and live graph state (running tasks, barriers, ctx, receipts)")
    .argument('<id>', 'workflow id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        const status = await runStatus(client, await existingRun(client, id));
        emit(globals(), status, () => JSON.stringify(status, null, 2));
      }),
    );

  program
    .command('result')
    .description("wait for a run's result")
    .argument('<id>', 'workflow id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        await existingRun(client, id);
        const result = await waitForResult(client, id, globals());
        emit(globals(), result, () => JSON.stringify(result, null, 2));
      }),
    );

  program
    .command('list')
    .description('list runs, newest first')
    .option('--status <status>', 'running, completed, failed, cancelled, terminated, timedout, continued')
    .option('--graph <name>', 'only runs of this graph')
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10), 50)
    .action(async (opts: { status?: string; graph?: string; limit: number }) =>
      withClient(globals(), async (client) => {
        const rows: Record<string, unknown>[] = [];
        for await (const run of client.workflow.list({ query: listQuery(opts) })) {
          rows.push({
            workflowId: run.workflowId,
            runId: run.runId,
            status: run.status.name,
            graph: run.typedSearchAttributes.get(GRAPH_KEY),
            startTime: run.startTime.toISOString(),
            closeTime: run.closeTime?.toISOString(),
          });
          if (rows.length >= opts.limit) break;
        }
        emit(globals(), rows, () =>
          rows.map((r) => `${String(r.status).padEnd(12)} ${String(r.graph ?? '').padEnd(20)} ${r.workflowId}  ${r.startTime}`).join('\n') ||
          'no runs',
        );
      }),
    );

  for (const [name, signal, description] of [
    ['pause', 'pause', 'start no new task until resumed; running tasks finish'],
    ['resume', 'resume', 'let a paused run start tasks again'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<id>', 'workflow id')
      .action(async (id: string) =>
        withClient(globals(), async (client) => {
          await (await existingRun(client, id)).signal(signal);
          emit(globals(), { workflowId: id, signal }, () => `${signal}d ${id}`);
        }),
      );
  }

  program
    .command('cancel')
    .description('cancel a run; its running activities are cancelled too')
    .argument('<id>', 'workflow id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        await (await existingRun(client, id)).cancel();
        emit(globals(), { workflowId: id, cancelled: true }, () => `cancellation requested for ${id}`);
      }),
    );

  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Maps an error to its exit code and one clear message. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof UnreachableError) return EXIT.unreachable;
  if (err instanceof NotFoundError) return EXIT.notFound;
  if (err instanceof DefinitionError || err instanceof WorkflowFailedError) return EXIT.failed;
  return EXIT.failed;
}

/** Runs the client with argv; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeFor(err);
    if (err instanceof WorkflowFailedError) {
      console.error(`run failed: ${err.cause?.message ?? err.message}`);
    } else {
      console.error(err instanceof Error ? err.message : String(err));
    }
    return exitCodeFor(err);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(EXIT.failed);
    },
  );
}
