/**
 * `npm start`: the embedded default. Starts a Temporal dev server on a SQLite file (Web UI
 * on), a worker in this process, and one run of an example graph (script → the worker's
 * local model → file outbox); prints the Web UI address, the run's result and the agent's
 * answer, then serves until Ctrl-C (or exits at once with --once).
 * Every child process is stopped on exit, Ctrl-C or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { findLocalModel } from './activities/agent/local-model.js';
import { startRun } from './cli/runs.js';
import { TASK_QUEUE } from './constants.js';
import { DevServerBusyError, lockDevServer } from './temporal/dev-address.js';
import { freePort, startDevServer, type DevServer } from './temporal/dev-server.js';
import { createWorker, type SwitchyardWorker } from './worker.js';

const USAGE = `usage: npm start -- [--once] [--db FILE] [--example FILE] [--ui-port N]
  --once          exit after the example run instead of serving until Ctrl-C
  --db FILE       SQLite file of the dev server (default .switchyard/dev.sqlite)
  --example FILE  definition to run (default examples/machine-report.yaml: script → the
                  worker's local model → file:outbox, all offline)
  --ui-port N     Web UI port (default 8233 when free, else a free one)

The gRPC port is 7233 when free. While it serves, the address is recorded in
.switchyard/dev.env (next to the SQLite file), where the client, \`npm run worker\` and,
after \`set -a; . .switchyard/dev.env; set +a\`, the temporal CLI find it. A second
npm start on the same SQLite file refuses.`;

const log = (line: string): void => console.log(`[switchyard] ${line}`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      once: { type: 'boolean', default: false },
      db: { type: 'string', default: '.switchyard/dev.sqlite' },
      example: { type: 'string', default: 'examples/machine-report.yaml' },
      'ui-port': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const uiPort = values['ui-port'] === undefined ? undefined : Number.parseInt(values['ui-port'], 10);
  // The SDK's INFO lines (bundler output, worker states) would bury the result; keep warnings.
  // The in-process worker's metrics (the SDK's and Switchyard's) on a free local port.
  const workerMetrics = `127.0.0.1:${await freePort()}`;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { metrics: { prometheus: { bindAddress: workerMetrics } } },
  });

  let lock: ReturnType<typeof lockDevServer>;
  try {
    lock = lockDevServer(values.db);
  } catch (err) {
    if (!(err instanceof DevServerBusyError)) throw err;
    console.error(`[switchyard] ${err.message}`);
    return 1;
  }
  let server: DevServer | undefined;
  let worker: SwitchyardWorker | undefined;
  let workerDone: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let signalled = false;
  // One stop, however many callers: each awaits the same promise, so none exits early.
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      worker?.shutdown();
      await workerDone?.catch(() => undefined);
      await server?.stop();
      lock.release();
    })());
  // The dev server runs in its own process group, so a terminal's Ctrl-C does not reach it:
  // stop it ourselves on either signal.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      signalled = true;
      log(`${signal}: stopping the worker and the dev server`);
      void stopAll().then(() => process.exit(130));
    });
  }

  try {
    // The local model is installed (pip, ~93 MB, once) before the run, so its agent task
    // does not spend its timeout on the download; the worker loads it when the task runs.
    // Without it the run still starts: its local agent task then fails with the same message.
    await findLocalModel({ log }).then(
      (model) => log(`local agent model: ${model.path} (${model.source})`),
      (err: unknown) => log(`no local agent model: ${err instanceof Error ? err.message : String(err)}`),
    );
    server = await startDevServer({
      dbFile: values.db,
      ui: true,
      uiPort,
      preferPorts: { port: 7233, uiPort: 8233 },
      log,
      useExisting: false,
    });
    lock.publish(server.address, server.namespace, server.uiUrl);
    log(`Temporal dev server at ${server.address} (SQLite file ${values.db})`);
    log(`Temporal Web UI: ${server.uiUrl}`);
    log(`recorded in ${lock.file}: npx switchyard finds it; for the temporal CLI: export TEMPORAL_ADDRESS=${server.address}`);

    const workerConnection = await NativeConnection.connect({ address: server.address });
    worker = await createWorker({ connection: workerConnection, namespace: server.namespace, taskQueue: TASK_QUEUE });
    workerDone = worker.run().finally(() => workerConnection.close());
    log(`worker polling task queues ${[...worker.workers.keys()].join(', ')}`);
    log(`metrics: server ${server.metricsUrl ?? '(not served)'}, worker http://${workerMetrics}/metrics`);

    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    const handle = await startRun(client, { file: values.example });
    log(`started ${values.example} as ${handle.workflowId}`);
    log(`watch it: ${server.uiUrl}/namespaces/${server.namespace}/workflows/${handle.workflowId}`);
    const result = await handle.result();
    await connection.close();
    log('result:');
    console.log(JSON.stringify({ status: result.status, output: result.output, tasks: result.tasks }, null, 2));
    const summary = (result.output as { summary?: unknown } | undefined)?.summary;
    if (typeof summary === 'string') log(`the agent said: ${summary}`);
    log(`${result.receipts.length} receipts; all of it: npx switchyard status ${handle.workflowId}`);

    if (values.once) {
      await stopAll();
      return 0;
    }
    log(`serving: Web UI ${server.uiUrl}, gRPC ${server.address}. Press Ctrl-C to stop.`);
    // The SDK's runtime also shuts the worker down on SIGINT/SIGTERM, which ends this wait.
    await workerDone;
    await stopAll();
    return signalled ? 130 : 0;
  } catch (err) {
    console.error(`[switchyard] ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
